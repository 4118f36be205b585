package auditlog

// The list filter, one concept in one file: its fields and how it is read
// from the query and documented for OpenAPI. Its SQL (where), which is also
// its canonical form for cache keys and cursor binding, is in store.go.

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// Filter narrows the log; zero fields match everything.
type Filter struct {
	ActorID      int64
	Action       string
	ResourceType string
	ResourceID   string
	From, To     *time.Time // from inclusive, to exclusive
}

var filterQuery = []httpapi.Param{
	{Name: "actor_id", Type: "integer", Description: "rows of changes made by this user"},
	{Name: "action", Description: "e.g. orders.update_status"},
	{Name: "resource_type", Description: "e.g. order, user, role"},
	{Name: "resource_id"},
	{Name: "from", Type: "date-time", Description: "inclusive"},
	{Name: "to", Type: "date-time", Description: "exclusive"},
}

var listQuery = append(slices.Clone(filterQuery), httpapi.PageQuery...)

// ParseFilter reads the filters; a value that cannot be parsed is
// INVALID_JSON, an impossible range VALIDATION_FAILED.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	var err error
	if f.ActorID, err = httpapi.QueryID(q, "actor_id"); err != nil {
		return f, err
	}
	f.Action, f.ResourceType, f.ResourceID = q.Get("action"), q.Get("resource_type"), q.Get("resource_id")
	fe := apperr.FieldErrors{}
	// resource ids are positive ids written as text; the filter stays a
	// string, but a whole number that is no id is refused like actor_id's
	if n, err := strconv.ParseInt(f.ResourceID, 10, 64); errors.Is(err, strconv.ErrRange) || err == nil && (n < 1 || n >= 1<<53) {
		fe.Add("resource_id", "must be a positive id below 2^53")
	}
	for name, v := range map[string]string{"action": f.Action, "resource_type": f.ResourceType, "resource_id": f.ResourceID} {
		if len(v) > 200 {
			fe.Add(name, "must be at most 200 characters")
		}
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, apperr.New(apperr.InvalidJSON, "%s must be an RFC 3339 time such as 2026-11-28T09:30:00Z", p.name)
			}
			*p.dst = &t
		}
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		fe.Add("to", "must be after from")
	}
	return f, fe.Err()
}

package media

// The list filter, one concept in one file: its fields, how it is read
// from the query and documented for OpenAPI, and its canonical form for
// cache keys and cursor binding. Its SQL (where) is in store.go.

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// Filter narrows the list.
type Filter struct {
	Kind, Status, Q string
	From, To        *time.Time
}

var filterQuery = []httpapi.Param{
	{Name: "kind", Enum: Kinds},
	{Name: "status", Enum: Statuses},
	{Name: "q", Description: "case-insensitive substring of the file name or title"},
	{Name: "from", Type: "date-time", Description: "uploaded at or after (inclusive)"},
	{Name: "to", Type: "date-time", Description: "uploaded before (exclusive)"},
}

var listQuery = append(slices.Clone(filterQuery), httpapi.PageQuery...)

// ParseFilter reads the list's filters.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Kind: q.Get("kind"), Status: q.Get("status"), Q: q.Get("q")}
	fe := apperr.FieldErrors{}
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		fe.Add("kind", "must be image, video, audio or document")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		fe.Add("status", "must be pending, scanning, ready, rejected or failed")
	}
	if len(f.Q) > 200 {
		fe.Add("q", "must be at most 200 characters")
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				fe.Add(p.name, "must be an RFC 3339 time such as 2026-11-28T09:30:00Z")
				continue
			}
			*p.dst = &t
		}
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		fe.Add("to", "must be after from")
	}
	return f, fe.Err()
}

// canonical renders a filter as a stable string, for cache keys and cursor
// binding.
func (f Filter) canonical() string {
	s := f.Kind + "|" + f.Status + "|" + f.Q
	if f.From != nil {
		s += "|f" + strconv.FormatInt(f.From.UnixMicro(), 10)
	}
	if f.To != nil {
		s += "|t" + strconv.FormatInt(f.To.UnixMicro(), 10)
	}
	return s
}

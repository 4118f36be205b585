package jobadmin

// The list filter, one concept in one file: its fields, how it is read
// from the query and documented for OpenAPI, and its canonical form for
// cursor binding. Its SQL (where) is in store.go.

import (
	"net/url"
	"slices"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// Filter narrows the list.
type Filter struct {
	States []string
	Kind   string
}

var listQuery = append([]httpapi.Param{
	{Name: "state", Repeated: true, Enum: States, Description: "discarded is the dead-letter state"},
	{Name: "kind", Description: "e.g. stats_reconcile"}}, httpapi.PageQuery...)

// ParseFilter reads ?state= (repeatable) and ?kind=.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{States: q["state"], Kind: q.Get("kind")}
	fe := apperr.FieldErrors{}
	for _, s := range f.States {
		if !slices.Contains(States, s) {
			fe.Add("state", "must be one of available, scheduled, running, retryable, completed, discarded, cancelled, pending")
			break
		}
	}
	if len(f.Kind) > 100 {
		fe.Add("kind", "must be at most 100 characters")
	}
	return f, fe.Err()
}

// canonical renders a filter as a stable string, for cursor binding.
func (f Filter) canonical() string { return strings.Join(f.States, ",") + "|" + f.Kind }

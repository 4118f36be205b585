package projects

// The list filter: its fields, how it is read from the query and
// documented for OpenAPI, and its canonical form for cache keys and
// cursor binding. Its SQL is in store.go.

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Filter selects and orders the panel's list of projects.
type Filter struct {
	Statuses []content.Status
	Lang     content.Lang // "": every language
	Featured *bool
	Tag      string // a tag's slug
	// Q is what the user typed: with the search index, the projects whose
	// panel document (title, tags, summary, client, body) matches it, with
	// Persian spellings folded (search.Normalize), or whose slug holds its
	// slug form; without one, a case-insensitive substring of the title,
	// slug or client.
	Q    string
	Sort string // position (default), -position, title, -title, updated_at, -updated_at
	// IDs, when not nil, are the search index's matches for Q (set by the
	// service, never read from the query); nil means Q is matched by
	// substring.
	IDs []int64
}

// Sorts are the list's orders.
var Sorts = []string{"position", "-position", "title", "-title", "updated_at", "-updated_at"}

// ParseFilter reads the filters and sort of the projects list. Unparseable
// values are INVALID_JSON; parseable but invalid ones VALIDATION_FAILED.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	fe := apperr.FieldErrors{}
	for _, raw := range q["status"] {
		for _, v := range strings.Split(raw, ",") {
			st := content.Status(strings.TrimSpace(v))
			if !content.ProjectWorkflow.Known(st) {
				fe.Add("status", "must be one of draft, published, archived")
				continue
			}
			if !slices.Contains(f.Statuses, st) {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	slices.Sort(f.Statuses)
	if v := q.Get("lang"); v != "" {
		if f.Lang = content.Lang(v); !f.Lang.Known() {
			fe.Add("lang", "must be fa or en")
		}
	}
	if v := q.Get("featured"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, apperr.New(apperr.InvalidJSON, "featured must be true or false")
		}
		f.Featured = &b
	}
	if v := q.Get("tag"); v != "" {
		if f.Tag = search.Slugify(v); f.Tag == "" || len([]rune(v)) > MaxTag*4 {
			fe.Add("tag", "must be a tag's slug")
		}
	}
	f.Q = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Q)) > 200 {
		fe.Add("q", "must be at most 200 characters")
	} else if strings.ContainsRune(f.Q, 0) { // no database text holds NUL
		fe.Add("q", "must not contain NUL characters")
	}
	f.Sort = q.Get("sort")
	if f.Sort == "" {
		f.Sort = "position"
	} else if !slices.Contains(Sorts, f.Sort) {
		fe.Add("sort", "must be one of "+strings.Join(Sorts, ", "))
	}
	return f, fe.Err()
}

var listQuery = append(slices.Clone(httpapi.PageQuery), []httpapi.Param{
	{Name: "status", Repeated: true, Enum: []string{"draft", "published", "archived"}, Description: "one or more statuses"},
	{Name: "lang", Enum: content.Lang("").EnumValues()},
	{Name: "featured", Type: "boolean"},
	{Name: "tag", Description: "a tag's slug"},
	{Name: "q", Description: "search: the title, tags, summary, client and body through the search index (Persian spellings folded: ZWNJ, Arabic yeh and kaf, Persian digits), or a part of the slug; at most 200 characters"},
	{Name: "sort", Description: strings.Join(Sorts, ", ") + " (default position: the manual order)"},
}...)

// canonical renders a filter as a stable string, for cache keys and cursor
// binding.
func (f Filter) canonical() string {
	st := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		st[i] = string(s)
	}
	feat := ""
	if f.Featured != nil {
		feat = strconv.FormatBool(*f.Featured)
	}
	return fmt.Sprintf("s=%s|l=%s|f=%s|t=%s|q=%s|sort=%s", strings.Join(st, ","), f.Lang, feat, f.Tag, f.Q, f.Sort)
}

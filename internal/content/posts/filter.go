package posts

// The list filter, one concept in one file: its fields, how it is read
// from the query and documented for OpenAPI, and its canonical form for
// cache keys and cursor binding. Its SQL (where, orderBy) is in store.go.

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Filter selects and orders a list of posts.
type Filter struct {
	Statuses []content.Status
	Lang     content.Lang
	Tag      string // a term slug (search.Slugify of what was asked)
	Category string
	AuthorID int64
	Q        string
	Sort     string // id, created_at, updated_at, published_at, title; "-" descending
	// IDs, when not nil, restricts the list to these posts: the search
	// index's matches for Q. Nil means Q (if any) is matched by substring.
	IDs []int64
}

// Sorts are the list's sort fields.
var Sorts = []string{"id", "created_at", "updated_at", "published_at", "title"}

// ParseFilter reads the list filters and sort. Unparseable values are
// INVALID_JSON; parseable but invalid ones are VALIDATION_FAILED.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	fe := apperr.FieldErrors{}
	for _, raw := range q["status"] {
		for _, v := range strings.Split(raw, ",") {
			st := content.Status(strings.TrimSpace(v))
			if !content.PostWorkflow.Known(st) {
				fe.Add("status", "must be one of draft, in_review, scheduled, published, archived")
				continue
			}
			if !slices.Contains(f.Statuses, st) {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	// a stable order makes equal filters share cache entries and cursors
	slices.SortFunc(f.Statuses, func(a, b content.Status) int {
		return slices.Index(content.PostStatuses, a) - slices.Index(content.PostStatuses, b)
	})
	if v := q.Get("lang"); v != "" {
		f.Lang = content.Lang(v)
		if !f.Lang.Known() {
			fe.Add("lang", "must be fa or en")
		}
	}
	for _, name := range []string{"tag", "category"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		slug := search.Slugify(v)
		if slug == "" || utf8.RuneCountInString(v) > MaxTermName {
			fe.Add(name, "must be a tag or category name or slug")
		}
		if name == "tag" {
			f.Tag = slug
		} else {
			f.Category = slug
		}
	}
	id, err := httpapi.QueryID(q, "author_id")
	if err != nil {
		return f, err
	}
	f.AuthorID = id
	f.Q = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(f.Q) > 200 {
		fe.Add("q", "must be at most 200 characters")
	}
	f.Sort = q.Get("sort")
	if f.Sort == "" {
		f.Sort = "-updated_at"
	} else if !slices.Contains(Sorts, strings.TrimPrefix(f.Sort, "-")) {
		fe.Add("sort", "must be one of id, created_at, updated_at, published_at, title, each optionally with a leading -")
	}
	return f, fe.Err()
}

var listQuery = append(slices.Clone(httpapi.PageQuery), []httpapi.Param{
	{Name: "status", Repeated: true, Enum: content.Status("").EnumValues(), Description: "one or more statuses"},
	{Name: "lang", Enum: content.Lang("").EnumValues()},
	{Name: "tag", Description: "a tag's name or slug"},
	{Name: "category", Description: "a category's name or slug"},
	{Name: "author_id", Type: "integer", Description: "posts this user wrote"},
	{Name: "q", Description: "search: title and body through the search index when it is configured, else a case-insensitive substring of the title or slug"},
	{Name: "sort", Description: "id, created_at, updated_at (default -updated_at), published_at, title; a leading - sorts descending"},
}...)

// canonical renders a filter as a stable string, for cache keys and cursor
// binding.
func (f Filter) canonical() string {
	st := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		st[i] = string(s)
	}
	return fmt.Sprintf("s=%s|l=%s|t=%s|c=%s|a=%d|q=%s|sort=%s", strings.Join(st, ","), f.Lang, f.Tag, f.Category,
		f.AuthorID, f.Q, f.Sort)
}

package public

// The public routes' query parameters: how each is read and documented,
// and its canonical form for cache keys and cursor binding. Unparseable
// values are 400 INVALID_JSON; parseable but invalid ones 422.

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

func parseLang(q url.Values, fe apperr.FieldErrors, required bool) string {
	v := q.Get("lang")
	if v == "" {
		if required {
			fe.Add("lang", "is required: fa or en")
		}
		return ""
	}
	if !content.Lang(v).Known() {
		fe.Add("lang", "must be fa or en")
	}
	return v
}

func parseSlugParam(q url.Values, fe apperr.FieldErrors, name string) string {
	v := q.Get(name)
	if v == "" {
		return ""
	}
	s := search.Slugify(v)
	if s == "" || len(v) > 800 {
		fe.Add(name, "must be a slug")
	}
	return s
}

// parseListPage reads a public list's paging: cursor mode (limit,
// cursor) by default, as API.md section 8 shows; page mode when page or
// page_size is given (API.md section 1: every list takes both).
func parseListPage(q url.Values) (paging.Request, error) {
	_, page := q["page"]
	_, size := q["page_size"]
	_, cursor := q["cursor"]
	_, limit := q["limit"]
	if (page || size) && !cursor && !limit {
		return httpapi.ParsePage(q)
	}
	if !cursor && !limit {
		q = url.Values{"limit": {strconv.Itoa(paging.DefaultSize)}}
	}
	return httpapi.ParsePage(q)
}

// PostFilter selects live posts.
type PostFilter struct {
	Lang, Tag, Category string
}

func (f PostFilter) canonical() string {
	return "l=" + f.Lang + "|t=" + f.Tag + "|c=" + f.Category
}

// ParsePosts reads GET /posts' query.
func ParsePosts(q url.Values) (PostFilter, paging.Request, error) {
	fe := apperr.FieldErrors{}
	f := PostFilter{Lang: parseLang(q, fe, false), Tag: parseSlugParam(q, fe, "tag"), Category: parseSlugParam(q, fe, "category")}
	if err := fe.Err(); err != nil {
		return f, paging.Request{}, err
	}
	pr, err := parseListPage(q)
	return f, pr, err
}

// ProjectFilter selects published projects.
type ProjectFilter struct {
	Lang, Tag string
	Featured  *bool
}

func (f ProjectFilter) canonical() string {
	feat := ""
	if f.Featured != nil {
		feat = strconv.FormatBool(*f.Featured)
	}
	return "l=" + f.Lang + "|t=" + f.Tag + "|f=" + feat
}

// ParseProjects reads GET /projects' query.
func ParseProjects(q url.Values) (ProjectFilter, paging.Request, error) {
	fe := apperr.FieldErrors{}
	f := ProjectFilter{Lang: parseLang(q, fe, false), Tag: parseSlugParam(q, fe, "tag")}
	if v := q.Get("featured"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, paging.Request{}, apperr.New(apperr.InvalidJSON, "featured must be true or false")
		}
		f.Featured = &b
	}
	if err := fe.Err(); err != nil {
		return f, paging.Request{}, err
	}
	pr, err := parseListPage(q)
	return f, pr, err
}

// ParseLangOnly reads ?lang= (optional) and nothing else.
func ParseLangOnly(q url.Values) (string, error) {
	fe := apperr.FieldErrors{}
	l := parseLang(q, fe, false)
	return l, fe.Err()
}

// ParseFeedLang reads a feed's ?lang= (fa when absent).
func ParseFeedLang(q url.Values) (string, error) {
	fe := apperr.FieldErrors{}
	l := parseLang(q, fe, false)
	if l == "" {
		l = string(content.Fa)
	}
	return l, fe.Err()
}

// SearchRequest is GET /search's query.
type SearchRequest struct {
	Q     string
	Lang  string
	Limit int
}

// MaxSearchLimit bounds a search's results.
const MaxSearchLimit = 50

// ParseSearch reads GET /search's query.
func ParseSearch(q url.Values) (SearchRequest, error) {
	fe := apperr.FieldErrors{}
	r := SearchRequest{Q: strings.TrimSpace(q.Get("q")), Lang: parseLang(q, fe, false), Limit: 10}
	switch n := len([]rune(r.Q)); {
	case n == 0:
		fe.Add("q", "is required")
	case n > 200:
		fe.Add("q", "must be at most 200 characters")
	}
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil && !strings.Contains(err.Error(), "range") {
			return r, apperr.New(apperr.InvalidJSON, "limit must be a whole number")
		}
		if err != nil || n < 1 || n > MaxSearchLimit {
			fe.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxSearchLimit))
		} else {
			r.Limit = n
		}
	}
	return r, fe.Err()
}

// ParseWidth reads the media route's ?w= (0: the file itself).
func ParseWidth(q url.Values) (int, error) {
	v := q.Get("w")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, apperr.New(apperr.InvalidJSON, "w must be a whole number of pixels")
	}
	if err != nil || n < 1 || n > 10000 {
		return 0, apperr.Validation(map[string]string{"w": "must be between 1 and 10000 pixels"})
	}
	return n, nil
}

// ParseSitemapPage reads /sitemap.xml's ?page= (0: the sitemap itself,
// or its index when it has several pages).
func ParseSitemapPage(q url.Values) (int, error) {
	v := q.Get("page")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, apperr.New(apperr.InvalidJSON, "page must be a whole number")
	}
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, apperr.Validation(map[string]string{"page": "must be between 1 and 1000000"})
	}
	return n, nil
}

var (
	langParam    = httpapi.Param{Name: "lang", Enum: content.Lang("").EnumValues(), Description: "a language; every language when absent"}
	cursorParams = []httpapi.Param{{Name: "limit", Type: "integer", Description: "1 to 100, default 20 (cursor mode, the default)"},
		{Name: "cursor", Description: "next_cursor of the previous page"},
		{Name: "page", Type: "integer", Description: "page mode instead: from 1 (answers the page envelope)"},
		{Name: "page_size", Type: "integer", Description: "page mode: 1 to 100, default 20"}}
	postsQuery    = append([]httpapi.Param{langParam, {Name: "tag", Description: "a tag's slug"}, {Name: "category", Description: "a category's slug"}}, cursorParams...)
	projectsQuery = append([]httpapi.Param{langParam, {Name: "tag", Description: "a tag's slug"}, {Name: "featured", Type: "boolean"}}, cursorParams...)
	slugQuery     = []httpapi.Param{{Name: "lang", Enum: content.Lang("").EnumValues(), Description: "the slug's language; when absent any language, Persian first"}}
	langQuery     = []httpapi.Param{langParam}
	feedQuery     = []httpapi.Param{{Name: "lang", Enum: content.Lang("").EnumValues(), Description: "the feed's language, fa by default"}}
	searchQuery   = []httpapi.Param{{Name: "q", Description: "what to look for (required)"}, langParam,
		{Name: "limit", Type: "integer", Description: fmt.Sprintf("1 to %d, default 10", MaxSearchLimit)}}
	mediaQuery = []httpapi.Param{{Name: "w", Type: "integer", Description: "a width in pixels: the smallest thumbnail at least this wide, else the file"}}
)

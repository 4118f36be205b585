package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// PageQuery documents the pagination parameters every list accepts.
var PageQuery = []Param{
	{Name: "page", Type: "integer", Description: "page number, from 1 (page mode)"},
	{Name: "page_size", Type: "integer", Description: "1 to 100, default 20 (page mode)"},
	{Name: "cursor", Description: "next_cursor of the previous page (cursor mode)"},
	{Name: "limit", Type: "integer", Description: "1 to 100, default 20 (cursor mode)"},
}

// wholeNumber reads a query value as an integer. A value that is not a
// whole number at all is INVALID_JSON (the contract's "cannot be parsed");
// one too big for an int64 parses as ok but out of range, for the caller
// to refuse as VALIDATION_FAILED like any other out-of-range value.
func wholeNumber(name, v string) (n int64, inRange bool, err error) {
	n, err = strconv.ParseInt(v, 10, 64)
	var ne *strconv.NumError
	if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, apperr.New(apperr.InvalidJSON, "%s must be a whole number", name)
	}
	return n, true, nil
}

// ParsePage reads page/page_size or cursor/limit. Cursor mode is chosen
// when cursor or limit is present. Out-of-range values are refused, a page
// deeper than paging.MaxOffset rows included (422 naming page).
func ParsePage(q url.Values) (paging.Request, error) {
	fe := apperr.FieldErrors{}
	pr := paging.Request{Page: 1, PageSize: paging.DefaultSize, Limit: paging.DefaultSize}
	_, hasCursor := q["cursor"]
	_, hasLimit := q["limit"]
	if hasCursor || hasLimit {
		pr.CursorMode = true
		if hasLimit {
			n, ok, err := wholeNumber("limit", q.Get("limit"))
			if err != nil {
				return pr, err
			}
			if !ok || n < 1 || n > paging.MaxSize {
				fe.Add("limit", "must be between 1 and 100")
			} else {
				pr.Limit = int(n)
			}
		}
		pr.Cursor = q.Get("cursor")
		if hasCursor && pr.Cursor == "" {
			return pr, apperr.New(apperr.InvalidJSON, "cursor is empty")
		}
		if _, ok := q["page"]; ok {
			fe.Add("page", "cannot be combined with cursor or limit")
		}
		return pr, fe.Err()
	}
	var page int64 = 1
	if v, ok := q["page"]; ok {
		n, ok, err := wholeNumber("page", v[0])
		if err != nil {
			return pr, err
		}
		switch {
		case !ok:
			fe.Add("page", pageTooDeep())
		case n < 1:
			fe.Add("page", "must be at least 1")
		default:
			page = n
		}
	}
	if v, ok := q["page_size"]; ok {
		n, ok, err := wholeNumber("page_size", v[0])
		if err != nil {
			return pr, err
		}
		if !ok || n < 1 || n > paging.MaxSize {
			fe.Add("page_size", "must be between 1 and 100")
		} else {
			pr.PageSize = int(n)
		}
	}
	// (page-1) × page_size > paging.MaxOffset, without the multiplication
	// that would overflow
	if page-1 > paging.MaxOffset/int64(pr.PageSize) {
		fe.Add("page", pageTooDeep())
	}
	if err := fe.Err(); err != nil {
		return pr, err
	}
	pr.Page = int(page)
	return pr, nil
}

func pageTooDeep() string {
	return fmt.Sprintf("is too deep: page mode skips at most %d rows (page × page_size); use cursor mode to read further", paging.MaxOffset)
}

// QueryID reads the optional id filter name (0 when absent). A value that
// is not a whole number is INVALID_JSON; a whole number that is no id
// (below 1, or 2^53 and above) is VALIDATION_FAILED naming the parameter.
func QueryID(q url.Values, name string) (int64, error) {
	v, ok := q[name]
	if !ok {
		return 0, nil
	}
	n, inRange, err := wholeNumber(name, v[0])
	if err != nil {
		return 0, err
	}
	if !inRange || n < 1 || n >= 1<<53 {
		return 0, apperr.Validation(map[string]string{name: "must be a positive id below 2^53"})
	}
	return n, nil
}

// List is the handler of a cached list route: it reads the page request
// and the list's filter from the query (refusing a bad one before list
// runs) and answers list's encoded envelope with its Cache-Status.
func List[F any, S interface{ Header() string }](parse func(url.Values) (F, error),
	list func(context.Context, F, paging.Request) ([]byte, S, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		pr, err := ParsePage(q)
		if err != nil {
			return err
		}
		f, err := parse(q)
		if err != nil {
			return err
		}
		body, st, err := list(r.Context(), f, pr)
		if err != nil {
			return err
		}
		WriteCached(w, r, body, st.Header())
		return nil
	}
}

// NoFilter is the filter parser of a list that takes none.
func NoFilter(url.Values) (struct{}, error) { return struct{}{}, nil }

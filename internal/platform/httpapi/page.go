package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// Page limits of the contract.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxPageOffset is the most rows page mode skips: (page-1) × page_size
	// beyond it is refused (422 naming page). It keeps the offset far
	// inside int64 and what both engines accept; deeper reading is what
	// cursor mode is for.
	MaxPageOffset = 100_000_000
)

// PageQuery documents the pagination parameters every list accepts.
var PageQuery = []Param{
	{Name: "page", Type: "integer", Description: "page number, from 1 (page mode)"},
	{Name: "page_size", Type: "integer", Description: "1 to 100, default 20 (page mode)"},
	{Name: "cursor", Description: "next_cursor of the previous page (cursor mode)"},
	{Name: "limit", Type: "integer", Description: "1 to 100, default 20 (cursor mode)"},
}

// PageRequest is a list request in page mode or cursor (keyset) mode.
type PageRequest struct {
	CursorMode bool
	Page       int
	PageSize   int
	Limit      int
	// Cursor is the raw opaque cursor; decode it with a CursorCodec.
	Cursor string
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
// deeper than MaxPageOffset rows included (422 naming page).
func ParsePage(q url.Values) (PageRequest, error) {
	fe := apperr.FieldErrors{}
	pr := PageRequest{Page: 1, PageSize: DefaultPageSize, Limit: DefaultPageSize}
	_, hasCursor := q["cursor"]
	_, hasLimit := q["limit"]
	if hasCursor || hasLimit {
		pr.CursorMode = true
		if hasLimit {
			n, ok, err := wholeNumber("limit", q.Get("limit"))
			if err != nil {
				return pr, err
			}
			if !ok || n < 1 || n > MaxPageSize {
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
		if !ok || n < 1 || n > MaxPageSize {
			fe.Add("page_size", "must be between 1 and 100")
		} else {
			pr.PageSize = int(n)
		}
	}
	// (page-1) × page_size > MaxPageOffset, without the multiplication
	// that would overflow
	if page-1 > MaxPageOffset/int64(pr.PageSize) {
		fe.Add("page", pageTooDeep())
	}
	if err := fe.Err(); err != nil {
		return pr, err
	}
	pr.Page = int(page)
	return pr, nil
}

func pageTooDeep() string {
	return fmt.Sprintf("is too deep: page mode skips at most %d rows (page × page_size); use cursor mode to read further", MaxPageOffset)
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

// PageResponse is the page-mode list envelope.
type PageResponse[T any] struct {
	Items      []T   `json:"items"`
	Page       int   `json:"page"`
	PageSize   int   `json:"page_size"`
	Total      int64 `json:"total"`
	TotalPages int64 `json:"total_pages"`
}

// NewPageResponse fills the totals.
func NewPageResponse[T any](items []T, pr PageRequest, total int64) PageResponse[T] {
	if items == nil {
		items = []T{}
	}
	pages := (total + int64(pr.PageSize) - 1) / int64(pr.PageSize)
	return PageResponse[T]{Items: items, Page: pr.Page, PageSize: pr.PageSize, Total: total, TotalPages: pages}
}

// CursorResponse is the cursor-mode list envelope.
type CursorResponse[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Limit      int     `json:"limit"`
}

// CursorCodec signs cursors with a server secret and binds each to the
// filters and sort it was made for, so a tampered cursor or one reused with
// other filters is refused.
type CursorCodec struct{ Key []byte }

// Encode returns an opaque cursor for position under binding.
func (c CursorCodec) Encode(binding string, position any) string {
	payload, _ := json.Marshal(position)
	mac := c.mac(binding, payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(mac[:16])
}

// Decode verifies cursor against binding and unmarshals its position.
func (c CursorCodec) Decode(binding, cursor string, position any) error {
	bad := apperr.New(apperr.InvalidJSON, "the cursor is invalid or was made for other filters or sort")
	p, m, ok := strings.Cut(cursor, ".")
	if !ok || len(cursor) > 512 {
		return bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil {
		return bad
	}
	want := c.mac(binding, payload)
	if !hmac.Equal(mac, want[:16]) {
		return bad
	}
	if err := json.Unmarshal(payload, position); err != nil {
		return bad
	}
	return nil
}

func (c CursorCodec) mac(binding string, payload []byte) []byte {
	h := hmac.New(sha256.New, c.Key)
	h.Write([]byte(binding))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)
}

// NewestFirst answers a list request, in either mode, over rows ordered by
// an integer id column descending (newest first). query runs the list's
// SELECT with tail appended to its WHERE clause and tailArgs after its own
// arguments; count counts the whole list; after is the id the request's
// cursor points past (0 for the first page), decoded with codec under
// binding, the same pair Encode uses for the next cursor.
func NewestFirst[T any](pr PageRequest, codec CursorCodec, binding string, after int64, idCol string,
	query func(tail string, tailArgs ...any) ([]T, error), count func() (int64, error), idOf func(T) int64) ([]byte, error) {
	if pr.CursorMode {
		tail, args := ` ORDER BY `+idCol+` DESC LIMIT ?`, []any{pr.Limit + 1}
		if after > 0 {
			tail, args = ` AND `+idCol+` < ? ORDER BY `+idCol+` DESC LIMIT ?`, []any{after, pr.Limit + 1}
		}
		items, err := query(tail, args...)
		if err != nil {
			return nil, err
		}
		var next *string
		if len(items) > pr.Limit {
			items = items[:pr.Limit]
			c := codec.Encode(binding, idOf(items[len(items)-1]))
			next = &c
		}
		if items == nil {
			items = []T{}
		}
		return json.Marshal(CursorResponse[T]{Items: items, NextCursor: next, Limit: pr.Limit})
	}
	total, err := count()
	if err != nil {
		return nil, err
	}
	items, err := query(` ORDER BY `+idCol+` DESC LIMIT ? OFFSET ?`, pr.PageSize, (pr.Page-1)*pr.PageSize)
	if err != nil {
		return nil, err
	}
	return json.Marshal(NewPageResponse(items, pr, total))
}

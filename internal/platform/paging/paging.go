// Package paging is the contract's list paging, free of any transport: a
// list request in page or cursor mode, the two list envelopes, and signed
// cursors bound to the filters and sort they were made for. Handlers read
// a Request from the query (httpapi.ParsePage); services and stores take
// it and answer an envelope.
package paging

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// Limits of the contract.
const (
	DefaultSize = 20
	MaxSize     = 100
	// MaxOffset is the most rows page mode skips: (page-1) × page_size
	// beyond it is refused (422 naming page). It keeps the offset far
	// inside int64 and what both engines accept; deeper reading is what
	// cursor mode is for.
	MaxOffset = 100_000_000
)

// Request is a list request in page mode or cursor (keyset) mode.
type Request struct {
	CursorMode bool
	Page       int
	PageSize   int
	Limit      int
	// Cursor is the raw opaque cursor; decode it with a CursorCodec.
	Cursor string
}

// Offset is the number of rows page mode skips.
func (r Request) Offset() int { return (r.Page - 1) * r.PageSize }

// Page is the page-mode list envelope.
type Page[T any] struct {
	Items      []T   `json:"items"`
	Page       int   `json:"page"`
	PageSize   int   `json:"page_size"`
	Total      int64 `json:"total"`
	TotalPages int64 `json:"total_pages"`
}

// NewPage fills the totals.
func NewPage[T any](items []T, r Request, total int64) Page[T] {
	if items == nil {
		items = []T{}
	}
	pages := (total + int64(r.PageSize) - 1) / int64(r.PageSize)
	return Page[T]{Items: items, Page: r.Page, PageSize: r.PageSize, Total: total, TotalPages: pages}
}

// CursorPage is the cursor-mode list envelope.
type CursorPage[T any] struct {
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

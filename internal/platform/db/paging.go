package db

import (
	"encoding/json"

	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// NewestFirst answers a list request, in either mode, over rows ordered by
// an integer id column descending (newest first), as the encoded envelope.
// query runs the list's SELECT with tail appended to its WHERE clause and
// tailArgs after its own arguments; count counts the whole list; after is
// the id the request's cursor points past (0 for the first page), decoded
// with codec under binding, the same pair Encode uses for the next cursor.
func NewestFirst[T any](pr paging.Request, codec paging.CursorCodec, binding string, after int64, idCol string,
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
		return json.Marshal(paging.CursorPage[T]{Items: items, NextCursor: next, Limit: pr.Limit})
	}
	total, err := count()
	if err != nil {
		return nil, err
	}
	items, err := query(` ORDER BY `+idCol+` DESC LIMIT ? OFFSET ?`, pr.PageSize, pr.Offset())
	if err != nil {
		return nil, err
	}
	return json.Marshal(paging.NewPage(items, pr, total))
}

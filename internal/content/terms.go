package content

import (
	"context"
	"slices"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// The kinds of content_terms.
const (
	TermTag      = "tag"
	TermCategory = "category"
)

// EnsureTerms returns the ids of the terms of kind named names in lang,
// creating those that do not exist (one term per slug: "Go" and "go" are
// one tag), in the order of names, each once. Posts and projects share the
// terms of a language.
func EnsureTerms(ctx context.Context, tx *db.Tx, kind string, lang Lang, names []string) ([]int64, error) {
	var ids []int64
	for _, name := range names {
		slug := search.Slugify(name)
		if _, err := tx.Exec(ctx, `INSERT INTO content_terms (kind, lang, slug, name) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind, lang, slug) DO NOTHING`, kind, string(lang), slug, strings.TrimSpace(name)); err != nil {
			return nil, err
		}
		var id int64
		if err := db.Scan(tx.QueryRow(ctx, `SELECT id FROM content_terms WHERE kind = ? AND lang = ? AND slug = ?`,
			kind, string(lang), slug), &id); err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

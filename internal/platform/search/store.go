package search

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// putPostgres upserts the document and adds its new terms to the
// vocabulary near misses are corrected against. title, tags and body are
// indexTerms output: letters, digits and spaces only.
func putPostgres(ctx context.Context, tx *db.Tx, d Doc, title, tags, body string) error {
	_, err := tx.Exec(ctx, `INSERT INTO search_documents (kind, id, scope, lang, slug, title, body, title_terms, terms)
		VALUES (?, ?, ?, ?, ?, ?, ?, to_tsvector('simple', ?),
			setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'C'))
		ON CONFLICT (kind, id, scope) DO UPDATE SET lang = excluded.lang, slug = excluded.slug, title = excluded.title,
			body = excluded.body, title_terms = excluded.title_terms, terms = excluded.terms`,
		d.Kind, d.ID, string(d.Scope), d.Lang, d.Slug, d.Title, d.Body, title, title, tags, body)
	if err != nil {
		return err
	}
	words := vocabulary(title, tags, body)
	if len(words) == 0 {
		return nil
	}
	// sorted, so that concurrent writers take the words' locks in one order
	// (no deadlock between two documents sharing new words)
	_, err = tx.Exec(ctx, `INSERT INTO search_words (word)
		SELECT w FROM unnest(string_to_array(?, ' ')) AS w ORDER BY w ON CONFLICT DO NOTHING`, strings.Join(words, " "))
	return err
}

// vocabulary lists the distinct terms of the texts, sorted.
func vocabulary(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for _, w := range strings.Fields(t) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	sort.Strings(out)
	return out
}

// putSQLite upserts the document's row (keeping its doc_id) and replaces
// its terms in the FTS5 table keyed by that doc_id.
func putSQLite(ctx context.Context, tx *db.Tx, d Doc, title, tags, body string) error {
	var docID int64
	err := tx.QueryRow(ctx, `INSERT INTO search_docs (kind, id, scope, lang, slug, title, body) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, id, scope) DO UPDATE SET lang = excluded.lang, slug = excluded.slug, title = excluded.title,
			body = excluded.body
		RETURNING doc_id`, d.Kind, d.ID, string(d.Scope), d.Lang, d.Slug, d.Title, d.Body).Scan(&docID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM search_fts WHERE rowid = ?`, docID); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO search_fts (rowid, title, tags, body) VALUES (?, ?, ?, ?)`, docID, title, tags, body)
	return err
}

func removeSQLite(ctx context.Context, tx *db.Tx, kind string, id int64, scope Scope) error {
	var docID int64
	err := tx.QueryRow(ctx, `DELETE FROM search_docs WHERE kind = ? AND id = ? AND scope = ? RETURNING doc_id`,
		kind, id, string(scope)).Scan(&docID)
	if errors.Is(err, db.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM search_fts WHERE rowid = ?`, docID)
	return err
}

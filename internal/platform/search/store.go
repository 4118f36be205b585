package search

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// putPostgres upserts the document and adds its new terms to the
// vocabulary near misses are corrected against. title, tags and body are
// indexTerms output: letters, digits and spaces only.
func putPostgres(ctx context.Context, tx *db.Tx, d Doc, title, tags, body string) error {
	// one statement, one round trip: the document, then its words, sorted
	// so that concurrent writers take the words' locks in one order (no
	// deadlock between two documents sharing new words)
	_, err := tx.Exec(ctx, `WITH doc AS (
			INSERT INTO search_documents (kind, id, scope, lang, slug, title, body, title_terms, lead_terms, terms)
			SELECT ?, ?, ?, ?, ?, ?, ?, t, setweight(t, 'A') || g || setweight(to_tsvector('simple', ?), 'C'),
				setweight(t, 'A') || g || setweight(to_tsvector('simple', ?), 'C')
			FROM to_tsvector('simple', ?) t, setweight(to_tsvector('simple', ?), 'B') g
			ON CONFLICT (kind, id, scope) DO UPDATE SET lang = excluded.lang, slug = excluded.slug, title = excluded.title,
				body = excluded.body, title_terms = excluded.title_terms, lead_terms = excluded.lead_terms, terms = excluded.terms)
		INSERT INTO search_words (word, len)
		SELECT w, length(w) FROM unnest(string_to_array(?, ' ')) AS w ORDER BY w ON CONFLICT DO NOTHING`,
		d.Kind, d.ID, string(d.Scope), d.Lang, d.Slug, d.Title, d.Body, leading(body, leadTerms), body, title, tags,
		strings.Join(vocabulary(title, tags, body), " "))
	return err
}

// leadTerms is how many of the body's first terms rank a PostgreSQL match
// (see migration 0009_search): about a paragraph.
const leadTerms = 64

// leading is the first n space-separated terms of terms.
func leading(terms string, n int) string {
	i := 0
	for k := range len(terms) {
		if terms[k] == ' ' {
			i++
			if i == n {
				return terms[:k]
			}
		}
	}
	return terms
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
	_, err = tx.Exec(ctx, `INSERT INTO search_fts (rowid, title, tags, body, facets) VALUES (?, ?, ?, ?, ?)`,
		docID, title, tags, body, facet("scope", string(d.Scope))+" "+facet("lang", d.Lang)+" "+facet("kind", d.Kind))
	if err != nil {
		return err
	}
	words := vocabulary(title, tags, body)
	if len(words) == 0 {
		return nil
	}
	list, err := json.Marshal(words)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO search_words (word, len) SELECT value, length(value) FROM json_each(?) WHERE true
		ON CONFLICT DO NOTHING`, string(list))
	return err
}

// facet is the FTS5 token standing for one filter value: the filter's name
// and the value in hex, letters and digits only (one token to unicode61),
// and one value to one token. User terms never reach the facets column:
// fts5Match confines them to title, tags and body.
func facet(name, value string) string {
	return name + hex.EncodeToString([]byte(value))
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

package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// MaxLimit is the most hits one Search answers.
const MaxLimit = 100

// MaxMatchIDs is the most ids one MatchIDs answers.
const MaxMatchIDs = 10000

// Index reads and writes the search index of one database (migration
// 0009_search). Writes happen in the caller's transaction; reads on the
// pool.
type Index struct {
	d *db.DB
}

// New returns the index of d.
func New(d *db.DB) *Index { return &Index{d: d} }

// ErrBadScope is a programming error: a Doc or Query whose Scope is
// neither Public nor Panel.
var ErrBadScope = errors.New("search: scope must be public or panel")

func checkScope(s Scope) error {
	if s != Public && s != Panel {
		return fmt.Errorf("%w (got %q)", ErrBadScope, s)
	}
	return nil
}

// Put writes d into the index in tx, replacing the document with the same
// (Kind, ID, Scope); it is in the index exactly when tx commits.
func (ix *Index) Put(ctx context.Context, tx *db.Tx, d Doc) error {
	if err := checkScope(d.Scope); err != nil {
		return err
	}
	if d.Kind == "" {
		return errors.New("search: a document needs a kind")
	}
	// PostgreSQL text holds no NUL and only valid UTF-8: the stored copies
	// are cleaned the same way on both engines
	d.Title, d.Body, d.Slug = storable(d.Title), storable(d.Body), storable(d.Slug)
	title, tags, body := indexTerms(d.Title), indexTerms(strings.Join(d.Tags, "\n")), indexTerms(d.Body)
	if tx.Engine() == db.Postgres {
		return putPostgres(ctx, tx, d, title, tags, body)
	}
	return putSQLite(ctx, tx, d, title, tags, body)
}

// Remove takes the document (kind, id, scope) out of the index in tx, with
// its embedding (PutVector); a document not in it is no error.
func (ix *Index) Remove(ctx context.Context, tx *db.Tx, kind string, id int64, scope Scope) error {
	if err := ix.RemoveVector(ctx, tx, kind, id, scope); err != nil {
		return err
	}
	if tx.Engine() == db.Postgres {
		_, err := tx.Exec(ctx, `DELETE FROM search_documents WHERE kind = ? AND id = ? AND scope = ?`, kind, id, string(scope))
		return err
	}
	return removeSQLite(ctx, tx, kind, id, scope)
}

// Rebuild replaces the whole index, in one transaction of d, with the
// documents source yields (every scope: source yields each item's public
// and panel documents alike). A failing source or write leaves the old
// index as it was. Embeddings (PutVector) of documents source still
// yields are kept; the others go. It answers how many documents it wrote.
func Rebuild(ctx context.Context, d *db.DB, source func(yield func(Doc) error) error) (int, error) {
	ix := New(d)
	n := 0
	err := d.InTx(ctx, func(tx *db.Tx) error {
		stmts := []string{`DELETE FROM search_docs`, `INSERT INTO search_fts (search_fts) VALUES ('delete-all')`,
			`DELETE FROM search_words`}
		if d.Engine == db.Postgres {
			stmts = []string{`DELETE FROM search_documents`, `DELETE FROM search_words`}
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		if err := source(func(doc Doc) error {
			n++
			return ix.Put(ctx, tx, doc)
		}); err != nil {
			return err
		}
		docs := "search_docs"
		if d.Engine == db.Postgres {
			docs = "search_documents"
		}
		_, err := tx.Exec(ctx, `DELETE FROM search_vectors WHERE NOT EXISTS (SELECT 1 FROM `+docs+` d
			WHERE d.kind = search_vectors.kind AND d.id = search_vectors.id AND d.scope = search_vectors.scope)`)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// validate checks q's limit (1..max) and scope.
func validate(q Query, limit, max int) error {
	if err := checkScope(q.Scope); err != nil {
		return err
	}
	if limit < 1 || limit > max {
		return apperr.Validation(map[string]string{"limit": fmt.Sprintf("must be between 1 and %d", max)})
	}
	return nil
}

// filterable reports whether q's Lang and Kinds can equal a stored value
// (no stored value holds a NUL or invalid UTF-8, which PostgreSQL would
// refuse to compare): a query that fails it finds nothing.
func filterable(q Query) bool {
	for _, s := range append([]string{q.Lang}, q.Kinds...) {
		if storable(s) != s {
			return false
		}
	}
	return true
}

// Search answers the documents of q.Scope matching every word of q.Text
// (any of q.Kinds, in q.Lang when set), best first, at most q.Limit
// (1..MaxLimit, else VALIDATION_FAILED naming "limit"). Words are folded
// with Normalize; the last one also matches as a prefix unless the text
// ends in a space. When no document matches, words are corrected to the
// nearest indexed words (one or two letters off) and searched again.
// Text with no letters or digits finds nothing. Scores are comparable
// within one answer only.
func (ix *Index) Search(ctx context.Context, q Query) ([]Hit, error) {
	if err := validate(q, q.Limit, MaxLimit); err != nil {
		return nil, err
	}
	groups := parseQuery(q.Text)
	if len(groups) == 0 || !filterable(q) {
		return nil, nil
	}
	rows, err := ix.matchFuzzy(ctx, q, groups, q.Limit, true)
	if err != nil {
		return nil, err
	}
	h := newHighlighter(groups)
	hits := make([]Hit, len(rows))
	for i, r := range rows {
		hits[i] = Hit{Kind: r.kind, ID: r.id, Slug: r.slug, Title: r.title, Lang: r.lang, Score: r.score, SnippetHTML: h.snippet(r.body)}
	}
	return hits, nil
}

// MatchIDs answers the ids of the documents Search would find for q (its
// Limit ignored), best first, at most max (1..MaxMatchIDs), for filtering
// a list with id IN (…). With several Kinds, ids of different kinds are
// mixed: pass one kind.
func (ix *Index) MatchIDs(ctx context.Context, q Query, max int) ([]int64, error) {
	if err := validate(q, max, MaxMatchIDs); err != nil {
		return nil, err
	}
	groups := parseQuery(q.Text)
	if len(groups) == 0 || !filterable(q) {
		return nil, nil
	}
	rows, err := ix.matchFuzzy(ctx, q, groups, max, false)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	return ids, nil
}

type row struct {
	kind, slug, title, body, lang string
	id                            int64
	score                         float64
}

// matchFuzzy runs the query, and when it finds nothing, runs it again with
// each term that no document holds widened to its near misses.
func (ix *Index) matchFuzzy(ctx context.Context, q Query, groups []group, limit int, full bool) ([]row, error) {
	rows, err := ix.match(ctx, q, groups, limit, full)
	if err != nil || len(rows) > 0 {
		return rows, err
	}
	widened, changed, err := ix.widen(ctx, groups)
	if err != nil || !changed {
		return nil, err
	}
	return ix.match(ctx, q, widened, limit, full)
}

func (ix *Index) match(ctx context.Context, q Query, groups []group, limit int, full bool) ([]row, error) {
	cols := "d.kind, d.id, '', '', '', ''"
	if full {
		cols = "d.kind, d.id, d.slug, d.title, d.body, d.lang"
	}
	var query string
	var args []any
	if ix.d.Engine == db.Postgres {
		var where strings.Builder
		if q.Lang != "" {
			where.WriteString(" AND d.lang = ?")
			args = append(args, q.Lang)
		}
		if len(q.Kinds) > 0 {
			where.WriteString(" AND d.kind IN (?" + strings.Repeat(", ?", len(q.Kinds)-1) + ")")
			for _, k := range q.Kinds {
				args = append(args, k)
			}
		}
		// title matches first (title_terms), then cover density over the
		// weighted title, tags and the body's lead (lead_terms), scaled
		// into [0, 1) (normalization 32); the whole body's terms are only
		// matched, never read for ranking (see migration 0009_search)
		query = `SELECT ` + cols + `, (CASE WHEN d.title_terms @@ q THEN 1 ELSE 0 END) + ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', d.lead_terms, q, 32)::float8
			FROM search_documents d, to_tsquery('simple', ?) q
			WHERE d.terms @@ q AND d.scope = ?` + where.String() + `
			ORDER BY 7 DESC, d.id DESC LIMIT ?`
		args = append([]any{tsQuery(groups, q.Any), string(q.Scope)}, args...)
	} else {
		// the filters are facet tokens: FTS5 ranks (bm25 weights: title 10,
		// tags 4, body 1; lower is better) and limits the matches itself,
		// and only the answered rows are joined
		match := fts5Match(groups, q.Any) + " AND {facets} : " + facet("scope", string(q.Scope))
		if q.Lang != "" {
			match += " AND {facets} : " + facet("lang", q.Lang)
		}
		if len(q.Kinds) > 0 {
			match += " AND {facets} : ("
			for i, k := range q.Kinds {
				if i > 0 {
					match += " OR "
				}
				match += facet("kind", k)
			}
			match += ")"
		}
		query = `SELECT ` + cols + `, -f.rank
			FROM (SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ? AND rank MATCH 'bm25(10.0, 4.0, 1.0, 0.0)'
				ORDER BY rank LIMIT ?) f
			JOIN search_docs d ON d.doc_id = f.rowid
			ORDER BY f.rank, d.id DESC`
		args = []any{match}
	}
	args = append(args, limit)
	rs, err := ix.d.Reader().Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.kind, &r.id, &r.slug, &r.title, &r.body, &r.lang, &r.score); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// maxCorrections is how many near misses one unknown term widens to.
const maxCorrections = 3

// widen replaces each one-term alternative whose term no document holds
// (prefix terms included: a prefix no term starts with) with the term and
// its nearest indexed words: at most maxCorrections, each within
// editLimit of it. changed is false when there was nothing to widen.
func (ix *Index) widen(ctx context.Context, groups []group) (out []group, changed bool, err error) {
	out = make([]group, len(groups))
	for i, g := range groups {
		ng := group{prefix: g.prefix}
		for _, a := range g.alts {
			ng.alts = append(ng.alts, a)
			if len(a) != 1 {
				continue
			}
			near, err := ix.nearWords(ctx, a[0])
			if err != nil {
				return nil, false, err
			}
			for _, w := range near {
				ng.alts = append(ng.alts, []string{w})
				changed = true
			}
		}
		out[i] = ng
	}
	return out, changed, nil
}

// editLimit is how many letters a correction of a term of n letters may
// differ by: none below 4 letters (too many short words are a letter
// apart), one up to 7, then two.
func editLimit(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// nearWords answers indexed words within editLimit of term, nearest
// first; none when term itself is indexed.
func (ix *Index) nearWords(ctx context.Context, term string) ([]string, error) {
	tr := []rune(term)
	limit := editLimit(len(tr))
	if limit == 0 {
		return nil, nil
	}
	// the candidates: the vocabulary's words of about the term's length
	// that start with its first letter, or with its second and third (an
	// extra letter typed first); a typo in the first letter itself is not
	// corrected. PostgreSQL keeps those sharing enough trigrams with the
	// term (pg_trgm's similarity at its default threshold, 0.3).
	lens := "?" + strings.Repeat(", ?", 2*limit)
	keep := ""
	if ix.d.Engine == db.Postgres {
		keep = " AND similarity(word, ?) >= 0.3"
	}
	var candidates []string
	for _, lead := range []string{string(tr[0]), string(tr[1:3])} {
		args := []any{lead, lead + "\U0010FFFF"}
		for n := len(tr) - limit; n <= len(tr)+limit; n++ {
			args = append(args, n)
		}
		if keep != "" {
			args = append(args, term)
		}
		rs, err := ix.d.Reader().Query(ctx, `SELECT word FROM search_words WHERE word >= ? AND word < ?
			AND len IN (`+lens+`)`+keep+` LIMIT 5000`, args...)
		if err != nil {
			return nil, err
		}
		found, err := scanStrings(rs)
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, found...)
	}
	type scored struct {
		word string
		dist int
	}
	var near []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		if c == term {
			return nil, nil
		}
		if d := editDistance(tr, []rune(c), limit); d <= limit {
			near = append(near, scored{c, d})
		}
	}
	sort.SliceStable(near, func(i, j int) bool { return near[i].dist < near[j].dist })
	var out []string
	for _, s := range near[:min(len(near), maxCorrections)] {
		out = append(out, s.word)
	}
	return out, nil
}

func scanStrings(rs *sql.Rows) ([]string, error) {
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rs.Err()
}

// editDistance is the Levenshtein distance of a and b, or limit+1 when it
// is over limit.
func editDistance(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

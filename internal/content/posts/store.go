package posts

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// ErrNotFound means no such post (or revision).
var ErrNotFound = errors.New("post not found")

// Store is the posts' data access. Every query is written once and runs on
// both engines.
type Store struct{ DB *db.DB }

const summaryCols = `p.id, p.title, p.slug, p.lang, p.excerpt, p.cover_media_id, p.status, p.publish_at, p.unpublish_at,
	p.published_at, p.seo_title, p.seo_description, p.canonical_url, p.og_image_media_id, p.translation_of,
	p.revision, l.revision, p.created_at, p.updated_at`

const fromPosts = ` FROM posts p LEFT JOIN post_live l ON l.post_id = p.id`

func scanSummary(row interface{ Scan(...any) error }, extra ...any) (Summary, error) {
	var s Summary
	dest := []any{&s.ID, &s.Title, &s.Slug, &s.Lang, &s.Excerpt, &s.CoverMediaID, &s.Status,
		db.NullTime{T: &s.PublishAt}, db.NullTime{T: &s.UnpublishAt}, db.NullTime{T: &s.PublishedAt},
		&s.SEO.Title, &s.SEO.Description, &s.SEO.CanonicalURL, &s.SEO.OGImageMediaID, &s.TranslationOf,
		&s.Revision, &s.LiveRevision, db.Time{T: &s.CreatedAt}, db.Time{T: &s.UpdatedAt}}
	err := row.Scan(append(dest, extra...)...)
	if errors.Is(err, db.ErrNoRows) {
		return s, ErrNotFound
	}
	s.Tags, s.Categories, s.Authors = []string{}, []string{}, []Author{}
	return s, err
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// where renders the filter as a WHERE clause over posts p.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, "p.status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.Lang != "" {
		conds = append(conds, "p.lang = ?")
		args = append(args, string(f.Lang))
	}
	for _, t := range []struct{ kind, slug string }{{"tag", f.Tag}, {"category", f.Category}} {
		if t.slug == "" {
			continue
		}
		conds = append(conds, `p.id IN (SELECT pt.post_id FROM post_terms pt JOIN content_terms t ON t.id = pt.term_id
			WHERE t.kind = ? AND t.slug = ?)`)
		args = append(args, t.kind, t.slug)
	}
	if f.AuthorID != 0 {
		conds = append(conds, "p.id IN (SELECT pa.post_id FROM post_authors pa WHERE pa.user_id = ?)")
		args = append(args, f.AuthorID)
	}
	switch {
	case f.IDs != nil && len(f.IDs) == 0:
		conds = append(conds, "1 = 0")
	case f.IDs != nil:
		conds = append(conds, "p.id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	case f.Q != "":
		conds = append(conds, `(LOWER(p.title) LIKE ? ESCAPE '\' OR p.slug LIKE ? ESCAPE '\')`)
		args = append(args, likeEscape(f.Q), likeEscape(search.Slugify(f.Q)))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// neverPublished stands for a null published_at in its sort, so drafts
// sort before every published post ascending and after them descending.
var neverPublished = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

// sortExpr returns the sort's column expression (with its arguments) and
// direction.
func (f Filter) sortExpr() (expr string, args []any, desc bool) {
	desc = strings.HasPrefix(f.Sort, "-")
	switch strings.TrimPrefix(f.Sort, "-") {
	case "id":
		return "p.id", nil, desc
	case "created_at":
		return "p.created_at", nil, desc
	case "published_at":
		return "COALESCE(p.published_at, ?)", []any{neverPublished}, desc
	case "title":
		return "p.title", nil, desc
	default:
		return "p.updated_at", nil, desc
	}
}

func (f Filter) orderBy() (string, []any) {
	expr, args, desc := f.sortExpr()
	if desc {
		return " ORDER BY " + expr + " DESC, p.id DESC", args
	}
	return " ORDER BY " + expr + " ASC, p.id ASC", args
}

// Position is a keyset position: the sort value and id of the last row.
type Position struct {
	Time  int64  `json:"t,omitempty"` // unix microseconds, for the time sorts
	Title string `json:"s,omitempty"`
	ID    int64  `json:"id"`
}

// PositionOf returns s's keyset position under f's sort.
func (f Filter) PositionOf(s Summary) Position {
	switch strings.TrimPrefix(f.Sort, "-") {
	case "id":
		return Position{ID: s.ID}
	case "created_at":
		return Position{Time: s.CreatedAt.UnixMicro(), ID: s.ID}
	case "published_at":
		t := neverPublished
		if s.PublishedAt != nil {
			t = *s.PublishedAt
		}
		return Position{Time: t.UnixMicro(), ID: s.ID}
	case "title":
		return Position{Title: s.Title, ID: s.ID}
	default:
		return Position{Time: s.UpdatedAt.UnixMicro(), ID: s.ID}
	}
}

// Count returns how many posts match.
func (s Store) Count(ctx context.Context, f Filter) (int64, error) {
	where, args := f.where()
	var n int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM posts p`+where, args...).Scan(&n)
	return n, err
}

// ListByOffset returns one page by offset.
func (s Store) ListByOffset(ctx context.Context, f Filter, offset, limit int64) ([]Summary, error) {
	where, args := f.where()
	order, oargs := f.orderBy()
	args = append(append(args, oargs...), limit, offset)
	return s.list(ctx, `SELECT `+summaryCols+fromPosts+where+order+` LIMIT ? OFFSET ?`, args)
}

// ListAfter returns up to limit posts after pos (nil: from the start) in
// keyset order: the cost is the same at any depth.
func (s Store) ListAfter(ctx context.Context, f Filter, pos *Position, limit int) ([]Summary, error) {
	where, args := f.where()
	if pos != nil {
		expr, eargs, desc := f.sortExpr()
		op := ">"
		if desc {
			op = "<"
		}
		var cond string
		switch strings.TrimPrefix(f.Sort, "-") {
		case "id":
			cond = "p.id " + op + " ?"
			args = append(args, pos.ID)
		case "title":
			cond = "(p.title, p.id) " + op + " (?, ?)"
			args = append(args, pos.Title, pos.ID)
		default:
			cond = "(" + expr + ", p.id) " + op + " (?, ?)"
			args = append(append(args, eargs...), time.UnixMicro(pos.Time).UTC(), pos.ID)
		}
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
	}
	order, oargs := f.orderBy()
	args = append(append(args, oargs...), limit)
	return s.list(ctx, `SELECT `+summaryCols+fromPosts+where+order+` LIMIT ?`, args)
}

func (s Store) list(ctx context.Context, q string, args []any) ([]Summary, error) {
	r := s.DB.Reader()
	rows, err := r.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out := []Summary{}
	for rows.Next() {
		p, err := scanSummary(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fill(ctx, r, out)
}

// fill reads the terms and authors of posts.
func (s Store) fill(ctx context.Context, q db.Querier, posts []Summary) error {
	if len(posts) == 0 {
		return nil
	}
	at := map[int64]*Summary{}
	args := make([]any, len(posts))
	for i := range posts {
		at[posts[i].ID] = &posts[i]
		args[i] = posts[i].ID
	}
	in := "(" + placeholders(len(posts)) + ")"
	rows, err := q.Query(ctx, `SELECT pt.post_id, t.kind, t.name FROM post_terms pt JOIN content_terms t ON t.id = pt.term_id
		WHERE pt.post_id IN `+in+` ORDER BY pt.post_id, t.name, t.id`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var kind, name string
		if err := rows.Scan(&id, &kind, &name); err != nil {
			rows.Close()
			return err
		}
		if kind == "tag" {
			at[id].Tags = append(at[id].Tags, name)
		} else {
			at[id].Categories = append(at[id].Categories, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, `SELECT pa.post_id, u.id, u.name FROM post_authors pa JOIN users u ON u.id = pa.user_id
		WHERE pa.post_id IN `+in+` ORDER BY pa.post_id, pa.position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a Author
		if err := rows.Scan(&id, &a.ID, &a.Name); err != nil {
			return err
		}
		at[id].Authors = append(at[id].Authors, a)
	}
	return rows.Err()
}

// Get returns a post with its body. forUpdate locks the row (PostgreSQL;
// SQLite writers are serialized already).
func (s Store) Get(ctx context.Context, q db.Querier, id int64, forUpdate bool) (Post, error) {
	query := `SELECT ` + summaryCols + `, p.body_md, p.body_html` + fromPosts + ` WHERE p.id = ?`
	if forUpdate && q.Engine() == db.Postgres {
		query += ` FOR UPDATE OF p`
	}
	var p Post
	sum, err := scanSummary(q.QueryRow(ctx, query, id), &p.BodyMD, &p.BodyHTML)
	if err != nil {
		return p, err
	}
	list := []Summary{sum}
	if err := s.fill(ctx, q, list); err != nil {
		return p, err
	}
	p.Summary = list[0]
	p.AllowedNext = content.PostWorkflow.Allowed(p.Status)
	return p, nil
}

// Exists reports whether a post exists.
func (s Store) Exists(ctx context.Context, q db.Querier, id int64) (bool, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// Lang returns a post's language, or ErrNotFound.
func (s Store) Lang(ctx context.Context, q db.Querier, id int64) (content.Lang, error) {
	var l content.Lang
	err := db.Scan(q.QueryRow(ctx, `SELECT lang FROM posts WHERE id = ?`, id), &l)
	if errors.Is(err, db.ErrNoRows) {
		return l, ErrNotFound
	}
	return l, err
}

// SlugTaken reports whether another post than id holds slug in lang, as
// its working copy's slug or its live one.
func (s Store) SlugTaken(ctx context.Context, q db.Querier, lang content.Lang, slug string, id int64) (bool, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM posts WHERE lang = ? AND slug = ? AND id <> ?)
		+ (SELECT COUNT(*) FROM post_live WHERE lang = ? AND slug = ? AND post_id <> ?)`,
		string(lang), slug, id, string(lang), slug, id).Scan(&n)
	return n > 0, err
}

// ExistingUsers returns which of ids are users.
func (s Store) ExistingUsers(ctx context.Context, q db.Querier, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT id FROM users WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// Insert writes a new post's working copy (not its terms or authors) and
// returns its id.
func (s Store) Insert(ctx context.Context, tx *db.Tx, p Post, createdBy int64) (int64, error) {
	var by any
	if createdBy != 0 {
		by = createdBy
	}
	var id int64
	err := db.Scan(tx.QueryRow(ctx, `INSERT INTO posts (lang, slug, title, body_md, body_html, excerpt, cover_media_id,
		seo_title, seo_description, canonical_url, og_image_media_id, translation_of, status, revision, version,
		created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		string(p.Lang), p.Slug, p.Title, p.BodyMD, p.BodyHTML, p.Excerpt, p.CoverMediaID,
		p.SEO.Title, p.SEO.Description, p.SEO.CanonicalURL, p.SEO.OGImageMediaID, p.TranslationOf,
		string(p.Status), p.Revision, by, p.CreatedAt, p.UpdatedAt), &id)
	return id, err
}

// Update rewrites a post's editable fields and revision, and bumps its
// version.
func (s Store) Update(ctx context.Context, tx *db.Tx, p Post) error {
	_, err := tx.Exec(ctx, `UPDATE posts SET lang = ?, slug = ?, title = ?, body_md = ?, body_html = ?, excerpt = ?,
		cover_media_id = ?, seo_title = ?, seo_description = ?, canonical_url = ?, og_image_media_id = ?,
		translation_of = ?, revision = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		string(p.Lang), p.Slug, p.Title, p.BodyMD, p.BodyHTML, p.Excerpt, p.CoverMediaID,
		p.SEO.Title, p.SEO.Description, p.SEO.CanonicalURL, p.SEO.OGImageMediaID, p.TranslationOf,
		p.Revision, p.UpdatedAt, p.ID)
	return err
}

// SetWorkflow writes a post's workflow fields and bumps its version.
func (s Store) SetWorkflow(ctx context.Context, tx *db.Tx, p Post) error {
	_, err := tx.Exec(ctx, `UPDATE posts SET status = ?, publish_at = ?, unpublish_at = ?, published_at = ?,
		version = version + 1, updated_at = ? WHERE id = ?`,
		string(p.Status), p.PublishAt, p.UnpublishAt, p.PublishedAt, p.UpdatedAt, p.ID)
	return err
}

// ensureTerms returns the ids of the terms of kind named names in lang,
// creating those that do not exist (one term per slug: "Go" and "go" are
// one tag), in the order of names, each once.
func (s Store) ensureTerms(ctx context.Context, tx *db.Tx, kind string, lang content.Lang, names []string) ([]int64, error) {
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

// SetTerms replaces a post's tags and categories.
func (s Store) SetTerms(ctx context.Context, tx *db.Tx, postID int64, lang content.Lang, tags, categories []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM post_terms WHERE post_id = ?`, postID); err != nil {
		return err
	}
	for kind, names := range map[string][]string{"tag": tags, "category": categories} {
		ids, err := s.ensureTerms(ctx, tx, kind, lang, names)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Exec(ctx, `INSERT INTO post_terms (post_id, term_id) VALUES (?, ?)`, postID, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetAuthors replaces a post's authors, in order.
func (s Store) SetAuthors(ctx context.Context, tx *db.Tx, postID int64, ids []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM post_authors WHERE post_id = ?`, postID); err != nil {
		return err
	}
	for i, id := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO post_authors (post_id, user_id, position) VALUES (?, ?, ?)`, postID, id, i); err != nil {
			return err
		}
	}
	return nil
}

// AddRevision records revision number of a post.
func (s Store) AddRevision(ctx context.Context, tx *db.Tx, postID, number, authorID int64, reason string, snap Snapshot, at time.Time) error {
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	var author any
	if authorID != 0 {
		author = authorID
	}
	_, err = tx.Exec(ctx, `INSERT INTO post_revisions (post_id, number, author_id, reason, snapshot, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, postID, number, author, reason, string(b), at)
	return err
}

const revisionCols = `r.number, r.reason, r.created_at, u.id, u.name`

func scanRevision(row interface{ Scan(...any) error }, extra ...any) (Revision, error) {
	var r Revision
	var uid *int64
	var name *string
	err := row.Scan(append([]any{&r.Number, &r.Reason, db.Time{T: &r.CreatedAt}, &uid, &name}, extra...)...)
	if errors.Is(err, db.ErrNoRows) {
		return r, ErrNotFound
	}
	if uid != nil {
		r.Author = &Author{ID: *uid, Name: deref(name)}
	}
	return r, err
}

// Revisions lists a post's revisions newest first; tail is appended to
// the WHERE clause (ordering and limits, see db.NewestFirst).
func (s Store) Revisions(ctx context.Context, postID int64, tail string, tailArgs ...any) ([]Revision, error) {
	rows, err := s.DB.Reader().Query(ctx, `SELECT `+revisionCols+` FROM post_revisions r
		LEFT JOIN users u ON u.id = r.author_id WHERE r.post_id = ?`+strings.ReplaceAll(tail, "number", "r.number"),
		append([]any{postID}, tailArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountRevisions counts a post's revisions.
func (s Store) CountRevisions(ctx context.Context, postID int64) (int64, error) {
	var n int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM post_revisions WHERE post_id = ?`, postID).Scan(&n)
	return n, err
}

// Revision returns one revision with its snapshot.
func (s Store) Revision(ctx context.Context, q db.Querier, postID, number int64) (RevisionDetail, error) {
	var snap string
	r, err := scanRevision(q.QueryRow(ctx, `SELECT `+revisionCols+`, r.snapshot FROM post_revisions r
		LEFT JOIN users u ON u.id = r.author_id WHERE r.post_id = ? AND r.number = ?`, postID, number), &snap)
	if err != nil {
		return RevisionDetail{}, err
	}
	d := RevisionDetail{Revision: r}
	if err := json.Unmarshal([]byte(snap), &d.Snapshot); err != nil {
		return d, err
	}
	return d, nil
}

// PutAutosave writes user's autosave of a post over any earlier one.
func (s Store) PutAutosave(ctx context.Context, tx *db.Tx, postID, userID, baseRevision int64, snap Snapshot, at time.Time) error {
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO post_autosaves (post_id, user_id, base_version, snapshot, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_id, user_id)
		DO UPDATE SET base_version = excluded.base_version, snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
		postID, userID, baseRevision, string(b), at)
	return err
}

// Autosave returns user's autosave of a post, or ErrNotFound.
func (s Store) Autosave(ctx context.Context, postID, userID int64) (Autosave, error) {
	a := Autosave{PostID: postID}
	var snap string
	var current int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT a.base_version, a.snapshot, a.updated_at, p.revision
		FROM post_autosaves a JOIN posts p ON p.id = a.post_id WHERE a.post_id = ? AND a.user_id = ?`, postID, userID).
		Scan(&a.BaseRevision, &snap, db.Time{T: &a.UpdatedAt}, &current)
	if errors.Is(err, db.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	a.Stale = current != a.BaseRevision
	return a, json.Unmarshal([]byte(snap), &a.Snapshot)
}

// DeleteAutosave drops user's autosave of a post.
func (s Store) DeleteAutosave(ctx context.Context, tx *db.Tx, postID, userID int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM post_autosaves WHERE post_id = ? AND user_id = ?`, postID, userID)
	return err
}

// LiveSlug returns the slug and language a post is live under, ok false
// when it is not live.
func (s Store) LiveSlug(ctx context.Context, q db.Querier, postID int64) (lang content.Lang, slug string, ok bool, err error) {
	err = db.Scan(q.QueryRow(ctx, `SELECT lang, slug FROM post_live WHERE post_id = ?`, postID), &lang, &slug)
	if errors.Is(err, db.ErrNoRows) {
		return "", "", false, nil
	}
	return lang, slug, err == nil, err
}

// PutLive writes p's working copy as its live version (post_live and
// post_live_terms), with publishedAt as the live published_at. When the
// post was live under another slug (or language), the old one redirects
// to it; a redirect row holding the new slug is dropped, the slug being
// live again.
func (s Store) PutLive(ctx context.Context, tx *db.Tx, p Post, publishedAt, now time.Time) error {
	oldLang, oldSlug, wasLive, err := s.LiveSlug(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	if wasLive && (oldLang != p.Lang || oldSlug != p.Slug) {
		if _, err := tx.Exec(ctx, `INSERT INTO post_slug_redirects (lang, old_slug, post_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (lang, old_slug) DO UPDATE SET post_id = excluded.post_id, created_at = excluded.created_at`,
			string(oldLang), oldSlug, p.ID, now); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM post_slug_redirects WHERE lang = ? AND old_slug = ?`, string(p.Lang), p.Slug); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM post_live WHERE post_id = ?`, p.ID); err != nil {
		return err
	}
	authors, err := json.Marshal(p.Authors)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO post_live (post_id, lang, slug, title, excerpt, body_html, cover_media_id,
		seo_title, seo_description, canonical_url, og_image_media_id, authors, revision, published_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, string(p.Lang), p.Slug, p.Title, p.Excerpt, p.BodyHTML, p.CoverMediaID,
		p.SEO.Title, p.SEO.Description, p.SEO.CanonicalURL, p.SEO.OGImageMediaID, string(authors), p.Revision,
		publishedAt, now); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO post_live_terms (post_id, term_id) SELECT post_id, term_id FROM post_terms WHERE post_id = ?`, p.ID)
	return err
}

// DeleteLive takes a post off the website; it reports whether it was live.
func (s Store) DeleteLive(ctx context.Context, tx *db.Tx, postID int64) (bool, error) {
	res, err := tx.Exec(ctx, `DELETE FROM post_live WHERE post_id = ?`, postID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Delete removes a post with everything hanging off it (the schema
// cascades), and clears other posts' translation_of pointing at it.
func (s Store) Delete(ctx context.Context, tx *db.Tx, id int64) error {
	if _, err := tx.Exec(ctx, `UPDATE posts SET translation_of = NULL WHERE translation_of = ?`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM posts WHERE id = ?`, id)
	return err
}

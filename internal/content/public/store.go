package public

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// errMissing is a store's "no such live item".
var errMissing = errors.New("not live")

// store is the public API's read-only SQL. Posts are read from post_live
// (the published snapshot) and projects only with status 'published';
// the exceptions, previewPost, previewProject and previewMedia, serve a
// signed preview.
type store struct{ db *db.DB }

func (s store) q() db.Querier { return s.db.Reader() }

// postPos is a keyset position in the newest-first posts list.
type postPos struct {
	At int64 `json:"t"`
	ID int64 `json:"id"`
}

const postCols = `l.post_id, l.lang, l.slug, l.title, l.excerpt, l.cover_media_id, l.authors, l.published_at`

func scanPost(row interface{ Scan(...any) error }) (Post, error) {
	var p Post
	var cover sql.NullInt64
	var authors string
	var at time.Time
	if err := row.Scan(&p.id, &p.Lang, &p.Slug, &p.Title, &p.Excerpt, &cover, &authors, db.Time{T: &at}); err != nil {
		return p, err
	}
	p.PublishedAt = &at
	if cover.Valid {
		p.coverID = &cover.Int64
	}
	p.Authors = []Author{}
	if authors != "" {
		if err := json.Unmarshal([]byte(authors), &p.Authors); err != nil {
			return p, err
		}
	}
	p.Tags, p.Categories = []Term{}, []Term{}
	return p, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func (f PostFilter) where() ([]string, []any) {
	var conds []string
	var args []any
	if f.Lang != "" {
		conds = append(conds, "l.lang = ?")
		args = append(args, f.Lang)
	}
	for _, t := range []struct{ kind, slug string }{{"tag", f.Tag}, {"category", f.Category}} {
		if t.slug == "" {
			continue
		}
		conds = append(conds, `EXISTS (SELECT 1 FROM post_live_terms lt JOIN content_terms t ON t.id = lt.term_id
			WHERE lt.post_id = l.post_id AND t.kind = ? AND t.slug = ?)`)
		args = append(args, t.kind, t.slug)
	}
	return conds, args
}

func whereOf(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// countPosts returns how many live posts match f.
func (s store) countPosts(ctx context.Context, f PostFilter) (int64, error) {
	conds, args := f.where()
	var n int64
	err := s.q().QueryRow(ctx, `SELECT COUNT(*) FROM post_live l`+whereOf(conds), args...).Scan(&n)
	return n, err
}

// posts returns up to limit live posts of f, newest first, after pos (or
// from offset).
func (s store) posts(ctx context.Context, f PostFilter, pos *postPos, limit, offset int) ([]Post, error) {
	conds, args := f.where()
	if pos != nil {
		at := time.UnixMicro(pos.At).UTC()
		conds = append(conds, "(l.published_at < ? OR (l.published_at = ? AND l.post_id < ?))")
		args = append(args, at, at, pos.ID)
	}
	where := whereOf(conds)
	args = append(args, limit, offset)
	rows, err := s.q().Query(ctx, `SELECT `+postCols+` FROM post_live l`+where+` ORDER BY l.published_at DESC, l.post_id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Post{}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.liveTerms(ctx, out)
}

// liveTerms fills the tags and categories of live posts.
func (s store) liveTerms(ctx context.Context, ps []Post) error {
	if len(ps) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := make([]any, len(ps))
	for i, p := range ps {
		idx[p.id], args[i] = i, p.id
	}
	return s.terms(ctx, `SELECT lt.post_id, t.kind, t.slug, t.name FROM post_live_terms lt JOIN content_terms t ON t.id = lt.term_id
		WHERE lt.post_id IN (`+placeholders(len(ps))+`) ORDER BY t.name, t.slug`, args, func(id int64, kind string, t Term) {
		p := &ps[idx[id]]
		if kind == "category" {
			p.Categories = append(p.Categories, t)
		} else {
			p.Tags = append(p.Tags, t)
		}
	})
}

func (s store) terms(ctx context.Context, q string, args []any, add func(id int64, kind string, t Term)) error {
	rows, err := s.q().Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind string
		var t Term
		if err := rows.Scan(&id, &kind, &t.Slug, &t.Name); err != nil {
			return err
		}
		add(id, kind, t)
	}
	return rows.Err()
}

// livePost returns the live post of lang (any language when "", Persian
// first) and slug.
func (s store) livePost(ctx context.Context, lang, slug string) (PostDetail, error) {
	q := `SELECT ` + postCols + `, l.body_html, l.seo_title, l.seo_description, l.canonical_url, l.og_image_media_id, l.updated_at
		FROM post_live l WHERE l.slug = ?`
	args := []any{slug}
	if lang != "" {
		q += ` AND l.lang = ?`
		args = append(args, lang)
	}
	q += ` ORDER BY CASE WHEN l.lang = 'fa' THEN 0 ELSE 1 END, l.lang LIMIT 1`
	return s.scanDetail(ctx, s.q().QueryRow(ctx, q, args...))
}

func (s store) scanDetail(ctx context.Context, row *sql.Row) (PostDetail, error) {
	var d PostDetail
	var og sql.NullInt64
	var cover sql.NullInt64
	var authors string
	var at time.Time
	err := row.Scan(&d.id, &d.Lang, &d.Slug, &d.Title, &d.Excerpt, &cover, &authors, db.Time{T: &at},
		&d.BodyHTML, &d.SEO.Title, &d.SEO.Description, &d.SEO.CanonicalURL, &og, db.Time{T: &d.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, db.ErrNoRows) {
		return d, errMissing
	}
	if err != nil {
		return d, err
	}
	d.PublishedAt = &at
	if cover.Valid {
		d.coverID = &cover.Int64
	}
	if og.Valid {
		d.SEO.ogImageID = &og.Int64
	}
	d.Authors = []Author{}
	if err := json.Unmarshal([]byte(authors), &d.Authors); err != nil {
		return d, err
	}
	ps := []Post{d.Post}
	if err := s.liveTerms(ctx, ps); err != nil {
		return d, err
	}
	d.Post = ps[0]
	return d, nil
}

// redirect returns the current slug and language of the live post that
// once had old as its slug in lang (any language when "").
func (s store) redirect(ctx context.Context, lang, old string) (slug, postLang string, err error) {
	q := `SELECT l.slug, l.lang FROM post_slug_redirects r JOIN post_live l ON l.post_id = r.post_id WHERE r.old_slug = ?`
	args := []any{old}
	if lang != "" {
		q += ` AND r.lang = ?`
		args = append(args, lang)
	}
	q += ` ORDER BY CASE WHEN r.lang = 'fa' THEN 0 ELSE 1 END, r.lang LIMIT 1`
	err = s.q().QueryRow(ctx, q, args...).Scan(&slug, &postLang)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, db.ErrNoRows) {
		return "", "", errMissing
	}
	return slug, postLang, err
}

// projectRedirect returns the current slug and language of the published
// project that once had old as its slug in lang (any language when "",
// Persian first, as redirect does for posts).
func (s store) projectRedirect(ctx context.Context, lang, old string) (slug, projectLang string, err error) {
	q := `SELECT p.slug, p.lang FROM project_slug_redirects r JOIN projects p ON p.id = r.project_id
		WHERE r.old_slug = ? AND p.status = ?`
	args := []any{old, string(content.Published)}
	if lang != "" {
		q += ` AND r.lang = ?`
		args = append(args, lang)
	}
	q += ` ORDER BY CASE WHEN r.lang = 'fa' THEN 0 ELSE 1 END, r.lang LIMIT 1`
	err = s.q().QueryRow(ctx, q, args...).Scan(&slug, &projectLang)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, db.ErrNoRows) {
		return "", "", errMissing
	}
	return slug, projectLang, err
}

// previewPost returns post id's working copy, whatever its status, with
// its markdown (a preview renders its body again, its media pointing at
// the preview's own route).
func (s store) previewPost(ctx context.Context, id int64) (PostDetail, string, error) {
	var d PostDetail
	var md string
	var cover, og sql.NullInt64
	err := s.q().QueryRow(ctx, `SELECT p.id, p.lang, p.slug, p.title, p.excerpt, p.cover_media_id, p.published_at, p.body_md,
		p.seo_title, p.seo_description, p.canonical_url, p.og_image_media_id, p.updated_at FROM posts p WHERE p.id = ?`, id).
		Scan(&d.id, &d.Lang, &d.Slug, &d.Title, &d.Excerpt, &cover, db.NullTime{T: &d.PublishedAt}, &md,
			&d.SEO.Title, &d.SEO.Description, &d.SEO.CanonicalURL, &og, db.Time{T: &d.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, db.ErrNoRows) {
		return d, "", errMissing
	}
	if err != nil {
		return d, "", err
	}
	if cover.Valid {
		d.coverID = &cover.Int64
	}
	if og.Valid {
		d.SEO.ogImageID = &og.Int64
	}
	d.Tags, d.Categories, d.Authors = []Term{}, []Term{}, []Author{}
	err = s.terms(ctx, `SELECT pt.post_id, t.kind, t.slug, t.name FROM post_terms pt JOIN content_terms t ON t.id = pt.term_id
		WHERE pt.post_id = ? ORDER BY t.name, t.slug`, []any{id}, func(_ int64, kind string, t Term) {
		if kind == "category" {
			d.Categories = append(d.Categories, t)
		} else {
			d.Tags = append(d.Tags, t)
		}
	})
	if err != nil {
		return d, "", err
	}
	rows, err := s.q().Query(ctx, `SELECT u.id, u.name FROM post_authors a JOIN users u ON u.id = a.user_id WHERE a.post_id = ? ORDER BY a.position`, id)
	if err != nil {
		return d, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var a Author
		if err := rows.Scan(&a.ID, &a.Name); err != nil {
			return d, "", err
		}
		d.Authors = append(d.Authors, a)
	}
	return d, md, rows.Err()
}

const projectCols = `p.id, p.lang, p.slug, p.title, p.client, p.started_on, p.ended_on, p.summary, p.cover_media_id, p.links,
	p.featured, p.position, p.published_at, p.updated_at`

func scanProject(row interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var started, ended sql.NullString
	var cover sql.NullInt64
	var links string
	err := row.Scan(&p.id, &p.Lang, &p.Slug, &p.Title, &p.Client, &started, &ended, &p.Summary, &cover, &links,
		&p.Featured, &p.position, db.NullTime{T: &p.PublishedAt}, db.Time{T: &p.UpdatedAt})
	if err != nil {
		return p, err
	}
	if started.Valid {
		p.StartedOn = &started.String
	}
	if ended.Valid {
		p.EndedOn = &ended.String
	}
	if cover.Valid {
		p.coverID = &cover.Int64
	}
	p.Links = []Link{}
	if err := json.Unmarshal([]byte(links), &p.Links); err != nil {
		return p, err
	}
	p.Gallery, p.Tags = []GalleryItem{}, []Term{}
	return p, nil
}

// projectPos is a keyset position in the manual order.
type projectPos struct {
	Pos int64 `json:"p"`
	ID  int64 `json:"id"`
}

func (f ProjectFilter) where() ([]string, []any) {
	conds := []string{"p.status = ?"}
	args := []any{string(content.Published)}
	if f.Lang != "" {
		conds = append(conds, "p.lang = ?")
		args = append(args, f.Lang)
	}
	if f.Featured != nil {
		conds = append(conds, "p.featured = ?")
		args = append(args, *f.Featured)
	}
	if f.Tag != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM project_terms pt JOIN content_terms t ON t.id = pt.term_id
			WHERE pt.project_id = p.id AND t.kind = 'tag' AND t.slug = ?)`)
		args = append(args, f.Tag)
	}
	return conds, args
}

// countProjects returns how many published projects match f.
func (s store) countProjects(ctx context.Context, f ProjectFilter) (int64, error) {
	conds, args := f.where()
	var n int64
	err := s.q().QueryRow(ctx, `SELECT COUNT(*) FROM projects p`+whereOf(conds), args...).Scan(&n)
	return n, err
}

// projects returns up to limit published projects of f in the manual
// order, after pos (or from offset).
func (s store) projects(ctx context.Context, f ProjectFilter, pos *projectPos, limit, offset int) ([]Project, error) {
	conds, args := f.where()
	if pos != nil {
		conds = append(conds, "(p.position > ? OR (p.position = ? AND p.id > ?))")
		args = append(args, pos.Pos, pos.Pos, pos.ID)
	}
	args = append(args, limit, offset)
	rows, err := s.q().Query(ctx, `SELECT `+projectCols+` FROM projects p WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY p.position, p.id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Project{}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.projectParts(ctx, out)
}

// project returns a published project by slug, with its body.
func (s store) project(ctx context.Context, lang, slug string) (ProjectDetail, error) {
	q := `SELECT ` + projectCols + `, p.body_html FROM projects p WHERE p.slug = ?`
	args := []any{slug}
	if lang != "" {
		q += ` AND p.lang = ?`
		args = append(args, lang)
	}
	q += ` AND p.status = ? ORDER BY CASE WHEN p.lang = 'fa' THEN 0 ELSE 1 END, p.lang LIMIT 1`
	args = append(args, string(content.Published))
	var body string
	d, err := s.projectDetail(ctx, s.q().QueryRow(ctx, q, args...), &body)
	d.BodyHTML = body
	return d, err
}

// previewProject returns project id's working copy, whatever its status,
// with its markdown (a preview renders its body again).
func (s store) previewProject(ctx context.Context, id int64) (ProjectDetail, string, error) {
	var md string
	d, err := s.projectDetail(ctx, s.q().QueryRow(ctx, `SELECT `+projectCols+`, p.body_md FROM projects p WHERE p.id = ?`, id), &md)
	return d, md, err
}

// projectDetail scans one project whose last column goes to tail, and
// reads its gallery and tags.
func (s store) projectDetail(ctx context.Context, row *sql.Row, tail *string) (ProjectDetail, error) {
	p, err := scanProject(scanTail{row, tail})
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, db.ErrNoRows) {
		return ProjectDetail{}, errMissing
	}
	if err != nil {
		return ProjectDetail{}, err
	}
	ps := []Project{p}
	if err := s.projectParts(ctx, ps); err != nil {
		return ProjectDetail{}, err
	}
	return ProjectDetail{Project: ps[0]}, nil
}

// scanTail scans a row whose last column goes to tail.
type scanTail struct {
	row  *sql.Row
	tail *string
}

func (t scanTail) Scan(dest ...any) error { return t.row.Scan(append(dest, t.tail)...) }

// projectParts fills galleries and tags.
func (s store) projectParts(ctx context.Context, ps []Project) error {
	if len(ps) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := make([]any, len(ps))
	for i, p := range ps {
		idx[p.id], args[i] = i, p.id
	}
	if err := s.galleries(ctx, ps, idx, args); err != nil {
		return err
	}
	return s.terms(ctx, `SELECT pt.project_id, t.kind, t.slug, t.name FROM project_terms pt JOIN content_terms t ON t.id = pt.term_id
		WHERE pt.project_id IN (`+placeholders(len(ps))+`) AND t.kind = 'tag' ORDER BY t.name, t.slug`, args, func(id int64, _ string, t Term) {
		ps[idx[id]].Tags = append(ps[idx[id]].Tags, t)
	})
}

func (s store) galleries(ctx context.Context, ps []Project, idx map[int64]int, args []any) error {
	rows, err := s.q().Query(ctx, `SELECT project_id, media_id, caption_fa, caption_en FROM project_gallery
		WHERE project_id IN (`+placeholders(len(ps))+`) ORDER BY project_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var g GalleryItem
		if err := rows.Scan(&pid, &g.mediaID, &g.CaptionFa, &g.CaptionEn); err != nil {
			return err
		}
		ps[idx[pid]].Gallery = append(ps[idx[pid]].Gallery, g)
	}
	return rows.Err()
}

// termCounts returns the tags or categories of lang (every language when
// "") with how many live posts carry each; terms no live post carries are
// left out.
func (s store) termCounts(ctx context.Context, kind, lang string) ([]TermCount, error) {
	q := `SELECT t.slug, MIN(t.name), COUNT(DISTINCT lt.post_id) FROM content_terms t
		JOIN post_live_terms lt ON lt.term_id = t.id WHERE t.kind = ?`
	args := []any{kind}
	if lang != "" {
		q += ` AND t.lang = ?`
		args = append(args, lang)
	}
	rows, err := s.q().Query(ctx, q+` GROUP BY t.slug ORDER BY COUNT(DISTINCT lt.post_id) DESC, t.slug`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TermCount{}
	for rows.Next() {
		var t TermCount
		if err := rows.Scan(&t.Slug, &t.Name, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// liveIDs returns which of the ids are live: post ids in post_live, or
// project ids published.
func (s store) liveIDs(ctx context.Context, kind string, ids []int64) (map[int64][2]string, error) {
	out := map[int64][2]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT post_id, slug, title FROM post_live WHERE post_id IN (` + placeholders(len(ids)) + `)`
	if kind == "project" {
		q = `SELECT id, slug, title FROM projects WHERE status = 'published' AND id IN (` + placeholders(len(ids)) + `)`
	}
	rows, err := s.q().Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var slug, title string
		if err := rows.Scan(&id, &slug, &title); err != nil {
			return nil, err
		}
		out[id] = [2]string{slug, title}
	}
	return out, rows.Err()
}

// feedPost is a live post with its body, for the feeds.
type feedPost struct {
	Post
	BodyHTML  string
	UpdatedAt time.Time
}

// feed returns the newest n live posts of lang with their bodies.
func (s store) feed(ctx context.Context, lang string, n int) ([]feedPost, error) {
	rows, err := s.q().Query(ctx, `SELECT `+postCols+`, l.body_html, l.updated_at FROM post_live l WHERE l.lang = ?
		ORDER BY l.published_at DESC, l.post_id DESC LIMIT ?`, lang, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []feedPost
	var posts []Post
	for rows.Next() {
		var f feedPost
		var body string
		var upd time.Time
		p, err := scanPost(scanTailN{rows, []any{&body, db.Time{T: &upd}}})
		if err != nil {
			return nil, err
		}
		f.Post, f.BodyHTML, f.UpdatedAt = p, body, upd
		out = append(out, f)
		posts = append(posts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.liveTerms(ctx, posts); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Post = posts[i]
	}
	return out, nil
}

type scanTailN struct {
	row  interface{ Scan(...any) error }
	tail []any
}

func (t scanTailN) Scan(dest ...any) error { return t.row.Scan(append(dest, t.tail...)...) }

// sitemapEntry is one URL of the sitemap.
type sitemapEntry struct {
	Kind, Lang, Slug string
	LastMod          time.Time
}

// sitemapCounts counts the sitemap's URLs: live posts and published
// projects.
func (s store) sitemapCounts(ctx context.Context) (posts, projects int, err error) {
	err = s.q().QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM post_live),
		(SELECT COUNT(*) FROM projects WHERE status = 'published')`).Scan(&posts, &projects)
	return posts, projects, err
}

// sitemap returns at most limit sitemap entries from offset in the
// sitemap's order: live posts by id, then published projects by id.
// posts is the number of live posts (sitemapCounts).
func (s store) sitemap(ctx context.Context, offset, limit, posts int) ([]sitemapEntry, error) {
	var out []sitemapEntry
	var err error
	if offset < posts {
		out, err = s.sitemapOf(ctx, out, "post",
			`SELECT lang, slug, updated_at FROM post_live ORDER BY post_id LIMIT ? OFFSET ?`, limit, offset)
		if err != nil {
			return nil, err
		}
	}
	if rest := limit - len(out); rest > 0 {
		out, err = s.sitemapOf(ctx, out, "project",
			`SELECT lang, slug, updated_at FROM projects WHERE status = 'published' ORDER BY id LIMIT ? OFFSET ?`,
			rest, max(offset-posts, 0))
	}
	return out, err
}

func (s store) sitemapOf(ctx context.Context, out []sitemapEntry, kind, q string, args ...any) ([]sitemapEntry, error) {
	rows, err := s.q().Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		e := sitemapEntry{Kind: kind}
		if err := rows.Scan(&e.Lang, &e.Slug, db.Time{T: &e.LastMod}); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// mediaLive reports whether live content uses media item id: a live
// post's cover, Open Graph image or body, or a published project's cover,
// gallery or body. Bodies are searched for the rendered reference
// (content.PublicMediaPath followed by a quote or a query).
func (s store) mediaLive(ctx context.Context, id int64) (bool, error) {
	path := content.PublicMediaPath(id)
	quoted, query := "%"+path+`"%`, "%"+path+"?%"
	var n int
	err := s.q().QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM post_live WHERE cover_media_id = ? OR og_image_media_id = ? OR body_html LIKE ? OR body_html LIKE ?) +
		(SELECT COUNT(*) FROM projects WHERE status = 'published' AND (cover_media_id = ? OR body_html LIKE ? OR body_html LIKE ?)) +
		(SELECT COUNT(*) FROM project_gallery g JOIN projects p ON p.id = g.project_id WHERE p.status = 'published' AND g.media_id = ?)`,
		id, id, quoted, query, id, quoted, query, id).Scan(&n)
	return n > 0, err
}

// previewMedia returns the media items post (kind 'p') or project ('j')
// id's working copy names outside its body (cover and Open Graph image;
// cover and gallery), and its body's markdown, whatever its status;
// errMissing when there is no such item.
func (s store) previewMedia(ctx context.Context, kind byte, id int64) ([]int64, string, error) {
	var md string
	var a, b sql.NullInt64 // cover, Open Graph image
	var err error
	if kind == 'p' {
		err = s.q().QueryRow(ctx, `SELECT cover_media_id, og_image_media_id, body_md FROM posts WHERE id = ?`, id).Scan(&a, &b, &md)
	} else {
		err = s.q().QueryRow(ctx, `SELECT cover_media_id, body_md FROM projects WHERE id = ?`, id).Scan(&a, &md)
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, db.ErrNoRows) {
		return nil, "", errMissing
	}
	if err != nil {
		return nil, "", err
	}
	ids := []int64{}
	for _, n := range []sql.NullInt64{a, b} {
		if n.Valid {
			ids = append(ids, n.Int64)
		}
	}
	if kind == 'p' {
		return ids, md, nil
	}
	rows, err := s.q().Query(ctx, `SELECT media_id FROM project_gallery WHERE project_id = ?`, id)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			return nil, "", err
		}
		ids = append(ids, m)
	}
	return ids, md, rows.Err()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

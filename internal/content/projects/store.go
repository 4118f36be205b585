package projects

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// ErrNotFound means no such project.
var ErrNotFound = errors.New("project not found")

// Store is the projects' data access; every query runs on both engines.
type Store struct{ DB *db.DB }

const projectCols = `p.id, p.lang, p.slug, p.title, p.client, p.started_on, p.ended_on, p.summary, p.body_md, p.body_html,
	p.cover_media_id, p.links, p.featured, p.status, p.position, p.published_at, p.created_at, p.updated_at`

func scanProject(row interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var started, ended sql.NullString
	var cover sql.NullInt64
	var links string
	err := row.Scan(&p.ID, &p.Lang, &p.Slug, &p.Title, &p.Client, &started, &ended, &p.Summary, &p.BodyMD, &p.BodyHTML,
		&cover, &links, &p.Featured, &p.Status, &p.Position, db.NullTime{T: &p.PublishedAt},
		db.Time{T: &p.CreatedAt}, db.Time{T: &p.UpdatedAt})
	if errors.Is(err, db.ErrNoRows) || errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
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
		p.CoverMediaID = &cover.Int64
	}
	p.Links = []Link{}
	if err := json.Unmarshal([]byte(links), &p.Links); err != nil {
		return p, err
	}
	p.Gallery, p.Tags = []GalleryItem{}, []string{}
	return p, nil
}

// Position is a keyset position under a sort: the sort value (Int for
// position and updated_at in microseconds, Str for title) and the id.
type Position struct {
	Int int64  `json:"i,omitempty"`
	Str string `json:"s,omitempty"`
	ID  int64  `json:"id"`
}

// PositionOf returns p's keyset position under f's sort.
func (f Filter) PositionOf(p Project) Position {
	switch strings.TrimPrefix(f.Sort, "-") {
	case "title":
		return Position{Str: p.Title, ID: p.ID}
	case "updated_at":
		return Position{Int: p.UpdatedAt.UnixMicro(), ID: p.ID}
	}
	return Position{Int: p.Position, ID: p.ID}
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, "p.status IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Statuses)), ",")+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.Lang != "" {
		conds = append(conds, "p.lang = ?")
		args = append(args, string(f.Lang))
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
	switch slug := search.Slugify(f.Q); {
	case f.Q == "":
	case f.IDs != nil:
		// the index's matches, or a slug holding the query's slug form (an
		// editor pastes a slug from the website's address; slugs are not
		// indexed)
		var alts []string
		if len(f.IDs) > 0 {
			alts = append(alts, "p.id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.IDs)), ",")+")")
			for _, id := range f.IDs {
				args = append(args, id)
			}
		}
		if slug != "" {
			alts = append(alts, `p.slug LIKE ? ESCAPE '\'`)
			args = append(args, likeEscape(slug))
		}
		if len(alts) == 0 {
			alts = append(alts, "1 = 0")
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	default:
		like := likeEscape(f.Q)
		conds = append(conds, `(LOWER(p.title) LIKE ? ESCAPE '\' OR LOWER(p.slug) LIKE ? ESCAPE '\' OR LOWER(p.client) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (f Filter) sortColumn() (string, bool) {
	desc := strings.HasPrefix(f.Sort, "-")
	switch strings.TrimPrefix(f.Sort, "-") {
	case "title":
		return "p.title", desc
	case "updated_at":
		return "p.updated_at", desc
	}
	return "p.position", desc
}

// Count returns how many projects match f.
func (s Store) Count(ctx context.Context, f Filter) (int64, error) {
	where, args := f.where()
	var n int64
	err := s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM projects p`+where, args...).Scan(&n)
	return n, err
}

// List returns limit projects of f from offset (page mode), or after pos
// (cursor mode, when pos is not nil), in f's order.
func (s Store) List(ctx context.Context, f Filter, offset, limit int, pos *Position) ([]Project, error) {
	where, args := f.where()
	col, desc := f.sortColumn()
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if pos != nil {
		var v any = pos.Int
		switch col {
		case "p.title":
			v = pos.Str
		case "p.updated_at":
			v = time.UnixMicro(pos.Int).UTC()
		}
		cond := "(" + col + " " + cmp + " ? OR (" + col + " = ? AND p.id " + cmp + " ?))"
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
		args = append(args, v, v, pos.ID)
	}
	q := `SELECT ` + projectCols + ` FROM projects p` + where + ` ORDER BY ` + col + ` ` + dir + `, p.id ` + dir + ` LIMIT ? OFFSET ?`
	args = append(args, limit, offset)
	rows, err := s.DB.Reader().Query(ctx, q, args...)
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
	return out, s.fill(ctx, s.DB.Reader(), out)
}

// Get returns one project with its gallery and tags.
func (s Store) Get(ctx context.Context, q db.Querier, id int64) (Project, error) {
	p, err := scanProject(q.QueryRow(ctx, `SELECT `+projectCols+` FROM projects p WHERE p.id = ?`, id))
	if err != nil {
		return p, err
	}
	ps := []Project{p}
	if err := s.fill(ctx, q, ps); err != nil {
		return p, err
	}
	return ps[0], nil
}

// fill loads the galleries and tags of ps.
func (s Store) fill(ctx context.Context, q db.Querier, ps []Project) error {
	if len(ps) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := make([]any, len(ps))
	for i, p := range ps {
		idx[p.ID] = i
		args[i] = p.ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ps)), ",") + ")"
	if err := s.fillGalleries(ctx, q, ps, idx, in, args); err != nil {
		return err
	}
	rows, err := q.Query(ctx, `SELECT pt.project_id, t.name FROM project_terms pt JOIN content_terms t ON t.id = pt.term_id
		WHERE pt.project_id IN `+in+` AND t.kind = 'tag' ORDER BY pt.project_id, t.slug`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var name string
		if err := rows.Scan(&pid, &name); err != nil {
			return err
		}
		ps[idx[pid]].Tags = append(ps[idx[pid]].Tags, name)
	}
	return rows.Err()
}

func (s Store) fillGalleries(ctx context.Context, q db.Querier, ps []Project, idx map[int64]int, in string, args []any) error {
	rows, err := q.Query(ctx, `SELECT project_id, media_id, caption_fa, caption_en FROM project_gallery
		WHERE project_id IN `+in+` ORDER BY project_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var g GalleryItem
		if err := rows.Scan(&pid, &g.MediaID, &g.CaptionFa, &g.CaptionEn); err != nil {
			return err
		}
		ps[idx[pid]].Gallery = append(ps[idx[pid]].Gallery, g)
	}
	return rows.Err()
}

func nullable(s *string) any {
	if s == nil || *s == "" {
		return nil
	}
	return *s
}

func nullID(id *int64) any {
	if id == nil || *id == 0 {
		return nil
	}
	return *id
}

// Insert stores a new project, last in the manual order, and returns its id.
func (s Store) Insert(ctx context.Context, tx *db.Tx, p Project, by int64) (int64, error) {
	links, _ := json.Marshal(p.Links)
	var id int64
	var creator any
	if by > 0 {
		creator = by
	}
	err := tx.QueryRow(ctx, `INSERT INTO projects (lang, slug, title, client, started_on, ended_on, summary, body_md, body_html,
		cover_media_id, links, featured, status, position, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM projects), ?, ?, ?) RETURNING id`,
		string(p.Lang), p.Slug, p.Title, p.Client, nullable(p.StartedOn), nullable(p.EndedOn), p.Summary, p.BodyMD, p.BodyHTML,
		nullID(p.CoverMediaID), string(links), p.Featured, string(p.Status), creator, p.CreatedAt, p.UpdatedAt).Scan(&id)
	if err != nil {
		return 0, err
	}
	return id, s.setParts(ctx, tx, id, p)
}

// Update writes p's editable fields, gallery and tags.
func (s Store) Update(ctx context.Context, tx *db.Tx, p Project) error {
	links, _ := json.Marshal(p.Links)
	_, err := tx.Exec(ctx, `UPDATE projects SET lang = ?, slug = ?, title = ?, client = ?, started_on = ?, ended_on = ?, summary = ?,
		body_md = ?, body_html = ?, cover_media_id = ?, links = ?, featured = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		string(p.Lang), p.Slug, p.Title, p.Client, nullable(p.StartedOn), nullable(p.EndedOn), p.Summary, p.BodyMD, p.BodyHTML,
		nullID(p.CoverMediaID), string(links), p.Featured, p.UpdatedAt, p.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM project_gallery WHERE project_id = ?`, p.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM project_terms WHERE project_id = ?`, p.ID); err != nil {
		return err
	}
	return s.setParts(ctx, tx, p.ID, p)
}

// setParts writes a project's gallery (in its order) and tags (created in
// content_terms when new, per language).
func (s Store) setParts(ctx context.Context, tx *db.Tx, id int64, p Project) error {
	for i, g := range p.Gallery {
		if _, err := tx.Exec(ctx, `INSERT INTO project_gallery (project_id, position, media_id, caption_fa, caption_en) VALUES (?, ?, ?, ?, ?)`,
			id, i, g.MediaID, g.CaptionFa, g.CaptionEn); err != nil {
			return err
		}
	}
	terms, err := content.EnsureTerms(ctx, tx, content.TermTag, p.Lang, p.Tags)
	if err != nil {
		return err
	}
	for _, term := range terms {
		if _, err := tx.Exec(ctx, `INSERT INTO project_terms (project_id, term_id) VALUES (?, ?)`, id, term); err != nil {
			return err
		}
	}
	return nil
}

// SetStatus moves a project; publishedAt is kept from the first publish
// unless set.
func (s Store) SetStatus(ctx context.Context, tx *db.Tx, id int64, st content.Status, publishedAt *time.Time, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE projects SET status = ?, published_at = COALESCE(?, published_at), version = version + 1, updated_at = ? WHERE id = ?`,
		string(st), publishedAt, now, id)
	return err
}

// Delete removes a project (its gallery and terms go with it).
func (s Store) Delete(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM projects WHERE id = ?`, id)
	return err
}

// SlugTaken reports whether another project of lang has slug.
func (s Store) SlugTaken(ctx context.Context, tx *db.Tx, lang content.Lang, slug string, except int64) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM projects WHERE lang = ? AND slug = ? AND id <> ?`, string(lang), slug, except).Scan(&n)
	return n > 0, err
}

// IDs returns every project's id in the manual order, locking the rows
// on PostgreSQL so two reorders cannot interleave.
func (s Store) IDs(ctx context.Context, tx *db.Tx) ([]int64, error) {
	q := `SELECT id FROM projects ORDER BY position, id`
	if tx.Engine() == db.Postgres {
		q += ` FOR UPDATE`
	}
	return db.Int64s(ctx, tx, q)
}

// SetPositions writes positions 1… in ids' order.
func (s Store) SetPositions(ctx context.Context, tx *db.Tx, ids []int64, now time.Time) error {
	for i, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE projects SET position = ?, updated_at = CASE WHEN position = ? THEN updated_at ELSE ? END,
			version = CASE WHEN position = ? THEN version ELSE version + 1 END WHERE id = ?`,
			i+1, i+1, now, i+1, id); err != nil {
			return err
		}
	}
	return nil
}

// AllIDs returns every project's id, ascending.
func (s Store) AllIDs(ctx context.Context, q db.Querier) ([]int64, error) {
	return db.Int64s(ctx, q, `SELECT id FROM projects ORDER BY id`)
}

// AddRedirect makes lang/old (a slug the published project id had) answer
// with the project's current slug on the website; a row already holding
// lang/old is taken over.
func (s Store) AddRedirect(ctx context.Context, tx *db.Tx, lang content.Lang, old string, id int64, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO project_slug_redirects (lang, old_slug, project_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (lang, old_slug) DO UPDATE SET project_id = excluded.project_id, created_at = excluded.created_at`,
		string(lang), old, id, now)
	return err
}

// ClaimSlug drops the redirect from lang/slug: a project is published
// under it now, and the live project wins.
func (s Store) ClaimSlug(ctx context.Context, tx *db.Tx, lang content.Lang, slug string) error {
	_, err := tx.Exec(ctx, `DELETE FROM project_slug_redirects WHERE lang = ? AND old_slug = ?`, string(lang), slug)
	return err
}

// DropRedirects drops every redirect to project id: it left the website,
// so its old slugs are gone with it (a later publish starts afresh).
func (s Store) DropRedirects(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM project_slug_redirects WHERE project_id = ?`, id)
	return err
}

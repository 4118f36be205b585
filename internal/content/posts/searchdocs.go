package posts

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/markdown"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// SearchDocs yields every post's search documents, for `pishkhan search
// rebuild`: a Panel document of each working copy and a Public document of
// each live version (from the revision that went live).
func (s *Service) SearchDocs(ctx context.Context, yield func(search.Doc) error) error {
	ids, err := s.store.AllIDs(ctx, s.db.Reader())
	if err != nil {
		return err
	}
	for _, id := range ids {
		p, err := s.store.Get(ctx, s.db.Reader(), id, false)
		if err != nil {
			return err
		}
		if err := yield(s.doc(p, search.Panel)); err != nil {
			return err
		}
	}
	return s.store.LiveDocs(ctx, s.db.Reader(), yield)
}

// AllIDs returns every post's id, ascending.
func (s Store) AllIDs(ctx context.Context, q db.Querier) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT id FROM posts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// LiveDocs yields the Public search document of every live post, made from
// the snapshot of the revision that went live.
func (s Store) LiveDocs(ctx context.Context, q db.Querier, yield func(search.Doc) error) error {
	rows, err := q.Query(ctx, `SELECT l.post_id, l.lang, l.slug, l.title, r.snapshot FROM post_live l
		JOIN post_revisions r ON r.post_id = l.post_id AND r.number = l.revision ORDER BY l.post_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var docs []search.Doc
	for rows.Next() {
		var d search.Doc
		var snap string
		if err := rows.Scan(&d.ID, &d.Lang, &d.Slug, &d.Title, &snap); err != nil {
			return err
		}
		var sn Snapshot
		if err := json.Unmarshal([]byte(snap), &sn); err != nil {
			return err
		}
		d.Kind, d.Scope = DocKind, search.Public
		d.Body, d.Tags = markdown.PlainText(sn.BodyMD), slices.Concat(sn.Tags, sn.Categories)
		docs = append(docs, d)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, d := range docs {
		if err := yield(d); err != nil {
			return err
		}
	}
	return nil
}

package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// MaxDims is the longest embedding the index keeps (migration 0014).
const MaxDims = 4096

// ErrVectorsUnavailable says the database cannot compare vectors: on
// PostgreSQL the pgvector extension is not installed in it (an operator
// runs `CREATE EXTENSION vector` as a superuser). Callers then rank by full
// text alone.
var ErrVectorsUnavailable = errors.New("search: vector search needs the pgvector extension (CREATE EXTENSION vector)")

// ErrBadVector is a programming error: an empty, too long or non-finite
// embedding, or one without a model.
var ErrBadVector = errors.New("search: an embedding needs a model and 1 to 4096 finite numbers")

// VectorDoc is the embedding of one document of the full-text index (the
// same Kind, ID and Scope), made by Model.
type VectorDoc struct {
	Kind  string
	ID    int64
	Scope Scope
	Lang  string
	Model string
	Vec   []float32
}

// VectorQuery asks for the documents whose embeddings (made by Model, of
// Vec's length) are nearest to Vec by cosine distance.
type VectorQuery struct {
	Vec   []float32
	Model string
	Scope Scope
	Kinds []string // empty: every kind
	Lang  string   // empty: every language
	Limit int      // 1..MaxLimit
}

// VectorHit is one document near a VectorQuery: Distance is the cosine
// distance, 0 (same direction) to 2 (opposite).
type VectorHit struct {
	Kind     string
	ID       int64
	Distance float64
}

func checkVector(model string, v []float32) error {
	if model == "" || len(v) == 0 || len(v) > MaxDims {
		return ErrBadVector
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return ErrBadVector
		}
	}
	return nil
}

// VectorsAvailable reports whether this database compares vectors:
// nil on SQLite (sqlite-vec is compiled into the driver), and on
// PostgreSQL when the pgvector extension is installed in the database.
func (ix *Index) VectorsAvailable(ctx context.Context) error {
	if ix.d.Engine != db.Postgres {
		return nil
	}
	var n int
	if err := ix.d.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM pg_extension WHERE extname = 'vector'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrVectorsUnavailable
	}
	return nil
}

// PutVector writes d's embedding in tx, replacing the one of the same
// (Kind, ID, Scope); it needs no extension (vectors are only compared by
// Nearest). An embedding stands for the document's text: write a new one
// in the transaction that Puts changed text. Remove and Rebuild drop the
// embeddings of the documents they drop.
func (ix *Index) PutVector(ctx context.Context, tx *db.Tx, d VectorDoc) error {
	if err := checkScope(d.Scope); err != nil {
		return err
	}
	if err := checkVector(d.Model, d.Vec); err != nil {
		return err
	}
	emb, cast := any(vecBlob(d.Vec)), "?"
	if ix.d.Engine == db.Postgres {
		emb, cast = pgArray(d.Vec), "CAST(? AS real[])"
	}
	_, err := tx.Exec(ctx, `INSERT INTO search_vectors (kind, id, scope, lang, model, dims, embedding)
		VALUES (?, ?, ?, ?, ?, ?, `+cast+`)
		ON CONFLICT (kind, id, scope) DO UPDATE SET lang = excluded.lang, model = excluded.model,
			dims = excluded.dims, embedding = excluded.embedding`,
		d.Kind, d.ID, string(d.Scope), d.Lang, d.Model, len(d.Vec), emb)
	return err
}

// RemoveVector deletes the embedding of (kind, id, scope) in tx, if any.
func (ix *Index) RemoveVector(ctx context.Context, tx *db.Tx, kind string, id int64, scope Scope) error {
	if err := checkScope(scope); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM search_vectors WHERE kind = ? AND id = ? AND scope = ?`, kind, id, string(scope))
	return err
}

// Nearest answers the documents of q.Scope whose embeddings were made by
// q.Model with q.Vec's length, nearest first (ties by id, newest first), at
// most q.Limit. It compares every candidate (no approximate index): fit for
// knowledge bases of tens of thousands of documents. On PostgreSQL without
// pgvector it answers ErrVectorsUnavailable.
func (ix *Index) Nearest(ctx context.Context, q VectorQuery) ([]VectorHit, error) {
	if err := validate(Query{Scope: q.Scope, Limit: q.Limit}, q.Limit, MaxLimit); err != nil {
		return nil, err
	}
	if err := checkVector(q.Model, q.Vec); err != nil {
		return nil, err
	}
	var vec any = vecBlob(q.Vec)
	dist := "vec_distance_cosine(embedding, ?)"
	if ix.d.Engine == db.Postgres {
		if err := ix.VectorsAvailable(ctx); err != nil {
			return nil, err
		}
		vec, dist = pgVector(q.Vec), "(CAST(embedding AS vector) <=> CAST(? AS vector))"
	}
	where, args := "scope = ? AND model = ? AND dims = ?", []any{vec, string(q.Scope), q.Model, len(q.Vec)}
	if q.Lang != "" {
		where += " AND lang = ?"
		args = append(args, q.Lang)
	}
	if len(q.Kinds) > 0 {
		where += " AND kind IN (?" + strings.Repeat(", ?", len(q.Kinds)-1) + ")"
		for _, k := range q.Kinds {
			args = append(args, k)
		}
	}
	rs, err := ix.d.Reader().Query(ctx, `SELECT kind, id, `+dist+` AS d FROM search_vectors WHERE `+where+`
		ORDER BY d, id DESC LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("search: nearest: %w", err)
	}
	defer rs.Close()
	var out []VectorHit
	for rs.Next() {
		var h VectorHit
		if err := rs.Scan(&h.Kind, &h.ID, &h.Distance); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rs.Err()
}

// FusedHit is one document of a fused ranking: Score is its reciprocal
// rank fusion score (higher is better), Text and Vector its 1-based ranks
// in each list (0: not in it).
type FusedHit struct {
	Kind         string
	ID           int64
	Score        float64
	Text, Vector int
}

// RRFK is reciprocal rank fusion's constant (Cormack, Clarke and Büttcher,
// SIGIR 2009): a document's score is the sum of 1/(RRFK + rank) over the
// rankings it appears in.
const RRFK = 60

// Fuse merges a full-text ranking and a vector ranking of the same scope
// by reciprocal rank fusion: documents found by both rise, and neither
// ranking's scores (not comparable with each other) are needed. Best first;
// ties go to the better full-text rank, then the newer id.
func Fuse(text []Hit, vector []VectorHit) []FusedHit {
	type key struct {
		kind string
		id   int64
	}
	at := map[key]int{}
	var out []FusedHit
	add := func(k key, rank int, isText bool) {
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, FusedHit{Kind: k.kind, ID: k.id})
		}
		out[i].Score += 1 / float64(RRFK+rank)
		if isText {
			out[i].Text = rank
		} else {
			out[i].Vector = rank
		}
	}
	for i, h := range text {
		add(key{h.Kind, h.ID}, i+1, true)
	}
	for i, h := range vector {
		add(key{h.Kind, h.ID}, i+1, false)
	}
	textRank := func(h FusedHit) int {
		if h.Text == 0 {
			return math.MaxInt
		}
		return h.Text
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if textRank(a) != textRank(b) {
			return textRank(a) < textRank(b)
		}
		return a.ID > b.ID
	})
	return out
}

// vecBlob is sqlite-vec's compact form of v: little-endian float32s.
func vecBlob(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// pgArray is v as a PostgreSQL real[] literal; pgVector as a pgvector one.
func pgArray(v []float32) string  { return "{" + joinFloats(v) + "}" }
func pgVector(v []float32) string { return "[" + joinFloats(v) + "]" }

func joinFloats(v []float32) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
	}
	return b.String()
}

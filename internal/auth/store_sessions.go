package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/readbatch"
)

// SessionStore keeps sessions: in Redis when configured, else the database.
// Errors other than ErrNoSession mean the store is unavailable, and the
// request fails closed.
type SessionStore interface {
	// Create stores a new session and returns it with its ID.
	Create(ctx context.Context, s Session, ttl time.Duration) (Session, error)
	Get(ctx context.Context, idHash string) (Session, error)
	// Touch records activity and extends the idle timeout to ttl; it never
	// recreates a session deleted meanwhile (ErrNoSession).
	Touch(ctx context.Context, s Session, ttl time.Duration) error
	Delete(ctx context.Context, idHash string) error
	DeleteUser(ctx context.Context, userID int64) error
}

// DBSessions keeps sessions in the sessions table. In the production mode
// the table is the index of sessions behind RedisSessions (listing and
// revoking by id), and Redis answers the per-request lookups.
type DBSessions struct{ DB *db.DB }

// Create implements SessionStore.
func (s DBSessions) Create(ctx context.Context, se Session, _ time.Duration) (Session, error) {
	err := db.Scan(s.DB.Writer().QueryRow(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, se.IDHash, se.UserID, se.CSRFToken, se.IP, se.UserAgent, se.CreatedAt, se.LastSeenAt), &se.ID)
	return se, err
}

// ForgetExpired deletes a user's sessions created before absoluteBefore or
// idle since idleBefore.
func (s DBSessions) ForgetExpired(ctx context.Context, userID int64, absoluteBefore, idleBefore time.Time) error {
	_, err := s.DB.Writer().Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND (created_at < ? OR last_seen_at < ?)`,
		userID, absoluteBefore, idleBefore)
	return err
}

const sessionCols = `id, id_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var se Session
	err := row.Scan(&se.ID, &se.IDHash, &se.UserID, &se.CSRFToken, &se.IP, &se.UserAgent, db.Time{T: &se.CreatedAt}, db.Time{T: &se.LastSeenAt})
	if errors.Is(err, db.ErrNoRows) {
		return se, ErrNoSession
	}
	return se, err
}

// Get implements SessionStore.
func (s DBSessions) Get(ctx context.Context, idHash string) (Session, error) {
	return scanSession(s.DB.Reader().QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id_hash = ?`, idHash))
}

// ByID returns the session with a public id.
func (s DBSessions) ByID(ctx context.Context, id int64) (Session, error) {
	return scanSession(s.DB.Reader().QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id))
}

// OtherHashes lists the id hashes of a user's sessions but keep.
func (s DBSessions) OtherHashes(ctx context.Context, userID int64, keep string) ([]string, error) {
	rows, err := s.DB.Reader().Query(ctx, `SELECT id_hash FROM sessions WHERE user_id = ? AND id_hash <> ?`, userID, keep)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	return hashes, rows.Err()
}

// Touch implements SessionStore.
func (s DBSessions) Touch(ctx context.Context, se Session, _ time.Duration) error {
	res, err := s.DB.Writer().Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, se.LastSeenAt, se.IDHash)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoSession
	}
	return nil
}

// Delete implements SessionStore.
func (s DBSessions) Delete(ctx context.Context, idHash string) error {
	_, err := s.DB.Writer().Exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// DeleteUser implements SessionStore.
func (s DBSessions) DeleteUser(ctx context.Context, userID int64) error {
	_, err := s.DB.Writer().Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// sessionScope is whose live sessions a list shows: those of UserID, or
// (Others) also those of every user who is no superuser and holds none of
// the roles Above; with neither, everyone's. Live means created after
// CreatedAfter and seen after SeenAfter.
type sessionScope struct {
	UserID                  int64
	Others                  bool
	Above                   []int64
	CreatedAfter, SeenAfter time.Time
}

// where is the scope's WHERE clause over sessions s; the list's cursors
// are bound to it.
func (sc sessionScope) where() (string, []any) {
	where, args := `s.user_id = ?`, []any{sc.UserID}
	switch {
	case sc.Others:
		where = `(s.user_id = ? OR s.user_id NOT IN (SELECT id FROM users WHERE is_superuser = ?)`
		args = []any{sc.UserID, true}
		if len(sc.Above) > 0 {
			where += ` AND s.user_id NOT IN (SELECT user_id FROM user_roles WHERE role_id IN (?` + strings.Repeat(", ?", len(sc.Above)-1) + `))`
			for _, id := range sc.Above {
				args = append(args, id)
			}
		}
		where += `)`
	case sc.UserID == 0:
		where, args = `1 = 1`, nil
	}
	where += ` AND s.created_at > ? AND s.last_seen_at > ?`
	return where, append(args, sc.CreatedAfter, sc.SeenAfter)
}

// List runs the scope's list with tail (ORDER BY, LIMIT) appended.
func (s DBSessions) List(ctx context.Context, sc sessionScope, tail string, tailArgs ...any) ([]SessionView, error) {
	where, args := sc.where()
	rows, err := s.DB.Reader().Query(ctx, `SELECT s.id, s.user_id, u.email, s.ip, s.user_agent, s.created_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE `+where+tail, append(args, tailArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SessionView{}
	for rows.Next() {
		var v SessionView
		if err := rows.Scan(&v.ID, &v.User.ID, &v.User.Email, &v.IP, &v.UserAgent, db.Time{T: &v.CreatedAt}, db.Time{T: &v.LastSeenAt}); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Count counts the scope's sessions.
func (s DBSessions) Count(ctx context.Context, sc sessionScope) (total int64, err error) {
	where, args := sc.where()
	err = db.Scan(s.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM sessions s WHERE `+where, args...), &total)
	return total, err
}

// RedisSessions keeps sessions in Redis with a TTL equal to what is left
// of the idle timeout. Lookups go through Reads, which shares round trips
// among concurrent requests but never answers with a read made before the
// lookup began: a deleted session is gone for every later request.
type RedisSessions struct {
	index   DBSessions
	c       redis.UniversalClient
	reads   *readbatch.Batcher
	prefix  string
	timeout time.Duration
	decoded *decodeMemo[Session]
}

// NewRedisSessions returns a Redis session store; see RedisSessions.
func NewRedisSessions(index DBSessions, c redis.UniversalClient, reads *readbatch.Batcher, prefix string, timeout time.Duration) RedisSessions {
	return RedisSessions{index: index, c: c, reads: reads, prefix: prefix, timeout: timeout, decoded: newDecodeMemo[Session](10_000)}
}

func (s RedisSessions) key(idHash string) string { return s.prefix + "sess:" + idHash }
func (s RedisSessions) userKey(uid int64) string {
	return s.prefix + "usess:" + itoa(uid)
}

func (s RedisSessions) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	t := s.timeout
	if t <= 0 {
		t = 500 * time.Millisecond
	}
	return context.WithTimeout(ctx, t)
}

// Create implements SessionStore: the index row first (it gives the id),
// then the live session in Redis.
func (s RedisSessions) Create(ctx context.Context, se Session, ttl time.Duration) (Session, error) {
	se, err := s.index.Create(ctx, se, ttl)
	if err != nil {
		return se, err
	}
	rctx, cancel := s.ctx(ctx)
	defer cancel()
	b, _ := json.Marshal(se)
	// The user's set first, then the session: a session is never live
	// without being in the set DeleteUser reads (the two keys may live on
	// different cluster nodes, so they cannot share a transaction).
	pipe := s.c.Pipeline()
	pipe.SAdd(rctx, s.userKey(se.UserID), se.IDHash)
	pipe.Expire(rctx, s.userKey(se.UserID), 30*24*time.Hour)
	_, err = pipe.Exec(rctx)
	if err == nil {
		err = s.c.Set(rctx, s.key(se.IDHash), b, ttl).Err()
	}
	if err != nil {
		_ = s.index.Delete(ctx, se.IDHash)
		return se, err
	}
	return se, nil
}

// Get implements SessionStore.
func (s RedisSessions) Get(ctx context.Context, idHash string) (Session, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	res := s.reads.Get(ctx, s.key(idHash))[0]
	if errors.Is(res.Err, readbatch.ErrMissing) {
		return Session{}, ErrNoSession
	}
	if res.Err != nil {
		return Session{}, res.Err
	}
	se, err := s.decoded.decode(idHash, res.Value)
	if err != nil {
		return Session{}, ErrNoSession
	}
	se.IDHash = idHash
	return se, nil
}

// Touch implements SessionStore. The index's last-seen time is
// bookkeeping for the sessions list: failing to write it fails nothing.
func (s RedisSessions) Touch(ctx context.Context, se Session, ttl time.Duration) error {
	rctx, cancel := s.ctx(ctx)
	defer cancel()
	b, _ := json.Marshal(se)
	err := s.c.SetArgs(rctx, s.key(se.IDHash), b, redis.SetArgs{Mode: "XX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return ErrNoSession
	}
	if err == nil {
		_ = s.index.Touch(ctx, se, ttl)
	}
	return err
}

// Delete implements SessionStore: Redis first, so the session is dead at
// once even if the index row outlives a failure.
func (s RedisSessions) Delete(ctx context.Context, idHash string) error {
	rctx, cancel := s.ctx(ctx)
	defer cancel()
	if err := s.c.Del(rctx, s.key(idHash)).Err(); err != nil {
		return err
	}
	return s.index.Delete(ctx, idHash)
}

// DeleteUser implements SessionStore.
func (s RedisSessions) DeleteUser(ctx context.Context, userID int64) error {
	if err := s.deleteUserLive(ctx, userID); err != nil {
		return err
	}
	return s.index.DeleteUser(ctx, userID)
}

func (s RedisSessions) deleteUserLive(ctx context.Context, userID int64) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	ids, err := s.c.SMembers(ctx, s.userKey(userID)).Result()
	if err != nil {
		return err
	}
	// one DEL per key: a cluster refuses one command over several slots
	_, err = s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ids {
			p.Del(ctx, s.key(id))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.c.Del(ctx, s.userKey(userID)).Err()
}

package posts

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// PresenceTTL is how long a heartbeat keeps an editor present; the editor
// sends one about every 15 seconds.
const PresenceTTL = 30 * time.Second

// PresenceStore keeps who has which post open, across instances (Redis)
// or in this process (the embedded default).
type PresenceStore interface {
	// Beat marks e present on post until now+ttl and returns everyone
	// present; changed reports whether the set differs from before (e
	// arrived, or someone's presence lapsed).
	Beat(ctx context.Context, post int64, e Editor, now time.Time, ttl time.Duration) (present []Editor, changed bool, err error)
	// Leave removes user from post; changed reports whether they were there.
	Leave(ctx context.Context, post, user int64, now time.Time) (changed bool, err error)
}

// SetPresence sets the presence store (NewRedisPresence in production).
func (s *Service) SetPresence(p PresenceStore) { s.presence = p }

// Heartbeat marks the caller as having the post open and returns the
// others who do. When the set changes, an event {"event":"presence","id"}
// on resource posts tells open editors to ask again.
func (s *Service) Heartbeat(ctx context.Context, id int64) (Presence, error) {
	pr, err := authz.Require(ctx, content.PermView)
	if err != nil {
		return Presence{}, err
	}
	if pr.UserID == 0 {
		return Presence{}, apperr.New(apperr.PermissionDenied, "presence is for users")
	}
	ok, err := s.store.Exists(ctx, s.db.Reader(), id)
	if err != nil {
		return Presence{}, err
	}
	if !ok {
		return Presence{}, errNotFound
	}
	name := pr.Name
	if name == "" {
		name = pr.Email
	}
	all, changed, err := s.presence.Beat(ctx, id, Editor{ID: pr.UserID, Name: name}, s.now(), PresenceTTL)
	if err != nil {
		return Presence{}, err
	}
	if changed {
		s.announce(ctx, "presence", id)
	}
	others := []Editor{}
	for _, e := range all {
		if e.ID != pr.UserID {
			others = append(others, e)
		}
	}
	return Presence{Editors: others}, nil
}

// Leave removes the caller from a post's editors.
func (s *Service) Leave(ctx context.Context, id int64) error {
	pr, err := authz.Require(ctx, content.PermView)
	if err != nil {
		return err
	}
	changed, err := s.presence.Leave(ctx, id, pr.UserID, s.now())
	if err != nil {
		return err
	}
	if changed {
		s.announce(ctx, "presence", id)
	}
	return nil
}

// MemoryPresence is the in-process presence store.
type MemoryPresence struct {
	mu    sync.Mutex
	posts map[int64]map[int64]memEntry
}

type memEntry struct {
	name    string
	expires time.Time
}

// NewMemoryPresence returns an empty in-process store.
func NewMemoryPresence() *MemoryPresence {
	return &MemoryPresence{posts: map[int64]map[int64]memEntry{}}
}

func (m *MemoryPresence) sweep(post int64, now time.Time) bool {
	lapsed := false
	for id, e := range m.posts[post] {
		if !e.expires.After(now) {
			delete(m.posts[post], id)
			lapsed = true
		}
	}
	return lapsed
}

// Beat implements PresenceStore.
func (m *MemoryPresence) Beat(_ context.Context, post int64, e Editor, now time.Time, ttl time.Duration) ([]Editor, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	changed := m.sweep(post, now)
	if m.posts[post] == nil {
		m.posts[post] = map[int64]memEntry{}
	}
	if _, ok := m.posts[post][e.ID]; !ok {
		changed = true
	}
	m.posts[post][e.ID] = memEntry{name: e.Name, expires: now.Add(ttl)}
	out := make([]Editor, 0, len(m.posts[post]))
	for id, x := range m.posts[post] {
		out = append(out, Editor{ID: id, Name: x.name})
	}
	slices.SortFunc(out, func(a, b Editor) int { return int(a.ID - b.ID) })
	return out, changed, nil
}

// Leave implements PresenceStore.
func (m *MemoryPresence) Leave(_ context.Context, post, user int64, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, was := m.posts[post][user]
	delete(m.posts[post], user)
	m.sweep(post, now)
	if len(m.posts[post]) == 0 {
		delete(m.posts, post)
	}
	return was, nil
}

// RedisPresence keeps presence in Redis, shared by every instance: per
// post a sorted set of user ids scored by expiry (ms) and a hash of their
// names, under one hash tag so a cluster keeps them on one node.
type RedisPresence struct {
	Client redis.UniversalClient
	Prefix string
}

// NewRedisPresence returns the Redis presence store.
func NewRedisPresence(c redis.UniversalClient, prefix string) *RedisPresence {
	return &RedisPresence{Client: c, Prefix: prefix}
}

func (r *RedisPresence) keys(post int64) (set, names string) {
	tag := r.Prefix + "presence:{post:" + strconv.FormatInt(post, 10) + "}"
	return tag + ":who", tag + ":names"
}

// Beat implements PresenceStore.
func (r *RedisPresence) Beat(ctx context.Context, post int64, e Editor, now time.Time, ttl time.Duration) ([]Editor, bool, error) {
	set, names := r.keys(post)
	member := strconv.FormatInt(e.ID, 10)
	var lapsed *redis.IntCmd
	var added *redis.IntCmd
	var who *redis.StringSliceCmd
	_, err := r.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		lapsed = p.ZRemRangeByScore(ctx, set, "-inf", strconv.FormatInt(now.UnixMilli(), 10))
		added = p.ZAdd(ctx, set, redis.Z{Score: float64(now.Add(ttl).UnixMilli()), Member: member})
		p.HSet(ctx, names, member, e.Name)
		p.PExpire(ctx, set, 2*ttl)
		p.PExpire(ctx, names, 2*ttl)
		who = p.ZRange(ctx, set, 0, -1)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	ids := who.Val()
	out := make([]Editor, 0, len(ids))
	if len(ids) > 0 {
		vals, err := r.Client.HMGet(ctx, names, ids...).Result()
		if err != nil {
			return nil, false, err
		}
		for i, m := range ids {
			id, _ := strconv.ParseInt(m, 10, 64)
			name, _ := vals[i].(string)
			out = append(out, Editor{ID: id, Name: name})
		}
	}
	slices.SortFunc(out, func(a, b Editor) int { return int(a.ID - b.ID) })
	return out, lapsed.Val() > 0 || added.Val() > 0, nil
}

// Leave implements PresenceStore.
func (r *RedisPresence) Leave(ctx context.Context, post, user int64, _ time.Time) (bool, error) {
	set, names := r.keys(post)
	member := strconv.FormatInt(user, 10)
	var removed *redis.IntCmd
	_, err := r.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		removed = p.ZRem(ctx, set, member)
		p.HDel(ctx, names, member)
		return nil
	})
	if err != nil {
		return false, err
	}
	return removed.Val() > 0, nil
}

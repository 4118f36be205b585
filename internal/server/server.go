// Package server builds Pishkhan from its configuration: it opens the
// database, cache, event bus and session store for the chosen mode, wires
// the features and mounts their routes.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"github.com/pishkhan/pishkhan/internal/ai"
	"github.com/pishkhan/pishkhan/internal/auditlog"
	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/chat"
	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/content/posts"
	"github.com/pishkhan/pishkhan/internal/content/projects"
	"github.com/pishkhan/pishkhan/internal/content/public"
	"github.com/pishkhan/pishkhan/internal/jobadmin"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/people"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/jobs"
	"github.com/pishkhan/pishkhan/internal/platform/keys"
	"github.com/pishkhan/pishkhan/internal/platform/metrics"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
	"github.com/pishkhan/pishkhan/internal/platform/readbatch"
	"github.com/pishkhan/pishkhan/internal/platform/redisclient"
	"github.com/pishkhan/pishkhan/internal/platform/search"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
	"github.com/pishkhan/pishkhan/internal/stats"
	"github.com/pishkhan/pishkhan/internal/webhooks"
)

// Version is set at build time.
var Version = "dev"

func init() { redis.SetLogger(redisLogger{}) }

// redisLogger sends go-redis's own messages (reconnects, pool errors) to
// the structured log.
type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// sessionStoreTimeout bounds each Redis session operation; past it the
// request fails closed (503).
const sessionStoreTimeout = 500 * time.Millisecond

// Server is a built Pishkhan instance.
type Server struct {
	Cfg     config.Config
	DB      *db.DB
	Redis   redis.UniversalClient // nil in the embedded default; a *redis.ClusterClient for a cluster URL
	Cache   *cache.Cache
	Bus     events.Bus
	Hub     *events.Hub
	Auth    *auth.Service
	People  *people.Service
	Orders  *orders.Service
	Audit   *auditlog.Service
	Stats   *stats.Service
	Storage storage.Storage
	Media   *media.Service
	Queue   *jobs.Queue
	Jobs    *jobadmin.Service
	Posts   *posts.Service
	// Projects is the portfolio's panel API; Public the website's read API.
	Projects *projects.Service
	Public   *public.Service
	// Search is the full-text index over posts and projects.
	Search  *search.Index
	Router  *httpapi.Router
	Metrics *metrics.Metrics
	Handler http.Handler
	// AuditAnchor keeps the audit chain's signed checkpoint (see
	// docs/adr/0005-audit-anchor.md); set by New and OpenAuditAnchor.
	AuditAnchor *audit.Anchor
	// Webhooks is the content services' content.Notifier (its Notify).
	Webhooks *webhooks.Service
	// Chat is the website chatbot: FAQ, visitors' conversations, the inbox.
	Chat *chat.Service
	// AI is the AI room: providers (and what lands after them).
	AI *ai.Service

	// limiter counts per-key hits (Redis, else in process) for rate limits.
	limiter ratelimit.Counter

	cancel     context.CancelFunc
	readyRound singleflight.Group // see Ready
	draining   atomic.Bool        // set at SIGTERM: /readyz answers 503 (see Serve)
}

// Open connects the parts for cfg without checking migrations.
func Open(ctx context.Context, cfg config.Config) (*Server, error) {
	d, err := db.Open(ctx, cfg.DatabaseTarget())
	if err != nil {
		return nil, err
	}
	s := &Server{Cfg: cfg, DB: d}
	s.Metrics = metrics.New(d.SQL)
	cacheOpts := cache.Options{Prefix: cfg.CachePrefix, OpTimeout: cfg.CacheTimeout, Observe: s.Metrics.ObserveCache}
	var sessions auth.SessionStore
	var limiter ratelimit.Counter
	if cfg.RedisURL != "" {
		rdb, err := redisclient.Open(cfg.RedisURL)
		if err != nil {
			_ = d.Close()
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		s.Redis = rdb
		if err := traceRedis(s.Redis); err != nil {
			_ = d.Close()
			return nil, err
		}
		local := cacheOpts
		local.LocalEntries = cfg.CacheLocalEntries
		// Session and cache reads share round trips (see readbatch); a
		// flight may take as long as the session store's budget.
		reads := readbatch.New(readbatch.RedisFetch(s.Redis), sessionStoreTimeout)
		s.Cache = cache.New(cache.NewRedis(s.Redis, reads), local)
		s.Bus = events.NewRedis(s.Redis)
		sessions = auth.NewRedisSessions(auth.DBSessions{DB: d}, s.Redis, reads, cfg.CachePrefix, sessionStoreTimeout)
		limiter = ratelimit.NewRedis(s.Redis, cfg.CachePrefix)
	} else {
		s.Cache = cache.New(cache.NewMemory(100_000), cacheOpts)
		s.Bus = events.NewMemory()
		sessions = auth.DBSessions{DB: d}
		limiter = ratelimit.NewLocal()
	}
	s.Auth = auth.NewService(auth.Config{
		IdleTimeout: cfg.SessionIdleTimeout, AbsoluteTimeout: cfg.SessionAbsoluteTimeout,
		LoginAccountLimit: cfg.LoginAccountLimit, LoginIPLimit: cfg.LoginIPLimit, LoginWindow: cfg.LoginWindow,
	}, d, sessions, auth.NewHasher(cfg.HashConcurrency), limiter, s.Cache, s.Bus)
	s.limiter = limiter
	s.People = people.NewService(people.Config{PublicURL: cfg.PublicURL}, d, s.Cache, s.Auth, people.NewMailer(cfg.SMTPURL))
	return s, nil
}

// New opens everything, refuses a database whose migrations differ from
// this binary's, and builds the HTTP handler. Start the event hub with Run.
func New(ctx context.Context, cfg config.Config) (*Server, error) {
	s, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.DB.CheckCurrent(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := jobs.CheckCurrent(ctx, s.DB); err != nil {
		s.Close()
		return nil, err
	}
	key, err := s.signingKey(ctx, "pishkhan cursors")
	if err != nil {
		s.Close()
		return nil, err
	}
	if err := s.useTOTPKeys(ctx, key); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.People.EnsureBuiltinRoles(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("built-in roles: %w", err)
	}
	s.Audit = auditlog.NewService(s.DB, s.Cache, key)
	if err := s.OpenAuditAnchor(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.Metrics.AuditHead(s.auditHead)
	s.observeQueueAndCache()
	s.DB.OnCommit = func(ctx context.Context, tags []string) {
		s.Cache.Invalidate(ctx, tags...)
		if slices.Contains(tags, audit.Tag) {
			s.advanceAuditAnchor(ctx)
		}
	}
	s.Stats = stats.NewService(s.DB, s.Cache, s.Bus, stats.Config{Location: cfg.TimeZone,
		TodayTTL: time.Minute, ClosedDayTTL: 24 * time.Hour, OverviewTTL: cfg.CacheTTL, ReconcileDays: 3})
	s.Orders = orders.NewService(s.DB, s.Cache, s.Bus, s.Stats, key, cfg.CacheTTL)
	if err := s.openMedia(ctx, key); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openPosts(key); err != nil {
		s.Close()
		return nil, err
	}
	// webhooks: signing secrets sealed under SECRET_KEY (opened with SECRET_KEY_OLD too)
	webhookKey, err := secretKey(cfg)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Webhooks = webhooks.NewService(s.DB, s.Cache, s.Bus, webhooks.NewSealer(webhookKey, cfg.SecretKeysOld...),
		webhooks.Config{AllowPrivate: cfg.WebhooksAllowPrivate, TTL: cfg.CacheTTL}, key)
	if err := s.Webhooks.CheckKeys(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openAI(ctx, webhookKey, key); err != nil {
		s.Close()
		return nil, err
	}
	if s.Queue, err = s.newQueue(); err != nil {
		s.Close()
		return nil, err
	}
	s.Media.SetQueue(s.Queue)
	s.Posts.SetQueue(s.Queue)
	s.Webhooks.SetQueue(s.Queue)
	s.Posts.SetNotifier(s.Webhooks)
	s.Jobs = jobadmin.NewService(s.DB, s.Queue.Client, s.Bus, key)
	if err := s.openPublicContent(key); err != nil {
		s.Close()
		return nil, err
	}
	s.openChat(key)
	s.Hub = events.NewHub(map[string]authz.Permission{orders.Resource: orders.PermView, auth.AuthzResource: "",
		stats.Resource: stats.PermView, jobadmin.Resource: jobadmin.PermManage, media.Resource: media.PermView,
		auth.SessionsResource: "", auth.TokensResource: "",
		content.ResourcePosts: content.PermView, content.ResourceProjects: content.PermView,
		webhooks.Resource:          webhooks.PermManage,
		chat.ResourceConversations: chat.PermView, chat.ResourceFAQ: chat.PermView, chat.ResourceCanned: chat.PermView,
		ai.Resource: ai.PermManage,
	}, cfg.SSEHeartbeat, 64)
	s.Hub.Personal(auth.AuthzResource, people.PermViewUsers, people.PermManageUsers, people.PermManageRoles)
	s.Hub.Personal(auth.SessionsResource, auth.PermManageUsers)
	s.Hub.Personal(auth.TokensResource)
	s.routes()
	bgCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	if err := s.Hub.Run(bgCtx, s.Bus); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.Chat.Run(bgCtx); err != nil {
		s.Close()
		return nil, err
	}
	go s.Cache.PayOwedBumps(bgCtx, 200*time.Millisecond)
	if err := s.startJobs(bgCtx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenAuditAnchor sets AuditAnchor: the checkpoint lives in Redis when
// REDIS_URL is set, else in a file in DATA_DIR (beside, never inside, the
// embedded database), signed with a key derived from SECRET_KEY (checked
// with those from SECRET_KEY_OLD too, so a rotation keeps it valid).
func (s *Server) OpenAuditAnchor(ctx context.Context) error {
	key, err := secretKey(s.Cfg)
	if err != nil {
		return err
	}
	var store audit.CheckpointStore = audit.FileCheckpoints{Path: filepath.Join(s.Cfg.DataDir, "audit-checkpoint.json")}
	if s.Redis != nil {
		store = audit.RedisCheckpoints{Client: s.Redis, Key: s.Cfg.CachePrefix + cache.KeepPrefix + "audit:checkpoint"}
	}
	s.AuditAnchor = &audit.Anchor{Store: store, Key: auditCheckpointKey(key)}
	for _, old := range s.Cfg.SecretKeysOld {
		s.AuditAnchor.OldKeys = append(s.AuditAnchor.OldKeys, auditCheckpointKey(old))
	}
	return nil
}

// auditCheckpointKey derives the key that signs audit checkpoints from a
// SECRET_KEY, which is never stored in the database: a database dump
// alone cannot forge a checkpoint.
func auditCheckpointKey(secret []byte) []byte {
	return keys.Derive(secret, "pishkhan audit checkpoint")
}

// advanceAuditAnchor moves the checkpoint after a commit that wrote audit
// rows. The change is committed already: a failure is logged (audit
// verify reports what it means), never returned to the client, and a slow
// store delays the answer by at most auditAnchorTimeout (the next change
// catches the checkpoint up).
func (s *Server) advanceAuditAnchor(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditAnchorTimeout)
	defer cancel()
	if err := s.AuditAnchor.Advance(ctx, s.DB.Reader()); err != nil {
		slog.ErrorContext(ctx, "audit checkpoint not advanced", "err", err)
	}
}

// auditAnchorTimeout bounds a checkpoint advance after a commit.
const auditAnchorTimeout = 500 * time.Millisecond

// auditHead feeds the /metrics gauges from the stored checkpoint.
func (s *Server) auditHead() (int64, int64, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cp, _, err := s.AuditAnchor.Load(ctx)
	if err != nil || cp == nil {
		return 0, 0, false
	}
	return cp.HeadID, cp.Rows, true
}

// Close releases everything, first letting running jobs finish (or
// returning them to the queue).
func (s *Server) Close() {
	if s.Queue != nil {
		if err := s.Queue.Stop(context.Background()); err != nil {
			slog.Warn("stopping the job queue", "err", err)
		}
	}
	if s.cancel != nil {
		s.cancel()
	}
	if s.Cache != nil {
		s.Cache.Close()
	}
	if s.Redis != nil {
		_ = s.Redis.Close()
	}
	_ = s.DB.Close()
}

// EnsureFirstAdmin creates the first superuser on an empty database. The
// password is ADMIN_PASSWORD, or generated when that is empty; generated
// is that generated password (to show once), empty when the operator
// supplied one, which is never echoed.
func (s *Server) EnsureFirstAdmin(ctx context.Context) (email, generated string, created bool, err error) {
	has, err := s.People.HasUsers(ctx)
	if err != nil || has {
		return "", "", false, err
	}
	password := s.Cfg.AdminPassword
	if password == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return "", "", false, err
		}
		password = hex.EncodeToString(b)
		generated = password
	}
	if _, err := s.People.EnsureSuperuser(ctx, s.Cfg.AdminEmail, "Administrator", password); err != nil {
		return "", "", false, err
	}
	return s.Cfg.AdminEmail, generated, true, nil
}

func isStream(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/events") || chat.PublicStream(r)
}

// isUpload is a signed upload to local-disk storage: its signature bounds
// its size, and a large file may take longer than a request may.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, StoragePath+"/")
}

// isTransfer is a signed local-disk upload or download: its deadlines
// follow its size, not REQUEST_TIMEOUT.
func isTransfer(r *http.Request) bool {
	return (r.Method == http.MethodPut || r.Method == http.MethodGet) && strings.HasPrefix(r.URL.Path, StoragePath+"/")
}

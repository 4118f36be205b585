package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/platform/ratelimit"
)

// Cache tags: every provider write touches providersTag and the provider's tag.
const providersTag = "ai:providers"

func providerTag(id int64) string { return "ai:provider:" + strconv.FormatInt(id, 10) }

// Config tunes the room.
type Config struct {
	// TTL keeps cached reads (writes invalidate them).
	TTL time.Duration
	// Env is the provider the environment defines (none when its BaseURL is empty).
	Env EnvConfig
	// Observer is told of every provider call (metrics); may be nil.
	Observer llm.Observer
	// HTTPClient carries provider calls; nil: a plain client.
	HTTPClient *http.Client
	// CallTimeout bounds one provider call (llm.Config.Timeout); 0: llm's default.
	CallTimeout time.Duration
	// Location cuts the usage report's days and the budgets' days and months (TIMEZONE).
	Location *time.Location
	// Limiter counts each user's calls: at most RateLimit per RateWindow
	// (AI_RATE_LIMIT); nil: no limit.
	Limiter    ratelimit.Counter
	RateLimit  int
	RateWindow time.Duration
}

// Service holds the room's rules: permission check, validation, one
// transaction per change with its audit row, cache tags touched in it, then
// an event; and the choice of provider for a call.
type Service struct {
	db      *db.DB
	cache   *cache.Cache
	bus     events.Bus
	sealer  Sealer
	cursors paging.CursorCodec
	cfg     Config
	ledger  *llm.Ledger
	now     func() time.Time

	clientsMu sync.Mutex
	clients   map[int64]builtClient
}

// builtClient is a provider's client, valid while the provider's row
// keeps its version.
type builtClient struct {
	version int64
	client  *llm.Client
}

// NewService wires the service.
func NewService(d *db.DB, c *cache.Cache, bus events.Bus, sealer Sealer, cfg Config, cursorKey []byte) *Service {
	return &Service{db: d, cache: c, bus: bus, sealer: sealer, cursors: paging.CursorCodec{Key: cursorKey}, cfg: cfg,
		ledger: llm.NewLedger(d, cfg.Location), now: time.Now, clients: map[int64]builtClient{}}
}

var errProviderNotFound = apperr.New(apperr.NotFound, "no such AI provider")

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func touchProvider(tx *db.Tx, id int64) {
	tx.Touch(providersTag)
	tx.Touch(providerTag(id))
}

// changed runs after a commit (which invalidated the cache): announce.
func (s *Service) changed(ctx context.Context, kind string, id int64) {
	if err := s.bus.Publish(ctx, events.Event{Event: kind, Resource: Resource, ID: id}); err != nil {
		slog.WarnContext(ctx, "publishing an AI provider event failed", "provider_id", id, "err", err)
	}
}

// SyncEnvProvider makes the environment's provider row match Config.Env:
// created or rewritten when AI_BASE_URL is set, removed when it is not.
// Every instance runs it at start; instances given the same environment
// agree, and a change is audited (by no actor).
func (s *Service) SyncEnvProvider(ctx context.Context) error {
	// Instances starting together may race to create the row: the loser
	// finds the winner's row on its next round.
	var err error
	for range 3 {
		if err = s.syncEnvProvider(ctx); !errors.Is(err, errEnvRaced) {
			return err
		}
	}
	return fmt.Errorf("AI_BASE_URL: a provider made in the panel is named %q; rename it first", EnvProviderName)
}

// errEnvRaced: creating the environment's row met a row of the same name.
var errEnvRaced = errors.New("the environment provider's name is taken")

func (s *Service) syncEnvProvider(ctx context.Context) error {
	env := s.cfg.Env
	now := s.stamp()
	var kind string
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getEnvProvider(ctx, tx)
		if err != nil && !errors.Is(err, errNoRow) {
			return err
		}
		exists := err == nil
		if env.BaseURL == "" {
			if !exists {
				return nil
			}
			if err := deleteProvider(ctx, tx, cur.ID); err != nil {
				return err
			}
			kind, id = "deleted", cur.ID
			touchProvider(tx, cur.ID)
			return audit.Record(ctx, tx, audit.Entry{Action: "ai.providers.env_remove", ResourceType: "ai_provider",
				ResourceID: strconv.FormatInt(cur.ID, 10), Changes: map[string]audit.Change{"base_url": {From: cur.BaseURL}}})
		}
		currency := env.Currency
		if currency == "" {
			currency = "USD"
		}
		want := storedProvider{Provider: Provider{Name: EnvProviderName, Source: SourceEnv, BaseURL: env.BaseURL,
			ChatModel: env.ChatModel, ImageModel: env.ImageModel, EmbeddingModel: env.EmbeddingModel,
			InputPricePerMillion: env.InputPricePerMillion, OutputPricePerMillion: env.OutputPricePerMillion,
			ImagePrice: env.ImagePrice, Currency: currency, StreamUsage: env.StreamUsage, Enabled: true}}
		if !exists {
			nid, err := insertProvider(ctx, tx, want, 0, now)
			if db.IsUnique(err) {
				return errEnvRaced
			}
			if err != nil {
				return err
			}
			kind, id = "created", nid
			touchProvider(tx, nid)
			return audit.Record(ctx, tx, audit.Entry{Action: "ai.providers.env_sync", ResourceType: "ai_provider",
				ResourceID: strconv.FormatInt(nid, 10), Changes: envChanges(storedProvider{}, want)})
		}
		changes := envChanges(cur, want)
		if len(changes) == 0 {
			return nil
		}
		want.ID, want.IsDefault, want.CreatedBy = cur.ID, cur.IsDefault, cur.CreatedBy
		if err := updateProvider(ctx, tx, want, now); err != nil {
			return err
		}
		kind, id = "updated", cur.ID
		touchProvider(tx, cur.ID)
		return audit.Record(ctx, tx, audit.Entry{Action: "ai.providers.env_sync", ResourceType: "ai_provider",
			ResourceID: strconv.FormatInt(cur.ID, 10), Changes: changes})
	})
	if err != nil {
		return err
	}
	if kind != "" {
		s.changed(ctx, kind, id)
	}
	return nil
}

// envChanges lists what differs between the stored environment provider
// and the environment.
func envChanges(cur, want storedProvider) map[string]audit.Change {
	out := map[string]audit.Change{}
	add := func(field string, from, to any) {
		if from != to {
			out[field] = audit.Change{From: from, To: to}
		}
	}
	add("base_url", cur.BaseURL, want.BaseURL)
	add("chat_model", cur.ChatModel, want.ChatModel)
	add("image_model", cur.ImageModel, want.ImageModel)
	add("embedding_model", cur.EmbeddingModel, want.EmbeddingModel)
	add("input_price_per_million", cur.InputPricePerMillion, want.InputPricePerMillion)
	add("output_price_per_million", cur.OutputPricePerMillion, want.OutputPricePerMillion)
	add("image_price", cur.ImagePrice, want.ImagePrice)
	add("currency", cur.Currency, want.Currency)
	add("stream_usage", cur.StreamUsage, want.StreamUsage)
	add("enabled", cur.Enabled, want.Enabled)
	return out
}

// view is the provider as the API shows it: the environment's key is in
// the environment, not in the row.
func (s *Service) view(p storedProvider) Provider {
	out := p.Provider
	if p.Source == SourceEnv {
		out.HasKey = s.cfg.Env.APIKey != ""
	}
	return out
}

// ListProviders returns the providers, newest first, as the encoded envelope.
func (s *Service) ListProviders(ctx context.Context, _ struct{}, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, "", err
	}
	const binding = "ai:providers"
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	page := fmt.Sprintf("p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	return s.cache.Fetch(ctx, Resource, "ai:providers:list:"+cache.KeyHash(page), []string{providersTag}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			return db.NewestFirst(pr, s.cursors, binding, after, "p.id",
				func(tail string, args ...any) ([]Provider, error) {
					rows, err := listProviders(ctx, s.db.Reader(), tail, args...)
					out := make([]Provider, 0, len(rows))
					for _, p := range rows {
						out = append(out, s.view(p))
					}
					return out, err
				},
				func() (int64, error) { return countProviders(ctx, s.db.Reader()) },
				func(p Provider) int64 { return p.ID })
		})
}

// GetProvider returns one provider as the encoded body; its ETag is what
// PATCH and DELETE's If-Match are compared with.
func (s *Service) GetProvider(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, Resource, "ai:provider:"+strconv.FormatInt(id, 10), []string{providerTag(id)}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			p, err := getProvider(ctx, s.db.Reader(), id)
			if errors.Is(err, errNoRow) {
				return nil, errProviderNotFound
			}
			if err != nil {
				return nil, err
			}
			return json.Marshal(s.view(p))
		})
}

// CreateProvider adds a provider managed in the panel.
func (s *Service) CreateProvider(ctx context.Context, in CreateInput) (Provider, error) {
	p, err := authz.Require(ctx, PermManage)
	if err != nil {
		return Provider{}, err
	}
	if err := in.Validate(); err != nil {
		return Provider{}, err
	}
	sealed, err := s.sealer.seal(in.APIKey)
	if err != nil {
		return Provider{}, err
	}
	currency := in.Currency
	if currency == "" {
		currency = "USD"
	}
	row := storedProvider{Provider: Provider{Name: in.Name, Source: SourcePanel, BaseURL: in.BaseURL,
		ChatModel: in.ChatModel, ImageModel: in.ImageModel, EmbeddingModel: in.EmbeddingModel,
		InputPricePerMillion: in.InputPricePerMillion, OutputPricePerMillion: in.OutputPricePerMillion,
		ImagePrice: in.ImagePrice, Currency: currency, StreamUsage: in.StreamUsage == nil || *in.StreamUsage,
		Enabled: in.Enabled == nil || *in.Enabled, IsDefault: in.IsDefault}, sealedKey: sealed}
	now := s.stamp()
	var out storedProvider
	var undefaulted []int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if row.IsDefault {
			ids, err := clearDefault(ctx, tx, 0, now)
			if err != nil {
				return err
			}
			undefaulted = ids
			for _, id := range ids {
				touchProvider(tx, id)
			}
		}
		id, err := insertProvider(ctx, tx, row, p.UserID, now)
		if db.IsUnique(err) {
			return apperr.Taken("name", "the name")
		}
		if err != nil {
			return err
		}
		touchProvider(tx, id)
		changes := providerChanges(storedProvider{}, row)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "ai.providers.create", ResourceType: "ai_provider",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		out, err = getProvider(ctx, tx, id)
		return err
	})
	if err != nil {
		return Provider{}, err
	}
	for _, id := range undefaulted {
		s.changed(ctx, "updated", id)
	}
	s.changed(ctx, "created", out.ID)
	return s.view(out), nil
}

// providerChanges is the audit row's changes from cur to next. The key
// appears only as whether one is set.
func providerChanges(cur, next storedProvider) map[string]audit.Change {
	out := envChanges(cur, next)
	if cur.Name != next.Name {
		out["name"] = audit.Change{From: cur.Name, To: next.Name}
	}
	if cur.IsDefault != next.IsDefault {
		out["is_default"] = audit.Change{From: cur.IsDefault, To: next.IsDefault}
	}
	if cur.sealedKey != next.sealedKey {
		out["has_key"] = audit.Change{From: cur.sealedKey != "", To: next.sealedKey != ""}
		if cur.sealedKey != "" && next.sealedKey != "" {
			out["has_key"] = audit.Change{From: "a key", To: "another key"}
		}
	}
	return out
}

// PatchProvider changes what in names. ifMatch, when set, must be the ETag
// of the caller's view of the provider (GET's ETag); a stale one is 412.
// The environment's provider is read-only.
func (s *Service) PatchProvider(ctx context.Context, id int64, in PatchInput, ifMatch string) (Provider, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return Provider{}, err
	}
	if err := in.Validate(); err != nil {
		return Provider{}, err
	}
	var sealed *string
	if in.APIKey != nil {
		v, err := s.sealer.seal(*in.APIKey)
		if err != nil {
			return Provider{}, err
		}
		sealed = &v
	}
	now := s.stamp()
	var out storedProvider
	var undefaulted []int64
	changed := false
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getProvider(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errProviderNotFound
		}
		if err != nil {
			return err
		}
		if err := s.checkIfMatch(cur, ifMatch); err != nil {
			return err
		}
		if cur.Source == SourceEnv {
			return errReadOnly()
		}
		next := cur
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&next.Name, in.Name)
		set(&next.BaseURL, in.BaseURL)
		set(&next.ChatModel, in.ChatModel)
		set(&next.ImageModel, in.ImageModel)
		set(&next.EmbeddingModel, in.EmbeddingModel)
		set(&next.Currency, in.Currency)
		for dst, v := range map[*int64]*int64{&next.InputPricePerMillion: in.InputPricePerMillion,
			&next.OutputPricePerMillion: in.OutputPricePerMillion, &next.ImagePrice: in.ImagePrice} {
			if v != nil {
				*dst = *v
			}
		}
		for dst, v := range map[*bool]*bool{&next.StreamUsage: in.StreamUsage, &next.Enabled: in.Enabled, &next.IsDefault: in.IsDefault} {
			if v != nil {
				*dst = *v
			}
		}
		if sealed != nil {
			next.sealedKey = *sealed
		}
		if next.ChatModel == "" && next.ImageModel == "" && next.EmbeddingModel == "" {
			return apperr.Validation(map[string]string{"chat_model": "name at least one model: chat_model, image_model or embedding_model"})
		}
		changes := providerChanges(cur, next)
		if sealed != nil && *sealed != "" && cur.sealedKey != "" {
			changes["has_key"] = audit.Change{From: "a key", To: "another key"} // a new key, even were it the same
		}
		if len(changes) == 0 {
			out = cur // nothing changes: no write, no audit row, no event
			return nil
		}
		changed = true
		if next.IsDefault && !cur.IsDefault {
			ids, err := clearDefault(ctx, tx, id, now)
			if err != nil {
				return err
			}
			undefaulted = ids
			for _, other := range ids {
				touchProvider(tx, other)
			}
		}
		if err := updateProvider(ctx, tx, next, now); err != nil {
			if db.IsUnique(err) {
				return apperr.Taken("name", "the name")
			}
			return err
		}
		touchProvider(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "ai.providers.update", ResourceType: "ai_provider",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		out, err = getProvider(ctx, tx, id)
		return err
	})
	if err != nil {
		return Provider{}, err
	}
	if changed {
		for _, other := range undefaulted {
			s.changed(ctx, "updated", other)
		}
		s.changed(ctx, "updated", id)
	}
	return s.view(out), nil
}

// DeleteProvider removes a provider managed in the panel.
func (s *Service) DeleteProvider(ctx context.Context, id int64, ifMatch string) error {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getProvider(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errProviderNotFound
		}
		if err != nil {
			return err
		}
		if err := s.checkIfMatch(cur, ifMatch); err != nil {
			return err
		}
		if cur.Source == SourceEnv {
			return errReadOnly()
		}
		if err := deleteProvider(ctx, tx, id); err != nil {
			return err
		}
		touchProvider(tx, id)
		return audit.Record(ctx, tx, audit.Entry{Action: "ai.providers.delete", ResourceType: "ai_provider",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{
				"name": {From: cur.Name}, "base_url": {From: cur.BaseURL}, "has_key": {From: cur.sealedKey != ""},
			}})
	})
	if err != nil {
		return err
	}
	s.changed(ctx, "deleted", id)
	return nil
}

func errReadOnly() error {
	return apperr.New(apperr.Conflict, "this provider is defined by the environment (AI_BASE_URL and friends); change it there").
		WithReason(ReasonReadOnly)
}

// checkIfMatch checks an If-Match (when set) against the ETag of the
// provider as GET answers it: a stale one is 412 PRECONDITION_FAILED.
func (s *Service) checkIfMatch(cur storedProvider, ifMatch string) error {
	if ifMatch == "" {
		return nil
	}
	body, err := json.Marshal(s.view(cur))
	if err != nil {
		return err
	}
	if !etag.MatchesStrong(ifMatch, etag.Of(body)) {
		return apperr.New(apperr.PreconditionFailed, "the provider changed since you loaded it; reload and try again")
	}
	return nil
}

// Client returns the client of the provider that makes calls of capability
// (CapText, CapImage, CapEmbedding) and that provider: the default when it
// can, else the environment's, else the oldest enabled one that can. No
// enabled provider able to → 409 CONFLICT, reason ai_not_configured.
// It checks no permission: callers (this room's jobs, the chatbot) have.
func (s *Service) Client(ctx context.Context, capability string) (*llm.Client, Provider, error) {
	rows, err := enabledProviders(ctx, s.db.Reader())
	if err != nil {
		return nil, Provider{}, err
	}
	for _, p := range rows {
		if !p.Can(capability) {
			continue
		}
		c, err := s.clientOf(p)
		if err != nil {
			return nil, Provider{}, err
		}
		return c, s.view(p), nil
	}
	what := map[string]string{CapText: "text", CapImage: "images", CapEmbedding: "embeddings"}[capability]
	return nil, Provider{}, errNotConfigured(what)
}

// clientOf builds (or reuses, while the row's version holds) a provider's client.
func (s *Service) clientOf(p storedProvider) (*llm.Client, error) {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	if b, ok := s.clients[p.ID]; ok && b.version == p.version {
		return b.client, nil
	}
	key := s.cfg.Env.APIKey
	if p.Source != SourceEnv {
		var err error
		if key, err = s.sealer.open(p.sealedKey); err != nil {
			return nil, fmt.Errorf("AI provider %d: %w", p.ID, err)
		}
	}
	c, err := llm.New(llm.Config{Name: p.Name, BaseURL: p.BaseURL, APIKey: key, ChatModel: p.ChatModel,
		ImageModel: p.ImageModel, EmbeddingModel: p.EmbeddingModel, StreamUsage: p.StreamUsage,
		Timeout: s.cfg.CallTimeout, HTTPClient: s.cfg.HTTPClient}, s.cfg.Observer)
	if err != nil {
		return nil, err
	}
	s.clients[p.ID] = builtClient{version: p.version, client: c}
	return c, nil
}

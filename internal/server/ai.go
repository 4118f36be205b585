package server

import (
	"context"
	"net/http"

	"github.com/pishkhan/pishkhan/internal/ai"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
)

// openAI builds the AI room: provider keys sealed under SECRET_KEY (opened
// with SECRET_KEY_OLD too), the environment's provider (AI_BASE_URL and
// friends) written to its row, and provider calls counted in the metrics.
func (s *Server) openAI(ctx context.Context, secret, cursorKey []byte) error {
	env := s.Cfg.AI
	s.AI = ai.NewService(s.DB, s.Cache, s.Bus, ai.NewSealer(secret, s.Cfg.SecretKeysOld...), ai.Config{
		TTL: s.Cfg.CacheTTL, Observer: s.Metrics, CallTimeout: env.Timeout, Location: s.Cfg.TimeZone,
		Limiter: s.limiter, RateLimit: env.RateLimit, RateWindow: env.RateWindow,
		HTTPClient: &http.Client{Transport: telemetry.Transport(http.DefaultTransport)},
		Env: ai.EnvConfig{BaseURL: env.BaseURL, APIKey: env.APIKey, ChatModel: env.TextModel, ImageModel: env.ImageModel,
			EmbeddingModel: env.EmbeddingModel, InputPricePerMillion: env.InputPrice, OutputPricePerMillion: env.OutputPrice,
			ImagePrice: env.ImagePrice, Currency: env.Currency, StreamUsage: env.StreamUsage},
	}, cursorKey)
	if err := s.AI.CheckKeys(ctx); err != nil {
		return err
	}
	if err := s.AI.SyncEnvProvider(ctx); err != nil {
		return err
	}
	if err := s.AI.EnsureBuiltinTemplates(ctx); err != nil {
		return err
	}
	if env.BaseURL != "" {
		s.Metrics.LLMProvider(ai.EnvProviderName)
	}
	return nil
}

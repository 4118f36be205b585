// Package ai is the AI room: the providers editors generate text and images
// with (OpenAI-compatible APIs, one of them possibly defined by the
// environment), and — as they land — prompt templates, generation jobs,
// the usage ledger and budgets. Calls go through internal/platform/llm,
// which knows no feature; this room decides which provider answers, with
// which key, for whom.
package ai

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
)

// The room's permissions (API.md section 3).
const (
	// PermGenerate: run text and image generation, see one's own jobs and usage.
	PermGenerate authz.Permission = "ai.generate"
	// PermManage: providers, their keys and prices, templates, budgets, everyone's usage.
	PermManage authz.Permission = "ai.manage"
)

func init() {
	authz.Register(map[authz.Permission]string{
		PermGenerate: "Generate text and images with AI",
		PermManage:   "Manage AI providers and their keys, prompt templates, budgets, and see everyone's AI usage",
	})
}

// Resource is the events and cache name of the room.
const Resource = "ai"

// Refusals a client tells apart (details.reason).
const (
	// ReasonNotConfigured: no enabled provider can do what was asked.
	ReasonNotConfigured = "ai_not_configured"
	// ReasonReadOnly: the provider comes from the environment; change it there.
	ReasonReadOnly = "provider_read_only"
)

// errNotConfigured is the answer of every AI call when no enabled
// provider can make it (what: "text", "images", "embeddings").
func errNotConfigured(what string) error {
	return apperr.New(apperr.Conflict, "no AI provider is configured for %s: an administrator adds one under AI providers, or sets AI_BASE_URL", what).
		WithReason(ReasonNotConfigured)
}

// Source says where a provider is defined.
type Source string

// The sources.
const (
	// SourcePanel providers are managed through the API.
	SourcePanel Source = "panel"
	// SourceEnv is the provider AI_BASE_URL, AI_API_KEY, AI_TEXT_MODEL,
	// AI_IMAGE_MODEL and AI_EMBEDDING_MODEL define; read-only in the API.
	SourceEnv Source = "env"
)

// EnumValues lists the sources for the OpenAPI document.
func (Source) EnumValues() []string { return []string{string(SourcePanel), string(SourceEnv)} }

// EnvProviderName is the name of the provider the environment defines; no
// other provider may take it.
const EnvProviderName = "environment"

// Actor is who created a provider.
type Actor struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// Provider is the API's provider. Its key is never part of it: HasKey
// says whether one is set.
type Provider struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Source         Source `json:"source" doc:"panel: managed here; env: defined by AI_BASE_URL and friends, read-only"`
	BaseURL        string `json:"base_url"`
	HasKey         bool   `json:"has_key" doc:"whether an API key is set; the key itself is write-only"`
	ChatModel      string `json:"chat_model" doc:"the model for text; empty: this provider does no text"`
	ImageModel     string `json:"image_model" doc:"the model for images; empty: this provider does no images"`
	EmbeddingModel string `json:"embedding_model" doc:"the model for embeddings; empty: this provider does none"`
	// Prices are in the minor unit of Currency.
	InputPricePerMillion  int64     `json:"input_price_per_million" doc:"price of a million input tokens, in the currency's minor unit"`
	OutputPricePerMillion int64     `json:"output_price_per_million" doc:"price of a million output tokens, in the currency's minor unit"`
	ImagePrice            int64     `json:"image_price" doc:"price of one generated image, in the currency's minor unit"`
	Currency              string    `json:"currency" doc:"ISO 4217 code of the prices"`
	StreamUsage           bool      `json:"stream_usage" doc:"the provider reports token usage at the end of a stream; off: usage of streamed answers is estimated"`
	Enabled               bool      `json:"enabled"`
	IsDefault             bool      `json:"is_default" doc:"the provider used first; at most one is"`
	CreatedBy             *Actor    `json:"created_by"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// Can reports whether the provider (enabled or not) has a model for op:
// "text", "image" or "embedding".
func (p Provider) Can(op string) bool {
	switch op {
	case CapText:
		return p.ChatModel != ""
	case CapImage:
		return p.ImageModel != ""
	case CapEmbedding:
		return p.EmbeddingModel != ""
	}
	return false
}

// What a provider can do.
const (
	CapText      = "text"
	CapImage     = "image"
	CapEmbedding = "embedding"
)

// Limits of a provider's fields.
const (
	MaxNameLength  = 100
	MaxURLLength   = 2048
	MaxKeyLength   = 4096
	MaxModelLength = 200
	// MaxPrice bounds every price (a trillion minor units).
	MaxPrice = 1_000_000_000_000
)

// CreateInput is the body of POST /api/ai/providers.
type CreateInput struct {
	Name                  string `json:"name"`
	BaseURL               string `json:"base_url" doc:"the API's base, e.g. https://api.openai.com/v1 or http://localhost:11434/v1"`
	APIKey                string `json:"api_key,omitempty" doc:"write-only; stored encrypted; omitted: none (local servers need none)"`
	ChatModel             string `json:"chat_model,omitempty"`
	ImageModel            string `json:"image_model,omitempty"`
	EmbeddingModel        string `json:"embedding_model,omitempty"`
	InputPricePerMillion  int64  `json:"input_price_per_million,omitempty"`
	OutputPricePerMillion int64  `json:"output_price_per_million,omitempty"`
	ImagePrice            int64  `json:"image_price,omitempty"`
	Currency              string `json:"currency,omitempty" doc:"ISO 4217; default USD"`
	StreamUsage           *bool  `json:"stream_usage,omitempty" doc:"default true"`
	Enabled               *bool  `json:"enabled,omitempty" doc:"default true"`
	IsDefault             bool   `json:"is_default,omitempty" doc:"make it the default (the previous default stops being one)"`
}

// Validate names every bad field.
func (in CreateInput) Validate() error {
	fe := apperr.FieldErrors{}
	checkName(fe, in.Name)
	checkBaseURL(fe, in.BaseURL)
	checkKey(fe, in.APIKey)
	checkModel(fe, "chat_model", in.ChatModel)
	checkModel(fe, "image_model", in.ImageModel)
	checkModel(fe, "embedding_model", in.EmbeddingModel)
	if in.ChatModel == "" && in.ImageModel == "" && in.EmbeddingModel == "" {
		fe.Add("chat_model", "name at least one model: chat_model, image_model or embedding_model")
	}
	checkPrice(fe, "input_price_per_million", in.InputPricePerMillion)
	checkPrice(fe, "output_price_per_million", in.OutputPricePerMillion)
	checkPrice(fe, "image_price", in.ImagePrice)
	if in.Currency != "" {
		checkCurrency(fe, in.Currency)
	}
	return fe.Err()
}

// PatchInput is the body of PATCH /api/ai/providers/{id}: only what it
// names changes.
type PatchInput struct {
	Name                  *string `json:"name,omitempty"`
	BaseURL               *string `json:"base_url,omitempty"`
	APIKey                *string `json:"api_key,omitempty" doc:"write-only; a new key, or \"\" to remove it"`
	ChatModel             *string `json:"chat_model,omitempty"`
	ImageModel            *string `json:"image_model,omitempty"`
	EmbeddingModel        *string `json:"embedding_model,omitempty"`
	InputPricePerMillion  *int64  `json:"input_price_per_million,omitempty"`
	OutputPricePerMillion *int64  `json:"output_price_per_million,omitempty"`
	ImagePrice            *int64  `json:"image_price,omitempty"`
	Currency              *string `json:"currency,omitempty"`
	StreamUsage           *bool   `json:"stream_usage,omitempty"`
	Enabled               *bool   `json:"enabled,omitempty"`
	IsDefault             *bool   `json:"is_default,omitempty" doc:"true makes it the default (the previous one stops being it); false leaves no default"`
}

// Validate names every bad field (the models' "at least one" rule is
// checked on the result, in the service).
func (in PatchInput) Validate() error {
	fe := apperr.FieldErrors{}
	if in.Name != nil {
		checkName(fe, *in.Name)
	}
	if in.BaseURL != nil {
		checkBaseURL(fe, *in.BaseURL)
	}
	if in.APIKey != nil {
		checkKey(fe, *in.APIKey)
	}
	for field, v := range map[string]*string{"chat_model": in.ChatModel, "image_model": in.ImageModel, "embedding_model": in.EmbeddingModel} {
		if v != nil {
			checkModel(fe, field, *v)
		}
	}
	for field, v := range map[string]*int64{"input_price_per_million": in.InputPricePerMillion,
		"output_price_per_million": in.OutputPricePerMillion, "image_price": in.ImagePrice} {
		if v != nil {
			checkPrice(fe, field, *v)
		}
	}
	if in.Currency != nil {
		checkCurrency(fe, *in.Currency)
	}
	return fe.Err()
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func checkName(fe apperr.FieldErrors, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		fe.Add("name", "is required")
	case !utf8.ValidString(v) || hasControl(v):
		fe.Add("name", "must be text without control characters")
	case utf8.RuneCountInString(v) > MaxNameLength:
		fe.Add("name", fmt.Sprintf("must be at most %d characters", MaxNameLength))
	case v != strings.TrimSpace(v):
		fe.Add("name", "must not start or end with spaces")
	case strings.EqualFold(v, EnvProviderName):
		fe.Add("name", fmt.Sprintf("%q is the name of the provider the environment defines", EnvProviderName))
	}
}

func checkBaseURL(fe apperr.FieldErrors, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		fe.Add("base_url", "is required")
	case len(v) > MaxURLLength:
		fe.Add("base_url", fmt.Sprintf("must be at most %d characters", MaxURLLength))
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		fe.Add("base_url", "must not contain spaces or control characters")
	default:
		if err := llm.CheckBaseURL(v); err != nil {
			fe.Add("base_url", err.Error())
		}
	}
}

func checkKey(fe apperr.FieldErrors, v string) {
	switch {
	case len(v) > MaxKeyLength:
		fe.Add("api_key", fmt.Sprintf("must be at most %d characters", MaxKeyLength))
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		fe.Add("api_key", "must not contain spaces or control characters")
	}
}

func checkModel(fe apperr.FieldErrors, field, v string) {
	switch {
	case len(v) > MaxModelLength:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", MaxModelLength))
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		fe.Add(field, "must not contain spaces or control characters")
	}
}

func checkPrice(fe apperr.FieldErrors, field string, v int64) {
	if v < 0 || v > MaxPrice {
		fe.Add(field, fmt.Sprintf("must be from 0 to %d", int64(MaxPrice)))
	}
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func checkCurrency(fe apperr.FieldErrors, v string) {
	if !currencyCode.MatchString(v) {
		fe.Add("currency", "must be an ISO 4217 code such as USD or IRR")
	}
}

// EnvConfig is the provider the environment defines (AI_BASE_URL and
// friends); an empty BaseURL defines none.
type EnvConfig struct {
	BaseURL, APIKey                       string
	ChatModel, ImageModel, EmbeddingModel string
	InputPricePerMillion                  int64
	OutputPricePerMillion                 int64
	ImagePrice                            int64
	Currency                              string
	StreamUsage                           bool
}

// Package llm is the client of OpenAI-compatible AI providers (OpenAI,
// Azure OpenAI's v1 API, Ollama, vLLM, LM Studio, OpenRouter): chat
// answers, plain or streamed, image generation and embeddings over the
// official SDK (github.com/openai/openai-go/v3) pointed at a provider's base
// URL. It knows no feature: callers give it messages and get text, images
// or vectors with the usage to account for, and failures as *Error with a
// stable Kind.
//
// It never logs, and never puts the API key or a prompt into an error.
package llm

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Config is one provider's connection.
type Config struct {
	// Name names the provider in metrics and errors.
	Name string
	// BaseURL is the API's base, e.g. https://api.openai.com/v1 or
	// http://localhost:11434/v1 (Ollama).
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <key>"; empty sends no
	// Authorization header (local servers need none).
	APIKey string
	// The models of each operation; an empty one means the provider does
	// not do that operation (KindNotConfigured).
	ChatModel, ImageModel, EmbeddingModel string
	// StreamUsage: the provider reports token usage at the end of a stream
	// when asked (stream_options.include_usage). When false it is not
	// asked, and a streamed answer's usage is estimated (Usage.Estimated).
	StreamUsage bool
	// Timeout bounds a whole call (a stream included); 0 means DefaultTimeout.
	Timeout time.Duration
	// IdleTimeout bounds the silence between two chunks of a stream (and
	// before the first); 0 means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxRetries is how often a call that failed with 408, 409, 429, 5xx
	// or a connection error is retried (after the provider's Retry-After,
	// else a growing backoff) before its first byte; a stream that started
	// is never retried. Negative means none; 0 means DefaultMaxRetries.
	MaxRetries int
	// MaxRetryDelay bounds one wait between retries; 0 means 10 s.
	MaxRetryDelay time.Duration
	// HTTPClient, when set, carries the calls (tests, tracing).
	HTTPClient *http.Client
}

// Defaults of Config.
const (
	DefaultTimeout     = 5 * time.Minute
	DefaultIdleTimeout = 60 * time.Second
	DefaultMaxRetries  = 2
)

// CheckBaseURL reports what is wrong with a provider's base URL, or nil.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Opaque != "":
		return errors.New("must be an absolute URL such as https://api.openai.com/v1")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must start with http:// or https://")
	case u.Host == "":
		return errors.New("must name a host")
	case u.User != nil:
		return errors.New("must not contain a user name or password")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("must not have a query or a fragment")
	}
	return nil
}

// Observer is told of every call (internal/platform/metrics implements it).
// outcome is "ok" or the failure's Kind; the tokens and images are what was
// used (estimated or not), also for a failed call that used some.
type Observer interface {
	ObserveLLM(provider, operation, outcome string, d time.Duration, inputTokens, outputTokens, images int64)
}

// The operations an Observer is told of.
const (
	OpChat       = "chat"
	OpChatStream = "chat_stream"
	OpImage      = "image"
	OpEmbedding  = "embedding"
)

// Client calls one provider. It is safe for concurrent use.
type Client struct {
	cfg Config
	api openai.Client
	obs Observer
}

// New builds a client for cfg; obs may be nil.
func New(cfg Config, obs Observer) (*Client, error) {
	if err := CheckBaseURL(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("llm: provider %q: base URL %w", cfg.Name, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	switch {
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.MaxRetryDelay <= 0 {
		cfg.MaxRetryDelay = 10 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	key := cfg.APIKey
	c := &Client{cfg: cfg, obs: obs}
	c.api = openai.NewClient(
		option.WithBaseURL(strings.TrimSuffix(cfg.BaseURL, "/")+"/"),
		option.WithAPIKey(key),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(cfg.MaxRetries),
		option.WithMaxRetryDelay(cfg.MaxRetryDelay),
		// The SDK also reads OPENAI_API_KEY, OPENAI_ORG_ID and friends
		// from the environment; none of them may reach a provider that was
		// configured here: the last word on the credentials is this.
		option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			for _, h := range []string{"Authorization", "Api-Key", "OpenAI-Organization", "OpenAI-Project"} {
				r.Header.Del(h)
			}
			if key != "" {
				r.Header.Set("Authorization", "Bearer "+key)
			}
			return next(r)
		}),
	)
	return c, nil
}

// Name is the provider's name.
func (c *Client) Name() string { return c.cfg.Name }

// Config returns the client's configuration (with its defaults filled in).
func (c *Client) Config() Config { return c.cfg }

// Role is who said a message.
type Role string

// The roles of a chat.
const (
	System    Role = "system"
	User      Role = "user"
	Assistant Role = "assistant"
)

// Message is one message of a chat.
type Message struct {
	Role    Role
	Content string
}

// ChatRequest is a chat call.
type ChatRequest struct {
	// Model overrides the provider's chat model.
	Model    string
	Messages []Message
	// MaxOutputTokens bounds the answer (sent as max_completion_tokens); 0: the provider's.
	MaxOutputTokens int64
	// Temperature, when set, is sent as is.
	Temperature *float64
}

// Usage is what a call used.
type Usage struct {
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	Images       int64 `json:"images"`
	// Estimated is true when the tokens were counted here (EstimateTokens)
	// because the provider reported none.
	Estimated bool `json:"estimated"`
}

// ChatResult is a chat answer.
type ChatResult struct {
	Text string
	// FinishReason is the provider's: "stop", "length", "content_filter"…
	FinishReason string
	// Model is the model that answered (as the provider names it).
	Model string
	Usage Usage
}

func (c *Client) chatParams(req ChatRequest) (openai.ChatCompletionNewParams, error) {
	model := req.Model
	if model == "" {
		model = c.cfg.ChatModel
	}
	if model == "" {
		return openai.ChatCompletionNewParams{}, &Error{Kind: KindNotConfigured, Provider: c.cfg.Name, Message: "the provider has no chat model"}
	}
	if len(req.Messages) == 0 {
		return openai.ChatCompletionNewParams{}, &Error{Kind: KindBadRequest, Provider: c.cfg.Name, Message: "a chat needs at least one message"}
	}
	msgs := make([]openai.ChatCompletionMessageParamUnion, 0, len(req.Messages))
	for _, m := range req.Messages {
		switch m.Role {
		case System:
			msgs = append(msgs, openai.SystemMessage(m.Content))
		case User:
			msgs = append(msgs, openai.UserMessage(m.Content))
		case Assistant:
			msgs = append(msgs, openai.AssistantMessage(m.Content))
		default:
			return openai.ChatCompletionNewParams{}, &Error{Kind: KindBadRequest, Provider: c.cfg.Name, Message: fmt.Sprintf("unknown role %q", m.Role)}
		}
	}
	p := openai.ChatCompletionNewParams{Model: model, Messages: msgs}
	if req.MaxOutputTokens > 0 {
		p.MaxCompletionTokens = openai.Int(req.MaxOutputTokens)
	}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	return p, nil
}

// callContext is the context of one call: the caller's, ended by the
// provider's timeout with errDeadline as its cause.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	call, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(c.cfg.Timeout, func() { cancel(errDeadline) })
	return call, func() { timer.Stop(); cancel(context.Canceled) }
}

func (c *Client) observe(op string, start time.Time, err error, u Usage) {
	if c.obs == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = string(KindOf(err))
		if outcome == "" {
			outcome = string(KindUnavailable)
		}
	}
	c.obs.ObserveLLM(c.cfg.Name, op, outcome, time.Since(start), u.InputTokens, u.OutputTokens, u.Images)
}

// Chat asks for a whole answer at once.
func (c *Client) Chat(ctx context.Context, req ChatRequest) (res ChatResult, err error) {
	start := time.Now()
	defer func() { c.observe(OpChat, start, err, res.Usage) }()
	params, err := c.chatParams(req)
	if err != nil {
		return ChatResult{}, err
	}
	call, cancel := c.callContext(ctx)
	defer cancel()
	out, err := c.api.Chat.Completions.New(call, params)
	if err != nil {
		return ChatResult{}, c.classify(ctx, call, err)
	}
	if len(out.Choices) == 0 {
		return ChatResult{}, &Error{Kind: KindInvalidResponse, Provider: c.cfg.Name, Message: "the answer has no choices"}
	}
	res = ChatResult{Text: out.Choices[0].Message.Content, FinishReason: out.Choices[0].FinishReason, Model: out.Model,
		Usage: Usage{InputTokens: out.Usage.PromptTokens, OutputTokens: out.Usage.CompletionTokens}}
	if res.Usage.InputTokens == 0 && res.Usage.OutputTokens == 0 {
		res.Usage = estimate(req.Messages, res.Text)
	}
	return res, nil
}

// Stream asks for an answer streamed: onDelta gets each piece of text as it
// arrives, in order (their concatenation is the answer's Text). When
// onDelta returns an error the stream stops and Stream returns that error
// unchanged.
//
// The result is meaningful with an error too: it holds the text that
// arrived before the failure and the usage to account for (estimated when
// the provider's count did not arrive), so a cut or cancelled stream is
// still paid for.
func (c *Client) Stream(ctx context.Context, req ChatRequest, onDelta func(text string) error) (res ChatResult, err error) {
	start := time.Now()
	defer func() { c.observe(OpChatStream, start, err, res.Usage) }()
	params, err := c.chatParams(req)
	if err != nil {
		return ChatResult{}, err
	}
	if c.cfg.StreamUsage {
		params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	}
	call, cancel := c.callContext(ctx)
	defer cancel()
	idle, stopIdle := context.WithCancelCause(call)
	defer stopIdle(context.Canceled)
	timer := time.AfterFunc(c.cfg.IdleTimeout, func() { stopIdle(errIdle) })
	defer timer.Stop()

	stream := c.api.Chat.Completions.NewStreaming(idle, params)
	defer func() { _ = stream.Close() }()
	var text strings.Builder
	var reported *openai.CompletionUsage
	var callbackErr error
	for stream.Next() {
		timer.Reset(c.cfg.IdleTimeout)
		chunk := stream.Current()
		if res.Model == "" {
			res.Model = chunk.Model
		}
		if u := chunk.Usage; u.PromptTokens > 0 || u.CompletionTokens > 0 {
			reported = &u
		}
		for _, choice := range chunk.Choices {
			if choice.Index != 0 {
				continue
			}
			if choice.FinishReason != "" {
				res.FinishReason = choice.FinishReason
			}
			if d := choice.Delta.Content; d != "" {
				text.WriteString(d)
				if err := onDelta(d); err != nil {
					callbackErr = err
					break
				}
			}
		}
		if callbackErr != nil {
			break
		}
	}
	res.Text = text.String()
	if reported != nil {
		res.Usage = Usage{InputTokens: reported.PromptTokens, OutputTokens: reported.CompletionTokens}
	} else {
		res.Usage = estimate(req.Messages, res.Text)
	}
	switch {
	case callbackErr != nil:
		return res, callbackErr
	case stream.Err() != nil:
		return res, c.classify(ctx, idle, stream.Err())
	case ctx.Err() != nil || idle.Err() != nil:
		return res, c.classify(ctx, idle, context.Cause(idle))
	case res.FinishReason == "":
		return res, &Error{Kind: KindTruncated, Provider: c.cfg.Name, Message: "the stream ended before the answer finished"}
	}
	return res, nil
}

// ImageRequest is an image generation call.
type ImageRequest struct {
	// Model overrides the provider's image model.
	Model  string
	Prompt string
	// Size is the provider's size string ("1024x1024"); empty: its default.
	Size string
	// N is how many images (1 when 0).
	N int
}

// ImageResult holds the generated images' bytes as the provider sent them.
type ImageResult struct {
	Images [][]byte
	// RevisedPrompts are the prompts the provider says it used (may be empty).
	RevisedPrompts []string
	Usage          Usage
}

// Image generates images, asking for them inline (b64_json).
func (c *Client) Image(ctx context.Context, req ImageRequest) (res ImageResult, err error) {
	start := time.Now()
	defer func() { c.observe(OpImage, start, err, res.Usage) }()
	model := req.Model
	if model == "" {
		model = c.cfg.ImageModel
	}
	if model == "" {
		return ImageResult{}, &Error{Kind: KindNotConfigured, Provider: c.cfg.Name, Message: "the provider has no image model"}
	}
	n := req.N
	if n <= 0 {
		n = 1
	}
	params := openai.ImageGenerateParams{Prompt: req.Prompt, Model: model, N: openai.Int(int64(n))}
	// The gpt-image models always answer b64_json and refuse the parameter.
	if !strings.HasPrefix(model, "gpt-image") {
		params.ResponseFormat = openai.ImageGenerateParamsResponseFormatB64JSON
	}
	if req.Size != "" {
		params.Size = openai.ImageGenerateParamsSize(req.Size)
	}
	call, cancel := c.callContext(ctx)
	defer cancel()
	out, err := c.api.Images.Generate(call, params)
	if err != nil {
		return ImageResult{}, c.classify(ctx, call, err)
	}
	res.Usage = Usage{InputTokens: out.Usage.InputTokens, OutputTokens: out.Usage.OutputTokens}
	for i, img := range out.Data {
		if img.B64JSON == "" {
			return ImageResult{}, &Error{Kind: KindInvalidResponse, Provider: c.cfg.Name, Message: fmt.Sprintf("image %d came without b64_json (a URL answer is not supported)", i)}
		}
		raw, err := base64.StdEncoding.DecodeString(img.B64JSON)
		if err != nil {
			return ImageResult{}, &Error{Kind: KindInvalidResponse, Provider: c.cfg.Name, Message: fmt.Sprintf("image %d is not valid base64", i)}
		}
		res.Images = append(res.Images, raw)
		if img.RevisedPrompt != "" {
			res.RevisedPrompts = append(res.RevisedPrompts, img.RevisedPrompt)
		}
	}
	if len(res.Images) == 0 {
		return ImageResult{}, &Error{Kind: KindInvalidResponse, Provider: c.cfg.Name, Message: "the answer has no images"}
	}
	res.Usage.Images = int64(len(res.Images))
	return res, nil
}

// EmbedResult holds one vector per input, in the inputs' order.
type EmbedResult struct {
	Vectors [][]float32
	Model   string
	Usage   Usage
}

// Embed returns the embeddings of texts with the provider's embedding model
// (or model, when set).
func (c *Client) Embed(ctx context.Context, model string, texts []string) (res EmbedResult, err error) {
	start := time.Now()
	defer func() { c.observe(OpEmbedding, start, err, res.Usage) }()
	if model == "" {
		model = c.cfg.EmbeddingModel
	}
	if model == "" {
		return EmbedResult{}, &Error{Kind: KindNotConfigured, Provider: c.cfg.Name, Message: "the provider has no embedding model"}
	}
	if len(texts) == 0 {
		return EmbedResult{}, nil
	}
	call, cancel := c.callContext(ctx)
	defer cancel()
	out, err := c.api.Embeddings.New(call, openai.EmbeddingNewParams{Model: model,
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts}})
	if err != nil {
		return EmbedResult{}, c.classify(ctx, call, err)
	}
	res = EmbedResult{Vectors: make([][]float32, len(texts)), Model: out.Model,
		Usage: Usage{InputTokens: out.Usage.PromptTokens}}
	for _, e := range out.Data {
		if e.Index < 0 || int(e.Index) >= len(texts) || res.Vectors[e.Index] != nil {
			return EmbedResult{}, &Error{Kind: KindInvalidResponse, Provider: c.cfg.Name, Message: fmt.Sprintf("an embedding has the index %d", e.Index)}
		}
		v := make([]float32, len(e.Embedding))
		for i, x := range e.Embedding {
			v[i] = float32(x)
		}
		res.Vectors[e.Index] = v
	}
	for i, v := range res.Vectors {
		if v == nil {
			return EmbedResult{}, &Error{Kind: KindInvalidResponse, Provider: c.cfg.Name, Message: fmt.Sprintf("input %d has no embedding", i)}
		}
	}
	if res.Usage.InputTokens == 0 {
		for _, t := range texts {
			res.Usage.InputTokens += EstimateTokens(t)
		}
		res.Usage.Estimated = true
	}
	return res, nil
}

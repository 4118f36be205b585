package llm_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/llm"
	"github.com/pishkhan/pishkhan/internal/testkit/fakeai"
)

const testKey = "sk-test-0123456789abcdef"

// recorder is an Observer keeping every call.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

type call struct {
	provider, op, outcome string
	in, out, images       int64
}

func (r *recorder) ObserveLLM(provider, op, outcome string, _ time.Duration, in, out, images int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{provider, op, outcome, in, out, images})
}

func (r *recorder) last(t *testing.T) call {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("the observer saw no call")
	}
	return r.calls[len(r.calls)-1]
}

func newClient(t *testing.T, fake *fakeai.Server, edit func(*llm.Config)) (*llm.Client, *recorder) {
	t.Helper()
	cfg := llm.Config{Name: "fake", BaseURL: fake.URL, APIKey: fake.Key, ChatModel: "gpt-test",
		ImageModel: "dall-e-test", EmbeddingModel: "embed-test", StreamUsage: true, MaxRetries: -1}
	if edit != nil {
		edit(&cfg)
	}
	obs := &recorder{}
	c, err := llm.New(cfg, obs)
	if err != nil {
		t.Fatal(err)
	}
	return c, obs
}

func hello() llm.ChatRequest {
	return llm.ChatRequest{Messages: []llm.Message{
		{Role: llm.System, Content: "You write short answers."},
		{Role: llm.User, Content: "Say hello to the panel"},
	}}
}

// llmErr fails the test unless err is an *llm.Error of kind want, and returns it.
func llmErr(t *testing.T, err error, want llm.Kind) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	if e.Kind != want {
		t.Fatalf("kind %q, want %q (%v)", e.Kind, want, e)
	}
	return e
}

// wantKind fails the test unless err is an *llm.Error of kind want.
func wantKind(t *testing.T, err error, want llm.Kind) {
	t.Helper()
	_ = llmErr(t, err, want)
}

func TestChatSendsModelMessagesAndKeyAndReportsTheProvidersUsage(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Text: "Hello, panel!", InputTokens: 17, OutputTokens: 4})
	c, obs := newClient(t, fake, nil)
	res, err := c.Chat(context.Background(), hello())
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "Hello, panel!" || res.FinishReason != "stop" {
		t.Fatalf("result %+v", res)
	}
	if res.Usage != (llm.Usage{InputTokens: 17, OutputTokens: 4}) {
		t.Fatalf("usage %+v, want the provider's 17/4, not estimated", res.Usage)
	}
	reqs := fake.RequestsTo(fakeai.Chat)
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Fatalf("Authorization %q", got)
	}
	var body fakeai.ChatRequest
	reqs[0].JSON(t, &body)
	if body.Model != "gpt-test" || body.Stream {
		t.Fatalf("body %+v", body)
	}
	if texts := body.Texts(); len(texts) != 2 || texts[1] != "Say hello to the panel" || body.Messages[0].Role != "system" {
		t.Fatalf("messages %+v", body.Messages)
	}
	if got := obs.last(t); got != (call{"fake", llm.OpChat, "ok", 17, 4, 0}) {
		t.Fatalf("observed %+v", got)
	}
}

func TestStreamDeliversEveryPieceInOrderWithTheFinalUsageChunk(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Chunks: []string{"سلام", " به", " پیشخوان", "!"}, InputTokens: 21, OutputTokens: 9})
	c, obs := newClient(t, fake, nil)
	var pieces []string
	res, err := c.Stream(context.Background(), hello(), func(s string) error {
		pieces = append(pieces, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pieces, "|") != "سلام| به| پیشخوان|!" || res.Text != "سلام به پیشخوان!" {
		t.Fatalf("pieces %q, text %q", pieces, res.Text)
	}
	if res.Usage != (llm.Usage{InputTokens: 21, OutputTokens: 9}) {
		t.Fatalf("usage %+v, want the provider's 21/9", res.Usage)
	}
	var body struct {
		Stream        bool `json:"stream"`
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	fake.RequestsTo(fakeai.Chat)[0].JSON(t, &body)
	if !body.Stream || !body.StreamOptions.IncludeUsage {
		t.Fatalf("request %+v: want stream with include_usage", body)
	}
	if got := obs.last(t); got != (call{"fake", llm.OpChatStream, "ok", 21, 9, 0}) {
		t.Fatalf("observed %+v", got)
	}
}

// A provider switched to "no usage in streams" is not asked for it (some
// refuse the unknown option), and its answer's usage is estimated and
// marked so.
func TestStreamWithoutProviderUsageIsEstimatedAndMarked(t *testing.T) {
	fake := fakeai.Start(t, "")
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Text: "one two three four five six seven eight", InputTokens: 500, OutputTokens: 500})
	c, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.StreamUsage = false; cfg.APIKey = "" })
	res, err := c.Stream(context.Background(), hello(), func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !res.Usage.Estimated || res.Usage.InputTokens == 0 || res.Usage.OutputTokens == 0 || res.Usage.InputTokens == 500 {
		t.Fatalf("usage %+v: want an estimate, marked", res.Usage)
	}
	req := fake.RequestsTo(fakeai.Chat)[0]
	if strings.Contains(string(req.Body), "stream_options") {
		t.Fatalf("stream_options sent to a provider switched off: %s", req.Body)
	}
	if h := req.Header.Get("Authorization"); h != "" {
		t.Fatalf("a provider without a key got Authorization %q", h)
	}
	// Asked but not given (a provider that ignores the option): estimated too.
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Text: "hi there", NoStreamUsage: true})
	c2, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.APIKey = "" })
	res, err = c2.Stream(context.Background(), hello(), func(string) error { return nil })
	if err != nil || !res.Usage.Estimated || res.Usage.OutputTokens == 0 {
		t.Fatalf("usage %+v, err %v", res.Usage, err)
	}
}

func TestStreamCutShortIsTruncatedWithThePartialTextAndAnEstimate(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Chunks: []string{"a ", "b ", "c ", "d "}, CutAfter: 2})
	c, obs := newClient(t, fake, nil)
	res, err := c.Stream(context.Background(), hello(), func(string) error { return nil })
	wantKind(t, err, llm.KindTruncated)
	if res.Text != "a b " || !res.Usage.Estimated || res.Usage.OutputTokens == 0 {
		t.Fatalf("partial %+v", res)
	}
	if got := obs.last(t); got.outcome != string(llm.KindTruncated) || got.out == 0 {
		t.Fatalf("observed %+v", got)
	}
}

func TestStreamErrorEventMidwayIsUnavailable(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Chunks: []string{"a ", "b "}, StreamError: "The server had an error while processing your request."})
	c, _ := newClient(t, fake, nil)
	res, err := c.Stream(context.Background(), hello(), func(string) error { return nil })
	wantKind(t, err, llm.KindUnavailable)
	if res.Text != "a " {
		t.Fatalf("partial text %q", res.Text)
	}
}

func TestStreamStopsWhenTheCallbackFailsAndReturnsItsError(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Chunks: []string{"a ", "b ", "c "}})
	c, _ := newClient(t, fake, nil)
	stop := errors.New("the reader went away")
	n := 0
	res, err := c.Stream(context.Background(), hello(), func(string) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || res.Text != "a b " || n != 2 {
		t.Fatalf("err %v, text %q, calls %d", err, res.Text, n)
	}
}

func TestCancelledStreamIsCancelledWithWhatArrived(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Chunks: []string{"first ", "second ", "third "}, ChunkDelay: time.Minute})
	c, _ := newClient(t, fake, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := c.Stream(ctx, hello(), func(string) error {
		cancel() // the job is cancelled after the first piece
		return nil
	})
	wantKind(t, err, llm.KindCancelled)
	if res.Text != "first " || !res.Usage.Estimated {
		t.Fatalf("partial %+v", res)
	}
}

func TestSilentProviderTimesOut(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.SetDefault(fakeai.Chat, fakeai.Reply{Delay: time.Minute})
	c, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.Timeout = 50 * time.Millisecond })
	_, err := c.Chat(context.Background(), hello())
	wantKind(t, err, llm.KindTimeout)
	c2, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.IdleTimeout = 50 * time.Millisecond })
	_, err = c2.Stream(context.Background(), hello(), func(string) error { return nil })
	wantKind(t, err, llm.KindTimeout)
	fake.SetDefault(fakeai.Chat, fakeai.Reply{Chunks: []string{"a ", "b "}, ChunkDelay: time.Minute})
	res, err := c2.Stream(context.Background(), hello(), func(string) error { return nil })
	wantKind(t, err, llm.KindTimeout)
	if res.Text != "a " {
		t.Fatalf("partial %q", res.Text)
	}
}

func TestProviderErrorsMapToStableKindsAndNeverCarryTheKey(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	c, obs := newClient(t, fake, nil)
	cases := []struct {
		reply fakeai.Reply
		kind  llm.Kind
	}{
		{fakeai.Reply{Status: 401, ErrCode: "invalid_api_key", ErrMessage: "Incorrect API key provided: " + testKey + "."}, llm.KindAuth},
		{fakeai.Reply{Status: 403, ErrMessage: "Project does not have access to model gpt-test"}, llm.KindAuth},
		{fakeai.Reply{Status: 429, RetryAfter: "7", ErrCode: "rate_limit_exceeded", ErrMessage: "Rate limit reached for key sk-tes************cdef"}, llm.KindRateLimited},
		{fakeai.Reply{Status: 400, ErrCode: "context_length_exceeded", ErrMessage: "This model's maximum context length is 8192 tokens."}, llm.KindBadRequest},
		{fakeai.Reply{Status: 404, ErrCode: "model_not_found", ErrMessage: "The model `gpt-test` does not exist"}, llm.KindBadRequest},
		{fakeai.Reply{Status: 500}, llm.KindUnavailable},
		{fakeai.Reply{Status: 503, RetryAfter: "2"}, llm.KindUnavailable},
	}
	for _, tc := range cases {
		fake.Enqueue(fakeai.Chat, tc.reply)
		_, err := c.Chat(context.Background(), hello())
		e := llmErr(t, err, tc.kind)
		if e.Status != tc.reply.Status || e.Provider != "fake" {
			t.Errorf("%d: error %+v", tc.reply.Status, e)
		}
		if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), "sk-tes") {
			t.Errorf("%d: the error shows the key: %v", tc.reply.Status, err)
		}
		if tc.reply.RetryAfter == "7" && e.RetryAfter != 7*time.Second {
			t.Errorf("429 RetryAfter %v", e.RetryAfter)
		}
		if got := obs.last(t); got.outcome != string(tc.kind) {
			t.Errorf("%d observed %+v", tc.reply.Status, got)
		}
	}
	// The same kinds through a stream (the error comes before the first byte).
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Status: 429, RetryAfter: "1"})
	_, err := c.Stream(context.Background(), hello(), func(string) error { return nil })
	wantKind(t, err, llm.KindRateLimited)
	// A wrong key is refused by the provider itself: auth.
	wrong, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.APIKey = "sk-wrong-key-000" })
	_, err = wrong.Chat(context.Background(), hello())
	wantKind(t, err, llm.KindAuth)
}

func TestUnreachableProviderIsUnavailable(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	c, _ := newClient(t, fake, nil)
	fake.Close()
	_, err := c.Chat(context.Background(), hello())
	wantKind(t, err, llm.KindUnavailable)
}

// A provider's 500 or 429 is retried (after its Retry-After) before the
// caller sees a failure.
func TestRetriesAfterA500AndA429(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Status: 500}, fakeai.Reply{Status: 429, RetryAfter: "0.01"}, fakeai.Reply{Text: "third time"})
	c, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.MaxRetries = 2; cfg.MaxRetryDelay = 20 * time.Millisecond })
	res, err := c.Chat(context.Background(), hello())
	if err != nil || res.Text != "third time" {
		t.Fatalf("res %+v err %v", res, err)
	}
	if n := len(fake.RequestsTo(fakeai.Chat)); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Status: 500}, fakeai.Reply{Chunks: []string{"ok"}})
	res, err = c.Stream(context.Background(), hello(), func(string) error { return nil })
	if err != nil || res.Text != "ok" {
		t.Fatalf("stream after a 500: %+v %v", res, err)
	}
}

// The SDK reads OPENAI_API_KEY and OPENAI_ORG_ID from the environment; a
// configured provider gets its own key only, and a keyless one none.
func TestEnvironmentCredentialsNeverReachAProvider(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("OPENAI_ORG_ID", "org-environment")
	t.Setenv("OPENAI_PROJECT_ID", "proj-environment")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	fake := fakeai.Start(t, "")
	keyless, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.APIKey = "" })
	if _, err := keyless.Chat(context.Background(), hello()); err != nil {
		t.Fatal(err)
	}
	keyed, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.APIKey = testKey })
	if _, err := keyed.Chat(context.Background(), hello()); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, r := range reqs {
		for name, values := range r.Header {
			if strings.Contains(strings.Join(values, " "), "environment") {
				t.Errorf("request %d carries %s: %q", i, name, values)
			}
		}
	}
	if got := reqs[0].Header.Get("Authorization"); got != "" {
		t.Errorf("keyless Authorization %q", got)
	}
	if got := reqs[1].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("keyed Authorization %q", got)
	}
}

func TestImagesComeBackAsBytes(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	c, obs := newClient(t, fake, nil)
	res, err := c.Image(context.Background(), llm.ImageRequest{Prompt: "a persimmon on a blue plate", Size: "32x16", N: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 2 || res.Usage.Images != 2 {
		t.Fatalf("%d images, usage %+v", len(res.Images), res.Usage)
	}
	for i, b := range res.Images {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 16 {
			t.Fatalf("image %d is %v", i, img.Bounds())
		}
	}
	var body fakeai.ImageRequest
	fake.RequestsTo(fakeai.Images)[0].JSON(t, &body)
	if body.Prompt != "a persimmon on a blue plate" || body.Model != "dall-e-test" || body.ResponseFormat != "b64_json" ||
		body.Size != "32x16" || body.N == nil || *body.N != 2 {
		t.Fatalf("request %+v", body)
	}
	if got := obs.last(t); got.op != llm.OpImage || got.images != 2 || got.outcome != "ok" {
		t.Fatalf("observed %+v", got)
	}
	fake.Enqueue(fakeai.Images, fakeai.Reply{Status: 400, ErrCode: "content_policy_violation"})
	_, err = c.Image(context.Background(), llm.ImageRequest{Prompt: "x"})
	if e := llmErr(t, err, llm.KindBadRequest); e.Code != "content_policy_violation" {
		t.Fatalf("code %q", e.Code)
	}
}

func TestEmbeddingsKeepTheInputsOrder(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	c, _ := newClient(t, fake, nil)
	texts := []string{"return policy for orders", "ارسال سفارش", "return policy"}
	res, err := c.Embed(context.Background(), "", texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Vectors) != 3 || res.Usage.InputTokens != 8 || res.Usage.Estimated {
		t.Fatalf("vectors %d usage %+v", len(res.Vectors), res.Usage)
	}
	for i, text := range texts {
		want := fakeai.Vector(text, fake.Dimensions)
		for j := range want {
			if res.Vectors[i][j] != float32(want[j]) {
				t.Fatalf("vector %d differs at %d", i, j)
			}
		}
	}
}

func TestAProviderWithoutAModelSaysNotConfigured(t *testing.T) {
	fake := fakeai.Start(t, testKey)
	c, _ := newClient(t, fake, func(cfg *llm.Config) { cfg.ChatModel, cfg.ImageModel, cfg.EmbeddingModel = "", "", "" })
	_, err := c.Chat(context.Background(), hello())
	wantKind(t, err, llm.KindNotConfigured)
	_, err = c.Image(context.Background(), llm.ImageRequest{Prompt: "x"})
	wantKind(t, err, llm.KindNotConfigured)
	_, err = c.Embed(context.Background(), "", []string{"x"})
	wantKind(t, err, llm.KindNotConfigured)
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests reached the provider", n)
	}
}

func TestBaseURLIsChecked(t *testing.T) {
	for _, bad := range []string{"", "api.openai.com/v1", "ftp://x/v1", "http://user:pw@x/v1", "http:///v1", "http://x/v1?key=1"} {
		if _, err := llm.New(llm.Config{Name: "x", BaseURL: bad}, nil); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
	if _, err := llm.New(llm.Config{Name: "x", BaseURL: "http://localhost:11434/v1"}, nil); err != nil {
		t.Error(err)
	}
}

func TestEstimateTokens(t *testing.T) {
	for _, tc := range []struct {
		text string
		min  int64
	}{{"", 0}, {"a", 1}, {"hello world, this is text", 6}, {"سلام دنیا", 4}} {
		if got := llm.EstimateTokens(tc.text); got < tc.min || (tc.text == "" && got != 0) {
			t.Errorf("EstimateTokens(%q) = %d, want at least %d", tc.text, got, tc.min)
		}
	}
}

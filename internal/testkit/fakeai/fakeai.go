// Package fakeai is a local server speaking the OpenAI HTTP API's wire
// format (the parts Pishkhan uses: chat completions, plain and streamed as
// server-sent events, image generations answered as b64_json, embeddings,
// and the error bodies), for tests: an AI provider is the one third-party
// service the tests cannot run, so it is replaced by this, never by a mock
// of Pishkhan's own code.
//
// A test scripts what each endpoint answers next (Reply: text, token
// counts, delays, errors, a stream cut short) and reads back every request
// the server got, headers included, to assert the key was sent to the
// provider and nowhere else.
package fakeai

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// Endpoints a Reply is queued for.
const (
	Chat       = "chat"       // POST /v1/chat/completions
	Images     = "images"     // POST /v1/images/generations
	Embeddings = "embeddings" // POST /v1/embeddings
)

// Reply is what the server answers to the next request of one endpoint.
// The zero Reply is a success with made-up content.
type Reply struct {
	// Text is a chat answer's content (default "Hello from the fake model.").
	Text string
	// Chunks, when set, are the streamed deltas (their concatenation is
	// the answer); by default Text is split after each space.
	Chunks []string
	// InputTokens and OutputTokens are the usage reported; 0 means counted
	// (one token per word of the prompt, one per chunk of the answer).
	InputTokens, OutputTokens int64
	// Status, when not 0 or 200, answers an error with this status and an
	// OpenAI error body of ErrType, ErrCode and ErrMessage.
	Status                       int
	ErrType, ErrCode, ErrMessage string
	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter string
	// Delay is waited before the answer starts (cancelled with the request).
	Delay time.Duration
	// ChunkDelay is waited before each streamed chunk after the first.
	ChunkDelay time.Duration
	// CutAfter, when > 0, ends a stream after that many content chunks:
	// no finish reason, no usage, no [DONE] (a connection lost midway).
	CutAfter int
	// NoStreamUsage leaves the usage chunk out of a stream even when
	// stream_options.include_usage asked for it (providers that never send it).
	NoStreamUsage bool
	// FinishReason of a chat answer (default "stop").
	FinishReason string
	// StreamError, when set, is sent as an error event in the middle of a
	// stream (after the first content chunk), as OpenAI does when a stream
	// fails after it started.
	StreamError string
}

// Request is one request the server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// JSON decodes the request's body into v.
func (r Request) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("fakeai: request body %q: %v", r.Body, err)
	}
}

// Server is a running fake provider.
type Server struct {
	// URL is the API's base URL, ending in /v1 (what a provider's base URL is set to).
	URL string
	// Key is the API key the server accepts as "Authorization: Bearer <Key>"
	// (change it with SetKey while the server runs).
	Key string
	// Dimensions is the length of the embedding vectors it returns (default 8).
	Dimensions int

	srv      *httptest.Server
	mu       sync.Mutex
	queued   map[string][]Reply
	fallback map[string]Reply
	requests []Request
	seq      int
}

// Start runs a fake provider until the test ends; it accepts key as the API
// key (an empty key accepts requests without one, as local servers do).
func Start(t testing.TB, key string) *Server {
	t.Helper()
	s := &Server{Key: key, Dimensions: 8, queued: map[string][]Reply{}, fallback: map[string]Reply{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/images/generations", s.images)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r, nil)
		writeError(w, http.StatusNotFound, Reply{ErrType: "invalid_request_error", ErrCode: "unknown_url",
			ErrMessage: "Unknown request URL: " + r.Method + " " + r.URL.Path})
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server now (later requests fail to connect).
func (s *Server) Close() { s.srv.Close() }

// SetKey changes the API key the server accepts (a rotated key).
func (s *Server) SetKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Key = key
}

// Enqueue adds answers for the next requests of endpoint, in order.
func (s *Server) Enqueue(endpoint string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queued[endpoint] = append(s.queued[endpoint], replies...)
}

// SetDefault is what endpoint answers once its queue is empty.
func (s *Server) SetDefault(endpoint string, r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback[endpoint] = r
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsTo returns the requests received on one endpoint.
func (s *Server) RequestsTo(endpoint string) []Request {
	path := map[string]string{Chat: "/v1/chat/completions", Images: "/v1/images/generations", Embeddings: "/v1/embeddings"}[endpoint]
	var out []Request
	for _, r := range s.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) record(r *http.Request, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
}

// next takes the reply for endpoint and a fresh id.
func (s *Server) next(endpoint string) (Reply, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if q := s.queued[endpoint]; len(q) > 0 {
		s.queued[endpoint] = q[1:]
		return q[0], s.seq
	}
	return s.fallback[endpoint], s.seq
}

// begin reads and records the request, checks the key and plays the
// reply's delay and error; ok false means the answer was written.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, endpoint string, into any) (Reply, int, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	s.record(r, body)
	if err != nil {
		return Reply{}, 0, false
	}
	s.mu.Lock()
	key := s.Key
	s.mu.Unlock()
	if key != "" && r.Header.Get("Authorization") != "Bearer "+key {
		writeError(w, http.StatusUnauthorized, Reply{ErrType: "invalid_request_error", ErrCode: "invalid_api_key",
			ErrMessage: "Incorrect API key provided."})
		return Reply{}, 0, false
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, http.StatusBadRequest, Reply{ErrType: "invalid_request_error", ErrMessage: "expected a JSON body"})
		return Reply{}, 0, false
	}
	if err := json.Unmarshal(body, into); err != nil {
		writeError(w, http.StatusBadRequest, Reply{ErrType: "invalid_request_error", ErrCode: "invalid_json",
			ErrMessage: "We could not parse the JSON body of your request."})
		return Reply{}, 0, false
	}
	reply, id := s.next(endpoint)
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return Reply{}, 0, false
		}
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
		writeError(w, reply.Status, reply)
		return Reply{}, 0, false
	}
	return reply, id, true
}

// writeError answers OpenAI's error body: {"error":{"message","type","param","code"}}.
func writeError(w http.ResponseWriter, status int, r Reply) {
	typ, msg := r.ErrType, r.ErrMessage
	if typ == "" {
		switch {
		case status == http.StatusTooManyRequests:
			typ = "rate_limit_error"
		case status >= 500:
			typ = "server_error"
		default:
			typ = "invalid_request_error"
		}
	}
	if msg == "" {
		msg = fmt.Sprintf("The fake provider answers %d.", status)
	}
	var code any
	if r.ErrCode != "" {
		code = r.ErrCode
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ChatRequest is the part of a chat completion request the server reads.
type ChatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           *int64 `json:"max_tokens"`
	MaxCompletionTokens *int64 `json:"max_completion_tokens"`
}

// Texts returns each message's text content (string content, or the text
// parts of array content).
func (c ChatRequest) Texts() []string {
	out := make([]string, 0, len(c.Messages))
	for _, m := range c.Messages {
		var s string
		if json.Unmarshal(m.Content, &s) == nil {
			out = append(out, s)
			continue
		}
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		_ = json.Unmarshal(m.Content, &parts)
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(p.Text)
		}
		out = append(out, b.String())
	}
	return out
}

func (r Reply) text() string {
	switch {
	case len(r.Chunks) > 0:
		return strings.Join(r.Chunks, "")
	case r.Text != "":
		return r.Text
	}
	return "Hello from the fake model."
}

func (r Reply) chunks() []string {
	if len(r.Chunks) > 0 {
		return r.Chunks
	}
	return strings.SplitAfter(r.text(), " ")
}

func (r Reply) finish() string {
	if r.FinishReason != "" {
		return r.FinishReason
	}
	return "stop"
}

// words counts whitespace-separated words: the fake's token count.
func words(texts ...string) int64 {
	var n int64
	for _, t := range texts {
		n += int64(len(strings.FieldsFunc(t, unicode.IsSpace)))
	}
	return n
}

func (r Reply) usage(req ChatRequest) map[string]any {
	in, out := r.InputTokens, r.OutputTokens
	if in == 0 {
		in = words(req.Texts()...)
	}
	if out == 0 {
		out = int64(len(r.chunks()))
	}
	return map[string]any{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out,
		"prompt_tokens_details":     map[string]any{"cached_tokens": 0},
		"completion_tokens_details": map[string]any{"reasoning_tokens": 0}}
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req ChatRequest
	reply, seq, ok := s.begin(w, r, Chat, &req)
	if !ok {
		return
	}
	id := "chatcmpl-fake" + strconv.Itoa(seq)
	created := time.Now().Unix()
	if !req.Stream {
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "logprobs": nil, "finish_reason": reply.finish(),
				"message": map[string]any{"role": "assistant", "content": reply.text(), "refusal": nil}}},
			"usage": reply.usage(req), "system_fingerprint": "fp_fake",
		})
		return
	}
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage && !reply.NoStreamUsage
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	send := func(v any) bool {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return r.Context().Err() == nil
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		c := map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": req.Model,
			"system_fingerprint": "fp_fake",
			"choices":            []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}}}
		if includeUsage {
			c["usage"] = nil
		}
		return c
	}
	if !send(chunk(map[string]any{"role": "assistant", "content": "", "refusal": nil}, nil)) {
		return
	}
	for i, piece := range reply.chunks() {
		if reply.CutAfter > 0 && i == reply.CutAfter {
			return // the connection ends: no finish, no usage, no [DONE]
		}
		if i > 0 && reply.ChunkDelay > 0 {
			select {
			case <-time.After(reply.ChunkDelay):
			case <-r.Context().Done():
				return
			}
		}
		if !send(chunk(map[string]any{"content": piece}, nil)) {
			return
		}
		if i == 0 && reply.StreamError != "" {
			send(map[string]any{"error": map[string]any{"message": reply.StreamError, "type": "server_error", "param": nil, "code": nil}})
			return
		}
	}
	if !send(chunk(map[string]any{}, reply.finish())) {
		return
	}
	if includeUsage {
		if !send(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": req.Model,
			"system_fingerprint": "fp_fake", "choices": []any{}, "usage": reply.usage(req)}) {
			return
		}
	}
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// ImageRequest is the part of an image generation request the server reads.
type ImageRequest struct {
	Model          string `json:"model"`
	Prompt         string `json:"prompt"`
	N              *int   `json:"n"`
	Size           string `json:"size"`
	ResponseFormat string `json:"response_format"`
}

func (s *Server) images(w http.ResponseWriter, r *http.Request) {
	var req ImageRequest
	reply, _, ok := s.begin(w, r, Images, &req)
	if !ok {
		return
	}
	n := 1
	if req.N != nil {
		n = *req.N
	}
	if n < 1 || n > 10 {
		writeError(w, http.StatusBadRequest, Reply{ErrType: "invalid_request_error", ErrCode: "integer_above_max_value",
			ErrMessage: "n must be between 1 and 10"})
		return
	}
	if req.ResponseFormat == "url" {
		writeError(w, http.StatusBadRequest, Reply{ErrType: "invalid_request_error",
			ErrMessage: "the fake provider answers b64_json only"})
		return
	}
	width, height := 64, 64
	if a, b, ok := strings.Cut(req.Size, "x"); ok {
		if x, err := strconv.Atoi(a); err == nil && x > 0 && x <= 4096 {
			width = x
		}
		if y, err := strconv.Atoi(b); err == nil && y > 0 && y <= 4096 {
			height = y
		}
	}
	data := make([]any, 0, n)
	for i := range n {
		data = append(data, map[string]any{"b64_json": base64.StdEncoding.EncodeToString(PNG(width, height, req.Prompt, i)),
			"revised_prompt": req.Prompt})
	}
	in := reply.InputTokens
	if in == 0 {
		in = words(req.Prompt)
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": time.Now().Unix(), "data": data,
		"usage": map[string]any{"input_tokens": in, "output_tokens": reply.OutputTokens, "total_tokens": in + reply.OutputTokens,
			"input_tokens_details": map[string]any{"text_tokens": in, "image_tokens": 0}}})
}

// PNG draws a solid picture whose colour follows the prompt and index, so
// two prompts give different bytes.
func PNG(width, height int, prompt string, index int) []byte {
	h := fnv.New32a()
	_, _ = fmt.Fprintf(h, "%s|%d", prompt, index)
	v := h.Sum32()
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	c := color.NRGBA{R: uint8(v), G: uint8(v >> 8), B: uint8(v >> 16), A: 255}
	for y := range height {
		for x := range width {
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// EmbeddingRequest is the part of an embeddings request the server reads.
type EmbeddingRequest struct {
	Model string          `json:"model"`
	Input json.RawMessage `json:"input"`
}

// Inputs returns the texts to embed (a string or an array of strings).
func (e EmbeddingRequest) Inputs() ([]string, bool) {
	var one string
	if json.Unmarshal(e.Input, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(e.Input, &many) == nil {
		return many, true
	}
	return nil, false
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req EmbeddingRequest
	reply, _, ok := s.begin(w, r, Embeddings, &req)
	if !ok {
		return
	}
	inputs, ok := req.Inputs()
	if !ok || len(inputs) == 0 {
		writeError(w, http.StatusBadRequest, Reply{ErrType: "invalid_request_error", ErrMessage: "input must be a string or an array of strings"})
		return
	}
	data := make([]any, 0, len(inputs))
	for i, text := range inputs {
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": Vector(text, s.Dimensions)})
	}
	in := reply.InputTokens
	if in == 0 {
		in = words(inputs...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]any{"prompt_tokens": in, "total_tokens": in}})
}

// Vector is the fake's embedding of text: a unit vector of dims numbers
// following the text's words (bag of hashed words), so texts sharing words
// are near each other.
func Vector(text string, dims int) []float64 {
	if dims <= 0 {
		dims = 8
	}
	v := make([]float64, dims)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		h := fnv.New32a()
		_, _ = h.Write([]byte(w))
		v[int(h.Sum32()%uint32(dims))]++
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	if norm == 0 {
		v[0], norm = 1, 1
	}
	norm = math.Sqrt(norm)
	for i := range v {
		v[i] /= norm
	}
	return v
}

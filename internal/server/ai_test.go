package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/ai"
	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
	"github.com/pishkhan/pishkhan/internal/testkit/fakeai"
)

type providerAnswer struct {
	ID                    int64
	Name                  string
	Source                string
	BaseURL               string `json:"base_url"`
	HasKey                bool   `json:"has_key"`
	ChatModel             string `json:"chat_model"`
	ImageModel            string `json:"image_model"`
	InputPricePerMillion  int64  `json:"input_price_per_million"`
	OutputPricePerMillion int64  `json:"output_price_per_million"`
	ImagePrice            int64  `json:"image_price"`
	Currency              string
	StreamUsage           bool `json:"stream_usage"`
	Enabled               bool
	IsDefault             bool                    `json:"is_default"`
	CreatedBy             *struct{ Email string } `json:"created_by"`
}

func createProvider(t *testing.T, c *testkit.Client, body map[string]any) (providerAnswer, *testkit.Response) {
	t.Helper()
	r := c.Do("POST", "/api/ai/providers", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create provider: %d %s", r.Status, r.Body)
	}
	var p providerAnswer
	r.JSON(t, &p)
	return p, r
}

func providersOf(t *testing.T, c *testkit.Client) []providerAnswer {
	t.Helper()
	r := c.Do("GET", "/api/ai/providers?page_size=100", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("providers: %d %s", r.Status, r.Body)
	}
	var page struct{ Items []providerAnswer }
	r.JSON(t, &page)
	return page.Items
}

// aiReason is an error body's details.reason.
func aiReason(r *testkit.Response) string {
	var body struct {
		Details struct{ Reason string }
	}
	_ = json.Unmarshal(r.Body, &body)
	return body.Details.Reason
}

// chatThrough asks the instance's AI room for a client of capability and
// sends one chat, as the generation jobs and the chatbot do.
func chatThrough(t *testing.T, in *testkit.Instance) (llm.ChatResult, ai.Provider, error) {
	t.Helper()
	ctx := authz.With(context.Background(), authz.System)
	c, p, err := in.Srv.AI.Client(ctx, ai.CapText)
	if err != nil {
		return llm.ChatResult{}, p, err
	}
	res, err := c.Chat(ctx, llm.ChatRequest{Messages: []llm.Message{{Role: llm.User, Content: "ping"}}})
	return res, p, err
}

// TestAIProviders: providers over the API on both engines: the key is
// write-only (sealed at rest, never answered, audited as has_key only),
// the default is one at most, and a call goes to the provider chosen, with
// its key.
func TestAIProviders(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), nil)
			in.CreateSuperuser(t, "root@example.com")
			admin := in.LoggedIn(t, "root@example.com")
			in.CreateUser(t, "writer@example.com", "ai.generate", "content.edit")
			writer := in.LoggedIn(t, "writer@example.com")

			t.Run("without a provider every call says ai_not_configured", func(t *testing.T) {
				if got := providersOf(t, admin); len(got) != 0 {
					t.Fatalf("providers: %+v", got)
				}
				_, _, err := chatThrough(t, in)
				e, ok := apperr.As(err)
				if !ok || e.Code != apperr.Conflict || e.Details["reason"] != ai.ReasonNotConfigured {
					t.Fatalf("err %v", err)
				}
			})

			const key1, key2 = "sk-first-0123456789abcdefXYZ", "sk-second-9876543210fedcbaQRS"
			fake1 := fakeai.Start(t, key1)
			fake2 := fakeai.Start(t, key2)
			var first, second providerAnswer

			t.Run("the key is write-only, sealed at rest and never answered", func(t *testing.T) {
				var r *testkit.Response
				first, r = createProvider(t, admin, map[string]any{"name": "OpenAI", "base_url": fake1.URL, "api_key": key1,
					"chat_model": "gpt-test", "input_price_per_million": 15, "output_price_per_million": 60, "currency": "USD"})
				if !first.HasKey || first.Source != "panel" || !first.Enabled || !first.StreamUsage || first.IsDefault ||
					first.InputPricePerMillion != 15 || first.CreatedBy == nil || first.CreatedBy.Email != "root@example.com" {
					t.Fatalf("created %+v", first)
				}
				if r.Header.Get("ETag") == "" || r.Header.Get("Location") != fmt.Sprintf("/api/ai/providers/%d", first.ID) {
					t.Fatalf("headers %v", r.Header)
				}
				for _, path := range []string{"/api/ai/providers", "/api/ai/providers?limit=5", fmt.Sprintf("/api/ai/providers/%d", first.ID),
					fmt.Sprintf("/api/audit-logs?resource_type=ai_provider&resource_id=%d", first.ID)} {
					got := admin.Do("GET", path, nil)
					if got.Status != 200 {
						t.Fatalf("GET %s: %d %s", path, got.Status, got.Body)
					}
					if bytes.Contains(got.Body, []byte(key1)) || bytes.Contains(got.Body, []byte(key1[3:])) {
						t.Fatalf("GET %s shows the key: %s", path, got.Body)
					}
				}
				audit := admin.Do("GET", fmt.Sprintf("/api/audit-logs?resource_type=ai_provider&resource_id=%d", first.ID), nil)
				if !bytes.Contains(audit.Body, []byte(`"has_key":{"from":false,"to":true}`)) && !bytes.Contains(audit.Body, []byte(`"has_key":{"to":true`)) {
					t.Fatalf("the audit row does not record has_key: %s", audit.Body)
				}
				var sealed string
				if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT api_key_sealed FROM ai_providers WHERE id = ?`, first.ID).Scan(&sealed); err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(sealed, "a1:") || strings.Contains(sealed, key1[3:]) {
					t.Fatalf("the key is stored as %q", sealed)
				}
				res, p, err := chatThrough(t, in)
				if err != nil || p.ID != first.ID || res.Text == "" {
					t.Fatalf("chat through the first provider: %+v %+v %v", res, p, err)
				}
				got := fake1.RequestsTo(fakeai.Chat)
				if len(got) != 1 || got[0].Header.Get("Authorization") != "Bearer "+key1 {
					t.Fatalf("the provider got %d requests, Authorization %q", len(got), got[0].Header.Get("Authorization"))
				}
			})

			t.Run("one default at most; a call goes to the default", func(t *testing.T) {
				second, _ = createProvider(t, admin, map[string]any{"name": "Local", "base_url": fake2.URL, "api_key": key2,
					"chat_model": "llama-test", "image_model": "sd-test", "stream_usage": false, "is_default": true})
				res, p, err := chatThrough(t, in)
				if err != nil || p.ID != second.ID || res.Text == "" {
					t.Fatalf("chat through the default: %+v %v", p, err)
				}
				var body fakeai.ChatRequest
				fake2.RequestsTo(fakeai.Chat)[0].JSON(t, &body)
				if body.Model != "llama-test" {
					t.Fatalf("model %q", body.Model)
				}
				// the first becomes the default: the second stops being it
				cur := admin.Do("GET", fmt.Sprintf("/api/ai/providers/%d", first.ID), nil)
				r := admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", first.ID), map[string]any{"is_default": true},
					"If-Match", cur.Header.Get("ETag"))
				if r.Status != 200 {
					t.Fatalf("make default: %d %s", r.Status, r.Body)
				}
				defaults := 0
				for _, p := range providersOf(t, admin) {
					if p.IsDefault {
						defaults++
						if p.ID != first.ID {
							t.Fatalf("default is %d", p.ID)
						}
					}
				}
				if defaults != 1 {
					t.Fatalf("%d defaults", defaults)
				}
				// the same If-Match again is stale now
				if r := admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", first.ID), map[string]any{"name": "x"},
					"If-Match", cur.Header.Get("ETag")); r.Status != http.StatusPreconditionFailed {
					t.Fatalf("stale If-Match: %d %s", r.Status, r.Body)
				}
				// a disabled default is skipped
				if r := admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", first.ID), map[string]any{"enabled": false}); r.Status != 200 {
					t.Fatalf("disable: %d %s", r.Status, r.Body)
				}
				if _, p, err := chatThrough(t, in); err != nil || p.ID != second.ID {
					t.Fatalf("with the default disabled: %+v %v", p, err)
				}
			})

			t.Run("a new key is used at once; an empty one removes it", func(t *testing.T) {
				fake2.SetKey("sk-rotated-000111222333444")
				r := admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", second.ID), map[string]any{"api_key": fake2.Key})
				var p providerAnswer
				r.JSON(t, &p)
				if r.Status != 200 || !p.HasKey || bytes.Contains(r.Body, []byte(fake2.Key)) {
					t.Fatalf("rotate key: %d %s", r.Status, r.Body)
				}
				if _, _, err := chatThrough(t, in); err != nil {
					t.Fatalf("with the new key: %v", err)
				}
				reqs := fake2.RequestsTo(fakeai.Chat)
				if got := reqs[len(reqs)-1].Header.Get("Authorization"); got != "Bearer "+fake2.Key {
					t.Fatalf("Authorization %q", got)
				}
				r = admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", second.ID), map[string]any{"api_key": ""})
				r.JSON(t, &p)
				if r.Status != 200 || p.HasKey {
					t.Fatalf("remove key: %d %s", r.Status, r.Body)
				}
				_, _, err := chatThrough(t, in)
				if llm.KindOf(err) != llm.KindAuth {
					t.Fatalf("without a key the provider refuses: %v", err)
				}
			})

			t.Run("bad input is refused naming the field and changes nothing", func(t *testing.T) {
				before := admin.Do("GET", "/api/ai/providers?page_size=100", nil).Body
				cases := []struct {
					body  any
					field string
				}{
					{map[string]any{"name": "", "base_url": fake1.URL, "chat_model": "m"}, "name"},
					{map[string]any{"name": "environment", "base_url": fake1.URL, "chat_model": "m"}, "name"},
					{map[string]any{"name": "x", "base_url": "api.openai.com/v1", "chat_model": "m"}, "base_url"},
					{map[string]any{"name": "x", "base_url": "ftp://x/v1", "chat_model": "m"}, "base_url"},
					{map[string]any{"name": "x", "base_url": "http://u:p@x/v1", "chat_model": "m"}, "base_url"},
					{map[string]any{"name": "x", "base_url": fake1.URL}, "chat_model"},
					{map[string]any{"name": "x", "base_url": fake1.URL, "chat_model": "has space"}, "chat_model"},
					{map[string]any{"name": "x", "base_url": fake1.URL, "chat_model": "m", "currency": "usd"}, "currency"},
					{map[string]any{"name": "x", "base_url": fake1.URL, "chat_model": "m", "input_price_per_million": -1}, "input_price_per_million"},
					{map[string]any{"name": "x", "base_url": fake1.URL, "chat_model": "m", "api_key": "sk bad"}, "api_key"},
					{map[string]any{"name": "x", "base_url": fake1.URL, "chat_model": "m", "api_key": strings.Repeat("k", 5000)}, "api_key"},
					{map[string]any{"name": "x", "base_url": fake1.URL, "chat_model": "m", "has_key": true}, "has_key"},
					{map[string]any{"name": "x", "base_url": fake1.URL, "chat_model": "m", "source": "env"}, "source"},
				}
				for _, tc := range cases {
					r := admin.Do("POST", "/api/ai/providers", tc.body)
					if r.Status != http.StatusUnprocessableEntity || !bytes.Contains(r.Body, []byte(`"`+tc.field+`"`)) {
						t.Errorf("%v: %d %s", tc.body, r.Status, r.Body)
					}
				}
				r := admin.Do("POST", "/api/ai/providers", map[string]any{"name": "OpenAI", "base_url": fake1.URL, "chat_model": "m"})
				if r.Status != http.StatusConflict || aiReason(r) != "taken" {
					t.Errorf("a taken name: %d %s", r.Status, r.Body)
				}
				r = admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", second.ID), map[string]any{"chat_model": "", "image_model": ""})
				if r.Status != http.StatusUnprocessableEntity {
					t.Errorf("removing every model: %d %s", r.Status, r.Body)
				}
				r = admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", second.ID), map[string]any{"name": "OpenAI"})
				if r.Status != http.StatusConflict {
					t.Errorf("renaming onto a taken name: %d %s", r.Status, r.Body)
				}
				for _, path := range []string{"/api/ai/providers/0", "/api/ai/providers/abc", "/api/ai/providers/999999"} {
					if r := admin.Do("GET", path, nil); r.Status != 404 {
						t.Errorf("GET %s: %d", path, r.Status)
					}
				}
				if after := admin.Do("GET", "/api/ai/providers?page_size=100", nil).Body; !bytes.Equal(before, after) {
					t.Fatalf("refused requests changed the providers:\n%s\n%s", before, after)
				}
			})

			t.Run("only ai.manage sees or changes providers", func(t *testing.T) {
				for _, req := range []struct{ method, path string }{
					{"GET", "/api/ai/providers"}, {"GET", fmt.Sprintf("/api/ai/providers/%d", first.ID)},
					{"POST", "/api/ai/providers"}, {"PATCH", fmt.Sprintf("/api/ai/providers/%d", first.ID)},
					{"DELETE", fmt.Sprintf("/api/ai/providers/%d", first.ID)},
				} {
					var body any
					if req.method == "POST" || req.method == "PATCH" {
						body = map[string]any{"name": "stolen", "base_url": "http://evil.example/v1", "chat_model": "m"}
					}
					if r := writer.Do(req.method, req.path, body); r.Status != http.StatusForbidden {
						t.Errorf("ai.generate %s %s: %d %s", req.method, req.path, r.Status, r.Body)
					}
					if r := in.Client(t).Do(req.method, req.path, body); r.Status != http.StatusUnauthorized {
						t.Errorf("anonymous %s %s: %d", req.method, req.path, r.Status)
					}
				}
			})

			t.Run("delete", func(t *testing.T) {
				if r := admin.Do("DELETE", fmt.Sprintf("/api/ai/providers/%d", first.ID), nil); r.Status != http.StatusNoContent {
					t.Fatalf("delete: %d %s", r.Status, r.Body)
				}
				if r := admin.Do("GET", fmt.Sprintf("/api/ai/providers/%d", first.ID), nil); r.Status != 404 {
					t.Fatalf("after delete: %d", r.Status)
				}
				if r := admin.Do("DELETE", fmt.Sprintf("/api/ai/providers/%d", first.ID), nil); r.Status != 404 {
					t.Fatalf("delete again: %d", r.Status)
				}
			})
		})
	}
}

// TestAIEnvProvider: AI_BASE_URL and friends define a provider shown
// read-only, whose key stays in the environment; a restart without them
// removes it.
func TestAIEnvProvider(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			const key = "sk-env-key-5555666677778888"
			fake := fakeai.Start(t, key)
			sh := testkit.NewShared(t, m)
			in := testkit.Start(t, sh, map[string]string{"AI_BASE_URL": fake.URL, "AI_API_KEY": key,
				"AI_TEXT_MODEL": "gpt-env", "AI_IMAGE_PRICE": "4", "AI_STREAM_USAGE": "false"})
			in.CreateSuperuser(t, "root@example.com")
			admin := in.LoggedIn(t, "root@example.com")
			list := providersOf(t, admin)
			if len(list) != 1 {
				t.Fatalf("providers: %+v", list)
			}
			env := list[0]
			if env.Name != "environment" || env.Source != "env" || !env.HasKey || env.BaseURL != fake.URL ||
				env.ChatModel != "gpt-env" || env.ImagePrice != 4 || env.StreamUsage || env.CreatedBy != nil {
				t.Fatalf("env provider %+v", env)
			}
			var sealed string
			if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT api_key_sealed FROM ai_providers WHERE id = ?`, env.ID).Scan(&sealed); err != nil || sealed != "" {
				t.Fatalf("the environment's key is in the database: %q %v", sealed, err)
			}
			for _, req := range []struct{ method string }{{"PATCH"}, {"DELETE"}} {
				var body any
				if req.method == "PATCH" {
					body = map[string]any{"chat_model": "other"}
				}
				r := admin.Do(req.method, fmt.Sprintf("/api/ai/providers/%d", env.ID), body)
				if r.Status != http.StatusConflict || aiReason(r) != ai.ReasonReadOnly {
					t.Fatalf("%s the env provider: %d %s", req.method, r.Status, r.Body)
				}
			}
			if _, p, err := chatThrough(t, in); err != nil || p.ID != env.ID {
				t.Fatalf("chat: %+v %v", p, err)
			}
			got := fake.RequestsTo(fakeai.Chat)
			if len(got) != 1 || got[0].Header.Get("Authorization") != "Bearer "+key {
				t.Fatalf("requests %d", len(got))
			}
			// the same environment at a second start changes nothing
			again := testkit.Start(t, sh, in.Env)
			if l := providersOf(t, admin.For(again)); len(l) != 1 || l[0].ID != env.ID {
				t.Fatalf("after a restart: %+v", l)
			}
			// without AI_BASE_URL the provider is gone and calls say so
			env2 := map[string]string{}
			for k, v := range in.Env {
				if !strings.HasPrefix(k, "AI_") {
					env2[k] = v
				}
			}
			gone := testkit.Start(t, sh, env2)
			if l := providersOf(t, admin.For(gone)); len(l) != 0 {
				t.Fatalf("without AI_BASE_URL: %+v", l)
			}
			_, _, err := chatThrough(t, gone)
			if e, ok := apperr.As(err); !ok || e.Details["reason"] != ai.ReasonNotConfigured {
				t.Fatalf("err %v", err)
			}
		})
	}
}

// TestAIKeysNotLogged: nothing logged while providers are made, used and
// refused (a provider echoing the key in its error included) holds a key.
// It swaps the process's logger, so it does not run in parallel.
func TestAIKeysNotLogged(t *testing.T) {
	var buf syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	const key, envKey = "sk-logged-key-1234567890abcd", "sk-env-logged-0987654321zyxw"
	fake := fakeai.Start(t, key)
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{"LOG_LEVEL": "debug",
		"AI_BASE_URL": fake.URL, "AI_API_KEY": envKey, "AI_TEXT_MODEL": "m"})
	in.CreateSuperuser(t, "root@example.com")
	admin := in.LoggedIn(t, "root@example.com")
	p, _ := createProvider(t, admin, map[string]any{"name": "Echo", "base_url": fake.URL, "api_key": key, "chat_model": "m", "is_default": true})
	fake.Enqueue(fakeai.Chat, fakeai.Reply{Status: 401, ErrMessage: "Incorrect API key provided: " + key})
	_, _, err := chatThrough(t, in)
	if llm.KindOf(err) != llm.KindAuth || strings.Contains(err.Error(), key) {
		t.Fatalf("err %v", err)
	}
	admin.Do("PATCH", fmt.Sprintf("/api/ai/providers/%d", p.ID), map[string]any{"api_key": key + "2"})
	admin.Do("POST", "/api/ai/providers", map[string]any{"name": "Bad", "base_url": "nope", "api_key": key})
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{key, envKey, key[3:], envKey[3:]} {
		if strings.Contains(buf.String(), secret) {
			t.Fatalf("the log holds a key:\n%s", buf.String())
		}
	}
}

// TestAIBudgetsAndUsage: on both engines, budgets set over the API refuse
// a call that would pass them (429 budget_exceeded with resets_at) before
// it reaches the provider, a role budget caps each member unless a user
// budget replaces it, and the ledger's figures are the provider's usage at
// the provider's prices, reported by user, feature, model and day and
// exported as CSV.
func TestAIBudgetsAndUsage(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			const key = "sk-budget-key-0000111122223333"
			fake := fakeai.Start(t, key)
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{"AI_RATE_LIMIT": "5/h"})
			in.CreateSuperuser(t, "root@example.com")
			admin := in.LoggedIn(t, "root@example.com")
			writerID := in.CreateUser(t, "writer@example.com", "ai.generate")
			otherID := in.CreateUser(t, "other@example.com", "ai.generate")
			p, _ := createProvider(t, admin, map[string]any{"name": "Priced", "base_url": fake.URL, "api_key": key,
				"chat_model": "gpt-priced", "input_price_per_million": 1_000_000, "output_price_per_million": 2_000_000})
			var roleID int64
			if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT role_id FROM user_roles WHERE user_id = ?`, writerID).Scan(&roleID); err != nil {
				t.Fatal(err)
			}
			as := func(id int64, email string) context.Context {
				return authz.With(context.Background(), &authz.Principal{UserID: id, Email: email, Permissions: []authz.Permission{"ai.generate"}})
			}
			chat := func(ctx context.Context, maxOut int64, stream bool) (llm.ChatResult, error) {
				req := llm.ChatRequest{MaxOutputTokens: maxOut, Messages: []llm.Message{{Role: llm.User, Content: "write a title"}}}
				var onDelta func(string) error
				if stream {
					onDelta = func(string) error { return nil }
				}
				res, _, err := in.Srv.AI.Chat(ctx, "generate_text", req, onDelta)
				return res, err
			}

			t.Run("bad budgets are refused naming the item and change nothing", func(t *testing.T) {
				for _, body := range []any{
					map[string]any{},
					map[string]any{"items": []any{map[string]any{"scope": "team", "id": 1, "period": "day", "max_tokens": 1}}},
					map[string]any{"items": []any{map[string]any{"scope": "user", "id": 0, "period": "day", "max_tokens": 1}}},
					map[string]any{"items": []any{map[string]any{"scope": "user", "id": writerID, "period": "week", "max_tokens": 1}}},
					map[string]any{"items": []any{map[string]any{"scope": "user", "id": writerID, "period": "day"}}},
					map[string]any{"items": []any{map[string]any{"scope": "user", "id": writerID, "period": "day", "max_cost": -1}}},
					map[string]any{"items": []any{map[string]any{"scope": "user", "id": 999999, "period": "day", "max_tokens": 1}}},
					map[string]any{"items": []any{map[string]any{"scope": "role", "id": 999999, "period": "day", "max_tokens": 1}}},
					map[string]any{"items": []any{map[string]any{"scope": "user", "id": writerID, "period": "day", "max_tokens": 1},
						map[string]any{"scope": "user", "id": writerID, "period": "day", "max_cost": 1}}},
					map[string]any{"items": []any{map[string]any{"scope": "user", "id": writerID, "period": "day", "max_tokens": 1, "extra": 1}}},
				} {
					if r := admin.Do("PUT", "/api/ai/budgets", body); r.Status != http.StatusUnprocessableEntity {
						t.Errorf("%v: %d %s", body, r.Status, r.Body)
					}
				}
				r := admin.Do("GET", "/api/ai/budgets", nil)
				if r.Status != 200 || string(r.Body) != `{"items":[]}` {
					t.Fatalf("budgets after refusals: %d %s", r.Status, r.Body)
				}
			})

			t.Run("a call over budget is refused before the provider sees it", func(t *testing.T) {
				r := admin.Do("PUT", "/api/ai/budgets", map[string]any{"items": []any{
					map[string]any{"scope": "role", "id": roleID, "period": "day", "max_tokens": 3000},
					map[string]any{"scope": "user", "id": otherID, "period": "month", "max_cost": 1_000_000_000},
				}})
				if r.Status != 200 {
					t.Fatalf("put budgets: %d %s", r.Status, r.Body)
				}
				if got := admin.Do("GET", "/api/ai/budgets", nil); !bytes.Contains(got.Body, []byte(`"max_tokens":3000`)) {
					t.Fatalf("budgets: %s", got.Body)
				}
				fake.Enqueue(fakeai.Chat, fakeai.Reply{Text: "A title", InputTokens: 10, OutputTokens: 5},
					fakeai.Reply{Chunks: []string{"Another ", "title"}, InputTokens: 20, OutputTokens: 7})
				if _, err := chat(as(writerID, "writer@example.com"), 0, false); err != nil {
					t.Fatal(err)
				}
				res, err := chat(as(writerID, "writer@example.com"), 0, true)
				if err != nil || res.Text != "Another title" {
					t.Fatalf("streamed: %+v %v", res, err)
				}
				before := len(fake.RequestsTo(fakeai.Chat))
				// 42 used; a call that may use 4000 more passes 3000
				_, err = chat(as(writerID, "writer@example.com"), 4000, false)
				e, ok := apperr.As(err)
				if !ok || e.Code != apperr.RateLimited || e.Details["reason"] != "budget_exceeded" || e.Details["resets_at"] == nil || e.RetryAfter < 1 {
					t.Fatalf("over budget: %v", err)
				}
				if n := len(fake.RequestsTo(fakeai.Chat)); n != before {
					t.Fatalf("the refused call reached the provider (%d requests, were %d)", n, before)
				}
				// other has no role budget of the day; its own month budget is far
				fake.Enqueue(fakeai.Chat, fakeai.Reply{Text: "ok", InputTokens: 100, OutputTokens: 50})
				if _, err := chat(as(otherID, "other@example.com"), 4000, false); err != nil {
					t.Fatalf("other: %v", err)
				}
			})

			t.Run("the ledger holds the provider's figures at the provider's prices", func(t *testing.T) {
				r := admin.Do("GET", "/api/ai/usage?group_by=user", nil)
				var rep struct {
					GroupBy string `json:"group_by"`
					Items   []struct {
						Key, Label, Currency string
						Calls, Failed        int64
						InputTokens          int64 `json:"input_tokens"`
						OutputTokens         int64 `json:"output_tokens"`
						Cost                 int64
					}
					Total struct {
						Calls, Cost int64
					}
				}
				r.JSON(t, &rep)
				if r.Status != 200 || rep.GroupBy != "user" || len(rep.Items) != 2 {
					t.Fatalf("usage: %d %s", r.Status, r.Body)
				}
				byLabel := map[string]int{}
				for i, it := range rep.Items {
					byLabel[it.Label] = i
				}
				w := rep.Items[byLabel["writer@example.com"]]
				if w.Calls != 2 || w.Failed != 0 || w.InputTokens != 30 || w.OutputTokens != 12 || w.Cost != 30+24 || w.Currency != "USD" ||
					w.Key != fmt.Sprint(writerID) {
					t.Fatalf("writer's usage %+v", w)
				}
				o := rep.Items[byLabel["other@example.com"]]
				if o.Calls != 1 || o.InputTokens != 100 || o.OutputTokens != 50 || o.Cost != 200 {
					t.Fatalf("other's usage %+v", o)
				}
				if rep.Total.Calls != 3 || rep.Total.Cost != 254 {
					t.Fatalf("total %+v", rep.Total)
				}
				for _, g := range []string{"day", "feature", "model"} {
					r := admin.Do("GET", "/api/ai/usage?group_by="+g, nil)
					if r.Status != 200 || !bytes.Contains(r.Body, []byte(`"calls":3`)) {
						t.Fatalf("group_by=%s: %d %s", g, r.Status, r.Body)
					}
				}
				if r := admin.Do("GET", "/api/ai/usage?group_by=model", nil); !bytes.Contains(r.Body, []byte(`"Priced/gpt-priced"`)) {
					t.Fatalf("by model: %s", r.Body)
				}
				csvR := admin.Do("GET", "/api/ai/usage/export", nil)
				if csvR.Status != 200 || !strings.HasPrefix(csvR.Header.Get("Content-Type"), "text/csv") {
					t.Fatalf("export: %d %v", csvR.Status, csvR.Header)
				}
				lines := strings.Split(strings.TrimSpace(string(csvR.Body)), "\n")
				if len(lines) != 4 || !strings.Contains(lines[1], "writer@example.com") || !strings.Contains(lines[1], ",generate_text,Priced,gpt-priced,settled,ok,10,5,0,20,USD,false,") {
					t.Fatalf("csv:\n%s", csvR.Body)
				}
				for _, bad := range []string{"group_by=week", "from=yesterday", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
					"from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"} {
					if r := admin.Do("GET", "/api/ai/usage?"+bad, nil); r.Status != 422 && r.Status != 400 {
						t.Errorf("usage?%s: %d", bad, r.Status)
					}
				}
				_ = p
			})

			t.Run("each user's calls are rate limited apart from budgets", func(t *testing.T) {
				busy := in.CreateUser(t, "busy@example.com", "ai.generate")
				ctx := as(busy, "busy@example.com")
				for i := range 5 {
					if _, err := chat(ctx, 10, false); err != nil {
						t.Fatalf("call %d: %v", i+1, err)
					}
				}
				before := len(fake.RequestsTo(fakeai.Chat))
				_, err := chat(ctx, 10, false)
				e, ok := apperr.As(err)
				if !ok || e.Code != apperr.RateLimited || e.Details["reason"] != ai.ReasonRateLimited || e.RetryAfter < 1 || e.Limit == nil {
					t.Fatalf("the sixth call: %v", err)
				}
				if n := len(fake.RequestsTo(fakeai.Chat)); n != before {
					t.Fatal("the limited call reached the provider")
				}
				// another user is not limited by busy's calls
				if _, err := chat(as(otherID, "other@example.com"), 10, false); err != nil {
					t.Fatalf("other: %v", err)
				}
			})
		})
	}
}

// TestAITemplates: on both engines, the built-in templates are there to
// read by whoever generates, editable and resettable by ai.manage but never
// deleted; a template's placeholders are exactly its variables; rendering
// refuses unknown, missing and overlong values, naming them.
func TestAITemplates(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			in := testkit.Start(t, sh, nil)
			in.CreateSuperuser(t, "root@example.com")
			admin := in.LoggedIn(t, "root@example.com")
			in.CreateUser(t, "writer@example.com", "ai.generate")
			writer := in.LoggedIn(t, "writer@example.com")
			type tmpl struct {
				ID         int64
				Slug       string
				UserPrompt string `json:"user_prompt"`
				Builtin    bool
				Variables  []struct{ Name string }
			}
			var page struct {
				Items []tmpl
				Total int
			}
			r := writer.Do("GET", "/api/ai/templates?page_size=100", nil)
			r.JSON(t, &page)
			if r.Status != 200 || page.Total != 6 {
				t.Fatalf("templates: %d %s", r.Status, r.Body)
			}
			bySlug := map[string]tmpl{}
			for _, it := range page.Items {
				bySlug[it.Slug] = it
				if !it.Builtin {
					t.Fatalf("%s is not built-in", it.Slug)
				}
			}
			blog := bySlug["blog_draft"]
			if blog.ID == 0 || len(blog.Variables) != 3 {
				t.Fatalf("blog_draft %+v", blog)
			}
			// rendering is strict
			ctx := authz.With(context.Background(), authz.System)
			msgs, _, err := in.Srv.AI.Render(ctx, "blog_draft", map[string]string{"brief": "چای سبز", "lang": "fa"})
			if err != nil || len(msgs) != 2 || !strings.Contains(msgs[1].Content, "چای سبز") || !strings.Contains(msgs[1].Content, `"fa"`) {
				t.Fatalf("render: %+v %v", msgs, err)
			}
			_, _, err = in.Srv.AI.Render(ctx, "blog_draft", map[string]string{"lang": "fa", "mood": "x", "tone": strings.Repeat("t", 201)})
			if e, ok := apperr.As(err); !ok || e.Fields["variables.brief"] == "" || e.Fields["variables.mood"] == "" || e.Fields["variables.tone"] == "" {
				t.Fatalf("strict render: %v", err)
			}
			_, _, err = in.Srv.AI.Render(ctx, "no_such", nil)
			if e, ok := apperr.As(err); !ok || e.Fields["template"] == "" {
				t.Fatalf("unknown template: %v", err)
			}

			// a writer reads but never changes
			if r := writer.Do("PATCH", fmt.Sprintf("/api/ai/templates/%d", blog.ID), map[string]any{"name": "x"}); r.Status != 403 {
				t.Fatalf("writer PATCH: %d", r.Status)
			}
			// an admin edits a built-in one; a second start keeps the edit; reset puts it back
			cur := admin.Do("GET", fmt.Sprintf("/api/ai/templates/%d", blog.ID), nil)
			r = admin.Do("PATCH", fmt.Sprintf("/api/ai/templates/%d", blog.ID), map[string]any{"user_prompt": "Draft {{brief}} in {{lang}}, {{tone}}."},
				"If-Match", cur.Header.Get("ETag"))
			if r.Status != 200 {
				t.Fatalf("edit: %d %s", r.Status, r.Body)
			}
			if r := admin.Do("PATCH", fmt.Sprintf("/api/ai/templates/%d", blog.ID), map[string]any{"user_prompt": "Draft {{brief}}"}); r.Status != 422 {
				t.Fatalf("an edit leaving variables unused: %d %s", r.Status, r.Body)
			}
			again := testkit.Start(t, sh, in.Env) // a second start seeds only what is missing
			var edited tmpl
			admin.For(again).Do("GET", fmt.Sprintf("/api/ai/templates/%d", blog.ID), nil).JSON(t, &edited)
			if edited.UserPrompt != "Draft {{brief}} in {{lang}}, {{tone}}." {
				t.Fatalf("edited: %+v", edited)
			}
			if r := admin.Do("DELETE", fmt.Sprintf("/api/ai/templates/%d", blog.ID), nil); r.Status != 409 || aiReason(r) != ai.ReasonBuiltinTemplate {
				t.Fatalf("delete built-in: %d %s", r.Status, r.Body)
			}
			var reset tmpl
			r = admin.Do("POST", fmt.Sprintf("/api/ai/templates/%d/reset", blog.ID), nil)
			r.JSON(t, &reset)
			if r.Status != 200 || reset.UserPrompt != blog.UserPrompt {
				t.Fatalf("reset: %d %s", r.Status, r.Body)
			}

			// a template of the panel's own
			r = admin.Do("POST", "/api/ai/templates", map[string]any{"slug": "product_note", "name": "Product note",
				"user_prompt": "Describe {{product}}", "variables": []any{map[string]any{"name": "product", "required": true, "max_length": 100}}})
			var own tmpl
			r.JSON(t, &own)
			if r.Status != 201 || own.Builtin {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			for _, bad := range []map[string]any{
				{"slug": "product_note", "name": "dup", "user_prompt": "x"},
				{"slug": "x1", "name": "n", "user_prompt": "Use {{undeclared}}", "variables": []any{}},
				{"slug": "x2", "name": "n", "user_prompt": "x", "variables": []any{map[string]any{"name": "unused", "max_length": 5}}},
				{"slug": "x3", "name": "n", "user_prompt": "{{v}}", "variables": []any{map[string]any{"name": "v", "max_length": 0}}},
				{"slug": "Bad Slug", "name": "n", "user_prompt": "x"},
			} {
				if r := admin.Do("POST", "/api/ai/templates", bad); r.Status != 422 && r.Status != 409 {
					t.Errorf("%v: %d %s", bad, r.Status, r.Body)
				}
			}
			if r := admin.Do("POST", fmt.Sprintf("/api/ai/templates/%d/reset", own.ID), nil); r.Status != 409 {
				t.Fatalf("reset own: %d", r.Status)
			}
			if r := admin.Do("DELETE", fmt.Sprintf("/api/ai/templates/%d", own.ID), nil); r.Status != 204 {
				t.Fatalf("delete own: %d %s", r.Status, r.Body)
			}
			var after struct{ Total int }
			admin.Do("GET", "/api/ai/templates", nil).JSON(t, &after)
			if after.Total != 6 {
				t.Fatalf("%d templates after", after.Total)
			}
		})
	}
}

// TestAIKeysFollowKeyRotation: a provider key sealed under a SECRET_KEY
// still opens after a rotation (old key in SECRET_KEY_OLD), `secrets
// rotate` re-seals it so the old key can go, and a start-up with a key that
// opens none of the stored provider keys is refused by name.
func TestAIKeysFollowKeyRotation(t *testing.T) {
	keyA, keyB, keyC := strings.Repeat("a1", 32), strings.Repeat("b2", 32), strings.Repeat("c3", 32)
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			const apiKey = "sk-rotation-key-abcdef0123456789"
			fake := fakeai.Start(t, apiKey)
			sh := testkit.NewShared(t, m)
			a := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyA})
			a.CreateSuperuser(t, "root@example.com")
			createProvider(t, a.LoggedIn(t, "root@example.com"), map[string]any{"name": "Sealed", "base_url": fake.URL,
				"api_key": apiKey, "chat_model": "m"})
			calls := 0
			callThrough := func(in *testkit.Instance) {
				t.Helper()
				if _, _, err := chatThrough(t, in); err != nil {
					t.Fatalf("call: %v", err)
				}
				calls++
				got := fake.RequestsTo(fakeai.Chat)
				if len(got) != calls || got[calls-1].Header.Get("Authorization") != "Bearer "+apiKey {
					t.Fatalf("call %d did not carry the provider's key", calls)
				}
			}
			callThrough(a)
			all := map[string]string{}
			for k, v := range a.Env {
				all[k] = v
			}
			all["SECRET_KEY"] = keyC
			cfg, err := config.Load(testkit.Env(all))
			if err != nil {
				t.Fatal(err)
			}
			s, err := server.New(context.Background(), cfg)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, ai.ErrUnknownKey) || !strings.Contains(err.Error(), "SECRET_KEY_OLD") {
				t.Fatalf("start-up with a key that opens no stored provider key: %v", err)
			}
			b := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyB, "SECRET_KEY_OLD": keyA})
			callThrough(b)
			if n, err := b.Srv.RotateSecrets(context.Background()); err != nil || n != 1 {
				t.Fatalf("rotate: %d %v", n, err)
			}
			if n, err := b.Srv.RotateSecrets(context.Background()); err != nil || n != 0 {
				t.Fatalf("a second rotation: %d %v", n, err)
			}
			callThrough(testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyB}))
		})
	}
}

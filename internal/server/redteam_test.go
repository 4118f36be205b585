package server_test

import (
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestRedTeamUserAgentBytes: the request's User-Agent is recorded as sent
// (httpapi.RequestInfo keeps it, cut at 512 bytes) into sessions and audit
// rows. A header may carry bytes 0x80-0xFF that are not UTF-8 (obs-text:
// Go's server lets them through), and the cut at byte 512 splits a
// multi-byte character of a valid one. PostgreSQL refuses such TEXT, so
// in production mode (SQLite stores the bytes) the login answers 503
// "the session store is unavailable" (a false outage) and every audited
// write 500 INTERNAL. It hurts the sender only, but anyone, unauthenticated
// (the login), can raise 5xx and false "session store down" errors at will
// (error tracker, 5xx alerts, readiness dashboards). The User-Agent should
// be made valid UTF-8 (invalid bytes replaced, the cut on a character
// boundary) before it is stored.
func TestRedTeamUserAgentBytes(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), nil)
			in.CreateSuperuser(t, "admin@example.com")
			for name, ua := range map[string]string{
				"obs-text bytes": "Mozilla/5.0 \xff\xfe",
				"a valid one cut inside a character at 512 bytes": strings.Repeat("a", 511) + "é",
			} {
				t.Run(name, func(t *testing.T) {
					c := in.Client(t)
					r := c.Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": testkit.TestPassword},
						"User-Agent", ua)
					if r.Status != 200 {
						t.Errorf("login with that User-Agent: %d %s, want 200", r.Status, r.Body)
					}
					admin := in.LoggedIn(t, "admin@example.com")
					r = admin.Do("POST", "/api/orders", testkit.SampleOrder("ua@example.com"), "User-Agent", ua)
					if r.Status != 201 {
						t.Errorf("an audited write (create order) with that User-Agent: %d %s, want 201", r.Status, r.Body)
					}
				})
			}
		})
	}
}

// TestRedTeamPublicNonUTF8 sends percent-encoded bytes that are not UTF-8
// (%FF) in the public API's path and query, anonymously: a slug, a search,
// a tag, a redirect lookup. Each must be an ordinary 404 or 4xx, never a
// 500 (PostgreSQL refuses such TEXT parameters).
func TestRedTeamPublicNonUTF8(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, nil)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			anon := in.Client(t)
			for _, p := range []string{
				"/api/public/v1/posts/%FF", "/api/public/v1/posts/a%FFb?lang=fa", "/api/public/v1/projects/%FF",
				"/api/public/v1/projects/x%C3?lang=en", "/api/public/v1/posts?tag=%FF", "/api/public/v1/posts?category=%FF",
				"/api/public/v1/projects?tag=%FF", "/api/public/v1/search?q=%FF", "/api/public/v1/search?q=a%FFb",
				"/api/public/v1/preview/%FF", "/api/public/v1/categories/%FF", "/api/public/v1/tags/%FF",
			} {
				if r := anon.Do("GET", p, nil); r.Status >= 500 {
					t.Errorf("anonymous GET %s: %d %s", p, r.Status, r.Body)
				}
			}
			for _, p := range []string{"/api/projects?q=%FF", "/api/posts?q=%FF", "/api/projects?tag=%FF", "/api/posts?tag=%FF",
				"/api/orders?q=%FF", "/api/users?q=%FF", "/api/search?q=%FF"} {
				if r := admin.Do("GET", p, nil); r.Status >= 500 {
					t.Errorf("panel GET %s: %d %s", p, r.Status, r.Body)
				}
			}
		})
	}
}

// TestRedTeamNULInBodies sends a JSON string holding U+0000 (valid JSON,
// a NUL byte once decoded) in the text fields of today's writes. Each must
// be a 422 VALIDATION_FAILED naming the field (or stored and read back
// intact), never a 500 (PostgreSQL TEXT refuses NUL).
func TestRedTeamNULInBodies(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, nil)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			const nul = "a\x00b"
			for _, c := range []struct {
				path string
				body map[string]any
			}{
				{"/api/projects", map[string]any{"title": nul, "lang": "fa"}},
				{"/api/projects", map[string]any{"title": "ok", "lang": "fa", "summary": nul}},
				{"/api/projects", map[string]any{"title": "ok", "lang": "fa", "client": nul}},
				{"/api/projects", map[string]any{"title": "ok", "lang": "fa", "body_md": nul}},
				{"/api/projects", map[string]any{"title": "ok", "lang": "fa", "tags": []string{nul}}},
				{"/api/posts", map[string]any{"title": nul, "lang": "fa"}},
				{"/api/posts", map[string]any{"title": "ok", "lang": "fa", "body_md": nul}},
				{"/api/posts", map[string]any{"title": "ok", "lang": "fa", "excerpt": nul}},
				{"/api/faq", map[string]any{"lang": "fa", "question": nul, "answer": "x"}},
				{"/api/faq", map[string]any{"lang": "fa", "question": "q", "answer": nul}},
				{"/api/chat/canned", map[string]any{"lang": "fa", "title": "t", "text": nul}},
				{"/api/chat/canned", map[string]any{"lang": "fa", "title": nul, "text": "x"}},
			} {
				if r := admin.Do("POST", c.path, c.body); r.Status >= 500 {
					t.Errorf("POST %s %v: %d %s", c.path, c.body, r.Status, r.Body)
				}
			}
		})
	}
}

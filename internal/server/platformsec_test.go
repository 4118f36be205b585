package server_test

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// openEvents opens /api/events as c with extra headers (name, value pairs)
// and sends each event's "name data" on the returned channel, which is
// closed when the stream ends.
func openEvents(t *testing.T, c *testkit.Client, headers ...string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/api/events", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req) //nolint:bodyclose // the reader goroutine closes it
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				out <- event + " " + strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// expectEvent waits for want on ch; a closed stream fails at once.
func expectEvent(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got, ok := <-ch:
			if !ok {
				t.Fatalf("the stream ended before %q arrived", want)
			}
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("event %q did not arrive", want)
		}
	}
}

// Issue 12 #14: a script reading /api/events with an API token gets every
// event it may view, one after another, not a stream closed at the first.
func TestEventsWithBearerToken(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			tok := newToken(t, admin, []string{"orders.view"}, time.Now().Add(time.Hour))
			stream := openEvents(t, in.Client(t), "Authorization", "Bearer "+tok.Secret)
			for i := 0; i < 2; i++ {
				id := admin.CreateOrder(fmt.Sprintf("bearer%d@example.com", i))
				expectEvent(t, stream, fmt.Sprintf(`orders {"event":"created","resource":"orders","id":%d}`, id))
			}
			// a revoked token's stream ends at its next event
			if r := admin.Do("DELETE", fmt.Sprintf("/api/tokens/%d", tok.Token.ID), nil); r.Status != 204 {
				t.Fatalf("revoke: %d %s", r.Status, r.Body)
			}
			after := admin.CreateOrder("revoked@example.com")
			deadline := time.After(3 * time.Second)
			for {
				select {
				case e, ok := <-stream:
					if !ok {
						return
					}
					if strings.Contains(e, fmt.Sprintf(`"id":%d`, after)) {
						t.Fatalf("a revoked token's stream received %s", e)
					}
				case <-deadline:
					t.Fatal("a revoked token's stream stayed open")
				}
			}
		})
	}
}

// Issue 12 #17: an authz event naming a user reaches that user and those
// who may view users or roles, never other users; one naming no user (a
// role changed) reaches everyone, whose access it may have changed.
func TestAuthzEventsOnlyToWhomTheyConcern(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			alice := in.CreateUser(t, "alice@example.com", "orders.view")
			in.CreateUser(t, "bob@example.com", "orders.view")
			in.CreateUser(t, "viewer@example.com", "users.view")
			in.CreateUser(t, "roles@example.com", "roles.manage")
			admin := in.LoggedIn(t, "admin@example.com")
			aliceStream := openEvents(t, in.LoggedIn(t, "alice@example.com"))
			bobStream := openEvents(t, in.LoggedIn(t, "bob@example.com"))
			viewerStream := openEvents(t, in.LoggedIn(t, "viewer@example.com"))
			rolesStream := openEvents(t, in.LoggedIn(t, "roles@example.com"))
			tok := newToken(t, in.LoggedIn(t, "bob@example.com"), []string{"orders.view"}, time.Now().Add(time.Hour))
			bobToken := openEvents(t, in.Client(t), "Authorization", "Bearer "+tok.Secret)

			if r := admin.Do("PATCH", fmt.Sprintf("/api/users/%d", alice), map[string]any{"name": "Alice A."}); r.Status != 200 {
				t.Fatalf("update alice: %d %s", r.Status, r.Body)
			}
			want := fmt.Sprintf(`authz {"event":"updated","resource":"authz","id":%d}`, alice)
			expectEvent(t, aliceStream, want)
			expectEvent(t, viewerStream, want)
			expectEvent(t, rolesStream, want)
			// a role change names no user: everyone hears of it, and it
			// marks the point by which bob's streams would have had alice's
			name := "Clerks"
			perms := []string{"orders.view"}
			r := admin.Do("POST", "/api/roles", map[string]any{"name": name, "permissions": perms})
			if r.Status != 201 {
				t.Fatalf("create role: %d %s", r.Status, r.Body)
			}
			for who, stream := range map[string]<-chan string{"bob's session": bobStream, "bob's token": bobToken} {
				for {
					e := ""
					select {
					case got, ok := <-stream:
						if !ok {
							t.Fatalf("%s stream ended", who)
						}
						e = got
					case <-time.After(5 * time.Second):
						t.Fatalf("%s did not hear of the role change", who)
					}
					if e == want {
						t.Fatalf("%s received another user's authz event %s", who, e)
					}
					if strings.HasPrefix(e, `authz {"event":"updated","resource":"authz","id":0}`) {
						break
					}
				}
			}
		})
	}
}

// Issue 12 #17: the per-IP failed-login limit keys an IPv6 client by its
// /64 (one subscriber's network), so rotating addresses within it does not
// reset the count; another /64 and IPv4 addresses count apart.
func TestLoginIPLimitKeysIPv6By64(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{"TRUSTED_PROXIES": "127.0.0.1", "LOGIN_IP_LIMIT": "3"})
			in.CreateSuperuser(t, "admin@example.com")
			fail := func(ip string, i int) int {
				r := in.Client(t).Do("POST", "/api/auth/login",
					map[string]string{"email": fmt.Sprintf("nobody%d@example.com", i), "password": "wrong"}, "X-Forwarded-For", ip)
				return r.Status
			}
			for i, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"} {
				if st := fail(ip, i); st != 401 {
					t.Fatalf("failure %d from %s: %d", i, ip, st)
				}
			}
			if st := fail("2001:db8:1:2:ffff::9", 10); st != 429 {
				t.Fatalf("a fourth address in the same /64: %d, want 429", st)
			}
			if st := fail("2001:db8:1:3::1", 11); st != 401 {
				t.Fatalf("another /64: %d, want 401", st)
			}
			for i, ip := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"} {
				if st := fail(ip, 20+i); st != 401 {
					t.Fatalf("IPv4 %s (each its own bucket): %d", ip, st)
				}
			}
			// the right password from the limited /64 is refused too
			r := in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": testkit.TestPassword},
				"X-Forwarded-For", "2001:db8:1:2::77")
			if r.Status != 429 || r.Code() != "RATE_LIMITED" {
				t.Fatalf("login from the limited /64: %d %s", r.Status, r.Body)
			}
		})
	}
}

// freeAddr returns a loopback address nobody listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// Issue 12 #17: /metrics is not open to all. With METRICS_TOKEN it needs
// that bearer token; with METRICS_ADDR it is served only on that listener;
// in production with neither it is off; the embedded default (listening
// on loopback unless told otherwise) keeps it open.
func TestMetricsProtected(t *testing.T) {
	const token = "metrics-secret-0123456789"
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			in := testkit.Start(t, sh, map[string]string{"METRICS_TOKEN": token})
			anon := in.Client(t)
			for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x", "Basic " + token, token} {
				r := anon.Do("GET", "/metrics", nil, "Authorization", auth)
				if r.Status != 401 || r.Code() != "UNAUTHENTICATED" || strings.Contains(string(r.Body), "pishkhan_") {
					t.Fatalf("/metrics with Authorization %q: %d %.200s", auth, r.Status, r.Body)
				}
			}
			r := anon.Do("GET", "/metrics", nil, "Authorization", "Bearer "+token)
			if r.Status != 200 || !strings.Contains(string(r.Body), "pishkhan_http_request_duration_seconds") {
				t.Fatalf("/metrics with the token: %d %.200s", r.Status, r.Body)
			}

			open := testkit.Start(t, sh, map[string]string{"METRICS_TOKEN": ""})
			r = open.Client(t).Do("GET", "/metrics", nil)
			if m.Postgres || m.Redis {
				if r.Status != 404 {
					t.Fatalf("production /metrics with neither METRICS_TOKEN nor METRICS_ADDR: %d", r.Status)
				}
			} else if r.Status != 200 {
				t.Fatalf("embedded /metrics: %d", r.Status)
			}

			// a separate listener: the main one answers 404
			addr, metricsAddr := freeAddr(t), freeAddr(t)
			sep := testkit.Start(t, sh, map[string]string{"METRICS_TOKEN": "", "ADDR": addr, "METRICS_ADDR": metricsAddr})
			if r := sep.Client(t).Do("GET", "/metrics", nil); r.Status != 404 {
				t.Fatalf("/metrics on the main listener with METRICS_ADDR: %d", r.Status)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- sep.Srv.ListenAndServe(ctx) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("ListenAndServe: %v", err)
				}
			}()
			var resp *http.Response
			var err error
			for i := 0; i < 50; i++ {
				if resp, err = http.Get("http://" + metricsAddr + "/metrics"); err == nil {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "go_goroutines") {
				t.Fatalf("METRICS_ADDR /metrics: %d %.200s", resp.StatusCode, body)
			}
			if resp, err := http.Get("http://" + metricsAddr + "/api/auth/me"); err != nil || resp.StatusCode != 404 {
				t.Fatalf("the metrics listener serves more than /metrics: %v %v", err, resp)
			} else {
				resp.Body.Close()
			}
		})
	}
}

// Issue 12 #16: a session ends SESSION_IDLE_TIMEOUT after its last
// request, never earlier (a last-seen written only now and then must not
// shorten it) and at most a twentieth of the timeout later.
func TestIdleExpiryIsExact(t *testing.T) {
	const idle = 3 * time.Second
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{"SESSION_IDLE_TIMEOUT": idle.String()})
			in.CreateSuperuser(t, "admin@example.com")
			c := in.LoggedIn(t, "admin@example.com")
			me := func() (int, time.Time, time.Time) {
				sent := time.Now()
				r := c.Do("GET", "/api/auth/me", nil)
				return r.Status, sent, time.Now()
			}
			// busy for longer than the timeout, a request every 400 ms
			var sent time.Time
			for start := time.Now(); time.Since(start) < idle+time.Second; time.Sleep(400 * time.Millisecond) {
				var st int
				if st, sent, _ = me(); st != 200 {
					t.Fatalf("an active session ended after %s: %d", time.Since(start).Round(time.Millisecond), st)
				}
			}
			// early edge: just inside the timeout after the last request
			time.Sleep(time.Until(sent.Add(idle - 500*time.Millisecond)))
			st, _, received := me()
			if st != 200 {
				t.Fatalf("the session ended %s after its last request (timeout %s)", time.Since(sent).Round(time.Millisecond), idle)
			}
			// late edge: past the timeout and its bound after that one
			time.Sleep(time.Until(received.Add(idle + idle/20 + 300*time.Millisecond)))
			if st, _, _ := me(); st != 401 {
				t.Fatalf("the session outlived its idle timeout by more than %s: %d", idle/20+300*time.Millisecond, st)
			}
		})
	}
}

// doHost sends a JSON request as c with a forged Host header; headers are
// name, value pairs.
func doHost(t *testing.T, c *testkit.Client, method, path, host string, body string, headers ...string) *testkit.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.Base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	// the jar picks cookies by Host; send the ones of the real address
	for _, ck := range c.HTTP.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &testkit.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Issue 12 #13: with PUBLIC_URL set, an unsafe request's Origin must be
// PUBLIC_URL's origin (or a TRUSTED_ORIGINS one), whatever Host says, and
// links shown or emailed to users point at PUBLIC_URL, never at Host.
func TestPublicURLDecidesOriginAndLinks(t *testing.T) {
	const public = "https://admin.example.test"
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{"PUBLIC_URL": public + "/",
				"TRUSTED_ORIGINS": "https://other.example.test"})
			in.CreateSuperuser(t, "admin@example.com")
			c := in.LoggedIn(t, "admin@example.com")
			orders := func() int {
				var n int
				if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM orders`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			body := `{"customer":{"name":"Sara","email":"s@example.com","phone":"+989121234567"},"items":[{"sku":"A","name":"A","quantity":1,"unit_price":100}],"shipping":0,"currency":"IRR"}`
			before := orders()
			for _, tc := range []struct{ host, origin, site string }{
				{"evil.test", "http://evil.test", ""},               // DNS rebinding: Host and Origin agree, on the attacker's name
				{"evil.test", "http://evil.test", "same-origin"},    // as a browser on that name would send it
				{strings.TrimPrefix(in.URL, "http://"), in.URL, ""}, // the address the server listens on is not PUBLIC_URL
				{"admin.example.test", "http://admin.example.test", ""},
			} {
				r := doHost(t, c, "POST", "/api/orders", tc.host, body, "Origin", tc.origin, "Sec-Fetch-Site", tc.site)
				if r.Status != 403 || r.Code() != "CSRF_FAILED" {
					t.Fatalf("Host %s Origin %s: %d %s", tc.host, tc.origin, r.Status, r.Body)
				}
			}
			if n := orders(); n != before {
				t.Fatalf("refused requests created %d orders", n-before)
			}
			for _, origin := range []string{public, "https://other.example.test"} {
				if r := doHost(t, c, "POST", "/api/orders", "internal-name:8080", body, "Origin", origin); r.Status != 201 {
					t.Fatalf("Origin %s behind a proxy that rewrites Host: %d %s", origin, r.Status, r.Body)
				}
			}
			// a link made through a request with a forged Host
			r := doHost(t, c, "POST", "/api/users", "evil.test", `{"email":"new@example.com","name":"New","role_ids":[]}`)
			if r.Status != 201 {
				t.Fatalf("create user: %d %s", r.Status, r.Body)
			}
			var out struct {
				Invite struct{ URL string } `json:"invite"`
			}
			r.JSON(t, &out)
			if !strings.HasPrefix(out.Invite.URL, public+"/invite?token=") {
				t.Fatalf("invite link %q does not use PUBLIC_URL", out.Invite.URL)
			}
		})
	}
}

// totpLogin logs email in with its TOTP secret at in. The used step is
// forgotten first: the test logs in more often than every 30 s, and what
// it checks is that the stored secret opens, not replay protection.
func totpLogin(t *testing.T, in *testkit.Instance, email, secret string) {
	t.Helper()
	if _, err := in.Srv.DB.Writer().Exec(context.Background(), `UPDATE users SET totp_last_step = 0 WHERE email = ?`, email); err != nil {
		t.Fatal(err)
	}
	if r := loginTOTP(t, in, email, testkit.TOTP(secret, time.Now())); r.Status != 200 {
		t.Fatalf("TOTP login of %s: %d %s", email, r.Status, r.Body)
	}
}

// dbContains reports "table.column" of every value in the database that
// contains one of needles (case-insensitive), looking at every column of
// every table.
func dbContains(t *testing.T, in *testkit.Instance, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	if in.Env["DATABASE_URL"] == "" {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`
	}
	rows, err := in.Srv.DB.Reader().Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 20 {
		t.Fatalf("found only %d columns", len(cols))
	}
	var found []string
	for _, c := range cols {
		for _, n := range needles {
			var hits int
			err := in.Srv.DB.Reader().QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %q WHERE LOWER(CAST(%q AS TEXT)) LIKE ?`, c[0], c[1]),
				"%"+strings.ToLower(n)+"%").Scan(&hits)
			if err != nil {
				t.Fatalf("%s.%s: %v", c[0], c[1], err)
			}
			if hits > 0 {
				found = append(found, c[0]+"."+c[1])
			}
		}
	}
	return found
}

// keyNeedles are the ways a 32-byte key could be written down.
func keyNeedles(key []byte) []string {
	return []string{hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key)[:40], base64.URLEncoding.EncodeToString(key)[:40]}
}

// Issue 12 #11: the key that encrypts TOTP secrets is SECRET_KEY, from the
// environment or, in the embedded default, from a 0600 file generated
// beside the database on the first start and reused after; it is nowhere
// in the database.
func TestSecretKeyOutsideTheDatabase(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			in := testkit.Start(t, sh, nil)
			in.CreateUser(t, "tfa@example.com", "orders.view")
			secret, _ := enrol(t, in.LoggedIn(t, "tfa@example.com"))
			var key []byte
			if m.Postgres || m.Redis {
				key, _ = hex.DecodeString(testkit.SecretKey)
				if _, err := os.Stat(filepath.Join(in.Env["DATA_DIR"], "secret.key")); in.Env["DATA_DIR"] != "" && err == nil {
					t.Fatal("production wrote a key file")
				}
			} else {
				path := filepath.Join(in.Env["DATA_DIR"], "secret.key")
				st, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != 0o600 {
					t.Fatalf("%s has mode %v, want 0600", path, st.Mode().Perm())
				}
				raw, _ := os.ReadFile(path)
				if key, err = hex.DecodeString(strings.TrimSpace(string(raw))); err != nil || len(key) != 32 {
					t.Fatalf("%s holds %q", path, raw)
				}
			}
			if found := dbContains(t, in, keyNeedles(key)...); len(found) > 0 {
				t.Fatalf("SECRET_KEY is in the database: %v", found)
			}
			// no key at all in the database: not the TOTP key, nor those
			// that sign cursors and storage requests (a database dump alone
			// must not forge a signed upload)
			var names []string
			rows, err := in.Srv.DB.Reader().Query(context.Background(), `SELECT name FROM app_secrets`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var n string
				_ = rows.Scan(&n)
				names = append(names, n)
			}
			rows.Close()
			if len(names) != 0 {
				t.Fatalf("app_secrets keeps keys: %v", names)
			}
			var stored string
			_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT totp_secret FROM users WHERE email = 'tfa@example.com'`).Scan(&stored)
			if stored == "" || strings.Contains(strings.ToUpper(stored), secret) {
				t.Fatalf("stored TOTP secret %q", stored)
			}
			totpLogin(t, in, "tfa@example.com", secret)
			// a restart (another instance over the same data) keeps the key
			again := testkit.Start(t, sh, nil)
			totpLogin(t, again, "tfa@example.com", secret)
		})
	}
}

// legacySeal seals as versions before SECRET_KEY did, under a key kept in
// app_secrets.
func legacySeal(t *testing.T, key, secret []byte) string {
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, secret, []byte("totp")))
}

// Issue 12 #11: TOTP secrets sealed by earlier versions under the key kept
// in the database are re-sealed under SECRET_KEY at start-up, and that key
// is deleted; the users' authenticator apps keep working.
func TestLegacyTOTPKeyLeavesTheDatabase(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			old := testkit.Start(t, sh, nil)
			id := old.CreateUser(t, "legacy@example.com", "orders.view")
			legacyKey, raw := make([]byte, 32), make([]byte, 20)
			_, _ = rand.Read(legacyKey)
			_, _ = rand.Read(raw)
			secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
			ctx := context.Background()
			if _, err := old.Srv.DB.Writer().Exec(ctx, `INSERT INTO app_secrets (name, value) VALUES ('totp_key', ?)`, hex.EncodeToString(legacyKey)); err != nil {
				t.Fatal(err)
			}
			if _, err := old.Srv.DB.Writer().Exec(ctx, `UPDATE users SET totp_secret = ?, totp_pending = ? WHERE id = ?`,
				legacySeal(t, legacyKey, raw), legacySeal(t, legacyKey, raw), id); err != nil {
				t.Fatal(err)
			}
			in := testkit.Start(t, sh, nil)
			var n int
			_ = in.Srv.DB.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM app_secrets WHERE name = 'totp_key'`).Scan(&n)
			if n != 0 {
				t.Fatal("the legacy TOTP key is still in the database")
			}
			if found := dbContains(t, in, keyNeedles(legacyKey)...); len(found) > 0 {
				t.Fatalf("the legacy key is still in the database: %v", found)
			}
			var sealed, pending string
			_ = in.Srv.DB.Reader().QueryRow(ctx, `SELECT totp_secret, totp_pending FROM users WHERE id = ?`, id).Scan(&sealed, &pending)
			if !strings.HasPrefix(sealed, "v2:") || !strings.HasPrefix(pending, "v2:") {
				t.Fatalf("not re-sealed: %q %q", sealed, pending)
			}
			totpLogin(t, in, "legacy@example.com", secret)
		})
	}
}

// Issue 12 #11: SECRET_KEY can be rotated: the old key listed in
// SECRET_KEY_OLD still opens the secrets, `secrets rotate` re-seals them
// under the new key, after which the old key can go. A key that opens
// nothing stored is refused at start-up, by name, rather than failing
// logins one by one.
func TestSecretKeyRotation(t *testing.T) {
	keyA, keyB, keyC := strings.Repeat("a1", 32), base64.StdEncoding.EncodeToString([]byte(strings.Repeat("B", 32))), strings.Repeat("c3", 32)
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			a := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyA})
			a.CreateUser(t, "tfa@example.com", "orders.view")
			secret, _ := enrol(t, a.LoggedIn(t, "tfa@example.com"))
			// start-up refuses a key that opens nothing stored
			newServer := func(env map[string]string) error {
				all := map[string]string{}
				for k, v := range a.Env {
					all[k] = v
				}
				for k, v := range env {
					all[k] = v
				}
				cfg, err := config.Load(testkit.Env(all))
				if err != nil {
					return err
				}
				s, err := server.New(context.Background(), cfg)
				if err == nil {
					s.Close()
				}
				return err
			}
			err := newServer(map[string]string{"SECRET_KEY": keyB})
			if !errors.Is(err, auth.ErrUnknownTOTPKey) || !strings.Contains(err.Error(), "SECRET_KEY_OLD") {
				t.Fatalf("start-up with a new key and without the old: %v", err)
			}
			if m.Postgres {
				if err := newServer(map[string]string{"SECRET_KEY": ""}); !errors.Is(err, config.ErrNoSecretKey) {
					t.Fatalf("production start-up without SECRET_KEY: %v", err)
				}
			}
			b := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyB, "SECRET_KEY_OLD": keyC + ", " + keyA})
			totpLogin(t, b, "tfa@example.com", secret)
			before := storedTOTP(t, b, "tfa@example.com")
			n, err := b.Srv.RotateSecrets(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("rotate: %d %v", n, err)
			}
			after := storedTOTP(t, b, "tfa@example.com")
			if after[:12] == before[:12] {
				t.Fatalf("rotation kept the key id: %q → %q", before, after)
			}
			if n, err := b.Srv.RotateSecrets(context.Background()); err != nil || n != 0 {
				t.Fatalf("a second rotation: %d %v", n, err)
			}
			onlyB := testkit.Start(t, sh, map[string]string{"SECRET_KEY": keyB})
			totpLogin(t, onlyB, "tfa@example.com", secret)
			err = newServer(map[string]string{"SECRET_KEY": keyA})
			if !errors.Is(err, auth.ErrUnknownTOTPKey) {
				t.Fatalf("start-up with the retired key: %v", err)
			}
		})
	}
}

func storedTOTP(t *testing.T, in *testkit.Instance, email string) string {
	t.Helper()
	var v string
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT totp_secret FROM users WHERE email = ?`, email).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

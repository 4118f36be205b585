package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/people"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/server"
)

// Mode is how an instance runs.
type Mode struct {
	Name     string
	Postgres bool
	Redis    bool
}

// Modes are the two ways Pishkhan runs; API tests run in both.
var Modes = []Mode{
	{Name: "embedded", Postgres: false, Redis: false},
	{Name: "postgres+redis", Postgres: true, Redis: true},
}

// Instance is a running Pishkhan server.
type Instance struct {
	Srv  *server.Server
	HTTP *httptest.Server
	URL  string
	Env  map[string]string
}

// Shared is what several instances share: a database, maybe Redis, and
// the directory of local-disk media.
type Shared struct {
	DatabaseURL string
	Redis       *Redis
	MediaDir    string
	// DataDir is DATA_DIR for PostgreSQL instances (the audit checkpoint
	// file lives there without Redis); empty: a directory per instance.
	DataDir string
}

// NewShared prepares a fresh database (and Redis) for mode.
func NewShared(t testing.TB, m Mode) Shared {
	t.Helper()
	s := Shared{MediaDir: t.TempDir(), DataDir: t.TempDir()}
	if m.Postgres {
		s.DatabaseURL = NewPostgres(t)
	} else {
		s.DatabaseURL = NewSQLite(t)
	}
	if m.Redis {
		s.Redis = StartRedis(t)
	}
	return s
}

func init() {
	if Quiet() {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
}

// SecretKey is the SECRET_KEY of production-mode instances.
const SecretKey = "7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a"

// MetricsToken is the bearer token instances' /metrics asks for.
const MetricsToken = "pktest-metrics-token"

// Start runs an instance over shared parts; extra overrides settings. The
// first instance migrates the database.
func Start(t testing.TB, sh Shared, extra map[string]string) *Instance {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":     sh.DatabaseURL,
		"CACHE_PREFIX":     "pktest:",
		"HASH_CONCURRENCY": "4",
		"SSE_HEARTBEAT":    "15s",
		"METRICS_TOKEN":    MetricsToken,
	}
	if !strings.HasPrefix(sh.DatabaseURL, "postgres") {
		env["DATABASE_URL"] = ""
		env["DATA_DIR"] = strings.TrimSuffix(sh.DatabaseURL, "/pishkhan.db")
	} else if env["DATA_DIR"] = sh.DataDir; sh.DataDir == "" {
		env["DATA_DIR"] = t.TempDir()
	}
	if sh.Redis != nil {
		env["REDIS_URL"] = sh.Redis.URL
	}
	if env["DATABASE_URL"] != "" || env["REDIS_URL"] != "" {
		// production needs one; the embedded default makes its own
		env["SECRET_KEY"] = SecretKey
	}
	env["MEDIA_DIR"] = sh.MediaDir
	if sh.MediaDir == "" {
		env["MEDIA_DIR"] = t.TempDir()
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(Env(env))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	o.Close()
	srv, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() {
		srv.Hub.Close()
		srv.Chat.Close()
		hs.Close()
		srv.Close()
	})
	return &Instance{Srv: srv, HTTP: hs, URL: hs.URL, Env: env}
}

// StartMode runs a single instance of mode.
func StartMode(t testing.TB, m Mode) *Instance {
	t.Helper()
	return Start(t, NewShared(t, m), nil)
}

// TestPassword is the password of users made by CreateUser.
const TestPassword = "correct horse battery staple"

// CreateUser creates a user holding perms (through a role); a superuser
// when perms is nil and superuser is true.
func (in *Instance) CreateUser(t testing.TB, email string, perms ...authz.Permission) int64 {
	t.Helper()
	ctx := context.Background()
	var roles []int64
	if len(perms) > 0 {
		name := "role for " + email
		r, err := in.Srv.People.CreateRole(authz.With(ctx, authz.System), people.RoleInput{Name: &name, Permissions: &perms})
		if err != nil {
			t.Fatal(err)
		}
		roles = append(roles, r.ID)
	}
	id, err := in.Srv.People.CreateUser(ctx, email, "Test "+email, TestPassword, roles...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// CreateSuperuser creates a superuser.
func (in *Instance) CreateSuperuser(t testing.TB, email string) int64 {
	t.Helper()
	id, err := in.Srv.People.EnsureSuperuser(context.Background(), email, "Admin", TestPassword)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Client is a browser-like client: cookie jar, CSRF token, same origin.
type Client struct {
	t    testing.TB
	Base string
	HTTP *http.Client
	CSRF string
}

// Client returns a new anonymous client for the instance.
func (in *Instance) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, Base: in.URL, HTTP: &http.Client{Jar: jar}}
}

// For returns a client of another instance sharing this client's cookies
// (a load balancer sending the same browser elsewhere).
func (c *Client) For(in *Instance) *Client {
	// cookies are per host; copy them over
	jar, _ := cookiejar.New(nil)
	from, _ := http.NewRequest("GET", c.Base+"/", nil)
	to, _ := http.NewRequest("GET", in.URL+"/", nil)
	jar.SetCookies(to.URL, c.HTTP.Jar.Cookies(from.URL))
	return &Client{t: c.t, Base: in.URL, HTTP: &http.Client{Jar: jar}, CSRF: c.CSRF}
}

// Response is a finished response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as an object.
func (r *Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Code returns the error code of an error body ("" otherwise).
func (r *Response) Code() string {
	var m struct{ Code string }
	_ = json.Unmarshal(r.Body, &m)
	return m.Code
}

// Do sends a request; body is JSON-encoded unless it is []byte or string.
// Unsafe methods carry the CSRF token. headers are name, value pairs.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != "GET" && c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Login logs in and keeps the CSRF token; it fails the test on error.
func (c *Client) Login(email string) *Client {
	c.t.Helper()
	r := c.Do("POST", "/api/auth/login", map[string]string{"email": email, "password": TestPassword})
	if r.Status != 200 {
		c.t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	r.JSON(c.t, &out)
	c.CSRF = out.CSRF
	return c
}

// LoggedIn returns a new client logged in as email.
func (in *Instance) LoggedIn(t testing.TB, email string) *Client {
	return in.Client(t).Login(email)
}

// SampleOrder is a valid create body.
func SampleOrder(email string) map[string]any {
	return map[string]any{
		"customer": map[string]any{"name": "Sara Ahmadi", "email": email, "phone": "+989121234567"},
		"items": []map[string]any{
			{"sku": "TEA-1", "name": "چای", "quantity": 2, "unit_price": 1500},
			{"sku": "SAF-2", "name": "Saffron", "quantity": 1, "unit_price": 9000},
		},
		"shipping": 500,
		"currency": "IRR",
	}
}

// CreateOrder creates an order through the API and returns its id.
func (c *Client) CreateOrder(email string) int64 {
	c.t.Helper()
	r := c.Do("POST", "/api/orders", SampleOrder(email))
	if r.Status != 201 {
		c.t.Fatalf("create order: %d %s", r.Status, r.Body)
	}
	var o struct{ ID int64 }
	r.JSON(c.t, &o)
	return o.ID
}

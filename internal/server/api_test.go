package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestAPI checks the HTTP contract (API.md sections 1, 2 and 4) in both
// ways Pishkhan runs.
func TestAPI(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "admin@example.com")
			in.CreateUser(t, "viewer@example.com", "orders.view")
			in.CreateUser(t, "clerk@example.com", "orders.view", "orders.create", "orders.update_status", "customers.view_pii")
			t.Run("conventions", func(t *testing.T) { apiConventions(t, in) })
			t.Run("auth", func(t *testing.T) { apiAuth(t, in) })
			t.Run("csrf", func(t *testing.T) { apiCSRF(t, in) })
			t.Run("create", func(t *testing.T) { apiCreate(t, in) })
			t.Run("idempotency", func(t *testing.T) { apiIdempotency(t, in) })
			t.Run("status machine and history", func(t *testing.T) { apiStatus(t, in) })
			t.Run("allowed next statuses", func(t *testing.T) { apiAllowedNext(t, in) })
			t.Run("etag and if-match", func(t *testing.T) { apiETag(t, in) })
			t.Run("list and pagination", func(t *testing.T) { apiList(t, in) })
			t.Run("permissions and pii", func(t *testing.T) { apiPermissions(t, in) })
			t.Run("audit rows", func(t *testing.T) { apiAudit(t, in) })
			t.Run("operations", func(t *testing.T) { apiOperations(t, in) })
			t.Run("login rate limit", func(t *testing.T) { apiLoginLimit(t, in) })
		})
	}
}

func wantError(t *testing.T, r *testkit.Response, status int, code string) map[string]any {
	t.Helper()
	if r.Status != status || r.Code() != code {
		t.Fatalf("want %d %s, got %d %s", status, code, r.Status, r.Body)
	}
	m := r.Map(t)
	if m["status"] != "error" || m["message"] == "" || m["request_id"] != r.Header.Get("X-Request-Id") {
		t.Fatalf("bad error envelope: %s", r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("error content type %q", ct)
	}
	return m
}

func fields(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	d, _ := m["details"].(map[string]any)
	f, _ := d["fields"].(map[string]any)
	if f == nil {
		t.Fatalf("no details.fields in %v", m)
	}
	return f
}

func apiConventions(t *testing.T, in *testkit.Instance) {
	anon := in.Client(t)
	c := in.LoggedIn(t, "admin@example.com")

	r := anon.Do("GET", "/api/no-such-thing", nil)
	wantError(t, r, 404, "NOT_FOUND")
	wantError(t, c.Do("GET", "/api/no-such-thing", nil), 404, "NOT_FOUND")

	for _, p := range []string{"/api", "/api//orders", "/api/./orders", "/api/orders/../orders"} {
		wantError(t, c.Do("GET", p, nil), 404, "NOT_FOUND")
	}
	wantError(t, c.Do("POST", "/api/no-such-thing", map[string]string{}, "X-CSRF-Token", ""), 404, "NOT_FOUND")
	if r := c.Do("GET", "/api/orders", nil, "Authorization", "Basic dXNlcjpwYXNz"); r.Status != 200 {
		t.Fatalf("a Basic Authorization header (from a proxy) must not be taken for a token: %d", r.Status)
	}
	if r := c.Do("GET", "/api/orders?page=1000001", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"items":[]`) {
		t.Fatalf("a page far past the end: %d %s", r.Status, r.Body)
	}

	r = c.Do("DELETE", "/api/orders", nil)
	wantError(t, r, 405, "METHOD_NOT_ALLOWED")
	if r.Header.Get("Allow") != "GET, POST" {
		t.Fatalf("Allow = %q", r.Header.Get("Allow"))
	}

	// request ids: a well-formed one is echoed, a bad one replaced
	r = anon.Do("GET", "/api/no-such-thing", nil, "X-Request-Id", "abc.DEF_123-x")
	if r.Header.Get("X-Request-Id") != "abc.DEF_123-x" {
		t.Fatalf("request id not echoed: %q", r.Header.Get("X-Request-Id"))
	}
	r = anon.Do("GET", "/api/no-such-thing", nil, "X-Request-Id", "bad id!")
	if id := r.Header.Get("X-Request-Id"); id == "" || id == "bad id!" {
		t.Fatalf("bad request id not replaced: %q", id)
	}
	for _, h := range []string{"X-Content-Type-Options", "Referrer-Policy"} {
		if r.Header.Get(h) == "" {
			t.Fatalf("missing %s", h)
		}
	}
	if r.Header.Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS must only be sent over HTTPS")
	}
	home := anon.Do("GET", "/", nil)
	if !strings.Contains(home.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("HTML without CSP frame-ancestors: %q", home.Header.Get("Content-Security-Policy"))
	}

	// bodies
	order := testkit.SampleOrder("conv@example.com")
	wantError(t, c.Do("POST", "/api/orders", `{"items": [`), 400, "INVALID_JSON")
	wantError(t, c.Do("POST", "/api/orders", `{} {}`), 400, "INVALID_JSON")
	wantError(t, c.Do("POST", "/api/orders", ``), 400, "INVALID_JSON")
	wantError(t, c.Do("POST", "/api/orders", order, "Content-Type", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE")
	wantError(t, c.Do("POST", "/api/orders", order, "Content-Type", "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE")
	if r := c.Do("POST", "/api/orders", order, "Content-Type", "application/json; charset=utf-8"); r.Status != 201 {
		t.Fatalf("JSON with charset refused: %d %s", r.Status, r.Body)
	}
	big := `{"note": "` + strings.Repeat("x", 2<<20) + `"}`
	wantError(t, c.Do("POST", "/api/orders", big), 413, "PAYLOAD_TOO_LARGE")
	mass := testkit.SampleOrder("mass@example.com")
	mass["total"] = 1
	m := wantError(t, c.Do("POST", "/api/orders", mass), 422, "VALIDATION_FAILED")
	if _, ok := fields(t, m)["total"]; !ok {
		t.Fatalf("unknown field not named: %v", m)
	}
	wrongType := testkit.SampleOrder("type@example.com")
	wrongType["shipping"] = "free"
	wantError(t, c.Do("POST", "/api/orders", wrongType), 422, "VALIDATION_FAILED")
}

func apiAuth(t *testing.T, in *testkit.Instance) {
	anon := in.Client(t)
	wantError(t, anon.Do("GET", "/api/auth/me", nil), 401, "UNAUTHENTICATED")
	wantError(t, anon.Do("GET", "/api/orders", nil), 401, "UNAUTHENTICATED")

	wrong := anon.Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": "wrong password"})
	wantError(t, wrong, 401, "INVALID_CREDENTIALS")
	unknown := anon.Do("POST", "/api/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong password"})
	wantError(t, unknown, 401, "INVALID_CREDENTIALS")
	if wrong.Map(t)["message"] != unknown.Map(t)["message"] {
		t.Fatal("unknown email and wrong password must answer the same")
	}
	wantError(t, anon.Do("POST", "/api/auth/login", map[string]string{"email": "", "password": ""}), 422, "VALIDATION_FAILED")

	c := in.Client(t)
	r := c.Do("POST", "/api/auth/login", map[string]string{"email": "ADMIN@example.com", "password": testkit.TestPassword})
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("auth responses must not be stored: %q", r.Header.Get("Cache-Control"))
	}
	var cookie *http.Cookie
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "pishkhan_session" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" {
		t.Fatalf("session cookie must be HttpOnly, SameSite=Strict, Path=/: %+v", cookie)
	}
	var login struct {
		User struct {
			Email       string
			IsSuperuser bool `json:"is_superuser"`
			Permissions []string
		}
		CSRF string `json:"csrf_token"`
	}
	r.JSON(t, &login)
	if !login.User.IsSuperuser || login.CSRF == "" || len(login.User.Permissions) < 20 {
		t.Fatalf("login body: %s", r.Body)
	}
	c.CSRF = login.CSRF
	me := c.Do("GET", "/api/auth/me", nil)
	if me.Status != 200 || me.Map(t)["csrf_token"] != login.CSRF || me.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("me: %d %s", me.Status, me.Body)
	}

	// session fixation: the id changes at every login, and the old one dies
	old := cookie.Value
	c.Login("admin@example.com")
	replay := in.Client(t)
	req := replay.Do("GET", "/api/auth/me", nil, "Cookie", "pishkhan_session="+old)
	wantError(t, req, 401, "UNAUTHENTICATED")

	// logout kills the session server-side at once
	stolen := c.Do("GET", "/api/auth/me", nil)
	if stolen.Status != 200 {
		t.Fatal("session should be alive")
	}
	var current string
	for _, ck := range c.HTTP.Jar.Cookies(mustURL(in.URL)) {
		if ck.Name == "pishkhan_session" {
			current = ck.Value
		}
	}
	if r := c.Do("POST", "/api/auth/logout", nil); r.Status != 204 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	wantError(t, in.Client(t).Do("GET", "/api/auth/me", nil, "Cookie", "pishkhan_session="+current), 401, "UNAUTHENTICATED")
	wantError(t, in.Client(t).Do("GET", "/api/orders", nil, "Authorization", "Bearer nope"), 401, "INVALID_TOKEN")
}

func apiCSRF(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "admin@example.com")
	body := testkit.SampleOrder("csrf@example.com")
	wantError(t, c.Do("POST", "/api/orders", body, "X-CSRF-Token", ""), 403, "CSRF_FAILED")
	wantError(t, c.Do("POST", "/api/orders", body, "X-CSRF-Token", "wrong"), 403, "CSRF_FAILED")
	// cross-origin is refused whatever it carries
	wantError(t, c.Do("POST", "/api/orders", body, "Origin", "https://evil.example"), 403, "CSRF_FAILED")
	wantError(t, c.Do("POST", "/api/orders", body, "Sec-Fetch-Site", "cross-site"), 403, "CSRF_FAILED")
	wantError(t, in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": testkit.TestPassword},
		"Sec-Fetch-Site", "cross-site"), 403, "CSRF_FAILED")
	wantError(t, c.Do("POST", "/api/orders", body, "Sec-Fetch-Site", "same-origin", "Origin", "https://evil.example"), 403, "CSRF_FAILED")
	wantError(t, c.Do("POST", "/api/orders", body, "Sec-Fetch-Site", "none", "Origin", "https://evil.example"), 403, "CSRF_FAILED")
	wantError(t, c.Do("POST", "/api/orders", body, "Origin", strings.Replace(in.URL, "http://", "https://", 1)), 403, "CSRF_FAILED")
	if r := c.Do("POST", "/api/orders", body, "Sec-Fetch-Site", "same-origin", "Origin", in.URL); r.Status != 201 {
		t.Fatalf("same-origin request with token refused: %d %s", r.Status, r.Body)
	}
}

func apiCreate(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "clerk@example.com")
	r := c.Do("POST", "/api/orders", map[string]any{
		"customer": map[string]any{"name": "Reza", "email": "reza@example.com"},
		"items": []map[string]any{
			{"sku": "A", "name": "A", "quantity": 3, "unit_price": 1250},
			{"sku": "B", "name": "B", "quantity": 1, "unit_price": 0},
		},
		"currency": "IRR",
		"note":     "زنگ بزنید",
	})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var o struct {
		ID         int64
		Number     string
		Status     string
		ItemsCount int `json:"items_count"`
		Subtotal   int64
		Shipping   int64
		Total      int64
		Items      []struct{ Total int64 }
		Customer   struct{ ID int64 }
	}
	r.JSON(t, &o)
	if o.Status != "pending" || o.ItemsCount != 2 || o.Subtotal != 3750 || o.Shipping != 0 || o.Total != 3750 ||
		o.Items[0].Total != 3750 || o.Number != fmt.Sprintf("ORD-%06d", o.ID) {
		t.Fatalf("server-computed fields wrong: %s", r.Body)
	}
	if r.Header.Get("Location") != fmt.Sprintf("/api/orders/%d", o.ID) {
		t.Fatalf("Location = %q", r.Header.Get("Location"))
	}
	// the same email in another case reuses the customer; customer_id too
	again := c.Do("POST", "/api/orders", map[string]any{
		"customer": map[string]any{"name": "Reza R", "email": "REZA@example.com"},
		"items":    []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "USD"})
	byID := c.Do("POST", "/api/orders", map[string]any{"customer_id": o.Customer.ID,
		"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "EUR"})
	for _, rr := range []*testkit.Response{again, byID} {
		var o2 struct{ Customer struct{ ID int64 } }
		rr.JSON(t, &o2)
		if rr.Status != 201 || o2.Customer.ID != o.Customer.ID {
			t.Fatalf("customer not reused: %d %s", rr.Status, rr.Body)
		}
	}

	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no customer", map[string]any{"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "IRR"}, "customer"},
		{"both customers", map[string]any{"customer_id": 1, "customer": map[string]any{"name": "x", "email": "x@example.com"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "IRR"}, "customer_id"},
		{"unknown customer_id", map[string]any{"customer_id": 987654,
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "IRR"}, "customer_id"},
		{"bad email", map[string]any{"customer": map[string]any{"name": "x", "email": "not-an-email"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "IRR"}, "customer.email"},
		{"no items", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com"}, "items": []any{}, "currency": "IRR"}, "items"},
		{"zero quantity", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 0, "unit_price": 1}}, "currency": "IRR"}, "items[0].quantity"},
		{"negative price", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": -5}}, "currency": "IRR"}, "items[0].unit_price"},
		{"overflowing total", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1000000, "unit_price": 1000000000000000}}, "currency": "IRR"}, "items"},
		{"unknown currency", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "XXX"}, "currency"},
		{"negative shipping", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "IRR", "shipping": -1}, "shipping"},
		{"fractional quantity", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com"},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1.5, "unit_price": 1}}, "currency": "IRR"}, "items[0].quantity"},
		{"unknown nested field", map[string]any{"customer": map[string]any{"name": "x", "email": "x@example.com", "vip": true},
			"items": []map[string]any{{"sku": "A", "name": "A", "quantity": 1, "unit_price": 1}}, "currency": "IRR"}, "customer.vip"},
	}
	before := countOrders(t, in)
	for _, b := range bad {
		m := wantError(t, c.Do("POST", "/api/orders", b.body), 422, "VALIDATION_FAILED")
		if _, ok := fields(t, m)[b.field]; !ok {
			t.Errorf("%s: field %q not named in %v", b.name, b.field, m["details"])
		}
	}
	if after := countOrders(t, in); after != before {
		t.Fatalf("bad requests changed data: %d orders before, %d after", before, after)
	}
}

func countOrders(t *testing.T, in *testkit.Instance) int64 {
	var n int64
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM orders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func apiIdempotency(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "clerk@example.com")
	body := testkit.SampleOrder("idem@example.com")
	first := c.Do("POST", "/api/orders", body, "Idempotency-Key", "key-1")
	second := c.Do("POST", "/api/orders", body, "Idempotency-Key", "key-1")
	if first.Status != 201 || second.Status != 201 || first.Map(t)["id"] != second.Map(t)["id"] {
		t.Fatalf("retry must return the first response: %d %s / %d %s", first.Status, first.Body, second.Status, second.Body)
	}
	if string(first.Body) != string(second.Body) || second.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("a replay must repeat the first response:\n%s\n%s", first.Body, second.Body)
	}
	// the replay is the first response, not the order as it is now
	if r := c.Do("PUT", fmt.Sprintf("/api/orders/%v/status", first.Map(t)["id"]), map[string]string{"status": "paid"}); r.Status != 200 {
		t.Fatalf("status change: %d", r.Status)
	}
	if third := c.Do("POST", "/api/orders", body, "Idempotency-Key", "key-1"); string(third.Body) != string(first.Body) {
		t.Fatalf("a replay after a change returned %s", third.Body)
	}
	other := testkit.SampleOrder("idem-other@example.com")
	wantError(t, c.Do("POST", "/api/orders", other, "Idempotency-Key", "key-1"), 409, "CONFLICT")
	// keys are per user
	admin := in.LoggedIn(t, "admin@example.com")
	third := admin.Do("POST", "/api/orders", body, "Idempotency-Key", "key-1")
	if third.Status != 201 || third.Map(t)["id"] == first.Map(t)["id"] {
		t.Fatalf("another user's key must not replay: %s", third.Body)
	}
	wantError(t, c.Do("POST", "/api/orders", body, "Idempotency-Key", strings.Repeat("k", 300)), 422, "VALIDATION_FAILED")
}

func apiStatus(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "clerk@example.com")
	id := c.CreateOrder("status@example.com")
	path := fmt.Sprintf("/api/orders/%d/status", id)
	for _, st := range []string{"paid", "processing", "shipped", "delivered", "refunded"} {
		r := c.Do("PUT", path, map[string]string{"status": st, "note": "to " + st})
		if r.Status != 200 || r.Map(t)["status"] != st {
			t.Fatalf("to %s: %d %s", st, r.Status, r.Body)
		}
	}
	m := wantError(t, c.Do("PUT", path, map[string]string{"status": "refunded"}), 409, "INVALID_TRANSITION")
	d := m["details"].(map[string]any)
	if d["from"] != "refunded" || d["to"] != "refunded" {
		t.Fatalf("details: %v", d)
	}
	wantError(t, c.Do("PUT", path, map[string]string{"status": "teleported"}), 422, "VALIDATION_FAILED")
	wantError(t, c.Do("PUT", "/api/orders/99999999/status", map[string]string{"status": "paid"}), 404, "NOT_FOUND")
	wantError(t, c.Do("PUT", "/api/orders/abc/status", map[string]string{"status": "paid"}), 404, "NOT_FOUND")

	id2 := c.CreateOrder("status2@example.com")
	m = wantError(t, c.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id2), map[string]string{"status": "shipped"}), 409, "INVALID_TRANSITION")
	if fmt.Sprint(m["details"].(map[string]any)["allowed"]) != "[paid cancelled]" {
		t.Fatalf("allowed: %v", m["details"])
	}
	wantError(t, c.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id2), map[string]string{"status": "pending"}), 409, "INVALID_TRANSITION")

	h := c.Do("GET", fmt.Sprintf("/api/orders/%d/history", id), nil)
	var hist struct {
		Items []struct {
			From  *string
			To    string
			Note  string
			Actor struct{ Email string }
		}
	}
	h.JSON(t, &hist)
	if len(hist.Items) != 6 || hist.Items[0].From != nil || hist.Items[0].To != "pending" ||
		*hist.Items[5].From != "delivered" || hist.Items[5].To != "refunded" || hist.Items[5].Note != "to refunded" ||
		hist.Items[5].Actor.Email != "clerk@example.com" {
		t.Fatalf("history: %s", h.Body)
	}
}

// apiAllowedNext: an order's detail names the statuses it may move to, as
// the model's state machine has them, in every status (so clients keep no
// copy of the machine); lists leave the field out.
func apiAllowedNext(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "clerk@example.com")
	seen := map[orders.Status]bool{}
	check := func(r *testkit.Response, st orders.Status) {
		t.Helper()
		var o struct {
			Status      orders.Status
			AllowedNext *[]orders.Status `json:"allowed_next"`
		}
		r.JSON(t, &o)
		want := st.Allowed()
		if r.Status != 200 && r.Status != 201 || o.Status != st || o.AllowedNext == nil || fmt.Sprint(*o.AllowedNext) != fmt.Sprint(want) {
			t.Fatalf("%s: allowed_next must be %v: %d %s", st, want, r.Status, r.Body)
		}
		seen[st] = true
	}
	for _, path := range [][]orders.Status{
		{orders.Paid, orders.Processing, orders.Shipped, orders.Delivered, orders.Refunded},
		{orders.Cancelled},
	} {
		id := c.CreateOrder("allowed-next@example.com")
		check(c.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil), orders.Pending)
		for _, st := range path {
			check(c.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": string(st)}), st)
			check(c.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil), st)
		}
	}
	for _, st := range orders.Statuses {
		if !seen[st] {
			t.Errorf("status %s was not checked", st)
		}
	}
	if final := orders.Refunded.Allowed(); final == nil || len(final) != 0 {
		t.Fatalf("a final status allows []: %#v", final)
	}
	if body := string(c.Do("GET", "/api/orders", nil).Body); !strings.Contains(body, `"items_count"`) || strings.Contains(body, "allowed_next") {
		t.Fatalf("lists leave allowed_next out: %s", body)
	}
}

func apiETag(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "clerk@example.com")
	id := c.CreateOrder("etag@example.com")
	path := fmt.Sprintf("/api/orders/%d", id)
	r := c.Do("GET", path, nil)
	etag := r.Header.Get("ETag")
	if r.Status != 200 || etag == "" || strings.HasPrefix(etag, "W/") || r.Header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("detail: %d etag %q cc %q", r.Status, etag, r.Header.Get("Cache-Control"))
	}
	if nm := c.Do("GET", path, nil, "If-None-Match", etag); nm.Status != 304 || len(nm.Body) != 0 {
		t.Fatalf("If-None-Match: %d %q", nm.Status, nm.Body)
	}
	wantError(t, c.Do("PUT", path+"/status", map[string]string{"status": "paid"}, "If-Match", "W/"+etag), 412, "PRECONDITION_FAILED")
	ok := c.Do("PUT", path+"/status", map[string]string{"status": "paid"}, "If-Match", etag)
	if ok.Status != 200 {
		t.Fatalf("If-Match with the current etag: %d %s", ok.Status, ok.Body)
	}
	wantError(t, c.Do("PUT", path+"/status", map[string]string{"status": "processing"}, "If-Match", etag), 412, "PRECONDITION_FAILED")
	fresh := c.Do("GET", path, nil)
	if fresh.Map(t)["status"] != "paid" || fresh.Header.Get("ETag") == etag {
		t.Fatalf("the failed If-Match changed something or the etag is stale: %s", fresh.Body)
	}
	if c.Do("GET", path, nil, "If-None-Match", etag).Status != 200 {
		t.Fatal("an old etag must not get 304")
	}
}

func apiList(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "clerk@example.com")
	for i := 0; i < 7; i++ {
		c.CreateOrder(fmt.Sprintf("list-%d@example.com", i))
	}
	r := c.Do("GET", "/api/orders?q=list-&page=2&page_size=3&sort=created_at", nil)
	var page struct {
		Items []struct {
			ID       int64
			Items    []any
			Customer struct{ Email string }
		}
		Page       int64
		PageSize   int64 `json:"page_size"`
		Total      int64
		TotalPages int64 `json:"total_pages"`
	}
	r.JSON(t, &page)
	if r.Status != 200 || len(page.Items) != 3 || page.Total != 7 || page.TotalPages != 3 || page.Items[0].Customer.Email != "list-3@example.com" {
		t.Fatalf("page 2: %s", r.Body)
	}
	if page.Items[0].Items != nil {
		t.Fatal("list items should omit items")
	}
	if !strings.Contains(r.Header.Get("Cache-Status"), "pishkhan") {
		t.Fatalf("Cache-Status missing: %q", r.Header.Get("Cache-Status"))
	}
	hit := c.Do("GET", "/api/orders?q=list-&page=2&page_size=3&sort=created_at", nil)
	if hit.Header.Get("Cache-Status") != "pishkhan; hit" {
		t.Fatalf("second read should hit: %q", hit.Header.Get("Cache-Status"))
	}
	past := c.Do("GET", "/api/orders?q=list-&page=9&page_size=3", nil)
	if past.Status != 200 || !strings.Contains(string(past.Body), `"items":[]`) {
		t.Fatalf("page past the end: %d %s", past.Status, past.Body)
	}
	none := c.Do("GET", "/api/orders?q=nothing-matches-this", nil)
	if !strings.Contains(string(none.Body), `"total":0,"total_pages":0`) {
		t.Fatalf("no matches: %s", none.Body)
	}

	// cursor mode walks everything once
	var seen []int64
	next := "/api/orders?q=list-&limit=3"
	for next != "" {
		cr := c.Do("GET", next, nil)
		var cp struct {
			Items      []struct{ ID int64 }
			NextCursor *string `json:"next_cursor"`
			Limit      int
		}
		cr.JSON(t, &cp)
		if cr.Status != 200 || cp.Limit != 3 {
			t.Fatalf("cursor page: %d %s", cr.Status, cr.Body)
		}
		for _, it := range cp.Items {
			seen = append(seen, it.ID)
		}
		next = ""
		if cp.NextCursor != nil {
			next = "/api/orders?q=list-&limit=3&cursor=" + *cp.NextCursor
		}
	}
	if len(seen) != 7 {
		t.Fatalf("cursor walk saw %d orders", len(seen))
	}
	first := c.Do("GET", "/api/orders?q=list-&limit=3", nil).Map(t)
	cur := first["next_cursor"].(string)
	// flip one full-weight character of the MAC (the last one carries only 2 bits)
	i := len(cur) - 5
	flipped := "A"
	if cur[i] == 'A' {
		flipped = "B"
	}
	wantError(t, c.Do("GET", "/api/orders?q=list-&limit=3&cursor="+cur[:i]+flipped+cur[i+1:], nil), 400, "INVALID_JSON")
	wantError(t, c.Do("GET", "/api/orders?q=other&limit=3&cursor="+cur, nil), 400, "INVALID_JSON")
	wantError(t, c.Do("GET", "/api/orders?q=list-&limit=3&sort=total&cursor="+cur, nil), 400, "INVALID_JSON")

	bad := map[string]string{
		"page=0": "page", "page_size=0": "page_size", "page_size=101": "page_size", "limit=0": "limit",
		"limit=101": "limit", "sort=name": "sort", "page=-3": "page", "status=lost": "status", "min_total=-1": "min_total",
		"min_total=10&max_total=5": "max_total",
		"created_from=2026-02-01T00:00:00Z&created_to=2026-01-01T00:00:00Z": "created_to",
	}
	for q, field := range bad {
		m := wantError(t, c.Do("GET", "/api/orders?"+q, nil), 422, "VALIDATION_FAILED")
		if _, ok := fields(t, m)[field]; !ok {
			t.Errorf("%s: field %s not named: %v", q, field, m)
		}
	}
	for _, q := range []string{"page=x", "page_size=1.5", "limit=abc", "created_from=yesterday", "max_total=ten"} {
		wantError(t, c.Do("GET", "/api/orders?"+q, nil), 400, "INVALID_JSON")
	}
}

func apiPermissions(t *testing.T, in *testkit.Instance) {
	clerk := in.LoggedIn(t, "clerk@example.com")
	viewer := in.LoggedIn(t, "viewer@example.com")
	id := clerk.CreateOrder("pii.person@example.com")
	wantError(t, viewer.Do("POST", "/api/orders", testkit.SampleOrder("v@example.com")), 403, "PERMISSION_DENIED")
	wantError(t, viewer.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"}), 403, "PERMISSION_DENIED")
	d := viewer.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil).Map(t)
	cust := d["customer"].(map[string]any)
	if cust["email"] != "p***@example.com" || cust["phone"] != "*********4567" {
		t.Fatalf("PII not masked for a viewer: %v", cust)
	}
	full := clerk.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil).Map(t)
	if full["customer"].(map[string]any)["email"] != "pii.person@example.com" {
		t.Fatalf("PII masked for a holder of customers.view_pii: %v", full["customer"])
	}
	in.CreateUser(t, "nobody-perm@example.com", "media.view")
	none := in.LoggedIn(t, "nobody-perm@example.com")
	wantError(t, none.Do("GET", "/api/orders", nil), 403, "PERMISSION_DENIED")
	wantError(t, none.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil), 403, "PERMISSION_DENIED")
	wantError(t, none.Do("GET", fmt.Sprintf("/api/orders/%d/history", id), nil), 403, "PERMISSION_DENIED")
}

func apiAudit(t *testing.T, in *testkit.Instance) {
	c := in.LoggedIn(t, "clerk@example.com")
	id := c.CreateOrder("audit@example.com")
	c.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"}, "X-Request-Id", "audit-req-1", "User-Agent", "audit-agent")
	var actor, ua, changes, reqID, ip string
	err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT actor_email, user_agent, changes, request_id, ip FROM audit_logs
		WHERE action = 'orders.update_status' AND resource_id = ?`, fmt.Sprint(id)).Scan(&actor, &ua, &changes, &reqID, &ip)
	if err != nil {
		t.Fatal(err)
	}
	if actor != "clerk@example.com" || ua != "audit-agent" || reqID != "audit-req-1" || ip != "127.0.0.1" ||
		changes != `{"status":{"from":"pending","to":"paid"}}` {
		t.Fatalf("audit row: actor=%s ua=%s req=%s ip=%s changes=%s", actor, ua, reqID, ip, changes)
	}
	var n int
	_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs WHERE resource_type = 'order' AND resource_id = ?`, fmt.Sprint(id)).Scan(&n)
	if n != 2 {
		t.Fatalf("want one audit row per mutation (2), got %d", n)
	}
	// X-Forwarded-For is ignored from an untrusted peer
	c.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "processing"}, "X-Forwarded-For", "203.0.113.9")
	_ = in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT ip FROM audit_logs WHERE resource_id = ? ORDER BY id DESC LIMIT 1`, fmt.Sprint(id)).Scan(&ip)
	if ip != "127.0.0.1" {
		t.Fatalf("X-Forwarded-For from an untrusted peer was believed: %s", ip)
	}
}

func apiOperations(t *testing.T, in *testkit.Instance) {
	anon := in.Client(t)
	if r := anon.Do("GET", "/healthz", nil); r.Status != 200 {
		t.Fatalf("healthz %d", r.Status)
	}
	if r := anon.Do("GET", "/readyz", nil); r.Status != 200 {
		t.Fatalf("readyz %d %s", r.Status, r.Body)
	}
	m := anon.Do("GET", "/metrics", nil, "Authorization", "Bearer "+testkit.MetricsToken)
	for _, want := range []string{"pishkhan_http_request_duration_seconds_bucket", "pishkhan_cache_lookups_total", "go_sql_open_connections"} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	doc := anon.Do("GET", "/api/openapi.json", nil)
	var spec struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	doc.JSON(t, &spec)
	if spec.OpenAPI != "3.1.0" || spec.Paths["/api/orders"]["get"] == nil || spec.Paths["/api/orders/{id}/status"]["put"] == nil {
		t.Fatalf("openapi: %.300s", doc.Body)
	}
	for _, route := range in.Srv.Router.Routes() {
		if spec.Paths[route.Path][strings.ToLower(route.Method)] == nil {
			t.Errorf("route %s %s missing from the OpenAPI document", route.Method, route.Path)
		}
	}
}

func apiLoginLimit(t *testing.T, in *testkit.Instance) {
	in.CreateUser(t, "limited@example.com", "orders.view")
	c := in.Client(t)
	for i := 0; i < 10; i++ {
		wantError(t, c.Do("POST", "/api/auth/login", map[string]string{"email": "limited@example.com", "password": "wrong"}), 401, "INVALID_CREDENTIALS")
	}
	r := c.Do("POST", "/api/auth/login", map[string]string{"email": "limited@example.com", "password": testkit.TestPassword})
	wantError(t, r, 429, "RATE_LIMITED")
	for _, h := range []string{"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
		if r.Header.Get(h) == "" {
			t.Errorf("429 without %s", h)
		}
	}
	// another account from the same IP is not locked by this one
	if r := in.Client(t).Do("POST", "/api/auth/login", map[string]string{"email": "viewer@example.com", "password": testkit.TestPassword}); r.Status != 200 {
		t.Fatalf("another account was locked: %d", r.Status)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

package server_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// What runs before authentication and permission, in this order (the
// rest of the request is judged only after them):
//
//   - an unknown route answers 404 and a known path with another method
//     405, logged in or not (API.md: "Unknown routes answer 404");
//   - cross-origin unsafe requests and, for cookie sessions, a missing
//     CSRF token answer 403 CSRF_FAILED;
//   - a body whose Content-Length exceeds the limit answers 413 (a
//     transport bound, so an anonymous flood costs nothing);
//   - an unknown, revoked or expired bearer token answers 401 INVALID_TOKEN.
//
// Then the router refuses a non-public route: 401 UNAUTHENTICATED without
// a principal, 403 PERMISSION_DENIED when the principal (a token's scoped
// one included) lacks the route's permission. Only after that does the
// handler read the path's id, the query or the body, so a bad id (400/404),
// a bad query (400/422), a body that is not JSON (400/415) or an invalid one
// (422) never precede 401/403.

// orderIDs are path ids of every kind a handler may refuse.
var orderIDs = []string{"abc", "0", "-1", "9000000000000000001", "999999"}

// orderBody is a request body a handler would refuse or act on.
type orderBody struct {
	name        string
	body        string
	contentType string
}

var orderBodies = []orderBody{
	{"malformed JSON", `{"`, "application/json"},
	{"empty object", `{}`, "application/json"},
	{"not JSON", `ids=1`, "text/plain"},
	{"no body", "", ""},
}

// orderQuery is a query every list or filter refuses.
const orderQuery = "?page=0&page_size=1000&actor_id=0&role_id=-1&user_id=abc&range=1y&status=nope&limit=0&from=yesterday"

var wildcard = regexp.MustCompile(`\{([a-z_]+)\}`)

// orderCaller makes requests as one kind of caller.
type orderCaller struct {
	name    string
	client  *testkit.Client
	headers []string
	// want is the status and code the caller must get on op, or 0 when
	// the caller is allowed past authorization (not this test's concern).
	want func(op httpapi.Op) (int, string)
}

// accepted is every permission that lets a caller past op's check.
func accepted(op httpapi.Op) []authz.Permission {
	if op.Permission == "" {
		return nil
	}
	return append([]authz.Permission{op.Permission}, op.OrPermissions...)
}

// rawDo sends a request with a raw body, bounded in time so a stream that
// wrongly opens cannot hang the test.
func rawDo(t *testing.T, c *testkit.Client, method, path, body, contentType string, headers ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != "GET" && c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, "(stream)"
	}
	b, _ := io.ReadAll(resp.Body)
	r := testkit.Response{Status: resp.StatusCode, Body: b}
	return resp.StatusCode, r.Code()
}

// requests are every request the sweep sends to route: each id in place
// of each wildcard, and each bad body (or, for GET, the bad query).
func sweepRequests(route httpapi.Route) (paths []string, bodies []orderBody) {
	paths = []string{route.Path}
	if wildcard.MatchString(route.Path) {
		paths = nil
		for _, id := range orderIDs {
			paths = append(paths, wildcard.ReplaceAllString(route.Path, id))
		}
	}
	if route.Method == "GET" {
		for i := range paths {
			paths[i] += orderQuery
		}
		return paths, []orderBody{{"no body", "", ""}}
	}
	return paths, orderBodies
}

// TestAuthorizationBeforeValidation sends every registered non-public
// route bad ids, bad queries and bad bodies as an anonymous caller, as a
// logged-in user holding no role, and with a superuser's API token scoped
// to stats.view: each gets 401 or 403 (never 400, 404, 415 or 422), and
// nothing changes. Then a holder of each permission a route accepts is let
// through the same requests: the route's declared permission is the one
// its service requires, so the router refuses nobody the service allows.
func TestAuthorizationBeforeValidation(t *testing.T) {
	in := testkit.StartMode(t, testkit.Modes[0])
	in.CreateSuperuser(t, "order-admin@example.com")
	in.CreateUser(t, "order-nobody@example.com")
	admin := in.LoggedIn(t, "order-admin@example.com")

	var tok createdToken
	if r := admin.Do("POST", "/api/tokens", map[string]any{"name": "scoped", "permissions": []string{"stats.view"},
		"expires_at": time.Now().Add(time.Hour)}); r.Status != 201 {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &tok)
	}

	callers := []orderCaller{
		{name: "anonymous", client: in.Client(t),
			want: func(httpapi.Op) (int, string) { return 401, "UNAUTHENTICATED" }},
		{name: "a user with no role", client: in.LoggedIn(t, "order-nobody@example.com"),
			want: func(op httpapi.Op) (int, string) {
				if op.Permission == "" {
					return 0, ""
				}
				return 403, "PERMISSION_DENIED"
			}},
		{name: "a superuser's token scoped to stats.view", client: in.Client(t),
			headers: []string{"Authorization", "Bearer " + tok.Secret},
			want: func(op httpapi.Op) (int, string) {
				for _, p := range accepted(op) {
					if p == "stats.view" {
						return 0, ""
					}
				}
				if op.Permission == "" {
					return 0, ""
				}
				return 403, "PERMISSION_DENIED"
			}},
	}

	auditRows := func() int64 {
		var n int64
		if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_logs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := auditRows()

	routes := in.Srv.Router.Routes()
	checked := 0
	for _, route := range routes {
		if route.Op.Public {
			continue
		}
		paths, bodies := sweepRequests(route)
		for _, c := range callers {
			status, code := c.want(route.Op)
			if status == 0 {
				continue
			}
			for _, path := range paths {
				for _, b := range bodies {
					gotStatus, gotCode := rawDo(t, c.client, route.Method, path, b.body, b.contentType, c.headers...)
					checked++
					if gotStatus != status || gotCode != code {
						t.Errorf("%s %s (%s) as %s: %d %s, want %d %s", route.Method, path, b.name, c.name,
							gotStatus, gotCode, status, code)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("the sweep sent nothing")
	}
	if after := auditRows(); after != before {
		t.Errorf("refused requests wrote %d audit rows", after-before)
	}

	// The holders: one user per accepted permission, holding only it.
	holders := map[authz.Permission]*testkit.Client{}
	for _, route := range routes {
		for _, perm := range accepted(route.Op) {
			c, ok := holders[perm]
			if !ok {
				email := "order-holder-" + strings.ReplaceAll(string(perm), ".", "-") + "@example.com"
				in.CreateUser(t, email, perm)
				c = in.LoggedIn(t, email)
				holders[perm] = c
			}
			paths, bodies := sweepRequests(route)
			for _, path := range paths {
				for _, b := range bodies {
					gotStatus, gotCode := rawDo(t, c, route.Method, path, b.body, b.contentType)
					if gotStatus == 401 || gotCode == "PERMISSION_DENIED" {
						t.Errorf("%s %s (%s) as a holder of %s only: %d %s; the route declares %s but refuses its holders",
							route.Method, path, b.name, perm, gotStatus, gotCode, perm)
					}
				}
			}
		}
	}
	if len(holders) == 0 {
		t.Fatal("no route declares a permission")
	}
	t.Logf("the sweep sent %d refused requests", checked)
}

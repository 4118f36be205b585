package server_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// wantField asserts a 422 VALIDATION_FAILED naming field.
func wantField(t *testing.T, what string, r *testkit.Response, field string) {
	t.Helper()
	if r.Status != 422 || r.Code() != "VALIDATION_FAILED" {
		t.Errorf("%s: %d %s, want 422 VALIDATION_FAILED naming %s", what, r.Status, r.Body, field)
		return
	}
	var body struct {
		Details struct {
			Fields map[string]string `json:"fields"`
		} `json:"details"`
	}
	r.JSON(t, &body)
	if body.Details.Fields[field] == "" {
		t.Errorf("%s: 422 without details.fields.%s: %s", what, field, r.Body)
	}
}

// TestPageDepthBound: page × page_size is bounded (paging.MaxOffset
// rows skipped at most) on every paged list, on both engines, so a huge
// page neither overflows (500 on PostgreSQL) nor wraps around to the
// first page (SQLite); numbers too big for any integer are 422 too, not 400.
func TestPageDepthBound(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			in := testkit.StartMode(t, m)
			in.CreateSuperuser(t, "bounds-admin@example.com")
			admin := in.LoggedIn(t, "bounds-admin@example.com")
			admin.CreateOrder("bounds@example.com")

			lastPage := paging.MaxOffset/100 + 1 // skips exactly MaxPageOffset rows
			lastDefault := paging.MaxOffset/paging.DefaultSize + 1
			// a list under an object ({id} in its path) is read under one that exists
			parents := map[string]func() int64{
				"/api/posts/{id}/revisions": func() int64 {
					var p struct{ ID int64 }
					admin.Do("POST", "/api/posts", map[string]any{"title": "bounds", "lang": "en"}).JSON(t, &p)
					return p.ID
				},
				"/api/webhooks/{id}/deliveries": func() int64 {
					var w struct{ ID int64 }
					admin.Do("POST", "/api/webhooks", map[string]any{"url": "https://example.com/bounds"}).JSON(t, &w)
					return w.ID
				},
			}
			lists := 0
			for _, route := range in.Srv.Router.Routes() {
				if route.Method != "GET" || !slices.ContainsFunc(route.Op.Query, func(p httpapi.Param) bool { return p.Name == "page" }) {
					continue
				}
				lists++
				path := route.Path
				if strings.Contains(path, "{") {
					parent, ok := parents[path]
					if !ok {
						t.Fatalf("%s: add to parents how to make an object to list under", path)
					}
					path = strings.Replace(path, "{id}", strconv.FormatInt(parent(), 10), 1)
				}
				for _, c := range []struct{ query, field string }{
					{"page=92233720368547760", "page"},
					{"page=92233720368547760&page_size=100", "page"},
					{"page=9223372036854775807&page_size=1", "page"},
					{"page=99999999999999999999", "page"},
					{fmt.Sprintf("page=%d&page_size=100", lastPage+1), "page"},
					{fmt.Sprintf("page=%d", lastDefault+1), "page"},
					{"page_size=99999999999999999999", "page_size"},
					{"limit=99999999999999999999", "limit"},
				} {
					wantField(t, path+"?"+c.query, admin.Do("GET", path+"?"+c.query, nil), c.field)
				}
				// the deepest page allowed is an ordinary page past the end
				for _, q := range []string{fmt.Sprintf("page=%d&page_size=100", lastPage), fmt.Sprintf("page=%d", lastDefault)} {
					r := admin.Do("GET", path+"?"+q, nil)
					if r.Status != 200 {
						t.Errorf("%s?%s: %d %s, want 200", path, q, r.Status, r.Body)
						continue
					}
					var page struct {
						Items []any `json:"items"`
						Total int64 `json:"total"`
					}
					r.JSON(t, &page)
					if len(page.Items) != 0 {
						t.Errorf("%s?%s: %d items past the end", path, q, len(page.Items))
					}
				}
			}
			if lists < 5 {
				t.Fatalf("only %d paged lists found", lists)
			}
		})
	}
}

// TestQueryIDBounds: an *_id query filter that is a whole number but no id
// (0, negative, 2^53 and above, beyond int64) is 422 VALIDATION_FAILED
// naming it; one that is not a number at all stays 400 INVALID_JSON.
func TestQueryIDBounds(t *testing.T) {
	in := testkit.StartMode(t, testkit.Modes[0])
	in.CreateSuperuser(t, "ids-admin@example.com")
	admin := in.LoggedIn(t, "ids-admin@example.com")
	for _, f := range []struct {
		path, param string
		numeric     bool // a non-number is 400 (false: a free string filter)
	}{
		{"/api/audit-logs", "actor_id", true},
		{"/api/audit-logs/export", "actor_id", true},
		{"/api/audit-logs", "resource_id", false},
		{"/api/audit-logs/export", "resource_id", false},
		{"/api/sessions", "user_id", true},
		{"/api/users", "role_id", true},
	} {
		for _, v := range []string{"0", "-1", "00", "9007199254740992", "99999999999999999999"} {
			q := f.path + "?" + f.param + "=" + v
			wantField(t, q, admin.Do("GET", q, nil), f.param)
		}
		q := f.path + "?" + f.param + "=abc"
		r := admin.Do("GET", q, nil)
		if f.numeric && (r.Status != 400 || r.Code() != "INVALID_JSON") {
			t.Errorf("%s: %d %s, want 400 INVALID_JSON", q, r.Status, r.Body)
		}
		if !f.numeric && r.Status != 200 {
			t.Errorf("%s: %d %s, want 200", q, r.Status, r.Body)
		}
		q = f.path + "?" + f.param + "=1"
		if r := admin.Do("GET", q, nil); r.Status != 200 {
			t.Errorf("%s: %d %s, want 200", q, r.Status, r.Body)
		}
	}
}

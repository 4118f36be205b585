package server_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestOrdersPageCount checks page mode now that its total is cached per
// filter and pages past the middle are read from the far end: every page
// equals the cursor walk's slice, and every order write shows in the next
// page's total and items at once, in both ways Pishkhan runs.
func TestOrdersPageCount(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "pii@example.com", "orders.view", "orders.create", "orders.update_status", "customers.view_pii")
			in.CreateUser(t, "masked@example.com", "orders.view")
			pii := in.LoggedIn(t, "pii@example.com")
			masked := in.LoggedIn(t, "masked@example.com")
			create := func(i int) int64 {
				body := testkit.SampleOrder(fmt.Sprintf("pc-%d@example.com", i))
				body["customer"].(map[string]any)["name"] = "Count Person"
				r := pii.Do("POST", "/api/orders", body)
				if r.Status != 201 {
					t.Fatalf("create: %d %s", r.Status, r.Body)
				}
				return int64(r.Map(t)["id"].(float64))
			}
			for i := range 12 {
				create(i)
			}
			type pageBody struct {
				Items      []struct{ ID int64 }
				Total      int64
				TotalPages int64 `json:"total_pages"`
			}
			get := func(c *testkit.Client, query string) (pageBody, string) {
				t.Helper()
				r := c.Do("GET", "/api/orders?"+query, nil)
				if r.Status != 200 {
					t.Fatalf("%s: %d %s", query, r.Status, r.Body)
				}
				var p pageBody
				r.JSON(t, &p)
				return p, r.Header.Get("Cache-Status")
			}
			walk := func(c *testkit.Client, filter string) []int64 {
				t.Helper()
				var ids []int64
				next := "/api/orders?limit=4&" + filter
				for next != "" {
					r := c.Do("GET", next, nil)
					var cp struct {
						Items      []struct{ ID int64 }
						NextCursor *string `json:"next_cursor"`
					}
					r.JSON(t, &cp)
					for _, it := range cp.Items {
						ids = append(ids, it.ID)
					}
					next = ""
					if cp.NextCursor != nil {
						next = "/api/orders?limit=4&" + filter + "&cursor=" + url.QueryEscape(*cp.NextCursor)
					}
				}
				return ids
			}
			// every page of every sort equals the cursor walk's slice
			check := func(c *testkit.Client, filter string, want int) {
				t.Helper()
				for _, sort := range []string{"-created_at", "created_at", "total", "-total"} {
					f := filter + "&sort=" + sort
					all := walk(c, f)
					if len(all) != want {
						t.Fatalf("%s: the cursor walk saw %d orders, want %d", f, len(all), want)
					}
					for _, size := range []int{1, 5, 100} {
						for page := 1; (page-2)*size <= want; page++ {
							p, _ := get(c, fmt.Sprintf("%s&page=%d&page_size=%d", f, page, size))
							var ids []int64
							for _, it := range p.Items {
								ids = append(ids, it.ID)
							}
							lo, hi := min((page-1)*size, want), min(page*size, want)
							if p.Total != int64(want) || !slices.Equal(ids, all[lo:hi]) {
								t.Fatalf("%s page %d of %d: total %d, ids %v, want total %d, ids %v", f, page, size, p.Total, ids, want, all[lo:hi])
							}
						}
					}
				}
			}
			check(pii, "q=pc-", 12)
			check(masked, "q=count+person", 12)
			if p, _ := get(masked, "q=pc-&page=1"); p.Total != 0 {
				t.Fatalf("a masked caller's total for an email search: %d", p.Total)
			}
			if _, cs := get(pii, "q=pc-&page=3&page_size=5&sort=total"); cs != "pishkhan; hit" {
				t.Fatalf("a repeated page should hit: %q", cs)
			}

			// a create shows in every total and page at once
			id := create(12)
			check(pii, "q=pc-", 13)
			check(masked, "q=count+person", 13)
			if p, _ := get(pii, "q=pc-&page=3&page_size=5&sort=total"); p.Total != 13 || p.TotalPages != 3 || len(p.Items) != 3 {
				t.Fatalf("after a create: %+v", p)
			}
			// a status change shows in a status filter's total at once
			if p, _ := get(pii, "q=pc-&status=paid&page=1"); p.Total != 0 {
				t.Fatalf("paid before the change: %d", p.Total)
			}
			if r := pii.Do("PUT", fmt.Sprintf("/api/orders/%d/status", id), map[string]string{"status": "paid"}); r.Status != 200 {
				t.Fatalf("status change: %d %s", r.Status, r.Body)
			}
			if p, _ := get(masked, "q=count+person&status=paid&page=1"); p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != id {
				t.Fatalf("paid after the change: %+v", p)
			}
			if p, _ := get(pii, "q=pc-&status=pending&page=3&page_size=5"); p.Total != 12 || len(p.Items) != 2 {
				t.Fatalf("pending after the change: %+v", p)
			}
		})
	}
}

package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/people"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// TestOrdersPIIScope checks that customers' email and phone stay hidden
// from callers without customers.view_pii on every path that could show
// them (issue 12): Idempotency-Key replays, and the q filter, which must
// not let such a caller recover a masked email one character at a time.
func TestOrdersPIIScope(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.StartMode(t, m)
			in.CreateUser(t, "pii@example.com", "orders.view", "orders.create", "customers.view_pii", "orders.update_status")
			in.CreateUser(t, "masked@example.com", "orders.view", "orders.create")
			t.Run("idempotent replays are masked", func(t *testing.T) { piiReplay(t, in) })
			t.Run("q does not search masked emails", func(t *testing.T) { piiSearch(t, in) })
		})
	}
}

func customerOf(t *testing.T, r *testkit.Response) map[string]any {
	t.Helper()
	c, _ := r.Map(t)["customer"].(map[string]any)
	if c == nil {
		t.Fatalf("no customer in %d %s", r.Status, r.Body)
	}
	return c
}

func piiReplay(t *testing.T, in *testkit.Instance) {
	const email, phone = "replay.person@example.com", "+989121234567"
	const masked, maskedPhone = "r***@example.com", "*********4567"
	week := time.Now().Add(7 * 24 * time.Hour)

	// a session holding customers.view_pii creates; a token of the same
	// user without it replays the same key (keys are per user)
	pii := in.LoggedIn(t, "pii@example.com")
	body := testkit.SampleOrder(email)
	first := pii.Do("POST", "/api/orders", body, "Idempotency-Key", "replay-1")
	if first.Status != 201 || customerOf(t, first)["email"] != email {
		t.Fatalf("create: %d %s", first.Status, first.Body)
	}
	tok := newToken(t, pii, []string{"orders.view", "orders.create"}, week)
	anon := in.Client(t)
	do := func(body any, key string) *testkit.Response {
		return anon.Do("POST", "/api/orders", body, "Authorization", "Bearer "+tok.Secret, "Idempotency-Key", key)
	}
	// a fresh create by that token answers masked
	if fresh := customerOf(t, do(body, "")); fresh["email"] != masked {
		t.Fatalf("a fresh create by a token without customers.view_pii: %v", fresh)
	}
	before := countOrders(t, in)
	replayed := do(body, "replay-1")
	if replayed.Status != 201 || replayed.Map(t)["id"] != first.Map(t)["id"] {
		t.Fatalf("replay: %d %s", replayed.Status, replayed.Body)
	}
	if c := customerOf(t, replayed); c["email"] != masked || c["phone"] != maskedPhone {
		t.Fatalf("a replay to a caller without customers.view_pii showed %v", c)
	}
	if strings.Contains(string(replayed.Body), email) || strings.Contains(string(replayed.Body), phone) {
		t.Fatalf("the replay leaks PII: %s", replayed.Body)
	}
	if n := countOrders(t, in); n != before {
		t.Fatalf("a replay created an order: %d orders, want %d", n, before)
	}
	// the holder still gets the first response, byte for byte
	if again := pii.Do("POST", "/api/orders", body, "Idempotency-Key", "replay-1"); string(again.Body) != string(first.Body) {
		t.Fatalf("a replay to the holder changed:\n%s\n%s", first.Body, again.Body)
	}
	// the same key with another body is still a conflict, for the token too
	wantError(t, do(testkit.SampleOrder("replay-other@example.com"), "replay-1"), 409, "CONFLICT")

	// a user who loses customers.view_pii between the create and the replay
	ctx := authz.With(context.Background(), authz.System)
	name := "losing pii"
	perms := []authz.Permission{"orders.view", "orders.create", "customers.view_pii"}
	role, err := in.Srv.People.CreateRole(ctx, people.RoleInput{Name: &name, Permissions: &perms})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Srv.People.CreateUser(context.Background(), "loser@example.com", "Loser", testkit.TestPassword, role.ID); err != nil {
		t.Fatal(err)
	}
	loser := in.LoggedIn(t, "loser@example.com")
	body2 := testkit.SampleOrder("second.person@example.com")
	first2 := loser.Do("POST", "/api/orders", body2, "Idempotency-Key", "replay-2")
	if first2.Status != 201 || customerOf(t, first2)["email"] != "second.person@example.com" {
		t.Fatalf("create: %d %s", first2.Status, first2.Body)
	}
	fewer := []authz.Permission{"orders.view", "orders.create"}
	if _, err := in.Srv.People.UpdateRole(ctx, role.ID, people.RoleInput{Permissions: &fewer}, ""); err != nil {
		t.Fatal(err)
	}
	replay2 := loser.Do("POST", "/api/orders", body2, "Idempotency-Key", "replay-2")
	if replay2.Status != 201 || replay2.Map(t)["id"] != first2.Map(t)["id"] {
		t.Fatalf("replay after losing the permission: %d %s", replay2.Status, replay2.Body)
	}
	if c := customerOf(t, replay2); c["email"] != "s***@example.com" || c["phone"] != maskedPhone {
		t.Fatalf("a replay after losing customers.view_pii showed %v", c)
	}
}

func piiSearch(t *testing.T, in *testkit.Instance) {
	pii := in.LoggedIn(t, "pii@example.com")
	masked := in.LoggedIn(t, "masked@example.com")
	// the target's email shares nothing with its name or order number
	target := testkit.SampleOrder("zq.secret-mailbox@hidden-domain.example")
	target["customer"].(map[string]any)["name"] = "Nima Karimi"
	target["customer"].(map[string]any)["phone"] = "+989127654321"
	r := pii.Do("POST", "/api/orders", target)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	id := int64(r.Map(t)["id"].(float64))
	number := r.Map(t)["number"].(string)

	// matches reports whether q finds the target, in page and in cursor
	// mode (which must agree)
	matches := func(c *testkit.Client, q string) bool {
		t.Helper()
		var found [2]bool
		for i, mode := range []string{"page_size=100", "limit=100"} {
			r := c.Do("GET", "/api/orders?"+mode+"&q="+url.QueryEscape(q), nil)
			var out struct{ Items []struct{ ID int64 } }
			r.JSON(t, &out)
			if r.Status != 200 {
				t.Fatalf("q=%s: %d %s", q, r.Status, r.Body)
			}
			for _, it := range out.Items {
				found[i] = found[i] || it.ID == id
			}
		}
		if found[0] != found[1] {
			t.Fatalf("q=%q: page mode found=%v, cursor mode found=%v", q, found[0], found[1])
		}
		return found[0]
	}
	// the attack: grow q one character at a time from the masked email's
	// visible first letter
	email := "zq.secret-mailbox@hidden-domain.example"
	for i := 1; i <= len(email); i++ {
		q := email[:i]
		if matches(masked, q) {
			t.Fatalf("q=%q matched by email for a caller without customers.view_pii", q)
		}
	}
	for _, q := range []string{"secret-mailbox", "hidden-domain", "@hidden", "ZQ.SECRET", "7654321"} {
		if matches(masked, q) {
			t.Fatalf("q=%q matched by email or phone for a caller without customers.view_pii", q)
		}
	}
	// what they may still search: the order number and the customer name
	for _, q := range []string{number, strings.ToLower(number), "nima", "Karimi", "nima kar"} {
		if !matches(masked, q) {
			t.Fatalf("q=%q must match the order number or customer name", q)
		}
	}
	// a holder of customers.view_pii searches emails as before
	for _, q := range []string{"zq", "secret-mailbox", "ZQ.SECRET", "@hidden-domain", "nima", number} {
		if !matches(pii, q) {
			t.Fatalf("q=%q must match for a holder of customers.view_pii", q)
		}
	}
	// counts follow the same scope (page mode's total)
	var page struct{ Total int64 }
	masked.Do("GET", "/api/orders?q=secret-mailbox", nil).JSON(t, &page)
	if page.Total != 0 {
		t.Fatalf("total for a masked search by email: %d", page.Total)
	}
	pii.Do("GET", "/api/orders?q=secret-mailbox", nil).JSON(t, &page)
	if page.Total != 1 {
		t.Fatalf("total for a holder's search by email: %d", page.Total)
	}
}

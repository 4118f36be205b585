package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
	"github.com/pishkhan/pishkhan/internal/webhooks"
)

// The webhooks room is what the content services notify: internal/server
// hands them s.Webhooks as their content.Notifier.
var _ content.Notifier = (*webhooks.Service)(nil)

// hookReceiver is a website's webhook endpoint on loopback: it records every
// request and answers each path from its plan (200 once the plan is spent).
type hookReceiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []hookRequest
	plan map[string][]int
}

type hookRequest struct {
	Path   string
	Header http.Header
	Body   []byte
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{plan: map[string][]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, hookRequest{Path: r.URL.Path, Header: r.Header.Clone(), Body: b})
		code := http.StatusOK
		if p := h.plan[r.URL.Path]; len(p) > 0 {
			code, h.plan[r.URL.Path] = p[0], p[1:]
		}
		h.mu.Unlock()
		w.WriteHeader(code)
		fmt.Fprintf(w, "receiver says %d\x00 and more", code)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// answer makes path answer codes, in order, before answering 200.
func (h *hookReceiver) answer(path string, codes ...int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plan[path] = codes
}

// at returns the requests that reached path so far.
func (h *hookReceiver) at(path string) []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookRequest
	for _, r := range h.got {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (h *hookReceiver) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got)
}

type webhookAnswer struct {
	ID         int64
	URL        string
	Events     []string
	Active     bool
	SecretHint string `json:"secret_hint"`
	Secret     string
	CreatedBy  *struct {
		ID    int64
		Email string
	} `json:"created_by"`
}

type deliveryAnswer struct {
	ID              int64
	WebhookID       int64  `json:"webhook_id"`
	DeliveryID      string `json:"delivery_id"`
	Event           string
	Status          string
	Attempts        int
	ResponseCode    *int   `json:"response_code"`
	ResponseExcerpt string `json:"response_excerpt"`
	Error           string
	Payload         json.RawMessage
	CompletedAt     *time.Time `json:"completed_at"`
}

func createWebhook(t *testing.T, c *testkit.Client, body map[string]any) webhookAnswer {
	t.Helper()
	r := c.Do("POST", "/api/webhooks", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create webhook: %d %s", r.Status, r.Body)
	}
	var w webhookAnswer
	r.JSON(t, &w)
	return w
}

func deliveriesOf(t *testing.T, c *testkit.Client, id int64) []deliveryAnswer {
	t.Helper()
	r := c.Do("GET", fmt.Sprintf("/api/webhooks/%d/deliveries?page_size=100", id), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("deliveries of %d: %d %s", id, r.Status, r.Body)
	}
	var page struct{ Items []deliveryAnswer }
	r.JSON(t, &page)
	return page.Items
}

// waitDelivery polls a webhook's log until the delivery leaves pending.
func waitDelivery(t *testing.T, c *testkit.Client, webhookID int64, deliveryID string, within time.Duration) deliveryAnswer {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, d := range deliveriesOf(t, c, webhookID) {
			if d.DeliveryID == deliveryID && d.Status != "pending" {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s of webhook %d still pending after %s: %+v", deliveryID, webhookID, within, deliveriesOf(t, c, webhookID))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// notify runs Notify in a transaction of its own, as a content service's
// change would.
func notify(t *testing.T, in *testkit.Instance, event string, data map[string]any) {
	t.Helper()
	err := in.Srv.DB.InTx(context.Background(), func(tx *db.Tx) error {
		return in.Srv.Webhooks.Notify(context.Background(), tx, event, data)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func verifySignature(secret string, body []byte, header string) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal([]byte(header), []byte("sha256="+hex.EncodeToString(m.Sum(nil))))
}

func countRows(t *testing.T, in *testkit.Instance, q string, args ...any) int {
	t.Helper()
	var n int
	if err := in.Srv.DB.Reader().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebhooks: the webhooks room over the API and a real River queue, on
// both engines, against a receiver on loopback (WEBHOOKS_ALLOW_PRIVATE).
func TestWebhooks(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{
				"JOB_POLL_INTERVAL": "50ms", "WEBHOOKS_ALLOW_PRIVATE": "true"})
			in.CreateSuperuser(t, "root@example.com")
			admin := in.LoggedIn(t, "root@example.com")
			rcv := newHookReceiver(t)

			t.Run("the secret is shown once, sealed at rest, and never in GET, list or audit", func(t *testing.T) {
				w := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/secret", "description": "سایت"})
				if !strings.HasPrefix(w.Secret, "whsec_") || len(w.Secret) != len("whsec_")+64 {
					t.Fatalf("secret %q: want whsec_ and 64 hex digits", w.Secret)
				}
				if w.SecretHint != "whsec_…"+w.Secret[len(w.Secret)-4:] || !w.Active || len(w.Events) != 0 {
					t.Fatalf("created: %+v", w)
				}
				if w.CreatedBy == nil || w.CreatedBy.Email != "root@example.com" {
					t.Fatalf("created_by: %+v", w.CreatedBy)
				}
				rotated := admin.Do("POST", fmt.Sprintf("/api/webhooks/%d/rotate-secret", w.ID), nil)
				var rw webhookAnswer
				rotated.JSON(t, &rw)
				if rotated.Status != 200 || rw.Secret == "" || rw.Secret == w.Secret || rw.SecretHint == w.SecretHint {
					t.Fatalf("rotate: %d %s", rotated.Status, rotated.Body)
				}
				if cc := rotated.Header.Get("Cache-Control"); cc != "no-store" {
					t.Fatalf("an answer holding a secret has Cache-Control %q", cc)
				}
				for _, path := range []string{fmt.Sprintf("/api/webhooks/%d", w.ID), "/api/webhooks", "/api/webhooks?limit=5",
					fmt.Sprintf("/api/audit-logs?resource_type=webhook&resource_id=%d", w.ID)} {
					r := admin.Do("GET", path, nil)
					if r.Status != 200 {
						t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
					}
					for _, secret := range []string{w.Secret, rw.Secret, w.Secret[6:], rw.Secret[6:]} {
						if bytes.Contains(r.Body, []byte(secret)) {
							t.Fatalf("GET %s shows a secret: %s", path, r.Body)
						}
					}
					if !bytes.Contains(r.Body, []byte(rw.SecretHint)) {
						t.Fatalf("GET %s lacks the hint %q: %s", path, rw.SecretHint, r.Body)
					}
				}
				var sealed string
				if err := in.Srv.DB.Reader().QueryRow(context.Background(), `SELECT secret_sealed FROM webhooks WHERE id = ?`, w.ID).Scan(&sealed); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(sealed, rw.Secret[6:]) || !strings.HasPrefix(sealed, "w1:") {
					t.Fatalf("the secret is stored as %q", sealed)
				}
				// the rotated secret signs from now on
				r := admin.Do("POST", fmt.Sprintf("/api/webhooks/%d/test", w.ID), nil)
				var d deliveryAnswer
				r.JSON(t, &d)
				waitDelivery(t, admin, w.ID, d.DeliveryID, 20*time.Second)
				got := rcv.at("/secret")
				if len(got) != 1 || !verifySignature(rw.Secret, got[0].Body, got[0].Header.Get("X-Pishkhan-Signature")) ||
					verifySignature(w.Secret, got[0].Body, got[0].Header.Get("X-Pishkhan-Signature")) {
					t.Fatalf("after rotation the delivery is not signed with the new secret alone: %+v", got)
				}
			})

			t.Run("a test send is queued, signed with the secret from creation, and logged", func(t *testing.T) {
				w := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/ping?site=1", "events": []string{"post.published"}})
				r := admin.Do("POST", fmt.Sprintf("/api/webhooks/%d/test", w.ID), nil)
				var d deliveryAnswer
				r.JSON(t, &d)
				if r.Status != http.StatusAccepted || d.Status != "pending" || d.Event != "ping" || d.Attempts != 0 || len(d.DeliveryID) != 36 {
					t.Fatalf("test send: %d %s", r.Status, r.Body)
				}
				done := waitDelivery(t, admin, w.ID, d.DeliveryID, 20*time.Second)
				if done.Status != "succeeded" || done.Attempts != 1 || done.ResponseCode == nil || *done.ResponseCode != 200 ||
					done.Error != "" || done.CompletedAt == nil || done.ResponseExcerpt != "receiver says 200 and more" {
					t.Fatalf("logged: %+v", done)
				}
				got := rcv.at("/ping")
				if len(got) != 1 {
					t.Fatalf("the receiver got %d requests", len(got))
				}
				h := got[0].Header
				if h.Get("Content-Type") != "application/json" || h.Get("User-Agent") != "Pishkhan-Webhooks/1" ||
					h.Get("X-Pishkhan-Event") != "ping" || h.Get("X-Pishkhan-Delivery") != d.DeliveryID {
					t.Fatalf("headers: %v", h)
				}
				if !verifySignature(w.Secret, got[0].Body, h.Get("X-Pishkhan-Signature")) {
					t.Fatalf("the signature %q does not verify with the secret from creation", h.Get("X-Pishkhan-Signature"))
				}
				var body struct {
					Event      string
					DeliveryID string `json:"delivery_id"`
					OccurredAt time.Time
					Data       map[string]any
				}
				if err := json.Unmarshal(got[0].Body, &body); err != nil {
					t.Fatal(err)
				}
				if body.Event != "ping" || body.DeliveryID != d.DeliveryID || body.Data["webhook_id"] != float64(w.ID) ||
					!bytes.Equal(got[0].Body, done.Payload) {
					t.Fatalf("body %s, logged payload %s", got[0].Body, done.Payload)
				}
			})

			t.Run("a 500 then a 200 is retried with the same delivery and logged twice", func(t *testing.T) {
				rcv.answer("/flaky", http.StatusInternalServerError)
				w := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/flaky"})
				notify(t, in, "post.updated", map[string]any{"type": "post", "id": 7, "slug": "سلام-دنیا", "lang": "fa"})
				var did string
				deadline := time.Now().Add(20 * time.Second)
				for {
					ds := deliveriesOf(t, admin, w.ID)
					if len(ds) == 1 && ds[0].Attempts == 1 {
						if ds[0].Status != "pending" || ds[0].ResponseCode == nil || *ds[0].ResponseCode != 500 || ds[0].Error == "" {
							t.Fatalf("after the 500: %+v", ds[0])
						}
						did = ds[0].DeliveryID
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("no first attempt: %+v", ds)
					}
					time.Sleep(50 * time.Millisecond)
				}
				done := waitDelivery(t, admin, w.ID, did, 45*time.Second)
				if done.Status != "succeeded" || done.Attempts != 2 || *done.ResponseCode != 200 || done.Error != "" {
					t.Fatalf("after the retry: %+v", done)
				}
				got := rcv.at("/flaky")
				if len(got) != 2 || !bytes.Equal(got[0].Body, got[1].Body) ||
					got[0].Header.Get("X-Pishkhan-Delivery") != did || got[1].Header.Get("X-Pishkhan-Delivery") != did ||
					!verifySignature(w.Secret, got[1].Body, got[1].Header.Get("X-Pishkhan-Signature")) {
					t.Fatalf("the receiver got %d requests: %+v", len(got), got)
				}
				var body struct{ Data map[string]any }
				_ = json.Unmarshal(got[1].Body, &body)
				if body.Data["slug"] != "سلام-دنیا" || body.Data["type"] != "post" {
					t.Fatalf("data: %s", got[1].Body)
				}
			})

			t.Run("events reach only active webhooks subscribed to them", func(t *testing.T) {
				a := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/a", "events": []string{"post.published"}})
				b := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/b", "events": []string{}})
				c := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/c", "active": false})
				d := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/d"})
				// deactivated after creation: gets nothing from then on
				if r := admin.Do("PATCH", fmt.Sprintf("/api/webhooks/%d", d.ID), map[string]any{"active": false}); r.Status != 200 {
					t.Fatalf("deactivate: %d %s", r.Status, r.Body)
				}
				notify(t, in, "project.deleted", map[string]any{"type": "project", "id": 3, "slug": "x", "lang": "en"})
				notify(t, in, "post.published", map[string]any{"type": "post", "id": 4, "slug": "y", "lang": "fa"})
				for _, ds := range [][]deliveryAnswer{deliveriesOf(t, admin, c.ID), deliveriesOf(t, admin, d.ID)} {
					if len(ds) != 0 {
						t.Fatalf("an inactive webhook got deliveries: %+v", ds)
					}
				}
				if n := len(deliveriesOf(t, admin, a.ID)); n != 1 {
					t.Fatalf("webhook a (post.published only) has %d deliveries", n)
				}
				bs := deliveriesOf(t, admin, b.ID)
				if len(bs) != 2 || bs[0].Event != "post.published" || bs[1].Event != "project.deleted" {
					t.Fatalf("webhook b (every event), newest first: %+v", bs)
				}
				for _, x := range bs {
					waitDelivery(t, admin, b.ID, x.DeliveryID, 20*time.Second)
				}
				waitDelivery(t, admin, a.ID, deliveriesOf(t, admin, a.ID)[0].DeliveryID, 20*time.Second)
				if ga, gb := rcv.at("/a"), rcv.at("/b"); len(ga) != 1 || ga[0].Header.Get("X-Pishkhan-Event") != "post.published" || len(gb) != 2 {
					t.Fatalf("a got %d, b got %d", len(ga), len(gb))
				}
				if len(rcv.at("/c"))+len(rcv.at("/d")) != 0 {
					t.Fatal("an inactive webhook was called")
				}
				// the delivery log pages by cursor too
				r := admin.Do("GET", fmt.Sprintf("/api/webhooks/%d/deliveries?limit=1", b.ID), nil)
				var first struct {
					Items      []deliveryAnswer
					NextCursor *string `json:"next_cursor"`
				}
				r.JSON(t, &first)
				if len(first.Items) != 1 || first.NextCursor == nil || first.Items[0].Event != "post.published" {
					t.Fatalf("cursor page: %s", r.Body)
				}
				r = admin.Do("GET", fmt.Sprintf("/api/webhooks/%d/deliveries?limit=1&cursor=%s", b.ID, *first.NextCursor), nil)
				var second struct {
					Items      []deliveryAnswer
					NextCursor *string `json:"next_cursor"`
				}
				r.JSON(t, &second)
				if len(second.Items) != 1 || second.NextCursor != nil || second.Items[0].Event != "project.deleted" {
					t.Fatalf("second cursor page: %s", r.Body)
				}
				// a cursor of one webhook's log is refused on another's
				if r := admin.Do("GET", fmt.Sprintf("/api/webhooks/%d/deliveries?limit=1&cursor=%s", a.ID, *first.NextCursor), nil); r.Status != 400 {
					t.Fatalf("a foreign cursor: %d %s", r.Status, r.Body)
				}
			})

			t.Run("Notify rolled back with its transaction enqueues nothing", func(t *testing.T) {
				createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/rollback"})
				deliveries := countRows(t, in, `SELECT COUNT(*) FROM webhook_deliveries`)
				jobs := countRows(t, in, `SELECT COUNT(*) FROM river_job WHERE kind = ?`, "webhook_deliver")
				errRollback := errors.New("the content change failed")
				err := in.Srv.DB.InTx(context.Background(), func(tx *db.Tx) error {
					if err := in.Srv.Webhooks.Notify(context.Background(), tx, "post.deleted", map[string]any{"id": 1}); err != nil {
						return err
					}
					return errRollback
				})
				if !errors.Is(err, errRollback) {
					t.Fatal(err)
				}
				if n := countRows(t, in, `SELECT COUNT(*) FROM webhook_deliveries`); n != deliveries {
					t.Fatalf("deliveries %d → %d", deliveries, n)
				}
				if n := countRows(t, in, `SELECT COUNT(*) FROM river_job WHERE kind = ?`, "webhook_deliver"); n != jobs {
					t.Fatalf("jobs %d → %d", jobs, n)
				}
				time.Sleep(300 * time.Millisecond)
				if got := rcv.at("/rollback"); len(got) != 0 {
					t.Fatalf("a rolled-back event was delivered: %+v", got)
				}
				// an event no one defined fails the caller's transaction
				err = in.Srv.DB.InTx(context.Background(), func(tx *db.Tx) error {
					return in.Srv.Webhooks.Notify(context.Background(), tx, "post.exploded", nil)
				})
				if err == nil {
					t.Fatal("an unknown event was accepted")
				}
			})

			t.Run("bad input is 422 per field and changes nothing", func(t *testing.T) {
				before := countRows(t, in, `SELECT COUNT(*) FROM webhooks`)
				audits := countRows(t, in, `SELECT COUNT(*) FROM audit_logs`)
				cases := []struct {
					body   any
					fields []string
				}{
					{map[string]any{}, []string{"url"}},
					{map[string]any{"url": "ftp://example.com/x"}, []string{"url"}},
					{map[string]any{"url": "/relative/path"}, []string{"url"}},
					{map[string]any{"url": "https://user:pw@example.com/x"}, []string{"url"}},
					{map[string]any{"url": "https://example.com/" + strings.Repeat("a", 2048)}, []string{"url"}},
					{map[string]any{"url": "https://example.com/a b"}, []string{"url"}},
					{map[string]any{"url": "https://example.com/x", "events": []string{"post.published", "post.nope", "post.published"}},
						[]string{"events[1]", "events[2]"}},
					{map[string]any{"url": "javascript:alert(1)", "description": strings.Repeat("d", 501)}, []string{"url", "description"}},
					{map[string]any{"url": "https://example.com/x", "secret": "whsec_mine"}, []string{"secret"}},
				}
				for _, c := range cases {
					r := admin.Do("POST", "/api/webhooks", c.body)
					var e struct {
						Code    string
						Details struct{ Fields map[string]string }
					}
					r.JSON(t, &e)
					if r.Status != 422 || e.Code != "VALIDATION_FAILED" || len(e.Details.Fields) != len(c.fields) {
						t.Fatalf("%v: %d %s", c.body, r.Status, r.Body)
					}
					for _, f := range c.fields {
						if e.Details.Fields[f] == "" {
							t.Fatalf("%v: no message for %s: %s", c.body, f, r.Body)
						}
					}
				}
				w := createWebhook(t, admin, map[string]any{"url": "https://example.com/hook"})
				before++
				audits++
				for _, body := range []any{map[string]any{"url": "gopher://x"}, map[string]any{"events": []string{"ping"}},
					map[string]any{"active": "yes"}, `{"url": }`} {
					r := admin.Do("PATCH", fmt.Sprintf("/api/webhooks/%d", w.ID), body)
					if r.Status != 422 && r.Status != 400 {
						t.Fatalf("PATCH %v: %d %s", body, r.Status, r.Body)
					}
				}
				var got webhookAnswer
				admin.Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil).JSON(t, &got)
				if got.URL != "https://example.com/hook" || len(got.Events) != 0 || !got.Active {
					t.Fatalf("a refused PATCH changed the webhook: %+v", got)
				}
				if n := countRows(t, in, `SELECT COUNT(*) FROM webhooks`); n != before {
					t.Fatalf("webhooks %d, want %d", n, before)
				}
				if n := countRows(t, in, `SELECT COUNT(*) FROM audit_logs`); n != audits {
					t.Fatalf("audit rows %d, want %d", n, audits)
				}
				for _, path := range []string{"/api/webhooks/0", "/api/webhooks/abc", "/api/webhooks/99999999"} {
					if r := admin.Do("GET", path, nil); r.Status != 404 {
						t.Fatalf("GET %s: %d", path, r.Status)
					}
				}
				if r := admin.Do("POST", "/api/webhooks/99999999/test", nil); r.Status != 404 {
					t.Fatalf("test of no webhook: %d", r.Status)
				}
			})

			t.Run("PATCH with a stale If-Match is 412 and changes nothing", func(t *testing.T) {
				w := createWebhook(t, admin, map[string]any{"url": "https://example.com/etag"})
				r := admin.Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil)
				tag := r.Header.Get("ETag")
				if tag == "" || r.Header.Get("Cache-Status") == "" {
					t.Fatalf("GET headers: %v", r.Header)
				}
				r = admin.Do("PATCH", fmt.Sprintf("/api/webhooks/%d", w.ID), map[string]any{
					"events": []string{"project.updated", "post.updated"}, "description": "rebuild"}, "If-Match", tag)
				var p webhookAnswer
				r.JSON(t, &p)
				if r.Status != 200 || strings.Join(p.Events, ",") != "post.updated,project.updated" || r.Header.Get("ETag") == tag {
					t.Fatalf("PATCH: %d %s", r.Status, r.Body)
				}
				r2 := admin.Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil)
				if r2.Header.Get("ETag") != r.Header.Get("ETag") {
					t.Fatalf("PATCH's ETag %s, GET's %s", r.Header.Get("ETag"), r2.Header.Get("ETag"))
				}
				r = admin.Do("PATCH", fmt.Sprintf("/api/webhooks/%d", w.ID), map[string]any{"url": "https://example.com/other"}, "If-Match", tag)
				if r.Status != 412 || r.Code() != "PRECONDITION_FAILED" {
					t.Fatalf("stale If-Match: %d %s", r.Status, r.Body)
				}
				var got webhookAnswer
				admin.Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil).JSON(t, &got)
				if got.URL != "https://example.com/etag" {
					t.Fatalf("a refused PATCH changed the URL: %+v", got)
				}
				// a PATCH that changes nothing writes nothing: same ETag, no audit row
				audits := countRows(t, in, `SELECT COUNT(*) FROM audit_logs`)
				cur := admin.Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil).Header.Get("ETag")
				r = admin.Do("PATCH", fmt.Sprintf("/api/webhooks/%d", w.ID), map[string]any{"url": "https://example.com/etag",
					"events": []string{"post.updated", "project.updated"}}, "If-Match", cur)
				if r.Status != 200 || r.Header.Get("ETag") != cur {
					t.Fatalf("no-op PATCH: %d %s (ETag %s, was %s)", r.Status, r.Body, r.Header.Get("ETag"), cur)
				}
				if n := countRows(t, in, `SELECT COUNT(*) FROM audit_logs`); n != audits {
					t.Fatalf("a no-op PATCH wrote %d audit rows", n-audits)
				}
			})

			t.Run("delete removes the webhook and its log, audited", func(t *testing.T) {
				w := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/gone"})
				if r := admin.Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil); r.Status != 200 {
					t.Fatal(r.Status)
				}
				if r := admin.Do("DELETE", fmt.Sprintf("/api/webhooks/%d", w.ID), nil); r.Status != 204 {
					t.Fatalf("delete: %d %s", r.Status, r.Body)
				}
				for _, path := range []string{fmt.Sprintf("/api/webhooks/%d", w.ID), fmt.Sprintf("/api/webhooks/%d/deliveries", w.ID)} {
					if r := admin.Do("GET", path, nil); r.Status != 404 {
						t.Fatalf("GET %s after delete: %d", path, r.Status)
					}
				}
				if r := admin.Do("DELETE", fmt.Sprintf("/api/webhooks/%d", w.ID), nil); r.Status != 404 {
					t.Fatalf("second delete: %d", r.Status)
				}
				var actions []string
				var page struct {
					Items []struct{ Action string }
				}
				admin.Do("GET", fmt.Sprintf("/api/audit-logs?resource_type=webhook&resource_id=%d", w.ID), nil).JSON(t, &page)
				for _, it := range page.Items {
					actions = append(actions, it.Action)
				}
				if strings.Join(actions, ",") != "webhooks.delete,webhooks.create" {
					t.Fatalf("audit: %v", actions)
				}
			})

			t.Run("401 anonymous and 403 without webhooks.manage on every route", func(t *testing.T) {
				w := createWebhook(t, admin, map[string]any{"url": "https://example.com/perm"})
				in.CreateUser(t, "editor@example.com", "content.view", "content.edit", "content.publish")
				in.CreateUser(t, "hooks@example.com", webhooks.PermManage)
				editor := in.LoggedIn(t, "editor@example.com")
				anon := in.Client(t)
				routes := [][2]string{{"GET", "/api/webhooks"}, {"POST", "/api/webhooks"}, {"GET", "/api/webhooks/%d"},
					{"PATCH", "/api/webhooks/%d"}, {"DELETE", "/api/webhooks/%d"}, {"POST", "/api/webhooks/%d/test"},
					{"POST", "/api/webhooks/%d/rotate-secret"}, {"GET", "/api/webhooks/%d/deliveries"}}
				deliveries := countRows(t, in, `SELECT COUNT(*) FROM webhook_deliveries`)
				for _, rt := range routes {
					path := rt[1]
					if strings.Contains(path, "%d") {
						path = fmt.Sprintf(path, w.ID)
					}
					var body any
					if rt[0] == "POST" || rt[0] == "PATCH" {
						body = map[string]any{"url": "https://example.com/taken"}
					}
					if r := anon.Do(rt[0], path, body); r.Status != 401 || r.Code() != "UNAUTHENTICATED" {
						t.Fatalf("anonymous %s %s: %d %s", rt[0], path, r.Status, r.Body)
					}
					if r := editor.Do(rt[0], path, body); r.Status != 403 || r.Code() != "PERMISSION_DENIED" {
						t.Fatalf("without webhooks.manage %s %s: %d %s", rt[0], path, r.Status, r.Body)
					}
				}
				var got webhookAnswer
				admin.Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil).JSON(t, &got)
				if got.URL != "https://example.com/perm" || got.SecretHint != w.SecretHint {
					t.Fatalf("refused requests changed the webhook: %+v", got)
				}
				if n := countRows(t, in, `SELECT COUNT(*) FROM webhook_deliveries`); n != deliveries {
					t.Fatal("a refused test send queued a delivery")
				}
				// the service checks too, whatever the router did
				ctx := authz.With(context.Background(), &authz.Principal{UserID: 1, Email: "x", Permissions: []authz.Permission{"content.publish"}})
				if _, err := in.Srv.Webhooks.Create(ctx, webhooks.CreateInput{URL: "https://example.com/svc"}); err == nil {
					t.Fatal("the service created a webhook for a caller without webhooks.manage")
				}
				holder := in.LoggedIn(t, "hooks@example.com")
				if r := holder.Do("GET", "/api/webhooks", nil); r.Status != 200 {
					t.Fatalf("a holder of webhooks.manage: %d %s", r.Status, r.Body)
				}
				if r := holder.Do("PATCH", fmt.Sprintf("/api/webhooks/%d", w.ID), map[string]any{"active": false}); r.Status != 200 {
					t.Fatalf("a holder of webhooks.manage: %d %s", r.Status, r.Body)
				}
			})
		})
	}
}

// TestWebhooksRefusePrivateAddresses: without WEBHOOKS_ALLOW_PRIVATE a
// delivery to loopback, by address or by a name resolving to it, is refused
// when it connects, recorded on the delivery, and not retried.
func TestWebhooksRefusePrivateAddresses(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{"JOB_POLL_INTERVAL": "50ms"})
			in.CreateSuperuser(t, "root@example.com")
			admin := in.LoggedIn(t, "root@example.com")
			rcv := newHookReceiver(t)
			_, port, _ := net.SplitHostPort(strings.TrimPrefix(rcv.srv.URL, "http://"))
			for _, target := range []string{rcv.srv.URL + "/by-address", "http://localhost:" + port + "/by-name",
				"http://[::ffff:127.0.0.1]:" + port + "/mapped", "http://169.254.169.254/latest/meta-data/"} {
				w := createWebhook(t, admin, map[string]any{"url": target})
				r := admin.Do("POST", fmt.Sprintf("/api/webhooks/%d/test", w.ID), nil)
				var d deliveryAnswer
				r.JSON(t, &d)
				done := waitDelivery(t, admin, w.ID, d.DeliveryID, 20*time.Second)
				if done.Status != "failed" || done.Error != "private address refused" || done.Attempts != 1 || done.ResponseCode != nil {
					t.Fatalf("%s: %+v", target, done)
				}
				// River records the job's end just after the worker returns
				var state string
				for wait := time.Now().Add(10 * time.Second); state != "cancelled" && time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
					err := in.Srv.DB.Reader().QueryRow(context.Background(),
						`SELECT state FROM river_job WHERE kind = ? ORDER BY id DESC LIMIT 1`, "webhook_deliver").Scan(&state)
					if err != nil {
						t.Fatal(err)
					}
				}
				if state != "cancelled" {
					t.Fatalf("%s: the refused delivery's job is %s, not cancelled (it would be retried)", target, state)
				}
			}
			if n := rcv.total(); n != 0 {
				t.Fatalf("the receiver on loopback got %d requests", n)
			}
		})
	}
}

// TestWebhookSecretsNotLogged: nothing the server logs while creating,
// rotating and using webhooks (failures included) holds a secret. It
// swaps the process's logger, so it does not run in parallel.
func TestWebhookSecretsNotLogged(t *testing.T) {
	var buf syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[0]), map[string]string{
		"JOB_POLL_INTERVAL": "50ms", "WEBHOOKS_ALLOW_PRIVATE": "true", "LOG_LEVEL": "debug"})
	in.CreateSuperuser(t, "root@example.com")
	admin := in.LoggedIn(t, "root@example.com")
	rcv := newHookReceiver(t)
	rcv.answer("/logged", http.StatusBadGateway, http.StatusBadGateway)
	w := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/logged"})
	var rw webhookAnswer
	admin.Do("POST", fmt.Sprintf("/api/webhooks/%d/rotate-secret", w.ID), nil).JSON(t, &rw)
	var d deliveryAnswer
	admin.Do("POST", fmt.Sprintf("/api/webhooks/%d/test", w.ID), nil).JSON(t, &d)
	deadline := time.Now().Add(20 * time.Second)
	for len(rcv.at("/logged")) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	logs := buf.String()
	if !strings.Contains(logs, "webhook delivery attempt") {
		t.Fatalf("the attempt was not logged:\n%s", logs)
	}
	for _, secret := range []string{w.Secret, rw.Secret, w.Secret[6:], rw.Secret[6:]} {
		if strings.Contains(logs, secret) {
			t.Fatalf("a secret is in the logs:\n%s", logs)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the log handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestWebhookSecretsFollowKeyRotation: a signing secret sealed under a
// SECRET_KEY still signs after a rotation (old key in SECRET_KEY_OLD),
// `secrets rotate` re-seals it so the old key can go, and a start-up with
// a key that opens none of the stored secrets is refused by name.
func TestWebhookSecretsFollowKeyRotation(t *testing.T) {
	keyA, keyB, keyC := strings.Repeat("a1", 32), strings.Repeat("b2", 32), strings.Repeat("c3", 32)
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			sh := testkit.NewShared(t, m)
			rcv := newHookReceiver(t)
			env := func(kv ...string) map[string]string {
				e := map[string]string{"JOB_POLL_INTERVAL": "50ms", "WEBHOOKS_ALLOW_PRIVATE": "true"}
				for i := 0; i+1 < len(kv); i += 2 {
					e[kv[i]] = kv[i+1]
				}
				return e
			}
			a := testkit.Start(t, sh, env("SECRET_KEY", keyA))
			a.CreateSuperuser(t, "root@example.com")
			w := createWebhook(t, a.LoggedIn(t, "root@example.com"), map[string]any{"url": rcv.srv.URL + "/rotation"})
			sends := 0
			sendAndVerify := func(in *testkit.Instance) {
				t.Helper()
				admin := in.LoggedIn(t, "root@example.com")
				var d deliveryAnswer
				admin.Do("POST", fmt.Sprintf("/api/webhooks/%d/test", w.ID), nil).JSON(t, &d)
				if done := waitDelivery(t, admin, w.ID, d.DeliveryID, 20*time.Second); done.Status != "succeeded" {
					t.Fatalf("delivery: %+v", done)
				}
				sends++
				got := rcv.at("/rotation")
				if len(got) != sends || !verifySignature(w.Secret, got[sends-1].Body, got[sends-1].Header.Get("X-Pishkhan-Signature")) {
					t.Fatalf("send %d is not signed with the webhook's secret: %+v", sends, got)
				}
			}
			sendAndVerify(a)

			cfgWith := func(key string) config.Config {
				all := map[string]string{}
				for k, v := range a.Env {
					all[k] = v
				}
				all["SECRET_KEY"] = key
				cfg, err := config.Load(testkit.Env(all))
				if err != nil {
					t.Fatal(err)
				}
				return cfg
			}
			s, err := server.New(context.Background(), cfgWith(keyC))
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, webhooks.ErrUnknownKey) || !strings.Contains(err.Error(), "SECRET_KEY_OLD") {
				t.Fatalf("start-up with a key that opens no stored webhook secret: %v", err)
			}

			// one key at a time works the queue, as after a rolling restart
			stopJobs := func(in *testkit.Instance) {
				if err := in.Srv.Queue.Stop(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			stopJobs(a)
			b := testkit.Start(t, sh, env("SECRET_KEY", keyB, "SECRET_KEY_OLD", keyA))
			sendAndVerify(b)
			n, err := b.Srv.RotateSecrets(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("rotate: %d %v", n, err)
			}
			if n, err := b.Srv.RotateSecrets(context.Background()); err != nil || n != 0 {
				t.Fatalf("a second rotation: %d %v", n, err)
			}
			stopJobs(b)
			onlyB := testkit.Start(t, sh, env("SECRET_KEY", keyB))
			sendAndVerify(onlyB)
			var hint string
			onlyB.LoggedIn(t, "root@example.com").Do("GET", fmt.Sprintf("/api/webhooks/%d", w.ID), nil).JSON(t, &struct {
				Hint *string `json:"secret_hint"`
			}{&hint})
			if hint != w.SecretHint {
				t.Fatalf("re-sealing changed the secret's hint: %q → %q", w.SecretHint, hint)
			}
		})
	}
}

// TestWebhooksHearPosts: the wiring end to end — publishing a post through
// the API queues a signed post.published delivery in the publish's
// transaction, which reaches a webhook subscribed to it and no other.
func TestWebhooksHearPosts(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := testkit.Start(t, testkit.NewShared(t, m), map[string]string{
				"JOB_POLL_INTERVAL": "50ms", "WEBHOOKS_ALLOW_PRIVATE": "true"})
			in.CreateSuperuser(t, "root@example.com")
			admin := in.LoggedIn(t, "root@example.com")
			rcv := newHookReceiver(t)
			site := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/site", "events": []string{"post.published"}})
			other := createWebhook(t, admin, map[string]any{"url": rcv.srv.URL + "/other", "events": []string{"project.published"}})
			var p struct {
				ID   int64
				Slug string
			}
			r := admin.Do("POST", "/api/posts", map[string]any{"title": "سلام دنیا", "lang": "fa"})
			if r.Status != http.StatusCreated {
				t.Fatalf("create post: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &p)
			if r := admin.Do("POST", fmt.Sprintf("/api/posts/%d/transition", p.ID), map[string]any{"to": "published"}); r.Status != 200 {
				t.Fatalf("publish: %d %s", r.Status, r.Body)
			}
			ds := deliveriesOf(t, admin, site.ID)
			if len(ds) != 1 || ds[0].Event != "post.published" {
				t.Fatalf("deliveries after the publish: %+v", ds)
			}
			if done := waitDelivery(t, admin, site.ID, ds[0].DeliveryID, 20*time.Second); done.Status != "succeeded" {
				t.Fatalf("delivery: %+v", done)
			}
			got := rcv.at("/site")
			if len(got) != 1 || !verifySignature(site.Secret, got[0].Body, got[0].Header.Get("X-Pishkhan-Signature")) {
				t.Fatalf("the site got %+v", got)
			}
			var body struct {
				Event string
				Data  map[string]any
			}
			if err := json.Unmarshal(got[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			if body.Event != "post.published" || body.Data["id"] != float64(p.ID) || body.Data["slug"] != p.Slug || body.Data["lang"] != "fa" {
				t.Fatalf("body: %s", got[0].Body)
			}
			if n := len(deliveriesOf(t, admin, other.ID)); n != 0 {
				t.Fatalf("a webhook for projects got %d deliveries of a post", n)
			}
		})
	}
}

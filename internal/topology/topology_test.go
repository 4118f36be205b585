//go:build topology

package topology_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/topology"
)

// The end-to-end API checks against a running topology: nginx in front of
// three instances on one PostgreSQL and one Redis Cluster, with a separate
// worker. A part that is missing or down fails the test.
func TestTopology(t *testing.T) {
	env, err := topology.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if len(env.InstanceURLs) < 3 {
		t.Fatalf("want three instances behind the balancer, got %v", env.InstanceURLs)
	}
	ctx := context.Background()
	for _, u := range append([]string{env.URL}, env.InstanceURLs...) {
		resp, err := http.Get(u + "/readyz")
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s/readyz: %d %s", u, resp.StatusCode, b)
		}
	}
	admin, err := topology.Login(ctx, env.URL, env.AdminEmail, env.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	do := func(base, method, path string, body any, headers map[string]string) topology.Response {
		t.Helper()
		r, err := admin.Do(ctx, base, method, path, body, headers)
		if err != nil {
			t.Fatalf("%s %s%s: %v", method, base, path, err)
		}
		return r
	}

	t.Run("login is refused with a wrong password", func(t *testing.T) {
		if _, err := topology.Login(ctx, env.URL, env.AdminEmail, env.AdminPassword+"x"); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("a wrong password: %v", err)
		}
	})

	// one session, every instance: the session lives in the cluster
	t.Run("the session is valid on every instance", func(t *testing.T) {
		for _, u := range env.InstanceURLs {
			if r := do(u, "GET", "/api/auth/me", nil, nil); r.Status != 200 {
				t.Fatalf("%s: %d %s", u, r.Status, r.Body)
			}
		}
	})

	tag := "t" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var order topology.Order
	t.Run("orders: create, list, change status with If-Match", func(t *testing.T) {
		r := do(env.URL, "POST", "/api/orders", topology.NewOrder(tag), map[string]string{"Idempotency-Key": tag})
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		if err := r.JSON(&order); err != nil || order.ID == 0 || order.Status != "pending" {
			t.Fatalf("created: %+v %v", order, err)
		}
		// the same key and body answers the first order, whichever instance takes it
		var again topology.Order
		if r := do(env.URL, "POST", "/api/orders", topology.NewOrder(tag), map[string]string{"Idempotency-Key": tag}); r.Status != 201 || r.JSON(&again) != nil || again.ID != order.ID {
			t.Fatalf("a retry with the same Idempotency-Key: %d %s", r.Status, r.Body)
		}
		var list struct{ Items []topology.Order }
		if r := do(env.URL, "GET", "/api/orders?q="+tag, nil, nil); r.Status != 200 || r.JSON(&list) != nil || len(list.Items) != 1 || list.Items[0].ID != order.ID {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		path := fmt.Sprintf("/api/orders/%d", order.ID)
		r = do(env.URL, "GET", path, nil, nil)
		etag := r.Header.Get("ETag")
		if r.Status != 200 || etag == "" {
			t.Fatalf("detail: %d %q", r.Status, etag)
		}
		if r := do(env.URL, "PUT", path+"/status", map[string]string{"status": "paid"}, map[string]string{"If-Match": etag}); r.Status != 200 {
			t.Fatalf("status with the current ETag: %d %s", r.Status, r.Body)
		}
		// the old ETag is stale on every instance
		for _, u := range env.InstanceURLs {
			r := do(u, "PUT", path+"/status", map[string]string{"status": "processing"}, map[string]string{"If-Match": etag})
			if r.Status != 412 || !strings.Contains(string(r.Body), "PRECONDITION_FAILED") {
				t.Fatalf("%s: a stale If-Match: %d %s", u, r.Status, r.Body)
			}
		}
	})
	if order.ID == 0 {
		t.Fatal("no order to go on with")
	}
	path := fmt.Sprintf("/api/orders/%d", order.ID)

	t.Run("an event written on one instance reaches a stream on another", func(t *testing.T) {
		for w := range env.InstanceURLs {
			s := (w + 1) % len(env.InstanceURLs)
			stream, err := admin.OpenStream(ctx, env.InstanceURLs[s])
			if err != nil {
				t.Fatal(err)
			}
			r := do(env.InstanceURLs[w], "POST", "/api/orders", topology.NewOrder(fmt.Sprintf("%s-w%d", tag, w)), nil)
			var o topology.Order
			if r.Status != 201 || r.JSON(&o) != nil {
				t.Fatalf("create on instance %d: %d %s", w+1, r.Status, r.Body)
			}
			want := fmt.Sprintf(`"id":%d`, o.ID)
			deadline := time.After(5 * time.Second)
			for seen := false; !seen; {
				select {
				case e, ok := <-stream.Events:
					if !ok {
						t.Fatalf("the stream on instance %d ended", s+1)
					}
					seen = e.Name == "orders" && strings.Contains(e.Data, want)
				case <-deadline:
					t.Fatalf("a write on instance %d never reached the stream on instance %d", w+1, s+1)
				}
			}
			stream.Close()
		}
	})

	t.Run("no instance serves a read older than an acknowledged write", func(t *testing.T) {
		steps := []string{"processing", "shipped", "delivered"}
		for i, next := range steps {
			// warm every instance's cache with the current state
			for _, u := range env.InstanceURLs {
				for range 2 {
					do(u, "GET", path, nil, nil)
					do(u, "GET", "/api/orders?q="+tag, nil, nil)
				}
			}
			w := env.InstanceURLs[i%len(env.InstanceURLs)]
			if r := do(w, "PUT", path+"/status", map[string]string{"status": next}, nil); r.Status != 200 {
				t.Fatalf("%s → %s on %s: %d %s", path, next, w, r.Status, r.Body)
			}
			for _, u := range append([]string{env.URL}, env.InstanceURLs...) {
				var o topology.Order
				if r := do(u, "GET", path, nil, nil); r.Status != 200 || r.JSON(&o) != nil || o.Status != next {
					t.Fatalf("after %s was acknowledged, %s served %d %s (%s)", next, u, r.Status, r.Body, r.Header.Get("Cache-Status"))
				}
				var list struct{ Items []topology.Order }
				r := do(u, "GET", "/api/orders?q="+tag, nil, nil)
				if r.Status != 200 || r.JSON(&list) != nil {
					t.Fatalf("list on %s: %d %s", u, r.Status, r.Body)
				}
				for _, o := range list.Items {
					if o.ID == order.ID && o.Status != next {
						t.Fatalf("after %s was acknowledged, %s listed it %s (%s)", next, u, o.Status, r.Header.Get("Cache-Status"))
					}
				}
			}
		}
	})

	t.Run("media: upload through the signed URL, scanned and served", func(t *testing.T) {
		var img bytes.Buffer
		m := image.NewRGBA(image.Rect(0, 0, 32, 24))
		for i := range m.Pix {
			m.Pix[i] = uint8(i * 7)
		}
		if err := png.Encode(&img, m); err != nil {
			t.Fatal(err)
		}
		eicar := []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`)
		for _, tc := range []struct {
			name, contentType string
			body              []byte
			status            string
		}{
			{"topology.png", "image/png", img.Bytes(), "ready"},
			{"eicar.pdf", "application/pdf", eicar, "rejected"},
		} {
			r := do(env.URL, "POST", "/api/media/upload", map[string]any{"filename": tc.name, "content_type": tc.contentType, "size": len(tc.body)}, nil)
			if r.Status != 201 {
				t.Fatalf("upload %s: %d %s", tc.name, r.Status, r.Body)
			}
			var up struct {
				Media struct {
					ID int64 `json:"id"`
				} `json:"media"`
				Upload struct {
					Method  string            `json:"method"`
					URL     string            `json:"url"`
					Headers map[string]string `json:"headers"`
				} `json:"upload"`
			}
			if err := r.JSON(&up); err != nil || up.Upload.URL == "" {
				t.Fatalf("upload answer: %s", r.Body)
			}
			u := up.Upload.URL
			if strings.HasPrefix(u, "/") {
				u = env.URL + u
			}
			req, _ := http.NewRequestWithContext(ctx, up.Upload.Method, u, bytes.NewReader(tc.body))
			for k, v := range up.Upload.Headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("PUT to the signed URL: %d", resp.StatusCode)
			}
			mpath := fmt.Sprintf("/api/media/%d", up.Media.ID)
			if r := do(env.URL, "POST", mpath+"/complete", nil, nil); r.Status != 202 {
				t.Fatalf("complete: %d %s", r.Status, r.Body)
			}
			var item struct {
				Status     string  `json:"status"`
				URL        *string `json:"url"`
				ReasonCode string  `json:"reason_code"`
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				// the worker, not an instance, runs the pipeline
				if r := do(env.URL, "GET", mpath, nil, nil); r.Status != 200 || r.JSON(&item) != nil {
					t.Fatalf("media item: %d %s", r.Status, r.Body)
				}
				if item.Status != "scanning" && item.Status != "pending" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s still %s after 30s: is the worker running?", tc.name, item.Status)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if item.Status != tc.status {
				t.Fatalf("%s: %+v, want %s", tc.name, item, tc.status)
			}
			if tc.status != "ready" {
				if item.ReasonCode != "infected" {
					t.Fatalf("%s: reason %q, want infected (is clamd scanning?)", tc.name, item.ReasonCode)
				}
				continue
			}
			if item.URL == nil {
				t.Fatalf("a ready item without a URL")
			}
			dl := *item.URL
			if strings.HasPrefix(dl, "/") {
				dl = env.URL + dl
			}
			resp, err = http.Get(dl)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 || len(got) == 0 {
				t.Fatalf("download: %d (%d bytes)", resp.StatusCode, len(got))
			}
			if _, err := png.Decode(bytes.NewReader(got)); err != nil {
				t.Fatalf("the served file is no PNG: %v", err)
			}
		}
	})

	t.Run("logout ends the session on every instance", func(t *testing.T) {
		c, err := topology.Login(ctx, env.URL, env.AdminEmail, env.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := c.Do(ctx, env.InstanceURLs[0], "POST", "/api/auth/logout", nil, nil); err != nil || r.Status/100 != 2 {
			t.Fatalf("logout: %v %d %s", err, r.Status, r.Body)
		}
		for _, u := range env.InstanceURLs {
			if r, err := c.Do(ctx, u, "GET", "/api/auth/me", nil, nil); err != nil || r.Status != 401 {
				t.Fatalf("%s accepted an ended session: %v %d", u, err, r.Status)
			}
		}
	})
}

package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// A preview link's images: the person a link is sent to is anonymous, and
// the draft's images are used by no live content, so the public media
// route refuses them. The preview answer points them at
// /api/public/v1/preview/{token}/media/{id}, which serves exactly the
// items that working copy uses, while the link is valid, and nothing else.

// previewMediaURL is where a preview under token points for media item id.
func previewMediaURL(token string, id int64) string {
	return "/api/public/v1/preview/" + token + "/media/" + strconv.FormatInt(id, 10)
}

// stopAtRedirects is c's client that answers a redirect instead of following it.
func stopAtRedirects(c *testkit.Client) *testkit.Client {
	h := *c.HTTP
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc := *c
	cc.HTTP = &h
	return &cc
}

// previewDetail is what a test reads of a preview answer.
type previewDetail struct {
	Title    string
	BodyHTML string `json:"body_html"`
	Preview  bool
	Cover    *struct{ URL string }
	SEO      struct {
		OGImage *struct{ URL string } `json:"og_image"`
	}
	Gallery []struct{ URL string }
}

func TestPublicPreviewMedia(t *testing.T) {
	for _, m := range testkit.Modes {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			in := startPublic(t, m, nil)
			in.CreateSuperuser(t, "admin@example.com")
			admin := in.LoggedIn(t, "admin@example.com")
			owner := in.CreateUser(t, "author@example.com", content.PermView)
			anon := stopAtRedirects(in.Client(t))
			key, err := config.ParseSecretKey(testkit.SecretKey)
			if err != nil {
				t.Fatal(err)
			}
			signer := content.NewPreviewSigner(key)

			img := map[string]int64{}
			for _, name := range []string{"pcover", "pog", "pinline", "plinked", "ptyped", "pother", "pgallery", "pjcover", "pjinline"} {
				img[name] = readyImage(t, in, owner, name)
			}
			// a live post using "pother": the public route serves it to anyone
			addPost(t, in, owner, seedPost{lang: "fa", slug: "live-with-other", title: "live", status: content.Published, live: true,
				body: fmt.Sprintf(`<p><img src="%s" alt="x"></p>`, content.PublicMediaPath(img["pother"]))})
			if r := anon.Do("GET", content.PublicMediaPath(img["pother"]), nil); r.Status != 302 {
				t.Fatalf("the live item: %d %s", r.Status, r.Body)
			}

			// the draft: a cover, an Open Graph image, an inline image and a
			// link by media:N, and one typed as the public route's URL
			body := fmt.Sprintf("![inline](media:%d)\n\n[the file](media:%d)\n\n![typed](/api/public/v1/media/%d)",
				img["pinline"], img["plinked"], img["ptyped"])
			r := admin.Do("POST", "/api/posts", map[string]any{"title": "DRAFT-SECRET preview", "lang": "fa", "body_md": body,
				"cover_media_id": img["pcover"], "seo": map[string]any{"og_image_media_id": img["pog"]}})
			if r.Status != 201 {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			var post struct{ ID int64 }
			r.JSON(t, &post)
			link := func(ttl int) string {
				t.Helper()
				var l struct{ URL string }
				r := admin.Do("POST", fmt.Sprintf("/api/posts/%d/preview-link", post.ID), map[string]any{"ttl_seconds": ttl})
				if r.Status != 200 && r.Status != 201 {
					t.Fatalf("preview link: %d %s", r.Status, r.Body)
				}
				r.JSON(t, &l)
				_, tok, ok := strings.Cut(l.URL, "/api/public/v1/preview/")
				if !ok {
					t.Fatalf("preview link %q", l.URL)
				}
				return tok
			}
			tok := link(3600)
			preview := func(token string) previewDetail {
				t.Helper()
				var d previewDetail
				pget(t, anon, "/api/public/v1/preview/"+token, 200).JSON(t, &d)
				return d
			}
			// wantMedia asserts that path redirects anyone to the file of media item name.
			wantMedia := func(path, name string) {
				t.Helper()
				r := anon.Do("GET", path, nil)
				if r.Status != 302 || r.Header.Get("Cache-Control") != "private, no-store" {
					t.Fatalf("GET %s: %d %v %s", path, r.Status, r.Header, r.Body)
				}
				if k := signedKey(t, r.Header.Get("Location")); k != "media/"+name+"/"+name+".jpg" {
					t.Fatalf("GET %s: redirected to %q, want %s's file", path, k, name)
				}
			}
			want404 := func(path string) {
				t.Helper()
				r := anon.Do("GET", path, nil)
				if r.Status != 404 || r.Code() != "NOT_FOUND" || r.Header.Get("Location") != "" {
					t.Fatalf("GET %s: want 404 NOT_FOUND, got %d %v %s", path, r.Status, r.Header, r.Body)
				}
			}

			t.Run("the link's images load for whoever holds it", func(t *testing.T) {
				d := preview(tok)
				if !d.Preview || d.Cover == nil || d.SEO.OGImage == nil {
					t.Fatalf("preview %+v", d)
				}
				if d.Cover.URL != previewMediaURL(tok, img["pcover"]) || d.SEO.OGImage.URL != previewMediaURL(tok, img["pog"]) {
					t.Fatalf("cover %q, og image %q", d.Cover.URL, d.SEO.OGImage.URL)
				}
				for _, name := range []string{"pinline", "plinked"} {
					if !strings.Contains(d.BodyHTML, `"`+previewMediaURL(tok, img[name])+`"`) {
						t.Fatalf("the body does not show %s through the link: %s", name, d.BodyHTML)
					}
					if strings.Contains(d.BodyHTML, `"`+content.PublicMediaPath(img[name])+`"`) {
						t.Fatalf("the body points %s at the public route: %s", name, d.BodyHTML)
					}
				}
				for _, name := range []string{"pcover", "pog", "pinline", "plinked"} {
					wantMedia(previewMediaURL(tok, img[name]), name)
				}
				r := anon.Do("GET", previewMediaURL(tok, img["pcover"])+"?w=100", nil)
				if k := signedKey(t, r.Header.Get("Location")); r.Status != 302 || k != "media/pcover/thumb-256.jpg" {
					t.Fatalf("w=100: %d %q", r.Status, k)
				}
				if r := anon.Do("HEAD", previewMediaURL(tok, img["pinline"]), nil); r.Status != 302 {
					t.Fatalf("HEAD: %d", r.Status)
				}
			})

			t.Run("nothing more: other items, other routes", func(t *testing.T) {
				// typed as a public URL (not a media: reference), live elsewhere,
				// used by nothing, or no item at all
				for _, id := range []int64{img["ptyped"], img["pother"], img["pgallery"], 999999} {
					want404(previewMediaURL(tok, id))
				}
				for _, p := range []string{"/media/0", "/media/x", "/media/-1", "/media/" + strconv.FormatInt(img["pcover"], 10) + "x"} {
					want404("/api/public/v1/preview/" + tok + p)
				}
				if r := anon.Do("GET", previewMediaURL(tok, img["pcover"])+"?w=0", nil); r.Status != 422 {
					t.Fatalf("w=0: %d %s", r.Status, r.Body)
				}
				// having been served through the link widens nothing: the public
				// route still refuses the draft's items to anyone without a session
				for _, name := range []string{"pcover", "pog", "pinline", "plinked"} {
					want404(content.PublicMediaPath(img[name]))
					want404(content.PublicMediaPath(img[name]) + "?w=100")
				}
				// nor does a link for something else (a project of the same id)
				want404(previewMediaURL(signer.Sign('j', post.ID, time.Now().Add(time.Hour)), img["pcover"]))
				want404(previewMediaURL(signer.Sign('x', post.ID, time.Now().Add(time.Hour)), img["pcover"]))
			})

			t.Run("tampered, foreign and expired tokens", func(t *testing.T) {
				for i := 0; i < len(tok); i++ {
					b := []byte(tok)
					if b[i] == 'A' {
						b[i] = 'B'
					} else {
						b[i] = 'A'
					}
					if r := anon.Do("GET", previewMediaURL(string(b), img["pcover"]), nil); r.Status != 404 {
						t.Fatalf("tampered token (byte %d) answered %d %v", i, r.Status, r.Header)
					}
				}
				other := content.NewPreviewSigner([]byte("another secret key of 32 bytes!!")).Sign('p', post.ID, time.Now().Add(time.Hour))
				want404(previewMediaURL(other, img["pcover"]))
				want404(previewMediaURL(signer.Sign('p', post.ID, time.Now().Add(-time.Second)), img["pcover"]))
				want404(previewMediaURL("not-a-token", img["pcover"]))
			})

			t.Run("two links never share a token, and each expires alone", func(t *testing.T) {
				short := link(60)
				for _, c := range []struct{ mine, theirs string }{{tok, short}, {short, tok}} {
					b := string(pget(t, anon, "/api/public/v1/preview/"+c.mine, 200).Body)
					if !strings.Contains(b, c.mine) || strings.Contains(b, c.theirs) {
						t.Fatalf("a preview holds another link's token: %s", b)
					}
				}
				wantMedia(previewMediaURL(short, img["pinline"]), "pinline")
				in.Srv.Public.SetClock(func() time.Time { return time.Now().Add(2 * time.Minute) })
				defer in.Srv.Public.SetClock(time.Now)
				want404("/api/public/v1/preview/" + short)
				want404(previewMediaURL(short, img["pinline"]))
				want404(previewMediaURL(short, img["pcover"]))
				if d := preview(tok); d.Cover == nil || d.Cover.URL != previewMediaURL(tok, img["pcover"]) {
					t.Fatalf("the longer link: %+v", d)
				}
				wantMedia(previewMediaURL(tok, img["pinline"]), "pinline")
				// and once the longer one has expired too, nothing of it answers
				in.Srv.Public.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
				want404("/api/public/v1/preview/" + tok)
				for _, name := range []string{"pcover", "pog", "pinline", "plinked"} {
					want404(previewMediaURL(tok, img[name]))
				}
			})

			t.Run("an item that is no longer a ready image", func(t *testing.T) {
				wantMedia(previewMediaURL(tok, img["plinked"]), "plinked")
				sqlExec(t, in, `UPDATE media SET status = 'rejected' WHERE id = ?`, img["plinked"])
				want404(previewMediaURL(tok, img["plinked"]))
				sqlExec(t, in, `UPDATE media SET status = 'ready' WHERE id = ?`, img["plinked"])
			})

			t.Run("an edit that drops an image drops it from the link", func(t *testing.T) {
				wantMedia(previewMediaURL(tok, img["pinline"]), "pinline") // cached
				if r := admin.Do("PATCH", fmt.Sprintf("/api/posts/%d", post.ID), map[string]any{
					"body_md": fmt.Sprintf("[the file](media:%d)", img["plinked"])}); r.Status != 200 {
					t.Fatalf("edit: %d %s", r.Status, r.Body)
				}
				want404(previewMediaURL(tok, img["pinline"]))
				if d := preview(tok); strings.Contains(d.BodyHTML, "/media/"+strconv.FormatInt(img["pinline"], 10)) {
					t.Fatalf("the edited preview still shows the dropped image: %s", d.BodyHTML)
				}
				wantMedia(previewMediaURL(tok, img["plinked"]), "plinked")
			})

			t.Run("a project's gallery", func(t *testing.T) {
				r := admin.Do("POST", "/api/projects", map[string]any{"title": "DRAFT-SECRET project preview", "lang": "fa",
					"cover_media_id": img["pjcover"], "body_md": fmt.Sprintf("![x](media:%d)", img["pjinline"]),
					"gallery": []map[string]any{{"media_id": img["pgallery"], "caption_fa": "عکس", "caption_en": "photo"}}})
				if r.Status != 201 {
					t.Fatalf("create project: %d %s", r.Status, r.Body)
				}
				var p struct{ ID int64 }
				r.JSON(t, &p)
				jt := signer.Sign('j', p.ID, time.Now().Add(time.Hour))
				d := preview(jt)
				if d.Cover == nil || d.Cover.URL != previewMediaURL(jt, img["pjcover"]) || len(d.Gallery) != 1 ||
					d.Gallery[0].URL != previewMediaURL(jt, img["pgallery"]) ||
					!strings.Contains(d.BodyHTML, `"`+previewMediaURL(jt, img["pjinline"])+`"`) {
					t.Fatalf("project preview %+v", d)
				}
				for _, name := range []string{"pjcover", "pgallery", "pjinline"} {
					wantMedia(previewMediaURL(jt, img[name]), name)
					want404(content.PublicMediaPath(img[name]))
				}
				// the post's items are not the project's
				want404(previewMediaURL(jt, img["pcover"]))
				want404(previewMediaURL(tok, img["pgallery"]))
				if r := admin.Do("DELETE", fmt.Sprintf("/api/projects/%d", p.ID), nil); r.Status != 204 {
					t.Fatalf("delete project: %d %s", r.Status, r.Body)
				}
				want404("/api/public/v1/preview/" + jt)
				want404(previewMediaURL(jt, img["pgallery"]))
			})

			t.Run("after the post is deleted", func(t *testing.T) {
				wantMedia(previewMediaURL(tok, img["pcover"]), "pcover") // cached
				if r := admin.Do("DELETE", fmt.Sprintf("/api/posts/%d", post.ID), nil); r.Status != 204 {
					t.Fatalf("delete: %d %s", r.Status, r.Body)
				}
				want404("/api/public/v1/preview/" + tok)
				for _, name := range []string{"pcover", "pog", "plinked"} {
					want404(previewMediaURL(tok, img[name]))
				}
			})
		})
	}
}

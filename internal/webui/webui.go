// Package webui serves the web app: the Next.js static export, embedded in
// the binary. Known pages are served from their HTML files, unknown paths
// get the app's not-found page with status 404, and every HTML response
// carries a Content-Security-Policy whose script hashes are computed from
// that file's inline scripts at startup (no 'unsafe-inline', no
// 'unsafe-eval', nothing hand-maintained).
package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

// dist holds the export (copied there by `make web`); only .gitkeep when
// the web app was not built.
//
//go:embed all:dist
var dist embed.FS

// page is one HTML file with its policy.
type page struct {
	body []byte
	csp  string
}

// Handler serves the embedded app.
type Handler struct {
	files fs.FS
	pages map[string]page   // by file path, e.g. "orders/detail.html"
	gz    map[string][]byte // gzip of the compressible static files
	built bool
}

var inlineScript = regexp.MustCompile(`(?s)<script(?:\s[^>]*)?>(.*?)</script>`)
var srcAttr = regexp.MustCompile(`\ssrc=`)

// policy builds the CSP for an HTML document; media are the origins
// media files are served from and uploaded to (S3, a CDN), besides 'self';
// connect are the origins scripts may only send to (the error reporter).
func policy(html []byte, media []string, connect ...string) string {
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(html, -1) {
		open := m[0][:bytes.IndexByte(m[0], '>')]
		if srcAttr.Match(open) {
			continue
		}
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	extra := ""
	if len(media) > 0 {
		extra = " " + strings.Join(media, " ")
	}
	return "default-src 'self'; script-src 'self' " + strings.Join(hashes, " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:" + extra + "; media-src 'self' blob:" + extra +
		"; font-src 'self'; connect-src 'self'" + extra + strings.Join(append([]string{""}, connect...), " ") +
		"; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// Options are what the served pages depend on besides the export.
type Options struct {
	// MediaOrigins (scheme://host[:port]) may serve and receive media
	// files: pages may load images and media from them and send uploads
	// to them.
	MediaOrigins []string
	// SentryDSN, when set, is handed to the web app in
	// <meta name="pishkhan-sentry-dsn"> (it then loads its error reporter)
	// and its origin is allowed in connect-src, and only there.
	SentryDSN string
}

// SentryMeta is the name of the meta element carrying the Sentry DSN.
const SentryMeta = "pishkhan-sentry-dsn"

// sentryMeta is the DSN's origin and the meta element handing the DSN to
// the web app, without the secret key a legacy DSN carries (the page is
// public; reports need only the public key); "" and nil without a DSN.
func sentryMeta(dsn string) (origin string, meta []byte) {
	u, err := url.Parse(dsn)
	if dsn == "" || err != nil || u.Host == "" {
		return "", nil
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.Scheme + "://" + u.Host, []byte(`<meta name="` + SentryMeta + `" content="` + html.EscapeString(u.String()) + `">`)
}

// New indexes the embedded export.
func New(o Options) *Handler {
	var connect []string
	origin, meta := sentryMeta(o.SentryDSN)
	if origin != "" {
		connect = append(connect, origin)
	}
	mediaOrigins := o.MediaOrigins
	sub, _ := fs.Sub(dist, "dist")
	h := &Handler{files: sub, pages: map[string]page{}, gz: map[string][]byte{}}
	// the tree is embedded: walking and reading it cannot fail
	_ = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		switch path.Ext(p) {
		case ".html":
			if meta != nil {
				b = withMeta(b, meta)
			}
			h.pages[p] = page{body: b, csp: policy(b, mediaOrigins, connect...)}
		case ".js", ".css", ".txt", ".json", ".svg":
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			h.gz[p] = buf.Bytes()
		}
		return nil
	})
	_, h.built = h.pages["index.html"]
	return h
}

// withMeta puts meta first in the document's head.
func withMeta(doc, meta []byte) []byte {
	i := bytes.Index(doc, []byte("<head>"))
	if i < 0 {
		return doc
	}
	i += len("<head>")
	return slices.Concat(doc[:i:i], meta, doc[i:])
}

// Built reports whether the web app is embedded.
func (h *Handler) Built() bool { return h.built }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !h.built {
		h.servePlaceholder(w)
		return
	}
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if p == "" {
		h.servePage(w, "index.html", http.StatusOK)
		return
	}
	for _, candidate := range []string{p + ".html", p + "/index.html", p} {
		if _, ok := h.pages[candidate]; ok {
			h.servePage(w, candidate, http.StatusOK)
			return
		}
	}
	if b, err := fs.ReadFile(h.files, p); err == nil && !strings.HasSuffix(p, "/") {
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = http.DetectContentType(b)
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Add("Vary", "Accept-Encoding")
		if gz, ok := h.gz[p]; ok && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			b = gz
		}
		if strings.HasPrefix(p, "_next/static/") {
			// content-hashed file names: safe to keep forever
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		_, _ = w.Write(b)
		return
	}
	h.servePage(w, "404.html", http.StatusNotFound)
}

// servePage writes an HTML file itself (http.FileServer would redirect
// paths ending in /index.html).
func (h *Handler) servePage(w http.ResponseWriter, name string, status int) {
	pg, ok := h.pages[name]
	if !ok {
		http.NotFound(w, nil)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", pg.csp)
	hd.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(pg.body)
}

const placeholderHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pishkhan</title></head>
<body><h1>Pishkhan · پیشخوان</h1><p>The API is running at <code>/api</code>
(<a href="/api/openapi.json">OpenAPI</a>). The web app is not built into this binary: run
<code>make run</code> or <code>make web build</code>.</p></body></html>
`

func (h *Handler) servePlaceholder(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("Cache-Control", "no-cache")
	_, _ = w.Write([]byte(placeholderHTML))
}

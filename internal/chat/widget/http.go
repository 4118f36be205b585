// Package widget serves /widget.js, the chat widget a website embeds with
// one tag (API.md section 9): a framework-free script that talks to the
// public chat API of the origin it was loaded from.
package widget

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"net/http"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

//go:embed widget.js
var script []byte

var (
	scriptTag = etag.Of(script)
	// gzipped is script compressed once, for clients that accept gzip.
	gzipped = func() []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(script)
		_ = zw.Close()
		return b.Bytes()
	}()
)

// CacheControl lets browsers and CDNs keep the script for five minutes, so
// an upgrade reaches websites soon; the ETag makes the revalidation cheap.
const CacheControl = "public, max-age=300"

// Handler answers GET and HEAD /widget.js: the script (gzipped when the
// client accepts it), with a strong ETag (304 to a matching If-None-Match)
// and headers that let any website load it (Cross-Origin-Resource-Policy
// cross-origin).
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", CacheControl)
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Vary", "Accept-Encoding")
		h.Set("ETag", scriptTag)
		if httpapi.MatchesETag(r.Header.Get("If-None-Match"), scriptTag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := script
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			body = gzipped
		}
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

// acceptsGzip reports whether an Accept-Encoding names gzip with a
// non-zero quality (RFC 9110 12.5.3): "gzip;q=0" refuses it.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

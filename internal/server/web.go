package server

import (
	"net/http"
)

// placeholderHTML is served until the web app is embedded (the web app
// issue replaces this with the Next.js export).
const placeholderHTML = `<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>پیشخوان</title></head>
<body><h1>پیشخوان</h1><p>Pishkhan's API is running at <code>/api</code>; the OpenAPI document is at
<a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
`

func webHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(placeholderHTML))
	})
}

package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/etag"
)

// JSON encodes v and answers it; GET responses get an ETag and honour
// If-None-Match (see WriteBody).
func JSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteBody(w, r, status, body, "")
}

// WriteBody answers an encoded JSON body. For a 200 GET it sets
// Cache-Control (private, no-cache unless the handler chose no-store) and a
// strong ETag (tag, or one computed from body), and answers 304 without a
// body when If-None-Match matches.
func WriteBody(w http.ResponseWriter, r *http.Request, status int, body []byte, tag string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if r.Method == http.MethodGet && status == http.StatusOK {
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "private, no-cache")
		}
		if tag == "" {
			tag = etag.Of(body)
		}
		h.Set("ETag", tag)
		if MatchesETag(r.Header.Get("If-None-Match"), tag) {
			h.Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	if status != http.StatusNoContent {
		// a known length spares the chunked framing and its extra writes
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if status != http.StatusNoContent {
		_, _ = w.Write(body)
	}
}

// WriteCached answers a 200 JSON body read through the server cache, with
// its Cache-Status header (RFC 9211).
func WriteCached(w http.ResponseWriter, r *http.Request, body []byte, cacheStatus string) {
	w.Header().Set("Cache-Status", cacheStatus)
	WriteBody(w, r, http.StatusOK, body, "")
}

// ParseID reads a positive id below 2^53 from a path segment.
func ParseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n >= 1<<53 {
		return 0, false
	}
	return n, true
}

// NoContent answers 204.
func NoContent(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// MatchesETag reports whether an If-None-Match header value names tag
// (a list, "*", or weak forms: weak comparison).
func MatchesETag(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || part == tag || strings.TrimPrefix(part, "W/") == tag {
			return true
		}
	}
	return false
}

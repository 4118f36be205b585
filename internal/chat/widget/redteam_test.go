package widget

import (
	"bytes"
	"testing"
)

// TestRedTeamWidgetRefusedGzip: "gzip;q=0" says gzip is NOT acceptable
// (RFC 9110 §12.5.3), yet the handler gzips for any Accept-Encoding that
// contains the word. A client (or a proxy normalising the header) that
// refuses gzip gets bytes it cannot read, and a shared cache keyed on the
// header (Vary: Accept-Encoding) keeps that answer for it. Low severity.
func TestRedTeamWidgetRefusedGzip(t *testing.T) {
	for _, ae := range []string{"gzip;q=0", "identity, gzip;q=0", "x-gzip-not"} {
		w := get(t, "GET", "Accept-Encoding", ae)
		if w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), script) {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want the plain script", ae, w.Header().Get("Content-Encoding"))
		}
	}
}

package webui

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// The policy allows exactly the document's own inline scripts, by hash,
// and never 'unsafe-inline' or 'unsafe-eval' for scripts.
func TestPolicyHashesInlineScripts(t *testing.T) {
	html := `<html><head><script>self.a=1</script><script src="/_next/x.js"></script>
<script async="">self.__next_f.push([1,"x"])</script></head><body><script>
multi
line</script></body></html>`
	csp := policy([]byte(html))
	for _, inline := range []string{`self.a=1`, `self.__next_f.push([1,"x"])`, "\nmulti\nline"} {
		sum := sha256.Sum256([]byte(inline))
		if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
			t.Errorf("no hash for inline script %q in %s", inline, csp)
		}
	}
	if n := strings.Count(csp, "'sha256-"); n != 3 {
		t.Errorf("want 3 hashes (external scripts need none), got %d", n)
	}
	script := csp[strings.Index(csp, "script-src"):]
	script = script[:strings.Index(script, ";")]
	if strings.Contains(script, "unsafe") {
		t.Errorf("script-src allows unsafe sources: %s", script)
	}
	for _, d := range []string{"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("policy lacks %s", d)
		}
	}
}

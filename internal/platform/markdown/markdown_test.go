package markdown

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestMediaReferencesResolveOrDrop(t *testing.T) {
	src := "![cover](media:7) and [file](media:9) and ![again](media:7) ![bad](media:x)"
	if got := MediaRefs(src); !slices.Equal(got, []int64{7, 9}) {
		t.Fatalf("MediaRefs = %v, want [7 9]", got)
	}
	html := RenderWith(src, func(id int64) string { return "/m/" + strconv.FormatInt(id, 10) })
	if !strings.Contains(html, `src="/m/7"`) || !strings.Contains(html, `href="/m/9"`) {
		t.Fatalf("resolved HTML = %s", html)
	}
	if strings.Contains(Render(src), "media:") {
		t.Fatalf("Render kept a media: URL: %s", Render(src))
	}
}

func TestRenderDropsScriptAndRawHTML(t *testing.T) {
	html := Render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		if strings.Contains(html, bad) {
			t.Errorf("%q survived: %s", bad, html)
		}
	}
}

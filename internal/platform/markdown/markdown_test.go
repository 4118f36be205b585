package markdown

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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

func TestRenderKeepsMarkdownAndMarksItSafely(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      []string // substrings of the output, in order
		not       []string
	}{
		{"persian heading ids, deduplicated", "# سلام دنیا\n\n## سلام دنیا\n\n### سلام دنیا",
			[]string{`<h1 id="سلام-دنیا">`, `<h2 id="سلام-دنیا-1">`, `<h3 id="سلام-دنیا-2">`}, nil},
		{"heading id from text, not markup", "## Hello *World* [link](https://x.example/path)",
			[]string{`<h2 id="hello-world-link">`}, []string{"x-example"}},
		{"heading ids normalised like slugs", "# كتاب\u200cها ۱۴۰۵",
			[]string{`<h1 id="کتاب-ها-1405">`}, nil},
		{"a natural -1 does not collide", "# a\n# a-1\n# a",
			[]string{`id="a"`, `id="a-1"`, `id="a-2"`}, nil},
		{"empty heading", "#\n\n# ?!", []string{`<h1 id="heading">`, `<h1 id="heading-1">`}, nil},
		{"code stays code, language kept, escaped", "```go\nif a < b && c > d { x := \"<script>\" }\n```",
			[]string{`<pre><code class="language-go">if a &lt; b &amp;&amp; c &gt; d { x := &#34;&lt;script&gt;&#34; }`}, []string{"<script>"}},
		{"code language that is not a class name is dropped", "```\"><img\nx\n```",
			[]string{"<pre><code>x"}, []string{"<img", "class"}},
		{"inline code escaped", "use `<b>` here", []string{"<code>&lt;b&gt;</code>"}, nil},
		{"table with alignment as attribute", "| a | b |\n|:-:|--:|\n| c | d |",
			[]string{"<table>", `<th align="center">a</th>`, `<td align="right">d</td>`}, []string{"style"}},
		{"strikethrough", "~~old~~ new", []string{"<del>old</del>"}, nil},
		{"task list", "- [x] done\n- [ ] todo",
			[]string{`<input checked="" disabled="" type="checkbox"> done`, `<input disabled="" type="checkbox"> todo`}, nil},
		{"external links get rel", "[a](https://x.example) [b](http://x.example) [c](//x.example) <https://y.example> www.z.example",
			[]string{`<a href="https://x.example" rel="noopener noreferrer">a</a>`, `<a href="http://x.example" rel="noopener noreferrer">b</a>`,
				`<a href="//x.example" rel="noopener noreferrer">c</a>`, `<a href="https://y.example" rel="noopener noreferrer">`,
				`<a href="http://www.z.example" rel="noopener noreferrer">`}, nil},
		{"relative, fragment and mail links have no rel", "[a](/posts/x) [b](#part) [c](mailto:a@b.example) <a@b.example>",
			[]string{`<a href="/posts/x">a</a>`, `<a href="#part">b</a>`, `<a href="mailto:a@b.example">c</a>`, `<a href="mailto:a@b.example">a@b.example</a>`}, []string{"rel="}},
		{"bad link schemes keep their text", "[one](javascript:alert(1)) [two](JaVaScRiPt:x) [three](vbscript:x) [four](data:text/html,x) <javascript:alert(1)> [five](ftp://x.example)",
			[]string{"one", "two", "three", "four", "javascript:alert(1)", "five"}, []string{"<a", "href"}},
		{"obfuscated schemes", "[a](&#106;avascript:x) [b](<java\tscript:x>) [c](\x01javascript:x) [d](java&#10;script:x)",
			[]string{"a", "b", "c", "d"}, []string{"href"}},
		{"reference links checked too", "[x][1] [y][2]\n\n[1]: javascript:alert(1)\n[2]: /ok",
			[]string{"x", `<a href="/ok">y</a>`}, []string{"javascript"}},
		{"images: http, https, relative only", "![a](https://x.example/a.png) ![b](/m/1) ![c](data:image/png;base64,AA) ![d](mailto:a@b.example) ![e](javascript:x)",
			[]string{`<img src="https://x.example/a.png" alt="a">`, `<img src="/m/1" alt="b">`, "c", "d", "e"}, []string{"data:", "mailto", "javascript"}},
		{"raw html is text at most", "<div onclick=\"x\">hi</div>\n\ntext <script>alert(1)</script> <b style=\"x\">bold</b>",
			[]string{"text", "bold"}, []string{"<div", "<script", "<b", "onclick", "style", "<!--"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := Render(c.src)
			if err := checkSafe(out); err != nil {
				t.Errorf("unsafe: %v", err)
			}
			rest := out
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("want %q (in order) in\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("%q survived in\n%s", n, out)
				}
			}
		})
	}
}

func TestUnresolvedMediaKeepsText(t *testing.T) {
	out := Render("![نمودار فروش](media:4) [دانلود](media:5)")
	if strings.Contains(out, "<img") || strings.Contains(out, "<a") || !strings.Contains(out, "نمودار فروش") || !strings.Contains(out, "دانلود") {
		t.Fatalf("Render = %s", out)
	}
	out = RenderWith("![x](media:4)", func(int64) string { return "javascript:alert(1)" })
	if strings.Contains(out, "javascript") || strings.Contains(out, "<img") {
		t.Fatalf("a resolver's bad URL passed: %s", out)
	}
}

func TestOverlongSourceIsNotRendered(t *testing.T) {
	src := strings.Repeat("a", MaxSource+1)
	if Render(src) != "" || PlainText(src) != "" || MediaRefs(src+"![x](media:1)") != nil {
		t.Fatal("source over MaxSource was rendered")
	}
	if Render(strings.Repeat("a", MaxSource)) == "" {
		t.Fatal("source of exactly MaxSource was refused")
	}
}

func TestPlainTextSeparatesBlocksAndDecodesEntities(t *testing.T) {
	got := PlainText("# عنوان\n\nمتن **پررنگ** & [پیوند](https://x.example) \"نقل\" un*believ*able\n\n" +
		"| a | b |\n|---|---|\n| c | d |\n\n- one\n- two\n\n![نمودار](/m/1) `code` <script>x</script>")
	if want := `عنوان متن پررنگ & پیوند "نقل" unbelievable a b c d one two نمودار code x`; got != want {
		t.Fatalf("PlainText = %q, want %q", got, want)
	}
}

// Inputs that cost goldmark minutes at MaxSource before the guards (nested
// quotes, unclosed inline links, thousands of reference definitions, many
// equal headings) render in bounded time, and what the guard keeps is
// still ordinary markdown.
func TestPathologicalInputsRenderInBoundedTime(t *testing.T) {
	if testing.Short() {
		t.Skip("renders several 512 KiB inputs")
	}
	n := MaxSource
	for name, src := range map[string]string{
		"nested quotes":      strings.Repeat(">", n),
		"quotes and lists":   strings.Repeat("> - ", n/4),
		"unclosed links":     strings.Repeat("[a](", n/4),
		"unclosed <links":    strings.Repeat("[a](<", n/5),
		"unclosed titles":    strings.Repeat("[a](b\n\"", n/7),
		"reference defs":     strings.Repeat("[a]: b\n", n/7),
		"equal headings":     strings.Repeat("# a\n", n/4),
		"emphasis and links": strings.Repeat("*[", n/2),
	} {
		start := time.Now()
		out := Render(src[:min(len(src), n)])
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("%s: %v", name, d)
		}
		if err := checkSafe(out); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got := Render(strings.Repeat(">", 40) + " deep"); strings.Count(got, "<blockquote>") != MaxNesting {
		t.Errorf("nesting: %d blockquotes, want %d", strings.Count(got, "<blockquote>"), MaxNesting)
	}
	long := "https://x.example/" + strings.Repeat("a", MaxLinkPart)
	if got := Render("[long](" + long + ") [ok](https://x.example/b)"); strings.Contains(got, `href="`+long) || !strings.Contains(got, `<a href="https://x.example/b"`) {
		t.Errorf("link guard: %s", got)
	}
	defs := strings.Repeat("[r]: /first\n", 200) + "\n[x][r]"
	if got := Render(defs); !strings.Contains(got, `<a href="/first">x</a>`) || strings.Contains(got, "[r]:") {
		t.Errorf("chunked reference definitions: %s", got)
	}
}

package markdown

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// allowed is every element Render may produce and the attributes each may
// carry; checkSafe refuses anything else.
var allowed = map[string][]string{
	"p": nil, "br": nil, "hr": nil, "blockquote": nil, "ul": nil, "li": nil, "pre": nil,
	"em": nil, "strong": nil, "del": nil, "table": nil, "thead": nil, "tbody": nil, "tr": nil,
	"h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
	"ol": {"start"}, "code": {"class"}, "th": {"align"}, "td": {"align"},
	"a":     {"href", "title", "rel"},
	"img":   {"src", "alt", "title"},
	"input": {"type", "checked", "disabled"},
}

// checkSafe parses out as a browser would (an HTML fragment in <body>) and
// walks it: only allowed elements and attributes, no on* or style
// attribute, href only http/https/mailto/relative, src only
// http/https/relative, every link leaving the site with rel="noopener
// noreferrer", every input a disabled checkbox, no comments.
func checkSafe(out string) error {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(out), body)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	var walk func(n *html.Node) error
	walk = func(n *html.Node) error {
		switch n.Type {
		case html.CommentNode:
			return fmt.Errorf("comment %q", n.Data)
		case html.ElementNode:
			if err := checkElement(n); err != nil {
				return err
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range nodes {
		if err := walk(n); err != nil {
			return err
		}
	}
	return nil
}

func checkElement(n *html.Node) error {
	attrs, ok := allowed[n.Data]
	if !ok || n.Namespace != "" {
		return fmt.Errorf("element <%s> (namespace %q)", n.Data, n.Namespace)
	}
	get := map[string]string{}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		switch {
		case a.Namespace != "":
			return fmt.Errorf("<%s> namespaced attribute %s:%s", n.Data, a.Namespace, a.Key)
		case strings.HasPrefix(key, "on"), key == "style", key == "srcset", key == "formaction":
			return fmt.Errorf("<%s> attribute %s=%q", n.Data, a.Key, a.Val)
		case !contains(attrs, key):
			return fmt.Errorf("<%s> attribute %s not allowed", n.Data, a.Key)
		}
		get[key] = a.Val
	}
	if href, ok := get["href"]; ok {
		switch s := browserScheme(href); s {
		case "", "http", "https", "mailto":
		default:
			return fmt.Errorf("<a href=%q>: scheme %q", href, s)
		}
		if leavesSite(href) && get["rel"] != "noopener noreferrer" {
			return fmt.Errorf("<a href=%q rel=%q>: external without noopener noreferrer", href, get["rel"])
		}
	}
	if src, ok := get["src"]; ok {
		switch s := browserScheme(src); s {
		case "", "http", "https":
		default:
			return fmt.Errorf("<img src=%q>: scheme %q", src, s)
		}
	}
	if n.Data == "input" {
		if _, disabled := get["disabled"]; get["type"] != "checkbox" || !disabled {
			return fmt.Errorf("input %v is not a disabled checkbox", n.Attr)
		}
	}
	return nil
}

// browserScheme is the scheme the WHATWG URL parser finds in an attribute
// value (entities already decoded by the HTML parser): leading and trailing
// C0 controls and spaces stripped, tabs and newlines removed anywhere, then
// an ASCII letter followed by letters, digits, "+", "-" or "." up to ":".
func browserScheme(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= 0x20 })
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	for i, r := range v {
		isAlpha := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if isAlpha || i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			continue
		}
		if r == ':' && i > 0 {
			return strings.ToLower(v[:i])
		}
		return ""
	}
	return ""
}

func leavesSite(href string) bool {
	s := browserScheme(href)
	v := strings.ReplaceAll(strings.TrimFunc(href, func(r rune) bool { return r <= 0x20 }), `\`, "/")
	return s == "http" || s == "https" || s == "" && strings.HasPrefix(v, "//")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type vector struct{ file, name, src string }

// loadVectors reads testdata/xss/*.txt: "# " lines before the first vector
// are comments; "=== name" starts a vector, whose body runs to the next
// "=== " line (its final newline dropped); " !esc" after the name reads
// the body as a Go string literal's contents.
func loadVectors(t testing.TB) []vector {
	files, err := filepath.Glob("testdata/xss/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	var vs []vector
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		var cur *vector
		var esc bool
		var body []string
		flush := func() {
			if cur == nil {
				return
			}
			cur.src = strings.Join(body, "\n")
			if esc {
				s, err := strconv.Unquote(`"` + strings.ReplaceAll(cur.src, `"`, `\"`) + `"`)
				if err != nil {
					s, err = strconv.Unquote(`"` + cur.src + `"`)
				}
				if err != nil {
					t.Fatalf("%s %q: %v", f, cur.name, err)
				}
				cur.src = s
			}
			vs = append(vs, *cur)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			if name, ok := strings.CutPrefix(line, "=== "); ok {
				flush()
				name, esc = strings.CutSuffix(name, " !esc")
				cur, body = &vector{file: filepath.Base(f), name: name}, nil
				continue
			}
			if cur != nil {
				body = append(body, line)
			}
		}
		flush()
		_ = fh.Close()
	}
	return vs
}

// contexts put a vector where markdown gives it a different meaning.
var contexts = []struct{ name, format string }{
	{"bare", "%s"},
	{"link", "[x](%s)"},
	{"angle link", "[x](<%s>)"},
	{"image", "![x](%s)"},
	{"autolink", "<%s>"},
	{"reference", "[x][r] ![y][r]\n\n[r]: %s"},
	{"heading", "# %s"},
	{"table", "| a | b |\n|:--|--:|\n| %s | x |"},
	{"task", "- [ ] %s\n- [x] done"},
	{"quote", "> %s"},
	{"emphasis", "***%s***"},
}

func TestXSSCorpusRendersInert(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 150 {
		t.Fatalf("only %d vectors loaded", len(vs))
	}
	hostile := func(id int64) string { return "javascript:alert(" + strconv.FormatInt(id, 10) + ")" }
	renders := 0
	for _, v := range vs {
		for _, c := range contexts {
			src := fmt.Sprintf(c.format, v.src)
			for _, out := range []string{Render(src), RenderWith(src, hostile)} {
				renders++
				if err := checkSafe(out); err != nil {
					t.Errorf("%s %q in %s: %v\nsource: %q\noutput: %s", v.file, v.name, c.name, err, src, out)
				}
			}
		}
	}
	t.Logf("%d vectors, %d renders, all inert", len(vs), renders)
}

// The checker must itself catch what it is for, or a pass means nothing.
func TestCheckSafeRefusesExecutableHTML(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<p onclick="x">a</p>`,
		`<p style="color:red">a</p>`,
		`<a href="javascript:alert(1)">a</a>`,
		`<a href=" &#x09;jav&#x0A;ascript:alert(1)">a</a>`,
		`<a href="JaVaScRiPt&colon;alert(1)">a</a>`,
		`<a href="https://evil.example/">no rel</a>`,
		`<a href="//evil.example/" rel="noopener noreferrer" target="_blank">a</a>`,
		`<img src="data:image/png;base64,AAAA">`,
		`<img src="x" srcset="javascript:alert(1)">`,
		`<img src="mailto:a@b.example">`,
		`<iframe src="https://ok.example"></iframe>`,
		`<svg><circle></circle></svg>`,
		`<base href="https://evil.example/">`,
		`<input type="checkbox">`,
		`<input type="text" disabled>`,
		`<!-- comment -->`,
	} {
		if checkSafe(bad) == nil {
			t.Errorf("checkSafe passed %s", bad)
		}
	}
	if err := checkSafe(`<h2 id="سلام">x</h2><a href="/p/1">a</a><a href="mailto:a@b.example">m</a>` +
		`<a href="https://x.example/" rel="noopener noreferrer">e</a><img src="/m/1" alt="a">` +
		`<input checked="" disabled="" type="checkbox">`); err != nil {
		t.Errorf("checkSafe refused safe HTML: %v", err)
	}
}

func FuzzRender(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.src)
	}
	f.Add("# سلام دنیا\n\n[پیوند](https://example.com) ![تصویر](media:3)\n\n| a |\n|---|\n| b |\n\n- [x] done")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > MaxSource {
			src = src[:MaxSource]
		}
		start := time.Now()
		out := RenderWith(src, func(id int64) string { return "/api/public/v1/media/" + strconv.FormatInt(id, 10) })
		if d := time.Since(start); d > fuzzTimeLimit(len(src)) {
			t.Errorf("Render of %d bytes took %v", len(src), d)
		}
		if err := checkSafe(out); err != nil {
			t.Errorf("%v\nsource: %q\noutput: %s", err, src, out)
		}
		_ = PlainText(src)
		_ = MediaRefs(src)
	})
}

// fuzzTimeLimit is generous (the machine is shared) but linear: a second
// plus a second per 64 KiB.
func fuzzTimeLimit(n int) time.Duration {
	return time.Second + time.Duration(n/(64<<10))*time.Second
}

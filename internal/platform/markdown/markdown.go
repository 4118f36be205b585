// Package markdown is the one markdown renderer: the editor preview, the
// public read API and the feeds all show what Render returns.
//
// Two layers keep the output inert whatever the input. goldmark parses with
// raw HTML off (an HTML block or inline tag renders as a comment, which the
// sanitiser then drops), and a pass over the syntax tree drops every link
// or image whose URL is not allowed, keeping its text. Then a bluemonday
// allow-list admits only the elements and attributes goldmark produces for
// markdown (paragraphs, headings with ids, lists, quotes, code, tables, task
// boxes, emphasis, links, images): no script, style, iframe, object, embed,
// form, svg, base or meta element, no on* or style attribute, and no URL but
// http, https, mailto (links only) and relative references.
//
// Render's time is bounded by the input's size: inputs over MaxSource render
// as "", block nesting stops at MaxNesting, and link destinations and titles
// longer than MaxLinkPart are text, which keeps goldmark's link scanning
// (otherwise quadratic in a line of unclosed "[a](") linear, and reference
// definitions are read in chunks (goldmark's reader is quadratic in their
// number in one paragraph).
package markdown

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// MaxSource is the largest markdown source Render accepts, in bytes; longer
// input is a validation error for the caller, never rendered: Render,
// RenderWith and PlainText return "" and MediaRefs nil for it.
const MaxSource = 512 << 10

// MaxNesting is the deepest a block quote or list opens inside other
// containers; a deeper ">" or list marker is text. It bounds the work a
// line of ">>>>…" costs (goldmark's is quadratic in the depth).
const MaxNesting = 32

// MaxLinkPart is the longest inline link destination or title, in bytes;
// a "](" whose destination or title does not end within it is text.
const MaxLinkPart = 2048

var engine = goldmark.New(
	goldmark.WithParser(parser.NewParser(
		parser.WithBlockParsers(
			util.Prioritized(parser.NewSetextHeadingParser(), 100),
			util.Prioritized(parser.NewThematicBreakParser(), 200),
			util.Prioritized(nestingCap{parser.NewListParser()}, 300),
			util.Prioritized(parser.NewListItemParser(), 400),
			util.Prioritized(parser.NewCodeBlockParser(), 500),
			util.Prioritized(parser.NewATXHeadingParser(), 600),
			util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
			util.Prioritized(nestingCap{parser.NewBlockquoteParser()}, 800),
			util.Prioritized(parser.NewHTMLBlockParser(), 900),
			util.Prioritized(parser.NewParagraphParser(), 1000),
		),
		parser.WithInlineParsers(append(parser.DefaultInlineParsers(),
			util.Prioritized(linkGuard{}, 199))...),
		parser.WithParagraphTransformers(util.Prioritized(refDefsInChunks{}, 100)),
	)),
	goldmark.WithExtensions(
		extension.Linkify, extension.Strikethrough, extension.TaskList,
		// Alignment as an align attribute: style attributes never pass.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	),
	// Raw HTML stays off (goldmark's default): it renders as a comment.
)

// Attribute values the policy admits, each anchored.
var (
	headingID   = regexp.MustCompile(`^[\p{L}\p{N}\p{M}_-]{1,200}$`)
	codeClass   = regexp.MustCompile(`^language-[\p{L}\p{N}_+#.-]{1,50}$`)
	externalRel = regexp.MustCompile(`^noopener noreferrer$`)
	cellAlign   = regexp.MustCompile(`^(left|center|right)$`)
	listStart   = regexp.MustCompile(`^[0-9]{1,9}$`)
	checkbox    = regexp.MustCompile(`^checkbox$`)
	empty       = regexp.MustCompile(`^$`)
)

// policy admits what goldmark renders for markdown and nothing else.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "blockquote", "ul", "li", "pre", "em", "strong", "del",
		"table", "thead", "tbody", "tr")
	p.AllowAttrs("id").Matching(headingID).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("start").Matching(listStart).OnElements("ol")
	p.AllowElements("ol")
	p.AllowAttrs("class").Matching(codeClass).OnElements("code")
	p.AllowElements("code")
	p.AllowAttrs("align").Matching(cellAlign).OnElements("th", "td")
	p.AllowElements("th", "td")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("rel").Matching(externalRel).OnElements("a")
	p.AllowAttrs("src", "alt", "title").OnElements("img")
	// Task-list boxes: goldmark writes them disabled; nothing else is an input.
	p.AllowAttrs("type").Matching(checkbox).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(empty).OnElements("input")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	// The tree pass already gives each link leaving the site rel="noopener
	// noreferrer"; this keeps noreferrer on one it might have missed.
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}()

// MediaScheme prefixes a reference to a media-library item in a link or
// image URL: ![alt](media:42). The media picker inserts these; RenderWith
// resolves them, and MediaRefs lists them for validation.
const MediaScheme = "media:"

// A MediaResolver returns the URL that shows media item id, or "" to drop
// the reference.
type MediaResolver func(id int64) string

// Render returns src as sanitised HTML; media: references are dropped.
func Render(src string) string { return RenderWith(src, nil) }

// RenderWith returns src as sanitised HTML, with media: references
// resolved by resolve (nil drops them). A dropped reference, like any link
// or image whose URL is not allowed, leaves its text (an image its alt
// text) without the link or image. Headings get ids from search.Slugify of
// their text ("heading" when that is empty), made unique in the document
// with -1, -2, …; links that leave the site (absolute http/https or
// protocol-relative) get rel="noopener noreferrer".
func RenderWith(src string, resolve MediaResolver) string {
	if len(src) > MaxSource {
		return ""
	}
	source := []byte(src)
	doc := engine.Parser().Parse(text.NewReader(source))
	prepare(doc, source, resolve)
	var buf bytes.Buffer
	if err := engine.Renderer().Render(&buf, source, doc); err != nil {
		return ""
	}
	return policy.Sanitize(buf.String())
}

// prepare rewrites the parsed tree before rendering: media references
// resolved, disallowed links and images unwrapped, rel on external links,
// heading ids.
func prepare(doc ast.Node, source []byte, resolve MediaResolver) {
	var unwrap []ast.Node
	var headings []*ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			headings = append(headings, n)
		case *ast.Image:
			n.Destination = resolveMedia(n.Destination, resolve)
			if _, ok := imageURL(string(n.Destination)); !ok {
				unwrap = append(unwrap, n)
			}
		case *ast.Link:
			n.Destination = resolveMedia(n.Destination, resolve)
			external, ok := linkURL(string(n.Destination))
			if !ok {
				unwrap = append(unwrap, n)
			} else if external {
				n.SetAttributeString("rel", []byte("noopener noreferrer"))
			}
		case *ast.AutoLink:
			url := string(n.URL(source))
			if n.AutoLinkType == ast.AutoLinkEmail {
				url = "mailto:" + url
			}
			external, ok := linkURL(url)
			if !ok {
				unwrap = append(unwrap, n)
			} else if external {
				n.SetAttributeString("rel", []byte("noopener noreferrer"))
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		parent := n.Parent()
		if a, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(a.Label(source)))
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
	used := map[string]bool{}
	next := map[string]int{} // per base, the suffix to try first
	for _, h := range headings {
		base := search.Slugify(inlineText(h, source))
		if base == "" {
			base = "heading"
		}
		id := base
		for used[id] {
			next[base]++
			id = base + "-" + strconv.Itoa(next[base])
		}
		used[id] = true
		h.SetAttributeString("id", []byte(id))
	}
}

// inlineText is the text a reader sees in n: link destinations and markup
// left out, line breaks as spaces.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(source))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(source))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// scheme returns the lower-cased scheme of raw as a browser reads it
// (leading and trailing C0 controls and spaces trimmed, tabs and newlines
// inside removed), "" for a relative reference, and the rest after it.
func scheme(raw string) (string, string) {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if alpha || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			continue
		}
		if i > 0 && c == ':' {
			return strings.ToLower(s[:i]), s[i+1:]
		}
		break
	}
	return "", s
}

// linkURL reports whether raw may be a link's href (http, https, mailto or
// relative, not empty) and whether it leaves the site.
func linkURL(raw string) (external, ok bool) {
	sch, rest := scheme(raw)
	switch sch {
	case "http", "https":
		return true, true
	case "mailto":
		return false, true
	case "":
		return strings.HasPrefix(strings.ReplaceAll(rest, `\`, "/"), "//"), rest != ""
	}
	return false, false
}

// imageURL reports whether raw may be an image's src: http, https or
// relative, not empty.
func imageURL(raw string) (external, ok bool) {
	if sch, _ := scheme(raw); sch == "mailto" {
		return false, false
	}
	return linkURL(raw)
}

// MediaRefs returns the ids of the media items src references, each once,
// in order of first use.
func MediaRefs(src string) []int64 {
	if len(src) > MaxSource {
		return nil
	}
	doc := engine.Parser().Parse(text.NewReader([]byte(src)))
	var ids []int64
	seen := map[int64]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		var dest []byte
		switch n := n.(type) {
		case *ast.Image:
			dest = n.Destination
		case *ast.Link:
			dest = n.Destination
		}
		if id, ok := mediaID(dest); entering && ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		return ast.WalkContinue, nil
	})
	return ids
}

func mediaID(dest []byte) (int64, bool) {
	rest, ok := strings.CutPrefix(string(dest), MediaScheme)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

func resolveMedia(dest []byte, resolve MediaResolver) []byte {
	if !strings.HasPrefix(string(dest), MediaScheme) {
		return dest
	}
	id, ok := mediaID(dest)
	if !ok || resolve == nil {
		return nil
	}
	return []byte(resolve(id))
}

// PlainText returns the text of src without markup, for search and
// excerpts: the text of what Render shows (entities decoded, image alt text
// and code included), with block boundaries and line breaks as spaces and
// runs of white space as one space. Inline markup joins what it touches:
// "un*believ*able" is "unbelievable".
func PlainText(src string) string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(Render(src)), body)
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			if n.DataAtom == atom.Img {
				for _, a := range n.Attr {
					if a.Key == "alt" {
						b.WriteString(a.Val)
					}
				}
			}
		}
		block := n.Type == html.ElementNode && !inlineElements[n.DataAtom]
		if block {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteByte(' ')
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

var inlineElements = map[atom.Atom]bool{
	atom.A: true, atom.Em: true, atom.Strong: true, atom.Del: true, atom.Code: true, atom.Img: true, atom.Input: true,
}

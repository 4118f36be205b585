// Package markdown is the one markdown renderer: the editor preview, the
// public read API and the feeds all show what Render returns. Raw HTML in
// the source is never passed through, and the output is sanitised again by
// an allow-list policy, so no script, event handler, javascript:/data: URL
// or style survives whatever the input.
package markdown

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// MaxSource is the largest markdown source Render accepts, in bytes; longer
// input is a validation error for the caller, never rendered.
const MaxSource = 512 << 10

var engine = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	// Raw HTML stays off (goldmark's default): it renders as a comment.
)

var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("id").Matching(bluemonday.SpaceSeparatedTokens).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoFollowOnLinks(false)
	p.AllowURLSchemes("http", "https", "mailto")
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
// resolved by resolve (nil drops them).
func RenderWith(src string, resolve MediaResolver) string {
	reader := text.NewReader([]byte(src))
	doc := engine.Parser().Parse(reader)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			n.Destination = resolveMedia(n.Destination, resolve)
		case *ast.Link:
			n.Destination = resolveMedia(n.Destination, resolve)
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	if err := engine.Renderer().Render(&buf, []byte(src), doc); err != nil {
		return ""
	}
	return policy.Sanitize(buf.String())
}

// MediaRefs returns the ids of the media items src references, each once,
// in order of first use.
func MediaRefs(src string) []int64 {
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
// excerpts: the rendered HTML with every tag removed and entities decoded.
func PlainText(src string) string {
	text := bluemonday.StrictPolicy().Sanitize(Render(src))
	return strings.Join(strings.Fields(unescape(text)), " ")
}

var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`)

func unescape(s string) string { return entities.Replace(s) }

package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// nestingCap refuses to open its container (a block quote or list) once
// MaxNesting containers are open around it; the line is then read by the
// next parser (as text).
type nestingCap struct{ parser.BlockParser }

func (c nestingCap) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for p := parent; p != nil; p = p.Parent() {
		if depth++; depth > MaxNesting {
			return nil, parser.NoChildren
		}
	}
	return c.BlockParser.Open(parent, reader, pc)
}

// linkGuard runs before goldmark's link parser on "]". When an inline link
// "](" follows whose destination or title would not end within MaxLinkPart
// bytes of the line, it takes the "]" as text, so the link parser never
// scans the rest of the line for it: a line of n unclosed "[a](" costs
// O(n·MaxLinkPart) instead of O(n²). A link whose parts end in time is left
// to the link parser.
type linkGuard struct{}

func (linkGuard) Trigger() []byte { return []byte{']'} }

func (linkGuard) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 2 || line[1] != '(' {
		return nil
	}
	rest := line[2:]
	spent, _ := pc.Get(guardSpentKey).(*int)
	if spent == nil {
		spent = new(int)
		pc.Set(guardSpentKey, spent)
	}
	if *spent > guardBudget && len(rest) > shortRest {
		return literal(block, seg)
	}
	*spent += min(len(rest), 3*MaxLinkPart)
	if inlineLinkEnds(rest) {
		return nil
	}
	return literal(block, seg)
}

// The guard's own scans stop at about 3·MaxLinkPart bytes each, but a line
// of "](](](…" would still cost O(n·MaxLinkPart). Once guardBudget bytes
// have been scanned in a document, a "](" with more than shortRest bytes
// left on its line is text without scanning.
const (
	guardBudget = 2 * MaxSource
	shortRest   = 256
)

var guardSpentKey = parser.NewContextKey()

func literal(block text.Reader, seg text.Segment) ast.Node {
	block.Advance(1)
	return ast.NewTextSegment(seg.WithStop(seg.Start + 1))
}

// inlineLinkEnds reports whether the rest of an inline link, s (after the
// "("), has a destination and title that each end within MaxLinkPart bytes
// of the line, as goldmark's parseLinkDestination and parseLinkTitle read
// them. A link whose title or ")" would come on the next line, or whose
// title continues there, counts as not ending.
func inlineLinkEnds(s []byte) bool {
	i := skipSpaces(s, 0)
	if i < len(s) && s[i] == '<' {
		end, ok := find(s, i+1, func(c byte) bool { return c == '>' })
		if !ok {
			return false
		}
		i = end + 1
	} else {
		opened := 0
		start := i
		for ; i < len(s); i++ {
			if i-start > MaxLinkPart {
				return false
			}
			c := s[i]
			if c == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
				i++
				continue
			}
			if c == '(' {
				opened++
			} else if c == ')' {
				if opened--; opened < 0 {
					return true
				}
			} else if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
				break
			}
		}
	}
	i = skipSpaces(s, i)
	if i >= len(s) || s[i] == '\n' || s[i] == '\r' {
		return false // the rest would be on the next line
	}
	if s[i] == ')' {
		return true
	}
	closer := s[i]
	switch closer {
	case '"', '\'':
	case '(':
		closer = ')'
	default:
		return true // not a link; goldmark gives up at once
	}
	_, ok := find(s, i+1, func(c byte) bool { return c == closer })
	return ok
}

// find returns the index of the first byte at or after from (and within
// MaxLinkPart of it) that is not backslash-escaped and matches.
func find(s []byte, from int, match func(byte) bool) (int, bool) {
	for i := from; i < len(s) && i-from <= MaxLinkPart; i++ {
		if s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
			i++
			continue
		}
		if match(s[i]) {
			return i, true
		}
	}
	return 0, false
}

func skipSpaces(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// refDefsInChunks reads link reference definitions ("[x]: /url") at the
// start of a paragraph as goldmark's LinkReferenceParagraphTransformer does,
// but refChunk lines at a time: that transformer removes each definition's
// lines by copying the rest, quadratic in a paragraph of thousands of them.
// A definition whose title runs across a chunk's last line is cut there.
type refDefsInChunks struct{}

const refChunk = 64

func (refDefsInChunks) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	for {
		lines := node.Lines()
		if lines.Len() <= refChunk {
			parser.LinkReferenceParagraphTransformer.Transform(node, reader, pc)
			return
		}
		head := ast.NewParagraph()
		head.SetBlankPreviousLines(node.HasBlankPreviousLines())
		headLines := text.NewSegments()
		headLines.AppendAll(lines.Sliced(0, refChunk))
		head.SetLines(headLines)
		parent := node.Parent()
		parent.InsertBefore(parent, node, head)
		parser.LinkReferenceParagraphTransformer.Transform(head, reader, pc)
		allDefinitions := head.Parent() == nil
		rest := text.NewSegments()
		if !allDefinitions {
			// Lines of the chunk that are not definitions: the
			// paragraph's text starts with them, and no definition follows.
			rest.AppendAll(head.Lines().Sliced(0, head.Lines().Len()))
			parent.RemoveChild(parent, head)
		}
		rest.AppendAll(lines.Sliced(refChunk, lines.Len()))
		node.SetLines(rest)
		if !allDefinitions {
			return
		}
	}
}

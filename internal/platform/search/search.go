// Package search is the full-text index over published content and the
// Persian normaliser it is built on. One index serves both engines: SQLite
// FTS5 and PostgreSQL full-text search (the `simple` configuration over
// normalised text, with trigram similarity for near misses). Documents are
// written in the caller's transaction, so the index changes exactly when the
// content does.
package search

// Scope says who may find a document.
type Scope string

const (
	// Public documents are the live, published versions the website shows.
	Public Scope = "public"
	// Panel documents are the latest versions of every item, drafts
	// included, for the admin lists.
	Panel Scope = "panel"
)

// Doc is one indexed item in one scope. (Kind, ID, Scope) identifies it.
type Doc struct {
	Kind  string // "post" or "project"
	ID    int64
	Scope Scope
	Lang  string // "fa" or "en"
	Slug  string
	Title string
	// Body is plain text (markdown.PlainText), not markup.
	Body string
	Tags []string
}

// Query is a search. Text is what the user typed, not normalised.
type Query struct {
	Text  string
	Scope Scope
	Kinds []string // empty: every kind
	Lang  string   // empty: every language
	Limit int
}

// Hit is one ranked result. SnippetHTML holds only text and <mark>.
type Hit struct {
	Kind        string  `json:"type"`
	ID          int64   `json:"-"`
	Slug        string  `json:"slug"`
	Title       string  `json:"title"`
	SnippetHTML string  `json:"snippet_html"`
	Score       float64 `json:"score"`
}

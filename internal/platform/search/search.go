// Package search is the full-text index over published content and the
// Persian normaliser it is built on. One index serves both engines: SQLite
// FTS5 and PostgreSQL full-text search (the `simple` configuration over
// normalised text, with trigram similarity for near misses). Documents are
// written in the caller's transaction, so the index changes exactly when the
// content does.
//
// How text matches (the same on both engines, which only ever see terms):
//   - A term is a run of letters and digits of Normalize's output. Words
//     written with a ZWNJ or punctuation inside ("کتاب‌ها", "e-mail") are
//     indexed as their parts and, after them, joined ("کتاب", "ها",
//     "کتابها"); so are two words written apart when one is a common Persian
//     affix ("کتاب ها", "می خواهم"). A query word written either way matches
//     its parts as a phrase or its joined form: "کتاب‌ها", "کتابها" and
//     "کتاب ها" all find each other.
//   - Every query word must match (AND). The last one also matches as a
//     prefix, from three letters, unless the text ends in a space.
//   - A query that finds nothing is tried once more with each unknown term
//     (four letters or more) widened to indexed words one edit away (two
//     from eight letters) that start like it (a typo in the first letter is
//     not corrected); PostgreSQL also asks pg_trgm's similarity of them.
//   - Title matches rank first: bm25 with the title weighted 10, tags 4,
//     body 1 on SQLite; on PostgreSQL a title match adds 1 to the cover
//     density rank (in [0, 1)) of title (A), tags (B) and the body's lead
//     (C).
//   - Snippets are cut in Go from the stored original text around the first
//     matching word and escaped; only <mark> is markup.
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
	// Any matches documents holding any of the query's words instead of
	// every one (OR instead of AND), ranked as usual, so documents holding
	// more of them (and rarer ones) come first: for questions asked in
	// whole sentences (the chatbot), whose every word no document holds.
	Any bool
}

// Hit is one ranked result. SnippetHTML holds only text and <mark>.
type Hit struct {
	Kind        string  `json:"type"`
	ID          int64   `json:"-"`
	Slug        string  `json:"slug"`
	Title       string  `json:"title"`
	Lang        string  `json:"-"`
	SnippetHTML string  `json:"snippet_html"`
	Score       float64 `json:"score"`
}

// Package public is the read API websites use (API.md section 8, under
// /api/public/v1): live posts, published projects, their tags and
// categories, search, feeds, the sitemap, preview links and the media
// redirect. It never writes. It reads posts only through their live
// snapshot (post_live, post_live_terms, post_slug_redirects; posts itself
// only for a signed preview) and projects only while published, with its
// own read-only SQL, so a draft cannot reach the website by any route; an
// old slug redirects only to a project published now
// (project_slug_redirects joined with projects).
package public

import "time"

// Cover is a picture as the website shows it: url is the public media
// route (content.PublicMediaPath), which redirects to the file.
type Cover struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// Term is a tag or a category.
type Term struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Author is a post's author as the website shows them.
type Author struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Post is a live post in the lists.
type Post struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Excerpt     string     `json:"excerpt"`
	Lang        string     `json:"lang"`
	Cover       *Cover     `json:"cover"`
	Tags        []Term     `json:"tags"`
	Categories  []Term     `json:"categories"`
	Authors     []Author   `json:"authors"`
	PublishedAt *time.Time `json:"published_at" doc:"always set for live posts; null only in a preview of a never-published post"`

	id      int64
	coverID *int64
}

// SEO is a post's search-engine and sharing metadata.
type SEO struct {
	Title        string `json:"title"`
	Description  string `json:"description"`
	CanonicalURL string `json:"canonical_url"`
	OGImage      *Cover `json:"og_image"`

	ogImageID *int64
}

// PostDetail is one live post (or a preview's working copy).
type PostDetail struct {
	Post
	BodyHTML  string    `json:"body_html" doc:"sanitised HTML; media point at the public media route"`
	SEO       SEO       `json:"seo"`
	UpdatedAt time.Time `json:"updated_at"`
	// Preview is true only in a preview link's answer.
	Preview bool `json:"preview,omitempty"`
}

// GalleryItem is one picture of a project's gallery.
type GalleryItem struct {
	Cover
	CaptionFa string `json:"caption_fa"`
	CaptionEn string `json:"caption_en"`

	mediaID int64
}

// Link is a project's external link.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Project is a published project in the list.
type Project struct {
	Slug        string        `json:"slug"`
	Title       string        `json:"title"`
	Lang        string        `json:"lang"`
	Client      string        `json:"client"`
	StartedOn   *string       `json:"started_on"`
	EndedOn     *string       `json:"ended_on"`
	Summary     string        `json:"summary"`
	Cover       *Cover        `json:"cover"`
	Gallery     []GalleryItem `json:"gallery"`
	Tags        []Term        `json:"tags"`
	Links       []Link        `json:"links"`
	Featured    bool          `json:"featured"`
	PublishedAt *time.Time    `json:"published_at"`
	UpdatedAt   time.Time     `json:"updated_at"`

	id       int64
	position int64
	coverID  *int64
}

// ProjectDetail is one published project (or a preview's working copy).
type ProjectDetail struct {
	Project
	BodyHTML string `json:"body_html"`
	Preview  bool   `json:"preview,omitempty"`
}

// TermCount is a tag or category with the number of live posts filed under it.
type TermCount struct {
	Slug  string `json:"slug"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// TermList is the body of /tags and /categories.
type TermList struct {
	Items []TermCount `json:"items"`
}

// SearchHit is one search result, always of live content.
type SearchHit struct {
	Type        string  `json:"type" doc:"post or project"`
	Slug        string  `json:"slug"`
	Title       string  `json:"title"`
	SnippetHTML string  `json:"snippet_html" doc:"only text and <mark>"`
	Score       float64 `json:"score"`
}

// SearchResults is the body of /search.
type SearchResults struct {
	Items []SearchHit `json:"items"`
}

// PostsPage and ProjectsPage are the cursor envelopes of the two lists.
type PostsPage struct {
	Items      []Post  `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Limit      int     `json:"limit"`
}

// ProjectsPage is the cursor envelope of the projects list.
type ProjectsPage struct {
	Items      []Project `json:"items"`
	NextCursor *string   `json:"next_cursor"`
	Limit      int       `json:"limit"`
}

// Package posts is the panel's blog (API.md section 8): a post's working
// copy with its revisions and autosaves, the workflow that publishes it to
// post_live (what the website reads), scheduled publishing and
// unpublishing on the job queue, preview links and editors' presence.
package posts

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/markdown"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Limits on what a post may hold.
const (
	MaxTitle          = 200
	MaxSlug           = 200
	MaxExcerpt        = 500
	MaxSEOTitle       = 70
	MaxSEODescription = 160
	MaxURL            = 2000
	MaxTerms          = 20 // tags, and categories, each
	MaxTermName       = 100
	MaxAuthors        = 20
	MaxReason         = 200
)

// Author is one of a post's writers.
type Author struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// SEO is what search engines and link previews see.
type SEO struct {
	Title          string `json:"title"`
	Description    string `json:"description"`
	CanonicalURL   string `json:"canonical_url"`
	OGImageMediaID *int64 `json:"og_image_media_id"`
}

// Summary is a post as lists show it: every field of the contract's Post
// but the body.
type Summary struct {
	ID            int64          `json:"id"`
	Title         string         `json:"title"`
	Slug          string         `json:"slug"`
	Lang          content.Lang   `json:"lang"`
	Excerpt       string         `json:"excerpt"`
	CoverMediaID  *int64         `json:"cover_media_id"`
	Tags          []string       `json:"tags" doc:"tag names, sorted by name"`
	Categories    []string       `json:"categories" doc:"category names, sorted by name"`
	Authors       []Author       `json:"authors" doc:"in the order given"`
	Status        content.Status `json:"status"`
	PublishAt     *time.Time     `json:"publish_at" doc:"when a scheduled post goes live"`
	UnpublishAt   *time.Time     `json:"unpublish_at" doc:"when a published post is scheduled to go back to draft"`
	PublishedAt   *time.Time     `json:"published_at" doc:"when the post was first published"`
	SEO           SEO            `json:"seo"`
	TranslationOf *int64         `json:"translation_of" doc:"the id of the post this one translates (in the other language)"`
	Revision      int64          `json:"revision" doc:"the number of the latest revision of the working copy"`
	// LiveRevision is the revision the website shows: null when the post
	// is not live, below revision when the working copy has changes not
	// yet published.
	LiveRevision *int64    `json:"live_revision" doc:"the revision the website shows (null: not live); below revision when there are unpublished changes"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Post is the API's post (the detail): the summary plus the body and the
// workflow's next steps.
type Post struct {
	Summary
	BodyMD   string `json:"body_md"`
	BodyHTML string `json:"body_html" doc:"rendered and sanitised by the server"`
	// AllowedNext depends only on Status, so cached details stay right.
	AllowedNext []content.Status `json:"allowed_next" doc:"the statuses this post may move to next (POST …/transition)"`
}

// SEOInput is the seo member of a create or update body.
type SEOInput struct {
	Title          *string `json:"title,omitempty"`
	Description    *string `json:"description,omitempty"`
	CanonicalURL   *string `json:"canonical_url,omitempty"`
	OGImageMediaID *int64  `json:"og_image_media_id,omitempty" doc:"null clears it"`
}

// Input is the body of POST /api/posts and PATCH /api/posts/{id}: on
// create, absent fields take their defaults (slug from the title, authors:
// the creator); on update, absent fields stay as they are and a null
// cover_media_id, og_image_media_id or translation_of clears it.
type Input struct {
	Title          *string       `json:"title,omitempty" doc:"required on create; at most 200 characters"`
	Slug           *string       `json:"slug,omitempty" doc:"already normalised (see search.Slugify); from the title when absent on create"`
	Lang           *content.Lang `json:"lang,omitempty" doc:"required on create"`
	BodyMD         *string       `json:"body_md,omitempty"`
	Excerpt        *string       `json:"excerpt,omitempty"`
	CoverMediaID   *int64        `json:"cover_media_id,omitempty" doc:"a ready image of the media library; null clears it"`
	Tags           *[]string     `json:"tags,omitempty"`
	Categories     *[]string     `json:"categories,omitempty"`
	Authors        *[]int64      `json:"authors,omitempty" doc:"user ids; the creator when absent on create"`
	SEO            *SEOInput     `json:"seo,omitempty"`
	TranslationOf  *int64        `json:"translation_of,omitempty" doc:"a post in the other language; null clears it"`
	RevisionReason string        `json:"revision_reason,omitempty" doc:"why, kept with the revision this save makes"`

	// cleared names the nullable fields sent as null (see SetNulls).
	cleared map[string]bool
}

// SetNulls records which nullable members the body sent as null (JSON
// null decodes to a nil pointer, the same as absent): "cover_media_id",
// "translation_of" and "seo.og_image_media_id".
func (in *Input) SetNulls(names ...string) {
	in.cleared = map[string]bool{}
	for _, n := range names {
		in.cleared[n] = true
	}
}

// Cleared reports whether a nullable member was sent as null.
func (in Input) Cleared(name string) bool { return in.cleared[name] }

// fieldErrs collects readable messages and stable reasons per field.
type fieldErrs struct {
	fields  map[string]string
	reasons map[string]string
}

func newFieldErrs() *fieldErrs {
	return &fieldErrs{fields: map[string]string{}, reasons: map[string]string{}}
}

func (f *fieldErrs) add(field, msg, reason string) {
	if _, ok := f.fields[field]; ok {
		return
	}
	f.fields[field] = msg
	f.reasons[field] = reason
}

func (f *fieldErrs) err() error {
	if len(f.fields) == 0 {
		return nil
	}
	return apperr.Validation(f.fields).WithDetail("field_reasons", f.reasons)
}

// The stable field reasons of this feature's validation errors.
const (
	ReasonRequired      = "required"
	ReasonTooLong       = "too_long"
	ReasonTooMany       = "too_many"
	ReasonInvalid       = "invalid"
	ReasonNotNormalised = "slug_not_normalised"
	ReasonMediaNotReady = "media_not_ready"
	ReasonUnknownUser   = "unknown_user"
	ReasonTranslation   = "translation_invalid"
	ReasonPast          = "in_the_past"
)

func checkText(fe *fieldErrs, field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.add(field, "is required", ReasonRequired)
	case !utf8.ValidString(v):
		fe.add(field, "must be valid UTF-8 text", ReasonInvalid)
	case utf8.RuneCountInString(v) > max:
		fe.add(field, fmt.Sprintf("must be at most %d characters", max), ReasonTooLong)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' && r != '\r' }):
		fe.add(field, "must not contain control characters", ReasonInvalid)
	}
}

// CheckSlug reports what is wrong with a slug: empty, too long, or not in
// its normal form (search.Slugify(slug) == slug), with the normal form
// suggested.
func checkSlug(fe *fieldErrs, slug string) {
	switch norm := search.Slugify(slug); {
	case slug == "":
		fe.add("slug", "is required: the title makes none, so give one", ReasonRequired)
	case utf8.RuneCountInString(slug) > MaxSlug:
		fe.add("slug", fmt.Sprintf("must be at most %d characters", MaxSlug), ReasonTooLong)
	case norm != slug:
		if norm == "" {
			fe.add("slug", "must hold letters or digits", ReasonNotNormalised)
		} else {
			fe.add("slug", fmt.Sprintf("must be normalised: %q", norm), ReasonNotNormalised)
		}
	}
}

func checkTerms(fe *fieldErrs, field string, names []string) {
	if len(names) > MaxTerms {
		fe.add(field, fmt.Sprintf("must hold at most %d names", MaxTerms), ReasonTooMany)
		return
	}
	for i, n := range names {
		f := fmt.Sprintf("%s[%d]", field, i)
		checkText(fe, f, n, true, MaxTermName)
		if _, bad := fe.fields[f]; !bad && search.Slugify(n) == "" {
			fe.add(f, "must hold letters or digits", ReasonInvalid)
		}
	}
}

func checkID(fe *fieldErrs, field string, id *int64) {
	if id != nil && (*id < 1 || *id >= 1<<53) {
		fe.add(field, "must be a positive id", ReasonInvalid)
	}
}

// CheckCanonical accepts an absolute http(s) URL or "".
func checkCanonical(fe *fieldErrs, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	switch {
	case len(v) > MaxURL:
		fe.add("seo.canonical_url", fmt.Sprintf("must be at most %d characters", MaxURL), ReasonTooLong)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(v, " \t\r\n"):
		fe.add("seo.canonical_url", "must be an absolute http or https URL", ReasonInvalid)
	}
}

// Validate checks the shape of a create (creating) or update body: every
// rule that needs no database. The service then checks media, users,
// translations and slug uniqueness.
func (in Input) Validate(creating bool) error {
	fe := newFieldErrs()
	if in.Title != nil || creating {
		checkText(fe, "title", deref(in.Title), true, MaxTitle)
	}
	if in.Lang != nil || creating {
		if in.Lang == nil || *in.Lang == "" {
			fe.add("lang", "is required", ReasonRequired)
		} else if !in.Lang.Known() {
			fe.add("lang", "must be fa or en", ReasonInvalid)
		}
	}
	if in.Slug != nil {
		checkSlug(fe, *in.Slug)
	}
	if in.BodyMD != nil {
		if len(*in.BodyMD) > markdown.MaxSource {
			fe.add("body_md", fmt.Sprintf("must be at most %d bytes", markdown.MaxSource), ReasonTooLong)
		} else if !utf8.ValidString(*in.BodyMD) {
			fe.add("body_md", "must be valid UTF-8 text", ReasonInvalid)
		} else if strings.ContainsRune(*in.BodyMD, 0) { // valid UTF-8, but no database text holds it
			fe.add("body_md", "must not contain NUL characters", ReasonInvalid)
		}
	}
	if in.Excerpt != nil {
		checkText(fe, "excerpt", *in.Excerpt, false, MaxExcerpt)
	}
	checkID(fe, "cover_media_id", in.CoverMediaID)
	checkID(fe, "translation_of", in.TranslationOf)
	if in.Tags != nil {
		checkTerms(fe, "tags", *in.Tags)
	}
	if in.Categories != nil {
		checkTerms(fe, "categories", *in.Categories)
	}
	if in.Authors != nil {
		switch a := *in.Authors; {
		case len(a) == 0:
			fe.add("authors", "must name at least one user", ReasonRequired)
		case len(a) > MaxAuthors:
			fe.add("authors", fmt.Sprintf("must name at most %d users", MaxAuthors), ReasonTooMany)
		default:
			seen := map[int64]bool{}
			for i, id := range a {
				if id < 1 || id >= 1<<53 {
					fe.add(fmt.Sprintf("authors[%d]", i), "must be a user id", ReasonInvalid)
				} else if seen[id] {
					fe.add(fmt.Sprintf("authors[%d]", i), "names a user twice", ReasonInvalid)
				}
				seen[id] = true
			}
		}
	}
	if s := in.SEO; s != nil {
		if s.Title != nil {
			checkText(fe, "seo.title", *s.Title, false, MaxSEOTitle)
		}
		if s.Description != nil {
			checkText(fe, "seo.description", *s.Description, false, MaxSEODescription)
		}
		if s.CanonicalURL != nil {
			checkCanonical(fe, *s.CanonicalURL)
		}
		checkID(fe, "seo.og_image_media_id", s.OGImageMediaID)
	}
	checkText(fe, "revision_reason", in.RevisionReason, false, MaxReason)
	return fe.err()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Snapshot is a revision's copy of the editable fields, as they were after
// the save (post_revisions.snapshot), and what an autosave holds.
type Snapshot struct {
	Title         string       `json:"title"`
	Slug          string       `json:"slug"`
	Lang          content.Lang `json:"lang"`
	BodyMD        string       `json:"body_md"`
	Excerpt       string       `json:"excerpt"`
	CoverMediaID  *int64       `json:"cover_media_id"`
	Tags          []string     `json:"tags"`
	Categories    []string     `json:"categories"`
	Authors       []int64      `json:"authors"`
	SEO           SEO          `json:"seo"`
	TranslationOf *int64       `json:"translation_of"`
}

// SnapshotOf returns p's editable fields.
func SnapshotOf(p Post) Snapshot {
	ids := make([]int64, len(p.Authors))
	for i, a := range p.Authors {
		ids[i] = a.ID
	}
	return Snapshot{Title: p.Title, Slug: p.Slug, Lang: p.Lang, BodyMD: p.BodyMD, Excerpt: p.Excerpt,
		CoverMediaID: p.CoverMediaID, Tags: nonNil(p.Tags), Categories: nonNil(p.Categories), Authors: ids,
		SEO: p.SEO, TranslationOf: p.TranslationOf}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// input returns the update body that sets every editable field to s.
func (s Snapshot) input(reason string) Input {
	seo := SEOInput{Title: &s.SEO.Title, Description: &s.SEO.Description, CanonicalURL: &s.SEO.CanonicalURL,
		OGImageMediaID: s.SEO.OGImageMediaID}
	in := Input{Title: &s.Title, Slug: &s.Slug, Lang: &s.Lang, BodyMD: &s.BodyMD, Excerpt: &s.Excerpt,
		CoverMediaID: s.CoverMediaID, Tags: &s.Tags, Categories: &s.Categories, Authors: &s.Authors, SEO: &seo,
		TranslationOf: s.TranslationOf, RevisionReason: reason}
	var nulls []string
	if s.CoverMediaID == nil {
		nulls = append(nulls, "cover_media_id")
	}
	if s.TranslationOf == nil {
		nulls = append(nulls, "translation_of")
	}
	if s.SEO.OGImageMediaID == nil {
		nulls = append(nulls, "seo.og_image_media_id")
	}
	in.SetNulls(nulls...)
	return in
}

// Revision is one entry of a post's revision list.
type Revision struct {
	Number    int64     `json:"number"`
	Author    *Author   `json:"author" doc:"null when the user is gone or the system made it (a scheduled publish)"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// RevisionDetail is one revision with its snapshot.
type RevisionDetail struct {
	Revision
	Snapshot Snapshot `json:"snapshot"`
}

// AutosaveInput is the body of PUT /api/posts/{id}/autosave: the editor's
// unsaved state. Only sizes are checked; a real save validates.
type AutosaveInput struct {
	Snapshot Snapshot `json:"snapshot"`
}

// Validate bounds an autosave's size.
func (in AutosaveInput) Validate() error {
	fe := newFieldErrs()
	s := in.Snapshot
	checkText(fe, "snapshot.title", s.Title, false, MaxTitle)
	if utf8.RuneCountInString(s.Slug) > MaxSlug {
		fe.add("snapshot.slug", fmt.Sprintf("must be at most %d characters", MaxSlug), ReasonTooLong)
	}
	if len(s.BodyMD) > markdown.MaxSource {
		fe.add("snapshot.body_md", fmt.Sprintf("must be at most %d bytes", markdown.MaxSource), ReasonTooLong)
	}
	checkText(fe, "snapshot.excerpt", s.Excerpt, false, MaxExcerpt)
	if len(s.Tags) > MaxTerms {
		fe.add("snapshot.tags", fmt.Sprintf("must hold at most %d names", MaxTerms), ReasonTooMany)
	}
	if len(s.Categories) > MaxTerms {
		fe.add("snapshot.categories", fmt.Sprintf("must hold at most %d names", MaxTerms), ReasonTooMany)
	}
	if len(s.Authors) > MaxAuthors {
		fe.add("snapshot.authors", fmt.Sprintf("must name at most %d users", MaxAuthors), ReasonTooMany)
	}
	checkText(fe, "snapshot.seo.title", s.SEO.Title, false, MaxSEOTitle*4)
	checkText(fe, "snapshot.seo.description", s.SEO.Description, false, MaxSEODescription*4)
	if len(s.SEO.CanonicalURL) > MaxURL {
		fe.add("snapshot.seo.canonical_url", fmt.Sprintf("must be at most %d characters", MaxURL), ReasonTooLong)
	}
	for _, t := range slices.Concat(s.Tags, s.Categories) {
		if utf8.RuneCountInString(t) > MaxTermName {
			fe.add("snapshot.tags", fmt.Sprintf("names must be at most %d characters", MaxTermName), ReasonTooLong)
		}
	}
	return fe.err()
}

// Autosave is the caller's own autosave of a post.
type Autosave struct {
	PostID int64 `json:"post_id"`
	// BaseRevision is the post's revision when the autosave was written
	// (kept in post_autosaves.base_version); Stale says the post has been
	// saved since (by anyone).
	BaseRevision int64     `json:"base_revision" doc:"the post's revision the autosave was written over"`
	Stale        bool      `json:"stale" doc:"the post has been saved since this autosave was written"`
	Snapshot     Snapshot  `json:"snapshot"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TransitionInput is the body of POST /api/posts/{id}/transition.
type TransitionInput struct {
	To content.Status `json:"to"`
	At *time.Time     `json:"at,omitempty" doc:"with to=scheduled: when to publish; with to=draft on a published post: when to unpublish"`
}

// Validate checks a transition's shape; the workflow judges the move.
func (in TransitionInput) Validate(now time.Time) error {
	fe := newFieldErrs()
	if in.To == "" {
		fe.add("to", "is required", ReasonRequired)
	} else if !content.PostWorkflow.Known(in.To) {
		fe.add("to", "must be one of draft, in_review, scheduled, published, archived", ReasonInvalid)
	}
	switch {
	case in.To == content.Scheduled && in.At == nil:
		fe.add("at", "is required to schedule", ReasonRequired)
	case in.At != nil && in.To != content.Scheduled && in.To != content.Draft:
		fe.add("at", "is only for to=scheduled or a scheduled unpublish (to=draft)", ReasonInvalid)
	case in.At != nil && !in.At.After(now):
		fe.add("at", "must be in the future", ReasonPast)
	}
	return fe.err()
}

// PreviewInput is the body of POST /api/posts/{id}/preview-link.
type PreviewInput struct {
	TTLSeconds *int64 `json:"ttl_seconds,omitempty" doc:"how long the link works; default 1 day, at most 7 days"`
}

// DefaultPreviewTTL is a preview link's life when none is asked for.
const DefaultPreviewTTL = 24 * time.Hour

// Validate checks a preview link's life.
func (in PreviewInput) Validate() error {
	if in.TTLSeconds != nil && (*in.TTLSeconds < 60 || *in.TTLSeconds > int64(content.MaxPreviewTTL/time.Second)) {
		fe := newFieldErrs()
		fe.add("ttl_seconds", fmt.Sprintf("must be between 60 and %d", int64(content.MaxPreviewTTL/time.Second)), ReasonInvalid)
		return fe.err()
	}
	return nil
}

// PreviewLink is a signed, expiring link to a post's latest version.
type PreviewLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RenderInput is the body of POST /api/content/render.
type RenderInput struct {
	Markdown string `json:"markdown"`
}

// Validate bounds the source.
func (in RenderInput) Validate() error {
	if len(in.Markdown) > markdown.MaxSource {
		fe := newFieldErrs()
		fe.add("markdown", fmt.Sprintf("must be at most %d bytes", markdown.MaxSource), ReasonTooLong)
		return fe.err()
	}
	return nil
}

// Rendered is the answer of POST /api/content/render.
type Rendered struct {
	HTML string `json:"html"`
}

// Editor is someone with a post open.
type Editor struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Presence is who else has a post open.
type Presence struct {
	Editors []Editor `json:"editors" doc:"the others with the post open in the last 30 seconds"`
}

// renderBody renders markdown with media: references pointing at the
// public media path.
func renderBody(md string) string {
	return markdown.RenderWith(md, content.PublicMediaPath)
}

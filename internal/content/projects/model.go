// Package projects is the portfolio's panel API (API.md section 8): projects
// with a gallery, tags and links, the draft/published/archived workflow, and
// the editors' manual order. The public read API (content/public) reads the
// same tables, published projects only.
package projects

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/markdown"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// GalleryItem is one picture of a project's gallery; the gallery's order
// is the array's.
type GalleryItem struct {
	MediaID   int64  `json:"media_id"`
	CaptionFa string `json:"caption_fa"`
	CaptionEn string `json:"caption_en"`
}

// Link is an external link of a project (its site, a case study).
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Project is the panel's project: the working copy editors change. The
// website shows it only while Status is published.
type Project struct {
	ID           int64          `json:"id"`
	Title        string         `json:"title"`
	Slug         string         `json:"slug"`
	Lang         content.Lang   `json:"lang"`
	Client       string         `json:"client"`
	StartedOn    *string        `json:"started_on" doc:"YYYY-MM-DD or null"`
	EndedOn      *string        `json:"ended_on" doc:"YYYY-MM-DD or null; not before started_on"`
	Summary      string         `json:"summary"`
	BodyMD       string         `json:"body_md"`
	BodyHTML     string         `json:"body_html" doc:"rendered and sanitised by the server from body_md"`
	CoverMediaID *int64         `json:"cover_media_id"`
	Gallery      []GalleryItem  `json:"gallery"`
	Tags         []string       `json:"tags"`
	Links        []Link         `json:"links"`
	Featured     bool           `json:"featured"`
	Status       content.Status `json:"status"`
	// Position is the place in the editors' manual order (ascending).
	Position    int64      `json:"position"`
	PublishedAt *time.Time `json:"published_at"`
	// AllowedNext depends only on Status, so a cached detail stays right.
	AllowedNext []content.Status `json:"allowed_next,omitzero" doc:"the statuses this project may move to next; on the detail only"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// Limits on what a project may hold.
const (
	MaxTitle   = 200
	MaxClient  = 200
	MaxSummary = 2000
	MaxCaption = 500
	MaxGallery = 100
	MaxTags    = 30
	MaxTag     = 60
	MaxLinks   = 20
	MaxLabel   = 200
	MaxURL     = 2000
	MaxSlug    = 200
)

// Input is the body of POST /api/projects and PATCH /api/projects/{id}.
// On PATCH an absent field is left as it is; null (or started_on/ended_on
// "", cover_media_id 0) clears the value. The status moves only through
// /transition and the position only through PUT /api/projects/order.
type Input struct {
	Title        *string        `json:"title,omitempty"`
	Slug         *string        `json:"slug,omitempty" doc:"made from the title when absent on create; normalised (search.Slugify); unique per language"`
	Lang         *content.Lang  `json:"lang,omitempty" doc:"required on create"`
	Client       *string        `json:"client,omitempty"`
	StartedOn    *string        `json:"started_on,omitempty" doc:"YYYY-MM-DD; null clears"`
	EndedOn      *string        `json:"ended_on,omitempty" doc:"YYYY-MM-DD, not before started_on; null clears"`
	Summary      *string        `json:"summary,omitempty"`
	BodyMD       *string        `json:"body_md,omitempty" doc:"markdown; media:N references must name ready images"`
	CoverMediaID *int64         `json:"cover_media_id,omitempty" doc:"a ready image; null clears"`
	Gallery      *[]GalleryItem `json:"gallery,omitempty" doc:"ready images, in their order"`
	Tags         *[]string      `json:"tags,omitempty"`
	Links        *[]Link        `json:"links,omitempty" doc:"http(s) URLs"`
	Featured     *bool          `json:"featured,omitempty"`
}

// TransitionInput is the body of POST /api/projects/{id}/transition.
type TransitionInput struct {
	To content.Status `json:"to"`
}

// Validate checks a transition request's shape; the workflow decides the rest.
func (in TransitionInput) Validate() error {
	if in.To == "" {
		return apperr.Validation(map[string]string{"to": "is required"})
	}
	if !content.ProjectWorkflow.Known(in.To) {
		return apperr.Validation(map[string]string{"to": "must be one of draft, published, archived"})
	}
	return nil
}

// OrderInput is the body of PUT /api/projects/order: every project's id,
// each exactly once, in the new order.
type OrderInput struct {
	IDs []int64 `json:"ids"`
}

func checkText(fe apperr.FieldErrors, field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		fe.Add(field, "is required")
	case !utf8.ValidString(v):
		fe.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' && r != '\r' }):
		fe.Add(field, "must not contain control characters")
	}
}

func validDate(v string) bool {
	t, err := time.Parse(time.DateOnly, v)
	return err == nil && t.Format(time.DateOnly) == v
}

// Validate checks the fields present; create (true) requires title and lang.
func (in Input) Validate(create bool) error {
	fe := apperr.FieldErrors{}
	if create || in.Title != nil {
		checkText(fe, "title", deref(in.Title), true, MaxTitle)
	}
	if create && in.Lang == nil {
		fe.Add("lang", "is required")
	} else if in.Lang != nil && !in.Lang.Known() {
		fe.Add("lang", "must be fa or en")
	}
	if in.Slug != nil {
		switch s := search.Slugify(*in.Slug); {
		case s == "":
			fe.Add("slug", "must hold letters or digits")
		case utf8.RuneCountInString(s) > MaxSlug:
			fe.Add("slug", fmt.Sprintf("must be at most %d characters", MaxSlug))
		}
	} else if create && in.Title != nil && search.Slugify(*in.Title) == "" {
		fe.Add("slug", "give a slug: the title has no letters or digits to make one from")
	}
	if in.Client != nil {
		checkText(fe, "client", *in.Client, false, MaxClient)
	}
	if in.Summary != nil {
		checkText(fe, "summary", *in.Summary, false, MaxSummary)
	}
	for _, d := range []struct {
		name string
		v    *string
	}{{"started_on", in.StartedOn}, {"ended_on", in.EndedOn}} {
		if d.v != nil && *d.v != "" && !validDate(*d.v) {
			fe.Add(d.name, "must be a date as YYYY-MM-DD")
		}
	}
	if in.BodyMD != nil {
		if len(*in.BodyMD) > markdown.MaxSource {
			fe.Add("body_md", fmt.Sprintf("must be at most %d bytes", markdown.MaxSource))
		} else if !utf8.ValidString(*in.BodyMD) {
			fe.Add("body_md", "must be valid UTF-8 text")
		} else if strings.ContainsRune(*in.BodyMD, 0) { // valid UTF-8, but no database text holds it
			fe.Add("body_md", "must not contain NUL characters")
		}
	}
	if in.CoverMediaID != nil && *in.CoverMediaID < 0 {
		fe.Add("cover_media_id", "must be a media id, or 0 to clear it")
	}
	if in.Gallery != nil {
		if len(*in.Gallery) > MaxGallery {
			fe.Add("gallery", fmt.Sprintf("must hold at most %d pictures", MaxGallery))
		}
		seen := map[int64]bool{}
		for i, g := range *in.Gallery {
			p := fmt.Sprintf("gallery[%d].", i)
			if g.MediaID < 1 {
				fe.Add(p+"media_id", "must be a media id")
			} else if seen[g.MediaID] {
				fe.Add(p+"media_id", "is in the gallery twice")
			}
			seen[g.MediaID] = true
			checkText(fe, p+"caption_fa", g.CaptionFa, false, MaxCaption)
			checkText(fe, p+"caption_en", g.CaptionEn, false, MaxCaption)
		}
	}
	if in.Tags != nil {
		if len(*in.Tags) > MaxTags {
			fe.Add("tags", fmt.Sprintf("must hold at most %d tags", MaxTags))
		}
		for i, t := range *in.Tags {
			f := fmt.Sprintf("tags[%d]", i)
			checkText(fe, f, t, true, MaxTag)
			if strings.TrimSpace(t) != "" && search.Slugify(t) == "" {
				fe.Add(f, "must hold letters or digits")
			}
		}
	}
	if in.Links != nil {
		if len(*in.Links) > MaxLinks {
			fe.Add("links", fmt.Sprintf("must hold at most %d links", MaxLinks))
		}
		for i, l := range *in.Links {
			p := fmt.Sprintf("links[%d].", i)
			checkText(fe, p+"label", l.Label, true, MaxLabel)
			u, err := url.Parse(l.URL)
			if l.URL == "" {
				fe.Add(p+"url", "is required")
			} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l.URL) > MaxURL ||
				strings.ContainsFunc(l.URL, func(r rune) bool { return r <= 0x20 }) {
				fe.Add(p+"url", "must be an http or https URL such as https://example.com")
			}
		}
	}
	return fe.Err()
}

// Validate checks an order request's shape; the service checks that it
// names every project exactly once.
func (in OrderInput) Validate() error {
	if len(in.IDs) == 0 {
		return apperr.Validation(map[string]string{"ids": "must list every project's id in the new order"})
	}
	seen := make(map[int64]bool, len(in.IDs))
	for i, id := range in.IDs {
		if id < 1 {
			return apperr.Validation(map[string]string{fmt.Sprintf("ids[%d]", i): "must be a project id"})
		}
		if seen[id] {
			return apperr.Validation(map[string]string{fmt.Sprintf("ids[%d]", i): "names a project twice"})
		}
		seen[id] = true
	}
	return nil
}

// normalTags returns the tags' display names, trimmed, without repeats of
// one slug, in their order.
func normalTags(tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		s := search.Slugify(t)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, t)
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

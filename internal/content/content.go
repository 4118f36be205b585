// Package content is the website's content room: the blog (content/posts),
// the portfolio (content/projects) and the public read API the website uses
// (content/public). This root package holds what they share: permissions,
// the workflow state machine, languages, cache tags, the outgoing-event hook
// and preview tokens.
package content

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// The permissions of API.md section 3; content.* covers posts and projects.
const (
	PermView    authz.Permission = "content.view"
	PermEdit    authz.Permission = "content.edit"
	PermPublish authz.Permission = "content.publish"
)

func init() {
	authz.Register(map[authz.Permission]string{
		PermView:    "See blog posts and portfolio projects, drafts included",
		PermEdit:    "Write and edit posts and projects, and submit them for review",
		PermPublish: "Publish, schedule, unpublish and archive posts and projects",
	})
}

// The events and cache names of the two resources (API.md section 8).
const (
	ResourcePosts    = "posts"
	ResourceProjects = "projects"
)

// Cache tags. A write touches TagPosts or TagProjects for the panel's reads
// and TagPublic whenever what the website sees may have changed (publish,
// unpublish, an edit of live content, a slug change, a scheduled change
// firing, a reorder, a delete): every public read is filed under TagPublic.
const (
	TagPosts    = "posts"
	TagProjects = "projects"
	TagPublic   = "public-content"
)

// Lang is a content language.
type Lang string

// The languages content is written in.
const (
	Fa Lang = "fa"
	En Lang = "en"
)

// Langs lists every language.
var Langs = []Lang{Fa, En}

// EnumValues lists the languages for the OpenAPI document.
func (Lang) EnumValues() []string { return []string{string(Fa), string(En)} }

// Known reports whether l is a language.
func (l Lang) Known() bool { return slices.Contains(Langs, l) }

// Status is where a post or project is in the workflow.
type Status string

// The statuses of API.md section 8. Projects use Draft, Published and
// Archived only.
const (
	Draft     Status = "draft"
	InReview  Status = "in_review"
	Scheduled Status = "scheduled"
	Published Status = "published"
	Archived  Status = "archived"
)

// PostStatuses lists every post status.
var PostStatuses = []Status{Draft, InReview, Scheduled, Published, Archived}

// ProjectStatuses lists every project status.
var ProjectStatuses = []Status{Draft, Published, Archived}

// EnumValues lists the statuses for the OpenAPI document.
func (Status) EnumValues() []string {
	out := make([]string, len(PostStatuses))
	for i, s := range PostStatuses {
		out[i] = string(s)
	}
	return out
}

// A Workflow is a state machine: from → allowed targets.
type Workflow map[Status][]Status

// PostWorkflow is the posts' state machine. Unpublishing is published →
// draft; a scheduled post goes back to draft when unscheduled.
var PostWorkflow = Workflow{
	Draft:     {InReview, Scheduled, Published, Archived},
	InReview:  {Draft, Scheduled, Published, Archived},
	Scheduled: {Draft, Published, Archived},
	Published: {Draft, Archived},
	Archived:  {Draft},
}

// ProjectWorkflow is the projects' state machine.
var ProjectWorkflow = Workflow{
	Draft:     {Published, Archived},
	Published: {Draft, Archived},
	Archived:  {Draft},
}

// Known reports whether s is a status of w.
func (w Workflow) Known(s Status) bool { _, ok := w[s]; return ok }

// Allowed returns the statuses s may move to, never nil.
func (w Workflow) Allowed(s Status) []Status {
	if len(w[s]) == 0 {
		return []Status{}
	}
	return slices.Clone(w[s])
}

// Check returns INVALID_TRANSITION unless from → to is allowed (the same
// status included, as API.md says).
func (w Workflow) Check(from, to Status) error {
	if slices.Contains(w[from], to) {
		return nil
	}
	return &apperr.Error{Code: apperr.InvalidTransition,
		Message: "a " + string(from) + " item cannot move to " + string(to),
		Details: map[string]any{"from": from, "to": to, "allowed": w.Allowed(from)}}
}

// PermissionFor is the permission a move from → to needs: a writer
// (content.edit) may move between draft and in_review; everything that
// changes what the website shows, or could (schedule, publish, unpublish,
// archive, restore from the archive), needs content.publish.
func PermissionFor(from, to Status) authz.Permission {
	if (from == Draft || from == InReview) && (to == Draft || to == InReview) {
		return PermEdit
	}
	return PermPublish
}

// Notifier is told of content events inside the transaction that makes
// them, so that what it does (e.g. enqueue webhook deliveries) commits with
// the change or not at all. Event names: post.published, post.updated (a
// change to live content), post.unpublished, post.deleted, and the same
// for project.*. The payload is JSON-ready: {"type","id","slug","lang"}.
// internal/server wires the webhooks room in; nil means nobody listens.
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, event string, payload map[string]any) error
}

// MediaItem is what content needs to know of a media-library item.
type MediaItem struct {
	ID            int64
	Width, Height int
	ContentType   string
}

// Media is the part of the media library content uses; internal/server
// wires the media room in. Content may reference only ready images.
type Media interface {
	// ReadyImages returns, of ids, the items that are ready images.
	ReadyImages(ctx context.Context, ids []int64) (map[int64]MediaItem, error)
	// SignedURL returns a short-lived URL of ready image id's file, or of
	// its thumbnail of side thumb (0: the file itself); ErrMediaNotReady
	// when id is not a ready image or has no such thumbnail.
	SignedURL(ctx context.Context, id int64, thumb int) (string, error)
}

// ErrMediaNotReady is Media.SignedURL's answer for an item that is not a
// ready image (or a thumbnail side it does not have).
var ErrMediaNotReady = errors.New("media item is not a ready image")

// PublicMediaPath is where rendered content points for media item id: the
// public read API redirects it to the file when live content uses the item
// (or the caller may see drafts).
func PublicMediaPath(id int64) string { return "/api/public/v1/media/" + strconv.FormatInt(id, 10) }

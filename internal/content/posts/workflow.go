package posts

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/search"
)

// Transition moves a post through content.PostWorkflow:
//   - to scheduled (with at, in the future): publish_at is set and a job
//     publishes the post then;
//   - to published: the working copy goes live now (post_live, the public
//     search document, a redirect from the old live slug), published_at
//     set at the first publish;
//   - to draft from published: unpublished now; with at, a scheduled
//     unpublish instead (unpublish_at; the post stays published until
//     then);
//   - to archived: taken off the website if live;
//   - to draft from scheduled: unscheduled.
//
// Moves between draft and in_review need content.edit, every other one
// content.publish (content.PermissionFor). A refused move is 409
// INVALID_TRANSITION, the same status included; publishing the edits of
// a published post is PublishChanges.
func (s *Service) Transition(ctx context.Context, id int64, in TransitionInput, ifMatch string) ([]byte, error) {
	pr, err := authz.Require(ctx, content.PermEdit)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	var body []byte
	var event string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		from := p.Status
		if in.To == content.Draft && in.At != nil {
			// a scheduled unpublish
			if !pr.Can(content.PermPublish) {
				return denied(from, in.To)
			}
			if from != content.Published {
				fe := newFieldErrs()
				fe.add("at", "only a published post's unpublishing can be scheduled", ReasonInvalid)
				return fe.err()
			}
			at := in.At.UTC().Truncate(time.Microsecond)
			p.UnpublishAt, p.UpdatedAt = &at, now
			if err := s.store.SetWorkflow(ctx, tx, p); err != nil {
				return err
			}
			if err := s.enqueue(ctx, tx, ScheduledArgs{PostID: id, At: at, Unpublish: true}); err != nil {
				return err
			}
			if err := s.record(ctx, tx, "posts.schedule_unpublish", id, map[string]audit.Change{"unpublish_at": {To: at}}); err != nil {
				return err
			}
		} else {
			if need := content.PermissionFor(from, in.To); !pr.Can(need) {
				return denied(from, in.To)
			}
			if err := content.PostWorkflow.Check(from, in.To); err != nil {
				return err
			}
			if event, err = s.move(ctx, tx, &p, in.To, in.At, now); err != nil {
				return err
			}
		}
		tx.Touch(content.TagPosts)
		tx.Touch(postTag(id))
		body, err = s.reread(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, slugConflict(err)
	}
	if event == "" {
		event = "updated"
	}
	s.announce(ctx, event, id)
	return body, nil
}

func denied(from, to content.Status) error {
	return apperr.New(apperr.PermissionDenied, "moving a post from %s to %s needs the permission %q", from, to,
		string(content.PermissionFor(from, to)))
}

// move makes an allowed move in tx, with its audit row; it returns the
// event name to announce.
func (s *Service) move(ctx context.Context, tx *db.Tx, p *Post, to content.Status, at *time.Time, now time.Time) (string, error) {
	from := p.Status
	action := "posts.transition"
	event := "updated"
	changes := map[string]audit.Change{"status": {From: from, To: to}}
	wasLive := p.LiveRevision != nil
	p.Status, p.UpdatedAt = to, now
	switch to {
	case content.Scheduled:
		t := at.UTC().Truncate(time.Microsecond)
		p.PublishAt, p.UnpublishAt = &t, nil
		changes["publish_at"] = audit.Change{To: t}
		action = "posts.schedule"
		if err := s.enqueue(ctx, tx, ScheduledArgs{PostID: p.ID, At: t}); err != nil {
			return "", err
		}
	case content.Published:
		p.PublishAt, p.UnpublishAt = nil, nil
		if err := s.goLive(ctx, tx, p, now, "post.published"); err != nil {
			return "", err
		}
		action, event = "posts.publish", "published"
	default: // draft, in_review, archived
		p.PublishAt, p.UnpublishAt = nil, nil
		if wasLive {
			if err := s.takeDown(ctx, tx, *p); err != nil {
				return "", err
			}
			action, event = "posts.unpublish", "unpublished"
		}
	}
	if err := s.store.SetWorkflow(ctx, tx, *p); err != nil {
		return "", err
	}
	return event, s.record(ctx, tx, action, p.ID, changes)
}

func (s *Service) record(ctx context.Context, tx *db.Tx, action string, id int64, changes map[string]audit.Change) error {
	return audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: "post", ResourceID: strconv.FormatInt(id, 10),
		Changes: changes})
}

// goLive writes p's working copy as its live version in tx: post_live
// and its terms, a redirect from the old live slug, the public search
// document, published_at at the first publish, the notifier's event
// (post.published or post.updated), TagPublic touched.
func (s *Service) goLive(ctx context.Context, tx *db.Tx, p *Post, now time.Time, event string) error {
	if p.PublishedAt == nil {
		p.PublishedAt = &now
	}
	if err := s.store.PutLive(ctx, tx, *p, *p.PublishedAt, now); err != nil {
		return err
	}
	if s.index != nil {
		if err := s.index.Put(ctx, tx, s.doc(*p, search.Public)); err != nil {
			return err
		}
	}
	if err := s.notify(ctx, tx, event, *p); err != nil {
		return err
	}
	tx.Touch(content.TagPublic)
	return nil
}

// takeDown removes p's live version in tx (post_live, the public search
// document), tells the notifier (post.unpublished), touches TagPublic.
func (s *Service) takeDown(ctx context.Context, tx *db.Tx, p Post) error {
	if _, err := s.store.DeleteLive(ctx, tx, p.ID); err != nil {
		return err
	}
	if s.index != nil {
		if err := s.index.Remove(ctx, tx, DocKind, p.ID, search.Public); err != nil {
			return err
		}
	}
	if err := s.notify(ctx, tx, "post.unpublished", p); err != nil {
		return err
	}
	tx.Touch(content.TagPublic)
	return nil
}

// PublishChanges puts a published post's working copy live (its edits
// since the last publish): POST /api/posts/{id}/publish-changes. The
// workflow refuses published → published, so this is its own route.
func (s *Service) PublishChanges(ctx context.Context, id int64, ifMatch string) ([]byte, error) {
	if _, err := authz.Require(ctx, content.PermPublish); err != nil {
		return nil, err
	}
	var body []byte
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.load(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		if p.Status != content.Published {
			return apperr.New(apperr.InvalidTransition, "only a published post's changes can be published").
				WithDetail("from", p.Status).WithDetail("to", content.Published).
				WithDetail("allowed", content.PostWorkflow.Allowed(p.Status)).WithReason("not_published")
		}
		from := p.LiveRevision
		now := s.clock()
		p.UpdatedAt = now
		if err := s.goLive(ctx, tx, &p, now, "post.updated"); err != nil {
			return err
		}
		if err := s.store.SetWorkflow(ctx, tx, p); err != nil {
			return err
		}
		if err := s.record(ctx, tx, "posts.publish_changes", id, map[string]audit.Change{
			"live_revision": {From: from, To: p.Revision}}); err != nil {
			return err
		}
		tx.Touch(content.TagPosts)
		tx.Touch(postTag(id))
		body, err = s.reread(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, slugConflict(err)
	}
	s.announce(ctx, "published", id)
	return body, nil
}

// ScheduledArgs is a scheduled publish (or, with Unpublish, unpublish) of
// a post at At. The job runs at At (or, after a stop, when the queue next
// starts) and acts only if the post is still scheduled for exactly that
// time: rescheduling or unscheduling leaves an old job a no-op, and a
// retry after a success finds nothing to do, so it fires once however
// many instances and retries there are.
type ScheduledArgs struct {
	PostID    int64     `json:"post_id"`
	At        time.Time `json:"at"`
	Unpublish bool      `json:"unpublish,omitempty"`
}

// Kind implements river.JobArgs.
func (ScheduledArgs) Kind() string { return "posts_scheduled" }

func (s *Service) enqueue(ctx context.Context, tx *db.Tx, args ScheduledArgs) error {
	if s.queue == nil {
		return errors.New("posts: no job queue to schedule on")
	}
	return s.queue.Enqueue(ctx, tx, args, &river.InsertOpts{ScheduledAt: args.At})
}

type scheduledWorker struct {
	river.WorkerDefaults[ScheduledArgs]
	s *Service
}

func (w *scheduledWorker) Work(ctx context.Context, job *river.Job[ScheduledArgs]) error {
	_, err := w.s.RunScheduled(ctx, job.Args)
	return err
}

// Register adds the posts' job workers.
func Register(s *Service, workers *river.Workers) {
	river.AddWorker(workers, &scheduledWorker{s: s})
}

// RunScheduled carries out a scheduled publish or unpublish in one
// transaction if the post is still scheduled for exactly a.At; it reports
// whether it did.
func (s *Service) RunScheduled(ctx context.Context, a ScheduledArgs) (bool, error) {
	ctx = authz.With(ctx, authz.System)
	want := a.At.UTC().Truncate(time.Microsecond)
	due := func(t *time.Time) bool { return t != nil && t.Equal(want) }
	var event string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.store.Get(ctx, tx, a.PostID, true)
		if errors.Is(err, ErrNotFound) {
			return nil // deleted since
		}
		if err != nil {
			return err
		}
		now := s.clock()
		switch {
		case !a.Unpublish && p.Status == content.Scheduled && due(p.PublishAt):
			if event, err = s.move(ctx, tx, &p, content.Published, nil, now); err != nil {
				return err
			}
		case a.Unpublish && p.Status == content.Published && due(p.UnpublishAt):
			if event, err = s.move(ctx, tx, &p, content.Draft, nil, now); err != nil {
				return err
			}
		default:
			return nil
		}
		tx.Touch(content.TagPosts)
		tx.Touch(postTag(p.ID))
		return nil
	})
	if err != nil || event == "" {
		return false, slugConflict(err)
	}
	s.announce(ctx, event, a.PostID)
	return true, nil
}

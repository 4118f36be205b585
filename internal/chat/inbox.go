package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// The panel's inbox: chatbot.view reads, chatbot.handle takes, replies and
// resolves. Every agent action is audited.

// ReasonHeldByOther is details.reason of the 409 a reply to a conversation
// another agent holds gets (take it over first).
const ReasonHeldByOther = "held_by_other"

// ConversationFilter is the inbox list's filter.
type ConversationFilter struct {
	State State
}

// ListConversations returns conversations, newest first, as the encoded
// envelope.
func (s *Service) ListConversations(ctx context.Context, f ConversationFilter, pr paging.Request) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	binding := "conversations|s=" + string(f.State)
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	page := fmt.Sprintf("|p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("|c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	return s.cache.Fetch(ctx, ResourceConversations, "chat:conversations:"+cache.KeyHash(binding+page), []string{convListTag}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			return db.NewestFirst(pr, s.cursors, binding, after, "c.id",
				func(tail string, args ...any) ([]Conversation, error) {
					return listConvs(ctx, s.db.Reader(), f.State, tail, args...)
				},
				func() (int64, error) { return countConvs(ctx, s.db.Reader(), f.State) },
				func(c Conversation) int64 { return c.ID })
		})
}

// GetConversation returns one conversation with its transcript, as the
// encoded body.
func (s *Service) GetConversation(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, ResourceConversations, "chat:conversation:"+strconv.FormatInt(id, 10), []string{convTag(id)}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			d, err := s.detail(ctx, s.db.Reader(), id)
			if err != nil {
				return nil, err
			}
			return json.Marshal(d)
		})
}

func (s *Service) detail(ctx context.Context, q db.Querier, id int64) (ConversationDetail, error) {
	c, err := getConv(ctx, q, id)
	if errors.Is(err, errNoRow) {
		return ConversationDetail{}, errConvNotFound
	}
	if err != nil {
		return ConversationDetail{}, err
	}
	msgs, err := messages(ctx, q, id, 0, 0)
	if err != nil {
		return ConversationDetail{}, err
	}
	return ConversationDetail{Conversation: c.Conversation, Messages: msgs}, nil
}

// UnreadCounts returns the inbox's badge figures (never cached: it is one
// small query, and it moves with every message).
func (s *Service) UnreadCounts(ctx context.Context) (Unread, error) {
	if _, err := authz.Require(ctx, PermView); err != nil {
		return Unread{}, err
	}
	return unreadCounts(ctx, s.db.Reader())
}

// Take gives the conversation to the calling agent: from bot or waiting,
// or from another agent (a takeover). The bot is quiet from then on.
func (s *Service) Take(ctx context.Context, id int64) (ConversationDetail, error) {
	p, err := authz.Require(ctx, PermHandle)
	if err != nil {
		return ConversationDetail{}, err
	}
	return s.change(ctx, id, func(tx *db.Tx, cur stored) (string, map[string]audit.Change, error) {
		if cur.State == StateAgent && cur.Assignee != nil && cur.Assignee.ID == p.UserID || !can(cur.State, StateAgent) {
			return "", nil, refuse(cur.State, StateAgent)
		}
		if err := s.assign(ctx, tx, cur, p.UserID); err != nil {
			return "", nil, err
		}
		changes := map[string]audit.Change{"state": {From: cur.State, To: StateAgent}, "assignee_id": {From: assigneeID(cur), To: p.UserID}}
		return "chat.take", changes, nil
	})
}

// assign moves a conversation to state agent held by user, marking what it
// holds as seen. Only a user can hold one (not the command line's System).
func (s *Service) assign(ctx context.Context, tx *db.Tx, cur stored, user int64) error {
	if user <= 0 {
		return apperr.New(apperr.PermissionDenied, "only a panel user can hold a conversation")
	}
	ok, err := setState(ctx, tx, cur.ID, cur.State, StateAgent, &user, s.stamp())
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Conflict, "the conversation changed meanwhile; reload it")
	}
	last, err := lastMessageID(ctx, tx, cur.ID)
	if err != nil {
		return err
	}
	return markSeen(ctx, tx, cur.ID, last)
}

func assigneeID(c stored) any {
	if c.Assignee == nil {
		return nil
	}
	return c.Assignee.ID
}

// Reply sends an agent's message to the visitor. A conversation the bot or
// nobody holds is taken by the agent first (in the same transaction); one
// another agent holds is 409 held_by_other; a resolved one 409
// conversation_resolved.
func (s *Service) Reply(ctx context.Context, id int64, in MessageInput) (PanelMessage, error) {
	p, err := authz.Require(ctx, PermHandle)
	if err != nil {
		return PanelMessage{}, err
	}
	if err := in.Validate(); err != nil {
		return PanelMessage{}, err
	}
	var msgID int64
	if _, err := s.change(ctx, id, func(tx *db.Tx, cur stored) (string, map[string]audit.Change, error) {
		changes := map[string]audit.Change{}
		switch {
		case cur.State == StateResolved:
			return "", nil, apperr.New(apperr.Conflict, "this conversation is resolved").WithReason(ReasonResolved)
		case cur.State == StateAgent && (cur.Assignee == nil || cur.Assignee.ID != p.UserID):
			return "", nil, apperr.New(apperr.Conflict, "another agent holds this conversation; take it over first").WithReason(ReasonHeldByOther)
		case cur.State != StateAgent:
			if err := s.assign(ctx, tx, cur, p.UserID); err != nil {
				return "", nil, err
			}
			changes["state"] = audit.Change{From: cur.State, To: StateAgent}
			changes["assignee_id"] = audit.Change{From: nil, To: p.UserID}
		}
		var err error
		if msgID, err = insertMsg(ctx, tx, id, RoleAgent, in.Text, nil, p.UserID, "", s.stamp()); err != nil {
			return "", nil, err
		}
		if err := markSeen(ctx, tx, id, msgID); err != nil {
			return "", nil, err
		}
		changes["message_id"] = audit.Change{To: msgID}
		return "chat.reply", changes, nil
	}); err != nil {
		return PanelMessage{}, err
	}
	return getMsg(ctx, s.db.Reader(), id, msgID)
}

// Resolve closes the conversation (from any state but resolved).
func (s *Service) Resolve(ctx context.Context, id int64) (ConversationDetail, error) {
	if _, err := authz.Require(ctx, PermHandle); err != nil {
		return ConversationDetail{}, err
	}
	return s.change(ctx, id, func(tx *db.Tx, cur stored) (string, map[string]audit.Change, error) {
		if !can(cur.State, StateResolved) {
			return "", nil, refuse(cur.State, StateResolved)
		}
		ok, err := setState(ctx, tx, id, cur.State, StateResolved, assigneePtr(cur), s.stamp())
		if err != nil {
			return "", nil, err
		}
		if !ok {
			return "", nil, apperr.New(apperr.Conflict, "the conversation changed meanwhile; reload it")
		}
		return "chat.resolve", map[string]audit.Change{"state": {From: cur.State, To: StateResolved}}, nil
	})
}

func assigneePtr(c stored) *int64 {
	if c.Assignee == nil {
		return nil
	}
	id := c.Assignee.ID
	return &id
}

// change runs an agent's action on a conversation in one transaction with
// its audit row, then announces it to the panel and the visitor's streams,
// and answers the conversation as it now is.
func (s *Service) change(ctx context.Context, id int64,
	act func(tx *db.Tx, cur stored) (action string, changes map[string]audit.Change, err error)) (ConversationDetail, error) {
	var out ConversationDetail
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getConv(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errConvNotFound
		}
		if err != nil {
			return err
		}
		action, changes, err := act(tx, cur)
		if err != nil {
			return err
		}
		tx.Touch(convListTag)
		tx.Touch(convTag(id))
		if err := audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: "chat_conversation",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		out, err = s.detail(ctx, tx, id)
		return err
	})
	if err != nil {
		return ConversationDetail{}, err
	}
	s.conversationChanged(ctx, "updated", id)
	return out, nil
}

// ToFAQ turns an agent's reply into a new FAQ entry in the conversation's
// language: the reply is the answer, the question is given or the
// visitor's last message before the reply. One transaction, audited as an
// FAQ creation naming the conversation and message.
func (s *Service) ToFAQ(ctx context.Context, convID, msgID int64, in ToFAQInput) (FAQ, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return FAQ{}, err
	}
	var out FAQ
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := getConv(ctx, tx, convID)
		if errors.Is(err, errNoRow) {
			return errConvNotFound
		}
		if err != nil {
			return err
		}
		m, err := getMsg(ctx, tx, convID, msgID)
		if errors.Is(err, errNoRow) {
			return apperr.New(apperr.NotFound, "no such message in this conversation")
		}
		if err != nil {
			return err
		}
		if m.Role != RoleAgent {
			return apperr.FieldReason("message_id", "only an agent's reply can become an FAQ entry", "not_agent_reply")
		}
		question := ""
		if in.Question != nil {
			question = *in.Question
		} else if question, err = visitorBefore(ctx, tx, convID, msgID); errors.Is(err, errNoRow) {
			return apperr.FieldReason("question", "is required: no visitor message comes before this reply", "required")
		} else if err != nil {
			return err
		}
		fi := FAQInput{Lang: c.Lang, Question: question, Answer: m.Text, Phrasings: in.Phrasings}
		if err := fi.Validate(); err != nil {
			return err
		}
		out, err = s.createFAQ(ctx, tx, fi, map[string]audit.Change{
			"from_conversation_id": {To: convID}, "from_message_id": {To: msgID}})
		return err
	})
	if err != nil {
		return FAQ{}, err
	}
	s.publish(ctx, events.Event{Event: "created", Resource: ResourceFAQ, ID: out.ID})
	return out, nil
}

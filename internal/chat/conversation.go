package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/events"
)

// The visitor's side: no login; a conversation's token is its only
// credential. The token is 32 random bytes (base64url, prefixed "pkc_");
// the server keeps its SHA-256 only and compares in constant time, so a
// database dump reveals no token and timing reveals nothing of the hash.
// A wrong token, another conversation's token and an unknown conversation
// all answer the same 404, so a token tells nothing of other
// conversations; a missing one is 401.

// tokenPrefix marks the visitor tokens (so a leaked one is recognisable).
const tokenPrefix = "pkc_"

// ReasonResolved is details.reason of the 409 a message to a resolved
// conversation gets: the widget starts a new one.
const ReasonResolved = "conversation_resolved"

// ReasonKeyReused is details.reason of the 409 an Idempotency-Key sent
// again with another text gets.
const ReasonKeyReused = "idempotency_key_reused"

// errKeyRace is a visitor message's insert losing to a concurrent one
// with the same Idempotency-Key.
var errKeyRace = errors.New("chat: an Idempotency-Key stored concurrently")

// AnswerTimeout bounds the bot's answer to one message, which goes on
// after the visitor's request ends.
const AnswerTimeout = 2 * time.Minute

// MaxKeyLength bounds an Idempotency-Key.
const MaxKeyLength = 200

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

var errNoToken = apperr.New(apperr.Unauthenticated, "send the conversation's token as Authorization: Bearer")

// open returns the conversation id names when token is its token.
func (s *Service) open(ctx context.Context, q db.Querier, id int64, token string) (stored, error) {
	if token == "" {
		return stored{}, errNoToken
	}
	c, err := getConv(ctx, q, id)
	if errors.Is(err, errNoRow) {
		// hash anyway: an unknown id takes as long as a wrong token
		_ = subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(strings.Repeat("0", 64)))
		return stored{}, errConvNotFound
	}
	if err != nil {
		return stored{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(c.tokenHash)) != 1 {
		return stored{}, errConvNotFound
	}
	return c, nil
}

// Start opens a conversation in state bot and returns its token, this once.
func (s *Service) Start(ctx context.Context, in StartInput) (Started, error) {
	if err := in.Validate(); err != nil {
		return Started{}, err
	}
	if err := s.take(ctx, s.startLimits(ctx)...); err != nil {
		return Started{}, err
	}
	token, err := newToken()
	if err != nil {
		return Started{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = insertConv(ctx, tx, in.Lang, hashToken(token), s.stamp())
		tx.Touch(convListTag)
		return err
	})
	if err != nil {
		return Started{}, err
	}
	s.publish(ctx, events.Event{Event: "created", Resource: ResourceConversations, ID: id})
	return Started{ID: id, Token: token}, nil
}

// Transcript returns the conversation as its visitor sees it.
func (s *Service) Transcript(ctx context.Context, id int64, token string) (Transcript, error) {
	c, err := s.open(ctx, s.db.Reader(), id, token)
	if err != nil {
		return Transcript{}, err
	}
	msgs, err := messages(ctx, s.db.Reader(), id, 0, 0)
	if err != nil {
		return Transcript{}, err
	}
	return Transcript{ID: id, Lang: c.Lang, State: c.State, Messages: visitorView(msgs)}, nil
}

// visitorView drops what only the panel sees (the agent's account).
func visitorView(msgs []PanelMessage) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = m.Message
	}
	return out
}

// Post stores a visitor's message and, while the bot holds the
// conversation, the bot's answer (see answer). key is the request's
// Idempotency-Key ("" for none): the same key again with the same text
// answers the first message's id and stores nothing.
func (s *Service) Post(ctx context.Context, id int64, token string, in MessageInput, key string) (int64, error) {
	c, err := s.open(ctx, s.db.Reader(), id, token)
	if err != nil {
		return 0, err
	}
	if len(key) > MaxKeyLength {
		return 0, apperr.FieldReason("Idempotency-Key", "must be at most 200 characters", "too_long")
	}
	if !utf8.ValidString(key) || strings.ContainsRune(key, 0) {
		return 0, apperr.FieldReason("Idempotency-Key", "must be text (UTF-8, no NUL)", "invalid")
	}
	if key != "" {
		prev, text, err := msgByKey(ctx, s.db.Reader(), id, key)
		switch {
		case err == nil && text == in.Text:
			return prev, nil
		case err == nil:
			return 0, apperr.New(apperr.Conflict, "this Idempotency-Key was sent with another message").WithReason(ReasonKeyReused)
		case !errors.Is(err, errNoRow):
			return 0, err
		}
	}
	if c.State == StateResolved {
		return 0, apperr.New(apperr.Conflict, "this conversation is closed; start a new one").WithReason(ReasonResolved)
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if err := s.take(ctx, s.messageLimits(ctx, id)...); err != nil {
		return 0, err
	}
	var msgID int64
	var state State
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getConv(ctx, tx, id)
		if err != nil {
			return err
		}
		if state = cur.State; state == StateResolved {
			return apperr.New(apperr.Conflict, "this conversation is closed; start a new one").WithReason(ReasonResolved)
		}
		msgID, err = insertMsg(ctx, tx, id, RoleVisitor, in.Text, nil, 0, key, s.stamp())
		if db.IsUnique(err) && key != "" {
			return errKeyRace
		}
		tx.Touch(convListTag)
		tx.Touch(convTag(id))
		return err
	})
	if errors.Is(err, errKeyRace) {
		// the same key sent twice at once: the other request stored it, and
		// this one counts against no limit
		for _, l := range s.messageLimits(ctx, id) {
			_ = s.counter.Undo(ctx, l.key)
		}
		prev, text, err := msgByKey(ctx, s.db.Reader(), id, key)
		switch {
		case err != nil:
			return 0, err
		case text != in.Text:
			return 0, apperr.New(apperr.Conflict, "this Idempotency-Key was sent with another message").WithReason(ReasonKeyReused)
		}
		return prev, nil
	}
	if err != nil {
		return 0, err
	}
	s.conversationChanged(ctx, "updated", id)
	if state == StateBot {
		// the 202 promises the answer on the stream: it must not die with
		// the request when the visitor leaves right after sending
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), AnswerTimeout)
		defer cancel()
		if err := s.answer(actx, c.Conversation, in.Text); err != nil {
			// the visitor's message is stored: the panel sees it; say so in the log
			slog.ErrorContext(ctx, "the chat bot could not answer", "conversation_id", id, "err", err)
		}
	}
	return msgID, nil
}

// retrieved keeps the sources an Answerer cites that are among the passages
// it was given, as retrieval made them (their URLs on the website): a model
// steered by the visitor, or inventing, cites nothing else in the bot's name.
func retrieved(cited []Source, passages []Passage) []Source {
	var out []Source
	for _, c := range cited {
		for _, p := range passages {
			if p.Source.Type == c.Type && p.Source.Slug == c.Slug && !slices.Contains(out, p.Source) {
				out = append(out, p.Source)
				break
			}
		}
	}
	return out
}

// answer writes the bot's reply to a visitor's message: retrieval, then
// the Answerer (when set) or decide, then, in one transaction that first
// checks the bot still holds the conversation (an agent may have taken it
// meanwhile: then the bot says nothing), the message and, for a handoff,
// the move to waiting.
func (s *Service) answer(ctx context.Context, c Conversation, text string) error {
	passages, err := s.retrieve(ctx, c.Lang, text)
	if err != nil {
		return err
	}
	r := decide(c.Lang, text, passages)
	if s.answerer != nil && queryText(text) != "" {
		history, err := messages(ctx, s.db.Reader(), c.ID, 0, 0)
		if err != nil {
			return err
		}
		out, err := s.answerer.Answer(ctx, AnswerInput{Lang: c.Lang, Message: text, History: visitorView(history),
			Passages: passages}, func(string) {})
		if err != nil {
			slog.WarnContext(ctx, "the chat answerer failed; answering from the FAQ", "conversation_id", c.ID, "err", err)
		} else {
			r = reply{text: out.Text, sources: retrieved(out.Sources, passages), handoff: out.Handoff}
			if r.text == "" && r.handoff {
				r.text = botText[c.Lang].handoff
			}
		}
	}
	said := false
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getConv(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if cur.State != StateBot {
			return nil
		}
		said = true
		if _, err := insertMsg(ctx, tx, c.ID, RoleBot, r.text, r.sources, 0, "", s.stamp()); err != nil {
			return err
		}
		if r.handoff {
			if _, err := setState(ctx, tx, c.ID, StateBot, StateWaiting, nil, s.stamp()); err != nil {
				return err
			}
		}
		tx.Touch(convListTag)
		tx.Touch(convTag(c.ID))
		return nil
	})
	if err != nil {
		return err
	}
	if said {
		s.conversationChanged(ctx, "updated", c.ID)
	}
	return nil
}

// Handoff is the visitor asking for a person: bot → waiting, with the
// bot saying so. From any other state it is INVALID_TRANSITION.
func (s *Service) Handoff(ctx context.Context, id int64, token string) (Transcript, error) {
	if _, err := s.open(ctx, s.db.Reader(), id, token); err != nil {
		return Transcript{}, err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getConv(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.State != StateBot {
			return refuse(cur.State, StateWaiting)
		}
		if _, err := setState(ctx, tx, id, StateBot, StateWaiting, nil, s.stamp()); err != nil {
			return err
		}
		if _, err := insertMsg(ctx, tx, id, RoleBot, botText[cur.Lang].handoffAsked, nil, 0, "", s.stamp()); err != nil {
			return err
		}
		tx.Touch(convListTag)
		tx.Touch(convTag(id))
		return nil
	})
	if err != nil {
		return Transcript{}, err
	}
	s.conversationChanged(ctx, "updated", id)
	return s.Transcript(ctx, id, token)
}

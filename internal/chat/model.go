// Package chat is the website chatbot's room: FAQ entries (the knowledge
// base the panel manages), visitors' conversations under
// /api/public/v1/chat with their bot answers, handoff to a person, and the
// panel inbox where agents take, answer and resolve them.
//
// A conversation's life (after Chatwoot's "pending" bot conversations and
// human handoff, reduced to what the contract names):
//
//	bot ──(visitor asks for a person, or the bot is not confident)──▶ waiting
//	bot, waiting ──(an agent takes it)──▶ agent ──(another agent takes it)──▶ agent
//	bot, waiting, agent ──(an agent resolves it)──▶ resolved (final)
//
// Only in state bot does the bot answer; while a person is asked for or
// holds it, visitor messages wait for the agent. A resolved conversation
// takes no more messages (the widget starts a new one).
//
// The bot works without any language model: it retrieves FAQ entries and
// published posts and projects from the search index and answers with the
// best FAQ entry when its confidence (confidence.go) reaches Threshold, else
// offers a person. An Answerer (the seam for a language model, wired by the
// server) may write the answer from the same retrieved passages instead.
package chat

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// The room's permissions (API.md section 3).
const (
	// PermView reads the inbox, conversations, FAQ entries and canned replies.
	PermView authz.Permission = "chatbot.view"
	// PermHandle takes, answers and resolves conversations.
	PermHandle authz.Permission = "chatbot.handle"
	// PermManage edits FAQ entries, canned replies and the bot's settings.
	PermManage authz.Permission = "chatbot.manage"
)

func init() {
	authz.Register(map[authz.Permission]string{
		PermView:   "See chatbot conversations, FAQ entries and canned replies",
		PermHandle: "Take website chats from the bot, reply to visitors and resolve chats",
		PermManage: "Edit the chatbot's FAQ entries and canned replies",
	})
}

// Events resources: the panel hears of conversations (ResourceConversations,
// with PermView) and of FAQ entries and canned replies (ResourceFAQ); each
// conversation's visitor stream hears of it on resourceVisitor, which no
// panel stream is given (the hub drops resources it does not know).
const (
	ResourceConversations = "chat"
	ResourceFAQ           = "faq"
	resourceVisitor       = "chat_visitor"
)

// Lang is a conversation's or an entry's language.
type Lang string

// The languages.
const (
	Fa Lang = "fa"
	En Lang = "en"
)

// Known reports whether l is fa or en.
func (l Lang) Known() bool { return l == Fa || l == En }

// EnumValues lists the languages for the OpenAPI document.
func (Lang) EnumValues() []string { return []string{string(Fa), string(En)} }

// State is where a conversation is.
type State string

// The states (see the package comment).
const (
	StateBot      State = "bot"
	StateWaiting  State = "waiting"
	StateAgent    State = "agent"
	StateResolved State = "resolved"
)

// EnumValues lists the states for the OpenAPI document.
func (State) EnumValues() []string {
	return []string{string(StateBot), string(StateWaiting), string(StateAgent), string(StateResolved)}
}

// Known reports whether s is a state.
func (s State) Known() bool {
	switch s {
	case StateBot, StateWaiting, StateAgent, StateResolved:
		return true
	}
	return false
}

// transitions lists where each state may go (agent → agent: another agent
// takes it over).
var transitions = map[State][]State{
	StateBot:      {StateWaiting, StateAgent, StateResolved},
	StateWaiting:  {StateAgent, StateResolved},
	StateAgent:    {StateAgent, StateResolved},
	StateResolved: {},
}

// refuse is INVALID_TRANSITION naming from, to and what from allows.
func refuse(from, to State) error {
	allowed := []string{}
	for _, s := range transitions[from] {
		allowed = append(allowed, string(s))
	}
	return (&apperr.Error{Code: apperr.InvalidTransition,
		Message: fmt.Sprintf("a %s conversation cannot become %s", from, to)}).
		WithDetail("from", string(from)).WithDetail("to", string(to)).WithDetail("allowed", allowed)
}

// can reports whether from may become to.
func can(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Role is who wrote a message.
type Role string

// The roles of a message.
const (
	RoleVisitor Role = "visitor"
	RoleBot     Role = "bot"
	RoleAgent   Role = "agent"
)

// EnumValues lists the roles for the OpenAPI document.
func (Role) EnumValues() []string {
	return []string{string(RoleVisitor), string(RoleBot), string(RoleAgent)}
}

// Source is what a bot answer cites: an FAQ entry, a post or a project.
type Source struct {
	Type  string `json:"type" doc:"faq, post or project"`
	Slug  string `json:"slug" doc:"the post's or project's slug; an FAQ entry's id"`
	Title string `json:"title"`
	URL   string `json:"url" doc:"the page on the website; empty for an FAQ entry"`
}

// Message is one message of a conversation as the visitor sees it.
type Message struct {
	ID      int64     `json:"id"`
	Role    Role      `json:"role"`
	Text    string    `json:"text"`
	Sources []Source  `json:"sources"`
	At      time.Time `json:"at"`
}

// Actor is a panel user named in the inbox.
type Actor struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// PanelMessage is a message as the inbox shows it: with its author.
type PanelMessage struct {
	Message
	Author *Actor `json:"author" doc:"the agent who wrote it; null for the visitor and the bot"`
}

// Started is the answer to a new conversation: its id and the visitor's
// token, the only credential for it, shown this once.
type Started struct {
	ID    int64  `json:"id"`
	Token string `json:"token" doc:"send as Authorization: Bearer (or ?token= on the stream); the server keeps only its hash"`
}

// Transcript is a conversation as its visitor reads it.
type Transcript struct {
	ID       int64     `json:"id"`
	Lang     Lang      `json:"lang"`
	State    State     `json:"state"`
	Messages []Message `json:"messages"`
}

// Conversation is a conversation as the inbox lists it.
type Conversation struct {
	ID            int64     `json:"id"`
	Lang          Lang      `json:"lang"`
	State         State     `json:"state"`
	Assignee      *Actor    `json:"assignee" doc:"the agent holding it (state agent)"`
	Unread        int64     `json:"unread" doc:"visitor messages since an agent last took or answered it"`
	LastMessage   string    `json:"last_message" doc:"the start of the newest message"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	LastMessageAt time.Time `json:"last_message_at"`
}

// ConversationDetail is one conversation with its whole transcript.
type ConversationDetail struct {
	Conversation
	Messages []PanelMessage `json:"messages"`
}

// Unread is the inbox's badge: conversations asking for a person, and
// visitor messages no agent has answered yet.
type Unread struct {
	Waiting  int64 `json:"waiting" doc:"conversations in state waiting"`
	Messages int64 `json:"messages" doc:"unread visitor messages of conversations in state waiting or agent"`
}

// Limits of texts.
const (
	// MaxMessageRunes bounds a message (visitor's or agent's).
	MaxMessageRunes = 2000
	// MaxMessageBody bounds a message request's body (413 past it): the
	// longest message, every character escaped, with room for the JSON.
	MaxMessageBody = 16 << 10
	MaxQuestion    = 500
	MaxAnswer      = 5000
	MaxPhrasings   = 20
	MaxTitle       = 200
)

// StartInput is the body of POST /conversations.
type StartInput struct {
	Lang Lang `json:"lang"`
}

// Validate names every bad field.
func (in StartInput) Validate() error {
	if !in.Lang.Known() {
		return apperr.FieldReason("lang", "must be fa or en", "invalid")
	}
	return nil
}

// MessageInput is the body of a visitor's or an agent's message.
type MessageInput struct {
	Text string `json:"text"`
}

// Validate names every bad field.
func (in MessageInput) Validate() error {
	return checkText("text", in.Text, MaxMessageRunes, true)
}

// checkText: valid UTF-8, no control characters but newlines and tabs, not
// blank when required, at most max characters. Its field reasons are
// required, too_long and invalid.
func checkText(field, v string, max int, required bool) error {
	switch {
	case !utf8.ValidString(v):
		return apperr.FieldReason(field, "must be valid UTF-8 text", "invalid")
	case required && strings.TrimSpace(v) == "":
		return apperr.FieldReason(field, "is required", "required")
	case utf8.RuneCountInString(v) > max:
		return apperr.FieldReason(field, fmt.Sprintf("must be at most %d characters", max), "too_long")
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }):
		return apperr.FieldReason(field, "must not contain control characters", "invalid")
	case strings.ContainsFunc(v, bidiOverride):
		return apperr.FieldReason(field, "must not contain direction overrides or isolates (U+202A–U+202E, U+2066–U+2069)", "invalid")
	}
	return nil
}

// bidiOverride reports the characters that reorder the text after them
// (embeddings, overrides, isolates): in a visitor's message they would make
// an agent read something other than what was sent. The marks Persian needs
// (ZWNJ, LRM, RLM) are not among them.
func bidiOverride(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// fieldErr merges one check's field error into fe.
func fieldErr(fe apperr.FieldErrors, reasons map[string]string, err error) {
	e, ok := apperr.As(err)
	if !ok || e == nil {
		return
	}
	for k, v := range e.Fields {
		fe.Add(k, v)
	}
	if fr, ok := e.Details["field_reasons"].(map[string]string); ok {
		for k, v := range fr {
			if _, have := reasons[k]; !have {
				reasons[k] = v
			}
		}
	}
}

// validation is VALIDATION_FAILED with every field's message and reason.
func validation(fe apperr.FieldErrors, reasons map[string]string) error {
	if len(fe) == 0 {
		return nil
	}
	return apperr.Validation(fe).WithDetail("field_reasons", reasons)
}

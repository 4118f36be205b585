package chat

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// PublicPrefix is the visitors' chat API's base path (under the public
// API's, so its guard, CORS and per-IP limit, applies, and no session is
// looked at).
const PublicPrefix = "/api/public/v1/chat/"

// Public reports whether r is for the visitors' chat API.
func Public(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, PublicPrefix) }

// PublicStream reports whether r is a visitor's event stream (which
// outlives the request timeout).
func PublicStream(r *http.Request) bool { return Public(r) && strings.HasSuffix(r.URL.Path, "/stream") }

// The list envelopes, for the OpenAPI document.
type (
	FAQPage                = paging.Page[FAQ]
	FAQCursorPage          = paging.CursorPage[FAQ]
	ConversationsPage      = paging.Page[Conversation]
	ConversationCursorPage = paging.CursorPage[Conversation]
)

// Posted is the answer to a visitor's message: its id (the bot's answer,
// if any, comes on the stream and in the transcript).
type Posted struct {
	ID int64 `json:"id"`
}

var faqIfMatch = []httpapi.Param{{Name: "If-Match", Description: "the ETag of the FAQ entry as last read; a stale one gets 412"}}

// Routes mounts the chat endpoints (API.md section 9).
func Routes(rt *httpapi.Router, s *Service, opt StreamOptions) {
	h := handlers{s: s, streamOpt: opt}
	// FAQ entries
	rt.Handle("GET", "/api/faq", httpapi.Op{ID: "listFAQ", Tag: "chat", Permission: PermView, Cached: true,
		Summary: "FAQ entries, newest first (page or cursor pagination)", Response: FAQPage{}, Query: faqQuery},
		httpapi.List(ParseFAQFilter, s.ListFAQ))
	rt.Handle("POST", "/api/faq", httpapi.Op{ID: "createFAQ", Tag: "chat", Permission: PermManage, Status: http.StatusCreated,
		Request: FAQInput{}, Response: FAQ{}, Summary: "Add an FAQ entry (the bot answers from it at once)"}, h.createFAQ)
	rt.Handle("GET", "/api/faq/{id}", httpapi.Op{ID: "getFAQ", Tag: "chat", Permission: PermView, Cached: true,
		Summary: "One FAQ entry", Response: FAQ{}}, h.getFAQ)
	rt.Handle("PATCH", "/api/faq/{id}", httpapi.Op{ID: "updateFAQ", Tag: "chat", Permission: PermManage,
		Request: FAQPatch{}, Response: FAQ{}, Headers: faqIfMatch, Summary: "Change an FAQ entry"}, h.patchFAQ)
	rt.Handle("DELETE", "/api/faq/{id}", httpapi.Op{ID: "deleteFAQ", Tag: "chat", Permission: PermManage,
		Status: http.StatusNoContent, Headers: faqIfMatch, Summary: "Delete an FAQ entry"}, h.deleteFAQ)

	// the inbox
	rt.Handle("GET", "/api/chat/conversations", httpapi.Op{ID: "listChatConversations", Tag: "chat", Permission: PermView,
		Cached: true, Summary: "Website conversations, newest first (page or cursor pagination)",
		Response: ConversationsPage{}, Query: conversationsQuery},
		httpapi.List(ParseConversationFilter, s.ListConversations))
	rt.Handle("GET", "/api/chat/conversations/{id}", httpapi.Op{ID: "getChatConversation", Tag: "chat", Permission: PermView,
		Cached: true, Summary: "One conversation with its transcript", Response: ConversationDetail{}}, h.getConversation)
	rt.Handle("POST", "/api/chat/conversations/{id}/take", httpapi.Op{ID: "takeChatConversation", Tag: "chat",
		Permission: PermHandle, Response: ConversationDetail{}, Errors: []int{http.StatusConflict},
		Summary: "Take the conversation (from the bot, the queue or another agent); the bot stays quiet from then on"}, h.take)
	rt.Handle("POST", "/api/chat/conversations/{id}/messages", httpapi.Op{ID: "replyChatConversation", Tag: "chat",
		Permission: PermHandle, Status: http.StatusCreated, Request: MessageInput{}, Response: PanelMessage{},
		Errors:  []int{http.StatusConflict},
		Summary: "Reply to the visitor (taking the conversation when no agent holds it); the visitor's stream shows it at once"}, h.reply)
	rt.Handle("POST", "/api/chat/conversations/{id}/resolve", httpapi.Op{ID: "resolveChatConversation", Tag: "chat",
		Permission: PermHandle, Response: ConversationDetail{}, Errors: []int{http.StatusConflict},
		Summary: "Resolve the conversation (it takes no more messages)"}, h.resolve)
	rt.Handle("POST", "/api/chat/conversations/{id}/messages/{message_id}/faq", httpapi.Op{ID: "chatReplyToFAQ", Tag: "chat",
		Permission: PermManage, Status: http.StatusCreated, Request: ToFAQInput{}, Response: FAQ{},
		Summary: "Turn an agent's reply into a new FAQ entry (question: given, or the visitor's message before it)"}, h.toFAQ)
	rt.Handle("GET", "/api/chat/unread", httpapi.Op{ID: "chatUnread", Tag: "chat", Permission: PermView,
		Summary: "The inbox badge: conversations waiting for a person and unread visitor messages", Response: Unread{}}, h.unread)

	// canned replies
	rt.Handle("GET", "/api/chat/canned", httpapi.Op{ID: "listChatCanned", Tag: "chat", Permission: PermHandle,
		OrPermissions: []authz.Permission{PermManage}, Cached: true, Summary: "Every canned reply, by language and title",
		Response: CannedList{}}, h.listCanned)
	rt.Handle("POST", "/api/chat/canned", httpapi.Op{ID: "createChatCanned", Tag: "chat", Permission: PermManage,
		Status: http.StatusCreated, Request: CannedInput{}, Response: Canned{}, Summary: "Add a canned reply"}, h.createCanned)
	rt.Handle("PUT", "/api/chat/canned/{id}", httpapi.Op{ID: "updateChatCanned", Tag: "chat", Permission: PermManage,
		Request: CannedInput{}, Response: Canned{}, Summary: "Replace a canned reply"}, h.updateCanned)
	rt.Handle("DELETE", "/api/chat/canned/{id}", httpapi.Op{ID: "deleteChatCanned", Tag: "chat", Permission: PermManage,
		Status: http.StatusNoContent, Summary: "Delete a canned reply"}, h.deleteCanned)

	// visitors: every route but the start takes the conversation's token as
	// Authorization: Bearer (the stream also as ?token=)
	pub := func(id, summary string, req, resp any, status int, errs ...int) httpapi.Op {
		return httpapi.Op{ID: id, Tag: "chat-public", Public: true, Summary: summary, Request: req, Response: resp,
			Status: status, CacheControl: "no-store", Errors: append([]int{http.StatusTooManyRequests}, errs...)}
	}
	rt.Handle("POST", PublicPrefix+"conversations", pub("publicChatStart",
		"Start a conversation; the answer holds its token, this once", StartInput{}, Started{}, http.StatusCreated), h.start)
	get := pub("publicChatTranscript", "The conversation's state and transcript (Authorization: Bearer <token>)",
		nil, Transcript{}, http.StatusOK)
	rt.Handle("GET", PublicPrefix+"conversations/{id}", get, h.transcript)
	post := pub("publicChatMessage", "Send a message; 202 with its id, the bot's answer (while the bot holds the "+
		"conversation) follows on the stream", MessageInput{}, Posted{}, http.StatusAccepted, http.StatusConflict)
	post.Headers = []httpapi.Param{{Name: "Idempotency-Key",
		Description: "a resend with the same key and text answers the first message's id and stores nothing"}}
	rt.Handle("POST", PublicPrefix+"conversations/{id}/messages", post, h.post)
	stream := pub("publicChatStream", "Server-Sent Events: `event: state` {\"state\"}, `event: message` (id: the message id) "+
		"for the transcript after Last-Event-ID (or ?after=) and each new message; `event: token` is reserved for streamed "+
		"answers; ends once resolved", nil, nil, http.StatusOK)
	stream.Query = []httpapi.Param{
		{Name: "token", Description: "the conversation's token (EventSource cannot send Authorization)"},
		{Name: "after", Type: "integer", Description: "send only messages after this id (Last-Event-ID wins)"},
	}
	stream.Headers = []httpapi.Param{{Name: "Last-Event-ID", Description: "the last message id received"}}
	rt.Handle("GET", PublicPrefix+"conversations/{id}/stream", stream, h.stream)
	rt.Handle("POST", PublicPrefix+"conversations/{id}/handoff", pub("publicChatHandoff",
		"Ask for a person: the conversation waits for an agent (409 INVALID_TRANSITION unless the bot holds it)",
		nil, Transcript{}, http.StatusOK, http.StatusConflict), h.handoff)
}

type handlers struct {
	s         *Service
	streamOpt StreamOptions
}

// pathID reads a path id; one that cannot exist is a 404.
func pathID(r *http.Request, name string, notFound error) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue(name))
	if !ok {
		return 0, notFound
	}
	return id, nil
}

// writeFAQ answers an entry with the ETag GET would give it.
func writeFAQ(w http.ResponseWriter, r *http.Request, status int, f FAQ) error {
	body, err := json.Marshal(f)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, status, body, "")
	return nil
}

func (h handlers) createFAQ(w http.ResponseWriter, r *http.Request) error {
	var in FAQInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	f, err := h.s.CreateFAQ(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/faq/"+strconv.FormatInt(f.ID, 10))
	return writeFAQ(w, r, http.StatusCreated, f)
}

func (h handlers) getFAQ(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errFAQNotFound)
	if err != nil {
		return err
	}
	body, st, err := h.s.GetFAQ(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) patchFAQ(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errFAQNotFound)
	if err != nil {
		return err
	}
	var in FAQPatch
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	f, err := h.s.PatchFAQ(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return writeFAQ(w, r, http.StatusOK, f)
}

func (h handlers) deleteFAQ(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errFAQNotFound)
	if err != nil {
		return err
	}
	if err := h.s.DeleteFAQ(r.Context(), id, r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h handlers) getConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	body, st, err := h.s.GetConversation(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) take(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	d, err := h.s.Take(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, d)
	return nil
}

func (h handlers) reply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	var in MessageInput
	if err := httpapi.DecodeLimit(r, &in, MaxMessageBody); err != nil {
		return err
	}
	m, err := h.s.Reply(r.Context(), id, in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusCreated, m)
	return nil
}

func (h handlers) resolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	d, err := h.s.Resolve(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, d)
	return nil
}

func (h handlers) toFAQ(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "message_id", apperr.New(apperr.NotFound, "no such message in this conversation"))
	if err != nil {
		return err
	}
	var in ToFAQInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	f, err := h.s.ToFAQ(r.Context(), id, mid, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/faq/"+strconv.FormatInt(f.ID, 10))
	return writeFAQ(w, r, http.StatusCreated, f)
}

func (h handlers) unread(w http.ResponseWriter, r *http.Request) error {
	u, err := h.s.UnreadCounts(r.Context())
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, u)
	return nil
}

func (h handlers) listCanned(w http.ResponseWriter, r *http.Request) error {
	body, st, err := h.s.ListCanned(r.Context())
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) createCanned(w http.ResponseWriter, r *http.Request) error {
	var in CannedInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.s.CreateCanned(r.Context(), in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusCreated, c)
	return nil
}

func (h handlers) updateCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errCannedNotFound)
	if err != nil {
		return err
	}
	var in CannedInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.s.UpdateCanned(r.Context(), id, in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, c)
	return nil
}

func (h handlers) deleteCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errCannedNotFound)
	if err != nil {
		return err
	}
	if err := h.s.DeleteCanned(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- visitors

// bearerToken reads the conversation token from Authorization: Bearer.
func bearerToken(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

func (h handlers) start(w http.ResponseWriter, r *http.Request) error {
	var in StartInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.Start(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", PublicPrefix+"conversations/"+strconv.FormatInt(out.ID, 10))
	httpapi.JSON(w, r, http.StatusCreated, out)
	return nil
}

func (h handlers) transcript(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	t, err := h.s.Transcript(r.Context(), id, bearerToken(r))
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, t)
	return nil
}

func (h handlers) post(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	var in MessageInput
	if err := httpapi.DecodeLimit(r, &in, MaxMessageBody); err != nil {
		return err
	}
	mid, err := h.s.Post(r.Context(), id, bearerToken(r), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusAccepted, Posted{ID: mid})
	return nil
}

func (h handlers) stream(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	token := bearerToken(r)
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	var after int64
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	if last != "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil {
			return apperr.New(apperr.InvalidJSON, "after (or Last-Event-ID) must be a message id")
		}
		if n < 0 {
			return apperr.FieldReason("after", "must be a message id", "invalid")
		}
		after = n
	}
	return h.s.Stream(w, r, id, token, after, h.streamOpt)
}

func (h handlers) handoff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", errConvNotFound)
	if err != nil {
		return err
	}
	t, err := h.s.Handoff(r.Context(), id, bearerToken(r))
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, t)
	return nil
}

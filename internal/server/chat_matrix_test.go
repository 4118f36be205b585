package server_test

import (
	"context"
	"fmt"

	"github.com/pishkhan/pishkhan/internal/chat"
)

// The authorization matrix's rows of the chatbot's routes (kept here so the
// chat lane's rows merge apart). chatbot.view: every built-in role but
// Editor; chatbot.handle: Administrator, Manager, Support; chatbot.manage:
// Administrator, Manager. The visitors' routes answer everyone alike (a
// panel session is ignored there).
func init() { authzMatrix = append(authzMatrix, chatMatrix...) }

// matrixChatLimits lift the visitors' guardrails (the matrix starts many
// conversations from one address).
var matrixChatLimits = chat.Limits{StartsPerIP: 1 << 30, MessagesPerConversation: 1 << 30, MessagesPerIP: 1 << 30,
	DailyPerConversation: 1 << 30, DailyPerIP: 1 << 30}

// newChat starts a visitor's conversation and returns its id and token.
func (c *matrixCaller) newChat() chat.Started {
	c.in.Srv.Chat.SetLimits(matrixChatLimits)
	st, err := c.in.Srv.Chat.Start(context.Background(), chat.StartInput{Lang: chat.En})
	if err != nil {
		c.t.Fatal(err)
	}
	return st
}

// newFAQ has the superuser add an FAQ entry and returns its id.
func (env *matrixEnv) newFAQ(c *matrixCaller) int64 {
	var f struct{ ID int64 }
	r := env.admin.Do("POST", "/api/faq", map[string]any{"lang": "en", "question": "matrix " + env.newEmail(), "answer": "yes"})
	if r.Status != 201 {
		c.t.Fatalf("create FAQ: %d %s", r.Status, r.Body)
	}
	r.JSON(c.t, &f)
	return f.ID
}

// newCanned has the superuser add a canned reply and returns its id.
func (env *matrixEnv) newCanned(c *matrixCaller) int64 {
	var x struct{ ID int64 }
	r := env.admin.Do("POST", "/api/chat/canned", map[string]any{"title": env.newEmail(), "text": "hello", "lang": "en"})
	if r.Status != 201 {
		c.t.Fatalf("create canned reply: %d %s", r.Status, r.Body)
	}
	r.JSON(c.t, &x)
	return x.ID
}

// agentReply has the superuser reply in a new conversation and returns the
// conversation's and the reply's ids.
func (env *matrixEnv) agentReply(c *matrixCaller) (int64, int64) {
	st := c.newChat()
	var m struct{ ID int64 }
	r := env.admin.Do("POST", fmt.Sprintf("/api/chat/conversations/%d/messages", st.ID), map[string]string{"text": "we ship daily"})
	if r.Status != 201 {
		c.t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	r.JSON(c.t, &m)
	return st.ID, m.ID
}

// asVisitor sends the caller's request with the conversation's token.
func (c *matrixCaller) asVisitor(method, path string, st chat.Started, body any) int {
	return c.client.Do(method, fmt.Sprintf(path, st.ID), body, "Authorization", "Bearer "+st.Token).Status
}

var chatMatrix = []matrixRow{
	// expect: anonymous, Administrator, Manager, Editor, Support, Viewer
	{route: "GET /api/faq", expect: [6]int{401, 200, 200, 403, 200, 200}, send: get("/api/faq")},
	{route: "POST /api/faq", expect: [6]int{401, 201, 201, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/faq", map[string]any{"lang": "fa", "question": "by " + env.newEmail(), "answer": "بله"}).Status
		}},
	{route: "GET /api/faq/{id}", expect: [6]int{401, 200, 200, 403, 200, 200},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/faq/%d", env.newFAQ(c)), nil).Status
		}},
	{route: "PATCH /api/faq/{id}", expect: [6]int{401, 200, 200, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PATCH", fmt.Sprintf("/api/faq/%d", env.newFAQ(c)), map[string]any{"answer": "no"}).Status
		}},
	{route: "DELETE /api/faq/{id}", expect: [6]int{401, 204, 204, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/faq/%d", env.newFAQ(c)), nil).Status
		}},
	{route: "GET /api/chat/conversations", expect: [6]int{401, 200, 200, 403, 200, 200}, send: get("/api/chat/conversations")},
	{route: "GET /api/chat/conversations/{id}", expect: [6]int{401, 200, 200, 403, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("GET", fmt.Sprintf("/api/chat/conversations/%d", c.newChat().ID), nil).Status
		}},
	{route: "POST /api/chat/conversations/{id}/take", expect: [6]int{401, 200, 200, 403, 200, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/chat/conversations/%d/take", c.newChat().ID), nil).Status
		}},
	{route: "POST /api/chat/conversations/{id}/messages", expect: [6]int{401, 201, 201, 403, 201, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/chat/conversations/%d/messages", c.newChat().ID),
				map[string]string{"text": "hello from the panel"}).Status
		}},
	{route: "POST /api/chat/conversations/{id}/resolve", expect: [6]int{401, 200, 200, 403, 200, 403},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.client.Do("POST", fmt.Sprintf("/api/chat/conversations/%d/resolve", c.newChat().ID), nil).Status
		}},
	{route: "POST /api/chat/conversations/{id}/messages/{message_id}/faq", expect: [6]int{401, 201, 201, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			conv, msg := env.agentReply(c)
			return c.client.Do("POST", fmt.Sprintf("/api/chat/conversations/%d/messages/%d/faq", conv, msg),
				map[string]any{"question": "when do you ship " + env.newEmail()}).Status
		}},
	{route: "GET /api/chat/unread", expect: [6]int{401, 200, 200, 403, 200, 200}, send: get("/api/chat/unread")},
	{route: "GET /api/chat/canned", expect: [6]int{401, 200, 200, 403, 200, 403}, send: get("/api/chat/canned")},
	{route: "POST /api/chat/canned", expect: [6]int{401, 201, 201, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("POST", "/api/chat/canned", map[string]any{"title": env.newEmail(), "text": "hi", "lang": "fa"}).Status
		}},
	{route: "PUT /api/chat/canned/{id}", expect: [6]int{401, 200, 200, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("PUT", fmt.Sprintf("/api/chat/canned/%d", env.newCanned(c)),
				map[string]any{"title": env.newEmail(), "text": "hi again", "lang": "en"}).Status
		}},
	{route: "DELETE /api/chat/canned/{id}", expect: [6]int{401, 204, 204, 403, 403, 403},
		send: func(c *matrixCaller, env *matrixEnv) int {
			return c.client.Do("DELETE", fmt.Sprintf("/api/chat/canned/%d", env.newCanned(c)), nil).Status
		}},
	// visitors: the conversation's token is the credential, whoever sends it
	{route: "POST /api/public/v1/chat/conversations", expect: [6]int{201, 201, 201, 201, 201, 201},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			c.in.Srv.Chat.SetLimits(matrixChatLimits)
			return c.client.Do("POST", "/api/public/v1/chat/conversations", map[string]string{"lang": "fa"}).Status
		}},
	{route: "GET /api/public/v1/chat/conversations/{id}", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.asVisitor("GET", "/api/public/v1/chat/conversations/%d", c.newChat(), nil)
		}},
	{route: "POST /api/public/v1/chat/conversations/{id}/messages", expect: [6]int{202, 202, 202, 202, 202, 202},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.asVisitor("POST", "/api/public/v1/chat/conversations/%d/messages", c.newChat(), map[string]string{"text": "hello"})
		}},
	{route: "GET /api/public/v1/chat/conversations/{id}/stream", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			st := c.newChat()
			return streamStatus(c.t, c.client, fmt.Sprintf("/api/public/v1/chat/conversations/%d/stream?token=%s", st.ID, st.Token))
		}},
	{route: "POST /api/public/v1/chat/conversations/{id}/handoff", expect: [6]int{200, 200, 200, 200, 200, 200},
		send: func(c *matrixCaller, _ *matrixEnv) int {
			return c.asVisitor("POST", "/api/public/v1/chat/conversations/%d/handoff", c.newChat(), nil)
		}},
}

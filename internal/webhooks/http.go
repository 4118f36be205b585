package webhooks

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// The list envelopes, for the OpenAPI document.
type (
	WebhooksPage         = paging.Page[Webhook]
	WebhooksCursorPage   = paging.CursorPage[Webhook]
	DeliveriesPage       = paging.Page[Delivery]
	DeliveriesCursorPage = paging.CursorPage[Delivery]
)

var ifMatch = []httpapi.Param{{Name: "If-Match", Description: "the ETag of the webhook as last read; a stale one gets 412"}}

// Routes mounts the webhooks endpoints (API.md section 8).
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	rt.Handle("GET", "/api/webhooks", httpapi.Op{ID: "listWebhooks", Tag: "webhooks", Permission: PermManage, Cached: true,
		Summary:  "The webhooks, newest first (page or cursor pagination); secrets are never shown, only a hint",
		Response: WebhooksPage{}, Query: httpapi.PageQuery},
		httpapi.List(httpapi.NoFilter, s.List))
	rt.Handle("POST", "/api/webhooks", httpapi.Op{ID: "createWebhook", Tag: "webhooks", Permission: PermManage,
		Status: http.StatusCreated, Request: CreateInput{}, Response: WithSecret{},
		Summary: "Register a webhook; the answer shows its new signing secret, this once"}, h.create)
	rt.Handle("GET", "/api/webhooks/{id}", httpapi.Op{ID: "getWebhook", Tag: "webhooks", Permission: PermManage, Cached: true,
		Summary: "One webhook", Response: Webhook{}}, h.get)
	rt.Handle("PATCH", "/api/webhooks/{id}", httpapi.Op{ID: "updateWebhook", Tag: "webhooks", Permission: PermManage,
		Request: PatchInput{}, Response: Webhook{}, Headers: ifMatch,
		Summary: "Change a webhook's URL, description, events or active flag"}, h.patch)
	rt.Handle("DELETE", "/api/webhooks/{id}", httpapi.Op{ID: "deleteWebhook", Tag: "webhooks", Permission: PermManage,
		Status: http.StatusNoContent, Headers: ifMatch, Summary: "Delete a webhook and its delivery log"}, h.delete)
	rt.Handle("POST", "/api/webhooks/{id}/rotate-secret", httpapi.Op{ID: "rotateWebhookSecret", Tag: "webhooks",
		Permission: PermManage, Response: WithSecret{},
		Summary: "Replace a webhook's signing secret; the answer shows the new one, this once"}, h.rotate)
	rt.Handle("POST", "/api/webhooks/{id}/test", httpapi.Op{ID: "testWebhook", Tag: "webhooks", Permission: PermManage,
		Status: http.StatusAccepted, Response: Delivery{},
		Summary: "Queue a ping delivery to the webhook (active or not); answers the pending delivery"}, h.test)
	rt.Handle("GET", "/api/webhooks/{id}/deliveries", httpapi.Op{ID: "listWebhookDeliveries", Tag: "webhooks",
		Permission: PermManage, Cached: true, Response: DeliveriesPage{}, Query: httpapi.PageQuery,
		Summary: "A webhook's delivery log, newest first (page or cursor pagination)"}, h.deliveries)
}

type handlers struct{ s *Service }

// pathID reads the webhook id of the path; an id that cannot exist is a 404.
func pathID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errNotFound
	}
	return id, nil
}

func (h handlers) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) create(w http.ResponseWriter, r *http.Request) error {
	var in CreateInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/webhooks/"+strconv.FormatInt(out.ID, 10))
	return writeWithSecret(w, r, http.StatusCreated, out)
}

// writeWithSecret answers a webhook with its secret, with the ETag of the
// webhook alone (what GET answers) for a following If-Match.
func writeWithSecret(w http.ResponseWriter, r *http.Request, status int, out WithSecret) error {
	plain, err := json.Marshal(out.Webhook)
	if err != nil {
		return err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(plain))
	httpapi.WriteBody(w, r, status, body, "")
	return nil
}

func (h handlers) patch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in PatchInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.Patch(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, http.StatusOK, body, "")
	return nil
}

func (h handlers) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.Delete(r.Context(), id, r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h handlers) rotate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := h.s.RotateSecret(r.Context(), id)
	if err != nil {
		return err
	}
	return writeWithSecret(w, r, http.StatusOK, out)
}

func (h handlers) test(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.s.Test(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusAccepted, d)
	return nil
}

func (h handlers) deliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pr, err := httpapi.ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	body, st, err := h.s.Deliveries(r.Context(), id, pr)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

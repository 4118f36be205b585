package ai

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// The list envelopes, for the OpenAPI document.
type (
	ProvidersPage       = paging.Page[Provider]
	ProvidersCursorPage = paging.CursorPage[Provider]
	TemplatesPage       = paging.Page[Template]
	TemplatesCursorPage = paging.CursorPage[Template]
)

var templateIfMatch = []httpapi.Param{{Name: "If-Match", Description: "the ETag of the template as last read; a stale one gets 412"}}

var ifMatch = []httpapi.Param{{Name: "If-Match", Description: "the ETag of the provider as last read; a stale one gets 412"}}

// Routes mounts the room's endpoints (API.md section 9).
func Routes(rt *httpapi.Router, s *Service) {
	h := handlers{s}
	rt.Handle("GET", "/api/ai/providers", httpapi.Op{ID: "listAIProviders", Tag: "ai", Permission: PermManage, Cached: true,
		Summary:  "The AI providers, newest first (page or cursor pagination); keys are never shown, only has_key",
		Response: ProvidersPage{}, Query: httpapi.PageQuery},
		httpapi.List(httpapi.NoFilter, s.ListProviders))
	rt.Handle("POST", "/api/ai/providers", httpapi.Op{ID: "createAIProvider", Tag: "ai", Permission: PermManage,
		Status: http.StatusCreated, Request: CreateInput{}, Response: Provider{}, Errors: []int{http.StatusConflict},
		Summary: "Add an OpenAI-compatible provider (its API key is write-only, stored encrypted)"}, h.create)
	rt.Handle("GET", "/api/ai/providers/{id}", httpapi.Op{ID: "getAIProvider", Tag: "ai", Permission: PermManage, Cached: true,
		Summary: "One AI provider", Response: Provider{}}, h.get)
	rt.Handle("PATCH", "/api/ai/providers/{id}", httpapi.Op{ID: "updateAIProvider", Tag: "ai", Permission: PermManage,
		Request: PatchInput{}, Response: Provider{}, Headers: ifMatch, Errors: []int{http.StatusConflict},
		Summary: "Change a provider made in the panel (the environment's is read-only: 409 provider_read_only)"}, h.patch)
	rt.Handle("DELETE", "/api/ai/providers/{id}", httpapi.Op{ID: "deleteAIProvider", Tag: "ai", Permission: PermManage,
		Status: http.StatusNoContent, Headers: ifMatch, Errors: []int{http.StatusConflict},
		Summary: "Remove a provider made in the panel (the environment's is read-only: 409 provider_read_only)"}, h.delete)

	rt.Handle("GET", "/api/ai/templates", httpapi.Op{ID: "listAITemplates", Tag: "ai", Permission: PermGenerate,
		OrPermissions: []authz.Permission{PermManage}, Cached: true, Response: TemplatesPage{}, Query: httpapi.PageQuery,
		Summary: "The prompt templates, newest first (page or cursor pagination)"}, httpapi.List(httpapi.NoFilter, s.ListTemplates))
	rt.Handle("POST", "/api/ai/templates", httpapi.Op{ID: "createAITemplate", Tag: "ai", Permission: PermManage,
		Status: http.StatusCreated, Request: TemplateInput{}, Response: Template{}, Errors: []int{http.StatusConflict},
		Summary: "Add a prompt template: prompts whose {{placeholders}} are exactly its declared variables"}, h.createTemplate)
	rt.Handle("GET", "/api/ai/templates/{id}", httpapi.Op{ID: "getAITemplate", Tag: "ai", Permission: PermGenerate,
		OrPermissions: []authz.Permission{PermManage}, Cached: true, Response: Template{}, Summary: "One prompt template"}, h.getTemplate)
	rt.Handle("PATCH", "/api/ai/templates/{id}", httpapi.Op{ID: "updateAITemplate", Tag: "ai", Permission: PermManage,
		Request: TemplatePatch{}, Response: Template{}, Headers: templateIfMatch,
		Summary: "Change a prompt template (built-in ones too); the result must still be a valid template"}, h.patchTemplate)
	rt.Handle("DELETE", "/api/ai/templates/{id}", httpapi.Op{ID: "deleteAITemplate", Tag: "ai", Permission: PermManage,
		Status: http.StatusNoContent, Headers: templateIfMatch, Errors: []int{http.StatusConflict},
		Summary: "Delete a prompt template made in the panel (a built-in one: 409 builtin_template)"}, h.deleteTemplate)
	rt.Handle("POST", "/api/ai/templates/{id}/reset", httpapi.Op{ID: "resetAITemplate", Tag: "ai", Permission: PermManage,
		Response: Template{}, Errors: []int{http.StatusConflict},
		Summary: "Put a built-in prompt template back as shipped (another: 409 not_builtin)"}, h.resetTemplate)

	rt.Handle("GET", "/api/ai/budgets", httpapi.Op{ID: "getAIBudgets", Tag: "ai", Permission: PermManage, Cached: true,
		Summary: "Every AI budget: per role (each member's) or per user, per day or month, in tokens and/or cost", Response: Budgets{}}, h.budgets)
	rt.Handle("PUT", "/api/ai/budgets", httpapi.Op{ID: "putAIBudgets", Tag: "ai", Permission: PermManage,
		Request: Budgets{}, Response: Budgets{},
		Summary: "Replace every AI budget; a call over one answers 429 with details.reason budget_exceeded and resets_at"}, h.putBudgets)
	rt.Handle("GET", "/api/ai/usage", httpapi.Op{ID: "getAIUsage", Tag: "ai", Permission: PermManage, Query: UsageQuery,
		Response: UsageReport{}, Summary: "AI calls, tokens, images and cost between from and to, grouped by day, user, feature or model"}, h.usage)
	rt.Handle("GET", "/api/ai/usage/export", httpapi.Op{ID: "exportAIUsage", Tag: "ai", Permission: PermManage, Query: UsageQuery[:2],
		Summary: "The AI usage ledger between from and to as CSV (text/csv attachment, oldest first, at most 100,000 rows)"}, h.exportUsage)
}

func (h handlers) budgets(w http.ResponseWriter, r *http.Request) error {
	body, st, err := h.s.GetBudgets(r.Context())
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) putBudgets(w http.ResponseWriter, r *http.Request) error {
	var in Budgets
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.PutBudgets(r.Context(), in)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, out)
	return nil
}

func (h handlers) usage(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseUsageFilter(r.URL.Query(), time.Now())
	if err != nil {
		return err
	}
	out, err := h.s.Usage(r.Context(), f)
	if err != nil {
		return err
	}
	httpapi.JSON(w, r, http.StatusOK, out)
	return nil
}

// exportUsage streams the CSV. An error once the first bytes are sent
// cannot be answered any more: the client gets a truncated file.
func (h handlers) exportUsage(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseUsageFilter(r.URL.Query(), time.Now())
	if err != nil {
		return err
	}
	started := false
	err = h.s.ExportUsage(r.Context(), f, func() io.Writer {
		started = true
		hd := w.Header()
		hd.Set("Content-Type", "text/csv; charset=utf-8")
		hd.Set("Content-Disposition", `attachment; filename="ai-usage-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
		hd.Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("\ufeff")) // a BOM, so spreadsheet apps read UTF-8 right
		return w
	})
	if started {
		return nil
	}
	return err
}

type handlers struct{ s *Service }

// pathID reads the provider id of the path; an id that cannot exist is a 404.
func pathID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errProviderNotFound
	}
	return id, nil
}

func (h handlers) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.GetProvider(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

// writeProvider answers a provider with its ETag (what GET's would be).
func writeProvider(w http.ResponseWriter, r *http.Request, status int, p Provider) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, status, body, "")
	return nil
}

func (h handlers) create(w http.ResponseWriter, r *http.Request) error {
	var in CreateInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.CreateProvider(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/ai/providers/"+strconv.FormatInt(out.ID, 10))
	return writeProvider(w, r, http.StatusCreated, out)
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
	out, err := h.s.PatchProvider(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return writeProvider(w, r, http.StatusOK, out)
}

func (h handlers) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteProvider(r.Context(), id, r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// templateID reads the template id of the path; an id that cannot exist is a 404.
func templateID(r *http.Request) (int64, error) {
	id, ok := httpapi.ParseID(r.PathValue("id"))
	if !ok {
		return 0, errTemplateNotFound
	}
	return id, nil
}

// writeTemplate answers a template with its ETag (what GET's would be).
func writeTemplate(w http.ResponseWriter, r *http.Request, status int, t Template) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag.Of(body))
	httpapi.WriteBody(w, r, status, body, "")
	return nil
}

func (h handlers) getTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := templateID(r)
	if err != nil {
		return err
	}
	body, st, err := h.s.GetTemplate(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteCached(w, r, body, st.Header())
	return nil
}

func (h handlers) createTemplate(w http.ResponseWriter, r *http.Request) error {
	var in TemplateInput
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.CreateTemplate(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/ai/templates/"+strconv.FormatInt(out.ID, 10))
	return writeTemplate(w, r, http.StatusCreated, out)
}

func (h handlers) patchTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := templateID(r)
	if err != nil {
		return err
	}
	var in TemplatePatch
	if err := httpapi.Decode(r, &in); err != nil {
		return err
	}
	out, err := h.s.PatchTemplate(r.Context(), id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return writeTemplate(w, r, http.StatusOK, out)
}

func (h handlers) resetTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := templateID(r)
	if err != nil {
		return err
	}
	out, err := h.s.ResetTemplate(r.Context(), id)
	if err != nil {
		return err
	}
	return writeTemplate(w, r, http.StatusOK, out)
}

func (h handlers) deleteTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := templateID(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteTemplate(r.Context(), id, r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

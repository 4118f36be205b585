package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/audit"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/cache"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/etag"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
	"github.com/pishkhan/pishkhan/internal/platform/paging"
)

// Template is the API's prompt template.
type Template struct {
	ID           int64      `json:"id"`
	Slug         string     `json:"slug" doc:"the stable name generate-text's template field takes"`
	Name         string     `json:"name"`
	Description  string     `json:"description"`
	SystemPrompt string     `json:"system_prompt"`
	UserPrompt   string     `json:"user_prompt"`
	Variables    []Variable `json:"variables"`
	Builtin      bool       `json:"builtin" doc:"shipped with Pishkhan: editable and resettable, never deleted"`
	UpdatedBy    *Actor     `json:"updated_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// ReasonBuiltinTemplate: a built-in template cannot be deleted (reset it instead).
const ReasonBuiltinTemplate = "builtin_template"

// TemplateInput is the body of POST /api/ai/templates.
type TemplateInput struct {
	Slug         string     `json:"slug" doc:"lower-case letters, digits and _, starting with a letter"`
	Name         string     `json:"name"`
	Description  string     `json:"description,omitempty"`
	SystemPrompt string     `json:"system_prompt,omitempty"`
	UserPrompt   string     `json:"user_prompt"`
	Variables    []Variable `json:"variables"`
}

// Validate names every bad field.
func (in TemplateInput) Validate() error {
	fe := apperr.FieldErrors{}
	if !templateKey.MatchString(in.Slug) {
		fe.Add("slug", "must be lower-case letters, digits and _, starting with a letter (at most 60)")
	}
	checkTemplateText(fe, in.Name, in.Description)
	checkTemplate(fe, in.SystemPrompt, in.UserPrompt, in.Variables)
	return fe.Err()
}

// TemplatePatch is the body of PATCH /api/ai/templates/{id}: only what it names changes.
type TemplatePatch struct {
	Name         *string     `json:"name,omitempty"`
	Description  *string     `json:"description,omitempty"`
	SystemPrompt *string     `json:"system_prompt,omitempty"`
	UserPrompt   *string     `json:"user_prompt,omitempty"`
	Variables    *[]Variable `json:"variables,omitempty"`
}

func checkTemplateText(fe apperr.FieldErrors, name, description string) {
	switch {
	case strings.TrimSpace(name) == "":
		fe.Add("name", "is required")
	case !utf8.ValidString(name) || hasControl(name) || utf8.RuneCountInString(name) > maxTemplateNameLen:
		fe.Add("name", fmt.Sprintf("must be text of at most %d characters without control characters", maxTemplateNameLen))
	}
	if !utf8.ValidString(description) || utf8.RuneCountInString(description) > 1000 {
		fe.Add("description", "must be text of at most 1000 characters")
	}
}

// builtinTemplates are written at start when missing (by slug).
var builtinTemplates = []TemplateInput{
	{Slug: "blog_draft", Name: "Blog draft from a brief",
		Description:  "A whole post in Markdown from a short brief, in the language asked",
		SystemPrompt: "You are a careful editor writing for a company blog. Write clear, accurate prose; invent no facts, figures or quotes the brief does not give.",
		UserPrompt:   "Write a blog post in the language \"{{lang}}\" from the brief below. Answer in Markdown only: the title as a level-1 heading, then the body.\n\nTone: {{tone}}\n\nBrief:\n{{brief}}",
		Variables: []Variable{{Name: "brief", Description: "what the post is about", Required: true, MaxLength: 4000},
			{Name: "lang", Description: "fa or en", Required: true, MaxLength: 10},
			{Name: "tone", Description: "e.g. friendly, formal", MaxLength: 200}}},
	{Slug: "excerpt", Name: "Excerpt of a post", Description: "One paragraph summing a post up, in its language",
		SystemPrompt: "You summarise blog posts faithfully, in the post's own language.",
		UserPrompt:   "Write an excerpt of at most 300 characters for the post below, in its language. Answer with the excerpt only.\n\nTitle: {{title}}\n\n{{body}}",
		Variables: []Variable{{Name: "title", Required: true, MaxLength: 500},
			{Name: "body", Required: true, MaxLength: 100_000}}},
	{Slug: "seo", Name: "SEO title and description", Description: "A search title and a meta description, in the post's language",
		SystemPrompt: "You write search-engine titles and descriptions that say truthfully what a page holds.",
		UserPrompt:   "For the post below, in its language, write an SEO title of at most 60 characters and a meta description of at most 155 characters. Answer with exactly two lines: \"title: …\" and \"description: …\".\n\nTitle: {{title}}\n\n{{body}}",
		Variables: []Variable{{Name: "title", Required: true, MaxLength: 500},
			{Name: "body", Required: true, MaxLength: 100_000}}},
	{Slug: "translate", Name: "Translate a post", Description: "A post translated between Persian and English, in Markdown",
		SystemPrompt: "You are a professional translator between Persian and English. Keep the Markdown structure, links and code as they are; translate the meaning, not word by word.",
		UserPrompt:   "Translate this post from \"{{from_lang}}\" to \"{{to_lang}}\". Answer in Markdown only: the translated title as a level-1 heading, then the body.\n\nTitle: {{title}}\n\n{{body}}",
		Variables: []Variable{{Name: "from_lang", Description: "fa or en", Required: true, MaxLength: 10},
			{Name: "to_lang", Description: "fa or en", Required: true, MaxLength: 10},
			{Name: "title", Required: true, MaxLength: 500}, {Name: "body", Required: true, MaxLength: 100_000}}},
	{Slug: "alt_text", Name: "Alt text for an image", Description: "A short alternative text for an image, from what is known of it",
		SystemPrompt: "You write alternative text for images: what matters in the picture for someone who cannot see it, in one sentence, without \"image of\".",
		UserPrompt:   "Write alt text in the language \"{{lang}}\" for an image. What is known of it: {{description}}\nFile name: {{filename}}\nAnswer with the alt text only.",
		Variables: []Variable{{Name: "description", Required: true, MaxLength: 2000},
			{Name: "filename", MaxLength: 255}, {Name: "lang", Description: "fa or en", Required: true, MaxLength: 10}}},
	{Slug: "order_note", Name: "Note about an order", Description: "A short, polite note to a customer about an order",
		SystemPrompt: "You write short, polite notes from a shop to its customers. Promise nothing the instruction does not say.",
		UserPrompt:   "Write a note in the language \"{{lang}}\" to the customer about this order.\n\nOrder: {{order}}\n\nWhat to say: {{instruction}}",
		Variables: []Variable{{Name: "order", Description: "its number, items and status", Required: true, MaxLength: 4000},
			{Name: "instruction", Required: true, MaxLength: 2000}, {Name: "lang", Description: "fa or en", Required: true, MaxLength: 10}}},
}

// Cache tags of templates.
const templatesTag = "ai:templates"

func templateTag(id int64) string { return "ai:template:" + strconv.FormatInt(id, 10) }

var errTemplateNotFound = apperr.New(apperr.NotFound, "no such prompt template")

// EnsureBuiltinTemplates writes the built-in templates that are missing
// (by slug); edited ones stay as edited.
// Instances starting together may race to write one: the loser skips it.
func (s *Service) EnsureBuiltinTemplates(ctx context.Context) error {
	now := s.stamp()
	for _, b := range builtinTemplates {
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			if _, err := getTemplateBySlug(ctx, tx, b.Slug); err == nil {
				return nil
			} else if !errors.Is(err, errNoRow) {
				return err
			}
			id, err := insertTemplate(ctx, tx, b, true, 0, now)
			if err != nil {
				return err
			}
			touchTemplate(tx, id)
			return nil
		})
		if err != nil && !db.IsUnique(err) {
			return fmt.Errorf("built-in template %s: %w", b.Slug, err)
		}
	}
	return nil
}

func touchTemplate(tx *db.Tx, id int64) {
	tx.Touch(templatesTag)
	tx.Touch(templateTag(id))
}

// ListTemplates returns the templates, newest first (ai.generate or ai.manage).
func (s *Service) ListTemplates(ctx context.Context, _ struct{}, pr paging.Request) ([]byte, cache.Status, error) {
	if err := requireGenerateOrManage(ctx); err != nil {
		return nil, "", err
	}
	const binding = "ai:templates"
	var after int64
	if pr.CursorMode && pr.Cursor != "" {
		if err := s.cursors.Decode(binding, pr.Cursor, &after); err != nil {
			return nil, "", err
		}
	}
	page := fmt.Sprintf("p=%d|ps=%d", pr.Page, pr.PageSize)
	if pr.CursorMode {
		page = fmt.Sprintf("c=%s|l=%d", pr.Cursor, pr.Limit)
	}
	return s.cache.Fetch(ctx, Resource, "ai:templates:list:"+cache.KeyHash(page), []string{templatesTag}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			return db.NewestFirst(pr, s.cursors, binding, after, "t.id",
				func(tail string, args ...any) ([]Template, error) {
					return listTemplates(ctx, s.db.Reader(), tail, args...)
				},
				func() (int64, error) { return countTemplates(ctx, s.db.Reader()) },
				func(t Template) int64 { return t.ID })
		})
}

// requireGenerateOrManage: templates are read by whoever generates or manages.
func requireGenerateOrManage(ctx context.Context) error {
	if _, err := authz.Require(ctx, PermGenerate); err == nil {
		return nil
	}
	_, err := authz.Require(ctx, PermManage)
	return err
}

// GetTemplate returns one template as the encoded body.
func (s *Service) GetTemplate(ctx context.Context, id int64) ([]byte, cache.Status, error) {
	if err := requireGenerateOrManage(ctx); err != nil {
		return nil, "", err
	}
	return s.cache.Fetch(ctx, Resource, "ai:template:"+strconv.FormatInt(id, 10), []string{templateTag(id)}, s.cfg.TTL,
		func(ctx context.Context) ([]byte, error) {
			t, err := getTemplate(ctx, s.db.Reader(), id)
			if errors.Is(err, errNoRow) {
				return nil, errTemplateNotFound
			}
			if err != nil {
				return nil, err
			}
			return json.Marshal(t.Template)
		})
}

// CreateTemplate adds a template.
func (s *Service) CreateTemplate(ctx context.Context, in TemplateInput) (Template, error) {
	p, err := authz.Require(ctx, PermManage)
	if err != nil {
		return Template{}, err
	}
	if err := in.Validate(); err != nil {
		return Template{}, err
	}
	now := s.stamp()
	var out storedTemplate
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err := insertTemplate(ctx, tx, in, false, p.UserID, now)
		if db.IsUnique(err) {
			return apperr.Taken("slug", "the slug")
		}
		if err != nil {
			return err
		}
		touchTemplate(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: "ai.templates.create", ResourceType: "ai_template",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{"slug": {To: in.Slug}, "name": {To: in.Name},
				"system_prompt": {To: in.SystemPrompt}, "user_prompt": {To: in.UserPrompt}, "variables": {To: in.Variables}}}); err != nil {
			return err
		}
		out, err = getTemplate(ctx, tx, id)
		return err
	})
	if err != nil {
		return Template{}, err
	}
	s.changed(ctx, "created", out.ID)
	return out.Template, nil
}

// PatchTemplate changes what in names; the result must still be a valid
// template. ifMatch as for providers.
func (s *Service) PatchTemplate(ctx context.Context, id int64, in TemplatePatch, ifMatch string) (Template, error) {
	return s.changeTemplate(ctx, id, ifMatch, "ai.templates.update", func(cur TemplateInput) (TemplateInput, error) {
		next := cur
		for dst, v := range map[*string]*string{&next.Name: in.Name, &next.Description: in.Description,
			&next.SystemPrompt: in.SystemPrompt, &next.UserPrompt: in.UserPrompt} {
			if v != nil {
				*dst = *v
			}
		}
		if in.Variables != nil {
			next.Variables = *in.Variables
		}
		return next, next.Validate()
	})
}

// ResetTemplate puts a built-in template back as shipped.
func (s *Service) ResetTemplate(ctx context.Context, id int64) (Template, error) {
	return s.changeTemplate(ctx, id, "", "ai.templates.reset", func(cur TemplateInput) (TemplateInput, error) {
		for _, b := range builtinTemplates {
			if b.Slug == cur.Slug {
				return b, nil
			}
		}
		return cur, apperr.New(apperr.Conflict, "only a built-in template can be reset").WithReason("not_builtin")
	})
}

func (s *Service) changeTemplate(ctx context.Context, id int64, ifMatch, action string, change func(TemplateInput) (TemplateInput, error)) (Template, error) {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return Template{}, err
	}
	now := s.stamp()
	var out storedTemplate
	changed := false
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getTemplate(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errTemplateNotFound
		}
		if err != nil {
			return err
		}
		if err := checkTemplateIfMatch(cur.Template, ifMatch); err != nil {
			return err
		}
		from := cur.input()
		next, err := change(from)
		if err != nil {
			return err
		}
		changes := map[string]audit.Change{}
		add := func(field string, a, b any) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				changes[field] = audit.Change{From: a, To: b}
			}
		}
		add("name", from.Name, next.Name)
		add("description", from.Description, next.Description)
		add("system_prompt", from.SystemPrompt, next.SystemPrompt)
		add("user_prompt", from.UserPrompt, next.UserPrompt)
		add("variables", from.Variables, next.Variables)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		changed = true
		if err := updateTemplate(ctx, tx, id, next, authz.From(ctx), now); err != nil {
			return err
		}
		touchTemplate(tx, id)
		if err := audit.Record(ctx, tx, audit.Entry{Action: action, ResourceType: "ai_template",
			ResourceID: strconv.FormatInt(id, 10), Changes: changes}); err != nil {
			return err
		}
		out, err = getTemplate(ctx, tx, id)
		return err
	})
	if err != nil {
		return Template{}, err
	}
	if changed {
		s.changed(ctx, "updated", id)
	}
	return out.Template, nil
}

// DeleteTemplate removes a template made in the panel.
func (s *Service) DeleteTemplate(ctx context.Context, id int64, ifMatch string) error {
	if _, err := authz.Require(ctx, PermManage); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getTemplate(ctx, tx, id)
		if errors.Is(err, errNoRow) {
			return errTemplateNotFound
		}
		if err != nil {
			return err
		}
		if err := checkTemplateIfMatch(cur.Template, ifMatch); err != nil {
			return err
		}
		if cur.Builtin {
			return apperr.New(apperr.Conflict, "a built-in template cannot be deleted; reset it instead").WithReason(ReasonBuiltinTemplate)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ai_templates WHERE id = ?`, id); err != nil {
			return err
		}
		touchTemplate(tx, id)
		return audit.Record(ctx, tx, audit.Entry{Action: "ai.templates.delete", ResourceType: "ai_template",
			ResourceID: strconv.FormatInt(id, 10), Changes: map[string]audit.Change{"slug": {From: cur.Slug}, "name": {From: cur.Name}}})
	})
	if err != nil {
		return err
	}
	s.changed(ctx, "deleted", id)
	return nil
}

func checkTemplateIfMatch(cur Template, ifMatch string) error {
	if ifMatch == "" {
		return nil
	}
	body, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	if !etag.MatchesStrong(ifMatch, etag.Of(body)) {
		return apperr.New(apperr.PreconditionFailed, "the template changed since you loaded it; reload and try again")
	}
	return nil
}

// Render fills the template named slug with values (strictly: see render)
// into the messages of a chat. An unknown slug is a field error on template.
func (s *Service) Render(ctx context.Context, slug string, values map[string]string) ([]llm.Message, Template, error) {
	t, err := getTemplateBySlug(ctx, s.db.Reader(), slug)
	if errors.Is(err, errNoRow) {
		return nil, Template{}, apperr.FieldReason("template", "names no prompt template", "unknown_template")
	}
	if err != nil {
		return nil, Template{}, err
	}
	msgs, err := render(t.SystemPrompt, t.UserPrompt, t.Variables, values)
	return msgs, t.Template, err
}

package ai

import (
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
)

func TestBuiltinTemplatesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range builtinTemplates {
		if err := b.Validate(); err != nil {
			t.Errorf("%s: %v", b.Slug, err)
		}
		if seen[b.Slug] {
			t.Errorf("%s twice", b.Slug)
		}
		seen[b.Slug] = true
	}
	for _, want := range []string{"blog_draft", "excerpt", "seo", "translate", "alt_text", "order_note"} {
		if !seen[want] {
			t.Errorf("no built-in %s", want)
		}
	}
}

func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.ValidationFailed {
		t.Fatalf("err %v, want VALIDATION_FAILED", err)
	}
	return e.Fields
}

func TestTemplateValidationIsStrict(t *testing.T) {
	ok := TemplateInput{Slug: "t", Name: "T", UserPrompt: "Hi {{a}}", Variables: []Variable{{Name: "a", MaxLength: 5}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		edit  func(*TemplateInput)
		field string
	}{
		{func(in *TemplateInput) { in.UserPrompt = "Hi {{b}}" }, "user_prompt"},
		{func(in *TemplateInput) { in.UserPrompt = "Hi" }, "variables[0].name"},
		{func(in *TemplateInput) { in.Variables = append(in.Variables, Variable{Name: "a", MaxLength: 1}) }, "variables[1].name"},
		{func(in *TemplateInput) { in.Variables[0].Name = "A b" }, "variables[0].name"},
		{func(in *TemplateInput) { in.Variables[0].MaxLength = 0 }, "variables[0].max_length"},
		{func(in *TemplateInput) { in.Slug = "Bad slug" }, "slug"},
		{func(in *TemplateInput) { in.UserPrompt = "" }, "user_prompt"},
		{func(in *TemplateInput) { in.SystemPrompt = strings.Repeat("x", MaxPromptLength+1) }, "system_prompt"},
		{func(in *TemplateInput) { in.Name = "" }, "name"},
	}
	for i, tc := range cases {
		in := ok
		in.Variables = append([]Variable(nil), ok.Variables...)
		tc.edit(&in)
		if f := fields(t, in.Validate()); f[tc.field] == "" {
			t.Errorf("case %d: fields %v, want %s", i, f, tc.field)
		}
	}
}

func TestRenderIsStrictAndSinglePass(t *testing.T) {
	vars := []Variable{{Name: "title", Required: true, MaxLength: 20}, {Name: "tone", MaxLength: 10}}
	msgs, err := render("You write in a {{tone}} tone.", "Title: {{ title }}", vars, map[string]string{"title": "{{tone}} سلام", "tone": "warm"})
	if err != nil {
		t.Fatal(err)
	}
	want := []llm.Message{{Role: llm.System, Content: "You write in a warm tone."}, {Role: llm.User, Content: "Title: {{tone}} سلام"}}
	if len(msgs) != 2 || msgs[0] != want[0] || msgs[1] != want[1] {
		t.Fatalf("messages %+v", msgs)
	}
	f := fields(t, func() error {
		_, err := render("", "{{title}} {{tone}}", vars, map[string]string{"tone": strings.Repeat("x", 11), "extra": "1"})
		return err
	}())
	if f["variables.title"] == "" || f["variables.tone"] == "" || f["variables.extra"] == "" {
		t.Fatalf("fields %v", f)
	}
	// an empty system prompt sends none
	msgs, err = render("{{tone}}", "{{title}}", vars, map[string]string{"title": "x"})
	if err != nil || len(msgs) != 1 || msgs[0].Role != llm.User {
		t.Fatalf("%+v %v", msgs, err)
	}
}

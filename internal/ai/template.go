package ai

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/llm"
)

// A prompt template is a system prompt and a user prompt with {{name}}
// placeholders, each a declared variable. Rendering is strict: a value for
// an undeclared variable, a missing required one or one too long is refused
// naming it; values are put in once, never read again for placeholders (a
// value holding "{{x}}" stays that text).

// Variable is a template's declared variable.
type Variable struct {
	Name        string `json:"name" doc:"lower-case letters, digits and _, starting with a letter"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
	// MaxLength bounds a value, in characters.
	MaxLength int `json:"max_length" doc:"the longest value accepted, in characters (1 to 100000)"`
}

// Limits of a template.
const (
	MaxPromptLength    = 20_000
	MaxVariables       = 20
	MaxVariableLength  = 100_000
	maxTemplateNameLen = 100
)

var (
	placeholder  = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	variableName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	templateKey  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,59}$`)
)

// placeholders returns the names a prompt uses, in order of first use.
func placeholders(prompt string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(prompt, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// checkTemplate names what is wrong with a template's prompts and
// variables, under the given field names.
func checkTemplate(fe apperr.FieldErrors, system, user string, vars []Variable) {
	for field, p := range map[string]string{"system_prompt": system, "user_prompt": user} {
		switch {
		case !utf8.ValidString(p):
			fe.Add(field, "must be valid UTF-8 text")
		case utf8.RuneCountInString(p) > MaxPromptLength:
			fe.Add(field, fmt.Sprintf("must be at most %d characters", MaxPromptLength))
		}
	}
	if strings.TrimSpace(user) == "" {
		fe.Add("user_prompt", "is required")
	}
	if len(vars) > MaxVariables {
		fe.Add("variables", fmt.Sprintf("must declare at most %d variables", MaxVariables))
		return
	}
	declared := map[string]bool{}
	for i, v := range vars {
		f := fmt.Sprintf("variables[%d]", i)
		switch {
		case !variableName.MatchString(v.Name):
			fe.Add(f+".name", "must be lower-case letters, digits and _, starting with a letter (at most 40)")
		case declared[v.Name]:
			fe.Add(f+".name", "is declared twice")
		}
		declared[v.Name] = true
		if v.MaxLength < 1 || v.MaxLength > MaxVariableLength {
			fe.Add(f+".max_length", fmt.Sprintf("must be from 1 to %d", MaxVariableLength))
		}
		if utf8.RuneCountInString(v.Description) > 500 || !utf8.ValidString(v.Description) {
			fe.Add(f+".description", "must be text of at most 500 characters")
		}
	}
	used := append(placeholders(system), placeholders(user)...)
	for _, name := range used {
		if !declared[name] {
			fe.Add("user_prompt", fmt.Sprintf("uses {{%s}}, which is not a declared variable", name))
			break
		}
	}
	for i, v := range vars {
		if declared[v.Name] && !slices.Contains(used, v.Name) {
			fe.Add(fmt.Sprintf("variables[%d].name", i), "is used by neither prompt")
		}
	}
}

// render fills a template's placeholders with values, checking them
// strictly; errors name fields as "variables.<name>".
func render(system, user string, vars []Variable, values map[string]string) ([]llm.Message, error) {
	fe := apperr.FieldErrors{}
	declared := map[string]Variable{}
	for _, v := range vars {
		declared[v.Name] = v
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v, ok := declared[name]
		value := values[name]
		switch {
		case !ok:
			fe.Add("variables."+name, "is not a variable of this template")
		case !utf8.ValidString(value):
			fe.Add("variables."+name, "must be valid UTF-8 text")
		case utf8.RuneCountInString(value) > v.MaxLength:
			fe.Add("variables."+name, fmt.Sprintf("must be at most %d characters", v.MaxLength))
		}
	}
	for _, v := range vars {
		if v.Required && strings.TrimSpace(values[v.Name]) == "" {
			fe.Add("variables."+v.Name, "is required")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	fill := func(p string) string {
		return placeholder.ReplaceAllStringFunc(p, func(m string) string {
			return values[placeholder.FindStringSubmatch(m)[1]]
		})
	}
	var out []llm.Message
	if s := strings.TrimSpace(fill(system)); s != "" {
		out = append(out, llm.Message{Role: llm.System, Content: s})
	}
	return append(out, llm.Message{Role: llm.User, Content: fill(user)}), nil
}

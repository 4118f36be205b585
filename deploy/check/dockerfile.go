package check

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// secretName matches names of variables that hold secrets.
var secretName = regexp.MustCompile(`(?i)(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|ACCESS_KEY|API_KEY|CREDENTIAL|DATABASE_URL|REDIS_URL|DSN)`)

var pinned = regexp.MustCompile(`^[^$\s]+@sha256:[0-9a-f]{64}$`)

// Dockerfile lists what is wrong with the Dockerfile read from r, parsed as
// BuildKit parses it: every base image pinned by digest (a stage may build on
// an earlier stage), the final stage running as a non-root user and declaring
// a HEALTHCHECK, and no ENV or ARG giving a secret-looking variable a value.
func Dockerfile(r io.Reader) []string {
	res, err := parser.Parse(r)
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	if len(stages) == 0 {
		return []string{"no FROM"}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	args := func(where string, list []instructions.KeyValuePairOptional) {
		for _, a := range list {
			if a.Value != nil && *a.Value != "" && secretName.MatchString(a.Key) {
				bad("%s: ARG %s has a value: a secret must not be built into the image", where, a.Key)
			}
		}
	}
	args("before the first FROM", flatten(metaArgs))
	names := map[string]bool{}
	for i, st := range stages {
		where := fmt.Sprintf("stage %d (%s)", i, st.BaseName)
		if !names[strings.ToLower(st.BaseName)] && !pinned.MatchString(st.BaseName) {
			bad("%s: FROM %s is not pinned by @sha256: digest", where, st.BaseName)
		}
		if st.Name != "" {
			names[strings.ToLower(st.Name)] = true
		}
		for _, c := range st.Commands {
			switch c := c.(type) {
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if kv.Value != "" && secretName.MatchString(kv.Key) {
						bad("%s: ENV %s has a value: a secret must not be built into the image", where, kv.Key)
					}
				}
			case *instructions.ArgCommand:
				args(where, c.Args)
			}
		}
	}
	final := stages[len(stages)-1]
	user, health := "", false
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.HealthCheckCommand:
			health = c.Health != nil && len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
		bad("final stage: USER %q: the image must run as a non-root user (declare USER in the final stage)", user)
	}
	if !health {
		bad("final stage: no HEALTHCHECK")
	}
	return problems
}

func flatten(cmds []instructions.ArgCommand) []instructions.KeyValuePairOptional {
	var out []instructions.KeyValuePairOptional
	for _, c := range cmds {
		out = append(out, c.Args...)
	}
	return out
}

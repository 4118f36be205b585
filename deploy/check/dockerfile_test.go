package check

import (
	"os"
	"strings"
	"testing"
)

func TestDockerfile(t *testing.T) {
	f, err := os.Open("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if problems := Dockerfile(f); len(problems) > 0 {
		t.Fatalf("Dockerfile:\n%s", strings.Join(problems, "\n"))
	}
}

// Each rule refuses a Dockerfile breaking it, naming what is wrong.
func TestDockerfileRefusesBrokenOnes(t *testing.T) {
	const digest = "@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab"
	good := "FROM golang:1.26" + digest + " AS build\nRUN go build -o /app .\n" +
		"FROM gcr.io/distroless/static-debian12:nonroot" + digest + "\nCOPY --from=build /app /app\n" +
		"USER 65532:65532\nHEALTHCHECK CMD [\"/app\", \"healthcheck\"]\nENTRYPOINT [\"/app\"]\n"
	if problems := Dockerfile(strings.NewReader(good)); len(problems) > 0 {
		t.Fatalf("the good example is refused: %v", problems)
	}
	for name, c := range map[string]struct{ from, to, want string }{
		"tag only":           {"golang:1.26" + digest, "golang:1.26", "not pinned"},
		"digest from an ARG": {"golang:1.26" + digest, "golang:${GO_DIGEST}", "not pinned"},
		"root user":          {"USER 65532:65532", "USER root", "non-root"},
		"uid 0":              {"USER 65532:65532", "USER 0:0", "non-root"},
		"no user":            {"USER 65532:65532\n", "", "non-root"},
		"user only in build": {"USER 65532:65532\n", "", "non-root"},
		"no healthcheck":     {"HEALTHCHECK CMD [\"/app\", \"healthcheck\"]\n", "", "HEALTHCHECK"},
		"healthcheck none":   {"HEALTHCHECK CMD [\"/app\", \"healthcheck\"]", "HEALTHCHECK NONE", "HEALTHCHECK"},
		"env secret":         {"USER 65532", "ENV SECRET_KEY=0123abcd\nUSER 65532", "ENV SECRET_KEY"},
		"env url":            {"RUN go build", "ENV DATABASE_URL=postgres://u:p@db/x\nRUN go build", "ENV DATABASE_URL"},
		"arg with value":     {"RUN go build", "ARG NPM_TOKEN=abc\nRUN go build", "ARG NPM_TOKEN"},
		"meta arg":           {"FROM golang", "ARG S3_SECRET_KEY=abc\nFROM golang", "ARG S3_SECRET_KEY"},
		"not a dockerfile":   {"RUN go build", "RUN go build\nFROM", "parse"},
	} {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(good, c.from, c.to, 1)
			if name == "user only in build" {
				src = strings.Replace(src, "RUN go build", "USER 65532\nRUN go build", 1)
			}
			if src == good {
				t.Fatal("the case changes nothing")
			}
			problems := Dockerfile(strings.NewReader(src))
			if !strings.Contains(strings.Join(problems, "\n"), c.want) {
				t.Fatalf("problems %q, want one naming %q\n%s", problems, c.want, src)
			}
		})
	}
}

package check

import (
	"os"
	"strings"
	"testing"
)

func loadCompose(t *testing.T, content string) []string {
	t.Helper()
	p, err := LoadCompose("../compose.yaml", []byte(content), map[string]string{})
	if err != nil {
		return []string{err.Error()}
	}
	return Compose(p)
}

func TestCompose(t *testing.T) {
	b, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if problems := loadCompose(t, string(b)); len(problems) > 0 {
		t.Fatalf("deploy/compose.yaml:\n%s", strings.Join(problems, "\n"))
	}
	p, err := LoadCompose("../compose.yaml", b, map[string]string{"PISHKHAN_PUBLIC_URL": "https://admin.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pishkhan-1", "pishkhan-2", "worker", "migrate"} {
		if got := p.Services[name].Environment["PUBLIC_URL"]; got == nil || *got != "https://admin.example.com" {
			t.Errorf("%s: PUBLIC_URL %v, want the one from the environment", name, got)
		}
	}
	if w := p.Services["worker"].Environment["JOB_WORKERS"]; w == nil || *w == "0" {
		t.Errorf("the worker runs JOB_WORKERS=%v", w)
	}
	for _, name := range []string{"pishkhan-1", "pishkhan-2"} {
		if w := p.Services[name].Environment["JOB_WORKERS"]; w == nil || *w != "0" {
			t.Errorf("%s: JOB_WORKERS=%v, want 0 (the worker runs jobs)", name, w)
		}
	}
}

// Each rule refuses a compose file breaking it.
func TestComposeRefusesBrokenOnes(t *testing.T) {
	b, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := string(b)
	for name, c := range map[string]struct{ from, to, want string }{
		"schema":                {"    read_only: true\n    tmpfs:\n      - /var/cache/nginx", "    read_only: true\n    readonly: true\n    tmpfs:\n      - /var/cache/nginx", "readonly"},
		"one instance":          {"  pishkhan-2:\n    <<: *pishkhan\n    command: [\"serve\"]", "  pishkhan-2:\n    <<: *pishkhan\n    command: [\"worker\"]", "1 services run `serve`"},
		"no worker":             {"    command: [\"worker\"]", "    command: [\"serve\"]", "no service runs `worker`"},
		"no clamd":              {"  clamd:\n    image: clamav/clamav:1.4", "  antivirus:\n    image: clamav/clamav:1.4", `undefined service "clamd"`},
		"not after migrate":     {"    condition: service_completed_successfully", "    condition: service_started", "completing successfully"},
		"migrate restarts":      {"    command: [\"migrate\"]\n    restart: \"no\"", "    command: [\"migrate\"]\n    restart: always", "must not restart"},
		"inline secret":         {"    JOB_WORKERS: \"0\"", "    JOB_WORKERS: \"0\"\n    SECRET_KEY: 0123abcd", "environment SECRET_KEY"},
		"inline password":       {"POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password", "POSTGRES_PASSWORD: hunter2", "environment POSTGRES_PASSWORD"},
		"inline database url":   {"      JOB_WORKERS: \"4\"", "      JOB_WORKERS: \"4\"\n      DATABASE_URL: postgres://u:p@postgres/x", "environment DATABASE_URL"},
		"writable root":         {"  read_only: true\n  user:", "  read_only: false\n  user:", "read_only must be true"},
		"root user":             {`user: "65532:65532"`, `user: "0:0"`, "non-root user"},
		"capabilities":          {"  cap_drop: [ALL]", "  cap_drop: [NET_RAW]", "cap_drop must include ALL"},
		"no env file":           {"  env_file:\n    - path: ./pishkhan.env\n      required: true\n", "", "no env_file"},
		"latest image":          {"image: redis:7.4-bookworm", "image: redis:latest", "pin a release tag"},
		"untagged image":        {"image: postgres:15-bookworm", "image: postgres", "pin a release tag"},
		"instance health":       {"    healthcheck: *serve-health\n    depends_on: *after-migrate\n\n  pishkhan-2", "    healthcheck:\n      disable: true\n    depends_on: *after-migrate\n\n  pishkhan-2", "service pishkhan-1: no healthcheck"},
		"postgres health":       {"      test: [\"CMD\", \"pg_isready\", \"-U\", \"pishkhan\", \"-d\", \"pishkhan\"]\n", "", "service postgres: no healthcheck"},
		"nginx config":          {"./nginx.conf:/etc/nginx/nginx.conf:ro", "./other.conf:/etc/nginx/nginx.conf:ro", "does not mount deploy/nginx.conf"},
		"migrate before db":     {"    depends_on:\n      postgres:\n        condition: service_healthy", "    depends_on:\n      postgres:\n        condition: service_started", "postgres being healthy"},
		"undefined anchor":      {"depends_on: *after-migrate", "depends_on: *nothing", "nothing"},
		"missing service dep":   {"  nginx:\n    condition: service_healthy\n  clamd:", "  nginx:\n    condition: service_healthy\n  ghost:\n    condition: service_healthy\n  clamd:", "ghost"},
		"no-new-privileges off": {`security_opt: ["no-new-privileges:true"]`, `security_opt: []`, "no-new-privileges"},
		"trusted ranges":        {"TRUSTED_PROXIES: 172.30.254.2", "TRUSTED_PROXIES: 172.16.0.0/12,192.168.0.0/16,10.0.0.0/8", "TRUSTED_PROXIES must be nginx's own"},
		"nginx moved":           {"ipv4_address: 172.30.254.2", "ipv4_address: 172.30.254.3", "TRUSTED_PROXIES must be nginx's own"},
	} {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(good, c.from) {
				t.Fatalf("compose.yaml has no %q", c.from)
			}
			problems := loadCompose(t, strings.Replace(good, c.from, c.to, 1))
			if !strings.Contains(strings.Join(problems, "\n"), c.want) {
				t.Fatalf("problems %q, want one naming %q", problems, c.want)
			}
		})
	}
}

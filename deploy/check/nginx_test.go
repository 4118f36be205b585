package check

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// nginx.conf against the instances deploy/compose.yaml runs.
func nginxCase(t *testing.T, conf string) []string {
	t.Helper()
	b, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadCompose("../compose.yaml", b, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	var instances []string
	for name, s := range p.Services {
		if isPishkhan(s) && slices.Equal(s.Command, []string{"serve"}) {
			instances = append(instances, name)
		}
	}
	return Nginx(conf, instances)
}

func TestNginx(t *testing.T) {
	b, err := os.ReadFile("../nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if problems := nginxCase(t, string(b)); len(problems) > 0 {
		t.Fatalf("deploy/nginx.conf:\n%s", strings.Join(problems, "\n"))
	}
}

func TestNginxRefusesBrokenOnes(t *testing.T) {
	b, err := os.ReadFile("../nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	good := string(b)
	for name, c := range map[string]struct{ from, to, want string }{
		"buffered events":  {"\t\t\tproxy_buffering off;\n\t\t\tproxy_cache off;", "\t\t\tproxy_cache off;", "proxy_buffering"},
		"short timeout":    {"proxy_read_timeout 1h;", "proxy_read_timeout 30s;", "proxy_read_timeout"},
		"no events":        {"location = /api/events {", "location = /api/other {", "no location for /api/events"},
		"missing instance": {"\t\tserver pishkhan-2:8080 resolve max_fails=2 fail_timeout=5s;\n", "", "want the compose instances"},
		"unknown instance": {"server pishkhan-2:8080", "server pishkhan-3:8080", "want the compose instances"},
		"no forwarded for": {"\t\tproxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n", "", "does not set X-Forwarded-For"},
		"unclosed block":   {"\t\tlocation / {\n\t\t\tproxy_pass http://pishkhan;\n\t\t}", "\t\tlocation / {\n\t\t\tproxy_pass http://pishkhan;\n", "not closed"},
		"missing ;":        {"\t\tlocation / {\n\t\t\tproxy_pass http://pishkhan;", "\t\tlocation / {\n\t\t\tproxy_pass http://pishkhan", "not ended by ;"},
	} {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(good, c.from) {
				t.Fatalf("nginx.conf has no %q", c.from)
			}
			problems := nginxCase(t, strings.Replace(good, c.from, c.to, 1))
			if !strings.Contains(strings.Join(problems, "\n"), c.want) {
				t.Fatalf("problems %q, want one naming %q", problems, c.want)
			}
		})
	}
}

package check

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadCompose parses a Compose file as `docker compose` does (the Compose
// schema, offline), without reading the env files or secrets it names
// (they hold the secrets and are not committed). env stands for the shell
// environment ${…} is interpolated from.
func LoadCompose(path string, content []byte, env map[string]string) (*types.Project, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs, Content: content}},
		Environment: env,
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("pishkhan", true)
		o.SkipResolveEnvironment = true
	})
}

// Compose lists what is wrong with deploy/compose.yaml as loaded: the
// services production needs, the migration run to completion before any
// Pishkhan process starts, locked-down Pishkhan containers, healthchecks,
// pinned images, and no secret value written in the file.
func Compose(p *types.Project) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	byCommand := map[string][]string{}
	for name, s := range p.Services {
		if len(s.Command) > 0 && isPishkhan(s) {
			byCommand[s.Command[0]] = append(byCommand[s.Command[0]], name)
		}
	}
	if n := len(byCommand["serve"]); n < 2 {
		bad("%d services run `serve`, want at least 2 instances", n)
	}
	if len(byCommand["worker"]) == 0 {
		bad("no service runs `worker`")
	}
	if len(byCommand["migrate"]) != 1 {
		bad("%d services run `migrate`, want 1", len(byCommand["migrate"]))
	}
	for _, want := range []struct{ name, image string }{
		{"nginx", "nginx:"}, {"postgres", "postgres:"}, {"redis", "redis:"}, {"s3", "versitygw:"}, {"clamd", "clamav:"},
	} {
		s, ok := p.Services[want.name]
		if !ok {
			bad("no %s service", want.name)
		} else if !strings.Contains(s.Image, want.image) {
			bad("service %s: image %q, want %s…", want.name, s.Image, want.image)
		}
	}

	for name, s := range p.Services {
		if s.Image == "" {
			bad("service %s: no image", name)
		} else if !strings.Contains(s.Image, "@sha256:") {
			ref := s.Image[strings.LastIndex(s.Image, "/")+1:]
			if _, tag, ok := strings.Cut(ref, ":"); !ok || tag == "" || tag == "latest" {
				bad("service %s: image %q: pin a release tag (or digest)", name, s.Image)
			}
		}
		for k, v := range s.Environment {
			if v == nil || *v == "" || !secretName.MatchString(k) {
				continue
			}
			// POSTGRES_PASSWORD_FILE=/run/secrets/…: the name of a file, not a secret
			if fileRef := strings.HasSuffix(k, "_FILE") && strings.HasPrefix(*v, "/run/secrets/"); !fileRef {
				bad("service %s: environment %s has a value written in the file: read it from an env file or a secret", name, k)
			}
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			if !isPishkhan(s) || len(s.Command) == 0 || s.Command[0] == "serve" {
				bad("service %s: no healthcheck", name)
			}
		}
		if !isPishkhan(s) {
			continue
		}
		cmd := ""
		if len(s.Command) > 0 {
			cmd = s.Command[0]
		}
		if !s.ReadOnly {
			bad("service %s: read_only must be true", name)
		}
		if u, _, _ := strings.Cut(s.User, ":"); u == "" || u == "0" || u == "root" {
			bad("service %s: user %q, want a non-root user", name, s.User)
		}
		if !slices.Contains(s.CapDrop, "ALL") {
			bad("service %s: cap_drop must include ALL", name)
		}
		if !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
			bad("service %s: security_opt no-new-privileges:true", name)
		}
		if !slices.ContainsFunc(s.Tmpfs, func(t string) bool { return t == "/tmp" || strings.HasPrefix(t, "/tmp:") }) {
			bad("service %s: no tmpfs at /tmp (the root filesystem is read-only)", name)
		}
		if len(s.EnvFiles) == 0 {
			bad("service %s: no env_file: its secrets (SECRET_KEY, DATABASE_URL, …) come from one", name)
		}
		if v := s.Environment["TRUSTED_PROXIES"]; cmd == "serve" && (v == nil || !onlyNginx(*v, p.Services["nginx"])) {
			bad("service %s: TRUSTED_PROXIES must be nginx's own fixed address(es) (ipv4_address on its networks), never a range: a client inside a trusted range could forge X-Forwarded-For", name)
		}
		switch cmd {
		case "migrate":
			if s.Restart != "" && s.Restart != "no" {
				bad("service %s: restart %q: a one-shot migration must not restart", name, s.Restart)
			}
			if d, ok := s.DependsOn["postgres"]; !ok || d.Condition != types.ServiceConditionHealthy {
				bad("service %s: must depend on postgres being healthy", name)
			}
		case "serve", "worker":
			migrate := byCommand["migrate"]
			if len(migrate) == 0 {
				continue
			}
			if d, ok := s.DependsOn[migrate[0]]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
				bad("service %s: must depend on %s completing successfully (migrations before the instances)", name, migrate[0])
			}
		default:
			bad("service %s: command %q is none of serve, worker, migrate", name, s.Command)
		}
	}
	if ng, ok := p.Services["nginx"]; ok {
		if !slices.ContainsFunc(ng.Volumes, func(v types.ServiceVolumeConfig) bool {
			return v.Target == "/etc/nginx/nginx.conf" && filepath.Base(v.Source) == "nginx.conf"
		}) {
			bad("service nginx: does not mount deploy/nginx.conf")
		}
	}
	for name, sec := range p.Secrets {
		if sec.Content != "" {
			bad("secret %s: its content is written in the file: use file: or environment:", name)
		}
	}
	return problems
}

// isPishkhan tells the services running the Pishkhan image (built from the
// repository's Dockerfile).
func isPishkhan(s types.ServiceConfig) bool {
	return s.Build != nil && filepath.Base(s.Build.Dockerfile) == "Dockerfile"
}

// onlyNginx reports whether every entry of a TRUSTED_PROXIES value is a
// fixed address of nginx on one of its networks.
func onlyNginx(trusted string, nginx types.ServiceConfig) bool {
	own := map[string]bool{}
	for _, n := range nginx.Networks {
		if n != nil && n.Ipv4Address != "" {
			own[n.Ipv4Address] = true
		}
	}
	entries := strings.Split(trusted, ",")
	for _, e := range entries {
		e = strings.TrimSpace(e)
		e = strings.TrimSuffix(e, "/32")
		if !own[e] {
			return false
		}
	}
	return len(entries) > 0
}

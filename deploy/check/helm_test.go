package check

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

const chart = "../helm/pishkhan"

// helm is the pinned Helm that scripts/deploy-check.sh installs into bin/
// (or $HELM).
func helm(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("HELM")
	if bin == "" {
		bin, _ = filepath.Abs("../../bin/helm")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("helm is required (scripts/deploy-check.sh installs it into bin/): %v", err)
	}
	return bin
}

// template runs `helm template` over the chart with ci/test-values.yaml and
// args, offline.
func template(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(helm(t), append([]string{"template", "pk", chart, "--namespace", "pishkhan",
		"-f", chart + "/ci/test-values.yaml"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		return nil, &helmError{err, stderr.String()}
	}
	return out, nil
}

type helmError struct {
	err    error
	stderr string
}

func (e *helmError) Error() string { return e.err.Error() + ": " + e.stderr }

func render(t *testing.T, args ...string) *Manifests {
	t.Helper()
	out, err := template(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(out)
	if err != nil {
		t.Fatalf("decode the rendered chart: %v", err)
	}
	if problems := Check(m); len(problems) > 0 {
		t.Fatalf("the rendered chart (%v):\n%s", args, strings.Join(problems, "\n"))
	}
	return m
}

func TestChart(t *testing.T) {
	m := render(t)
	if len(m.Deployments) != 2 || len(m.Jobs) != 1 || len(m.Services) != 1 || len(m.HPAs) != 1 ||
		len(m.PDBs) != 1 || len(m.NetworkPolicies) != 1 || len(m.ServiceMonitors) != 0 {
		t.Fatalf("rendered %d Deployments, %d Jobs, %d Services, %d HPAs, %d PDBs, %d NetworkPolicies, %d ServiceMonitors",
			len(m.Deployments), len(m.Jobs), len(m.Services), len(m.HPAs), len(m.PDBs), len(m.NetworkPolicies), len(m.ServiceMonitors))
	}
	for _, d := range m.Deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Name != "pishkhan-secrets" {
				t.Errorf("%s: envFrom %+v, want the existingSecret pishkhan-secrets", d.Name, c.EnvFrom)
			}
		}
	}
	if d := m.Deployments[0]; d.Spec.Replicas != nil {
		t.Errorf("%s: replicas set while the HPA scales it", d.Name)
	}

	t.Run("TLS terminated by the server", func(t *testing.T) {
		m := render(t, "--set", "tls.secretName=pishkhan-tls", "--set", "serviceMonitor.enabled=true")
		spec := m.Deployments[0].Spec.Template.Spec
		c := spec.Containers[0]
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		if env["TLS_CERT_FILE"] != "/etc/pishkhan/tls/tls.crt" || env["TLS_KEY_FILE"] != "/etc/pishkhan/tls/tls.key" {
			t.Fatalf("TLS env %q %q", env["TLS_CERT_FILE"], env["TLS_KEY_FILE"])
		}
		for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
			if p.HTTPGet.Scheme != corev1.URISchemeHTTPS {
				t.Fatalf("probe %s over %q, want HTTPS", p.HTTPGet.Path, p.HTTPGet.Scheme)
			}
		}
		mounted := slices.ContainsFunc(c.VolumeMounts, func(v corev1.VolumeMount) bool {
			return v.Name == "tls" && v.MountPath == "/etc/pishkhan/tls" && v.ReadOnly
		})
		fromSecret := slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool {
			return v.Name == "tls" && v.Secret != nil && v.Secret.SecretName == "pishkhan-tls"
		})
		if !mounted || !fromSecret {
			t.Fatalf("the tls Secret is not mounted read-only (mounted %v, volume %v)", mounted, fromSecret)
		}
		e := m.ServiceMonitors[0].Spec.Endpoints[0]
		if e.Scheme != "https" || e.TLSConfig == nil || e.TLSConfig.ServerName == "" {
			t.Fatalf("ServiceMonitor scrapes over %q with %+v", e.Scheme, e.TLSConfig)
		}
		// a plain probe of a TLS port fails the pod: the check must say so
		c.ReadinessProbe.HTTPGet.Scheme = corev1.URISchemeHTTP
		m.Deployments[0].Spec.Template.Spec.Containers[0] = c
		if problems := Check(m); !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "readiness probe: scheme") }) {
			t.Fatalf("a plain readiness probe of a TLS server passed the check: %v", problems)
		}
	})

	t.Run("ServiceMonitor when the CRD is declared", func(t *testing.T) {
		m := render(t, "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor")
		if len(m.ServiceMonitors) != 1 {
			t.Fatalf("%d ServiceMonitors", len(m.ServiceMonitors))
		}
		c := m.ServiceMonitors[0].Spec.Endpoints[0].Authorization.Credentials
		if c.Name != "pishkhan-secrets" || c.Key != "METRICS_TOKEN" {
			t.Fatalf("ServiceMonitor credentials %+v", c)
		}
		if m := render(t, "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor", "--set", "serviceMonitor.enabled=false"); len(m.ServiceMonitors) != 0 {
			t.Fatal("serviceMonitor.enabled=false still renders one")
		}
		if m := render(t, "--set", "serviceMonitor.enabled=true"); len(m.ServiceMonitors) != 1 {
			t.Fatal("serviceMonitor.enabled=true renders none")
		}
	})
	t.Run("without workers the server runs jobs", func(t *testing.T) {
		m := render(t, "--set", "worker.enabled=false", "--set", "server.jobWorkers=2")
		if len(m.Deployments) != 1 {
			t.Fatalf("%d Deployments", len(m.Deployments))
		}
		if _, err := template(t, "--set", "worker.enabled=false"); err == nil || !strings.Contains(err.Error(), "server.jobWorkers") {
			t.Fatalf("no worker and no jobs in the server: %v", err)
		}
	})
	t.Run("fixed replicas without the HPA", func(t *testing.T) {
		m := render(t, "--set", "autoscaling.enabled=false", "--set", "server.replicas=3")
		if r := m.Deployments[0].Spec.Replicas; r == nil || *r != 3 || len(m.HPAs) != 0 {
			t.Fatalf("replicas %v, %d HPAs", r, len(m.HPAs))
		}
	})
}

// The chart refuses values that would inline a secret or leave one out.
func TestChartRefusesBadValues(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no existingSecret": {[]string{"--set", "existingSecret="}, "existingSecret"},
		"no publicURL":      {[]string{"--set", "publicURL="}, "publicURL"},
		"secret in env":     {[]string{"--set", "env.SECRET_KEY=0123"}, "env.SECRET_KEY looks like a secret"},
		"database in env":   {[]string{"--set", "env.DATABASE_URL=postgres://u:p@db/x"}, "env.DATABASE_URL looks like a secret"},
		"token in env":      {[]string{"--set", "env.METRICS_TOKEN=x"}, "env.METRICS_TOKEN looks like a secret"},
		"ADDR in env":       {[]string{"--set", "env.ADDR=:9000"}, "env.ADDR is set by the chart"},
		"TLS file in env":   {[]string{"--set", "env.TLS_CERT_FILE=/x.crt"}, "tls.secretName"},
		"serviceMonitor":    {[]string{"--set", "serviceMonitor.enabled=maybe"}, "serviceMonitor.enabled"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := template(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("helm template %v: %v, want an error naming %q", c.args, err, c.want)
			}
		})
	}
}

// Each rule of Decode and Check refuses a rendered chart breaking it.
func TestCheckRefusesBrokenManifests(t *testing.T) {
	good, err := template(t, "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor")
	if err != nil {
		t.Fatal(err)
	}
	const secretDoc = "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\nstringData:\n  SECRET_KEY: abc\n"
	const extraDoc = "\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: stray\n"
	for name, c := range map[string]struct {
		from, to string
		n        int // replacements; 0 means all
		want     string
	}{
		"unknown field":          {"livenessProbe:", "livenessProbes:", 1, `unknown field "spec.template.spec.containers[0].livenessProbes"`},
		"misspelt security":      {"readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", 1, "unknown field"},
		"duplicate key":          {"      automountServiceAccountToken: false\n", "      automountServiceAccountToken: false\n      automountServiceAccountToken: false\n", 1, "already set"},
		"unknown kind":           {"", extraDoc, -1, "v1 Pod is not a kind"},
		"ServiceMonitor field":   {"scrapeTimeout:", "scrapeTimeOut:", 1, "unknown field"},
		"ServiceMonitor token":   {"      authorization:\n        type: Bearer\n        credentials:\n          name: pishkhan-secrets\n          key: METRICS_TOKEN\n", "", 1, "bearer token from a Secret"},
		"liveness path":          {"httpGet: {path: /healthz, port: http, scheme: HTTP}\n            periodSeconds: 10", "httpGet: {path: /, port: http, scheme: HTTP}\n            periodSeconds: 10", 1, "liveness probe: GET /, want /healthz"},
		"readiness path":         {"path: /readyz", "path: /healthz", 1, "readiness probe: GET /healthz, want /readyz"},
		"no readiness":           {"readinessProbe:\n            httpGet: {path: /readyz, port: http, scheme: HTTP}\n", "readinessProbe:\n            exec: {command: [/bin/true]}\n", 1, "readiness probe: none"},
		"writable root":          {"readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", 1, "readOnlyRootFilesystem must be true"},
		"escalation":             {"allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", 1, "allowPrivilegeEscalation must be false"},
		"capabilities":           {`drop: ["ALL"]`, `drop: ["NET_RAW"]`, 1, "drop ALL"},
		"added capability":       {`drop: ["ALL"]`, "drop: [\"ALL\"]\n              add: [\"NET_ADMIN\"]", 1, "add none"},
		"root user":              {"runAsNonRoot: true\n        runAsUser: 65532", "runAsNonRoot: false\n        runAsUser: 0", 1, "runAsUser 0"},
		"seccomp":                {"type: RuntimeDefault", "type: Unconfined", 0, "seccompProfile must be RuntimeDefault"},
		"token mounted":          {"automountServiceAccountToken: false", "automountServiceAccountToken: true", 1, "automountServiceAccountToken"},
		"no /tmp":                {"mountPath: /tmp", "mountPath: /scratch", 1, "no writable volume at /tmp"},
		"inline secret":          {"- name: JOB_WORKERS\n", "- name: SECRET_KEY\n              value: \"0123abcd\"\n            - name: JOB_WORKERS\n", 1, "env SECRET_KEY is not read from a Secret"},
		"no secret ref":          {"          envFrom:\n            - secretRef:\n                name: pishkhan-secrets\n", "", 1, "reads no Secret"},
		"rendered Secret":        {"", secretDoc, -1, "Secret leaked"},
		"hook missing":           {"helm.sh/hook: pre-install,pre-upgrade", "helm.sh/hook: post-install", 1, "must include pre-install and pre-upgrade"},
		"no migrate":             {`args: ["migrate"]`, `args: ["version"]`, 1, "no Job running `migrate`"},
		"latest image":           {"image: pishkhan/pishkhan:0.1.0", "image: pishkhan/pishkhan:latest", 1, ":latest"},
		"worker command":         {`args: ["worker"]`, `args: ["serve"]`, 1, "must run `worker`"},
		"HPA target":             {"    kind: Deployment\n    name: pk-pishkhan\n", "    kind: Deployment\n    name: other\n", 1, "no HorizontalPodAutoscaler scales it"},
		"PDB selector":           {"minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: pishkhan", "minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: other", 1, "no PodDisruptionBudget"},
		"NetworkPolicy ingress":  {`policyTypes: ["Ingress", "Egress"]`, `policyTypes: ["Ingress"]`, 1, "no NetworkPolicy"},
		"Service selects nobody": {"  selector:\n    app.kubernetes.io/name: pishkhan", "  selector:\n    app.kubernetes.io/name: other", 1, "no Service"},
	} {
		t.Run(name, func(t *testing.T) {
			src := string(good)
			switch {
			case c.n < 0:
				src += c.to
			case c.n == 0:
				src = strings.ReplaceAll(src, c.from, c.to)
			default:
				if !strings.Contains(src, c.from) {
					t.Fatalf("the rendered chart has no %q", c.from)
				}
				src = strings.Replace(src, c.from, c.to, c.n)
			}
			var problems []string
			m, err := Decode([]byte(src))
			if err != nil {
				problems = []string{err.Error()}
			} else {
				problems = Check(m)
			}
			if !strings.Contains(strings.Join(problems, "\n"), c.want) {
				t.Fatalf("problems %q, want one naming %q", problems, c.want)
			}
		})
	}
}

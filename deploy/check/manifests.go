package check

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	sjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// ServiceMonitor holds the fields of monitoring.coreos.com/v1 ServiceMonitor
// the chart uses; decoding one with any other field fails.
type ServiceMonitor struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path"`
			Interval      string `json:"interval"`
			ScrapeTimeout string `json:"scrapeTimeout"`
			Scheme        string `json:"scheme,omitempty"`
			TLSConfig     *struct {
				ServerName string `json:"serverName"`
			} `json:"tlsConfig,omitempty"`
			Authorization *struct {
				Type        string                    `json:"type"`
				Credentials *corev1.SecretKeySelector `json:"credentials"`
			} `json:"authorization"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// Manifests are the documents of a rendered chart, by kind.
type Manifests struct {
	Deployments     []appsv1.Deployment
	Jobs            []batchv1.Job
	Services        []corev1.Service
	HPAs            []autoscalingv2.HorizontalPodAutoscaler
	PDBs            []policyv1.PodDisruptionBudget
	NetworkPolicies []networkingv1.NetworkPolicy
	ServiceMonitors []ServiceMonitor
	Secrets         []corev1.Secret
}

// Decode reads a multi-document YAML stream (`helm template` output) into
// the Kubernetes API types, strictly: a field the type does not have, a
// duplicate key or a kind the chart is not known to render is an error.
func Decode(rendered []byte) (*Manifests, error) {
	m := &Manifests{}
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(rendered)))
	for n := 1; ; n++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		if tm.Kind == "" && tm.APIVersion == "" {
			if len(bytes.TrimSpace(stripComments(doc))) > 0 {
				return nil, fmt.Errorf("document %d has no apiVersion and kind", n)
			}
			continue
		}
		var into any
		switch tm.APIVersion + " " + tm.Kind {
		case "apps/v1 Deployment":
			into = appendNew(&m.Deployments)
		case "batch/v1 Job":
			into = appendNew(&m.Jobs)
		case "v1 Service":
			into = appendNew(&m.Services)
		case "autoscaling/v2 HorizontalPodAutoscaler":
			into = appendNew(&m.HPAs)
		case "policy/v1 PodDisruptionBudget":
			into = appendNew(&m.PDBs)
		case "networking.k8s.io/v1 NetworkPolicy":
			into = appendNew(&m.NetworkPolicies)
		case "monitoring.coreos.com/v1 ServiceMonitor":
			into = appendNew(&m.ServiceMonitors)
		case "v1 Secret":
			into = appendNew(&m.Secrets)
		default:
			return nil, fmt.Errorf("document %d: %s %s is not a kind this check knows (add it to deploy/check)", n, tm.APIVersion, tm.Kind)
		}
		if err := unmarshalStrict(doc, into); err != nil {
			return nil, fmt.Errorf("document %d (%s %s): %w", n, tm.Kind, name(doc), err)
		}
	}
}

// unmarshalStrict decodes YAML as the API server decodes JSON: field names
// match case-sensitively, and a duplicate or unknown field is an error.
func unmarshalStrict(doc []byte, into any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := sjson.UnmarshalStrict(j, into)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func name(doc []byte) string {
	var o struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = yaml.Unmarshal(doc, &o)
	return o.Metadata.Name
}

func appendNew[T any](list *[]T) *T {
	*list = append(*list, *new(T))
	return &(*list)[len(*list)-1]
}

func stripComments(doc []byte) []byte {
	var out []byte
	for line := range bytes.Lines(doc) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
		}
	}
	return out
}

const componentLabel = "app.kubernetes.io/component"

// Check lists what is wrong with the rendered chart: what Pishkhan needs to
// run (a server Deployment probed on /healthz and /readyz, something running
// jobs, the migration as a pre-install/pre-upgrade hook, a Service, HPA, PDB
// and NetworkPolicy), every pod locked down, and no secret inlined.
func Check(m *Manifests) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var server, worker *appsv1.Deployment
	for i := range m.Deployments {
		d := &m.Deployments[i]
		switch d.Spec.Template.Labels[componentLabel] {
		case "server":
			if server != nil {
				bad("two server Deployments")
			}
			server = d
		case "worker":
			worker = d
		default:
			bad("Deployment %s: pod label %s is neither server nor worker", d.Name, componentLabel)
		}
		checkPod(bad, "Deployment "+d.Name, &d.Spec.Template.Spec)
	}
	if server == nil {
		bad("no server Deployment (pod label %s: server)", componentLabel)
	} else {
		c := mainContainer(&server.Spec.Template.Spec)
		if c == nil || !slices.Equal(c.Args, []string{"serve"}) {
			bad("Deployment %s: the first container must run `serve`", server.Name)
		} else {
			scheme := corev1.URISchemeHTTP
			if slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "TLS_CERT_FILE" }) {
				scheme = corev1.URISchemeHTTPS
			}
			checkProbe(bad, server.Name+" startup", c.StartupProbe, "/healthz", scheme)
			checkProbe(bad, server.Name+" liveness", c.LivenessProbe, "/healthz", scheme)
			checkProbe(bad, server.Name+" readiness", c.ReadinessProbe, "/readyz", scheme)
			if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == "http" && p.ContainerPort == 8080 }) {
				bad("Deployment %s: no container port http 8080 (ADDR)", server.Name)
			}
		}
	}
	serverJobs := server != nil && jobWorkers(server) > 0
	if worker != nil {
		c := mainContainer(&worker.Spec.Template.Spec)
		if c == nil || !slices.Equal(c.Args, []string{"worker"}) {
			bad("Deployment %s: the first container must run `worker`", worker.Name)
		}
		if worker.Spec.Replicas != nil && *worker.Spec.Replicas < 1 && !serverJobs {
			bad("the worker Deployment has no replicas and the server runs no jobs")
		}
	} else if !serverJobs {
		bad("nothing runs background jobs: no worker Deployment and the server's JOB_WORKERS is 0")
	}

	var migrate *batchv1.Job
	for i := range m.Jobs {
		j := &m.Jobs[i]
		checkPod(bad, "Job "+j.Name, &j.Spec.Template.Spec)
		if c := mainContainer(&j.Spec.Template.Spec); c != nil && slices.Equal(c.Args, []string{"migrate"}) {
			migrate = j
		}
	}
	if migrate == nil {
		bad("no Job running `migrate`")
	} else {
		hooks := strings.Split(migrate.Annotations["helm.sh/hook"], ",")
		if !slices.Contains(hooks, "pre-install") || !slices.Contains(hooks, "pre-upgrade") {
			bad("Job %s: helm.sh/hook %q must include pre-install and pre-upgrade (migrate before the rollout)", migrate.Name, migrate.Annotations["helm.sh/hook"])
		}
		if p := migrate.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
			bad("Job %s: restartPolicy %q", migrate.Name, p)
		}
	}

	if server != nil {
		pods := server.Spec.Template.Labels
		if !slices.ContainsFunc(m.Services, func(s corev1.Service) bool {
			return len(s.Spec.Selector) > 0 && selects(s.Spec.Selector, pods) && slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool {
				return p.TargetPort.String() == "http" || p.TargetPort.IntValue() == 8080
			})
		}) {
			bad("no Service selecting the server pods on their http port")
		}
		if server.Spec.Replicas == nil && !slices.ContainsFunc(m.HPAs, func(h autoscalingv2.HorizontalPodAutoscaler) bool {
			return h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == server.Name && h.Spec.MaxReplicas >= 2
		}) {
			bad("Deployment %s sets no replicas and no HorizontalPodAutoscaler scales it", server.Name)
		}
		if !slices.ContainsFunc(m.PDBs, func(p policyv1.PodDisruptionBudget) bool {
			return p.Spec.Selector != nil && selects(p.Spec.Selector.MatchLabels, pods) && (p.Spec.MinAvailable != nil || p.Spec.MaxUnavailable != nil)
		}) {
			bad("no PodDisruptionBudget over the server pods")
		}
		if !slices.ContainsFunc(m.NetworkPolicies, func(n networkingv1.NetworkPolicy) bool {
			return selects(n.Spec.PodSelector.MatchLabels, pods) &&
				slices.Contains(n.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) && slices.Contains(n.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}) {
			bad("no NetworkPolicy restricting both ingress and egress of the server pods")
		}
	}
	for _, sm := range m.ServiceMonitors {
		if len(sm.Spec.Endpoints) == 0 {
			bad("ServiceMonitor %s: no endpoints", sm.Metadata.Name)
		}
		for _, e := range sm.Spec.Endpoints {
			if e.Path != "/metrics" {
				bad("ServiceMonitor %s: path %q, want /metrics", sm.Metadata.Name, e.Path)
			}
			if a := e.Authorization; a == nil || a.Credentials == nil || a.Credentials.Name == "" || a.Credentials.Key == "" {
				bad("ServiceMonitor %s: /metrics needs the bearer token from a Secret (authorization.credentials)", sm.Metadata.Name)
			}
		}
	}
	for _, s := range m.Secrets {
		bad("Secret %s: the chart must reference an existing Secret, never render one", s.Name)
	}
	return problems
}

func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func mainContainer(p *corev1.PodSpec) *corev1.Container {
	if len(p.Containers) == 0 {
		return nil
	}
	return &p.Containers[0]
}

func jobWorkers(d *appsv1.Deployment) int {
	c := mainContainer(&d.Spec.Template.Spec)
	if c == nil {
		return 0
	}
	for _, e := range c.Env {
		if e.Name == "JOB_WORKERS" {
			n, _ := strconv.Atoi(e.Value)
			return n
		}
	}
	return 4 // the server's default
}

// checkProbe wants GET path on the http port, over HTTPS when the server
// terminates TLS (a plain probe of a TLS port fails, and the pod with it).
func checkProbe(bad func(string, ...any), what string, p *corev1.Probe, path string, scheme corev1.URIScheme) {
	if p == nil || p.HTTPGet == nil {
		bad("%s probe: none (want GET %s)", what, path)
		return
	}
	if p.HTTPGet.Path != path {
		bad("%s probe: GET %s, want %s", what, p.HTTPGet.Path, path)
	}
	if p.HTTPGet.Port.String() != "http" && p.HTTPGet.Port.IntValue() != 8080 {
		bad("%s probe: port %s, want http", what, p.HTTPGet.Port.String())
	}
	if got := p.HTTPGet.Scheme; got != scheme && (got != "" || scheme != corev1.URISchemeHTTP) {
		bad("%s probe: scheme %q, want %s", what, got, scheme)
	}
}

// checkPod holds a pod to the locked-down profile: non-root, RuntimeDefault
// seccomp, no API token, and every container on a read-only root filesystem
// with no capability and no privilege escalation, writing only to its
// volumes (/data and /tmp), with secrets only from Secret references.
func checkPod(bad func(string, ...any), where string, p *corev1.PodSpec) {
	ps := p.SecurityContext
	if ps == nil {
		ps = &corev1.PodSecurityContext{}
	}
	if p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
		bad("%s: automountServiceAccountToken must be false", where)
	}
	if p.HostNetwork || p.HostPID || p.HostIPC {
		bad("%s: shares a host namespace", where)
	}
	podNonRoot := ps.RunAsNonRoot != nil && *ps.RunAsNonRoot
	podSeccomp := ps.SeccompProfile != nil && ps.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
	if ps.RunAsUser != nil && *ps.RunAsUser == 0 {
		bad("%s: pod runAsUser 0", where)
	}
	emptyDirs := map[string]bool{}
	for _, v := range p.Volumes {
		if v.EmptyDir != nil {
			emptyDirs[v.Name] = true
		}
	}
	containers := append(slices.Clone(p.InitContainers), p.Containers...)
	if len(p.Containers) == 0 {
		bad("%s: no container", where)
	}
	for _, c := range containers {
		at := where + " container " + c.Name
		sc := c.SecurityContext
		if sc == nil {
			bad("%s: no securityContext", at)
			continue
		}
		if !podNonRoot && (sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) || sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
			bad("%s: runAsNonRoot must be true", at)
		}
		if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			bad("%s: runAsUser 0", at)
		}
		if !podSeccomp && (sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault) ||
			sc.SeccompProfile != nil && sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			bad("%s: seccompProfile must be RuntimeDefault", at)
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			bad("%s: readOnlyRootFilesystem must be true", at)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			bad("%s: allowPrivilegeEscalation must be false", at)
		}
		if sc.Privileged != nil && *sc.Privileged {
			bad("%s: privileged", at)
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
			bad("%s: capabilities must drop ALL and add none", at)
		}
		if c.Image == "" || strings.HasSuffix(c.Image, ":latest") {
			bad("%s: image %q: name a version or digest", at, c.Image)
		}
		for _, dir := range []string{"/data", "/tmp"} {
			if !slices.ContainsFunc(c.VolumeMounts, func(v corev1.VolumeMount) bool { return v.MountPath == dir && emptyDirs[v.Name] && !v.ReadOnly }) {
				bad("%s: no writable volume at %s (the root filesystem is read-only)", at, dir)
			}
		}
		fromSecret := false
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil && e.SecretRef.Name != "" {
				fromSecret = true
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				fromSecret = true
			}
			if secretName.MatchString(e.Name) && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
				bad("%s: env %s is not read from a Secret (secretKeyRef): a secret must never be inlined", at, e.Name)
			}
		}
		if !fromSecret {
			bad("%s: reads no Secret (envFrom secretRef): SECRET_KEY and DATABASE_URL must come from one", at)
		}
	}
}

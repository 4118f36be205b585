package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pishkhan/pishkhan/internal/testkit"
)

// repoFile reads a file from the repository's root.
func repoFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type catalogued struct{ typ, labels string }

// catalogue reads docs/metrics.md's table rows: | `name` | type | labels | meaning |.
func catalogue(t *testing.T) map[string]catalogued {
	t.Helper()
	row := regexp.MustCompile("^\\|\\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\\s*\\|\\s*(\\w+)\\s*\\|([^|]*)\\|")
	out := map[string]catalogued{}
	for _, line := range strings.Split(string(repoFile(t, "docs/metrics.md")), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			if _, dup := out[m[1]]; dup {
				t.Errorf("docs/metrics.md lists %s twice", m[1])
			}
			out[m[1]] = catalogued{typ: m[2], labels: strings.TrimSpace(m[3])}
		}
	}
	if len(out) == 0 {
		t.Fatal("docs/metrics.md lists no metric")
	}
	return out
}

// scrape fetches and parses an instance's /metrics.
func scrape(t *testing.T, in *testkit.Instance) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", in.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testkit.MetricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// Every metric a production instance exposes is in docs/metrics.md with
// its type and labels, and everything the catalogue lists is exposed.
func TestMetricsCatalogue(t *testing.T) {
	// an AI provider from the environment starts its series (nothing listens there: no call is made)
	in := testkit.Start(t, testkit.NewShared(t, testkit.Modes[1]), map[string]string{
		"AI_BASE_URL": "http://127.0.0.1:1/v1", "AI_TEXT_MODEL": "catalogue-model"})
	in.CreateSuperuser(t, "root@example.com")
	c := in.LoggedIn(t, "root@example.com")
	id := c.CreateOrder("buyer@example.com")
	if r := c.Do("GET", fmt.Sprintf("/api/orders/%d", id), nil); r.Status != 200 {
		t.Fatalf("get order: %d", r.Status)
	}
	fams := scrape(t, in)
	cat := catalogue(t)
	var missing []string
	for name, f := range fams {
		entry, ok := cat[name]
		if !ok {
			missing = append(missing, fmt.Sprintf("| `%s` | %s | %s | %s |", name, strings.ToLower(f.GetType().String()),
				labelsOf(f), f.GetHelp()))
			continue
		}
		if want := strings.ToLower(f.GetType().String()); entry.typ != want {
			t.Errorf("docs/metrics.md: %s is a %s, not a %s", name, want, entry.typ)
		}
		if got := labelsOf(f); entry.labels != got {
			t.Errorf("docs/metrics.md: %s has labels %q, the catalogue says %q", name, got, entry.labels)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("metrics missing from docs/metrics.md:\n%s", strings.Join(missing, "\n"))
	}
	for name := range cat {
		if _, ok := fams[name]; !ok {
			t.Errorf("docs/metrics.md lists %s, which /metrics does not expose", name)
		}
	}
}

// labelsOf lists a family's label names, as the catalogue writes them:
// `a`, `b` (histogram buckets' le left out), or "—".
func labelsOf(f *dto.MetricFamily) string {
	seen := map[string]bool{}
	for _, m := range f.Metric {
		for _, l := range m.Label {
			seen[l.GetName()] = true
		}
	}
	var names []string
	for n := range seen {
		names = append(names, "`"+n+"`")
	}
	if len(names) == 0 {
		return "—"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

var (
	promqlStrings  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promqlMatchers = regexp.MustCompile(`\{[^}]*\}`)
	promqlGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promqlRanges   = regexp.MustCompile(`\[[^\]]*\]`)
	promqlNumbers  = regexp.MustCompile(`\b[0-9][0-9a-zA-Z.]*`)
	promqlIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	promqlWords    = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "e", "inf", "nan"}
)

// metricsIn returns the metric names a PromQL expression selects.
func metricsIn(expr string) []string {
	expr = promqlStrings.ReplaceAllString(expr, `""`)
	expr = promqlMatchers.ReplaceAllString(expr, "")
	expr = promqlGrouping.ReplaceAllString(expr, "")
	expr = promqlRanges.ReplaceAllString(expr, "")
	expr = promqlNumbers.ReplaceAllString(expr, "")
	var out []string
	for _, m := range promqlIdent.FindAllStringSubmatch(expr, -1) {
		if m[1] != "" || slices.Contains(promqlWords, strings.ToLower(m[0])) {
			continue // a function call or a keyword
		}
		out = append(out, m[0])
	}
	return out
}

// known reports whether name is a catalogued metric or one of the series
// a catalogued histogram or summary exposes.
func known(cat map[string]catalogued, name string) bool {
	if _, ok := cat[name]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if e, ok := cat[strings.TrimSuffix(name, suffix)]; ok && strings.HasSuffix(name, suffix) && (e.typ == "histogram" || e.typ == "summary") {
			return true
		}
	}
	return false
}

func TestPromQLMetricNames(t *testing.T) {
	got := metricsIn(`histogram_quantile(0.99, sum by (le, route) (rate(pishkhan_http_request_duration_seconds_bucket{route!="/api/events"}[5m]))) > 1 and on() max(pishkhan_jobs{state="available"} offset 5m) > bool 0`)
	want := []string{"pishkhan_http_request_duration_seconds_bucket", "pishkhan_jobs"}
	if !slices.Equal(got, want) {
		t.Errorf("metricsIn = %v, want %v", got, want)
	}
}

// The Grafana dashboard is valid JSON whose every panel queries only
// catalogued metrics; so do the alert rules.
func TestDashboardAndAlertsUseCataloguedMetrics(t *testing.T) {
	cat := catalogue(t)
	var dash struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(repoFile(t, "deploy/grafana/pishkhan.json"), &dash); err != nil {
		t.Fatalf("deploy/grafana/pishkhan.json: %v", err)
	}
	if dash.Title == "" || dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatalf("dashboard needs a title, a uid and panels")
	}
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			names := metricsIn(tg.Expr)
			if len(names) == 0 {
				t.Errorf("panel %q: %q selects no metric", p.Title, tg.Expr)
			}
			for _, n := range names {
				if !known(cat, n) {
					t.Errorf("panel %q queries %s, which docs/metrics.md does not list", p.Title, n)
				}
			}
		}
	}
	exprs := regexp.MustCompile(`(?m)^\s*expr:\s*(?:\|\s*\n)?(.+)$`).FindAllStringSubmatch(string(repoFile(t, "deploy/prometheus/alerts.yaml")), -1)
	if len(exprs) == 0 {
		t.Fatal("deploy/prometheus/alerts.yaml has no expr")
	}
	for _, m := range exprs {
		for _, n := range metricsIn(m[1]) {
			if !known(cat, n) {
				t.Errorf("alert expression %q uses %s, which docs/metrics.md does not list", m[1], n)
			}
		}
	}
}

// Package archtest holds the test that keeps Go dependencies pointing one
// way: cmd → server → features → platform.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/pishkhan/pishkhan/"

// The layers, by import path below the module:
//   - cmd/...: the binaries; they may import anything but another command.
//   - internal/server: builds and wires everything; imports features and platform.
//   - internal/<feature>/...: one feature (its subpackages belong to it); imports
//     platform and itself only.
//   - internal/platform/..., plus the shared packages below: know no feature.
//   - internal/testkit: starts whole instances for tests; only tests import it.
//
// Any other directory under internal/ is a feature: a new feature is checked
// without being listed anywhere.
const (
	layerCmd      = "cmd"
	layerTestkit  = "testkit"
	layerServer   = "server"
	layerFeature  = "feature"
	layerPlatform = "platform"
	layerTooling  = "tooling"
)

// shared are packages outside internal/platform that know no feature and
// that features may use: they are platform.
var shared = []string{
	"internal/config", // every environment variable, declared once
	"internal/webui",  // the embedded web app
}

// exception is a feature-to-feature import that is allowed, with why.
type exception struct {
	from, to  string // feature names
	testsOnly bool   // only the importer's tests import it
	why       string
}

// allowed lists today's legitimate feature-to-feature imports. Anything
// else crosses features through an interface the importer declares and
// internal/server wires (as orders.Tally is kept by stats).
var allowed = []exception{
	{from: "stats", to: "orders", testsOnly: true,
		why: "stats' tests write orders through the orders service to check the figures orders.Tally keeps"},
	{from: "people", to: "auth",
		why: "people (users, roles, invites) hashes passwords and ends sessions with auth's code, split out of auth"},
}

// transportFile reports whether a feature's file may import httpapi: its
// HTTP files (handlers and routes, http.go or *_http.go), its HTTP
// middleware (middleware.go), and its filter files (filter.go or
// *_filter.go), which read the filter from the query and document it for
// OpenAPI (httpapi.Param, httpapi.QueryID). Services, stores and models
// stay transport-free.
func transportFile(name string) bool {
	base := strings.TrimSuffix(name, ".go")
	for _, kind := range []string{"http", "middleware", "filter"} {
		if base == kind || strings.HasSuffix(base, "_"+kind) || strings.HasPrefix(base, kind+"_") {
			return true
		}
	}
	return false
}

const httpapiPath = module + "internal/platform/httpapi"

// pkg is what go list says about one package, with the imports of each of
// its non-test files.
type pkg struct {
	ImportPath   string
	Dir          string
	GoFiles      []string
	Imports      []string
	TestImports  []string
	XTestImports []string
	fileImports  map[string][]string
}

// layer places a package of this module.
func layer(importPath string) (layer, feature string, err error) {
	rel, ok := strings.CutPrefix(importPath, module)
	if !ok {
		return "", "", fmt.Errorf("%s is not in this module", importPath)
	}
	under := func(p string) bool { return rel == p || strings.HasPrefix(rel, p+"/") }
	switch {
	case under("cmd"):
		return layerCmd, "", nil
	case under("internal/server"):
		return layerServer, "", nil
	case under("internal/testkit"):
		return layerTestkit, "", nil
	case under("internal/archtest"):
		return layerTooling, "", nil
	case under("internal/platform"):
		return layerPlatform, "", nil
	}
	for _, s := range shared {
		if under(s) {
			return layerPlatform, "", nil
		}
	}
	if rest, ok := strings.CutPrefix(rel, "internal/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		return layerFeature, name, nil
	}
	return "", "", fmt.Errorf("%s is in no layer: put it under cmd/ or internal/", importPath)
}

// violations returns every import that breaks the direction.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		from, fromFeature, err := layer(p.ImportPath)
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		check := func(imp string, inTests bool) {
			if !strings.HasPrefix(imp, module) {
				return
			}
			to, toFeature, err := layer(imp)
			if err != nil {
				out = append(out, err.Error())
				return
			}
			if msg := edge(from, fromFeature, to, toFeature, inTests); msg != "" {
				where := ""
				if inTests {
					where = " (in its tests)"
				}
				out = append(out, fmt.Sprintf("%s imports %s%s: %s", rel(p.ImportPath), rel(imp), where, msg))
			}
		}
		for _, imp := range p.Imports {
			check(imp, false)
		}
		for _, imp := range slices.Concat(p.TestImports, p.XTestImports) {
			if imp != p.ImportPath {
				check(imp, true)
			}
		}
		if from != layerFeature {
			continue
		}
		for _, f := range slices.Sorted(maps.Keys(p.fileImports)) {
			if slices.Contains(p.fileImports[f], httpapiPath) && !transportFile(f) {
				out = append(out, fmt.Sprintf("%s/%s imports httpapi: only a feature's HTTP files (http.go, *_http.go), "+
					"middleware (middleware.go) and filter files (filter.go, *_filter.go) may; services, stores and models "+
					"stay transport-free",
					rel(p.ImportPath), f))
			}
		}
	}
	return out
}

// edge says why an import from one layer to another is refused ("" when
// it is allowed).
func edge(from, fromFeature, to, toFeature string, inTests bool) string {
	switch {
	case to == layerCmd:
		return "nothing imports a command"
	case to == layerTestkit && !inTests:
		return "only tests import testkit"
	case to == layerTestkit:
		return ""
	}
	switch from {
	case layerCmd, layerTestkit, layerTooling, layerServer:
		return ""
	case layerPlatform:
		if to != layerPlatform {
			return "platform knows no feature and no server (cmd → server → features → platform)"
		}
	case layerFeature:
		switch to {
		case layerServer:
			return "a feature never imports the server (cmd → server → features → platform); let the server hand it what it needs"
		case layerFeature:
			if fromFeature == toFeature {
				return ""
			}
			for _, e := range allowed {
				if e.from == fromFeature && e.to == toFeature && (inTests || !e.testsOnly) {
					return ""
				}
			}
			return "a feature never imports another feature; declare the interface it needs and let internal/server " +
				"wire the other feature in (as orders.Tally), or list a reasoned exception in internal/archtest"
		}
	}
	return ""
}

func rel(importPath string) string { return strings.TrimPrefix(importPath, module) }

// load lists the module's packages and parses the imports of every
// non-test file of its features.
func load(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.ImportPath, module+"web/") {
			continue // npm packages in web/node_modules may carry Go code; none of it is ours
		}
		if l, _, _ := layer(p.ImportPath); l == layerFeature {
			p.fileImports = map[string][]string{}
			for _, name := range p.GoFiles {
				f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
				if err != nil {
					t.Fatal(err)
				}
				for _, spec := range f.Imports {
					imp, _ := strconv.Unquote(spec.Path.Value)
					p.fileImports[name] = append(p.fileImports[name], imp)
				}
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestDependencyDirection fails on any import against the direction
// cmd → server → features → platform, on a feature importing another
// (but for the listed exceptions), and on a feature file other than its
// HTTP and filter files importing httpapi.
func TestDependencyDirection(t *testing.T) {
	pkgs := load(t)
	features := map[string]bool{}
	for _, p := range pkgs {
		if l, name, _ := layer(p.ImportPath); l == layerFeature {
			features[name] = true
		}
	}
	// the check must see the features it guards, or it passes on nothing
	for _, want := range []string{"orders", "media", "stats", "auditlog", "jobadmin"} {
		if !features[want] {
			t.Fatalf("no feature %q among the packages go list found (%v): the layers are misread", want, features)
		}
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestViolationsAreFound feeds the check imports that break each rule, so
// it is known to refuse them, and ones that keep them, so it is known to
// let them through.
func TestViolationsAreFound(t *testing.T) {
	m := func(p string) string { return module + p }
	pkgs := []pkg{
		{ImportPath: m("internal/platform/cache"), Imports: []string{m("internal/platform/db"), m("internal/orders")}},
		{ImportPath: m("internal/media"), Imports: []string{m("internal/platform/db"), m("internal/orders"), m("internal/server")},
			TestImports: []string{m("internal/testkit"), m("internal/media")},
			fileImports: map[string][]string{
				"http.go": {httpapiPath}, "filter.go": {httpapiPath}, "users_http.go": {httpapiPath}, "middleware.go": {httpapiPath},
				"service.go": {httpapiPath}, "store.go": {m("internal/platform/db")}}},
		{ImportPath: m("internal/stats"), Imports: []string{m("internal/orders")}, TestImports: []string{m("internal/orders")}},
		{ImportPath: m("internal/people"), Imports: []string{m("internal/auth"), m("internal/testkit")}},
		{ImportPath: m("internal/content/posts"), Imports: []string{m("internal/content"), m("internal/config")}},
		{ImportPath: m("internal/server"), Imports: []string{m("internal/media"), m("internal/platform/db")}},
		{ImportPath: m("cmd/pishkhan"), Imports: []string{m("internal/server"), m("internal/orders")}},
	}
	got := violations(pkgs)
	want := []string{
		"internal/platform/cache imports internal/orders: platform knows",
		"internal/media imports internal/orders: a feature never imports another feature",
		"internal/media imports internal/server: a feature never imports the server",
		"internal/media/service.go imports httpapi",
		"internal/stats imports internal/orders: a feature never imports another feature", // tests only
		"internal/people imports internal/testkit: only tests import testkit",
	}
	if len(got) != len(want) {
		t.Errorf("%d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("no violation starting %q among:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if _, _, err := layer(m("tools")); err == nil {
		t.Error("a package outside cmd/ and internal/ was given a layer")
	}
	if l, name, _ := layer(m("internal/content/posts")); l != layerFeature || name != "content" {
		t.Errorf("internal/content/posts is %s %q, want the feature content", l, name)
	}
}

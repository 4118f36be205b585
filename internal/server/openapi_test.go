package server_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/server"
)

// The committed document the web app's types are generated from must be
// the one the code generates: run `make api` after changing a route.
func TestOpenAPIDocumentIsCurrent(t *testing.T) {
	want, err := server.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../web/openapi.json")
	if err != nil {
		t.Fatalf("web/openapi.json: %v (run `make api`)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatal("web/openapi.json is out of date: run `make api` and commit the result")
	}
}

// Every operation declares the error responses client generators need:
// at least one 4xx, 500 and a default, each in the shared Error envelope,
// and the statuses its Op implies (401, 403 with a permission, 404 with a
// path id, 400/413/415/422 with a body, 412 with If-Match).
func TestOpenAPIOperationsDeclareErrors(t *testing.T) {
	raw, err := server.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Schemas   map[string]json.RawMessage
			Responses map[string]struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					}
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Components.Schemas["Error"]; !ok {
		t.Fatal("components.schemas.Error is missing")
	}
	for name, r := range doc.Components.Responses {
		if got := r.Content["application/json"].Schema.Ref; got != "#/components/schemas/Error" {
			t.Errorf("components.responses.%s: schema %q, want the Error schema", name, got)
		}
	}
	type param struct{ Name, In string }
	n := 0
	for path, item := range doc.Paths {
		for method, rawOp := range item {
			n++
			var op struct {
				OperationID string `json:"operationId"`
				XPermission string `json:"x-permission"`
				Parameters  []param
				RequestBody any `json:"requestBody"`
				Responses   map[string]struct {
					Ref string `json:"$ref"`
				}
			}
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatal(err)
			}
			want := []string{"401", "500", "503", "default"}
			if op.XPermission != "" {
				want = append(want, "403")
			}
			for _, p := range op.Parameters {
				if p.In == "path" {
					want = append(want, "404")
				}
				if p.In == "header" && strings.EqualFold(p.Name, "If-Match") {
					want = append(want, "412")
				}
			}
			if op.RequestBody != nil {
				want = append(want, "400", "413", "415", "422")
			}
			for _, s := range want {
				if _, ok := op.Responses[s]; !ok {
					t.Errorf("%s %s (%s): no %s response", strings.ToUpper(method), path, op.OperationID, s)
				}
			}
			has4xx := false
			for s, r := range op.Responses {
				if s[0] == '4' || s[0] == '5' || s == "default" {
					has4xx = has4xx || s[0] == '4'
					if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); !ok || doc.Components.Responses[name].Content == nil {
						t.Errorf("%s %s: %s response %q is not a shared error response", strings.ToUpper(method), path, s, r.Ref)
					}
				}
			}
			if !has4xx {
				t.Errorf("%s %s: no 4xx response", strings.ToUpper(method), path)
			}
		}
	}
	if n == 0 {
		t.Fatal("no operations")
	}
}

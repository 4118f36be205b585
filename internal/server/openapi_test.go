package server_test

import (
	"bytes"
	"os"
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

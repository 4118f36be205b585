package server

import (
	"encoding/json"

	"github.com/pishkhan/pishkhan/internal/platform/metrics"
)

// OpenAPIDocument returns the API's OpenAPI 3.1 document, generated from
// the registered routes, without opening any service. `pishkhan openapi`
// prints it; the web app's typed client is generated from it.
func OpenAPIDocument() ([]byte, error) {
	s := &Server{Metrics: metrics.New(nil)}
	s.routes()
	return json.MarshalIndent(s.Router.OpenAPI("Pishkhan API", "1"), "", "  ")
}

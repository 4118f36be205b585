package httpapi_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
)

// A database that restarts, shuts down or is starting up is a dependency
// being unavailable: 503 with Retry-After, never 500 (make chaos found
// PostgreSQL restarts answered 500).
func TestDatabaseOutagesAre503(t *testing.T) {
	for name, err := range map[string]error{
		"shutting down at connect": fmt.Errorf("begin: %w", &pgconn.ConnectError{Config: &pgconn.Config{}}),
		"cannot connect now":       fmt.Errorf("begin: %w", &pgconn.PgError{Severity: "FATAL", Code: "57P03", Message: "the database system is shutting down"}),
		"admin shutdown":           &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"},
		"crash shutdown":           &pgconn.PgError{Severity: "FATAL", Code: "57P02"},
		"connection failure":       &pgconn.PgError{Severity: "FATAL", Code: "08006"},
	} {
		rec := httptest.NewRecorder()
		httpapi.WriteError(rec, httptest.NewRequest("GET", "/api/orders", nil), err)
		if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: %d, Retry-After %q", name, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
	for name, err := range map[string]error{
		"a bug":        errors.New("something else"),
		"a constraint": &pgconn.PgError{Code: "23505"},
	} {
		rec := httptest.NewRecorder()
		httpapi.WriteError(rec, httptest.NewRequest("GET", "/api/orders", nil), err)
		if rec.Code != 500 {
			t.Errorf("%s: %d, want 500", name, rec.Code)
		}
	}
}

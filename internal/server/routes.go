package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pishkhan/pishkhan/internal/auditlog"
	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/jobadmin"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
	"github.com/pishkhan/pishkhan/internal/stats"
	"github.com/pishkhan/pishkhan/internal/webui"
)

// Health is the body of /healthz and /readyz.
type Health struct {
	Status  string            `json:"status"`
	Failing map[string]string `json:"failing,omitempty"`
	Version string            `json:"version"`
}

func (s *Server) routes() {
	rt := httpapi.NewRouter()
	s.Router = rt
	auth.Routes(rt, s.Auth)
	auth.TokenRoutes(rt, s.Auth)
	auth.SessionRoutes(rt, s.Auth)
	auth.PeopleRoutes(rt, s.Auth)
	orders.Routes(rt, s.Orders)
	auditlog.Routes(rt, s.Audit)
	stats.Routes(rt, s.Stats)
	jobadmin.Routes(rt, s.Jobs)
	local, _ := s.Storage.(*storage.Local)
	media.Routes(rt, s.Media, local)

	rt.Handle("GET", "/api/events", httpapi.Op{ID: "events", Errors: []int{http.StatusTooManyRequests}, Tag: "events",
		Summary: fmt.Sprintf("Server-Sent Events: one event per change to a resource the caller may view; "+
			"at most %d streams a user on an instance (429 %s)", events.MaxStreamsPerUser, events.ReasonTooManyStreams)},
		func(w http.ResponseWriter, r *http.Request) {
			p := authz.From(r.Context())
			if p == nil {
				httpapi.WriteError(w, r, apperr.New(apperr.Unauthenticated, "log in first"))
				return
			}
			if err := s.Hub.Serve(w, r, p, auth.StreamCheck(s.Auth, r)); errors.Is(err, events.ErrTooManyStreams) {
				e := &apperr.Error{Code: apperr.RateLimited, RetryAfter: 5,
					Limit:   &apperr.LimitInfo{Limit: events.MaxStreamsPerUser, Remaining: 0, ResetSecs: 5},
					Message: fmt.Sprintf("you have %d event streams open here already; close one (a tab) first", events.MaxStreamsPerUser)}
				httpapi.WriteError(w, r, e.WithReason(events.ReasonTooManyStreams))
			}
		})
	rt.Handle("GET", "/api/openapi.json", httpapi.Op{ID: "openapi", Tag: "meta", Public: true,
		Summary: "This API's OpenAPI 3.1 document"}, rt.OpenAPIHandler("Pishkhan API", "1"))
	rt.Handle("GET", "/api/ping", httpapi.Op{ID: "ping", Tag: "meta", Public: true,
		Summary: "A static JSON answer (the benchmarks' ceiling)", Response: Health{}},
		func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteBody(w, r, http.StatusOK, pingBody, `"ping"`)
		})

	rt.HandleOther("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.JSON(w, r, http.StatusOK, Health{Status: "ok", Version: Version})
	}))
	rt.HandleOther("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing := s.Ready(r.Context()); len(failing) > 0 {
			w.Header().Set("Retry-After", "5")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(Health{Status: "unavailable", Failing: failing, Version: Version})
			return
		}
		httpapi.JSON(w, r, http.StatusOK, Health{Status: "ok", Version: Version})
	}))
	rt.HandleOther("GET /metrics", s.mainMetrics())
	rt.HandleOther("/", webui.New(webui.Options{MediaOrigins: mediaOrigins(s.Cfg), SentryDSN: s.Cfg.SentryDSN}))

	s.Handler = httpapi.Chain(rt,
		httpapi.RequestInfo(s.Cfg.TrustedProxies),
		telemetry.HTTP(rt.Pattern),
		httpapi.Recover,
		httpapi.SecurityHeaders,
		httpapi.Observe(rt.Pattern, s.Metrics.ObserveRequest),
		httpapi.LimitBody(httpapi.DefaultBodyLimit, isUpload),
		httpapi.Timeout(s.Cfg.RequestTimeout, func(r *http.Request) bool { return isStream(r) || isTransfer(r) }),
		auth.Middleware(s.Auth, s.Cfg.PublicOrigin(), s.Cfg.TrustedOrigins, func(r *http.Request) bool { return rt.Pattern(r) != "/api/" }),
		telemetry.Errors(rt.Pattern),
	)
}

// mainMetrics is /metrics on the main listener: off when it has a listener
// of its own (METRICS_ADDR) or, in production, no token to ask for.
func (s *Server) mainMetrics() http.Handler {
	if s.Cfg.MetricsAddr != "" || s.Cfg.Production() && s.Cfg.MetricsToken == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "no such page"))
		})
	}
	return s.MetricsHandler()
}

// MetricsHandler serves the Prometheus figures, asking for METRICS_TOKEN
// as a bearer token when one is set.
func (s *Server) MetricsHandler() http.Handler {
	h := s.Metrics.Handler()
	if s.Cfg.MetricsToken == "" {
		return h
	}
	want := sha256.Sum256([]byte("Bearer " + s.Cfg.MetricsToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			httpapi.WriteError(w, r, apperr.New(apperr.Unauthenticated, "send the metrics token as Authorization: Bearer"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

var pingBody = []byte(`{"status":"ok","version":"pishkhan"}`)

package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pishkhan/pishkhan/internal/ai"
	"github.com/pishkhan/pishkhan/internal/auditlog"
	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/chat"
	"github.com/pishkhan/pishkhan/internal/chat/widget"
	"github.com/pishkhan/pishkhan/internal/content/posts"
	"github.com/pishkhan/pishkhan/internal/content/projects"
	"github.com/pishkhan/pishkhan/internal/content/public"
	"github.com/pishkhan/pishkhan/internal/jobadmin"
	"github.com/pishkhan/pishkhan/internal/media"
	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/people"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/events"
	"github.com/pishkhan/pishkhan/internal/platform/httpapi"
	"github.com/pishkhan/pishkhan/internal/platform/storage"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
	"github.com/pishkhan/pishkhan/internal/stats"
	"github.com/pishkhan/pishkhan/internal/webhooks"
	"github.com/pishkhan/pishkhan/internal/webui"
)

// Health is the body of /healthz (and /api/ping's shape in the OpenAPI
// document); /readyz answers a Readiness.
type Health struct {
	Status  string            `json:"status"`
	Failing map[string]string `json:"failing,omitempty"`
	Version string            `json:"version"`
}

func (s *Server) routes() {
	rt := httpapi.NewRouter()
	s.Router = rt
	auth.Routes(rt, s.Auth)
	people.Routes(rt, s.People)
	orders.Routes(rt, s.Orders)
	auditlog.Routes(rt, s.Audit)
	stats.Routes(rt, s.Stats)
	jobadmin.Routes(rt, s.Jobs)
	local, _ := s.Storage.(*storage.Local)
	media.Routes(rt, s.Media, local)
	posts.Routes(rt, s.Posts)
	webhooks.Routes(rt, s.Webhooks)
	ai.Routes(rt, s.AI)
	projects.Routes(rt, s.Projects)
	public.Routes(rt, s.Public)
	chat.Routes(rt, s.Chat, chat.StreamOptions{Heartbeat: s.Cfg.SSEHeartbeat})

	rt.Handle("GET", "/api/events", httpapi.Op{ID: "events", Errors: []int{http.StatusTooManyRequests}, Tag: "events",
		Summary: fmt.Sprintf("Server-Sent Events: one event per change to a resource the caller may view; "+
			"at most %d streams a user on an instance (429 %s)", events.MaxStreamsPerUser, events.ReasonTooManyStreams)},
		s.eventStream)
	rt.Handle("GET", "/api/openapi.json", httpapi.Op{ID: "openapi", Tag: "meta", Public: true,
		Summary: "This API's OpenAPI 3.1 document"}, rt.OpenAPIHandler("Pishkhan API", "1"))
	rt.Handle("GET", "/api/ping", httpapi.Op{ID: "ping", Tag: "meta", Public: true,
		Summary: "A static JSON answer (the benchmarks' ceiling)", Response: Health{}}, ping)

	rt.HandleOther("GET /healthz", httpapi.HandlerFunc(healthz))
	rt.HandleOther("GET /readyz", httpapi.HandlerFunc(s.readyz))
	rt.HandleOther("GET /metrics", s.mainMetrics())
	rt.HandleOther("GET /widget.js", widget.Handler())
	rt.HandleOther("/", webui.New(webui.Options{MediaOrigins: mediaOrigins(s.Cfg), SentryDSN: s.Cfg.SentryDSN}))

	s.Handler = httpapi.Chain(rt,
		httpapi.RequestInfo(s.Cfg.TrustedProxies),
		telemetry.HTTP(rt.Pattern),
		httpapi.Recover,
		httpapi.SecurityHeaders,
		httpapi.Observe(rt.Pattern, s.Metrics.ObserveRequest),
		httpapi.LimitBody(httpapi.DefaultBodyLimit, isUpload),
		s.publicGuard().Middleware,
		httpapi.Timeout(s.Cfg.RequestTimeout, func(r *http.Request) bool { return isStream(r) || isTransfer(r) }),
		skipFor(public.Anonymous, auth.Middleware(s.Auth, s.Cfg.PublicOrigin(), s.Cfg.TrustedOrigins, func(r *http.Request) bool { return rt.Pattern(r) != "/api/" })),
		telemetry.Errors(rt.Pattern),
	)
}

// eventStream streams the caller's events (Server-Sent Events) until the
// request ends or its credential no longer holds.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) error {
	p := authz.From(r.Context())
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	err := s.Hub.Serve(w, r, p, auth.StreamCheck(s.Auth, r))
	if !errors.Is(err, events.ErrTooManyStreams) {
		// any other error ends a stream already under way: nothing to answer
		return nil
	}
	e := &apperr.Error{Code: apperr.RateLimited, RetryAfter: 5,
		Limit:   &apperr.LimitInfo{Limit: events.MaxStreamsPerUser, Remaining: 0, ResetSecs: 5},
		Message: fmt.Sprintf("you have %d event streams open here already; close one (a tab) first", events.MaxStreamsPerUser)}
	return e.WithReason(events.ReasonTooManyStreams)
}

var pingBody = []byte(`{"status":"ok","version":"pishkhan"}`)

func ping(w http.ResponseWriter, r *http.Request) error {
	httpapi.WriteBody(w, r, http.StatusOK, pingBody, `"ping"`)
	return nil
}

// healthz answers while the process serves.
func healthz(w http.ResponseWriter, r *http.Request) error {
	httpapi.JSON(w, r, http.StatusOK, Health{Status: "ok", Version: Version})
	return nil
}

// readyz reports each dependency (see Ready); 503 with Retry-After while
// one the server needs is unreachable.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	h := s.Ready(r.Context())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if h.Status == "unavailable" {
		w.Header().Set("Retry-After", "5")
		status = http.StatusServiceUnavailable
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(h)
	return nil
}

// mainMetrics is /metrics on the main listener: off when it has a listener
// of its own (METRICS_ADDR) or, in production, no token to ask for.
func (s *Server) mainMetrics() http.Handler {
	if s.Cfg.MetricsAddr != "" || s.Cfg.Production() && s.Cfg.MetricsToken == "" {
		return httpapi.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
			return apperr.New(apperr.NotFound, "no such page")
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
	return httpapi.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			return apperr.New(apperr.Unauthenticated, "send the metrics token as Authorization: Bearer")
		}
		h.ServeHTTP(w, r)
		return nil
	})
}

package telemetry

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

var reporting atomic.Bool

// Reporting reports whether errors go to Sentry.
func Reporting() bool { return reporting.Load() }

// SentryConfig configures error reports; an empty DSN leaves them off.
type SentryConfig struct {
	DSN, Environment, Release string
}

// StartSentry sends panics and 5xx answers (see Errors) to cfg.DSN. What
// is sent is scrubbed (see scrub): method, route pattern, path, request
// id, user id, never emails, cookies, headers, query strings or bodies.
// It returns the function that flushes pending events, to call before
// exiting; with no DSN it returns nil and reporting stays off.
func StartSentry(cfg SentryConfig) (flush func(time.Duration) bool, err error) {
	if cfg.DSN == "" {
		return nil, nil
	}
	err = sentry.Init(sentry.ClientOptions{
		Dsn:            cfg.DSN,
		Environment:    cfg.Environment,
		Release:        cfg.Release,
		SendDefaultPII: false,
		BeforeSend:     func(e *sentry.Event, _ *sentry.EventHint) *sentry.Event { return scrub(e) },
	})
	if err != nil {
		return nil, fmt.Errorf("SENTRY_DSN: %w", err)
	}
	reporting.Store(true)
	return func(d time.Duration) bool {
		reporting.Store(false)
		return sentry.Flush(d)
	}, nil
}

// scrub drops whatever may identify a person or carry a secret, whoever
// filled the event: only the user's id is kept, the request keeps its
// method and URL without query string, email addresses in messages
// become [email].
func scrub(e *sentry.Event) *sentry.Event {
	e.User = sentry.User{ID: e.User.ID}
	if e.Request != nil {
		e.Request = &sentry.Request{Method: e.Request.Method, URL: stripQuery(e.Request.URL)}
	}
	e.ServerName = ""
	e.Message = emails.ReplaceAllString(e.Message, "[email]")
	for i := range e.Exception {
		e.Exception[i].Value = emails.ReplaceAllString(e.Exception[i].Value, "[email]")
		if st := e.Exception[i].Stacktrace; st != nil {
			for j := range st.Frames {
				// source lines near a frame may hold anything
				st.Frames[j].PreContext, st.Frames[j].ContextLine, st.Frames[j].PostContext = nil, "", nil
			}
		}
	}
	for i := range e.Breadcrumbs {
		e.Breadcrumbs[i].Data = nil
	}
	return e
}

// emails matches what looks like an email address in a message.
var emails = regexp.MustCompile(`[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}`)

func stripQuery(u string) string {
	for i := 0; i < len(u); i++ {
		if u[i] == '?' || u[i] == '#' {
			return u[:i]
		}
	}
	return u
}

// Errors reports to Sentry each panic (then re-raised for the recovering
// middleware to answer 500) and each 5xx answer but 503 (a dependency
// down is an outage to alert on, not a bug to file), tagged with method,
// route pattern, request id and the caller's user id. Place it after the
// authentication middleware, so the caller is known. Off, it is next
// itself.
func Errors(pattern func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !Reporting() {
				next.ServeHTTP(w, r)
				return
			}
			hub := sentry.CurrentHub().Clone()
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				if v := recover(); v != nil {
					if v != http.ErrAbortHandler {
						hub.WithScope(func(s *sentry.Scope) {
							describe(s, r, pattern)
							s.SetLevel(sentry.LevelFatal)
							hub.RecoverWithContext(r.Context(), v)
						})
					}
					panic(v)
				}
			}()
			next.ServeHTTP(sw, r)
			if sw.status >= 500 && sw.status != http.StatusServiceUnavailable && r.Context().Err() == nil {
				hub.WithScope(func(s *sentry.Scope) {
					describe(s, r, pattern)
					s.SetTag("status", strconv.Itoa(sw.status))
					s.SetLevel(sentry.LevelError)
					hub.CaptureMessage(r.Method + " " + routeOf(r, pattern) + ": " + strconv.Itoa(sw.status) + " " + http.StatusText(sw.status))
				})
			}
		})
	}
}

func describe(s *sentry.Scope, r *http.Request, pattern func(*http.Request) string) {
	info := reqinfo.From(r.Context())
	route := routeOf(r, pattern)
	s.SetTag("method", r.Method)
	s.SetTag("route", route)
	s.SetTag("request_id", info.RequestID)
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery, u.Fragment, u.User = pathOf(r, route), "", "", "", nil
	s.SetRequest(&http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}, TLS: r.TLS})
	if p := authz.From(r.Context()); p != nil {
		s.SetUser(sentry.User{ID: strconv.FormatInt(p.UserID, 10)})
	}
}

package httpapi

import (
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
)

// Param documents a query parameter.
type Param struct {
	Name        string
	Type        string // "string", "integer", "boolean", "date-time"
	Description string
	Repeated    bool
	Enum        []string // the allowed values, when fixed
}

// Op describes a route for OpenAPI and for the route table tests.
type Op struct {
	ID      string
	Summary string
	Tag     string
	// Permission is required before the handler runs (see Authorize);
	// services check it again.
	Permission authz.Permission
	// OrPermissions are accepted in place of Permission (any one suffices).
	OrPermissions []authz.Permission
	// Public routes are reachable without a session or token; every other
	// route answers 401 to a caller without one before its handler runs.
	Public   bool
	Request  any // a value of the request body type, or nil
	Response any // a value of the 2xx body type, or nil
	Status   int // the success status; 200 by default
	Query    []Param
	Headers  []Param
	// Cached routes are served through the server cache (Cache-Status).
	Cached bool
	// Errors lists further error statuses only the handler knows it can
	// answer (409, 429, …); the rest are derived from the Op (ErrorStatuses).
	Errors []int
	// CacheControl, when set, is the Cache-Control of the route's 2xx
	// answers in place of the panel's "private, no-cache" (the public read
	// API lets CDNs keep what it answers). Errors keep "no-store".
	CacheControl string
	// Redirects lists redirect statuses (301, 302, …) the handler may
	// answer besides Status, each with a Location header.
	Redirects []int
}

// Authorize is the check every route makes before its handler reads the
// path, the query or the body: a non-public route refuses a caller without
// a principal (401 UNAUTHENTICATED), and one with a Permission a principal
// holding neither it nor one of OrPermissions (403 PERMISSION_DENIED). A
// token's principal holds only its scoped permissions. Object-level rules
// (own sessions, own uploads) stay with the services.
func (op Op) Authorize(p *authz.Principal) error {
	if op.Public {
		return nil
	}
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	if op.Permission == "" || p.Can(op.Permission) {
		return nil
	}
	for _, alt := range op.OrPermissions {
		if p.Can(alt) {
			return nil
		}
	}
	if len(op.OrPermissions) > 0 {
		return apperr.New(apperr.PermissionDenied, "you need the permission %q or one of %q", string(op.Permission), op.OrPermissions)
	}
	return apperr.New(apperr.PermissionDenied, "you need the permission %q", string(op.Permission))
}

// Route is a registered route.
type Route struct {
	Method string
	Path   string
	Op     Op
}

// Router dispatches /api routes by path then method, answering the
// contract's JSON 404 and 405 (with Allow) itself.
type Router struct {
	mux    *http.ServeMux
	byPath map[string]map[string]http.Handler
	routes []Route
}

// NewRouter returns an empty router whose unknown /api routes answer 404.
func NewRouter() *Router {
	rt := &Router{mux: http.NewServeMux(), byPath: map[string]map[string]http.Handler{}}
	rt.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apperr.New(apperr.NotFound, "no such route: %s", r.URL.Path))
	})
	return rt
}

// HandlerFunc is an API handler. It writes its success response itself
// and returns an error instead of writing one: the router answers a
// returned error with the contract's envelope (WriteError). A handler that
// has started its response returns nil.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP runs h and answers its error, so a HandlerFunc also serves
// outside the API routes (HandleOther).
func (h HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		WriteError(w, r, err)
	}
}

// Handle registers h for method and path (Go ServeMux wildcards, {id}).
// Authorize runs first.
func (rt *Router) Handle(method, path string, op Op, h HandlerFunc) {
	if op.Status == 0 {
		op.Status = http.StatusOK
	}
	methods, ok := rt.byPath[path]
	if !ok {
		methods = map[string]http.Handler{}
		rt.byPath[path] = methods
		rt.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if h, ok := methods[r.Method]; ok {
				h.ServeHTTP(w, r)
				return
			}
			allow := make([]string, 0, len(methods))
			for m := range methods {
				allow = append(allow, m)
			}
			sort.Strings(allow)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			WriteError(w, r, apperr.New(apperr.MethodNotAllowed, "%s is not allowed here; use %s", r.Method, strings.Join(allow, " or ")))
		})
	}
	if _, dup := methods[method]; dup {
		panic("httpapi: duplicate route " + method + " " + path)
	}
	methods[method] = HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if err := op.Authorize(authz.From(r.Context())); err != nil {
			return err
		}
		if op.CacheControl != "" {
			w.Header().Set("Cache-Control", op.CacheControl)
			if err := h(w, r); err != nil {
				// an error is never for a CDN to keep (WriteError: no-store)
				w.Header().Del("Cache-Control")
				return err
			}
			return nil
		}
		return h(w, r)
	})
	rt.routes = append(rt.routes, Route{Method: method, Path: path, Op: op})
}

// HandleOther mounts a handler for paths outside /api (the web app, /metrics).
func (rt *Router) HandleOther(pattern string, h http.Handler) { rt.mux.Handle(pattern, h) }

// Routes returns every registered API route.
func (rt *Router) Routes() []Route { return slices.Clone(rt.routes) }

// Pattern returns the registered pattern that serves r, for metrics labels.
func (rt *Router) Pattern(r *http.Request) string {
	_, p := rt.mux.Handler(r)
	return p
}

// ServeHTTP dispatches. API paths that are not in clean form (//, /./,
// /../, or a bare /api) answer the JSON 404 instead of the mux's HTML
// redirect.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "/api" || strings.HasPrefix(p, "/api/") && path.Clean(p) != p && path.Clean(p)+"/" != p {
		WriteError(w, r, apperr.New(apperr.NotFound, "no such route: %s", p))
		return
	}
	rt.mux.ServeHTTP(w, r)
}

package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// OpenAPI builds the OpenAPI 3.1 document from the registered routes and
// the Go types of their bodies: it is generated, never hand-written.
func (rt *Router) OpenAPI(title, version string) map[string]any {
	g := &schemaGen{components: map[string]any{"Error": errorSchema()}, owners: map[string]reflect.Type{}}
	paths := map[string]any{}
	for _, route := range rt.routes {
		item, _ := paths[route.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[route.Path] = item
		}
		item[strings.ToLower(route.Method)] = g.operation(route)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": title, "version": version},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":   g.components,
			"responses": errorResponses(),
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "pishkhan_session"},
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
	}
}

// OpenAPIHandler serves the document, built once.
func (rt *Router) OpenAPIHandler(title, version string) HandlerFunc {
	// built at the first request, once every route is registered
	build := sync.OnceValues(func() ([]byte, error) { return json.Marshal(rt.OpenAPI(title, version)) })
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := build()
		if err != nil {
			return err
		}
		WriteBody(w, r, http.StatusOK, body, "")
		return nil
	}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// stringPathParams are the path parameters that are text, not ids.
var stringPathParams = map[string]bool{"slug": true, "token": true}

func (g *schemaGen) operation(route Route) map[string]any {
	op := route.Op
	o := map[string]any{"summary": op.Summary, "operationId": op.ID}
	if op.Tag != "" {
		o["tags"] = []string{op.Tag}
	}
	if op.Permission != "" {
		o["description"] = "Requires the permission `" + string(op.Permission) + "`."
		o["x-permission"] = string(op.Permission)
	}
	if op.Public {
		o["security"] = []any{}
	} else {
		o["security"] = []any{map[string]any{"session": []string{}}, map[string]any{"bearer": []string{}}}
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(route.Path, -1) {
		schema := map[string]any{"type": "integer", "minimum": 1}
		if stringPathParams[m[1]] {
			schema = map[string]any{"type": "string"}
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
	}
	for _, p := range op.Query {
		params = append(params, paramSchema(p, "query"))
	}
	for _, p := range op.Headers {
		params = append(params, paramSchema(p, "header"))
	}
	if params != nil {
		o["parameters"] = params
	}
	if op.Request != nil {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(op.Request))}}}
	}
	ok := map[string]any{"description": http.StatusText(op.Status)}
	if op.Response != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(op.Response))}}
	}
	responses := map[string]any{strconv.Itoa(op.Status): ok}
	if route.Method == http.MethodGet {
		responses["304"] = map[string]any{"description": "Not Modified (If-None-Match matched the ETag)"}
	}
	for _, status := range op.Redirects {
		responses[strconv.Itoa(status)] = map[string]any{"description": http.StatusText(status),
			"headers": map[string]any{"Location": map[string]any{"description": "where the resource is", "schema": map[string]any{"type": "string"}}}}
	}
	for _, status := range ErrorStatuses(route) {
		responses[strconv.Itoa(status)] = map[string]any{"$ref": "#/components/responses/" + errorResponseName[status]}
	}
	responses["default"] = map[string]any{"$ref": "#/components/responses/Error"}
	o["responses"] = responses
	return o
}

// ErrorStatuses returns the error statuses a route can answer, derived from
// its Op (and Op.Errors for those only its handler knows), ascending.
func ErrorStatuses(route Route) []int {
	op := route.Op
	set := map[int]bool{
		// the auth middleware refuses a bad bearer token or session on any
		// route, public ones included; non-public ones also want a caller
		http.StatusUnauthorized:        true,
		http.StatusInternalServerError: true,
		http.StatusServiceUnavailable:  true,
	}
	unsafe := route.Method != http.MethodGet && route.Method != http.MethodHead && route.Method != http.MethodOptions
	if op.Permission != "" || unsafe { // PERMISSION_DENIED; CSRF_FAILED
		set[http.StatusForbidden] = true
	}
	if pathParam.MatchString(route.Path) {
		set[http.StatusNotFound] = true
	}
	if len(op.Query) > 0 { // unparsable (INVALID_JSON) or invalid (VALIDATION_FAILED) parameters
		set[http.StatusBadRequest] = true
		set[http.StatusUnprocessableEntity] = true
	}
	if op.Request != nil {
		for _, s := range []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity} {
			set[s] = true
		}
	}
	for _, h := range op.Headers {
		if strings.EqualFold(h.Name, "If-Match") {
			set[http.StatusPreconditionFailed] = true
		}
	}
	for _, s := range op.Errors {
		set[s] = true
	}
	out := make([]int, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// errorResponseName names the shared response component of each error status.
var errorResponseName = map[int]string{
	http.StatusBadRequest:            "BadRequest",
	http.StatusUnauthorized:          "Unauthorized",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "NotFound",
	http.StatusConflict:              "Conflict",
	http.StatusPreconditionFailed:    "PreconditionFailed",
	http.StatusRequestEntityTooLarge: "PayloadTooLarge",
	http.StatusUnsupportedMediaType:  "UnsupportedMediaType",
	http.StatusUnprocessableEntity:   "ValidationFailed",
	http.StatusTooManyRequests:       "RateLimited",
	http.StatusInternalServerError:   "Internal",
	http.StatusServiceUnavailable:    "Unavailable",
}

// errorCodes returns the contract's codes, ordered by status then name.
func errorCodes() []string {
	codes := make([]string, 0, len(statusOf))
	for c := range statusOf {
		codes = append(codes, string(c))
	}
	slices.SortFunc(codes, func(a, b string) int {
		if d := statusOf[apperr.Code(a)] - statusOf[apperr.Code(b)]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return codes
}

// errorSchema is the contract's error envelope (API.md §1, Errors).
func errorSchema() map[string]any {
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	strMap := func(desc string) map[string]any {
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}, "description": desc}
	}
	return map[string]any{
		"type":        "object",
		"description": "The envelope of every error, from every layer.",
		"properties": map[string]any{
			"status":  map[string]any{"type": "string", "const": "error"},
			"code":    map[string]any{"type": "string", "enum": errorCodes(), "description": "decides the HTTP status"},
			"message": str("human readable and translated; never decide on it"),
			"details": map[string]any{
				"type":        "object",
				"description": "optional; further keys depend on the code (e.g. from, to, allowed for INVALID_TRANSITION)",
				"properties": map[string]any{
					"fields":        strMap("each bad field (a JSON path such as items[0].quantity) mapped to a readable reason"),
					"field_reasons": strMap("each bad field mapped to a stable snake_case reason"),
					"reason":        str("a stable snake_case reason for a refusal clients must tell apart, e.g. budget_exceeded"),
				},
				"additionalProperties": true,
			},
			"request_id": str("the X-Request-Id of the request, for finding the log line"),
		},
		"required":             []string{"status", "code", "message", "request_id"},
		"additionalProperties": false,
	}
}

// errorResponses are the shared response components, one per error status,
// each in the Error envelope.
func errorResponses() map[string]any {
	body := map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}
	retryAfter := map[string]any{"description": "seconds to wait before trying again", "schema": map[string]any{"type": "integer"}}
	desc := map[int]string{
		http.StatusBadRequest:            "INVALID_JSON: the body is not valid JSON, or a query parameter cannot be parsed",
		http.StatusUnauthorized:          "UNAUTHENTICATED, INVALID_TOKEN, INVALID_CREDENTIALS, TOTP_REQUIRED or INVALID_TOTP: no, expired or bad credentials",
		http.StatusForbidden:             "PERMISSION_DENIED: the caller lacks the permission; CSRF_FAILED: an unsafe request cross-origin or without the CSRF token",
		http.StatusNotFound:              "NOT_FOUND: no such object, or one outside the caller's scope",
		http.StatusConflict:              "CONFLICT or INVALID_TRANSITION",
		http.StatusPreconditionFailed:    "PRECONDITION_FAILED: If-Match does not match the current ETag",
		http.StatusRequestEntityTooLarge: "PAYLOAD_TOO_LARGE: the body is over the endpoint's limit",
		http.StatusUnsupportedMediaType:  "UNSUPPORTED_MEDIA_TYPE: the body is not application/json",
		http.StatusUnprocessableEntity:   "VALIDATION_FAILED: well-formed but invalid; details.fields and details.field_reasons name each bad field",
		http.StatusTooManyRequests:       "RATE_LIMITED: too many requests; wait Retry-After seconds",
		http.StatusInternalServerError:   "INTERNAL: a fault on the server's side; the request id finds the log line",
		http.StatusServiceUnavailable:    "UNAVAILABLE: a dependency the request needs is down",
	}
	out := map[string]any{"Error": map[string]any{"description": "An error in the contract's envelope", "content": body}}
	for status, name := range errorResponseName {
		r := map[string]any{"description": desc[status], "content": body}
		switch status {
		case http.StatusTooManyRequests:
			r["headers"] = map[string]any{"Retry-After": retryAfter,
				"RateLimit-Limit":     map[string]any{"schema": map[string]any{"type": "integer"}},
				"RateLimit-Remaining": map[string]any{"schema": map[string]any{"type": "integer"}},
				"RateLimit-Reset":     map[string]any{"schema": map[string]any{"type": "integer"}}}
		case http.StatusServiceUnavailable:
			r["headers"] = map[string]any{"Retry-After": retryAfter}
		}
		out[name] = r
	}
	return out
}

func paramSchema(p Param, in string) map[string]any {
	var s map[string]any
	switch p.Type {
	case "integer", "boolean":
		s = map[string]any{"type": p.Type}
	case "date-time":
		s = map[string]any{"type": "string", "format": "date-time"}
	default:
		s = map[string]any{"type": "string"}
	}
	if len(p.Enum) > 0 {
		s["enum"] = p.Enum
	}
	if p.Repeated {
		s = map[string]any{"type": "array", "items": s}
	}
	out := map[string]any{"name": p.Name, "in": in, "schema": s}
	if p.Description != "" {
		out["description"] = p.Description
	}
	if p.Repeated {
		out["explode"] = true
	}
	return out
}

type schemaGen struct {
	components map[string]any
	// owners is the Go type each component name was given to: two types
	// of one name in different packages (posts.Input, projects.Input)
	// must not share a schema.
	owners map[string]reflect.Type
}

var timeType = reflect.TypeOf(time.Time{})
var rawMessageType = reflect.TypeOf(json.RawMessage{})

var nonName = regexp.MustCompile(`[^A-Za-z0-9]+`)

// packagePrefix names the package a type (or a generic type's last
// argument) comes from, capitalised: "Projects" for projects.Input and for
// paging.Page[projects.Project].
func packagePrefix(t reflect.Type) string {
	pkg := t.PkgPath()
	if name := t.Name(); strings.HasSuffix(name, "]") {
		args := name[strings.IndexByte(name, '[')+1 : len(name)-1]
		last := args[strings.LastIndexByte(args, ',')+1:]
		if j := strings.LastIndexByte(last, '.'); j >= 0 {
			pkg = last[:j]
		}
	}
	pkg = pkg[strings.LastIndexByte(pkg, '/')+1:]
	if pkg == "" {
		return ""
	}
	return strings.ToUpper(pkg[:1]) + nonName.ReplaceAllString(pkg[1:], "")
}

func schemaName(t reflect.Type) string {
	name := t.Name()
	// generic instantiations: PageResponse[github.com/x/orders.Order] -> PageResponseOrder
	if i := strings.IndexByte(name, '['); i >= 0 {
		args := name[i+1 : len(name)-1]
		var b strings.Builder
		b.WriteString(name[:i])
		for _, a := range strings.Split(args, ",") {
			if j := strings.LastIndexByte(a, '.'); j >= 0 {
				a = a[j+1:]
			}
			b.WriteString(nonName.ReplaceAllString(a, ""))
		}
		return b.String()
	}
	return name
}

// ref returns a schema for t, registering named structs as components.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != timeType && t.Name() != "" {
		name := schemaName(t)
		if owner, ok := g.owners[name]; ok && owner != t {
			name = packagePrefix(t) + name
		}
		g.owners[name] = t
		if _, ok := g.components[name]; !ok {
			g.components[name] = map[string]any{} // placeholder against recursion
			g.components[name] = g.structSchema(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return g.schema(t)
}

// Enum is implemented by string types with a fixed set of values; their
// schema lists them.
type Enum interface{ EnumValues() []string }

var enumType = reflect.TypeOf((*Enum)(nil)).Elem()

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t == rawMessageType {
		return map[string]any{}
	}
	if t.Kind() == reflect.String && t.Implements(enumType) {
		values := reflect.Zero(t).Interface().(Enum).EnumValues()
		return map[string]any{"type": "string", "enum": values}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.ref(t.Elem())
		return map[string]any{"oneOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.Struct:
		if t == timeType {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		if t.Name() != "" {
			return g.ref(t)
		}
		return g.structSchema(t)
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	default:
		return map[string]any{}
	}
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			emb := g.structSchema(f.Type)
			for k, v := range emb["properties"].(map[string]any) {
				props[k] = v
			}
			if req, ok := emb["required"].([]string); ok {
				required = append(required, req...)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if d := f.Tag.Get("doc"); d != "" {
			s = map[string]any{"allOf": []any{s}, "description": d}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

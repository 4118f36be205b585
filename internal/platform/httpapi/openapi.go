package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// OpenAPI builds the OpenAPI 3.1 document from the registered routes and
// the Go types of their bodies: it is generated, never hand-written.
func (rt *Router) OpenAPI(title, version string) map[string]any {
	g := &schemaGen{components: map[string]any{}}
	g.ref(reflect.TypeOf(ErrorBody{}))
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
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "pishkhan_session"},
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
	}
}

// OpenAPIHandler serves the document, built once.
func (rt *Router) OpenAPIHandler(title, version string) http.HandlerFunc {
	var body []byte
	return func(w http.ResponseWriter, r *http.Request) {
		if body == nil {
			body, _ = json.Marshal(rt.OpenAPI(title, version))
		}
		WriteBody(w, r, http.StatusOK, body, "")
	}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

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
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"schema": map[string]any{"type": "integer", "minimum": 1}})
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
	errResp := map[string]any{"description": "An error in the contract's envelope",
		"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ErrorBody"}}}}
	responses["default"] = errResp
	if route.Method == http.MethodGet {
		responses["304"] = map[string]any{"description": "Not Modified (If-None-Match matched the ETag)"}
	}
	o["responses"] = responses
	return o
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

type schemaGen struct{ components map[string]any }

var timeType = reflect.TypeOf(time.Time{})
var rawMessageType = reflect.TypeOf(json.RawMessage{})

var nonName = regexp.MustCompile(`[^A-Za-z0-9]+`)

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

package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
)

// DefaultBodyLimit is the request body limit unless an endpoint says otherwise.
const DefaultBodyLimit = 1 << 20

// Decode reads a JSON body into v strictly: the content type must be JSON,
// unknown fields are refused (no mass assignment), the body is bounded, and
// exactly one JSON value is allowed.
func Decode(r *http.Request, v any) error {
	return DecodeLimit(r, v, DefaultBodyLimit)
}

// DecodeLimit is Decode with an explicit body limit in bytes.
func DecodeLimit(r *http.Request, v any, limit int64) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return apperr.New(apperr.UnsupportedMediaType, "send the body as application/json")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return apperr.New(apperr.PayloadTooLarge, "the body is larger than %d bytes", tooLarge.Limit)
	}
	if err != nil {
		return apperr.New(apperr.InvalidJSON, "the body could not be read")
	}
	if int64(len(body)) > limit {
		return apperr.New(apperr.PayloadTooLarge, "the body is larger than %d bytes", limit)
	}
	return DecodeBytes(body, v)
}

// DecodeBytes decodes one JSON value strictly (see Decode).
func DecodeBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.InvalidJSON, "the body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) || strings.HasPrefix(err.Error(), "json: unknown field ") {
			// name the exact field, with array indices: items[0].quantity
			if field, problem, found := locate(body, reflect.TypeOf(v)); found {
				if field == "" {
					return apperr.New(apperr.InvalidJSON, "the body %s", problem)
				}
				return apperr.Validation(map[string]string{field: problem})
			}
		}
		return decodeError(err)
	}
	if dec.More() {
		return apperr.New(apperr.InvalidJSON, "the body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.New(apperr.InvalidJSON, "the body holds more than one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apperr.New(apperr.InvalidJSON, "the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.InvalidJSON, "the body is not valid JSON (it ends early)")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.New(apperr.InvalidJSON, "the body must be a JSON %s", jsonKind(typ.Type.Kind().String()))
		}
		return apperr.Validation(map[string]string{field: "must be " + jsonKind(typ.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Validation(map[string]string{name: "is not a known field"})
	default:
		return apperr.New(apperr.InvalidJSON, "the body is not valid JSON")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	default:
		return fmt.Sprintf("a %s", goKind)
	}
}

// locate walks the JSON value against the target type and returns the
// path of the first unknown field or mismatched type, with its problem.
func locate(body []byte, t reflect.Type) (field, problem string, found bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return "", "", false
	}
	return walk(v, t, "")
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func walk(v any, t reflect.Type, path string) (string, string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return "", "", false
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return path, "must be " + jsonKind("struct"), true
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields[name] = f.Type
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, known := fields[k]
			if !known {
				return join(path, k), "is not a known field", true
			}
			if p, problem, found := walk(obj[k], ft, join(path, k)); found {
				return p, problem, found
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return path, "must be " + jsonKind("slice"), true
		}
		for i, el := range arr {
			if p, problem, found := walk(el, t.Elem(), path+"["+strconv.Itoa(i)+"]"); found {
				return p, problem, found
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return path, "must be " + jsonKind("map"), true
		}
		for k, el := range obj {
			if p, problem, found := walk(el, t.Elem(), join(path, k)); found {
				return p, problem, found
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return path, "must be " + jsonKind("string"), true
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return path, "must be " + jsonKind("bool"), true
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			return path, "must be " + jsonKind("int"), true
		}
		if _, err := n.Int64(); err != nil {
			return path, "must be a whole number between -9223372036854775808 and 9223372036854775807", true
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			return path, "must be " + jsonKind("float64"), true
		}
	}
	return "", "", false
}

package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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

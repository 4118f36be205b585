// Package apperr holds the error codes of the API contract. Features return
// *Error values; the HTTP layer maps each code to its status in one table
// (httpapi.StatusOf), so no feature knows about HTTP.
package apperr

import (
	"errors"
	"fmt"
)

// Code is a machine-readable error code from API.md section 1.
type Code string

// The codes of the contract. Adding one means adding its status in httpapi.
const (
	InvalidJSON          Code = "INVALID_JSON"
	Unauthenticated      Code = "UNAUTHENTICATED"
	InvalidCredentials   Code = "INVALID_CREDENTIALS"
	InvalidToken         Code = "INVALID_TOKEN"
	TOTPRequired         Code = "TOTP_REQUIRED"
	InvalidTOTP          Code = "INVALID_TOTP"
	CSRFFailed           Code = "CSRF_FAILED"
	PermissionDenied     Code = "PERMISSION_DENIED"
	NotFound             Code = "NOT_FOUND"
	MethodNotAllowed     Code = "METHOD_NOT_ALLOWED"
	Conflict             Code = "CONFLICT"
	InvalidTransition    Code = "INVALID_TRANSITION"
	PreconditionFailed   Code = "PRECONDITION_FAILED"
	PayloadTooLarge      Code = "PAYLOAD_TOO_LARGE"
	UnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	ValidationFailed     Code = "VALIDATION_FAILED"
	RateLimited          Code = "RATE_LIMITED"
	Internal             Code = "INTERNAL"
	Unavailable          Code = "UNAVAILABLE"
)

// Error is an error a client may see. Message must never carry internals.
type Error struct {
	Code    Code
	Message string
	// Fields maps a request field (JSON path) to what is wrong with it.
	Fields map[string]string
	// Details are extra members of the envelope's "details" object.
	Details map[string]any
	// RetryAfter, in seconds, for RATE_LIMITED and UNAVAILABLE.
	RetryAfter int
	// Limit, for RATE_LIMITED, fills the RateLimit-* headers.
	Limit *LimitInfo
	// Cause is logged, never sent.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns an error with a code and a message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Validation returns VALIDATION_FAILED naming each bad field.
func Validation(fields map[string]string) *Error {
	return &Error{Code: ValidationFailed, Message: "the request has invalid fields", Fields: fields}
}

// Taken is a unique constraint: CONFLICT, naming the field whose value
// another row already has (so forms can show it under the field).
func Taken(field, what string) *Error {
	return &Error{Code: Conflict, Message: what + " is already taken", Fields: map[string]string{field: "is already taken"},
		Details: map[string]any{"reason": "taken", "field_reasons": map[string]string{field: "taken"}}}
}

// Unavailablef is a dependency outage the request cannot do without.
func Unavailablef(cause error, format string, args ...any) *Error {
	return &Error{Code: Unavailable, Message: fmt.Sprintf(format, args...), RetryAfter: 5, Cause: cause}
}

// WithReason sets details.reason: a stable, machine-readable name of the
// rule that refused the request, for clients to act on instead of the
// message text. It returns e.
func (e *Error) WithReason(reason string) *Error {
	return e.WithDetail("reason", reason)
}

// WithDetail sets one member of details. It returns e.
func (e *Error) WithDetail(key string, v any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = v
	return e
}

// FieldReason is VALIDATION_FAILED for one field, with a stable reason in
// details.field_reasons as well as the readable one in details.fields.
func FieldReason(field, msg, reason string) *Error {
	return Validation(map[string]string{field: msg}).WithDetail("field_reasons", map[string]string{field: reason})
}

// CodeOf returns the code of err, or Internal for errors that are not *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// FieldErrors collects per-field validation messages.
type FieldErrors map[string]string

// Add records the first message for a field.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when no field was added, else VALIDATION_FAILED.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f)
}

// LimitInfo describes a rate limit for the RateLimit-* headers.
type LimitInfo struct {
	Limit     int
	Remaining int
	ResetSecs int
}

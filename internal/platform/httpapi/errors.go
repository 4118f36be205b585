// Package httpapi is the HTTP side of the platform: the error envelope and
// its status table, strict JSON decoding, pagination parameters, ETags,
// middleware and the router that also describes routes for OpenAPI.
package httpapi

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"syscall"

	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/platform/reqinfo"
)

// statusOf maps every contract code to its HTTP status: the one place.
var statusOf = map[apperr.Code]int{
	apperr.InvalidJSON:          http.StatusBadRequest,
	apperr.Unauthenticated:      http.StatusUnauthorized,
	apperr.InvalidCredentials:   http.StatusUnauthorized,
	apperr.InvalidToken:         http.StatusUnauthorized,
	apperr.TOTPRequired:         http.StatusUnauthorized,
	apperr.InvalidTOTP:          http.StatusUnauthorized,
	apperr.CSRFFailed:           http.StatusForbidden,
	apperr.PermissionDenied:     http.StatusForbidden,
	apperr.NotFound:             http.StatusNotFound,
	apperr.MethodNotAllowed:     http.StatusMethodNotAllowed,
	apperr.Conflict:             http.StatusConflict,
	apperr.InvalidTransition:    http.StatusConflict,
	apperr.PreconditionFailed:   http.StatusPreconditionFailed,
	apperr.PayloadTooLarge:      http.StatusRequestEntityTooLarge,
	apperr.UnsupportedMediaType: http.StatusUnsupportedMediaType,
	apperr.ValidationFailed:     http.StatusUnprocessableEntity,
	apperr.RateLimited:          http.StatusTooManyRequests,
	apperr.Internal:             http.StatusInternalServerError,
	apperr.Unavailable:          http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status of a code.
func StatusOf(c apperr.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// isConnectionError reports a dependency that cannot be reached (the
// database down, a broken connection): 503, not 500.
func isConnectionError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) || db.IsUnavailable(err)
}

// StatusClientClosed is the status logged (never sent) for a request whose
// client went away before the answer, as nginx logs it.
const StatusClientClosed = 499

// ClientGone reports whether the client cancelled the request (closed the
// connection or stream) while it was being served.
func ClientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

// ErrorBody is the contract's error envelope.
type ErrorBody struct {
	Status    string         `json:"status"`
	Code      apperr.Code    `json:"code"`
	Message   string         `json:"message"`
	Details   map[string]any `json:"details,omitempty"`
	RequestID string         `json:"request_id"`
}

// WriteError answers err in the contract's envelope. Errors that are not
// *apperr.Error are logged and answered as a generic INTERNAL.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	info := reqinfo.From(r.Context())
	e, ok := apperr.As(err)
	switch {
	case ClientGone(r):
		// the client hung up and whatever failed failed for that: nothing
		// is wrong on our side, and nobody reads this answer
		slog.DebugContext(r.Context(), "client went away", "request_id", info.RequestID, "err", err)
		if !ok {
			e = apperr.Unavailablef(err, "the request was cancelled")
		}
	case ok:
		if e.Code == apperr.Internal || e.Code == apperr.Unavailable {
			slog.ErrorContext(r.Context(), "request failed", "request_id", info.RequestID, "code", e.Code, "err", err)
		}
	case errors.Is(err, context.DeadlineExceeded):
		e = apperr.Unavailablef(err, "the request took too long; try again")
		slog.ErrorContext(r.Context(), "request timed out", "request_id", info.RequestID, "err", err)
	case isConnectionError(err):
		e = apperr.Unavailablef(err, "a service this request needs is unavailable; try again shortly")
		slog.ErrorContext(r.Context(), "dependency unavailable", "request_id", info.RequestID, "err", err)
	default:
		slog.ErrorContext(r.Context(), "internal error", "request_id", info.RequestID, "err", err)
		e = &apperr.Error{Code: apperr.Internal, Message: "something went wrong on our side; quote the request id when reporting it"}
	}
	body := ErrorBody{Status: "error", Code: e.Code, Message: e.Message, RequestID: info.RequestID}
	if len(e.Fields) > 0 || len(e.Details) > 0 {
		body.Details = map[string]any{}
		for k, v := range e.Details {
			body.Details[k] = v
		}
		if len(e.Fields) > 0 {
			body.Details["fields"] = e.Fields
		}
	}
	h := w.Header()
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if e.Limit != nil {
		h.Set("RateLimit-Limit", strconv.Itoa(e.Limit.Limit))
		h.Set("RateLimit-Remaining", strconv.Itoa(e.Limit.Remaining))
		h.Set("RateLimit-Reset", strconv.Itoa(e.Limit.ResetSecs))
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Del("ETag")
	h.Del("Cache-Status")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(StatusOf(e.Code))
	_ = json.NewEncoder(w).Encode(body)
}

package jobadmin

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"regexp"
	"syscall"

	"github.com/pishkhan/pishkhan/internal/platform/db"
)

// ErrorKind is the kind of a failed attempt's error (JobError.Kind): a
// stable name for what went wrong, so clients explain it without reading
// the English, technical error text.
type ErrorKind string

// EnumValues lists the kinds, for the OpenAPI document.
func (ErrorKind) EnumValues() []string {
	out := make([]string, len(ErrorKinds))
	for i, k := range ErrorKinds {
		out[i] = string(k)
	}
	return out
}

// The error kinds.
const (
	KindBusy        ErrorKind = "busy"        // the database refused for contention (locked, serialization, deadlock)
	KindTimeout     ErrorKind = "timeout"     // a deadline passed
	KindCancelled   ErrorKind = "cancelled"   // the work was cancelled
	KindUnreachable ErrorKind = "unreachable" // a network peer could not be reached or hung up
	KindCrash       ErrorKind = "crash"       // the worker panicked
	KindMissing     ErrorKind = "missing"     // something the job needed does not exist
	KindOther       ErrorKind = "other"       // none of the above
)

// ErrorKinds are all the kinds, in the order they are tested on text.
var ErrorKinds = []ErrorKind{KindBusy, KindTimeout, KindCancelled, KindUnreachable, KindCrash, KindMissing, KindOther}

// Classify names the kind of err from its Go values (context errors, net
// errors, sql.ErrNoRows, the engines' contention codes), falling back to
// its text for errors that carry none of them.
func Classify(err error) ErrorKind {
	switch {
	case err == nil:
		return KindOther
	case db.IsBusy(err):
		return KindBusy
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCancelled
	case errors.Is(err, sql.ErrNoRows):
		return KindMissing
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return KindTimeout
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return KindUnreachable
	}
	return ClassifyText(err.Error())
}

// texts recognise the kinds in stored error text: the queue keeps only the
// text of an attempt's error, so that is all there is to go on for jobs
// that already failed.
var texts = []struct {
	re   *regexp.Regexp
	kind ErrorKind
}{
	{regexp.MustCompile(`(?i)database is locked|SQLITE_BUSY|SQLSTATE 40001|SQLSTATE 40P01|deadlock|could not serialize`), KindBusy},
	{regexp.MustCompile(`(?i)deadline exceeded|timed? ?out`), KindTimeout},
	{regexp.MustCompile(`(?i)context canceled|cancell?ed`), KindCancelled},
	{regexp.MustCompile(`(?i)connection refused|connection reset|no such host|dial tcp|unreachable|broken pipe|\bEOF\b`), KindUnreachable},
	{regexp.MustCompile(`(?i)panic`), KindCrash},
	{regexp.MustCompile(`(?i)not found|no rows|no such`), KindMissing},
}

// ClassifyText names the kind of a stored error text; KindOther when it is
// none of the known kinds.
func ClassifyText(s string) ErrorKind {
	for _, t := range texts {
		if t.re.MatchString(s) {
			return t.kind
		}
	}
	return KindOther
}

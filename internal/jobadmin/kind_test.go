package jobadmin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestClassify: Go error values name their kind whatever their text says.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		want ErrorKind
	}{
		{fmt.Errorf("sending: %w", context.DeadlineExceeded), KindTimeout},
		{fmt.Errorf("sending: %w", context.Canceled), KindCancelled},
		{fmt.Errorf("loading order 7: %w", sql.ErrNoRows), KindMissing},
		{fmt.Errorf("update: %w", &pgconn.PgError{Code: "40001"}), KindBusy},
		{&pgconn.PgError{Code: "40P01"}, KindBusy},
		{&pgconn.PgError{Code: "23505"}, KindOther},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, KindUnreachable},
		{&net.DNSError{Err: "no such host", Name: "smtp.invalid"}, KindUnreachable},
		{&net.DNSError{Err: "i/o timeout", IsTimeout: true}, KindTimeout},
		{fmt.Errorf("reading reply: %w", io.ErrUnexpectedEOF), KindUnreachable},
		{errors.New("worker panic: runtime error: index out of range"), KindCrash},
		{errors.New("the order has no lines"), KindOther},
		{nil, KindOther},
	} {
		if got := Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestClassifyText: the stored text of older attempts still names its kind.
func TestClassifyText(t *testing.T) {
	for text, want := range map[string]ErrorKind{
		"database is locked (5) (SQLITE_BUSY)":                                        KindBusy,
		"ERROR: could not serialize access due to concurrent update (SQLSTATE 40001)": KindBusy,
		"ERROR: deadlock detected (SQLSTATE 40P01)":                                   KindBusy,
		"context deadline exceeded":                                                   KindTimeout,
		"smtp: i/o timeout":                                                           KindTimeout,
		"context canceled":                                                            KindCancelled,
		"job cancelled remotely":                                                      KindCancelled,
		"dial tcp 10.0.0.1:25: connect: connection refused":                           KindUnreachable,
		"read: connection reset by peer":                                              KindUnreachable,
		"unexpected EOF":                                                              KindUnreachable,
		"PanicError: runtime error: nil pointer dereference":                          KindCrash,
		"sql: no rows in result set":                                                  KindMissing,
		"product 12 not found":                                                        KindMissing,
		"the invoice total is negative":                                               KindOther,
		"":                                                                            KindOther,
	} {
		if got := ClassifyText(text); got != want {
			t.Errorf("ClassifyText(%q) = %q, want %q", text, got, want)
		}
	}
	// every kind is in the documented list
	seen := map[ErrorKind]bool{}
	for _, k := range ErrorKinds {
		seen[k] = true
	}
	for _, tx := range texts {
		if !seen[tx.kind] {
			t.Errorf("kind %q is not in ErrorKinds", tx.kind)
		}
	}
}

// Package scan checks files for malware with ClamAV's clamd, streaming them
// over TCP with the INSTREAM command.
//
// The contract of Scan:
//   - Result{Clean: true}, nil: clamd read the whole stream and answered
//     "stream: OK".
//   - Result{Clean: false, Signature: name}, nil: clamd found malware. This
//     is a verdict, not an error.
//   - any error: the file was NOT scanned (clamd unreachable or failing, the
//     stream over clamd's StreamMaxLength (ErrTooLarge), a read error from
//     the file, an unexpected reply, ctx cancelled or past its deadline).
//     Callers must never treat it as clean: reject or retry.
//
// The file is sent in 64 KiB chunks as it is read, never held in memory.
package scan

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// ErrTooLarge is returned (wrapped) when clamd refuses a stream longer
// than its StreamMaxLength.
var ErrTooLarge = errors.New("scan: file exceeds clamd's StreamMaxLength")

const chunkSize = 64 << 10

// Scanner talks to one clamd. The zero Timeout means ctx alone bounds a call.
type Scanner struct {
	Addr    string        // clamd's TCPSocket, host:port
	Timeout time.Duration // bounds a whole call: connect, stream, verdict
}

// Result is clamd's verdict on one file.
type Result struct {
	Clean     bool
	Signature string // what clamd found when not Clean, e.g. "Eicar-Test"
}

// Scan streams r to clamd and returns its verdict (see the package doc).
func (s Scanner) Scan(ctx context.Context, r io.Reader) (Result, error) {
	var res Result
	err := s.do(ctx, func(conn net.Conn) error {
		buf := make([]byte, 4+chunkSize)
		if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
			return sendFailed(conn, err)
		}
		for {
			n, rerr := r.Read(buf[4:])
			if n > 0 {
				binary.BigEndian.PutUint32(buf, uint32(n))
				if _, err := conn.Write(buf[:4+n]); err != nil {
					return sendFailed(conn, err)
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return fmt.Errorf("scan: read the file: %w", rerr)
			}
		}
		if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil { // end of stream
			return sendFailed(conn, err)
		}
		reply, err := readReply(conn)
		if err != nil {
			return err
		}
		res, err = verdict(reply)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// Ping checks that clamd answers.
func (s Scanner) Ping(ctx context.Context) error {
	return s.do(ctx, func(conn net.Conn) error {
		if _, err := conn.Write([]byte("zPING\x00")); err != nil {
			return fmt.Errorf("scan: send to clamd: %w", err)
		}
		reply, err := readReply(conn)
		if err != nil {
			return err
		}
		if reply != "PONG" {
			return fmt.Errorf("scan: clamd answered PING with %q", reply)
		}
		return nil
	})
}

// do runs fn on a fresh connection whose reads and writes stop at ctx's
// deadline (and s.Timeout) or as soon as ctx is cancelled.
func (s Scanner) do(ctx context.Context, fn func(net.Conn) error) error {
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		if cerr := ctxErr(ctx); cerr != nil {
			err = cerr
		}
		return fmt.Errorf("scan: connect to clamd at %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := fn(conn); err != nil {
		if cerr := ctxErr(ctx); cerr != nil {
			return fmt.Errorf("scan: clamd at %s: %w", s.Addr, cerr)
		}
		return err
	}
	return nil
}

// ctxErr is ctx.Err(), also when the connection's copy of ctx's deadline
// fired a moment before ctx's own timer did.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// sendFailed explains a failed write: clamd closes the connection after
// answering a stream it refuses (over StreamMaxLength), so its answer may be
// waiting to be read.
func sendFailed(conn net.Conn, werr error) error {
	if errors.Is(werr, os.ErrDeadlineExceeded) {
		return werr
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	if reply, err := readReply(conn); err == nil {
		if _, err := verdict(reply); err != nil {
			return err
		}
	}
	return fmt.Errorf("scan: send to clamd: %w", werr)
}

// readReply reads one NUL-terminated reply (at most 4 KiB).
func readReply(conn net.Conn) (string, error) {
	reply, err := bufio.NewReader(io.LimitReader(conn, 4096)).ReadString(0)
	if err != nil && (err != io.EOF || reply == "") {
		return "", fmt.Errorf("scan: read clamd's reply: %w", err)
	}
	return strings.TrimRight(reply, "\x00\n"), nil
}

// verdict parses clamd's answer to INSTREAM.
func verdict(reply string) (Result, error) {
	if reply == "stream: OK" {
		return Result{Clean: true}, nil
	}
	if sig, ok := strings.CutPrefix(reply, "stream: "); ok {
		if sig, ok := strings.CutSuffix(sig, " FOUND"); ok && sig != "" {
			return Result{Signature: sig}, nil
		}
	}
	switch {
	case strings.HasPrefix(reply, "INSTREAM size limit exceeded"):
		return Result{}, fmt.Errorf("%w (clamd: %q)", ErrTooLarge, reply)
	case strings.HasSuffix(reply, " ERROR"):
		return Result{}, fmt.Errorf("scan: clamd failed: %q", reply)
	}
	return Result{}, fmt.Errorf("scan: unexpected reply from clamd: %q", reply)
}

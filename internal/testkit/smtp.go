package testkit

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// Mail is a message a fake SMTP server received.
type Mail struct {
	From, To string
	Data     string // headers and body, CRLF line ends, dot-unstuffed
}

// SMTP is a minimal SMTP server on loopback speaking the real wire protocol
// (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT), for tests of mail sending:
// a mail provider is a third-party service the tests cannot reach.
type SMTP struct {
	URL  string // smtp://127.0.0.1:PORT?from=pishkhan@example.com
	Mail chan Mail
}

// StartSMTP starts the server until the test ends.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	s := &SMTP{URL: "smtp://" + ln.Addr().String() + "?from=pishkhan@example.com", Mail: make(chan Mail, 16)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *SMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 fake ESMTP ready")
	var m Mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-fake\r\n250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = Mail{From: address(line[10:])}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.To = address(line[8:])
			say("250 ok")
		case cmd == "DATA":
			say("354 end with <CRLF>.<CRLF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = b.String()
			s.Mail <- m
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// address reads "<a@b> PARAMS" from a MAIL or RCPT argument.
func address(arg string) string {
	arg = strings.TrimSpace(arg)
	if i := strings.IndexByte(arg, '>'); strings.HasPrefix(arg, "<") && i > 0 {
		return arg[1:i]
	}
	return strings.Fields(arg)[0]
}

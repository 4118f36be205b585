package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// Issue 12 #17: the first start prints a password it generated, once, and
// never one the operator supplied in ADMIN_PASSWORD (it would end up in
// logs and terminal scrollback).
func TestFirstStartPrintsOnlyAGeneratedPassword(t *testing.T) {
	for _, supplied := range []string{"", "operator's own secret 1"} {
		t.Run("supplied="+supplied, func(t *testing.T) {
			env := map[string]string{"DATA_DIR": t.TempDir(), "ADMIN_EMAIL": "root@example.com", "ADMIN_PASSWORD": supplied,
				"HASH_CONCURRENCY": "2"}
			cfg, err := config.Load(testkit.Env(env))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			s, err := open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var out bytes.Buffer
			if err := firstStart(ctx, s, &out, "http://127.0.0.1:8080"); err != nil {
				t.Fatal(err)
			}
			text := out.String()
			if !strings.Contains(text, "root@example.com") {
				t.Fatalf("the first start does not name the admin: %q", text)
			}
			password := supplied
			if supplied != "" {
				if strings.Contains(text, supplied) {
					t.Fatalf("the supplied ADMIN_PASSWORD was printed: %q", text)
				}
				if !strings.Contains(text, "ADMIN_PASSWORD") {
					t.Fatalf("the first start does not say which password to use: %q", text)
				}
			} else {
				m := regexp.MustCompile(`password: +([0-9a-f]{24})\n`).FindStringSubmatch(text)
				if m == nil {
					t.Fatalf("a generated password was not printed: %q", text)
				}
				password = m[1]
			}
			if _, err := s.Auth.Login(ctx, auth.LoginInput{Email: "root@example.com", Password: password}, ""); err != nil {
				t.Fatalf("log in with the first admin's password: %v", err)
			}
			// a second start creates and prints nothing
			out.Reset()
			if err := firstStart(ctx, s, &out, "http://127.0.0.1:8080"); err != nil || out.Len() != 0 {
				t.Fatalf("second start: %v %q", err, out.String())
			}
		})
	}
}

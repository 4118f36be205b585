package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

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

// Issue 12 #13: in production (PostgreSQL or Redis configured) serve
// refuses to start without PUBLIC_URL, naming it; the embedded default
// needs no configuration.
func TestServeRequiresPublicURLInProduction(t *testing.T) {
	pg := testkit.NewPostgres(t)
	redis := testkit.StartRedis(t)
	for name, env := range map[string]map[string]string{
		"postgres":       {"DATABASE_URL": pg},
		"sqlite + redis": {"DATA_DIR": t.TempDir(), "REDIS_URL": redis.URL},
	} {
		t.Run(name, func(t *testing.T) {
			env["ADDR"] = "127.0.0.1:1" // never reached
			cfg, err := config.Load(testkit.Env(env))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = serve(ctx, cfg, nil)
			if err == nil || !strings.Contains(err.Error(), "PUBLIC_URL must be set in production") {
				t.Fatalf("serve without PUBLIC_URL in production: %v", err)
			}
		})
	}
	// with PUBLIC_URL, SECRET_KEY is still required
	cfg, err := config.Load(testkit.Env(map[string]string{"DATABASE_URL": pg, "PUBLIC_URL": "https://admin.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := serve(context.Background(), cfg, nil); !errors.Is(err, config.ErrNoSecretKey) {
		t.Fatalf("serve without SECRET_KEY in production: %v", err)
	}
	cfg, err = config.Load(testkit.Env(map[string]string{"DATA_DIR": t.TempDir()}))
	if err != nil || cfg.CheckServe() != nil {
		t.Fatalf("the embedded default without PUBLIC_URL: %v %v", err, cfg.CheckServe())
	}
}

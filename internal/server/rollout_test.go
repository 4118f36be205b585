package server_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// engineConfig is the configuration of an instance over a fresh database
// of the engine.
func engineConfig(t *testing.T, e testkit.Engine) config.Config {
	t.Helper()
	env := map[string]string{"DATA_DIR": t.TempDir(), "HASH_CONCURRENCY": "1"}
	if target := e.Target(t); strings.HasPrefix(target, "postgres") {
		env["DATABASE_URL"] = target
		env["SECRET_KEY"] = testkit.SecretKey
	} else {
		env["DATA_DIR"] = strings.TrimSuffix(target, "/pishkhan.db")
	}
	cfg, err := config.Load(testkit.Env(env))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Several instances starting at once on a fresh database migrate it once:
// every one succeeds, each migration is applied by exactly one of them,
// and the result is a database serve accepts.
func TestConcurrentMigrate(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			cfg := engineConfig(t, e)
			ctx := context.Background()
			const n = 6
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				applied = map[int]int{}
				errs    []error
			)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// each its own pool, as separate processes have
					s, err := server.Open(ctx, cfg)
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
					defer s.Close()
					ms, err := s.Migrate(ctx)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
					}
					for _, m := range ms {
						applied[m.Version]++
					}
				}()
			}
			wg.Wait()
			if len(errs) > 0 {
				t.Fatalf("%d of %d concurrent migrates failed, first: %v", len(errs), n, errs[0])
			}
			all, err := db.Migrations(db.Engine(e.Name))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range all {
				if applied[m.Version] != 1 {
					t.Errorf("migration %04d applied %d times", m.Version, applied[m.Version])
				}
			}
			s, err := server.New(ctx, cfg)
			if err != nil {
				t.Fatalf("serve refuses the concurrently migrated database: %v", err)
			}
			s.Close()
		})
	}
}

// serve refuses a database a newer binary has migrated, naming the
// database's version, its own and what to do.
func TestNewerDatabaseRefused(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			cfg := engineConfig(t, e)
			ctx := context.Background()
			o, err := server.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := o.DB.Writer().Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9001, 'from_a_newer_release', 0)`); err != nil {
				t.Fatal(err)
			}
			o.Close()
			all, _ := db.Migrations(db.Engine(e.Name))
			latest := all[len(all)-1].Version
			_, err = server.New(ctx, cfg)
			var unknown db.ErrUnknownMigrations
			if !errors.As(err, &unknown) {
				t.Fatalf("serve started on a newer database: %v", err)
			}
			for _, want := range []string{"9001", "newer", fmt.Sprintf("%04d", latest), "restore a backup"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal does not say %q: %s", want, err)
				}
			}
		})
	}
}

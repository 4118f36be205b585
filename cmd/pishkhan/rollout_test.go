package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/platform/db"
	"github.com/pishkhan/pishkhan/internal/server"
	"github.com/pishkhan/pishkhan/internal/testkit"
)

// serve and worker refuse a database a newer release migrated, in the
// embedded default too (where they migrate first) and in production.
func TestServeAndWorkerRefuseANewerDatabase(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"DATA_DIR": t.TempDir(), "ADDR": "127.0.0.1:0", "HASH_CONCURRENCY": "1", "JOB_WORKERS": "1"}
			if e.Name == "postgres" {
				env["DATABASE_URL"] = e.Target(t)
				env["SECRET_KEY"] = testkit.SecretKey
				env["PUBLIC_URL"] = "https://admin.example.com"
			}
			cfg, err := config.Load(testkit.Env(env))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			o, err := server.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := o.DB.Writer().Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9001, 'newer', 0)`); err != nil {
				t.Fatal(err)
			}
			o.Close()
			for name, run := range map[string]func(context.Context, config.Config, []string) error{"serve": serve, "worker": worker} {
				var unknown db.ErrUnknownMigrations
				if err := run(ctx, cfg, nil); !errors.As(err, &unknown) || unknown.Versions[0] != 9001 {
					t.Errorf("%s on a newer database: %v", name, err)
				}
			}
		})
	}
}

// Command pishkhan is the whole of Pishkhan: the API server, the web app it
// embeds, and the operator's commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pishkhan/pishkhan/internal/auth"
	"github.com/pishkhan/pishkhan/internal/config"
	"github.com/pishkhan/pishkhan/internal/content"
	"github.com/pishkhan/pishkhan/internal/content/posts"
	"github.com/pishkhan/pishkhan/internal/content/projects"
	"github.com/pishkhan/pishkhan/internal/orders"
	"github.com/pishkhan/pishkhan/internal/people"
	"github.com/pishkhan/pishkhan/internal/platform/apperr"
	"github.com/pishkhan/pishkhan/internal/platform/authz"
	"github.com/pishkhan/pishkhan/internal/platform/telemetry"
	"github.com/pishkhan/pishkhan/internal/server"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, cfg config.Config, args []string) error
}

var commands = []command{
	{"serve", "run the API server and web app (migrates an embedded database first)", serve},
	{"migrate", "apply the database migrations this binary holds", migrate},
	{"createsuperuser", "create or reset a superuser: --email, --password (or PISHKHAN_EMAIL / PISHKHAN_PASSWORD)", createSuperuser},
	{"createuser", "create a user with a role: --email, --password, --role NAME (an existing role, or a new one with --permissions a.b,c.d)", createUser},
	{"seed", "insert realistic demo data: --orders N, --posts N, --projects N", seed},
	{"audit", "`audit verify` checks the audit log's hash chain and names any altered, removed or reordered row; `audit purge --out FILE` exports then deletes rows older than AUDIT_RETENTION", auditCmd},
	{"worker", "run background jobs only (no HTTP), with JOB_WORKERS at once (at least 1); scale these apart from serve", worker},
	{"cache", "server cache control: `cache warm` fills the hot keys (first order pages, every statistics range); `cache clear` deletes Pishkhan's keys (under CACHE_PREFIX) only, never the whole Redis", cacheCmd},
	{"search", "`search rebuild` recomputes the full-text index from every post and project (after a restore or an upgrade of the normaliser)", searchCmd},
	{"stats", "`stats rebuild` recomputes every day's statistics from the orders (after a bulk import)", statsCmd},
	{"backup", "`backup DEST` copies the embedded default's database (a consistent snapshot), secret key, audit checkpoint and media into DEST while it serves", backupCmd},
	{"restore", "`restore [--force] SRC` puts a backup into an empty DATA_DIR (--force replaces what is there); stop the server first", restoreCmd},
	{"secrets", "`secrets rotate` re-encrypts every TOTP secret under SECRET_KEY (run it with the previous key in SECRET_KEY_OLD, then drop SECRET_KEY_OLD)", secretsCmd},
	{"healthcheck", "exit 0 when /healthz on ADDR answers 200 within --timeout (3s), else 1: the container image's HEALTHCHECK", healthcheck},
	{"openapi", "print the OpenAPI 3.1 document of the API", func(context.Context, config.Config, []string) error {
		doc, err := server.OpenAPIDocument()
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(append(doc, '\n'))
		return err
	}},
	{"version", "print the version", func(context.Context, config.Config, []string) error {
		fmt.Println("pishkhan", server.Version)
		return nil
	}},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: pishkhan <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nConfiguration is by environment variables:\n\n")
	config.PrintHelp(w)
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage(os.Stdout)
		return
	}
	name, args := os.Args[1], os.Args[2:]
	for _, a := range args {
		if a == "-h" || a == "--help" {
			usage(os.Stdout)
			return
		}
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		cfg, err := config.FromEnv()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		setupLogging(cfg)
		if c.name != "serve" && c.name != "worker" {
			cfg.JobWorkers = 0 // only these two run background jobs
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		stopTelemetry, err := startTelemetry(ctx, cfg)
		if err == nil {
			err = c.run(ctx, cfg, args)
			stopTelemetry()
		}
		stop()
		if err != nil {
			if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
				for f, m := range e.Fields {
					fmt.Fprintf(os.Stderr, "%s %s\n", f, m)
				}
			} else {
				fmt.Fprintln(os.Stderr, "pishkhan "+name+":", err)
			}
			os.Exit(1)
		}
		return
	}
	fmt.Fprintf(os.Stderr, "unknown command %q\n\n", name)
	usage(os.Stderr)
	os.Exit(2)
}

func setupLogging(cfg config.Config) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(os.Stderr, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(os.Stderr, opts)
	}
	slog.SetDefault(slog.New(telemetry.LogHandler(h)))
}

// open builds the server. The embedded default migrates itself first:
// nothing to install, nothing to run before; PostgreSQL deployments run
// `pishkhan migrate` as a release step, and serve refuses a database that
// is behind or ahead of this binary.
func open(ctx context.Context, cfg config.Config) (*server.Server, error) {
	if cfg.DatabaseURL == "" {
		if err := migrate(ctx, cfg, nil); err != nil {
			return nil, err
		}
	}
	return server.New(ctx, cfg)
}

func serve(ctx context.Context, cfg config.Config, _ []string) error {
	if err := cfg.CheckServe(); err != nil {
		return err
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	scheme := "http://"
	if cfg.TLSCertFile != "" {
		scheme = "https://"
	}
	url := scheme + strings.Replace(cfg.Addr, "0.0.0.0", "127.0.0.1", 1)
	if strings.HasPrefix(cfg.Addr, ":") {
		url = scheme + "127.0.0.1" + cfg.Addr
	}
	if cfg.PublicURL != "" {
		url = cfg.PublicURL
	}
	if err := firstStart(ctx, s, os.Stdout, url); err != nil {
		return err
	}
	mode := "embedded (SQLite, in-process cache)"
	if cfg.DatabaseURL != "" {
		mode = "PostgreSQL"
	}
	if cfg.RedisURL != "" {
		mode += " + Redis"
	}
	slog.Info("pishkhan listening", "addr", cfg.Addr, "url", url, "mode", mode, "version", server.Version)
	return s.ListenAndServe(ctx)
}

// firstStart creates the first admin on an empty database and tells w how
// to log in. A generated password is shown once; one the operator supplied
// (ADMIN_PASSWORD) never is.
func firstStart(ctx context.Context, s *server.Server, w io.Writer, url string) error {
	email, generated, created, err := s.EnsureFirstAdmin(ctx)
	if err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	if !created {
		return nil
	}
	if generated == "" {
		fmt.Fprintf(w, "\nFirst start: created the admin account.\n  Open %s and log in as\n    email:    %s\n    password: the one in ADMIN_PASSWORD\n\n", url, email)
		return nil
	}
	fmt.Fprintf(w, "\nFirst start: created the admin account.\n  Open %s and log in as\n    email:    %s\n    password: %s\n  (shown once; change it after logging in)\n\n", url, email, generated)
	return nil
}

func migrate(ctx context.Context, cfg config.Config, _ []string) error {
	s, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		slog.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	if cfg.DatabaseAppRole != "" {
		if err := s.DB.GrantAppRole(ctx, cfg.DatabaseAppRole); err != nil {
			return err
		}
		slog.Info("privileges granted", "role", cfg.DatabaseAppRole)
	}
	// the first worker to see it fills the hot cache keys
	q, err := s.InsertOnlyQueue()
	if err != nil {
		return err
	}
	if _, err := q.Client.Insert(ctx, server.WarmArgs{}, nil); err != nil {
		return fmt.Errorf("enqueue the cache warm-up: %w", err)
	}
	return nil
}

func worker(ctx context.Context, cfg config.Config, _ []string) error {
	cfg.JobWorkers = max(cfg.JobWorkers, 1)
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	slog.Info("pishkhan worker running jobs", "workers", cfg.JobWorkers, "version", server.Version)
	<-ctx.Done()
	slog.Info("shutting down: letting running jobs finish")
	return nil
}

func secretsCmd(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) != 1 || args[0] != "rotate" {
		return errors.New("usage: pishkhan secrets rotate")
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.RotateSecrets(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("re-encrypted %d secrets (TOTP and webhook signing secrets) under SECRET_KEY; SECRET_KEY_OLD can now be removed from every instance\n", n)
	return nil
}

func searchCmd(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) != 1 || args[0] != "rebuild" {
		return errors.New("usage: pishkhan search rebuild")
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	n, err := s.RebuildSearch(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("rebuilt the search index in %s (%d documents)\n", time.Since(start).Round(time.Millisecond), n)
	warnInProcessCache(cfg)
	return nil
}

func statsCmd(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) != 1 || args[0] != "rebuild" {
		return errors.New("usage: pishkhan stats rebuild")
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	repaired, err := s.Stats.RebuildAll(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("rebuilt the statistics in %s (%d days changed)\n", time.Since(start).Round(time.Millisecond), len(repaired))
	warnInProcessCache(cfg)
	return nil
}

func createSuperuser(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("createsuperuser", flag.ContinueOnError)
	email := fs.String("email", os.Getenv("PISHKHAN_EMAIL"), "email address")
	password := fs.String("password", os.Getenv("PISHKHAN_PASSWORD"), "password (at least 8 characters)")
	name := fs.String("name", "Administrator", "display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *password == "" {
		return errors.New("give --email and --password (or PISHKHAN_EMAIL and PISHKHAN_PASSWORD)")
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := s.People.EnsureSuperuser(ctx, *email, *name, *password)
	if err != nil {
		return err
	}
	fmt.Printf("superuser %s ready (id %d)\n", *email, id)
	return nil
}

func createUser(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("createuser", flag.ContinueOnError)
	email := fs.String("email", "", "email address")
	password := fs.String("password", os.Getenv("PISHKHAN_PASSWORD"), "password (at least 8 characters)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "role of the user: an existing one (e.g. Viewer), or a new one with --permissions")
	perms := fs.String("permissions", "", "comma-separated permissions of a new role named --role")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *password == "" || *role == "" {
		return errors.New("give --email, --password and --role (with --permissions)")
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	var list []authz.Permission
	for _, p := range strings.Split(*perms, ",") {
		if p = strings.TrimSpace(p); p != "" {
			list = append(list, authz.Permission(p))
		}
	}
	var roleID int64
	if len(list) == 0 {
		roleID, err = s.People.RoleID(ctx, *role)
		if errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("no role named %q; give --permissions to create it", *role)
		}
	} else {
		var r people.RoleView
		r, err = s.People.CreateRole(authz.With(ctx, authz.System), people.RoleInput{Name: role, Permissions: &list})
		roleID = r.ID
	}
	if err != nil {
		return err
	}
	id, err := s.People.CreateUser(ctx, *email, *name, *password, roleID)
	if err != nil {
		return err
	}
	fmt.Printf("user %s ready (id %d, role %q)\n", *email, id, *role)
	return nil
}

func seed(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	n := fs.Int("orders", 1000, "how many orders to create (1000 unless only --posts or --projects is given)")
	nPosts := fs.Int("posts", 0, "how many blog posts to create (Persian and English, about half published)")
	nProjects := fs.Int("projects", 0, "how many portfolio projects to create (Persian and English, most published)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ordersSet := false
	fs.Visit(func(f *flag.Flag) { ordersSet = ordersSet || f.Name == "orders" })
	if *nPosts < 0 || *nPosts > 1_000_000 {
		return errors.New("--posts must be between 0 and 1000000")
	}
	if *nProjects < 0 || *nProjects > 1_000_000 {
		return errors.New("--projects must be between 0 and 1000000")
	}
	if (*nPosts > 0 || *nProjects > 0) && !ordersSet {
		*n = 0
	} else if *n < 1 || *n > 10_000_000 {
		return errors.New("--orders must be between 1 and 10000000")
	}
	s, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if *nProjects > 0 {
		start := time.Now()
		done, err := projects.Seed(ctx, s.DB, *nProjects)
		if err == nil {
			// a bulk load bypasses the per-write index documents, and the
			// panel's search (q) reads them: recompute the index
			_, err = s.RebuildSearch(ctx)
		}
		s.Cache.Invalidate(ctx, content.TagProjects, content.TagPublic)
		if err != nil {
			return err
		}
		fmt.Printf("seeded and indexed %d projects in %s\n", done, time.Since(start).Round(time.Millisecond))
	}
	if *nPosts > 0 {
		done, err := posts.Seed(ctx, s.Posts, *nPosts, func(done int) {
			if done%1000 == 0 {
				slog.Info("seeding", "posts", done)
			}
		})
		if err != nil {
			return err
		}
		fmt.Printf("seeded %d posts\n", done)
	}
	if *n == 0 {
		warnInProcessCache(cfg)
		return nil
	}
	start := time.Now()
	done, err := orders.Seed(ctx, s.DB, *n, func(done int) {
		if done%100_000 == 0 {
			slog.Info("seeding", "orders", done)
		}
	})
	orders.InvalidateLists(ctx, s.Cache)
	if err != nil {
		return err
	}
	seeded := time.Since(start)
	// a bulk load bypasses the per-write aggregates: recompute them
	if _, err := s.Stats.RebuildAll(ctx); err != nil {
		return err
	}
	fmt.Printf("seeded %d orders in %s (statistics rebuilt in %s)\n", done, seeded.Round(time.Millisecond),
		(time.Since(start) - seeded).Round(time.Millisecond))
	warnInProcessCache(cfg)
	return nil
}

// warnInProcessCache tells the operator of the embedded default that a
// running server cannot hear of a bulk change made by another process: its
// cache lives in its own memory (with Redis every instance shares it).
func warnInProcessCache(cfg config.Config) {
	if cfg.RedisURL == "" {
		fmt.Println("note: without REDIS_URL a running `pishkhan serve` keeps its cache in its own memory; restart it to see this change")
	}
}

func cacheCmd(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) != 1 || (args[0] != "clear" && args[0] != "warm") {
		return errors.New("usage: pishkhan cache warm|clear")
	}
	if args[0] == "warm" {
		if cfg.RedisURL == "" {
			fmt.Println("the in-process cache lives in the server process; it warms itself on first use")
			return nil
		}
		s, err := open(ctx, cfg)
		if err != nil {
			return err
		}
		defer s.Close()
		start := time.Now()
		if err := s.Warm(ctx); err != nil {
			return err
		}
		fmt.Printf("warmed the hot keys in %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	}
	s, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if s.Redis == nil {
		fmt.Println("the in-process cache lives in the server process; restarting it clears the cache")
		return nil
	}
	n, err := s.Cache.Clear(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("deleted %d keys under %q\n", n, cfg.CachePrefix)
	return nil
}

// Package config reads Pishkhan's settings from environment variables
// (12-factor). Every variable is declared once, with its default and
// description, so `pishkhan <command> --help` lists them all.
package config

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // TIMEZONE works on machines without a zone database
)

// Config is every setting.
type Config struct {
	Addr                   string
	DatabaseURL            string
	DataDir                string
	RedisURL               string
	CachePrefix            string
	CacheTTL               time.Duration
	CacheTimeout           time.Duration
	CacheLocalEntries      int
	SessionIdleTimeout     time.Duration
	SessionAbsoluteTimeout time.Duration
	LoginAccountLimit      int
	LoginIPLimit           int
	LoginWindow            time.Duration
	TrustedProxies         []netip.Prefix
	TrustedOrigins         []string
	RequestTimeout         time.Duration
	SSEHeartbeat           time.Duration
	HashConcurrency        int
	AdminEmail             string
	AdminPassword          string
	LogLevel               string
	LogFormat              string
	// OTLPEndpoint, when set, exports traces there over OTLP/HTTP;
	// OTelServiceName names their source, OTelSampleRatio is the share of
	// new traces kept.
	OTLPEndpoint    string
	OTelServiceName string
	OTelSampleRatio float64
	// SentryDSN, when set, reports server panics and 5xx answers there and
	// hands the web app the same DSN for browser errors.
	SentryDSN         string
	SentryEnvironment string
	// DatabaseAppRole is the PostgreSQL role `migrate` grants the running
	// application's privileges to (audit rows append-only).
	DatabaseAppRole string
	// AuditRetention is how long audit rows are kept (0: forever).
	AuditRetention time.Duration
	// PublicURL is the panel's address as users reach it, for links in emails.
	PublicURL string
	// SMTPURL, when set, sends invite links by email (smtp://user:pass@host:port?from=addr).
	SMTPURL *url.URL
	// TimeZone cuts the statistics' days.
	TimeZone *time.Location
	// JobWorkers is how many jobs `serve` runs at once (0: none, leave
	// them to `pishkhan worker`); `worker` runs at least one.
	JobWorkers int
	// JobRescueAfter is how long a job may run before it is taken for
	// abandoned (its worker died) and retried.
	JobRescueAfter time.Duration
	// JobPollInterval is how often idle workers look for jobs.
	JobPollInterval time.Duration
	// StatsReconcileEvery is the interval of the statistics' reconciliation.
	StatsReconcileEvery time.Duration
	// S3 locates the media bucket; empty S3Endpoint keeps media on disk
	// under MediaDir.
	S3Endpoint, S3Bucket, S3Region, S3AccessKey, S3SecretKey string
	S3PathStyle                                              bool
	MediaDir                                                 string
	// ClamAVAddr is clamd's TCP address; empty means files are not scanned.
	ClamAVAddr string
	// MediaRequireScan rejects files that could not be scanned.
	MediaRequireScan bool
	// MediaPublicBaseURL serves ready files from a CDN instead of signed URLs.
	MediaPublicBaseURL string
	// MediaMaxSize is the largest upload in bytes.
	MediaMaxSize int64
	// MediaAllowedTypes are the content types accepted (nil: the default list).
	MediaAllowedTypes []string
	// SecretKey is SECRET_KEY (32 bytes): it encrypts TOTP secrets at rest
	// and never enters the database. Nil: unset (the embedded default then
	// keeps a generated one in DATA_DIR/secret.key).
	SecretKey []byte
	// SecretKeysOld are earlier SECRET_KEYs, still accepted for decryption
	// until `pishkhan secrets rotate` has re-encrypted everything.
	SecretKeysOld [][]byte
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// MetricsAddr, when set, is a listener of its own serving only
	// /metrics; the main listener then answers 404 there.
	MetricsAddr string
	// MediaTransferMinRate (bytes per second) and MediaTransferGrace size
	// the deadlines of local-disk uploads and downloads.
	MediaTransferMinRate int64
	MediaTransferGrace   time.Duration
	// MediaDecodeBudget bounds the memory, in bytes, that image decoding
	// may hold at once in the process (and so for any one image).
	MediaDecodeBudget int64
	// ShutdownTimeout bounds the drain after SIGTERM: in-flight requests
	// get this long to finish, running jobs half of it.
	ShutdownTimeout time.Duration
	// ShutdownDelay is how long, after SIGTERM, the instance keeps serving
	// while /readyz says it is draining, before the drain begins.
	ShutdownDelay time.Duration
	// TLSCertFile and TLSKeyFile, when set, make serve terminate TLS.
	TLSCertFile, TLSKeyFile string
	// WebhooksAllowPrivate lets webhook deliveries reach loopback, private,
	// link-local and other inside addresses (refused by default).
	WebhooksAllowPrivate bool
	// PublicSiteURL is the website's address (the base of links in feeds
	// and the sitemap); empty: PublicURL (see PublicSite).
	PublicSiteURL string
	// PublicPostPath and PublicProjectPath are the website's paths of a
	// post and a project, with {lang} and {slug} filled in.
	PublicPostPath, PublicProjectPath string
	// PublicCacheControl is the Cache-Control of the public read API's answers.
	PublicCacheControl string
	// PublicRateLimit requests per PublicRateWindow are allowed per client
	// IP on the public read API.
	PublicRateLimit  int
	PublicRateWindow time.Duration
	// PublicSitemapSize is how many URLs one sitemap file holds; beyond it
	// /sitemap.xml is an index of pages.
	PublicSitemapSize int
	// PublicCORSOrigins are the exact origins (scheme://host[:port]) whose
	// pages may read the public API from a browser.
	PublicCORSOrigins []string
	// AI is the AI provider the environment defines (AI_BASE_URL empty: none).
	AI AIProvider
}

// AIProvider is the AI provider AI_BASE_URL and friends define.
type AIProvider struct {
	BaseURL, APIKey                       string
	TextModel, ImageModel, EmbeddingModel string
	InputPrice, OutputPrice, ImagePrice   int64
	Currency                              string
	StreamUsage                           bool
	// Timeout bounds one call to any AI provider.
	Timeout time.Duration
	// RateLimit calls per RateWindow are allowed per user.
	RateLimit  int
	RateWindow time.Duration
}

// PublicSite is the website's base URL for feeds and the sitemap:
// PUBLIC_SITE_URL, else PUBLIC_URL, else "" (then the request's own
// scheme and host).
func (c Config) PublicSite() string {
	if c.PublicSiteURL != "" {
		return c.PublicSiteURL
	}
	return c.PublicURL
}

// PublicOrigin is PUBLIC_URL's origin (scheme://host[:port]), the only
// one besides TRUSTED_ORIGINS that unsafe requests may come from when
// set; "" when PUBLIC_URL is unset.
func (c Config) PublicOrigin() string {
	u, err := url.Parse(c.PublicURL)
	if c.PublicURL == "" || err != nil {
		return ""
	}
	host := strings.ToLower(u.Host)
	if u.Scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	} else {
		host = strings.TrimSuffix(host, ":80")
	}
	return strings.ToLower(u.Scheme) + "://" + host
}

// ErrNoSecretKey is the refusal to run in production without SECRET_KEY.
var ErrNoSecretKey = fmt.Errorf("SECRET_KEY must be set in production (with DATABASE_URL or REDIS_URL): 32 random bytes as 64 hex digits, e.g. from `openssl rand -hex 32`, the same on every instance and never stored in the database; it encrypts TOTP secrets")

// CheckServe refuses what `serve` must not start with: in production,
// PUBLIC_URL unset (links and the CSRF origin check would follow the Host
// header of whoever asked) or SECRET_KEY unset.
func (c Config) CheckServe() error {
	if c.Production() && c.PublicURL == "" {
		return fmt.Errorf("PUBLIC_URL must be set in production (with DATABASE_URL or REDIS_URL): the panel's address as users reach it, e.g. https://admin.example.com; links in emails and the check of where unsafe requests come from use it, never the Host header")
	}
	if c.Production() && c.SecretKey == nil {
		return ErrNoSecretKey
	}
	return nil
}

// Production reports whether this is the production mode (PostgreSQL or
// Redis configured) rather than the embedded default.
func (c Config) Production() bool { return c.DatabaseURL != "" || c.RedisURL != "" }

type variable struct {
	name, def, help string
	set             func(c *Config, v string) error
}

func dur(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("must be a positive duration such as 30s or 2h")
		}
		*dst(c) = d
		return nil
	}
}

// durOrZero is dur that also takes 0 (off).
func durOrZero(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("must be 0 or a positive duration such as 15s")
		}
		*dst(c) = d
		return nil
	}
}

func integer(dst func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("must be a positive whole number")
		}
		*dst(c) = n
		return nil
	}
}

func boolean(dst func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false")
		}
		*dst(c) = b
		return nil
	}
}

// sitePath is a website path template: it starts with / and holds {slug}.
func sitePath(dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if !strings.HasPrefix(v, "/") || !strings.Contains(v, "{slug}") || strings.ContainsAny(v, " ?#\r\n") {
			return fmt.Errorf("must be a path starting with / that holds {slug} (and may hold {lang}), such as /{lang}/blog/{slug}")
		}
		*dst(c) = v
		return nil
	}
}

func int64Var(dst func(*Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1_000_000_000_000 {
			return fmt.Errorf("must be a whole number from 0 to 1000000000000")
		}
		*dst(c) = n
		return nil
	}
}

func str(dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *dst(c) = v; return nil }
}

var variables = []variable{
	{"ADDR", "127.0.0.1:8080", "address to listen on", str(func(c *Config) *string { return &c.Addr })},
	{"DATABASE_URL", "", "postgres://… URL; empty means a SQLite file in DATA_DIR", str(func(c *Config) *string { return &c.DatabaseURL })},
	{"DATA_DIR", "./data", "where the embedded default keeps its SQLite file; without REDIS_URL also the audit checkpoint (audit-checkpoint.json)", str(func(c *Config) *string { return &c.DataDir })},
	{"REDIS_URL", "", "redis://… (one server) or redis+cluster://host:port?addr=host:port&addr=… (a Redis Cluster: any of its nodes, more survive one being down at start); empty means the in-process cache, event bus and database sessions", str(func(c *Config) *string { return &c.RedisURL })},
	{"CACHE_PREFIX", "pishkhan:", "prefix of every Redis key Pishkhan writes", str(func(c *Config) *string { return &c.CachePrefix })},
	{"CACHE_TTL", "10m", "how long a cached response is kept (writes invalidate it at once)", dur(func(c *Config) *time.Duration { return &c.CacheTTL })},
	{"CACHE_TIMEOUT", "50ms", "time budget of one cache call before the read falls back to the database", dur(func(c *Config) *time.Duration { return &c.CacheTimeout })},
	{"CACHE_LOCAL_ENTRIES", "20000", "values each instance also keeps in process in front of Redis (still checked against Redis generations on every read)", integer(func(c *Config) *int { return &c.CacheLocalEntries })},
	{"SESSION_IDLE_TIMEOUT", "2h", "a session ends this long after its last request, never earlier (and at most a twentieth of it, or a minute, later)", dur(func(c *Config) *time.Duration { return &c.SessionIdleTimeout })},
	{"SESSION_ABSOLUTE_TIMEOUT", "24h", "a session ends this long after login, active or not", dur(func(c *Config) *time.Duration { return &c.SessionAbsoluteTimeout })},
	{"LOGIN_ACCOUNT_LIMIT", "10", "failed logins allowed per account per LOGIN_WINDOW (wrong passwords at re-checks such as a password change count apart, with the same limit)", integer(func(c *Config) *int { return &c.LoginAccountLimit })},
	{"LOGIN_IP_LIMIT", "100", "failed logins allowed per client IP per LOGIN_WINDOW", integer(func(c *Config) *int { return &c.LoginIPLimit })},
	{"LOGIN_WINDOW", "15m", "window of the login limits", dur(func(c *Config) *time.Duration { return &c.LoginWindow })},
	{"TRUSTED_PROXIES", "", "comma-separated CIDRs whose X-Forwarded-For / X-Forwarded-Proto are believed", func(c *Config, v string) error {
		c.TrustedProxies = nil
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !strings.Contains(part, "/") {
				a, err := netip.ParseAddr(part)
				if err != nil {
					return fmt.Errorf("%q is not an IP or CIDR", part)
				}
				part = a.String() + "/" + strconv.Itoa(a.BitLen())
			}
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return fmt.Errorf("%q is not an IP or CIDR", part)
			}
			if p.Bits() == 0 {
				return fmt.Errorf("%q trusts every address, so anyone could forge X-Forwarded-For and X-Forwarded-Proto: list your proxies' addresses", part)
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
		return nil
	}},
	{"TRUSTED_ORIGINS", "", "comma-separated origins allowed to send unsafe requests besides PUBLIC_URL's (e.g. https://admin2.example.com)", func(c *Config, v string) error {
		c.TrustedOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				c.TrustedOrigins = append(c.TrustedOrigins, o)
			}
		}
		return nil
	}},
	{"REQUEST_TIMEOUT", "30s", "upper bound on handling one request", dur(func(c *Config) *time.Duration { return &c.RequestTimeout })},
	{"SHUTDOWN_TIMEOUT", "20s", "after SIGTERM, how long in-flight requests get to finish (event streams end at once with a reconnect hint); running jobs get half of it, then are cancelled and return to the queue; keep it under the orchestrator's grace period (Kubernetes: 30s)", dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"SHUTDOWN_DELAY", "0s", "after SIGTERM, how long the instance goes on serving while /readyz answers 503 (draining), so balancers stop sending it requests before it stops accepting them; then the SHUTDOWN_TIMEOUT drain begins (Kubernetes: longer than readiness period × failure threshold, e.g. 15s, with both under terminationGracePeriodSeconds)", durOrZero(func(c *Config) *time.Duration { return &c.ShutdownDelay })},
	{"TLS_CERT_FILE", "", "PEM certificate chain: with TLS_KEY_FILE, serve speaks HTTPS itself (TLS 1.2+, HTTP/2) and re-reads both files when they change; empty means plain HTTP (behind a TLS-terminating proxy, see TRUSTED_PROXIES)", str(func(c *Config) *string { return &c.TLSCertFile })},
	{"TLS_KEY_FILE", "", "PEM private key of TLS_CERT_FILE", str(func(c *Config) *string { return &c.TLSKeyFile })},
	{"SSE_HEARTBEAT", "15s", "interval of the heartbeat comment on /api/events", dur(func(c *Config) *time.Duration { return &c.SSEHeartbeat })},
	{"HASH_CONCURRENCY", strconv.Itoa(runtime.NumCPU()), "password hashes computed at once (each takes 19 MiB)", integer(func(c *Config) *int { return &c.HashConcurrency })},
	{"ADMIN_EMAIL", "admin@pishkhan.local", "email of the first admin, created at the first start of an empty database", str(func(c *Config) *string { return &c.AdminEmail })},
	{"ADMIN_PASSWORD", "", "password of that first admin; empty means a generated one, printed once", str(func(c *Config) *string { return &c.AdminPassword })},
	{"LOG_LEVEL", "info", "debug, info, warn or error", str(func(c *Config) *string { return &c.LogLevel })},
	{"LOG_FORMAT", "json", "json or text", str(func(c *Config) *string { return &c.LogFormat })},
	{"DATABASE_APP_ROLE", "", "PostgreSQL role that `migrate` (run as the schema owner) grants the application's privileges to; run `serve` as that role so audit rows cannot be changed or deleted", str(func(c *Config) *string { return &c.DatabaseAppRole })},
	{"AUDIT_RETENTION", "0", "how long `pishkhan audit purge` keeps audit rows, e.g. 17520h for two years; 0 keeps them forever", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("must be 0 or a positive duration such as 17520h")
		}
		c.AuditRetention = d
		return nil
	}},
	{"PUBLIC_URL", "", "the panel's address as users reach it (https://admin.example.com): the base of links sent to users and the only origin (besides TRUSTED_ORIGINS) unsafe requests may come from; required in production; empty (embedded default only) uses the scheme and Host each request came with", func(c *Config, v string) error {
		c.PublicURL = strings.TrimSuffix(v, "/")
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return fmt.Errorf("must be an http(s) URL such as https://admin.example.com")
		}
		return nil
	}},
	{"PUBLIC_SITE_URL", "", "the website's address (https://example.com): the base of the links in the public feeds and sitemap.xml; empty uses PUBLIC_URL", func(c *Config, v string) error {
		c.PublicSiteURL = strings.TrimSuffix(v, "/")
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("must be an http(s) URL such as https://example.com")
		}
		return nil
	}},
	{"PUBLIC_POST_PATH", "/{lang}/blog/{slug}", "the website's path of a post, after PUBLIC_SITE_URL ({lang} and {slug} are filled in)", sitePath(func(c *Config) *string { return &c.PublicPostPath })},
	{"PUBLIC_PROJECT_PATH", "/{lang}/projects/{slug}", "the website's path of a project, after PUBLIC_SITE_URL ({lang} and {slug} are filled in)", sitePath(func(c *Config) *string { return &c.PublicProjectPath })},
	{"PUBLIC_CACHE_CONTROL", "public, max-age=0, must-revalidate", "Cache-Control of the public read API's answers (/api/public/v1, sitemap.xml), for CDNs in front of it; the panel's own answers are never public", func(c *Config, v string) error {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("must be one header line")
		}
		c.PublicCacheControl = strings.TrimSpace(v)
		return nil
	}},
	{"PUBLIC_RATE_LIMIT", "120/min", "requests per client IP the public read API answers per window (N/s, N/min, N/h); more get 429", func(c *Config, v string) error {
		n, per, ok := strings.Cut(strings.ReplaceAll(v, " ", ""), "/")
		limit, err := strconv.Atoi(n)
		window := map[string]time.Duration{"s": time.Second, "sec": time.Second, "min": time.Minute, "m": time.Minute, "h": time.Hour, "hour": time.Hour}[per]
		if !ok || err != nil || limit < 1 || window == 0 {
			return fmt.Errorf("must be a positive count per s, min or h, such as 120/min")
		}
		c.PublicRateLimit, c.PublicRateWindow = limit, window
		return nil
	}},
	{"PUBLIC_SITEMAP_SIZE", "50000", "URLs per sitemap file, 1 to 50000 (the protocol's limit); with more live posts and projects, /sitemap.xml is a sitemap index of /sitemap.xml?page=N", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50000 {
			return fmt.Errorf("must be a whole number from 1 to 50000")
		}
		c.PublicSitemapSize = n
		return nil
	}},
	{"PUBLIC_CORS_ORIGINS", "", "comma-separated exact origins (https://example.com) whose pages may read the public API from a browser (GET, HEAD; no credentials); empty: none", func(c *Config, v string) error {
		c.PublicCORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o == "" {
				continue
			}
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
				return fmt.Errorf("%q is not an origin such as https://example.com", o)
			}
			c.PublicCORSOrigins = append(c.PublicCORSOrigins, strings.ToLower(u.Scheme)+"://"+strings.ToLower(u.Host))
		}
		return nil
	}},
	{"SMTP_URL", "", "mail server for invite links, smtp://user:password@host:587?from=pishkhan@example.com (STARTTLS when offered); empty shows links to the admin instead", func(c *Config, v string) error {
		c.SMTPURL = nil
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || u.Scheme != "smtp" || u.Hostname() == "" || u.Port() == "" || u.Query().Get("from") == "" {
			return fmt.Errorf("must look like smtp://user:password@host:587?from=pishkhan@example.com")
		}
		c.SMTPURL = u
		return nil
	}},
	{"TIMEZONE", "UTC", "IANA time zone the statistics' days are cut in, e.g. Asia/Tehran (a change rebuilds them)", func(c *Config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil {
			return fmt.Errorf("must be an IANA time zone such as UTC or Asia/Tehran")
		}
		c.TimeZone = loc
		return nil
	}},
	{"JOB_WORKERS", "4", "background jobs `serve` runs at once; 0 leaves them to `pishkhan worker` processes", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return fmt.Errorf("must be a whole number from 0 to 1000")
		}
		c.JobWorkers = n
		return nil
	}},
	{"JOB_RESCUE_AFTER", "15m", "a job still running after this long is taken for abandoned (its worker died) and run again", dur(func(c *Config) *time.Duration { return &c.JobRescueAfter })},
	{"JOB_POLL_INTERVAL", "500ms", "how often idle workers look for new jobs", dur(func(c *Config) *time.Duration { return &c.JobPollInterval })},
	{"S3_ENDPOINT", "", "S3-compatible endpoint for media (https://s3.amazonaws.com, http://127.0.0.1:7070, …); empty keeps media on local disk in MEDIA_DIR", str(func(c *Config) *string { return &c.S3Endpoint })},
	{"S3_BUCKET", "", "the media bucket (with S3_ENDPOINT)", str(func(c *Config) *string { return &c.S3Bucket })},
	{"S3_REGION", "us-east-1", "the bucket's region", str(func(c *Config) *string { return &c.S3Region })},
	{"S3_ACCESS_KEY", "", "access key of the bucket", str(func(c *Config) *string { return &c.S3AccessKey })},
	{"S3_SECRET_KEY", "", "secret key of the bucket", str(func(c *Config) *string { return &c.S3SecretKey })},
	{"S3_PATH_STYLE", "true", "address the bucket as ENDPOINT/BUCKET (most S3-compatible servers); false for BUCKET.ENDPOINT", boolean(func(c *Config) *bool { return &c.S3PathStyle })},
	{"MEDIA_DIR", "", "where local-disk media lives; empty means DATA_DIR/media", str(func(c *Config) *string { return &c.MediaDir })},
	{"CLAMAV_ADDR", "", "clamd's TCP address (127.0.0.1:3310) to scan uploads; empty marks them not scanned", str(func(c *Config) *string { return &c.ClamAVAddr })},
	{"MEDIA_REQUIRE_SCAN", "false", "reject uploads that could not be scanned (no CLAMAV_ADDR)", boolean(func(c *Config) *bool { return &c.MediaRequireScan })},
	{"MEDIA_PUBLIC_BASE_URL", "", "serve ready media as BASE/KEY (a CDN in front of the bucket) instead of short-lived signed URLs", func(c *Config, v string) error {
		c.MediaPublicBaseURL = strings.TrimSuffix(v, "/")
		if v == "" {
			return nil
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("must be an http(s) URL such as https://cdn.example.com/media")
		}
		return nil
	}},
	{"MEDIA_MAX_SIZE", "134217728", "largest upload in bytes (128 MiB)", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 5<<30 {
			return fmt.Errorf("must be a number of bytes from 1 to 5368709120")
		}
		c.MediaMaxSize = n
		return nil
	}},
	{"MEDIA_TRANSFER_MIN_RATE", "65536", "slowest accepted rate of a local-disk upload or download, in bytes per second: a transfer of N bytes may take MEDIA_TRANSFER_GRACE + N / this, whatever REQUEST_TIMEOUT says", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return fmt.Errorf("must be a positive number of bytes per second")
		}
		c.MediaTransferMinRate = n
		return nil
	}},
	{"MEDIA_TRANSFER_GRACE", "30s", "time every local-disk transfer gets on top of its size at MEDIA_TRANSFER_MIN_RATE", dur(func(c *Config) *time.Duration { return &c.MediaTransferGrace })},
	{"MEDIA_DECODE_BUDGET", "268435456", "bytes of decoded pixels (width × height × bytes per pixel, from the header) all image processing in the process may hold at once (256 MiB); an image needing more is rejected (too_much_memory), one that fits waits its turn", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 64<<20 {
			return fmt.Errorf("must be a number of bytes, at least 67108864 (64 MiB)")
		}
		c.MediaDecodeBudget = n
		return nil
	}},
	{"MEDIA_ALLOWED_TYPES", "", "comma-separated content types accepted; empty means images (JPEG, PNG, WebP, GIF), PDF, MP4/WebM/QuickTime video and MP3/Ogg/WAV/M4A audio; HTML, SVG, HEIC/HEIF and AVIF are never accepted", func(c *Config, v string) error {
		c.MediaAllowedTypes = nil
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(strings.ToLower(t)); t != "" {
				if t == "text/html" || t == "image/svg+xml" || !strings.Contains(t, "/") {
					return fmt.Errorf("%q cannot be allowed", t)
				}
				if strings.HasPrefix(t, "image/heic") || strings.HasPrefix(t, "image/heif") || strings.HasPrefix(t, "image/avif") {
					return fmt.Errorf("%q cannot be allowed: its metadata cannot be removed nor a preview made (convert to JPEG, PNG or WebP)", t)
				}
				c.MediaAllowedTypes = append(c.MediaAllowedTypes, t)
			}
		}
		return nil
	}},
	{"SECRET_KEY", "", "32 random bytes as 64 hex digits or base64 (openssl rand -hex 32) that encrypt TOTP secrets at rest; kept out of the database; required in production; empty in the embedded default means one generated once into DATA_DIR/secret.key (mode 0600)", func(c *Config, v string) error {
		c.SecretKey = nil
		if v == "" {
			return nil
		}
		k, err := ParseSecretKey(v)
		c.SecretKey = k
		return err
	}},
	{"SECRET_KEY_OLD", "", "comma-separated earlier SECRET_KEYs, still accepted for decryption while `pishkhan secrets rotate` re-encrypts under SECRET_KEY", func(c *Config, v string) error {
		c.SecretKeysOld = nil
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			k, err := ParseSecretKey(part)
			if err != nil {
				return err
			}
			c.SecretKeysOld = append(c.SecretKeysOld, k)
		}
		return nil
	}},
	{"METRICS_TOKEN", "", "bearer token /metrics requires (Authorization: Bearer …); with neither this nor METRICS_ADDR, /metrics is off in production and open in the embedded default", str(func(c *Config) *string { return &c.MetricsToken })},
	{"METRICS_ADDR", "", "separate address (e.g. 127.0.0.1:9090) serving only /metrics, which the main address then does not serve", str(func(c *Config) *string { return &c.MetricsAddr })},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "", "OpenTelemetry collector base URL (http://collector:4318) receiving traces over OTLP/HTTP at /v1/traces; empty: tracing off. The other standard OTEL_EXPORTER_OTLP_* variables (headers, timeout, certificates) apply", func(c *Config, v string) error {
		c.OTLPEndpoint = v
		if v == "" {
			return nil
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("must be an http(s) URL such as http://127.0.0.1:4318")
		}
		return nil
	}},
	{"OTEL_SERVICE_NAME", "pishkhan", "service.name of the exported traces", str(func(c *Config) *string { return &c.OTelServiceName })},
	{"OTEL_TRACES_SAMPLER_ARG", "1", "share of new traces recorded, from 0 (exclusive) to 1; a request whose traceparent is sampled is always recorded", func(c *Config, v string) error {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 || r > 1 {
			return fmt.Errorf("must be a number above 0 and at most 1")
		}
		c.OTelSampleRatio = r
		return nil
	}},
	{"SENTRY_DSN", "", "Sentry DSN (https://KEY@sentry.example.com/PROJECT) receiving server panics and 5xx answers (scrubbed: no emails, cookies, headers, query strings or bodies) and, through the web app, browser errors; its origin is then allowed in the web app's connect-src; empty: off", func(c *Config, v string) error {
		c.SentryDSN = v
		if v == "" {
			return nil
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User == nil || strings.Trim(u.Path, "/") == "" {
			return fmt.Errorf("must be a Sentry DSN such as https://KEY@sentry.example.com/42")
		}
		return nil
	}},
	{"SENTRY_ENVIRONMENT", "production", "environment name Sentry files the reports under", str(func(c *Config) *string { return &c.SentryEnvironment })},
	{"WEBHOOKS_ALLOW_PRIVATE", "false", "let webhook deliveries reach loopback, private (RFC 1918, ULA), link-local (cloud metadata included), CGNAT and other inside addresses; off, such an address is refused when a delivery connects, whatever its host name resolved to", boolean(func(c *Config) *bool { return &c.WebhooksAllowPrivate })},
	{"AI_BASE_URL", "", "base URL of an OpenAI-compatible API (https://api.openai.com/v1, http://localhost:11434/v1 for Ollama, vLLM, LM Studio, OpenRouter…) defining the default AI provider, shown read-only in the panel as \"environment\"; empty: none (providers are then added in the panel, or AI features say \"not configured\")", func(c *Config, v string) error {
		c.AI.BaseURL = v
		if v == "" {
			return nil
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("must be an absolute http(s) URL without user, query or fragment, e.g. https://api.openai.com/v1")
		}
		return nil
	}},
	{"AI_API_KEY", "", "API key of the AI_BASE_URL provider (sent as a bearer token; never stored, logged or shown); empty: none (local servers)", str(func(c *Config) *string { return &c.AI.APIKey })},
	{"AI_TEXT_MODEL", "", "the AI_BASE_URL provider's model for text (e.g. gpt-4o-mini); empty: it does no text", str(func(c *Config) *string { return &c.AI.TextModel })},
	{"AI_IMAGE_MODEL", "", "the AI_BASE_URL provider's model for images (e.g. gpt-image-1); empty: it does no images", str(func(c *Config) *string { return &c.AI.ImageModel })},
	{"AI_EMBEDDING_MODEL", "", "the AI_BASE_URL provider's model for embeddings (e.g. text-embedding-3-small); empty: none", str(func(c *Config) *string { return &c.AI.EmbeddingModel })},
	{"AI_INPUT_PRICE", "0", "the AI_BASE_URL provider's price of a million input tokens, in AI_CURRENCY's minor unit (cents for USD)", int64Var(func(c *Config) *int64 { return &c.AI.InputPrice })},
	{"AI_OUTPUT_PRICE", "0", "the AI_BASE_URL provider's price of a million output tokens, in AI_CURRENCY's minor unit", int64Var(func(c *Config) *int64 { return &c.AI.OutputPrice })},
	{"AI_IMAGE_PRICE", "0", "the AI_BASE_URL provider's price of one image, in AI_CURRENCY's minor unit", int64Var(func(c *Config) *int64 { return &c.AI.ImagePrice })},
	{"AI_CURRENCY", "USD", "ISO 4217 currency of the AI_BASE_URL provider's prices", func(c *Config, v string) error {
		if len(v) != 3 || strings.ToUpper(v) != v || strings.ContainsFunc(v, func(r rune) bool { return r < 'A' || r > 'Z' }) {
			return fmt.Errorf("must be an ISO 4217 code such as USD")
		}
		c.AI.Currency = v
		return nil
	}},
	{"AI_STREAM_USAGE", "true", "the AI_BASE_URL provider reports token usage at the end of streamed answers (stream_options.include_usage); false: usage of streamed answers is estimated", boolean(func(c *Config) *bool { return &c.AI.StreamUsage })},
	{"AI_TIMEOUT", "5m", "upper bound on one call to an AI provider, a streamed answer included", dur(func(c *Config) *time.Duration { return &c.AI.Timeout })},
	{"AI_RATE_LIMIT", "30/min", "AI calls (generations, chats) allowed per user per window (N/s, N/min, N/h); more get 429", func(c *Config, v string) error {
		n, per, ok := strings.Cut(strings.ReplaceAll(v, " ", ""), "/")
		limit, err := strconv.Atoi(n)
		window := map[string]time.Duration{"s": time.Second, "sec": time.Second, "min": time.Minute, "m": time.Minute, "h": time.Hour, "hour": time.Hour}[per]
		if !ok || err != nil || limit < 1 || window == 0 {
			return fmt.Errorf("must be a positive count per s, min or h, such as 30/min")
		}
		c.AI.RateLimit, c.AI.RateWindow = limit, window
		return nil
	}},
	{"STATS_RECONCILE_EVERY", "15m", "how often the statistics of the last three days are recomputed from the orders and repaired", dur(func(c *Config) *time.Duration { return &c.StatsReconcileEvery })},
}

// ParseSecretKey reads a SECRET_KEY: 32 bytes as 64 hex digits or as
// base64 (standard or URL alphabet, padded or not).
func ParseSecretKey(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if k, err := hex.DecodeString(v); err == nil && len(k) == 32 {
		return k, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	return nil, fmt.Errorf("must be 32 random bytes as 64 hex digits or base64 (e.g. from openssl rand -hex 32)")
}

// Load reads the environment (lookup is os.LookupEnv in production).
func Load(lookup func(string) (string, bool)) (Config, error) {
	var c Config
	var errs []string
	for _, v := range variables {
		val, ok := lookup(v.name)
		if !ok || val == "" {
			val = v.def
		}
		if err := v.set(&c, val); err != nil {
			errs = append(errs, v.name+": "+err.Error())
		}
	}
	if c.S3Endpoint != "" && (c.S3Bucket == "" || c.S3AccessKey == "" || c.S3SecretKey == "") {
		errs = append(errs, "S3_ENDPOINT: needs S3_BUCKET, S3_ACCESS_KEY and S3_SECRET_KEY")
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, "TLS_CERT_FILE: set both TLS_CERT_FILE and TLS_KEY_FILE, or neither")
	}
	if c.SMTPURL != nil && c.PublicURL == "" {
		errs = append(errs, "PUBLIC_URL: must be set with SMTP_URL, so emailed links never take their host from a request")
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("bad configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return c, nil
}

// FromEnv reads the process environment.
func FromEnv() (Config, error) { return Load(os.LookupEnv) }

// PrintHelp lists every variable with its default.
func PrintHelp(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tDEFAULT\tMEANING")
	for _, v := range variables {
		def := v.def
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.name, def, v.help)
	}
	_ = tw.Flush()
}

// SentryOrigin is SENTRY_DSN's origin (scheme://host[:port]), where
// browsers send their reports; "" when unset.
func (c Config) SentryOrigin() string {
	u, err := url.Parse(c.SentryDSN)
	if c.SentryDSN == "" || err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// SQLitePath is where the embedded default keeps its database.
func (c Config) SQLitePath() string { return strings.TrimSuffix(c.DataDir, "/") + "/pishkhan.db" }

// DatabaseTarget is what db.Open connects to.
func (c Config) DatabaseTarget() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return c.SQLitePath()
}

package config

import (
	"bytes"
	"strings"
	"testing"
)

func load(env map[string]string) (Config, error) {
	return Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func TestSecretKeyFormats(t *testing.T) {
	want := bytes.Repeat([]byte{0xab}, 32)
	for _, v := range []string{strings.Repeat("ab", 32), strings.Repeat("AB", 32), "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s", " " + strings.Repeat("ab", 32) + "\n"} {
		c, err := load(map[string]string{"SECRET_KEY": v, "SECRET_KEY_OLD": v + "," + strings.Repeat("cd", 32)})
		if err != nil || !bytes.Equal(c.SecretKey, want) || len(c.SecretKeysOld) != 2 || !bytes.Equal(c.SecretKeysOld[0], want) {
			t.Fatalf("SECRET_KEY %q: %x %d %v", v, c.SecretKey, len(c.SecretKeysOld), err)
		}
	}
	for _, v := range []string{"short", strings.Repeat("ab", 31), strings.Repeat("ab", 33), strings.Repeat("zz", 32)} {
		if _, err := load(map[string]string{"SECRET_KEY": v}); err == nil || !strings.Contains(err.Error(), "SECRET_KEY:") {
			t.Fatalf("SECRET_KEY %q accepted: %v", v, err)
		}
		if _, err := load(map[string]string{"SECRET_KEY_OLD": strings.Repeat("ab", 32) + "," + v}); err == nil {
			t.Fatalf("SECRET_KEY_OLD with %q accepted", v)
		}
	}
}

func TestPublicOrigin(t *testing.T) {
	for url, want := range map[string]string{
		"":                                    "",
		"https://Admin.Example.com/":          "https://admin.example.com",
		"https://admin.example.com:443/panel": "https://admin.example.com",
		"http://admin.example.com:80":         "http://admin.example.com",
		"http://127.0.0.1:8080":               "http://127.0.0.1:8080",
		"https://admin.example.com:8443":      "https://admin.example.com:8443",
	} {
		c, err := load(map[string]string{"PUBLIC_URL": url})
		if err != nil || c.PublicOrigin() != want {
			t.Errorf("PUBLIC_URL %q: origin %q, want %q (%v)", url, c.PublicOrigin(), want, err)
		}
	}
}

func TestProductionNeedsPublicURLAndSecretKey(t *testing.T) {
	key := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, ""},
		{map[string]string{"DATABASE_URL": "postgres://x/y"}, "PUBLIC_URL must be set"},
		{map[string]string{"REDIS_URL": "redis://x"}, "PUBLIC_URL must be set"},
		{map[string]string{"REDIS_URL": "redis://x", "PUBLIC_URL": "https://a.example"}, "SECRET_KEY must be set"},
		{map[string]string{"DATABASE_URL": "postgres://x/y", "PUBLIC_URL": "https://a.example", "SECRET_KEY": key}, ""},
	} {
		c, err := load(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		err = c.CheckServe()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.env, err, tc.want)
		}
	}
}

// Tracing and error reports are off unless configured; their settings are
// checked at start, and the DSN's origin is what the CSP allows.
func TestObservabilitySettings(t *testing.T) {
	c, err := load(map[string]string{})
	if err != nil || c.OTLPEndpoint != "" || c.SentryDSN != "" || c.SentryOrigin() != "" || c.OTelSampleRatio != 1 {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = load(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_SAMPLER_ARG": "0.25",
		"SENTRY_DSN": "https://key@errors.example.com:9000/42"})
	if err != nil || c.OTLPEndpoint != "http://127.0.0.1:4318" || c.OTelSampleRatio != 0.25 || c.SentryOrigin() != "https://errors.example.com:9000" {
		t.Fatalf("set: %+v %v", c, err)
	}
	for name, v := range map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "127.0.0.1:4318", "OTEL_TRACES_SAMPLER_ARG": "0",
		"SENTRY_DSN": "https://errors.example.com/42",
	} {
		if _, err := load(map[string]string{name: v}); err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("%s=%q accepted: %v", name, v, err)
		}
	}
	if _, err := load(map[string]string{"SENTRY_DSN": "https://key@errors.example.com/"}); err == nil {
		t.Error("a DSN without a project accepted")
	}
}

// TRUSTED_PROXIES takes addresses and CIDRs, comma-separated; anything
// else (a bad prefix length, a host name, a zone, another separator)
// refuses the configuration, naming the variable and the bad part.
func TestTrustedProxies(t *testing.T) {
	c, err := load(map[string]string{"TRUSTED_PROXIES": " 10.0.0.1/8, 192.168.1.10 ,,2001:db8::/32 "})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.168.1.10/32 2001:db8::/32" {
		t.Errorf("parsed %v", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "fe80::1%eth0", "10.0.0.0/8;192.168.0.0/16", "10.0.0.0 /8", "10.0.0.300"} {
		_, err := load(map[string]string{"TRUSTED_PROXIES": bad})
		if err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") || !strings.Contains(err.Error(), "is not an IP or CIDR") {
			t.Errorf("%q: %v, want a refusal naming TRUSTED_PROXIES", bad, err)
		}
	}
	// trusting every address is trusting nobody's headers to be true
	for _, all := range []string{"0.0.0.0/0", "::/0", "10.0.0.1, 0.0.0.0/0"} {
		_, err := load(map[string]string{"TRUSTED_PROXIES": all})
		if err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") || !strings.Contains(err.Error(), "trusts every address") {
			t.Errorf("%q: %v, want a refusal", all, err)
		}
	}
}

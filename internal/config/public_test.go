package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPublicAPISettings(t *testing.T) {
	c, err := load(map[string]string{"PUBLIC_URL": "https://admin.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicSite() != "https://admin.example.com" || c.PublicPostPath != "/{lang}/blog/{slug}" ||
		c.PublicProjectPath != "/{lang}/projects/{slug}" || c.PublicCacheControl != "public, max-age=0, must-revalidate" ||
		c.PublicRateLimit != 120 || c.PublicRateWindow != time.Minute || c.PublicCORSOrigins != nil || c.PublicSitemapSize != 50000 {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = load(map[string]string{"PUBLIC_SITE_URL": "https://example.com/", "PUBLIC_RATE_LIMIT": "5 / s",
		"PUBLIC_CORS_ORIGINS": "https://Example.com, http://localhost:3000/", "PUBLIC_POST_PATH": "/posts/{slug}"})
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicSite() != "https://example.com" || c.PublicRateLimit != 5 || c.PublicRateWindow != time.Second ||
		!slices.Equal(c.PublicCORSOrigins, []string{"https://example.com", "http://localhost:3000"}) || c.PublicPostPath != "/posts/{slug}" {
		t.Fatalf("set: %+v", c)
	}
	for name, v := range map[string]string{
		"PUBLIC_SITE_URL":      "example.com",
		"PUBLIC_RATE_LIMIT":    "0/min",
		"PUBLIC_CORS_ORIGINS":  "https://example.com/path",
		"PUBLIC_POST_PATH":     "/blog/{lang}",
		"PUBLIC_PROJECT_PATH":  "projects/{slug}",
		"PUBLIC_CACHE_CONTROL": "public\r\nX-Injected: 1",
		"PUBLIC_SITEMAP_SIZE":  "50001",
	} {
		if _, err := load(map[string]string{name: v}); err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("%s=%q accepted: %v", name, v, err)
		}
	}
	for _, v := range []string{"0", "-1", "many"} {
		if _, err := load(map[string]string{"PUBLIC_SITEMAP_SIZE": v}); err == nil {
			t.Errorf("PUBLIC_SITEMAP_SIZE=%q accepted", v)
		}
	}
	for _, v := range []string{"ten/min", "10/day", "10"} {
		if _, err := load(map[string]string{"PUBLIC_RATE_LIMIT": v}); err == nil {
			t.Errorf("PUBLIC_RATE_LIMIT=%q accepted", v)
		}
	}
}

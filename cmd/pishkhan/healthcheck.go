package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pishkhan/pishkhan/internal/config"
)

// healthcheck is the container image's HEALTHCHECK (the image has no shell
// nor curl): it GETs /healthz on this process's ADDR and succeeds only on a
// 200 within --timeout. A wildcard listen address (":8080", "0.0.0.0:8080",
// "[::]:8080") is reached on loopback; with TLS_CERT_FILE over HTTPS.
func healthcheck(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *timeout <= 0 {
		return errors.New("usage: pishkhan healthcheck [--timeout 3s]")
	}
	url, err := healthURL(cfg.Addr)
	if err != nil {
		return err
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if cfg.TLSCertFile != "" {
		// serve speaks only HTTPS then; its certificate names the public
		// host, not the loopback address asked here, and the question is
		// only whether this process answers
		url = "https://" + strings.TrimPrefix(url, "http://")
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // a liveness probe of our own process on this host
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return nil
}

// healthURL is where /healthz of a server listening on addr is reached from
// the same host.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("ADDR %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

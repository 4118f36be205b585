package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// HTTPServer is the http.Server Serve runs. Its read and write timeouts
// bound API requests; signed local-disk transfers raise their own
// connection's deadlines to what their size needs (storage.Transfer) once
// their signature checks out. With TLS_CERT_FILE it speaks TLS 1.2 or
// later, HTTP/2 included.
func (s *Server) HTTPServer() *http.Server {
	srv := &http.Server{
		Addr:              s.Cfg.Addr,
		Handler:           s.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.Cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if s.Cfg.TLSCertFile != "" {
		certs := &certFiles{cert: s.Cfg.TLSCertFile, key: s.Cfg.TLSKeyFile}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get}
	}
	return srv
}

// ListenAndServe listens on ADDR and serves (see Serve).
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln (and METRICS_ADDR) until ctx ends, then drains: for
// SHUTDOWN_DELAY it goes on serving while /readyz answers 503, then it
// stops accepting, ends event streams with a reconnect hint (their
// clients come back through the balancer to another instance), and lets
// in-flight requests finish and running jobs finish or return to the
// queue, all for at most SHUTDOWN_TIMEOUT; then it closes what is left.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.HTTPServer()
	if srv.TLSConfig != nil {
		if _, err := srv.TLSConfig.GetCertificate(nil); err != nil {
			_ = ln.Close()
			return err
		}
	}
	srv.RegisterOnShutdown(s.Hub.Close)
	srv.RegisterOnShutdown(s.Chat.Close)
	errc := make(chan error, 2)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	var msrv *http.Server
	if s.Cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", s.MetricsHandler())
		msrv = &http.Server{Addr: s.Cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, MaxHeaderBytes: 16 << 10}
		go func() { errc <- msrv.ListenAndServe() }()
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		if d := s.Cfg.ShutdownDelay; d > 0 {
			s.draining.Store(true)
			slog.Info("shutting down: unready, still serving", "delay", d)
			select {
			case err = <-errc:
			case <-time.After(d):
			}
		}
		slog.Info("shutting down: draining requests and jobs", "timeout", s.Cfg.ShutdownTimeout)
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.Cfg.ShutdownTimeout)
	defer cancel()
	jobs := make(chan error, 1)
	go func() { jobs <- s.Queue.Stop(sctx) }()
	if msrv != nil {
		_ = msrv.Shutdown(sctx)
	}
	if serr := srv.Shutdown(sctx); errors.Is(serr, context.DeadlineExceeded) {
		slog.Warn("requests still running after SHUTDOWN_TIMEOUT: closing their connections")
		_ = srv.Close()
	} else if err == nil {
		err = serr
	}
	if jerr := <-jobs; jerr != nil {
		slog.Warn("stopping the job queue", "err", jerr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// certFiles serves the certificate in its files, read again when either
// file changes, so a renewed certificate is used without a restart.
type certFiles struct {
	cert, key string
	mu        sync.Mutex
	loaded    *tls.Certificate
	stamp     string
}

func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	stamp := ""
	for _, f := range []string{c.cert, c.key} {
		fi, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("TLS: %w", err)
		}
		stamp += fmt.Sprintf("%d/%d;", fi.ModTime().UnixNano(), fi.Size())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded != nil && stamp == c.stamp {
		return c.loaded, nil
	}
	cert, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		if c.loaded != nil {
			// a half-written renewal: keep serving the previous one
			slog.Warn("TLS certificate files changed but do not load; keeping the previous certificate", "err", err)
			return c.loaded, nil
		}
		return nil, fmt.Errorf("TLS_CERT_FILE / TLS_KEY_FILE: %w", err)
	}
	c.loaded, c.stamp = &cert, stamp
	return c.loaded, nil
}

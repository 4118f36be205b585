package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sseCmd opens many event streams on one instance and measures the
// server's memory per stream and how long one event takes to reach all of
// them. The server allows events.MaxStreamsPerUser (32) streams per user
// per instance, so the streams are spread over -users users, who must
// exist with -password (scripts/bench.sh creates them).
func sseCmd(args []string) error {
	fs := flag.NewFlagSet("sse", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "the instance (plain HTTP, loopback IP only)")
	email := fs.String("email", os.Getenv("PISHKHAN_BENCH_EMAIL"), "the user whose writes make the events (default $PISHKHAN_BENCH_EMAIL)")
	password := fs.String("password", os.Getenv("PISHKHAN_BENCH_PASSWORD"), "that user's password, and the stream users' (default $PISHKHAN_BENCH_PASSWORD)")
	pattern := fs.String("users", "sse%d@bench.local", "the stream users' emails, %d numbered from 1")
	clients := fs.Int("clients", 10_000, "streams to hold open")
	perUser := fs.Int("per-user", 32, "streams per user (the server's per-user limit)")
	events := fs.Int("events", 5, "events to time, one at a time")
	pid := fs.Int("pid", 0, "the server's pid, to read its resident memory (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *email == "" || *password == "":
		return errors.New("give -email and -password (or PISHKHAN_BENCH_EMAIL and PISHKHAN_BENCH_PASSWORD)")
	case *clients < 1 || *clients > 100_000 || *perUser < 1 || *events < 1 || *events > 100:
		return errors.New("-clients must be 1..100000, -per-user at least 1, -events 1..100")
	case *pid <= 0:
		return errors.New("-pid is required")
	case !strings.Contains(*pattern, "%d"):
		return errors.New("-users must hold %d")
	}
	u, err := loopbackURL(*base)
	if err != nil {
		return err
	}
	root := strings.TrimSuffix(u.String(), "/")
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 0, DisableCompression: true,
		ResponseHeaderTimeout: 30 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	users := (*clients + *perUser - 1) / *perUser
	logf("logging in %d users", users)
	jars := make([]http.CookieJar, users)
	var loginErr atomic.Value
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range users {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			jar, _, err := sseLogin(ctx, tr, root, fmt.Sprintf(*pattern, i+1), *password)
			if err != nil {
				loginErr.Store(err)
				return
			}
			jars[i] = jar
		}()
	}
	wg.Wait()
	if err, _ := loginErr.Load().(error); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	writer, csrf, err := sseLogin(ctx, tr, root, *email, *password)
	if err != nil {
		return err
	}

	before, err := rssBytes(*pid)
	if err != nil {
		return err
	}
	// each stream counts the orders events it got, and when the current
	// one arrived
	var sent atomic.Int64 // UnixNano of the current event's write
	var current atomic.Int64
	lat := make([][]time.Duration, *events)
	var latMu sync.Mutex
	var open, failed atomic.Int64
	greeted := make(chan struct{}, *clients)
	logf("opening %d streams", *clients)
	start := time.Now()
	for i := range *clients {
		jar := jars[i / *perUser]
		go func() {
			hc := &http.Client{Transport: tr, Jar: jar}
			req, _ := http.NewRequestWithContext(ctx, "GET", root+"/api/events", nil)
			resp, err := hc.Do(req)
			if err != nil || resp.StatusCode != 200 {
				if err == nil {
					resp.Body.Close()
				}
				failed.Add(1)
				greeted <- struct{}{}
				return
			}
			defer resp.Body.Close()
			open.Add(1)
			sc := bufio.NewScanner(resp.Body)
			name := ""
			hello := false
			for sc.Scan() {
				line := sc.Bytes()
				switch {
				case bytes.HasPrefix(line, []byte("event: ")):
					name = string(line[7:])
				case len(line) == 0 && name != "":
					if name == "hello" && !hello {
						hello = true
						greeted <- struct{}{}
					} else if name == "orders" {
						at := time.Since(time.Unix(0, sent.Load()))
						k := current.Load()
						latMu.Lock()
						lat[k] = append(lat[k], at)
						latMu.Unlock()
					}
					name = ""
				}
			}
		}()
	}
	for range *clients {
		select {
		case <-greeted:
		case <-time.After(2 * time.Minute):
			return fmt.Errorf("only %d of %d streams opened within 2 minutes", open.Load(), *clients)
		}
	}
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d of %d streams were refused", f, *clients)
	}
	opened := time.Since(start)
	time.Sleep(2 * time.Second) // let the server settle its buffers
	after, err := rssBytes(*pid)
	if err != nil {
		return err
	}
	logf("%d streams open in %s; server RSS %d → %d MiB", open.Load(), opened.Round(time.Millisecond), before>>20, after>>20)

	wc := &http.Client{Transport: tr, Jar: writer}
	var all []time.Duration
	missed := 0
	for k := range *events {
		current.Store(int64(k))
		body, _ := json.Marshal(map[string]any{
			"customer": map[string]any{"name": "SSE bench", "email": "sse-bench@bench.local"},
			"items":    []map[string]any{{"sku": "SSE", "name": "Event", "quantity": 1, "unit_price": 100}},
			"currency": "IRR",
		})
		req, _ := http.NewRequestWithContext(ctx, "POST", root+"/api/orders", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		sent.Store(time.Now().UnixNano())
		resp, err := wc.Do(req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			return fmt.Errorf("the write behind event %d: %d %s", k+1, resp.StatusCode, b)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			latMu.Lock()
			n := len(lat[k])
			latMu.Unlock()
			if n >= *clients || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		latMu.Lock()
		got := slices.Clone(lat[k])
		latMu.Unlock()
		missed += *clients - len(got)
		all = append(all, got...)
		logf("event %d reached %d of %d streams", k+1, len(got), *clients)
		time.Sleep(time.Second)
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	perClient := float64(after-before) / float64(*clients)
	fmt.Printf("| Concurrent event streams on one instance | %s (%d users × %d) |\n", group(int64(*clients)), users, *perUser)
	fmt.Printf("| Time to open them all | %.1f s |\n", opened.Seconds())
	fmt.Printf("| Server memory per stream (RSS growth / streams) | %.1f KiB (RSS %d → %d MiB) |\n", perClient/1024, before>>20, after>>20)
	fmt.Printf("| One event to every stream: p50 / p99 / max, from sending the write | %.1f / %.1f / %.1f ms (%d events) |\n", pct(0.50), pct(0.99), pct(1), *events)
	fmt.Printf("| Deliveries missed (of %s) | %d |\n", group(int64(*clients**events)), missed)
	return nil
}

// sseLogin logs email in and answers its cookie jar and CSRF token.
func sseLogin(ctx context.Context, tr http.RoundTripper, root, email, password string) (http.CookieJar, string, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequestWithContext(ctx, "POST", root+"/api/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, "", fmt.Errorf("%s: %d %s", email, resp.StatusCode, b)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, "", err
	}
	return jar, out.CSRF, nil
}

// rssBytes reads a process's resident set size.
func rssBytes(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

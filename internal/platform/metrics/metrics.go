// Package metrics exposes Prometheus figures: per-route latency, cache
// lookups per resource and outcome, and database pool figures.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pishkhan/pishkhan/internal/platform/cache"
)

// Metrics is one registry with Pishkhan's collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	cache    *prometheus.CounterVec
	// AI provider calls (ObserveLLM).
	llmCalls  *prometheus.HistogramVec
	llmTokens *prometheus.CounterVec
	llmImages *prometheus.CounterVec
}

// New registers the collectors; db may be nil.
func New(db *sql.DB) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pishkhan_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "status"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pishkhan_cache_lookups_total",
			Help: "Server cache lookups by resource and result (hit, miss, bypass = cache unavailable).",
		}, []string{"resource", "result"}),
		llmCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pishkhan_ai_request_duration_seconds",
			Help:    "Time of one call to an AI provider (a whole stream included), by provider, operation and outcome (ok or the failure's kind).",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"provider", "operation", "outcome"}),
		llmTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pishkhan_ai_tokens_total",
			Help: "Tokens AI providers reported (or Pishkhan estimated) as used, by provider and direction (input, output).",
		}, []string{"provider", "direction"}),
		llmImages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pishkhan_ai_images_total",
			Help: "Images AI providers generated, by provider.",
		}, []string{"provider"}),
	}
	reg.MustRegister(m.requests, m.cache, m.llmCalls, m.llmTokens, m.llmImages, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		reg.MustRegister(collectors.NewDBStatsCollector(db, "main"))
	}
	return m
}

// ObserveRequest records one request.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// ObserveCache records one cache lookup.
func (m *Metrics) ObserveCache(resource string, s cache.Status) {
	m.cache.WithLabelValues(resource, string(s)).Inc()
}

// ObserveLLM records one AI provider call (llm.Observer): outcome is "ok"
// or the failure's kind, the tokens and images what the call used.
func (m *Metrics) ObserveLLM(provider, operation, outcome string, d time.Duration, inputTokens, outputTokens, images int64) {
	m.llmCalls.WithLabelValues(provider, operation, outcome).Observe(d.Seconds())
	m.llmTokens.WithLabelValues(provider, "input").Add(float64(max(inputTokens, 0)))
	m.llmTokens.WithLabelValues(provider, "output").Add(float64(max(outputTokens, 0)))
	if images > 0 || operation == "image" {
		m.llmImages.WithLabelValues(provider).Add(float64(max(images, 0)))
	}
}

// LLMProvider starts a provider's series at zero (its chat calls, tokens
// and images), so dashboards and rate() see the provider before its first
// call.
func (m *Metrics) LLMProvider(provider string) {
	m.llmCalls.WithLabelValues(provider, "chat_stream", "ok")
	m.llmTokens.WithLabelValues(provider, "input")
	m.llmTokens.WithLabelValues(provider, "output")
	m.llmImages.WithLabelValues(provider)
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// CacheBreaker reports at every scrape whether the cache's breaker is
// open (the cache bypassed, every read going to the database).
func (m *Metrics) CacheBreaker(open func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pishkhan_cache_breaker_open",
		Help: "1 while the cache's circuit breaker is open (the cache bypassed after consecutive backend failures), else 0.",
	}, func() float64 {
		if open() {
			return 1
		}
		return 0
	}))
}

// Jobs reports at every scrape the job queue's jobs by state; count
// returns them (an error leaves the series out of that scrape).
func (m *Metrics) Jobs(count func(ctx context.Context) (map[string]int64, error)) {
	m.reg.MustRegister(jobCounts{count: count})
}

var jobsDesc = prometheus.NewDesc("pishkhan_jobs",
	"Jobs in the queue by state: available (waiting for a worker), scheduled, retryable, running, discarded (dead: out of attempts or cancelled).",
	[]string{"state"}, nil)

type jobCounts struct {
	count func(context.Context) (map[string]int64, error)
}

func (jobCounts) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (j jobCounts) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := j.count(ctx)
	if err != nil {
		// the database being down shows in pishkhan_up-style probes, not as a failed scrape
		slog.Warn("metrics: counting jobs", "err", err)
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
	}
}

// AuditHead reports the audit chain's checkpoint at every scrape: load
// returns its head row id and row count (ok false: no checkpoint). Kept
// by the scraper, these series are one more record of the chain's head
// outside the database.
func (m *Metrics) AuditHead(load func() (headID, rows int64, ok bool)) {
	m.reg.MustRegister(auditHead{load: load})
}

var (
	auditHeadDesc = prometheus.NewDesc("pishkhan_audit_head_id",
		"Id of the newest audit row in the signed audit checkpoint.", nil, nil)
	auditRowsDesc = prometheus.NewDesc("pishkhan_audit_rows",
		"Audit rows up to the checkpoint's head, as the signed checkpoint counts them.", nil, nil)
)

type auditHead struct {
	load func() (int64, int64, bool)
}

func (auditHead) Describe(ch chan<- *prometheus.Desc) { ch <- auditHeadDesc; ch <- auditRowsDesc }

func (a auditHead) Collect(ch chan<- prometheus.Metric) {
	id, rows, ok := a.load()
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(auditHeadDesc, prometheus.GaugeValue, float64(id))
	ch <- prometheus.MustNewConstMetric(auditRowsDesc, prometheus.GaugeValue, float64(rows))
}

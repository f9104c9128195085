package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/salvehealth/salve/internal/store"
)

// metrics are the Prometheus instruments, served on the admin listener only.
// Labels are route patterns, never paths, so they hold no PHI and stay few.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series holds each (method, pattern, status)'s counter and histogram
	// once looked up: a lookup by label values hashes them every time, which
	// showed in the profile of a cached page. Patterns are the registered
	// routes, so the map stays small.
	series sync.Map // seriesKey → *series
}

type seriesKey struct {
	method, pattern string
	status          int
}

type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salve_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "pattern", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "salve_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"pattern"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// countStatements serves each open store's statement count
// (salve_sql_statements_total{store=...}): a benchmark divides its growth by
// the requests it made to print statements per request.
func (m *metrics) countStatements(dbs ...*store.DB) {
	for _, db := range dbs {
		if db == nil {
			continue
		}
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "salve_sql_statements_total", Help: "SQL statements run, by store.",
			ConstLabels: prometheus.Labels{"store": string(db.Kind())},
		}, func() float64 { return float64(db.Statements()) }))
	}
}

func (m *metrics) observe(method, pattern string, status int, d time.Duration) {
	if pattern == "unmatched" {
		// Any method a client makes up: looked up, not kept here.
		m.requests.WithLabelValues(method, pattern, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(pattern).Observe(d.Seconds())
		return
	}
	k := seriesKey{method, pattern, status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, &series{
			requests: m.requests.WithLabelValues(method, pattern, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(pattern),
		})
	}
	s := v.(*series)
	s.requests.Inc()
	s.duration.Observe(d.Seconds())
}

// server is the admin listener: /metrics and nothing else.
func (m *metrics) server(log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

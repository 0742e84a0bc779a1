// Package metrics instruments confcal's HTTP server: Prometheus metrics
// served at /metrics, a structured access log, and the health endpoints
// /healthz and /readyz.
//
// It knows nothing of confcal's router, agenda or store. Callers name the
// route of a request with a func (web passes chi's matched pattern), and
// report events with methods on Metrics: a revision rendered or made
// current, a CalDAV REPORT, a store error. All state lives in a Metrics
// value and its own registry; the package has no global registry.
//
// The metrics, all prefixed confcal_:
//
//	http_requests_total{route,method,code}           counter
//	http_request_duration_seconds{route,method}      histogram
//	http_response_bytes_total{route}                 counter (body bytes written)
//	http_conditional_requests_total{route}           counter (If-None-Match or If-Modified-Since sent)
//	http_requests_in_flight                          gauge
//	revision                                         gauge (the revision being served)
//	revision_timestamp_seconds                       gauge (when it became current)
//	render_duration_seconds                          histogram (rendering one revision)
//	render_last_duration_seconds{}                   gauge (the latest rendering)
//	render_errors_total                              counter
//	caldav_reports_total{report}                     counter (sync-collection, calendar-query, …)
//	store_errors_total{op}                           counter
//	source_polls_total{outcome}                      counter (a followed source: ok, failed)
//	source_last_success_timestamp_seconds            gauge (the last poll that went well)
//
// plus the Go runtime (go_*) and process (process_*) collectors.
//
// The 304 ratio is computed from counters, over all routes or per route:
//
//	sum(rate(confcal_http_requests_total{code="304"}[5m]))
//	  / sum(rate(confcal_http_requests_total{method=~"GET|HEAD"}[5m]))
//
// and the share of conditional requests that were answered 304 (how well
// clients' cached copies are still current):
//
//	sum by (route) (rate(confcal_http_requests_total{code="304"}[5m]))
//	  / sum by (route) (rate(confcal_http_conditional_requests_total[5m]))
package metrics

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "confcal"

// Metrics holds confcal's metrics and the registry they are served from.
// Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	respBytes   *prometheus.CounterVec
	conditional *prometheus.CounterVec
	inFlight    prometheus.GaugeFunc // reads handling
	// handling counts the requests being handled: an atomic add where
	// a gauge's Inc and Dec are compare-and-swap loops over a float,
	// which requests on other cores make retry.
	handling atomic.Int64

	revision     prometheus.Gauge
	revisionTime prometheus.Gauge
	render       prometheus.Histogram
	renderLast   prometheus.Gauge
	renderErrors prometheus.Counter
	reports      *prometheus.CounterVec
	storeErrors  *prometheus.CounterVec
	sourcePolls  *prometheus.CounterVec
	sourceOK     prometheus.Gauge

	// cache maps a seriesKey to its *series (see Instrument). Its size is
	// bounded by the label values: routes × known methods × status codes.
	cache sync.Map
}

// requestBuckets spread from 50µs to 10s: feeds are answered from memory
// in well under a millisecond, so the default buckets (from 5ms) would put
// nearly every request in the first one.
var requestBuckets = []float64{
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// renderBuckets cover rendering a revision: a few milliseconds for an edit,
// up to seconds for a first render of a very large agenda.
var renderBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// New returns Metrics registered with a registry of their own, together
// with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time from receiving a request's headers to the handler's return, by route pattern and method.",
			Buckets: requestBuckets,
		}, []string{"route", "method"}),
		respBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "response_bytes_total",
			Help: "Response body bytes written (after compression), by route pattern.",
		}, []string{"route"}),
		conditional: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "conditional_requests_total",
			Help: "Requests carrying If-None-Match or If-Modified-Since, by route pattern.",
		}, []string{"route"}),
		revision: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "revision",
			Help: "The agenda revision being served.",
		}),
		revisionTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "revision_timestamp_seconds",
			Help: "Unix time at which the revision being served became current.",
		}),
		render: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "render_duration_seconds",
			Help:    "Time to render one revision: its calendars, feeds and compressed copies.",
			Buckets: renderBuckets,
		}),
		renderLast: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "render_last_duration_seconds",
			Help: "Time the latest revision took to render.",
		}),
		renderErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "render_errors_total",
			Help: "Revisions that failed to render.",
		}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "caldav", Name: "reports_total",
			Help: "CalDAV REPORT requests by report: sync-collection, calendar-query, calendar-multiget, free-busy-query, other.",
		}, []string{"report"}),
		sourcePolls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "source", Name: "polls_total",
			Help: "Polls of a followed agenda source, by outcome: ok (applied or unchanged) or failed (the agenda stayed as it was).",
		}, []string{"outcome"}),
		sourceOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "source", Name: "last_success_timestamp_seconds",
			Help: "Unix time of the last poll of a followed source that went well.",
		}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "store_errors_total",
			Help: "Failed store operations, by operation (load, save, revision, other).",
		}, []string{"op"}),
	}
	m.inFlight = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_in_flight",
		Help: "Requests being handled.",
	}, func() float64 { return float64(m.handling.Load()) })
	m.reg.MustRegister(
		m.requests, m.duration, m.respBytes, m.conditional, m.inFlight,
		m.revision, m.revisionTime, m.render, m.renderLast, m.renderErrors,
		m.reports, m.storeErrors, m.sourcePolls, m.sourceOK,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Start the known series at zero, so rates and ratios exist before
	// the first event rather than appearing with it.
	for _, r := range reportKinds() {
		m.reports.WithLabelValues(r)
	}
	for _, op := range storeOps() {
		m.storeErrors.WithLabelValues(op)
	}
	return m
}

// Registry returns the registry the metrics are served from, for callers
// that add collectors of their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text (or OpenMetrics)
// exposition format: mount it at /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:          m.reg, // counts the handler's own errors
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

// Rendered records that a revision took d to render, successfully or not
// (err != nil counts a render error and records no duration).
func (m *Metrics) Rendered(d time.Duration, err error) {
	if err != nil {
		m.renderErrors.Inc()
		return
	}
	m.render.Observe(d.Seconds())
	m.renderLast.Set(d.Seconds())
}

// Serving records that revision rev became current at t.
func (m *Metrics) Serving(rev int64, t time.Time) {
	m.revision.Set(float64(rev))
	m.revisionTime.Set(float64(t.UnixNano()) / 1e9)
}

// reportKinds are the CalDAV reports counted under their own name; any
// other is counted as "other", which keeps the label's values bounded.
func reportKinds() []string {
	return []string{"sync-collection", "calendar-query", "calendar-multiget", "free-busy-query", "other"}
}

// storeOps are the store operations counted under their own name.
func storeOps() []string { return []string{"load", "save", "revision", "other"} }

// bounded returns v when it is one of known, else "other" (the last of
// known), so a label never takes an unbounded set of values.
func bounded(v string, known []string) string {
	if slices.Contains(known, v) {
		return v
	}
	return "other"
}

// CalDAVReport counts one CalDAV REPORT request of the given kind (the
// local name of the body's root element, e.g. "sync-collection").
func (m *Metrics) CalDAVReport(kind string) {
	m.reports.WithLabelValues(bounded(kind, reportKinds())).Inc()
}

// StoreError counts one failed store operation: "load", "save" or
// "revision" (anything else is counted as "other").
func (m *Metrics) StoreError(op string) {
	m.storeErrors.WithLabelValues(bounded(op, storeOps())).Inc()
}

// SourcePolled records one poll of a followed source: err nil for one that
// went well (applied or unchanged), else a failure that left the agenda as
// it was.
func (m *Metrics) SourcePolled(err error) {
	if err != nil {
		m.sourcePolls.WithLabelValues("failed").Inc()
		return
	}
	m.sourcePolls.WithLabelValues("ok").Inc()
	m.sourceOK.SetToCurrentTime()
}

package metrics

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RouteFunc names the route a request matched, e.g. "/feeds/tracks/{track}.ics".
// It is called after the handler has returned, so a router can report the
// pattern it matched (web passes chi's RouteContext(...).RoutePattern()).
// Route names become metric labels: they must come from a fixed set (route
// patterns), never from the request's path. "" means no route matched and
// is reported as "unmatched".
type RouteFunc func(*http.Request) string

// PathFunc returns the path of a request as the access log may write it:
// with any secret it holds (a personal pick's code, which grants access to
// the pick) replaced.
type PathFunc func(*http.Request) string

// Unmatched is the route name of requests no route matched.
const Unmatched = "unmatched"

func routeName(route RouteFunc, r *http.Request) string {
	if route == nil {
		return Unmatched
	}
	if name := route(r); name != "" {
		return name
	}
	return Unmatched
}

// knownMethods are the methods reported under their own name; any other is
// reported as "OTHER", which keeps the label's values bounded whatever
// clients send.
var knownMethods = map[string]string{
	"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE",
	"OPTIONS": "OPTIONS", "PROPFIND": "PROPFIND", "PROPPATCH": "PROPPATCH", "REPORT": "REPORT",
	"MKCOL": "MKCOL", "MKCALENDAR": "MKCALENDAR", "COPY": "COPY", "MOVE": "MOVE",
	"LOCK": "LOCK", "UNLOCK": "UNLOCK",
}

func methodName(m string) string {
	if n, ok := knownMethods[m]; ok {
		return n
	}
	return "OTHER"
}

// Instrument returns middleware that records every request: its count by
// route, method and status code, its duration, the body bytes written and
// whether it was conditional. route names the matched route; the
// middleware must run inside the router (chi's Use) for the router to know
// the route when it is asked.
func (m *Metrics) Instrument(route RouteFunc) func(http.Handler) http.Handler {
	return (&instrument{m: m, route: route}).wrap
}

// InstrumentAndLog returns middleware that does what Instrument(route) and
// AccessLog(log, route, path) stacked do, in one wrapper: one recorder, the
// clock read once at each end, the route named once, for both the metrics
// and the log line.
func (m *Metrics) InstrumentAndLog(log *slog.Logger, route RouteFunc, path PathFunc) func(http.Handler) http.Handler {
	return newInstrument(m, log, route, path).wrap
}

// instrument records requests in its metrics (m, when not nil) and logs
// them (log, when not nil): what this package's middleware do.
type instrument struct {
	m     *Metrics
	log   *slog.Logger
	fast  *accessHandler // log's handler, when it formats request lines itself
	route RouteFunc
	path  PathFunc
}

func newInstrument(m *Metrics, log *slog.Logger, route RouteFunc, path PathFunc) *instrument {
	o := &instrument{m: m, log: log, route: route, path: path}
	if path == nil {
		o.path = func(r *http.Request) string { return r.URL.Path }
	}
	if log != nil {
		o.fast, _ = log.Handler().(*accessHandler)
	}
	return o
}

func (o *instrument) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logs := o.log != nil && o.log.Enabled(r.Context(), slog.LevelError)
		if o.m == nil && !logs {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		if o.m != nil {
			o.m.handling.Add(1)
		}
		rec, outer := record(w)
		done := false
		defer func() { o.finish(r, rec, outer, start, logs, done) }()
		next.ServeHTTP(rec, r)
		done = true
	})
}

// finish records and logs one request once its handler has returned
// (done false: it panicked; net/http, or an outer recoverer, then answers
// 500 or drops the connection, so it is counted and logged as 500 and the
// panic goes on).
func (o *instrument) finish(r *http.Request, rec *recorder, outer int64, start time.Time, logs, done bool) {
	end := time.Now()
	d := end.Sub(start)
	status := rec.statusOr(http.StatusOK)
	if !done {
		status = http.StatusInternalServerError
	}
	route := routeName(o.route, r)
	n := bodyBytes(r, rec, outer)
	if m := o.m; m != nil {
		m.handling.Add(-1)
		s := m.series(route, methodName(r.Method), status)
		s.requests.Inc()
		s.duration.Observe(d.Seconds())
		if n > 0 { // adding nothing changes nothing: a 304 spares the atomic add
			s.bytes.Add(float64(n))
		}
		// Direct lookups: the server stores header keys in canonical
		// form, and Get would canonicalize again.
		if len(r.Header["If-None-Match"]) > 0 || len(r.Header["If-Modified-Since"]) > 0 {
			s.conditional.Inc()
		}
	}
	if !logs {
		return
	}
	ctx := r.Context()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if f := o.fast; f != nil {
		f.request(ctx, level, end, requestLine{method: r.Method, path: o.path(r), route: route, status: status, bytes: n, duration: d})
		return
	}
	if !o.log.Enabled(ctx, level) {
		return
	}
	o.log.LogAttrs(ctx, level, "request",
		slog.String("method", r.Method),
		slog.String("path", o.path(r)),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int64("bytes", n),
		slog.Duration("duration", d),
	)
}

// seriesKey identifies the series one request is recorded in.
type seriesKey struct {
	route, method string
	code          int
}

// series are the metrics of one route, method and status code, looked up
// once: the label lookups would otherwise hash and check every label value
// on every request.
type series struct {
	requests    prometheus.Counter
	duration    prometheus.Observer
	bytes       prometheus.Counter
	conditional prometheus.Counter
}

func (m *Metrics) series(route, method string, code int) *series {
	k := seriesKey{route, method, code}
	if s, ok := m.cache.Load(k); ok {
		return s.(*series)
	}
	s := &series{
		requests:    m.requests.WithLabelValues(route, method, strconv.Itoa(code)),
		duration:    m.duration.WithLabelValues(route, method),
		bytes:       m.respBytes.WithLabelValues(route),
		conditional: m.conditional.WithLabelValues(route),
	}
	v, _ := m.cache.LoadOrStore(k, s)
	return v.(*series)
}

// AccessLog returns middleware that logs one line per request at Info
// (Error for 5xx): method, path, route, status, body bytes and duration.
// It never logs headers, so neither the Authorization header nor the admin
// token, nor the query string, which may carry a personal pick. Like
// Instrument it must run inside the router to know the route. A logger
// whose handler AccessHandler made gets its lines formatted directly,
// without building a slog.Record.
func AccessLog(log *slog.Logger, route RouteFunc, path PathFunc) func(http.Handler) http.Handler {
	return newInstrument(nil, log, route, path).wrap
}

// bodyBytes is the number of body bytes rec's request wrote: none for
// HEAD, whose writes net/http discards.
func bodyBytes(r *http.Request, rec *recorder, outer int64) int64 {
	if r.Method == http.MethodHead {
		return 0
	}
	return rec.bytes - outer
}

// recorder is a ResponseWriter that remembers the status code and counts
// body bytes.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// record wraps w in a recorder, or reuses w when an outer middleware of
// this package already wrapped it: stacking Instrument and AccessLog costs
// one wrapper, not two. outer is the byte count the reused recorder had
// reached, to subtract (a recorder is only reused within one request).
func record(w http.ResponseWriter) (rec *recorder, outer int64) {
	if rec, ok := w.(*recorder); ok {
		return rec, rec.bytes
	}
	return &recorder{ResponseWriter: w}, 0
}

// statusOr returns the status written, or def when the handler wrote
// nothing (net/http then answers 200 with an empty body).
func (w *recorder) statusOr(def int) int {
	if w.status == 0 {
		return def
	}
	return w.status
}

func (w *recorder) WriteHeader(code int) {
	// 1xx are interim responses (103 Early Hints); the status that counts
	// is the final one.
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the underlying writer's io.ReaderFrom (sendfile, pooled
// buffers) for io.Copy callers such as http.ServeContent and FileServer.
func (w *recorder) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{w.ResponseWriter}, src)
	}
	w.bytes += n
	return n, err
}

// writerOnly hides every method but Write, so io.Copy does not call
// ReadFrom back.
type writerOnly struct{ io.Writer }

// Flush passes on to the underlying writer when it can flush.
func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes on to the underlying writer when it can be hijacked.
func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("metrics: response writer cannot be hijacked")
}

// Unwrap gives http.ResponseController the underlying writer (deadlines,
// full duplex).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

package metrics_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"confcal/metrics"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics from m's handler and parses it with the
// Prometheus text parser.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, want 200; body:\n%s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// find returns the metric of family name whose labels include want, or nil.
func find(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	fam := fams[name]
	if fam == nil {
		return nil
	}
next:
	for _, m := range fam.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

// counter returns the value of a counter or gauge, 0 when absent.
func counter(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	m := find(fams, name, labels)
	switch {
	case m == nil:
		return 0
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return 0
}

// router is a small route table on the standard ServeMux, which reports
// the pattern it matched in Request.Pattern.
func router() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feeds/{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		io.WriteString(w, "BEGIN:VCALENDAR\r\n") // 17 bytes
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("handler bug") })
	return mux
}

func pattern(r *http.Request) string { return r.Pattern }

func TestInstrument(t *testing.T) {
	m := metrics.New()
	h := m.Instrument(pattern)(router())
	do := func(method, target string, hdr ...string) int {
		t.Helper()
		req := httptest.NewRequest(method, target, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for range 3 {
		do("GET", "/feeds/all.ics")
	}
	do("GET", "/feeds/keynote.ics", "If-None-Match", `"v1"`)
	do("GET", "/feeds/keynote.ics", "If-None-Match", `"old"`)
	do("GET", "/empty")
	do("GET", "/fail")
	do("GET", "/nowhere")
	do("BREW", "/nowhere")
	func() {
		defer func() {
			if p := recover(); p != "handler bug" {
				t.Errorf("panic through Instrument: recovered %v, want the handler's panic", p)
			}
		}()
		do("GET", "/panic")
	}()

	fams := scrape(t, m)
	const feed = "GET /feeds/{name}"
	for _, c := range []struct {
		route, method, code string
		want                float64
	}{
		{feed, "GET", "200", 4}, // three plain, one with a stale ETag
		{feed, "GET", "304", 1},
		{"/empty", "GET", "200", 1}, // wrote nothing: net/http sends 200
		{"/fail", "GET", "500", 1},
		{"/panic", "GET", "500", 1},
		{metrics.Unmatched, "GET", "404", 1},
		{metrics.Unmatched, "OTHER", "404", 1}, // unknown methods are not labels of their own
	} {
		labels := map[string]string{"route": c.route, "method": c.method, "code": c.code}
		if got := counter(fams, "confcal_http_requests_total", labels); got != c.want {
			t.Errorf("confcal_http_requests_total%v = %v, want %v", labels, got, c.want)
		}
	}
	if got := counter(fams, "confcal_http_conditional_requests_total", map[string]string{"route": feed}); got != 2 {
		t.Errorf("conditional requests on %s = %v, want 2", feed, got)
	}
	if got := counter(fams, "confcal_http_response_bytes_total", map[string]string{"route": feed}); got != 4*17 {
		t.Errorf("response bytes on %s = %v, want %v", feed, got, 4*17)
	}
	hist := find(fams, "confcal_http_request_duration_seconds", map[string]string{"route": feed, "method": "GET"})
	if hist == nil || hist.Histogram.GetSampleCount() != 5 {
		t.Errorf("duration histogram of %s: %v, want 5 samples", feed, hist)
	}
	if got := counter(fams, "confcal_http_requests_in_flight", nil); got != 0 {
		t.Errorf("requests in flight after all returned = %v, want 0", got)
	}
}

// TestInstrumentConcurrent checks the series cache under concurrent
// requests (run with -race).
func TestInstrumentConcurrent(t *testing.T) {
	m := metrics.New()
	h := m.Instrument(pattern)(router())
	const n, each = 8, 50
	done := make(chan struct{})
	for range n {
		go func() {
			defer func() { done <- struct{}{} }()
			for range each {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/feeds/all.ics", nil))
			}
		}()
	}
	for range n {
		<-done
	}
	got := counter(scrape(t, m), "confcal_http_requests_total",
		map[string]string{"route": "GET /feeds/{name}", "method": "GET", "code": "200"})
	if got != n*each {
		t.Errorf("requests counted = %v, want %d", got, n*each)
	}
}

func TestEvents(t *testing.T) {
	m := metrics.New()
	fams := scrape(t, m)
	// Series exist at zero before the first event, so ratios and rates do.
	for _, c := range []struct {
		name   string
		labels map[string]string
	}{
		{"confcal_caldav_reports_total", map[string]string{"report": "sync-collection"}},
		{"confcal_store_errors_total", map[string]string{"op": "save"}},
		{"confcal_revision", nil},
	} {
		if find(fams, c.name, c.labels) == nil {
			t.Errorf("%s%v missing before any event", c.name, c.labels)
		}
	}

	at := time.Date(2019, 10, 7, 9, 0, 0, 0, time.UTC)
	m.Rendered(12*time.Millisecond, nil)
	m.Rendered(3*time.Millisecond, nil)
	m.Rendered(time.Second, errors.New("boom"))
	m.Serving(7, at)
	for _, kind := range []string{"sync-collection", "sync-collection", "calendar-query", "free-busy-query", "expand-property", ""} {
		m.CalDAVReport(kind)
	}
	m.StoreError("save")
	m.StoreError("load")
	m.StoreError("drop table")

	fams = scrape(t, m)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"confcal_revision", nil, 7},
		{"confcal_revision_timestamp_seconds", nil, float64(at.Unix())},
		{"confcal_render_last_duration_seconds", nil, 0.003},
		{"confcal_render_errors_total", nil, 1},
		{"confcal_caldav_reports_total", map[string]string{"report": "sync-collection"}, 2},
		{"confcal_caldav_reports_total", map[string]string{"report": "calendar-query"}, 1},
		{"confcal_caldav_reports_total", map[string]string{"report": "free-busy-query"}, 1},
		{"confcal_caldav_reports_total", map[string]string{"report": "other"}, 2},
		{"confcal_store_errors_total", map[string]string{"op": "save"}, 1},
		{"confcal_store_errors_total", map[string]string{"op": "load"}, 1},
		{"confcal_store_errors_total", map[string]string{"op": "other"}, 1},
	} {
		if got := counter(fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	render := find(fams, "confcal_render_duration_seconds", nil)
	if render == nil || render.Histogram.GetSampleCount() != 2 || render.Histogram.GetSampleSum() != 0.015 {
		t.Errorf("render histogram = %v, want 2 samples summing to 0.015", render)
	}
	if len(fams["confcal_caldav_reports_total"].GetMetric()) != 5 {
		t.Errorf("caldav report kinds: %d series, want 5 (bounded label)", len(fams["confcal_caldav_reports_total"].GetMetric()))
	}
}

func TestRuntimeCollectors(t *testing.T) {
	fams := scrape(t, metrics.New())
	want := []string{"go_goroutines", "go_memstats_heap_alloc_bytes"}
	if runtime.GOOS == "linux" {
		want = append(want, "process_resident_memory_bytes", "process_open_fds")
	}
	for _, name := range want {
		if fams[name] == nil {
			t.Errorf("%s missing from /metrics", name)
		}
	}
}

// TestRegistriesIndependent guards against package-level state: two
// Metrics count separately.
func TestRegistriesIndependent(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.StoreError("save")
	if got := counter(scrape(t, b), "confcal_store_errors_total", map[string]string{"op": "save"}); got != 0 {
		t.Errorf("second Metrics saw the first's store error: %v", got)
	}
}

type logLine struct {
	Level    string  `json:"level"`
	Msg      string  `json:"msg"`
	Method   string  `json:"method"`
	Path     string  `json:"path"`
	Route    string  `json:"route"`
	Status   int     `json:"status"`
	Bytes    int64   `json:"bytes"`
	Duration float64 `json:"duration"` // nanoseconds, as slog's JSON handler writes durations
}

func decodeLog(t *testing.T, b []byte) []logLine {
	t.Helper()
	var out []logLine
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var l logLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("decoding log line: %v\n%s", err, b)
		}
		out = append(out, l)
	}
	return out
}

func TestAccessLog(t *testing.T) {
	const secret = "s3cret-admin-token"
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	h := metrics.AccessLog(log, pattern, nil)(router())

	req := httptest.NewRequest("GET", "/feeds/all.ics?token="+secret, nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	h.ServeHTTP(httptest.NewRecorder(), req)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/fail", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("HEAD", "/nowhere", nil))

	if bytes.Contains(buf.Bytes(), []byte(secret)) {
		t.Errorf("access log contains the token:\n%s", buf.String())
	}
	got := decodeLog(t, buf.Bytes())
	want := []logLine{
		{Level: "INFO", Msg: "request", Method: "GET", Path: "/feeds/all.ics", Route: "GET /feeds/{name}", Status: 200, Bytes: 17},
		{Level: "ERROR", Msg: "request", Method: "GET", Path: "/fail", Route: "/fail", Status: 500, Bytes: int64(len("broken\n"))},
		{Level: "INFO", Msg: "request", Method: "HEAD", Path: "/nowhere", Route: metrics.Unmatched, Status: 404},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d log lines, want %d:\n%s", len(got), len(want), buf.String())
	}
	for i := range want {
		if got[i].Duration <= 0 {
			t.Errorf("line %d: duration %v, want > 0", i, got[i].Duration)
		}
		got[i].Duration = 0
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestAccessLogLevel(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := metrics.AccessLog(log, pattern, nil)(router())
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/feeds/all.ics", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/fail", nil))
	got := decodeLog(t, buf.Bytes())
	if len(got) != 1 || got[0].Path != "/fail" {
		t.Errorf("at level WARN logged %+v, want only the 500 on /fail", got)
	}
}

// TestStacked checks that Instrument and AccessLog share one recorder and
// both count the body once.
func TestStacked(t *testing.T) {
	m := metrics.New()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	var inner http.ResponseWriter
	mux := http.NewServeMux()
	mux.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) {
		inner = w
		io.WriteString(w, "hello")
	})
	h := metrics.AccessLog(log, pattern, nil)(m.Instrument(pattern)(mux))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Body.String() != "hello" {
		t.Fatalf("body %q, want hello", rec.Body)
	}
	// One wrapper: unwrapping once reaches the recorder httptest gave.
	u, ok := inner.(interface{ Unwrap() http.ResponseWriter })
	if !ok || u.Unwrap() != rec {
		t.Errorf("handler's writer is not a single wrapper around the server's")
	}
	if lines := decodeLog(t, buf.Bytes()); len(lines) != 1 || lines[0].Bytes != 5 {
		t.Errorf("log lines %+v, want one with 5 bytes", lines)
	}
	if got := counter(scrape(t, m), "confcal_http_response_bytes_total", map[string]string{"route": "/x"}); got != 5 {
		t.Errorf("response bytes = %v, want 5", got)
	}
}

// TestRecorderPassThrough checks that the wrapped writer keeps what
// handlers use from the real one: flushing, deadlines through
// http.ResponseController, and io.ReaderFrom.
func TestRecorderPassThrough(t *testing.T) {
	m := metrics.New()
	h := m.Instrument(pattern)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through the recorder: %v", err)
		}
		io.WriteString(w, "part one;")
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush through the recorder: %v", err)
		}
		if _, err := io.Copy(w, strings.NewReader("part two")); err != nil {
			t.Errorf("io.Copy: %v", err)
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "part one;part two" {
		t.Errorf("body %q, want %q", body, "part one;part two")
	}
	if got := counter(scrape(t, m), "confcal_http_response_bytes_total", map[string]string{"route": metrics.Unmatched}); got != 17 {
		t.Errorf("response bytes = %v, want 17", got)
	}
}

func BenchmarkInstrument(b *testing.B) {
	m := metrics.New()
	body := bytes.Repeat([]byte("x"), 4096)
	h := metrics.AccessLog(slog.New(slog.DiscardHandler), pattern, nil)(m.Instrument(pattern)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) })))
	req := httptest.NewRequest("GET", "/feeds/all.ics", nil)
	w := discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

type discardWriter struct{ h http.Header }

func (w discardWriter) Header() http.Header         { return w.h }
func (w discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w discardWriter) WriteHeader(int)             {}

// A followed source's polls are counted by outcome, and the time of the
// last good one is kept.
func TestSourcePolled(t *testing.T) {
	m := metrics.New()
	m.SourcePolled(nil)
	m.SourcePolled(errors.New("source answered 500"))
	m.SourcePolled(errors.New("unparsable"))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`confcal_source_polls_total{outcome="ok"} 1`, `confcal_source_polls_total{outcome="failed"} 2`, "confcal_source_last_success_timestamp_seconds "} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

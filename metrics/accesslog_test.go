package metrics_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"confcal/metrics"
)

// varying are the parts of a line that differ from run to run.
var varying = regexp.MustCompile(`("?time"?[=:]"?)[^ ",]+|("?duration"?[=:])[^ ,}\n]+`)

// requests sends the same requests through h as TestInstrument and
// TestAccessLog do, the panic included.
func requests(t *testing.T, h http.Handler) {
	t.Helper()
	for _, r := range []struct{ method, target, inm string }{
		{"GET", "/feeds/all.ics", ""},
		{"GET", "/feeds/keynote.ics", `"v1"`},
		{"GET", "/feeds/keynote.ics", `"old"`},
		{"HEAD", "/feeds/all.ics", ""},
		{"GET", "/empty", ""},
		{"GET", "/fail", ""},
		{"GET", "/nowhere", ""},
		{"BREW", "/a%20b=c", ""},
	} {
		req := httptest.NewRequest(r.method, r.target, nil)
		if r.inm != "" {
			req.Header.Set("If-None-Match", r.inm)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	func() {
		defer func() {
			if p := recover(); p != "handler bug" {
				t.Errorf("panic: recovered %v, want the handler's panic", p)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/panic", nil))
	}()
}

// TestAccessHandlerThroughAccessLog checks that the access log writes the
// same lines through AccessHandler as through slog's own handlers, and
// that InstrumentAndLog logs and counts as AccessLog and Instrument
// stacked do.
func TestAccessHandlerThroughAccessLog(t *testing.T) {
	for _, json := range []bool{false, true} {
		var want, viaAccess, combined bytes.Buffer
		var slogHandler slog.Handler = slog.NewTextHandler(&want, nil)
		if json {
			slogHandler = slog.NewJSONHandler(&want, nil)
		}
		mStacked, mCombined := metrics.New(), metrics.New()
		requests(t, metrics.AccessLog(slog.New(slogHandler), pattern, nil)(mStacked.Instrument(pattern)(router())))
		requests(t, metrics.AccessLog(slog.New(metrics.AccessHandler(&viaAccess, json, nil)), pattern, nil)(router()))
		requests(t, mCombined.InstrumentAndLog(slog.New(metrics.AccessHandler(&combined, json, nil)), pattern, nil)(router()))

		norm := func(b []byte) string { return varying.ReplaceAllString(string(b), "$1$2X") }
		if got := norm(viaAccess.Bytes()); got != norm(want.Bytes()) {
			t.Errorf("json %v: AccessLog through AccessHandler wrote\n%s\nslog's handler\n%s", json, got, norm(want.Bytes()))
		}
		if got := norm(combined.Bytes()); got != norm(want.Bytes()) {
			t.Errorf("json %v: InstrumentAndLog wrote\n%s\nAccessLog and Instrument\n%s", json, got, norm(want.Bytes()))
		}
		if json {
			if lines := decodeLog(t, combined.Bytes()); len(lines) != 9 || lines[0].Duration <= 0 {
				t.Errorf("InstrumentAndLog's JSON lines: %+v, want 9 with durations", lines)
			}
		}

		stacked, comb := scrape(t, mStacked), scrape(t, mCombined)
		for _, name := range []string{"confcal_http_requests_total", "confcal_http_response_bytes_total",
			"confcal_http_conditional_requests_total", "confcal_http_requests_in_flight"} {
			s, c := stacked[name].GetMetric(), comb[name].GetMetric()
			if len(s) == 0 || len(s) != len(c) {
				t.Errorf("%s: %d series stacked, %d combined", name, len(s), len(c))
				continue
			}
			for i := range s {
				if s[i].String() != c[i].String() {
					t.Errorf("%s: stacked %v, combined %v", name, s[i], c[i])
				}
			}
		}
		for _, m := range comb["confcal_http_request_duration_seconds"].GetMetric() {
			if m.Histogram.GetSampleCount() == 0 {
				t.Errorf("duration histogram %v has no sample", m.GetLabel())
			}
		}
	}
}

// BenchmarkAccessLine is one request line through AccessLog, with
// AccessHandler and with slog's text handler.
func BenchmarkAccessLine(b *testing.B) {
	for _, bb := range []struct {
		name string
		h    slog.Handler
	}{
		{"AccessHandler", metrics.AccessHandler(discardLines{}, false, nil)},
		{"slog", slog.NewTextHandler(discardLines{}, nil)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			h := metrics.AccessLog(slog.New(bb.h), pattern, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotModified)
			}))
			req := httptest.NewRequest("GET", "/feeds/all.ics", nil)
			w := discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}

type discardLines struct{}

func (discardLines) Write(p []byte) (int, error) { return len(p), nil }

// TestInFlight checks the gauge of requests being handled while one is.
func TestInFlight(t *testing.T) {
	m := metrics.New()
	var during float64
	h := m.InstrumentAndLog(slog.New(slog.DiscardHandler), pattern, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		during = counter(scrape(t, m), "confcal_http_requests_in_flight", nil)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	if after := counter(scrape(t, m), "confcal_http_requests_in_flight", nil); during != 1 || after != 0 {
		t.Errorf("requests in flight: %v during the request, %v after; want 1 and 0", during, after)
	}
}

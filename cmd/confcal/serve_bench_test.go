package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/conferences"
	"confcal/metrics"
	"confcal/page"
	"confcal/seeds"
	"confcal/sqlite"
	"confcal/web"
)

// discardWriter is a ResponseWriter that throws the response away, so a
// benchmark measures the handler chain, not a recorder's copying.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(status int)      { d.status = status }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// servedHandler is the handler serve serves the built-in agenda with: the
// same web.Config (access log at serve's default level and format into a
// buffered writer, as serve's, here in front of io.Discard; metrics on),
// the same host and monitoring endpoints, on a fresh SQLite store.
func servedHandler(tb testing.TB) http.Handler {
	tb.Helper()
	ctx := tb.Context()
	flags := addServeFlags(newFlagSet("serve", "serve", io.Discard))
	log, access, closeLogs, err := flags.loggers(io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeLogs)
	store, err := sqlite.Open(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	snap, err := seeds.Default()
	if err != nil {
		tb.Fatal(err)
	}
	def, _, err := defaultConference(ctx, store, snap.Contents())
	if err != nil {
		tb.Fatal(err)
	}
	m := metrics.New()
	srv, err := web.New(web.Config{BaseURL: "http://localhost:8080", Logger: log, Default: def, Picks: storePicks{st: store, slug: def},
		PicksFor:   func(slug string) page.PickStore { return storePicks{st: store, slug: slug} },
		Middleware: serveMiddleware(access, m), CalDAVReport: m.CalDAVReport})
	if err != nil {
		tb.Fatal(err)
	}
	mgr := conferences.New(conferences.Config{Registry: store, Logger: log, Withdraw: srv.Withdraw,
		Publisher: func(slug string) agenda.PublishFunc { return timed(srv.Publisher(slug), m, slug == def) },
		Store:     func(st agenda.Store) agenda.Store { return observedStore{st, m} }})
	if err := mgr.Open(ctx, func() (*agenda.Snapshot, error) { return agenda.NewSnapshot(snap.Contents(), 1, 1, nil) }); err != nil {
		tb.Fatal(err)
	}
	c, ok := mgr.Default()
	if !ok {
		tb.Fatal("no default conference")
	}
	return srv.HandlerFor(mgr, monitoringEndpoints(m, log, store, c.Service, nil, nil))
}

// benchmarkServed sends GET target through the handler serve serves, with
// If-None-Match naming the feed's ETag when conditional.
func benchmarkServed(b *testing.B, target string, conditional bool, want int) {
	h := servedHandler(b)
	req := httptest.NewRequest(http.MethodGet, target, nil)
	probe := httptest.NewRecorder()
	h.ServeHTTP(probe, req)
	if probe.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d", target, probe.Code)
	}
	if conditional {
		req.Header.Set("If-None-Match", probe.Header().Get("ETag"))
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status = 0
		h.ServeHTTP(w, req)
		if w.status != want {
			b.Fatalf("status %d, want %d", w.status, want)
		}
	}
}

// BenchmarkServedAll304 is a poll of the whole-conference feed as serve
// answers it, access log and metrics included: a conditional GET whose
// ETag matches. scripts/floor's BenchmarkFloor304 is the same request to
// the floor of the platform.
func BenchmarkServedAll304(b *testing.B) {
	benchmarkServed(b, "/feeds/all.ics", true, http.StatusNotModified)
}

// BenchmarkServedAll200 serves the whole-conference feed in full, as serve
// does (its body is kept from the first request).
func BenchmarkServedAll200(b *testing.B) {
	benchmarkServed(b, "/feeds/all.ics", false, http.StatusOK)
}

// servedPick is the pick the load test asks for on the built-in agenda: a
// dozen sessions spread over it, by ID.
func servedPick(tb testing.TB) string {
	snap, err := seeds.Default()
	if err != nil {
		tb.Fatal(err)
	}
	ids := snap.SessionIDs()
	var pick []string
	for i := 0; i < len(ids) && len(pick) < 12; i += len(ids)/12 + 1 {
		pick = append(pick, ids[i])
	}
	return "/feeds/custom.ics?sessions=" + strings.Join(pick, ",")
}

// BenchmarkServedPick304 polls a personal pick as serve answers it, put
// together for the request, from as many goroutines as there are cores
// (as the load test's connections do): the ETag memo and the pools are
// shared between them.
func BenchmarkServedPick304(b *testing.B) {
	h := servedHandler(b)
	target := servedPick(b)
	probe := httptest.NewRecorder()
	h.ServeHTTP(probe, httptest.NewRequest(http.MethodGet, target, nil))
	if probe.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d", target, probe.Code)
	}
	etag := probe.Header().Get("ETag")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", etag)
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			w.status = 0
			h.ServeHTTP(w, req)
			if w.status != http.StatusNotModified {
				b.Errorf("status %d, want 304", w.status)
				return
			}
		}
	})
}

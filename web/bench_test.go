package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/seeds"
	"confcal/web"
)

// flink returns the built-in Flink Forward Berlin 2019 agenda: 93
// sessions, the size the server really serves.
func flink(b *testing.B) *agenda.Snapshot {
	b.Helper()
	snap, err := seeds.Default()
	if err != nil {
		b.Fatal(err)
	}
	return snap
}

// BenchmarkPrepare renders everything one revision publishes: the edition,
// every named feed with its gzip copy, and the feed list.
func BenchmarkPrepare(b *testing.B) {
	for _, bb := range []struct {
		name string
		snap *agenda.Snapshot
	}{
		{"small", agendatest.Small(b)},
		{"flink-forward-berlin-2019", flink(b)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				// A fresh server each time, so nothing is reused from a
				// previous revision: the cost of a cold start.
				srv := web.New(web.Config{BaseURL: baseURL})
				if _, err := srv.Prepare(bb.snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// discard is a ResponseWriter that throws the response away, so a
// benchmark measures the handler, not a recorder's copying.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(status int)      { d.status = status }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }

func benchmarkServe(b *testing.B, want int, hdr ...string) {
	srv := web.New(web.Config{BaseURL: baseURL})
	publish(b, srv, flink(b))
	h := srv.Handler()
	req := httptest.NewRequest(http.MethodGet, "/feeds/all.ics", nil)
	probe := httptest.NewRecorder()
	h.ServeHTTP(probe, req)
	etag := probe.Header().Get("ETag")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "$etag" {
			hdr[i+1] = etag
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
		if w.status != want {
			b.Fatalf("status %d, want %d", w.status, want)
		}
	}
}

// BenchmarkServeAll200 serves /feeds/all.ics of the built-in agenda in
// full through the router.
func BenchmarkServeAll200(b *testing.B) { benchmarkServe(b, http.StatusOK) }

// BenchmarkServeAll304 answers a conditional GET of /feeds/all.ics whose
// ETag matches.
func BenchmarkServeAll304(b *testing.B) {
	benchmarkServe(b, http.StatusNotModified, "If-None-Match", "$etag")
}

// BenchmarkPrepareAfterEdit renders the revision after an edit of one
// session, as a running server does: the previous revision is current, so
// its VEVENTs, feeds and gzip copies are reused where nothing changed. The
// agenda carries a change log of 500 entries about other sessions, which
// every feed's Last-Modified is computed from.
func BenchmarkPrepareAfterEdit(b *testing.B) {
	snap := flink(b)
	ids := snap.SessionIDs()
	at := time.Date(2019, 9, 20, 8, 0, 0, 0, time.UTC)
	for i := range 500 {
		e := snap.Edit("bench", at.Add(time.Duration(i)*time.Second))
		abstract := fmt.Sprintf("Take %d.", i)
		if err := e.UpdateSession(ids[i%3], agenda.SessionUpdate{Abstract: &abstract}); err != nil {
			b.Fatal(err)
		}
		var err error
		if snap, err = e.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	srv := web.New(web.Config{BaseURL: baseURL})
	publish(b, srv, snap)
	e := snap.Edit("bench", at.Add(time.Hour))
	title := "A new title"
	if err := e.UpdateSession(ids[len(ids)/2], agenda.SessionUpdate{Title: &title}); err != nil {
		b.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		b.Fatal(err)
	}
	c, log := next.Contents(), next.Log()
	b.ReportAllocs()
	for b.Loop() {
		// A snapshot as the store loads it, with nothing computed yet.
		fresh, err := agenda.NewSnapshot(c, next.Revision(), next.BaseRevision(), log)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.Prepare(fresh); err != nil {
			b.Fatal(err)
		}
	}
}

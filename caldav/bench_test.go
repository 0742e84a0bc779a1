package caldav_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/seeds"
)

// flinkServer serves the built-in Flink Forward Berlin 2019 agenda (93
// sessions over three days), the size confcal really serves.
func flinkServer(b *testing.B) *testServer {
	b.Helper()
	snap, err := seeds.Default()
	if err != nil {
		b.Fatal(err)
	}
	s := &testServer{web: newWeb(baseURL)}
	s.publish(b, snap)
	s.h = s.web.Handler(nil, nil)
	return s
}

// benchReport runs a REPORT on the whole-conference calendar through the
// router, checking the first answer.
func benchReport(b *testing.B, body, depth string, wantMin int) {
	benchReportOn(b, flinkServer(b), body, depth, wantMin)
}

// benchReportOn runs a REPORT on the whole-conference calendar of s.
func benchReportOn(b *testing.B, s *testServer, body, depth string, wantMin int) {
	w := s.do(b, request{method: "REPORT", path: calAll, header: []string{"Depth", depth}, body: body})
	if n := len(parseMultistatus(b, w).order); n < wantMin {
		b.Fatalf("%d responses, want at least %d", n, wantMin)
	}
	b.ReportAllocs()
	b.SetBytes(int64(w.Body.Len()))
	for b.Loop() {
		r := httptest.NewRequest("REPORT", calAll, strings.NewReader(body))
		r.Header.Set("Depth", depth)
		r.Header.Set("Content-Type", "application/xml")
		w := newDiscard()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusMultiStatus {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkCalendarQueryDay: one conference day's events with their
// calendar-data, as python-caldav's date_search asks for them
// (testdata/clients/pycaldav-date-search.xml, moved to 7 October 2019).
func BenchmarkCalendarQueryDay(b *testing.B) {
	body := strings.ReplaceAll(testdata(b, "clients/pycaldav-date-search.xml"), "20191007T220000Z", "20191006T220000Z")
	body = strings.ReplaceAll(body, "20191008T220000Z", "20191007T220000Z")
	benchReport(b, body, "1", 10)
}

// BenchmarkSyncCollectionInitial: a first sync of the whole conference
// (empty token, getetag only), as DAVx5 sends it.
func BenchmarkSyncCollectionInitial(b *testing.B) {
	benchReport(b, testdata(b, "clients/davx5-sync-initial.xml"), "0", 90)
}

// BenchmarkPropfindAllDepth1: an empty-body PROPFIND (allprop) with
// Depth 1 on the whole-conference calendar: the calendar and every
// object with its properties.
func BenchmarkPropfindAllDepth1(b *testing.B) { benchPropfindAll(b, flinkServer(b), 90) }

// benchPropfindAll runs an allprop PROPFIND Depth 1 on the
// whole-conference calendar of s, checking the first answer.
func benchPropfindAll(b *testing.B, s *testServer, wantMin int) {
	w := s.do(b, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "1"}})
	if n := len(parseMultistatus(b, w).order); n < wantMin {
		b.Fatalf("%d responses, want at least %d", n, wantMin)
	}
	b.ReportAllocs()
	b.SetBytes(int64(w.Body.Len()))
	for b.Loop() {
		r := httptest.NewRequest("PROPFIND", calAll, nil)
		r.Header.Set("Depth", "1")
		w := newDiscard()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusMultiStatus {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkPropfindDepth1: a PROPFIND Depth 1 on the whole-conference
// calendar naming getetag, getcontenttype and resourcetype, the body the
// load test (scripts/loadtest.sh) sends.
func BenchmarkPropfindDepth1(b *testing.B) {
	s := flinkServer(b)
	body := `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/><D:resourcetype/></D:prop></D:propfind>`
	w := s.do(b, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "1"}, body: body})
	if n := len(parseMultistatus(b, w).order); n < 90 {
		b.Fatalf("%d responses, want at least 90", n)
	}
	b.ReportAllocs()
	b.SetBytes(int64(w.Body.Len()))
	for b.Loop() {
		r := httptest.NewRequest("PROPFIND", calAll, strings.NewReader(body))
		r.Header.Set("Depth", "1")
		r.Header.Set("Content-Type", "application/xml; charset=utf-8")
		w := newDiscard()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusMultiStatus {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkCalendarQueryAfterEdit: the first one-day calendar-query after
// a revision that retitled one session, which builds the view of the new
// rendering (objects whose rendering did not change are taken over). The
// edit and its rendering are not timed.
func BenchmarkCalendarQueryAfterEdit(b *testing.B) {
	s := flinkServer(b)
	body := strings.ReplaceAll(testdata(b, "clients/pycaldav-date-search.xml"), "20191007T220000Z", "20191006T220000Z")
	body = strings.ReplaceAll(body, "20191008T220000Z", "20191007T220000Z")
	benchAfterEdit(b, s, func() *http.Request {
		r := httptest.NewRequest("REPORT", calAll, strings.NewReader(body))
		r.Header.Set("Depth", "1")
		r.Header.Set("Content-Type", "application/xml")
		return r
	})
}

// benchAfterEdit times the first request after an edit, again and again:
// each round retitles the first session (not timed) and sends the request
// newRequest makes, which builds the view of the new rendering.
func benchAfterEdit(b *testing.B, s *testServer, newRequest func() *http.Request) {
	id := s.snap.SessionIDs()[0]
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		s.edit(b, func(e *agenda.Editor) error {
			return e.UpdateSession(id, agenda.SessionUpdate{Title: ptr(fmt.Sprintf("Retitled %d", n))})
		})
		r := newRequest()
		w := newDiscard()
		b.StartTimer()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusMultiStatus {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// queryDay is python-caldav's date_search for one conference day (8
// October 2019, Berlin time) with calendar-data.
func queryDay(b *testing.B) string { return testdata(b, "clients/pycaldav-date-search.xml") }

// BenchmarkCalendarQueryDay10000: one day's events with their
// calendar-data on the synthetic agenda of 10,008 sessions (3,336 a
// day), as python-caldav's date_search asks for them.
func BenchmarkCalendarQueryDay10000(b *testing.B) {
	benchReportOn(b, newSyntheticServer(b), queryDay(b), "1", 3336)
}

// BenchmarkPropfindAllDepth1_10000: an empty-body PROPFIND (allprop) with
// Depth 1 on the whole-conference calendar of the synthetic agenda: the
// calendar and its 10,008 objects.
func BenchmarkPropfindAllDepth1_10000(b *testing.B) {
	benchPropfindAll(b, newSyntheticServer(b), 10009)
}

// discard is a ResponseWriter that counts the body and keeps nothing of
// it, so benchmarks measure the handler, not a recorder's copy of the
// answer.
type discard struct {
	header http.Header
	Code   int
	n      int
}

func newDiscard() *discard { return &discard{header: http.Header{}} }

func (d *discard) Header() http.Header { return d.header }

func (d *discard) WriteHeader(code int) {
	if d.Code == 0 {
		d.Code = code
	}
}

func (d *discard) Write(b []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	d.n += len(b)
	return len(b), nil
}

// BenchmarkViewAfterEdit10000: the first request after an edit of the
// synthetic agenda of 10,008 sessions, a PROPFIND Depth 0 of the whole
// conference's calendar, which builds the view of the new rendering.
func BenchmarkViewAfterEdit10000(b *testing.B) {
	benchAfterEdit(b, newSyntheticServer(b), func() *http.Request {
		r := httptest.NewRequest("PROPFIND", calAll, nil)
		r.Header.Set("Depth", "0")
		return r
	})
}

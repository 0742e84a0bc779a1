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
	s.h = s.web.Handler()
	return s
}

// benchReport runs a REPORT on the whole-conference calendar through the
// router, checking the first answer.
func benchReport(b *testing.B, body, depth string, wantMin int) {
	s := flinkServer(b)
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
		w := httptest.NewRecorder()
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
// object with its properties, as issue 6's load test sends it.
func BenchmarkPropfindAllDepth1(b *testing.B) {
	s := flinkServer(b)
	w := s.do(b, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "1"}})
	if n := len(parseMultistatus(b, w).order); n < 90 {
		b.Fatalf("%d responses, want at least 90", n)
	}
	b.ReportAllocs()
	b.SetBytes(int64(w.Body.Len()))
	for b.Loop() {
		r := httptest.NewRequest("PROPFIND", calAll, nil)
		r.Header.Set("Depth", "1")
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusMultiStatus {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkCalendarQueryAfterEdit: the first one-day calendar-query after
// a revision that retitled one session, which builds the view of the new
// edition (objects whose rendering did not change are taken over). The
// edit and its rendering are not timed.
func BenchmarkCalendarQueryAfterEdit(b *testing.B) {
	s := flinkServer(b)
	body := strings.ReplaceAll(testdata(b, "clients/pycaldav-date-search.xml"), "20191007T220000Z", "20191006T220000Z")
	body = strings.ReplaceAll(body, "20191008T220000Z", "20191007T220000Z")
	id := s.snap.SessionIDs()[0]
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		s.edit(b, func(e *agenda.Editor) error {
			return e.UpdateSession(id, agenda.SessionUpdate{Title: ptr(fmt.Sprintf("Retitled %d", n))})
		})
		r := httptest.NewRequest("REPORT", calAll, strings.NewReader(body))
		r.Header.Set("Depth", "1")
		r.Header.Set("Content-Type", "application/xml")
		w := httptest.NewRecorder()
		b.StartTimer()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusMultiStatus {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkCalendarQueryDayUncached: BenchmarkCalendarQueryDay with a body
// the view has not answered yet (each differs in trailing white space and
// there are more than a view keeps), so every request builds its answer.
func BenchmarkCalendarQueryDayUncached(b *testing.B) {
	s := flinkServer(b)
	body := strings.ReplaceAll(testdata(b, "clients/pycaldav-date-search.xml"), "20191007T220000Z", "20191006T220000Z")
	body = strings.ReplaceAll(body, "20191008T220000Z", "20191007T220000Z")
	bodies := make([]string, 200)
	for i := range bodies {
		bodies[i] = body + strings.Repeat(" ", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := httptest.NewRequest("REPORT", calAll, strings.NewReader(bodies[i%len(bodies)]))
		i++
		r.Header.Set("Depth", "1")
		r.Header.Set("Content-Type", "application/xml")
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		if w.Code != http.StatusMultiStatus {
			b.Fatalf("status %d", w.Code)
		}
	}
}

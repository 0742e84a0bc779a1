package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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

// BenchmarkPublish renders one revision from nothing, as at a cold start:
// every session's VEVENT and the feeds' heads. Feeds themselves are views
// made on first request (BenchmarkFirstRequests).
func BenchmarkPublish(b *testing.B) {
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
				srv := newWeb(b, web.Config{})
				if _, err := srv.Publish(b.Context(), bb.snap); err != nil {
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

func benchmarkServe(b *testing.B, target string, want int, hdr ...string) {
	benchmarkServeOf(b, flink(b), target, want, hdr...)
}

func benchmarkServeOf(b *testing.B, snap *agenda.Snapshot, target string, want int, hdr ...string) {
	_, h := serve(b, web.Config{}, snap)
	req := httptest.NewRequest(http.MethodGet, target, nil)
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
func BenchmarkServeAll200(b *testing.B) { benchmarkServe(b, "/feeds/all.ics", http.StatusOK) }

// BenchmarkServeAll304 answers a conditional GET of /feeds/all.ics whose
// ETag matches.
func BenchmarkServeAll304(b *testing.B) {
	benchmarkServe(b, "/feeds/all.ics", http.StatusNotModified, "If-None-Match", "$etag")
}

// pickTarget is a personal pick of the built-in agenda: two tracks, a
// room and three sessions, as the attendee page links it.
const pickTarget = "/feeds/custom.ics?tracks=keynote,research&rooms=room-3&sessions=" +
	"apache-flink-developer-training-1,apache-flink-operations-training-1,sql-developer-training-1"

// BenchmarkServePick200 serves a personal pick, put together for each
// request from the revision's rendered events.
// Gzipped, it is compressed for each request too.
func BenchmarkServePick200(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchmarkServe(b, pickTarget, http.StatusOK) })
	b.Run("gzip", func(b *testing.B) { benchmarkServe(b, pickTarget, http.StatusOK, "Accept-Encoding", "gzip") })
}

// BenchmarkServePick304 answers a conditional GET of a pick whose ETag
// matches.
func BenchmarkServePick304(b *testing.B) {
	benchmarkServe(b, pickTarget, http.StatusNotModified, "If-None-Match", "$etag")
}

// BenchmarkServePick10000 serves the pick the load test asks of 10,000
// sessions: a dozen spread over the agenda, in full and as a 304.
func BenchmarkServePick10000(b *testing.B) {
	snap := big(b)
	ids := snap.SessionIDs()
	var pick []string
	for i := 0; i < len(ids) && len(pick) < 12; i += len(ids)/12 + 1 {
		pick = append(pick, ids[i])
	}
	target := "/feeds/custom.ics?sessions=" + strings.Join(pick, ",")
	b.Run("200", func(b *testing.B) { benchmarkServeOf(b, snap, target, http.StatusOK) })
	b.Run("304", func(b *testing.B) {
		benchmarkServeOf(b, snap, target, http.StatusNotModified, "If-None-Match", "$etag")
	})
}

// BenchmarkPublishAfterEdit renders the revision after an edit of one
// session, as a running server does: the previous revision is current, so
// its VEVENTs are reused where a session renders the same. The agendas
// carry a change log of 500 entries about other sessions: the built-in one
// (93 sessions) and a synthetic one of 10,008 sessions in 139 rooms.
func BenchmarkPublishAfterEdit(b *testing.B) {
	for _, bb := range []struct {
		name string
		snap *agenda.Snapshot
	}{
		{"flink-forward-berlin-2019", flink(b)},
		{"10000", big(b)},
	} {
		b.Run(bb.name, func(b *testing.B) { benchmarkPublishAfterEdit(b, bb.snap) })
	}
}

func benchmarkPublishAfterEdit(b *testing.B, snap *agenda.Snapshot) {
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
	srv, _ := serve(b, web.Config{}, snap)
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
		if _, err := srv.Publish(b.Context(), fresh); err != nil {
			b.Fatal(err)
		}
	}
}

// big returns a synthetic agenda shaped like `confcal gen -sessions 10000`
// (see agendaOf): three full days.
func big(b *testing.B) *agenda.Snapshot { return agendaOf(b, 3*24*139) }

// agendaOf returns a synthetic agenda of n sessions shaped like `confcal
// gen`: 25-minute sessions every half hour from 8:00 in 139 rooms, filling
// the first of three days first, 12 tracks, an abstract of a few sentences
// each.
func agendaOf(tb testing.TB, n int) *agenda.Snapshot {
	tb.Helper()
	c := agenda.Contents{Conference: agendatest.Conference()}
	c.Conference.Last = c.Conference.First.AddDays(2)
	for i := range 12 {
		c.Tracks = append(c.Tracks, agenda.Track{ID: fmt.Sprintf("track-%d", i), Name: fmt.Sprintf("Track %d", i)})
	}
	const rooms, slots = 139, 24
	for i := range rooms {
		c.Rooms = append(c.Rooms, agenda.Room{ID: fmt.Sprintf("room-%d", i), Name: fmt.Sprintf("Room %d", i)})
	}
	loc, err := c.Conference.Location()
	if err != nil {
		tb.Fatal(err)
	}
	days := c.Conference.Days()
	for i := range min(n, len(days)*slots*rooms) {
		d, slot, r := i/(slots*rooms), i/rooms%slots, i%rooms
		start := days[d].Start(loc).Add(8*time.Hour + time.Duration(slot)*30*time.Minute)
		c.Sessions = append(c.Sessions, agenda.Session{
			ID: fmt.Sprintf("s-%d-%d-%d", d, slot, r), Title: fmt.Sprintf("Session %d on streams and state", i),
			Start: start, End: start.Add(25 * time.Minute), Track: c.Tracks[i%12].ID, Room: c.Rooms[r].ID,
			Abstract: strings.Repeat(fmt.Sprintf("Session %d looks at how stream processing scales. ", i), 1+i%3),
			Status:   agenda.StatusConfirmed, LastModified: agendatest.Published,
		})
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// BenchmarkServePage is the attendee page of the whole agenda, which every
// open page fetches again when a change arrives (page/static/my.js), as
// it is and gzipped for a browser, which asks for it so.
func BenchmarkServePage(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchmarkServe(b, "/", http.StatusOK) })
	b.Run("gzip", func(b *testing.B) { benchmarkServe(b, "/", http.StatusOK, "Accept-Encoding", "gzip") })
}

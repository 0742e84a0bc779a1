package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/conferences"
	"confcal/sqlite"
	"confcal/web"
)

// The benchmarks of many conferences on one server (docs/performance.md,
// "Many conferences"): 200 conferences of 300 sessions in one process,
// stored in SQLite and served as `confcal serve` serves them.
const (
	manyConfs    = 200
	confSessions = 300
	target       = "conf-100" // the conference the edit and throughput benchmarks ask
)

// confContents is conference i of the benchmarks: three days of ten
// 40-minute sessions every 50 minutes from 9:00 in each of ten rooms,
// eight tracks, an abstract of one to three sentences each, names and UIDs
// of its own.
func confContents(i int) agenda.Contents {
	c := agenda.Contents{Conference: agenda.Conference{
		Name: fmt.Sprintf("Conference %03d", i), Description: fmt.Sprintf("The %d. conference of the benchmark", i),
		TimeZone: "Europe/Berlin", UIDDomain: fmt.Sprintf("conf-%03d.example.org", i),
		First: agenda.Date{Year: 2026, Month: time.March, Day: 2 + i%20}, Last: agenda.Date{Year: 2026, Month: time.March, Day: 4 + i%20},
	}}
	for t := range 8 {
		c.Tracks = append(c.Tracks, agenda.Track{ID: fmt.Sprintf("track-%d", t), Name: fmt.Sprintf("Track %d", t), Color: "#00798C"})
	}
	for r := range 10 {
		c.Rooms = append(c.Rooms, agenda.Room{ID: fmt.Sprintf("room-%d", r), Name: fmt.Sprintf("Room %d", r)})
	}
	loc, err := c.Conference.Location()
	if err != nil {
		panic(err)
	}
	published := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	for d, day := range c.Conference.Days() {
		for slot := range confSessions / 30 {
			start := day.Start(loc).Add(9*time.Hour + time.Duration(slot)*50*time.Minute)
			for r := range 10 {
				n := len(c.Sessions)
				c.Sessions = append(c.Sessions, agenda.Session{
					ID:    fmt.Sprintf("s-%d-%d-%d", d, slot, r),
					Title: fmt.Sprintf("Session %d of conference %d: state, time and streams", n, i),
					Start: start, End: start.Add(40 * time.Minute), Track: c.Tracks[n%8].ID, Room: c.Rooms[r].ID,
					Abstract: strings.Repeat(fmt.Sprintf("Session %d looks at how stream processing scales in production. ", n), 1+n%3),
					Status:   agenda.StatusConfirmed, LastModified: published,
				})
			}
		}
	}
	return c
}

// confStore makes a data directory holding conferences first…last-1, as
// `confcal serve` leaves it after they were added; conference first is the
// default one.
func confStore(b *testing.B, first, last int) string {
	b.Helper()
	dir := b.TempDir()
	st, err := sqlite.Open(b.Context(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for i := first; i < last; i++ {
		slug := fmt.Sprintf("conf-%03d", i)
		snap, err := agenda.NewSnapshot(confContents(i), 1, 1, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.AddConference(b.Context(), agenda.Listing{Slug: slug}); err != nil {
			b.Fatal(err)
		}
		if err := st.Agenda(slug).Save(b.Context(), snap); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// stack is a server as serve runs it: the store, the conferences' manager
// and the route table.
type stack struct {
	store *sqlite.Store
	mgr   *conferences.Manager
	srv   *web.Server
	h     http.Handler
}

// startStack starts serving the store in dir: it opens it, loads every
// conference and publishes its first revision, as serve does at start-up.
func startStack(b *testing.B, dir string) *stack {
	b.Helper()
	ctx := b.Context()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	list, err := st.Conferences(ctx)
	if err != nil || len(list) == 0 || !list[0].Default {
		b.Fatalf("conferences %v: %v", list, err)
	}
	srv, err := web.New(web.Config{BaseURL: "https://cal.example.org", Default: list[0].Slug})
	if err != nil {
		b.Fatal(err)
	}
	mgr := conferences.New(conferences.Config{Registry: st, Publisher: srv.Publisher, Withdraw: srv.Withdraw})
	if err := mgr.Open(ctx, nil); err != nil {
		b.Fatal(err)
	}
	return &stack{store: st, mgr: mgr, srv: srv, h: srv.HandlerFor(mgr, nil)}
}

func (s *stack) close() { s.store.Close() }

// cpuTime is the processor time the process has used so far, user and
// system.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parallel runs op on every core as b.RunParallel does and reports, besides
// the wall time, the processor time per op: other work on the machine
// inflates the first, not the second.
func parallel(b *testing.B, op func(w *discard)) {
	b.Helper()
	start := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		w := &discard{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			w.status = 0
			op(w)
		}
	})
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// memory reports the live heap (after a collection) and the process's
// resident set, in MB.
func memory(b *testing.B) (heap, rss float64) {
	b.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for line := range strings.SplitSeq(string(status), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				rss = kb / 1024
			}
		}
	}
	return float64(ms.HeapInuse) / (1 << 20), rss
}

// BenchmarkManyConferencesStartup starts serving 200 conferences of 300
// sessions from their store: open it, load every agenda, render and
// publish each. It reports the heap in use and the resident set once they
// are served, and again after every conference's whole-conference, track,
// room and day feeds and its CalDAV home were asked for once.
func BenchmarkManyConferencesStartup(b *testing.B) {
	dir := confStore(b, 0, manyConfs)
	var s *stack
	start := cpuTime(b)
	for b.Loop() {
		if s != nil {
			s.close()
		}
		s = startStack(b, dir)
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
	b.StopTimer()
	defer s.close()
	if n := len(s.mgr.List()); n != manyConfs {
		b.Fatalf("%d conferences served, want %d", n, manyConfs)
	}
	heap, rss := memory(b)
	b.ReportMetric(heap, "heap-MB")
	b.ReportMetric(rss, "rss-MB")
	w := &discard{h: http.Header{}}
	for i := range manyConfs {
		for _, p := range []string{"/feeds/all.ics", "/feeds/tracks/track-1.ics", "/feeds/rooms/room-2.ics", "/feeds/days/" + confContents(i).Conference.First.String() + ".ics"} {
			clear(w.h)
			w.status = 0
			s.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/conf-%03d%s", i, p), nil))
			if w.status != http.StatusOK {
				b.Fatalf("GET /conf-%03d%s: %d", i, p, w.status)
			}
		}
		clear(w.h)
		w.status = 0
		home := fmt.Sprintf("/dav/conf-%03d/calendars/", i)
		if i == 0 {
			home = "/dav/public/calendars/" // the default conference keeps the principal of old
		}
		s.h.ServeHTTP(w, davRequest(home, "1", propfindBody))
		if w.status != http.StatusMultiStatus {
			b.Fatalf("PROPFIND %s: %d", home, w.status)
		}
	}
	heap, rss = memory(b)
	b.ReportMetric(heap, "heap-polled-MB")
	b.ReportMetric(rss, "rss-polled-MB")
}

// BenchmarkManyConferencesEdit renames a session of one conference among
// 200, as the API does: the edit is stored (SQLite, synchronous) and the
// new revision published, each edit one more entry in the change log (so
// give it a fixed -benchtime, e.g. 300x); then, alone, the publishing part
// of it.
func BenchmarkManyConferencesEdit(b *testing.B) {
	s := startStack(b, confStore(b, 0, manyConfs))
	defer s.close()
	svc, _, ok := s.mgr.Service(target)
	if !ok {
		b.Fatalf("no conference %s", target)
	}
	n := 0
	edit := func(e *agenda.Editor) error {
		n++
		title := fmt.Sprintf("Renamed %d", n)
		return e.UpdateSession("s-1-4-5", agenda.SessionUpdate{Title: &title})
	}
	b.Run("stored-and-published", func(b *testing.B) {
		start := cpuTime(b)
		for b.Loop() {
			if _, _, err := svc.Change(b.Context(), "bench", edit); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
	})
	// The revision after one more edit of the same revision each time, so
	// that the change log does not grow with b.N.
	b.Run("published", func(b *testing.B) {
		publish := s.srv.Publisher(target)
		base := svc.Current()
		start := cpuTime(b)
		for b.Loop() {
			e := base.Edit("bench", time.Now())
			if err := edit(e); err != nil {
				b.Fatal(err)
			}
			next, err := e.Commit()
			if err != nil {
				b.Fatal(err)
			}
			swap, err := publish(b.Context(), next)
			if err != nil {
				b.Fatal(err)
			}
			swap()
		}
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
	})
}

// propfindBody asks a calendar home or a calendar what a client syncing it
// asks (DAVx5, Thunderbird): ETags, ctags and sync tokens.
const propfindBody = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">` +
	`<d:prop><d:resourcetype/><d:displayname/><d:getetag/><cs:getctag/><d:sync-token/></d:prop></d:propfind>`

// syncBody is a sync-collection REPORT from nothing (an empty token).
const syncBody = `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token/>` +
	`<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`

func davRequest(path, depth, body string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, strings.NewReader(body))
	if body != "" {
		r.Method = "PROPFIND"
		if strings.Contains(body, "sync-collection") {
			r.Method = "REPORT"
		}
		r.Header.Set("Content-Type", "application/xml; charset=utf-8")
	}
	r.Header.Set("Depth", depth)
	return r
}

// BenchmarkConferenceAlone and BenchmarkConferenceAmong200 answer the
// same requests for conference conf-100, from a server holding it alone
// and from one holding it among 200 (whose whole-conference feeds were all
// asked for once, so the shared caches hold them): feeds (200, and 304
// with If-None-Match), a CalDAV PROPFIND of its calendars and of its
// whole-conference calendar, and a sync-collection REPORT from nothing.
// Run them in separate processes, taking turns, so that each has the heap
// it would have on its own:
//
//	for i in 1 2 3 4 5; do
//		go test ./web -run '^$' -bench 'ConferenceAlone$'
//		go test ./web -run '^$' -bench 'ConferenceAmong200$'
//	done
func BenchmarkConferenceAlone(b *testing.B) {
	s := startStack(b, confStore(b, 100, 101))
	defer s.close()
	// Alone, the conference is the default one, whose principal is the
	// one of a server of one agenda.
	benchmarkConference(b, s, "/dav/public")
}

func BenchmarkConferenceAmong200(b *testing.B) {
	s := startStack(b, confStore(b, 0, manyConfs))
	defer s.close()
	paths := make([]string, manyConfs)
	w := &discard{h: http.Header{}}
	for i := range paths {
		paths[i] = fmt.Sprintf("/conf-%03d/feeds/all.ics", i)
		clear(w.h)
		w.status = 0
		s.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, paths[i], nil))
		if w.status != http.StatusOK {
			b.Fatalf("GET %s: %d", paths[i], w.status)
		}
	}
	benchmarkConference(b, s, "/dav/"+target)
	// A poller of every conference: the whole-conference feed of each in
	// turn.
	b.Run("all-200-every-conference", func(b *testing.B) {
		var next atomic.Int64
		parallel(b, func(w *discard) {
			s.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, paths[(next.Add(1)-1)%manyConfs], nil))
			if w.status != http.StatusOK {
				panic(fmt.Sprintf("GET: %d", w.status))
			}
		})
	})
}

// benchmarkConference answers each request for conference target on s, from
// both of the machine's cores; dav is the conference's principal.
func benchmarkConference(b *testing.B, s *stack, dav string) {
	for _, rq := range []struct {
		name, path, body string
		cond             bool // with If-None-Match: the ETag
		want             int
	}{
		{name: "all-200", path: "/" + target + "/feeds/all.ics", want: http.StatusOK},
		{name: "all-304", path: "/" + target + "/feeds/all.ics", cond: true, want: http.StatusNotModified},
		{name: "track-200", path: "/" + target + "/feeds/tracks/track-3.ics", want: http.StatusOK},
		{name: "propfind-home", path: dav + "/calendars/", body: propfindBody, want: http.StatusMultiStatus},
		{name: "propfind-all", path: dav + "/calendars/all/", body: propfindBody, want: http.StatusMultiStatus},
		{name: "sync-empty", path: dav + "/calendars/all/", body: syncBody, want: http.StatusMultiStatus},
	} {
		b.Run(rq.name, func(b *testing.B) {
			probe := &discard{h: http.Header{}}
			s.h.ServeHTTP(probe, davRequest(rq.path, "1", rq.body))
			etag := probe.h.Get("ETag")
			parallel(b, func(w *discard) {
				r := davRequest(rq.path, "1", rq.body)
				if rq.cond {
					r.Header.Set("If-None-Match", etag)
				}
				s.h.ServeHTTP(w, r)
				if w.status != rq.want {
					panic(fmt.Sprintf("%s %s: %d, want %d", r.Method, rq.path, w.status, rq.want))
				}
			})
		})
	}
}

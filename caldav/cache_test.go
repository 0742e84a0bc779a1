package caldav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
	"confcal/seeds"
)

// The answer cache (cache.go) is checked against a handler of the same
// renderings with the cache off: whatever the cache answers must be the
// bytes a fresh answer has.

const (
	cacheCalAll = "/dav/public/calendars/all/"
	cacheCalKey = "/dav/public/calendars/track-keynote/"
	cacheHome   = "/dav/public/calendars/"
)

// renderings serves a rendering that tests replace, to two handlers: one
// with the answer cache, one without.
type renderings struct {
	cur    atomic.Pointer[ical.Rendered]
	snap   *agenda.Snapshot
	cached *Handler
	fresh  *Handler
	kinds  []string // what the cached handler told Options.ReportKind
	mu     sync.Mutex
}

func newRenderings(t *testing.T) *renderings {
	t.Helper()
	return newRenderingsOf(t, agendatest.Small(t))
}

// newRenderingsOf serves the rendering of snap.
func newRenderingsOf(t *testing.T, snap *agenda.Snapshot) *renderings {
	t.Helper()
	rs := &renderings{}
	rs.set(t, snap)
	current := func() *ical.Rendered { return rs.cur.Load() }
	rs.cached = NewHandler(Options{ReportKind: func(k string) {
		rs.mu.Lock()
		rs.kinds = append(rs.kinds, k)
		rs.mu.Unlock()
	}}, current)
	rs.fresh = NewHandler(Options{}, current)
	rs.fresh.answers.entries = 0
	return rs
}

// set renders snap and serves it.
func (rs *renderings) set(t *testing.T, snap *agenda.Snapshot) {
	t.Helper()
	rendered, err := ical.Render(snap, ical.Options{BaseURL: "http://test.example"}, rs.cur.Load())
	if err != nil {
		t.Fatal(err)
	}
	rs.snap = snap
	rs.cur.Store(rendered)
}

// retitle publishes the next revision, with session id retitled.
func (rs *renderings) retitle(t *testing.T, id, title string) {
	t.Helper()
	e := rs.snap.Edit("test", time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(rs.snap.Revision())*time.Hour))
	if err := e.UpdateSession(id, agenda.SessionUpdate{Title: ptr(title)}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	rs.set(t, next)
}

// entries returns how many answers the current view of h keeps.
func entries(t *testing.T, h *Handler) (n, size int) {
	t.Helper()
	v, err := h.view()
	if err != nil {
		t.Fatal(err)
	}
	return v.answers.stats()
}

// davReq is a PROPFIND or REPORT.
type davReq struct {
	method, path, depth, body string
}

func (q davReq) String() string {
	return fmt.Sprintf("%s %s Depth %q %.60q", q.method, q.path, q.depth, q.body)
}

func (q davReq) send(h http.Handler) *httptest.ResponseRecorder {
	r := httptest.NewRequest(q.method, q.path, strings.NewReader(q.body))
	if q.depth != "" {
		r.Header.Set("Depth", q.depth)
	}
	r.Header.Set("Content-Type", "application/xml; charset=utf-8")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const (
	bodyEtags = `<?xml version="1.0" encoding="utf-8"?>` +
		`<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/><D:resourcetype/></D:prop></D:propfind>`
	bodyCtag = `<propfind xmlns="DAV:"><prop><getctag xmlns="http://calendarserver.org/ns/"/><sync-token/></prop></propfind>`
	bodySync = `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">` +
		`<D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
	bodyQuery = `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		`<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR">` +
		`<C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`
	bodyMultiget = `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		`<D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>` + cacheCalAll + `late-talk.ics</D:href>` +
		`<D:href>` + cacheCalAll + `nothing.ics</D:href></C:calendar-multiget>`
	bodyFreeBusy = `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		`<C:time-range start="20191008T000000Z" end="20191010T000000Z"/></C:free-busy-query>`
)

// cacheable are requests answered 207, one of each kind.
var cacheable = []davReq{
	{"PROPFIND", cacheCalAll, "1", bodyEtags},
	{"PROPFIND", cacheCalAll, "0", bodyEtags},
	{"PROPFIND", cacheCalAll, "1", ""}, // allprop
	{"PROPFIND", "/dav/public/calendars/", "1", bodyCtag},
	{"PROPFIND", "/dav/public/", "0", `<propfind xmlns="DAV:"><propname/></propfind>`},
	{"REPORT", cacheCalAll, "", bodySync},
	{"REPORT", "/dav/public/calendars/", "", bodySync},
	{"REPORT", cacheCalAll, "1", bodyQuery},
	{"REPORT", cacheCalKey, "1", bodyQuery},
	{"REPORT", cacheCalAll, "1", bodyMultiget},
}

// parses checks that an answer is a multistatus encoding/xml reads.
func parses(t *testing.T, q davReq, body []byte) {
	t.Helper()
	var ms struct {
		XMLName   xml.Name
		Responses []struct {
			Href string `xml:"DAV: href"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal(body, &ms); err != nil || ms.XMLName != (xml.Name{Space: nsDAV, Local: "multistatus"}) || len(ms.Responses) == 0 {
		t.Fatalf("%v: answer %s with %d responses does not parse: %v", q, ms.XMLName.Local, len(ms.Responses), err)
	}
}

// TestAnswerCacheSameBytes: each request, asked twice and then again
// after the others, is answered from the cache with the bytes of a fresh
// answer, its Content-Length with them; every distinct request is kept
// once.
func TestAnswerCacheSameBytes(t *testing.T) {
	rs := newRenderings(t)
	for round := range 3 {
		for i, q := range cacheable {
			want := q.send(rs.fresh)
			if want.Code != http.StatusMultiStatus {
				t.Fatalf("%v: fresh answer %d %s", q, want.Code, want.Body)
			}
			parses(t, q, want.Body.Bytes())
			got := q.send(rs.cached)
			if got.Code != http.StatusMultiStatus || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Fatalf("round %d, %v: cached answer %d of %d bytes differs from the fresh one of %d:\n%s\nwant\n%s",
					round, q, got.Code, got.Body.Len(), want.Body.Len(), got.Body, want.Body)
			}
			if ct := got.Header().Get("Content-Type"); ct != want.Header().Get("Content-Type") {
				t.Errorf("%v: Content-Type %q, want %q", q, ct, want.Header().Get("Content-Type"))
			}
			if cl := got.Header().Get("Content-Length"); round > 0 && cl != fmt.Sprint(got.Body.Len()) {
				t.Errorf("%v: kept answer's Content-Length %q for %d bytes", q, cl, got.Body.Len())
			}
			if n, _ := entries(t, rs.cached); round == 0 && n != i+1 || round > 0 && n != len(cacheable) {
				t.Errorf("round %d, %v: %d answers kept", round, q, n)
			}
		}
	}
	if n, _ := entries(t, rs.fresh); n != 0 {
		t.Errorf("the handler without a cache kept %d answers", n)
	}
}

// TestAnswerCacheHitSkipsWork: a kept answer is written without reading
// the body again: far fewer allocations than answering afresh.
func TestAnswerCacheHitSkipsWork(t *testing.T) {
	rs := newRenderings(t)
	for _, q := range []davReq{cacheable[0], cacheable[5], cacheable[7]} {
		q.send(rs.cached)
		hit := testing.AllocsPerRun(20, func() { q.send(rs.cached) })
		fresh := testing.AllocsPerRun(20, func() { q.send(rs.fresh) })
		if hit*2 > fresh {
			t.Errorf("%v: %v allocations from the cache, %v afresh", q, hit, fresh)
		}
	}
}

// TestAnswerCacheRevisions: after a revision the answers are the new
// revision's, never a kept one of the revision before.
func TestAnswerCacheRevisions(t *testing.T) {
	rs := newRenderings(t)
	before := make([][]byte, len(cacheable))
	for i, q := range cacheable {
		q.send(rs.cached)
		before[i] = q.send(rs.cached).Body.Bytes()
	}
	for n := range 3 {
		title := fmt.Sprintf("Retitled %d", n)
		rs.retitle(t, "late-talk", title)
		for i, q := range cacheable {
			want := q.send(rs.fresh).Body.Bytes()
			for range 2 {
				got := q.send(rs.cached).Body.Bytes()
				if !bytes.Equal(got, want) {
					t.Fatalf("revision %d, %v: the answer is not the new revision's:\n%s\nwant\n%s", rs.snap.Revision(), q, got, want)
				}
			}
			if q.body == bodyQuery && q.path == cacheCalAll && !strings.Contains(string(want), title) {
				t.Errorf("%v: the new title %q is not in the answer", q, title)
			}
			// These name late-talk's ETag or data: their answers change.
			if changes := i == 0 || i == 5 || i == 7 || i == 9; changes && bytes.Equal(want, before[i]) {
				t.Errorf("%v: the answer did not change with the revision", q)
			}
			before[i] = want
		}
	}
}

// TestAnswerCacheKeys: requests differing in method, path, Depth or body
// never share an answer, whichever is asked first.
func TestAnswerCacheKeys(t *testing.T) {
	for _, pair := range [][2]davReq{
		{{"PROPFIND", cacheCalAll, "0", bodyEtags}, {"PROPFIND", cacheCalAll, "1", bodyEtags}},
		{{"PROPFIND", cacheCalAll, "1", bodyEtags}, {"PROPFIND", cacheCalKey, "1", bodyEtags}},
		{{"PROPFIND", cacheCalAll, "1", bodyEtags}, {"PROPFIND", cacheCalAll, "1", strings.Replace(bodyEtags, "<D:resourcetype/>", "", 1)}},
		{{"REPORT", cacheCalAll, "", bodySync}, {"REPORT", cacheCalKey, "", bodySync}},
		{{"REPORT", cacheCalAll, "1", bodyQuery}, {"REPORT", cacheCalAll, "1", strings.Replace(bodyQuery, `<D:getetag/>`, "", 1)}},
		{{"PROPFIND", cacheCalAll, "0", ""}, {"REPORT", cacheCalAll, "0", bodySync}},
		// An empty Depth is Depth 1 for PROPFIND, but a key of its own.
		{{"PROPFIND", cacheCalAll, "0", ""}, {"PROPFIND", cacheCalAll, "", ""}},
	} {
		for _, order := range [][2]int{{0, 1}, {1, 0}} {
			rs := newRenderings(t)
			first, second := pair[order[0]], pair[order[1]]
			first.send(rs.cached)
			first.send(rs.cached)
			got := second.send(rs.cached)
			want := second.send(rs.fresh)
			if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Errorf("%v after %v: %d answer\n%s\nwant %d\n%s", second, first, got.Code, got.Body, want.Code, want.Body)
			}
			if bytes.Equal(got.Body.Bytes(), first.send(rs.fresh).Body.Bytes()) {
				t.Errorf("%v and %v: the same answer; the pair tests nothing", first, second)
			}
		}
	}
}

// TestAnswerCacheErrors: refused requests are never kept (each is
// refused anew, after the same checks), and neither is an answer whose
// writing failed.
func TestAnswerCacheErrors(t *testing.T) {
	unknown := `<propfind xmlns="DAV:"><prop xmlns:u="urn:example:unknown">`
	for i := range 65 {
		unknown += fmt.Sprintf("<u:p%d/>", i)
	}
	unknown += `</prop></propfind>`
	deep := `<propfind xmlns="DAV:">` + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + `</propfind>`
	rs := newRenderings(t)
	for _, c := range []struct {
		q    davReq
		want int
	}{
		{davReq{"PROPFIND", cacheCalAll, "2", bodyEtags}, http.StatusBadRequest},
		{davReq{"PROPFIND", cacheCalAll, "infinity", bodyEtags}, http.StatusForbidden},
		{davReq{"PROPFIND", cacheCalAll, "1", "<propfind"}, http.StatusBadRequest},
		{davReq{"PROPFIND", cacheCalAll, "1", unknown}, http.StatusBadRequest},
		{davReq{"PROPFIND", cacheCalAll, "1", deep}, http.StatusBadRequest},
		{davReq{"PROPFIND", "/dav/public/calendars/nothing/", "1", bodyEtags}, http.StatusNotFound},
		{davReq{"REPORT", cacheCalAll, "", strings.Replace(bodySync, "<D:sync-token/>", "<D:sync-token>bogus</D:sync-token>", 1)}, http.StatusForbidden},
		{davReq{"REPORT", cacheCalAll, "1", strings.Replace(bodyQuery, `name="VEVENT"/>`, `name="VEVENT"><C:unknown/></C:comp-filter>`, 1)}, http.StatusForbidden},
		{davReq{"REPORT", cacheCalAll, "1", `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>`}, http.StatusBadRequest},
		{davReq{"REPORT", cacheHome, "1", bodyFreeBusy}, http.StatusForbidden},
	} {
		for range 3 {
			if w := c.q.send(rs.cached); w.Code != c.want {
				t.Errorf("%v: status %d, want %d; %s", c.q, w.Code, c.want, w.Body)
			}
		}
		if n, _ := entries(t, rs.cached); n != 0 {
			t.Fatalf("%v: %d answers kept", c.q, n)
		}
	}
	// The client went away while the answer was written.
	q := cacheable[0]
	r := httptest.NewRequest(q.method, q.path, strings.NewReader(q.body))
	r.Header.Set("Depth", q.depth)
	rs.cached.ServeHTTP(&failingWriter{header: http.Header{}}, r)
	if n, _ := entries(t, rs.cached); n != 0 {
		t.Errorf("an answer whose write failed was kept (%d answers)", n)
	}
	if w := q.send(rs.cached); !bytes.Equal(w.Body.Bytes(), q.send(rs.fresh).Body.Bytes()) {
		t.Errorf("after a failed write: answer differs from a fresh one")
	}
}

// failingWriter fails every write, as a connection whose client went
// away does.
type failingWriter struct {
	header http.Header
}

func (w *failingWriter) Header() http.Header { return w.header }
func (w *failingWriter) WriteHeader(int)     {}
func (w *failingWriter) Write([]byte) (int, error) {
	return 0, errors.New("connection reset by peer")
}

// TestAnswerCacheBounds: a view keeps at most the bounded number of
// answers and bytes, the oldest dropped first; an answer over the size
// kept is answered in full every time without being kept.
func TestAnswerCacheBounds(t *testing.T) {
	rs := newRenderings(t)
	// Answers of the small agenda run to a few KB; the calendar-query of
	// the whole conference with calendar-data is the biggest.
	big := davReq{"REPORT", cacheCalAll, "1", bodyQuery}
	bigLen := big.send(rs.fresh).Body.Len()
	b := cacheBounds{entries: 4, bytes: 6 << 10, answer: bigLen - 1, body: 16 << 10}
	rs.cached.answers = b
	var asked []davReq
	for i := range 12 {
		// Distinct bodies: each names a different unknown property.
		q := davReq{"PROPFIND", cacheCalAll, "1", strings.Replace(bodyEtags, "<D:resourcetype/>", fmt.Sprintf("<D:x%d/>", i), 1)}
		asked = append(asked, q)
		q.send(rs.cached)
		n, size := entries(t, rs.cached)
		if n > b.entries || size > b.bytes {
			t.Fatalf("after %d requests: %d answers of %d bytes kept, over %d and %d", i+1, n, size, b.entries, b.bytes)
		}
		if n == 0 {
			t.Fatalf("after %d requests: nothing kept", i+1)
		}
	}
	// The latest is kept, the first was dropped: both answered right.
	v, _ := rs.cached.view()
	key := func(q davReq) []byte {
		r := httptest.NewRequest(q.method, q.path, nil)
		r.Header.Set("Depth", q.depth)
		return appendAnswerKey(nil, r, []byte(q.body))
	}
	if v.answers.get(key(asked[len(asked)-1])) == nil || v.answers.get(key(asked[0])) != nil {
		t.Errorf("the newest answer is not kept, or the oldest not dropped")
	}
	for _, q := range asked {
		if got, want := q.send(rs.cached), q.send(rs.fresh); !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Errorf("%v: answer differs from a fresh one", q)
		}
	}
	// The big answer: complete each time, never kept, only marked.
	for range 3 {
		if got := big.send(rs.cached); got.Body.Len() != bigLen {
			t.Fatalf("big answer of %d bytes, want %d", got.Body.Len(), bigLen)
		}
		if a := v.answers.get(key(big)); a == nil || a.cached() {
			t.Fatalf("the answer over the size kept is not marked too big: %+v", a)
		}
	}
	// A request body over the bound is answered, its answer not kept.
	rs.cached.answers.body = len(bodyEtags) - 1
	q := davReq{"PROPFIND", cacheCalKey, "1", bodyEtags}
	q.send(rs.cached)
	if v.answers.get(key(q)) != nil {
		t.Errorf("the answer to a body over the bound was kept")
	}
}

// TestAnswerCacheConcurrent: identical and different requests at once,
// with a revision published in between, each answered with the bytes of
// a fresh answer of the rendering it saw (run with -race).
func TestAnswerCacheConcurrent(t *testing.T) {
	rs := newRenderings(t)
	want := func() map[int][]byte {
		m := map[int][]byte{}
		for i, q := range cacheable {
			m[i] = q.send(rs.fresh).Body.Bytes()
		}
		return m
	}
	for round := range 2 {
		if round > 0 {
			rs.retitle(t, "late-talk", "Concurrent")
		}
		expect := want()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Go(func() {
				for n := range 40 {
					i := (g + n) % len(cacheable)
					if g%2 == 0 {
						i = 0 // half of them ask the same thing
					}
					if got := cacheable[i].send(rs.cached).Body.Bytes(); !bytes.Equal(got, expect[i]) {
						errs <- fmt.Errorf("%v: answer of %d bytes differs from the fresh one of %d", cacheable[i], len(got), len(expect[i]))
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// TestAnswerCacheReportKind: a REPORT answered from the cache is told
// to Options.ReportKind like one answered afresh.
func TestAnswerCacheReportKind(t *testing.T) {
	rs := newRenderings(t)
	for range 3 {
		davReq{"REPORT", cacheCalAll, "", bodySync}.send(rs.cached)
	}
	davReq{"REPORT", cacheCalAll, "1", bodyQuery}.send(rs.cached)
	davReq{"PROPFIND", cacheCalAll, "1", bodyEtags}.send(rs.cached)
	davReq{"REPORT", cacheCalAll, "1", "not xml"}.send(rs.cached)
	want := "sync-collection|sync-collection|sync-collection|calendar-query|"
	if got := strings.Join(rs.kinds, "|"); got != want {
		t.Errorf("kinds %q, want %q", got, want)
	}
}

// TestAnswerCacheFreeBusy: a free-busy-query is answered 200 with
// text/calendar, which the cache, keeping 207s only, does not keep: each
// is answered afresh, as the handler without the cache answers it, and
// told to Options.ReportKind by its name.
func TestAnswerCacheFreeBusy(t *testing.T) {
	rs := newRenderings(t)
	q := davReq{"REPORT", cacheCalAll, "1", bodyFreeBusy}
	want := q.send(rs.fresh)
	if want.Code != http.StatusOK || !strings.HasPrefix(want.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("free-busy-query: %d %q", want.Code, want.Header().Get("Content-Type"))
	}
	for range 3 {
		got := q.send(rs.cached)
		if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") ||
			!bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Errorf("free-busy-query through the cache: %d %q\n%s\nwant\n%s", got.Code, got.Header().Get("Content-Type"), got.Body, want.Body)
		}
	}
	if n, _ := entries(t, rs.cached); n != 0 {
		t.Errorf("%d answers kept", n)
	}
	if got := strings.Join(rs.kinds, "|"); got != "free-busy-query|free-busy-query|free-busy-query" {
		t.Errorf("kinds %q", got)
	}
}

// TestAnswerCacheTooBigCopiesLittle: the first request of a view whose
// answer turns out too big to keep has cost no more than the size kept
// on top of a fresh answer: the copy aside stops at the bound. (The
// Flink Forward agenda's whole calendar with calendar-data is several
// chunks.)
func TestAnswerCacheTooBigCopiesLittle(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	q := davReq{"REPORT", cacheCalAll, "1", bodyQuery}
	size := q.send(newRenderingsOf(t, snap).fresh).Body.Len()
	bound := 2 * chunkSize
	if size < 4*chunkSize {
		t.Fatalf("answer of %d bytes: too small to show anything", size)
	}
	// allocated returns the bytes one request allocates on a view built
	// beforehand, into a writer that keeps nothing.
	allocated := func(h *Handler) uint64 {
		if _, err := h.view(); err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(q.method, q.path, strings.NewReader(q.body))
		r.Header.Set("Depth", q.depth)
		w := &countingWriter{header: http.Header{}}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		h.ServeHTTP(w, r)
		runtime.ReadMemStats(&after)
		if w.n != size {
			t.Fatalf("answer of %d bytes, want %d", w.n, size)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	// The least of a few tries each, against stray allocations.
	least := func(cached bool) uint64 {
		var m uint64
		for i := range 5 {
			rs := newRenderingsOf(t, snap)
			h := rs.fresh
			if cached {
				h = rs.cached
				h.answers.answer = bound
			}
			if n := allocated(h); i == 0 || n < m {
				m = n
			}
		}
		return m
	}
	fresh, cached := least(false), least(true)
	if cached > fresh+uint64(bound)+uint64(bound)/2+4<<10 {
		t.Errorf("a too-big answer of %d bytes (bound %d) allocated %d bytes, a fresh one %d", size, bound, cached, fresh)
	}
	t.Logf("answer of %d bytes, bound %d: %d bytes allocated with the cache, %d without", size, bound, cached, fresh)
}

// countingWriter counts what is written and keeps nothing.
type countingWriter struct {
	header http.Header
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(int)     {}
func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}

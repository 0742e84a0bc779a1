package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// captureWriter is a ResponseWriter that keeps the slices handed to Write,
// so a test can see whether they are the prepared bytes themselves.
type captureWriter struct {
	header http.Header
	status int
	writes [][]byte
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(status int) {
	c.status = status
}
func (c *captureWriter) Write(b []byte) (int, error) {
	c.writes = append(c.writes, b)
	return len(b), nil
}

// served sends a GET through h and returns the one slice written.
func served(t *testing.T, h http.Handler, target string, hdr ...string) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := &captureWriter{header: http.Header{}}
	h.ServeHTTP(w, req)
	if w.status != http.StatusOK || len(w.writes) != 1 {
		t.Fatalf("GET %s: status %d, %d writes; want 200 and one write", target, w.status, len(w.writes))
	}
	return w.writes[0]
}

func same(a, b []byte) bool {
	return len(a) == len(b) && unsafe.SliceData(a) == unsafe.SliceData(b)
}

func prepared(t *testing.T, snap *agenda.Snapshot, srv *Server) *revision {
	t.Helper()
	swap, err := srv.Prepare(snap)
	if err != nil {
		t.Fatal(err)
	}
	swap()
	return srv.cur.Load()
}

// TestServedFromMemory checks that requests write the bytes Prepare made —
// the same backing arrays, not fresh renderings — and that a repeated pick,
// however its query is spelled, is assembled once.
func TestServedFromMemory(t *testing.T) {
	srv := New(Config{BaseURL: "http://localhost:8080"})
	rev := prepared(t, agendatest.Small(t), srv)
	h := srv.Handler()

	for range 3 {
		if b := served(t, h, "/feeds/all.ics"); !same(b, rev.all.doc.Body) {
			t.Errorf("GET /feeds/all.ics did not write the prepared body")
		}
		if b := served(t, h, "/feeds/all.ics", "Accept-Encoding", "gzip"); !same(b, gzipped(t, rev.all)) {
			t.Errorf("GET /feeds/all.ics (gzip) did not write the prepared gzip copy")
		}
		if b := served(t, h, "/feeds/tracks/talks.ics"); !same(b, rev.tracks["talks"].doc.Body) {
			t.Errorf("GET /feeds/tracks/talks.ics did not write the prepared body")
		}
		if b := served(t, h, "/feeds"); !same(b, rev.list.doc.Body) {
			t.Errorf("GET /feeds did not write the prepared list")
		}
	}

	first := served(t, h, "/feeds/custom.ics?sessions=late-talk&tracks=keynote")
	for _, target := range []string{
		"/feeds/custom.ics?tracks=keynote&sessions=late-talk",
		"/feeds/custom.ics?sessions=late-talk,late-talk&tracks=keynote,",
		"/feeds/custom.ics?tracks=keynote&sessions=late-talk&sessions=late-talk",
	} {
		if b := served(t, h, target); !same(b, first) {
			t.Errorf("GET %s re-assembled a pick already served", target)
		}
	}
	if n := rev.custom.len(); n != 1 {
		t.Errorf("after four spellings of one pick: %d cached picks, want 1", n)
	}
	// Each spelling is remembered, so a repeat finds the pick without
	// parsing its query.
	for _, raw := range []string{"sessions=late-talk&tracks=keynote", "tracks=keynote&sessions=late-talk&sessions=late-talk"} {
		if f, ok := rev.custom.alias(raw); !ok || !same(f.doc.Body, first) {
			t.Errorf("raw query %q: cached %v, want the pick served", raw, ok)
		}
	}
	if _, ok := rev.custom.alias("sessions=nope"); ok {
		t.Error("a query never served is cached")
	}
	served(t, h, "/feeds/custom.ics?rooms=room-2")
	if n := rev.custom.len(); n != 2 {
		t.Errorf("after a second pick: %d cached picks, want 2", n)
	}
}

// TestPrepareReusesGzip checks that an edit recompresses only the feeds
// whose bytes changed, and keeps the others as they were.
func TestPrepareReusesGzip(t *testing.T) {
	srv := New(Config{BaseURL: "http://localhost:8080"})
	snap := agendatest.Small(t)
	rev1 := prepared(t, snap, srv)

	ed := snap.Edit("test", agendatest.Published.Add(time.Hour))
	title := "Late Talk, Renamed"
	if err := ed.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	next, err := ed.Commit()
	if err != nil {
		t.Fatal(err)
	}
	rev2 := prepared(t, next, srv)

	for _, tt := range []struct {
		name       string
		before     *feed
		after      *feed
		wantReused bool
	}{
		{"all", rev1.all, rev2.all, false},
		{"track talks", rev1.tracks["talks"], rev2.tracks["talks"], false},
		{"day 2019-10-09", rev1.days[agenda.Date{Year: 2019, Month: 10, Day: 9}], rev2.days[agenda.Date{Year: 2019, Month: 10, Day: 9}], false},
		{"track keynote", rev1.tracks["keynote"], rev2.tracks["keynote"], true},
		{"room room-1", rev1.rooms["room-1"], rev2.rooms["room-1"], true},
		{"session opening-keynote", rev1.sessions["opening-keynote"], rev2.sessions["opening-keynote"], true},
	} {
		if got := same(gzipped(t, tt.before), gzipped(t, tt.after)); got != tt.wantReused {
			t.Errorf("%s: gzip copy reused = %v, want %v", tt.name, got, tt.wantReused)
		}
		if got := tt.before.doc.ETag == tt.after.doc.ETag; got != tt.wantReused {
			t.Errorf("%s: ETag kept = %v, want %v", tt.name, got, tt.wantReused)
		}
		// An untouched feed is the previous revision's, as it was.
		if got := tt.before == tt.after; got != tt.wantReused {
			t.Errorf("%s: feed reused = %v, want %v", tt.name, got, tt.wantReused)
		}
	}
}

func TestPickCacheBound(t *testing.T) {
	c := newPickCache(2)
	a, b, d := &feed{id: "a"}, &feed{id: "b"}, &feed{id: "d"}
	c.add("a", a)
	c.add("b", b)
	if got := c.add("a", &feed{id: "a2"}); got != a {
		t.Errorf("add of a cached key returned a new feed, want the cached one")
	}
	c.add("d", d)
	if c.len() != 2 {
		t.Errorf("len = %d, want 2", c.len())
	}
	if _, ok := c.get("a"); ok {
		t.Errorf("oldest entry a still cached after a third add")
	}
	for _, k := range []string{"b", "d"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("entry %s evicted, want only a evicted", k)
		}
	}
}

func TestPickCacheAliasBound(t *testing.T) {
	c := newPickCache(2)
	a := &feed{id: "a"}
	for _, raw := range []string{"x=1", "x=2", "x=3", "x=3"} {
		c.addAlias(raw, a)
	}
	if len(c.aliases) != 2 || len(c.aliasOrder) != 2 {
		t.Errorf("%d aliases (%d in order), want 2", len(c.aliases), len(c.aliasOrder))
	}
	if _, ok := c.alias("x=1"); ok {
		t.Error("oldest alias still cached after a third")
	}
	if f, ok := c.alias("x=3"); !ok || f != a {
		t.Error("newest alias not cached")
	}
}

func TestEtagListMatches(t *testing.T) {
	const tag = `"0123abcd"`
	tests := []struct {
		list string
		want bool
	}{
		{tag, true},
		{"W/" + tag, true},
		{`"x",` + tag, true},
		{` "x" ,	W/"y", ` + tag + `,"z"`, true},
		{"*", true},
		{`"0123abc"`, false},
		{`0123abcd`, false},
		{`"x", 0123abcd, ` + tag, false}, // unreadable from the second element on
		{`"0123abcd`, false},
		{"", false},
		{",,,", false},
	}
	for _, tt := range tests {
		if got := etagListMatches(tt.list, tag); got != tt.want {
			t.Errorf("etagListMatches(%q, %s) = %v, want %v", tt.list, tag, got, tt.want)
		}
	}
}

// FuzzEtagListMatches: any If-None-Match value is read without panicking;
// a list that starts with the tag always matches; a list that mentions
// neither the tag's opaque part nor "*" never does.
func FuzzEtagListMatches(f *testing.F) {
	const tag = `"0123abcd"`
	f.Add(tag)                     // the tag itself
	f.Add(`W/"0123abcd"`)          // weak form
	f.Add(`"a", "b",W/"0123abcd"`) // a list
	f.Add(`*`)                     // any
	f.Add(`"unterminated`)         // malformed
	f.Add(`W/`)                    // a prefix with nothing after it
	f.Fuzz(func(t *testing.T, list string) {
		got := etagListMatches(list, tag)
		if !etagListMatches(tag+","+list, tag) {
			t.Errorf("etagListMatches(%q) = false for a list starting with the tag", tag+","+list)
		}
		if got && !strings.Contains(list, "0123abcd") && !strings.Contains(list, "*") {
			t.Errorf("etagListMatches(%q) = true, but the list does not name the tag", list)
		}
	})
}

// FuzzAcceptsGzip: any Accept-Encoding value is read without panicking;
// one that starts with plain "gzip" always allows it; one that names
// neither gzip nor "*" never does.
func FuzzAcceptsGzip(f *testing.F) {
	f.Add("gzip")                        // plain
	f.Add("gzip;q=0")                    // refused
	f.Add("br;q=1.0, *;q=0.5, gzip;q=0") // refused, with a wildcard that allows it
	f.Add("x-gzip; Q=0.3")               // alias, odd spacing and case
	f.Add("gzip;q=NaN")                  // unreadable weight
	f.Add(";;,,=")                       // junk
	f.Fuzz(func(t *testing.T, accept string) {
		got := acceptsGzip(accept)
		if !acceptsGzip("gzip," + accept) {
			t.Errorf("acceptsGzip(%q) = false", "gzip,"+accept)
		}
		if got && !strings.Contains(strings.ToLower(accept), "gzip") && !strings.Contains(accept, "*") {
			t.Errorf("acceptsGzip(%q) = true, but it names neither gzip nor *", accept)
		}
	})
}

// FuzzParsePick: any query either fails or yields a pick whose canonical
// form reads back as the same pick; resolving it against an agenda either
// fails or lists known sessions in agenda order, each once.
func FuzzParsePick(f *testing.F) {
	f.Add("sessions=late-talk,opening-keynote&tracks=keynote") // typical
	f.Add("days=2019-10-09&days=2019-10-08&rooms=room-2")      // repeated parameter
	f.Add("sessions=,,&tracks=")                               // empty items
	f.Add("speakers=jane")                                     // unknown parameter
	f.Add("days=2019-10-8")                                    // malformed day
	f.Add("sessions=a%20b,c+d")                                // spaces in names
	snap := agendatest.Small(f)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := ParsePick(q)
		if err != nil {
			return
		}
		c := p.canonical()
		q2, err := url.ParseQuery(c)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", c, raw, err)
		}
		p2, err := ParsePick(q2)
		if err != nil {
			t.Fatalf("canonical form %q of %q: %v", c, raw, err)
		}
		if c2 := p2.canonical(); c2 != c {
			t.Fatalf("canonical form of %q is %q, of that %q", raw, c, c2)
		}
		ids, err := p.Resolve(snap)
		if err != nil {
			return
		}
		all := snap.SessionIDs()
		last := -1
		for _, id := range ids {
			i := slices.Index(all, id)
			if i <= last {
				t.Fatalf("Resolve(%q) = %q: not known sessions in agenda order, each once", raw, ids)
			}
			last = i
		}
	})
}

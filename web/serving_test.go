package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/page"
	"confcal/seeds"
	"confcal/web"
)

// How the redesign serves feeds: views of the revision's rendered events,
// ETags from the events' hashes, one body cache bounded by bytes.

// withSpeakers returns agendatest.Small with speakers: Ada gives the
// opening keynote and, with Grace, State of State; Grace the closing
// keynote; Linus the late talk; Idle gives none.
func withSpeakers(tb testing.TB) *agenda.Snapshot {
	tb.Helper()
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "ada", Name: "Ada Lovelace"}, {ID: "grace", Name: "Grace Hopper"},
		{ID: "linus", Name: "Linus Torvalds"}, {ID: "idle", Name: "Idle Speaker"}}
	for i, x := range c.Sessions {
		switch x.ID {
		case opening:
			c.Sessions[i].Speakers = []string{"ada"}
		case state:
			c.Sessions[i].Speakers = []string{"ada", "grace"}
		case closing:
			c.Sessions[i].Speakers = []string{"grace"}
		case late:
			c.Sessions[i].Speakers = []string{"linus"}
		}
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// fetch GETs target through h and returns the response and its body,
// failing unless the status is want; hdr lists header names and values.
func fetch(tb testing.TB, h http.Handler, target string, want int, hdr ...string) (*http.Response, []byte) {
	tb.Helper()
	resp := do(tb, h, http.MethodGet, target, hdr...)
	b := body(tb, resp)
	if resp.StatusCode != want {
		tb.Fatalf("GET %s %q: status %d, want %d: %s", target, hdr, resp.StatusCode, want, b)
	}
	return resp, b
}

// The speaker feed serves the speaker's sessions, in agenda order, named
// after the speaker; it is listed in /feeds; a speaker's rename moves its
// feed and those sharing a session with the speaker (the sessions' own
// LastModified moves), no other; a session leaving a speaker's feed moves
// it too.
func TestSpeakerFeed(t *testing.T) {
	snap := withSpeakers(t)
	srv, h := serve(t, web.Config{}, snap)
	tests := []struct {
		id, name string
		ids      []string
	}{
		{"ada", "Test Conf 2019 — Ada Lovelace", []string{opening, state}},
		{"grace", "Test Conf 2019 — Grace Hopper", []string{state, closing}},
		{"linus", "Test Conf 2019 — Linus Torvalds", []string{late}},
		{"idle", "Test Conf 2019 — Idle Speaker", nil},
	}
	etags := map[string]string{}
	for _, tt := range tests {
		target := "/feeds/speakers/" + tt.id + ".ics"
		resp, b := fetch(t, h, target, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", target, ct)
		}
		cal := parse(t, b)
		if got := text(t, cal.Component, "NAME"); got != tt.name {
			t.Errorf("GET %s: NAME %q, want %q", target, got, tt.name)
		}
		if got := uids(t, cal); !slices.Equal(got, tt.ids) {
			t.Errorf("GET %s: events %q, want %q", target, got, tt.ids)
		}
		if len(tt.ids) > 0 && resp.Header.Get("Last-Modified") != agendatest.Published.Format(http.TimeFormat) {
			t.Errorf("GET %s: Last-Modified %q, want the sessions' %s", target, resp.Header.Get("Last-Modified"), agendatest.Published.Format(http.TimeFormat))
		}
		etags[tt.id] = resp.Header.Get("ETag")
		if r := do(t, h, http.MethodGet, target, "If-None-Match", etags[tt.id]); r.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: status %d, want 304", target, r.StatusCode)
		}
	}
	checkError(t, do(t, h, http.MethodGet, "/feeds/speakers/nobody.ics"), "/feeds/speakers/nobody.ics", http.StatusNotFound, `no speaker "nobody"`)

	// The feed list names them, with their URLs and event counts.
	var list web.FeedList
	if err := json.Unmarshal(body(t, do(t, h, http.MethodGet, "/feeds")), &list); err != nil {
		t.Fatal(err)
	}
	var speakers []string
	for _, f := range list.Feeds {
		if f.Kind == "speaker" {
			speakers = append(speakers, fmt.Sprintf("%s %s %d", f.ID, f.URL, f.Events))
		}
	}
	want := []string{"ada " + baseURL + "/feeds/speakers/ada.ics 2", "grace " + baseURL + "/feeds/speakers/grace.ics 2",
		"linus " + baseURL + "/feeds/speakers/linus.ics 1", "idle " + baseURL + "/feeds/speakers/idle.ics 0"}
	if !slices.Equal(speakers, want) {
		t.Errorf("speaker feeds listed %q, want %q", speakers, want)
	}

	// Ada is renamed: her feed changes name, ETag and Last-Modified;
	// Grace's changes with their shared session; Linus's stays as it was.
	renamed := agendatest.Published.Add(time.Hour)
	e := snap.Edit("test", renamed)
	if err := e.RenameSpeaker("ada", "Ada King"); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	publish(t, srv, next)
	resp, b := fetch(t, h, "/feeds/speakers/ada.ics", http.StatusOK, "If-None-Match", etags["ada"])
	if got := text(t, parse(t, b).Component, "NAME"); got != "Test Conf 2019 — Ada King" {
		t.Errorf("after the rename: NAME %q", got)
	}
	if got := resp.Header.Get("Last-Modified"); got != renamed.Format(http.TimeFormat) {
		t.Errorf("after the rename: Last-Modified %q, want the rename's %s", got, renamed.Format(http.TimeFormat))
	}
	resp, _ = fetch(t, h, "/feeds/speakers/grace.ics", http.StatusOK, "If-None-Match", etags["grace"])
	if got := resp.Header.Get("Last-Modified"); got != renamed.Format(http.TimeFormat) {
		t.Errorf("Grace's feed after Ada's rename: Last-Modified %q, want the rename's %s", got, renamed.Format(http.TimeFormat))
	}
	etags["grace"] = resp.Header.Get("ETag")
	fetch(t, h, "/feeds/speakers/linus.ics", http.StatusNotModified, "If-None-Match", etags["linus"])

	// State of State loses Grace: her feed loses it and is dated by the
	// change, though no session left in it changed.
	left := renamed.Add(time.Hour)
	e = next.Edit("test", left)
	if err := e.UpdateSession(state, agenda.SessionUpdate{Speakers: &[]string{"ada"}}); err != nil {
		t.Fatal(err)
	}
	if next, err = e.Commit(); err != nil {
		t.Fatal(err)
	}
	publish(t, srv, next)
	resp, b = fetch(t, h, "/feeds/speakers/grace.ics", http.StatusOK, "If-None-Match", etags["grace"])
	if got := uids(t, parse(t, b)); !slices.Equal(got, []string{closing}) {
		t.Errorf("Grace's feed after she left State of State: events %q, want %q", got, []string{closing})
	}
	if got := resp.Header.Get("Last-Modified"); got != left.Format(http.TimeFormat) {
		t.Errorf("Grace's feed after she left State of State: Last-Modified %q, want the change's %s", got, left.Format(http.TimeFormat))
	}
}

// A feed an edit did not touch keeps its ETag (both variants) and
// Last-Modified across revisions, and answers 304 to the old ETag; a feed
// the edit touched gets a new ETag and the edit's time as Last-Modified.
// The edits come through the admin API, as an organizer makes them.
func TestETagAcrossRevisions(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	targets := []string{"/feeds/all.ics", "/feeds/tracks/keynote.ics", "/feeds/tracks/talks.ics", "/feeds/rooms/room-1.ics",
		"/feeds/rooms/room-2.ics", "/feeds/days/2019-10-08.ics", "/feeds/days/2019-10-09.ics",
		"/feeds/sessions/" + opening + ".ics", "/feeds/sessions/" + streams + ".ics", "/feeds/sessions/" + state + ".ics",
		"/feeds/sessions/" + late + ".ics", "/feeds/sessions/" + closing + ".ics"}
	type seen struct{ etag, gzETag, lastMod string }
	look := func() map[string]seen {
		out := map[string]seen{}
		for _, target := range targets {
			plain, _ := fetch(t, e.h, target, http.StatusOK)
			gz, _ := fetch(t, e.h, target, http.StatusOK, "Accept-Encoding", "gzip")
			out[target] = seen{plain.Header.Get("ETag"), gz.Header.Get("ETag"), plain.Header.Get("Last-Modified")}
		}
		return out
	}
	steps := []struct {
		name, path, body string
		touched          []string
	}{
		{"new abstract of late-talk", "/api/sessions/" + late, `{"abstract": "Now with demos."}`, []string{"/feeds/all.ics",
			"/feeds/tracks/talks.ics", "/feeds/rooms/room-2.ics", "/feeds/days/2019-10-09.ics", "/feeds/sessions/" + late + ".ics"}},
		{"opening-keynote an hour later", "/api/sessions/" + opening, `{"start": "2019-10-08T12:00"}`, []string{"/feeds/all.ics",
			"/feeds/tracks/keynote.ics", "/feeds/rooms/room-1.ics", "/feeds/days/2019-10-08.ics", "/feeds/sessions/" + opening + ".ics"}},
	}
	before := look()
	for _, step := range steps {
		w := e.do("PATCH", step.path, step.body)
		wantStatus(t, w, http.StatusOK)
		at := e.svc.Current().Changed().Time.Format(http.TimeFormat)
		after := look()
		for _, target := range targets {
			old, now := before[target], after[target]
			if !slices.Contains(step.touched, target) {
				if now != old {
					t.Errorf("%s: %s, untouched, went from %+v to %+v", step.name, target, old, now)
				}
				fetch(t, e.h, target, http.StatusNotModified, "If-None-Match", old.etag)
				fetch(t, e.h, target, http.StatusNotModified, "If-None-Match", old.gzETag, "Accept-Encoding", "gzip")
				continue
			}
			if now.etag == old.etag || now.gzETag == old.gzETag {
				t.Errorf("%s: %s, touched, kept its ETag %s (gzip %s)", step.name, target, old.etag, old.gzETag)
			}
			if now.lastMod != at {
				t.Errorf("%s: %s, touched, Last-Modified %s, want the edit's %s", step.name, target, now.lastMod, at)
			}
			fetch(t, e.h, target, http.StatusOK, "If-None-Match", old.etag)
		}
		before = after
	}
}

// A pick's ETag follows the pick's events, not its spelling: every way of
// naming the same sessions gets the same ETag and body, and a 304 for any
// spelling's ETag, the stored pick of those sessions too; an edit of a
// session outside the pick leaves its ETag, one of a session in it
// changes it.
func TestPickETag(t *testing.T) {
	picks := page.NewMemoryPicks(10)
	e := newAPIEnv(t, web.Config{Token: token, Picks: picks})
	code, err := picks.Save(t.Context(), []string{late, state})
	if err != nil {
		t.Fatal(err)
	}
	spellings := []string{
		"/feeds/custom.ics?sessions=" + state + "," + late,
		"/feeds/custom.ics?sessions=" + late + "," + state,
		"/feeds/custom.ics?sessions=" + late + "&sessions=" + state + "," + late,
		"/feeds/custom.ics?rooms=room-2",
		"/feeds/custom.ics?rooms=room-2&sessions=" + late,
		"/feeds/my/" + code + ".ics",
	}
	first, want := fetch(t, e.h, spellings[0], http.StatusOK)
	etag := first.Header.Get("ETag")
	if got := uids(t, parse(t, want)); !slices.Equal(got, []string{state, late}) {
		t.Fatalf("GET %s: events %q", spellings[0], got)
	}
	for _, s := range spellings {
		resp, b := fetch(t, e.h, s, http.StatusOK)
		if got := resp.Header.Get("ETag"); got != etag || !bytes.Equal(b, want) {
			t.Errorf("GET %s: ETag %s, want %s, the ETag of %s; same body %v", s, got, etag, spellings[0], bytes.Equal(b, want))
		}
		for _, other := range spellings {
			o := do(t, e.h, http.MethodGet, other, "If-None-Match", etag)
			if o.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s with the ETag of %s: status %d, want 304", other, s, o.StatusCode)
			}
		}
	}
	// Other sessions, another ETag.
	if other := do(t, e.h, http.MethodGet, "/feeds/custom.ics?sessions="+late, "If-None-Match", etag); other.StatusCode != http.StatusOK || other.Header.Get("ETag") == etag {
		t.Errorf("a pick of other sessions: status %d, ETag %s, want 200 and an ETag of its own", other.StatusCode, other.Header.Get("ETag"))
	}

	wantStatus(t, e.do("PATCH", "/api/sessions/"+opening, `{"abstract": "Not in the pick."}`), http.StatusOK)
	for _, s := range spellings {
		fetch(t, e.h, s, http.StatusNotModified, "If-None-Match", etag)
	}
	wantStatus(t, e.do("PATCH", "/api/sessions/"+late, `{"title": "Later Talk"}`), http.StatusOK)
	var etag2 string
	for _, s := range spellings {
		resp, _ := fetch(t, e.h, s, http.StatusOK, "If-None-Match", etag)
		if etag2 == "" {
			etag2 = resp.Header.Get("ETag")
		}
		if got := resp.Header.Get("ETag"); got == etag || got != etag2 {
			t.Errorf("GET %s after an edit in the pick: ETag %s (before %s), want a new one shared by every spelling (%s)", s, got, etag, etag2)
		}
	}
}

// writeCounter is a ResponseWriter that counts what is written.
type writeCounter struct {
	h       http.Header
	status  []int
	writes  int
	written int
}

func (w *writeCounter) Header() http.Header    { return w.h }
func (w *writeCounter) WriteHeader(status int) { w.status = append(w.status, status) }
func (w *writeCounter) Write(b []byte) (int, error) {
	w.writes++
	w.written += len(b)
	return len(b), nil
}

// A 304 writes no body: no Write at all, one WriteHeader, for GET and
// HEAD, either encoding, every kind of feed and the feed list.
func TestNotModifiedWritesNoBody(t *testing.T) {
	picks := page.NewMemoryPicks(10)
	srv, _ := serve(t, web.Config{Picks: picks}, withSpeakers(t))
	h := srv.Handler(nil, nil)
	code, err := picks.Save(t.Context(), []string{late, opening})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/feeds", "/feeds/all.ics", "/feeds/tracks/talks.ics", "/feeds/rooms/room-1.ics",
		"/feeds/days/2019-10-09.ics", "/feeds/sessions/" + late + ".ics", "/feeds/speakers/ada.ics",
		"/feeds/custom.ics?tracks=keynote", "/feeds/my/" + code + ".ics", "/feeds/changes.atom"} {
		for _, accept := range []string{"", "gzip"} {
			resp, _ := fetch(t, h, target, http.StatusOK, "Accept-Encoding", accept)
			etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			conds := [][]string{{"If-None-Match", etag}}
			if lastMod != "" {
				conds = append(conds, []string{"If-Modified-Since", lastMod})
			}
			for _, cond := range conds {
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					req, err := http.NewRequest(method, target, nil)
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Accept-Encoding", accept)
					req.Header.Set(cond[0], cond[1])
					w := &writeCounter{h: http.Header{}}
					h.ServeHTTP(w, req)
					if !slices.Equal(w.status, []int{http.StatusNotModified}) || w.writes != 0 {
						t.Errorf("%s %s (%s, Accept-Encoding %q): statuses %v, %d writes of %d bytes; want one 304 and no write",
							method, target, cond[0], accept, w.status, w.writes, w.written)
					}
					if got := w.h.Get("ETag"); got != etag {
						t.Errorf("%s %s (%s): 304 with ETag %s, want %s", method, target, cond[0], got, etag)
					}
				}
			}
		}
	}
}

// The body cache is bounded by bytes (Config.FeedCache): with a bound
// smaller than most feeds, and one smaller than any, a server asked for
// every feed of a real agenda many times over, in both encodings and from
// many clients at once, keeps answering 200 with the very bodies and
// validators of a server with the default bound.
func TestFeedCacheBounded(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	_, ref := serve(t, web.Config{}, snap)
	var list web.FeedList
	if err := json.Unmarshal(body(t, do(t, ref, http.MethodGet, "/feeds")), &list); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		etag, gzETag string
		body         []byte
	}
	targets := []string{"/feeds", "/feeds/custom.ics?tracks=keynote&sessions=" + snap.SessionIDs()[0]}
	for _, f := range list.Feeds {
		targets = append(targets, f.URL[len(baseURL):])
	}
	want := map[string]answer{}
	total := 0
	for _, target := range targets {
		plain, b := fetch(t, ref, target, http.StatusOK)
		gz, _ := fetch(t, ref, target, http.StatusOK, "Accept-Encoding", "gzip")
		want[target] = answer{plain.Header.Get("ETag"), gz.Header.Get("ETag"), b}
		total += len(b)
	}
	if len(targets) < 50 {
		t.Fatalf("only %d feeds; the test wants many", len(targets))
	}
	for _, bound := range []int{1, 8 << 10} {
		t.Run(strconv.Itoa(bound), func(t *testing.T) {
			if bound*10 > total {
				t.Fatalf("a bound of %d bytes holds more than a tenth of the %d bytes of bodies", bound, total)
			}
			_, h := serve(t, web.Config{FeedCache: bound}, snap)
			const clients, rounds = 4, 3
			var wg sync.WaitGroup
			for c := range clients {
				wg.Go(func() {
					for r := range rounds {
						for i := range targets {
							// Each client walks the feeds in its own order.
							target := targets[(i*(c+1)+r)%len(targets)]
							gz := (i+c+r)%2 == 0
							if err := checkAnswer(h, target, gz, want[target].etag, want[target].gzETag, want[target].body); err != nil {
								t.Error(err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// checkAnswer fetches target (gzipped when gz) from h and says how the
// answer differs from a 200 with body and the given ETags.
func checkAnswer(h http.Handler, target string, gz bool, etag, gzETag string, want []byte) error {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
		etag = gzETag
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	b := w.Body.Bytes()
	switch {
	case w.Code != http.StatusOK:
		return fmt.Errorf("GET %s (gzip %v): status %d: %s", target, gz, w.Code, b)
	case w.Header().Get("ETag") != etag:
		return fmt.Errorf("GET %s (gzip %v): ETag %s, want %s", target, gz, w.Header().Get("ETag"), etag)
	case w.Header().Get("Content-Length") != strconv.Itoa(len(b)):
		return fmt.Errorf("GET %s (gzip %v): Content-Length %s for %d bytes", target, gz, w.Header().Get("Content-Length"), len(b))
	}
	if gz {
		if w.Header().Get("Content-Encoding") != "gzip" {
			return fmt.Errorf("GET %s: not gzipped", target)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("GET %s (gzip): %w", target, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return fmt.Errorf("GET %s (gzip): %w", target, err)
		}
	}
	if !bytes.Equal(b, want) {
		return fmt.Errorf("GET %s (gzip %v): the body differs from the reference server's (%d bytes, want %d)", target, gz, len(b), len(want))
	}
	return nil
}

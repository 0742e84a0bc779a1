package web_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/web"
)

// GET /api/changes?since=REV lists the changes after REV, raw and in
// words; a revision that is no number, negative or newer than the current
// one is a 400.
func TestAPIChangesSince(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	wantStatus(t, e.do("PATCH", "/api/sessions/state-of-state", `{"room": "room-1", "start": "2019-10-08T14:00"}`), 200)
	wantStatus(t, e.do("PATCH", "/api/sessions/late-talk", `{"title": "Later Talk"}`), 200)
	tests := []struct {
		query   string
		status  int
		changes int
		texts   []string
	}{
		{"", 200, 4, []string{"State of State moved from Room 2 to Room 1, Oct 8 10:30 → 14:00", "Late Talk renamed to Later Talk"}},
		{"?since=0", 200, 4, nil},
		{"?since=1", 200, 4, nil},
		{"?since=2", 200, 1, []string{"Late Talk renamed to Later Talk"}},
		{"?since=3", 200, 0, []string{}},
		{"?since=4", 400, 0, nil},
		{"?since=-1", 400, 0, nil},
		{"?since=two", 400, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			w := e.do("GET", "/api/changes"+tc.query, "")
			wantStatus(t, w, tc.status)
			if tc.status != 200 {
				return
			}
			ch := decodeBody[api.ChangeList](t, w)
			if ch.Revision != 3 || len(ch.Changes) != tc.changes {
				t.Errorf("revision %d with %d changes, want 3 with %d", ch.Revision, len(ch.Changes), tc.changes)
			}
			if tc.texts != nil {
				got := []string{}
				for _, s := range ch.Summaries {
					got = append(got, s.Text)
				}
				if strings.Join(got, "|") != strings.Join(tc.texts, "|") {
					t.Errorf("summaries %q, want %q", got, tc.texts)
				}
			}
		})
	}
}

// A revision after the one served, which another replica may have stored
// already, is waited for (briefly) before it is refused: the answer comes
// once the revision is served.
func TestAPIChangesSinceWaits(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	got := make(chan *httptest.ResponseRecorder)
	start := time.Now()
	go func() { got <- e.do("GET", "/api/changes?since=2", "") }()
	time.Sleep(200 * time.Millisecond)
	wantStatus(t, e.do("PATCH", "/api/sessions/late-talk", `{"title": "Later Talk"}`), 200)
	w := <-got
	wantStatus(t, w, 200)
	if ch := decodeBody[api.ChangeList](t, w); ch.Revision != 2 || ch.Since != 2 || len(ch.Changes) != 0 {
		t.Errorf("since 2 = %+v, want nothing after revision 2, at 2", ch)
	}
	if d := time.Since(start); d >= time.Second {
		t.Errorf("the answer came %v after the request, long after revision 2 was served", d)
	}
}

// A change log that starts after the revision asked for (the agenda was
// imported at revision 5) answers 410 Gone, saying where it starts.
func TestAPIChangesBeforeTheLog(t *testing.T) {
	seed := func() (*agenda.Snapshot, error) { return agenda.NewSnapshot(agendatest.SmallContents(), 5, 5, nil) }
	_, _, h := newLive(t, web.Config{Token: token}, memstore.New(), seed)
	w := send(h, http.MethodGet, "/api/changes?since=2", nil)
	wantStatus(t, w, http.StatusGone)
	if msg := errorOf(t, w); !strings.Contains(msg, "starts at revision 5") {
		t.Errorf("410 says %q, want where the log starts", msg)
	}
	w = send(h, http.MethodGet, "/api/changes?since=5", nil)
	wantStatus(t, w, http.StatusOK)
	if ch := decodeBody[api.ChangeList](t, w); ch.Revision != 5 || ch.Since != 5 || len(ch.Changes) != 0 {
		t.Errorf("since 5 = %+v, want nothing at revision 5", ch)
	}
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

// atomFeed is what the tests read of an Atom feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Author  string `xml:"author>name"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

// getAtom fetches the Atom feed of changes; headers come in name, value
// pairs.
func (e *apiEnv) getAtom(headers ...string) *httptest.ResponseRecorder {
	return send(e.h, http.MethodGet, "/feeds/changes.atom", nil, headers...)
}

func parseAtom(t *testing.T, w *httptest.ResponseRecorder) atomFeed {
	t.Helper()
	wantStatus(t, w, 200)
	if ct := w.Header().Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var f atomFeed
	if err := xml.Unmarshal(w.Body.Bytes(), &f); err != nil {
		t.Fatalf("Atom feed does not parse: %v", err)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated %q: %v", f.Updated, err)
	}
	return f
}

func TestAPIChangesAtom(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	empty := parseAtom(t, e.getAtom())
	if len(empty.Entries) != 0 || empty.ID != "tag:test.confcal.example,2019-10-08:changes" || empty.Title != "Test Conf 2019 — changes" {
		t.Errorf("feed before changes = %+v", empty)
	}
	wantStatus(t, e.do("PATCH", "/api/sessions/state-of-state", `{"room": "room-1", "start": "2019-10-08T14:00"}`), 200)
	wantStatus(t, e.do("PATCH", "/api/rooms/room-2", `{"name": "Kesselhaus"}`), 200)
	wantStatus(t, e.do("PATCH", "/api/sessions/late-talk", `{"status": "cancelled"}`, api.WhoHeader, "bob"), 200)

	w := e.getAtom()
	f := parseAtom(t, w)
	want := []struct{ id, title, author, link string }{
		{"tag:test.confcal.example,2019-10-08:changes/4/session/late-talk", "Late Talk cancelled (Oct 9 11:00–11:40, Kesselhaus)", "api:bob", baseURL + "/sessions/late-talk"},
		{"tag:test.confcal.example,2019-10-08:changes/3/room/room-2", "Room 2 renamed to Kesselhaus", "api", baseURL + "/feeds/rooms/room-2.ics"},
		{"tag:test.confcal.example,2019-10-08:changes/2/session/state-of-state", "State of State moved from Room 2 to Room 1, Oct 8 10:30 → 14:00", "api", baseURL + "/sessions/state-of-state"},
	}
	if len(f.Entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(f.Entries), len(want), f.Entries)
	}
	for i, w := range want {
		got := f.Entries[i]
		if got.ID != w.id || got.Title != w.title || got.Author != w.author || got.Link.Href != w.link || !strings.HasPrefix(got.Content, w.title) {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
		if _, err := time.Parse(time.RFC3339, got.Updated); err != nil {
			t.Errorf("entry %d updated %q: %v", i, got.Updated, err)
		}
	}
	if f.Updated != f.Entries[0].Updated {
		t.Errorf("feed updated %s, want the newest entry's %s", f.Updated, f.Entries[0].Updated)
	}
	if got := w.Header().Get(api.RevisionHeader); got != "4" {
		t.Errorf("%s %q, want 4", api.RevisionHeader, got)
	}
	if lm, err := http.ParseTime(w.Header().Get("Last-Modified")); err != nil || lm.UTC().Format(time.RFC3339) != f.Updated {
		t.Errorf("Last-Modified %q (%v), want the feed's updated %s", w.Header().Get("Last-Modified"), err, f.Updated)
	}
	if !slices.ContainsFunc(f.Links, func(l atomLink) bool { return l.Rel == "self" && l.Href == baseURL+"/feeds/changes.atom" }) {
		t.Errorf("links %+v, want a self link to %s/feeds/changes.atom", f.Links, baseURL)
	}
	etag := w.Header().Get("ETag")
	if w := e.getAtom("If-None-Match", etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current ETag: %d with %d bytes, want 304 without a body", w.Code, w.Body.Len())
	}
	// A restarted server (the same store) serves the same feed.
	_, _, again := newLive(t, web.Config{}, e.store, nil)
	if got := send(again, http.MethodGet, "/feeds/changes.atom", nil); got.Code != http.StatusOK || got.Body.String() != w.Body.String() {
		t.Errorf("after a restart: status %d, body\n%s\nwant the same feed as before:\n%s", got.Code, got.Body, w.Body)
	}
	// An entry keeps its id and text when later changes come.
	wantStatus(t, e.do("PATCH", "/api/sessions/late-talk", `{"title": "Later Talk"}`), 200)
	later := parseAtom(t, e.getAtom())
	if len(later.Entries) != 4 || later.Entries[1].ID != f.Entries[0].ID || later.Entries[1].Title != f.Entries[0].Title {
		t.Errorf("after another change, entries %+v", later.Entries)
	}
	if w := e.getAtom("If-None-Match", etag); w.Code != http.StatusOK {
		t.Errorf("If-None-Match with the ETag before the change: %d, want 200", w.Code)
	}
	rec := send(e.h, http.MethodPost, "/feeds/changes.atom", nil)
	wantStatus(t, rec, 405)
	if allow := rec.Header().Values("Allow"); !slices.Equal(allow, []string{"GET", "HEAD"}) {
		t.Errorf("405 with Allow %q, want GET and HEAD", allow)
	}
}

// longHistory returns the route table and the service of an agenda
// edited n times after Small, a revision each (moves, retimes and new
// abstracts in turn).
func longHistory(tb testing.TB, n int) (http.Handler, *agenda.Service) {
	tb.Helper()
	s := agendatest.Small(tb)
	at := time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		e := s.Edit("seed", at.Add(time.Duration(i)*time.Second))
		var err error
		switch i % 3 {
		case 0:
			room := []string{"room-1", "room-2"}[i/3%2]
			err = e.UpdateSession("late-talk", agenda.SessionUpdate{Room: &room})
		case 1:
			start := agendatest.At(9, 9+i/3%2, 0)
			end := start.Add(40 * time.Minute)
			err = e.UpdateSession("late-talk", agenda.SessionUpdate{Start: &start, End: &end})
		case 2:
			abstract := fmt.Sprintf("Take %d.", i)
			err = e.UpdateSession("streams-everywhere", agenda.SessionUpdate{Abstract: &abstract})
		}
		if err != nil {
			tb.Fatalf("edit %d: %v", i, err)
		}
		if s, err = e.Commit(); err != nil {
			tb.Fatalf("commit %d: %v", i, err)
		}
	}
	_, svc, h := newLive(tb, web.Config{Token: token}, memstore.New(), func() (*agenda.Snapshot, error) { return s, nil })
	return h, svc
}

// atomEntries is how many summaries, newest first, the Atom feed carries.
const atomEntries = 100

// The Atom feed carries the newest atomEntries summaries, newest first,
// and /changes?since= the summaries after a revision, whatever the log's
// length.
func TestAPILongChangeLog(t *testing.T) {
	const n = 150
	h, _ := longHistory(t, n)
	f := parseAtom(t, send(h, http.MethodGet, "/feeds/changes.atom", nil))
	if len(f.Entries) != atomEntries {
		t.Fatalf("%d entries, want %d", len(f.Entries), atomEntries)
	}
	for i, e := range f.Entries {
		rev := n + 1 - i
		if want := fmt.Sprintf("/%d/session/", rev); !strings.Contains(e.ID, want) {
			t.Errorf("entry %d id %s, want revision %d", i, e.ID, rev)
			break
		}
	}
	w := send(h, http.MethodGet, fmt.Sprintf("/api/changes?since=%d", n-2), nil)
	wantStatus(t, w, 200)
	ch := decodeBody[api.ChangeList](t, w)
	if len(ch.Changes) != 4 || len(ch.Summaries) != 3 || ch.Summaries[0].Revision != n-1 || ch.Summaries[2].Revision != n+1 {
		t.Errorf("since %d: %d changes, summaries %+v; want revisions %d to %d", n-2, len(ch.Changes), ch.Summaries, n-1, n+1)
	}
}

// BenchmarkAPIChangesAfterEdit is what each revision costs the change log's
// readers: an edit, then the first GET /changes?since= and GET
// /feeds/changes.atom of the new revision. It grows linearly with the log.
func BenchmarkAPIChangesAfterEdit(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			h, svc := longHistory(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				abstract := fmt.Sprint(i)
				snap, _, err := svc.Change(b.Context(), "bench", func(e *agenda.Editor) error {
					return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: &abstract})
				})
				if err != nil {
					b.Fatal(err)
				}
				if w := send(h, http.MethodGet, fmt.Sprintf("/api/changes?since=%d", snap.Revision()-50), nil); w.Code != 200 {
					b.Fatal(w.Body)
				}
				if w := send(h, http.MethodGet, "/feeds/changes.atom", nil); w.Code != 200 {
					b.Fatal(w.Body)
				}
			}
		})
	}
}

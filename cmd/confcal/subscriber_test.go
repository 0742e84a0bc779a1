package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/api"
	"confcal/web"
)

const stackBase = "http://confcal.test" // the public URL; requests go to the test server

// stack is the whole server as serve wires it — SQLite store, agenda
// service, web (feeds, CalDAV, the admin API and the Atom feed), ops
// endpoints — run by the real program (`confcal serve`) on a data
// directory, with stackBase as its public URL.
type stack struct {
	t      *testing.T
	url    string // where requests go: http://127.0.0.1:PORT
	cancel context.CancelFunc
	done   <-chan error
}

func newStack(t *testing.T, data string) *stack {
	t.Helper()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, _, cancel, done := startServe(t, "-addr", "127.0.0.1:0", "-data", data, "-base-url", stackBase,
		"-admin-token-file", tokenFile)
	s := &stack{t: t, url: "http://" + addr, cancel: cancel, done: done}
	t.Cleanup(s.close)
	return s
}

// close stops the server and waits until it has shut down (and closed
// the store).
func (s *stack) close() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		s.t.Error("serve did not stop within 20s")
	}
}

// revision is the revision the server serves, as its API says.
func (s *stack) revision() int64 {
	s.t.Helper()
	var list api.ChangeList
	getJSON(s.t, s.url+"/api/changes", &list)
	return list.Revision
}

const token = "subscriber-test-token"

// do sends a request to the stack and returns the response with its body read.
func (s *stack) do(method, path, body string, headers ...string) (*http.Response, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, b
}

func (s *stack) patch(id, body string) {
	s.t.Helper()
	resp, b := s.do("PATCH", "/api/sessions/"+id, body, "Authorization", "Bearer "+token, "Content-Type", "application/json")
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("PATCH %s %s: %d %s", id, body, resp.StatusCode, b)
	}
}

// doc is a published document's bytes and ETag.
type doc struct {
	body []byte
	etag string
}

// feeds fetches every feed the feed list names, and the list itself.
func (s *stack) feeds() map[string]doc {
	s.t.Helper()
	out := map[string]doc{}
	resp, b := s.do("GET", "/feeds", "")
	out["/feeds"] = doc{b, resp.Header.Get("ETag")}
	var list web.FeedList
	if err := json.Unmarshal(b, &list); err != nil {
		s.t.Fatalf("GET /feeds: %v", err)
	}
	for _, f := range list.Feeds {
		path := strings.TrimPrefix(f.URL, stackBase)
		resp, b := s.do("GET", path, "")
		if resp.StatusCode != http.StatusOK {
			s.t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		out[path] = doc{b, resp.Header.Get("ETag")}
	}
	return out
}

// event returns the VEVENT of session id in an .ics body, or nil.
func event(t *testing.T, body []byte, id string) *goical.Event {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	for _, ev := range cal.Events() {
		if uid, _ := ev.Props.Text(goical.PropUID); uid == id+"@berlin-2019.flink-forward.org" {
			return &ev
		}
	}
	return nil
}

func prop(ev *goical.Event, name string) string {
	if p := ev.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

// multistatus is the part of a sync-collection answer the tests read.
type multistatus struct {
	Responses []struct {
		Href   string `xml:"href"`
		Status string `xml:"status"`
	} `xml:"DAV: response"`
	SyncToken string `xml:"DAV: sync-token"`
}

// sync sends a sync-collection REPORT for calendar cal with token and
// returns the hrefs reported (with "404" after removed ones) and the new
// token.
func (s *stack) sync(cal, tok string) ([]string, string) {
	s.t.Helper()
	var esc strings.Builder
	xml.EscapeText(&esc, []byte(tok))
	body := `<?xml version="1.0" encoding="utf-8"?><sync-collection xmlns="DAV:"><sync-token>` + esc.String() +
		`</sync-token><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>`
	resp, b := s.do("REPORT", "/dav/public/calendars/"+cal+"/", body, "Depth", "0", "Content-Type", "application/xml")
	if resp.StatusCode != http.StatusMultiStatus {
		s.t.Fatalf("sync-collection on %s: %d %s", cal, resp.StatusCode, b)
	}
	var ms multistatus
	if err := xml.Unmarshal(b, &ms); err != nil {
		s.t.Fatalf("sync-collection on %s: %v", cal, err)
	}
	var hrefs []string
	for _, r := range ms.Responses {
		h := r.Href
		if strings.Contains(r.Status, " 404 ") {
			h += " 404"
		}
		hrefs = append(hrefs, h)
	}
	slices.Sort(hrefs)
	return hrefs, ms.SyncToken
}

// calendars names every CalDAV calendar of the built-in agenda.
func (s *stack) calendars() []string {
	s.t.Helper()
	var tracks api.TrackList
	getJSON(s.t, s.url+"/api/tracks", &tracks)
	var rooms api.RoomList
	getJSON(s.t, s.url+"/api/rooms", &rooms)
	cals := []string{"all"}
	for _, t := range tracks.Tracks {
		cals = append(cals, "track-"+t.ID)
	}
	for _, r := range rooms.Rooms {
		cals = append(cals, "room-"+r.ID)
	}
	if len(tracks.Tracks) == 0 || len(rooms.Rooms) == 0 {
		s.t.Fatalf("the API lists %d tracks and %d rooms", len(tracks.Tracks), len(rooms.Rooms))
	}
	return cals
}

// TestSubscriberView makes the four changes organizers make — a move, a
// retime, a rename and a cancel — through the admin API, and checks what
// subscribers see right after each reply: the affected feeds show the new
// state with SEQUENCE raised, every other feed keeps its bytes and ETag,
// and CalDAV sync-collection reports exactly the changed session in exactly
// the calendars it entered, left or changed in.
func TestSubscriberView(t *testing.T) {
	s := newStack(t, filepath.Join(t.TempDir(), "data"))
	tokens := map[string]string{}
	for _, c := range s.calendars() {
		_, tokens[c] = s.sync(c, "")
	}
	before := s.feeds()

	const day8, day9 = "/feeds/days/2019-10-08.ics", "/feeds/days/2019-10-09.ics"
	tests := []struct {
		name  string
		id    string
		patch string
		feeds []string // the feeds that change, besides /feeds and the session's own
		dav   []string // calendars that report the session; "cal 404" for removed
		check func(ev *goical.Event, feeds map[string]doc)
		seq   string
	}{
		{
			name: "move", id: "flinks-new-batch-architecture", patch: `{"room": "room-5", "start": "2019-10-08T18:00"}`,
			feeds: []string{"/feeds/all.ics", "/feeds/tracks/technology-deep-dive.ics", "/feeds/rooms/room-1.ics", "/feeds/rooms/room-5.ics", day8},
			dav:   []string{"all", "room-room-1 404", "room-room-5", "track-technology-deep-dive"},
			seq:   "1",
			check: func(ev *goical.Event, feeds map[string]doc) {
				if prop(ev, "LOCATION") != "Room 5" || prop(ev, "DTSTART") != "20191008T180000" || prop(ev, "DTEND") != "20191008T184000" {
					t.Errorf("moved event: LOCATION %q, DTSTART %q, DTEND %q", prop(ev, "LOCATION"), prop(ev, "DTSTART"), prop(ev, "DTEND"))
				}
				if event(t, feeds["/feeds/rooms/room-1.ics"].body, "flinks-new-batch-architecture") != nil {
					t.Error("the moved session is still in its old room's feed")
				}
				if event(t, feeds["/feeds/rooms/room-5.ics"].body, "flinks-new-batch-architecture") == nil {
					t.Error("the moved session is not in its new room's feed")
				}
			},
		},
		{
			name: "retime", id: "towards-more-efficient-and-adaptive-scheduling-for-flink-batch", patch: `{"end": "2019-10-08T17:25"}`,
			feeds: []string{"/feeds/all.ics", "/feeds/tracks/technology-deep-dive.ics", "/feeds/rooms/room-1.ics", day8},
			dav:   []string{"all", "room-room-1", "track-technology-deep-dive"},
			seq:   "1",
			check: func(ev *goical.Event, _ map[string]doc) {
				if prop(ev, "DTSTART") != "20191008T170000" || prop(ev, "DTEND") != "20191008T172500" {
					t.Errorf("retimed event: DTSTART %q, DTEND %q", prop(ev, "DTSTART"), prop(ev, "DTEND"))
				}
			},
		},
		{
			name: "rename", id: "enabling-machine-learning-with-apache-flink", patch: `{"title": "Machine Learning with Apache Flink"}`,
			feeds: []string{"/feeds/all.ics", "/feeds/tracks/use-case.ics", "/feeds/rooms/room-1.ics", day9},
			dav:   []string{"all", "room-room-1", "track-use-case"},
			seq:   "1",
			check: func(ev *goical.Event, _ map[string]doc) {
				if s, _ := ev.Props.Text(goical.PropSummary); s != "Machine Learning with Apache Flink" {
					t.Errorf("renamed event: SUMMARY %q", s)
				}
			},
		},
		{
			name: "cancel", id: "apache-flink-worst-practices", patch: `{"status": "cancelled"}`,
			feeds: []string{"/feeds/all.ics", "/feeds/tracks/operations.ics", "/feeds/rooms/room-1.ics", day8},
			dav:   []string{"all 404", "room-room-1 404", "track-operations 404"},
			seq:   "1",
			check: func(ev *goical.Event, _ map[string]doc) {
				if s, _ := ev.Props.Text(goical.PropSummary); prop(ev, "STATUS") != "CANCELLED" || s != "Cancelled: Apache Flink Worst Practices" {
					t.Errorf("cancelled event: STATUS %q, SUMMARY %q", prop(ev, "STATUS"), s)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.patch(tc.id, tc.patch)
			after := s.feeds()
			want := append([]string{"/feeds", "/feeds/sessions/" + tc.id + ".ics"}, tc.feeds...)
			var changed []string
			for path, d := range after {
				b, ok := before[path]
				switch {
				case !ok:
					t.Errorf("%s appeared", path)
				case !bytes.Equal(b.body, d.body) && b.etag == d.etag:
					t.Errorf("%s: new bytes under the old ETag %s", path, d.etag)
				case !bytes.Equal(b.body, d.body):
					changed = append(changed, path)
				case b.etag != d.etag:
					t.Errorf("%s: same bytes, new ETag", path)
				}
			}
			slices.Sort(changed)
			slices.Sort(want)
			if !slices.Equal(changed, want) {
				t.Errorf("feeds changed:\n%q\nwant\n%q", changed, want)
			}
			for _, path := range want {
				if !strings.HasSuffix(path, ".ics") {
					continue
				}
				ev := event(t, after[path].body, tc.id)
				if ev == nil {
					continue // left this feed (checked by the case)
				}
				if got := prop(ev, "SEQUENCE"); got != tc.seq {
					t.Errorf("%s: SEQUENCE %q, want %q", path, got, tc.seq)
				}
				old := event(t, before[path].body, tc.id)
				if old != nil && prop(old, "LAST-MODIFIED") == prop(ev, "LAST-MODIFIED") {
					t.Errorf("%s: LAST-MODIFIED unchanged (%s)", path, prop(ev, "LAST-MODIFIED"))
				}
				if prop(ev, "DTSTAMP") != prop(ev, "LAST-MODIFIED") {
					t.Errorf("%s: DTSTAMP %s, want the change's time %s", path, prop(ev, "DTSTAMP"), prop(ev, "LAST-MODIFIED"))
				}
			}
			tc.check(event(t, after["/feeds/sessions/"+tc.id+".ics"].body, tc.id), after)

			var reported []string
			for _, c := range s.calendars() {
				hrefs, tok := s.sync(c, tokens[c])
				if len(hrefs) == 0 && tok != tokens[c] {
					t.Errorf("%s: sync-token moved from %s to %s with nothing to report", c, tokens[c], tok)
				}
				for _, h := range hrefs {
					rest, ok := strings.CutPrefix(h, "/dav/public/calendars/"+c+"/"+tc.id+".ics")
					if !ok {
						t.Errorf("%s reports %s, want only %s", c, h, tc.id)
					}
					reported = append(reported, c+rest)
				}
				tokens[c] = tok
			}
			slices.Sort(reported)
			if !slices.Equal(reported, tc.dav) {
				t.Errorf("sync-collection reports %q, want %q", reported, tc.dav)
			}
			before = after
		})
	}
}

// TestRestartServesIdenticalFeeds: a restart loads the store and serves the
// same revision byte for byte — feeds, ETags, CalDAV sync tokens, the API
// and the Atom feed.
func TestRestartServesIdenticalFeeds(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := newStack(t, data)
	s.patch("flinks-new-batch-architecture", `{"room": "room-5", "start": "2019-10-08T18:00"}`)
	s.patch("apache-flink-worst-practices", `{"status": "cancelled"}`)
	resp, _ := s.do("PATCH", "/api/rooms/room-2", `{"name": "Kesselhaus"}`, "Authorization", "Bearer "+token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("renaming room-2: %d", resp.StatusCode)
	}
	capture := func(s *stack) map[string]doc {
		out := s.feeds()
		for _, path := range []string{"/feeds/changes.atom", "/api/sessions", "/api/rooms", "/api/changes",
			"/dav/public/calendars/all/flinks-new-batch-architecture.ics"} {
			resp, b := s.do("GET", path, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			out[path] = doc{b, resp.Header.Get("ETag") + " rev " + resp.Header.Get(api.RevisionHeader)}
		}
		for _, c := range s.calendars() {
			_, tok := s.sync(c, "")
			out["sync "+c] = doc{[]byte(tok), ""}
		}
		return out
	}
	first := capture(s)
	if s.revision() != 4 {
		t.Fatalf("revision %d before the restart, want 4", s.revision())
	}
	s.close()

	again := newStack(t, data)
	if again.revision() != 4 {
		t.Fatalf("revision %d after the restart, want 4", again.revision())
	}
	second := capture(again)
	if len(second) != len(first) {
		t.Errorf("%d documents after the restart, %d before", len(second), len(first))
	}
	for path, d := range first {
		if e := second[path]; !bytes.Equal(d.body, e.body) || d.etag != e.etag {
			t.Errorf("%s differs after the restart (ETag %s → %s)", path, d.etag, e.etag)
		}
	}
}

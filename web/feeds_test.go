package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"
)

func TestFeeds(t *testing.T) {
	_, h := newServer(t)
	const keynote, talks = "indianred #D1495B", "teal #00798C" // the tracks' colours: COLOR, X-APPLE-CALENDAR-COLOR
	tests := []struct {
		target string
		name   string
		ids    []string
		color  string // COLOR and X-APPLE-CALENDAR-COLOR; "": neither
	}{
		{"/feeds/all.ics", "Test Conf 2019", []string{opening, streams, state, late, closing}, ""},
		{"/feeds/tracks/keynote.ics", "Test Conf 2019 — Keynote", []string{opening, closing}, keynote},
		{"/feeds/tracks/talks.ics", "Test Conf 2019 — Talks", []string{streams, state, late}, talks},
		{"/feeds/rooms/room-1.ics", "Test Conf 2019 — Room 1", []string{opening, streams, closing}, ""},
		{"/feeds/rooms/room-2.ics", "Test Conf 2019 — Room 2", []string{state, late}, ""},
		{"/feeds/days/2019-10-08.ics", "Test Conf 2019 — Tuesday, 8 October 2019", []string{opening, streams, state}, ""},
		{"/feeds/days/2019-10-09.ics", "Test Conf 2019 — Wednesday, 9 October 2019", []string{late, closing}, ""},
		{"/feeds/sessions/late-talk.ics", "Test Conf 2019 — Late Talk", []string{late}, talks},
		{"/feeds/sessions/opening-keynote.ics", "Test Conf 2019 — Opening Keynote", []string{opening}, keynote},
		{"/feeds/sessions/streams-everywhere.ics", "Test Conf 2019 — Streams Everywhere", []string{streams}, talks},
		// Personal picks: the union of what is named, in agenda order, once each.
		{"/feeds/custom.ics?sessions=late-talk,opening-keynote&tracks=keynote", "Test Conf 2019 — My agenda", []string{opening, late, closing}, ""},
		{"/feeds/custom.ics?days=2019-10-09&rooms=room-1", "Test Conf 2019 — My agenda", []string{opening, streams, late, closing}, ""},
		{"/feeds/custom.ics?sessions=late-talk&sessions=late-talk,,state-of-state", "Test Conf 2019 — My agenda", []string{state, late}, ""},
		{"/feeds/custom.ics?tracks=talks&days=2019-10-08", "Test Conf 2019 — My agenda", []string{opening, streams, state, late}, ""},
		{"/feeds/custom.ics?rooms=room-2,room-1", "Test Conf 2019 — My agenda", []string{opening, streams, state, late, closing}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp := do(t, h, http.MethodGet, tt.target)
			b := body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status %d, want 200: %s", tt.target, resp.StatusCode, b)
			}
			wantHeaders := map[string]string{
				"Content-Type":   "text/calendar; charset=utf-8",
				"Cache-Control":  "public, max-age=300",
				"Vary":           "Accept-Encoding",
				"Last-Modified":  agendatest.Published.Format(http.TimeFormat),
				"Content-Length": strconv.Itoa(len(b)),
			}
			for k, want := range wantHeaders {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("GET %s: %s = %q, want %q", tt.target, k, got, want)
				}
			}
			if etag := resp.Header.Get("ETag"); len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
				t.Errorf("GET %s: ETag %q is not a quoted strong validator", tt.target, etag)
			}
			cal := parse(t, b)
			if got := text(t, cal.Component, "NAME"); got != tt.name {
				t.Errorf("GET %s: NAME = %q, want %q", tt.target, got, tt.name)
			}
			if got := text(t, cal.Component, "X-WR-CALNAME"); got != tt.name {
				t.Errorf("GET %s: X-WR-CALNAME = %q, want %q", tt.target, got, tt.name)
			}
			if got := uids(t, cal); !slices.Equal(got, tt.ids) {
				t.Errorf("GET %s: events %q, want %q", tt.target, got, tt.ids)
			}
			// A feed of one track (a track's, a session's) has the track's
			// colour; the whole conference, rooms, days and picks none.
			var color []string
			for _, name := range []string{goical.PropColor, "X-APPLE-CALENDAR-COLOR"} {
				if cal.Props.Get(name) != nil {
					color = append(color, text(t, cal.Component, name))
				}
			}
			if got := strings.Join(color, " "); got != tt.color {
				t.Errorf("GET %s: COLOR and X-APPLE-CALENDAR-COLOR %q, want %q", tt.target, got, tt.color)
			}
		})
	}
}

// TestExport checks that Export yields the very documents the server
// publishes for the same pick.
func TestExport(t *testing.T) {
	srv, h := newServer(t)
	tests := []struct {
		target string
		pick   web.Pick
	}{
		{"/feeds/all.ics", web.Pick{}},
		{"/feeds/custom.ics?tracks=keynote&sessions=late-talk", web.Pick{Tracks: []string{"keynote"}, Sessions: []string{"late-talk"}}},
	}
	for _, tt := range tests {
		c, err := web.Export(srv.Current(), tt.pick)
		if err != nil {
			t.Fatalf("Export(%+v): %v", tt.pick, err)
		}
		resp := do(t, h, http.MethodGet, tt.target)
		if got := body(t, resp); !bytes.Equal(got, c.Bytes()) {
			t.Errorf("Export(%+v) differs from GET %s:\n%s\nvs\n%s", tt.pick, tt.target, c.Bytes(), got)
		}
		if got := resp.Header.Get("ETag"); got != c.ETag() {
			t.Errorf("GET %s: ETag %s, Export's %s", tt.target, got, c.ETag())
		}
		if got, want := resp.Header.Get("Last-Modified"), c.Modified().Format(http.TimeFormat); got != want {
			t.Errorf("GET %s: Last-Modified %s, Export's %s", tt.target, got, want)
		}
	}
	if _, err := web.Export(srv.Current(), web.Pick{Rooms: []string{"kesselhaus"}}); err == nil || !strings.Contains(err.Error(), `"kesselhaus"`) {
		t.Errorf("Export(unknown room) = %v, want an error naming the room", err)
	}
}

func TestConditional(t *testing.T) {
	_, h := newServer(t)
	for _, target := range []string{"/feeds/all.ics", "/feeds/tracks/talks.ics", "/feeds/custom.ics?sessions=late-talk", "/feeds"} {
		first := do(t, h, http.MethodGet, target)
		etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		gzResp := do(t, h, http.MethodGet, target, "Accept-Encoding", "gzip")
		gzETag := gzResp.Header.Get("ETag")
		if etag == "" || lastMod == "" || gzETag == "" || gzETag == etag {
			t.Fatalf("GET %s: ETag %q, gzip ETag %q, Last-Modified %q: want all set and the ETags distinct", target, etag, gzETag, lastMod)
		}
		mod, err := http.ParseTime(lastMod)
		if err != nil {
			t.Fatalf("GET %s: Last-Modified %q: %v", target, lastMod, err)
		}
		tests := []struct {
			name string
			hdr  []string
			want int
		}{
			{"INM exact", []string{"If-None-Match", etag}, http.StatusNotModified},
			{"INM list", []string{"If-None-Match", `"other", ` + etag + `, "more"`}, http.StatusNotModified},
			{"INM weak", []string{"If-None-Match", "W/" + etag}, http.StatusNotModified},
			{"INM star", []string{"If-None-Match", "*"}, http.StatusNotModified},
			{"INM two fields", []string{"If-None-Match", `"other"`, "If-None-Match", etag}, http.StatusNotModified},
			{"INM other", []string{"If-None-Match", `"other"`}, http.StatusOK},
			{"INM unquoted", []string{"If-None-Match", strings.Trim(etag, `"`)}, http.StatusOK},
			{"INM gzip tag, identity wanted", []string{"If-None-Match", gzETag}, http.StatusOK},
			{"INM gzip tag, gzip wanted", []string{"If-None-Match", gzETag, "Accept-Encoding", "gzip"}, http.StatusNotModified},
			{"INM identity tag, gzip wanted", []string{"If-None-Match", etag, "Accept-Encoding", "gzip"}, http.StatusOK},
			{"IMS equal", []string{"If-Modified-Since", lastMod}, http.StatusNotModified},
			{"IMS later", []string{"If-Modified-Since", mod.Add(time.Hour).Format(http.TimeFormat)}, http.StatusNotModified},
			{"IMS earlier", []string{"If-Modified-Since", mod.Add(-time.Second).Format(http.TimeFormat)}, http.StatusOK},
			{"IMS malformed", []string{"If-Modified-Since", "yesterday"}, http.StatusOK},
			{"INM beats IMS", []string{"If-None-Match", `"other"`, "If-Modified-Since", lastMod}, http.StatusOK},
		}
		for _, tt := range tests {
			t.Run(target+"/"+tt.name, func(t *testing.T) {
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					resp := do(t, h, method, target, tt.hdr...)
					b := body(t, resp)
					if resp.StatusCode != tt.want {
						t.Fatalf("%s %s %q: status %d, want %d", method, target, tt.hdr, resp.StatusCode, tt.want)
					}
					if tt.want != http.StatusNotModified {
						continue
					}
					if len(b) != 0 {
						t.Errorf("%s %s %q: 304 with a %d-byte body", method, target, tt.hdr, len(b))
					}
					wantETag := etag
					if slices.Contains(tt.hdr, "gzip") {
						wantETag = gzETag
					}
					if got := resp.Header.Get("ETag"); got != wantETag {
						t.Errorf("%s %s %q: 304 with ETag %s, want %s", method, target, tt.hdr, got, wantETag)
					}
					if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
						t.Errorf("%s %s %q: 304 with Vary %q", method, target, tt.hdr, got)
					}
				}
			})
		}
	}
}

func TestNotFound(t *testing.T) {
	_, h := newServer(t)
	tests := []struct{ target, want string }{
		{"/feeds/tracks/workshops.ics", `no track "workshops"`},
		{"/feeds/rooms/kesselhaus.ics", `no room "kesselhaus"`},
		{"/feeds/days/2019-10-10.ics", "no day 2019-10-10 at Test Conf 2019"},
		{"/feeds/sessions/no-such-talk.ics", `no session "no-such-talk"`},
		{"/feeds/tracks/keynote", "not found"},
		{"/feeds/all.json", "not found"},
		{"/nothing/here", "not found"},
	}
	for _, tt := range tests {
		resp := do(t, h, http.MethodGet, tt.target)
		checkError(t, resp, tt.target, http.StatusNotFound, tt.want)
	}
}

func checkError(t *testing.T, resp *http.Response, target string, status int, msg string) {
	t.Helper()
	b := body(t, resp)
	if resp.StatusCode != status {
		t.Errorf("GET %s: status %d, want %d (%s)", target, resp.StatusCode, status, b)
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q, want text/plain", target, ct)
	}
	if got := strings.TrimSpace(string(b)); got != msg {
		t.Errorf("GET %s: message %q, want %q", target, got, msg)
	}
}

func TestBadRequest(t *testing.T) {
	_, h := newServer(t)
	const empty = "empty pick: name sessions, tracks, rooms or days, e.g. ?tracks=keynote&sessions=id1,id2"
	tests := []struct{ target, want string }{
		{"/feeds/days/tuesday.ics", `bad day "tuesday", want YYYY-MM-DD`},
		{"/feeds/days/2019-13-01.ics", `bad day "2019-13-01", want YYYY-MM-DD`},
		{"/feeds/days/2019-10-8.ics", `bad day "2019-10-8", want YYYY-MM-DD`},
		{"/feeds/custom.ics", empty},
		{"/feeds/custom.ics?sessions=", empty},
		{"/feeds/custom.ics?sessions=,,&tracks=", empty},
		{"/feeds/custom.ics?sessions=late-talk,nope", `unknown session "nope"`},
		{"/feeds/custom.ics?tracks=workshops", `unknown track "workshops"`},
		{"/feeds/custom.ics?rooms=kesselhaus", `unknown room "kesselhaus"`},
		{"/feeds/custom.ics?days=tomorrow", `bad day "tomorrow", want YYYY-MM-DD`},
		{"/feeds/custom.ics?days=2019-10-10", "day 2019-10-10 is not a day of Test Conf 2019"},
		{"/feeds/custom.ics?sessions=late-talk&speakers=jane", `unknown parameter "speakers" (want sessions, tracks, rooms, days or alarm)`},
		{"/feeds/custom.ics?sessions=%zz", `malformed query: invalid URL escape "%zz"`},
	}
	for _, tt := range tests {
		resp := do(t, h, http.MethodGet, tt.target)
		checkError(t, resp, tt.target, http.StatusBadRequest, tt.want)
	}
}

func TestMethods(t *testing.T) {
	_, h := newServer(t)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, "PROPFIND"} {
		resp := do(t, h, method, "/feeds/all.ics")
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /feeds/all.ics: status %d, want 405", method, resp.StatusCode)
		}
		if allow := resp.Header.Values("Allow"); !slices.Contains(allow, "GET") || !slices.Contains(allow, "HEAD") {
			t.Errorf("%s /feeds/all.ics: Allow %q, want GET and HEAD", method, allow)
		}
	}
}

func TestGzip(t *testing.T) {
	_, h := newServer(t)
	for _, target := range []string{"/feeds/all.ics", "/feeds/days/2019-10-08.ics", "/feeds/custom.ics?rooms=room-2", "/feeds"} {
		plain := do(t, h, http.MethodGet, target)
		want := body(t, plain)
		tests := []struct {
			accept string
			gzip   bool
		}{
			{"gzip", true},
			{"gzip, deflate, br", true},
			{"br;q=1.0, GZIP;q=0.5", true},
			{"x-gzip", true},
			{"*", true},
			{"*;q=0.1, identity", true},
			{"gzip;q=0", false},
			{"gzip;q=0.000, *", false},
			{"*;q=0", false},
			{"identity", false},
			{"br", false},
			{"gzip;q=oops", false},
			{"", false},
		}
		for _, tt := range tests {
			resp := do(t, h, http.MethodGet, target, "Accept-Encoding", tt.accept)
			b := body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s (Accept-Encoding %q): status %d", target, tt.accept, resp.StatusCode)
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("GET %s (Accept-Encoding %q): Vary %q", target, tt.accept, got)
			}
			gotGzip := resp.Header.Get("Content-Encoding") == "gzip"
			if gotGzip != tt.gzip {
				t.Errorf("GET %s (Accept-Encoding %q): gzip %v, want %v", target, tt.accept, gotGzip, tt.gzip)
				continue
			}
			if !gotGzip {
				if !bytes.Equal(b, want) {
					t.Errorf("GET %s (Accept-Encoding %q): identity body differs", target, tt.accept)
				}
				continue
			}
			if got := resp.Header.Get("ETag"); got != strings.TrimSuffix(plain.Header.Get("ETag"), `"`)+`-gz"` {
				t.Errorf("GET %s (gzip): ETag %s, identity ETag %s", target, got, plain.Header.Get("ETag"))
			}
			if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(b)) {
				t.Errorf("GET %s (gzip): Content-Length %s for %d bytes", target, got, len(b))
			}
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("GET %s (gzip): %v", target, err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("GET %s (gzip): %v", target, err)
			}
			if !bytes.Equal(unzipped, want) {
				t.Errorf("GET %s (gzip): decompressed body differs from the identity body", target)
			}
			if target != "/feeds" {
				parse(t, unzipped)
			}
		}
	}
}

func TestHead(t *testing.T) {
	_, h := newServer(t)
	for _, target := range []string{"/feeds/all.ics", "/feeds/rooms/room-1.ics", "/feeds/sessions/state-of-state.ics", "/feeds/custom.ics?days=2019-10-09", "/feeds"} {
		for _, accept := range []string{"", "gzip"} {
			get := do(t, h, http.MethodGet, target, "Accept-Encoding", accept)
			head := do(t, h, http.MethodHead, target, "Accept-Encoding", accept)
			if head.StatusCode != http.StatusOK {
				t.Fatalf("HEAD %s: status %d", target, head.StatusCode)
			}
			if b := body(t, head); len(b) != 0 {
				t.Errorf("HEAD %s: %d-byte body", target, len(b))
			}
			for k, v := range get.Header {
				if got := head.Header.Values(k); !slices.Equal(got, v) {
					t.Errorf("HEAD %s (Accept-Encoding %q): %s = %q, GET has %q", target, accept, k, got, v)
				}
			}
			if len(head.Header) != len(get.Header) {
				t.Errorf("HEAD %s: headers %v, GET has %v", target, head.Header, get.Header)
			}
		}
	}
}

func TestFeedList(t *testing.T) {
	_, h := newServer(t)
	resp := do(t, h, http.MethodGet, "/feeds")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /feeds: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET /feeds: Content-Type %q", ct)
	}
	var list web.FeedList
	if err := json.Unmarshal(body(t, resp), &list); err != nil {
		t.Fatalf("GET /feeds: %v", err)
	}
	if list.Conference != "Test Conf 2019" || list.Revision != 1 {
		t.Errorf("GET /feeds: conference %q revision %d, want Test Conf 2019 revision 1", list.Conference, list.Revision)
	}
	var kinds []string
	for _, f := range list.Feeds {
		kinds = append(kinds, f.Kind+":"+f.ID)
	}
	wantKinds := []string{"all:", "track:keynote", "track:talks", "room:room-1", "room:room-2", "day:2019-10-08", "day:2019-10-09",
		"session:" + opening, "session:" + streams, "session:" + state, "session:" + late, "session:" + closing}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("GET /feeds lists %q, want %q", kinds, wantKinds)
	}
	// Each entry must describe what its URL serves.
	for _, f := range list.Feeds {
		path, ok := strings.CutPrefix(f.URL, baseURL)
		if !ok || !strings.HasPrefix(path, "/feeds/") {
			t.Errorf("feed %s: URL %q is not under %s/feeds/", f.Name, f.URL, baseURL)
			continue
		}
		if want := "webcal://confcal.example" + path; f.Webcal != want {
			t.Errorf("feed %s: webcal %q, want %q", f.Name, f.Webcal, want)
		}
		got := do(t, h, http.MethodGet, path)
		if got.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", path, got.StatusCode)
			continue
		}
		cal := parse(t, body(t, got))
		if n := len(cal.Events()); n != f.Events {
			t.Errorf("GET %s: %d events, the list says %d", path, n, f.Events)
		}
		if name := text(t, cal.Component, "NAME"); name != f.Name {
			t.Errorf("GET %s: NAME %q, the list says %q", path, name, f.Name)
		}
	}
}

// TestSwap checks that nothing is served before the first swap, that a
// published revision is only served after its swap, and that an edit
// changes exactly the feeds it touches.
func TestSwap(t *testing.T) {
	var logged bytes.Buffer
	srv := newWeb(t, web.Config{BaseURL: baseURL + "/", Logger: slog.New(slog.NewJSONHandler(&logged, nil))})
	h := srv.Handler(nil, nil)
	if resp := do(t, h, http.MethodGet, "/feeds/all.ics"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET before any revision: status %d, want 503", resp.StatusCode)
	}
	// Server errors are logged, with what was asked.
	var rec struct {
		Level, Msg, Method, Path string
		Status                   int
	}
	if err := json.Unmarshal(logged.Bytes(), &rec); err != nil {
		t.Fatalf("log of the 503: %v: %q", err, logged.String())
	}
	if rec.Level != "ERROR" || rec.Method != "GET" || rec.Path != "/feeds/all.ics" || rec.Status != 503 {
		t.Errorf("log of the 503: %+v", rec)
	}
	logged.Reset()
	if srv.Current() != nil {
		t.Fatalf("Current() before any revision = %p, want nil", srv.Current())
	}
	snap := agendatest.Small(t)
	publish(t, srv, snap)

	etags := map[string]string{}
	targets := []string{"/feeds/all.ics", "/feeds/tracks/keynote.ics", "/feeds/tracks/talks.ics", "/feeds/rooms/room-1.ics",
		"/feeds/rooms/room-2.ics", "/feeds/days/2019-10-08.ics", "/feeds/days/2019-10-09.ics", "/feeds/sessions/late-talk.ics",
		"/feeds/sessions/state-of-state.ics"}
	for _, target := range targets {
		etags[target] = do(t, h, http.MethodGet, target).Header.Get("ETag")
	}

	// Move late-talk from room-2 to room-1, an hour later.
	ed := snap.Edit("test", agendatest.Published.Add(24*time.Hour))
	room, start, end := "room-1", agendatest.At(9, 12, 0), agendatest.At(9, 12, 40)
	if err := ed.UpdateSession(late, agenda.SessionUpdate{Room: &room, Start: &start, End: &end}); err != nil {
		t.Fatal(err)
	}
	next, err := ed.Commit()
	if err != nil {
		t.Fatal(err)
	}
	swap, err := srv.Publish(t.Context(), next)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Current().Snapshot().Revision(); got != 1 {
		t.Errorf("after Publish, before swap: serving revision %d, want 1", got)
	}
	if got := do(t, h, http.MethodGet, "/feeds/all.ics").Header.Get("ETag"); got != etags["/feeds/all.ics"] {
		t.Errorf("after Publish, before swap: all.ics ETag changed to %s", got)
	}
	swap()
	if got := srv.Current().Snapshot().Revision(); got != 2 {
		t.Errorf("after swap: serving revision %d, want 2", got)
	}
	if logged.Len() != 0 {
		t.Errorf("client requests logged: %s", logged.String())
	}
	changed := map[string]bool{"/feeds/all.ics": true, "/feeds/tracks/talks.ics": true, "/feeds/rooms/room-1.ics": true,
		"/feeds/rooms/room-2.ics": true, "/feeds/days/2019-10-09.ics": true, "/feeds/sessions/late-talk.ics": true}
	for _, target := range targets {
		resp := do(t, h, http.MethodGet, target, "If-None-Match", etags[target])
		if want := map[bool]int{true: http.StatusOK, false: http.StatusNotModified}[changed[target]]; resp.StatusCode != want {
			t.Errorf("GET %s with the old ETag after the move: status %d, want %d", target, resp.StatusCode, want)
		}
	}
	cal := parse(t, body(t, do(t, h, http.MethodGet, "/feeds/rooms/room-1.ics")))
	if got, want := uids(t, cal), []string{opening, streams, late, closing}; !slices.Equal(got, want) {
		t.Errorf("room-1 after the move: events %q, want %q", got, want)
	}
	for _, ev := range cal.Events() {
		if text(t, ev.Component, goical.PropUID) != late+"@test.confcal.example" {
			continue
		}
		if seq, err := ev.Props.Get(goical.PropSequence).Int(); err != nil || seq != 1 {
			t.Errorf("moved session: SEQUENCE %d (%v), want 1", seq, err)
		}
	}
	if resp := do(t, h, http.MethodGet, "/feeds/rooms/room-1.ics"); resp.Header.Get("Last-Modified") != agendatest.Published.Add(24*time.Hour).Format(http.TimeFormat) {
		t.Errorf("room-1 after the move: Last-Modified %q, want the change's time", resp.Header.Get("Last-Modified"))
	}
}

// TestNewBadBaseURL: a base URL that is not an absolute http(s) URL is
// refused when the server is made, not when a revision is published.
func TestNewBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "localhost:8080", "ftp://example.org", "/feeds", "https://"} {
		if _, err := web.New(web.Config{BaseURL: base}); err == nil || !strings.Contains(err.Error(), "base URL") {
			t.Errorf("New with base URL %q: error %v, want one naming the base URL", base, err)
		}
	}
}

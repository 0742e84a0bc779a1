package caldav_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
)

var calendars = []string{calAll, calKey, calTalks, calRoom1, calRoom2}

// syncBody is a sync-collection body as DAVx5 sends it (see
// testdata/clients/davx5-sync-token.xml), with token (may be empty) and,
// when limit > 0, a DAV:limit.
func syncBody(t testing.TB, token string, limit int) string {
	t.Helper()
	var esc strings.Builder
	xml.EscapeText(&esc, []byte(token))
	b := strings.ReplaceAll(testdata(t, "clients/davx5-sync-token.xml"), "$SYNC_TOKEN", esc.String())
	if limit > 0 {
		b = strings.Replace(b, "<prop>", fmt.Sprintf("<limit><nresults>%d</nresults></limit><prop>", limit), 1)
	}
	return b
}

// syncReport sends a sync-collection REPORT (Depth 0) and parses the 207.
func syncReport(t testing.TB, s *testServer, href, token string, limit int) *msResult {
	t.Helper()
	return parseMultistatus(t, s.do(t, request{method: "REPORT", path: href, header: []string{"Depth", "0"}, body: syncBody(t, token, limit)}))
}

// ctagOf reads a collection's getctag and sync-token and checks they agree.
func ctagOf(t testing.TB, s *testServer, href string) string {
	t.Helper()
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: href, header: []string{"Depth", "0"},
		body: testdata(t, "clients/davx5-capabilities.xml")}))
	tag, tok := m.prop(t, href, cs("getctag")), m.prop(t, href, dav("sync-token"))
	if tag != tok {
		t.Fatalf("%s: getctag %q differs from sync-token %q", href, tag, tok)
	}
	return tok
}

// TestSyncRoomMove takes a token per calendar, moves a session to another
// room in a new revision, and checks that each calendar reports exactly
// what changed for it: removed (404) from the old room, added in the new
// one, changed (new LOCATION) in the calendars it stays in, nothing where
// it never was, with ctags moving only where something changed.
func TestSyncRoomMove(t *testing.T) {
	s := newServer(t)
	tokens := map[string]string{}
	for _, c := range calendars {
		m := syncReport(t, s, c, "", 0)
		if m.syncToken != ctagOf(t, s, c) {
			t.Fatalf("%s: initial sync-token %q is not the ctag", c, m.syncToken)
		}
		tokens[c] = m.syncToken
	}
	oldETag := s.object(t, "state-of-state").ETag

	s.edit(t, func(e *agenda.Editor) error {
		// Force: the new room has another session at that time; only the
		// room changes.
		return e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Force: true})
	})
	newETag := s.object(t, "state-of-state").ETag
	if newETag == oldETag {
		t.Fatalf("the moved session's ETag did not change")
	}

	tests := []struct {
		cal     string
		want    string // href of the one change, "" for none
		status  int    // 200 (added or changed) or 404 (removed)
		changed bool   // whether the ctag moves
	}{
		{calRoom2, calRoom2 + "state-of-state.ics", http.StatusNotFound, true},
		{calRoom1, calRoom1 + "state-of-state.ics", http.StatusOK, true},
		{calAll, calAll + "state-of-state.ics", http.StatusOK, true},
		{calTalks, calTalks + "state-of-state.ics", http.StatusOK, true},
		{calKey, "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.cal, func(t *testing.T) {
			m := syncReport(t, s, tc.cal, tokens[tc.cal], 0)
			now := ctagOf(t, s, tc.cal)
			if m.syncToken != now {
				t.Errorf("sync-token %q, want the current ctag %q", m.syncToken, now)
			}
			if moved := now != tokens[tc.cal]; moved != tc.changed {
				t.Errorf("ctag moved = %v (%q to %q), want %v", moved, tokens[tc.cal], now, tc.changed)
			}
			if tc.want == "" {
				m.wantHrefs(t)
				return
			}
			m.wantHrefs(t, tc.want)
			r := m.response(t, tc.want)
			switch tc.status {
			case http.StatusNotFound:
				if r.status != http.StatusNotFound || len(r.props) != 0 {
					t.Errorf("%s: status %d with %d properties, want a bare 404", tc.want, r.status, len(r.props))
				}
			case http.StatusOK:
				m.wantProp(t, tc.want, dav("getetag"), newETag)
			}
			// The new token reports nothing more.
			again := syncReport(t, s, tc.cal, m.syncToken, 0)
			again.wantHrefs(t)
			if again.syncToken != m.syncToken {
				t.Errorf("second sync-token %q, want %q", again.syncToken, m.syncToken)
			}
		})
	}

	// The memberships a fresh client sees.
	syncReport(t, s, calRoom1, "", 0).wantHrefs(t, calRoom1+"opening-keynote.ics", calRoom1+"streams-everywhere.ics",
		calRoom1+"state-of-state.ics", calRoom1+"closing-keynote.ics")
	syncReport(t, s, calRoom2, "", 0).wantHrefs(t, calRoom2+"late-talk.ics")
	if w := s.do(t, request{method: "GET", path: calRoom2 + "state-of-state.ics"}); w.Code != http.StatusNotFound {
		t.Errorf("GET of the object in its old room: %d, want 404", w.Code)
	}
}

// TestSyncCancel: a cancelled session leaves every calendar (404 over
// sync, gone from listings); restoring it brings it back.
func TestSyncCancel(t *testing.T) {
	s := newServer(t)
	before := map[string]string{}
	for _, c := range calendars {
		before[c] = ctagOf(t, s, c)
	}
	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
	})
	for _, c := range []string{calAll, calTalks, calRoom2} {
		m := syncReport(t, s, c, before[c], 0)
		m.wantHrefs(t, c+"late-talk.ics")
		if st := m.response(t, c+"late-talk.ics").status; st != http.StatusNotFound {
			t.Errorf("%s: late-talk status %d, want 404", c, st)
		}
	}
	for _, c := range []string{calKey, calRoom1} {
		syncReport(t, s, c, before[c], 0).wantHrefs(t)
		if now := ctagOf(t, s, c); now != before[c] {
			t.Errorf("%s: ctag moved though the calendar did not change", c)
		}
	}
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calRoom2, header: []string{"Depth", "1"},
		body: testdata(t, "clients/vdirsyncer-list.xml")}))
	m.wantHrefs(t, calRoom2, calRoom2+"state-of-state.ics")
	if w := s.do(t, request{method: "GET", path: calRoom2 + "late-talk.ics"}); w.Code != http.StatusNotFound {
		t.Errorf("GET of a cancelled session's object: %d, want 404", w.Code)
	}

	afterCancel := ctagOf(t, s, calRoom2)
	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: ptr(agenda.StatusConfirmed)})
	})
	m = syncReport(t, s, calRoom2, afterCancel, 0)
	m.wantHrefs(t, calRoom2+"late-talk.ics")
	m.wantProp(t, calRoom2+"late-talk.ics", dav("getetag"), s.object(t, "late-talk").ETag)
}

// TestSyncRenameRoom: renaming a room changes its calendar (name and the
// LOCATION of its members) and the calendars holding those members.
func TestSyncRenameRoom(t *testing.T) {
	s := newServer(t)
	before := map[string]string{}
	for _, c := range calendars {
		before[c] = ctagOf(t, s, c)
	}
	s.edit(t, func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") })
	m := syncReport(t, s, calRoom2, before[calRoom2], 0)
	m.wantHrefs(t, calRoom2+"late-talk.ics", calRoom2+"state-of-state.ics")
	syncReport(t, s, calRoom1, before[calRoom1], 0).wantHrefs(t)
	syncReport(t, s, calKey, before[calKey], 0).wantHrefs(t)
	syncReport(t, s, calTalks, before[calTalks], 0).wantHrefs(t, calTalks+"late-talk.ics", calTalks+"state-of-state.ics")
	p := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calRoom2, header: []string{"Depth", "0"},
		body: testdata(t, "clients/pycaldav-children.xml")}))
	p.wantProp(t, calRoom2, dav("displayname"), "Test Conf 2019 — Kesselhaus")
}

// TestSyncBadToken: a token this calendar did not issue, or one naming a
// revision outside the change log, gets 403 DAV:valid-sync-token, which
// makes clients start over with an empty token.
func TestSyncBadToken(t *testing.T) {
	// A future revision's token waits a while for the revision first
	// (another replica may have made it); none comes here, so the cases
	// run side by side rather than wait one after another.
	s := newServer(t)
	good := ctagOf(t, s, calAll)
	cut := strings.LastIndex(good, "/")
	other := newServerWith(t, "https://other.example")
	tests := []struct{ name, token string }{
		{"not a URI", "garbage"},
		{"another calendar's", ctagOf(t, s, calRoom1)},
		{"another server's", ctagOf(t, other, calAll)},
		{"future revision", good[:cut] + "/99"},
		{"revision 0", good[:cut] + "/0"},
		{"negative revision", good[:cut] + "/-1"},
		{"not a number", good[:cut] + "/one"},
		{"trailing slash", good + "/"},
		{"continuation of another revision", good + "/7/2"},
		{"continuation of nothing sent", good + "/1/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "0"}, body: syncBody(t, tc.token, 0)})
			if w.Code != http.StatusForbidden {
				t.Fatalf("status %d, want 403; body:\n%s", w.Code, w.Body)
			}
			if got := davError(t, w); !slices.Equal(got, []string{"valid-sync-token"}) {
				t.Errorf("DAV:error holds %v, want valid-sync-token", got)
			}
		})
	}
}

// newServerWith is newServer with another base URL.
func newServerWith(t *testing.T, base string) *testServer {
	t.Helper()
	s := newServer(t)
	s2 := &testServer{web: newWeb(base)}
	s2.publish(t, s.snap)
	s2.h = s2.web.Handler(nil, nil)
	return s2
}

// TestSyncLimit: DAV:limit is honoured by truncation (RFC 6578 §3.6): at
// most that many members, a 507 for the calendar, and a token to go on
// with; the pages together are the whole calendar, once each.
func TestSyncLimit(t *testing.T) {
	s := newServer(t)
	var seen []string
	token := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatalf("no end after %d pages", page)
		}
		m := syncReport(t, s, calAll, token, 2)
		token = m.syncToken
		r, truncated := m.responses[calAll]
		for _, h := range m.order {
			if h != calAll {
				seen = append(seen, h)
				m.wantProp(t, h, dav("getetag"), s.object(t, strings.TrimSuffix(strings.TrimPrefix(h, calAll), ".ics")).ETag)
			}
		}
		if !truncated {
			if len(m.order) > 2 {
				t.Errorf("page %d: %d members, want at most 2", page, len(m.order))
			}
			break
		}
		if r.status != http.StatusInsufficientStorage || !slices.Equal(r.errs, []string{"number-of-matches-within-limits"}) {
			t.Errorf("page %d: calendar answered %d %v, want 507 number-of-matches-within-limits", page, r.status, r.errs)
		}
		if len(m.order) != 3 {
			t.Errorf("page %d: %d responses, want 2 members and the 507", page, len(m.order))
		}
	}
	var all []string
	for _, id := range s.snap.SessionIDs() {
		all = append(all, calAll+id+".ics")
	}
	slices.Sort(all)
	slices.Sort(seen)
	if !slices.Equal(seen, all) {
		t.Errorf("pages together hold %v, want %v", seen, all)
	}
	if want := ctagOf(t, s, calAll); token != want {
		t.Errorf("last page's token %q, want the ctag %q", token, want)
	}

	// A continuation token dies with its revision.
	m := syncReport(t, s, calAll, "", 2)
	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr("Later Talk")})
	})
	w := s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "0"}, body: syncBody(t, m.syncToken, 2)})
	if w.Code != http.StatusForbidden || !slices.Equal(davError(t, w), []string{"valid-sync-token"}) {
		t.Errorf("continuation after a new revision: %d %s, want 403 valid-sync-token", w.Code, w.Body)
	}
}

// TestSyncHome: sync-collection on the calendar home reports calendars
// that changed (or appeared) since the token.
func TestSyncHome(t *testing.T) {
	s := newServer(t)
	m := syncReport(t, s, home, "", 0)
	m.wantHrefs(t, calendars...)
	if m.syncToken != parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: home, header: []string{"Depth", "0"},
		body: testdata(t, "clients/ios-home.xml")})).prop(t, home, dav("sync-token")) {
		t.Errorf("home sync-token differs from the home's DAV:sync-token")
	}
	tok := m.syncToken

	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Force: true})
	})
	m = syncReport(t, s, home, tok, 0)
	m.wantHrefs(t, calAll, calTalks, calRoom1, calRoom2)
	m.wantProp(t, calRoom1, dav("getetag"), s.do(t, request{method: "GET", path: calRoom1}).Header().Get("ETag"))
	tok = m.syncToken

	s.edit(t, func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"}) })
	m = syncReport(t, s, home, tok, 0)
	m.wantHrefs(t, home+"room-room-3/")

	w := s.do(t, request{method: "REPORT", path: home, header: []string{"Depth", "0"},
		body: strings.Replace(syncBody(t, "", 0), "<sync-level>1</sync-level>", "<sync-level>infinite</sync-level>", 1)})
	if w.Code != http.StatusForbidden || !slices.Equal(davError(t, w), []string{"sync-traversal-supported"}) {
		t.Errorf("sync-level infinite on the home: %d %s, want 403 sync-traversal-supported", w.Code, w.Body)
	}
}

// TestSyncRequestForms: what clients vary in sync-collection requests.
func TestSyncRequestForms(t *testing.T) {
	s := newServer(t)
	keynotes := []string{calKey + "opening-keynote.ics", calKey + "closing-keynote.ics"}
	tests := []struct {
		name   string
		depth  string
		body   string
		status int
		hrefs  []string
	}{
		{"Depth 1", "1", syncBody(t, "", 0), http.StatusMultiStatus, keynotes},
		{"no Depth", "", syncBody(t, "", 0), http.StatusMultiStatus, keynotes},
		{"Depth infinity", "infinity", syncBody(t, "", 0), http.StatusBadRequest, nil},
		{"no sync-level", "0", `<sync-collection xmlns="DAV:"><sync-token/><prop><getetag/></prop></sync-collection>`, http.StatusMultiStatus, keynotes},
		{"sync-level infinite", "0", `<sync-collection xmlns="DAV:"><sync-token/><sync-level>infinite</sync-level><prop><getetag/></prop></sync-collection>`, http.StatusMultiStatus, keynotes},
		{"sync-level 2", "0", `<sync-collection xmlns="DAV:"><sync-token/><sync-level>2</sync-level><prop><getetag/></prop></sync-collection>`, http.StatusBadRequest, nil},
		{"no prop", "0", `<sync-collection xmlns="DAV:"><sync-token/><sync-level>1</sync-level></sync-collection>`, http.StatusMultiStatus, keynotes},
		{"limit 0", "0", `<sync-collection xmlns="DAV:"><sync-token/><sync-level>1</sync-level><limit><nresults>0</nresults></limit><prop><getetag/></prop></sync-collection>`, http.StatusBadRequest, nil},
		{"not XML", "0", `sync please`, http.StatusBadRequest, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.depth != "" {
				hdr = []string{"Depth", tc.depth}
			}
			w := s.do(t, request{method: "REPORT", path: calKey, header: hdr, body: tc.body})
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body:\n%s", w.Code, tc.status, w.Body)
			}
			if tc.status != http.StatusMultiStatus {
				return
			}
			m := parseMultistatus(t, w)
			m.wantHrefs(t, tc.hrefs...)
			for _, h := range tc.hrefs {
				m.wantProp(t, h, dav("getetag"), s.object(t, strings.TrimSuffix(strings.TrimPrefix(h, calKey), ".ics")).ETag)
			}
		})
	}
	// Asked for calendar-data, sync answers with it (it is a REPORT).
	w := s.do(t, request{method: "REPORT", path: calKey, header: []string{"Depth", "0"},
		body: `<sync-collection xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><sync-token/><sync-level>1</sync-level><prop><getetag/><C:calendar-data/><displayname/></prop></sync-collection>`})
	m := parseMultistatus(t, w)
	if got, want := m.text(t, keynotes[0], cal("calendar-data")), string(s.object(t, "opening-keynote").Body); got != want {
		t.Errorf("calendar-data in sync: %s", firstDiff(got, want))
	}
	m.wantStatus(t, keynotes[0], dav("displayname"), http.StatusNotFound)
	// Not on objects or the principal.
	for _, p := range []string{keynotes[0], principal} {
		w := s.do(t, request{method: "REPORT", path: p, header: []string{"Depth", "0"}, body: syncBody(t, "", 0)})
		if w.Code != http.StatusForbidden || !slices.Equal(davError(t, w), []string{"supported-report"}) {
			t.Errorf("sync-collection on %s: %d %s, want 403 supported-report", p, w.Code, w.Body)
		}
	}
}

// TestConcurrentRevisions: requests racing with new revisions each see one
// revision throughout (run with -race).
func TestConcurrentRevisions(t *testing.T) {
	s := newServer(t)
	body := syncBody(t, "", 0)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if err := syncRoom2(s, body); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 6 {
		room := "room-1"
		if i%2 == 1 {
			room = "room-2"
		}
		s.edit(t, func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Room: ptr(room), Force: true})
		})
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// syncRoom2 runs an initial sync of room-2, where late-talk comes and
// goes: one revision holds one or two sessions, never none, and names
// its token.
func syncRoom2(s *testServer, body string) error {
	r := httptest.NewRequest("REPORT", calRoom2, strings.NewReader(body))
	r.Header.Set("Depth", "0")
	r.Header.Set("Content-Type", "application/xml")
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	if w.Code != http.StatusMultiStatus {
		return fmt.Errorf("status %d: %s", w.Code, w.Body)
	}
	var ms struct {
		Responses []struct {
			Href string `xml:"DAV: href"`
		} `xml:"DAV: response"`
		SyncToken string `xml:"DAV: sync-token"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &ms); err != nil {
		return err
	}
	if n := len(ms.Responses); n < 1 || n > 2 || ms.SyncToken == "" {
		return fmt.Errorf("%d members, token %q", n, ms.SyncToken)
	}
	return nil
}

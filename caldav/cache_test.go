package caldav_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"confcal/agenda"
)

// TestAnswerCache checks the answers a view keeps for repeated PROPFIND
// and REPORT bodies: a repeated request gets the very bytes a server that
// never saw it answers, and requests differing in Depth, body or path get
// their own answers.
func TestAnswerCache(t *testing.T) {
	propfind := `<propfind xmlns="DAV:"><prop><getetag/><resourcetype/></prop></propfind>`
	query := testdata(t, "clients/pycaldav-date-search.xml")
	reqs := []request{
		{method: "PROPFIND", path: calAll, header: []string{"Depth", "1"}, body: propfind},
		{method: "PROPFIND", path: calAll, header: []string{"Depth", "0"}, body: propfind},
		{method: "PROPFIND", path: calKey, header: []string{"Depth", "1"}, body: propfind},
		{method: "PROPFIND", path: calAll, header: []string{"Depth", "1"}, body: strings.Replace(propfind, "<getetag/>", "<getcontenttype/>", 1)},
		{method: "REPORT", path: calAll, header: []string{"Depth", "1"}, body: query},
		{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"}, body: query},
		{method: "REPORT", path: calAll, header: []string{"Depth", "0"}, body: syncBody(t, "", 0)},
	}
	s := newServer(t)
	first := make([][]byte, len(reqs))
	for i, req := range reqs {
		w := s.do(t, req)
		if w.Code != http.StatusMultiStatus {
			t.Fatalf("%s %s Depth %s: %d %s", req.method, req.path, req.header[1], w.Code, w.Body)
		}
		first[i] = w.Body.Bytes()
		for j := range i {
			if bytes.Equal(first[i], first[j]) {
				t.Errorf("request %d got the answer of request %d", i, j)
			}
		}
	}
	for i, req := range reqs {
		// Twice: the second may come from the cache, and so may the third.
		for range 2 {
			w := s.do(t, req)
			if w.Code != http.StatusMultiStatus {
				t.Fatalf("request %d again: status %d", i, w.Code)
			}
			if !bytes.Equal(w.Body.Bytes(), first[i]) {
				t.Errorf("request %d again: answer differs: %s", i, firstDiff(w.Body.String(), string(first[i])))
			}
			if got := w.Header().Get("Content-Type"); got != "application/xml; charset=utf-8" {
				t.Errorf("request %d again: Content-Type %q", i, got)
			}
			if got := w.Header().Get("Content-Length"); got != strconv.Itoa(len(first[i])) {
				t.Errorf("request %d again: Content-Length %q, want %d", i, got, len(first[i]))
			}
			parseMultistatus(t, w)
		}
	}
	// A server that never saw the requests gives the same bytes.
	fresh := newServer(t)
	for i := len(reqs) - 1; i >= 0; i-- {
		if w := fresh.do(t, reqs[i]); !bytes.Equal(w.Body.Bytes(), first[i]) {
			t.Errorf("request %d on a fresh server: answer differs: %s", i, firstDiff(w.Body.String(), string(first[i])))
		}
	}
}

// TestAnswerCacheNewRevision checks that a new revision is answered
// afresh: the repeated calendar-query shows the new title, and a
// sync-collection with the token of the old revision, answered "nothing
// changed" before the edit, lists the changed object after it.
func TestAnswerCacheNewRevision(t *testing.T) {
	s := newServer(t)
	query := request{method: "REPORT", path: calAll, header: []string{"Depth", "1"},
		body: strings.ReplaceAll(strings.ReplaceAll(testdata(t, "clients/pycaldav-date-search.xml"),
			"20191007T220000Z", "20191006T220000Z"), "20191008T220000Z", "20191009T220000Z")}
	before := s.do(t, query)
	if again := s.do(t, query); !bytes.Equal(again.Body.Bytes(), before.Body.Bytes()) {
		t.Fatal("the repeated calendar-query differs within a revision")
	}
	token := syncReport(t, s, calKey, "", 0).syncToken
	if m := syncReport(t, s, calKey, token, 0); len(m.order) != 0 || m.syncToken != token {
		t.Fatalf("sync with the current token: %v, token %q; want nothing, %q", m.order, m.syncToken, token)
	}
	syncReport(t, s, calKey, token, 0) // now kept for this revision

	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Title: ptr("Opening Keynote, Retitled")})
	})
	after := s.do(t, query)
	if bytes.Equal(after.Body.Bytes(), before.Body.Bytes()) {
		t.Fatal("calendar-query after the edit: the answer of the previous revision")
	}
	m := parseMultistatus(t, after)
	href := calAll + "opening-keynote.ics"
	if data := m.text(t, href, cal("calendar-data")); !strings.Contains(data, "SUMMARY:Opening Keynote\\, Retitled") {
		t.Errorf("calendar-query after the edit: calendar-data of %s lacks the new title:\n%s", href, data)
	}
	if data, want := m.text(t, href, cal("calendar-data")), string(s.object(t, "opening-keynote").Body); data != want {
		t.Errorf("calendar-query after the edit: calendar-data is not the object of the new revision: %s", firstDiff(data, want))
	}
	m = syncReport(t, s, calKey, token, 0)
	m.wantHrefs(t, calKey+"opening-keynote.ics")
	if m.syncToken == token {
		t.Errorf("sync after the edit: token %q did not move", m.syncToken)
	}
}

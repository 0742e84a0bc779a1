package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"

	"confcal/agenda/agendatest"
)

// fuzzPaths are the feed routes FuzzFeedRequest fills a name into ("%s").
var fuzzPaths = []string{
	"/feeds/custom.ics",
	"/feeds/tracks/%s.ics",
	"/feeds/rooms/%s.ics",
	"/feeds/days/%s.ics",
	"/feeds/sessions/%s.ics",
	"/feeds/%s",
}

// FuzzFeedRequest sends GET requests with any name in a feed's path and any
// query string (a personal pick's, or junk on any feed) through the real
// route table: the answer is never a 5xx; a 200 is an iCalendar document
// go-ical decodes whose events all belong to the agenda; a 4xx says why in
// plain text.
func FuzzFeedRequest(f *testing.F) {
	f.Add(uint8(0), "", "sessions=late-talk,opening-keynote&tracks=keynote")
	f.Add(uint8(0), "", "days=2019-10-09&days=2019-10-08&rooms=room-2")
	f.Add(uint8(0), "", "sessions=no-such-talk")
	f.Add(uint8(0), "", "sessions="+strings.Repeat("a,", 2000)) // over the pick cap
	f.Add(uint8(0), "", "tracks=%zz")                           // bad escape
	f.Add(uint8(0), "", "")                                     // an empty pick
	f.Add(uint8(1), "talks", "")
	f.Add(uint8(1), "talks", "tracks=keynote") // a query on a named feed
	f.Add(uint8(2), "room-2", "")
	f.Add(uint8(3), "2019-10-08", "")
	f.Add(uint8(3), "2019-13-40", "")
	f.Add(uint8(4), "state-of-state", "")
	f.Add(uint8(4), "../../etc/passwd", "")
	f.Add(uint8(5), "all.ics", "x=1")
	snap := agendatest.Small(f)
	uids := map[string]bool{}
	for _, id := range snap.SessionIDs() {
		uids[snap.UID(id)] = true
	}
	_, h := newServer(f)

	f.Fuzz(func(t *testing.T, route uint8, name, query string) {
		p := fuzzPaths[int(route)%len(fuzzPaths)]
		if strings.Contains(p, "%s") {
			p = strings.Replace(p, "%s", name, 1)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL = &url.URL{Path: p, RawQuery: query}
		req.RequestURI = req.URL.RequestURI()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		b := rec.Body.Bytes()
		switch {
		case rec.Code >= 500:
			t.Fatalf("GET %s: status %d, want 2xx or 4xx; body %q", req.RequestURI, rec.Code, b)
		case rec.Code >= 400:
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || len(bytes.TrimSpace(b)) == 0 {
				t.Errorf("GET %s: status %d with %q body %q, want a short text", req.RequestURI, rec.Code, ct, b)
			}
		case rec.Code == http.StatusOK && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar"):
			cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
			if err != nil {
				t.Fatalf("GET %s: 200 body does not decode: %v", req.RequestURI, err)
			}
			for _, ev := range cal.Events() {
				uid, _ := ev.Props.Text(goical.PropUID)
				if !uids[uid] {
					t.Errorf("GET %s: event UID %q is not one of the agenda's", req.RequestURI, uid)
				}
			}
		}
	})
}

package web_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"

	"confcal/web"
)

// fuzzPaths are the feed routes FuzzFeedRequest fills a name into ("%s").
var fuzzPaths = []string{
	"/feeds/custom.ics",
	"/feeds/tracks/%s.ics",
	"/feeds/rooms/%s.ics",
	"/feeds/days/%s.ics",
	"/feeds/sessions/%s.ics",
	"/feeds/speakers/%s.ics",
	"/feeds/my/%s.ics",
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
	f.Add(uint8(5), "ada", "")
	f.Add(uint8(6), "abcdefgh", "")
	f.Add(uint8(7), "all.ics", "x=1")
	snap := withSpeakers(f)
	uids := map[string]bool{}
	for _, id := range snap.SessionIDs() {
		uids[snap.UID(id)] = true
	}
	_, h := serve(f, web.Config{}, snap)

	f.Fuzz(func(t *testing.T, route uint8, name, query string) {
		p := fuzzPaths[int(route)%len(fuzzPaths)]
		p = strings.Replace(p, "%s", name, 1)
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

// FuzzPick reads any query as a personal pick, as /feeds/custom.ics does:
// the reading of its query, Resolve, Export and the route agree. The route answers 200
// exactly when the query parses, names something and resolves, with
// Export's body and ETag, whose events are Resolve's sessions in agenda
// order; otherwise it answers 400 saying why.
func FuzzPick(f *testing.F) {
	f.Add("sessions=late-talk,opening-keynote&tracks=keynote") // typical
	f.Add("days=2019-10-09&days=2019-10-08&rooms=room-2")      // repeated parameter
	f.Add("sessions=,,&tracks=")                               // empty items
	f.Add("speakers=jane")                                     // unknown parameter
	f.Add("days=2019-10-8")                                    // malformed day
	f.Add("sessions=a%20b,c+d")                                // spaces in names
	f.Add("sessions=%zz")                                      // bad escape
	f.Add("sessions=late-talk&alarm=10m")                      // a reminder
	f.Add("tracks=talks&alarm=1h&alarm=5m")                    // two reminders
	f.Add("alarm=0m&days=2019-10-09")                          // at the start
	f.Add("rooms=room-1&alarm=1441m")                          // too early
	srv, h := newServer(f)
	snap := srv.Current().Snapshot()
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL = &url.URL{Path: "/feeds/custom.ics", RawQuery: raw}
		req.RequestURI = req.URL.RequestURI()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		var ids []string
		p, err := web.ParseRawPick(raw) // its query as url.ParseQuery reads it: FuzzParseQuery
		if err == nil && p.Empty() {
			err = errors.New("empty pick")
		}
		if err == nil {
			ids, err = p.Resolve(snap)
		}
		if err != nil {
			if rec.Code != http.StatusBadRequest || len(bytes.TrimSpace(rec.Body.Bytes())) == 0 {
				t.Fatalf("GET %s: status %d %q, want 400 saying why (%v)", req.RequestURI, rec.Code, rec.Body, err)
			}
			return
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d %q, want 200 for sessions %q", req.RequestURI, rec.Code, rec.Body, ids)
		}
		c, err := web.Export(srv.Current(), p)
		if err != nil {
			t.Fatalf("Export(%+v): %v, but Resolve gave %q", p, err, ids)
		}
		if !bytes.Equal(rec.Body.Bytes(), c.Bytes()) || rec.Header().Get("ETag") != c.ETag() {
			t.Fatalf("GET %s differs from Export(%+v)", req.RequestURI, p)
		}
		if got := uids(t, parse(t, rec.Body.Bytes())); !slices.Equal(got, ids) {
			t.Fatalf("GET %s: events %q, Resolve says %q", req.RequestURI, got, ids)
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

// FuzzValidators sends a feed request with any If-None-Match and
// Accept-Encoding: the answer is a 200 with the feed (gzipped only as
// Content-Encoding says, the same bytes once unzipped) or a 304 without a
// body; a list that starts with the variant's ETag, or is "*", is a 304;
// one that names neither the ETag's opaque part nor "*" is a 200.
func FuzzValidators(f *testing.F) {
	_, h := newServer(f)
	const target = "/feeds/tracks/talks.ics"
	plain := do(f, h, http.MethodGet, target)
	identity, etag := body(f, plain), plain.Header.Get("ETag")
	gzETag := do(f, h, http.MethodGet, target, "Accept-Encoding", "gzip").Header.Get("ETag")
	f.Add(etag, "")
	f.Add("W/"+etag, "gzip")
	f.Add(`"a", "b",`+gzETag, "gzip;q=0.5, br")
	f.Add("*", "identity")
	f.Add(`"unterminated`, "gzip;q=NaN")
	f.Add("W/", "*;q=0, x-gzip")
	f.Add(",,,", ";;,,=")
	f.Fuzz(func(t *testing.T, inm, accept string) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", inm)
		req.Header.Set("Accept-Encoding", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		b := rec.Body.Bytes()
		gz := rec.Header().Get("Content-Encoding") == "gzip"
		tag := rec.Header().Get("ETag")
		if tag != etag && tag != gzETag {
			t.Fatalf("INM %q AE %q: ETag %s, want %s or %s", inm, accept, tag, etag, gzETag)
		}
		switch rec.Code {
		case http.StatusNotModified:
			if len(b) != 0 {
				t.Fatalf("INM %q AE %q: 304 with %d bytes", inm, accept, len(b))
			}
			opaque := strings.Trim(tag, `"`)
			if !strings.Contains(inm, opaque) && !strings.Contains(inm, "*") {
				t.Fatalf("INM %q AE %q: 304, but the list names neither %s nor *", inm, accept, tag)
			}
		case http.StatusOK:
			if gz != (tag == gzETag) {
				t.Fatalf("INM %q AE %q: Content-Encoding %q with ETag %s", inm, accept, rec.Header().Get("Content-Encoding"), tag)
			}
			if gz {
				zr, err := gzip.NewReader(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("INM %q AE %q: %v", inm, accept, err)
				}
				if b, err = io.ReadAll(zr); err != nil {
					t.Fatalf("INM %q AE %q: %v", inm, accept, err)
				}
			}
			if !bytes.Equal(b, identity) {
				t.Fatalf("INM %q AE %q: the body differs from the feed", inm, accept)
			}
			if inm == "*" || strings.HasPrefix(inm, tag) {
				t.Fatalf("INM %q AE %q: 200, but the list matches %s", inm, accept, tag)
			}
		default:
			t.Fatalf("INM %q AE %q: status %d, want 200 or 304", inm, accept, rec.Code)
		}
	})
}

// FuzzParseQuery: a pick's query is read as url.ParseQuery reads it.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"sessions=a,b&tracks=t", "a=1&&b", "=x&y=", "a=%zz", "a+b=c d", "a;b=c", "x=1&x=2&x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := web.ParseQuery(raw)
		want, wantErr := url.ParseQuery(raw)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("parseQuery(%q) err = %v, url.ParseQuery's %v", raw, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("parseQuery(%q) = %v, url.ParseQuery's %v", raw, got, want)
		}
	})
}

package caldav_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/outbound"
	"confcal/push"
	"confcal/webpush"
)

// FuzzRequest sends arbitrary PROPFIND and REPORT bodies, with any Depth,
// to every kind of resource through the real router. Whatever the body,
// the answer is 2xx or 4xx, never 5xx or a panic, a 207 is a multistatus
// document an XML parser reads, and no answer is larger than
// answerLimit: what is asked cannot multiply what is answered.
func FuzzRequest(f *testing.F) {
	s := newServer(f)
	limit := answerLimit(f, s)
	paths := []string{"/", "/dav/", principal, home, calAll, calRoom2, calTalks + "late-talk.ics", calAll + "nope.ics"}
	methods := []string{"PROPFIND", "REPORT"}

	// Seeds: every client body in testdata (the real shapes), then edge
	// cases of the decoders.
	files, err := filepath.Glob(filepath.Join("testdata", "clients", "*.xml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		body := strings.ReplaceAll(string(b), "$SYNC_TOKEN", baseURL+"/sync/x/all/1")
		method := uint8(0)
		if strings.Contains(body, "sync-collection") || strings.Contains(body, "calendar-") && strings.Contains(body, ":filter") ||
			strings.Contains(body, "multiget") {
			method = 1
		}
		f.Add(method, uint8(i), "1", body)
	}
	for _, seed := range []struct {
		method uint8
		depth  string
		body   string
	}{
		{0, "0", ""},                         // allprop
		{0, "1", `<propfind xmlns="DAV:"/>`}, // neither prop, allprop nor propname
		{0, "0", `<propfind xmlns="DAV:"><propname/></propfind>`},
		{0, "1", `<propfind xmlns="DAV:"><prop><x:odd xmlns:x=""/><y:p/></prop></propfind>`}, // empty and unbound namespaces
		{0, "1", `<propfind xmlns="DAV:"><prop><xmlns:p/></prop></propfind>`},
		{1, "0", `<sync-collection xmlns="DAV:"><sync-token>` + baseURL + `/sync/x/all/1/1/1</sync-token><limit><nresults>99999999999999999999</nresults></limit></sync-collection>`},
		{1, "1", `<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:is-not-defined/><C:text-match>x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`},
		{1, "1", `<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match negate-condition="maybe">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`},
		{1, "1", `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:comp name="VCALENDAR"><C:allprop/><C:prop name="X"/></C:comp></C:calendar-data></D:prop><D:href>%zz</D:href><D:href>http://[::1/x</D:href></C:calendar-multiget>`},
		{1, "1", `<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>`},
		{1, "0", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sync-collection xmlns="DAV:"><sync-token>&a;</sync-token></sync-collection>`},
	} {
		f.Add(seed.method, uint8(len(paths)), seed.depth, seed.body)
	}
	// Requests that ask for much of every resource, on the whole
	// conference (paths[4]): without caldav's bounds their answers would
	// be over the limit.
	for _, req := range amplifiers(20_000) {
		method := uint8(0)
		if req.method == "REPORT" {
			method = 1
		}
		f.Add(method, uint8(4), req.header[1], req.body)
	}

	f.Fuzz(func(t *testing.T, method, path uint8, depth, body string) {
		req := httptest.NewRequest(methods[int(method)%len(methods)], paths[int(path)%len(paths)], strings.NewReader(body))
		req.Header.Set("Depth", depth)
		req.Header.Set("Content-Type", "application/xml")
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, req)
		if w.Code >= 500 || w.Code < 200 || w.Code >= 300 && w.Code < 400 {
			t.Fatalf("%s %s Depth %q: status %d, want 2xx or 4xx; body:\n%s", req.Method, req.URL.Path, depth, w.Code, w.Body)
		}
		if n, most := w.Body.Len(), limit(len(body)); n > most {
			t.Fatalf("%s %s Depth %q: an answer of %d bytes to a body of %d, over the bound of %d",
				req.Method, req.URL.Path, depth, n, len(body), most)
		}
		if w.Code == http.StatusMultiStatus {
			var ms struct {
				XMLName xml.Name `xml:"DAV: multistatus"`
			}
			if err := xml.Unmarshal(w.Body.Bytes(), &ms); err != nil {
				t.Fatalf("207 that does not parse: %v\n%s", err, w.Body)
			}
		}
	})
}

// perResponse is what one response of an answer may take besides its
// calendar-data: its href and envelope, the resource's own properties
// (an allprop calendar takes about 2 KB), and the 404 propstat of the
// names asked for, which caldav bounds at 4 KiB.
const perResponse = 8 << 10

// answerLimit returns the bound on the answer to a request body of n
// bytes on s's agenda: the calendar-data of every object in every
// calendar holding it, escaped for XML, plus perResponse for every
// response an answer can hold (each calendar membership, each calendar,
// the root, principal and home, and the 100 hrefs beyond the members a
// multiget may name), plus the request's own hrefs, which a multiget
// echoes (percent-encoded and escaped: at most 6 times their length).
func answerLimit(tb testing.TB, s *testServer) func(n int) int {
	tb.Helper()
	data, members := 0, 0
	for _, x := range s.snap.Sessions() {
		if x.Status == agenda.StatusCancelled {
			continue
		}
		var esc bytes.Buffer
		if err := xml.EscapeText(&esc, s.object(tb, x.ID).Body); err != nil {
			tb.Fatal(err)
		}
		// The whole conference, the session's track and its room.
		data += 3 * esc.Len()
		members += 3
	}
	responses := members + len(calendars) + 3 + 100
	return func(n int) int { return data + perResponse*responses + 6*n }
}

// FuzzPushRegister POSTs arbitrary bodies to a calendar of a server with
// WebDAV-Push on. Whatever the body, the answer is 201 (with a Location
// and an Expires), 400, 403 (with a DAV:error) or 413, never 5xx or a
// panic.
func FuzzPushRegister(f *testing.F) {
	s := newPushServer(f, outbound.New(outbound.Options{}), push.Options{})
	good := webpush.Subscription{Endpoint: "https://push.example.org/x", P256dh: make([]byte, 65), Auth: make([]byte, 16)}
	f.Add(registerBody(f, good, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	f.Add(`<push-register xmlns="https://bitfire.at/webdav-push" xmlns:D="DAV:"><subscription><web-push-subscription>` +
		`<push-resource>https://push.example.org/y</push-resource><content-encoding>aes128gcm</content-encoding>` +
		`<subscription-public-key type="p256dh">BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4</subscription-public-key>` +
		`<auth-secret>BTBZMqHH6r4Tts7J_aSIgg</auth-secret></web-push-subscription></subscription>` +
		`<trigger><content-update><D:depth>1</D:depth></content-update></trigger><expires>Wed, 20 Dec 2034 10:03:31 GMT</expires></push-register>`)
	f.Add(`<push-register xmlns="https://bitfire.at/webdav-push"><subscription/></push-register>`)
	f.Add(`<propfind xmlns="DAV:"><allprop/></propfind>`)
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		w := s.register(t, calRoom1, body)
		switch w.Code {
		case http.StatusCreated:
			if w.Header().Get("Location") == "" || w.Header().Get("Expires") == "" {
				t.Errorf("201 without Location or Expires: %v", w.Header())
			}
		case http.StatusForbidden:
			var e element
			if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.XMLName != dav("error") {
				t.Errorf("403 without a DAV:error body: %v\n%s", err, w.Body)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Errorf("status %d for body %q:\n%s", w.Code, body, w.Body)
		}
	})
}

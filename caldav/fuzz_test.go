package caldav_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary PROPFIND and REPORT bodies, with any Depth,
// to every kind of resource through the real router. Whatever the body,
// the answer is 2xx or 4xx, never 5xx or a panic, and a 207 is a
// multistatus document an XML parser reads.
func FuzzRequest(f *testing.F) {
	s := newServer(f)
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

	f.Fuzz(func(t *testing.T, method, path uint8, depth, body string) {
		req := httptest.NewRequest(methods[int(method)%len(methods)], paths[int(path)%len(paths)], strings.NewReader(body))
		req.Header.Set("Depth", depth)
		req.Header.Set("Content-Type", "application/xml")
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, req)
		if w.Code >= 500 || w.Code < 200 || w.Code >= 300 && w.Code < 400 {
			t.Fatalf("%s %s Depth %q: status %d, want 2xx or 4xx; body:\n%s", req.Method, req.URL.Path, depth, w.Code, w.Body)
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

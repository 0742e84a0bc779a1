package caldav_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// unknownNames renders n property elements of a namespace no server
// knows, bound to the prefix u by the caller.
func unknownNames(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "<u:p%05d/>", i)
	}
	return b.String()
}

// propsBody is a request with the given document element (with its
// namespace declarations) holding a DAV:prop of n unknown names, then
// rest.
func propsBody(root, rootNS string, n int, rest string) string {
	return `<` + root + ` ` + rootNS + `><D:prop xmlns:D="DAV:" xmlns:u="urn:example:unknown">` + unknownNames(n) + `</D:prop>` + rest + `</` + root + `>`
}

const (
	davNS    = `xmlns="DAV:"`
	calDAVNS = `xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="DAV:"`
)

// amplifiers are requests asking for n unknown properties of every
// resource they answer.
func amplifiers(n int) []request {
	depth1 := []string{"Depth", "1"}
	return []request{
		{method: "PROPFIND", path: calAll, header: depth1, body: propsBody("propfind", davNS, n, "")},
		{method: "REPORT", path: calAll, header: []string{"Depth", "0"},
			body: propsBody("sync-collection", davNS, n, `<sync-token/><sync-level>1</sync-level>`)},
		{method: "REPORT", path: calAll, header: depth1,
			body: propsBody("C:calendar-query", calDAVNS, n, `<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>`)},
		{method: "REPORT", path: calAll, header: depth1,
			body: propsBody("C:calendar-multiget", calDAVNS, n, `<D:href>`+calAll+`late-talk.ics</D:href>`)},
		{method: "PROPFIND", path: calAll, header: depth1,
			body: `<propfind xmlns="DAV:"><allprop/><include xmlns:u="urn:example:unknown">` + unknownNames(n) + `</include></propfind>`},
	}
}

// TestTooManyProps: a request naming tens of thousands of properties
// (about 40,000 fit in a body under the 1 MiB cap) is refused with a
// short 400 before anything is answered, on the small agenda and on the
// synthetic one of 10,008 sessions, PROPFIND and REPORT alike.
func TestTooManyProps(t *testing.T) {
	servers := map[string]*testServer{"small": newServer(t)}
	if !testing.Short() {
		servers["10000"] = newSyntheticServer(t)
	}
	for name, s := range servers {
		// The first request of a revision makes its CalDAV view; the
		// ones measured below come after it.
		s.do(t, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "0"}})
		for _, req := range amplifiers(40_000) {
			if len(req.body) >= 1<<20 {
				t.Fatalf("body of %d bytes: over the cap, not what this test is about", len(req.body))
			}
			t.Run(name+" "+req.method+" "+req.body[:20], func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				w := s.do(t, req)
				runtime.ReadMemStats(&after)
				allocated := after.TotalAlloc - before.TotalAlloc
				if w.Code != http.StatusBadRequest {
					t.Fatalf("status %d with %d bytes, want 400", w.Code, w.Body.Len())
				}
				if w.Body.Len() > 512 || !strings.Contains(w.Body.String(), "64 properties") {
					t.Errorf("answer of %d bytes: %.200s", w.Body.Len(), w.Body)
				}
				// Refused once the 65th name is read: what the request
				// costs is its body and the refusal, not the answer it
				// asked for (a time bound would say the same on a quiet
				// machine, and fail on a loaded one).
				if allocated > 16<<20 {
					t.Errorf("refusing it allocated %d bytes", allocated)
				}
			})
		}
	}
}

// TestPropNameBytes: five names of 900 bytes each are refused too, and four
// (within both bounds) are answered.
func TestPropNameBytes(t *testing.T) {
	s := newServer(t)
	long := strings.Repeat("x", 900)
	body := `<propfind xmlns="DAV:"><prop xmlns:u="urn:example:unknown">`
	for i := range 5 {
		body += fmt.Sprintf("<u:%s%d/>", long, i)
	}
	body += `</prop></propfind>`
	if w := s.do(t, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "0"}, body: body}); w.Code != http.StatusBadRequest {
		t.Errorf("five names of 900 bytes: status %d, want 400", w.Code)
	}
	body = strings.Replace(body, fmt.Sprintf("<u:%s4/>", long), "", 1)
	parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "0"}, body: body}))
}

// rawPropstats reads a 207 keeping each response's propstats apart
// (parseMultistatus merges them): href → propstats, each a status code
// and the names it holds.
func rawPropstats(t *testing.T, body []byte) map[string][]propstatNames {
	t.Helper()
	var doc struct {
		Responses []struct {
			Href      string `xml:"DAV: href"`
			Propstats []struct {
				Prop   element `xml:"DAV: prop"`
				Status string  `xml:"DAV: status"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("multistatus does not parse: %v", err)
	}
	out := map[string][]propstatNames{}
	for _, r := range doc.Responses {
		for _, ps := range r.Propstats {
			var names []xml.Name
			for _, c := range ps.Prop.Children {
				names = append(names, c.XMLName)
			}
			out[r.Href] = append(out[r.Href], propstatNames{status: statusOf(t, ps.Status), names: names})
		}
	}
	return out
}

type propstatNames struct {
	status int
	names  []xml.Name
}

// TestUnknownPropsGrouped: at the bound, 64 properties are answered, and
// the ones a resource lacks come in one 404 propstat per response (RFC
// 4918 §9.1), not one each.
func TestUnknownPropsGrouped(t *testing.T) {
	s := newServer(t)
	for _, req := range amplifiers(64) {
		t.Run(req.method+" "+req.body[:20], func(t *testing.T) {
			w := s.do(t, req)
			m := parseMultistatus(t, w)
			if len(m.order) == 0 {
				t.Fatal("no responses")
			}
			for href, propstats := range rawPropstats(t, w.Body.Bytes()) {
				var unknown []xml.Name
				for _, ps := range propstats {
					if ps.status != http.StatusNotFound {
						continue
					}
					if unknown != nil {
						t.Errorf("%s: more than one 404 propstat", href)
					}
					for _, n := range ps.names {
						if n.Space == "urn:example:unknown" {
							unknown = append(unknown, n)
						}
					}
					if len(unknown) != 64 {
						t.Errorf("%s: the 404 propstat holds %d of the 64 unknown names", href, len(unknown))
					}
				}
				if unknown == nil {
					t.Errorf("%s: no 404 propstat", href)
				}
			}
		})
	}
}

// TestMultigetHrefBound: a calendar-multiget may name the calendar's
// objects and 100 more; one naming the same href, or bogus ones,
// thousands of times is refused, and repeats within the bound are
// answered once.
func TestMultigetHrefBound(t *testing.T) {
	s := newServer(t)
	late := calRoom2 + "late-talk.ics"
	repeat := func(href string, n int) []string {
		hrefs := make([]string, n)
		for i := range hrefs {
			hrefs[i] = href
		}
		return hrefs
	}
	bogus := func(n int) []string {
		hrefs := make([]string, n)
		for i := range hrefs {
			hrefs[i] = fmt.Sprintf("%sbogus-%05d.ics", calRoom2, i)
		}
		return hrefs
	}
	for _, tc := range []struct {
		name  string
		hrefs []string
	}{
		{"one href 10,000 times", repeat(late, 10_000)},
		{"10,000 bogus hrefs", bogus(10_000)},
		{"members and 101 bogus", append(bogus(101), late, calRoom2+"state-of-state.ics")},
	} {
		w := s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"}, body: multiget(tc.hrefs...)})
		if w.Code != http.StatusBadRequest || w.Body.Len() > 512 {
			t.Errorf("%s: status %d with %d bytes, want a short 400", tc.name, w.Code, w.Body.Len())
		}
	}
	// room-2 has two members: 102 hrefs are answered.
	m := parseMultistatus(t, s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"},
		body: multiget(append(repeat(late, 50), bogus(52)...)...)}))
	if len(m.order) != 53 || !slices.Contains(m.order, late) {
		t.Errorf("%d responses, want late-talk once and 52 bogus", len(m.order))
	}
	if st := m.response(t, calRoom2+"bogus-00051.ics").status; st != http.StatusNotFound {
		t.Errorf("bogus href: status %d, want 404", st)
	}
}

// TestFilterBound: a filter of more than 64 elements is refused with
// CALDAV:supported-filter.
func TestFilterBound(t *testing.T) {
	s := newServer(t)
	props := strings.Repeat(`<C:prop-filter name="SUMMARY"/>`, 64)
	w := s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"},
		body: queryWith(`<C:comp-filter name="VEVENT">` + props + `</C:comp-filter>`)})
	if w.Code != http.StatusForbidden || !slices.Equal(davError(t, w), []string{"supported-filter"}) {
		t.Errorf("66 elements: %d %s, want 403 supported-filter", w.Code, w.Body)
	}
	props = strings.Repeat(`<C:prop-filter name="SUMMARY"/>`, 62)
	parseMultistatus(t, s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"},
		body: queryWith(`<C:comp-filter name="VEVENT">` + props + `</C:comp-filter>`)})).
		wantHrefs(t, calAll+"opening-keynote.ics", calAll+"streams-everywhere.ics", calAll+"state-of-state.ics",
			calAll+"late-talk.ics", calAll+"closing-keynote.ics")
}

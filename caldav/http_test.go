package caldav_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/caldav"
	"confcal/ical"
)

// calendarQuery is a calendar-query for VEVENTs in [start, end), either
// may be empty (open).
func calendarQuery(start, end string) string {
	tr := "<C:time-range"
	if start != "" {
		tr += ` start="` + start + `"`
	}
	if end != "" {
		tr += ` end="` + end + `"`
	}
	tr += "/>"
	return `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>` +
		`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">` + tr +
		`</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`
}

// TestCalendarQueryTimeRange runs time ranges at the edges of the
// fixture's sessions through the router (RFC 4791 §9.9). Session times
// (Europe/Berlin, UTC+2): opening-keynote 8 Oct 09:00–10:00 (07–08Z),
// streams-everywhere and state-of-state 10:30–11:10 (08:30–09:10Z),
// late-talk 9 Oct 11:00–11:40 (09:00–09:40Z), closing-keynote 16:00–17:00
// (14–15Z).
func TestCalendarQueryTimeRange(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, start, end string
		want             []string
	}{
		{"equal to a session", "20191008T070000Z", "20191008T080000Z", []string{"opening-keynote"}},
		{"starting at a session's start", "20191008T070000Z", "20191008T071500Z", []string{"opening-keynote"}},
		{"ending at a session's end", "20191008T074500Z", "20191008T080000Z", []string{"opening-keynote"}},
		{"between sessions, touching both", "20191008T080000Z", "20191008T083000Z", nil},
		{"ending at a session's start", "20191008T060000Z", "20191008T070000Z", nil},
		{"starting at a session's end", "20191009T150000Z", "20191009T160000Z", nil},
		{"one second into a session", "20191008T075959Z", "20191008T080000Z", []string{"opening-keynote"}},
		{"open end from a session's start", "20191009T090000Z", "", []string{"late-talk", "closing-keynote"}},
		{"open end from a session's end", "20191009T150000Z", "", nil},
		{"open start to a session's start", "", "20191008T083000Z", []string{"opening-keynote"}},
		{"open start to a session's end", "", "20191008T080000Z", []string{"opening-keynote"}},
		{"open start to just after a start", "", "20191008T083001Z", []string{"opening-keynote", "streams-everywhere", "state-of-state"}},
		{"one conference day", "20191007T220000Z", "20191008T220000Z", []string{"opening-keynote", "streams-everywhere", "state-of-state"}},
		{"the other day", "20191008T220000Z", "20191009T220000Z", []string{"late-talk", "closing-keynote"}},
		{"before the conference", "20180101T000000Z", "20191007T220000Z", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"}, body: calendarQuery(tc.start, tc.end)})
			m := parseMultistatus(t, w)
			var want []string
			for _, id := range tc.want {
				want = append(want, calAll+id+".ics")
			}
			m.wantHrefs(t, want...)
			for _, h := range want {
				m.wantProp(t, h, dav("getetag"), s.object(t, strings.TrimSuffix(strings.TrimPrefix(h, calAll), ".ics")).ETag)
			}
		})
	}
	// The same query on a room calendar answers only its members.
	m := parseMultistatus(t, s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"},
		body: calendarQuery("20191007T220000Z", "20191008T220000Z")}))
	m.wantHrefs(t, calRoom2+"state-of-state.ics")
}

// TestWellKnown: /.well-known/caldav, with or without the slash, any
// method, answers 301 to the principal (RFC 6764 §5).
func TestWellKnown(t *testing.T) {
	s := newServer(t)
	for _, p := range []string{"/.well-known/caldav", "/.well-known/caldav/"} {
		for _, m := range []string{"GET", "HEAD", "PROPFIND", "OPTIONS", "REPORT"} {
			w := s.do(t, request{method: m, path: p})
			if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != principal {
				t.Errorf("%s %s: %d Location %q, want 301 to %s", m, p, w.Code, w.Header().Get("Location"), principal)
			}
		}
	}
}

// TestOptions: the DAV classes and no write method in Allow.
func TestOptions(t *testing.T) {
	s := newServer(t)
	for _, p := range []string{"/dav/", principal, home, calAll, calRoom2 + "late-talk.ics"} {
		w := s.do(t, request{method: "OPTIONS", path: p})
		if w.Code != http.StatusOK {
			t.Errorf("OPTIONS %s: %d, want 200", p, w.Code)
			continue
		}
		if got := w.Header().Get("DAV"); got != "1, 3, calendar-access" {
			t.Errorf("OPTIONS %s: DAV %q", p, got)
		}
		allow := strings.Split(w.Header().Get("Allow"), ", ")
		slices.Sort(allow)
		if want := []string{"GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT"}; !slices.Equal(allow, want) {
			t.Errorf("OPTIONS %s: Allow %v, want %v", p, allow, want)
		}
	}
	if w := s.do(t, request{method: "OPTIONS", path: home + "nope/"}); w.Code != http.StatusNotFound {
		t.Errorf("OPTIONS on a missing calendar: %d, want 404", w.Code)
	}
}

// TestWritesRefused: every write method of HTTP and WebDAV gets 403 with
// DAV:need-privileges naming the privilege it needs (RFC 3744 Appendix B
// where it names one), never 405, 500 or 501, through the router.
func TestWritesRefused(t *testing.T) {
	s := newServer(t)
	obj := calAll + "late-talk.ics"
	type writeCase struct {
		method, path string
		header       []string
		body         string
		href, priv   string
	}
	tests := []writeCase{
		{"PUT", obj, []string{"Content-Type", "text/calendar", "If-Match", s.object(t, "late-talk").ETag}, testdata(t, "clients/evolution-put.ics"), obj, "write-content"},
		{"PUT", calAll + "new.ics", []string{"Content-Type", "text/calendar"}, testdata(t, "clients/evolution-put.ics"), calAll, "bind"},
		{"PUT", obj, []string{"Content-Type", "application/json"}, "{}", obj, "write-content"},
		{"DELETE", obj, nil, "", calAll, "unbind"},
		{"DELETE", calRoom1, nil, "", home, "unbind"},
		{"MKCOL", home + "mine/", nil, "", home, "bind"},
		{"MKCALENDAR", home + "mine/", nil, "", home, "bind"},
		{"PROPPATCH", calAll, nil, testdata(t, "clients/ios-proppatch.xml"), calAll, "write-properties"},
		{"MOVE", obj, []string{"Destination", baseURL + calRoom1 + "late-talk.ics"}, "", calAll, "unbind"},
		{"COPY", obj, []string{"Destination", baseURL + calRoom1 + "late-talk.ics"}, "", calRoom1, "bind"},
		{"LOCK", obj, nil, `<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>`, obj, "write-content"},
		{"UNLOCK", obj, []string{"Lock-Token", "<urn:uuid:x>"}, "", obj, "unlock"},
		{"POST", calAll, []string{"Content-Type", "text/calendar"}, testdata(t, "clients/evolution-put.ics"), calAll, "bind"},
		{"PATCH", obj, nil, "x", obj, "write-content"},
		{"ACL", calAll, nil, `<D:acl xmlns:D="DAV:"><D:ace><D:principal><D:all/></D:principal><D:grant><D:privilege><D:write/></D:privilege></D:grant></D:ace></D:acl>`, calAll, "write-acl"},
		{"BIND", calRoom1, nil, `<D:bind xmlns:D="DAV:"><D:segment>x.ics</D:segment><D:href>` + obj + `</D:href></D:bind>`, calRoom1, "bind"},
		{"UNBIND", calAll, nil, `<D:unbind xmlns:D="DAV:"><D:segment>late-talk.ics</D:segment></D:unbind>`, calAll, "unbind"},
		{"REBIND", calRoom1, nil, `<D:rebind xmlns:D="DAV:"><D:segment>x.ics</D:segment><D:href>` + obj + `</D:href></D:rebind>`, calRoom1, "bind"},
		{"MKWORKSPACE", home + "ws/", nil, "", home, "bind"},
		{"MKACTIVITY", home + "act/", nil, "", home, "bind"},
		{"MKREDIRECTREF", calAll + "r.ics", nil, "", calAll, "bind"},
		{"VERSION-CONTROL", obj, nil, "", obj, "write-properties"},
		{"CHECKOUT", obj, nil, "", obj, "write-properties"},
		{"CHECKIN", obj, nil, "", obj, "write-properties"},
		{"UNCHECKOUT", obj, nil, "", obj, "write-properties"},
		{"LABEL", obj, nil, "", obj, "write-properties"},
		{"BASELINE-CONTROL", calAll, nil, "", calAll, "write-properties"},
		{"UPDATE", obj, nil, "", obj, "write-content"},
		{"MERGE", calAll, nil, "", calAll, "write-content"},
		{"ORDERPATCH", calAll, nil, "", calAll, "write-content"},
		{"UPDATEREDIRECTREF", obj, nil, "", obj, "write-content"},
		{"ACL", calAll + "nope.ics", nil, "", calAll + "nope.ics", "write-acl"}, // a path that names nothing
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			checkNeedPrivileges(t, s.do(t, request{method: tc.method, path: tc.path, header: tc.header, body: tc.body}), tc.href, tc.priv)
		})
	}
	// Nothing changed.
	if got := s.do(t, request{method: "GET", path: obj}).Body.String(); got != string(s.object(t, "late-talk").Body) {
		t.Errorf("the object changed after the writes")
	}
	// Every write method WebDAV defines is in the table.
	for _, m := range caldav.WebDAVMethods() {
		if m != "PROPFIND" && m != "REPORT" && m != "SEARCH" &&
			!slices.ContainsFunc(tests, func(tc writeCase) bool { return tc.method == m }) {
			t.Errorf("write method %s is not tested", m)
		}
	}
}

// TestOtherMethods: SEARCH (RFC 5323), which no resource here supports,
// and methods nothing defines get 405 with the Allow of the tree (RFC 9110
// §15.5.6), through the router, which would otherwise refuse a method it
// does not know without Allow.
func TestOtherMethods(t *testing.T) {
	s := newServer(t)
	for _, m := range []string{"SEARCH", "FROB", "TRACE"} {
		for _, p := range []string{"/dav/", calAll, calAll + "late-talk.ics", home + "nope/"} {
			w := s.do(t, request{method: m, path: p, body: `<D:searchrequest xmlns:D="DAV:"/>`})
			if w.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", m, p, w.Code)
				continue
			}
			allow := strings.Split(w.Header().Get("Allow"), ", ")
			slices.Sort(allow)
			if want := []string{"GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT"}; !slices.Equal(allow, want) {
				t.Errorf("%s %s: Allow %v, want %v", m, p, allow, want)
			}
		}
	}
}

// TestGet: objects and calendars are served as rendered, with validators
// and 304s; HEAD has the headers without the body.
func TestGet(t *testing.T) {
	s := newServer(t)
	doc := s.object(t, "streams-everywhere")
	obj := calTalks + "streams-everywhere.ics"
	w := s.do(t, request{method: "GET", path: obj})
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), doc.Body) {
		t.Fatalf("GET %s: %d, body equal to the object: %v", obj, w.Code, bytes.Equal(w.Body.Bytes(), doc.Body))
	}
	if w.Header().Get("ETag") != doc.ETag || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/calendar") ||
		w.Header().Get("Last-Modified") != doc.Modified.UTC().Format(http.TimeFormat) {
		t.Errorf("GET %s headers: %v", obj, w.Header())
	}
	for _, m := range []string{"GET", "HEAD"} {
		w := s.do(t, request{method: m, path: obj, header: []string{"If-None-Match", doc.ETag}})
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("%s with If-None-Match: %d with %d bytes, want 304", m, w.Code, w.Body.Len())
		}
		w = s.do(t, request{method: m, path: obj, header: []string{"If-None-Match", `"other"`}})
		if w.Code != http.StatusOK {
			t.Errorf("%s with another ETag: %d, want 200", m, w.Code)
		}
	}
	if w := s.do(t, request{method: "HEAD", path: obj}); w.Body.Len() != 0 || w.Header().Get("ETag") != doc.ETag {
		t.Errorf("HEAD: %d bytes, ETag %q", w.Body.Len(), w.Header().Get("ETag"))
	}

	// A calendar is its whole .ics: its members, no cancelled ones.
	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
	})
	w = s.do(t, request{method: "GET", path: calTalks})
	if w.Code != http.StatusOK || w.Header().Get("ETag") == "" {
		t.Fatalf("GET calendar: %d, ETag %q", w.Code, w.Header().Get("ETag"))
	}
	cal, err := goical.NewDecoder(w.Body).Decode()
	if err != nil {
		t.Fatalf("calendar .ics does not parse: %v", err)
	}
	var uids []string
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(goical.PropUID)
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	if want := []string{"state-of-state@test.confcal.example", "streams-everywhere@test.confcal.example"}; !slices.Equal(uids, want) {
		t.Errorf("calendar .ics holds %v, want %v", uids, want)
	}
	if w := s.do(t, request{method: "GET", path: calTalks, header: []string{"If-None-Match", w.Header().Get("ETag")}}); w.Code != http.StatusNotModified {
		t.Errorf("GET calendar with its ETag: %d, want 304", w.Code)
	}
	if w := s.do(t, request{method: "GET", path: principal}); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "CalDAV") {
		t.Errorf("GET principal: %d %q", w.Code, w.Body)
	}
	if w := s.do(t, request{method: "GET", path: calTalks + "nope.ics"}); w.Code != http.StatusNotFound {
		t.Errorf("GET missing object: %d, want 404", w.Code)
	}
}

// TestGetCalendarColor: a track calendar's .ics carries the colour its
// calendar-color advertises (X-APPLE-CALENDAR-COLOR, and COLOR as the
// nearest CSS3 name); the whole conference and rooms carry neither, their
// display colours being no colour of their sessions.
func TestGetCalendarColor(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		path  string
		color string // COLOR and X-APPLE-CALENDAR-COLOR; "": neither
	}{
		{calAll, ""},
		{calKey, "indianred #D1495B"},
		{calTalks, "teal #00798C"},
		{calRoom1, ""},
		{calRoom2, ""},
	}
	body := `<propfind xmlns="DAV:"><prop><calendar-color xmlns="http://apple.com/ns/ical/"/></prop></propfind>`
	for _, tt := range tests {
		w := s.do(t, request{method: "GET", path: tt.path})
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", tt.path, w.Code)
		}
		cal, err := goical.NewDecoder(w.Body).Decode()
		if err != nil {
			t.Fatalf("GET %s: the .ics does not parse: %v", tt.path, err)
		}
		var color []string
		for _, name := range []string{goical.PropColor, "X-APPLE-CALENDAR-COLOR"} {
			if p := cal.Props.Get(name); p != nil {
				v, err := p.Text()
				if err != nil {
					t.Errorf("GET %s: %s: %v", tt.path, name, err)
				}
				color = append(color, v)
			}
		}
		if got := strings.Join(color, " "); got != tt.color {
			t.Errorf("GET %s: COLOR and X-APPLE-CALENDAR-COLOR %q, want %q", tt.path, got, tt.color)
		}
		if tt.color != "" {
			m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: tt.path, header: []string{"Depth", "0"}, body: body}))
			if got := m.text(t, tt.path, apple("calendar-color")); got != color[1] {
				t.Errorf("%s: calendar-color %q, the .ics says %q", tt.path, got, color[1])
			}
		}
	}
}

// TestPropfindDepth: no Depth counts as 1; infinity is refused; an empty
// body is allprop without calendar-data; propname lists our properties.
func TestPropfindDepth(t *testing.T) {
	s := newServer(t)
	body := testdata(t, "clients/vdirsyncer-collections.xml")
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: home, body: body}))
	m.wantHrefs(t, append([]string{home}, calendars...)...)

	for _, depth := range []string{"infinity", "Infinity"} { // case-insensitive, RFC 4918 §10.2
		w := s.do(t, request{method: "PROPFIND", path: principal, header: []string{"Depth", depth}, body: body})
		if w.Code != http.StatusForbidden || !slices.Equal(davError(t, w), []string{"propfind-finite-depth"}) {
			t.Errorf("Depth %s: %d %s, want 403 propfind-finite-depth", depth, w.Code, w.Body)
		}
	}
	if w := s.do(t, request{method: "PROPFIND", path: principal, header: []string{"Depth", "2"}, body: body}); w.Code != http.StatusBadRequest {
		t.Errorf("Depth 2: %d, want 400", w.Code)
	}

	// Empty body: allprop. Objects come without calendar-data, calendars
	// read-only.
	w := s.do(t, request{method: "PROPFIND", path: calRoom2, header: []string{"Depth", "1"}})
	m = parseMultistatus(t, w)
	m.wantHrefs(t, calRoom2, calRoom2+"late-talk.ics", calRoom2+"state-of-state.ics")
	m.wantAbsent(t, calRoom2+"late-talk.ics", cal("calendar-data"))
	m.wantProp(t, calRoom2+"late-talk.ics", dav("getetag"), s.object(t, "late-talk").ETag)
	m.wantProp(t, calRoom2, dav("current-user-privilege-set"), privilegesReadOnly)

	// Named: calendar-data is not a PROPFIND property.
	m = parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calRoom2 + "late-talk.ics", header: []string{"Depth", "0"},
		body: `<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><prop><getetag/><C:calendar-data/></prop></propfind>`}))
	m.wantStatus(t, calRoom2+"late-talk.ics", cal("calendar-data"), http.StatusNotFound)
	m.wantProp(t, calRoom2+"late-talk.ics", dav("getetag"), s.object(t, "late-talk").ETag)

	// propname lists our properties, without values.
	m = parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "0"},
		body: `<propfind xmlns="DAV:"><propname/></propfind>`}))
	for _, n := range []string{"getctag", "sync-token", "supported-report-set", "calendar-color", "displayname", "resourcetype"} {
		name := dav(n)
		switch n {
		case "getctag":
			name = cs(n)
		case "calendar-color":
			name = apple(n)
		}
		if got := m.prop(t, calAll, name); got != "" {
			t.Errorf("propname: %s has value %q", n, got)
		}
	}
	for _, p := range []string{"/dav/nope/", home + "nope/", calAll + "nope.ics"} {
		if w := s.do(t, request{method: "PROPFIND", path: p, header: []string{"Depth", "0"}, body: body}); w.Code != http.StatusNotFound {
			t.Errorf("PROPFIND %s: %d, want 404", p, w.Code)
		}
	}
	if w := s.do(t, request{method: "PROPFIND", path: home, header: []string{"Depth", "0"}, body: "<propfind"}); w.Code != http.StatusBadRequest {
		t.Errorf("malformed PROPFIND: %d, want 400", w.Code)
	}
	// An empty prop asks for nothing: each response still has a status.
	m = parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calKey, header: []string{"Depth", "1"},
		body: `<propfind xmlns="DAV:"><prop/></propfind>`}))
	m.wantHrefs(t, calKey, calKey+"opening-keynote.ics", calKey+"closing-keynote.ics")
	for _, h := range m.hrefs() {
		if r := m.response(t, h); r.status != http.StatusOK || len(r.props) != 0 {
			t.Errorf("empty prop: %s answered %d with %d properties, want a bare 200", h, r.status, len(r.props))
		}
	}
	// A collection named without its slash.
	m = parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: strings.TrimSuffix(calAll, "/"), header: []string{"Depth", "0"}, body: body}))
	m.wantHrefs(t, calAll)
}

// TestReports: REPORTs other than the four served, and served ones where
// they are not.
func TestReports(t *testing.T) {
	s := newServer(t)
	tests := []reportCase{
		{"calendar-query on the home", home, calendarQuery("20191008T000000Z", ""), http.StatusForbidden, "supported-report"},
		{"unknown report", calAll, `<x:report xmlns:x="urn:example"/>`, http.StatusForbidden, "supported-report"},
		{"principal-property-search", principal, `<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop><D:displayname/></D:prop><D:match>x</D:match></D:property-search></D:principal-property-search>`, http.StatusMultiStatus, ""},
		{"empty body", calAll, "", http.StatusBadRequest, ""},
		{"not XML", calAll, "REPORT please", http.StatusBadRequest, ""},
		{"outer comp-filter VEVENT", calAll, `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VEVENT"/></C:filter></C:calendar-query>`, http.StatusForbidden, ""},
		{"is-not-defined with a time range", calAll, `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:is-not-defined/><C:time-range start="20191008T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`, http.StatusBadRequest, ""},
		{"malformed time", calAll, calendarQuery("yesterday", ""), http.StatusBadRequest, ""},
	}
	runReports(t, s, tests)
}

// TestBodyCap: bodies above the cap get 413.
func TestBodyCap(t *testing.T) {
	s := newServer(t)
	big := `<propfind xmlns="DAV:"><prop><displayname/></prop>` + strings.Repeat("<!-- padding -->", 70000) + `</propfind>`
	for _, m := range []string{"PROPFIND", "REPORT"} {
		if w := s.do(t, request{method: m, path: calAll, header: []string{"Depth", "0"}, body: big}); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes: %d, want 413", m, len(big), w.Code)
		}
	}
}

// TestNotReady: before the first rendering, 503.
func TestNotReady(t *testing.T) {
	h := caldav.NewHandler(caldav.Options{}, func() *ical.Rendered { return nil })
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("PROPFIND", "/dav/", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", w.Code)
	}
}

// queryWith is a calendar-query for getetag with the given comp-filters
// inside VCALENDAR.
func queryWith(inner string) string {
	return `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>` +
		`<C:filter><C:comp-filter name="VCALENDAR">` + inner + `</C:comp-filter></C:filter></C:calendar-query>`
}

// TestCalendarQueryFilters: filters beyond time ranges, answered from the
// parsed objects, and the ones refused, through the router. Titles of the
// fixture: "Opening Keynote", "Closing Keynote", "Streams Everywhere",
// "State of State", "Late Talk".
func TestCalendarQueryFilters(t *testing.T) {
	s := newServer(t)
	summary := func(attrs, text string) string {
		return `<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match` + attrs + `>` + text +
			`</C:text-match></C:prop-filter></C:comp-filter>`
	}
	all := []string{"opening-keynote", "streams-everywhere", "state-of-state", "late-talk", "closing-keynote"}
	tests := []struct {
		name, inner string
		want        []string
	}{
		{"summary, any case", summary("", "KEYNOTE"), []string{"opening-keynote", "closing-keynote"}},
		{"summary, i;octet, same case", summary(` collation="i;octet"`, "Keynote"), []string{"opening-keynote", "closing-keynote"}},
		{"summary, i;octet, other case", summary(` collation="i;octet"`, "keynote"), nil},
		{"summary negated", summary(` negate-condition="yes"`, "keynote"), []string{"streams-everywhere", "state-of-state", "late-talk"}},
		{"location", `<C:comp-filter name="VEVENT"><C:prop-filter name="LOCATION"><C:text-match>room 2</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"state-of-state", "late-talk"}},
		{"time range and category", `<C:comp-filter name="VEVENT"><C:time-range start="20191008T220000Z"/><C:prop-filter name="CATEGORIES"><C:text-match>talks</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"late-talk"}},
		{"no VEVENT", `<C:comp-filter name="VEVENT"><C:is-not-defined/></C:comp-filter>`, nil},
		{"a VTODO", `<C:comp-filter name="VTODO"/>`, nil},
		{"no VTODO", `<C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter>`, all},
		{"a VTIMEZONE", `<C:comp-filter name="VTIMEZONE"/>`, all},
		{"any VEVENT", `<C:comp-filter name="VEVENT"/>`, all},
		{"no condition", ``, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parseMultistatus(t, s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"}, body: queryWith(tc.inner)}))
			var want []string
			for _, id := range tc.want {
				want = append(want, calAll+id+".ics")
			}
			m.wantHrefs(t, want...)
			for _, id := range tc.want {
				m.wantProp(t, calAll+id+".ics", dav("getetag"), s.object(t, id).ETag)
			}
		})
	}

	refused := []struct {
		name, body string
		status     int
		cond       string
	}{
		{"unknown collation", queryWith(summary(` collation="i;unicode-casemap"`, "x")), http.StatusForbidden, "supported-collation"},
		{"unknown CalDAV element", queryWith(`<C:comp-filter name="VEVENT"><C:param-filter name="X"/></C:comp-filter>`), http.StatusForbidden, "supported-filter"},
		{"range backwards", queryWith(`<C:comp-filter name="VEVENT"><C:time-range start="20191009T000000Z" end="20191008T000000Z"/></C:comp-filter>`), http.StatusForbidden, "valid-filter"},
		{"no filter", `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop></C:calendar-query>`, http.StatusBadRequest, ""},
		{"property name not writable", `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:xmlns/></D:prop>` +
			`<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`, http.StatusBadRequest, ""},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			w := s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"}, body: tc.body})
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body:\n%s", w.Code, tc.status, w.Body)
			}
			if tc.cond != "" {
				if got := davError(t, w); !slices.Equal(got, []string{tc.cond}) {
					t.Errorf("DAV:error holds %v, want %s", got, tc.cond)
				}
			}
		})
	}
}

// multiget is a calendar-multiget for getetag and calendar-data.
func multiget(hrefs ...string) string {
	b := `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>`
	for _, h := range hrefs {
		b += "<D:href>" + h + "</D:href>"
	}
	return b + "</C:calendar-multiget>"
}

// TestMultigetForms: the forms an href may take, repeats, and hrefs that
// name no object of the calendar.
func TestMultigetForms(t *testing.T) {
	s := newServer(t)
	late := calRoom2 + "late-talk.ics"
	tests := []struct {
		name   string
		path   string
		hrefs  []string
		found  []string
		absent []string
	}{
		{"absolute URL", calRoom2, []string{baseURL + late}, []string{late}, nil},
		{"relative to the calendar", calRoom2, []string{"late-talk.ics"}, []string{late}, nil},
		{"percent-encoded", calRoom2, []string{"/dav/public/calendars/room-room-2/late%2Dtalk.ics"}, []string{late}, nil},
		{"repeated", calRoom2, []string{late, late, baseURL + late}, []string{late}, nil},
		{"the calendar itself", calRoom2, []string{calRoom2}, nil, []string{calRoom2}},
		{"another calendar's object", calRoom2, []string{calRoom1 + "opening-keynote.ics"}, nil, []string{calRoom1 + "opening-keynote.ics"}},
		{"on the object itself", late, []string{late}, []string{late}, nil},
		{"on the home", home, []string{late, calRoom1 + "opening-keynote.ics"}, []string{late, calRoom1 + "opening-keynote.ics"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parseMultistatus(t, s.do(t, request{method: "REPORT", path: tc.path, header: []string{"Depth", "1"}, body: multiget(tc.hrefs...)}))
			m.wantHrefs(t, append(slices.Clone(tc.found), tc.absent...)...)
			for _, h := range tc.found {
				id := strings.TrimSuffix(h[strings.LastIndex(h, "/")+1:], ".ics")
				m.wantProp(t, h, dav("getetag"), s.object(t, id).ETag)
				if got := m.text(t, h, cal("calendar-data")); got != string(s.object(t, id).Body) {
					t.Errorf("%s: calendar-data differs from the object", h)
				}
			}
			for _, h := range tc.absent {
				if st := m.response(t, h).status; st != http.StatusNotFound {
					t.Errorf("%s: status %d, want 404", h, st)
				}
			}
		})
	}
	for _, body := range []string{multiget(), multiget("http://[::1/x")} {
		if w := s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"}, body: body}); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", body, w.Code)
		}
	}
}

// TestPropfindAllprop: allprop with DAV:include (RFC 4918 §9.1), and
// propname on objects.
func TestPropfindAllprop(t *testing.T) {
	s := newServer(t)
	body := `<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:allprop/><D:include>` +
		`<D:sync-token/><C:calendar-data/><D:quota-used-bytes/></D:include></D:propfind>`
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calKey, header: []string{"Depth", "1"}, body: body}))
	objs := []string{calKey + "opening-keynote.ics", calKey + "closing-keynote.ics"}
	m.wantHrefs(t, append([]string{calKey}, objs...)...)
	if tok := m.prop(t, calKey, dav("sync-token")); tok != m.prop(t, calKey, cs("getctag")) {
		t.Errorf("included sync-token %q differs from the ctag", tok)
	}
	m.wantProp(t, calKey, apple("calendar-order"), "1000")
	m.wantStatus(t, calKey, dav("quota-used-bytes"), http.StatusNotFound)
	for _, h := range objs {
		id := strings.TrimSuffix(strings.TrimPrefix(h, calKey), ".ics")
		m.wantProp(t, h, dav("getetag"), s.object(t, id).ETag)
		m.wantProp(t, h, dav("getcontentlength"), strconv.Itoa(len(s.object(t, id).Body)))
		m.wantProp(t, h, dav("getlastmodified"), s.object(t, id).Modified.Format(http.TimeFormat))
		m.wantStatus(t, h, cal("calendar-data"), http.StatusNotFound)
		m.wantStatus(t, h, dav("sync-token"), http.StatusNotFound)
	}
	// The home's allprop leaves sync-token out (RFC 6578 §4).
	m = parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: home, header: []string{"Depth", "0"}}))
	m.wantAbsent(t, home, dav("sync-token"))
	m.wantProp(t, home, dav("resourcetype"), "collection")

	m = parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: objs[0], header: []string{"Depth", "0"},
		body: `<propfind xmlns="DAV:"><propname/></propfind>`}))
	for _, n := range []string{"getetag", "getcontenttype", "getcontentlength", "getlastmodified", "resourcetype"} {
		if got := m.prop(t, objs[0], dav(n)); got != "" {
			t.Errorf("propname: %s has value %q", n, got)
		}
	}
	m.wantAbsent(t, objs[0], cal("calendar-data"))
}

// TestGetCalendarLastModified: a calendar's Last-Modified moves when a
// member leaves it, though every member it keeps is older.
func TestGetCalendarLastModified(t *testing.T) {
	s := newServer(t)
	w := s.do(t, request{method: "GET", path: calRoom2})
	before := w.Header().Get("Last-Modified")
	if want := agendatest.Published.Format(http.TimeFormat); before != want {
		t.Fatalf("Last-Modified %q, want %q", before, want)
	}
	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Force: true})
	})
	var at time.Time
	for _, ch := range s.snap.Log() {
		at = ch.Time
	}
	w = s.do(t, request{method: "GET", path: calRoom2, header: []string{"If-Modified-Since", before}})
	if w.Code != http.StatusOK {
		t.Fatalf("GET with the old If-Modified-Since: %d, want 200", w.Code)
	}
	if got, want := w.Header().Get("Last-Modified"), at.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified %q after a member left, want the change's time %q", got, want)
	}
	// The calendar it joined, and one it never touched.
	if got, want := s.do(t, request{method: "GET", path: calRoom1}).Header().Get("Last-Modified"), at.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("room-1 Last-Modified %q, want %q", got, want)
	}
	if got := s.do(t, request{method: "GET", path: calKey}).Header().Get("Last-Modified"); got != before {
		t.Errorf("keynote Last-Modified %q, want it unchanged %q", got, before)
	}
}

// TestGetPropsMatchGet: each resource that answers GET (the root, the
// principal and the home with a line of text, calendars with their .ics)
// has the DAV:get* properties of what GET sends (RFC 4918 §15.4–15.7:
// getcontentlength, getcontenttype, getetag and getlastmodified MUST be
// defined wherever GET returns the header they mirror), in a named
// PROPFIND and in allprop, and they follow GET when a member leaves a
// calendar. A calendar has no getcontenttype, though its GET sends
// text/calendar: clients that list members by getetag and getcontenttype
// alone would take it for an event.
func TestGetPropsMatchGet(t *testing.T) {
	s := newServer(t)
	check := func(path string) {
		t.Helper()
		g := s.do(t, request{method: "GET", path: path})
		if g.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, g.Code)
		}
		want := [][2]string{
			{"getcontenttype", g.Header().Get("Content-Type")},
			{"getcontentlength", strconv.Itoa(g.Body.Len())},
			{"getetag", g.Header().Get("ETag")},
			{"getlastmodified", g.Header().Get("Last-Modified")},
		}
		if strings.HasPrefix(path, home) && path != home {
			want[0][1] = ""
		}
		named := `<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/><D:getcontentlength/><D:getetag/><D:getlastmodified/></D:prop></D:propfind>`
		for _, body := range []string{named, ""} {
			m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: path, header: []string{"Depth", "0"}, body: body}))
			for _, nv := range want {
				name, v := nv[0], nv[1]
				if v == "" {
					// GET sends no such header (or it is left out on
					// purpose): the property is not defined.
					if p, ok := m.response(t, path).props[dav(name)]; ok && p.status == http.StatusOK {
						t.Errorf("%s: %s answered, want it undefined", path, name)
					}
					continue
				}
				if p, ok := m.response(t, path).props[dav(name)]; !ok || p.status != http.StatusOK {
					t.Errorf("%s (allprop %t): %s missing, GET sends %q", path, body == "", name, v)
					continue
				}
				if got := m.text(t, path, dav(name)); got != v {
					t.Errorf("%s (allprop %t): %s = %q, GET sends %q", path, body == "", name, got, v)
				}
			}
		}
	}
	for _, path := range []string{"/dav/", principal, home, calAll, calKey, calRoom2} {
		check(path)
	}
	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Force: true})
	})
	check(calRoom2)
	check(calRoom1)
}

// TestAnswersFollowRevisions: a repeated request gets the same bytes
// within a revision and the new revision's after an edit: the repeated
// calendar-query shows the new title, and a sync-collection with the
// token of the old revision, answered "nothing changed" before the edit,
// lists the changed object after it.
func TestAnswersFollowRevisions(t *testing.T) {
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
	if data, want := m.text(t, href, cal("calendar-data")), s.expanded(t, "opening-keynote"); data != want {
		t.Errorf("calendar-query after the edit: calendar-data is not the object of the new revision, expanded: %s", firstDiff(data, want))
	}
	m = syncReport(t, s, calKey, token, 0)
	m.wantHrefs(t, calKey+"opening-keynote.ics")
	if m.syncToken == token {
		t.Errorf("sync after the edit: token %q did not move", m.syncToken)
	}
}

// TestReportsAdvertisedAreServed: every resource lists in its
// supported-report-set the REPORTs it answers, and answers each one it
// lists (RFC 3253 §3.1.5; RFC 4791 §7 for calendars and their objects);
// one it does not list is refused with DAV:supported-report.
func TestReportsAdvertisedAreServed(t *testing.T) {
	s := newServer(t)
	object := calRoom2 + "late-talk.ics"
	// Each report's body, and the status it is answered with where it is
	// listed: a multistatus, but a free-busy-query's VFREEBUSY (RFC 4791
	// §7.10).
	reports := map[string]struct {
		body string
		code int
	}{
		"calendar-query": {`<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>` +
			`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`, http.StatusMultiStatus},
		"calendar-multiget": {`<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>` +
			`<D:href>` + object + `</D:href></C:calendar-multiget>`, http.StatusMultiStatus},
		"sync-collection": {`<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`, http.StatusMultiStatus},
		"free-busy-query": {`<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20191008T000000Z" end="20191010T000000Z"/></C:free-busy-query>`, http.StatusOK},
	}
	tests := []struct {
		path string
		want string
	}{
		{home, reportsHome},
		{calRoom2, reportsAll},
		{object, reportsObject},
	}
	for _, tc := range tests {
		m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: tc.path, header: []string{"Depth", "0"},
			body: `<propfind xmlns="DAV:"><prop><supported-report-set/></prop></propfind>`}))
		listed := m.prop(t, tc.path, dav("supported-report-set"))
		if listed != tc.want {
			t.Errorf("%s: supported-report-set %q, want %q", tc.path, listed, tc.want)
		}
		for name, rep := range reports {
			w := s.do(t, request{method: "REPORT", path: tc.path, header: []string{"Depth", "0"}, body: rep.body})
			switch advertised := strings.Contains(listed, "report("+name+")"); {
			case advertised && w.Code != rep.code:
				t.Errorf("REPORT %s on %s, which lists it: %d %s, want %d", name, tc.path, w.Code, w.Body, rep.code)
			case !advertised && (w.Code != http.StatusForbidden || !slices.Equal(davError(t, w), []string{"supported-report"})):
				t.Errorf("REPORT %s on %s, which does not list it: %d %s, want 403 supported-report", name, tc.path, w.Code, w.Body)
			}
		}
	}

	// A calendar-query on an object answers that object when it matches.
	m := parseMultistatus(t, s.do(t, request{method: "REPORT", path: object, header: []string{"Depth", "0"}, body: reports["calendar-query"].body}))
	m.wantHrefs(t, object)
	m = parseMultistatus(t, s.do(t, request{method: "REPORT", path: object, header: []string{"Depth", "0"},
		body: `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>` +
			`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter></C:calendar-query>`}))
	m.wantHrefs(t)
}

// reportCase is a REPORT of body on path (Depth 1) and the status it must
// get, with the DAV:error precondition cond when set; a 207 must list no
// member.
type reportCase struct {
	name, path, body string
	status           int
	cond             string
}

// runReports sends each case's REPORT to s and checks its answer.
func runReports(t *testing.T, s *testServer, tests []reportCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := s.do(t, request{method: "REPORT", path: tc.path, header: []string{"Depth", "1"}, body: tc.body})
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body:\n%s", w.Code, tc.status, w.Body)
			}
			if tc.cond != "" && !slices.Equal(davError(t, w), []string{tc.cond}) {
				t.Errorf("DAV:error %s, want %s", w.Body, tc.cond)
			}
			if tc.status == http.StatusMultiStatus {
				parseMultistatus(t, w).wantHrefs(t)
			}
		})
	}
}

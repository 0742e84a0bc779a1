package caldav_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestClientRequests replays, through the real router, request bodies
// that CalDAV clients send (testdata/clients/, each naming its source) and
// checks every answer with an XML parser: the hrefs answered, the status
// of each property, and its value.
func TestClientRequests(t *testing.T) {
	s := newServer(t)
	// Expected values come from the fixture (agendatest.Small) and the
	// ical package's rendering, not from the server's answers.
	talks := []string{calTalks + "late-talk.ics", calTalks + "state-of-state.ics", calTalks + "streams-everywhere.ics"}
	calendars := []string{calAll, calKey, calTalks, calRoom1, calRoom2}
	etag := func(id string) string { return s.object(t, id).ETag }
	body := func(id string) string { return string(s.object(t, id).Body) }
	hex := regexp.MustCompile(`^#[0-9A-F]{6}$`)
	// checkObject checks getetag and, when data is set, calendar-data.
	checkObject := func(t *testing.T, m *msResult, href string, data bool) {
		t.Helper()
		id := strings.TrimSuffix(href[strings.LastIndex(href, "/")+1:], ".ics")
		m.wantProp(t, href, dav("getetag"), etag(id))
		if data {
			if got := m.text(t, href, cal("calendar-data")); got != body(id) {
				t.Errorf("%s: calendar-data differs from the object's bytes: %s", href, firstDiff(got, body(id)))
			}
		}
	}
	// ctag reads a calendar's getctag with a Depth 0 PROPFIND.
	ctag := func(t *testing.T, href string) string {
		t.Helper()
		m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: href, header: []string{"Depth", "0"},
			body: testdata(t, "clients/evolution-ctag.xml")}))
		return m.prop(t, href, cs("getctag"))
	}

	tests := []struct {
		file, method, path, depth string
		header                    []string
		check                     func(t *testing.T, w *httptest.ResponseRecorder)
	}{
		{"davx5-detect-url.xml", "PROPFIND", "/", "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, "/")
			m.wantProp(t, "/", dav("current-user-principal"), "href("+principal+")")
			m.wantProp(t, "/", dav("resourcetype"), "collection")
			m.wantStatus(t, "/", cal("calendar-home-set"), http.StatusNotFound)
			m.wantStatus(t, "/", xmlName("urn:ietf:params:xml:ns:carddav", "addressbook-home-set"), http.StatusNotFound)
		}},
		{"davx5-homeset-members.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, home, dav("resourcetype"), "collection")
			m.wantProp(t, home, dav("current-user-privilege-set"), privilegesReadOnly)
			m.wantProp(t, calKey, apple("calendar-color"), "#D1495B")
			m.wantProp(t, calTalks, apple("calendar-color"), "#00798C")
			m.wantProp(t, calKey, dav("displayname"), "Test Conf 2019 — Keynote")
			m.wantProp(t, calRoom2, dav("displayname"), "Test Conf 2019 — Room 2")
			m.wantProp(t, calAll, dav("displayname"), "Test Conf 2019")
			m.wantProp(t, calAll, cal("calendar-description"), "A small conference for tests")
			m.wantProp(t, calTalks, cal("calendar-description"), "The Talks track at Test Conf 2019")
			for _, c := range calendars {
				m.wantProp(t, c, dav("resourcetype"), "collection calendar")
				m.wantProp(t, c, dav("current-user-privilege-set"), privilegesReadOnly)
				m.wantProp(t, c, cal("supported-calendar-component-set"), "comp[name=VEVENT]")
				m.wantProp(t, c, dav("owner"), "href("+principal+")")
				if color := m.prop(t, c, apple("calendar-color")); !hex.MatchString(color) {
					t.Errorf("%s: calendar-color %q is not #RRGGBB", c, color)
				}
				m.wantStatus(t, c, cs("source"), http.StatusNotFound)
				m.wantStatus(t, c, cal("calendar-timezone"), http.StatusNotFound)
			}
		}},
		{"davx5-capabilities.xml", "PROPFIND", calAll, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calAll)
			m.wantProp(t, calAll, dav("supported-report-set"), reportsAll)
			tag, tok := m.prop(t, calAll, cs("getctag")), m.prop(t, calAll, dav("sync-token"))
			if tag != tok || !strings.Contains(tok, ":") || !strings.Contains(tok, "/") {
				t.Errorf("getctag %q and sync-token %q: want one URI for both", tag, tok)
			}
			m.wantStatus(t, calAll, cal("max-resource-size"), http.StatusNotFound)
		}},
		{"davx5-sync-initial.xml", "REPORT", calTalks, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, talks...)
			for _, h := range talks {
				checkObject(t, m, h, false)
			}
			if want := ctag(t, calTalks); m.syncToken != want {
				t.Errorf("sync-token %q, want the calendar's ctag %q", m.syncToken, want)
			}
		}},
		{"davx5-sync-token.xml", "REPORT", calTalks, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			// $SYNC_TOKEN is the calendar's current token: nothing changed.
			m := parseMultistatus(t, w)
			m.wantHrefs(t)
			if want := ctag(t, calTalks); m.syncToken != want {
				t.Errorf("sync-token %q, want %q", m.syncToken, want)
			}
		}},
		{"davx5-multiget.xml", "REPORT", calTalks, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calTalks+"streams-everywhere.ics", calTalks+"late-talk.ics",
				calKey+"opening-keynote.ics", calTalks+"no-such-session.ics")
			for _, h := range []string{calTalks + "streams-everywhere.ics", calTalks + "late-talk.ics"} {
				checkObject(t, m, h, true)
				m.wantProp(t, h, dav("getcontenttype"), "text/calendar; charset=utf-8")
			}
			// An object of another calendar and a missing one: 404 each.
			for _, h := range []string{calKey + "opening-keynote.ics", calTalks + "no-such-session.ics"} {
				if st := m.response(t, h).status; st != http.StatusNotFound {
					t.Errorf("%s: status %d, want 404", h, st)
				}
			}
		}},
		{"davx5-query-past-days.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			// From 11:00 Berlin on 9 October, open-ended: the talk starting
			// exactly then is in, as is the keynote after it.
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calAll+"late-talk.ics", calAll+"closing-keynote.ics")
			checkObject(t, m, calAll+"late-talk.ics", false)
		}},
		{"ios-bootstrap.xml", "PROPFIND", principal, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, principal)
			m.wantProp(t, principal, dav("current-user-principal"), "href("+principal+")")
			m.wantProp(t, principal, dav("principal-URL"), "href("+principal+")")
			m.wantProp(t, principal, dav("resourcetype"), "collection principal")
		}},
		{"ios-principal.xml", "PROPFIND", principal, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantProp(t, principal, cal("calendar-home-set"), "href("+home+")")
			m.wantProp(t, principal, dav("displayname"), "Test Conf 2019")
			m.wantProp(t, principal, dav("principal-URL"), "href("+principal+")")
			for _, n := range []string{"schedule-inbox-URL", "schedule-outbox-URL", "calendar-user-address-set"} {
				m.wantStatus(t, principal, cal(n), http.StatusNotFound)
			}
			m.wantStatus(t, principal, cs("dropbox-home-URL"), http.StatusNotFound)
		}},
		{"ios-home.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, home, dav("supported-report-set"), reportsAll)
			if tok := m.prop(t, home, dav("sync-token")); !strings.Contains(tok, "://") {
				t.Errorf("home sync-token %q is not a URI", tok)
			}
			var orders []int
			for _, c := range calendars {
				m.wantProp(t, c, dav("supported-report-set"), reportsAll)
				m.wantProp(t, c, dav("current-user-privilege-set"), privilegesReadOnly)
				if m.prop(t, c, cs("getctag")) != m.prop(t, c, dav("sync-token")) {
					t.Errorf("%s: getctag differs from sync-token", c)
				}
				n, err := strconv.Atoi(m.prop(t, c, apple("calendar-order")))
				if err != nil {
					t.Errorf("%s: calendar-order: %v", c, err)
				}
				orders = append(orders, n)
				m.wantStatus(t, c, cs("pushkey"), http.StatusNotFound)
				m.wantStatus(t, c, dav("quota-used-bytes"), http.StatusNotFound)
			}
			// The whole conference first, then tracks, then rooms.
			for i := 1; i < len(orders); i++ {
				if orders[i] <= orders[i-1] {
					t.Errorf("calendar-order %v: want increasing in the order all, tracks, rooms", orders)
					break
				}
			}
		}},
		{"ios-sync.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t)
			if want := ctag(t, calAll); m.syncToken != want {
				t.Errorf("sync-token %q, want %q", m.syncToken, want)
			}
		}},
		{"ios-multiget.xml", "REPORT", calRoom1, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calRoom1+"opening-keynote.ics", calRoom1+"closing-keynote.ics")
			checkObject(t, m, calRoom1+"opening-keynote.ics", true)
			checkObject(t, m, calRoom1+"closing-keynote.ics", true)
		}},
		{"ios-proppatch.xml", "PROPPATCH", calAll, "", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			checkNeedPrivileges(t, w, calAll, "write-properties")
		}},
		{"thunderbird-resource-type.xml", "PROPFIND", calAll, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calAll)
			m.wantProp(t, calAll, dav("resourcetype"), "collection calendar")
			m.wantProp(t, calAll, dav("owner"), "href("+principal+")")
			m.wantProp(t, calAll, dav("current-user-principal"), "href("+principal+")")
			m.wantProp(t, calAll, dav("current-user-privilege-set"), privilegesReadOnly)
			m.wantProp(t, calAll, dav("supported-report-set"), reportsAll)
			m.wantProp(t, calAll, cal("supported-calendar-component-set"), "comp[name=VEVENT]")
			m.wantProp(t, calAll, cs("getctag"), ctag(t, calAll))
		}},
		{"thunderbird-principal.xml", "PROPFIND", principal, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantProp(t, principal, cal("calendar-home-set"), "href("+home+")")
			m.wantStatus(t, principal, cal("schedule-inbox-URL"), http.StatusNotFound)
		}},
		{"thunderbird-sync-initial.xml", "REPORT", calRoom2, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calRoom2+"state-of-state.ics", calRoom2+"late-talk.ics")
			for _, h := range m.hrefs() {
				checkObject(t, m, h, false)
				m.wantProp(t, h, dav("getcontenttype"), "text/calendar; charset=utf-8")
			}
			if want := ctag(t, calRoom2); m.syncToken != want {
				t.Errorf("sync-token %q, want %q", m.syncToken, want)
			}
		}},
		{"thunderbird-etags.xml", "PROPFIND", calKey, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calKey, calKey+"opening-keynote.ics", calKey+"closing-keynote.ics")
			m.wantProp(t, calKey, dav("resourcetype"), "collection calendar")
			get := s.do(t, request{method: "GET", path: calKey})
			m.wantProp(t, calKey, dav("getetag"), get.Header().Get("ETag"))
			for _, h := range []string{calKey + "opening-keynote.ics", calKey + "closing-keynote.ics"} {
				checkObject(t, m, h, false)
				m.wantProp(t, h, dav("resourcetype"), "")
				m.wantProp(t, h, dav("getcontenttype"), "text/calendar; charset=utf-8")
			}
		}},
		{"thunderbird-multiget.xml", "REPORT", calRoom2, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calRoom2+"late-talk.ics")
			checkObject(t, m, calRoom2+"late-talk.ics", true)
		}},
		{"evolution-discover.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			for _, c := range calendars {
				m.wantProp(t, c, dav("current-user-privilege-set"), privilegesReadOnly)
				m.wantProp(t, c, cal("supported-calendar-component-set"), "comp[name=VEVENT]")
				if m.prop(t, c, dav("displayname")) == "" || m.prop(t, c, cal("calendar-description")) == "" {
					t.Errorf("%s: empty displayname or description", c)
				}
			}
		}},
		{"evolution-ctag.xml", "PROPFIND", calRoom1, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calRoom1)
			if tag := m.prop(t, calRoom1, cs("getctag")); !strings.Contains(tag, ":") || !strings.Contains(tag, "/") {
				t.Errorf("getctag %q: Evolution ignores tokens without ':' or '/'", tag)
			}
		}},
		{"evolution-list.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			var all []string
			for _, id := range s.snap.SessionIDs() {
				all = append(all, calAll+id+".ics")
			}
			m.wantHrefs(t, all...)
			for _, h := range all {
				checkObject(t, m, h, false)
			}
		}},
		{"evolution-multiget.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calAll+"opening-keynote.ics", calAll+"state-of-state.ics")
			checkObject(t, m, calAll+"opening-keynote.ics", true)
			checkObject(t, m, calAll+"state-of-state.ics", true)
		}},
		{"evolution-put.ics", "PUT", calAll + "20191008T120000Z-1234-1000-1-0.ics", "",
			[]string{"Content-Type", "text/calendar; charset=utf-8", "If-None-Match", "*"},
			func(t *testing.T, w *httptest.ResponseRecorder) {
				checkNeedPrivileges(t, w, calAll, "bind")
			}},
		{"vdirsyncer-find-principal.xml", "PROPFIND", "/", "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantProp(t, "/", dav("current-user-principal"), "href("+principal+")")
		}},
		{"vdirsyncer-find-home.xml", "PROPFIND", principal, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantProp(t, principal, cal("calendar-home-set"), "href("+home+")")
		}},
		{"vdirsyncer-collections.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, home, dav("resourcetype"), "collection")
			for _, c := range calendars {
				m.wantProp(t, c, dav("resourcetype"), "collection calendar")
			}
		}},
		{"vdirsyncer-list.xml", "PROPFIND", calRoom1, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			objs := []string{calRoom1 + "opening-keynote.ics", calRoom1 + "streams-everywhere.ics", calRoom1 + "closing-keynote.ics"}
			m.wantHrefs(t, append([]string{calRoom1}, objs...)...)
			for _, h := range objs {
				checkObject(t, m, h, false)
				m.wantProp(t, h, dav("resourcetype"), "")
				m.wantProp(t, h, dav("getcontenttype"), "text/calendar; charset=utf-8")
			}
		}},
		{"vdirsyncer-get-multi.xml", "REPORT", calKey, "", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calKey+"opening-keynote.ics", calKey+"closing-keynote.ics")
			checkObject(t, m, calKey+"opening-keynote.ics", true)
			checkObject(t, m, calKey+"closing-keynote.ics", true)
		}},
		{"vdirsyncer-query-range.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calAll+"streams-everywhere.ics", calAll+"state-of-state.ics")
		}},
		{"vdirsyncer-get-meta-color.xml", "PROPFIND", calTalks, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantProp(t, calTalks, apple("calendar-color"), "#00798C")
		}},
		{"pycaldav-principal.xml", "PROPFIND", "/", "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, "/")
			m.wantProp(t, "/", dav("current-user-principal"), "href("+principal+")")
		}},
		{"pycaldav-home-set.xml", "PROPFIND", principal, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantProp(t, principal, cal("calendar-home-set"), "href("+home+")")
		}},
		{"pycaldav-children.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, calRoom1, dav("displayname"), "Test Conf 2019 — Room 1")
		}},
		{"pycaldav-date-search.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			// 8 October, Berlin time: exactly that day's three sessions.
			m := parseMultistatus(t, w)
			day := []string{calAll + "opening-keynote.ics", calAll + "streams-everywhere.ics", calAll + "state-of-state.ics"}
			m.wantHrefs(t, day...)
			for _, h := range day {
				id := strings.TrimSuffix(strings.TrimPrefix(h, calAll), ".ics")
				if got := m.text(t, h, cal("calendar-data")); got != body(id) {
					t.Errorf("%s: calendar-data differs from the object's bytes: %s", h, firstDiff(got, body(id)))
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b := testdata(t, "clients/"+tc.file)
			if strings.Contains(b, "$SYNC_TOKEN") {
				b = strings.ReplaceAll(b, "$SYNC_TOKEN", ctag(t, tc.path))
			}
			hdr := tc.header
			if tc.depth != "" {
				hdr = append(slices.Clone(hdr), "Depth", tc.depth)
			}
			tc.check(t, s.do(t, request{method: tc.method, path: tc.path, header: hdr, body: b}))
		})
	}
}

// checkNeedPrivileges checks a 403 with a DAV:need-privileges body naming
// href and privilege (RFC 3744 §7.1.1).
func checkNeedPrivileges(t *testing.T, w *httptest.ResponseRecorder, href, privilege string) {
	t.Helper()
	if w.Code != http.StatusForbidden {
		t.Fatalf("status %d, want 403; body:\n%s", w.Code, w.Body)
	}
	var e element
	if err := parseXML(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("body: %v\n%s", err, w.Body)
	}
	if e.XMLName != dav("error") || len(e.Children) != 1 || e.Children[0].XMLName != dav("need-privileges") {
		t.Fatalf("body %s, want DAV:error with DAV:need-privileges", w.Body)
	}
	want := "resource(href(" + href + ") privilege(" + privilege + "))"
	if got := e.Children[0].shape(); got != want {
		t.Errorf("need-privileges = %s, want %s", got, want)
	}
}

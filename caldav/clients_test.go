package caldav_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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
	// allObjects lists the objects of the whole-conference calendar.
	allObjects := func() []string {
		var all []string
		for _, id := range s.snap.SessionIDs() {
			all = append(all, calAll+id+".ics")
		}
		return all
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
			m.wantProp(t, "/", dav("current-user-privilege-set"), privilegesReadOnly)
			for _, n := range []xml.Name{cal("calendar-home-set"), cal("calendar-description"), cal("calendar-timezone"),
				cal("supported-calendar-component-set"), apple("calendar-color")} {
				m.wantStatus(t, "/", n, http.StatusNotFound)
			}
		}},
		{"davx5-homeset-members.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, home, dav("resourcetype"), "collection")
			m.wantProp(t, home, dav("current-user-privilege-set"), privilegesReadOnly)
			m.wantProp(t, home, dav("owner"), "href("+principal+")")
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
				for _, n := range []xml.Name{cs("source"), cal("calendar-timezone"), cal("calendar-timezone-id"),
					xmlName(nsPush, "transports"), xmlName(nsPush, "topic")} {
					m.wantStatus(t, c, n, http.StatusNotFound)
				}
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
		{"davx5-multiget.xml", "REPORT", calTalks, "", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calTalks+"streams-everywhere.ics", calTalks+"late-talk.ics",
				calKey+"opening-keynote.ics", calTalks+"no-such-session.ics")
			for _, h := range []string{calTalks + "streams-everywhere.ics", calTalks + "late-talk.ics"} {
				checkObject(t, m, h, true)
				m.wantProp(t, h, dav("getcontenttype"), "text/calendar; charset=utf-8")
				m.wantStatus(t, h, cal("schedule-tag"), http.StatusNotFound)
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
			m.wantHrefs(t, principal)
			m.wantProp(t, principal, cal("calendar-home-set"), "href("+home+")")
			m.wantProp(t, principal, dav("current-user-principal"), "href("+principal+")")
			m.wantProp(t, principal, dav("displayname"), "Test Conf 2019")
			m.wantProp(t, principal, dav("principal-URL"), "href("+principal+")")
			for _, n := range []xml.Name{cal("schedule-inbox-URL"), cal("schedule-outbox-URL"), cal("calendar-user-address-set"),
				cs("dropbox-home-URL"), cs("email-address-set"), cs("notification-URL"), dav("resource-id")} {
				m.wantStatus(t, principal, n, http.StatusNotFound)
			}
		}},
		{"ios-home.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, home, dav("supported-report-set"), reportsHome)
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
				for _, n := range []xml.Name{cs("pushkey"), dav("quota-used-bytes"), xmlName(nsMe, "bulk-requests"),
					cal("managed-attachments-server-URL"), cal("calendar-alarm")} {
					m.wantStatus(t, c, n, http.StatusNotFound)
				}
			}
			// The whole conference first, then tracks, then rooms.
			for i := 1; i < len(orders); i++ {
				if orders[i] <= orders[i-1] {
					t.Errorf("calendar-order %v: want increasing in the order all, tracks, rooms", orders)
					break
				}
			}
		}},
		{"ios-home-sync.xml", "REPORT", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			// A first sync of the home: every calendar, with the
			// properties Calendar shows.
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calendars...)
			for _, c := range calendars {
				m.wantProp(t, c, dav("resourcetype"), "collection calendar")
				m.wantProp(t, c, dav("current-user-privilege-set"), privilegesReadOnly)
				m.wantProp(t, c, cs("getctag"), ctag(t, c))
				m.wantProp(t, c, dav("sync-token"), ctag(t, c))
				if color := m.prop(t, c, apple("calendar-color")); !hex.MatchString(color) {
					t.Errorf("%s: calendar-color %q is not #RRGGBB", c, color)
				}
			}
			m.wantProp(t, calAll, dav("displayname"), "Test Conf 2019")
			home := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: home, header: []string{"Depth", "0"},
				body: testdata(t, "clients/ios-home.xml")}))
			if want := home.prop(t, "/dav/public/calendars/", dav("sync-token")); m.syncToken != want {
				t.Errorf("sync-token %q, want the home's %q", m.syncToken, want)
			}
		}},
		{"ios-calendar-etags.xml", "PROPFIND", calRoom1, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			objs := []string{calRoom1 + "opening-keynote.ics", calRoom1 + "streams-everywhere.ics", calRoom1 + "closing-keynote.ics"}
			m.wantHrefs(t, append([]string{calRoom1}, objs...)...)
			for _, h := range objs {
				checkObject(t, m, h, false)
				m.wantProp(t, h, dav("getcontenttype"), "text/calendar; charset=utf-8")
			}
		}},
		{"ios-sync.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t)
			if want := ctag(t, calAll); m.syncToken != want {
				t.Errorf("sync-token %q, want %q", m.syncToken, want)
			}
		}},
		{"ios-multiget.xml", "REPORT", calRoom1, "", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calRoom1+"opening-keynote.ics", calRoom1+"closing-keynote.ics")
			checkObject(t, m, calRoom1+"opening-keynote.ics", true)
			checkObject(t, m, calRoom1+"closing-keynote.ics", true)
		}},
		{"ios-proppatch.xml", "PROPPATCH", calAll, "", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			checkNeedPrivileges(t, w, calAll, "write-properties")
		}},
		{"thunderbird-detect-collection.xml", "PROPFIND", "/.well-known/caldav", "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			// Thunderbird follows the redirect with the same method,
			// Depth and body.
			if w.Code != http.StatusMovedPermanently {
				t.Fatalf("status %d, want 301", w.Code)
			}
			loc, err := url.Parse(w.Header().Get("Location"))
			if err != nil || loc.Path != principal {
				t.Fatalf("Location %q, want the principal %s", w.Header().Get("Location"), principal)
			}
			m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: loc.Path,
				header: append(clientHeaders("thunderbird"), "Depth", "0"), body: testdata(t, "clients/thunderbird-detect-collection.xml")}))
			m.wantHrefs(t, principal)
			m.wantProp(t, principal, dav("resourcetype"), "collection principal")
			m.wantProp(t, principal, dav("displayname"), "Test Conf 2019")
			m.wantProp(t, principal, dav("current-user-principal"), "href("+principal+")")
			m.wantProp(t, principal, dav("current-user-privilege-set"), privilegesReadOnly)
			m.wantProp(t, principal, cal("calendar-home-set"), "href("+home+")")
			m.wantStatus(t, principal, apple("calendar-color"), http.StatusNotFound)
		}},
		{"thunderbird-home-set.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, home, dav("resourcetype"), "collection")
			for _, c := range calendars {
				m.wantProp(t, c, dav("resourcetype"), "collection calendar")
				m.wantProp(t, c, dav("current-user-privilege-set"), privilegesReadOnly)
				if m.prop(t, c, dav("displayname")) == "" {
					t.Errorf("%s: empty displayname", c)
				}
				if color := m.prop(t, c, apple("calendar-color")); !hex.MatchString(color) {
					t.Errorf("%s: calendar-color %q is not #RRGGBB", c, color)
				}
			}
			m.wantProp(t, calRoom1, dav("displayname"), "Test Conf 2019 — Room 1")
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
		{"evolution-find-principal.xml", "PROPFIND", "/", "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, "/")
			m.wantProp(t, "/", dav("resourcetype"), "collection")
			m.wantProp(t, "/", dav("current-user-principal"), "href("+principal+")")
			m.wantStatus(t, "/", cal("calendar-home-set"), http.StatusNotFound)
			m.wantStatus(t, "/", cal("calendar-user-address-set"), http.StatusNotFound)
		}},
		{"evolution-principal-sets.xml", "PROPFIND", principal, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, principal)
			m.wantProp(t, principal, cal("calendar-home-set"), "href("+home+")")
			m.wantStatus(t, principal, cal("calendar-user-address-set"), http.StatusNotFound)
		}},
		{"evolution-list-home.xml", "PROPFIND", home, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, append([]string{home}, calendars...)...)
			m.wantProp(t, home, dav("resourcetype"), "collection")
			for _, c := range calendars {
				m.wantProp(t, c, dav("resourcetype"), "collection calendar")
				m.wantProp(t, c, cal("supported-calendar-component-set"), "comp[name=VEVENT]")
				m.wantProp(t, c, cs("getctag"), ctag(t, c))
				if m.prop(t, c, dav("displayname")) == "" || m.prop(t, c, cal("calendar-description")) == "" {
					t.Errorf("%s: empty displayname or description", c)
				}
				if color := m.prop(t, c, apple("calendar-color")); !hex.MatchString(color) {
					t.Errorf("%s: calendar-color %q is not #RRGGBB", c, color)
				}
				if _, err := strconv.Atoi(m.prop(t, c, apple("calendar-order"))); err != nil {
					t.Errorf("%s: calendar-order: %v", c, err)
				}
				m.wantStatus(t, c, cs("source"), http.StatusNotFound)
			}
		}},
		{"evolution-privileges.xml", "PROPFIND", calRoom1, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calRoom1)
			m.wantProp(t, calRoom1, dav("current-user-privilege-set"), privilegesReadOnly)
		}},
		{"evolution-ctag.xml", "PROPFIND", calRoom1, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calRoom1)
			if tag := m.prop(t, calRoom1, cs("getctag")); !strings.Contains(tag, ":") || !strings.Contains(tag, "/") {
				t.Errorf("getctag %q: Evolution ignores tokens without ':' or '/'", tag)
			}
		}},
		{"evolution-list-window.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			// Five weeks either side of 8 October 2019: the whole agenda.
			m := parseMultistatus(t, w)
			all := allObjects()
			m.wantHrefs(t, all...)
			for _, h := range all {
				checkObject(t, m, h, false)
			}
		}},
		{"evolution-list.xml", "REPORT", calAll, "1", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			all := allObjects()
			m.wantHrefs(t, all...)
			for _, h := range all {
				checkObject(t, m, h, false)
			}
		}},
		{"evolution-multiget.xml", "REPORT", calAll, "0", nil, func(t *testing.T, w *httptest.ResponseRecorder) {
			m := parseMultistatus(t, w)
			m.wantHrefs(t, calAll+"opening-keynote.ics", calAll+"state-of-state.ics")
			checkObject(t, m, calAll+"opening-keynote.ics", true)
			checkObject(t, m, calAll+"state-of-state.ics", true)
		}},
		{"evolution-put.ics", "PUT", calAll + "5c0a6b1e3f2d4c8e9a7b6d5c4e3f2a1b0c9d8e7f.ics", "",
			[]string{"Content-Type", `text/calendar; charset="utf-8"`, "If-None-Match", "*", "Prefer", "return=minimal"},
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
			// 8 October, Berlin time: exactly that day's three sessions,
			// expanded over it as asked: in UTC, without VTIMEZONE.
			m := parseMultistatus(t, w)
			day := []string{calAll + "opening-keynote.ics", calAll + "streams-everywhere.ics", calAll + "state-of-state.ics"}
			m.wantHrefs(t, day...)
			for _, h := range day {
				id := strings.TrimSuffix(strings.TrimPrefix(h, calAll), ".ics")
				if got, want := m.text(t, h, cal("calendar-data")), s.expanded(t, id); got != want {
					t.Errorf("%s: calendar-data differs from the object's bytes, expanded: %s", h, firstDiff(got, want))
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
			hdr := append(clientHeaders(tc.file), tc.header...)
			if tc.depth != "" {
				hdr = append(hdr, "Depth", tc.depth)
			}
			w := s.do(t, request{method: tc.method, path: tc.path, header: hdr, body: b})
			if w.Code == http.StatusMultiStatus {
				checkAnswered(t, parseMultistatus(t, w), b)
			}
			tc.check(t, w)
		})
	}
}

// Namespaces that only some clients' requests use.
const (
	nsPush = "https://bitfire.at/webdav-push" // DAVx5's WebDAV-Push draft
	nsMe   = "http://me.com/_namespace/"      // Apple's bulk-requests
)

// clientHeaders returns the request headers, other than Depth, that the
// client named by the file's prefix sends with its XML bodies (see the
// sources named in the files).
func clientHeaders(file string) []string {
	client, _, _ := strings.Cut(file, "-")
	switch client {
	case "davx5": // dav4jvm DavResource.MIME_XML
		return []string{"Content-Type", "application/xml; charset=utf-8"}
	case "thunderbird": // CalDavRequest.sys.mjs MIME_TEXT_XML
		return []string{"Content-Type", "text/xml; charset=utf-8"}
	case "evolution": // e-webdav-session.h E_WEBDAV_CONTENT_TYPE_XML
		return []string{"Content-Type", `application/xml; charset="utf-8"`}
	case "ios": // the iOS 18 capture in emersion/go-webdav#150
		return []string{"Content-Type", "text/xml", "Brief", "t", "Prefer", "return=minimal"}
	}
	return nil
}

// checkAnswered checks that every response of m that has propstats
// answers each property the request body asks for, once, with 200 or 404:
// a property a server does not know is "404 Not Found" (RFC 4918 §9.1),
// never left out or failed.
func checkAnswered(t *testing.T, m *msResult, reqBody string) {
	t.Helper()
	var req element
	if err := parseXML([]byte(reqBody), &req); err != nil {
		t.Fatalf("request body does not parse: %v", err)
	}
	var names []xml.Name
	for _, c := range req.Children {
		if c.XMLName == dav("prop") {
			for _, p := range c.Children {
				names = append(names, p.XMLName)
			}
		}
	}
	for _, href := range m.order {
		r := m.responses[href]
		if r.status != 0 {
			continue // a response-level status, e.g. a 404 member
		}
		for _, n := range names {
			p, ok := r.props[n]
			switch {
			case !ok:
				t.Errorf("%s: property %s %s not answered", href, n.Space, n.Local)
			case p.status != http.StatusOK && p.status != http.StatusNotFound:
				t.Errorf("%s: property %s %s answered %d, want 200 or 404", href, n.Space, n.Local, p.status)
			}
		}
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

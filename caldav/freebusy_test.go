package caldav_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"

	goical "github.com/emersion/go-ical"
)

// freeBusyBody is a free-busy-query over [start, end); an empty one is
// left out (an open end).
func freeBusyBody(start, end string) string {
	var attrs string
	if start != "" {
		attrs += ` start="` + start + `"`
	}
	if end != "" {
		attrs += ` end="` + end + `"`
	}
	return `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range` + attrs + `/></C:free-busy-query>`
}

// freeBusy is a free-busy answer as a client reads it.
type freeBusy struct {
	start, end, stamp, uid string   // "" when absent
	busy                   []string // FREEBUSY values, in order
	fbtypes                []string // their FBTYPE parameters, "" for none
}

// parseFreeBusy checks that w is a 200 text/calendar answer holding
// exactly one VFREEBUSY, with lines folded at 75 octets, and reads it
// with go-ical.
func parseFreeBusy(tb testing.TB, w *httptest.ResponseRecorder) freeBusy {
	tb.Helper()
	if w.Code != http.StatusOK {
		tb.Fatalf("status %d, want 200; body:\n%s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		tb.Fatalf("Content-Type %q, want text/calendar", ct)
	}
	raw := w.Body.Bytes()
	for line := range bytes.Lines(raw) {
		if !bytes.HasSuffix(line, []byte("\r\n")) || len(line)-2 > 75 {
			tb.Errorf("line %q: not ended by CRLF, or longer than 75 octets", line)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		tb.Fatalf("answer does not parse: %v\n%s", err, raw)
	}
	for _, name := range []string{goical.PropVersion, goical.PropProductID} {
		if cal.Props.Get(name) == nil {
			tb.Errorf("VCALENDAR without %s", name)
		}
	}
	var fbs []*goical.Component
	for _, c := range cal.Children {
		if c.Name == goical.CompFreeBusy {
			fbs = append(fbs, c)
		} else {
			tb.Errorf("answer holds a %s", c.Name)
		}
	}
	if len(fbs) != 1 {
		tb.Fatalf("%d VFREEBUSY, want 1:\n%s", len(fbs), raw)
	}
	fb := fbs[0]
	get := func(name string) string {
		if p := fb.Props.Get(name); p != nil {
			return p.Value
		}
		return ""
	}
	out := freeBusy{start: get(goical.PropDateTimeStart), end: get(goical.PropDateTimeEnd),
		stamp: get(goical.PropDateTimeStamp), uid: get(goical.PropUID)}
	for _, p := range fb.Props.Values(goical.PropFreeBusy) {
		out.busy = append(out.busy, p.Value)
		out.fbtypes = append(out.fbtypes, p.Params.Get(goical.ParamFreeBusyType))
	}
	return out
}

// TestFreeBusyQuery: a free-busy-query on a calendar (RFC 4791 §7.10) is
// answered with one VFREEBUSY over the range asked, busy where the
// calendar's sessions overlap it (§9.9), clipped to it, merged where
// they overlap, in UTC. agendatest.Small in UTC: opening-keynote Oct 8
// 07:00–08:00 (room 1), streams-everywhere and state-of-state 08:30–09:10
// (rooms 1 and 2), late-talk Oct 9 09:00–09:40 (room 2), closing-keynote
// Oct 9 14:00–15:00 (room 1).
func TestFreeBusyQuery(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, path, start, end string
		depth                  string
		busy                   []string
	}{
		{"a day", calAll, "20191008T000000Z", "20191009T000000Z", "1",
			[]string{"20191008T070000Z/20191008T080000Z", "20191008T083000Z/20191008T091000Z"}},
		{"without Depth", calAll, "20191008T000000Z", "20191009T000000Z", "",
			[]string{"20191008T070000Z/20191008T080000Z", "20191008T083000Z/20191008T091000Z"}},
		{"clipped to the range", calAll, "20191008T073000Z", "20191008T084500Z", "1",
			[]string{"20191008T073000Z/20191008T080000Z", "20191008T083000Z/20191008T084500Z"}},
		{"the whole conference, sorted", calAll, "20191001T000000Z", "20191101T000000Z", "1",
			[]string{"20191008T070000Z/20191008T080000Z", "20191008T083000Z/20191008T091000Z",
				"20191009T090000Z/20191009T094000Z", "20191009T140000Z/20191009T150000Z"}},
		{"one room's", calRoom2, "20191001T000000Z", "20191101T000000Z", "1",
			[]string{"20191008T083000Z/20191008T091000Z", "20191009T090000Z/20191009T094000Z"}},
		{"a track's, whose UID is folded", calKey, "20191001T000000Z", "20191101T000000Z", "1",
			[]string{"20191008T070000Z/20191008T080000Z", "20191009T140000Z/20191009T150000Z"}},
		// §9.9: an event overlaps when start < DTEND and end > DTSTART.
		{"ending where a session starts", calAll, "20191008T060000Z", "20191008T070000Z", "1", nil},
		{"starting where a session ends", calAll, "20191008T080000Z", "20191008T083000Z", "1", nil},
		{"nothing in the range", calAll, "20191010T000000Z", "20191011T000000Z", "1", nil},
		// Open ends (§9.9): nothing clipped on that side.
		{"from a start on", calAll, "20191009T000000Z", "", "1",
			[]string{"20191009T090000Z/20191009T094000Z", "20191009T140000Z/20191009T150000Z"}},
		{"up to an end", calAll, "", "20191008T073000Z", "1",
			[]string{"20191008T070000Z/20191008T073000Z"}},
	}
	// The calendar's information last changed when Small was published:
	// DTSTAMP says so, as the calendar's Last-Modified does.
	lastMod, err := http.ParseTime(s.do(t, request{method: "GET", path: calAll}).Header().Get("Last-Modified"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var header []string
			if tc.depth != "" {
				header = []string{"Depth", tc.depth}
			}
			fb := parseFreeBusy(t, s.do(t, request{method: "REPORT", path: tc.path, header: header, body: freeBusyBody(tc.start, tc.end)}))
			if fb.start != tc.start || fb.end != tc.end {
				t.Errorf("DTSTART %q DTEND %q, want %q %q", fb.start, fb.end, tc.start, tc.end)
			}
			if !slices.Equal(fb.busy, tc.busy) {
				t.Errorf("FREEBUSY %q, want %q", fb.busy, tc.busy)
			}
			for _, ft := range fb.fbtypes {
				if ft != "" {
					t.Errorf("FBTYPE %q, want none (BUSY, the default)", ft)
				}
			}
			if fb.stamp != lastMod.UTC().Format("20060102T150405Z") {
				t.Errorf("DTSTAMP %q, want the calendar's last change %s", fb.stamp, lastMod.UTC())
			}
			if !strings.HasSuffix(fb.uid, "@"+agendatest.Conference().UIDDomain) {
				t.Errorf("UID %q", fb.uid)
			}
		})
	}
}

// TestFreeBusyFollowsTheAgenda: a session added next to others is merged
// with them into one busy period (RFC 4791 §7.10: consecutive periods are
// coalesced), and a cancelled one is no busy time.
func TestFreeBusyFollowsTheAgenda(t *testing.T) {
	s := newServer(t)
	day := freeBusyBody("20191008T000000Z", "20191009T000000Z")
	s.edit(t, func(e *agenda.Editor) error {
		// 08:00–08:30 UTC: between opening-keynote and streams-everywhere.
		return e.AddSession(agenda.Session{ID: "coffee-talk", Title: "Coffee Talk", Start: agendatest.At(8, 10, 0), End: agendatest.At(8, 10, 30),
			Track: "talks", Room: "room-2", Status: agenda.StatusConfirmed}, false)
	})
	fb := parseFreeBusy(t, s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"}, body: day}))
	if want := []string{"20191008T070000Z/20191008T091000Z"}; !slices.Equal(fb.busy, want) {
		t.Errorf("after adding coffee-talk: FREEBUSY %q, want %q", fb.busy, want)
	}
	s.edit(t, func(e *agenda.Editor) error {
		return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
	})
	fb = parseFreeBusy(t, s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"}, body: day}))
	if want := []string{"20191008T080000Z/20191008T091000Z"}; !slices.Equal(fb.busy, want) {
		t.Errorf("after cancelling opening-keynote: FREEBUSY %q, want %q", fb.busy, want)
	}
	if want := s.snap.Updated().UTC().Format("20060102T150405Z"); fb.stamp != want {
		t.Errorf("DTSTAMP %q, want the last change %s", fb.stamp, want)
	}
	// Room 1 keeps streams-everywhere alone.
	fb = parseFreeBusy(t, s.do(t, request{method: "REPORT", path: calRoom1, header: []string{"Depth", "1"}, body: day}))
	if want := []string{"20191008T083000Z/20191008T091000Z"}; !slices.Equal(fb.busy, want) {
		t.Errorf("room 1: FREEBUSY %q, want %q", fb.busy, want)
	}
}

// TestFreeBusyRefused: a free-busy-query without exactly one valid
// time-range is refused with 400 (RFC 4791 §7.10, §9.9; it has no
// precondition to name), and one anywhere but on a calendar with 403
// DAV:supported-report (§7.10 wants 403 on an object; the home and the
// principal do not list it).
func TestFreeBusyRefused(t *testing.T) {
	s := newServer(t)
	day := freeBusyBody("20191008T000000Z", "20191009T000000Z")
	const open = `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">`
	tests := []reportCase{
		{"no time-range", calAll, open + `</C:free-busy-query>`, http.StatusBadRequest, ""},
		{"two time-ranges", calAll, open + `<C:time-range start="20191008T000000Z"/><C:time-range start="20191009T000000Z"/></C:free-busy-query>`, http.StatusBadRequest, ""},
		{"neither start nor end", calAll, freeBusyBody("", ""), http.StatusBadRequest, ""},
		{"malformed start", calAll, freeBusyBody("2019-10-08", "20191009T000000Z"), http.StatusBadRequest, ""},
		{"a local time", calAll, freeBusyBody("20191008T000000", "20191009T000000Z"), http.StatusBadRequest, ""},
		{"end before start", calAll, freeBusyBody("20191009T000000Z", "20191008T000000Z"), http.StatusBadRequest, ""},
		{"end at start", calAll, freeBusyBody("20191008T000000Z", "20191008T000000Z"), http.StatusBadRequest, ""},
		{"on an object", calRoom2 + "late-talk.ics", day, http.StatusForbidden, "supported-report"},
		{"on the home", home, day, http.StatusForbidden, "supported-report"},
		{"on the principal", principal, day, http.StatusForbidden, "supported-report"},
		{"on an unknown calendar", home + "nothing/", day, http.StatusNotFound, ""},
	}
	runReports(t, s, tests)
}

// TestFreeBusyProdID: the answer's PRODID is the objects' however long
// or odd the server's is: folded at 75 octets between UTF-8 characters
// (parseFreeBusy checks the lines), read back the same.
func TestFreeBusyProdID(t *testing.T) {
	srv, err := web.New(web.Config{BaseURL: baseURL,
		ProdID: "-//Konferenzkalender für Köln, Zürich und Øresund//confcal «Grüße» 1.0 — ünïcödé\r//DE"})
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{web: srv}
	s.publish(t, agendatest.Small(t))
	s.h = s.web.Handler(nil, nil)
	w := s.do(t, request{method: "REPORT", path: calAll, header: []string{"Depth", "1"}, body: freeBusyBody("20191008T000000Z", "20191009T000000Z")})
	parseFreeBusy(t, w)
	got, err := goical.NewDecoder(w.Body).Decode()
	if err != nil {
		t.Fatal(err)
	}
	obj, err := goical.NewDecoder(bytes.NewReader(s.object(t, "late-talk").Body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	gp, _ := got.Props.Text(goical.PropProductID)
	op, _ := obj.Props.Text(goical.PropProductID)
	if gp != op || !strings.Contains(gp, "Øresund") {
		t.Errorf("PRODID %q, the objects' %q", gp, op)
	}
}

// TestFreeBusyPrivilege: the privilege set, which lists DAV:read, lists
// the CALDAV:read-free-busy it contains too (RFC 4791 §6.1.1, RFC 3744
// §5.4), in the CalDAV namespace, so a client that looks for it before
// asking for free-busy time finds it.
func TestFreeBusyPrivilege(t *testing.T) {
	s := newServer(t)
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "0"},
		body: `<propfind xmlns="DAV:"><prop><current-user-privilege-set/></prop></propfind>`}))
	var privs []xml.Name
	for _, p := range m.response(t, calAll).props[dav("current-user-privilege-set")].el.Children {
		for _, c := range p.Children {
			privs = append(privs, c.XMLName)
		}
	}
	if !slices.Contains(privs, cal("read-free-busy")) || !slices.Contains(privs, dav("read")) {
		t.Errorf("privileges %v, want DAV:read and CALDAV:read-free-busy among them", privs)
	}
}

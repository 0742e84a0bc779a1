package caldav_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"
)

// TestCalendarDataExpand: calendar-data with CALDAV:expand (RFC 4791
// §9.6.5) answers each object in UTC, without its VTIMEZONE, and with its
// VEVENT only when that overlaps the range; in calendar-query and
// calendar-multiget alike. Without expand the object's own bytes come.
func TestCalendarDataExpand(t *testing.T) {
	s := newServer(t)
	const (
		state = calRoom2 + "state-of-state.ics" // Oct 8, 10:30–11:10 Berlin (08:30–09:10 UTC)
		late  = calRoom2 + "late-talk.ics"      // Oct 9, 11:00–11:40 Berlin (09:00–09:40 UTC)
	)
	data := func(expand string) string {
		return `<D:prop><D:getetag/><C:calendar-data>` + expand + `</C:calendar-data></D:prop>`
	}
	oct8 := `<C:expand start="20191008T000000Z" end="20191009T000000Z"/>`
	query := func(prop string) string {
		return `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` + prop +
			`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`
	}
	multiget := func(prop string) string {
		return `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` + prop +
			`<D:href>` + state + `</D:href><D:href>` + late + `</D:href></C:calendar-multiget>`
	}
	for _, tc := range []struct {
		name, body string
	}{
		{"calendar-query", query(data(oct8))},
		{"calendar-multiget", multiget(data(oct8))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := parseMultistatus(t, s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"}, body: tc.body}))
			m.wantHrefs(t, state, late)
			for href, want := range map[string]string{state: "20191008T083000Z 20191008T091000Z", late: ""} {
				m.wantProp(t, href, dav("getetag"), s.object(t, strings.TrimSuffix(href[len(calRoom2):], ".ics")).ETag)
				text := m.text(t, href, cal("calendar-data"))
				c, err := goical.NewDecoder(strings.NewReader(text)).Decode()
				if err != nil {
					t.Fatalf("%s: calendar-data does not parse: %v\n%s", href, err, text)
				}
				var got []string
				for _, comp := range c.Children {
					if comp.Name != goical.CompEvent {
						t.Errorf("%s: expanded calendar-data holds a %s", href, comp.Name)
						continue
					}
					for _, name := range []string{goical.PropDateTimeStart, goical.PropDateTimeEnd} {
						p := comp.Props.Get(name)
						if p.Params.Get(goical.ParamTimezoneID) != "" {
							t.Errorf("%s: %s has a TZID", href, name)
						}
						got = append(got, p.Value)
					}
				}
				if strings.Join(got, " ") != want {
					t.Errorf("%s: expanded DTSTART, DTEND %q, want %q", href, got, want)
				}
			}
		})
	}

	// Without expand: the object's bytes, VTIMEZONE and all.
	m := parseMultistatus(t, s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"}, body: multiget(data(""))}))
	if got, want := m.text(t, state, cal("calendar-data")), string(s.object(t, "state-of-state").Body); got != want {
		t.Errorf("calendar-data without expand: %s", firstDiff(got, want))
	}

	// A malformed expand is refused.
	for _, expand := range []string{
		`<C:expand start="20191008T000000Z"/>`,
		`<C:expand start="20191009T000000Z" end="20191008T000000Z"/>`,
		`<C:expand start="2019-10-08" end="20191009T000000Z"/>`,
	} {
		if w := s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"}, body: query(data(expand))}); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", expand, w.Code, w.Body)
		}
	}
}

// TestCalendarDataMediaType: calendar-data is served as text/calendar 2.0
// alone (supported-calendar-data); asking for another media type or
// version gets 403 CALDAV:supported-calendar-data (RFC 4791 §7.8, §7.9),
// in every REPORT that returns it.
func TestCalendarDataMediaType(t *testing.T) {
	s := newServer(t)
	object := calRoom2 + "late-talk.ics"
	reports := map[string]func(attrs string) string{
		"calendar-multiget": func(attrs string) string {
			return `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data ` + attrs +
				`/></D:prop><D:href>` + object + `</D:href></C:calendar-multiget>`
		},
		"calendar-query": func(attrs string) string {
			return `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data ` + attrs +
				`/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`
		},
		"sync-collection": func(attrs string) string {
			return `<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:sync-token/><D:sync-level>1</D:sync-level>` +
				`<D:prop><C:calendar-data ` + attrs + `/></D:prop></D:sync-collection>`
		},
	}
	for name, body := range reports {
		for _, tc := range []struct {
			attrs string
			ok    bool
		}{
			{``, true},
			{`content-type="text/calendar" version="2.0"`, true},
			{`content-type="Text/Calendar; charset=utf-8"`, true},
			{`content-type="application/calendar+json" version="2.0"`, false},
			{`content-type="application/calendar+xml"`, false},
			{`content-type="text/calendar" version="1.0"`, false},
		} {
			w := s.do(t, request{method: "REPORT", path: calRoom2, header: []string{"Depth", "1"}, body: body(tc.attrs)})
			switch {
			case tc.ok && w.Code != http.StatusMultiStatus:
				t.Errorf("%s, calendar-data %s: %d %s, want 207", name, tc.attrs, w.Code, w.Body)
			case tc.ok:
				m := parseMultistatus(t, w)
				if got := m.text(t, object, cal("calendar-data")); !strings.HasPrefix(got, "BEGIN:VCALENDAR") {
					t.Errorf("%s, calendar-data %s: %.40q", name, tc.attrs, got)
				}
			case w.Code != http.StatusForbidden || !slices.Equal(davError(t, w), []string{"supported-calendar-data"}):
				t.Errorf("%s, calendar-data %s: %d %s, want 403 supported-calendar-data", name, tc.attrs, w.Code, w.Body)
			}
		}
	}
}

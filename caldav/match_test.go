package caldav

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	gocaldav "github.com/emersion/go-webdav/caldav"

	"confcal/agenda/agendatest"
	"confcal/ical"
)

// parseEvent parses the lines of one VEVENT inside a VCALENDAR.
func parseEvent(t *testing.T, lines ...string) *goical.Calendar {
	t.Helper()
	text := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:x@test\r\nDTSTAMP:20190901T080000Z\r\n" +
		strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	cal, err := goical.NewDecoder(strings.NewReader(text)).Decode()
	if err != nil {
		t.Fatalf("parsing test event: %v", err)
	}
	return cal
}

// decodeFilter decodes the inside of a CALDAV:filter (C: is bound).
func decodeFilter(inner string) (*filter, error) {
	var f filter
	err := xml.Unmarshal([]byte(`<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav">`+inner+`</C:filter>`), &f)
	return &f, err
}

func mustFilter(t *testing.T, inner string) *filter {
	t.Helper()
	f, err := decodeFilter(inner)
	if err != nil {
		t.Fatalf("decoding filter %s: %v", inner, err)
	}
	return f
}

// matchParsed applies f to a parsed object whose span is not known, so
// every condition is read from the object.
func matchParsed(f *filter, loc *time.Location, cal *goical.Calendar) (bool, error) {
	m := f.matcher(loc)
	m.cal = cal
	return m.calendar(&f.comp)
}

// inCalendar wraps comp-filters in the VCALENDAR one.
func inCalendar(inner string) string {
	return `<C:comp-filter name="VCALENDAR">` + inner + `</C:comp-filter>`
}

// inEvent is VCALENDAR > VEVENT holding inner.
func inEvent(inner string) string {
	return inCalendar(`<C:comp-filter name="VEVENT">` + inner + `</C:comp-filter>`)
}

// timeRange renders a time-range; either end may be empty (open).
func timeRange(start, end string) string {
	tr := "<C:time-range"
	if start != "" {
		tr += ` start="` + start + `"`
	}
	if end != "" {
		tr += ` end="` + end + `"`
	}
	return tr + "/>"
}

// TestTimeRange covers the VEVENT table of RFC 4791 §9.9 at its edges:
// [start, end) ranges, open at either end, against events with DTEND,
// DURATION, no duration, and all-day dates, read from the parsed events
// (the general matcher without a known span).
func TestTimeRange(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// 10:00–11:00 UTC on 8 October 2019.
	dtend := []string{"DTSTART:20191008T100000Z", "DTEND:20191008T110000Z"}
	duration := []string{"DTSTART:20191008T100000Z", "DURATION:PT1H"}
	instant := []string{"DTSTART:20191008T100000Z"}
	zeroDuration := []string{"DTSTART:20191008T100000Z", "DURATION:PT0S"}
	allDay := []string{"DTSTART;VALUE=DATE:20191008"}
	zoned := []string{"DTSTART;TZID=Europe/Berlin:20191008T120000", "DTEND;TZID=Europe/Berlin:20191008T130000"} // = dtend
	floating := []string{"DTSTART:20191008T120000", "DTEND:20191008T130000"}                                    // Berlin: = dtend
	tests := []struct {
		name       string
		event      []string
		start, end string
		want       bool
	}{
		{"equal to the range", dtend, "20191008T100000Z", "20191008T110000Z", true},
		{"starts at the range's start, ends after it", dtend, "20191008T100000Z", "20191008T103000Z", true},
		{"ends at the range's end, starts before it", dtend, "20191008T103000Z", "20191008T110000Z", true},
		{"ends where the range starts", dtend, "20191008T110000Z", "20191008T120000Z", false},
		{"starts where the range ends", dtend, "20191008T090000Z", "20191008T100000Z", false},
		{"one second of overlap at the end", dtend, "20191008T105959Z", "20191008T120000Z", true},
		{"one second of overlap at the start", dtend, "20191008T090000Z", "20191008T100001Z", true},
		{"inside the range", dtend, "20191008T000000Z", "20191009T000000Z", true},
		{"covers the range", dtend, "20191008T102000Z", "20191008T104000Z", true},
		{"open end, starting at the event's start", dtend, "20191008T100000Z", "", true},
		{"open end, starting at the event's end", dtend, "20191008T110000Z", "", false},
		{"open start, ending at the event's end", dtend, "", "20191008T110000Z", true},
		{"open start, ending at the event's start", dtend, "", "20191008T100000Z", false},
		{"open start, ending just after the start", dtend, "", "20191008T100001Z", true},
		{"duration: equal to the range", duration, "20191008T100000Z", "20191008T110000Z", true},
		{"duration: ends where the range starts", duration, "20191008T110000Z", "", false},
		{"duration: starts where the range ends", duration, "", "20191008T100000Z", false},
		{"instant: at the range's start", instant, "20191008T100000Z", "20191008T110000Z", true},
		{"instant: at the range's end", instant, "20191008T090000Z", "20191008T100000Z", false},
		{"zero duration: at the range's start", zeroDuration, "20191008T100000Z", "20191008T110000Z", true},
		{"zero duration: at the range's end", zeroDuration, "20191008T090000Z", "20191008T100000Z", false},
		{"all day: a range inside the day", allDay, "20191008T120000Z", "20191008T130000Z", true},
		{"all day: range ending at the day's start", allDay, "20191007T000000Z", "20191007T220000Z", false},
		{"all day: range starting at the next day", allDay, "20191008T220000Z", "20191009T000000Z", false},
		{"all day: last second of the day", allDay, "20191008T215959Z", "", true},
		{"TZID: equal to the range", zoned, "20191008T100000Z", "20191008T110000Z", true},
		{"TZID: ends where the range starts", zoned, "20191008T110000Z", "", false},
		{"floating, read in the calendar's zone", floating, "20191008T100000Z", "20191008T110000Z", true},
		{"floating, not in UTC", floating, "20191008T120000Z", "20191008T130000Z", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFilter(t, inEvent(timeRange(tc.start, tc.end)))
			got, err := matchParsed(f, berlin, parseEvent(t, tc.event...))
			if err != nil {
				t.Fatalf("match: %v", err)
			}
			if got != tc.want {
				t.Errorf("event %v, range [%s, %s): match = %v, want %v", tc.event, tc.start, tc.end, got, tc.want)
			}
		})
	}
}

// TestFilters covers the other parts of calendar-query filters (RFC 4791
// §9.7): comp-filter without a range, is-not-defined, prop-filter with
// text-match (both collations, negated), param-filter and a time range on
// a property: read from the parsed event, and with the event's span
// known, as for our objects, when the object is parsed only if a
// condition looks inside the VEVENT or at other components.
func TestFilters(t *testing.T) {
	ev := parseEvent(t, "DTSTART;TZID=Europe/Berlin:20191008T120000", "DTEND;TZID=Europe/Berlin:20191008T130000",
		"SUMMARY:Streams\\, Everywhere", "LOCATION:Room 1", "LAST-MODIFIED:20190901T080000Z")
	prop := func(inner string) string { return inEvent(inner) }
	tests := []struct {
		name, filter string
		want         bool
	}{
		{"any VCALENDAR", inCalendar(""), true},
		{"any VEVENT", inEvent(""), true},
		{"lower-case component name", inCalendar(`<C:comp-filter name="vevent"/>`), true},
		{"a VTODO", inCalendar(`<C:comp-filter name="VTODO"/>`), false},
		{"no VTODO", inCalendar(`<C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter>`), true},
		{"no VEVENT", inCalendar(`<C:comp-filter name="VEVENT"><C:is-not-defined/></C:comp-filter>`), false},
		{"VTODO in a time range", inCalendar(`<C:comp-filter name="VTODO">` + timeRange("20191001T000000Z", "") + `</C:comp-filter>`), false},
		{"no VALARM inside the event", inEvent(`<C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter>`), true},
		{"VCALENDAR property", inCalendar(`<C:prop-filter name="PRODID"><C:text-match>TEST</C:text-match></C:prop-filter>`), true},
		{"summary contains, other case", prop(`<C:prop-filter name="SUMMARY"><C:text-match>streams, every</C:text-match></C:prop-filter>`), true},
		{"summary contains, default collation named", prop(`<C:prop-filter name="SUMMARY"><C:text-match collation="i;ascii-casemap">EVERY</C:text-match></C:prop-filter>`), true},
		{"summary contains, octet, other case", prop(`<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">streams</C:text-match></C:prop-filter>`), false},
		{"summary contains, octet, same case", prop(`<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">Streams, E</C:text-match></C:prop-filter>`), true},
		{"summary does not contain", prop(`<C:prop-filter name="SUMMARY"><C:text-match>batch</C:text-match></C:prop-filter>`), false},
		{"summary negated", prop(`<C:prop-filter name="SUMMARY"><C:text-match negate-condition="yes">batch</C:text-match></C:prop-filter>`), true},
		{"summary negated, contained", prop(`<C:prop-filter name="SUMMARY"><C:text-match negate-condition="yes">streams</C:text-match></C:prop-filter>`), false},
		{"summary not negated", prop(`<C:prop-filter name="SUMMARY"><C:text-match negate-condition="no">streams</C:text-match></C:prop-filter>`), true},
		{"lower-case property name", prop(`<C:prop-filter name="location"><C:text-match>room 1</C:text-match></C:prop-filter>`), true},
		{"description defined", prop(`<C:prop-filter name="DESCRIPTION"/>`), false},
		{"description not defined", prop(`<C:prop-filter name="DESCRIPTION"><C:is-not-defined/></C:prop-filter>`), true},
		{"TZID parameter", prop(`<C:prop-filter name="DTSTART"><C:param-filter name="TZID"><C:text-match>Berlin</C:text-match></C:param-filter></C:prop-filter>`), true},
		{"no VALUE parameter", prop(`<C:prop-filter name="DTSTART"><C:param-filter name="VALUE"><C:is-not-defined/></C:param-filter></C:prop-filter>`), true},
		{"VALUE parameter defined", prop(`<C:prop-filter name="DTSTART"><C:param-filter name="VALUE"/></C:prop-filter>`), false},
		{"last-modified at the range start", prop(`<C:prop-filter name="LAST-MODIFIED">` + timeRange("20190901T080000Z", "20190901T090000Z") + `</C:prop-filter>`), true},
		{"last-modified at the range end", prop(`<C:prop-filter name="LAST-MODIFIED">` + timeRange("20190901T070000Z", "20190901T080000Z") + `</C:prop-filter>`), false},
		{"time range on a text property", prop(`<C:prop-filter name="SUMMARY">` + timeRange("20190901T070000Z", "") + `</C:prop-filter>`), false},
		{"extension element skipped", inEvent(`<x:hint xmlns:x="urn:example"><C:anything/></x:hint>`), true},
		{"time range and a property", prop(timeRange("20191008T100000Z", "20191008T110000Z") + `<C:prop-filter name="LOCATION"><C:text-match>Room</C:text-match></C:prop-filter>`), true},
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	known := span{start: time.Date(2019, 10, 8, 10, 0, 0, 0, time.UTC), end: time.Date(2019, 10, 8, 11, 0, 0, 0, time.UTC)}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFilter(t, tc.filter)
			got, err := matchParsed(f, berlin, ev)
			if err != nil {
				t.Fatalf("match: %v", err)
			}
			if got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
			m := f.matcher(berlin)
			m.event, m.cal = &known, ev
			if got, err = m.calendar(&f.comp); err != nil {
				t.Fatalf("match with the span known: %v", err)
			}
			if got != tc.want {
				t.Errorf("match with the span known = %v, want %v", got, tc.want)
			}
			// With only the span, the matcher answers alone exactly when
			// no condition looks inside the VEVENT (a prop-filter, a
			// nested comp-filter) or at another component (VTODO).
			spanOnly := f.matcher(berlin)
			spanOnly.event = &known
			_, err = spanOnly.calendar(&f.comp)
			inside := strings.Contains(tc.filter, "prop-filter") || strings.Count(tc.filter, "comp-filter name") > 2 ||
				strings.Contains(tc.filter, "VTODO")
			if needed := errors.Is(err, errNotParsed); needed != inside {
				t.Errorf("with only the span: error %v, want the object needed = %v", err, inside)
			}
		})
	}
}

// TestWebdavMatch documents why filters are not handed to go-webdav's
// gocaldav.Match (v0.7.0): on filters made only of "this component or
// property exists" it answers as RFC 4791 does, on the others it does
// not. Our matcher gives the RFC's answer on all of them.
func TestWebdavMatch(t *testing.T) {
	ev := parseEvent(t, "DTSTART;TZID=Europe/Berlin:20191008T120000", "DTEND;TZID=Europe/Berlin:20191008T130000",
		"SUMMARY:Streams", "CATEGORIES:Talk", "CATEGORIES:Keynote")
	tests := []struct {
		name, filter string
		want         bool // RFC 4791 §9.7
		webdav       bool // gocaldav.Match
	}{
		{"any VEVENT", inEvent(""), true, true},
		{"a VTODO", inCalendar(`<C:comp-filter name="VTODO"/>`), false, false},
		{"summary defined", inEvent(`<C:prop-filter name="SUMMARY"/>`), true, true},
		{"description defined", inEvent(`<C:prop-filter name="DESCRIPTION"/>`), false, false},
		{"VALARM with a trigger", inEvent(`<C:comp-filter name="VALARM"><C:prop-filter name="TRIGGER"/></C:comp-filter>`), false, false},
		{"calendar and event properties", inCalendar(`<C:prop-filter name="PRODID"/><C:comp-filter name="VEVENT"><C:prop-filter name="DTEND"/></C:comp-filter>`), true, true},
		// go-webdav answers true for these.
		{"no VEVENT", inCalendar(`<C:comp-filter name="VEVENT"><C:is-not-defined/></C:comp-filter>`), false, true},
		{"summary not defined", inEvent(`<C:prop-filter name="SUMMARY"><C:is-not-defined/></C:prop-filter>`), false, true},
		{"open-start range ending at the start", inEvent(timeRange("", "20191008T100000Z")), false, true}, // range ignored
		// go-webdav answers false for these.
		{"summary, other case", inEvent(`<C:prop-filter name="SUMMARY"><C:text-match>streams</C:text-match></C:prop-filter>`), true, false},
		{"second category", inEvent(`<C:prop-filter name="CATEGORIES"><C:text-match collation="i;octet">Keynote</C:text-match></C:prop-filter>`), true, false},
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFilter(t, tc.filter)
			ours, err := matchParsed(f, berlin, ev)
			if err != nil {
				t.Fatalf("match: %v", err)
			}
			if ours != tc.want {
				t.Errorf("our matcher = %v, want %v", ours, tc.want)
			}
			theirs, err := gocaldav.Match(f.comp, &gocaldav.CalendarObject{Data: ev})
			if err != nil {
				t.Fatalf("gocaldav.Match: %v", err)
			}
			if theirs != tc.webdav {
				t.Errorf("gocaldav.Match = %v, documented as %v: revisit match.go's reasons", theirs, tc.webdav)
			}
		})
	}
}

// TestFilterErrors: filters the decoder refuses, with the status and
// CalDAV precondition of each (RFC 4791 §7.7, §9.7).
func TestFilterErrors(t *testing.T) {
	const (
		bad         = http.StatusBadRequest
		forbidden   = http.StatusForbidden
		valid       = "valid-filter"
		supported   = "supported-filter"
		collation   = "supported-collation"
		noCondition = ""
	)
	tests := []struct {
		name, filter string
		status       int
		cond         string
	}{
		{"no comp-filter", ``, bad, noCondition},
		{"two comp-filters", inCalendar("") + inCalendar(""), bad, noCondition},
		{"comp-filter without a name", `<C:comp-filter/>`, bad, noCondition},
		{"outer VEVENT", `<C:comp-filter name="VEVENT"/>`, forbidden, valid},
		{"is-not-defined on VCALENDAR", `<C:comp-filter name="VCALENDAR"><C:is-not-defined/></C:comp-filter>`, forbidden, valid},
		{"time range on VCALENDAR", `<C:comp-filter name="VCALENDAR">` + timeRange("20191001T000000Z", "") + `</C:comp-filter>`, forbidden, valid},
		{"range ending at its start", inEvent(timeRange("20191008T100000Z", "20191008T100000Z")), forbidden, valid},
		{"range ending before its start", inEvent(timeRange("20191008T100000Z", "20191008T090000Z")), forbidden, valid},
		{"prop range backwards", inEvent(`<C:prop-filter name="DTSTAMP">` + timeRange("20191008T100000Z", "20191007T100000Z") + `</C:prop-filter>`), forbidden, valid},
		{"local time in a range", inEvent(timeRange("20191008T100000", "")), bad, noCondition},
		{"date in a range", inEvent(timeRange("20191008", "")), bad, noCondition},
		{"range open at both ends", inEvent(timeRange("", "")), bad, noCondition}, // §9.9: at least one attribute
		{"prop range open at both ends", inEvent(`<C:prop-filter name="DTSTAMP">` + timeRange("", "") + `</C:prop-filter>`), bad, noCondition},
		{"two time ranges", inEvent(timeRange("20191008T100000Z", "") + timeRange("", "20191009T100000Z")), bad, noCondition},
		{"is-not-defined with a time range", inEvent(`<C:is-not-defined/>` + timeRange("20191008T100000Z", "")), bad, noCondition},
		{"is-not-defined with a text match", inEvent(`<C:prop-filter name="SUMMARY"><C:is-not-defined/><C:text-match>x</C:text-match></C:prop-filter>`), bad, noCondition},
		{"param is-not-defined with a text match", inEvent(`<C:prop-filter name="DTSTART"><C:param-filter name="TZID"><C:is-not-defined/><C:text-match>x</C:text-match></C:param-filter></C:prop-filter>`), bad, noCondition},
		{"negate-condition maybe", inEvent(`<C:prop-filter name="SUMMARY"><C:text-match negate-condition="maybe">x</C:text-match></C:prop-filter>`), bad, noCondition},
		{"element in a text match", inEvent(`<C:prop-filter name="SUMMARY"><C:text-match>x<b/></C:text-match></C:prop-filter>`), bad, noCondition},
		{"unknown collation", inEvent(`<C:prop-filter name="SUMMARY"><C:text-match collation="i;unicode-casemap">x</C:text-match></C:prop-filter>`), forbidden, collation},
		{"unknown CalDAV element", inEvent(`<C:whatever/>`), forbidden, supported},
		{"text-match in a comp-filter", inEvent(`<C:text-match>x</C:text-match>`), forbidden, supported},
		{"nested too deep", inEvent(strings.Repeat(`<C:comp-filter name="X">`, 8) + strings.Repeat(`</C:comp-filter>`, 8)), forbidden, supported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeFilter(tc.filter)
			var fe *filterError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a filterError", err)
			}
			if fe.status != tc.status || fe.cond != tc.cond {
				t.Errorf("%v: status %d condition %q, want %d %q", fe, fe.status, fe.cond, tc.status, tc.cond)
			}
		})
	}
}

// FuzzFilter decodes arbitrary filter bodies. Whatever the input, decoding
// ends in a filter or an error (never a panic), and a filter decoded is
// answered for every object of the test agenda without an error, the same
// with the objects' spans known (as requests answer it) as from the
// parsed objects alone.
func FuzzFilter(f *testing.F) {
	for _, seed := range []string{
		inEvent(timeRange("20191008T070000Z", "20191008T080000Z")),
		inEvent(timeRange("", "20191008T080000Z")),
		inEvent(`<C:is-not-defined/>`),
		inCalendar(`<C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter>`),
		inEvent(`<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet" negate-condition="yes">Key</C:text-match></C:prop-filter>`),
		inEvent(`<C:prop-filter name="DTSTART"><C:param-filter name="TZID"><C:text-match>Berlin</C:text-match></C:param-filter></C:prop-filter>`),
		inEvent(`<C:prop-filter name="LAST-MODIFIED">` + timeRange("20190901T000000Z", "") + `</C:prop-filter>`),
		inEvent(`<C:comp-filter name="VALARM"/>`),
		inEvent(`<C:prop-filter name="DESCRIPTION"/>`),
		inCalendar(`<C:comp-filter name="VEVENT"><C:prop-filter name="URL"/><C:prop-filter name="SUMMARY"/></C:comp-filter><C:prop-filter name="PRODID"/>`),
		`<C:comp-filter name="VEVENT"/>`,
		inEvent(`<x:y xmlns:x="urn:x"/>`),
	} {
		f.Add(seed)
	}
	snap := agendatest.Small(f)
	rendered, err := ical.Render(snap, ical.Options{BaseURL: "http://test.example"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	v, err := newView(rendered, paths{prefix: "/dav", principal: DefaultPrincipal}, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	loc := snap.Location()
	f.Fuzz(func(t *testing.T, inner string) {
		flt, err := decodeFilter(inner)
		if err != nil {
			var fe *filterError
			if errors.As(err, &fe) && fe.status != http.StatusBadRequest && (fe.status != http.StatusForbidden || fe.cond == "") {
				t.Fatalf("filter error %v with status %d condition %q", fe, fe.status, fe.cond)
			}
			return
		}
		for id, o := range v.objects {
			cal, err := o.calendar()
			if err != nil {
				t.Fatal(err)
			}
			general, err := matchParsed(flt, loc, cal)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			got, err := flt.matches(o, loc)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if got != general {
				t.Errorf("%s: matches %v, parsed object %v", id, got, general)
			}
		}
	})
}

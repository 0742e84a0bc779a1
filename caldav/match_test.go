package caldav

import (
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	gocaldav "github.com/emersion/go-webdav/caldav"
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

func utc(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

// eventQuery is VCALENDAR > VEVENT with a time-range.
func eventQuery(start, end string) gocaldav.CompFilter {
	return gocaldav.CompFilter{Name: "VCALENDAR", Comps: []gocaldav.CompFilter{{Name: "VEVENT", Start: utc(start), End: utc(end)}}}
}

// TestTimeRange covers the VEVENT table of RFC 4791 §9.9 at its edges:
// [start, end) ranges, open at either end, against events with DTEND,
// DURATION, no duration, and all-day dates.
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
			q := eventQuery(tc.start, tc.end)
			if err := checkFilter(q); err != nil {
				t.Fatalf("checkFilter: %v", err)
			}
			got, err := matchCalendar(q, parseEvent(t, tc.event...), berlin)
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
// text-match (case-insensitive, negated), param-filter and a time range on
// a property.
func TestFilters(t *testing.T) {
	ev := parseEvent(t, "DTSTART;TZID=Europe/Berlin:20191008T120000", "DTEND;TZID=Europe/Berlin:20191008T130000",
		"SUMMARY:Streams\\, Everywhere", "LOCATION:Room 1", "LAST-MODIFIED:20190901T080000Z")
	vevent := func(f gocaldav.CompFilter) gocaldav.CompFilter {
		f.Name = "VEVENT"
		return gocaldav.CompFilter{Name: "VCALENDAR", Comps: []gocaldav.CompFilter{f}}
	}
	prop := func(p gocaldav.PropFilter) gocaldav.CompFilter {
		return vevent(gocaldav.CompFilter{Props: []gocaldav.PropFilter{p}})
	}
	tests := []struct {
		name string
		f    gocaldav.CompFilter
		want bool
	}{
		{"any VCALENDAR", gocaldav.CompFilter{Name: "VCALENDAR"}, true},
		{"any VEVENT", vevent(gocaldav.CompFilter{}), true},
		{"a VTODO", gocaldav.CompFilter{Name: "VCALENDAR", Comps: []gocaldav.CompFilter{{Name: "VTODO"}}}, false},
		{"no VTODO", gocaldav.CompFilter{Name: "VCALENDAR", Comps: []gocaldav.CompFilter{{Name: "VTODO", IsNotDefined: true}}}, true},
		{"no VEVENT", gocaldav.CompFilter{Name: "VCALENDAR", Comps: []gocaldav.CompFilter{{Name: "VEVENT", IsNotDefined: true}}}, false},
		{"VTODO in a time range", gocaldav.CompFilter{Name: "VCALENDAR", Comps: []gocaldav.CompFilter{{Name: "VTODO", Start: utc("20191001T000000Z")}}}, false},
		{"no VALARM inside the event", vevent(gocaldav.CompFilter{Comps: []gocaldav.CompFilter{{Name: "VALARM", IsNotDefined: true}}}), true},
		{"summary contains, other case", prop(gocaldav.PropFilter{Name: "SUMMARY", TextMatch: &gocaldav.TextMatch{Text: "streams, every"}}), true},
		{"summary does not contain", prop(gocaldav.PropFilter{Name: "SUMMARY", TextMatch: &gocaldav.TextMatch{Text: "batch"}}), false},
		{"summary negated", prop(gocaldav.PropFilter{Name: "SUMMARY", TextMatch: &gocaldav.TextMatch{Text: "batch", NegateCondition: true}}), true},
		{"lower-case property name", prop(gocaldav.PropFilter{Name: "location", TextMatch: &gocaldav.TextMatch{Text: "room 1"}}), true},
		{"description defined", prop(gocaldav.PropFilter{Name: "DESCRIPTION"}), false},
		{"description not defined", prop(gocaldav.PropFilter{Name: "DESCRIPTION", IsNotDefined: true}), true},
		{"TZID parameter", prop(gocaldav.PropFilter{Name: "DTSTART", ParamFilter: []gocaldav.ParamFilter{{Name: "TZID", TextMatch: &gocaldav.TextMatch{Text: "Berlin"}}}}), true},
		{"no VALUE parameter", prop(gocaldav.PropFilter{Name: "DTSTART", ParamFilter: []gocaldav.ParamFilter{{Name: "VALUE", IsNotDefined: true}}}), true},
		{"last-modified at the range start", prop(gocaldav.PropFilter{Name: "LAST-MODIFIED", Start: utc("20190901T080000Z"), End: utc("20190901T090000Z")}), true},
		{"last-modified at the range end", prop(gocaldav.PropFilter{Name: "LAST-MODIFIED", Start: utc("20190901T070000Z"), End: utc("20190901T080000Z")}), false},
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkFilter(tc.f); err != nil {
				t.Fatalf("checkFilter: %v", err)
			}
			got, err := matchCalendar(tc.f, ev, berlin)
			if err != nil {
				t.Fatalf("match: %v", err)
			}
			if got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCheckFilter: filters RFC 4791 does not allow.
func TestCheckFilter(t *testing.T) {
	tests := []struct {
		name string
		f    gocaldav.CompFilter
	}{
		{"outer VEVENT", gocaldav.CompFilter{Name: "VEVENT"}},
		{"time range on VCALENDAR", gocaldav.CompFilter{Name: "VCALENDAR", Start: utc("20191001T000000Z")}},
		{"range ending at its start", eventQuery("20191008T100000Z", "20191008T100000Z")},
		{"range ending before its start", eventQuery("20191008T100000Z", "20191008T090000Z")},
		{"prop range backwards", gocaldav.CompFilter{Name: "VCALENDAR", Comps: []gocaldav.CompFilter{{Name: "VEVENT",
			Props: []gocaldav.PropFilter{{Name: "DTSTAMP", Start: utc("20191008T100000Z"), End: utc("20191007T100000Z")}}}}}},
	}
	for _, tc := range tests {
		if err := checkFilter(tc.f); err == nil {
			t.Errorf("%s: checkFilter = nil, want an error", tc.name)
		}
	}
}

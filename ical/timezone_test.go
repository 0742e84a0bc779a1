package ical_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"

	goical "github.com/emersion/go-ical"
)

// zoneRule is one onset of a decoded STANDARD or DAYLIGHT observance: its
// DTSTART or one of its RRULE's recurrences.
type zoneRule struct {
	kind   string
	onset  time.Time // the instant it takes effect
	offset int       // TZOFFSETTO, seconds east of UTC
	name   string
	rrule  string // the observance's RRULE, "" for a dated one
}

// parseOffset reads a UTC-OFFSET (±HHMM or ±HHMMSS).
func parseOffset(s string) (int, error) {
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	var parts [3]int
	for i := 0; 1+2*i < len(s); i++ {
		n, err := strconv.Atoi(s[1+2*i : 3+2*i])
		if err != nil {
			return 0, fmt.Errorf("bad UTC offset %q", s)
		}
		parts[i] = n
	}
	sec := parts[0]*3600 + parts[1]*60 + parts[2]
	if s[0] == '-' {
		sec = -sec
	}
	return sec, nil
}

// zoneRules decodes the VTIMEZONE with TZID tzid from cal, reading it the
// way a client does: DTSTART and the recurrences of RRULE are local time
// in TZOFFSETFROM. RRULEs are expanded up to until with go-ical's
// RecurrenceSet (rrule-go), an implementation independent of the one that
// wrote them. It returns every onset, sorted, and the observances as
// written ("KIND RRULE" or "KIND" for a dated one).
func zoneRules(t *testing.T, cal *goical.Calendar, tzid string, until time.Time) (onsets []zoneRule, written []string) {
	t.Helper()
	for _, c := range cal.Children {
		if c.Name != goical.CompTimezone || text(t, c.Props, "TZID") != tzid {
			continue
		}
		for _, o := range c.Children {
			raw := func(name string) string {
				if p := o.Props.Get(name); p != nil {
					return p.Value
				}
				t.Errorf("%s observance without %s", tzid, name)
				return ""
			}
			from, err1 := parseOffset(raw("TZOFFSETFROM"))
			to, err2 := parseOffset(raw("TZOFFSETTO"))
			start, err3 := time.Parse("20060102T150405", raw("DTSTART"))
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatalf("%s observance: %v %v %v", tzid, err1, err2, err3)
			}
			locals := []time.Time{start}
			var rule string
			if p := o.Props.Get(goical.PropRecurrenceRule); p != nil {
				rule = p.Value
				set, err := o.RecurrenceSet(time.UTC) // floating: local wall clock read as UTC
				if err != nil {
					t.Fatalf("%s %s RRULE %s: %v", tzid, o.Name, rule, err)
				}
				locals = set.Between(start, until.Add(14*time.Hour), true)
				if len(locals) == 0 || !locals[0].Equal(start) {
					t.Errorf("%s %s RRULE %s: first recurrence %v, want DTSTART %v", tzid, o.Name, rule, locals, start)
				}
			}
			written = append(written, strings.TrimSpace(o.Name+" "+rule))
			for _, l := range locals {
				onsets = append(onsets, zoneRule{o.Name, l.Add(-time.Duration(from) * time.Second), to, text(t, o.Props, "TZNAME"), rule})
			}
		}
		slices.SortFunc(onsets, func(a, b zoneRule) int { return a.onset.Compare(b.onset) })
		return onsets, written
	}
	t.Fatalf("no VTIMEZONE %s", tzid)
	return nil, nil
}

// change is one change of offset or name of a zone.
type change struct {
	at     time.Time
	offset int
	name   string
}

// goChanges lists the changes of loc's offset or name after from and
// before to, as Go's time zone database has them: Time.ZoneBounds walks
// from one zone period to the next (agenda.ZoneBounds, which moves on
// where Go's own stalls, on the last day of a leap year beyond the
// listed transitions).
func goChanges(loc *time.Location, from, to time.Time) []change {
	var out []change
	name, off := from.In(loc).Zone()
	for x := from; ; {
		_, end := agenda.ZoneBounds(x.In(loc))
		if end.IsZero() || !end.Before(to) {
			return out
		}
		n, o := end.In(loc).Zone()
		if n != name || o != off {
			out = append(out, change{end.UTC(), o, n})
		}
		name, off, x = n, o, end
	}
}

// at returns the rule in force at instant x: the latest onset not after x.
func at(rules []zoneRule, x time.Time) (zoneRule, bool) {
	var r zoneRule
	found := false
	for _, c := range rules {
		if !c.onset.After(x) && (!found || c.onset.After(r.onset)) {
			r, found = c, true
		}
	}
	return r, found
}

// TestVTimezoneConference checks the conference zone of a rendered feed on
// known summer and winter dates.
func TestVTimezoneConference(t *testing.T) {
	e := render(t, agendatest.Small(t), nil)
	cal := decode(t, feed(e, ical.FeedMeta{}, nil).Body)
	rules, written := zoneRules(t, cal, "Europe/Berlin", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	// One yearly rule each way, as Outlook reads them (MS-STANOICAL 2.2.47).
	if want := []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "STANDARD FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}; !slices.Equal(written, want) {
		t.Errorf("observances %q, want %q", written, want)
	}
	tests := []struct {
		at     time.Time
		offset int
		name   string
		kind   string
	}{
		{time.Date(2019, 1, 15, 12, 0, 0, 0, time.UTC), 3600, "CET", "STANDARD"},
		{time.Date(2019, 7, 1, 12, 0, 0, 0, time.UTC), 7200, "CEST", "DAYLIGHT"},
		{agendatest.At(8, 10, 30), 7200, "CEST", "DAYLIGHT"},                        // during the conference
		{time.Date(2019, 10, 27, 0, 59, 59, 0, time.UTC), 7200, "CEST", "DAYLIGHT"}, // a second before DST ends
		{time.Date(2019, 10, 27, 1, 0, 0, 0, time.UTC), 3600, "CET", "STANDARD"},    // DST has ended
		{time.Date(2019, 3, 31, 1, 0, 0, 0, time.UTC), 7200, "CEST", "DAYLIGHT"},    // DST has begun
		{time.Date(2020, 2, 1, 12, 0, 0, 0, time.UTC), 3600, "CET", "STANDARD"},     // the year after
		{time.Date(2018, 11, 1, 12, 0, 0, 0, time.UTC), 3600, "CET", "STANDARD"},    // the year before
	}
	for _, tt := range tests {
		r, ok := at(rules, tt.at)
		if !ok || r.offset != tt.offset || r.name != tt.name || r.kind != tt.kind {
			t.Errorf("at %v: got %+v (found %v), want %s %s %d", tt.at, r, ok, tt.kind, tt.name, tt.offset)
		}
	}
}

// TestVTimezoneZones renders the VTIMEZONE of zones with and without
// DST, in both hemispheres, with rules that changed within the range,
// expands its RRULEs and compares every change of offset in the range with
// Go's time zone database, then the offset in force every three hours.
func TestVTimezoneZones(t *testing.T) {
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	from, to := date(2018, 10, 7), date(2020, 10, 10) // a conference in October 2019
	tests := []struct {
		zone     string
		from, to time.Time
		// written is the observances as rendered, in DTSTART order: kind
		// and RRULE, or kind alone for a dated one; nil: not checked.
		written []string
	}{
		{"Europe/Berlin", from, to, []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "STANDARD FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}},
		// Every last Sunday of March from 2021 to 2023 was also the fourth:
		// the last weekday wins, as the tz database has it ("lastSun").
		{"Europe/Berlin", date(2021, 6, 1), date(2023, 6, 1), []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "STANDARD FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}},
		{"America/New_York", from, to, []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "STANDARD FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}},
		// The US moved DST in 2007: the old rule's changes are dated, the
		// new rule recurs from its first change.
		{"America/New_York", date(2006, 1, 1), date(2008, 12, 31), []string{"STANDARD", "DAYLIGHT", "STANDARD",
			"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "STANDARD FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}},
		// DST in the southern summer (begun just before the range).
		{"Australia/Sydney", from, to, []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "STANDARD FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"}},
		{"Asia/Tokyo", from, to, []string{"STANDARD"}}, // no DST since 1951
		// DST abolished in 2019: a yearly rule would put a change in
		// February 2020, so every change is dated.
		{"America/Sao_Paulo", from, to, []string{"STANDARD", "DAYLIGHT", "STANDARD"}},
		// Permanent +04 from 2011, back to +03 in 2014: changes of rules, dated.
		{"Europe/Moscow", date(2013, 6, 1), date(2015, 6, 1), []string{"DAYLIGHT", "STANDARD"}},
		// Iran's changes (until 2022) fell on fixed days of its own
		// calendar, no weekday rule: all dated.
		{"Asia/Tehran", from, to, []string{"STANDARD", "DAYLIGHT", "STANDARD", "DAYLIGHT", "STANDARD"}},
		{"America/St_Johns", from, to, []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "STANDARD FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}}, // half hours
		{"Asia/Kathmandu", from, to, []string{"STANDARD"}},                                                                                // +0545
		{"UTC", from, to, []string{"STANDARD"}},                                                                                           // no transitions at all
		{"Etc/GMT+5", from, to, []string{"STANDARD"}},                                                                                     // fixed negative offset
		{"Pacific/Chatham", from, to, []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU", "STANDARD FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"}},  // +1245/+1345
		{"Africa/Casablanca", from, to, nil},                                                                                              // Ramadan switches
		// Beyond the tz database's listed transitions, across the end of
		// a leap year (where Go's ZoneBounds reports an end before the
		// instant): every change is there, and recurs by its rule.
		{"Europe/Berlin", date(2040, 6, 1), date(2042, 6, 1), []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "STANDARD FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}},
		{"America/New_York", date(2044, 6, 1), date(2046, 6, 1), []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "STANDARD FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}},
		// "Negative DST" in the tz source; the summer offset is the larger.
		{"Europe/Dublin", from, to, []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "STANDARD FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}},
		{"America/Los_Angeles", from, to, []string{"DAYLIGHT FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "STANDARD FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.zone, tt.from.Year()), func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			body, err := ical.TimezoneCalendar(tt.zone, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, body)
			rules, written := zoneRules(t, decode(t, body), tt.zone, tt.to)
			if tt.written != nil && !slices.Equal(written, tt.written) {
				t.Errorf("observances\n%q, want\n%q", written, tt.written)
			}
			if len(written) == 1 && written[0] != "STANDARD" {
				t.Errorf("the one observance is %s, want STANDARD without RRULE", written[0])
			}
			for i := 1; i < len(rules); i++ {
				// Clients pair STANDARD with DAYLIGHT: daylight is the larger offset.
				a, b := rules[i-1], rules[i]
				if a.kind != b.kind && (a.kind == "DAYLIGHT") != (a.offset > b.offset) {
					t.Errorf("%s %s (%d) next to %s %s (%d): DAYLIGHT must have the larger offset", a.kind, a.name, a.offset, b.kind, b.name, b.offset)
				}
			}
			// Every change within the range, exactly.
			var got []change
			for _, r := range rules {
				if r.onset.After(tt.from) && r.onset.Before(tt.to) {
					got = append(got, change{r.onset, r.offset, r.name})
				}
			}
			if want := goChanges(loc, tt.from, tt.to); !slices.Equal(got, want) {
				t.Errorf("changes in the range:\n got %v\nwant %v (Go)", got, want)
			}
			for x := tt.from; x.Before(tt.to); x = x.Add(3 * time.Hour) {
				r, ok := at(rules, x)
				name, off := x.In(loc).Zone()
				if !ok || r.offset != off || r.name != name {
					t.Fatalf("at %v: VTIMEZONE says %+v (found %v), Go says %s %d", x, r, ok, name, off)
				}
			}
		})
	}
}

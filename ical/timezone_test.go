package ical_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"confcal/agenda/agendatest"
	"confcal/ical"

	goical "github.com/emersion/go-ical"
)

// zoneRule is one decoded STANDARD or DAYLIGHT observance.
type zoneRule struct {
	kind   string
	onset  time.Time // the instant it takes effect
	offset int       // TZOFFSETTO, seconds east of UTC
	name   string
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
// way a client does: DTSTART is local time in TZOFFSETFROM.
func zoneRules(t *testing.T, cal *goical.Calendar, tzid string) []zoneRule {
	t.Helper()
	var rules []zoneRule
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
			local, err3 := time.Parse("20060102T150405", raw("DTSTART"))
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatalf("%s observance: %v %v %v", tzid, err1, err2, err3)
			}
			rules = append(rules, zoneRule{o.Name, local.Add(-time.Duration(from) * time.Second), to, text(t, o.Props, "TZNAME")})
		}
		return rules
	}
	t.Fatalf("no VTIMEZONE %s", tzid)
	return nil
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
	cal := decode(t, e.Feed(ical.FeedMeta{}, nil).Body)
	rules := zoneRules(t, cal, "Europe/Berlin")
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

// TestVTimezoneZones compares the VTIMEZONE of several zones with Go's
// time zone database every three hours over the covered range.
func TestVTimezoneZones(t *testing.T) {
	from := time.Date(2018, 10, 7, 0, 0, 0, 0, time.UTC)
	to := time.Date(2020, 10, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		zone  string
		rules int // -1: do not check the count
	}{
		{"Europe/Berlin", -1},
		{"Australia/Sydney", -1},    // DST in the southern summer
		{"America/Sao_Paulo", -1},   // DST abolished in 2019
		{"America/St_Johns", -1},    // half-hour offsets
		{"Asia/Kathmandu", 1},       // +0545, no DST
		{"Asia/Tokyo", 1},           // no DST since 1951
		{"UTC", 1},                  // no transitions at all
		{"Etc/GMT+5", 1},            // fixed negative offset
		{"Pacific/Chatham", -1},     // +1245/+1345
		{"Africa/Casablanca", -1},   // Ramadan switches
		{"Europe/Dublin", -1},       // "negative DST" in the tz source
		{"America/Los_Angeles", -1}, // a US zone
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			body, err := ical.TimezoneCalendar(tt.zone, from, to)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, body)
			rules := zoneRules(t, decode(t, body), tt.zone)
			if tt.rules >= 0 && len(rules) != tt.rules {
				t.Errorf("got %d observances, want %d: %+v", len(rules), tt.rules, rules)
			}
			if tt.rules == 1 && rules[0].kind != "STANDARD" {
				t.Errorf("the one observance is %s, want STANDARD", rules[0].kind)
			}
			for i := 1; i < len(rules); i++ {
				// Clients pair STANDARD with DAYLIGHT: daylight is the larger offset.
				a, b := rules[i-1], rules[i]
				if a.kind != b.kind && (a.kind == "DAYLIGHT") != (a.offset > b.offset) {
					t.Errorf("%s %s (%d) next to %s %s (%d): DAYLIGHT must have the larger offset", a.kind, a.name, a.offset, b.kind, b.name, b.offset)
				}
			}
			for x := from; x.Before(to); x = x.Add(3 * time.Hour) {
				r, ok := at(rules, x)
				name, off := x.In(loc).Zone()
				if !ok || r.offset != off || r.name != name {
					t.Fatalf("at %v: VTIMEZONE says %+v (found %v), Go says %s %d", x, r, ok, name, off)
				}
			}
		})
	}
}

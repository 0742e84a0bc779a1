package web_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
	"confcal/agenda/memstore"
	"confcal/web"
)

// futureContents is a conference in Berlin from first to last with one
// session at 10:00 local time (given as an instant) on each of days.
func futureContents(tb testing.TB, first, last agenda.Date, days ...agenda.Date) agenda.Contents {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		tb.Fatal(err)
	}
	c := agenda.Contents{
		Conference: agenda.Conference{Name: "Future Con", TimeZone: "Europe/Berlin", First: first, Last: last, UIDDomain: "future.example"},
		Tracks:     []agenda.Track{{ID: "talks", Name: "Talks"}},
		Rooms:      []agenda.Room{{ID: "hall", Name: "Hall"}},
	}
	for _, d := range days {
		start := time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, loc)
		c.Sessions = append(c.Sessions, agenda.Session{ID: "s-" + d.String(), Title: "On " + d.String(), Start: start, End: start.Add(time.Hour),
			Track: "talks", Room: "hall", Status: agenda.StatusConfirmed, LastModified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	return c
}

// inTime runs f and fails the test when it does not return within ten
// seconds (f is left running: the test binary ends with the failure).
func inTime(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		if t.Failed() { // f failed (its Fatal ended only its goroutine)
			t.FailNow()
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return within 10 s", what)
	}
}

// clientOffset returns the UTC offset, in seconds, that a client reading
// the VTIMEZONE with TZID tzid of cal finds in force at instant x: that
// of the latest onset of its observances (DTSTART and the recurrences of
// its RRULE, local times in TZOFFSETFROM) not after x.
func clientOffset(t *testing.T, cal *goical.Calendar, tzid string, x time.Time) int {
	t.Helper()
	offset := func(c *goical.Component, name string) int {
		p := c.Props.Get(name)
		if p == nil || len(p.Value) != 5 {
			t.Fatalf("%s %s: %v", tzid, name, p)
		}
		h, err1 := strconv.Atoi(p.Value[1:3])
		m, err2 := strconv.Atoi(p.Value[3:5])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s %s %q", tzid, name, p.Value)
		}
		sec := h*3600 + m*60
		if p.Value[0] == '-' {
			sec = -sec
		}
		return sec
	}
	found, best, off := false, time.Time{}, 0
	for _, tz := range cal.Children {
		if tz.Name != goical.CompTimezone || tz.Props.Get(goical.PropTimezoneID).Value != tzid {
			continue
		}
		for _, o := range tz.Children {
			from, to := offset(o, goical.PropTimezoneOffsetFrom), offset(o, goical.PropTimezoneOffsetTo)
			start, err := time.Parse("20060102T150405", o.Props.Get(goical.PropDateTimeStart).Value)
			if err != nil {
				t.Fatal(err)
			}
			locals := []time.Time{start}
			if o.Props.Get(goical.PropRecurrenceRule) != nil {
				set, err := o.RecurrenceSet(time.UTC) // floating: the wall clock read as UTC
				if err != nil {
					t.Fatal(err)
				}
				locals = set.Between(start, x.Add(48*time.Hour), true)
			}
			for _, l := range locals {
				if at := l.Add(-time.Duration(from) * time.Second); !at.After(x) && (!found || at.After(best)) {
					found, best, off = true, at, to
				}
			}
		}
	}
	if !found {
		t.Fatalf("no observance of %s in force at %v", tzid, x)
	}
	return off
}

// checkFeedTimes GETs target from h and checks that every event's start,
// read with the feed's VTIMEZONE as a client reads it, is its session's
// instant in want (by UID).
func checkFeedTimes(t *testing.T, h http.Handler, target string, want map[string]time.Time) {
	t.Helper()
	resp := do(t, h, http.MethodGet, target)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", target, resp.StatusCode)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(body(t, resp))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if len(events) != len(want) {
		t.Fatalf("GET %s: %d events, want %d", target, len(events), len(want))
	}
	for _, ev := range events {
		uid := ev.Props.Get(goical.PropUID).Value
		x, ok := want[uid]
		if !ok {
			t.Fatalf("GET %s: unexpected event %s", target, uid)
		}
		p := ev.Props.Get(goical.PropDateTimeStart)
		tzid := p.Params.Get(goical.ParamTimezoneID)
		wall, err := time.Parse("20060102T150405", p.Value)
		if err != nil || tzid == "" {
			t.Fatalf("GET %s: %s DTSTART %q (TZID %q): want a local time", target, uid, p.Value, tzid)
		}
		off := clientOffset(t, cal, tzid, x)
		if got := wall.Add(-time.Duration(off) * time.Second); !got.Equal(x) {
			t.Errorf("GET %s: %s starts %s %s, read with the VTIMEZONE's offset %+d s as %v, want %v", target, uid, tzid, p.Value, off, got, x.UTC())
		}
	}
}

// TestFeedsAfterLeapYearEnd: a conference years ahead, after the zone's
// listed transitions, near the end of a leap year (Berlin, December
// 2040) loads, is served and takes local times from the admin API; and
// a conference in the year after such a one (June 2041) gets a VTIMEZONE
// that gives its summer time, so clients show its sessions at their
// instants. Go's ZoneBounds reports an end before the instant on a leap
// year's last day there; walked naively, that stalls: a wall time near
// it never resolved, and the VTIMEZONE stopped at the year's end.
func TestFeedsAfterLeapYearEnd(t *testing.T) {
	t.Run("December 2040", func(t *testing.T) {
		d := func(day int) agenda.Date { return agenda.Date{Year: 2040, Month: time.December, Day: day} }
		var h http.Handler
		inTime(t, "loading a conference on 29–30 December 2040", func() {
			seed := func() (*agenda.Snapshot, error) {
				return agenda.NewSnapshot(futureContents(t, d(29), d(30), d(29), d(30)), 1, 1, nil)
			}
			_, _, h = newLive(t, web.Config{Token: token}, memstore.New(), seed)
		})
		e := &apiEnv{t: t, h: h}
		inTime(t, "PATCH of a session to local time 2040-12-30T15:00", func() {
			wantStatus(t, e.do("PATCH", "/api/sessions/s-2040-12-30", `{"start": "2040-12-30T15:00", "end": "2040-12-30T16:00"}`), 200)
		})
		want := map[string]time.Time{
			"s-2040-12-29@future.example": time.Date(2040, 12, 29, 9, 0, 0, 0, time.UTC),
			"s-2040-12-30@future.example": time.Date(2040, 12, 30, 14, 0, 0, 0, time.UTC),
		}
		checkFeedTimes(t, h, "/feeds/all.ics", want)
		checkFeedTimes(t, h, "/feeds/days/2040-12-30.ics", map[string]time.Time{"s-2040-12-30@future.example": want["s-2040-12-30@future.example"]})
	})
	t.Run("June 2041", func(t *testing.T) {
		d := func(day int) agenda.Date { return agenda.Date{Year: 2041, Month: time.June, Day: day} }
		snap, err := agenda.NewSnapshot(futureContents(t, d(10), d(11), d(10), d(11)), 1, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, h := serve(t, web.Config{}, snap)
		checkFeedTimes(t, h, "/feeds/all.ics", map[string]time.Time{
			"s-2041-06-10@future.example": time.Date(2041, 6, 10, 8, 0, 0, 0, time.UTC),
			"s-2041-06-11@future.example": time.Date(2041, 6, 11, 8, 0, 0, 0, time.UTC),
		})
	})
}

package ical_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/ical"
)

// dstSnapshot is a conference in zone over the days around a change of
// its clocks, with one session starting every step from from to to (UTC)
// and lasting long, each in a room of its own.
func dstSnapshot(t *testing.T, zone string, from, to time.Time, step, long time.Duration) *agenda.Snapshot {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	c := agenda.Contents{
		Conference: agenda.Conference{
			Name: "DST Conf", Description: "Sessions around a change of the clocks", TimeZone: zone, UIDDomain: "dst.confcal.example",
			First: agenda.DateOf(from, loc).AddDays(-1), Last: agenda.DateOf(to, loc).AddDays(1),
		},
		Tracks: []agenda.Track{{ID: "talks", Name: "Talks"}},
	}
	for at, n := from, 1; !at.After(to); at, n = at.Add(step), n+1 {
		room := fmt.Sprintf("room-%d", n)
		c.Rooms = append(c.Rooms, agenda.Room{ID: room, Name: fmt.Sprintf("Room %d", n)})
		c.Sessions = append(c.Sessions, agenda.Session{
			ID: "at-" + at.UTC().Format("20060102t1504z"), Title: "At " + at.UTC().Format(time.RFC3339),
			Start: at, End: at.Add(long), Track: "talks", Room: room,
			Status: agenda.StatusConfirmed, LastModified: editAt,
		})
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestDSTFeedsReadBack: sessions starting and ending in and around the
// hour the clocks repeat, in zones west and east of UTC, with Dublin's
// negative DST and Lord Howe's half-hour shift, and around the hour they
// skip: the feed and every CalDAV object, parsed with go-ical and read as
// RFC 5545 §3.3.5 says and as go-ical reads them, give back each
// session's instants, and only times in the repeated hour are in UTC.
func TestDSTFeedsReadBack(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		zone     string
		from, to string // UTC: a session starts every step between them
		step     time.Duration
	}{
		{"Europe/Berlin", "2025-10-25T23:00:00Z", "2025-10-26T03:00:00Z", 30 * time.Minute},
		{"Europe/Berlin", "2025-03-29T23:00:00Z", "2025-03-30T03:00:00Z", 30 * time.Minute},
		{"America/New_York", "2024-11-03T04:00:00Z", "2024-11-03T08:00:00Z", 30 * time.Minute},
		{"Europe/Dublin", "2019-10-26T23:00:00Z", "2019-10-27T03:00:00Z", 30 * time.Minute},
		{"Australia/Lord_Howe", "2025-04-05T14:00:00Z", "2025-04-05T16:30:00Z", 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.from, func(t *testing.T) {
			for _, long := range []time.Duration{time.Hour, 2 * time.Hour} {
				snap := dstSnapshot(t, tt.zone, utc(tt.from), utc(tt.to), tt.step, long)
				e := render(t, snap, nil)
				ids := snap.SessionIDs()
				checkDoc(t, e, feed(e, ical.FeedMeta{}, ids), true, ids)
				for _, id := range ids {
					d, ok := object(e, id)
					if !ok {
						t.Fatalf("Object(%q) not found", id)
					}
					checkDoc(t, e, d, false, []string{id})
				}
			}
		})
	}
}

// TestDSTFold: the lines the testers' sessions of the night Berlin's
// clocks went back in 2025 are written as.
func TestDSTFold(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		start, end string // RFC 3339
		want       []string
	}{
		// A local 02:30 reads as the first (CEST) in RFC 5545 and as
		// the second (CET) in go-ical: both are written in UTC.
		{"2025-10-26T02:30:00+02:00", "2025-10-26T03:30:00+01:00", []string{
			"DTSTART:20251026T003000Z", "DTEND;TZID=Europe/Berlin:20251026T033000"}},
		{"2025-10-26T02:30:00+01:00", "2025-10-26T03:30:00+01:00", []string{
			"DTSTART:20251026T013000Z", "DTEND;TZID=Europe/Berlin:20251026T033000"}},
		// Two hours from 01:30 CEST end at the second 02:30.
		{"2025-10-26T01:30:00+02:00", "2025-10-26T02:30:00+01:00", []string{
			"DTSTART;TZID=Europe/Berlin:20251026T013000", "DTEND:20251026T013000Z"}},
		{"2025-10-26T10:00:00+01:00", "2025-10-26T11:00:00+01:00", []string{
			"DTSTART;TZID=Europe/Berlin:20251026T100000", "DTEND;TZID=Europe/Berlin:20251026T110000"}},
	}
	for _, tt := range tests {
		start, err1 := time.Parse(time.RFC3339, tt.start)
		end, err2 := time.Parse(time.RFC3339, tt.end)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		snap := dstSnapshot(t, "Europe/Berlin", start.In(loc), start.In(loc), time.Hour, end.Sub(start))
		e := render(t, snap, nil)
		ids := snap.SessionIDs()
		body := string(feed(e, ical.FeedMeta{}, ids).Body)
		obj, _ := object(e, ids[0])
		for _, line := range tt.want {
			if !strings.Contains(body, "\r\n"+line+"\r\n") {
				t.Errorf("%s–%s: the feed has no line %s", tt.start, tt.end, line)
			}
			if !strings.Contains(string(obj.Body), "\r\n"+line+"\r\n") {
				t.Errorf("%s–%s: the CalDAV object has no line %s", tt.start, tt.end, line)
			}
		}
	}
}

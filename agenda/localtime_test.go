package agenda_test

import (
	"testing"
	"time"

	"confcal/agenda"
)

// TestLocalTime: wall times read as RFC 5545 §3.3.5 reads a DATE-TIME
// with a TZID, in zones east and west of UTC, north and south, with
// Dublin's negative DST and Lord Howe's half-hour shift. The instants
// wanted are Python's zoneinfo's with fold=0, which follows the same
// rules (the first of two, the offset before a gap).
func TestLocalTime(t *testing.T) {
	tests := []struct {
		zone, wall string
		want       string // the instant in UTC
		kind       agenda.Wall
	}{
		{"Europe/Berlin", "2019-10-08 14:00", "2019-10-08T12:00:00Z", agenda.WallOnce},
		{"Europe/Berlin", "2025-10-26 01:59", "2025-10-25T23:59:00Z", agenda.WallOnce},
		{"Europe/Berlin", "2025-10-26 02:00", "2025-10-26T00:00:00Z", agenda.WallTwice},
		{"Europe/Berlin", "2025-10-26 02:30", "2025-10-26T00:30:00Z", agenda.WallTwice},
		{"Europe/Berlin", "2025-10-26 03:00", "2025-10-26T02:00:00Z", agenda.WallOnce},
		{"Europe/Berlin", "2025-03-30 01:59", "2025-03-30T00:59:00Z", agenda.WallOnce},
		{"Europe/Berlin", "2025-03-30 02:00", "2025-03-30T01:00:00Z", agenda.WallSkipped},
		{"Europe/Berlin", "2025-03-30 02:30", "2025-03-30T01:30:00Z", agenda.WallSkipped},
		{"Europe/Berlin", "2025-03-30 03:00", "2025-03-30T01:00:00Z", agenda.WallOnce},
		// Past the transitions Go's zone files list: the zone's rule.
		{"Europe/Berlin", "2040-10-28 02:30", "2040-10-28T00:30:00Z", agenda.WallTwice},
		{"Europe/Berlin", "2040-03-25 02:30", "2040-03-25T01:30:00Z", agenda.WallSkipped},
		// Around the end of a leap year past them, where Go's ZoneBounds
		// reports an end before the instant (ZoneBounds moves on).
		{"Europe/Berlin", "2040-12-30 15:00", "2040-12-30T14:00:00Z", agenda.WallOnce},
		{"Europe/Berlin", "2040-12-31 00:30", "2040-12-30T23:30:00Z", agenda.WallOnce},
		{"Europe/Berlin", "2041-01-01 00:30", "2040-12-31T23:30:00Z", agenda.WallOnce},
		{"America/New_York", "2044-12-31 20:00", "2045-01-01T01:00:00Z", agenda.WallOnce},
		{"America/New_York", "2024-03-10 02:30", "2024-03-10T07:30:00Z", agenda.WallSkipped},
		{"America/New_York", "2024-11-03 01:30", "2024-11-03T05:30:00Z", agenda.WallTwice},
		{"America/New_York", "2024-11-03 09:00", "2024-11-03T14:00:00Z", agenda.WallOnce},
		{"America/Los_Angeles", "2031-11-02 01:30", "2031-11-02T08:30:00Z", agenda.WallTwice},
		// Dublin: winter time is the negative DST in the tz database.
		{"Europe/Dublin", "2019-10-27 01:30", "2019-10-27T00:30:00Z", agenda.WallTwice},
		{"Europe/Dublin", "2019-03-31 01:30", "2019-03-31T01:30:00Z", agenda.WallSkipped},
		{"Europe/Dublin", "2019-07-01 12:00", "2019-07-01T11:00:00Z", agenda.WallOnce},
		// Lord Howe moves its clocks by half an hour.
		{"Australia/Lord_Howe", "2025-04-06 01:30", "2025-04-05T14:30:00Z", agenda.WallTwice},
		{"Australia/Lord_Howe", "2025-04-06 01:45", "2025-04-05T14:45:00Z", agenda.WallTwice},
		{"Australia/Lord_Howe", "2025-04-06 02:00", "2025-04-05T15:30:00Z", agenda.WallOnce},
		{"Australia/Lord_Howe", "2025-10-05 02:15", "2025-10-04T15:45:00Z", agenda.WallSkipped},
		{"Australia/Lord_Howe", "2025-10-05 02:30", "2025-10-04T15:30:00Z", agenda.WallOnce},
		// São Paulo skipped midnight: the day began at 01:00.
		{"America/Sao_Paulo", "2018-11-04 00:00", "2018-11-04T03:00:00Z", agenda.WallSkipped},
		{"Asia/Tokyo", "2024-06-01 09:00", "2024-06-01T00:00:00Z", agenda.WallOnce},
		{"UTC", "2025-10-26 02:30", "2025-10-26T02:30:00Z", agenda.WallOnce},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		wall, err := time.Parse("2006-01-02 15:04", tt.wall)
		if err != nil {
			t.Fatal(err)
		}
		want, err := time.Parse(time.RFC3339, tt.want)
		if err != nil {
			t.Fatal(err)
		}
		got, kind := agenda.LocalTime(wall, loc)
		if !got.Equal(want) || kind != tt.kind {
			t.Errorf("LocalTime(%s in %s) = %s, %d; want %s, %d", tt.wall, tt.zone, got.UTC().Format(time.RFC3339), kind, tt.want, tt.kind)
		}
		if got.Location() != loc {
			t.Errorf("LocalTime(%s in %s) is in %s, want the zone asked for", tt.wall, tt.zone, got.Location())
		}
	}
}

// The wall time is read from the fields of the time given as shown in its
// own location, nanoseconds included; a fixed zone has no folds or gaps.
func TestLocalTimeFields(t *testing.T) {
	wall := time.Date(2025, 10, 26, 2, 30, 15, 7, time.FixedZone("", 5*3600))
	loc := time.FixedZone("", -3*3600)
	got, kind := agenda.LocalTime(wall, loc)
	want := time.Date(2025, 10, 26, 5, 30, 15, 7, time.UTC)
	if !got.Equal(want) || kind != agenda.WallOnce {
		t.Errorf("LocalTime(%v, -03:00) = %v, %d; want %v, WallOnce", wall, got, kind, want)
	}
}

package agenda_test

import (
	"testing"
	"time"

	"confcal/agenda"
)

// TestClock: a time of day is written plainly unless the clocks show it
// twice; then the two readings carry the zone's abbreviation, or its
// offset where the abbreviation is one (Lord Howe Island goes back half
// an hour, "+11" to "+1030"). A time the clocks skipped towards, or one
// in a zone that never changes, stays plain.
func TestClock(t *testing.T) {
	tests := []struct{ zone, instant, want string }{
		{"America/New_York", "2026-11-01T00:59:00-04:00", "00:59"},
		{"America/New_York", "2026-11-01T01:00:00-04:00", "01:00 EDT"},
		{"America/New_York", "2026-11-01T01:59:00-04:00", "01:59 EDT"},
		{"America/New_York", "2026-11-01T01:00:00-05:00", "01:00 EST"},
		{"America/New_York", "2026-11-01T01:59:00-05:00", "01:59 EST"},
		{"America/New_York", "2026-11-01T02:00:00-05:00", "02:00"},
		{"America/New_York", "2026-03-08T03:00:00-04:00", "03:00"}, // just after the skip
		{"Europe/Berlin", "2026-10-25T02:30:00+02:00", "02:30 CEST"},
		{"Europe/Berlin", "2026-10-25T02:30:00+01:00", "02:30 CET"},
		{"Australia/Lord_Howe", "2026-04-05T01:29:00+11:00", "01:29"},
		{"Australia/Lord_Howe", "2026-04-05T01:30:00+11:00", "01:30 +11:00"},
		{"Australia/Lord_Howe", "2026-04-05T01:45:00+10:30", "01:45 +10:30"},
		{"Australia/Lord_Howe", "2026-04-05T02:00:00+10:30", "02:00"},
		{"Asia/Kathmandu", "2026-11-01T01:30:00+05:45", "01:30"},
		{"UTC", "2026-11-01T01:30:00Z", "01:30"},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		x, err := time.Parse(time.RFC3339, tt.instant)
		if err != nil {
			t.Fatal(err)
		}
		if got := agenda.Clock(x.In(loc)); got != tt.want {
			t.Errorf("Clock(%s in %s) = %q, want %q", tt.instant, tt.zone, got, tt.want)
		}
	}
}

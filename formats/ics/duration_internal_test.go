package ics

import (
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
)

// TestAddDuration: days and weeks of a DURATION are nominal (RFC 5545
// §3.3.6), the same time of day that many calendar days on, however long
// those days were; hours, minutes and seconds are exact.
func TestAddDuration(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.In(berlin)
	}
	tests := []struct {
		start, dur, want string // start and want RFC 3339
	}{
		{"2025-10-25T10:00:00+02:00", "P1D", "2025-10-26T10:00:00+01:00"},       // 25 hours
		{"2025-03-29T10:00:00+01:00", "P1D", "2025-03-30T10:00:00+02:00"},       // 23 hours
		{"2025-03-29T10:00:00+01:00", "PT24H", "2025-03-30T11:00:00+02:00"},     // exact
		{"2025-03-29T10:00:00+01:00", "P1DT2H30M", "2025-03-30T12:30:00+02:00"}, // nominal, then exact
		{"2025-03-24T10:00:00+01:00", "P1W", "2025-03-31T10:00:00+02:00"},       // a week of days
		{"2025-03-30T10:00:00+02:00", "-P1D", "2025-03-29T10:00:00+01:00"},      // backwards
		{"2025-10-25T02:30:00+02:00", "P1D", "2025-10-26T02:30:00+02:00"},       // onto the first 02:30
		{"2025-03-29T02:30:00+01:00", "P1D", "2025-03-30T03:30:00+02:00"},       // into the gap: the offset before
		{"2025-10-26T09:00:00+01:00", "PT45M", "2025-10-26T09:45:00+01:00"},     // ordinary
		{"2025-03-29T10:00:00Z", "P1D", "2025-03-30T10:00:00Z"},                 // UTC days are 24 hours
	}
	for _, tt := range tests {
		start := at(tt.start)
		if tt.start[len(tt.start)-1] == 'Z' {
			start = start.UTC()
		}
		got, err := addDuration(start, &goical.Prop{Name: goical.PropDuration, Params: goical.Params{}, Value: tt.dur})
		if err != nil || !got.Equal(at(tt.want)) {
			t.Errorf("%s + %s = %v (%v), want %s", tt.start, tt.dur, got, err, tt.want)
		}
	}
}

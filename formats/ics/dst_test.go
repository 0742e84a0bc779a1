package ics_test

import (
	"slices"
	"testing"
	"time"

	"confcal/formats"
	"confcal/formats/ics"
)

// TestClockChanges: a local DATE-TIME (with a TZID or floating) the
// clocks show twice is the first of the two, one they skip is read with
// the offset before the skip (RFC 5545 §3.3.5), and either is reported,
// as every importer does; a time in UTC names one instant and is not.
func TestClockChanges(t *testing.T) {
	tests := []struct {
		name, zone, start, end string
		want                   [2]string // RFC 3339, UTC
		problems               []string
	}{
		{"the first 02:30", "Europe/Berlin", "DTSTART;TZID=Europe/Berlin:20251026T023000", "DTEND;TZID=Europe/Berlin:20251026T033000",
			[2]string{"2025-10-26T00:30:00Z", "2025-10-26T02:30:00Z"},
			[]string{`test.ics:6: DTSTART "20251026T023000" happens twice in Europe/Berlin (the clocks go back): read as the first, 02:30 CEST (UTC+02:00)`}},
		{"the second 02:30, in UTC", "Europe/Berlin", "DTSTART:20251026T013000Z", "DTEND;TZID=Europe/Berlin:20251026T033000",
			[2]string{"2025-10-26T01:30:00Z", "2025-10-26T02:30:00Z"}, nil},
		{"floating, in the fold", "Europe/Dublin", "DTSTART:20191027T013000", "DTEND:20191027T023000",
			[2]string{"2019-10-27T00:30:00Z", "2019-10-27T02:30:00Z"},
			[]string{`test.ics:6: DTSTART "20191027T013000" happens twice in Europe/Dublin (the clocks go back): read as the first, 01:30 IST (UTC+01:00)`}},
		{"in the gap", "America/New_York", "DTSTART;TZID=America/New_York:20240310T023000", "DTEND;TZID=America/New_York:20240310T040000",
			[2]string{"2024-03-10T07:30:00Z", "2024-03-10T08:00:00Z"},
			[]string{`test.ics:6: DTSTART "20240310T023000" does not exist in America/New_York (the clocks skip it): read as 03:30 EDT (UTC-04:00)`}},
		{"ends in the fold", "Australia/Lord_Howe", "DTSTART;TZID=Australia/Lord_Howe:20250406T010000", "DTEND;TZID=Australia/Lord_Howe:20250406T014500",
			[2]string{"2025-04-05T14:00:00Z", "2025-04-05T14:45:00Z"},
			[]string{`test.ics:6: DTEND "20250406T014500" happens twice in Australia/Lord_Howe (the clocks go back): read as the first, 01:45 +11 (UTC+11:00)`}},
		{"ordinary", "Europe/Berlin", "DTSTART;TZID=Europe/Berlin:20251026T100000", "DURATION:PT1H",
			[2]string{"2025-10-26T09:00:00Z", "2025-10-26T10:00:00Z"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "\nBEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nX-WR-CALNAME:Test\nX-WR-TIMEZONE:" + tt.zone + "\nBEGIN:VEVENT\nUID:a\n" +
				tt.start + "\n" + tt.end + "\nSUMMARY:A\nLOCATION:Hall\nEND:VEVENT\nEND:VCALENDAR\n"
			r, err := ics.Parse(crlf(in), formats.Options{Name: "test.ics", Now: imported, UIDDomain: "test.example"})
			if err != nil {
				t.Fatal(err)
			}
			xs := r.Contents.Sessions
			if len(xs) != 1 {
				t.Fatalf("%d sessions, want 1; problems %q", len(xs), problems(r))
			}
			got := [2]string{xs[0].Start.UTC().Format(time.RFC3339), xs[0].End.UTC().Format(time.RFC3339)}
			if got != tt.want {
				t.Errorf("read as %s–%s, want %s–%s", got[0], got[1], tt.want[0], tt.want[1])
			}
			if p := problems(r); !slices.Equal(p, tt.problems) {
				t.Errorf("problems\n got %q\nwant %q", p, tt.problems)
			}
		})
	}
}

package spreadsheet_test

import (
	"slices"
	"testing"
	"time"

	"confcal/formats"
)

// TestClockChanges: local times the clocks show twice are the first of
// the two, times they skip are read with the offset before the skip (RFC
// 5545 §3.3.5, as every importer reads them), and either is reported.
func TestClockChanges(t *testing.T) {
	tests := []struct {
		zone, start, end string
		want             [2]string // start and end in UTC
		problems         []string
	}{
		{"Europe/Dublin", "2019-10-27 01:30", "2019-10-27 02:30", [2]string{"2019-10-27T00:30:00Z", "2019-10-27T02:30:00Z"},
			[]string{`test.csv:2: start "2019-10-27 01:30" happens twice in Europe/Dublin (the clocks go back): read as the first, 01:30 IST (UTC+01:00)`}},
		{"Europe/Berlin", "2025-10-26 02:30", "2025-10-26 03:30", [2]string{"2025-10-26T00:30:00Z", "2025-10-26T02:30:00Z"},
			[]string{`test.csv:2: start "2025-10-26 02:30" happens twice in Europe/Berlin (the clocks go back): read as the first, 02:30 CEST (UTC+02:00)`}},
		// An offset names the second 02:30: nothing to report.
		{"Europe/Berlin", "2025-10-26 02:30+01:00", "2025-10-26 03:30", [2]string{"2025-10-26T01:30:00Z", "2025-10-26T02:30:00Z"}, nil},
		{"Europe/Berlin", "2025-03-30 02:30", "2025-03-30 04:00", [2]string{"2025-03-30T01:30:00Z", "2025-03-30T02:00:00Z"},
			[]string{`test.csv:2: start "2025-03-30 02:30" does not exist in Europe/Berlin (the clocks skip it): read as 03:30 CEST (UTC+02:00)`}},
		{"America/New_York", "2024-11-03 00:30", "2024-11-03 01:30", [2]string{"2024-11-03T04:30:00Z", "2024-11-03T05:30:00Z"},
			[]string{`test.csv:2: end "2024-11-03 01:30" happens twice in America/New_York (the clocks go back): read as the first, 01:30 EDT (UTC-04:00)`}},
		{"Australia/Lord_Howe", "2025-04-06 01:45", "2025-04-06 02:30", [2]string{"2025-04-05T14:45:00Z", "2025-04-05T16:00:00Z"},
			[]string{`test.csv:2: start "2025-04-06 01:45" happens twice in Australia/Lord_Howe (the clocks go back): read as the first, 01:45 +11 (UTC+11:00)`}},
		{"Europe/Berlin", "2025-10-26 10:00", "2025-10-26 11:00", [2]string{"2025-10-26T09:00:00Z", "2025-10-26T10:00:00Z"}, nil},
	}
	for _, tt := range tests {
		in := "id,title,start,end\nb2,X," + tt.start + "," + tt.end + "\n"
		r, snap := parse(t, []byte(in), formats.Options{TimeZone: tt.zone})
		x, ok := snap.Session("b2")
		if !ok {
			t.Errorf("%s %s: no session b2; problems %q", tt.zone, tt.start, problems(r))
			continue
		}
		got := [2]string{x.Start.UTC().Format(time.RFC3339), x.End.UTC().Format(time.RFC3339)}
		if got != tt.want {
			t.Errorf("%s %s–%s: read as %s–%s, want %s–%s", tt.zone, tt.start, tt.end, got[0], got[1], tt.want[0], tt.want[1])
		}
		if p := problems(r); !slices.Equal(p, tt.problems) {
			t.Errorf("%s %s–%s: problems\n got %q\nwant %q", tt.zone, tt.start, tt.end, p, tt.problems)
		}
	}
}

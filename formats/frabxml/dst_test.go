package frabxml_test

import (
	"fmt"
	"testing"
	"time"

	"confcal/formats"
)

// TestParseClockChanges: Pentabarf's <start> and a <date> without an
// offset are wall times in the conference's zone. One the clocks show
// twice is the first of the two, one they skip is read with the offset
// before the skip (RFC 5545 §3.3.5, as every importer reads them), and
// both are reported.
func TestParseClockChanges(t *testing.T) {
	ev := func(n int, start, date string) string {
		return fmt.Sprintf("<event guid=\"00000000-0000-4000-8000-00000000000%d\" id=\"%d\">%s%s<duration>01:00</duration><title>E%d</title></event>\n", n, n, start, date, n)
	}
	tests := []struct {
		name, day, event string
		want             string // RFC 3339
		report           string
	}{
		{"start in the fold", "2025-10-26", ev(1, "<start>02:30</start>", ""), "2025-10-26T00:30:00Z",
			`event "E1": <start> "02:30" on 2025-10-26 happens twice in Europe/Berlin (the clocks go back): read as the first, 02:30 CEST (UTC+02:00)`},
		{"date in the fold", "2025-10-26", ev(2, "", "<date>2025-10-26T02:30:00</date>"), "2025-10-26T00:30:00Z",
			`event "E2": <date> "2025-10-26T02:30:00" happens twice in Europe/Berlin (the clocks go back): read as the first, 02:30 CEST (UTC+02:00)`},
		{"start in the gap", "2025-03-30", ev(3, "<start>02:30</start>", ""), "2025-03-30T01:30:00Z",
			`event "E3": <start> "02:30" on 2025-03-30 does not exist in Europe/Berlin (the clocks skip it): read as 03:30 CEST (UTC+02:00)`},
		{"ordinary", "2025-10-26", ev(4, "<start>10:00</start>", ""), "2025-10-26T09:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(`<?xml version="1.0"?>
<schedule><version>1</version>
<conference><title>Inline</title><time_zone_name>Europe/Berlin</time_zone_name><url>https://inline.example/</url></conference>
<day index="1" date="` + tt.day + `"><room name="Hall">
` + tt.event + `</room></day>
</schedule>`)
			r, snap := parse(t, "inline.xml", data, formats.Options{})
			xs := snap.Sessions()
			if len(xs) != 1 {
				t.Fatalf("%d sessions, want 1; problems %v", len(xs), r.Problems)
			}
			if got := xs[0].Start.UTC().Format(time.RFC3339); got != tt.want {
				t.Errorf("starts at %s, want %s", got, tt.want)
			}
			if tt.report == "" {
				checkProblems(t, "inline.xml", r.Problems, nil)
			} else {
				checkProblems(t, "inline.xml", r.Problems, []want{{5, tt.report}})
			}
		})
	}
}

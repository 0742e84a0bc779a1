package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionsRepeatedHour: `confcal sessions` on a CSV of the night New
// York's clocks go back tells the two 01:30 sessions apart (EDT, then
// EST) and leaves times the clocks show once plain.
func TestSessionsRepeatedHour(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "fall.csv")
	rows := "id,title,start,end,room\n" +
		"first,First,2026-11-01T01:30-04:00,2026-11-01T01:50-04:00,Hall\n" +
		"second,Second,2026-11-01T01:30-05:00,2026-11-01T01:50-05:00,Hall\n" +
		"morning,Morning,2026-11-01 10:00,2026-11-01 11:00,Hall\n"
	if err := os.WriteFile(csv, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, "", "sessions", "-agenda", csv, "-time-zone", "America/New_York")
	if err != nil {
		t.Fatalf("confcal sessions: %v\n%s", err, stderr)
	}
	times := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("line %q", line)
		}
		// ID, DAY, then the time, which may hold blanks ("01:30 EDT–01:50 EDT").
		times[f[0]] = strings.Join(f[2:len(f)-3], " ")
	}
	want := map[string]string{"first": "01:30 EDT–01:50 EDT", "second": "01:30 EST–01:50 EST", "morning": "10:00–11:00"}
	for id, w := range want {
		if times[id] != w {
			t.Errorf("%s at %q, want %q\n%s", id, times[id], w, out)
		}
	}
}

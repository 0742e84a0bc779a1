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

// TestSkippedTimesRepeatedHour: a CSV row that ends when it starts, or
// before, in the hour New York's clocks repeat is skipped with a message
// that says so with its times told apart; a row from 01:40 EDT to 01:20
// EST lasts 40 minutes and is read.
func TestSkippedTimesRepeatedHour(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "zero.csv")
	rows := "id,title,start,end,room\n" +
		"zero,Zero,2026-11-01T01:30-05:00,2026-11-01T01:30-05:00,Hall\n" +
		"back,Back,2026-11-01T01:40-04:00,2026-11-01T01:20-05:00,Hall\n" +
		"wrong,Wrong,2026-11-01T01:40-05:00,2026-11-01T01:20-04:00,Hall\n"
	if err := os.WriteFile(csv, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, "", "sessions", "-agenda", csv, "-time-zone", "America/New_York")
	if err != nil {
		t.Fatalf("confcal sessions: %v\n%s", err, stderr)
	}
	for _, want := range []string{
		csv + ":2: it ends when it starts (2026-11-01 01:30 EST): skipped",
		csv + ":4: it ends (2026-11-01 01:20 EDT) before it starts (2026-11-01 01:40 EST): skipped",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(out, "01:40 EDT–01:20 EST") || strings.Count(strings.TrimSpace(out), "\n") != 1 {
		t.Errorf("want the one session from 01:40 EDT to 01:20 EST:\n%s", out)
	}
}

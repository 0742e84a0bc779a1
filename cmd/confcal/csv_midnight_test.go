package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
)

// TestCSVPastMidnight: in a sheet with a date column, a session whose end
// is a time of day before its start runs past midnight and ends the next
// day (23:30–00:30, a range 23:45–01:15, a dated start with an end time
// alone); the exported feed has each at its instants. An end a few hours
// early (14:00–13:00, which would last 23 hours) is still a typo:
// skipped, and reported.
func TestCSVPastMidnight(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "night.csv")
	rows := "id,title,date,start,end,room\n" +
		"midnight,Midnight,2026-10-23,23:30,00:30,Hall\n" +
		"range,Range,2026-10-23,23:45–01:15,,Side\n" +
		"dated,Dated,,2026-10-23 22:00,02:30,Annex\n" +
		"typo,Typo,2026-10-23,14:00,13:00,Hall\n"
	if err := os.WriteFile(csv, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, "", "export", "-agenda", csv, "-time-zone", "Europe/Berlin")
	if err != nil {
		t.Fatalf("confcal export: %v\n%s", err, stderr)
	}
	if want := csv + ":5: it ends (2026-10-23 13:00) before it starts (2026-10-23 14:00): skipped"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	cal, err := goical.NewDecoder(bytes.NewReader([]byte(out))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		x, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	want := map[string][2]time.Time{ // Berlin is at +02:00 on both days
		"Midnight": {utc("2026-10-23T21:30:00Z"), utc("2026-10-23T22:30:00Z")},
		"Range":    {utc("2026-10-23T21:45:00Z"), utc("2026-10-23T23:15:00Z")},
		"Dated":    {utc("2026-10-23T20:00:00Z"), utc("2026-10-24T00:30:00Z")},
	}
	events := cal.Events()
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d:\n%s", len(events), len(want), out)
	}
	for _, ev := range events {
		title := ev.Props.Get(goical.PropSummary).Value
		w, ok := want[title]
		if !ok {
			t.Fatalf("unexpected event %q", title)
		}
		start, err1 := ev.DateTimeStart(time.UTC)
		end, err2 := ev.DateTimeEnd(time.UTC)
		if err1 != nil || err2 != nil || !start.Equal(w[0]) || !end.Equal(w[1]) {
			t.Errorf("%s: %v–%v (%v, %v), want %v–%v", title, start.UTC(), end.UTC(), err1, err2, w[0], w[1])
		}
	}
}

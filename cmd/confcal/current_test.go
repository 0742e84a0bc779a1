package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"
)

// sessions and export show what the store holds once organizers changed it,
// not the built-in agenda; without a store they show the built-in one and
// create nothing.
func TestSessionsAndExportReadTheStore(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	const id = "flinks-new-batch-architecture"
	row := func() string {
		t.Helper()
		out, _, err := runCmd(t, "", "sessions", "-data", data)
		if err != nil {
			t.Fatalf("sessions: %v", err)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, id+" ") {
				return strings.Join(strings.Fields(line), " ")
			}
		}
		t.Fatalf("sessions shows no row for %s", id)
		return ""
	}
	if got := row(); !strings.Contains(got, "16:00–16:40 Room 1") {
		t.Errorf("before any change: %q, want 16:00–16:40 Room 1", got)
	}
	if m, _ := filepath.Glob(filepath.Join(data, "*")); len(m) != 0 {
		t.Errorf("sessions created %v in the data directory", m)
	}

	if _, stderr, err := runCmd(t, "", "move", id, "-data", data, "-room", "room-4", "-start", "2019-10-08T18:00"); err != nil {
		t.Fatalf("move: %v (%s)", err, stderr)
	}
	if got := row(); !strings.Contains(got, "18:00–18:40 Room 4") {
		t.Errorf("after the move: %q, want 18:00–18:40 Room 4", got)
	}

	out, _, err := runCmd(t, "", "export", "-data", data, "-session", id)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	cal, err := goical.NewDecoder(bytes.NewReader([]byte(out))).Decode()
	if err != nil {
		t.Fatalf("export does not parse: %v", err)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("export has %d events, want 1", len(events))
	}
	loc, _ := events[0].Props.Text(goical.PropLocation)
	seq := events[0].Props.Get(goical.PropSequence)
	if loc != "Room 4" || seq == nil || seq.Value != "1" {
		t.Errorf("exported event: LOCATION %q, SEQUENCE %v; want Room 4, 1", loc, seq)
	}
}

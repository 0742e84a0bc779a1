package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"
)

// An .ics round trip through the CLI (export, import that export, export
// again, twice) keeps every session's ID and every event's UID: confcal's
// own feed names no UID domain but its UIDs share one, and a foreign
// calendar's UIDs come back as they were.
func TestICSRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		source string   // the calendar imported first, "" for the built-in agenda
		uids   []string // the UIDs the first export must have, nil for no check
	}{
		{name: "built-in agenda"},
		{name: "a planner's calendar", source: icsFixture,
			uids: []string{"talk-1@planner.example", "talk-2@planner.example", "talk-3@planner.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var args []string
			if tc.source != "" {
				args = []string{"-agenda", writeTemp(t, dir, "source.ics", tc.source)}
			}
			export := func(args []string) (string, []string, []string) {
				t.Helper()
				out, stderr, err := runCmd(t, "", append([]string{"export", "-format", "ics"}, args...)...)
				if err != nil {
					t.Fatalf("export %q: %v (%s)", args, err, stderr)
				}
				list, stderr, err := runCmd(t, "", append([]string{"sessions"}, args...)...)
				if err != nil {
					t.Fatalf("sessions %q: %v (%s)", args, err, stderr)
				}
				var ids []string
				for _, line := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
					ids = append(ids, strings.Fields(line)[0])
				}
				return out, ids, uidsOf(t, out)
			}
			cal, ids, uids := export(args)
			if tc.uids != nil && !slices.Equal(uids, tc.uids) {
				t.Errorf("the first export's UIDs are %q, want the calendar's %q", uids, tc.uids)
			}
			for trip := 1; trip <= 2; trip++ {
				file := filepath.Join(dir, "trip.ics")
				if err := os.WriteFile(file, []byte(cal), 0o600); err != nil {
					t.Fatal(err)
				}
				var againIDs, againUIDs []string
				cal, againIDs, againUIDs = export([]string{"-agenda", file})
				if !slices.Equal(againIDs, ids) {
					t.Errorf("round trip %d: session IDs %q, want %q", trip, againIDs, ids)
				}
				if !slices.Equal(againUIDs, uids) {
					t.Errorf("round trip %d: UIDs %q, want %q", trip, againUIDs, uids)
				}
			}
		})
	}
}

// uidsOf returns the UIDs of a calendar's events, in its order.
func uidsOf(t *testing.T, feed string) []string {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader([]byte(feed))).Decode()
	if err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	var uids []string
	for _, ev := range cal.Events() {
		uid, err := ev.Props.Text(goical.PropUID)
		if err != nil || uid == "" {
			t.Fatalf("an event without UID (%v)", err)
		}
		uids = append(uids, uid)
	}
	if len(uids) == 0 {
		t.Fatal("the export has no events")
	}
	return uids
}

// A round trip through the frab formats (export a schedule as
// schedule.xml or schedule.json, import that) keeps every event's UID
// when the export says all the import needs: the conference's name, from
// which both make the UID domain of a schedule that names none, and guids
// that give back sessions' IDs.
func TestFrabRoundTripKeepsUIDs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sample string
		flags  []string // for the first import; the second is of the export alone
		format string
	}{
		{"Sessionize as schedule.xml", "sessionize-occ2020/all.json", []string{"-time-zone", "America/New_York"}, "schedule-xml"},
		{"Sessionize as schedule.json", "sessionize-occ2020/all.json", []string{"-time-zone", "America/New_York"}, "schedule-json"},
		{"Pentabarf as schedule.xml", "fosdem-2021-pentabarf/schedule.xml", []string{"-time-zone", "Europe/Brussels"}, "schedule-xml"},
		{"Pentabarf as schedule.json", "fosdem-2021-pentabarf/schedule.xml", []string{"-time-zone", "Europe/Brussels"}, "schedule-json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := append([]string{"-agenda", sample(t, tc.sample)}, tc.flags...)
			export := func(args ...string) string {
				t.Helper()
				out, stderr, err := runCmd(t, "", append([]string{"export"}, args...)...)
				if err != nil {
					t.Fatalf("export %q: %v (%s)", args, err, stderr)
				}
				return out
			}
			want := uidsOf(t, export(append(first, "-format", "ics")...))
			file := writeTemp(t, t.TempDir(), "export", export(append(first, "-format", tc.format)...))
			got := uidsOf(t, export("-agenda", file, "-format", "ics"))
			if !slices.Equal(got, want) {
				n := 0
				for n < min(len(got), len(want)) && got[n] == want[n] {
					n++
				}
				t.Errorf("after the round trip, %d UIDs, event %d's %q; want %d, %q", len(got), n+1, got[min(n, len(got)-1)], len(want), want[min(n, len(want)-1)])
			}
		})
	}
}

// Package formatstest holds what the format packages' tests share: a dump
// of an import's result, one fact a line, compared with golden files under
// testdata/, and agendas the exporters find hard.
package formatstest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/formats"
)

// Imported is the fixed clock of every test import: the LastModified a
// session gets when its source gives none.
func Imported() time.Time { return time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC) }

// Dump writes what an import found, one fact a line, for golden files:
// the conference, rooms, tracks, speakers, every session field the format
// carries and the problems. A session's number, status, sequence and
// LastModified are written only when they differ from an import's
// defaults at Imported.
func Dump(r formats.Result) string {
	var b strings.Builder
	c := r.Contents.Conference
	fmt.Fprintf(&b, "conference %q\n  description %q\n  zone %s, days %s to %s, day change %s\n  url %q, uid domain %q\n",
		c.Name, c.Description, c.TimeZone, c.First, c.Last, c.DayChange, c.URL, c.UIDDomain)
	for _, x := range r.Contents.Rooms {
		fmt.Fprintf(&b, "room %s %q\n", x.ID, x.Name)
	}
	for _, x := range r.Contents.Tracks {
		fmt.Fprintf(&b, "track %s %q %s\n", x.ID, x.Name, x.Color)
	}
	for _, x := range r.Contents.Speakers {
		fmt.Fprintf(&b, "speaker %s %q\n", x.ID, x.Name)
	}
	for _, x := range r.Contents.Sessions {
		fmt.Fprintf(&b, "session %s\n  %s – %s, room %s, track %s\n  title %q\n", x.ID,
			x.Start.Format(time.RFC3339), x.End.Format(time.RFC3339), x.Room, x.Track, x.Title)
		for _, f := range []struct{ name, v string }{{"subtitle", x.Subtitle}, {"type", x.Type}, {"language", x.Language}, {"url", x.URL}, {"abstract", x.Abstract}} {
			if f.v != "" {
				fmt.Fprintf(&b, "  %s %q\n", f.name, f.v)
			}
		}
		if len(x.Speakers) > 0 {
			fmt.Fprintf(&b, "  speakers %s\n", strings.Join(x.Speakers, ", "))
		}
		if x.Number != 0 || x.Status != agenda.StatusConfirmed || x.Sequence != 0 || !x.LastModified.Equal(Imported()) {
			fmt.Fprintf(&b, "  number %d, status %s, sequence %d, last modified %s\n", x.Number, x.Status, x.Sequence, x.LastModified.Format(time.RFC3339))
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem %s\n", p)
	}
	return b.String()
}

// Golden compares got with testdata/name, or writes it there when update
// is set (the test package's -update flag).
func Golden(t *testing.T, update bool, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it; diff it before committing):\n%s", path, LineDiff(string(want), got))
	}
}

// LineDiff lists the lines of want and got that differ, by line number.
func LineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// ParseFile imports testdata/name with parse at Imported and checks that
// the result makes a snapshot.
func ParseFile(t *testing.T, name string, opts formats.Options, parse func([]byte, formats.Options) (formats.Result, error)) formats.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	opts.Name = name
	opts.Now = Imported()
	r, err := parse(data, opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if _, err := agenda.NewSnapshot(r.Contents, 1, 1, nil); err != nil {
		t.Fatalf("Parse(%s) makes no snapshot: %v", name, err)
	}
	return r
}

// SecondsOffset is a one-session agenda in a zone whose offset then had
// seconds: Amsterdam's summer time was +01:19:32 in 1930, so the session
// at 08:40 UTC (the agenda keeps whole minutes of UTC) starts at 09:59:32
// local time, and its day at 22:40:28 UTC. It skips the test without the
// zone data.
func SecondsOffset(t *testing.T) (snap *agenda.Snapshot, start time.Time) {
	t.Helper()
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Skip("no zone data for Europe/Amsterdam:", err)
	}
	day := agenda.Date{Year: 1930, Month: 6, Day: 10}
	start = time.Date(1930, 6, 10, 8, 40, 0, 0, time.UTC).In(ams)
	c := agenda.Contents{
		Conference: agenda.Conference{Name: "Amsterdam 1930", TimeZone: "Europe/Amsterdam", First: day, Last: day, UIDDomain: "test.confcal.example"},
		Tracks:     []agenda.Track{{ID: "talks", Name: "Talks"}},
		Rooms:      []agenda.Room{{ID: "room-1", Name: "Room 1"}},
		Sessions: []agenda.Session{{ID: "old-time", Title: "Old Time", Start: start, End: start.Add(time.Hour),
			Track: "talks", Room: "room-1", Status: agenda.StatusConfirmed}},
	}
	snap, err = agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap, start
}

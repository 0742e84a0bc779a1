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

// sessions and export show the conference -conference (or
// CONFCAL_CONFERENCE) names, from the store; one the store does not serve
// is an error naming it, and -conference with -agenda a mistake on the
// command line, whichever of the two came from the environment.
func TestSessionsAndExportOfAConference(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	// The built-in agenda is stored first, so it is the default
	// conference and tiny another.
	runSteps(t, []string{"-data", data}, []step{
		{args: []string{"rooms"}},
		{args: []string{"conferences", "add", "tiny", schedule}},
		{args: []string{"conferences", "add", "gone", schedule}},
		{args: []string{"conferences", "remove", "gone"}},
	})
	builtin, _, err := runCmd(t, "", "sessions")
	if err != nil {
		t.Fatal(err)
	}
	tiny := []string{
		"ID | DAY | TIME | ROOM | TRACK | TITLE",
		tinyOpening + " | 2030-03-29 | 10:00–10:45 | Hall A | Main | Opening",
		tinyCalendars + " | 2030-03-29 | 10:00–10:30 | Hall B | Side | Calendars",
		"9b7d2a10-0001-4c2a-9e8f-000000000002 | 2030-03-29 | 11:00–12:00 | Hall A | Main | Small Servers",
		"9b7d2a10-0001-4c2a-9e8f-000000000004 | 2030-03-30 | 14:00–14:40 | Hall A | Main | Closing",
	}
	for _, tt := range []struct {
		name string
		env  string // CONFCAL_CONFERENCE
		step step
	}{
		{name: "flag", step: step{args: []string{"sessions", "-conference", "tiny", "-data", data}, out: tiny}},
		{name: "env", env: "tiny", step: step{args: []string{"sessions", "-data", data}, out: tiny}},
		{name: "flag over env", env: "nope", step: step{args: []string{"sessions", "-data", data, "-conference", "tiny"}, out: tiny}},
		{name: "unknown", step: step{args: []string{"sessions", "-data", data, "-conference", "nope"}, code: 1,
			err: `sessions: no conference "nope" in the store in ` + filepath.Join(data, "confcal.db") + " (see confcal conferences list)", exact: true}},
		{name: "unknown from env", env: "nope", step: step{args: []string{"export", "-data", data}, code: 1,
			err: `export: no conference "nope" in the store in `}},
		{name: "removed", step: step{args: []string{"export", "-data", data, "-conference", "gone"}, code: 1,
			err: "export: conference gone is removed: confcal conferences restore gone serves it again", exact: true}},
		{name: "no store", step: step{args: []string{"sessions", "-data", filepath.Join(dir, "none"), "-conference", "tiny"}, code: 1,
			err: `sessions: no conference "tiny": ` + filepath.Join(dir, "none") + " holds no store"}},
		{name: "not a slug", step: step{args: []string{"sessions", "-data", data, "-conference", "Tiny Con"}, code: 2,
			err: `sessions: -conference "Tiny Con" is not a conference's slug`}},
		{name: "with -agenda", step: step{args: []string{"export", "-data", data, "-conference", "tiny", "-agenda", schedule}, code: 2,
			err: "export: -conference tiny and -agenda " + schedule + ": the file is the agenda then; give one of them", exact: true}},
		{name: "env with -agenda", env: "tiny", step: step{args: []string{"sessions", "-agenda", schedule}, code: 2,
			err: "sessions: -conference tiny (from CONFCAL_CONFERENCE) and -agenda " + schedule + ":"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CONFCAL_CONFERENCE", tt.env)
			runSteps(t, nil, []step{tt.step})
		})
	}

	// Without -conference (or naming the default one) they show the
	// default conference, as before.
	for _, args := range [][]string{{"-data", data}, {"-data", data, "-conference", "flink-forward-berlin-2019"}} {
		out, _, err := runCmd(t, "", append([]string{"sessions"}, args...)...)
		if err != nil || out != builtin {
			t.Errorf("sessions %q: error %v, the default conference's table: %v", args, err, out == builtin)
		}
	}
}

// An export of a conference is what a server on the same store and base
// URL serves for it, byte for byte: the default conference's at the root
// (and under its slug), any other's under /SLUG, with links there.
func TestExportIsWhatTheServerServes(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	runSteps(t, []string{"-data", data}, []step{
		{args: []string{"rooms"}},
		{args: []string{"conferences", "add", "tiny", schedule}},
	})
	const base = "https://cal.example.org"
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", data, "-base-url", base)
	for _, tt := range []struct {
		path string
		args []string
	}{
		{"/feeds/all.ics", nil},
		{"/schedule.xml", []string{"-format", "schedule-xml"}},
		{"/flink-forward-berlin-2019/feeds/all.ics", []string{"-conference", "flink-forward-berlin-2019"}},
		{"/tiny/feeds/all.ics", []string{"-conference", "tiny"}},
		{"/tiny/feeds/all.ics", []string{"-conference", "tiny", "-base-url", base + "/"}},
		{"/tiny/feeds/custom.ics?sessions=" + tinyCalendars, []string{"-conference", "tiny", "-session", tinyCalendars}},
		{"/tiny/schedule.xml", []string{"-conference", "tiny", "-format", "schedule-xml"}},
		{"/tiny/schedule.json", []string{"-conference", "tiny", "-format", "schedule-json"}},
	} {
		served := fetch(t, "http://"+addr+tt.path)
		if served.status != 200 {
			t.Fatalf("GET %s: status %d", tt.path, served.status)
		}
		args := append([]string{"export", "-data", data, "-base-url", base}, tt.args...)
		out, _, err := runCmd(t, "", args...)
		if err != nil {
			t.Errorf("%q: %v", args, err)
			continue
		}
		if out != string(served.body) {
			t.Errorf("%q differs from GET %s:\n%.400s\nserved:\n%.400s", args, tt.path, out, served.body)
		}
	}
	out, _, err := runCmd(t, "", "export", "-data", data, "-base-url", base, "-conference", "tiny", "-session", tinyCalendars)
	if err != nil {
		t.Fatal(err)
	}
	if want := "URL:" + base + "/tiny/sessions/" + tinyCalendars; !strings.Contains(unfold(out), want) {
		t.Errorf("export of tiny's session does not link %s:\n%s", want, out)
	}
}

// unfold joins an iCalendar's folded lines.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// TestSessionsAndExportStoreUnreachable: a store sessions or export cannot
// open is reported under the command's name, as every other failure of
// theirs.
func TestSessionsAndExportStoreUnreachable(t *testing.T) {
	for _, cmd := range []string{"sessions", "export"} {
		_, _, err := runCmd(t, "", cmd, "-store", "postgres://confcal@127.0.0.1:1/none?connect_timeout=2")
		if err == nil || !strings.HasPrefix(err.Error(), cmd+": postgres: ") {
			t.Errorf("confcal %s on a store it cannot reach: %v, want an error starting %q", cmd, err, cmd+": postgres: ")
		}
	}
}

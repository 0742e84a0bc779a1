package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/api"
	"confcal/sqlite"
)

// TestMain keeps every test's server store out of the source tree: serve
// without -data would create ./confcal-data in this directory. It also
// clears the variables the organizer commands read.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "confcal-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("CONFCAL_DATA", filepath.Join(dir, "data"))
	for _, v := range []string{"CONFCAL_ADMIN_TOKEN", "CONFCAL_ADMIN_TOKEN_FILE", "CONFCAL_SERVER", "CONFCAL_CONFERENCE"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// step is one organizer command and what it must print.
type step struct {
	args []string
	code int      // exit code
	out  []string // stdout lines, exactly (nil: not checked)
	err  string   // a part of the error message, when code != 0
	// exact says err is the whole message.
	exact bool
}

// statusText matches an HTTP status in a message, "(409 Conflict)" or
// "(422": the commands say what went wrong, on a local store and through a
// server alike, never how the server answered.
var statusText = regexp.MustCompile(`\(\d{3}\b`)

func runSteps(t *testing.T, extra []string, steps []step) {
	t.Helper()
	for _, st := range steps {
		args := append(append([]string{}, st.args...), extra...)
		out, _, err := runCmd(t, "", args...)
		if code := exitCode(err); code != st.code {
			t.Fatalf("confcal %q: exit code %d (%v), want %d\nstdout: %s", st.args, code, err, st.code, out)
		}
		if st.err != "" && (err == nil || !strings.Contains(err.Error(), st.err)) {
			t.Errorf("confcal %q: error %v, want it to say %q", st.args, err, st.err)
		}
		if st.exact && err != nil && err.Error() != st.err {
			t.Errorf("confcal %q: error %q, want exactly %q", st.args, err, st.err)
		}
		if err != nil && statusText.MatchString(err.Error()) {
			t.Errorf("confcal %q: error %q carries an HTTP status", st.args, err)
		}
		if st.out != nil {
			// Table columns are padded to their widest cell: compare them
			// as cells, " | " between.
			got := strings.Split(rowSep.ReplaceAllString(strings.TrimSuffix(out, "\n"), " | "), "\n")
			if out == "" {
				got = nil
			}
			if strings.Join(got, "\n") != strings.Join(st.out, "\n") {
				t.Errorf("confcal %q printed\n%s\nwant\n%s", st.args, strings.Join(got, "\n"), strings.Join(st.out, "\n"))
			}
		}
	}
}

// organizerSteps work on the built-in agenda at revision 1 and leave it at
// revision 7.
var organizerSteps = []step{
	{args: []string{"move", "flinks-new-batch-architecture", "-room", "room-5", "-start", "2019-10-08T16:30"}, code: 1,
		err: `move: session "flinks-new-batch-architecture" would overlap "deploying-stateful-functions-as-a-service-faas-on-streaming-dataflows" (16:00 – 16:40) in room "room-5" (run again with -force to allow it)`, exact: true},
	{args: []string{"move", "flinks-new-batch-architecture", "-room", "room-5", "-start", "2019-10-08T18:00"},
		out: []string{"revision 2: Flink’s New Batch Architecture moved from Room 1 to Room 5, Oct 8 16:00 → 18:00"}},
	{args: []string{"move", "-end", "2019-10-08T19:00", "flinks-new-batch-architecture"},
		out: []string{"revision 3: Flink’s New Batch Architecture rescheduled, Oct 8 18:00–18:40 → 18:00–19:00"}},
	{args: []string{"move", "flinks-new-batch-architecture", "-room", "room-5"},
		out: []string{"nothing changed: flinks-new-batch-architecture is already like that"}},
	{args: []string{"move", "flinks-new-batch-architecture"}, code: 2, err: "-room, -start or -end"},
	{args: []string{"move"}, code: 2, err: "want a session ID"},
	{args: []string{"move", "a", "b", "-room", "room-1"}, code: 2, err: "got 2 argument(s)"},
	{args: []string{"move", "nope", "-room", "room-1"}, code: 1, err: `move: no session "nope"`, exact: true},
	// A malformed flag value is a mistake on the command line: exit 2.
	{args: []string{"move", "flinks-new-batch-architecture", "-start", "tomorrow"}, code: 2, err: `move: -start "tomorrow" is not a time`},
	{args: []string{"move", "flinks-new-batch-architecture", "-start", "25:00"}, code: 2, err: `-start "25:00" is not a time`},
	{args: []string{"move", "flinks-new-batch-architecture", "-start", "2019-10-08T25:00"}, code: 2, err: `-start "2019-10-08T25:00" is not a time`},
	{args: []string{"move", "flinks-new-batch-architecture", "-end", "2019-10-08T18:40:30"}, code: 2, err: "-end \"2019-10-08T18:40:30\" has seconds; session times are whole minutes"},
	{args: []string{"move", "flinks-new-batch-architecture", "-room", "Room 5"}, code: 2, err: `-room "Room 5" is not a room ID`},
	{args: []string{"changes", "-since", "-1"}, code: 2, err: "-since -1: want a revision number"},
	{args: []string{"move", "flinks-new-batch-architecture", "-start", "2019-10-10T10:00"}, code: 1, err: "outside the conference days"},
	{args: []string{"move", "flinks-new-batch-architecture", "-room", "kesselhaus"}, code: 1, err: `move: session "flinks-new-batch-architecture": unknown room "kesselhaus"`, exact: true},
	{args: []string{"cancel", "flinks-new-batch-architecture"},
		out: []string{"revision 4: Flink’s New Batch Architecture cancelled (Oct 8 18:00–19:00, Room 5)"}},
	{args: []string{"cancel", "flinks-new-batch-architecture"},
		out: []string{"nothing changed: flinks-new-batch-architecture is already like that"}},
	{args: []string{"restore", "flinks-new-batch-architecture"},
		out: []string{"revision 5: Flink’s New Batch Architecture restored (Oct 8 18:00–19:00, Room 5)"}},
	{args: []string{"rename", "flinks-new-batch-architecture", "Flink’s Newer Batch Architecture"},
		out: []string{"revision 6: Flink’s New Batch Architecture renamed to Flink’s Newer Batch Architecture"}},
	{args: []string{"rename", "flinks-new-batch-architecture"}, code: 2, err: "want a session ID and a title"},
	{args: []string{"rename", "flinks-new-batch-architecture", " "}, code: 1, err: "title"},
	{args: []string{"rooms", "rename", "room-2", "Kesselhaus"},
		out: []string{"revision 7: Room 2 renamed to Kesselhaus"}},
	{args: []string{"rooms", "rename", "room-9", "Kesselhaus"}, code: 1, err: `no room "room-9"`},
	{args: []string{"rooms", "add", "room-2", "Again"}, code: 1, err: "already exists"},
	{args: []string{"rooms"}, out: []string{
		"ID | NAME | SESSIONS",
		"room-1 | Room 1 | 27",
		"room-2 | Kesselhaus | 19",
		"room-3 | Room 3 | 19",
		"room-4 | Room 4 | 19",
		"room-5 | Room 5 | 9",
	}},
	{args: []string{"rooms", "frobnicate"}, code: 2, err: `rooms: unknown subcommand "frobnicate": want list, rename, add`},
	{args: []string{"changes", "-since", "5"}, out: []string{
		"REV | TIME (UTC) | WHO | CHANGE",
		"6 | $TIME | $WHO | Flink’s New Batch Architecture renamed to Flink’s Newer Batch Architecture",
		"7 | $TIME | $WHO | Room 2 renamed to Kesselhaus",
		"(at revision 7)",
	}},
	{args: []string{"changes", "-since", "7"}, out: []string{"no changes after revision 7 (at revision 7)"}},
	{args: []string{"changes", "-since", "8"}, code: 1, err: "newer than the current revision 7"},
}

// expand fills the placeholders of the change table in steps: $WHO, the
// author, and $TIME, when the line's revision was made (timeOf).
func expand(steps []step, who string, timeOf map[string]string) []step {
	out := make([]step, len(steps))
	for i, st := range steps {
		out[i] = st
		if st.out == nil || st.args[0] != "changes" {
			continue
		}
		out[i].out = nil
		for _, l := range st.out {
			rev, _, _ := strings.Cut(l, " ")
			l = strings.ReplaceAll(strings.ReplaceAll(l, "$WHO", who), "$TIME", timeOf[rev])
			out[i].out = append(out[i].out, l)
		}
	}
	return out
}

func TestOrganizerCommandsLocal(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	// The change table's time column says when the changes were made; fill
	// it in from the store after the fact.
	steps := organizerSteps[:len(organizerSteps)-3]
	runSteps(t, []string{"-data", data, "-who", "alice"}, steps)

	store, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := store.Load(context.Background())
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	if snap.Revision() != 7 {
		t.Fatalf("stored revision %d, want 7", snap.Revision())
	}
	x, _ := snap.Session("flinks-new-batch-architecture")
	if x.Room != "room-5" || x.Title != "Flink’s Newer Batch Architecture" || x.Status != agenda.StatusConfirmed || x.Sequence != 5 {
		t.Errorf("stored session = %+v, want room-5, retitled, confirmed, sequence 5", x)
	}
	for _, c := range snap.Log() {
		if c.Who != "cli:alice" {
			t.Errorf("change %+v: want who cli:alice", c)
		}
	}
	timeOf := map[string]string{}
	for _, c := range snap.Log() {
		timeOf[fmt.Sprint(c.Revision)] = c.Time.UTC().Format("2006-01-02 15:04")
	}
	runSteps(t, []string{"-data", data, "-who", "alice"}, expand(organizerSteps[len(organizerSteps)-3:], "cli:alice", timeOf))
}

// The same commands against a running server, through its API.
func TestOrganizerCommandsRemote(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "remote-token")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"))
	server := "http://" + addr
	remote := []string{"-server", server, "-who", "bob"}

	// Changes are visible in the feeds when the command returns.
	feed := func() string {
		resp := get(t, server+"/feeds/sessions/flinks-new-batch-architecture.ics")
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	steps := organizerSteps[:len(organizerSteps)-3]
	runSteps(t, remote, steps[:2])
	cal := decode(t, []byte(feed()))
	ev := cal.Events()[0]
	if p := ev.Props.Get("SEQUENCE"); p == nil || p.Value != "1" {
		t.Errorf("SEQUENCE after the move = %v, want 1", p)
	}
	runSteps(t, remote, steps[2:])
	if !strings.Contains(feed(), "SUMMARY:Flink’s Newer Batch Architecture") {
		t.Errorf("the session feed lacks the new title:\n%s", feed())
	}

	// The author and times come from the server's change log.
	var list api.ChangeList
	if err := json.NewDecoder(get(t, server+"/api/changes").Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	timeOf := map[string]string{}
	for _, c := range list.Changes {
		timeOf[fmt.Sprint(c.Revision)] = strings.Replace(c.Time[:16], "T", " ", 1)
	}
	runSteps(t, remote, expand(organizerSteps[len(organizerSteps)-3:], "api:bob", timeOf))
}

func TestOrganizerAuth(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-token")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"))
	server := "http://" + addr
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("the-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongFile := filepath.Join(t.TempDir(), "wrong")
	if err := os.WriteFile(wrongFile, []byte("guess"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(emptyFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cancel := func(extra ...string) []string {
		return append([]string{"cancel", "apache-flink-developer-training-2", "-server", server}, extra...)
	}
	t.Setenv("CONFCAL_ADMIN_TOKEN", "")
	runSteps(t, nil, []step{
		{args: cancel(), code: 1, err: "cancel: this needs the admin token or an organizer token of this conference: send Authorization: Bearer <token> (set CONFCAL_ADMIN_TOKEN or -admin-token-file)", exact: true},
		{args: cancel("-admin-token-file", wrongFile), code: 1, err: "cancel: wrong token: neither the admin token nor an organizer token", exact: true},
		{args: cancel("-admin-token-file", emptyFile), code: 1, err: "is empty"},
		{args: cancel("-admin-token-file", filepath.Join(t.TempDir(), "missing")), code: 1, err: "admin token"},
		{args: []string{"changes", "-server", server}, out: []string{"no changes after revision 1 (at revision 1)"}},
		{args: []string{"rename", "apache-flink-developer-training-1", "Dev Training", "-server", server, "-admin-token-file", tokenFile},
			out: []string{"revision 2: Apache Flink Developer Training renamed to Dev Training"}},
		{args: []string{"changes", "-server", "localhost:1"}, code: 2, err: "not an http(s) URL"},
	})

	// A server without a token refuses writes and says how to enable them.
	addr, _, _, _ = startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"))
	runSteps(t, nil, []step{
		{args: []string{"cancel", "apache-flink-developer-training-2", "-server", "http://" + addr, "-admin-token-file", tokenFile}, code: 1,
			err: "writes with the admin token are disabled: start the server with CONFCAL_ADMIN_TOKEN set or with -admin-token-file"},
	})
}

// smallAgenda and editedAgenda are agenda files in the seed format: in the
// edit, Talk A starts half an hour later, Talk B is retitled in its slot,
// Talk E is gone and Talk F is new.
var (
	smallAgenda = strings.Join([]string{
		"Agenda",
		"Talk A",
		"October 8: 9:00am - 10:30am1h 30minUse CaseAbstract A.",
		"Use Case",
		"Talk ATalk B",
		"Talk B",
		"October 8: 11:00 am - 11:40 am 40minKeynoteAbstract B.",
		"Keynote",
		"Talk BTalk E",
		"Talk E",
		"October 9: 9:00 am - 9:30 am30minUse CaseAbstract E.",
		"Use Case",
	}, "\n")
	editedAgenda = strings.Join([]string{
		"Agenda",
		"Talk A",
		"October 8: 9:30am - 11:00am1h 30minUse CaseAbstract A.",
		"Use Case",
		"Talk ATalk B2",
		"Talk B2",
		"October 8: 11:00 am - 11:40 am 40minKeynoteAbstract B.",
		"Keynote",
		"Talk B2Talk F",
		"Talk F",
		"October 9: 10:00 am - 10:30 am30minUse CaseAbstract F.",
		"Use Case",
	}, "\n")
)

func TestImport(t *testing.T) {
	dir := t.TempDir()
	small, edited, broken := filepath.Join(dir, "small.txt"), filepath.Join(dir, "edited.txt"), filepath.Join(dir, "broken.txt")
	for name, src := range map[string]string{small: smallAgenda, edited: editedAgenda,
		broken: strings.Replace(editedAgenda, "1h 30min", "1h 20min", 1)} {
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changes := []string{
		"revision 2: Talk A rescheduled, Oct 8 09:00 → 09:30",
		"revision 2: Talk B renamed to Talk B2",
		"revision 2: New session: Talk F, Oct 9 10:00–10:30 in Room 1 (Use Case)",
		"revision 2: Talk E cancelled (Oct 9 09:00–09:30, Room 1)",
	}
	data := filepath.Join(dir, "data")
	local := []string{"-data", data, "-agenda", small}
	runSteps(t, local, []step{
		{args: []string{"changes"}, out: []string{"no changes after revision 1 (at revision 1)"}},
		{args: []string{"import", "-dry-run", edited},
			out: append([]string{"dry run, nothing changed; importing " + edited + " would make revision 2:"}, changes...)},
		{args: []string{"changes"}, out: []string{"no changes after revision 1 (at revision 1)"}},
		{args: []string{"import", broken}, code: 1, err: broken + ":3: "},
		{args: []string{"import", filepath.Join(dir, "missing.txt")}, code: 1, err: "missing.txt"},
		{args: []string{"import"}, code: 2, err: "want an agenda file"},
		{args: []string{"import", edited}, out: changes},
		{args: []string{"import", edited}, out: []string{"nothing to change: " + edited + " matches revision 2"}},
		{args: []string{"import", small}, out: []string{
			"revision 3: Talk A rescheduled, Oct 8 09:30 → 09:00",
			"revision 3: Talk B2 renamed to Talk B",
			"revision 3: Talk E restored (Oct 9 09:00–09:30, Room 1)",
			"revision 3: Talk F cancelled (Oct 9 10:00–10:30, Room 1)",
		}},
	})
	// The same over a running server, which then serves the result.
	t.Setenv("CONFCAL_ADMIN_TOKEN", "tok")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data2"), "-agenda", small)
	runSteps(t, []string{"-server", "http://" + addr}, []step{{args: []string{"import", edited}, out: changes}})
	resp := get(t, "http://"+addr+"/feeds/all.ics")
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, ev := range decode(t, b).Events() {
		s, _ := ev.Props.Text("SUMMARY")
		titles = append(titles, s)
	}
	if got := strings.Join(titles, "|"); got != "Talk A|Talk B2|Cancelled: Talk E|Talk F" {
		t.Errorf("all.ics after the import has %s", got)
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		room string
	}{
		{[]string{"id", "-room", "r"}, []string{"id"}, "r"},
		{[]string{"-room", "r", "id"}, []string{"id"}, "r"},
		{[]string{"--room=r", "id"}, []string{"id"}, "r"},
		{[]string{"-room", "r", "--", "-odd-id"}, []string{"-odd-id"}, "r"},
		{[]string{"id", "--", "-room"}, []string{"id", "-room"}, ""},
	}
	for _, tc := range tests {
		fs := newFlagSet("test", "test", io.Discard)
		room := fs.String("room", "", "")
		names := make([]string, len(tc.pos))
		pos, err := parseArgs(fs, tc.args, names...)
		if err != nil || strings.Join(pos, "|") != strings.Join(tc.pos, "|") || *room != tc.room {
			t.Errorf("parseArgs(%q) = %q, room %q, %v; want %q, room %q", tc.args, pos, *room, err, tc.pos, tc.room)
		}
	}
	fs := newFlagSet("test", "test", io.Discard)
	if _, err := parseArgs(fs, []string{"-nope"}); !errors.As(err, new(*usageError)) {
		t.Errorf("unknown flag: %v, want a usage error", err)
	}
}

// TestLocalOrServer: a -data on the command line is where a command acts,
// even with CONFCAL_SERVER set (the variable is only a default); -data and
// -server both given are refused; the variable alone names the server.
func TestLocalOrServer(t *testing.T) {
	t.Setenv("CONFCAL_SERVER", "http://127.0.0.1:1") // nothing listens there
	data := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"rooms", "-data", data}, 0, ""},
		{[]string{"webhooks", "list", "-data", data}, 0, ""},
		{[]string{"conferences", "list", "-data", data}, 0, ""},
		{[]string{"rooms", "-data", data, "-server", "http://127.0.0.1:1"}, 2, "-server and -data (or -store) name two places"},
		{[]string{"conferences", "list", "-data", data, "-server", "http://127.0.0.1:1"}, 2, "-server and -data (or -store) name two places"},
		{[]string{"rooms"}, 1, "127.0.0.1:1"},
		// Cancelling frees a slot: there is no -force to give.
		{[]string{"cancel", "late-talk", "-data", data, "-force"}, 2, "-force"},
	} {
		_, _, err := runCmd(t, "", tc.args...)
		if code := exitCode(err); code != tc.code || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("confcal %q: exit %d (%v), want %d saying %q", tc.args, code, err, tc.code, tc.err)
		}
	}
}

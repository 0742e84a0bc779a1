package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"confcal/agenda"
	"confcal/api"
	"confcal/seeds"
	"confcal/sqlite"
)

// A mistake on the command line exits 2, and neither it nor a file that is
// refused opens or creates a store.
func TestMistakesLeaveNoStore(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bin := write("bad.bin", "\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe")
	notes := write("SOURCE.txt", "Fetched from https://example.org/schedule\non 2025-12-01\n")
	longTitle := write("long.txt", strings.Replace(smallAgenda, "Talk A\nOctober", strings.Repeat("A", agenda.MaxTitleLength+1)+"\nOctober", 1))
	const id = "flinks-new-batch-architecture"
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"move", id, "-start", "25:00"}, 2, `-start "25:00" is not a time`},
		{[]string{"move", id, "-end", "2019-10-08T18:40:00.5"}, 2, "has seconds"},
		{[]string{"move", id}, 2, "say where to"},
		{[]string{"move", id, "-room", "room-2", "-who", "eve\x1b[2J"}, 2, "-who"},
		{[]string{"changes", "-since", "-3"}, 2, "-since -3"},
		{[]string{"import", bin}, 1, bin + ":1: expected UTF-8 text"},
		{[]string{"import", notes}, 1, notes + ": not schedule.xml, schedule.json, the Sessionize All view, iCalendar or a CSV"},
		{[]string{"conferences", "add", "notes", notes}, 1, notes + ":2: no session line"},
		{[]string{"import", longTitle}, 1, longTitle + ":2: title is 301 characters long, longer than the limit of 300"},
		{[]string{"import", filepath.Join(dir, "missing.txt")}, 1, "missing.txt"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			data := filepath.Join(dir, "new-store")
			_, _, err := runCmd(t, "", append(tc.args, "-data", data)...)
			if code := exitCode(err); code != tc.code {
				t.Errorf("exit code %d (%v), want %d", code, err, tc.code)
			}
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want it to say %q", err, tc.says)
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the command left %s behind (%v)", data, err)
			}
		})
	}
}

// serve, sessions and export refuse an agenda file whose text is over a
// limit, naming the file and line.
func TestAgendaFileOverLimit(t *testing.T) {
	file := filepath.Join(t.TempDir(), "agenda.txt")
	src := strings.Replace(smallAgenda, "Abstract B.", "Abstract B."+strings.Repeat(" More.", agenda.MaxAbstractLength/6), 1)
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// serve reads the file before it serves: one that accepted the file
	// would serve on until the deadline and then return nil.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, cmd := range [][]string{{"serve", "-addr", "127.0.0.1:0"}, {"sessions"}, {"export"}} {
		args := append(cmd, "-agenda", file, "-data", filepath.Join(t.TempDir(), "data"))
		err := run(ctx, args, strings.NewReader(""), io.Discard, io.Discard)
		var perr *seeds.Error
		if !errors.As(err, &perr) || perr.File != file || perr.Line != 7 || !strings.Contains(perr.Msg, "abstract is 20009 characters long, longer than the limit of 20000") {
			t.Errorf("%s -agenda: %v, want %s:7: abstract over the limit", cmd[0], err, file)
		}
	}
}

// An import of a large agenda file into the local store goes through: the
// file never passes the API's body limit.
func TestLargeLocalImport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "big.txt")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := writeGen(w, 3000, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(file); st.Size() <= 1<<20 {
		t.Fatalf("generated file of %d bytes, want more than the API's 1 MiB body limit", st.Size())
	}
	data := filepath.Join(dir, "data")
	// The file replaces the built-in agenda, whose every session it
	// cancels: refused without -force, the store left as it was.
	out, _, err := runCmd(t, "", "import", file, "-data", data, "-who", "alice")
	if want := "the new version would cancel 93 of 93 sessions; if that is meant, import it with -force"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("import of 3000 sessions without -force: %v, want it refused saying %q", err, want)
	}
	if out != "" {
		t.Errorf("refused import printed %q", out)
	}
	out, _, err = runCmd(t, "", "import", file, "-data", data, "-who", "alice", "-force")
	if err != nil {
		t.Fatalf("import of 3000 sessions: %v", err)
	}
	if n := strings.Count(out, "revision 2: New session: "); n != 3000 {
		t.Errorf("import printed %d new sessions, want 3000", n)
	}

	store, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	snap, err := store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	confirmed := 0
	for _, x := range snap.Sessions() {
		if x.Status == agenda.StatusConfirmed {
			confirmed++
		}
	}
	if snap.Revision() != 2 || confirmed != 3000 {
		t.Errorf("stored revision %d with %d confirmed sessions, want revision 2 with the file's 3000", snap.Revision(), confirmed)
	}
	if log := snap.Log(); len(log) == 0 || log[0].Who != "cli:alice" {
		t.Errorf("change log starts %+v, want changes by cli:alice", log[:min(1, len(log))])
	}

	out, _, err = runCmd(t, "", "import", file, "-data", data, "-dry-run")
	if err != nil || out != "nothing to change: "+file+" matches revision 2\n" {
		t.Errorf("importing again: %q, %v; want nothing to change", out, err)
	}
}

// noControls fails when out holds a control character other than a line
// feed: what a terminal would obey.
func noControls(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		if unicode.IsControl(r) && r != '\n' {
			t.Errorf("%s printed the control character %U at byte %d:\n%q", what, r, i, out)
			return
		}
	}
}

// Text from a store made before the agenda refused control characters is
// printed with them escaped by every command that shows it.
func TestCommandsEscapeControlCharacters(t *testing.T) {
	c, err := seeds.Parse("small.txt", []byte(smallAgenda), seeds.FlinkForwardBerlin2019Conference())
	if err != nil {
		t.Fatal(err)
	}
	const title = "Talk A\x1b]0;owned\x07\x1b[2J"
	c.Sessions[0].Title = title
	c.Rooms[0].Name = "Room\u009b1"
	c.Tracks[0].Name = "Use\tCase"
	old, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	store, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Save(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	store.Close()
	edited := filepath.Join(t.TempDir(), "edited.txt")
	if err := os.WriteFile(edited, []byte(editedAgenda), 0o644); err != nil {
		t.Fatal(err)
	}

	const escaped = `Talk A\x1b]0;owned\a\x1b[2J`
	for _, tc := range []struct {
		args []string
		says []string
	}{
		{[]string{"sessions"}, []string{escaped, `Room\u009b1`, `Use\tCase`}},
		{[]string{"rooms"}, []string{`Room\u009b1`}},
		{[]string{"move", "talk-a", "-start", "2019-10-08T09:10"}, []string{"revision 2: " + escaped + " rescheduled, Oct 8 09:00 → 09:10"}},
		{[]string{"changes"}, []string{escaped + " rescheduled"}},
		{[]string{"import", edited}, []string{"revision 3: " + escaped + " renamed to Talk A; rescheduled", `in Room\u009b1 (Use\tCase)`}},
	} {
		out, _, err := runCmd(t, "", append(tc.args, "-data", data)...)
		if err != nil {
			t.Fatalf("%s: %v", tc.args[0], err)
		}
		noControls(t, tc.args[0], out)
		for _, s := range tc.says {
			if !strings.Contains(out, s) {
				t.Errorf("%s printed\n%s\nwant it to show %s", tc.args[0], out, s)
			}
		}
	}
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Kesselhaus – Raum 2 ✓", "Kesselhaus – Raum 2 ✓"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"a\tb\nc\rd\x00", `a\tb\nc\rd\x00`},
		{"\u009b\u0085\x7f", `\u009b\u0085\x7f`},
		{"bad \xff\xfe byte", `bad \xff\xfe byte`},
		{"\ufffd kept", "\ufffd kept"},
	} {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := printableLines("one\x1b\ntwo"); got != "one\\x1b\ntwo" {
		t.Errorf("printableLines = %q, want the line feed kept", got)
	}
}

// Through the whole server (web's routes, the API mounted under /api, the
// SQLite store): a huge room name and a session shorter than a minute are
// refused, and what subscribers get stays as it was.
func TestServerRefusesHugeTextAndInstantSessions(t *testing.T) {
	s := newStack(t, filepath.Join(t.TempDir(), "data"))
	_, page := s.do("GET", "/", "")
	_, feed := s.do("GET", "/feeds/all.ics", "")
	write := func(method, path, body string) (int, string) {
		resp, b := s.do(method, path, body, "Authorization", "Bearer "+token, "Content-Type", "application/json")
		var e struct{ Error string }
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("%s %s: %d with a body that is not a JSON error: %v", method, path, resp.StatusCode, err)
		}
		return resp.StatusCode, e.Error
	}
	for _, tc := range []struct {
		method, path, body string
		status             int
		says               string
	}{
		{"POST", "/api/rooms", `{"id": "room-9", "name": "` + strings.Repeat("x", 900_000) + `"}`, 422, "room name is 900000 characters long, longer than the limit of 100"},
		{"PATCH", "/api/rooms/room-1", `{"name": "` + strings.Repeat("x", 900_000) + `"}`, 422, "room name is 900000 characters long"},
		{"POST", "/api/sessions", `{"title": "Blink", "start": "2019-10-09T10:00:00.1", "end": "2019-10-09T10:00:00.9", "room": "room-1", "track": "keynote"}`,
			400, `start: "2019-10-09T10:00:00.1" has seconds`},
		{"PATCH", "/api/sessions/flinks-new-batch-architecture", `{"title": "Flink\u001b[2J"}`, 422, "title holds the control character U+001B"},
	} {
		status, msg := write(tc.method, tc.path, tc.body)
		if status != tc.status || !strings.Contains(msg, tc.says) {
			t.Errorf("%s %s: %d %q, want %d saying %q", tc.method, tc.path, status, msg, tc.status, tc.says)
		}
	}
	if _, after := s.do("GET", "/", ""); !bytes.Equal(after, page) {
		t.Errorf("GET / changed: %d bytes, was %d", len(after), len(page))
	}
	if _, after := s.do("GET", "/feeds/all.ics", ""); !bytes.Equal(after, feed) {
		t.Errorf("all.ics changed: %d bytes, was %d", len(after), len(feed))
	}
	if rev := s.revision(); rev != 1 {
		t.Errorf("revision %d after refused writes, want 1", rev)
	}
}

// A conference's name is bounded in characters, as every other text of
// the agenda: POST /api/conferences takes a name of 200 characters however
// many bytes each takes in UTF-8, and refuses one of 201 naming the limit.
func TestConferenceNameLimitInCharacters(t *testing.T) {
	s := newStack(t, filepath.Join(t.TempDir(), "data"))
	const csv = "id,title,start,end,room,track\nt1,Talk,2030-03-29 10:00,2030-03-29 10:30,Hall A,Main\n"
	add := func(slug, name string) (int, []byte) {
		body, err := json.Marshal(api.NewConference{Slug: slug, Name: name, TimeZone: "Europe/Berlin", Document: csv})
		if err != nil {
			t.Fatal(err)
		}
		resp, b := s.do("POST", "/api/conferences", string(body), "Authorization", "Bearer "+token, "Content-Type", "application/json")
		return resp.StatusCode, b
	}
	longest := strings.Repeat("€", agenda.MaxConferenceNameLength) // 3 bytes each
	if status, b := add("euro", longest); status != http.StatusCreated {
		t.Fatalf("POST /api/conferences with a name of %d characters (%d bytes): %d %s, want 201", agenda.MaxConferenceNameLength, len(longest), status, b)
	}
	if _, feed := s.do("GET", "/euro/feeds/all.ics", ""); !bytes.Contains(feed, []byte("€€€€")) {
		t.Errorf("/euro/feeds/all.ics does not carry the name:\n%.300s", feed)
	}
	status, b := add("euro-2", longest+"€")
	if want := "conference name is 201 characters long, longer than the limit of 200"; status != http.StatusUnprocessableEntity || !bytes.Contains(b, []byte(want)) {
		t.Errorf("POST /api/conferences with a name of 201 characters: %d %s, want 422 saying %q", status, b, want)
	}
}

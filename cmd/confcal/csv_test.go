package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/api"
	"confcal/sqlite"
)

// A conference's programme as a spreadsheet saved as CSV, in three
// versions. From A to B, session 2 moves from 10:00 to 14:00, session 3
// is gone (cancelled), session 5 is new, and a row without an id (which
// could not be followed from one import to the next) is skipped. C keeps
// only the opening: it would cancel three of four sessions.
const (
	csvA = `id,title,start,end,room,track,abstract
1,Opening,2024-06-10 09:00,2024-06-10 09:30,Main Hall,Keynote,Welcome.
2,Streams in Practice,2024-06-10 10:00,2024-06-10 10:45,Main Hall,Talks,About streams.
3,State at Scale,2024-06-10 11:00,2024-06-10 11:45,Room B,Talks,About state.
4,Closing,2024-06-10 17:00,2024-06-10 17:30,Main Hall,Keynote,Goodbye.
`
	csvB = `id,title,start,end,room,track,abstract
1,Opening,2024-06-10 09:00,2024-06-10 09:30,Main Hall,Keynote,Welcome.
2,Streams in Practice,2024-06-10 14:00,2024-06-10 14:45,Main Hall,Talks,About streams.
,Lightning Talks,2024-06-10 12:00,2024-06-10 12:30,Room B,Talks,No id yet.
4,Closing,2024-06-10 17:00,2024-06-10 17:30,Main Hall,Keynote,Goodbye.
5,Tables and Joins,2024-06-10 15:00,2024-06-10 15:45,Room B,Talks,About joins.
`
	csvC = `id,title,start,end,room,track,abstract
1,Opening,2024-06-10 09:00,2024-06-10 09:30,Main Hall,Keynote,Welcome.
`
)

// writeCSV writes the versions of the programme, each as program.csv in a
// directory of its own (the conference is named after the file).
func writeCSV(t *testing.T) (a, b, c string) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, v := range []struct{ name, src string }{{"a", csvA}, {"b", csvB}, {"c", csvC}} {
		p := filepath.Join(dir, v.name, "program.csv")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v.src), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths[0], paths[1], paths[2]
}

// csvSteps import the versions of the programme into an agenda that
// started as version A; they print the same on a local store and through
// a server.
func csvSteps(a, b, c string) []step {
	skipped := "skipped or repaired: " + b + ":4: no id (the file has an id column, and a session without one could not be followed from one import to the next): skipped"
	changes := []string{
		"revision 2: Streams in Practice rescheduled, Jun 10 10:00 → 14:00",
		"revision 2: New session: Tables and Joins, Jun 10 15:00–15:45 in Room B (Talks)",
		"revision 2: State at Scale cancelled (Jun 10 11:00–11:45, Room B)",
	}
	tz := []string{"-time-zone", "Europe/Berlin"}
	with := func(args ...string) []string { return append(args, tz...) }
	return []step{
		{args: with("changes"), out: []string{"no changes after revision 1 (at revision 1)"}},
		// A CSV names no time zone: without -time-zone it cannot be read.
		{args: []string{"import", b}, code: 1,
			err: "import: " + b + " names no time zone: give the conference's with -time-zone (e.g. -time-zone Europe/Brussels)", exact: true},
		{args: []string{"import", b, "-format", "xlsx"}, code: 2, err: `-format: unknown format "xlsx" (want one of `},
		{args: with("import", "-dry-run", b), out: append([]string{skipped,
			"dry run, nothing changed; importing " + b + " would make revision 2:"}, changes...)},
		{args: with("changes"), out: []string{"no changes after revision 1 (at revision 1)"}},
		{args: with("import", b, "-format", "csv"), out: append([]string{skipped}, changes...)},
		{args: with("import", b), out: []string{skipped, "nothing to change: " + b + " matches revision 2"}},
		// C would cancel three of the four sessions confirmed in B.
		{args: with("import", c), code: 1,
			err: "import: " + c + ": the new version would cancel 3 of 4 sessions; if that is meant, import it with -force", exact: true},
		{args: with("import", c, "-dry-run"), code: 1, err: "would cancel 3 of 4 sessions"},
		{args: with("changes", "-since", "1"), out: []string{
			"REV | TIME (UTC) | WHO | CHANGE",
			"2 | $TIME | $WHO | Streams in Practice rescheduled, Jun 10 10:00 → 14:00",
			"2 | $TIME | $WHO | New session: Tables and Joins, Jun 10 15:00–15:45 in Room B (Talks)",
			"2 | $TIME | $WHO | State at Scale cancelled (Jun 10 11:00–11:45, Room B)",
			"(at revision 2)",
		}},
		{args: with("import", c, "-force"), out: []string{
			"revision 3: Streams in Practice cancelled (Jun 10 14:00–14:45, Main Hall)",
			"revision 3: Tables and Joins cancelled (Jun 10 15:00–15:45, Room B)",
			"revision 3: Closing cancelled (Jun 10 17:00–17:30, Main Hall)",
		}},
		{args: with("import", a), out: []string{
			"revision 4: Streams in Practice rescheduled, Jun 10 14:00 → 10:00; restored (Jun 10 10:00–10:45, Main Hall)",
			"revision 4: State at Scale restored (Jun 10 11:00–11:45, Room B)",
			"revision 4: Closing restored (Jun 10 17:00–17:30, Main Hall)",
		}},
	}
}

// readBody reads a response's body.
func readBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runCSVSteps runs csvSteps with extra arguments; who is the author the
// change table shows, and timeOf says when each revision was made (asked
// once the steps before the change table have made them).
func runCSVSteps(t *testing.T, steps []step, extra []string, who string, timeOf func() map[string]string) {
	t.Helper()
	i := slices.IndexFunc(steps, func(st step) bool { return slices.Contains(st.args, "-since") })
	runSteps(t, extra, steps[:i])
	runSteps(t, extra, expand(steps[i:], who, timeOf()))
}

// `confcal import` of a CSV file, on a local store that started from the
// file's first version: what was skipped, the differences, -dry-run, the
// refusal of a version cancelling most sessions unless -force, the time
// zone a CSV needs; then the same through a server, which prints the same.
func TestImportCSV(t *testing.T) {
	a, b, c := writeCSV(t)
	dir := t.TempDir()

	// A command that cannot read the file leaves no store behind.
	data := filepath.Join(dir, "data")
	for _, args := range [][]string{{"import", b, "-data", data}, {"import", b, "-data", data, "-format", "xlsx", "-time-zone", "Europe/Berlin"}} {
		if _, _, err := runCmd(t, "", args...); err == nil {
			t.Fatalf("confcal %q succeeded", args)
		}
		if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("confcal %q left %s behind (%v)", args, data, err)
		}
	}

	steps := csvSteps(a, b, c)
	local := []string{"-data", data, "-agenda", a, "-who", "alice"}
	runCSVSteps(t, steps, local, "cli:alice", func() map[string]string {
		store, err := sqlite.Open(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		snap, err := store.Load(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		timeOf := map[string]string{}
		for _, c := range snap.Log() {
			timeOf[fmt.Sprint(c.Revision)] = c.Time.UTC().Format("2006-01-02 15:04")
		}
		return timeOf
	})

	out, _, err := runCmd(t, "", "sessions", "-data", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ID | DAY | TIME | ROOM | TRACK | TITLE",
		"1 | 2024-06-10 | 09:00–09:30 | Main Hall | Keynote | Opening",
		"2 | 2024-06-10 | 10:00–10:45 | Main Hall | Talks | Streams in Practice",
		"3 | 2024-06-10 | 11:00–11:45 | Room B | Talks | State at Scale",
		"5 | 2024-06-10 | 15:00–15:45 | Room B | Talks | Tables and Joins (cancelled)",
		"4 | 2024-06-10 | 17:00–17:30 | Main Hall | Keynote | Closing",
	}
	if got := rowSep.ReplaceAllString(strings.TrimSuffix(out, "\n"), " | "); got != strings.Join(want, "\n") {
		t.Errorf("sessions after the imports:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	// The same through a server that started from version A.
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("csv-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data2"),
		"-agenda", a, "-time-zone", "Europe/Berlin", "-admin-token-file", tokenFile)
	remote := []string{"-server", "http://" + addr, "-admin-token-file", tokenFile, "-who", "bob"}
	runCSVSteps(t, steps, remote, "api:bob", func() map[string]string {
		var list api.ChangeList
		getJSON(t, "http://"+addr+"/api/changes", &list)
		timeOf := map[string]string{}
		for _, c := range list.Changes {
			timeOf[fmt.Sprint(c.Revision)] = strings.Replace(c.Time[:16], "T", " ", 1)
		}
		return timeOf
	})
}

// csvSource is an organizer's schedule on a web server: the version it
// serves can be switched, or made to fail. It answers a request whose
// If-None-Match names the current version with 304 and counts those.
type csvSource struct {
	mu          sync.Mutex
	body        string
	fail        bool
	notModified int // 304s answered
	failed      int // 500s answered
}

func (s *csvSource) set(body string, fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.fail = body, fail
}

func (s *csvSource) counts() (notModified, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notModified, s.failed
}

func (s *csvSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		s.failed++
		http.Error(w, "the schedule tool is down", http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256([]byte(s.body))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		s.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Write([]byte(s.body))
}

// eventsByID returns the events of a calendar by session ID (the UID's
// part before "@").
func eventsByID(t *testing.T, body []byte) map[string]goical.Event {
	t.Helper()
	out := map[string]goical.Event{}
	for _, ev := range decode(t, body).Events() {
		uid, err := ev.Props.Text(goical.PropUID)
		if err != nil {
			t.Fatal(err)
		}
		id, _, _ := strings.Cut(uid, "@")
		out[id] = ev
	}
	return out
}

// eventually calls check every 50ms until it returns "" or timeout has
// passed, and fails with its last complaint.
func eventually(t *testing.T, timeout time.Duration, check func() string) {
	t.Helper()
	var msg string
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if msg = check(); msg == "" {
			return
		}
	}
	t.Fatalf("after %v: %s", timeout, msg)
}

// `confcal serve -agenda URL -follow` keeps the feeds following a CSV
// schedule on a web server: it asks with If-None-Match and is answered 304
// while nothing changes, publishes a new version's changes as subscribers
// need them (SEQUENCE raised, STATUS:CANCELLED), serves on from the last
// good version while the source fails (ready, saying so), and refuses API
// edits of sessions, which belong to the source.
func TestServeFollowsCSV(t *testing.T) {
	src := &csvSource{}
	src.set(csvA, false)
	ts := httptest.NewServer(src)
	defer ts.Close()
	url := ts.URL + "/program.csv"
	tokenFile := filepath.Join(t.TempDir(), "token")
	const tok = "follow-token"
	if err := os.WriteFile(tokenFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"),
		"-agenda", url, "-time-zone", "Europe/Berlin", "-follow", "200ms", "-admin-token-file", tokenFile)
	base := "http://" + addr
	if !strings.Contains(log.String(), "-follow 200ms polls the source more often than once a minute") {
		t.Errorf("serve -follow 200ms does not warn of polling that often:\n%s", log)
	}

	feed := func() (map[string]goical.Event, string) {
		t.Helper()
		resp := get(t, base+"/feeds/all.ics")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /feeds/all.ics: %d", resp.StatusCode)
		}
		b := readBody(t, resp)
		return eventsByID(t, b), resp.Header.Get("ETag")
	}
	before, etagA := feed()
	if len(before) != 4 {
		t.Fatalf("all.ics of version A has %d events, want 4", len(before))
	}
	if code, body := request(t, "GET", base+"/readyz", ""); code != http.StatusOK || body != "store ok\nsnapshot ok\nsource ok\n" {
		t.Errorf("GET /readyz while the source is fine = %d %q, want 200 with every check ok", code, body)
	}

	// While nothing changes, the source answers conditional requests 304
	// and the feed keeps its ETag.
	eventually(t, 10*time.Second, func() string {
		if n, _ := src.counts(); n < 3 {
			return fmt.Sprintf("the source answered %d conditional requests with 304, want 3 or more", n)
		}
		return ""
	})
	if _, etag := feed(); etag != etagA {
		t.Errorf("all.ics changed its ETag (%s → %s) while the source did not change", etagA, etag)
	}

	src.set(csvB, false)
	var after map[string]goical.Event
	eventually(t, 10*time.Second, func() string {
		after, _ = feed()
		if _, ok := after["5"]; !ok {
			return fmt.Sprintf("all.ics has no event for the session version B adds (%d events)", len(after))
		}
		return ""
	})
	seq := func(ev goical.Event) int {
		n, err := strconv.Atoi(prop(&ev, goical.PropSequence))
		if err != nil {
			t.Fatalf("SEQUENCE %q: %v", prop(&ev, goical.PropSequence), err)
		}
		return n
	}
	moved, old := after["2"], before["2"]
	if start, err := moved.DateTimeStart(nil); err != nil || start.Format("15:04") != "14:00" || seq(moved) <= seq(old) {
		t.Errorf("moved session: DTSTART %v (%v), SEQUENCE %d (was %d); want 14:00, SEQUENCE raised", start, err, seq(moved), seq(old))
	}
	if gone := after["3"]; prop(&gone, goical.PropStatus) != "CANCELLED" || seq(gone) <= seq(before["3"]) {
		t.Errorf("session gone from the source: STATUS %q, SEQUENCE %d; want CANCELLED, raised", prop(&gone, goical.PropStatus), seq(gone))
	}
	if added, _ := after["5"].Props.Text(goical.PropSummary); added != "Tables and Joins" {
		t.Errorf("added session: SUMMARY %q", added)
	}
	if len(after) != 5 {
		t.Errorf("all.ics of version B has %d events, want 5 (the row without an id skipped)", len(after))
	}

	// A failing source: the server serves on, ready, and says so.
	_, etagB := feed()
	src.set(csvB, true)
	eventually(t, 10*time.Second, func() string {
		if _, n := src.counts(); n < 1 {
			return "the source was not asked since it started failing"
		}
		code, body := request(t, "GET", base+"/readyz", "")
		if code != http.StatusOK || !sourceFailed(body, "program") {
			return fmt.Sprintf("GET /readyz while the source fails = %d %q, want 200 saying the source failed", code, body)
		}
		return ""
	})
	if _, etag := feed(); etag != etagB {
		t.Errorf("all.ics changed (%s → %s) while the source failed", etagB, etag)
	}
	if !strings.Contains(log.String(), "following the source failed") {
		t.Errorf("the log does not say the source failed:\n%s", log)
	}

	// Sessions belong to the source: the API refuses to edit them, naming it.
	code, body := request(t, "PATCH", base+"/api/sessions/2", `{"title":"Edited here"}`,
		"Authorization", "Bearer "+tok, "Content-Type", "application/json")
	var e struct{ Error string }
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("PATCH /api/sessions/2: %d %q: %v", code, body, err)
	}
	if code != http.StatusConflict || !strings.Contains(e.Error, "follows "+url) {
		t.Errorf("PATCH /api/sessions/2 while following = %d %q, want 409 naming %s", code, e.Error, url)
	}
	runSteps(t, []string{"-server", base, "-admin-token-file", tokenFile}, []step{
		{args: []string{"cancel", "2"}, code: 1,
			err: "cancel: this agenda follows " + url + ": change its sessions there (rooms may be renamed here)"},
		{args: []string{"rooms", "rename", "room-b", "Room Beta"}, out: []string{"revision 3: Room B renamed to Room Beta"}},
	})
}

// TestAgendaFileProblemsReported: sessions and export -agenda say on
// stderr what the import of the file skipped or repaired, as import does,
// and keep stdout the agenda's alone.
func TestAgendaFileProblemsReported(t *testing.T) {
	_, b, _ := writeCSV(t)
	skipped := "skipped or repaired: " + b + ":4: no id (the file has an id column, and a session without one could not be followed from one import to the next): skipped\n"
	for _, args := range [][]string{
		{"sessions", "-agenda", b, "-time-zone", "Europe/Berlin"},
		{"export", "-agenda", b, "-time-zone", "Europe/Berlin"},
		{"export", "-agenda", b, "-time-zone", "Europe/Berlin", "-format", "csv"},
	} {
		out, errOut, err := runCmd(t, "", args...)
		if err != nil {
			t.Fatalf("confcal %q: %v", args, err)
		}
		if errOut != skipped {
			t.Errorf("confcal %q: stderr %q, want %q", args, errOut, skipped)
		}
		if strings.Contains(out, "skipped") {
			t.Errorf("confcal %q: stdout carries the problems:\n%s", args, out)
		}
	}
}

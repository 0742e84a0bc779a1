package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
	"confcal/seeds"
	"confcal/web"
)

// seed is the built-in agenda, the one every subcommand uses by default.
func seed(t *testing.T) *agenda.Snapshot {
	t.Helper()
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// runCmd runs the command line args and returns stdout, stderr and run's error.
func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"help"}, 0},
		{[]string{"sessions", "-h"}, 0},
		{[]string{"sessions", "-verbose"}, 2},
		{[]string{"sessions", "extra"}, 2},
		{[]string{"export", "-track"}, 2},
		{[]string{"serve", "-addr"}, 2},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-format", "xlsx"}, 2},
		{[]string{"sessions", "-format", "xlsx"}, 2},
		{[]string{"export", "-format", "Seed"}, 2},
		{[]string{"serve", "-addr", "127.0.0.1:0", "-follow", "1s"}, 2},                 // following needs -agenda
		{[]string{"serve", "-addr", "127.0.0.1:0", "-agenda", "-", "-follow", "1s"}, 2}, // standard input is read once
		{[]string{"sessions", "-agenda", filepath.Join(t.TempDir(), "missing.txt")}, 1},
	}
	for _, tt := range tests {
		_, _, err := runCmd(t, "", tt.args...)
		if got := exitCode(err); got != tt.code {
			t.Errorf("confcal %q: exit code %d (%v), want %d", tt.args, got, err, tt.code)
		}
	}
}

// rowSep splits a table row into its columns: tabwriter pads with at
// least two spaces, and only the last column (the title) may hold single
// spaces.
var rowSep = regexp.MustCompile(`  +`)

func TestSessions(t *testing.T) {
	out, _, err := runCmd(t, "", "sessions")
	if err != nil {
		t.Fatalf("confcal sessions: %v", err)
	}
	snap := seed(t)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if got, want := rowSep.Split(lines[0], 6), []string{"ID", "DAY", "TIME", "ROOM", "TRACK", "TITLE"}; !slices.Equal(got, want) {
		t.Errorf("header %q, want %q", got, want)
	}
	sessions := snap.Sessions()
	if len(lines)-1 != len(sessions) {
		t.Fatalf("%d rows, want one per session (%d)", len(lines)-1, len(sessions))
	}
	for i, x := range sessions {
		room, _ := snap.Room(x.Room)
		track, _ := snap.Track(x.Track)
		want := []string{x.ID, snap.Day(x).String(), x.Start.Format("15:04") + "–" + x.End.Format("15:04"), room.Name, track.Name, x.Title}
		if got := rowSep.Split(strings.TrimRight(lines[i+1], " "), 6); !slices.Equal(got, want) {
			t.Errorf("row %d = %q, want %q", i+1, got, want)
		}
	}
}

// TestAgendaFile runs sessions on an agenda file and on stdin: the built-in
// seed written out must read back the same, and a broken file must be
// reported with its name and line.
func TestAgendaFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "agenda.txt")
	if err := os.WriteFile(good, seeds.FlinkForwardBerlin2019(), 0o644); err != nil {
		t.Fatal(err)
	}
	builtin, _, err := runCmd(t, "", "sessions")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, _, err := runCmd(t, "", "sessions", "-agenda", good)
	if err != nil || fromFile != builtin {
		t.Errorf("sessions -agenda %s: error %v, same table as built in: %v", good, err, fromFile == builtin)
	}
	fromStdin, _, err := runCmd(t, string(seeds.FlinkForwardBerlin2019()), "sessions", "-agenda", "-")
	if err != nil || fromStdin != builtin {
		t.Errorf("sessions -agenda -: error %v, same table as built in: %v", err, fromStdin == builtin)
	}
	t.Setenv("CONFCAL_AGENDA", good)
	if fromEnv, _, err := runCmd(t, "", "sessions"); err != nil || fromEnv != builtin {
		t.Errorf("sessions with CONFCAL_AGENDA: error %v, same table as built in: %v", err, fromEnv == builtin)
	}

	// The second line states 50 minutes for a 40-minute slot.
	bad := filepath.Join(dir, "bad.txt")
	src := "A Talk\nOctober 8: 11:00 am - 11:40 am 50minOperationsAbout it.\nOperations\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"sessions", "export", "serve"} {
		args := []string{cmd, "-agenda", bad}
		if cmd == "serve" {
			args = append(args, "-addr", "127.0.0.1:0")
		}
		_, _, err := runCmd(t, "", args...)
		var perr *seeds.Error
		if !errors.As(err, &perr) || perr.File != bad || perr.Line != 2 {
			t.Errorf("%s -agenda %s: error %v, want a seeds.Error naming the file and line 2", cmd, bad, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), bad+":2: ") {
			t.Errorf("%s -agenda %s: message %q does not start with %q", cmd, bad, err, bad+":2: ")
		}
		if code := exitCode(err); code != 1 {
			t.Errorf("%s -agenda %s: exit code %d, want 1", cmd, bad, code)
		}
	}
}

func decode(t *testing.T, b []byte) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decoding calendar: %v", err)
	}
	return cal
}

// eventIDs lists the session IDs of a calendar's events, in order.
func eventIDs(t *testing.T, cal *goical.Calendar, snap *agenda.Snapshot) []string {
	t.Helper()
	var ids []string
	for _, ev := range cal.Events() {
		uid, err := ev.Props.Text(goical.PropUID)
		if err != nil {
			t.Fatal(err)
		}
		id, ok := strings.CutSuffix(uid, "@"+snap.Conference().UIDDomain)
		if !ok {
			t.Fatalf("UID %q lacks the conference's domain", uid)
		}
		ids = append(ids, id)
	}
	return ids
}

func sessionIDs(xs []agenda.Session) []string {
	var ids []string
	for _, x := range xs {
		ids = append(ids, x.ID)
	}
	return ids
}

func TestExport(t *testing.T) {
	snap := seed(t)
	oct8 := agenda.Date{Year: 2019, Month: time.October, Day: 8}
	first, last := snap.SessionIDs()[0], snap.SessionIDs()[len(snap.SessionIDs())-1]
	track := snap.Tracks()[0]
	tests := []struct {
		args []string
		name string
		want []string
	}{
		{nil, "Flink Forward Berlin 2019", snap.SessionIDs()},
		{[]string{"-track", track.ID}, "Flink Forward Berlin 2019 — My agenda", sessionIDs(snap.ByTrack(track.ID))},
		{[]string{"-room", "room-2"}, "Flink Forward Berlin 2019 — My agenda", sessionIDs(snap.ByRoom("room-2"))},
		{[]string{"-day", "2019-10-08"}, "Flink Forward Berlin 2019 — My agenda", sessionIDs(snap.ByDay(oct8))},
		{[]string{"-session", last, "-session", first + "," + last}, "Flink Forward Berlin 2019 — My agenda", []string{first, last}},
	}
	// A reminder for every event of the export.
	out, _, err := runCmd(t, "", "export", "-session", first, "-alarm", "10m")
	if err != nil {
		t.Fatalf("export -alarm: %v", err)
	}
	if evs := decode(t, []byte(out)).Events(); len(evs) != 1 || len(evs[0].Children) != 1 || evs[0].Children[0].Name != "VALARM" ||
		evs[0].Children[0].Props.Get("TRIGGER").Value != "-PT10M" {
		t.Errorf("export -alarm 10m: the event has no VALARM 10 minutes before:\n%s", out)
	}
	for _, tt := range tests {
		out, _, err := runCmd(t, "", append([]string{"export"}, tt.args...)...)
		if err != nil {
			t.Errorf("export %q: %v", tt.args, err)
			continue
		}
		cal := decode(t, []byte(out))
		if name, _ := cal.Props.Text("NAME"); name != tt.name {
			t.Errorf("export %q: NAME %q, want %q", tt.args, name, tt.name)
		}
		if got := eventIDs(t, cal, snap); !slices.Equal(got, tt.want) {
			t.Errorf("export %q: %d events %q, want %d %q", tt.args, len(got), got, len(tt.want), tt.want)
		}
	}

	bad := []struct {
		args []string
		msg  string
	}{
		{[]string{"-track", "workshops"}, `export: unknown track "workshops"`},
		{[]string{"-room", "kesselhaus"}, `export: unknown room "kesselhaus"`},
		{[]string{"-day", "2019-10-10"}, "export: day 2019-10-10 is not a day of Flink Forward Berlin 2019"},
		{[]string{"-day", "Tuesday"}, `export: bad day "Tuesday", want YYYY-MM-DD`},
		{[]string{"-session", first, "-session", "no-such-talk"}, `export: unknown session "no-such-talk"`},
		{[]string{"-alarm", "2d"}, `invalid value "2d" for flag -alarm: bad alarm="2d": want a lead time in whole minutes or hours from 0m to 24h, e.g. alarm=10m or alarm=1h`},
		{[]string{"-format", "csv", "-alarm", "10m"}, "export: -track, -room, -day, -session and -alarm are for the ics export only"},
	}
	for _, tt := range bad {
		out, _, err := runCmd(t, "", append([]string{"export"}, tt.args...)...)
		if err == nil || err.Error() != tt.msg {
			t.Errorf("export %q: error %v, want %q", tt.args, err, tt.msg)
		}
		if code := exitCode(err); code != 2 {
			t.Errorf("export %q: exit code %d, want 2", tt.args, code)
		}
		if out != "" {
			t.Errorf("export %q: wrote %d bytes despite the error", tt.args, len(out))
		}
	}
}

// logSink collects a running server's log and tells when it has logged
// the address it listens on.
type logSink struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	addrc chan string
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			s.addrc <- m[1]
		}
	}
	return len(p), nil
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// startServe runs `confcal serve args…` until the returned cancel is
// called; it returns the address the server listens on and a channel
// delivering run's result.
func startServe(t *testing.T, args ...string) (addr string, log *logSink, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = &logSink{addrc: make(chan string, 1)}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), io.Discard, log)
	}()
	select {
	case addr = <-log.addrc:
	case err := <-errc:
		cancel()
		t.Fatalf("serve %q exited before listening: %v\n%s", args, err, log)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatalf("serve %q did not log its address within 10s:\n%s", args, log)
	}
	t.Cleanup(cancel)
	return addr, log, cancel, errc
}

func get(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestServe(t *testing.T) {
	addr, log, cancel, done := startServe(t, "-addr", "127.0.0.1:0")
	snap := seed(t)

	resp := get(t, "http://"+addr+"/feeds/all.ics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /feeds/all.ics: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := eventIDs(t, decode(t, b), snap); !slices.Equal(got, snap.SessionIDs()) {
		t.Errorf("GET /feeds/all.ics: %d events, want all %d sessions", len(got), len(snap.SessionIDs()))
	}

	// Without -base-url, links point at the address served.
	var list web.FeedList
	if err := json.NewDecoder(get(t, "http://"+addr+"/feeds").Body).Decode(&list); err != nil {
		t.Fatalf("GET /feeds: %v", err)
	}
	if len(list.Feeds) == 0 || list.Feeds[0].URL != "http://"+addr+"/feeds/all.ics" {
		t.Errorf("GET /feeds: first feed %+v, want URL http://%s/feeds/all.ics", list.Feeds, addr)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after cancel: %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not return within 20s of cancel")
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Errorf("log lacks the clean stop:\n%s", log)
	}
	if _, err := http.Get("http://" + addr + "/feeds/all.ics"); err == nil {
		t.Errorf("GET after shutdown succeeded, want a refused connection")
	}
}

func TestServeEnv(t *testing.T) {
	t.Setenv("CONFCAL_ADDR", "127.0.0.1:0")
	t.Setenv("CONFCAL_BASE_URL", "https://cal.example.org")
	addr, _, _, _ := startServe(t)
	var list web.FeedList
	if err := json.NewDecoder(get(t, "http://"+addr+"/feeds").Body).Decode(&list); err != nil {
		t.Fatalf("GET /feeds: %v", err)
	}
	if len(list.Feeds) == 0 || list.Feeds[0].URL != "https://cal.example.org/feeds/all.ics" || list.Feeds[0].Webcal != "webcal://cal.example.org/feeds/all.ics" {
		t.Errorf("GET /feeds with CONFCAL_BASE_URL: first feed %+v", list.Feeds)
	}

	// A flag wins over its variable.
	addr, _, _, _ = startServe(t, "-base-url", "https://flag.example.org")
	list = web.FeedList{}
	if err := json.NewDecoder(get(t, "http://"+addr+"/feeds").Body).Decode(&list); err != nil {
		t.Fatalf("GET /feeds: %v", err)
	}
	if len(list.Feeds) == 0 || list.Feeds[0].URL != "https://flag.example.org/feeds/all.ics" {
		t.Errorf("GET /feeds with -base-url: first feed %+v", list.Feeds)
	}
}

func TestServeErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"serve", "-addr", "127.0.0.1:0", "-base-url", "localhost:8080"}, 1},
		{[]string{"serve", "-addr", "256.0.0.1:0"}, 1},
	}
	for _, tt := range tests {
		_, _, err := runCmd(t, "", tt.args...)
		if err == nil || exitCode(err) != tt.code {
			t.Errorf("confcal %q: error %v (exit %d), want exit %d", tt.args, err, exitCode(err), tt.code)
		}
	}

	// An agenda that is refused (a CSV names no time zone) is refused
	// before the store is made: no empty store is left behind.
	dir := t.TempDir()
	csv := writeTemp(t, dir, "program.csv", "id,title,start,end,room\n1,Talk,2030-03-29 10:00,2030-03-29 10:30,Hall\n")
	data := filepath.Join(dir, "data")
	_, stderr, err := runCmd(t, "", "serve", "-addr", "127.0.0.1:0", "-data", data, "-agenda", csv)
	if err == nil || !strings.Contains(stderr+err.Error(), "time zone") {
		t.Errorf("serve -agenda %s without -time-zone: %v %s, want a refusal naming the time zone", csv, err, stderr)
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("serve refused the agenda but left %s behind (%v)", data, err)
	}
}

// Every setting of serve has an environment variable (the README's
// Configuration table), and serve -h names each flag's, so an operator
// who reads only the help finds them all. -push-allow-loopback alone has
// none: it is for tests and must be asked for on the command line.
func TestServeHelpNamesEveryVariable(t *testing.T) {
	_, help, err := runCmd(t, "", "serve", "-h")
	if code := exitCode(err); code != 0 {
		t.Fatalf("serve -h: exit %d (%v)", code, err)
	}
	// The flag package writes each flag as "  -name ..." and its usage on
	// the lines below, indented by a tab.
	usage := map[string]string{}
	var name string
	for _, line := range strings.Split(help, "\n") {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ = strings.Cut(rest, " ")
			continue
		}
		if name != "" {
			usage[name] += line
		}
	}
	if len(usage) < 20 {
		t.Fatalf("serve -h lists %d flags:\n%s", len(usage), help)
	}
	for flag, text := range usage {
		want := "env CONFCAL_" + strings.ToUpper(strings.NewReplacer("-", "_").Replace(flag))
		switch flag {
		case "push-allow-loopback":
			if strings.Contains(text, "CONFCAL_") {
				t.Errorf("serve -h: -push-allow-loopback names a variable: %s", text)
			}
			continue
		case "push":
			want = "env CONFCAL_PUSH=0"
		case "trust-proxy":
			want = "env CONFCAL_TRUST_PROXY=1"
		}
		if !strings.Contains(text, want) {
			t.Errorf("serve -h: -%s does not say %q:%s", flag, want, text)
		}
	}
}

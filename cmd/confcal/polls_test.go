package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/api"
)

// flakySource serves tinySchedule for the first read of each path, then
// what the path's failure is: "/down/…" answers 500, "/broken/…" a
// schedule cut off in the middle, any other path stays fine.
type flakySource struct {
	mu    sync.Mutex
	reads map[string]int
}

// ServeHTTP counts the read of r's path and answers it as the type says.
func (s *flakySource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reads[r.URL.Path]++
	n := s.reads[r.URL.Path]
	s.mu.Unlock()
	switch {
	case n == 1:
		io.WriteString(w, tinySchedule)
	case strings.HasPrefix(r.URL.Path, "/down/"):
		http.Error(w, "the schedule tool is having a bad day", http.StatusInternalServerError)
	case strings.HasPrefix(r.URL.Path, "/broken/"):
		io.WriteString(w, tinySchedule[:600])
	default:
		io.WriteString(w, tinySchedule)
	}
}

// pollTime is the time of a poll as conferences list prints it; rows
// compare with it as TIME.
var pollTime = regexp.MustCompile(`\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\)`)

// Conferences added to follow their sources, whose sources break after
// the version they were added from (one answers 500, one a schedule cut
// off), as an operator sees them: /readyz stays 200 and names each with
// its error, GET /api/conferences gives the error of each, and
// conferences list -server prints it on the conference's row, while the
// broken ones go on serving their last good version. On the local store,
// where nothing polls, the list says nothing of polls.
func TestFollowedConferencesFailing(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")
	data := filepath.Join(t.TempDir(), "data")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", data)
	server := "http://" + addr
	src := httptest.NewServer(&flakySource{reads: map[string]int{}})
	defer src.Close()
	fine, down, broken := src.URL+"/fine/schedule.xml", src.URL+"/down/schedule.xml", src.URL+"/broken/schedule.xml"

	if code, body := request(t, "GET", server+"/readyz", ""); code != http.StatusOK || body != "store ok\nsnapshot ok\n" {
		t.Errorf("GET /readyz before any source is followed = %d %q, want 200 without a source check", code, body)
	}
	// Two through the server, which reads their sources; one on the
	// store, which the command reads and the server picks up.
	runSteps(t, nil, []step{
		{args: []string{"conferences", "add", "fine", fine, "-follow", "15m", "-server", server}},
		{args: []string{"conferences", "add", "down", down, "-follow", "15m", "-server", server}},
		{args: []string{"conferences", "add", "broken", broken, "-follow", "15m", "-data", data}},
	})

	// Each follower polls at once: the second read of each source.
	downLine := "  down: source: " + down + " answered 500 Internal Server Error"
	var ready string
	eventually(t, 20*time.Second, func() string {
		code, body := request(t, "GET", server+"/readyz", "")
		ready = body
		lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		if code != http.StatusOK || len(lines) != 5 || strings.Join(lines[:3], "\n") != "store ok\nsnapshot ok\nsource failed (still serving)" ||
			lines[3] != downLine || !strings.HasPrefix(lines[4], "  broken: "+broken+":") {
			return "GET /readyz = " + http.StatusText(code) + " " + body + "\nwant 200, the source check failed, naming down and broken with their errors"
		}
		return ""
	})
	brokenErr := strings.TrimPrefix(strings.Split(strings.TrimSuffix(ready, "\n"), "\n")[4], "  broken: ")

	var list api.ConferenceList
	getJSON(t, server+"/api/conferences", &list)
	want := map[string]string{"fine": "", "down": strings.TrimPrefix(downLine, "  down: "), "broken": brokenErr}
	for _, c := range list.Conferences {
		w, ok := want[c.Slug]
		if !ok {
			continue // the default conference
		}
		delete(want, c.Slug)
		if c.SourceError != w {
			t.Errorf("GET /api/conferences: %s has source_error %q, want %q", c.Slug, c.SourceError, w)
		}
		if at, err := time.Parse(time.RFC3339, c.LastPoll); err != nil || time.Since(at) > time.Minute {
			t.Errorf("GET /api/conferences: %s has last_poll %q, want the time of its last poll: %v", c.Slug, c.LastPoll, err)
		}
	}
	if len(want) > 0 {
		t.Errorf("GET /api/conferences does not list %v", want)
	}
	// They serve the version they were added from.
	for _, slug := range []string{"down", "broken"} {
		if n, _ := events(t, server+"/"+slug+"/feeds/all.ics"); n != 4 {
			t.Errorf("GET /%s/feeds/all.ics while its source is broken: %d events, want 4", slug, n)
		}
	}

	rows := listRows(t, "-server", server)
	for i, r := range rows {
		rows[i] = pollTime.ReplaceAllString(r, "(TIME)")
	}
	checkRows(t, rows,
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		flinkRow,
		"fine | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+fine+", followed every 15m0s",
		"down | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+down+", followed every 15m0s; the last poll failed (TIME): "+strings.TrimPrefix(downLine, "  down: "),
		"broken | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+broken+", followed every 15m0s; the last poll failed (TIME): "+brokenErr,
	)
	checkRows(t, listRows(t, "-data", data),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		flinkRow,
		"fine | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+fine+", followed every 15m0s",
		"down | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+down+", followed every 15m0s",
		"broken | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+broken+", followed every 15m0s",
	)
}

// The default conference of `serve -agenda URL -follow`, whose source
// the store records, is listed as an operator sees the conferences
// added with -follow: GET /api/conferences
// gives its source, period, last poll and the poll's error, and
// conferences list -server prints them on its row.
func TestServeFollowListed(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")
	src := httptest.NewServer(&flakySource{reads: map[string]int{}})
	defer src.Close()
	down := src.URL + "/down/schedule.xml"
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"), "-agenda", down, "-follow", "1m")
	server := "http://" + addr

	// serve read the first version; its first poll, at once, gets a 500.
	var c api.Conference
	eventually(t, 20*time.Second, func() string {
		var list api.ConferenceList
		getJSON(t, server+"/api/conferences", &list)
		if len(list.Conferences) != 1 {
			return fmt.Sprintf("GET /api/conferences lists %d conferences, want the default one", len(list.Conferences))
		}
		c = list.Conferences[0]
		if c.LastPoll == "" {
			return fmt.Sprintf("GET /api/conferences: %+v, want the last poll", c)
		}
		return ""
	})
	wantErr := "source: " + down + " answered 500 Internal Server Error"
	if !c.Default || c.Source != down || c.Follow != "1m0s" || !strings.HasPrefix(c.SourceError, wantErr) {
		t.Errorf("GET /api/conferences: default %v, source %q, follow %q, source_error %q; want the default conference following %s every 1m0s, its poll failing with %q",
			c.Default, c.Source, c.Follow, c.SourceError, down, wantErr)
	}
	if at, err := time.Parse(time.RFC3339, c.LastPoll); err != nil || time.Since(at) > time.Minute {
		t.Errorf("GET /api/conferences: last_poll %q, want the time of the last poll: %v", c.LastPoll, err)
	}
	rows := listRows(t, "-server", server)
	for i, r := range rows {
		rows[i] = pollTime.ReplaceAllString(r, "(TIME)")
	}
	checkRows(t, rows,
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		"tiny-con-2030 | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | default | "+down+", followed every 1m0s; the last poll failed (TIME): "+c.SourceError,
	)
}

// A file followed by serve -follow whose reads fail is named on /readyz,
// which anyone may read, by its file name alone, as GET /api/conferences
// names it to anyone: the server's directories stay its operator's.
func TestServeFollowFileReadyHidesDirectory(t *testing.T) {
	dir := t.TempDir()
	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"), "-agenda", schedule, "-follow", "100ms")
	server := "http://" + addr
	if err := os.Remove(schedule); err != nil {
		t.Fatal(err)
	}
	var ready string
	eventually(t, 20*time.Second, func() string {
		code, body := request(t, "GET", server+"/readyz", "")
		ready = body
		if code != http.StatusOK || !sourceFailed(body, "tiny-con-2030") {
			return fmt.Sprintf("GET /readyz once the file is gone = %d %q, want 200 saying the source failed", code, body)
		}
		return ""
	})
	if strings.Contains(ready, dir) || !strings.Contains(ready, "schedule.xml") {
		t.Errorf("GET /readyz names the followed file's directory %s, or not the file:\n%s", dir, ready)
	}
	var list api.ConferenceList
	getJSON(t, server+"/api/conferences", &list)
	if len(list.Conferences) != 1 || !strings.HasSuffix(ready, "tiny-con-2030: "+list.Conferences[0].SourceError+"\n") {
		t.Errorf("GET /readyz:\n%s\nGET /api/conferences: %+v\nwant the poll's error as the list gives it to anyone", ready, list.Conferences)
	}
}

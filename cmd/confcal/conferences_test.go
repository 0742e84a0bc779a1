package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"confcal/formats"
	"confcal/source"
)

// tinySchedule is a frab schedule.xml, as pretalx exports it, of a small
// conference written for these tests: two days, two rooms, four sessions.
const tinySchedule = `<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <version>1</version>
  <conference>
    <acronym>tiny30</acronym>
    <title>Tiny Con 2030</title>
    <start>2030-03-29</start>
    <end>2030-03-30</end>
    <days>2</days>
    <url>https://tiny.example/2030/</url>
    <time_zone_name>Europe/Berlin</time_zone_name>
  </conference>
  <day index="1" date="2030-03-29" start="2030-03-29T04:00:00+01:00" end="2030-03-30T03:59:00+01:00">
    <room name="Hall A">
      <event guid="9b7d2a10-0001-4c2a-9e8f-000000000001" id="1">
        <date>2030-03-29T10:00:00+01:00</date><start>10:00</start><duration>00:45</duration>
        <room>Hall A</room><title>Opening</title><track>Main</track><type>Talk</type>
      </event>
      <event guid="9b7d2a10-0001-4c2a-9e8f-000000000002" id="2">
        <date>2030-03-29T11:00:00+01:00</date><start>11:00</start><duration>01:00</duration>
        <room>Hall A</room><title>Small Servers</title><track>Main</track><type>Talk</type>
      </event>
    </room>
    <room name="Hall B">
      <event guid="9b7d2a10-0001-4c2a-9e8f-000000000003" id="3">
        <date>2030-03-29T10:00:00+01:00</date><start>10:00</start><duration>00:30</duration>
        <room>Hall B</room><title>Calendars</title><track>Side</track><type>Talk</type>
      </event>
    </room>
  </day>
  <day index="2" date="2030-03-30" start="2030-03-30T04:00:00+01:00" end="2030-03-31T03:59:00+02:00">
    <room name="Hall A">
      <event guid="9b7d2a10-0001-4c2a-9e8f-000000000004" id="4">
        <date>2030-03-30T14:00:00+01:00</date><start>14:00</start><duration>00:40</duration>
        <room>Hall A</room><title>Closing</title><track>Main</track><type>Talk</type>
      </event>
    </room>
  </day>
</schedule>
`

// The sessions of tinySchedule the tests change.
const (
	tinyCalendars = "9b7d2a10-0001-4c2a-9e8f-000000000003"
	tinyOpening   = "9b7d2a10-0001-4c2a-9e8f-000000000001"
	flinkTraining = "apache-flink-developer-training-2" // of the built-in default conference
)

// writeTemp writes a file into dir and returns its path.
func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// feed is one GET of a feed: its status, ETag and body.
type feed struct {
	status int
	etag   string
	body   []byte
}

func fetch(t *testing.T, url string) feed {
	t.Helper()
	resp := get(t, url)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return feed{resp.StatusCode, resp.Header.Get("ETag"), b}
}

// events returns the number of events of the feed at url, parsed with
// go-ical, and the start of each session of the conference by its UID.
func events(t *testing.T, url string) (int, map[string]string) {
	t.Helper()
	f := fetch(t, url)
	if f.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", url, f.status, f.body)
	}
	starts := map[string]string{}
	cal := decode(t, f.body)
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text("UID")
		if p := ev.Props.Get("DTSTART"); p != nil {
			starts[uid] = p.Value
		}
	}
	return len(cal.Events()), starts
}

// waitStatus waits, up to ten seconds, until url answers with status want:
// a serve picks up what another process changed in its store within
// storePoll.
func waitStatus(t *testing.T, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: status %d after 10s, want %d", url, resp.StatusCode, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor waits, up to ten seconds, until ok holds.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// removedOn is the date a removed conference's row shows; rows compare with
// it as DATE.
var removedOn = regexp.MustCompile(`removed \d{4}-\d{2}-\d{2}`)

// listRows runs confcal conferences list with args and returns its rows,
// cells joined by " | ".
func listRows(t *testing.T, args ...string) []string {
	t.Helper()
	out, _, err := runCmd(t, "", append([]string{"conferences", "list"}, args...)...)
	if err != nil {
		t.Fatalf("conferences list %q: %v", args, err)
	}
	rows := strings.Split(rowSep.ReplaceAllString(strings.TrimSuffix(out, "\n"), " | "), "\n")
	for i, r := range rows {
		rows[i] = removedOn.ReplaceAllString(r, "removed DATE")
	}
	return rows
}

func checkRows(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("conferences list printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// tokenOf makes an organizer token of conference slug with args (-data or
// -server) and returns the file it is written to.
func tokenOf(t *testing.T, slug string, args ...string) string {
	t.Helper()
	out, stderr, err := runCmd(t, "", append([]string{"conferences", "token", slug}, args...)...)
	if err != nil {
		t.Fatalf("conferences token %s: %v", slug, err)
	}
	tok := strings.TrimSuffix(out, "\n")
	if !strings.HasPrefix(tok, "cct_") || strings.Contains(tok, "\n") {
		t.Fatalf("conferences token %s printed %q, want the token alone", slug, out)
	}
	if !strings.Contains(stderr, "not shown again") {
		t.Errorf("conferences token %s: stderr %q does not say the token is shown once", slug, stderr)
	}
	return writeTemp(t, t.TempDir(), "token", out)
}

const flinkRow = "flink-forward-berlin-2019 | Flink Forward Berlin 2019 | 2019-10-07–2019-10-09 | 93 | default | -"

// TestDefaultConferenceFollows: a store's first conference, added with
// -follow, is its default one, and the organizer commands without
// -conference refuse to edit its sessions as they do with it, since the
// next poll of its source would undo the edit.
func TestDefaultConferenceFollows(t *testing.T) {
	dir := t.TempDir()
	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	runSteps(t, []string{"-data", filepath.Join(dir, "data")}, []step{
		{args: []string{"conferences", "add", "tiny", schedule, "-follow", "15m"}, out: []string{
			"added conference tiny: Tiny Con 2030, 2030-03-29–2030-03-30, 4 sessions",
			"page: | http://localhost:8080/tiny/",
			"feed: | http://localhost:8080/tiny/feeds/all.ics",
			"CalDAV: http://localhost:8080/tiny/",
			"follows " + schedule + " every 15m0s",
			"the store's first conference is its default one: the root URLs serve it too",
		}},
		{args: []string{"cancel", tinyOpening}, code: 1, err: "cancel: this agenda follows " + schedule + ": change its sessions there"},
		{args: []string{"import", schedule}, code: 1, err: "this agenda follows " + schedule},
		{args: []string{"rooms", "rename", "hall-a", "Great Hall"}, out: []string{"revision 2: Hall A renamed to Great Hall"}},
	})
}

// On the local store, with a serve running on the same data directory: the
// serve starts, serves and withdraws what the commands change within its
// poll, and the default conference's feed keeps its bytes and ETag.
func TestConferencesLocal(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", data)
	server := "http://" + addr
	before := fetch(t, server+"/feeds/all.ics")
	if before.status != http.StatusOK || before.etag == "" {
		t.Fatalf("GET /feeds/all.ics: status %d, ETag %q", before.status, before.etag)
	}
	unchanged := func(when string) {
		t.Helper()
		after := fetch(t, server+"/feeds/all.ics")
		if after.etag != before.etag || !bytes.Equal(after.body, before.body) {
			t.Errorf("%s: the default conference's feed changed (ETag %s → %s)", when, before.etag, after.etag)
		}
	}

	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	broken := writeTemp(t, dir, "broken.xml", tinySchedule[:600])
	missing := filepath.Join(dir, "missing.xml")
	// A pretalx schedule URL, read by the command itself on the local store.
	pretalx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/democon/schedule/export/schedule.xml" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, tinySchedule)
	}))
	defer pretalx.Close()
	pretalxURL := pretalx.URL + "/democon/schedule/export/schedule.xml"

	local := []string{"-data", data, "-base-url", "https://cal.example.org"}
	runSteps(t, local, []step{
		{args: []string{"conferences", "add", "tiny", schedule}, out: []string{
			"added conference tiny: Tiny Con 2030, 2030-03-29–2030-03-30, 4 sessions",
			"page: | https://cal.example.org/tiny/",
			"feed: | https://cal.example.org/tiny/feeds/all.ics",
			"CalDAV: https://cal.example.org/tiny/",
		}},
		{args: []string{"conferences", "add", "democon", pretalxURL, "-follow", "15m", "-name", "DemoCon"}, out: []string{
			"added conference democon: DemoCon, 2030-03-29–2030-03-30, 4 sessions",
			"page: | https://cal.example.org/democon/",
			"feed: | https://cal.example.org/democon/feeds/all.ics",
			"CalDAV: https://cal.example.org/democon/",
			"follows " + pretalxURL + " every 15m0s",
		}},
		{args: []string{"conferences", "add", "tiny", schedule}, code: 1, err: "conferences add: conference tiny exists already; choose another slug", exact: true},
		{args: []string{"conferences", "add", "api", schedule}, code: 2, err: `conferences add: slug: "api" is a URL of the server itself; choose another`, exact: true},
		{args: []string{"conferences", "add", "Bad Slug", schedule}, code: 2, err: `conferences add: slug: "Bad Slug" is not a slug`},
		{args: []string{"conferences", "add", "gone", missing}, code: 1, err: missing + ": no such file"},
		{args: []string{"conferences", "add", "broken", broken}, code: 1, err: broken + ":"},
		{args: []string{"conferences", "add", "fast", schedule, "-follow", "10s"}, code: 2, err: `-follow "10s" is not a period`},
		{args: []string{"conferences", "add", "odd", schedule, "-format", "xlsx"}, code: 2, err: "-format"},
		{args: []string{"conferences", "add", "odd", schedule, "-time-zone", "Mars/Base"}, code: 2, err: `-time-zone "Mars/Base" is not an IANA time zone`},
		{args: []string{"conferences", "add", "tiny"}, code: 2, err: "want a slug and the schedule's file or URL"},
		{args: []string{"conferences", "frobnicate"}, code: 2, err: `unknown subcommand "frobnicate"`},
		{args: []string{"conferences", "purge", "tiny"}, code: 1,
			err: "conferences purge: conference tiny is served: remove it first (confcal conferences remove tiny), then purge it", exact: true},
		{args: []string{"conferences", "remove", "flink-forward-berlin-2019"}, code: 1, err: "is the default one"},
		{args: []string{"conferences", "remove", "nope"}, code: 1, err: `no conference "nope" in the store in ` + data},
		{args: []string{"conferences", "remove", "Bad Slug"}, code: 2, err: `"Bad Slug" is not a conference's slug`},
	})
	checkRows(t, listRows(t, local...),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		flinkRow,
		"tiny | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+schedule,
		"democon | DemoCon | 2030-03-29–2030-03-30 | 4 | served | "+pretalxURL+", followed every 15m0s",
	)

	// serve starts both within its poll.
	waitStatus(t, server+"/tiny/feeds/all.ics", http.StatusOK)
	waitStatus(t, server+"/democon/feeds/all.ics", http.StatusOK)
	for _, slug := range []string{"tiny", "democon"} {
		if n, _ := events(t, server+"/"+slug+"/feeds/all.ics"); n != 4 {
			t.Errorf("GET /%s/feeds/all.ics: %d events, want 4", slug, n)
		}
	}
	unchanged("after adding two conferences")

	// The organizer commands take the conference; the default one is
	// theirs without -conference.
	runSteps(t, []string{"-data", data}, []step{
		{args: []string{"move", tinyCalendars, "-room", "hall-a", "-start", "2030-03-29T15:00", "-conference", "tiny"},
			out: []string{"revision 2: Calendars moved from Hall B to Hall A, Mar 29 10:00 → 15:00"}},
		{args: []string{"changes"}, out: []string{"no changes after revision 1 (at revision 1)"}},
		{args: []string{"changes", "-conference", "tiny", "-since", "2"}, out: []string{"no changes after revision 2 (at revision 2)"}},
		{args: []string{"rooms", "-conference", "tiny"}, out: []string{"ID | NAME | SESSIONS", "hall-a | Hall A | 4", "hall-b | Hall B | 0"}},
		{args: []string{"move", flinkTraining, "-room", "hall-a", "-conference", "tiny"}, code: 1, err: `no session "` + flinkTraining + `"`},
		{args: []string{"changes", "-conference", "nope"}, code: 1, err: `changes: no conference "nope" in the store in ` + filepath.Join(data, "confcal.db") + ` (see confcal conferences list)`, exact: true},
		{args: []string{"changes", "-conference", "Bad Slug"}, code: 2, err: `-conference "Bad Slug" is not a conference's slug`},
		// democon follows its pretalx schedule: its sessions change there,
		// as the server says too; rooms may be renamed here.
		{args: []string{"cancel", tinyOpening, "-conference", "democon"}, code: 1, err: "this agenda follows " + pretalxURL},
		{args: []string{"rooms", "rename", "hall-a", "Great Hall", "-conference", "democon"}, out: []string{"revision 2: Hall A renamed to Great Hall"}},
	})
	waitFor(t, "the move served in /tiny/feeds/all.ics", func() bool {
		_, starts := events(t, server+"/tiny/feeds/all.ics")
		return starts[tinyCalendars+"@tiny.example"] == "20300329T150000"
	})
	unchanged("after a move in another conference")

	// A token made on the store works on the server, for its conference only.
	tok := tokenOf(t, "tiny", local...)
	runSteps(t, []string{"-server", server, "-admin-token-file", tok}, []step{
		{args: []string{"cancel", flinkTraining}, code: 1, err: "cancel: this organizer token is for conference tiny; it changes nothing here", exact: true},
		{args: []string{"cancel", tinyOpening, "-conference", "democon"}, code: 1, err: "cancel: this organizer token is for conference tiny; it changes nothing here", exact: true},
		{args: []string{"cancel", tinyOpening, "-conference", "tiny"}, out: []string{"revision 3: Opening cancelled (Mar 29 10:00–10:45, Hall A)"}},
	})
	unchanged("after an organizer's change in another conference")

	// Removed: no longer served, its data kept; restored: served again as
	// it was.
	runSteps(t, local, []step{
		{args: []string{"conferences", "remove", "tiny"}, out: []string{
			"removed conference tiny: no longer served; its data is kept",
			"confcal conferences restore tiny serves it again; confcal conferences purge tiny deletes it for good",
		}},
		{args: []string{"conferences", "remove", "tiny"}, code: 1, err: "conference tiny is removed already"},
		{args: []string{"conferences", "token", "tiny"}, code: 1, err: "conference tiny is removed"},
	})
	runSteps(t, []string{"-data", data}, []step{
		{args: []string{"changes", "-conference", "tiny"}, code: 1, err: "conference tiny is removed: confcal conferences restore tiny serves it again"},
	})
	checkRows(t, listRows(t, local...),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		flinkRow,
		"tiny | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | removed DATE | "+schedule,
		"democon | DemoCon | 2030-03-29–2030-03-30 | 4 | served | "+pretalxURL+", followed every 15m0s",
	)
	for _, u := range []string{"/tiny/feeds/all.ics", "/tiny/", "/tiny/api/sessions"} {
		waitStatus(t, server+u, http.StatusNotFound)
	}
	runSteps(t, local, []step{
		{args: []string{"conferences", "restore", "tiny"}, out: []string{
			"restored conference tiny",
			"page: | https://cal.example.org/tiny/",
			"feed: | https://cal.example.org/tiny/feeds/all.ics",
			"CalDAV: https://cal.example.org/tiny/",
		}},
		{args: []string{"conferences", "restore", "tiny"}, code: 1, err: "conference tiny is served; there is nothing to restore"},
	})
	runSteps(t, []string{"-data", data}, []step{
		{args: []string{"changes", "-conference", "tiny", "-since", "3"}, out: []string{"no changes after revision 3 (at revision 3)"}},
	})
	waitStatus(t, server+"/tiny/feeds/all.ics", http.StatusOK)
	if n, starts := events(t, server+"/tiny/feeds/all.ics"); n != 4 || starts[tinyCalendars+"@tiny.example"] != "20300329T150000" {
		t.Errorf("restored: %d events, Calendars at %s; want 4, the move kept", n, starts[tinyCalendars+"@tiny.example"])
	}

	// Purged: gone with everything it held.
	runSteps(t, local, []step{
		{args: []string{"conferences", "remove", "tiny"}},
		{args: []string{"conferences", "purge", "tiny"}, out: []string{"purged conference tiny: deleted with everything it held"}},
		{args: []string{"conferences", "purge", "tiny"}, code: 1, err: `no conference "tiny"`},
		{args: []string{"conferences", "restore", "tiny"}, code: 1, err: `no conference "tiny"`},
	})
	checkRows(t, listRows(t, local...),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		flinkRow,
		"democon | DemoCon | 2030-03-29–2030-03-30 | 4 | served | "+pretalxURL+", followed every 15m0s",
	)
	waitStatus(t, server+"/tiny/feeds/all.ics", http.StatusNotFound)
	unchanged("at the end")

	// The commands that only read or change conferences make no store.
	empty := filepath.Join(dir, "empty")
	runSteps(t, nil, []step{
		{args: []string{"conferences", "list", "-data", empty}, code: 1, err: "holds no store"},
		{args: []string{"changes", "-conference", "tiny", "-data", empty}, code: 1, err: `no conference "tiny"`},
		{args: []string{"conferences", "add", "gone", missing, "-data", empty}, code: 1, err: "missing.xml"},
	})
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("%s exists after commands that were refused: %v", empty, err)
	}
}

// The same through a server's API, with the admin token and organizers'.
func TestConferencesRemote(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")
	dir := t.TempDir()
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"))
	server := "http://" + addr
	before := fetch(t, server+"/feeds/all.ics")
	unchanged := func(when string) {
		t.Helper()
		after := fetch(t, server+"/feeds/all.ics")
		if after.etag != before.etag || !bytes.Equal(after.body, before.body) {
			t.Errorf("%s: the default conference's feed changed (ETag %s → %s)", when, before.etag, after.etag)
		}
	}

	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	missing := filepath.Join(dir, "missing.xml")
	pretalx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/democon/schedule/export/schedule.xml" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, tinySchedule)
	}))
	defer pretalx.Close()
	pretalxURL := pretalx.URL + "/democon/schedule/export/schedule.xml"

	remote := []string{"-server", server}
	runSteps(t, remote, []step{
		// A pretalx schedule URL in one command: the server reads it.
		{args: []string{"conferences", "add", "democon", pretalxURL, "-follow", "15m"}, out: []string{
			"added conference democon: Tiny Con 2030, 2030-03-29–2030-03-30, 4 sessions",
			"page: | " + server + "/democon/",
			"feed: | " + server + "/democon/feeds/all.ics",
			"CalDAV: " + server + "/democon/",
			"follows " + pretalxURL + " every 15m0s",
		}},
		// A file is read here and sent.
		{args: []string{"conferences", "add", "tiny", schedule, "-name", "Tiny"}, out: []string{
			"added conference tiny: Tiny, 2030-03-29–2030-03-30, 4 sessions",
			"page: | " + server + "/tiny/",
			"feed: | " + server + "/tiny/feeds/all.ics",
			"CalDAV: " + server + "/tiny/",
		}},
		{args: []string{"conferences", "add", "tiny", schedule}, code: 1,
			err: "conferences add: conference tiny exists already (a removed one too, until it is purged); choose another slug", exact: true},
		{args: []string{"conferences", "add", "followed", schedule, "-follow", "15m"}, code: 2, err: "the server cannot read " + schedule},
		{args: []string{"conferences", "add", "gone", missing}, code: 1, err: missing + ": no such file"},
		{args: []string{"conferences", "add", "gone", pretalx.URL + "/nothing.xml"}, code: 1, err: "404"},
		{args: []string{"conferences", "add", "api", schedule}, code: 2, err: `slug: "api" is a URL of the server itself`},
		{args: []string{"conferences", "add", "Bad Slug", schedule}, code: 2, err: `slug: "Bad Slug" is not a slug`},
		{args: []string{"conferences", "purge", "tiny"}, code: 1,
			err: "conferences purge: conference tiny is served: remove it first (confcal conferences remove tiny), then purge it", exact: true},
		{args: []string{"conferences", "remove", "flink-forward-berlin-2019"}, code: 1, err: "is the default one"},
		{args: []string{"move", tinyCalendars, "-room", "hall-a", "-start", "2030-03-29T15:00", "-conference", "tiny"},
			out: []string{"revision 2: Calendars moved from Hall B to Hall A, Mar 29 10:00 → 15:00"}},
		{args: []string{"changes", "-conference", "nope"}, code: 1, err: `no conference "nope"`},
	})
	checkRows(t, listRows(t, remote...),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		flinkRow,
		"democon | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+pretalxURL+", followed every 15m0s",
		"tiny | Tiny | 2030-03-29–2030-03-30 | 4 | served | -",
	)
	for _, slug := range []string{"tiny", "democon"} {
		if n, _ := events(t, server+"/"+slug+"/feeds/all.ics"); n != 4 {
			t.Errorf("GET /%s/feeds/all.ics: %d events, want 4", slug, n)
		}
	}
	if _, starts := events(t, server+"/tiny/feeds/all.ics"); starts[tinyCalendars+"@tiny.example"] != "20300329T150000" {
		t.Errorf("the move is not in /tiny/feeds/all.ics: Calendars at %s", starts[tinyCalendars+"@tiny.example"])
	}
	unchanged("after adding conferences and a move in one")

	// An organizer's token changes its conference only, and no conferences.
	tok := tokenOf(t, "tiny", remote...)
	runSteps(t, []string{"-server", server, "-admin-token-file", tok}, []step{
		{args: []string{"cancel", flinkTraining}, code: 1, err: "cancel: this organizer token is for conference tiny; it changes nothing here", exact: true},
		{args: []string{"rooms", "add", "hall-c", "Hall C", "-conference", "democon"}, code: 1, err: "rooms add: this organizer token is for conference tiny; it changes nothing here", exact: true},
		{args: []string{"cancel", tinyOpening, "-conference", "tiny"}, out: []string{"revision 3: Opening cancelled (Mar 29 10:00–10:45, Hall A)"}},
		{args: []string{"conferences", "add", "more", schedule}, code: 1, err: "conferences are managed with the admin token"},
		{args: []string{"conferences", "token", "democon"}, code: 1, err: "conferences are managed with the admin token"},
	})
	unchanged("after an organizer's change in another conference")

	runSteps(t, remote, []step{
		{args: []string{"conferences", "remove", "tiny"}, out: []string{
			"removed conference tiny: no longer served; its data is kept",
			"confcal conferences restore tiny serves it again; confcal conferences purge tiny deletes it for good",
		}},
		{args: []string{"conferences", "remove", "tiny"}, code: 1, err: "conference tiny is removed already"},
		{args: []string{"conferences", "token", "tiny"}, code: 1, err: "conference tiny is removed"},
	})
	for _, u := range []string{"/tiny/feeds/all.ics", "/tiny/", "/tiny/api/sessions"} {
		if f := fetch(t, server+u); f.status != http.StatusNotFound {
			t.Errorf("GET %s of a removed conference: status %d, want 404", u, f.status)
		}
	}
	// Through the server as on the store: the removed conference is
	// listed, to be restored or purged.
	checkRows(t, listRows(t, remote...),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		flinkRow,
		"democon | Tiny Con 2030 | 2030-03-29–2030-03-30 | 4 | served | "+pretalxURL+", followed every 15m0s",
		"tiny | Tiny | 2030-03-29–2030-03-30 | 4 | removed DATE | -",
	)
	runSteps(t, remote, []step{
		{args: []string{"conferences", "restore", "tiny"}, out: []string{
			"restored conference tiny",
			"page: | " + server + "/tiny/",
			"feed: | " + server + "/tiny/feeds/all.ics",
			"CalDAV: " + server + "/tiny/",
		}},
		{args: []string{"conferences", "restore", "tiny"}, code: 1, err: "conference tiny is served; there is nothing to restore"},
		{args: []string{"changes", "-conference", "tiny", "-since", "3"}, out: []string{"no changes after revision 3 (at revision 3)"}},
		{args: []string{"conferences", "remove", "tiny"}},
		{args: []string{"conferences", "purge", "tiny"}, out: []string{"purged conference tiny: deleted with everything it held"}},
		{args: []string{"conferences", "restore", "tiny"}, code: 1, err: `no conference "tiny"`},
	})
	if f := fetch(t, server+"/tiny/feeds/all.ics"); f.status != http.StatusNotFound {
		t.Errorf("GET /tiny/feeds/all.ics of a purged conference: status %d, want 404", f.status)
	}
	unchanged("at the end")
}

// A real schedule.xml (the CCC hub's, read in place), from a URL on the
// local store and as a file sent to a server: every session is in the feed.
func TestConferencesRealSchedule(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "samples", "39c3-hub", "schedule.xml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no sample schedule: %v", err)
	}
	res, _, err := source.Parse(raw, source.FrabXML, formats.Options{Name: path})
	if err != nil {
		t.Fatal(err)
	}
	want := len(res.Contents.Sessions)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(raw) }))
	defer hub.Close()

	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")
	data := filepath.Join(t.TempDir(), "data")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", data)
	server := "http://" + addr
	for _, tc := range []struct {
		slug string
		args []string
	}{
		{"hub-url", []string{hub.URL + "/39c3/schedule/export/schedule.xml", "-data", data}},
		{"hub-file", []string{path, "-server", server}},
	} {
		t.Run(tc.slug, func(t *testing.T) {
			out, _, err := runCmd(t, "", append([]string{"conferences", "add", tc.slug}, tc.args...)...)
			if err != nil {
				t.Fatalf("conferences add %s: %v\n%s", tc.slug, err, out)
			}
			waitStatus(t, server+"/"+tc.slug+"/feeds/all.ics", http.StatusOK)
			if n, _ := events(t, server+"/"+tc.slug+"/feeds/all.ics"); n != want {
				t.Errorf("GET /%s/feeds/all.ics: %d events, want %d", tc.slug, n, want)
			}
		})
	}
}

// TestConferencesAddNamed adds schedules that name no conference: the
// import names it after the file and says so, unless the organizer names
// it with -name, when that name is the one served and nothing is said of
// the other.
func TestConferencesAddNamed(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	planner := writeTemp(t, dir, "planner.ics", icsFixture)
	tests := []struct {
		name, file, zone, given string
		served, said            string // the conference's name, and the problem naming it ("" for none)
	}{
		{"ics", planner, "", "", "planner", `the conference is named "planner"`},
		{"ics named", planner, "", "Planner Days", "Planner Days", ""},
		{"sessionize", sample(t, "sessionize-occ2020/all.json"), "America/New_York", "", "Sessionize agenda", `names no conference: named it "Sessionize agenda"`},
		{"sessionize named", sample(t, "sessionize-occ2020/all.json"), "America/New_York", "OCC 2020", "OCC 2020", ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slug := fmt.Sprintf("conf-%d", i)
			args := []string{"conferences", "add", slug, tc.file, "-data", data}
			if tc.zone != "" {
				args = append(args, "-time-zone", tc.zone)
			}
			if tc.given != "" {
				args = append(args, "-name", tc.given)
			}
			out, _, err := runCmd(t, "", args...)
			if err != nil {
				t.Fatalf("confcal %q: %v\n%s", args, err, out)
			}
			if want := "added conference " + slug + ": " + tc.served + ","; !strings.Contains(out, want) {
				t.Errorf("confcal %q printed\n%s\nwant a line with %q", args, out, want)
			}
			naming := strings.Contains(out, "named it") || strings.Contains(out, "is named")
			switch {
			case tc.said == "" && naming:
				t.Errorf("confcal %q with -name printed how the import named the conference:\n%s", args, out)
			case tc.said != "" && !strings.Contains(out, "skipped or repaired: ") || tc.said != "" && !strings.Contains(out, tc.said):
				t.Errorf("confcal %q printed\n%s\nwant it to say %q", args, out, tc.said)
			}
		})
	}
}

// A file added through -server is sent to the server as the document
// itself, and is named as the same file added to the local store: after
// the file when the schedule names no conference, not after the word
// "document" the server has for a schedule sent without a file name.
func TestConferencesAddRemoteNamedAfterFile(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")
	dir := t.TempDir()
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"))
	server := "http://" + addr
	planner := writeTemp(t, dir, "planner.ics", icsFixture)
	program := writeTemp(t, dir, "program.csv", "id,title,start,end,room,track\nt1,Talk One,2030-03-29 10:00,2030-03-29 10:30,Hall A,Main\n")
	tiny := writeTemp(t, dir, "schedule.xml", tinySchedule)
	for _, tc := range []struct {
		slug, file, given, want, uid string
	}{
		{"planner", planner, "", "planner", ""},
		{"program", program, "", "program", "t1@program.invalid"},
		{"named", program, "Program Days", "Program Days", "t1@program.invalid"},
		{"tiny", tiny, "", "Tiny Con 2030", ""}, // the schedule names itself
	} {
		args := []string{"conferences", "add", tc.slug, tc.file, "-time-zone", "Europe/Berlin", "-server", server}
		if tc.given != "" {
			args = append(args, "-name", tc.given)
		}
		out, _, err := runCmd(t, "", args...)
		if err != nil {
			t.Fatalf("confcal %q: %v\n%s", args, err, out)
		}
		if want := "added conference " + tc.slug + ": " + tc.want + ","; !strings.Contains(out, want) {
			t.Errorf("confcal %q printed\n%s\nwant a line with %q", args, out, want)
		}
		body := fetch(t, server+"/"+tc.slug+"/feeds/all.ics").body
		if want := "\r\nX-WR-CALNAME:" + tc.want + "\r\n"; !bytes.Contains(body, []byte(want)) {
			t.Errorf("GET /%s/feeds/all.ics has no %q:\n%.400s", tc.slug, strings.TrimSpace(want), body)
		}
		if want := "\r\nUID:" + tc.uid + "\r\n"; tc.uid != "" && !bytes.Contains(body, []byte(want)) {
			t.Errorf("GET /%s/feeds/all.ics has no %q (the UID the same file gets on the local store)", tc.slug, strings.TrimSpace(want))
		}
	}
}

// TestConferencesAddOneSession: a conference of one session is added as
// "1 session".
func TestConferencesAddOneSession(t *testing.T) {
	dir := t.TempDir()
	one := writeTemp(t, dir, "one.csv", "id,title,start,end,room,track\n1,Opening,2024-06-10 09:00,2024-06-10 09:30,Main Hall,Keynote\n")
	runSteps(t, []string{"-data", filepath.Join(dir, "data")}, []step{
		{args: []string{"conferences", "add", "one", one, "-time-zone", "Europe/Berlin"}, out: []string{
			"added conference one: one, 2024-06-10, 1 session",
			"page: | http://localhost:8080/one/",
			"feed: | http://localhost:8080/one/feeds/all.ics",
			"CalDAV: http://localhost:8080/one/",
			"the store's first conference is its default one: the root URLs serve it too",
		}},
	})
}

// TestDefaultSlugNotReserved serves, on a new store, a schedule named
// after its file "feeds.csv": its conference is "feeds", a word of the
// server's own URLs, so its slug cannot be that, or every URL under it
// would be the root's. Its page, feed and CalDAV URLs as listed resolve,
// and once a second conference turns "/" into the list of conferences,
// so do that list's links to it and the redirect of the agenda's query.
func TestDefaultSlugNotReserved(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")
	dir := t.TempDir()
	feeds := writeTemp(t, dir, "feeds.csv", csvFixture)
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"),
		"-agenda", feeds, "-time-zone", "Europe/Berlin")
	server := "http://" + addr
	checkRows(t, listRows(t, "-server", server),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		"feeds-conference | feeds | 2027-05-03 | 2 | default | -")
	// Without the admin token, the list is what anyone may read.
	t.Setenv("CONFCAL_ADMIN_TOKEN", "")
	checkRows(t, listRows(t, "-server", server),
		"SLUG | NAME | DAYS | SESSIONS | STATE | SOURCE",
		"feeds-conference | feeds | 2027-05-03 | 2 | default | -")
	t.Setenv("CONFCAL_ADMIN_TOKEN", "the-admin-token")

	want := map[string]string{
		server + "/feeds-conference/":               "text/html",
		server + "/feeds-conference/feeds/all.ics":  "text/calendar",
		server + "/feeds-conference/schedule.xml":   "application/xml",
		server + "/feeds-conference/api/sessions/a": "application/json",
	}
	for u, ct := range want {
		if resp := get(t, u); resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) {
			t.Errorf("GET %s: %d %s, want 200 %s", u, resp.StatusCode, resp.Header.Get("Content-Type"), ct)
		}
	}
	req, err := http.NewRequest("PROPFIND", server+"/feeds-conference/", strings.NewReader(
		`<propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Depth", "0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(string(b), "/dav/public/") {
		t.Errorf("PROPFIND /feeds-conference/: %d %s, want 207 naming /dav/public/", resp.StatusCode, b)
	}

	if out, _, err := runCmd(t, "", "conferences", "add", "tiny", writeTemp(t, dir, "tiny.xml", tinySchedule), "-server", server); err != nil {
		t.Fatalf("conferences add tiny: %v\n%s", err, out)
	}
	list := string(fetch(t, server+"/").body)
	if !strings.Contains(list, `href="/feeds-conference/"`) {
		t.Fatalf("GET / with two conferences does not link to /feeds-conference/:\n%s", list)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Get(server + "/?day=2027-05-03")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasSuffix(loc, "/feeds-conference/?day=2027-05-03") {
		t.Fatalf("GET /?day=2027-05-03: %d to %q, want 302 to /feeds-conference/?day=2027-05-03", resp.StatusCode, loc)
	}
	if f := fetch(t, server+"/feeds-conference/?day=2027-05-03"); f.status != http.StatusOK {
		t.Errorf("GET /feeds-conference/?day=2027-05-03: %d", f.status)
	}
}

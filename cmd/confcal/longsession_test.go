package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/sqlite"
)

// longStore makes a store holding the small agenda over ten days with
// the session "art" lasting 120 hours, as a store made before sessions
// had a longest length holds it, and returns its data directory.
func longStore(t *testing.T) string {
	t.Helper()
	c := agendatest.SmallContents()
	c.Conference.Last = agenda.Date{Year: 2019, Month: time.October, Day: 17}
	c.Sessions = append(c.Sessions, agenda.Session{ID: "art", Title: "Art", Start: agendatest.At(10, 10, 0), End: agendatest.At(15, 10, 0),
		Track: "talks", Room: "room-2", Status: agenda.StatusConfirmed, LastModified: agendatest.Published})
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	store, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Save(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	return data
}

// A stored session longer than schedule.xml can carry exports all the
// same, with the longest duration it can carry and a warning naming the
// session; the other formats carry its length.
func TestExportLongSession(t *testing.T) {
	data := longStore(t)
	for _, tc := range []struct {
		format string
		out    string // in stdout
		warn   string // stderr, exactly
	}{
		{"schedule-xml", "<duration>99:59</duration>", `export: warning: session "art" lasts 120:00, longer than schedule.xml can carry: written as lasting 99:59` + "\n"},
		{"schedule-json", `"duration": "120:00"`, ""},
		{"ics", "DTEND;TZID=Europe/Berlin:20191015T100000", ""},
		{"csv", "2019-10-15 10:00", ""},
	} {
		out, errOut, err := runCmd(t, "", "export", "-data", data, "-format", tc.format)
		if err != nil || !strings.Contains(out, tc.out) || errOut != tc.warn {
			t.Errorf("export -format %s: %v, stderr %q (want %q)\n%s\nwant it to hold %q", tc.format, err, errOut, tc.warn, out, tc.out)
		}
	}
	// A mistake on the command line is still one (exit 2).
	if _, _, err := runCmd(t, "", "export", "-data", data, "-format", "schedule-xml", "-base-url", "ftp://x.example"); exitCode(err) != 2 {
		t.Errorf("export -base-url ftp://…: %v (exit %d), want exit 2", err, exitCode(err))
	}
}

// Through HTTP, /schedule.xml of a conference with such a session is 200
// and valid for its length, not a 500 for the whole conference; an edit
// that would make a session that long is a 422 saying why, and the stored
// one can still be renamed.
func TestLongSessionOverHTTP(t *testing.T) {
	const token = "long-session-admin-token-0123456789"
	t.Setenv("CONFCAL_ADMIN_TOKEN", token)
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", longStore(t))
	base := "http://" + addr
	for _, path := range []string{"/schedule.xml", "/schedule.json"} {
		if f := fetch(t, base+path); f.status != http.StatusOK || !strings.Contains(string(f.body), "Art") {
			t.Errorf("GET %s: %d\n%.300s", path, f.status, f.body)
		}
	}
	if f := fetch(t, base+"/schedule.xml"); !strings.Contains(string(f.body), "<duration>99:59</duration>") {
		t.Errorf("GET /schedule.xml does not give the long session the longest duration:\n%s", f.body)
	}
	for _, tc := range []struct {
		session, body string
		status        int
		says          string
	}{
		{"late-talk", `{"room":"room-1","start":"2019-10-12T09:00","end":"2019-10-16T13:00"}`, http.StatusUnprocessableEntity,
			"lasts 100:00, longer than a session may (99:59, the longest schedule.xml can carry)"},
		{"late-talk", `{"room":"room-1","start":"2019-10-12T09:00","end":"2019-10-16T12:59"}`, http.StatusOK, ""},
		{"art", `{"title":"Art, all week"}`, http.StatusOK, ""},
	} {
		req, _ := http.NewRequest(http.MethodPatch, base+"/api/sessions/"+tc.session, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.says) {
			t.Errorf("PATCH %s %s: %d %s; want %d saying %q", tc.session, tc.body, resp.StatusCode, b, tc.status, tc.says)
		}
	}
	var x struct{ Title string }
	if err := json.NewDecoder(get(t, base+"/api/sessions/art").Body).Decode(&x); err != nil || x.Title != "Art, all week" {
		t.Errorf("the stored long session after its rename: %+v, %v", x, err)
	}
}

// Every importer skips a session longer than agenda.MaxSessionLength
// (what the agenda and schedule.xml hold at most), reporting it with its
// position (the file and line, or in the JSON formats the session's place
// in the document), and keeps the rest: the conference's days are not
// stretched to the skipped session's end.
func TestImportSkipsLongSession(t *testing.T) {
	const skipped = "longer than a session may (99:59, the longest schedule.xml can carry)"
	dir := t.TempDir()
	for _, tc := range []struct {
		name, doc string
		flags     []string
		pos       string // after the file's name
	}{
		{"long.xml", `<schedule><conference><title>Long</title><time_zone_name>Europe/Berlin</time_zone_name></conference><day index="1" date="2024-06-01"><room name="Foyer">
<event guid="f0000000-0000-4000-8000-000000000002" id="2"><date>2024-06-01T11:00:00+02:00</date><duration>01:00</duration><title>Talk</title></event>
<event guid="f0000000-0000-4000-8000-000000000001" id="1"><date>2024-06-01T10:00:00+02:00</date><duration>120:00</duration><title>Art</title></event>
</room></day></schedule>`, nil, ":3: "},
		{"long.json", `{"schedule": {"version": "1", "conference": {"acronym": "long", "time_zone_name": "Europe/Berlin", "days": [
{"index": 1, "date": "2024-06-01", "day_start": "2024-06-01T00:00:00+02:00", "day_end": "2024-06-01T23:59:00+02:00", "rooms": {"Foyer": [
{"guid": "f0000000-0000-4000-8000-000000000002", "id": 2, "date": "2024-06-01T11:00:00+02:00", "duration": "01:00", "title": "Talk"},
{"guid": "f0000000-0000-4000-8000-000000000001", "id": 1, "date": "2024-06-01T10:00:00+02:00", "duration": "999:00", "title": "Art"}
]}}]}}}`, nil, ": day 1, room Foyer, event 2 (guid f0000000-0000-4000-8000-000000000001): "},
		{"long.ics", strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:t", "X-WR-CALNAME:Long", "X-WR-TIMEZONE:Europe/Berlin",
			"BEGIN:VEVENT", "UID:art@x.org", "DTSTAMP:20240101T000000Z", "DTSTART;TZID=Europe/Berlin:20240601T100000", "DTEND;TZID=Europe/Berlin:20240605T180000", "SUMMARY:Art", "LOCATION:Foyer", "END:VEVENT",
			"BEGIN:VEVENT", "UID:talk@x.org", "DTSTAMP:20240101T000000Z", "DTSTART;TZID=Europe/Berlin:20240601T110000", "DTEND;TZID=Europe/Berlin:20240601T120000", "SUMMARY:Talk", "LOCATION:Foyer", "END:VEVENT",
			"END:VCALENDAR", ""}, "\r\n"), nil, ":6: "},
		{"long.csv", "id,title,start,end,room\na,Art,2024-06-01 10:00,2024-06-05 18:00,Foyer\nb,Talk,2024-06-01 11:00,2024-06-01 12:00,Foyer\n",
			[]string{"-time-zone", "Europe/Berlin"}, ":2: "},
		{"sessionize.json", `{"sessions": [
{"id": "1", "title": "Art", "startsAt": "2024-06-01T10:00:00", "endsAt": "2024-06-05T18:00:00", "speakers": [], "categoryItems": [], "roomId": 1},
{"id": "2", "title": "Talk", "startsAt": "2024-06-01T11:00:00", "endsAt": "2024-06-01T12:00:00", "speakers": [], "categoryItems": [], "roomId": 1}],
"rooms": [{"id": 1, "name": "Foyer"}], "speakers": [], "categories": []}`, []string{"-time-zone", "Europe/Berlin"}, ": session 1: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeTemp(t, dir, tc.name, tc.doc)
			args := append([]string{"conferences", "add", "long", file, "-data", filepath.Join(t.TempDir(), "data")}, tc.flags...)
			out, _, err := runCmd(t, "", args...)
			if err != nil {
				t.Fatalf("confcal %q: %v\n%s", args, err, out)
			}
			if want := "skipped or repaired: " + file + tc.pos; !strings.Contains(out, want) || !strings.Contains(out, skipped) {
				t.Errorf("confcal %q printed:\n%s\nwant %q…%q", args, out, want, skipped)
			}
			if !strings.Contains(out, ", 2024-06-01, 1 session\n") {
				t.Errorf("confcal %q printed:\n%s\nwant a conference of one day with the one short session", args, out)
			}
		})
	}
}

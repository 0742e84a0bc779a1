package main

import (
	"path/filepath"
	"strings"
	"testing"
)

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
			if !strings.Contains(out, ", 2024-06-01, 1 sessions") {
				t.Errorf("confcal %q printed:\n%s\nwant a conference of one day with the one short session", args, out)
			}
		})
	}
}

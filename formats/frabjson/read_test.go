package frabjson_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/frabjson"
)

// now stamps every imported session in these tests.
var now = time.Date(2024, 11, 1, 12, 0, 0, 0, time.UTC)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parse(t *testing.T, name string, opts formats.Options) formats.Result {
	t.Helper()
	opts.Name, opts.Now = name, now
	res, err := frabjson.Parse(fixture(t, name), opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if _, err := agenda.NewSnapshot(res.Contents, 1, 1, nil); err != nil {
		t.Fatalf("Parse(%s) gives contents NewSnapshot refuses: %v", name, err)
	}
	return res
}

// line sums a session up for comparison with a table.
func line(x agenda.Session) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s|%s|%d", x.ID, x.Title, x.Start.UTC().Format("2006-01-02 15:04"), x.End.UTC().Format("15:04"),
		x.Room, x.Track, x.Type, x.Language, strings.Join(x.Speakers, ","), x.Number)
}

func lines(c agenda.Contents) []string {
	var out []string
	for _, x := range c.Sessions {
		out = append(out, line(x))
	}
	return out
}

func problems(res formats.Result) []string {
	var out []string
	for _, p := range res.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestParseFixtures(t *testing.T) {
	for _, tc := range []struct {
		file     string
		opts     formats.Options
		conf     agenda.Conference
		rooms    []agenda.Room
		tracks   []agenda.Track
		speakers []agenda.Speaker
		sessions []string
		problems []string // each problem's position and a part of its reason, in order
	}{{
		file: "dst.json",
		conf: agenda.Conference{Name: "Fall Conf 2024", Description: "Two days across the end of summer time", TimeZone: "Europe/Berlin",
			First: agenda.Date{Year: 2024, Month: 10, Day: 26}, Last: agenda.Date{Year: 2024, Month: 10, Day: 27},
			UIDDomain: "fall.example.org", DayChange: 4 * time.Hour, URL: "https://fall.example.org/2024/"},
		rooms:  []agenda.Room{{ID: "main", Name: "Main Hall"}, {ID: "workshop-room", Name: "Workshop Room"}},
		tracks: []agenda.Track{{ID: "talks", Name: "Talks", Color: "#1F77B4"}, {ID: "night", Name: "Night", Color: "#AABBCC"}, formats.DefaultTrack},
		speakers: []agenda.Speaker{{ID: formats.KeyID("ABC123"), Name: "Ada Lovelace"}, {ID: "b2000000-0000-4000-8000-000000000001", Name: "Grace Hopper"},
			{ID: "7", Name: "Alan Turing"}, {ID: "edsger-dijkstra", Name: "Edsger Dijkstra"}},
		sessions: []string{
			"a1000000-0000-4000-8000-000000000001|Engines & Looms|2024-10-26 08:00|09:00|main|talks|Talk|en|" + formats.KeyID("ABC123") + "|101",
			// 01:30 CEST, before the clocks go back, on day one.
			"a1000000-0000-4000-8000-000000000002|Night Owls|2024-10-26 23:30|00:30|main|night|Talk|en|b2000000-0000-4000-8000-000000000001|102",
			"a1000000-0000-4000-8000-000000000003|Can Machines Think?|2024-10-27 09:00|09:45|main|general|Talk|en|7|103",
			"a1000000-0000-4000-8000-000000000004|Shortest Paths, Hands On|2024-10-27 13:00|15:00|workshop-room|talks|Workshop|de|" + formats.KeyID("ABC123") + ",edsger-dijkstra|104",
		},
	}, {
		file: "pretalx-utc.json",
		opts: formats.Options{UIDDomain: "minicon.example"},
		conf: agenda.Conference{Name: "MiniCon", TimeZone: "UTC", First: agenda.Date{Year: 2021, Month: 3, Day: 1}, Last: agenda.Date{Year: 2021, Month: 3, Day: 2},
			UIDDomain: "minicon.example", DayChange: 4 * time.Hour, URL: "http://localhost/minicon/schedule/"},
		// Both rooms have the same guid: the names tell them apart.
		rooms:    []agenda.Room{{ID: "blue-room", Name: "Blue Room"}, {ID: "green-room", Name: "Green Room"}},
		tracks:   []agenda.Track{{ID: "alpha", Name: "Alpha"}, {ID: "beta", Name: "Beta"}},
		speakers: []agenda.Speaker{{ID: formats.KeyID("QWERTY"), Name: "Jo Example"}, {ID: formats.KeyID("ZX81"), Name: "Sam Sample"}},
		sessions: []string{
			"e1000000-0000-5000-8000-000000000011|Hello|2021-03-01 08:00|08:30|blue-room|alpha|Talk|en|" + formats.KeyID("QWERTY") + "|11",
			"e1000000-0000-5000-8000-000000000012|Workshop|2021-03-01 08:00|09:30|green-room|beta|Workshop|en|" + formats.KeyID("QWERTY") + "," + formats.KeyID("ZX81") + "|12",
			"e1000000-0000-5000-8000-000000000013|Goodbye|2021-03-02 10:00|10:30|blue-room|alpha|Talk|en|" + formats.KeyID("ZX81") + "|13",
		},
		problems: []string{"pretalx-utc.json: time_zone_name says UTC, but 3 event dates carry other offsets (the first: +01:00, at day 1, room Blue Room, event 1"},
	}, {
		file: "minimal.json",
		opts: formats.Options{TimeZone: "America/New_York"},
		conf: agenda.Conference{Name: "tiny", TimeZone: "America/New_York", First: agenda.Date{Year: 2022, Month: 6, Day: 10}, Last: agenda.Date{Year: 2022, Month: 6, Day: 10},
			UIDDomain: "tiny.invalid"},
		rooms:  []agenda.Room{{ID: "room-a", Name: "Room A"}},
		tracks: []agenda.Track{formats.DefaultTrack},
		sessions: []string{
			"f0000000-0000-4000-8000-000000000001|Untracked|2022-06-10 13:00|13:50|room-a|general||||1",
			"f0000000-0000-4000-8000-000000000002|Also untracked|2022-06-10 14:00|14:50|room-a|general||||2",
		},
		problems: []string{
			`minimal.json: the conference has no title: named it "tiny"`,
			"minimal.json: no domain for calendar UIDs (no conference URL with a domain name, no UID domain given): using tiny.invalid",
		},
	}, {
		file: "broken.json",
		conf: agenda.Conference{Name: "Broken Days 2023", TimeZone: "Europe/Amsterdam", First: agenda.Date{Year: 2023, Month: 5, Day: 1}, Last: agenda.Date{Year: 2023, Month: 5, Day: 2},
			UIDDomain: "broken.example.net", DayChange: 2 * time.Hour, URL: "https://broken.example.net/2023/"},
		rooms:    []agenda.Room{{ID: "aula", Name: "Aula"}},
		tracks:   []agenda.Track{{ID: "ops", Name: "Ops", Color: "#00FF00"}, {ID: "misc", Name: "Misc"}, formats.DefaultTrack},
		speakers: []agenda.Speaker{{ID: formats.KeyID("P1"), Name: "Pat"}},
		sessions: []string{
			"5|Keyed by id only|2023-05-01 07:00|07:30|aula|ops||||5",
			"dup-guid|First with the key|2023-05-01 08:00|08:30|aula|general||||6",
			formats.KeyID("E5") + "|Title with break|2023-05-01 09:00|09:45|aula|general||||0",
			formats.KeyID("E6") + "|After midnight, no date|2023-05-01 23:30|23:50|aula|general||||8",
			formats.KeyID("E8") + "|Seconds and an end|2023-05-01 11:00|11:30|aula|general||||10",
			formats.KeyID("E11") + "|Listed in Aula|2023-05-01 13:00|13:30|aula|ops||en-US|" + formats.KeyID("P1") + "|13",
			formats.KeyID("E12") + "|" + strings.Repeat("A very long title ", 16) + "A very long…|2023-05-02 08:00|08:30|aula|general|||" + formats.KeyID("P1") + "|0",
		},
		problems: []string{
			"broken.json: day 2: a JSON string, not a day object: skipped",
			`broken.json: conference track 2: track "Misc": colour "red" is not #RRGGBB`,
			"broken.json: day 1, room Aula, event 1 (id 5): no guid: the session's ID comes from its id",
			"broken.json: day 1, room Aula, event 2: no guid and no id",
			"broken.json: day 1, room Aula, event 4 (guid dup-guid): the same key as day 1, room Aula, event 3 (guid dup-guid): skipped",
			`broken.json: day 1, room Aula, event 5 (guid E5): date "2023-05-01T11:00:00" has no offset: read in Europe/Amsterdam`,
			"broken.json: day 1, room Aula, event 5 (guid E5): id 5 is also the id of day 1, room Aula, event 1 (id 5): numbered anew",
			"broken.json: day 1, room Aula, event 6 (guid E6): no usable date",
			"broken.json: day 1, room Aula, event 7 (guid E7): no title: skipped",
			"broken.json: day 1, room Aula, event 8 (guid E8): time 2023-05-01T13:00:30+02:00 has seconds: dropped",
			`broken.json: day 1, room Aula, event 8 (guid E8): end "2023-05-01T13:30:00+02:00" disagrees with duration "01:00": the end wins`,
			`broken.json: day 1, room Aula, event 9 (guid E9): duration "abc" is not HH:MM`,
			"broken.json: day 1, room Aula, event 10 (guid E10): ends (2023-05-01T14:30:00+02:00) at or before it starts",
			`broken.json: day 1, room Aula, event 11 (guid E11): its room says "Elsewhere" but it is listed under "Aula"`,
			"broken.json: day 1, room Aula, event 11 (guid E11): person 1 has no name: skipped",
			"broken.json: day 1, room Aula, event 11 (guid E11): person 2 is a JSON string: skipped",
			`broken.json: day 1, room Aula, event 11 (guid E11): speaker "Pat" is listed twice: kept once`,
			"broken.json: day 1, room Aula, event 12 (guid E12): the title is longer than 300 characters: cut",
			`broken.json: day 1, room Aula, event 12 (guid E12): language "English!" is not a BCP 47 tag`,
			`broken.json: day 1, room Aula, event 12 (guid E12): speaker ` + formats.KeyID("P1") + ` is "Patricia" here but "Pat" before: kept "Pat"`,
			`broken.json: day 1, room Aula, event 12 (guid E12): url "javascript:alert(1)" is not an http(s) URL`,
			"broken.json: day 1, room Aula, event 12 (guid E12): id -3 is not a positive whole number: numbered anew",
			"broken.json: day 1, room Aula, event 12 (guid E12): listed under day 2023-05-01 but at 2023-05-02 10:00 it belongs to conference day 2023-05-02 (days change at 02:00)",
			"broken.json: day 1, room Aula, event 13: a JSON number, not an event object: skipped",
			"broken.json: day 1, room Aula2: the room's events are a JSON object, not an array: skipped",
			"broken.json: the conference's days (2023-05-01 to 2023-05-01) do not hold every event: they run from 2023-05-01 to 2023-05-02 here",
		},
	}} {
		t.Run(tc.file, func(t *testing.T) {
			res := parse(t, tc.file, tc.opts)
			c := res.Contents
			if c.Conference != tc.conf {
				t.Errorf("conference\n got %+v\nwant %+v", c.Conference, tc.conf)
			}
			if !slices.Equal(c.Rooms, tc.rooms) {
				t.Errorf("rooms\n got %v\nwant %v", c.Rooms, tc.rooms)
			}
			if !slices.Equal(c.Tracks, tc.tracks) {
				t.Errorf("tracks\n got %v\nwant %v", c.Tracks, tc.tracks)
			}
			if !slices.Equal(c.Speakers, tc.speakers) {
				t.Errorf("speakers\n got %v\nwant %v", c.Speakers, tc.speakers)
			}
			if got := lines(c); !slices.Equal(got, tc.sessions) {
				t.Errorf("sessions\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tc.sessions, "\n     "))
			}
			got := problems(res)
			if len(got) != len(tc.problems) {
				t.Errorf("%d problems, want %d:\n%s", len(got), len(tc.problems), strings.Join(got, "\n"))
			}
			for i := range min(len(got), len(tc.problems)) {
				if !strings.HasPrefix(got[i], tc.problems[i]) {
					t.Errorf("problem %d\n got %s\nwant %s…", i+1, got[i], tc.problems[i])
				}
			}
			for _, x := range c.Sessions {
				if !x.LastModified.Equal(now) || x.Status != agenda.StatusConfirmed || x.Sequence != 0 {
					t.Errorf("session %s: LastModified %v, status %s, sequence %d; want %v, confirmed, 0", x.ID, x.LastModified, x.Status, x.Sequence, now)
				}
			}
		})
	}
}

// TestParseText checks the text of the sessions of dst.json and
// broken.json: HTML abstracts as plain text, plain text kept, abstract and
// description joined once, subtitles and URLs.
func TestParseText(t *testing.T) {
	dst := parse(t, "dst.json", formats.Options{}).Contents.Sessions
	broken := parse(t, "broken.json", formats.Options{}).Contents.Sessions
	for _, tc := range []struct {
		x                        agenda.Session
		abstract, subtitle, link string
	}{
		{dst[0], "Engines & looms.\n\nA second paragraph.", "Punched cards, then and now", "https://fall.example.org/2024/talk/101/"},
		{dst[1], "After midnight, before the clocks go back.\n\nStill day one: the day changes at 04:00.", "", "https://fall.example.org/2024/talk/102/"},
		{dst[2], "1 < 2 and 3 > 2, in plain text.", "", "https://fall.example.org/2024/talk/103/"},
		{dst[3], "Bring a laptop.", "", "https://fall.example.org/2024/talk/104/"},
		{broken[5], "", "", "https://broken.example.net/talk/e11/"},
		{broken[6], "", "", ""},
	} {
		if tc.x.Abstract != tc.abstract || tc.x.Subtitle != tc.subtitle || tc.x.URL != tc.link {
			t.Errorf("session %q: abstract %q, subtitle %q, URL %q; want %q, %q, %q", tc.x.Title, tc.x.Abstract, tc.x.Subtitle, tc.x.URL, tc.abstract, tc.subtitle, tc.link)
		}
	}
}

// TestParseDays checks the day-change rule on the days' own boundaries.
func TestParseDays(t *testing.T) {
	doc := func(dayStart, dayEnd, date string) string {
		return `{"schedule":{"version":"1","conference":{"title":"D","time_zone_name":"Europe/Berlin","days":[
			{"date":"2024-03-01",` + dayStart + dayEnd + `"rooms":{"R":[{"guid":"g1","title":"T","date":"` + date + `","duration":"00:30"}]}}]}}}`
	}
	for _, tc := range []struct {
		name, dayStart, dayEnd, date string
		want                         time.Duration
		day                          int // the conference day of the event
	}{
		{"pretalx", `"day_start":"2024-03-01T04:00:00+01:00",`, `"day_end":"2024-03-02T03:59:00+01:00",`, "2024-03-02T01:00:00+01:00", 4 * time.Hour, 1},
		{"hub, first day in UTC", `"day_start":"2024-03-01T06:00:00+00:00",`, `"day_end":"2024-03-02T06:00:00+01:00",`, "2024-03-02T05:00:00+01:00", 6 * time.Hour, 1},
		{"frab, day starts at ten", `"day_start":"2024-03-01T10:00:00+01:00",`, `"day_end":"2024-03-02T03:00:00+01:00",`, "2024-03-02T02:00:00+01:00", 3 * time.Hour, 1},
		{"calendar days", `"day_start":"2024-03-01T00:00:00+01:00",`, `"day_end":"2024-03-01T23:59:00+01:00",`, "2024-03-01T12:00:00+01:00", 0, 1},
		{"no boundaries", ``, ``, "2024-03-01T12:00:00+01:00", 0, 1},
		{"after midnight without a day change", ``, ``, "2024-03-02T01:00:00+01:00", 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := frabjson.Parse([]byte(doc(tc.dayStart, tc.dayEnd, tc.date)), formats.Options{Name: "d.json", UIDDomain: "d.example"})
			if err != nil {
				t.Fatal(err)
			}
			c := res.Contents
			if c.Conference.DayChange != tc.want {
				t.Errorf("DayChange = %v, want %v", c.Conference.DayChange, tc.want)
			}
			snap, err := agenda.NewSnapshot(c, 1, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := agenda.Date{Year: 2024, Month: 3, Day: tc.day}
			if got := snap.Day(snap.Sessions()[0]); got != want {
				t.Errorf("the event is on conference day %s, want %s", got, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		opts       formats.Options
		want       string
	}{
		{"empty", "", formats.Options{}, "x.json: empty document"},
		{"syntax", "{\n  \"schedule\": {,\n}", formats.Options{}, "x.json:2:16: not JSON"},
		{"trailing", `{"schedule":{}} {}`, formats.Options{}, "x.json:1:17: more after the JSON document"},
		{"array", `[1, 2]`, formats.Options{}, `x.json: the document is a JSON array, want an object with a "schedule"`},
		{"no schedule", `{"sessions": []}`, formats.Options{}, `x.json: no "schedule" object: not a frab schedule.json`},
		{"no conference", `{"schedule": {"version": "1"}}`, formats.Options{}, `x.json: the schedule has no "conference" object`},
		{"no zone", string(fixture(t, "minimal.json")), formats.Options{}, "x.json names no time zone"},
		{"no events", `{"schedule":{"conference":{"title":"E","time_zone_name":"UTC","days":[{"date":"2024-01-01","rooms":{}}]}}}`, formats.Options{}, "x.json: no usable event (the days list no events)"},
		{"only broken events", `{"schedule":{"conference":{"title":"E","time_zone_name":"UTC","days":[{"date":"2024-01-01","rooms":{"R":[{"guid":"a","title":"T"}]}}]}}}`,
			formats.Options{}, `x.json: no usable event (1 events, none usable; the last: day 1, room R, event 1 (guid a): neither date "" nor start ""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Name = "x.json"
			_, err := frabjson.Parse([]byte(tc.data), tc.opts)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Parse: %v\nwant an error starting %q", err, tc.want)
			}
		})
	}
}

// TestParseBadZone: a time_zone_name that is no IANA zone is reported and
// the option's zone used.
func TestParseBadZone(t *testing.T) {
	data := `{"schedule":{"conference":{"title":"Z","time_zone_name":"Berlin Time","days":[{"date":"2024-01-01","rooms":{"R":[{"guid":"a","title":"T","date":"2024-01-01T10:00:00+01:00","duration":"00:30"}]}}]}}}`
	if _, err := frabjson.Parse([]byte(data), formats.Options{Name: "z.json"}); err == nil || !strings.Contains(err.Error(), "names no time zone") {
		t.Errorf("without -time-zone: %v, want the missing zone", err)
	}
	res, err := frabjson.Parse([]byte(data), formats.Options{Name: "z.json", TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Contents.Conference.TimeZone != "Europe/Berlin" || len(res.Problems) == 0 || !strings.Contains(res.Problems[0].Reason, `"Berlin Time" is not an IANA time zone`) {
		t.Errorf("zone %s, problems %v", res.Contents.Conference.TimeZone, res.Problems)
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		data string
		want bool
	}{
		{string(fixture(t, "dst.json")), true},
		{string(fixture(t, "broken.json")), true}, // after its byte-order mark
		{`{"sessions":[],"speakers":[],"rooms":[]}`, false},
		{`{"sessions":[{"title":"schedule","description":"conference"}]}`, false}, // the names as values
		{`{"title": "schedule", "schedule" : {"conference": {}}}`, true},
		{`<?xml version="1.0"?><schedule><conference/></schedule>`, false},
		{"BEGIN:VCALENDAR\r\n", false},
		{"", false},
	} {
		if got := frabjson.Sniff([]byte(tc.data)); got != tc.want {
			t.Errorf("Sniff(%.40q) = %v, want %v", tc.data, got, tc.want)
		}
	}
}

// The organizer's -time-zone wins over the document's time_zone_name
// (pretalx may say UTC and write the venue's offsets), and the
// disagreement is reported.
func TestParseZoneOverride(t *testing.T) {
	res, err := frabjson.Parse(fixture(t, "dst.json"), formats.Options{Name: "x.json", TimeZone: "Europe/Paris", UIDDomain: "x.example"})
	if err != nil {
		t.Fatal(err)
	}
	if z := res.Contents.Conference.TimeZone; z != "Europe/Paris" {
		t.Errorf("time zone %s, want Europe/Paris", z)
	}
	found := false
	for _, p := range res.Problems {
		found = found || strings.Contains(p.Reason, "time_zone_name says Europe/Berlin")
	}
	if !found {
		t.Errorf("the overridden zone is not reported: %v", res.Problems)
	}
}

// A conference with neither title nor acronym is named after the
// document's file name, never its whole path or URL.
func TestConferenceNamedAfterDocument(t *testing.T) {
	data := []byte(`{"schedule":{"conference":{"time_zone_name":"UTC","days":[{"date":"2024-01-01","rooms":{"R":[{"guid":"f0000000-0000-4000-8000-000000000001","title":"x","date":"2024-01-01T10:00:00Z","duration":"00:30"}]}}]}}}`)
	for _, tc := range []struct {
		doc, want string
		given     bool // the caller names the conference: nothing said of this name
	}{
		{"/srv/schedules/devconf-2024.json", "devconf-2024", false},
		{"https://pretalx.example/devconf/schedule/export/schedule.json", "schedule", false},
		{"", "schedule", false},
		{"/srv/schedules/devconf-2024.json", "devconf-2024", true},
	} {
		res, err := frabjson.Parse(data, formats.Options{Name: tc.doc, Now: now, NameGiven: tc.given})
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.doc, err)
		}
		if got := res.Contents.Conference.Name; got != tc.want {
			t.Errorf("Parse(%q): conference named %q, want %q", tc.doc, got, tc.want)
		}
		said := slices.ContainsFunc(res.Problems, func(p formats.Problem) bool {
			return strings.Contains(p.Reason, fmt.Sprintf("named it %q", tc.want))
		})
		if said == tc.given {
			t.Errorf("Parse(%q), NameGiven %v: problems %v", tc.doc, tc.given, res.Problems)
		}
	}
}

// TestUIDDomainFromURL: the conference URL's host is the UID domain only
// when it is a domain name, as in schedule.xml (package frabxml's
// TestUIDDomainFromURL has the same cases): a test instance on localhost
// or a server's IP address gives the option's domain, else one under
// .invalid.
func TestUIDDomainFromURL(t *testing.T) {
	data := string(fixture(t, "dst.json"))
	urls := []string{`"base_url": "https://fall.example.org/2024/schedule/"`, `"url": "https://fall.example.org/2024/"`}
	for _, u := range urls {
		if !strings.Contains(data, u) {
			t.Fatalf("dst.json has no %s", u)
		}
	}
	for _, tc := range []struct {
		url, option, want string
	}{
		{"https://fall.example.org/2024/", "", "fall.example.org"},
		{"https://Fall.Example.org./2024/", "", "fall.example.org"},
		{"http://localhost:8080/fall/", "", "fall-conf-2024.invalid"},
		{"http://localhost:8080/fall/", "given.example", "given.example"},
		{"http://127.0.0.1/fall/", "given.example", "given.example"},
		{"http://[::1]:8080/fall/", "given.example", "given.example"},
		{"http://intranet/fall/", "given.example", "given.example"},
	} {
		doc := data
		for _, u := range urls {
			name, _, _ := strings.Cut(u, ":")
			doc = strings.Replace(doc, u, name+`: "`+tc.url+`"`, 1)
		}
		r, err := frabjson.Parse([]byte(doc), formats.Options{Name: "dst.json", UIDDomain: tc.option})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Contents.Conference.UIDDomain; got != tc.want {
			t.Errorf("url %s with the option %q: UID domain %q, want %q", tc.url, tc.option, got, tc.want)
		}
	}
}

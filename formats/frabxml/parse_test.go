package frabxml_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/frabxml"
)

// now stamps every imported session in these tests.
var now = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parse imports a document and checks that the result makes a snapshot
// and passes the Editor's rules (see editorTakes).
func parse(t testing.TB, name string, data []byte, opts formats.Options) (formats.Result, *agenda.Snapshot) {
	t.Helper()
	opts.Name = name
	if opts.Now.IsZero() {
		opts.Now = now
	}
	r, err := frabxml.Parse(data, opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	snap, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
	if err != nil {
		t.Fatalf("Parse(%s) gives contents no snapshot takes: %v", name, err)
	}
	if err := editorTakes(r.Contents); err != nil {
		t.Fatalf("Parse(%s) gives contents the Editor refuses: %v", name, err)
	}
	return r, snap
}

// editorTakes imports c as an import into a store does: reconciled into
// an agenda of the same conference without sessions, committed. The
// Editor applies the agenda's rules on text and times, which NewSnapshot
// does not.
func editorTakes(c agenda.Contents) error {
	empty, err := agenda.NewSnapshot(agenda.Contents{Conference: c.Conference}, 1, 1, nil)
	if err != nil {
		return err
	}
	e := empty.Edit("import", now)
	if _, err := e.Reconcile(c); err != nil {
		return err
	}
	_, err = e.Commit()
	return err
}

func berlin(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// want is an expected problem: the line it is reported at and words of
// its reason.
type want struct {
	line  int
	words string
}

// checkProblems checks that the problems are exactly the expected ones,
// in document order.
func checkProblems(t *testing.T, name string, got []formats.Problem, wants []want) {
	t.Helper()
	for i, p := range got {
		if i >= len(wants) {
			t.Errorf("unexpected problem %s", p)
			continue
		}
		pos := name
		if wants[i].line > 0 {
			pos = fmt.Sprintf("%s:%d", name, wants[i].line)
		}
		if p.Pos != pos || !strings.Contains(p.Reason, wants[i].words) {
			t.Errorf("problem %d = %s; want %s: …%s…", i, p, pos, wants[i].words)
		}
	}
	for _, w := range wants[min(len(got), len(wants)):] {
		t.Errorf("missing problem at line %d: …%s…", w.line, w.words)
	}
}

func TestParseFrab(t *testing.T) {
	r, snap := parse(t, "frab.xml", readFixture(t, "frab.xml"), formats.Options{})
	c := r.Contents
	wantConf := agenda.Conference{
		Name: "TinyCon 2025", TimeZone: "Europe/Berlin",
		First: agenda.Date{Year: 2025, Month: 3, Day: 29}, Last: agenda.Date{Year: 2025, Month: 3, Day: 30},
		UIDDomain: "tinycon.example", DayChange: 4 * time.Hour, URL: "https://tinycon.example/2025/",
	}
	if c.Conference != wantConf {
		t.Errorf("conference = %+v\nwant %+v", c.Conference, wantConf)
	}
	wantTracks := []agenda.Track{
		{ID: "security", Name: "Security", Color: "#A4A300"},
		{ID: "hardware-making", Name: "Hardware & Making", Color: "#685B9D"},
		{ID: "talks", Name: "Talks", Color: "#AABBCC"},
		formats.DefaultTrack,
		{ID: "undeclared-track", Name: "Undeclared Track"},
	}
	if !slices.Equal(c.Tracks, wantTracks) {
		t.Errorf("tracks = %v\nwant %v", c.Tracks, wantTracks)
	}
	wantRooms := []agenda.Room{{ID: "saal-1", Name: "Saal 1"}, {ID: "saal-2", Name: "Saal 2"}, {ID: "workshop-room", Name: "Workshop Room"}}
	if !slices.Equal(c.Rooms, wantRooms) {
		t.Errorf("rooms = %v, want %v", c.Rooms, wantRooms)
	}
	wantSpeakers := []agenda.Speaker{
		{ID: "7", Name: "Ada Lovelace"},
		{ID: "c0ffee00-1234-5678-9abc-def012345678", Name: "Grace Hopper"},
		{ID: "jorg-muller", Name: "Jörg Müller"},
	}
	if !slices.Equal(c.Speakers, wantSpeakers) {
		t.Errorf("speakers = %v, want %v", c.Speakers, wantSpeakers)
	}
	sess := func(id, title, start, end, track, room, abstract string, number int64) agenda.Session {
		return agenda.Session{ID: id, Title: title, Start: berlin(t, start), End: berlin(t, end), Track: track, Room: room,
			Abstract: abstract, Status: agenda.StatusConfirmed, LastModified: now, Number: number}
	}
	opening := sess("0f5a3c1e-6d7b-4c2a-9e8f-1a2b3c4d5e6f", "Opening & Welcome", "2025-03-29T10:00:00+01:00", "2025-03-29T10:45:00+01:00",
		"security", "saal-1", "Welcome to TinyCon.\n\nWe explain the rooms, the night programme and the code of conduct.", 101)
	opening.Subtitle, opening.Type, opening.Language = "What the weekend holds", "Talk", "en"
	opening.URL = "https://cfp.tinycon.example/tinycon25/talk/OPN101/"
	opening.Speakers = []string{"7", "c0ffee00-1234-5678-9abc-def012345678"}
	// An upper-case guid names the same event as its lower-case spelling;
	// the escaped HTML abstract and the unescaped HTML description both
	// read as text.
	markup := sess("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "Markup in abstracts", "2025-03-29T11:00:00+01:00", "2025-03-29T12:00:00+01:00",
		"general", "saal-1", "Hello & welcome.\n\n• one\n• two\n\nA longer text with bold words and a link (https://markup.example/).\n\nSecond paragraph.", 102)
	markup.Type, markup.Language, markup.Speakers = "Talk", "de", []string{"jorg-muller"}
	// After midnight, listed under the 29th, across the change to summer
	// time: 01:30 CET to 03:30 CEST is one hour.
	owls := sess("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "Night Owls", "2025-03-30T01:30:00+01:00", "2025-03-30T03:30:00+02:00",
		"hardware-making", "saal-1", "After midnight, through the clock change.", 103)
	owls.Type, owls.Language = "Party", "en"
	lower := sess("4d5e6f70-8192-4a3b-9c4d-5e6f70819203", "Lowercase track, upper-case language", "2025-03-29T10:00:00+01:00", "2025-03-29T10:30:00+01:00",
		"security", "saal-2", "", 104)
	lower.Type, lower.Language, lower.Speakers = "Lightning Talk", "en", []string{"7"}
	utc := sess("5e6f7081-92a3-4b4c-8d5e-6f7081920314", "Written in UTC", "2025-03-29T10:00:00+01:00", "2025-03-29T10:30:00+01:00",
		"talks", "saal-2", "Its date has another offset than the day's.", 105)
	utc.Type = "Talk"
	summer := sess("6f708192-a3b4-4c5d-9e6f-708192a3b4c5", "Summer Time", "2025-03-30T10:00:00+02:00", "2025-03-30T11:30:00+02:00",
		"undeclared-track", "saal-1", "The first session after the clocks went forward.", 201)
	summer.Type, summer.Language, summer.Speakers = "Talk", "en", []string{"7"}
	badge := sess("708192a3-b4c5-4d6e-8f70-8192a3b4c5d6", "Solder Your Badge", "2025-03-30T14:00:00+02:00", "2025-03-30T16:00:00+02:00",
		"hardware-making", "workshop-room", "Bring nothing; we have irons.", 202)
	badge.Type, badge.Speakers = "Workshop", []string{"c0ffee00-1234-5678-9abc-def012345678"}

	wantSessions := []agenda.Session{opening, markup, owls, lower, utc, summer, badge}
	if len(c.Sessions) != len(wantSessions) {
		t.Fatalf("%d sessions, want %d", len(c.Sessions), len(wantSessions))
	}
	for i, x := range c.Sessions {
		if !x.Equal(wantSessions[i]) {
			t.Errorf("session %d =\n%+v\nwant\n%+v", i, x, wantSessions[i])
		}
	}
	if d := snap.Day(owls); d != c.Conference.First {
		t.Errorf("%q belongs to %s, want the day it is listed under, %s", owls.Title, d, c.Conference.First)
	}
	checkProblems(t, "frab.xml", r.Problems, []want{{64, `language "de, en" names several; kept the first, "de"`}})
}

func TestParsePentabarf(t *testing.T) {
	data := readFixture(t, "pentabarf.xml")
	if _, err := frabxml.Parse(data, formats.Options{Name: "pentabarf.xml"}); err == nil || !strings.Contains(err.Error(), "pentabarf.xml names no time zone") {
		t.Errorf("Parse without a time zone: %v; want an error naming the file and asking for one", err)
	}
	r, snap := parse(t, "pentabarf.xml", data, formats.Options{TimeZone: "Europe/Brussels", UIDDomain: "tfm.example"})
	c := r.Contents
	wantConf := agenda.Conference{
		Name: "Tiny FOSS Meeting 2020", Description: "Two days of free software", TimeZone: "Europe/Brussels",
		First: agenda.Date{Year: 2020, Month: 2, Day: 1}, Last: agenda.Date{Year: 2020, Month: 2, Day: 2},
		UIDDomain: "tfm.example", DayChange: 4 * time.Hour,
	}
	if c.Conference != wantConf {
		t.Errorf("conference = %+v\nwant %+v", c.Conference, wantConf)
	}
	wantRooms := []agenda.Room{{ID: "janson", Name: "Janson"}, {ID: "h-1302-depage", Name: "H.1302 (Depage)"}, {ID: "empty-devroom", Name: "Empty Devroom"}}
	if !slices.Equal(c.Rooms, wantRooms) {
		t.Errorf("rooms = %v, want %v (a room without events is kept)", c.Rooms, wantRooms)
	}
	if want := []agenda.Track{{ID: "keynotes", Name: "Keynotes"}, {ID: "python", Name: "Python"}}; !slices.Equal(c.Tracks, want) {
		t.Errorf("tracks = %v, want %v", c.Tracks, want)
	}
	if want := []agenda.Speaker{{ID: "11", Name: "Jane Doe"}, {ID: "12", Name: "John Roe"}}; !slices.Equal(c.Speakers, want) {
		t.Errorf("speakers = %v, want %v", c.Speakers, want)
	}
	for _, tc := range []struct {
		id, start, end string
		day            int
		abstract       string
		speakers       []string
	}{
		// The abstract repeated at the start of the description is not
		// repeated; links keep their address.
		{"9001", "2020-02-01T09:30:00+01:00", "2020-02-01T10:20:00+01:00", 1, "Opening words & housekeeping.\n\nWhere to find the rooms (https://tfm.example/rooms).", []string{"11"}},
		{"9002", "2020-02-01T23:30:00+01:00", "2020-02-02T00:30:00+01:00", 1, "Hack through midnight.", []string{"12", "11"}},
		// 01:00 is before the day change (04:00): the next calendar day,
		// still the conference day it is listed under.
		{"9003", "2020-02-02T01:00:00+01:00", "2020-02-02T01:30:00+01:00", 1, "Before the day changes at four.", nil},
		{"9004", "2020-02-01T10:00:00+01:00", "2020-02-01T10:25:00+01:00", 1, "Small, very small.\n\n• first\n• second", []string{"12"}},
		{"9005", "2020-02-02T10:00:00+01:00", "2020-02-02T11:00:00+01:00", 2, "See you next year.", []string{"11"}},
	} {
		x, ok := snap.Session(tc.id)
		if !ok {
			t.Errorf("no session %s", tc.id)
			continue
		}
		if !x.Start.Equal(berlin(t, tc.start)) || !x.End.Equal(berlin(t, tc.end)) {
			t.Errorf("session %s runs %s – %s, want %s – %s", tc.id, x.Start, x.End, tc.start, tc.end)
		}
		if d := snap.Day(x); d != c.Conference.First.AddDays(tc.day-1) {
			t.Errorf("session %s is on day %s, want day %d", tc.id, d, tc.day)
		}
		if x.Abstract != tc.abstract {
			t.Errorf("session %s abstract = %q, want %q", tc.id, x.Abstract, tc.abstract)
		}
		if !slices.Equal(x.Speakers, tc.speakers) {
			t.Errorf("session %s speakers = %v, want %v", tc.id, x.Speakers, tc.speakers)
		}
		if x.Number != 0 && fmt.Sprint(x.Number) != tc.id {
			t.Errorf("session %s has number %d, want its Pentabarf id", tc.id, x.Number)
		}
	}
	checkProblems(t, "pentabarf.xml", r.Problems, nil)

	// Without a URL or a UID domain, the UID domain comes from the title,
	// and the import says so.
	r, _ = parse(t, "pentabarf.xml", data, formats.Options{TimeZone: "Europe/Brussels"})
	if got := r.Contents.Conference.UIDDomain; got != "tiny-foss-meeting-2020.invalid" {
		t.Errorf("UID domain = %q", got)
	}
	checkProblems(t, "pentabarf.xml", r.Problems, []want{{3, "calendar UIDs end in @tiny-foss-meeting-2020.invalid"}})
}

func TestParseHub(t *testing.T) {
	r, snap := parse(t, "hub.xml", readFixture(t, "hub.xml"), formats.Options{})
	c := r.Contents
	// The first day starts at 09:00 "+00:00" (10:00 in Berlin, the
	// opening), the second at 06:00: days change at 06:00.
	if c.Conference.DayChange != 6*time.Hour || c.Conference.UIDDomain != "events.congress.example" {
		t.Errorf("conference = %+v", c.Conference)
	}
	first := c.Sessions[0]
	if want := "Markdown-ish *text*, as the hub writes it.\n\nWith indented continuation lines.\n\nA [link](https://media.example/v/1) in Markdown."; first.Abstract != want {
		t.Errorf("abstract = %q, want %q", first.Abstract, want)
	}
	// The attachment's <title> inside the event is not the event's.
	if first.Title != "Tickets Gone" || first.Number != 1254 || first.Language != "de" {
		t.Errorf("first session = %+v", first)
	}
	late, _ := snap.Session("304dd87b-7de5-557c-9951-1add24396a0b")
	if d := snap.Day(late); d != c.Conference.First {
		t.Errorf("the event at 00:20 is on day %s, want %s, the day it is listed under", d, c.Conference.First)
	}
	if want := "https://events.congress.example/2099/hub/event/detail/after-midnight"; late.URL != want || late.Track != "general" {
		t.Errorf("relative URL and missing track: %q, %q; want %q, general", late.URL, late.Track, want)
	}
	if want := []agenda.Room{{ID: "one", Name: "One"}, {ID: "sendezentrum-buhne", Name: "Sendezentrum Bühne"}}; !slices.Equal(c.Rooms, want) {
		t.Errorf("rooms = %v, want %v", c.Rooms, want)
	}
	checkProblems(t, "hub.xml", r.Problems, []want{{28, `"de, en" names several`}, {86, `"en, de" names several; kept the first, "en"`}})
}

func TestParseBroken(t *testing.T) {
	r, snap := parse(t, "broken.xml", readFixture(t, "broken.xml"), formats.Options{})
	checkProblems(t, "broken.xml", r.Problems, []want{
		{9, `colour "red" is not #RRGGBB`},
		{10, `"Main Track" is declared twice`},
		{11, "<track> without a name"},
		{23, `repeats the key "11111111-1111-4111-8111-111111111111" of the event at line 15; skipped`},
		{28, "event 3 has no guid, unlike others"},
		{33, "neither a guid nor an id"},
		{38, "has no title; skipped"},
		{44, `<date> "2024-06-01 at noon" is not a date and time; the day's date and <start> 12:00 are used`},
		{50, `neither <date> "soon" nor <start> "later" is a time; skipped`},
		{57, `duration "forty minutes" is not [H]H:MM[:SS]; skipped`},
		{62, `duration "00:00" would end it when it starts; skipped`},
		{65, "shares the id 1 with the event at line 15; it gets a number of its own"},
		{70, "with seconds; kept to the minute"},
		{72, "duration 00:30:30 has seconds"},
		{75, "is listed under 2024-06-01 but starts 2024-06-03T10:00:00+02:00"},
		{85, `language "English" is not a language tag`},
		{87, "<person> without a name"},
		{89, `"Twice" is listed twice`},
		{97, `<url> "javascript:alert(1)" is not an http(s) URL`},
		{99, `"Other Name" has the key of "First Name"`},
		{110, `"In no room" is in no room`},
		{117, `day date "June 2nd" is not a date`},
		{124, `"No date, undated day" has no readable <date> and its day no date; skipped`},
		// References to characters XML forbids and "<" that start no
		// tag are mended, each reported on its line; comments and CDATA
		// are left as written.
		{136, "the character reference &#11; stands for U+000B, which XML does not allow; replaced by \" \""},
		{136, "&#x1F; stands for U+001F"},
		{136, `a "<" that starts no tag; read as text`},
		{136, `a "<" that starts no tag; read as text`},
		{136, "&#xFFFF; stands for U+FFFF, which XML does not allow; replaced by \"\uFFFD\""},
		{137, `a "<" inside an attribute value; read as text`},
		{137, "&#0; stands for U+0000"},
	})
	got := snap.SessionIDs()
	slices.Sort(got)
	wantIDs := []string{
		"11111111-1111-4111-8111-111111111111", "12121212-1212-4212-8212-121212121212", "14141414-1414-4414-8414-141414141414",
		"15151515-1515-4515-8515-151515151515", "3", "55555555-5555-4555-8555-555555555555", "99999999-9999-4999-8999-999999999999",
		"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
		"dddddddd-dddd-4ddd-8ddd-dddddddddddd", "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee",
	}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("sessions %v\nwant %v", got, wantIDs)
	}
	for _, tc := range []struct {
		id, start, end, url string
		number              int64
	}{
		{"55555555-5555-4555-8555-555555555555", "2024-06-01T12:00:00+02:00", "2024-06-01T12:30:00+02:00", "", 5},
		{"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "2024-06-01T15:00:00+02:00", "2024-06-01T15:30:00+02:00", "", 10},
		{"cccccccc-cccc-4ccc-8ccc-cccccccccccc", "2024-06-01T16:00:00+02:00", "2024-06-01T16:30:00+02:00", "https://broken.example/talk/links/", 12},
		// The repeated id 1 is the first event's; this one is numbered
		// after the highest number in use.
		{"99999999-9999-4999-8999-999999999999", "2024-06-01T14:00:00+02:00", "2024-06-01T14:30:00+02:00", "", 20},
		{"14141414-1414-4414-8414-141414141414", "2024-06-02T12:00:00+02:00", "2024-06-02T12:30:00+02:00", "", 18},
	} {
		x, _ := snap.Session(tc.id)
		if !x.Start.Equal(berlin(t, tc.start)) || !x.End.Equal(berlin(t, tc.end)) || x.URL != tc.url || x.Number != tc.number {
			t.Errorf("session %s = %s – %s, %q, number %d; want %s – %s, %q, %d", tc.id, x.Start, x.End, x.URL, x.Number, tc.start, tc.end, tc.url, tc.number)
		}
	}
	// The event listed on the wrong day makes the conference last until
	// its own date.
	if c := snap.Conference(); c.Last != (agenda.Date{Year: 2024, Month: 6, Day: 3}) || c.DayChange != 8*time.Hour {
		t.Errorf("conference = %+v", c)
	}
	for id, title := range map[string]string{
		"14141414-1414-4414-8414-141414141414": "Mended reference s <3 < < \uFFFD",
		"15151515-1515-4515-8515-151515151515": "Kept &#11; as written",
	} {
		if x, _ := snap.Session(id); x.Title != title {
			t.Errorf("session %s titled %q, want %q", id, x.Title, title)
		}
	}
	if sp, _ := snap.Speaker("7"); sp.Name != "Ann Other" {
		t.Errorf("speaker 7 = %q, want the name with its reference mended", sp.Name)
	}
	x, _ := snap.Session("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
	if !slices.Equal(x.Speakers, []string{"2", "3"}) || x.Language != "" {
		t.Errorf("speakers %v, language %q", x.Speakers, x.Language)
	}
	if sp, _ := snap.Speaker("3"); sp.Name != "First Name" {
		t.Errorf("speaker 3 = %q, want the first name given", sp.Name)
	}
}

// doc wraps events in a one-day, one-room schedule.xml.
func doc(dayAttrs, events string) []byte {
	return []byte(`<?xml version="1.0"?>
<schedule><version>1</version>
<conference><title>Inline</title><time_zone_name>Europe/Berlin</time_zone_name><url>https://inline.example/</url></conference>
<day index="1" date="2025-06-01" ` + dayAttrs + `><room name="Hall">` + events + `</room></day>
</schedule>`)
}

// event writes an event whose id is the guid's last digits.
func event(guid, date, duration, title string) string {
	return fmt.Sprintf(`<event guid="%s" id="%s"><date>%s</date><duration>%s</duration><title>%s</title></event>`,
		guid, strings.TrimLeft(guid[24:], "0"), date, duration, title)
}

func TestParseDayChange(t *testing.T) {
	const g1, g2 = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	for _, tc := range []struct {
		name   string
		data   []byte
		want   time.Duration
		report string
	}{
		{"no day start", doc("", event(g1, "2025-06-01T10:00:00+02:00", "00:30", "A")), 0, ""},
		{"pretalx 04:00 to 03:59", doc(`start="2025-06-01T04:00:00+02:00" end="2025-06-02T03:59:00+02:00"`, event(g1, "2025-06-02T01:00:00+02:00", "00:30", "A")), 4 * time.Hour, ""},
		{"start in UTC", doc(`start="2025-06-01T02:00:00Z"`, event(g1, "2025-06-01T10:00:00+02:00", "00:30", "A")), 4 * time.Hour, ""},
		{"start without offset", doc(`start="2025-06-01T05:00:00"`, event(g1, "2025-06-01T10:00:00+02:00", "00:30", "A")), 5 * time.Hour, ""},
		// The day says 06:00 but lists an event at 06:30 the next morning:
		// 07:00 is the first whole hour that keeps it on the day.
		{"event after the day change", doc(`start="2025-06-01T06:00:00+02:00"`, event(g1, "2025-06-02T06:30:00+02:00", "00:30", "Late")+event(g2, "2025-06-01T10:00:00+02:00", "00:30", "Early")),
			7 * time.Hour, "the day change 06:00 from the days' start times would move events"},
		{"starts in the afternoon", doc(`start="2025-06-01T14:00:00+02:00"`, event(g1, "2025-06-01T15:00:00+02:00", "00:30", "A")), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, snap := parse(t, "inline.xml", tc.data, formats.Options{})
			if got := r.Contents.Conference.DayChange; got != tc.want {
				t.Errorf("day change %s, want %s", got, tc.want)
			}
			for _, x := range snap.Sessions() {
				if d := snap.Day(x); d != (agenda.Date{Year: 2025, Month: 6, Day: 1}) {
					t.Errorf("%q is on day %s, want the day it is listed under", x.Title, d)
				}
			}
			if tc.report == "" {
				checkProblems(t, "inline.xml", r.Problems, nil)
			} else {
				checkProblems(t, "inline.xml", r.Problems, []want{{3, tc.report}})
			}
		})
	}
}

func TestParseAbstracts(t *testing.T) {
	for _, tc := range []struct {
		name, abstract, description, want string
	}{
		{"escaped HTML", "&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two&lt;br&gt;three&lt;/p&gt;", "", "One\n\nTwo\nthree"},
		{"HTML as elements", "<p>One <em>two</em></p><ul><li>x</li></ul>", "", "One two\n\n• x"},
		{"generics are not tags", "Option&lt;T&gt; and Map&lt;K, V&gt;", "", "Option<T> and Map<K, V>"},
		{"an ampersand is not an entity", "R&amp;D &amp; more", "", "R&D & more"},
		{"an entity is HTML", "caf&amp;eacute;", "", "café"},
		{"Markdown stays", "# Title\n\n* [a link](https://x.example/)", "", "# Title\n\n* [a link](https://x.example/)"},
		{"description only", "", "Only the description.", "Only the description."},
		{"same text twice", "Same.", " Same. ", "Same."},
		{"description repeats the abstract", "Short.", "Short. And longer.", "Short. And longer."},
		{"abstract holds the description", "Short. And longer.", "And longer.", "Short. And longer."},
		{"two texts", "Summary.", "Details.", "Summary.\n\nDetails."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := doc("", `<event guid="00000000-0000-4000-8000-000000000001"><date>2025-06-01T10:00:00+02:00</date><duration>00:30</duration><title>T</title>`+
				"<abstract>"+tc.abstract+"</abstract><description>"+tc.description+"</description></event>")
			r, _ := parse(t, "inline.xml", data, formats.Options{})
			if got := r.Contents.Sessions[0].Abstract; got != tc.want {
				t.Errorf("abstract = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	long := strings.Repeat("word ", 70) // 349 characters once trimmed
	data := doc("", `<event guid="00000000-0000-4000-8000-000000000001"><date>2025-06-01T10:00:00+02:00</date><duration>00:30</duration>`+
		"<title>"+long+"</title><subtitle>tab\tand\x01control</subtitle>"+
		"<abstract>"+strings.Repeat("x", 25000)+"</abstract>"+
		`<persons><person id="1">`+strings.Repeat("N", 120)+`</person></persons></event>`)
	r, _ := parse(t, "inline.xml", data, formats.Options{})
	x := r.Contents.Sessions[0]
	if n := len([]rune(x.Title)); n > 300 || !strings.HasSuffix(x.Title, "…") {
		t.Errorf("title of %d characters: %q", n, x.Title)
	}
	if x.Subtitle != "tab and control" {
		t.Errorf("subtitle = %q", x.Subtitle)
	}
	if n := len([]rune(x.Abstract)); n > 20000 {
		t.Errorf("abstract of %d characters", n)
	}
	if n := len([]rune(r.Contents.Speakers[0].Name)); n > 100 {
		t.Errorf("speaker name of %d characters", n)
	}
	checkProblems(t, "inline.xml", r.Problems, []want{
		{0, "1 characters that XML does not allow"},
		{4, "title of 349 characters cut to 300"},
		{4, "person's name of 120 characters cut to 100"},
		{4, "abstract and description of 25000 characters cut to 20000"},
	})
}

// References to characters XML forbids and a "<" that starts no tag,
// which encoding/xml stops at, are mended where they are and reported on
// their line, in the first event as anywhere; the rest of the document
// is read.
func TestParseMendsMarkup(t *testing.T) {
	const g1, g2 = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	for _, tc := range []struct {
		name, title, want, report string
	}{
		{"decimal reference", "&#11;Tab", "Tab", "the character reference &#11; stands for U+000B, which XML does not allow; replaced by \" \""},
		{"hex reference", "Esc&#x1b;ape", "Esc ape", "&#x1b; stands for U+001B"},
		{"reference to NUL", "A&#0;B", "A B", "&#0; stands for U+0000"},
		{"non-character", "A&#65535;", "A\uFFFD", "&#65535; stands for U+FFFF, which XML does not allow; replaced by \"\uFFFD\""},
		{"bare less-than", "a < b", "a < b", `a "<" that starts no tag; read as text`},
		{"heart", "I <3 XML", "I <3 XML", `a "<" that starts no tag; read as text`},
		{"allowed references stay", "&#9;&#x41;&#233;", "Aé", ""},
		{"upper-case X is no reference", "&#X0B;", "&#X0B;", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := doc("", "\n"+event(g1, "2025-06-01T10:00:00+02:00", "00:30", tc.title)+"\n"+event(g2, "2025-06-01T11:00:00+02:00", "00:30", "Last"))
			r, snap := parse(t, "inline.xml", data, formats.Options{})
			var wants []want
			if tc.report != "" {
				wants = append(wants, want{5, tc.report})
			}
			checkProblems(t, "inline.xml", r.Problems, wants)
			if got := snap.SessionIDs(); len(got) != 2 {
				t.Fatalf("sessions %v, want both", got)
			}
			if x, _ := snap.Session(g1); x.Title != tc.want {
				t.Errorf("title %q, want %q", x.Title, tc.want)
			}
		})
	}
}

func TestParseEncodings(t *testing.T) {
	frab := readFixture(t, "frab.xml")
	_, plain := parse(t, "frab.xml", frab, formats.Options{})
	utf16le := func(b []byte, big bool) []byte {
		u := utf16.Encode([]rune(string(b)))
		out := []byte{0xFF, 0xFE}
		if big {
			out = []byte{0xFE, 0xFF}
		}
		for _, c := range u {
			if big {
				out = append(out, byte(c>>8), byte(c))
			} else {
				out = append(out, byte(c), byte(c>>8))
			}
		}
		return out
	}
	latin1 := func(b []byte) []byte {
		var out []byte
		for _, r := range string(bytes.Replace(b, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1)) {
			out = append(out, byte(r))
		}
		return out
	}
	for name, data := range map[string][]byte{
		"UTF-8 with BOM":      append([]byte{0xEF, 0xBB, 0xBF}, frab...),
		"UTF-16LE":            utf16le(frab, false),
		"UTF-16BE":            utf16le(frab, true),
		"ISO-8859-1":          latin1(frab),
		"CRLF line ends":      bytes.ReplaceAll(frab, []byte("\n"), []byte("\r\n")),
		"no XML declaration":  frab[bytes.IndexByte(frab, '\n')+1:],
		"namespace on schema": bytes.Replace(frab, []byte("<schedule "), []byte(`<schedule xmlns="urn:example:schedule" `), 1),
	} {
		t.Run(name, func(t *testing.T) {
			if !frabxml.Sniff(data) {
				t.Error("Sniff = false")
			}
			_, snap := parse(t, "frab.xml", data, formats.Options{})
			a, b := plain.Sessions(), snap.Sessions()
			if len(a) != len(b) {
				t.Fatalf("%d sessions, want %d", len(b), len(a))
			}
			for i := range a {
				if !a[i].Equal(b[i]) {
					t.Errorf("session %d = %+v\nwant %+v", i, b[i], a[i])
				}
			}
			if !slices.Equal(plain.Speakers(), snap.Speakers()) {
				t.Errorf("speakers %v, want %v", snap.Speakers(), plain.Speakers())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const g1, g2 = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	two := string(doc("", event(g1, "2025-06-01T10:00:00+02:00", "00:30", "A")+event(g2, "2025-06-01T11:00:00+02:00", "00:30", "B")))
	cutOff := two[:strings.Index(two, "<title>B")+len("<title>B")]
	for _, tc := range []struct {
		name string
		data string
		opts formats.Options
		want string
	}{
		{"empty", "", formats.Options{}, "in.xml: no XML element"},
		{"JSON", `{"schedule": {"version": "1"}}`, formats.Options{}, "in.xml: no XML element"},
		{"another root", `<?xml version="1.0"?><feed><title>x</title></feed>`, formats.Options{}, "in.xml:1: not a schedule.xml: the root element is <feed>"},
		{"broken before the root", `<?xml version="1.0"?><!-- unterminated`, formats.Options{}, "in.xml:1: not readable as XML"},
		// XML that breaks after the root is refused whole, with its line:
		// the part before it would cancel the sessions after it.
		{"breaks partway", string(doc("", event(g1, "2025-06-01T10:00:00+02:00", "00:30", "A")+"</>"+event(g2, "2025-06-01T11:00:00+02:00", "00:30", "B"))),
			formats.Options{}, "in.xml:4: the XML breaks here (expected element name after </); nothing is imported"},
		{"cut off", cutOff, formats.Options{}, "in.xml:4: the XML breaks here (unexpected EOF); nothing is imported"},
		// The first event's title breaks: the error names the break, not
		// a title that the break made empty.
		{"breaks in the first title", string(doc("", event(g1, "2025-06-01T10:00:00+02:00", "00:30", "</>A"))),
			formats.Options{}, "in.xml:4: the XML breaks here (expected element name after </)"},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC-US"?><schedule/>`, formats.Options{}, `encoding "ebcdic-us"`},
		{"no events", `<schedule><conference><title>x</title><time_zone_name>UTC</time_zone_name></conference><day index="1" date="2025-01-01"/></schedule>`,
			formats.Options{}, "in.xml: no <event>"},
		{"no usable event", string(doc("", `<event guid="00000000-0000-4000-8000-000000000001"><title>t</title></event>`)),
			formats.Options{}, "in.xml: none of the 1 events is usable"},
		{"no zone", `<schedule><conference><title>x</title></conference></schedule>`, formats.Options{}, "in.xml names no time zone"},
		{"not a zone", `<schedule><conference><time_zone_name>CET+1</time_zone_name></conference></schedule>`, formats.Options{}, `in.xml:1: <time_zone_name> "CET+1" is not an IANA zone name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Name = "in.xml"
			_, err := frabxml.Parse([]byte(tc.data), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse = %v; want an error with %q", err, tc.want)
			}
		})
	}
	// A zone the document gets wrong, or names otherwise than the option,
	// gives way to the option's, with a report; the instants stay.
	data := doc("", event("00000000-0000-4000-8000-000000000001", "2025-06-01T10:00:00+02:00", "00:30", "A"))
	r, _ := parse(t, "inline.xml", bytes.Replace(data, []byte("Europe/Berlin"), []byte("Berlin Time"), 1), formats.Options{TimeZone: "Europe/Berlin"})
	checkProblems(t, "inline.xml", r.Problems, []want{{3, `"Berlin Time" is not an IANA zone name; the conference's zone is Europe/Berlin as given`}})
	r, snap := parse(t, "inline.xml", data, formats.Options{TimeZone: "Europe/Paris"})
	checkProblems(t, "inline.xml", r.Problems, []want{{3, "<time_zone_name> says Europe/Berlin; the conference's zone is Europe/Paris as given"}})
	if x := snap.Sessions()[0]; snap.Conference().TimeZone != "Europe/Paris" || !x.Start.Equal(berlin(t, "2025-06-01T10:00:00+02:00")) {
		t.Errorf("zone %s, start %s", snap.Conference().TimeZone, x.Start)
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want bool
	}{
		{"frab", string(readFixture(t, "frab.xml")), true},
		{"pentabarf", string(readFixture(t, "pentabarf.xml")), true},
		{"comment first", "<!-- generated -->\n<schedule/>", true},
		{"schedule.json", `{"$schema": "https://c3voc.de/schedule/schema.json", "schedule": {}}`, false},
		{"iCalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", false},
		{"HTML", "<!DOCTYPE html><html><body>schedule</body></html>", false},
		{"CSV", "id,title,start\n1,<schedule>,10:00\n", false},
		{"other XML", `<?xml version="1.0"?><rss><channel/></rss>`, false},
		{"empty", "", false},
	} {
		if got := frabxml.Sniff([]byte(tc.data)); got != tc.want {
			t.Errorf("Sniff(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A conference with no <title> and no <acronym> is named after the
// document's file name, never its whole path or URL: the name is every
// subscriber's calendar name.
func TestConferenceNamedAfterDocument(t *testing.T) {
	const g1 = "00000000-0000-4000-8000-000000000001"
	data := []byte(`<schedule><conference><time_zone_name>Europe/Berlin</time_zone_name></conference>
<day index="1" date="2025-06-01"><room name="Hall">` + event(g1, "2025-06-01T10:00:00+02:00", "00:30", "A") + `</room></day></schedule>`)
	for _, tc := range []struct {
		doc, want string
		given     bool // the caller names the conference: nothing said of this name
	}{
		{"/home/alice/Downloads/devconf-2025.xml", "devconf-2025", false},
		{"https://pretalx.example/devconf/schedule/export/schedule.xml?lang=de", "schedule", false},
		{"", "schedule", false},
		{"/home/alice/Downloads/devconf-2025.xml", "devconf-2025", true},
	} {
		r, _ := parse(t, tc.doc, data, formats.Options{NameGiven: tc.given})
		if got := r.Contents.Conference.Name; got != tc.want {
			t.Errorf("Parse(%q): conference named %q, want %q", tc.doc, got, tc.want)
		}
		said := slices.ContainsFunc(r.Problems, func(p formats.Problem) bool {
			return strings.Contains(p.Reason, fmt.Sprintf("named %q after the document", tc.want))
		})
		if said == tc.given {
			t.Errorf("Parse(%q), NameGiven %v: problems %v", tc.doc, tc.given, r.Problems)
		}
	}
}

// TestUIDDomainFromURL: the conference URL's host is the UID domain only
// when it is a domain name, as in schedule.json (package frabjson's
// TestUIDDomainFromURL has the same cases): a test instance on localhost
// or a server's IP address gives the option's domain, else one under
// .invalid.
func TestUIDDomainFromURL(t *testing.T) {
	data := string(readFixture(t, "frab.xml"))
	const url = "<url>https://tinycon.example/2025/</url>"
	if !strings.Contains(data, url) {
		t.Fatalf("frab.xml has no %s", url)
	}
	for _, tc := range []struct {
		url, option, want string
	}{
		{"https://tinycon.example/2025/", "", "tinycon.example"},
		{"https://TinyCon.Example./2025/", "", "tinycon.example"},
		{"http://localhost:8080/tinycon/", "", "tinycon-2025.invalid"},
		{"http://localhost:8080/tinycon/", "given.example", "given.example"},
		{"http://127.0.0.1/tinycon/", "given.example", "given.example"},
		{"http://[::1]:8080/tinycon/", "given.example", "given.example"},
		{"http://intranet/tinycon/", "given.example", "given.example"},
	} {
		doc := strings.Replace(data, url, "<url>"+tc.url+"</url>", 1)
		r, _ := parse(t, "frab.xml", []byte(doc), formats.Options{UIDDomain: tc.option})
		if got := r.Contents.Conference.UIDDomain; got != tc.want {
			t.Errorf("<url>%s</url> with the option %q: UID domain %q, want %q", tc.url, tc.option, got, tc.want)
		}
	}
}

// TestParseRoomDisagrees: an event is read as in the room it is listed
// under; its own <room>, when it names another, is reported, not taken
// without a word.
func TestParseRoomDisagrees(t *testing.T) {
	const g1 = "00000000-0000-4000-8000-000000000001"
	withRoom := func(room string) string {
		return strings.Replace(event(g1, "2025-06-01T10:00:00+02:00", "00:30", "A"), "<title>", "<room>"+room+"</room><title>", 1)
	}
	for _, tc := range []struct {
		name, room, report string
	}{
		{"the same room", "Hall", ""},
		{"the same but for case", "hall", ""},
		{"no room of its own", "", ""},
		{"another room", "Room B", `event "A": its <room> "Room B" is not the room "Hall" it is listed under; it is read as in "Hall"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, snap := parse(t, "inline.xml", doc("", withRoom(tc.room)), formats.Options{})
			x := snap.Sessions()
			if len(x) != 1 {
				t.Fatalf("%d sessions, want 1", len(x))
			}
			if room, _ := snap.Room(x[0].Room); room.Name != "Hall" {
				t.Errorf("the session is in %q, want Hall", room.Name)
			}
			var wants []want
			if tc.report != "" {
				wants = []want{{4, tc.report}}
			}
			checkProblems(t, "inline.xml", r.Problems, wants)
		})
	}
}

package frabxml_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/formats"
	"confcal/formats/frabxml"
	"confcal/formats/internal/formatstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// shared is the folder of samples and schemas next to the repository.
const shared = "../../../shared"

// need skips the test when path is absent, or fails it when CI=true (CI
// must run every check).
func need(t testing.TB, what, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s missing (%v); CI=true needs it", what, err)
		}
		t.Skipf("%s missing: %v", what, err)
	}
}

// validate checks doc against the official schedule.xml schema with
// xmllint (Debian libxml2-utils). Without xmllint or the schema it says
// so and lets the test go on, unless CI=true: then it fails the test.
func validate(t testing.TB, name string, doc []byte) {
	t.Helper()
	if out, ran, err := xmllint(t, name, doc); ran && err != nil {
		t.Errorf("%s does not validate against schedule.xml.xsd: %v\n%s", name, err, out)
	}
}

// xmllint runs xmllint --schema on doc; ran is false when it could not.
func xmllint(t testing.TB, name string, doc []byte) (out []byte, ran bool, err error) {
	t.Helper()
	xsd := filepath.Join(shared, "schemas", "schedule.xml.xsd")
	bin, err := exec.LookPath("xmllint")
	if err == nil {
		_, err = os.Stat(xsd)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot validate %s (%v); CI=true needs xmllint (apt-get install libxml2-utils) and %s", name, err, xsd)
		}
		t.Logf("%s not validated against the schema: %v", name, err)
		return nil, false, nil
	}
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(bin, "--noout", "--schema", xsd, file).CombinedOutput()
	return out, true, err
}

// TestSchemaRejects: the validation can fail. The frab fixture is
// invalid on purpose (a three-digit colour, an unknown element, HTML
// elements in <description>), like the real files.
func TestSchemaRejects(t *testing.T) {
	out, ran, err := xmllint(t, "frab.xml", readFixture(t, "frab.xml"))
	if ran && (err == nil || !bytes.Contains(out, []byte("'#abc' is not accepted"))) {
		t.Errorf("xmllint accepts the invalid fixture (%v):\n%s", err, out)
	}
}

// The export as a client reads it.
type xSchedule struct {
	Generator struct {
		Name string `xml:"name,attr"`
	} `xml:"generator"`
	Version    string `xml:"version"`
	Conference struct {
		Acronym  string `xml:"acronym"`
		Title    string `xml:"title"`
		Start    string `xml:"start"`
		End      string `xml:"end"`
		Days     int    `xml:"days"`
		TimeZone string `xml:"time_zone_name"`
		URL      string `xml:"url"`
		Tracks   []struct {
			Name  string `xml:"name,attr"`
			Color string `xml:"color,attr"`
			Slug  string `xml:"slug,attr"`
		} `xml:"track"`
	} `xml:"conference"`
	Days []struct {
		Index int    `xml:"index,attr"`
		Date  string `xml:"date,attr"`
		Start string `xml:"start,attr"`
		End   string `xml:"end,attr"`
		Rooms []struct {
			Name   string   `xml:"name,attr"`
			GUID   string   `xml:"guid,attr"`
			Events []xEvent `xml:"event"`
		} `xml:"room"`
	} `xml:"day"`
}

type xEvent struct {
	GUID     string `xml:"guid,attr"`
	ID       int64  `xml:"id,attr"`
	Date     string `xml:"date"`
	Start    string `xml:"start"`
	Duration string `xml:"duration"`
	Room     string `xml:"room"`
	Title    string `xml:"title"`
	Subtitle string `xml:"subtitle"`
	Track    string `xml:"track"`
	Type     string `xml:"type"`
	Language string `xml:"language"`
	Abstract string `xml:"abstract"`
	URL      string `xml:"url"`
	Persons  []struct {
		ID   string `xml:"id,attr"`
		GUID string `xml:"guid,attr"`
		Name string `xml:",chardata"`
	} `xml:"persons>person"`
}

func decodeExport(t testing.TB, doc []byte) xSchedule {
	t.Helper()
	var s xSchedule
	if err := xml.Unmarshal(doc, &s); err != nil {
		t.Fatalf("the export is not XML: %v", err)
	}
	return s
}

// events returns the export's events by title.
func (s xSchedule) events() map[string]xEvent {
	m := map[string]xEvent{}
	for _, d := range s.Days {
		for _, r := range d.Rooms {
			for _, e := range r.Events {
				m[e.Title] = e
			}
		}
	}
	return m
}

func exportOf(t testing.TB, snap *agenda.Snapshot, opts frabxml.ExportOptions) []byte {
	t.Helper()
	out, err := frabxml.Export(snap, opts)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	again, err := frabxml.Export(snap, opts)
	if err != nil || !bytes.Equal(out, again) {
		t.Fatalf("a second Export of the same snapshot differs (%v)", err)
	}
	return out
}

func TestExportGolden(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		opts    formats.Options
	}{
		{"frab.xml", formats.Options{}},
		{"pentabarf.xml", formats.Options{TimeZone: "Europe/Brussels", UIDDomain: "tfm.example"}},
		{"hub.xml", formats.Options{}},
		{"broken.xml", formats.Options{}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			_, snap := parse(t, tc.fixture, readFixture(t, tc.fixture), tc.opts)
			out := exportOf(t, snap, frabxml.ExportOptions{BaseURL: "https://confcal.example/"})
			golden := filepath.Join("testdata", strings.TrimSuffix(tc.fixture, ".xml")+".golden.xml")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./formats/frabxml -update, then read the diff)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("export differs from %s (run with -update and read the diff):\n%s", golden, out)
			}
			validate(t, tc.fixture, out)
		})
	}
}

func TestExportPentabarf(t *testing.T) {
	_, snap := parse(t, "pentabarf.xml", readFixture(t, "pentabarf.xml"), formats.Options{TimeZone: "Europe/Brussels", UIDDomain: "x.example"})
	s := decodeExport(t, exportOf(t, snap, frabxml.ExportOptions{BaseURL: "https://confcal.example"}))
	c := s.Conference
	if c.Title != "Tiny FOSS Meeting 2020" || c.Acronym != "tiny-foss-meeting-2020" || c.Start != "2020-02-01" || c.End != "2020-02-02" ||
		c.Days != 2 || c.TimeZone != "Europe/Brussels" || c.URL != "" {
		t.Errorf("conference = %+v", c)
	}
	if len(s.Days) != 2 || s.Days[0].Start != "2020-02-01T04:00:00+01:00" || s.Days[0].End != "2020-02-02T04:00:00+01:00" || s.Days[1].Index != 2 {
		t.Errorf("days = %+v", s.Days)
	}
	for _, d := range s.Days {
		var rooms []string
		for _, r := range d.Rooms {
			rooms = append(rooms, r.Name)
		}
		if got := strings.Join(rooms, ", "); got != "Janson, H.1302 (Depage), Empty Devroom" {
			t.Errorf("day %d lists the rooms %s; want every room in agenda order", d.Index, got)
		}
	}
	// A Pentabarf event has no guid: the export's is the name-based UUID
	// of its calendar UID in the URL name space (checked against Python's
	// uuid.uuid5; package frabjson makes the same), and its id is its
	// Pentabarf id.
	ev := s.events()
	welcome := ev["Welcome"]
	if welcome.GUID != "032c2024-4064-5c0f-9199-2c801776fe4c" || welcome.ID != 9001 {
		t.Errorf("Welcome: guid %s id %d", welcome.GUID, welcome.ID)
	}
	if g := s.Days[0].Rooms[0].GUID; g != "5657d23d-d7b7-5d12-8e91-fca403c1299f" {
		t.Errorf("room Janson has guid %s", g)
	}
	if welcome.URL != "https://confcal.example/sessions/9001" || welcome.Date != "2020-02-01T09:30:00+01:00" || welcome.Start != "09:30" || welcome.Duration != "00:50" {
		t.Errorf("Welcome = %+v", welcome)
	}
	if len(welcome.Persons) != 1 || welcome.Persons[0].ID != "11" || welcome.Persons[0].Name != "Jane Doe" {
		t.Errorf("Welcome's persons = %+v", welcome.Persons)
	}
	// After midnight, under the day before.
	late := ev["After Midnight"]
	if late.Date != "2020-02-02T01:00:00+01:00" || late.Start != "01:00" {
		t.Errorf("After Midnight = %+v", late)
	}
	for _, e := range s.Days[0].Rooms[0].Events {
		if e.Title == "After Midnight" {
			return
		}
	}
	t.Error("After Midnight is not under the first day")
}

// TestExportDST: day bounds and event dates carry the offset of their own
// instant on the days the clocks change.
func TestExportDST(t *testing.T) {
	_, snap := parse(t, "frab.xml", readFixture(t, "frab.xml"), formats.Options{})
	s := decodeExport(t, exportOf(t, snap, frabxml.ExportOptions{}))
	want := [][2]string{
		{"2025-03-29T04:00:00+01:00", "2025-03-30T04:00:00+02:00"},
		{"2025-03-30T04:00:00+02:00", "2025-03-31T04:00:00+02:00"},
	}
	for i, d := range s.Days {
		if d.Start != want[i][0] || d.End != want[i][1] {
			t.Errorf("day %d runs %s – %s, want %s – %s", d.Index, d.Start, d.End, want[i][0], want[i][1])
		}
	}
	ev := s.events()
	for title, w := range map[string][3]string{
		"Night Owls":     {"2025-03-30T01:30:00+01:00", "01:30", "01:00"},
		"Summer Time":    {"2025-03-30T10:00:00+02:00", "10:00", "01:30"},
		"Written in UTC": {"2025-03-29T10:00:00+01:00", "10:00", "00:30"},
	} {
		if e := ev[title]; e.Date != w[0] || e.Start != w[1] || e.Duration != w[2] {
			t.Errorf("%s: date %s start %s duration %s; want %v", title, e.Date, e.Start, e.Duration, w)
		}
	}
	// Autumn: a session from 01:30 summer time to 02:30 winter time lasts
	// two hours.
	c := agendatest.SmallContents()
	c.Conference.First, c.Conference.Last = agenda.Date{Year: 2019, Month: 10, Day: 26}, agenda.Date{Year: 2019, Month: 10, Day: 26}
	c.Conference.DayChange = 4 * time.Hour
	c.Sessions = []agenda.Session{{ID: "fall-back", Title: "Fall Back", Start: berlin(t, "2019-10-27T01:30:00+02:00"),
		End: berlin(t, "2019-10-27T02:30:00+01:00"), Track: "talks", Room: "room-1", Status: agenda.StatusConfirmed}}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := exportOf(t, snap, frabxml.ExportOptions{})
	s = decodeExport(t, out)
	if d := s.Days[0]; d.Start != "2019-10-26T04:00:00+02:00" || d.End != "2019-10-27T04:00:00+01:00" {
		t.Errorf("day runs %s – %s", d.Start, d.End)
	}
	if e := s.events()["Fall Back"]; e.Date != "2019-10-27T01:30:00+02:00" || e.Duration != "02:00" {
		t.Errorf("Fall Back: %s for %s", e.Date, e.Duration)
	}
	validate(t, "dst.xml", out)
}

func TestExportSmall(t *testing.T) {
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "42", Name: "Answer"}, {ID: "c0ffee00-1234-5678-9abc-def012345678", Name: "Grace"}, {ID: "ada", Name: "Ada"},
		{ID: "abcdef-12345678", Name: "From a Code"}}
	c.Sessions[0].Speakers = []string{"42", "c0ffee00-1234-5678-9abc-def012345678", "ada", "abcdef-12345678"}
	c.Sessions[1].Status = agenda.StatusCancelled
	c.Sessions[2].URL = "https://test.confcal.example/talks/state"
	c.Sessions[3].Number = 7
	snap, err := agenda.NewSnapshot(c, 3, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := exportOf(t, snap, frabxml.ExportOptions{BaseURL: "https://confcal.example"})
	validate(t, "small.xml", out)
	s := decodeExport(t, out)
	if s.Generator.Name != "confcal" || s.Version != "3" || s.Conference.Acronym != "test-conf-2019" {
		t.Errorf("generator %q, version %q, acronym %q", s.Generator.Name, s.Version, s.Conference.Acronym)
	}
	ev := s.events()
	if _, ok := ev["Streams Everywhere"]; ok {
		t.Error("the cancelled session is exported")
	}
	if len(ev) != 4 {
		t.Errorf("%d events, want 4", len(ev))
	}
	open := ev["Opening Keynote"]
	if open.GUID != "0bd5f0b2-aa54-550b-8df2-d9eae7502fa2" {
		t.Errorf("Opening Keynote's guid %s is not the UUID of its UID", open.GUID)
	}
	// Numbers as id, UUIDs as guid, the slug of the name as nothing, and
	// any other ID as the UUID of "speaker:" + ID + "@" + UID domain.
	want := []string{"id=42 Answer", "guid=c0ffee00-1234-5678-9abc-def012345678 Grace", " Ada", "guid=b10246c4-e6cd-5431-a0aa-b4bbb4fe0eb7 From a Code"}
	for i, p := range open.Persons {
		got := p.Name
		switch {
		case p.ID != "":
			got = "id=" + p.ID + " " + got
		case p.GUID != "":
			got = "guid=" + p.GUID + " " + got
		default:
			got = " " + got
		}
		if i >= len(want) || got != want[i] {
			t.Errorf("person %d = %q, want %q", i, got, want)
		}
	}
	if open.URL != "https://confcal.example/sessions/opening-keynote" || ev["State of State"].URL != "https://test.confcal.example/talks/state" {
		t.Errorf("URLs %q, %q", open.URL, ev["State of State"].URL)
	}
	// Numbers: the one set stays, the others follow the highest in use.
	numbers := map[int64]string{}
	for title, e := range ev {
		if other, dup := numbers[e.ID]; dup || e.ID < 1 {
			t.Errorf("%s and %s share the id %d", title, other, e.ID)
		}
		numbers[e.ID] = title
	}
	if ev["Closing Keynote"].ID != 7 {
		t.Errorf("Closing Keynote has id %d, want its number 7", ev["Closing Keynote"].ID)
	}
	if want := "Goodbye.\nSee you next year."; ev["Closing Keynote"].Abstract != want {
		t.Errorf("abstract %q, want %q", ev["Closing Keynote"].Abstract, want)
	}
}

// TestExportStable: a session keeps its guid and id through edits of its
// title, time and room, and through the numbering of sessions added
// before it.
func TestExportStable(t *testing.T) {
	before := agendatest.Small(t)
	x, _ := before.Session("late-talk")
	c := agendatest.SmallContents()
	for i := range c.Sessions {
		if c.Sessions[i].ID == "late-talk" {
			c.Sessions[i].Number = x.Number
			c.Sessions[i].Title = "Late Talk, Retitled"
			c.Sessions[i].Start, c.Sessions[i].End = agendatest.At(8, 15, 0), agendatest.At(8, 16, 0)
			c.Sessions[i].Room = "room-1"
		}
	}
	c.Sessions = append(c.Sessions, agenda.Session{ID: "early-bird", Title: "Early Bird", Start: agendatest.At(8, 8, 0), End: agendatest.At(8, 8, 30),
		Track: "talks", Room: "room-2", Status: agenda.StatusConfirmed})
	after, err := agenda.NewSnapshot(c, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := decodeExport(t, exportOf(t, before, frabxml.ExportOptions{})).events()["Late Talk"]
	moved := decodeExport(t, exportOf(t, after, frabxml.ExportOptions{})).events()["Late Talk, Retitled"]
	if old.GUID == "" || moved.GUID != old.GUID || moved.ID != old.ID {
		t.Errorf("after the edit: guid %s id %d; before: guid %s id %d", moved.GUID, moved.ID, old.GUID, old.ID)
	}
}

func TestExportErrors(t *testing.T) {
	snap := agendatest.Small(t)
	if _, err := frabxml.Export(snap, frabxml.ExportOptions{BaseURL: "ftp://confcal.example"}); err == nil {
		t.Error("Export with an ftp base URL: no error")
	}
}

// A session stored longer than the format's longest duration (before the
// agenda had agenda.MaxSessionLength) is exported with that duration: the
// document stays valid and whole, and Shortened names the session. A
// cancelled one is not exported, so not named.
func TestExportLongSession(t *testing.T) {
	for _, tc := range []struct {
		name      string
		length    time.Duration
		status    agenda.Status
		duration  string // the opening keynote's, "" when not exported
		shortened bool
	}{
		{"the longest", agenda.MaxSessionLength, agenda.StatusConfirmed, "99:59", false},
		{"100 hours", 100 * time.Hour, agenda.StatusConfirmed, "99:59", true},
		{"a week", 7 * 24 * time.Hour, agenda.StatusConfirmed, "99:59", true},
		{"cancelled", 100 * time.Hour, agenda.StatusCancelled, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := agendatest.SmallContents()
			c.Conference.Last = agenda.Date{Year: 2019, Month: 10, Day: 16}
			c.Sessions[0].End = c.Sessions[0].Start.Add(tc.length)
			c.Sessions[0].Status = tc.status
			snap, err := agenda.NewSnapshot(c, 1, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			out := exportOf(t, snap, frabxml.ExportOptions{BaseURL: base})
			validate(t, "long.xml", out)
			if got := decodeExport(t, out).events()["Opening Keynote"].Duration; got != tc.duration {
				t.Errorf("duration %q, want %q", got, tc.duration)
			}
			short := frabxml.Shortened(snap)
			if named := len(short) == 1 && short[0].ID == "opening-keynote"; named != tc.shortened || !named && len(short) != 0 {
				t.Errorf("Shortened = %v, want the keynote: %v", short, tc.shortened)
			}
		})
	}
}

// TestExportSecondsOffset exports a conference in a zone whose offset then
// had seconds (Amsterdam's summer time was +01:19:32 in 1930): the dates
// are written in UTC, schema-valid, and name the sessions' very instants
// (the agenda keeps whole minutes of UTC, 09:59:32 there), so the export
// reads back to the same times.
func TestExportSecondsOffset(t *testing.T) {
	snap, start := formatstest.SecondsOffset(t)
	out := exportOf(t, snap, frabxml.ExportOptions{BaseURL: base})
	validate(t, "amsterdam-1930.xml", out)
	s := decodeExport(t, out)
	if d := s.Days[0]; d.Start != "1930-06-09T22:40:28+00:00" || d.End != "1930-06-10T22:40:28+00:00" {
		t.Errorf("day runs %s – %s, want the local midnights in UTC", d.Start, d.End)
	}
	if e := s.events()["Old Time"]; e.Date != "1930-06-10T08:40:00+00:00" || e.Start != "09:59:32" || e.Duration != "01:00" {
		t.Errorf("Old Time: date %s start %s duration %s", e.Date, e.Start, e.Duration)
	}
	r, back := parse(t, "amsterdam-1930.xml", out, formats.Options{})
	for _, p := range r.Problems {
		if !strings.Contains(p.Reason, "calendar UIDs end in") {
			t.Errorf("re-import reports %s", p)
		}
	}
	if xs := back.Sessions(); len(xs) != 1 || !xs[0].Start.Equal(start) || !xs[0].End.Equal(start.Add(time.Hour)) {
		t.Errorf("read back: %+v, want one session %v – %v", xs, start, start.Add(time.Hour))
	}
}

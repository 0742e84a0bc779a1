package frabjson_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/formats"
	"confcal/formats/frabjson"
	"confcal/formats/internal/formatstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const base = "https://confcal.example"

// small is agendatest's small agenda with what schedule.json carries
// beyond it: speakers with every kind of key, a subtitle, a type, a
// language, a source URL, and a cancelled session.
func small(t *testing.T) *agenda.Snapshot {
	t.Helper()
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{
		{ID: "b2000000-0000-4000-8000-000000000009", Name: "Grace Hopper"},
		{ID: "42", Name: "Forty Two"},
		{ID: formats.KeyID("ABC123"), Name: "Ada Lovelace"},
		{ID: "edsger-dijkstra", Name: "Edsger Dijkstra"},
		{ID: "team-lead", Name: "Jo Lead"},
	}
	for i := range c.Sessions {
		x := &c.Sessions[i]
		switch x.ID {
		case "opening-keynote":
			x.Speakers = []string{"b2000000-0000-4000-8000-000000000009", "42", formats.KeyID("ABC123"), "edsger-dijkstra", "team-lead"}
			x.Subtitle, x.Type, x.Language, x.URL = "Welcome", "Keynote", "en", "https://test.example/keynote"
		case "streams-everywhere":
			x.Speakers = []string{formats.KeyID("ABC123")}
			x.Type, x.Language = "Talk", "de"
		case "late-talk":
			x.Status = agenda.StatusCancelled
		}
	}
	snap, err := agenda.NewSnapshot(c, 7, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// imported is a fixture imported and made a snapshot.
func imported(t *testing.T, file string, opts formats.Options) *agenda.Snapshot {
	t.Helper()
	snap, err := agenda.NewSnapshot(parse(t, file, opts).Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func export(t *testing.T, snap *agenda.Snapshot) []byte {
	t.Helper()
	out, err := frabjson.Export(snap, frabjson.ExportOptions{BaseURL: base})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return out
}

func TestExportGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		snap func(t *testing.T) *agenda.Snapshot
	}{
		{"small", small},
		{"dst", func(t *testing.T) *agenda.Snapshot { return imported(t, "dst.json", formats.Options{}) }},
		{"broken", func(t *testing.T) *agenda.Snapshot { return imported(t, "broken.json", formats.Options{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := export(t, tc.snap(t))
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update once)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("Export differs from %s (go test -update rewrites it; read the diff first):\n%s", golden, out)
			}
			if again := export(t, tc.snap(t)); !bytes.Equal(again, out) {
				t.Error("a second Export of the same snapshot gives other bytes")
			}
		})
	}
}

// TestExportOrderFree: the order sessions are given in does not change the
// bytes.
func TestExportOrderFree(t *testing.T) {
	c := small(t).Contents()
	slices.Reverse(c.Sessions)
	slices.Reverse(c.Speakers)
	snap, err := agenda.NewSnapshot(c, 7, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := export(t, small(t)), export(t, snap)
	// The speakers' order is the agenda's, which schedule.json does not
	// write: only the sessions' own speaker order is.
	if !bytes.Equal(a, b) {
		t.Error("Export depends on the order of the sessions in the snapshot's contents")
	}
}

// outDoc is what the tests read back from an export, with encoding/json.
type outDoc struct {
	Schedule struct {
		Version    string `json:"version"`
		BaseURL    string `json:"base_url"`
		Conference struct {
			Acronym  string `json:"acronym"`
			Title    string `json:"title"`
			Start    string `json:"start"`
			End      string `json:"end"`
			Days     int    `json:"daysCount"`
			Timeslot string `json:"timeslot_duration"`
			Zone     string `json:"time_zone_name"`
			Rooms    []struct {
				Name, Slug, GUID string
			} `json:"rooms"`
			Tracks []struct {
				Name, Slug, Color string
			} `json:"tracks"`
			DayList []struct {
				Index    int                         `json:"index"`
				Date     string                      `json:"date"`
				DayStart string                      `json:"day_start"`
				DayEnd   string                      `json:"day_end"`
				Rooms    map[string][]map[string]any `json:"rooms"`
			} `json:"days"`
		} `json:"conference"`
	} `json:"schedule"`
}

func readBack(t *testing.T, out []byte) outDoc {
	t.Helper()
	var d outDoc
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("the export is not JSON: %v", err)
	}
	return d
}

// TestExportDST reads the export of dst.json back: day boundaries at the
// day change with the offset of their instant, event dates with theirs,
// events under their day and room.
func TestExportDST(t *testing.T) {
	d := readBack(t, export(t, imported(t, "dst.json", formats.Options{})))
	c := d.Schedule.Conference
	if c.Acronym != "fall_conf_2024" || c.Title != "Fall Conf 2024" || c.Start != "2024-10-26" || c.End != "2024-10-27" || c.Days != 2 || c.Zone != "Europe/Berlin" || c.Timeslot != "00:15" {
		t.Errorf("conference %+v", c)
	}
	type dayWant struct{ start, end string }
	wantDays := []dayWant{{"2024-10-26T04:00:00+02:00", "2024-10-27T04:00:00+01:00"}, {"2024-10-27T04:00:00+01:00", "2024-10-28T04:00:00+01:00"}}
	if len(c.DayList) != 2 {
		t.Fatalf("%d days, want 2", len(c.DayList))
	}
	for i, w := range wantDays {
		if got := (dayWant{c.DayList[i].DayStart, c.DayList[i].DayEnd}); got != w {
			t.Errorf("day %d runs %v, want %v", i+1, got, w)
		}
	}
	for _, tc := range []struct {
		day                              int
		room                             string
		n                                int
		guid, date, start, end, duration string
	}{
		{0, "Main Hall", 1, "a1000000-0000-4000-8000-000000000002", "2024-10-27T01:30:00+02:00", "01:30", "2024-10-27T02:30:00+02:00", "01:00"},
		{1, "Main Hall", 0, "a1000000-0000-4000-8000-000000000003", "2024-10-27T10:00:00+01:00", "10:00", "2024-10-27T10:45:00+01:00", "00:45"},
		{1, "Workshop Room", 0, "a1000000-0000-4000-8000-000000000004", "2024-10-27T14:00:00+01:00", "14:00", "2024-10-27T16:00:00+01:00", "02:00"},
	} {
		evs := c.DayList[tc.day].Rooms[tc.room]
		if len(evs) <= tc.n {
			t.Errorf("day %d, room %s: %d events", tc.day+1, tc.room, len(evs))
			continue
		}
		e := evs[tc.n]
		if e["guid"] != tc.guid || e["date"] != tc.date || e["start"] != tc.start || e["end"] != tc.end || e["duration"] != tc.duration {
			t.Errorf("day %d, room %s, event %d: %v", tc.day+1, tc.room, tc.n+1, e)
		}
	}
}

// TestExportSmall reads the export of the small agenda back: the cancelled
// session left out, numbers and GUIDs, persons' keys, URLs.
func TestExportSmall(t *testing.T) {
	snap := small(t)
	d := readBack(t, export(t, snap))
	c := d.Schedule.Conference
	if d.Schedule.Version != "7" || d.Schedule.BaseURL != "" || c.Acronym != "test_conf_2019" || c.Timeslot != "00:10" {
		t.Errorf("version %q, base_url %q, acronym %q, timeslot %q", d.Schedule.Version, d.Schedule.BaseURL, c.Acronym, c.Timeslot)
	}
	events := map[string]map[string]any{}
	for _, day := range c.DayList {
		for room, evs := range day.Rooms {
			for _, e := range evs {
				if e["room"] != room {
					t.Errorf("event %v listed under room %s", e["guid"], room)
				}
				events[e["title"].(string)] = e
			}
		}
	}
	if len(events) != 4 {
		t.Errorf("%d events, want the 4 confirmed ones", len(events))
	}
	if _, ok := events["Late Talk"]; ok {
		t.Error("the cancelled session is in the export")
	}
	keynote := events["Opening Keynote"]
	if keynote == nil {
		t.Fatal("no Opening Keynote")
	}
	x, _ := snap.Session("opening-keynote")
	if keynote["guid"] != frabjson.UUID5("opening-keynote@test.confcal.example") || keynote["id"] != json.Number("1") || x.Number != 1 ||
		keynote["url"] != "https://test.example/keynote" || keynote["language"] != "en" || keynote["type"] != "Keynote" || keynote["subtitle"] != "Welcome" ||
		keynote["slug"] != "test-conf-2019-1-opening-keynote" || keynote["track"] != "Keynote" {
		t.Errorf("keynote %v", keynote)
	}
	persons, _ := json.Marshal(keynote["persons"])
	want := `[{"guid":"b2000000-0000-4000-8000-000000000009","name":"Grace Hopper"},{"id":42,"name":"Forty Two"},{"code":"ABC123","name":"Ada Lovelace"},{"name":"Edsger Dijkstra"},{"guid":"` +
		frabjson.UUID5("speaker:team-lead@test.confcal.example") + `","name":"Jo Lead"}]`
	if string(persons) != want {
		t.Errorf("persons\n got %s\nwant %s", persons, want)
	}
	if state := events["State of State"]; state["url"] != base+"/sessions/state-of-state" || state["language"] != nil {
		t.Errorf("a session without URL or language: url %v, language %v", state["url"], state["language"])
	}
}

func TestExportBaseURL(t *testing.T) {
	for _, u := range []string{"", "confcal.example", "/relative", "ftp://confcal.example"} {
		if _, err := frabjson.Export(small(t), frabjson.ExportOptions{BaseURL: u}); err == nil {
			t.Errorf("Export with base URL %q: no error", u)
		}
	}
	a, _ := frabjson.Export(small(t), frabjson.ExportOptions{BaseURL: base + "/"})
	if !bytes.Equal(a, export(t, small(t))) {
		t.Error("a trailing slash on the base URL changes the export")
	}
}

// TestExportSchema validates exports against the official schema, and
// checks that the validator does find a broken document.
// long is the small agenda over ten days with its opening keynote
// lasting 120 hours, longer than agenda.MaxSessionLength, as a store
// made before that limit may hold it.
func long(t *testing.T) *agenda.Snapshot {
	t.Helper()
	c := agendatest.SmallContents()
	c.Conference.Last = agenda.Date{Year: 2019, Month: 10, Day: 17}
	c.Sessions[0].End = c.Sessions[0].Start.Add(120 * time.Hour)
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestExportSchema(t *testing.T) {
	check := schemaCheck(t)
	cases := []struct {
		name string
		snap *agenda.Snapshot
	}{
		{"small", small(t)},
		{"dst.json", imported(t, "dst.json", formats.Options{})},
		{"broken.json", imported(t, "broken.json", formats.Options{})},
		{"pretalx-utc.json", imported(t, "pretalx-utc.json", formats.Options{})},
		{"minimal.json", imported(t, "minimal.json", formats.Options{TimeZone: "America/New_York"})},
		// Stored before sessions had a longest length: schedule.json's
		// durations have any number of hours, so it is written as it is.
		{"a session of 120 hours", long(t)},
	}
	var docs [][]byte
	for _, tc := range cases {
		out := export(t, tc.snap)
		guids(t, out)
		docs = append(docs, out)
	}
	// A broken document: no version, a duration in another form.
	broken := bytes.Replace(docs[0], []byte(`"version": "7",`), nil, 1)
	broken = bytes.Replace(broken, []byte(`"duration": "01:00"`), []byte(`"duration": "1h"`), 1)
	errs := check(t, append(docs, broken)...)
	for i, tc := range cases {
		if errs[i] != nil {
			t.Errorf("%s: %v", tc.name, errs[i])
		}
	}
	if err := errs[len(cases)]; err == nil || !strings.Contains(err.Error(), "'version' is a required property") || !strings.Contains(err.Error(), "'1h' does not match") {
		t.Errorf("the validator on a document without version and with a bad duration: %v", err)
	}
}

// guids checks what python3-jsonschema does not: every guid is a UUID,
// every date an RFC 3339 date-time.
func guids(t *testing.T, out []byte) {
	t.Helper()
	d := readBack(t, out)
	for _, r := range d.Schedule.Conference.Rooms {
		if !frabjson.IsUUID(r.GUID) {
			t.Errorf("room %s: guid %q", r.Name, r.GUID)
		}
	}
	for _, day := range d.Schedule.Conference.DayList {
		for _, s := range []string{day.DayStart, day.DayEnd} {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("day %d: %v", day.Index, err)
			}
		}
		for _, evs := range day.Rooms {
			for _, e := range evs {
				if g, _ := e["guid"].(string); !frabjson.IsUUID(g) {
					t.Errorf("event guid %q", g)
				}
				for _, f := range []string{"date", "end"} {
					if _, err := time.Parse(time.RFC3339, e[f].(string)); err != nil {
						t.Errorf("event %v: %s: %v", e["guid"], f, err)
					}
				}
			}
		}
	}
}

// roundTrip exports snap, imports the export and compares it with snap:
// the same conference, rooms, tracks and (mapped through ids and
// speakerIDs, the documented renames) the same speakers and confirmed
// sessions. The import of an export must report nothing but a made-up
// UID domain.
func roundTrip(t *testing.T, snap *agenda.Snapshot, opts formats.Options, ids, speakerIDs func(string) string) {
	t.Helper()
	out := export(t, snap)
	opts.Name, opts.Now = "export.json", now
	res, err := frabjson.Parse(out, opts)
	if err != nil {
		t.Fatalf("Parse(Export): %v", err)
	}
	for _, p := range res.Problems {
		if !strings.Contains(p.Reason, "no domain for calendar UIDs") {
			t.Errorf("Parse(Export) reports %s", p)
		}
	}
	back, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Conference() != snap.Conference() {
		t.Errorf("conference\n got %+v\nwant %+v", back.Conference(), snap.Conference())
	}
	if !slices.Equal(back.Rooms(), snap.Rooms()) {
		t.Errorf("rooms\n got %v\nwant %v", back.Rooms(), snap.Rooms())
	}
	if !slices.Equal(back.Tracks(), snap.Tracks()) {
		t.Errorf("tracks\n got %v\nwant %v", back.Tracks(), snap.Tracks())
	}
	var n int
	for _, x := range snap.Sessions() {
		if x.Status == agenda.StatusCancelled {
			continue
		}
		n++
		y, ok := back.Session(ids(x.ID))
		if !ok {
			t.Errorf("session %s (%s) is not back as %s", x.ID, x.Title, ids(x.ID))
			continue
		}
		want := x
		want.ID = ids(x.ID)
		want.Speakers = nil
		for _, s := range x.Speakers {
			want.Speakers = append(want.Speakers, speakerIDs(s))
			a, _ := snap.Speaker(s)
			if b, ok := back.Speaker(speakerIDs(s)); !ok || b.Name != a.Name {
				t.Errorf("speaker %v is back as %v", a, b)
			}
		}
		if x.URL == "" {
			want.URL = base + "/sessions/" + x.ID
		}
		want.LastModified = now
		if !y.Equal(want) {
			t.Errorf("session %s\n got %+v\nwant %+v", x.ID, y, want)
		}
	}
	if got := len(back.Sessions()); got != n {
		t.Errorf("%d sessions back, want %d", got, n)
	}
}

func same(id string) string { return id }

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts formats.Options
	}{
		{"dst.json", formats.Options{}},
		{"pretalx-utc.json", formats.Options{}},
		{"minimal.json", formats.Options{TimeZone: "America/New_York"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			roundTrip(t, imported(t, tc.file, tc.opts), tc.opts, same, same)
		})
	}
	t.Run("broken.json", func(t *testing.T) {
		// Its guids are no UUIDs ("E5"): they come back as the
		// generated guid of the session's UID, but for the session
		// keyed by its id, which the generated guid gives back.
		snap := imported(t, "broken.json", formats.Options{})
		ids := func(id string) string {
			x, _ := snap.Session(id)
			if frabjson.IsUUID(id) || id == strconv.FormatInt(x.Number, 10) {
				return id
			}
			return frabjson.UUID5(snap.UID(id))
		}
		roundTrip(t, snap, formats.Options{}, ids, same)
	})
	t.Run("small", func(t *testing.T) {
		snap := small(t)
		speakers := func(id string) string {
			if id == "team-lead" {
				return frabjson.UUID5("speaker:team-lead@test.confcal.example")
			}
			return id
		}
		ids := func(id string) string { return frabjson.UUID5(snap.UID(id)) }
		roundTrip(t, snap, formats.Options{UIDDomain: "test.confcal.example"}, ids, speakers)
	})
}

func TestUUID5(t *testing.T) {
	// Python: uuid.uuid5(uuid.NAMESPACE_URL, "x").
	if got := frabjson.UUID5("x"); got != "4cd605e7-afa2-5360-b5b9-c5e9fb5c76f4" {
		t.Errorf("UUID5(x) = %s", got)
	}
	if got := frabjson.UUID5("late-talk@test.confcal.example"); got != "81d70eb9-6f14-5fc4-a6c1-c4ec1694696d" {
		t.Errorf("UUID5(late-talk@…) = %s", got)
	}
}

// TestExportURLs: a source URL is written as an ASCII URI, or, when it is
// no http(s) URL, replaced by the session's page on this server.
func TestExportURLs(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://talks.example/bücher?x=1", "https://talks.example/b%C3%BCcher?x=1"},
		{"https://bücher.example/talk", "https://b%C3%BCcher.example/talk"}, // RFC 3986 §3.2.2 reg-name
		{"/relative/talk", base + "/sessions/opening-keynote"},
		{"mailto:team@example.org", base + "/sessions/opening-keynote"},
	} {
		c := small(t).Contents()
		c.Sessions[slices.IndexFunc(c.Sessions, func(x agenda.Session) bool { return x.ID == "opening-keynote" })].URL = tc.url
		snap, err := agenda.NewSnapshot(c, 1, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		d := readBack(t, export(t, snap))
		if got := d.Schedule.Conference.DayList[0].Rooms["Room 1"][0]["url"]; got != tc.want {
			t.Errorf("URL %q is written as %v, want %q", tc.url, got, tc.want)
		}
	}
}

// TestExportSecondsOffset exports a conference in a zone whose offset then
// had seconds (Amsterdam's summer time was +01:19:32 in 1930): the dates
// are written in UTC, so they name the sessions' very instants (the agenda
// keeps whole minutes of UTC) and read back to the same times.
func TestExportSecondsOffset(t *testing.T) {
	snap, start := formatstest.SecondsOffset(t)
	out := export(t, snap)
	days := readBack(t, out).Schedule.Conference.DayList
	if len(days) != 1 || days[0].DayStart != "1930-06-09T22:40:28+00:00" || days[0].DayEnd != "1930-06-10T22:40:28+00:00" {
		t.Fatalf("days %+v, want one from local midnight to the next, in UTC", days)
	}
	if evs := days[0].Rooms["Room 1"]; len(evs) != 1 || evs[0]["date"] != "1930-06-10T08:40:00+00:00" || evs[0]["end"] != "1930-06-10T09:40:00+00:00" {
		t.Errorf("events in Room 1: %v", evs)
	}
	res, err := frabjson.Parse(out, formats.Options{Name: "amsterdam-1930.json", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		if !strings.Contains(p.Reason, "no domain for calendar UIDs") {
			t.Errorf("re-import reports %s", p)
		}
	}
	if xs := res.Contents.Sessions; len(xs) != 1 || !xs[0].Start.Equal(start) || !xs[0].End.Equal(start.Add(time.Hour)) {
		t.Errorf("read back: %+v, want one session %v – %v", xs, start, start.Add(time.Hour))
	}
	if errs := schemaCheck(t)(t, out); errs[0] != nil {
		t.Error(errs[0])
	}
}

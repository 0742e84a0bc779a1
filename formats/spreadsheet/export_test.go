package spreadsheet_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/formats"
	"confcal/formats/spreadsheet"
	"confcal/seeds"
)

// small is agendatest's small agenda with speakers, one of them with a
// ";" in the name, a cancelled session and a title a spreadsheet would run
// as a formula.
func small(t *testing.T) *agenda.Snapshot {
	t.Helper()
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "ada", Name: "Ada Lovelace"}, {ID: "odd", Name: "Odd; Name"}}
	c.Sessions[0].Speakers = []string{"ada", "odd"}
	c.Sessions[1].Title = "=HYPERLINK(\"https://evil.example\")"
	c.Sessions[2].Status = agenda.StatusCancelled
	c.Sessions[3].URL = "https://test.confcal.example/closing"
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func export(t *testing.T, snap *agenda.Snapshot, opts spreadsheet.ExportOptions) []byte {
	t.Helper()
	out, err := spreadsheet.Export(snap, opts)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	again, err := spreadsheet.Export(snap, opts)
	if err != nil || !bytes.Equal(out, again) {
		t.Fatalf("Export is not deterministic: %v", err)
	}
	return out
}

// records reads an export with encoding/csv and checks its header.
func records(t *testing.T, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != spreadsheet.Header {
		t.Fatalf("header %q, want %q", recs[0], spreadsheet.Header)
	}
	return recs[1:]
}

func TestExportGolden(t *testing.T) {
	opts := spreadsheet.ExportOptions{BaseURL: "https://confcal.example/"}
	out := export(t, small(t), opts)
	golden(t, "small.export.csv", string(out))
	recs := records(t, out)
	if len(recs) != 4 {
		t.Fatalf("%d rows, want 4 (the cancelled session left out)", len(recs))
	}
	want := [][]string{
		{"Opening Keynote", "2019-10-08 09:00", "2019-10-08 10:00", "Room 1", "Keynote", "Ada Lovelace; Odd, Name", "Welcome, everyone; the plan for today.", "opening-keynote", "https://confcal.example/sessions/opening-keynote"},
		{"'=HYPERLINK(\"https://evil.example\")", "2019-10-08 10:30", "2019-10-08 11:10"},
	}
	for i, w := range want {
		if got := recs[i][:len(w)]; !slices.Equal(got, w) {
			t.Errorf("row %d = %q, want %q", i+1, got, w)
		}
	}
	if got := recs[3][8]; got != "https://test.confcal.example/closing" {
		t.Errorf("source URL %q not kept", got)
	}

	r := parseFile(t, "program.csv", formats.Options{TimeZone: "Europe/Berlin"})
	snap, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "program.export.csv", string(export(t, snap, opts)))

	bom := export(t, small(t), spreadsheet.ExportOptions{BOM: true})
	if !bytes.HasPrefix(bom, []byte("\uFEFFtitle,")) {
		t.Errorf("BOM export starts %q", bom[:10])
	}
	if got := records(t, bytes.TrimPrefix(bom, []byte("\uFEFF"))); got[0][8] != "" {
		t.Errorf("without a base URL the url cell is %q", got[0][8])
	}
}

func TestExportFails(t *testing.T) {
	if _, err := spreadsheet.Export(nil, spreadsheet.ExportOptions{}); err == nil {
		t.Error("Export(nil) did not fail")
	}
	for _, base := range []string{"ftp://x.example", "/relative", "https://x.example/?q=1", "http://"} {
		if _, err := spreadsheet.Export(small(t), spreadsheet.ExportOptions{BaseURL: base}); err == nil {
			t.Errorf("Export with base URL %q did not fail", base)
		}
	}
}

// same reports how a and b, two imports, differ: conference, rooms,
// tracks, speakers and every session field.
func same(t *testing.T, a, b agenda.Contents) {
	t.Helper()
	if a.Conference != b.Conference {
		t.Errorf("conference %+v, then %+v", a.Conference, b.Conference)
	}
	if !slices.Equal(a.Rooms, b.Rooms) || !slices.Equal(a.Tracks, b.Tracks) || !slices.Equal(a.Speakers, b.Speakers) {
		t.Errorf("rooms, tracks or speakers differ:\n%v %v %v\n%v %v %v", a.Rooms, a.Tracks, a.Speakers, b.Rooms, b.Tracks, b.Speakers)
	}
	if len(a.Sessions) != len(b.Sessions) {
		t.Fatalf("%d sessions, then %d", len(a.Sessions), len(b.Sessions))
	}
	for i := range a.Sessions {
		if !a.Sessions[i].Equal(b.Sessions[i]) {
			t.Errorf("session %d:\n%+v\n%+v", i, a.Sessions[i], b.Sessions[i])
		}
	}
}

// TestRoundTrip: Parse(Export(Parse(x))) is Parse(x) for every fixture,
// and exporting that gives the same bytes again.
func TestRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		if strings.Contains(name, ".export.") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			opts := formats.Options{Name: name, TimeZone: "Europe/Berlin", Now: imported}
			first := parseFile(t, name, opts)
			snap, err := agenda.NewSnapshot(first.Contents, 1, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			out := export(t, snap, spreadsheet.ExportOptions{})
			second, err := spreadsheet.Parse(out, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(second.Problems) > 0 {
				t.Errorf("problems reading the export back: %v", second.Problems)
			}
			same(t, first.Contents, second.Contents)
			snap2, err := agenda.NewSnapshot(second.Contents, 1, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			if again := export(t, snap2, spreadsheet.ExportOptions{}); !bytes.Equal(again, out) {
				t.Errorf("the second export differs from the first")
			}
		})
	}
}

// TestSeedRoundTrip exports the seed agenda and imports it back: the same
// sessions, IDs, times, rooms, tracks and abstracts.
func TestSeedRoundTrip(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := export(t, snap, spreadsheet.ExportOptions{BaseURL: "https://confcal.example"})
	if n := len(records(t, out)); n != len(snap.Sessions()) {
		t.Errorf("%d rows, want %d", n, len(snap.Sessions()))
	}
	r, err := spreadsheet.Parse(out, formats.Options{Name: "seed.csv", TimeZone: "Europe/Berlin", Now: imported})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Errorf("problems: %v", r.Problems)
	}
	back, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, have := snap.Sessions(), back.Sessions()
	if len(have) != len(want) {
		t.Fatalf("%d sessions back, want %d", len(have), len(want))
	}
	for i, w := range want {
		h := have[i]
		wr, _ := snap.Room(w.Room)
		hr, _ := back.Room(h.Room)
		wt, _ := snap.Track(w.Track)
		ht, _ := back.Track(h.Track)
		if h.ID != w.ID || h.Title != w.Title || !h.Start.Equal(w.Start) || !h.End.Equal(w.End) || h.Abstract != w.Abstract ||
			hr != wr || ht.ID != wt.ID || ht.Name != wt.Name || h.URL != "https://confcal.example/sessions/"+w.ID {
			t.Errorf("session %d:\n got %+v\nwant %+v", i, h, w)
		}
	}
	if c := back.Conference(); c.First != snap.Conference().First || c.Last != snap.Conference().Last {
		t.Errorf("days %s to %s, want %s to %s", c.First, c.Last, snap.Conference().First, snap.Conference().Last)
	}
}

// TestExportAmbiguousTimes: local times in the hour that repeats when
// clocks go back carry their offset, and read back as the same instants.
func TestExportAmbiguousTimes(t *testing.T) {
	c := agendatest.SmallContents()
	c.Conference.First = agenda.Date{Year: 2024, Month: time.October, Day: 26}
	c.Conference.Last = agenda.Date{Year: 2024, Month: time.October, Day: 27}
	at := func(h, m int) time.Time { return time.Date(2024, 10, 27, h, m, 0, 0, time.UTC) }
	c.Sessions = []agenda.Session{
		{ID: "summer", Title: "Still summer time", Start: at(0, 30), End: at(0, 50), Track: "talks", Room: "room-1", Status: agenda.StatusConfirmed, LastModified: imported},
		{ID: "winter", Title: "Winter time again", Start: at(1, 30), End: at(1, 50), Track: "talks", Room: "room-1", Status: agenda.StatusConfirmed, LastModified: imported},
		{ID: "later", Title: "After the change", Start: at(2, 30), End: at(3, 0), Track: "talks", Room: "room-2", Status: agenda.StatusConfirmed, LastModified: imported},
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := export(t, snap, spreadsheet.ExportOptions{})
	var times []string
	for _, rec := range records(t, out) {
		times = append(times, rec[1]+" "+rec[2])
	}
	want := []string{"2024-10-27 02:30+02:00 2024-10-27 02:50+02:00", "2024-10-27 02:30+01:00 2024-10-27 02:50+01:00", "2024-10-27 03:30 2024-10-27 04:00"}
	if !slices.Equal(times, want) {
		t.Errorf("times %q, want %q", times, want)
	}
	r, err := spreadsheet.Parse(out, formats.Options{Name: "dst.csv", TimeZone: "Europe/Berlin", Now: imported})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range r.Contents.Sessions {
		if !x.Start.Equal(c.Sessions[i].Start) || !x.End.Equal(c.Sessions[i].End) {
			t.Errorf("session %s: %s–%s, want %s–%s", x.ID, x.Start, x.End, c.Sessions[i].Start, c.Sessions[i].End)
		}
	}
}

// TestFormulas: text a spreadsheet would run is quoted on export and
// comes back as it was.
func TestFormulas(t *testing.T) {
	titles := []string{"=1+1", "+49 30 123", "-minus", "@mention", "'=quoted already", "'plain quote", "a=b"}
	c := agendatest.SmallContents()
	c.Sessions = c.Sessions[:1]
	c.Rooms = []agenda.Room{{ID: "room-1", Name: "=Room"}}
	c.Sessions[0].Abstract = "-- a dash line"
	for i, title := range titles {
		x := c.Sessions[0]
		x.ID, x.Title = "s"+string(rune('a'+i)), title
		x.Start = x.Start.Add(time.Duration(i) * time.Hour)
		x.End = x.End.Add(time.Duration(i) * time.Hour)
		c.Sessions = append(c.Sessions, x)
	}
	c.Sessions = c.Sessions[1:]
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := export(t, snap, spreadsheet.ExportOptions{})
	for _, rec := range records(t, out) {
		for _, cell := range []string{rec[0], rec[3], rec[6]} {
			if cell != "" && strings.IndexByte("=+-@", cell[0]) >= 0 {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	r, err := spreadsheet.Parse(out, formats.Options{Name: "f.csv", TimeZone: "Europe/Berlin", Now: imported})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range r.Contents.Sessions {
		if x.Title != titles[i] || x.Abstract != "-- a dash line" {
			t.Errorf("session %d: title %q, abstract %q; want %q", i, x.Title, x.Abstract, titles[i])
		}
	}
	if r.Contents.Rooms[0].Name != "=Room" {
		t.Errorf("room %q", r.Contents.Rooms[0].Name)
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

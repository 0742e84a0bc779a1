package frabjson_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/frabjson"
)

// The pretalx demo conference's schedule.json (../shared/samples, see its
// SOURCE.txt). The counts were taken with Python's json module, not with
// this package: 36 events (12 a day: 9 in Gray Room, 3 in Tan Room), 3
// days, 2 rooms, 2 tracks (Phased first), 27 distinct person codes.
const democon = "samples/pretalx-democon-json/schedule.json"

func TestSampleDemocon(t *testing.T) {
	data, err := os.ReadFile(shared(t, democon))
	if err != nil {
		t.Fatal(err)
	}
	if !frabjson.Sniff(data) {
		t.Error("Sniff does not know the sample")
	}
	res, err := frabjson.Parse(data, formats.Options{Name: "schedule.json", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := snap.Conference()
	if c.TimeZone != "UTC" || c.DayChange != 4*time.Hour || c.Name != "DemoCon" || c.First.String() != "2020-12-14" || c.Last.String() != "2020-12-16" {
		t.Errorf("conference %+v", c)
	}
	if n := len(snap.Sessions()); n != 36 {
		t.Errorf("%d sessions, want 36", n)
	}
	if n := len(snap.Days()); n != 3 {
		t.Errorf("%d days, want 3", n)
	}
	for _, d := range snap.Days() {
		if n := len(snap.ByDay(d)); n != 12 {
			t.Errorf("day %s: %d sessions, want 12", d, n)
		}
	}
	if rooms := snap.Rooms(); len(rooms) != 2 || rooms[0].Name != "Gray Room" || rooms[1].Name != "Tan Room" {
		t.Errorf("rooms %v", rooms)
	}
	if n := len(snap.ByRoom("gray-room")); n != 27 {
		t.Errorf("Gray Room: %d sessions, want 27", n)
	}
	if tracks := snap.Tracks(); len(tracks) != 2 || tracks[0].Name != "Phased" || tracks[1].Name != "Horizontal" {
		t.Errorf("tracks %v", tracks)
	}
	if n := len(snap.Speakers()); n != 27 {
		t.Errorf("%d speakers, want 27", n)
	}
	// The first event: 2020-12-14T09:00:00+01:00, 30 minutes, id 25.
	x, ok := snap.Session("8079583e-8321-506c-95af-fd2903a5f075")
	if !ok || !x.Start.Equal(time.Date(2020, 12, 14, 8, 0, 0, 0, time.UTC)) || x.Duration() != 30*time.Minute || x.Number != 25 ||
		x.Title != "Focused 5thgeneration hardware" || x.Type != "Talk" || x.Language != "en" || x.URL != "http://localhost/democon/talk/G9JGWY/" ||
		len(x.Speakers) != 1 || x.Speakers[0] != formats.KeyID("NQTF8Y") || !strings.HasPrefix(x.Abstract, "Brand back-end models!\n\nStation provide") {
		t.Errorf("first event %+v", x)
	}
	got := problems(res)
	want := []string{
		"schedule.json: no domain for calendar UIDs (no conference URL with a domain name, no UID domain given): using democon.invalid",
		"schedule.json: time_zone_name says UTC, but 36 event dates carry other offsets (the first: +01:00, at day 1, room Gray Room, event 1 (guid 8079583e-8321-506c-95af-fd2903a5f075)): their times come from those offsets, and calendars show them in UTC",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	for _, p := range res.Problems {
		t.Log(p)
	}
}

// TestSampleRoundTrip: the sample validates against the schema (so the
// validator reads it as the C3VOC CI does), its export validates too, and
// reads back as the same agenda with the same IDs.
func TestSampleRoundTrip(t *testing.T) {
	data, err := os.ReadFile(shared(t, democon))
	if err != nil {
		t.Fatal(err)
	}
	res, err := frabjson.Parse(data, formats.Options{Name: "schedule.json", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := export(t, snap)
	errs := schemaCheck(t)(t, data, out)
	if errs[0] != nil {
		t.Errorf("the sample itself: %v", errs[0])
	}
	if errs[1] != nil {
		t.Errorf("its export: %v", errs[1])
	}
	guids(t, out)
	roundTrip(t, snap, formats.Options{}, same, same)
}

package frabjson_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/formats"
	"confcal/formats/frabjson"
)

// TestImportKnown: an agenda's own schedule.json, edited by hand (a
// session moved, a room renamed) and imported into that agenda, is read
// under the agenda's session and speaker IDs when the import knows them
// (formats.Options.Known), though no key of the format carries a slug.
func TestImportKnown(t *testing.T) {
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "team-lead", Name: "Jo Lead"}}
	c.Sessions[0].Speakers = []string{"team-lead"}
	snap, err := agenda.NewSnapshot(c, 3, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.ReplaceAll(string(export(t, snap)), `"Room 2"`, `"Auditorium"`)
	// State of State moves from 10:30 to 12:00 the same day.
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, d := range v["schedule"].(map[string]any)["conference"].(map[string]any)["days"].([]any) {
		for _, evs := range d.(map[string]any)["rooms"].(map[string]any) {
			for _, ev := range evs.([]any) {
				if e := ev.(map[string]any); e["title"] == "State of State" {
					e["date"] = strings.Replace(e["date"].(string), "T10:30:00", "T12:00:00", 1)
					e["start"] = "12:00"
					e["end"] = strings.Replace(e["end"].(string), "T11:10:00", "T12:40:00", 1)
					moved++
				}
			}
		}
	}
	if moved != 1 {
		t.Fatalf("%d State of State events in the export", moved)
	}
	edited, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}

	read := func(opts formats.Options) *agenda.Snapshot {
		t.Helper()
		res, err := frabjson.Parse(edited, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) > 0 {
			t.Errorf("problems: %v", res.Problems)
		}
		got, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	domain := snap.Conference().UIDDomain
	opts := formats.Options{UIDDomain: domain, Known: formats.Known{UIDDomain: domain, Sessions: snap.SessionIDs(), Speakers: []string{"team-lead"}}}
	got := read(opts)
	if !slices.Equal(got.SessionIDs(), snap.SessionIDs()) {
		t.Fatalf("session IDs: %v, want the stored %v", got.SessionIDs(), snap.SessionIDs())
	}
	if x, _ := got.Session("state-of-state"); !x.Start.Equal(agendatest.At(8, 12, 0)) || x.Room != "room-2" {
		t.Errorf("State of State at %v in %q, want 12:00 in room-2 (the room's slug is kept)", x.Start, x.Room)
	}
	if p, ok := got.Speaker("team-lead"); !ok || p.Name != "Jo Lead" {
		t.Errorf("speakers %v: want team-lead", got.Speakers())
	}
	opts.Known = formats.Known{}
	if got := read(opts); slices.Contains(got.SessionIDs(), "state-of-state") || got.Speakers()[0].ID == "team-lead" {
		t.Errorf("without the stored IDs, sessions %v and speakers %v", got.SessionIDs(), got.Speakers())
	}
}

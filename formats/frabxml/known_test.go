package frabxml_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/formats"
	"confcal/formats/frabxml"
)

// storedAgenda is an agenda whose IDs no schedule.xml key carries: slugs
// for sessions, a room ID that is not its name's slug, a speaker ID that
// is not the slug of the name (the seed's kind of agenda).
func storedAgenda(t *testing.T) *agenda.Snapshot {
	t.Helper()
	c := agendatest.SmallContents()
	c.Rooms[1].ID = "hall-b"
	c.Speakers = []agenda.Speaker{{ID: "team-lead", Name: "Jo Lead"}}
	for i := range c.Sessions {
		if c.Sessions[i].Room == "room-2" {
			c.Sessions[i].Room = "hall-b"
		}
	}
	c.Sessions[0].Speakers = []string{"team-lead"}
	snap, err := agenda.NewSnapshot(c, 3, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// known is what an import into snap knows of it.
func known(snap *agenda.Snapshot) formats.Options {
	k := formats.Known{UIDDomain: snap.Conference().UIDDomain, Sessions: snap.SessionIDs()}
	for _, r := range snap.Rooms() {
		k.Rooms = append(k.Rooms, r.ID)
	}
	for _, p := range snap.Speakers() {
		k.Speakers = append(k.Speakers, p.ID)
	}
	return formats.Options{Known: k}
}

// TestImportKnown: an agenda's own export, edited by hand (a session
// moved, a room renamed) and imported into that agenda, is read under the
// agenda's IDs when the import knows them, so that reconciling sees a move
// and a rename, not a session cancelled and a new one added.
func TestImportKnown(t *testing.T) {
	snap := storedAgenda(t)
	doc := string(exportOf(t, snap, frabxml.ExportOptions{}))
	doc = strings.NewReplacer(`name="Room 2"`, `name="Auditorium"`, "<room>Room 2</room>", "<room>Auditorium</room>").Replace(doc)
	// State of State moves from 10:30 to 12:00 the same day.
	ev := regexp.MustCompile(`(?s)<event [^>]*>\s*<date>[^<]*</date>\s*<start>10:30</start>\s*<duration>00:40</duration>\s*<room>Auditorium</room>\s*<title>State of State</title>`)
	m := ev.FindString(doc)
	if m == "" {
		t.Fatalf("no State of State event in the export:\n%s", doc)
	}
	moved := strings.NewReplacer("T10:30:00", "T12:00:00", "<start>10:30</start>", "<start>12:00</start>").Replace(m)
	doc = strings.Replace(doc, m, moved, 1)

	_, got := parse(t, "edited.xml", []byte(doc), known(snap))
	if !slices.Equal(got.SessionIDs(), snap.SessionIDs()) {
		t.Fatalf("session IDs: %v, want the stored %v", got.SessionIDs(), snap.SessionIDs())
	}
	x, _ := got.Session("state-of-state")
	if want := agendatest.At(8, 12, 0); !x.Start.Equal(want) || x.Room != "hall-b" {
		t.Errorf("State of State at %v in %q, want %v in hall-b", x.Start, x.Room, want)
	}
	if r, ok := got.Room("hall-b"); !ok || r.Name != "Auditorium" {
		t.Errorf("rooms %v: want hall-b named Auditorium", got.Rooms())
	}
	if p, ok := got.Speaker("team-lead"); !ok || p.Name != "Jo Lead" {
		t.Errorf("speakers %v: want team-lead", got.Speakers())
	}
	// The keys are recognised only for the agenda they were made for.
	other := known(snap)
	other.Known.UIDDomain = "other.example"
	if _, got := parse(t, "edited.xml", []byte(doc), other); slices.Contains(got.SessionIDs(), "state-of-state") {
		t.Errorf("read under another UID domain, the sessions still got the stored IDs: %v", got.SessionIDs())
	}
	// Without them, the slugs cannot come back (the guids are one-way).
	if _, got := parse(t, "edited.xml", []byte(doc), formats.Options{UIDDomain: snap.Conference().UIDDomain}); slices.Contains(got.SessionIDs(), "state-of-state") || got.Rooms()[1].ID == "hall-b" {
		t.Errorf("without the stored IDs, sessions %v and rooms %v", got.SessionIDs(), got.Rooms())
	}
}

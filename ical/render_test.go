package ical_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var opts = ical.Options{BaseURL: "http://localhost:8080"}

func ptr[T any](v T) *T { return &v }

// editAt is the time of the test edits.
var editAt = time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)

func render(t testing.TB, snap *agenda.Snapshot, prev *ical.Rendered) *ical.Rendered {
	t.Helper()
	e, err := ical.Render(snap, opts, prev)
	if err != nil {
		t.Fatalf("Render(revision %d): %v", snap.Revision(), err)
	}
	return e
}

// edit applies one UpdateSession to snap and commits it.
func edit(t testing.TB, snap *agenda.Snapshot, id string, u agenda.SessionUpdate) *agenda.Snapshot {
	t.Helper()
	ed := snap.Edit("test", editAt)
	if err := ed.UpdateSession(id, u); err != nil {
		t.Fatalf("UpdateSession(%s): %v", id, err)
	}
	next, err := ed.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return next
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file: %s", name, firstDiff(got, want))
	}
}

func TestGolden(t *testing.T) {
	snap := agendatest.Small(t)
	e := render(t, snap, nil)
	cancelled := edit(t, snap, "late-talk", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
	ec := render(t, cancelled, e)

	obj := func(e *ical.Rendered, id string) doc {
		d, ok := object(e, id)
		if !ok {
			t.Fatalf("Object(%q) not found", id)
		}
		return d
	}
	tests := []struct {
		name string
		e    *ical.Rendered
		doc  doc
		feed bool
		ids  []string
	}{
		{"small-feed.ics", e, feed(e, ical.FeedMeta{Name: "Test Conf 2019", Description: "Every session"}, snap.SessionIDs()), true, snap.SessionIDs()},
		{"small-object.ics", e, obj(e, "streams-everywhere"), false, []string{"streams-everywhere"}},
		{"small-cancelled.ics", ec, obj(ec, "late-talk"), false, []string{"late-talk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDoc(t, tt.e, tt.doc, tt.feed, tt.ids)
			golden(t, tt.name, tt.doc.Body)
		})
	}
}

// TestEveryFeed renders every feed the web package serves (all, per
// track, per room, per day) and every object, of the small agenda, of it
// with a cancelled session and of a big one, and checks each.
func TestEveryFeed(t *testing.T) {
	small := agendatest.Small(t)
	cancelled := edit(t, small, "opening-keynote", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
	for _, snap := range []*agenda.Snapshot{small, cancelled, bigSnapshot(t)} {
		e := render(t, snap, nil)
		feeds := map[string][]string{"all": snap.SessionIDs()}
		for _, tr := range snap.Tracks() {
			feeds["track "+tr.ID] = ids(snap.ByTrack(tr.ID))
		}
		for _, r := range snap.Rooms() {
			feeds["room "+r.ID] = ids(snap.ByRoom(r.ID))
		}
		for _, d := range snap.Days() {
			feeds["day "+d.String()] = ids(snap.ByDay(d))
		}
		for name, list := range feeds {
			t.Run(name, func(t *testing.T) {
				checkDoc(t, e, feed(e, ical.FeedMeta{Name: snap.Conference().Name + " — " + name}, list), true, list)
			})
		}
		for _, id := range snap.SessionIDs() {
			t.Run("object "+id, func(t *testing.T) {
				d, ok := object(e, id)
				if !ok {
					t.Fatalf("Object(%q) not found", id)
				}
				checkDoc(t, e, d, false, []string{id})
				if !bytes.Contains(feed(e, ical.FeedMeta{}, snap.SessionIDs()).Body, ical.EventBytes(e, id)) {
					t.Errorf("the object's VEVENT bytes are not those of the feed")
				}
			})
		}
	}
}

func ids(xs []agenda.Session) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.ID
	}
	return out
}

func TestFeedSkipsUnknownAndRepeatedIDs(t *testing.T) {
	e := render(t, agendatest.Small(t), nil)
	d := feed(e, ical.FeedMeta{Name: "pick"}, []string{"late-talk", "nope", "opening-keynote", "late-talk"})
	checkDoc(t, e, d, true, []string{"late-talk", "opening-keynote"})

	empty := feed(e, ical.FeedMeta{Name: "nothing"}, nil)
	checkDoc(t, e, empty, true, nil)
	if !empty.Modified.IsZero() {
		t.Errorf("empty feed Modified = %v, want zero", empty.Modified)
	}
	if _, ok := object(e, "nope"); ok {
		t.Errorf("Object(nope) found")
	}
}

func TestFeedMetaDefaults(t *testing.T) {
	snap := agendatest.Small(t)
	e := render(t, snap, nil)
	cal := decode(t, feed(e, ical.FeedMeta{}, nil).Body)
	if got := text(t, cal.Props, "NAME"); got != snap.Conference().Name {
		t.Errorf("NAME = %q, want the conference name %q", got, snap.Conference().Name)
	}
	if got := text(t, cal.Props, "X-WR-CALDESC"); got != snap.Conference().Description {
		t.Errorf("X-WR-CALDESC = %q, want the conference description %q", got, snap.Conference().Description)
	}
	meta := ical.FeedMeta{Name: "Test Conf 2019 — Talks, day 1; \"quoted\"", Description: "line one\nline two\\"}
	cal = decode(t, feed(e, meta, nil).Body)
	for name, want := range map[string]string{"NAME": meta.Name, "X-WR-CALNAME": meta.Name, "DESCRIPTION": meta.Description, "X-WR-CALDESC": meta.Description} {
		if got := text(t, cal.Props, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	snap := agendatest.Small(t)
	a, b := render(t, snap, nil), render(t, agendatest.Small(t), nil)
	meta := ical.FeedMeta{Name: "all"}
	da, db := feed(a, meta, snap.SessionIDs()), feed(b, meta, snap.SessionIDs())
	if !bytes.Equal(da.Body, db.Body) || da.ETag != db.ETag {
		t.Errorf("two renders of the same revision differ: %s", firstDiff(da.Body, db.Body))
	}
	if dc := feed(a, ical.FeedMeta{Name: "other"}, snap.SessionIDs()); dc.ETag == da.ETag {
		t.Errorf("different bodies share ETag %s", dc.ETag)
	}
}

// TestMovedSession moves a session to another time and room: it keeps its
// UID, renders SEQUENCE+1 with the new time and room, and only it is
// re-rendered; every other session keeps its bytes.
func TestMovedSession(t *testing.T) {
	s1 := agendatest.Small(t)
	e1 := render(t, s1, nil)
	if got := ical.RenderCount(e1); got != len(s1.SessionIDs()) {
		t.Errorf("fresh render encoded %d VEVENTs, want %d", got, len(s1.SessionIDs()))
	}
	const id = "state-of-state"
	before, _ := s1.Session(id)
	s2 := edit(t, s1, id, agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))})
	e2 := render(t, s2, e1)
	if got := ical.RenderCount(e2); got != 1 {
		t.Errorf("render after one edit encoded %d VEVENTs, want 1", got)
	}

	d2, _ := object(e2, id)
	cal := checkDoc(t, e2, d2, false, []string{id})
	ev := cal.Events()[0]
	d1, _ := object(e1, id)
	old := decode(t, d1.Body).Events()[0]
	if a, b := text(t, ev.Props, "UID"), text(t, old.Props, "UID"); a != b {
		t.Errorf("UID changed from %q to %q", b, a)
	}
	if seq, err := ev.Props.Get("SEQUENCE").Int(); err != nil || seq != before.Sequence+1 {
		t.Errorf("SEQUENCE = %d (%v), want %d", seq, err, before.Sequence+1)
	}
	if loc := text(t, ev.Props, "LOCATION"); loc != "Room 1" {
		t.Errorf("LOCATION = %q, want Room 1", loc)
	}
	if start, err := ev.DateTimeStart(nil); err != nil || !start.Equal(agendatest.At(8, 14, 0)) {
		t.Errorf("DTSTART = %v (%v), want 14:00", start, err)
	}
	if stamp, _ := ev.Props.DateTime("DTSTAMP", nil); !stamp.Equal(editAt) {
		t.Errorf("DTSTAMP = %v, want the edit time %v", stamp, editAt)
	}

	fresh := render(t, s2, nil)
	for _, other := range s2.SessionIDs() {
		b1, b2 := ical.EventBytes(e1, other), ical.EventBytes(e2, other)
		if other == id {
			if bytes.Equal(b1, b2) {
				t.Errorf("%s: VEVENT bytes unchanged after the move", other)
			}
		} else if &b1[0] != &b2[0] {
			t.Errorf("%s: VEVENT re-rendered though the session did not change", other)
		}
		// Reuse must give exactly what a fresh render gives.
		if !bytes.Equal(b2, ical.EventBytes(fresh, other)) {
			t.Errorf("%s: reused VEVENT differs from a fresh render: %s", other, firstDiff(b2, ical.EventBytes(fresh, other)))
		}
	}
	all := ical.FeedMeta{Name: "all"}
	if a, b := feed(e2, all, s2.SessionIDs()), feed(fresh, all, s2.SessionIDs()); !bytes.Equal(a.Body, b.Body) {
		t.Errorf("feed from reused rendering differs from a fresh one: %s", firstDiff(a.Body, b.Body))
	}
}

// TestReuse checks what makes Render re-render: a room rename touches the
// sessions in that room; new options or no previous rendering touch all.
func TestReuse(t *testing.T) {
	s1 := agendatest.Small(t)
	e1 := render(t, s1, nil)
	ed := s1.Edit("test", editAt)
	if err := ed.RenameRoom("room-2", "Kesselhaus"); err != nil {
		t.Fatal(err)
	}
	s2, err := ed.Commit()
	if err != nil {
		t.Fatal(err)
	}
	e2 := render(t, s2, e1)
	if got, want := ical.RenderCount(e2), len(s2.ByRoom("room-2")); got != want {
		t.Errorf("room rename re-rendered %d VEVENTs, want %d", got, want)
	}
	for _, x := range s2.ByRoom("room-2") {
		d, _ := object(e2, x.ID)
		if loc := text(t, decode(t, d.Body).Events()[0].Props, "LOCATION"); loc != "Kesselhaus" {
			t.Errorf("%s: LOCATION = %q, want Kesselhaus", x.ID, loc)
		}
	}
	// An abstract edit keeps SEQUENCE but must still re-render.
	s3 := edit(t, s2, "late-talk", agenda.SessionUpdate{Abstract: ptr("New abstract.")})
	if e3 := render(t, s3, e2); ical.RenderCount(e3) != 1 {
		t.Errorf("abstract edit re-rendered %d VEVENTs, want 1", ical.RenderCount(e3))
	}
	// The same snapshot again re-renders nothing.
	if e := render(t, s2, e2); ical.RenderCount(e) != 0 {
		t.Errorf("same snapshot re-rendered %d VEVENTs, want 0", ical.RenderCount(e))
	}
	other, err := ical.Render(s2, ical.Options{BaseURL: "https://confcal.example"}, e2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ical.RenderCount(other); got != len(s2.SessionIDs()) {
		t.Errorf("new options re-rendered %d VEVENTs, want all %d", got, len(s2.SessionIDs()))
	}
	d, _ := object(other, "late-talk")
	if u, err := decode(t, d.Body).Events()[0].Props.URI("URL"); err != nil || u.String() != "https://confcal.example/sessions/late-talk" {
		t.Errorf("URL = %v (%v) after new options", u, err)
	}
}

func TestOptions(t *testing.T) {
	snap := agendatest.Small(t)
	tests := []struct {
		opts    ical.Options
		wantErr string // "" for success
		base    string
	}{
		{ical.Options{BaseURL: "http://localhost:8080"}, "", "http://localhost:8080"},
		{ical.Options{BaseURL: "https://cal.example/confcal/"}, "", "https://cal.example/confcal"},
		{ical.Options{}, "empty base URL", ""},
		{ical.Options{BaseURL: "localhost:8080"}, "not an absolute", ""},
		{ical.Options{BaseURL: "/relative"}, "not an absolute", ""},
		{ical.Options{BaseURL: "http://x.example/?a=b"}, "query", ""},
		{ical.Options{BaseURL: "http://x.example/a b"}, "blank", ""},
	}
	for _, tt := range tests {
		e, err := ical.Render(snap, tt.opts, nil)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Render(%+v): %v", tt.opts, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Render(%+v) error = %v, want one about %q", tt.opts, err, tt.wantErr)
		case err == nil:
			if got := e.Options(); got.BaseURL != tt.base || got.ProdID != ical.DefaultProdID {
				t.Errorf("Render(%+v).Options() = %+v, want base %q and the default PRODID", tt.opts, got, tt.base)
			}
		}
	}
	if _, err := ical.Render(nil, opts, nil); err == nil {
		t.Errorf("Render(nil) succeeded")
	}
	e, err := ical.Render(snap, ical.Options{BaseURL: "http://x.example", ProdID: "-//Test//Test//EN"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := object(e, "late-talk")
	if got := text(t, decode(t, d.Body).Props, "PRODID"); got != "-//Test//Test//EN" {
		t.Errorf("PRODID = %q, want the one from the options", got)
	}
}

func TestNoLastModified(t *testing.T) {
	c := agendatest.SmallContents()
	c.Sessions[2].LastModified = time.Time{}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ical.Render(snap, opts, nil)
	if err == nil || !strings.Contains(err.Error(), c.Sessions[2].ID) {
		t.Errorf("Render with a zero LastModified: error = %v, want one naming %q", err, c.Sessions[2].ID)
	}
}

// A session's DESCRIPTION names its speakers after the abstract; renaming a
// speaker renders the event again, and only the speaker's.
func TestSpeakersInDescription(t *testing.T) {
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "ada", Name: "Ada Lovelace"}, {ID: "alan", Name: "Alan Turing"}}
	c.Sessions[4].Speakers = []string{"ada", "alan"} // late-talk
	c.Sessions[4].Subtitle = "A subtitle"
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := ical.Options{BaseURL: "https://confcal.example"}
	e1, err := ical.Render(snap, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := object(e1, "late-talk")
	want := "A subtitle\n\nA talk, with commas; and semicolons\\backslashes.\n\nSpeakers: Ada Lovelace, Alan Turing"
	if got := text(t, decode(t, d.Body).Events()[0].Props, "DESCRIPTION"); got != want {
		t.Errorf("DESCRIPTION = %q, want %q", got, want)
	}
	ed := snap.Edit("test", time.Date(2019, 10, 2, 9, 0, 0, 0, time.UTC))
	if err := ed.RenameSpeaker("alan", "A. M. Turing"); err != nil {
		t.Fatal(err)
	}
	snap2, err := ed.Commit()
	if err != nil {
		t.Fatal(err)
	}
	e2, err := ical.Render(snap2, opts, e1)
	if err != nil {
		t.Fatal(err)
	}
	if n := ical.RenderCount(e2); n != 1 {
		t.Errorf("a speaker's rename rendered %d events, want 1", n)
	}
	d2, _ := object(e2, "late-talk")
	if got := text(t, decode(t, d2.Body).Events()[0].Props, "DESCRIPTION"); !strings.HasSuffix(got, "Speakers: Ada Lovelace, A. M. Turing") {
		t.Errorf("DESCRIPTION after the rename = %q", got)
	}
}

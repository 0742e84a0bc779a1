package ics_test

import (
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/formats"
	"confcal/formats/ics"
	"confcal/ical"
	"confcal/seeds"
)

// feed renders every session of snap as confcal publishes it.
func feed(t *testing.T, snap *agenda.Snapshot) []byte {
	t.Helper()
	ed, err := ical.Render(snap, ical.Options{BaseURL: "https://confcal.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range snap.Sessions() {
		ids = append(ids, x.ID)
	}
	return ed.Calendar(ical.FeedMeta{}, ids).Bytes()
}

// TestOwnFeed imports confcal's own feed of the seed agenda: the same
// sessions come back, with the same IDs when the import is given the
// agenda's UID domain, and with the same rooms, tracks and conference.
func TestOwnFeed(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	conf := snap.Conference()
	data := feed(t, snap)
	r, err := ics.Parse(data, formats.Options{Name: "seed.ics", UIDDomain: conf.UIDDomain, Now: imported})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Errorf("problems importing confcal's own feed: %v", r.Problems)
	}
	back, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := back.Conference()
	if got.Name != conf.Name || got.Description != conf.Description || got.TimeZone != conf.TimeZone ||
		got.UIDDomain != conf.UIDDomain || got.First != conf.First || got.Last != conf.Last {
		t.Errorf("conference = %+v, want %+v", got, conf)
	}
	want := snap.Sessions()
	have := back.Sessions()
	if len(have) != len(want) {
		t.Fatalf("%d sessions back, want %d", len(have), len(want))
	}
	for i, w := range want {
		h := have[i]
		wr, _ := snap.Room(w.Room)
		hr, _ := back.Room(h.Room)
		wt, _ := snap.Track(w.Track)
		ht, _ := back.Track(h.Track)
		if h.ID != w.ID || h.Title != w.Title || !h.Start.Equal(w.Start) || !h.End.Equal(w.End) ||
			h.Abstract != w.Abstract || hr != wr || ht.ID != wt.ID || ht.Name != wt.Name ||
			h.URL != "https://confcal.example/sessions/"+w.ID {
			t.Errorf("session %d:\n got %+v in %+v, %+v\nwant %+v in %+v, %+v", i, h, hr, ht, w, wr, wt)
		}
	}
	if got, want := len(back.Rooms()), len(snap.Rooms()); got != want {
		t.Errorf("%d rooms, want %d", got, want)
	}
	if got, want := len(back.Tracks()), len(snap.Tracks()); got != want {
		t.Errorf("%d tracks, want %d", got, want)
	}

	// Without the UID domain the feed's UIDs still say it: the same IDs
	// and UID domain come back, so a re-export has the same UIDs.
	r2, err := ics.Parse(data, formats.Options{Name: "seed.ics", Now: imported})
	if err != nil {
		t.Fatal(err)
	}
	if got := r2.Contents.Conference.UIDDomain; got != conf.UIDDomain {
		t.Errorf("without the UID domain, the UID domain is %q, want %q", got, conf.UIDDomain)
	}
	for i, x := range r2.Contents.Sessions {
		if x.ID != want[i].ID {
			t.Errorf("without the UID domain, session %q gets ID %q", want[i].ID, x.ID)
		}
	}
}

// TestOwnFeedCancelled: a cancelled session in confcal's feed
// (STATUS:CANCELLED, "Cancelled: " title) is left out and reported.
func TestOwnFeedCancelled(t *testing.T) {
	c := agendatest.SmallContents()
	c.Sessions[2].Status = agenda.StatusCancelled
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ics.Parse(feed(t, snap), formats.Options{Name: "small.ics", UIDDomain: c.Conference.UIDDomain, Now: imported})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Contents.Sessions) != len(c.Sessions)-1 {
		t.Errorf("%d sessions, want %d", len(r.Contents.Sessions), len(c.Sessions)-1)
	}
	for _, x := range r.Contents.Sessions {
		if x.ID == c.Sessions[2].ID {
			t.Errorf("cancelled session %q imported", x.ID)
		}
	}
	if len(r.Problems) != 1 || r.Problems[0].Reason != "cancelled (STATUS:CANCELLED): skipped" {
		t.Errorf("problems = %v, want one for the cancelled session", r.Problems)
	}
}

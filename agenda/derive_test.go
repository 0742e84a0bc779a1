package agenda_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// view is everything a snapshot answers about its sessions, for comparing
// a revision made by an edit with the same revision built from scratch.
type view struct {
	Sessions                     []agenda.Session
	ByTrack, ByRoom, BySpeaker   map[string][]string
	ByDay                        map[agenda.Date][]string
	Tracks                       []agenda.Track
	Rooms                        []agenda.Room
	Speakers                     []agenda.Speaker
	Marks                        map[string]agenda.Mark
	Changed                      agenda.Mark
	Revision, Base               int64
	LookUps                      map[string]bool
	TrackFound, RoomFound, Found map[string]bool
}

func ids(ss []agenda.Session) []string {
	var out []string
	for _, x := range ss {
		out = append(out, x.ID)
	}
	return out
}

func viewOf(s *agenda.Snapshot) view {
	v := view{Sessions: s.Sessions(), ByTrack: map[string][]string{}, ByRoom: map[string][]string{}, BySpeaker: map[string][]string{},
		ByDay: map[agenda.Date][]string{}, Tracks: s.Tracks(), Rooms: s.Rooms(), Speakers: s.Speakers(),
		Marks: map[string]agenda.Mark{}, Changed: s.Changed(), Revision: s.Revision(), Base: s.BaseRevision(),
		LookUps: map[string]bool{}, TrackFound: map[string]bool{}, RoomFound: map[string]bool{}, Found: map[string]bool{}}
	for i := range v.Sessions {
		// Compared as instants: a rebuilt snapshot loads its own zone.
		x := &v.Sessions[i]
		x.Start, x.End = x.Start.UTC(), x.End.UTC()
	}
	for _, t := range v.Tracks {
		v.ByTrack[t.ID] = ids(s.ByTrack(t.ID))
		_, v.TrackFound[t.ID] = s.Track(t.ID)
		v.Marks["track "+t.ID] = s.TrackChanged(t.ID)
	}
	for _, r := range v.Rooms {
		v.ByRoom[r.ID] = ids(s.ByRoom(r.ID))
		_, v.RoomFound[r.ID] = s.Room(r.ID)
		v.Marks["room "+r.ID] = s.RoomChanged(r.ID)
	}
	for _, p := range v.Speakers {
		v.BySpeaker[p.ID] = ids(s.BySpeaker(p.ID))
		_, v.Found[p.ID] = s.Speaker(p.ID)
		v.Marks["speaker "+p.ID] = s.SpeakerChanged(p.ID)
	}
	for _, d := range s.Days() {
		v.ByDay[d] = ids(s.ByDay(d))
	}
	for _, x := range v.Sessions {
		got, ok := s.Session(x.ID)
		v.LookUps[x.ID] = ok && got.ID == x.ID
		v.Marks["session "+x.ID] = s.SessionChanged(x.ID)
	}
	return v
}

// TestEditMatchesRebuild checks that each kind of edit makes the revision
// that building it from scratch (NewSnapshot of its contents and log)
// makes: the shared sessions, lists and look-ups of an edited revision
// answer as a fresh one does, and the revision before it is unchanged.
func TestEditMatchesRebuild(t *testing.T) {
	at := time.Date(2019, 9, 20, 8, 0, 0, 0, time.UTC)
	cancelled := agenda.StatusCancelled
	for _, tc := range []struct {
		name string
		edit func(*agenda.Editor) error
	}{
		{"title", func(e *agenda.Editor) error {
			return e.UpdateSession("state-of-state", agenda.SessionUpdate{Title: ptr("State of the State")})
		}},
		{"move later", func(e *agenda.Editor) error {
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Start: ptr(agendatest.At(9, 9, 0)), End: ptr(agendatest.At(9, 10, 0))})
		}},
		{"room", func(e *agenda.Editor) error {
			return e.UpdateSession("streams-everywhere", agenda.SessionUpdate{Room: ptr("room-2"), Force: true})
		}},
		{"track", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Track: ptr("keynote")})
		}},
		{"cancel", func(e *agenda.Editor) error {
			return e.UpdateSession("closing-keynote", agenda.SessionUpdate{Status: &cancelled})
		}},
		{"speakers", func(e *agenda.Editor) error {
			if err := e.AddSpeaker(agenda.Speaker{ID: "ada", Name: "Ada"}); err != nil {
				return err
			}
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Speakers: &[]string{"ada"}})
		}},
		{"rename speaker", func(e *agenda.Editor) error {
			if err := e.AddSpeaker(agenda.Speaker{ID: "ada", Name: "Ada"}); err != nil {
				return err
			}
			if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Speakers: &[]string{"ada"}}); err != nil {
				return err
			}
			return e.RenameSpeaker("ada", "Ada L.")
		}},
		{"add room and move there", func(e *agenda.Editor) error {
			if err := e.AddRoom(agenda.Room{ID: "annex", Name: "Annex"}); err != nil {
				return err
			}
			return e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("annex")})
		}},
		{"rename room", func(e *agenda.Editor) error { return e.RenameRoom("room-1", "Main Hall") }},
		{"add track and session", func(e *agenda.Editor) error {
			if err := e.AddTrack(agenda.Track{ID: "demo", Name: "Demo", Color: "#123456"}); err != nil {
				return err
			}
			return e.AddSession(agenda.Session{ID: "demo-1", Title: "Demo", Start: agendatest.At(8, 7, 0), End: agendatest.At(8, 8, 0),
				Track: "demo", Room: "room-2"}, false)
		}},
		{"two sessions, one twice", func(e *agenda.Editor) error {
			if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Abstract: ptr("Now with an abstract.")}); err != nil {
				return err
			}
			if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Start: ptr(agendatest.At(8, 8, 0)), End: ptr(agendatest.At(8, 8, 30))}); err != nil {
				return err
			}
			return e.UpdateSession("state-of-state", agenda.SessionUpdate{Title: ptr("State")})
		}},
		{"import", func(e *agenda.Editor) error {
			c := agendatest.SmallContents()
			c.Sessions = c.Sessions[1:]
			c.Sessions[0].Title = "Streams, Everywhere"
			c.Speakers = []agenda.Speaker{{ID: "bo", Name: "Bo"}}
			c.Sessions[1].Speakers = []string{"bo"}
			_, err := e.Import(c, true)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := agendatest.Small(t)
			// Two earlier revisions, so the edit starts from a derived one.
			for i := range 2 {
				e := base.Edit("test", at.Add(time.Duration(i)*time.Minute))
				if err := e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: ptr(fmt.Sprint("Take ", i))}); err != nil {
					t.Fatal(err)
				}
				var err error
				if base, err = e.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			before := viewOf(base)
			e := base.Edit("test", at.Add(time.Hour))
			if err := tc.edit(e); err != nil {
				t.Fatal(err)
			}
			next, err := e.Commit()
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := agenda.NewSnapshot(next.Contents(), next.Revision(), next.BaseRevision(), next.Log())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := viewOf(next), viewOf(fresh); !reflect.DeepEqual(got, want) {
				t.Errorf("edited revision differs from the rebuilt one:\n got  %+v\n want %+v", got, want)
			}
			if after := viewOf(base); !reflect.DeepEqual(after, before) {
				t.Errorf("the edit changed the revision before it:\n got  %+v\n want %+v", after, before)
			}
			// And the revision after it, made from both, is the same too.
			for _, s := range []*agenda.Snapshot{next, fresh} {
				e := s.Edit("test", at.Add(2*time.Hour))
				if err := e.UpdateSession("streams-everywhere", agenda.SessionUpdate{Start: ptr(agendatest.At(9, 13, 0)), End: ptr(agendatest.At(9, 13, 40))}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.Commit(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestEditsOfOneRevision checks that two edits of the same revision (the
// second one stale) each keep their own log: the second does not write
// over the entries of the first.
func TestEditsOfOneRevision(t *testing.T) {
	base := agendatest.Small(t)
	at := time.Date(2019, 9, 20, 8, 0, 0, 0, time.UTC)
	commit := func(title string) *agenda.Snapshot {
		t.Helper()
		e := base.Edit("test", at)
		if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
		s, err := e.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Room in the base's log first, so that the first edit appends in place.
	for range 3 {
		base = commit(fmt.Sprint("Take ", base.Revision()))
	}
	a := commit("A")
	b := commit("B")
	for _, tc := range []struct {
		s    *agenda.Snapshot
		want string
	}{{a, "A"}, {b, "B"}} {
		log := tc.s.Log()
		if last := log[len(log)-1]; last.New != tc.want {
			t.Errorf("last log entry of %q's revision = %q, want %q", tc.want, last.New, tc.want)
		}
		if x, _ := tc.s.Session("late-talk"); x.Title != tc.want {
			t.Errorf("title = %q, want %q", x.Title, tc.want)
		}
	}
	if x, _ := base.Session("late-talk"); x.Title == "A" || x.Title == "B" {
		t.Errorf("the base revision changed: %q", x.Title)
	}
}

func TestChangedFrom(t *testing.T) {
	base := agendatest.Small(t)
	at := time.Date(2019, 9, 20, 8, 0, 0, 0, time.UTC)
	edit := func(s *agenda.Snapshot, id, title string) *agenda.Snapshot {
		t.Helper()
		e := s.Edit("test", at)
		if err := e.UpdateSession(id, agenda.SessionUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
		next, err := e.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return next
	}
	next := edit(base, "late-talk", "Later Talk")
	after := edit(next, "state-of-state", "State")
	sibling := edit(base, "opening-keynote", "Opening")
	loaded, err := agenda.NewSnapshot(next.Contents(), next.Revision(), next.BaseRevision(), next.Log())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		s, prev   *agenda.Snapshot
		want      []string
		wantKnown bool
	}{
		{"made from it", next, base, []string{"late-talk"}, true},
		{"made from that", after, next, []string{"state-of-state"}, true},
		{"two edits on", after, base, nil, false},
		{"a sibling", sibling, next, nil, false},
		{"loaded", loaded, base, nil, false},
		{"made from a loaded one", edit(loaded, "late-talk", "Talk"), loaded, []string{"late-talk"}, true},
		{"none", next, nil, nil, false},
	} {
		got, ok := tc.s.ChangedFrom(tc.prev)
		if ok != tc.wantKnown || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ChangedFrom = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.wantKnown)
		}
	}
}

// TestRandomEditsMatchRebuild runs a few hundred random edits (moves in
// time and between rooms, new tracks and speakers, cancellations,
// renames, new sessions), each revision made from the one before, and
// checks every one against the same revision built from scratch.
func TestRandomEditsMatchRebuild(t *testing.T) {
	randomEdits(t, 300, func(round int, next *agenda.Snapshot) {
		fresh, err := agenda.NewSnapshot(next.Contents(), next.Revision(), next.BaseRevision(), next.Log())
		if err != nil {
			t.Fatalf("round %d: rebuilding: %v", round, err)
		}
		if got, want := viewOf(next), viewOf(fresh); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: edited revision differs from the rebuilt one", round)
		}
	})
}

// randomEdits makes rounds revisions of a 300-session agenda, each by a
// random edit of one to three changes to the one before, and hands each
// to check.
func randomEdits(t *testing.T, rounds int, check func(round int, snap *agenda.Snapshot)) {
	t.Helper()
	snap, err := agenda.NewSnapshot(bigContents(300), 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2019, 9, 20, 8, 0, 0, 0, time.UTC)
	first := agendatest.At(8, 8, 0)
	for round := range rounds {
		e := snap.Edit("test", at.Add(time.Duration(round)*time.Minute))
		sessions, rooms, tracks, speakers := snap.SessionIDs(), snap.Rooms(), snap.Tracks(), snap.Speakers()
		for range 1 + rng.IntN(3) {
			id := sessions[rng.IntN(len(sessions))]
			var err error
			switch op := rng.IntN(8); op {
			case 0, 1, 2: // a move in time, maybe to another room
				start := first.Add(time.Duration(rng.IntN(3*24*60/5)) * 5 * time.Minute)
				if start.After(agendatest.At(10, 23, 0)) {
					start = agendatest.At(10, 23, 0)
				}
				end := start.Add(time.Duration(1+rng.IntN(12)) * 5 * time.Minute)
				u := agenda.SessionUpdate{Start: &start, End: &end, Force: true}
				if op == 2 {
					u.Room = &rooms[rng.IntN(len(rooms))].ID
				}
				err = e.UpdateSession(id, u)
			case 3:
				err = e.UpdateSession(id, agenda.SessionUpdate{Track: &tracks[rng.IntN(len(tracks))].ID})
			case 4:
				ids := []string{speakers[rng.IntN(len(speakers))].ID}
				if p := speakers[rng.IntN(len(speakers))].ID; p != ids[0] && rng.IntN(2) == 0 {
					ids = append(ids, p)
				}
				err = e.UpdateSession(id, agenda.SessionUpdate{Speakers: &ids})
			case 5:
				st := []agenda.Status{agenda.StatusCancelled, agenda.StatusConfirmed}[rng.IntN(2)]
				err = e.UpdateSession(id, agenda.SessionUpdate{Status: &st})
			case 6:
				switch rng.IntN(3) {
				case 0:
					err = e.RenameRoom(rooms[rng.IntN(len(rooms))].ID, fmt.Sprint("Room take ", round))
				case 1:
					err = e.AddRoom(agenda.Room{ID: fmt.Sprint("new-room-", round), Name: "New"})
				default:
					err = e.RenameSpeaker(speakers[rng.IntN(len(speakers))].ID, fmt.Sprint("Speaker take ", round))
				}
			case 7:
				start := agendatest.At(9, 7, 0)
				err = e.AddSession(agenda.Session{ID: fmt.Sprintf("new-%d-%d", round, rng.IntN(1000)), Title: "New",
					Start: start, End: start.Add(time.Hour), Track: tracks[0].ID, Room: rooms[rng.IntN(len(rooms))].ID}, true)
			}
			if err != nil && !errors.Is(err, agenda.ErrExists) {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		next, err := e.Commit()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		check(round, next)
		snap = next
	}
}

// The counts are the lists' lengths, in every revision of a run of edits.
func TestNumBy(t *testing.T) {
	snap, err := agenda.NewSnapshot(bigContents(300), 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2019, 9, 20, 8, 0, 0, 0, time.UTC)
	for round := range 3 {
		for _, tr := range snap.Tracks() {
			if got, want := snap.NumByTrack(tr.ID), len(snap.ByTrack(tr.ID)); got != want {
				t.Errorf("round %d: NumByTrack(%s) = %d, want %d", round, tr.ID, got, want)
			}
		}
		for _, r := range snap.Rooms() {
			if got, want := snap.NumByRoom(r.ID), len(snap.ByRoom(r.ID)); got != want {
				t.Errorf("round %d: NumByRoom(%s) = %d, want %d", round, r.ID, got, want)
			}
		}
		for _, d := range snap.Days() {
			if got, want := snap.NumByDay(d), len(snap.ByDay(d)); got != want {
				t.Errorf("round %d: NumByDay(%s) = %d, want %d", round, d, got, want)
			}
		}
		for _, p := range snap.Speakers() {
			if got, want := snap.NumBySpeaker(p.ID), len(snap.BySpeaker(p.ID)); got != want {
				t.Errorf("round %d: NumBySpeaker(%s) = %d, want %d", round, p.ID, got, want)
			}
		}
		if snap.Len() != len(snap.Sessions()) {
			t.Errorf("round %d: Len = %d, want %d", round, snap.Len(), len(snap.Sessions()))
		}
		e := snap.Edit("test", at.Add(time.Duration(round)*time.Hour))
		start := agendatest.At(9+round%2, 9, 1) // to the second day and back
		end := start.Add(25 * time.Minute)
		track := snap.Tracks()[(round+1)%3].ID
		ids := []string{"speaker-1", "speaker-2"}[:1+round%2]
		if err := e.UpdateSession("session-7", agenda.SessionUpdate{Start: &start, End: &end, Track: &track, Speakers: &ids, Force: true}); err != nil {
			t.Fatal(err)
		}
		if snap, err = e.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

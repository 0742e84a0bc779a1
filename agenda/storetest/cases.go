package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

func ptr[T any](v T) *T { return &v }

// save saves snap to s and fails the test unless it loads back the same.
func saveLoad(t *testing.T, s agenda.Store, snap *agenda.Snapshot) {
	t.Helper()
	ctx := context.Background()
	if err := s.Save(ctx, snap); err != nil {
		t.Fatalf("Save revision %d: %v", snap.Revision(), err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatalf("Load after saving revision %d: %v", snap.Revision(), err)
	}
	same(t, got, snap)
	for _, x := range got.Sessions() {
		if x.Start.Location() != got.Location() || x.End.Location() != got.Location() {
			t.Errorf("session %q loaded in %v, want the conference's zone %v", x.ID, x.Start.Location(), got.Location())
		}
	}
}

// Every field of the model, and instants to the nanosecond, survive a
// round trip; a first Save may store any revision with the log that led to
// it (as a copy from another store does).
func everyField(t *testing.T, r agenda.Registry) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hh, mm int) time.Time { return time.Date(2031, time.March, day, hh, mm, 0, 0, loc) }
	modified := time.Date(2031, time.February, 3, 4, 5, 6, 123456789, time.UTC)
	c := agenda.Contents{
		Conference: agenda.Conference{Name: "Every Field Conf", Description: "All of it; “quoted”, 100% ünïcödé",
			TimeZone: "America/New_York", First: agenda.Date{Year: 2031, Month: time.March, Day: 8},
			Last: agenda.Date{Year: 2031, Month: time.March, Day: 10}, UIDDomain: "every.example",
			DayChange: 4*time.Hour + 30*time.Minute, URL: "https://every.example/2031"},
		Tracks: []agenda.Track{{ID: "zeta", Name: "Zeta", Color: "#010203"}, {ID: "alpha", Name: "Alpha"}},
		Rooms:  []agenda.Room{{ID: "z-room", Name: "Z Room"}, {ID: "a-room", Name: "A Room"}},
		Speakers: []agenda.Speaker{{ID: "zoe", Name: "Zoë"}, {ID: "ada", Name: "Ada"},
			{ID: "bob", Name: "Bob O'Brien"}},
		Sessions: []agenda.Session{
			{ID: "all-fields", Title: "All the Fields", Start: at(8, 23, 30), End: at(9, 1, 15), Track: "alpha", Room: "a-room",
				Abstract: "Line one,\n\tline two; back\\slash and “quotes”", Status: agenda.StatusCancelled, Sequence: 3,
				LastModified: modified, Subtitle: "A subtitle", Type: "Workshop", Language: "de-CH",
				URL: "https://every.example/all?x=1&y=2", Speakers: []string{"zoe", "ada"}, Number: 42},
			// At 02:00 on the 10th: before the day change, so on the 9th.
			{ID: "after-midnight", Title: "After Midnight", Start: at(10, 2, 0), End: at(10, 2, 45), Track: "zeta", Room: "z-room",
				Status: agenda.StatusConfirmed, LastModified: modified.Add(time.Nanosecond)},
			{ID: "numbered-by-snapshot", Title: "Numbered", Start: at(9, 9, 0), End: at(9, 10, 0), Track: "zeta", Room: "a-room",
				Status: agenda.StatusConfirmed, Speakers: []string{"bob"}},
		},
	}
	when := time.Date(2031, time.February, 1, 10, 0, 0, 987654321, time.UTC)
	log := []agenda.Change{
		{Revision: 3, Time: when, Who: "cli:zoë", Session: "all-fields", Field: agenda.FieldTitle, Old: "Some Fields", New: "All the Fields"},
		{Revision: 4, Time: when.Add(time.Second), Who: "api", Room: "a-room", Field: agenda.FieldRoomName, Old: "B Room", New: "A Room"},
		{Revision: 4, Time: when.Add(time.Second), Who: "api", Session: "all-fields", Room: "a-room", Field: agenda.FieldLocation, Old: "B Room", New: "A Room"},
		{Revision: 5, Time: when.Add(time.Minute), Who: "source", Speaker: "bob", Field: agenda.FieldSpeakerName, Old: "Bob", New: "Bob O'Brien"},
		{Revision: 5, Time: when.Add(time.Minute), Who: "source", Track: "alpha", Field: agenda.FieldTrackAdd, New: "Alpha"},
	}
	v5, err := agenda.NewSnapshot(c, 5, 2, log)
	if err != nil {
		t.Fatal(err)
	}
	s := add(t, r, "every")
	saveLoad(t, s, v5)
	v6 := edit(t, v5, func(e *agenda.Editor) error {
		return e.UpdateSession("numbered-by-snapshot", agenda.SessionUpdate{Speakers: &[]string{"ada", "bob"}, Language: ptr("fr")})
	})
	saveLoad(t, s, v6)
}

// revisions makes revisions 2 to 11 of Small, one kind of change each: a
// move, a room rename, a new room, track and session, a cancel, an
// abstract, a new speaker and the descriptive fields, a speaker's rename,
// a shorter list of speakers, a retitle of the new session, and a day
// added before the conference with a session on it.
func revisions(t *testing.T, s *agenda.Snapshot) []*agenda.Snapshot {
	t.Helper()
	steps := []func(*agenda.Editor) error{
		func(e *agenda.Editor) error {
			return e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))})
		},
		func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") },
		func(e *agenda.Editor) error {
			if err := e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"}); err != nil {
				return err
			}
			if err := e.AddTrack(agenda.Track{ID: "workshops", Name: "Workshops", Color: "#123456"}); err != nil {
				return err
			}
			return e.AddSession(agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 9, 0), End: agendatest.At(9, 9, 45),
				Room: "room-3", Track: "workshops"}, false)
		},
		func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
		},
		func(e *agenda.Editor) error {
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: ptr("Grüße; neue Zeilen,\nund mehr.")})
		},
		func(e *agenda.Editor) error {
			for _, p := range []agenda.Speaker{{ID: "ada", Name: "Ada"}, {ID: "alan", Name: "Alan"}} {
				if err := e.AddSpeaker(p); err != nil {
					return err
				}
			}
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Speakers: &[]string{"alan", "ada"}, Subtitle: ptr("Sub"),
				Type: ptr("Keynote"), Language: ptr("de"), URL: ptr("https://example.org/k")})
		},
		func(e *agenda.Editor) error { return e.RenameSpeaker("ada", "Ada Lovelace") },
		func(e *agenda.Editor) error {
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Speakers: &[]string{"ada"}})
		},
		func(e *agenda.Editor) error {
			return e.UpdateSession("extra", agenda.SessionUpdate{Title: ptr("Extra, renamed")})
		},
		func(e *agenda.Editor) error {
			if err := e.WidenDays(agenda.Date{Year: 2019, Month: time.October, Day: 7}, agenda.Date{Year: 2019, Month: time.October, Day: 8}); err != nil {
				return err
			}
			return e.AddSession(agenda.Session{ID: "workshop", Title: "Workshop", Start: agendatest.At(7, 9, 0), End: agendatest.At(7, 17, 0),
				Room: "room-1", Track: "talks"}, false)
		},
	}
	var out []*agenda.Snapshot
	for i, step := range steps {
		// Instants with nanoseconds, as a running server stamps them.
		e := s.Edit("tester", time.Date(2019, 10, 2, 9, i, 7, 123456789+i, time.UTC))
		if err := step(e); err != nil {
			t.Fatalf("edit %d: %v", i+2, err)
		}
		var err error
		if s, err = e.Commit(); err != nil {
			t.Fatalf("commit %d: %v", i+2, err)
		}
		out = append(out, s)
	}
	return out
}

// A Save writes only what its revision changed; every revision loads back
// whole, and so does the history (SessionAt undoes the stored log).
func revisionAfterRevision(t *testing.T, r agenda.Registry) {
	s := add(t, r, "small")
	v1 := agendatest.Small(t)
	saveLoad(t, s, v1)
	revs := revisions(t, v1)
	for _, next := range revs {
		saveLoad(t, s, next)
	}
	got, err := r.Agenda("small").Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	last := revs[len(revs)-1]
	for rev := int64(1); rev <= last.Revision(); rev++ {
		for _, id := range last.SessionIDs() {
			want, wantOK, wantErr := last.SessionAt(id, rev)
			old, ok, err := got.SessionAt(id, rev)
			if ok != wantOK || (err == nil) != (wantErr == nil) || !old.Equal(want) {
				t.Errorf("loaded SessionAt(%s, %d) = %+v, %v, %v; saved one: %+v, %v, %v", id, rev, old, ok, err, want, wantOK, wantErr)
			}
		}
	}
}

// A Save that is not on top of the stored revision fails with ErrStale and
// leaves the stored agenda as it was.
func staleWritesNothing(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	s := add(t, r, "small")
	v1 := agendatest.Small(t)
	revs := revisions(t, v1)
	saveLoad(t, s, v1)
	saveLoad(t, s, revs[0])
	fork := edit(t, v1, retitle("A fork of revision 1"))
	for _, tc := range []struct {
		name string
		next *agenda.Snapshot
	}{
		{"the first revision again", v1},
		{"the stored revision again", revs[0]},
		{"a revision skipped", revs[2]},
		{"another revision 2", fork},
	} {
		if err := s.Save(ctx, tc.next); !errors.Is(err, agenda.ErrStale) {
			t.Errorf("%s: Save of revision %d over 2: %v, want ErrStale", tc.name, tc.next.Revision(), err)
		}
		got, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, revs[0])
	}
}

// revisioner is a Store that tells its revision without loading it.
type revisioner interface {
	Revision(ctx context.Context) (int64, error)
}

// Revision, where a Store has it, is the stored revision of its own
// conference, ErrEmpty before the first Save.
func revision(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	a, b := add(t, r, "a"), add(t, r, "b")
	ra, ok := a.(revisioner)
	if !ok {
		t.Skip("the Store has no Revision")
	}
	rb := b.(revisioner)
	if _, err := ra.Revision(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("Revision before the first Save: %v, want ErrEmpty", err)
	}
	v1 := agendatest.Small(t)
	revs := revisions(t, v1)
	for _, next := range append([]*agenda.Snapshot{v1}, revs[:3]...) {
		if err := a.Save(ctx, next); err != nil {
			t.Fatal(err)
		}
		if rev, err := ra.Revision(ctx); err != nil || rev != next.Revision() {
			t.Errorf("Revision = %d, %v; want %d", rev, err, next.Revision())
		}
	}
	if _, err := rb.Revision(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("Revision of another conference: %v, want ErrEmpty", err)
	}
}

// What names an unknown conference fails with ErrNoConference.
func unknownConference(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	add(t, r, "known")
	if err := r.Agenda("nobody").Save(ctx, agendatest.Small(t)); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("Save to an unknown conference: %v, want ErrNoConference", err)
	}
	if _, err := r.PutPick(ctx, "nobody", "aaaaaaaaaaaaaaaa", []string{"x"}, 10); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("PutPick of an unknown conference: %v, want ErrNoConference", err)
	}
	if err := r.SetSource(ctx, "nobody", agenda.Source{Location: "x.xml"}); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("SetSource of an unknown conference: %v, want ErrNoConference", err)
	}
	if list, err := r.Conferences(ctx); err != nil || len(list) != 1 {
		t.Errorf("Conferences = %+v, %v; want the known one only", list, err)
	}
}

// A removed conference keeps its agenda, tokens and picks; restored, it has
// them all again.
func removedKeepsData(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	add(t, r, "a")
	b := add(t, r, "b")
	v1 := agendatest.Small(t)
	v2 := edit(t, v1, retitle("Kept"))
	saveLoad(t, b, v1)
	saveLoad(t, b, v2)
	if err := r.AddToken(ctx, "b", "hash-of-b"); err != nil {
		t.Fatal(err)
	}
	ids := []string{"late-talk"}
	code, err := r.PutPick(ctx, "b", "bbbbbbbbbbbbbbbb", ids, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveConference(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	got, err := r.Agenda("b").Load(ctx)
	if err != nil {
		t.Fatalf("Load of a removed conference: %v", err)
	}
	same(t, got, v2)
	if err := r.RestoreConference(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	list, err := r.Conferences(ctx)
	if err != nil || len(list) != 2 || list[1].Slug != "b" || list[1].Default || !list[1].Removed.IsZero() || !list[0].Default {
		t.Errorf("Conferences after restoring = %+v, %v", list, err)
	}
	if slug, err := r.TokenConference(ctx, "hash-of-b"); err != nil || slug != "b" {
		t.Errorf("a restored conference's token: %q, %v", slug, err)
	}
	if got, ok, err := r.GetPick(ctx, "b", code); err != nil || !ok || !slices.Equal(got, ids) {
		t.Errorf("a restored conference's pick: %v, %v, %v", got, ok, err)
	}
	saveLoad(t, b, edit(t, v2, retitle("After the restore")))
}

// A purged conference leaves nothing behind but its last revision: a new
// conference with its slug starts empty, its old tokens and picks are
// gone, and the codes are free.
func purgeDeletesAll(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	a := add(t, r, "a")
	b := add(t, r, "b")
	va := agendatest.Small(t)
	saveLoad(t, a, va)
	v1 := agendatest.Small(t)
	saveLoad(t, b, v1)
	for _, next := range revisions(t, v1)[:4] {
		saveLoad(t, b, next)
	}
	if err := r.AddToken(ctx, "b", "hash-of-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.PutPick(ctx, "b", "bbbbbbbbbbbbbbbb", []string{"late-talk"}, 10); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveConference(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := r.PurgeConference(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	b = add(t, r, "b")
	if _, err := b.Load(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("Load of a conference added again after a purge: %v, want ErrEmpty", err)
	}
	if _, err := r.TokenConference(ctx, "hash-of-b"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a purged conference's token: %v, want ErrNoConference", err)
	}
	if _, ok, err := r.GetPick(ctx, "b", "bbbbbbbbbbbbbbbb"); ok || err != nil {
		t.Errorf("a purged conference's pick: %v, %v", ok, err)
	}
	if code, err := r.PutPick(ctx, "b", "bbbbbbbbbbbbbbbb", []string{"opening-keynote"}, 10); err != nil || code != "bbbbbbbbbbbbbbbb" {
		t.Errorf("a purged pick's code again: %q, %v", code, err)
	}
	v6, err := agenda.NewSnapshot(agendatest.SmallContents(), 6, 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	saveLoad(t, b, v6)
	list, err := r.Conferences(ctx)
	if err != nil || len(list) != 2 || list[0].Slug != "a" || !list[0].Default || list[1].Slug != "b" || list[1].Default {
		t.Errorf("Conferences = %+v, %v", list, err)
	}
	got, err := a.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, va)
}

// A pick is its list, in its order: an empty one is a pick too, another
// order is another pick.
func pickLists(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	add(t, r, "a")
	for i, ids := range [][]string{{}, {"zeta", "alpha", "mu"}, {"alpha", "mu", "zeta"}} {
		code := string(rune('a'+i)) + "aaaaaaaaaaaaaaa"
		if got, err := r.PutPick(ctx, "a", code, ids, 10); err != nil || got != code {
			t.Errorf("PutPick(%q) = %q, %v; want a new pick under %s", ids, got, err, code)
			continue
		}
		got, ok, err := r.GetPick(ctx, "a", code)
		if err != nil || !ok || !slices.Equal(got, ids) {
			t.Errorf("GetPick(%s) = %q, %v, %v; want %q", code, got, ok, err, ids)
		}
	}
	if got, ok, err := r.GetPick(ctx, "a", "zzzzzzzzzzzzzzzz"); ok || err != nil || got != nil {
		t.Errorf("GetPick of an unknown code = %q, %v, %v", got, ok, err)
	}
}

// A pick nobody fetched for agenda.PickExpiry goes when a new pick needs room; a
// fetched one stays.
func pickExpiry(t *testing.T, r agenda.Registry) {
	clocked, ok := r.(interface{ SetClock(func() time.Time) })
	if !ok {
		t.Skip("the registry has no clock; its picks never expire")
	}
	now := time.Date(2030, time.January, 1, 12, 0, 0, 0, time.UTC)
	clocked.SetClock(func() time.Time { return now })
	ctx := context.Background()
	add(t, r, "a")
	for _, code := range []string{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"} {
		if _, err := r.PutPick(ctx, "a", code, []string{code[:1]}, 2); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(100 * 24 * time.Hour)
	if _, ok, err := r.GetPick(ctx, "a", "bbbbbbbbbbbbbbbb"); !ok || err != nil {
		t.Fatalf("GetPick(b) = %v, %v", ok, err)
	}
	if _, err := r.PutPick(ctx, "a", "cccccccccccccccc", []string{"c"}, 2); !errors.Is(err, agenda.ErrPicksFull) {
		t.Errorf("a third pick before any expired: %v, want ErrPicksFull", err)
	}
	now = now.Add(agenda.PickExpiry - 100*24*time.Hour + time.Hour)
	if _, err := r.PutPick(ctx, "a", "cccccccccccccccc", []string{"c"}, 2); err != nil {
		t.Errorf("a new pick once an unfetched one expired: %v", err)
	}
	if _, ok, err := r.GetPick(ctx, "a", "aaaaaaaaaaaaaaaa"); ok || err != nil {
		t.Errorf("the pick nobody fetched: %v, %v; want it gone", ok, err)
	}
	if _, ok, err := r.GetPick(ctx, "a", "bbbbbbbbbbbbbbbb"); !ok || err != nil {
		t.Errorf("the fetched pick: %v, %v; want it kept", ok, err)
	}
}

// A slug's revisions never repeat: a purged conference's slug keeps the
// last revision it reached, a conference added again under it lists it
// (PurgedRevision) and its first Save must start after it, or fails with
// ErrStale and stores nothing; purging that one keeps the higher revision,
// and purging one that never stored an agenda keeps the one before. Other
// slugs are not touched.
func purgeKeepsRevisions(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	add(t, r, "a")
	b := add(t, r, "b")
	listed := func(slug string) agenda.Listing {
		t.Helper()
		list, err := r.Conferences(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(l agenda.Listing) bool { return l.Slug == slug })
		if i < 0 {
			t.Fatalf("no conference %s in %+v", slug, list)
		}
		return list[i]
	}
	purge := func(slug string) {
		t.Helper()
		if err := r.RemoveConference(ctx, slug); err != nil {
			t.Fatal(err)
		}
		if err := r.PurgeConference(ctx, slug); err != nil {
			t.Fatal(err)
		}
	}
	if l := listed("b"); l.PurgedRevision != 0 || l.FirstRevision() != 1 {
		t.Fatalf("a new slug's listing: %+v, first revision %d", l, l.FirstRevision())
	}
	v1 := agendatest.Small(t)
	saveLoad(t, b, v1)
	for _, next := range revisions(t, v1)[:3] {
		saveLoad(t, b, next)
	}
	purge("b")
	// Added again; a caller's PurgedRevision is not taken.
	if err := r.AddConference(ctx, agenda.Listing{Slug: "b", PurgedRevision: 1}); err != nil {
		t.Fatal(err)
	}
	b = r.Agenda("b")
	if l := listed("b"); l.PurgedRevision != 4 || l.FirstRevision() != 5 {
		t.Fatalf("the listing of a slug purged at revision 4: %+v, first revision %d", l, l.FirstRevision())
	}
	for _, rev := range []struct{ rev, base int64 }{{1, 1}, {4, 4}, {7, 4}} {
		snap, err := agenda.NewSnapshot(agendatest.SmallContents(), rev.rev, rev.base, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Save(ctx, snap); !errors.Is(err, agenda.ErrStale) {
			t.Errorf("a first Save of revision %d (log from %d) after revision 4 was purged: %v, want ErrStale", rev.rev, rev.base, err)
		}
		if _, err := b.Load(ctx); !errors.Is(err, agenda.ErrEmpty) {
			t.Fatalf("after a refused first Save: %v, want ErrEmpty", err)
		}
	}
	v5, err := agenda.NewSnapshot(agendatest.SmallContents(), 5, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	saveLoad(t, b, v5)
	v6 := edit(t, v5, retitle("The second b"))
	saveLoad(t, b, v6)
	if l := listed("a"); l.PurgedRevision != 0 {
		t.Errorf("another slug's listing: %+v", l)
	}
	purge("b")
	add(t, r, "b")
	if l := listed("b"); l.PurgedRevision != 6 {
		t.Fatalf("the listing of a slug purged at revision 6: %+v", l)
	}
	// Purged before its first agenda was stored: the revision stays.
	purge("b")
	b = add(t, r, "b")
	if l := listed("b"); l.PurgedRevision != 6 {
		t.Fatalf("after purging a conference with no agenda: %+v", l)
	}
	v7, err := agenda.NewSnapshot(agendatest.SmallContents(), 7, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	saveLoad(t, b, v7)
}

package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/sqlite"
)

func ptr[T any](v T) *T { return &v }

func mustOpen(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// assertSame fails unless a and b hold the same revision, agenda and log.
func assertSame(t *testing.T, got, want *agenda.Snapshot) {
	t.Helper()
	if got.Revision() != want.Revision() || got.BaseRevision() != want.BaseRevision() {
		t.Errorf("revision %d (base %d), want %d (base %d)", got.Revision(), got.BaseRevision(), want.Revision(), want.BaseRevision())
	}
	if got.Conference() != want.Conference() {
		t.Errorf("conference %+v, want %+v", got.Conference(), want.Conference())
	}
	if !slices.Equal(got.Tracks(), want.Tracks()) {
		t.Errorf("tracks %+v, want %+v", got.Tracks(), want.Tracks())
	}
	if !slices.Equal(got.Rooms(), want.Rooms()) {
		t.Errorf("rooms %+v, want %+v", got.Rooms(), want.Rooms())
	}
	if !slices.Equal(got.Speakers(), want.Speakers()) {
		t.Errorf("speakers %+v, want %+v", got.Speakers(), want.Speakers())
	}
	gs, ws := got.Sessions(), want.Sessions()
	if len(gs) != len(ws) {
		t.Fatalf("%d sessions, want %d", len(gs), len(ws))
	}
	for i := range ws {
		g, w := gs[i], ws[i]
		if !g.Equal(w) || g.Start.Location().String() != w.Start.Location().String() {
			t.Errorf("session %d = %+v, want %+v", i, g, w)
		}
	}
	gl, wl := got.Log(), want.Log()
	if len(gl) != len(wl) {
		t.Fatalf("%d log entries, want %d", len(gl), len(wl))
	}
	for i := range wl {
		g, w := gl[i], wl[i]
		eq := g.Time.Equal(w.Time)
		g.Time, w.Time = time.Time{}, time.Time{}
		if !eq || g != w {
			t.Errorf("log entry %d = %+v, want %+v", i, gl[i], wl[i])
		}
	}
}

// edits makes revisions 2 to 8 of Small: a move, a room rename, a new room,
// track and session, a cancel, an abstract edit, a speaker and the
// descriptive fields, and a speaker's rename.
func edits(t *testing.T, s *agenda.Snapshot) []*agenda.Snapshot {
	t.Helper()
	cancelled := agenda.StatusCancelled
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
			return e.AddSession(agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 9, 0), End: agendatest.At(9, 9, 45), Room: "room-3", Track: "workshops"}, false)
		},
		func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: &cancelled})
		},
		func(e *agenda.Editor) error {
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: ptr("Grüße; neue Zeilen,\nund mehr.")})
		},
		func(e *agenda.Editor) error {
			if err := e.AddSpeaker(agenda.Speaker{ID: "ada", Name: "Ada"}); err != nil {
				return err
			}
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Speakers: &[]string{"ada"}, Subtitle: ptr("Sub"),
				Type: ptr("Keynote"), Language: ptr("de"), URL: ptr("https://example.org/k")})
		},
		func(e *agenda.Editor) error { return e.RenameSpeaker("ada", "Ada Lovelace") },
	}
	var out []*agenda.Snapshot
	for i, step := range steps {
		e := s.Edit("tester", time.Date(2019, 10, 2, 9, i, 7, 0, time.UTC))
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

func TestEmptyStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet")
	s := mustOpen(t, dir)
	if _, err := s.Load(context.Background()); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("Load on a new store: %v, want ErrEmpty", err)
	}
	if _, err := s.Revision(context.Background()); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("Revision on a new store: %v, want ErrEmpty", err)
	}
	if s.Path() != filepath.Join(dir, sqlite.FileName) {
		t.Errorf("Path = %q", s.Path())
	}
}

func TestRoundTripAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	v1 := agendatest.Small(t)
	if err := s.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, v1)
	revs := edits(t, v1)
	for _, next := range revs {
		if err := s.Save(ctx, next); err != nil {
			t.Fatalf("Save revision %d: %v", next.Revision(), err)
		}
		got, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, got, next)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, dir)
	got, err = again.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := revs[len(revs)-1]
	assertSame(t, got, last)
	if rev, err := again.Revision(ctx); err != nil || rev != last.Revision() {
		t.Errorf("Revision = %d, %v; want %d", rev, err, last.Revision())
	}
	// The history survives too: SessionAt undoes from the stored log.
	old, ok, err := got.SessionAt("state-of-state", 1)
	if err != nil || !ok || old.Room != "room-2" || !old.Start.Equal(agendatest.At(8, 10, 30)) {
		t.Errorf("SessionAt(state-of-state, 1) = %+v, %v, %v", old, ok, err)
	}
}

func TestSaveConflictWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	v1 := agendatest.Small(t)
	if err := s.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	revs := edits(t, v1)
	if err := s.Save(ctx, revs[0]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		next *agenda.Snapshot
	}{
		{"the seed again", v1},
		{"the same revision again", revs[0]},
		{"a revision skipped", revs[2]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Save(ctx, tc.next); !errors.Is(err, agenda.ErrStale) {
				t.Fatalf("Save revision %d over 2: %v, want ErrStale", tc.next.Revision(), err)
			}
			got, err := s.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			assertSame(t, got, revs[0])
		})
	}
	// A different revision 3 built on revision 1 also conflicts with the stored 2.
	e := v1.Edit("other", time.Now())
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr("Other")}); err != nil {
		t.Fatal(err)
	}
	fork, _ := e.Commit()
	if err := s.Save(ctx, fork); !errors.Is(err, agenda.ErrStale) {
		t.Errorf("Save of a fork of revision 1: %v, want ErrStale", err)
	}
}

// Two stores on one file (two processes) race to save revision 2: exactly
// one wins, the other gets ErrStale.
func TestConcurrentSaveOneWins(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := mustOpen(t, dir), mustOpen(t, dir)
	v1 := agendatest.Small(t)
	if err := a.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	var forks []*agenda.Snapshot
	for _, title := range []string{"A", "B"} {
		e := v1.Edit(title, time.Now())
		if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr(title)}); err != nil {
			t.Fatal(err)
		}
		f, _ := e.Commit()
		forks = append(forks, f)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, st := range []*sqlite.Store{a, b} {
		wg.Go(func() { errs[i] = st.Save(ctx, forks[i]) })
	}
	wg.Wait()
	ok, stale := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, agenda.ErrStale):
			stale++
		default:
			t.Errorf("Save: %v", err)
		}
	}
	if ok != 1 || stale != 1 {
		t.Errorf("%d saves won and %d were stale, want 1 and 1", ok, stale)
	}
	got, err := b.Load(ctx)
	if err != nil || len(got.Log()) != 1 {
		t.Fatalf("Load = %v, %v; want revision 2 with one change", got, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(context.Background(), dir); err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
}

func TestWALMode(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func BenchmarkSave(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	snap := agendatest.Small(b)
	if err := s.Save(ctx, snap); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		e := snap.Edit("bench", time.Now())
		abstract := string(rune('a' + i%26))
		if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Abstract: &abstract}); err != nil {
			b.Fatal(err)
		}
		next, _ := e.Commit()
		if next == snap {
			continue
		}
		if err := s.Save(ctx, next); err != nil {
			b.Fatal(err)
		}
		snap = next
	}
}

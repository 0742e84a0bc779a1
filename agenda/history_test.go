package agenda_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// revisions applies edits to Small, one revision each, the i-th at
// editTime(i), and returns every revision, Small first.
func revisions(t *testing.T, edits ...func(*agenda.Editor) error) []*agenda.Snapshot {
	t.Helper()
	revs := []*agenda.Snapshot{agendatest.Small(t)}
	for i, edit := range edits {
		e := revs[len(revs)-1].Edit("test", editTime(i))
		if err := edit(e); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		next, err := e.Commit()
		if err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
		revs = append(revs, next)
	}
	return revs
}

func editTime(i int) time.Time { return time.Date(2019, 10, 1, 12, i, 0, 0, time.UTC) }

func TestLastChange(t *testing.T) {
	cancelled := agenda.StatusCancelled
	revs := revisions(t,
		// r2: State of State leaves room-2 (Oct 8) for room-1.
		update("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))}),
		// r3: Late Talk (room-2, Oct 9, talks) gets a new abstract.
		update("late-talk", agenda.SessionUpdate{Abstract: ptr("New words.")}),
		// r4: Streams Everywhere (room-1, Oct 8) leaves talks for keynote.
		update("streams-everywhere", agenda.SessionUpdate{Track: ptr("keynote")}),
		// r5: a room is added; no session changes.
		func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"}) },
		// r6: a keynote session is added in room-3 on Oct 9.
		func(e *agenda.Editor) error {
			return e.AddSession(agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 14, 0), End: agendatest.At(9, 14, 40), Room: "room-3", Track: "keynote"}, false)
		},
		// r7: the Closing Keynote (room-1, Oct 9) is cancelled.
		update("closing-keynote", agenda.SessionUpdate{Status: &cancelled}),
	)
	snap := revs[len(revs)-1]
	loc := snap.Location()
	day := func(d int) agenda.Date { return agenda.Date{Year: 2019, Month: time.October, Day: d} }
	tests := []struct {
		name string
		in   func(agenda.Session) bool
		want int64 // 0: nothing in the log
	}{
		{"room-2 on Oct 8: a session left it", func(x agenda.Session) bool { return x.Room == "room-2" && agenda.DateOf(x.Start, loc) == day(8) }, 2},
		{"room-2: a member changed after one left", func(x agenda.Session) bool { return x.Room == "room-2" }, 3},
		{"talks: a session left it last", func(x agenda.Session) bool { return x.Track == "talks" }, 4},
		{"keynote: a cancelled member", func(x agenda.Session) bool { return x.Track == "keynote" }, 7},
		{"room-3: added session, not the room", func(x agenda.Session) bool { return x.Room == "room-3" }, 6},
		{"Oct 8", func(x agenda.Session) bool { return agenda.DateOf(x.Start, loc) == day(8) }, 4},
		{"Oct 9", func(x agenda.Session) bool { return agenda.DateOf(x.Start, loc) == day(9) }, 7},
		{"one untouched session", func(x agenda.Session) bool { return x.ID == "opening-keynote" }, 0},
		{"no session", func(agenda.Session) bool { return false }, 0},
		{"everything", func(agenda.Session) bool { return true }, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rev, at := snap.LastChange(tc.in)
			var want time.Time
			if tc.want > 0 {
				want = editTime(int(tc.want) - 2)
			}
			if rev != tc.want || !at.Equal(want) {
				t.Errorf("LastChange = %d at %v, want %d at %v", rev, at, tc.want, want)
			}
			// A revision whose set reads differently from now must be
			// older than the last change.
			for _, old := range revs[:len(revs)-1] {
				if !sameSet(old, snap, tc.in) && rev <= old.Revision() {
					t.Errorf("revision %d: set differs from now but LastChange %d is not after it", old.Revision(), rev)
				}
			}
		})
	}
}

// sameSet reports whether the sessions in reads the same (membership and
// content) in a and b.
func sameSet(a, b *agenda.Snapshot, in func(agenda.Session) bool) bool {
	key := func(s *agenda.Snapshot) string {
		out := ""
		for _, x := range s.Sessions() {
			if in(x) {
				out += fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s;", x.ID, x.Title, x.Start.UTC(), x.End.UTC(), x.Room, x.Track, x.Status, x.Abstract)
			}
		}
		return out
	}
	return key(a) == key(b)
}

// SessionsAt undoes the log to exactly what each earlier revision held.
func TestSessionsAtMatchesEveryRevision(t *testing.T) {
	cancelled, confirmed := agenda.StatusCancelled, agenda.StatusConfirmed
	revs := revisions(t,
		update("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))}),
		update("late-talk", agenda.SessionUpdate{Title: ptr("Later Talk"), Status: &cancelled}),
		func(e *agenda.Editor) error { return e.RenameRoom("room-1", "Kesselhaus") },
		func(e *agenda.Editor) error {
			return e.AddSession(agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 14, 0), End: agendatest.At(9, 14, 40), Room: "room-2", Track: "talks"}, false)
		},
		update("late-talk", agenda.SessionUpdate{Status: &confirmed, Abstract: ptr("")}),
		update("state-of-state", agenda.SessionUpdate{Room: ptr("room-2"), Track: ptr("keynote"), Start: ptr(agendatest.At(8, 10, 30)), End: ptr(agendatest.At(8, 11, 10))}),
	)
	snap := revs[len(revs)-1]
	for _, old := range revs {
		at, err := snap.SessionsAt(old.Revision())
		if err != nil {
			t.Fatalf("SessionsAt(%d): %v", old.Revision(), err)
		}
		for _, id := range snap.SessionIDs() {
			want, wantOK := old.Session(id)
			got, ok, err := at(id)
			if err != nil || ok != wantOK {
				t.Errorf("rev %d %s: exists %v, %v; want %v", old.Revision(), id, ok, err, wantOK)
				continue
			}
			if ok && !sameContent(got, want) {
				t.Errorf("rev %d %s = %+v, want %+v", old.Revision(), id, got, want)
			}
		}
	}
	if _, err := snap.SessionsAt(0); !errors.Is(err, agenda.ErrUnknownRevision) {
		t.Errorf("SessionsAt(0) err = %v, want ErrUnknownRevision", err)
	}
	if _, err := snap.SessionsAt(snap.Revision() + 1); !errors.Is(err, agenda.ErrUnknownRevision) {
		t.Errorf("SessionsAt(next) err = %v, want ErrUnknownRevision", err)
	}
}

func sameContent(a, b agenda.Session) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
		a.Room == b.Room && a.Track == b.Track && a.Status == b.Status && a.Abstract == b.Abstract
}

// badTimeLog returns the small agenda at revision 3 with a log of two
// entries: at revision 2 a start of late-talk whose old time cannot be
// read, at revision 3 an abstract of state-of-state.
func badTimeLog(t *testing.T) *agenda.Snapshot {
	t.Helper()
	c := agendatest.SmallContents()
	at := editTime(0)
	log := []agenda.Change{
		{Revision: 2, Time: at, Who: "test", Session: "late-talk", Field: agenda.FieldStart, Old: "yesterday", New: "2019-10-09T11:00:00+02:00"},
		{Revision: 3, Time: at.Add(time.Minute), Who: "test", Session: "state-of-state", Field: agenda.FieldAbstract, Old: "", New: ""},
	}
	snap, err := agenda.NewSnapshot(c, 3, 1, log)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// A log entry whose old time cannot be read fails the look-ups that need
// it, and counts as a change of every set.
func TestHistoryBadTime(t *testing.T) {
	snap := badTimeLog(t)
	if _, _, err := snap.SessionAt("late-talk", 1); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("SessionAt(late-talk, 1) err = %v, want ErrInvalid", err)
	}
	if _, ok, err := snap.SessionAt("late-talk", 2); err != nil || !ok {
		t.Errorf("SessionAt(late-talk, 2) = %v, %v; want the session", ok, err)
	}
	if _, ok, err := snap.SessionAt("state-of-state", 1); err != nil || !ok {
		t.Errorf("SessionAt(state-of-state, 1) = %v, %v; want the session", ok, err)
	}
	if rev, _ := snap.LastChange(func(agenda.Session) bool { return false }); rev != 2 {
		t.Errorf("LastChange(nothing) = %d, want 2 (the unreadable entry)", rev)
	}
}

// BenchmarkSelectionChanged asks about a session no change concerns on
// a long log: once the log is replayed, a look-up per name.
func BenchmarkSelectionChanged(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			snap := longLog(b, n)
			sel := agenda.Selection{Sessions: []string{"closing-keynote"}, NotCancelled: true}
			if m := snap.SelectionChanged(sel); m.Revision != 0 {
				b.Fatalf("SelectionChanged = %+v, want none", m)
			}
			b.ReportAllocs()
			for b.Loop() {
				snap.SelectionChanged(sel)
			}
		})
	}
}

package agenda_test

import (
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

func TestChangedMarks(t *testing.T) {
	base := agendatest.Small(t)
	at := time.Date(2019, 10, 2, 10, 0, 0, 0, time.UTC)
	e := base.Edit("test", at)
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	e = s2.Edit("test", at.Add(time.Hour))
	if err := e.RenameRoom("room-1", "Main Hall"); err != nil {
		t.Fatal(err)
	}
	if err := e.AddTrack(agenda.Track{ID: "lightning", Name: "Lightning"}); err != nil {
		t.Fatal(err)
	}
	s3, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		got  agenda.Mark
		want agenda.Mark
	}{
		{"late-talk", s3.SessionChanged("late-talk"), agenda.Mark{Revision: 2, Time: at}},
		{"opening-keynote (in the renamed room)", s3.SessionChanged("opening-keynote"), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"state-of-state (untouched)", s3.SessionChanged("state-of-state"), agenda.Mark{Revision: 1}},
		{"room-1", s3.RoomChanged("room-1"), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"room-2", s3.RoomChanged("room-2"), agenda.Mark{Revision: 1}},
		{"lightning", s3.TrackChanged("lightning"), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"the agenda", s3.Changed(), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"the first revision", base.Changed(), agenda.Mark{Revision: 1}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s changed %+v, want %+v", tc.what, tc.got, tc.want)
		}
	}
}

// RevisionAt names the revision current at each moment: the one before the
// first change made later, the base revision before any change.
func TestRevisionAt(t *testing.T) {
	at := time.Date(2019, 10, 2, 10, 0, 0, 0, time.UTC)
	snap := agendatest.Small(t)
	for i, title := range []string{"Two", "Three", "Four"} {
		e := snap.Edit("test", at.Add(time.Duration(i)*time.Hour))
		if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
		if i == 2 { // a revision of two entries
			if err := e.RenameRoom("room-1", "Main Hall"); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		if snap, err = e.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		t    time.Time
		want int64
	}{
		{at.Add(-time.Hour), 1},
		{at.Add(-time.Nanosecond), 1},
		{at, 2},
		{at.Add(90 * time.Minute), 3},
		{at.Add(2 * time.Hour), 4},
		{at.Add(48 * time.Hour), 4},
	} {
		if got := snap.RevisionAt(tc.t); got != tc.want {
			t.Errorf("RevisionAt(%v) = %d, want %d", tc.t, got, tc.want)
		}
		// What changed after t is what the log says changed after it.
		changes, err := snap.ChangesSince(snap.RevisionAt(tc.t))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			if !c.Time.After(tc.t) {
				t.Errorf("RevisionAt(%v): a change since it was made at %v", tc.t, c.Time)
			}
		}
		if n := len(snap.Log()) - len(changes); n > 0 && snap.Log()[n-1].Time.After(tc.t) {
			t.Errorf("RevisionAt(%v): a change made after it is left out", tc.t)
		}
	}
	if got := agendatest.Small(t).RevisionAt(at); got != 1 {
		t.Errorf("RevisionAt of a snapshot without a log = %d, want its base 1", got)
	}
}

// A clock that went back does not make RevisionAt skip the changes made
// after t at the end of the log.
func TestRevisionAtClockBack(t *testing.T) {
	at := time.Date(2019, 10, 2, 10, 0, 0, 0, time.UTC)
	log := []agenda.Change{
		{Revision: 2, Time: at.Add(2 * time.Hour), Who: "a", Session: "late-talk", Field: agenda.FieldAbstract},
		{Revision: 3, Time: at, Who: "b", Session: "late-talk", Field: agenda.FieldAbstract},
		{Revision: 4, Time: at.Add(3 * time.Hour), Who: "a", Session: "late-talk", Field: agenda.FieldAbstract},
	}
	snap, err := agenda.NewSnapshot(agendatest.SmallContents(), 4, 1, log)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.RevisionAt(at.Add(time.Hour)); got != 3 {
		t.Errorf("RevisionAt = %d, want 3 (the last entry not after t)", got)
	}
}

func TestRoomNameAt(t *testing.T) {
	at := time.Date(2019, 10, 2, 10, 0, 0, 0, time.UTC)
	snap := agendatest.Small(t)
	for i, name := range []string{"Main Hall", "Kesselhaus"} {
		e := snap.Edit("test", at.Add(time.Duration(i)*time.Hour))
		if err := e.RenameRoom("room-1", name); err != nil {
			t.Fatal(err)
		}
		var err error
		if snap, err = e.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		room string
		rev  int64
		want string
	}{
		{"room-1", 1, "Room 1"},
		{"room-1", 2, "Main Hall"},
		{"room-1", 3, "Kesselhaus"},
		{"room-2", 1, "Room 2"},
		{"no-room", 1, "no-room"},
	} {
		if got := snap.RoomNameAt(tc.room, tc.rev); got != tc.want {
			t.Errorf("RoomNameAt(%s, %d) = %q, want %q", tc.room, tc.rev, got, tc.want)
		}
	}
}

package agenda_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

func ptr[T any](v T) *T { return &v }

func TestMoveRaisesSequenceAndKeepsHistory(t *testing.T) {
	s1 := agendatest.Small(t)
	at := time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)
	e := s1.Edit("test", at)
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))}); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if s2.Revision() != 2 {
		t.Errorf("revision = %d, want 2", s2.Revision())
	}
	got, _ := s2.Session("state-of-state")
	if got.Sequence != 1 || !got.LastModified.Equal(at) || got.Room != "room-1" {
		t.Errorf("moved session = %+v, want sequence 1, room-1, modified %v", got, at)
	}
	other, _ := s2.Session("late-talk")
	if other.Sequence != 0 || !other.LastModified.Equal(agendatest.Published) {
		t.Errorf("untouched session changed: %+v", other)
	}
	old, ok, err := s2.SessionAt("state-of-state", 1)
	if err != nil || !ok || old.Room != "room-2" || !old.Start.Equal(agendatest.At(8, 10, 30)) {
		t.Errorf("SessionAt(1) = %+v, %v, %v; want room-2 at 10:30", old, ok, err)
	}
	ids, err := s2.ChangedSince(1)
	if err != nil || !slices.Equal(ids, []string{"state-of-state"}) {
		t.Errorf("ChangedSince(1) = %v, %v", ids, err)
	}
	if ids, _ := s2.ChangedSince(2); len(ids) != 0 {
		t.Errorf("ChangedSince(2) = %v, want none", ids)
	}
	if _, err := s2.ChangedSince(3); !errors.Is(err, agenda.ErrUnknownRevision) {
		t.Errorf("ChangedSince(3) err = %v, want ErrUnknownRevision", err)
	}
	if len(s1.ByRoom("room-2")) != 2 || len(s2.ByRoom("room-2")) != 1 {
		t.Errorf("room-2 membership: rev1 %d, rev2 %d; want 2 and 1", len(s1.ByRoom("room-2")), len(s2.ByRoom("room-2")))
	}
}

func TestEditErrors(t *testing.T) {
	s := agendatest.Small(t)
	tests := []struct {
		name string
		id   string
		u    agenda.SessionUpdate
		want error
	}{
		{"unknown session", "nope", agenda.SessionUpdate{Title: ptr("x")}, agenda.ErrNotFound},
		{"end before start", "late-talk", agenda.SessionUpdate{End: ptr(agendatest.At(9, 10, 0))}, agenda.ErrInvalid},
		{"outside days", "late-talk", agenda.SessionUpdate{Start: ptr(agendatest.At(10, 11, 0)), End: ptr(agendatest.At(10, 12, 0))}, agenda.ErrInvalid},
		{"unknown room", "late-talk", agenda.SessionUpdate{Room: ptr("room-9")}, agenda.ErrInvalid},
		{"unknown track", "late-talk", agenda.SessionUpdate{Track: ptr("nope")}, agenda.ErrInvalid},
		{"overlap", "state-of-state", agenda.SessionUpdate{Room: ptr("room-1")}, agenda.ErrOverlap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := s.Edit("test", time.Now())
			if err := e.UpdateSession(tc.id, tc.u); !errors.Is(err, tc.want) {
				t.Errorf("UpdateSession = %v, want %v", err, tc.want)
			}
			if len(e.Changes()) != 0 {
				t.Errorf("failed update recorded %d changes", len(e.Changes()))
			}
		})
	}
	e := s.Edit("test", time.Now())
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Force: true}); err != nil {
		t.Errorf("forced overlap: %v", err)
	}
}

func TestRenameRoomBumpsItsSessions(t *testing.T) {
	s := agendatest.Small(t)
	e := s.Edit("test", time.Date(2019, 10, 1, 0, 0, 0, 0, time.UTC))
	if err := e.RenameRoom("room-2", "Kesselhaus"); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := s2.Room("room-2"); r.Name != "Kesselhaus" {
		t.Errorf("room-2 name = %q", r.Name)
	}
	ids, _ := s2.ChangedSince(1)
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"late-talk", "state-of-state"}) {
		t.Errorf("ChangedSince(1) = %v", ids)
	}
	for _, id := range ids {
		if x, _ := s2.Session(id); x.Sequence != 1 {
			t.Errorf("%s sequence = %d, want 1", id, x.Sequence)
		}
	}
}

// TestCommitKeepsTheEdit: the revision an Editor commits keeps the
// Editor's contents, so the Editor refuses every change after; the
// snapshot it was made from and the one it made stay as they were, and a
// snapshot made by NewSnapshot is not changed through the contents it was
// given.
func TestCommitKeepsTheEdit(t *testing.T) {
	s1 := agendatest.Small(t)
	at := time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)
	e := s1.Edit("test", at)
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Title: ptr("Retitled")}); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"UpdateSession": func() error { return e.UpdateSession("state-of-state", agenda.SessionUpdate{Title: ptr("Again")}) },
		"AddRoom":       func() error { return e.AddRoom(agenda.Room{ID: "room-9", Name: "Room 9"}) },
		"AddTrack":      func() error { return e.AddTrack(agenda.Track{ID: "extra", Name: "Extra"}) },
		"RenameRoom":    func() error { return e.RenameRoom("room-1", "Renamed") },
		"Import": func() error {
			_, err := e.Import(agendatest.SmallContents(), false)
			return err
		},
		"Commit": func() error {
			_, err := e.Commit()
			return err
		},
	} {
		if err := call(); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("%s after Commit: %v, want ErrInvalid", name, err)
		}
	}
	if x, _ := s2.Session("state-of-state"); x.Title != "Retitled" {
		t.Errorf("the committed revision's title: %q, want Retitled", x.Title)
	}
	if x, _ := s1.Session("state-of-state"); x.Title == "Retitled" {
		t.Error("the edit changed the snapshot it was made from")
	}
	if len(s2.Rooms()) != len(s1.Rooms()) {
		t.Errorf("rooms after the refused AddRoom: %d, want %d", len(s2.Rooms()), len(s1.Rooms()))
	}

	c := agendatest.SmallContents()
	s, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := s.Sessions()
	for i := range c.Sessions {
		c.Sessions[i].Title = "Changed by the caller"
		if len(c.Sessions[i].Speakers) > 0 {
			c.Sessions[i].Speakers[0] = "someone-else"
		}
	}
	c.Rooms[0].Name = "Changed by the caller"
	if got := s.Sessions(); !slices.EqualFunc(got, want, func(a, b agenda.Session) bool {
		return a.Title == b.Title && slices.Equal(a.Speakers, b.Speakers)
	}) || s.Rooms()[0].Name == "Changed by the caller" {
		t.Error("NewSnapshot's snapshot changed with the contents it was given")
	}
}

// TestDeltaSince: what a store writes to catch up is everything from
// nothing, and from a stored revision the log entries after it, the
// sessions they name and the lists they touched.
func TestDeltaSince(t *testing.T) {
	s1 := agendatest.Small(t)
	at := time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)
	e := s1.Edit("test", at)
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Title: ptr("Retitled")}); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	e = s2.Edit("test", at.Add(time.Minute))
	if err := e.RenameRoom("room-2", "Kesselhaus"); err != nil {
		t.Fatal(err)
	}
	s3, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	ids := func(xs []agenda.Session) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x.ID)
		}
		return out
	}
	inRoom2 := func() []string {
		var out []string
		for _, x := range s3.Sessions() {
			if x.Room == "room-2" {
				out = append(out, x.ID)
			}
		}
		return out
	}()
	for _, tc := range []struct {
		name                    string
		stored                  int64
		log                     int
		sessions                []string
		rooms, tracks, speakers bool
	}{
		{"nothing stored", 0, len(s3.Log()), ids(s3.Sessions()), true, true, true},
		{"revision 2 stored", 2, len(s3.Log()) - len(s2.Log()), inRoom2, true, false, false},
		{"revision 3 stored", 3, 0, nil, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := s3.DeltaSince(tc.stored)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(d.Sessions)
			slices.Sort(got)
			want := slices.Clone(tc.sessions)
			slices.Sort(want)
			if len(d.Log) != tc.log || !slices.Equal(got, want) || d.Rooms != tc.rooms || d.Tracks != tc.tracks || d.Speakers != tc.speakers {
				t.Errorf("DeltaSince(%d) = %d entries, sessions %v, rooms %v tracks %v speakers %v; want %d, %v, %v %v %v",
					tc.stored, len(d.Log), got, d.Rooms, d.Tracks, d.Speakers, tc.log, want, tc.rooms, tc.tracks, tc.speakers)
			}
		})
	}
	if _, err := s3.DeltaSince(9); !errors.Is(err, agenda.ErrUnknownRevision) {
		t.Errorf("DeltaSince(9): %v, want ErrUnknownRevision", err)
	}
}

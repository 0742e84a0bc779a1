package agenda_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// edited returns Small's contents with edit applied to its sessions.
func edited(edit func(ss []agenda.Session) []agenda.Session) agenda.Contents {
	c := agendatest.SmallContents()
	c.Sessions = edit(c.Sessions)
	return c
}

func find(ss []agenda.Session, id string) *agenda.Session {
	for i := range ss {
		if ss[i].ID == id {
			return &ss[i]
		}
	}
	panic("no session " + id)
}

func TestReconcile(t *testing.T) {
	cancelled := agenda.StatusCancelled
	tests := []struct {
		name     string
		before   func(*agenda.Editor) error // a revision before the import, or nil
		file     agenda.Contents
		want     []string
		warnings []string
	}{
		{"the same agenda changes nothing", nil, agendatest.SmallContents(), nil, nil},
		{"moved, retitled in place, gone and added", nil, func() agenda.Contents {
			c := edited(func(ss []agenda.Session) []agenda.Session {
				s := find(ss, "state-of-state")
				s.Room, s.Start, s.End = "room-1", agendatest.At(8, 14, 0), agendatest.At(8, 14, 40)
				l := find(ss, "late-talk")
				l.ID, l.Title = "latest-talk", "Latest Talk" // a new title makes a new ID; the slot stays
				ss = slices.DeleteFunc(ss, func(x agenda.Session) bool { return x.ID == "opening-keynote" })
				return append(ss, agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 9, 0), End: agendatest.At(9, 9, 45), Room: "room-3", Track: "workshops"})
			})
			c.Rooms = append(c.Rooms, agenda.Room{ID: "room-3", Name: "Room 3"})
			c.Tracks = append(c.Tracks, agenda.Track{ID: "workshops", Name: "Workshops", Color: "#000000"})
			return c
		}(), []string{
			"New track: Workshops",
			"New room: Room 3",
			"State of State moved from Room 2 to Room 1, Oct 8 10:30 → 14:00",
			"Late Talk renamed to Latest Talk",
			"New session: Extra, Oct 9 09:00–09:45 in Room 3 (Workshops)",
			"Opening Keynote cancelled (Oct 8 09:00–10:00, Room 1)",
		}, nil},
		{"retitled and moved reads as cancelled and added", nil, edited(func(ss []agenda.Session) []agenda.Session {
			l := find(ss, "late-talk")
			l.ID, l.Title, l.Start, l.End = "latest-talk", "Latest Talk", agendatest.At(9, 14, 0), agendatest.At(9, 14, 40)
			return ss
		}), []string{
			"New session: Latest Talk, Oct 9 14:00–14:40 in Room 2 (Talks)",
			"Late Talk cancelled (Oct 9 11:00–11:40, Room 2)",
		}, nil},
		{"a cancelled session in the file is restored", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: &cancelled})
		}, agendatest.SmallContents(), []string{"Late Talk restored (Oct 9 11:00–11:40, Room 2)"}, nil},
		{"rooms keep their names", func(e *agenda.Editor) error {
			return e.RenameRoom("room-2", "Kesselhaus")
		}, agendatest.SmallContents(), nil, nil},
		{"overlaps are applied and reported", nil, edited(func(ss []agenda.Session) []agenda.Session {
			find(ss, "state-of-state").Room = "room-1"
			return ss
		}), []string{"State of State moved from Room 2 to Room 1"},
			[]string{"State of State (Oct 8 10:30–11:10) overlaps Streams Everywhere (Oct 8 10:30–11:10) in Room 1"}},
		{"swapped rooms apply in one revision", nil, edited(func(ss []agenda.Session) []agenda.Session {
			find(ss, "state-of-state").Room = "room-1"
			find(ss, "streams-everywhere").Room = "room-2"
			return ss
		}), []string{"Streams Everywhere moved from Room 1 to Room 2", "State of State moved from Room 2 to Room 1"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := agendatest.Small(t)
			at := time.Date(2019, 10, 2, 0, 0, 0, 0, time.UTC)
			if tc.before != nil {
				e := s.Edit("test", at)
				if err := tc.before(e); err != nil {
					t.Fatal(err)
				}
				s, _ = e.Commit()
			}
			next, got, warnings := reconcile(t, s, tc.file, at.Add(time.Hour))
			if !slices.Equal(got, tc.want) {
				t.Errorf("changes:\n%q\nwant\n%q", got, tc.want)
			}
			if !slices.Equal(warnings, tc.warnings) {
				t.Errorf("warnings %q, want %q", warnings, tc.warnings)
			}
			if r, _ := next.Room("room-2"); tc.name == "rooms keep their names" && r.Name != "Kesselhaus" {
				t.Errorf("room-2 renamed back to %q", r.Name)
			}
		})
	}
}

// reconcile imports file into s at time at as one revision and returns
// it, what it changed in words and the warnings; importing the same file
// again must change nothing more.
func reconcile(t *testing.T, s *agenda.Snapshot, file agenda.Contents, at time.Time) (next *agenda.Snapshot, changes, warnings []string) {
	t.Helper()
	e := s.Edit("import", at)
	warnings, err := e.Reconcile(file)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if next, err = e.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	for _, sum := range next.Describe(e.Changes()) {
		changes = append(changes, sum.Text)
	}
	again := next.Edit("import", at.Add(time.Hour))
	if _, err := again.Reconcile(file); err != nil || len(again.Changes()) != 0 {
		t.Errorf("second import: %v, %d changes %+v; want none", err, len(again.Changes()), again.Changes())
	}
	return next, changes, warnings
}

// Repeated titles in one slot (parallel runs of one training) are matched
// in order.
func TestReconcileSameSlotInOrder(t *testing.T) {
	c := agendatest.SmallContents()
	c.Rooms = append(c.Rooms, agenda.Room{ID: "room-3", Name: "Room 3"})
	train := func(id, title string) agenda.Session {
		return agenda.Session{ID: id, Title: title, Start: agendatest.At(9, 13, 0), End: agendatest.At(9, 14, 0),
			Room: "room-3", Track: "talks", Status: agenda.StatusConfirmed, LastModified: agendatest.Published}
	}
	c.Sessions = append(c.Sessions, train("training", "Training"), train("training-2", "Training"))
	s, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := s.Contents()
	file.Sessions = slices.DeleteFunc(file.Sessions, func(x agenda.Session) bool { return x.ID == "training" || x.ID == "training-2" })
	file.Sessions = append(file.Sessions, train("course", "Course"), train("course-2", "Course"))
	e := s.Edit("import", time.Now())
	if _, err := e.Reconcile(file); err != nil {
		t.Fatal(err)
	}
	next, _ := e.Commit()
	for _, id := range []string{"training", "training-2"} {
		if x, _ := next.Session(id); x.Title != "Course" || x.Status != agenda.StatusConfirmed {
			t.Errorf("%s = %+v, want retitled Course", id, x)
		}
	}
	if _, ok := next.Session("course"); ok {
		t.Error("course was added, want it matched to training")
	}
}

func TestReconcileErrors(t *testing.T) {
	s := agendatest.Small(t)
	dup := agendatest.SmallContents()
	dup.Sessions = append(dup.Sessions, dup.Sessions[0])
	outside := edited(func(ss []agenda.Session) []agenda.Session {
		find(ss, "late-talk").Start = agendatest.At(10, 11, 0)
		find(ss, "late-talk").End = agendatest.At(10, 12, 0)
		return ss
	})
	unknownRoom := edited(func(ss []agenda.Session) []agenda.Session {
		find(ss, "late-talk").Room = "room-9"
		return ss
	})
	for name, c := range map[string]agenda.Contents{"duplicate": dup, "outside the days": outside, "unknown room": unknownRoom} {
		e := s.Edit("import", time.Now())
		if _, err := e.Reconcile(c); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("%s: Reconcile = %v, want ErrInvalid", name, err)
		}
	}
}

// A session an organizer added by hand may have taken the number a
// source's new session has: the import still adds it, numbered after the
// highest, and the hand-made one keeps its number. (An organizer who asks
// for a taken number is refused: AddSession.)
func TestReconcileRenumbersTakenNumber(t *testing.T) {
	at := agendatest.At(1, 12, 0)
	e := agendatest.Small(t).Edit("organizer", at)
	hand := agenda.Session{ID: "hand", Title: "By Hand", Start: agendatest.At(9, 9, 0), End: agendatest.At(9, 9, 45), Room: "room-1", Track: "talks", Number: 50}
	if err := e.AddSession(hand, false); err != nil {
		t.Fatalf("AddSession: %v", err)
	}
	taken := hand
	taken.ID, taken.Title = "other", "Other"
	if err := e.AddSession(taken, true); !errors.Is(err, agenda.ErrExists) {
		t.Fatalf("AddSession of a taken number: %v, want ErrExists", err)
	}
	s, err := e.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	file := edited(func(ss []agenda.Session) []agenda.Session {
		return append(ss, agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 10, 0), End: agendatest.At(9, 10, 45), Room: "room-1", Track: "talks", Number: 50})
	})
	imp := s.Edit("import", at.Add(time.Hour))
	if _, err := imp.Reconcile(file); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	next, err := imp.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	h, _ := next.Session("hand")
	x, ok := next.Session("extra")
	if !ok || h.Number != 50 || x.Number == 50 || x.Number == 0 {
		t.Errorf("after the import: hand numbered %d, extra %d (found %v); want 50 and another", h.Number, x.Number, ok)
	}
}

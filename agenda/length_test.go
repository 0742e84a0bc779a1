package agenda_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// longAgenda is the small agenda over ten days (October 8–17) with a
// session stored before sessions had a longest length: it lasts from
// October 10, 10:00, to October 15, 10:00.
func longAgenda(t *testing.T) *agenda.Snapshot {
	t.Helper()
	c := agendatest.SmallContents()
	c.Conference.Last = agenda.Date{Year: 2019, Month: time.October, Day: 17}
	c.Sessions = append(c.Sessions, agenda.Session{ID: "art", Title: "Art", Start: agendatest.At(10, 10, 0), End: agendatest.At(15, 10, 0),
		Track: "talks", Room: "room-2", Status: agenda.StatusConfirmed, LastModified: agendatest.Published})
	s, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatalf("a stored session longer than MaxSessionLength must still load: %v", err)
	}
	return s
}

// A session added or given new times may last MaxSessionLength (99:59,
// the longest schedule.xml carries) and no longer; one stored longer
// before the limit loads and can be renamed, cancelled or shortened.
func TestMaxSessionLength(t *testing.T) {
	s := longAgenda(t)
	start := agendatest.At(12, 9, 0)
	longest := start.Add(agenda.MaxSessionLength)
	tooLong := longest.Add(time.Minute)
	const refused = `lasts 100:00, longer than a session may (99:59, the longest schedule.xml can carry)`
	for _, tc := range []struct {
		name string
		edit func(e *agenda.Editor) error
		want string // in the ErrInvalid; "" for no error
	}{
		{"add the longest", func(e *agenda.Editor) error {
			return e.AddSession(agenda.Session{ID: "new", Title: "New", Start: start, End: longest, Room: "room-1", Track: "talks"}, false)
		}, ""},
		{"add a longer one", func(e *agenda.Editor) error {
			return e.AddSession(agenda.Session{ID: "new", Title: "New", Start: start, End: tooLong, Room: "room-1", Track: "talks"}, false)
		}, `session "new": ` + refused},
		{"stretch to the longest", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Start: &start, End: &longest, Room: ptr("room-1")})
		}, ""},
		{"stretch longer", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Start: &start, End: &tooLong, Room: ptr("room-1")})
		}, `session "late-talk": ` + refused},
		{"rename the stored long one", func(e *agenda.Editor) error {
			return e.UpdateSession("art", agenda.SessionUpdate{Title: ptr("Art, all week")})
		}, ""},
		{"cancel the stored long one", func(e *agenda.Editor) error {
			return e.UpdateSession("art", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
		}, ""},
		{"shorten the stored long one", func(e *agenda.Editor) error {
			return e.UpdateSession("art", agenda.SessionUpdate{End: ptr(agendatest.At(10, 18, 0))})
		}, ""},
		{"move the stored long one as long", func(e *agenda.Editor) error {
			return e.UpdateSession("art", agenda.SessionUpdate{Start: ptr(agendatest.At(11, 10, 0)), End: ptr(agendatest.At(16, 10, 0))})
		}, `session "art": lasts 120:00, longer than a session may`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := s.Edit("test", time.Now())
			err := tc.edit(e)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (!errors.Is(err, agenda.ErrInvalid) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want ErrInvalid saying %q", err, tc.want)
			case tc.want != "" && len(e.Changes()) != 0:
				t.Errorf("a refused edit recorded %d changes", len(e.Changes()))
			}
		})
	}
}

package agenda_test

import (
	"errors"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// Adding a session, room or track under a taken ID fails with ErrExists, which
// still counts as ErrInvalid; a fresh ID does not.
func TestAddTakenIDIsErrExists(t *testing.T) {
	snap := agendatest.Small(t)
	x, _ := snap.Session("late-talk")
	tests := []struct {
		name string
		add  func(e *agenda.Editor) error
		want bool // ErrExists expected
	}{
		{"taken session", func(e *agenda.Editor) error { return e.AddSession(x, true) }, true},
		{"taken room", func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-2", Name: "Again"}) }, true},
		{"taken track", func(e *agenda.Editor) error { return e.AddTrack(agenda.Track{ID: "talks", Name: "Again"}) }, true},
		{"bad room ID", func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "Bad ID", Name: "X"}) }, false},
		{"new room", func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-9", Name: "X"}) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.add(snap.Edit("test", time.Date(2019, 10, 1, 0, 0, 0, 0, time.UTC)))
			if got := errors.Is(err, agenda.ErrExists); got != tc.want {
				t.Fatalf("err = %v: ErrExists %v, want %v", err, got, tc.want)
			}
			if tc.want && !errors.Is(err, agenda.ErrInvalid) {
				t.Errorf("err = %v, want it to wrap ErrInvalid too", err)
			}
		})
	}
}

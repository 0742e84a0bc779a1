package ical_test

import (
	"bytes"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

// Select holds what Feed holds for the same sessions, and its Modified
// moves when a session leaves the selection, which Feed's cannot see.
func TestSelect(t *testing.T) {
	snap := edit(t, agendatest.Small(t), "state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))})
	e := render(t, snap, nil)
	tests := []struct {
		name     string
		in       func(agenda.Session) bool
		ids      []string
		modified bool // Modified is the edit's time, not Published
	}{
		{"room-2, which the session left", func(x agenda.Session) bool { return x.Room == "room-2" }, ids(snap.ByRoom("room-2")), true},
		{"room-1, which it joined", func(x agenda.Session) bool { return x.Room == "room-1" }, ids(snap.ByRoom("room-1")), true},
		{"keynotes, untouched", func(x agenda.Session) bool { return x.Track == "keynote" }, ids(snap.ByTrack("keynote")), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			meta := ical.FeedMeta{Name: tc.name}
			got, want := e.Select(meta, tc.in), feed(e, meta, tc.ids)
			if !bytes.Equal(got.Bytes(), want.Body) || got.ETag() != want.ETag || got.Events() != want.Events {
				t.Errorf("Select differs from Feed of %q", tc.ids)
			}
			wantMod := agendatest.Published
			if tc.modified {
				wantMod = editAt
			}
			if !got.Modified().Equal(wantMod) {
				t.Errorf("Select Modified = %v, want %v", got.Modified(), wantMod)
			}
		})
	}
}

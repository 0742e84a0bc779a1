package ical_test

import (
	"bytes"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

// FeedOf holds what Feed holds for the sessions a selection names, and its
// Modified moves when a session leaves the selection, which Feed's cannot
// see.
func TestFeedOf(t *testing.T) {
	snap := edit(t, agendatest.Small(t), "state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))})
	e := render(t, snap, nil)
	tests := []struct {
		name     string
		sel      agenda.Selection
		ids      []string
		modified bool // Modified is the edit's time, not Published
	}{
		{"room-2, which the session left", agenda.Selection{Rooms: []string{"room-2"}}, ids(snap.ByRoom("room-2")), true},
		{"room-1, which it joined", agenda.Selection{Rooms: []string{"room-1"}}, ids(snap.ByRoom("room-1")), true},
		{"keynotes, untouched", agenda.Selection{Tracks: []string{"keynote"}}, ids(snap.ByTrack("keynote")), false},
		{"every session", agenda.Selection{All: true}, snap.SessionIDs(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			meta := ical.FeedMeta{Name: tc.name}
			got, err := e.FeedOf(e.Head(meta), tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			want := feed(e, meta, tc.ids)
			if !bytes.Equal(got.Bytes(), want.Body) || got.ETag() != want.ETag || got.Events() != want.Events {
				t.Errorf("FeedOf differs from Feed of %q", tc.ids)
			}
			wantMod := agendatest.Published
			if tc.modified {
				wantMod = editAt
			}
			if !got.Modified().Equal(wantMod) {
				t.Errorf("FeedOf Modified = %v, want %v", got.Modified(), wantMod)
			}
		})
	}
	if _, err := e.FeedOf(e.Head(ical.FeedMeta{}), agenda.Selection{Tracks: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("FeedOf an unknown track: %v", err)
	}
}

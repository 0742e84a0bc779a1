package api_test

import (
	"errors"
	"reflect"
	"testing"

	"confcal/agenda"
	"confcal/api"
)

// ChangesAt(latest, rev) is what ChangesSince(rev-1) answered while rev
// was current, for a revision of one change and for one of many (a room
// rename logs a location change per session in the room); revisions
// outside the log are refused.
func TestChangesAt(t *testing.T) {
	svc, _ := newService(t, nil)
	ctx := t.Context()
	room, start, name := "room-1", "2019-10-08T14:00", "Hall B"
	at := map[int64]*agenda.Snapshot{}
	if _, _, err := api.PatchSession(ctx, svc, "api:alice", "state-of-state", api.SessionPatch{Room: &room, Start: &start}, nil); err != nil {
		t.Fatal(err)
	}
	at[2] = svc.Current()
	if _, err := api.RenameRoom(ctx, svc, "api:bob", "room-2", api.RoomPatch{Name: &name}, nil); err != nil {
		t.Fatal(err)
	}
	at[3] = svc.Current()
	cancelled := "cancelled"
	if _, _, err := api.PatchSession(ctx, svc, "api:alice", "late-talk", api.SessionPatch{Status: &cancelled}, nil); err != nil {
		t.Fatal(err)
	}
	at[4] = svc.Current()
	latest := svc.Current()
	for rev := int64(2); rev <= 4; rev++ {
		want, err := api.ChangesSince(at[rev], rev-1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := api.ChangesAt(latest, rev)
		if err != nil {
			t.Fatalf("ChangesAt(%d): %v", rev, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ChangesAt(%d) = %+v\nwant %+v", rev, got, want)
		}
		if len(got.Changes) == 0 || len(got.Summaries) == 0 {
			t.Errorf("ChangesAt(%d) has %d changes and %d summaries, want some of each", rev, len(got.Changes), len(got.Summaries))
		}
	}
	for _, rev := range []int64{-1, 0, 1, 5} {
		if _, err := api.ChangesAt(latest, rev); !errors.Is(err, agenda.ErrUnknownRevision) {
			t.Errorf("ChangesAt(%d): %v, want ErrUnknownRevision", rev, err)
		}
	}
}

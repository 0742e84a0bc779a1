package api_test

import (
	"errors"
	"testing"

	"confcal/agenda"
	"confcal/api"
)

// Two services on one store (two replicas): an If-Match naming the ETag
// the other made, which this one has not loaded yet, is checked against
// the stored revision, not refused; an ETag of neither is refused; of two
// writers holding the same ETag only the first gets through.
func TestIfMatchAcrossReplicas(t *testing.T) {
	ctx := t.Context()
	a, store := newService(t, nil)
	b, err := agenda.Open(ctx, store, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	title := func(s string) api.SessionPatch { return api.SessionPatch{Title: &s} }
	etag := func(svc *agenda.Service, id string) string {
		x, _ := svc.Current().Session(id)
		return api.SessionETag(svc.Current(), x)
	}
	old := etag(a, "late-talk")
	if _, _, err := api.PatchSession(ctx, a, "a", "late-talk", title("On a"), []string{old}); err != nil {
		t.Fatal(err)
	}
	fresh := etag(a, "late-talk")
	if b.Current().Revision() != 1 {
		t.Fatal("b loaded a's revision by itself")
	}
	next, _, err := api.PatchSession(ctx, b, "b", "late-talk", title("On b, after a"), []string{fresh})
	if err != nil {
		t.Fatalf("If-Match of a's ETag on b: %v", err)
	}
	if next.Revision() != 3 {
		t.Errorf("revision %d, want 3", next.Revision())
	}
	// a still serves revision 2: the ETag it gave out is stale now.
	if _, _, err := api.PatchSession(ctx, a, "a", "late-talk", title("Lost"), []string{fresh}); !errors.Is(err, api.ErrPrecondition) {
		t.Errorf("a stale ETag on the replica behind: %v, want ErrPrecondition", err)
	}
	if _, _, err := api.PatchSession(ctx, b, "b", "late-talk", title("Lost"), []string{`"s99.9"`}); !errors.Is(err, api.ErrPrecondition) {
		t.Errorf("an ETag of no revision: %v, want ErrPrecondition", err)
	}
	room := func(svc *agenda.Service) string { return api.RoomETag(svc.Current(), "room-1") }
	if _, err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	r := room(a)
	name := "Hall on a"
	if _, err := api.RenameRoom(ctx, a, "a", "room-1", api.RoomPatch{Name: &name}, []string{r}); err != nil {
		t.Fatal(err)
	}
	name = "Hall on b"
	if _, err := api.RenameRoom(ctx, b, "b", "room-1", api.RoomPatch{Name: &name}, []string{room(a)}); err != nil {
		t.Errorf("If-Match of a's room ETag on b: %v", err)
	}
	if _, err := api.RenameRoom(ctx, a, "a", "room-1", api.RoomPatch{Name: &name}, []string{r}); !errors.Is(err, api.ErrPrecondition) {
		t.Errorf("the room's first ETag again: %v, want ErrPrecondition", err)
	}
}

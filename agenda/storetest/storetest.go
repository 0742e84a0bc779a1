// Package storetest is the contract of agenda.Registry and agenda.Store,
// as tests every implementation runs (memstore, sqlite, postgres): Run
// checks loading and saving (every field, and revision after revision of
// every kind of change), the compare-and-set of Save under concurrency, a
// change log without gaps, conferences, tokens and picks, and, for a
// registry that is an agenda.PushStore too, the VAPID key, push
// subscriptions, webhooks and their outbox (push.go); RunShared checks
// two registries on one database (two processes, or two replicas), racing
// each other.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// Run runs the contract against stores open returns; each call must give a
// new, empty registry.
func Run(t *testing.T, open func(t *testing.T) agenda.Registry) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, agenda.Registry)
	}{
		{"LoadSave", loadSave},
		{"CompareAndSet", compareAndSet},
		{"ConcurrentSavesOneWins", concurrentSaves},
		{"LogWithoutGaps", logWithoutGaps},
		{"Conferences", conferences},
		{"ConferencesApart", conferencesApart},
		{"Tokens", tokens},
		{"Picks", picks},
		{"EveryField", everyField},
		{"RevisionAfterRevision", revisionAfterRevision},
		{"StaleWritesNothing", staleWritesNothing},
		{"Revision", revision},
		{"UnknownConference", unknownConference},
		{"RemovedKeepsItsData", removedKeepsData},
		{"PurgeDeletesEverything", purgeDeletesAll},
		{"PurgeKeepsRevisions", purgeKeepsRevisions},
		{"PickLists", pickLists},
		{"PickExpiry", pickExpiry},
		{"PushKey", pushKey},
		{"PushSubscriptions", pushSubscriptions},
		{"PushSubscriptionBounds", pushSubscriptionBounds},
		{"Webhooks", webhooks},
		{"WebhookOutbox", webhookOutbox},
		{"OutboxClaimsOnce", outboxClaimsOnce},
		{"PurgeDeletesPush", purgeDeletesPush},
		{"PushMarks", pushMarks},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, open(t)) })
	}
}

// add adds conference slug to r.
func add(t *testing.T, r agenda.Registry, slug string) agenda.Store {
	t.Helper()
	if err := r.AddConference(context.Background(), agenda.Listing{Slug: slug}); err != nil {
		t.Fatalf("AddConference(%s): %v", slug, err)
	}
	return r.Agenda(slug)
}

// edit makes the next revision of s with change.
func edit(t *testing.T, s *agenda.Snapshot, change func(*agenda.Editor) error) *agenda.Snapshot {
	t.Helper()
	e := s.Edit("storetest", time.Date(2019, 10, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(s.Revision())*time.Minute))
	if err := change(e); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func retitle(title string) func(*agenda.Editor) error {
	return func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title})
	}
}

// same fails unless got and want hold the same revision, agenda and log.
func same(t *testing.T, got, want *agenda.Snapshot) {
	t.Helper()
	if got.Revision() != want.Revision() || got.BaseRevision() != want.BaseRevision() || got.Conference() != want.Conference() {
		t.Fatalf("revision %d (base %d) of %+v, want %d (base %d) of %+v", got.Revision(), got.BaseRevision(), got.Conference(),
			want.Revision(), want.BaseRevision(), want.Conference())
	}
	gs, ws := got.Sessions(), want.Sessions()
	if len(gs) != len(ws) {
		t.Fatalf("%d sessions, want %d", len(gs), len(ws))
	}
	for i := range ws {
		if !gs[i].Equal(ws[i]) {
			t.Errorf("session %d = %+v, want %+v", i, gs[i], ws[i])
		}
	}
	if !slices.Equal(got.Rooms(), want.Rooms()) || !slices.Equal(got.Tracks(), want.Tracks()) || !slices.Equal(got.Speakers(), want.Speakers()) {
		t.Errorf("rooms, tracks or speakers differ")
	}
	gl, wl := got.Log(), want.Log()
	if len(gl) != len(wl) {
		t.Fatalf("%d log entries, want %d", len(gl), len(wl))
	}
	for i := range wl {
		g, w := gl[i], wl[i]
		if !g.Time.Equal(w.Time) {
			t.Errorf("log entry %d at %v, want %v", i, g.Time, w.Time)
		}
		g.Time, w.Time = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("log entry %d = %+v, want %+v", i, g, w)
		}
	}
}

func loadSave(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	s := add(t, r, "small")
	if _, err := s.Load(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Fatalf("Load of a new conference: %v, want ErrEmpty", err)
	}
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "ada", Name: "Ada"}}
	c.Sessions[4].Speakers = []string{"ada"}
	c.Sessions[4].Subtitle, c.Sessions[4].URL = "Sub", "https://example.org/late"
	v1, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, v1)
	v2 := edit(t, v1, func(e *agenda.Editor) error {
		if err := e.RenameRoom("room-2", "Kesselhaus"); err != nil {
			return err
		}
		return e.AddSpeaker(agenda.Speaker{ID: "alan", Name: "Alan"})
	})
	v3 := edit(t, v2, retitle("Later Talk"))
	for _, next := range []*agenda.Snapshot{v2, v3} {
		if err := s.Save(ctx, next); err != nil {
			t.Fatalf("Save revision %d: %v", next.Revision(), err)
		}
	}
	got, err = r.Agenda("small").Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, v3)
}

func compareAndSet(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	s := add(t, r, "small")
	v1 := agendatest.Small(t)
	if err := s.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, v1); !errors.Is(err, agenda.ErrStale) {
		t.Errorf("saving revision 1 again: %v, want ErrStale", err)
	}
	v3 := edit(t, edit(t, v1, retitle("A")), retitle("B"))
	if err := s.Save(ctx, v3); !errors.Is(err, agenda.ErrStale) {
		t.Errorf("saving revision 3 over 1: %v, want ErrStale", err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, v1)
}

func concurrentSaves(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	s := add(t, r, "small")
	v1 := agendatest.Small(t)
	if err := s.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		next := edit(t, v1, retitle(fmt.Sprint("writer ", i)))
		wg.Go(func() { errs[i] = s.Save(ctx, next) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, agenda.ErrStale):
			t.Errorf("a losing Save: %v, want ErrStale", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent Saves of revision 2 won, want exactly 1", won, n)
	}
}

func logWithoutGaps(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	s := add(t, r, "small")
	snap := agendatest.Small(t)
	if err := s.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		snap = edit(t, snap, retitle(fmt.Sprint("title ", i)))
		if err := s.Save(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range got.Log() {
		if c.Revision != int64(i+2) {
			t.Fatalf("log entry %d at revision %d, want %d", i, c.Revision, i+2)
		}
	}
	if got.Revision() != 21 {
		t.Errorf("revision %d, want 21", got.Revision())
	}
}

func conferences(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	add(t, r, "first")
	src := agenda.Source{Location: "https://example.org/schedule.xml", Format: "schedule-xml", Follow: 5 * time.Minute}
	if err := r.AddConference(ctx, agenda.Listing{Slug: "second", Source: src}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddConference(ctx, agenda.Listing{Slug: "first"}); !errors.Is(err, agenda.ErrExists) {
		t.Errorf("adding a taken slug: %v, want ErrExists", err)
	}
	list, err := r.Conferences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Slug != "first" || !list[0].Default || list[1].Slug != "second" || list[1].Default || list[1].Source != src {
		t.Fatalf("Conferences = %+v", list)
	}
	src.Follow = time.Hour
	if err := r.SetSource(ctx, "second", src); err != nil {
		t.Fatal(err)
	}
	if err := r.PurgeConference(ctx, "second"); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("purging a conference that is not removed: %v, want ErrInvalid", err)
	}
	if err := r.RemoveConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	list, _ = r.Conferences(ctx)
	if len(list) != 2 || list[1].Removed.IsZero() || list[1].Source.Follow != time.Hour {
		t.Errorf("after removing: %+v", list)
	}
	if err := r.RestoreConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if list, _ = r.Conferences(ctx); !list[1].Removed.IsZero() {
		t.Errorf("after restoring: %+v", list)
	}
	if err := r.RemoveConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if err := r.PurgeConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if list, _ = r.Conferences(ctx); len(list) != 1 {
		t.Errorf("after purging: %+v", list)
	}
	for _, op := range []func(context.Context, string) error{r.RemoveConference, r.RestoreConference, r.PurgeConference} {
		if err := op(ctx, "nobody"); !errors.Is(err, agenda.ErrNoConference) {
			t.Errorf("on an unknown conference: %v, want ErrNoConference", err)
		}
	}
}

// Two conferences' agendas, logs and revisions are their own.
func conferencesApart(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	a, b := add(t, r, "a"), add(t, r, "b")
	va := agendatest.Small(t)
	if err := a.Save(ctx, va); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("b after a's first Save: %v, want ErrEmpty", err)
	}
	vb := agendatest.Small(t)
	if err := b.Save(ctx, vb); err != nil {
		t.Fatal(err)
	}
	va2 := edit(t, va, retitle("Only in a"))
	if err := a.Save(ctx, va2); err != nil {
		t.Fatal(err)
	}
	gotB, err := b.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, gotB, vb)
	gotA, err := a.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, gotA, va2)
	if err := r.RemoveConference(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := r.PurgeConference(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if gotA, err = a.Load(ctx); err != nil {
		t.Fatal(err)
	}
	same(t, gotA, va2)
}

func tokens(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	add(t, r, "a")
	add(t, r, "b")
	if err := r.AddToken(ctx, "a", "hash-of-a"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddToken(ctx, "nobody", "hash-x"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a token of an unknown conference: %v, want ErrNoConference", err)
	}
	if slug, err := r.TokenConference(ctx, "hash-of-a"); err != nil || slug != "a" {
		t.Errorf("TokenConference = %q, %v; want a", slug, err)
	}
	if _, err := r.TokenConference(ctx, "hash-of-b"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("an unknown token: %v, want ErrNoConference", err)
	}
	if err := r.RemoveConference(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.TokenConference(ctx, "hash-of-a"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a removed conference's token: %v, want ErrNoConference", err)
	}
}

func picks(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	add(t, r, "a")
	add(t, r, "b")
	ids := []string{"opening-keynote", "late-talk"}
	code, err := r.PutPick(ctx, "a", "aaaaaaaaaaaaaaaa", ids, 10)
	if err != nil || code != "aaaaaaaaaaaaaaaa" {
		t.Fatalf("PutPick = %q, %v", code, err)
	}
	if code, err := r.PutPick(ctx, "a", "bbbbbbbbbbbbbbbb", ids, 10); err != nil || code != "aaaaaaaaaaaaaaaa" {
		t.Errorf("the same pick again = %q, %v; want its first code", code, err)
	}
	if _, err := r.PutPick(ctx, "b", "aaaaaaaaaaaaaaaa", []string{"x"}, 10); !errors.Is(err, agenda.ErrPickCodeTaken) {
		t.Errorf("a taken code: %v, want ErrPickCodeTaken", err)
	}
	if got, ok, err := r.GetPick(ctx, "a", "aaaaaaaaaaaaaaaa"); !ok || err != nil || !slices.Equal(got, ids) {
		t.Errorf("GetPick = %v, %v, %v", got, ok, err)
	}
	if _, ok, err := r.GetPick(ctx, "b", "aaaaaaaaaaaaaaaa"); ok || err != nil {
		t.Errorf("a's pick read as b's: %v, %v", ok, err)
	}
	for i := range 2 {
		if _, err := r.PutPick(ctx, "b", fmt.Sprintf("cccccccccccccc%02d", i), []string{fmt.Sprint("s", i)}, 2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.PutPick(ctx, "b", "dddddddddddddddd", []string{"s9"}, 2); !errors.Is(err, agenda.ErrPicksFull) {
		t.Errorf("a pick beyond b's cap: %v, want ErrPicksFull", err)
	}
	if _, err := r.PutPick(ctx, "a", "eeeeeeeeeeeeeeee", []string{"s9"}, 2); err != nil {
		t.Errorf("a's cap is its own: %v", err)
	}
}

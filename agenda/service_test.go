package agenda_test

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
	"confcal/agenda/memstore"
)

// recorder is a PublishFunc that notes what it rendered and what it served.
type recorder struct {
	mu       sync.Mutex
	rendered []int64
	served   []int64
	fail     error
	delay    time.Duration // how long rendering takes
}

func (r *recorder) publish(_ context.Context, s *agenda.Snapshot) (func(), error) {
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return nil, r.fail
	}
	r.rendered = append(r.rendered, s.Revision())
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.served = append(r.served, s.Revision())
	}, nil
}

func (r *recorder) servedRevs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.served)
}

// failingStore wraps a Store and fails Save with err when err is set.
type failingStore struct {
	agenda.Store
	err error
}

func (f *failingStore) Save(ctx context.Context, s *agenda.Snapshot) error {
	if f.err != nil {
		return f.err
	}
	return f.Store.Save(ctx, s)
}

func smallSeed(t *testing.T) func() (*agenda.Snapshot, error) {
	return func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }
}

func openService(t *testing.T, store agenda.Store, rec *recorder) *agenda.Service {
	t.Helper()
	svc, err := agenda.Open(context.Background(), store, smallSeed(t), rec.publish)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	svc.SetClock(func() time.Time { return time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC) })
	return svc
}

func move(id, room string, start time.Time) func(*agenda.Editor) error {
	return func(e *agenda.Editor) error {
		x, _ := e.Base().Session(id)
		end := start.Add(x.Duration())
		return e.UpdateSession(id, agenda.SessionUpdate{Room: &room, Start: &start, End: &end})
	}
}

func TestOpenImportsSeedOnceThenLoadsStore(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	rec := &recorder{}
	svc := openService(t, store, rec)
	if got := svc.Current().Revision(); got != 1 {
		t.Fatalf("first start: revision %d, want 1", got)
	}
	if store.Saves() != 1 {
		t.Fatalf("first start: %d saves, want 1 (the seed)", store.Saves())
	}
	if _, _, err := svc.Change(ctx, "test", move("state-of-state", "room-1", agendatest.At(8, 14, 0))); err != nil {
		t.Fatal(err)
	}
	seedCalled := false
	again, err := agenda.Open(ctx, store, func() (*agenda.Snapshot, error) {
		seedCalled = true
		return nil, errors.New("seed must not be read")
	}, nil)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	if seedCalled {
		t.Error("second start read the seed, want the store")
	}
	if got := again.Current().Revision(); got != 2 {
		t.Errorf("second start: revision %d, want 2", got)
	}
	if x, _ := again.Current().Session("state-of-state"); x.Room != "room-1" || x.Sequence != 1 {
		t.Errorf("second start: moved session = %+v, want room-1 sequence 1", x)
	}
}

func TestOpenSeedError(t *testing.T) {
	_, err := agenda.Open(context.Background(), memstore.New(), func() (*agenda.Snapshot, error) {
		return nil, errors.New("seeds: line 3: bad time")
	}, nil)
	if err == nil {
		t.Fatal("Open with a failing seed succeeded")
	}
}

func TestChangePublishesStoresThenServes(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	rec := &recorder{}
	svc := openService(t, store, rec)
	next, changes, err := svc.Change(ctx, "alice", move("state-of-state", "room-1", agendatest.At(8, 14, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if next.Revision() != 2 || svc.Current() != next {
		t.Errorf("Change returned revision %d, Current is %d; want both 2", next.Revision(), svc.Current().Revision())
	}
	if len(changes) != 3 {
		t.Errorf("Change returned %d changes, want 3 (room, start, end): %+v", len(changes), changes)
	}
	for _, c := range changes {
		if c.Who != "alice" || c.Revision != 2 {
			t.Errorf("change %+v: want who alice, revision 2", c)
		}
	}
	if got := rec.servedRevs(); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("served revisions %v, want [1 2]", got)
	}
	stored, err := store.Load(ctx)
	if err != nil || stored.Revision() != 2 {
		t.Errorf("stored revision = %v, %v; want 2", stored, err)
	}
}

func TestFailedChangeLeavesEverythingAsItWas(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		fn      func(*agenda.Editor) error
		publish error
		save    error
		want    error
	}{
		{name: "edit rejected", fn: move("state-of-state", "room-1", agendatest.At(8, 10, 30)), want: agenda.ErrOverlap},
		{name: "publish fails", fn: move("state-of-state", "room-1", agendatest.At(8, 14, 0)), publish: errors.New("render failed")},
		{name: "save fails", fn: move("state-of-state", "room-1", agendatest.At(8, 14, 0)), save: errors.New("disk full")},
		{name: "second edit of a change set rejected", fn: func(e *agenda.Editor) error {
			title := "Renamed"
			if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
				return err
			}
			return e.UpdateSession("nope", agenda.SessionUpdate{Title: &title})
		}, want: agenda.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memstore.New()
			store := &failingStore{Store: mem}
			rec := &recorder{}
			svc := openService(t, store, rec)
			before := svc.Current()
			rec.fail, store.err = tc.publish, tc.save
			got, changes, err := svc.Change(ctx, "test", tc.fn)
			if err == nil {
				t.Fatal("Change succeeded, want an error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Change error %v, want %v", err, tc.want)
			}
			if got != before || svc.Current() != before || len(changes) != 0 {
				t.Errorf("after a failed change: returned rev %d, current rev %d, %d changes; want rev 1 and none", got.Revision(), svc.Current().Revision(), len(changes))
			}
			if mem.Saves() != 1 {
				t.Errorf("store saved %d times, want only the seed", mem.Saves())
			}
			if got := rec.servedRevs(); !slices.Equal(got, []int64{1}) {
				t.Errorf("served revisions %v, want [1]", got)
			}
		})
	}
}

func TestNoOpChangeStoresNothing(t *testing.T) {
	store := memstore.New()
	svc := openService(t, store, &recorder{})
	title := "Late Talk" // its current title
	got, changes, err := svc.Change(context.Background(), "test", func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title})
	})
	if err != nil || got.Revision() != 1 || len(changes) != 0 || store.Saves() != 1 {
		t.Errorf("no-op change: rev %d, %d changes, %d saves, err %v; want rev 1, none, 1 save, nil", got.Revision(), len(changes), store.Saves(), err)
	}
}

func TestChangeBeforeLoad(t *testing.T) {
	svc := agenda.NewService(memstore.New(), nil)
	if svc.Current() != nil {
		t.Error("Current before Load is not nil")
	}
	if _, _, err := svc.Change(context.Background(), "test", func(*agenda.Editor) error { return nil }); err == nil {
		t.Error("Change before Load succeeded")
	}
}

// Two services share a store, as two replicas or a server and the command
// line would: the second one's change meets ErrStale, reloads, and is
// applied on top of the first one's.
func TestChangeOnStaleServiceReloads(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	recA, recB := &recorder{}, &recorder{}
	a := openService(t, store, recA)
	b := openService(t, store, recB)
	if _, _, err := a.Change(ctx, "a", move("state-of-state", "room-1", agendatest.At(8, 14, 0))); err != nil {
		t.Fatal(err)
	}
	title := "Later Talk"
	next, _, err := b.Change(ctx, "b", func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title})
	})
	if err != nil {
		t.Fatalf("change on a stale service: %v", err)
	}
	if next.Revision() != 3 {
		t.Fatalf("revision %d, want 3", next.Revision())
	}
	if x, _ := next.Session("state-of-state"); x.Room != "room-1" {
		t.Errorf("the other service's move was lost: %+v", x)
	}
	if got := recB.servedRevs(); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("stale service served %v, want [1 2 3]", got)
	}
	changed, err := a.Refresh(ctx)
	if err != nil || !changed || a.Current().Revision() != 3 {
		t.Errorf("Refresh = %v, %v, revision %d; want true, nil, 3", changed, err, a.Current().Revision())
	}
	if changed, err := a.Refresh(ctx); changed || err != nil {
		t.Errorf("second Refresh = %v, %v; want false, nil", changed, err)
	}
}

// Concurrent changes are serialized: every one lands in its own revision
// and the change log has no gaps.
func TestConcurrentChangesAreSerialized(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	svc := openService(t, store, &recorder{})
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			abstract := fmt.Sprintf("edit %d", i)
			if _, _, err := svc.Change(ctx, fmt.Sprint(i), func(e *agenda.Editor) error {
				return e.UpdateSession("late-talk", agenda.SessionUpdate{Abstract: &abstract})
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	cur := svc.Current()
	if cur.Revision() != n+1 {
		t.Fatalf("revision %d, want %d", cur.Revision(), n+1)
	}
	who := map[string]bool{}
	for i, c := range cur.Log() {
		if c.Revision != int64(i+2) {
			t.Fatalf("log entry %d at revision %d, want %d", i, c.Revision, i+2)
		}
		who[c.Who] = true
	}
	if len(who) != n {
		t.Errorf("log names %d authors, want %d", len(who), n)
	}
}

// Two services on one store write at the same time, as two replicas or a
// server and the command line do: every change lands, in its own revision,
// however often the other service moved the store on first.
func TestConcurrentWritersOnOneStoreAllLand(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	// Rendering takes a while, as it does for a real server, which leaves
	// the other service time to store a revision in between.
	svcs := []*agenda.Service{openService(t, store, &recorder{delay: time.Millisecond}), openService(t, store, &recorder{delay: time.Millisecond})}
	const perWriter = 30
	var wg sync.WaitGroup
	for w := range 4 {
		svc := svcs[w%2]
		wg.Go(func() {
			for i := range perWriter {
				abstract := fmt.Sprintf("writer %d edit %d", w, i)
				if _, _, err := svc.Change(ctx, fmt.Sprint(w), func(e *agenda.Editor) error {
					return e.UpdateSession("late-talk", agenda.SessionUpdate{Abstract: &abstract})
				}); err != nil {
					t.Errorf("writer %d edit %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	stored, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1 + 4*perWriter); stored.Revision() != want {
		t.Fatalf("stored revision %d, want %d", stored.Revision(), want)
	}
	for i, c := range stored.Log() {
		if c.Revision != int64(i+2) {
			t.Fatalf("log entry %d at revision %d, want %d (a gap or a repeat)", i, c.Revision, i+2)
		}
	}
}

// staleStore's Save always finds another revision stored first.
type staleStore struct {
	agenda.Store
	saves int
}

func (s *staleStore) Save(ctx context.Context, next *agenda.Snapshot) error {
	if next.Revision() == 1 {
		return s.Store.Save(ctx, next)
	}
	s.saves++
	return fmt.Errorf("staleStore: %w", agenda.ErrStale)
}

// A store that never lets a change through makes Change retry, then give
// up with an error the API reports as busy (ErrStale), not loop forever.
func TestChangeGivesUpOnAStoreThatKeepsMoving(t *testing.T) {
	store := &staleStore{Store: memstore.New()}
	svc := openService(t, store, &recorder{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	abstract := "never lands"
	start := time.Now()
	_, _, err := svc.Change(ctx, "test", func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Abstract: &abstract})
	})
	if !errors.Is(err, agenda.ErrStale) {
		t.Fatalf("Change = %v, want an error wrapping ErrStale", err)
	}
	if store.saves < 3 {
		t.Errorf("Change tried %d times, want several attempts before giving up", store.saves)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Change took %s, want it to stop at the context's deadline", d)
	}
	if x, _ := svc.Current().Session("late-talk"); x.Abstract == abstract {
		t.Error("the served revision has a change the store never took")
	}
}

package agenda

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// PublishFunc renders snap for serving without making it current yet: it
// returns swap, which makes the rendering current atomically. A Service calls
// swap only after the revision is stored, so what is served is always stored.
type PublishFunc func(ctx context.Context, snap *Snapshot) (swap func(), err error)

// Service owns the current revision of the agenda and serializes changes to
// it: each change is edited, committed, rendered (PublishFunc), made durable
// (Store.Save) and only then served. A change that fails at any step leaves
// the store and the served revision as they were.
//
// Several Services (server replicas, or a command-line tool next to a running
// server) may share one Store: a change built on a revision another Service
// has replaced meets ErrStale on Save; the Service then loads the stored
// revision, publishes it and runs the change once more on top of it.
type Service struct {
	store   Store
	publish PublishFunc
	now     func() time.Time

	mu  sync.Mutex // serializes Change, Load and Refresh
	cur atomic.Pointer[Snapshot]
}

// NewService returns a Service that keeps the agenda in store and publishes
// every revision with publish (nil publishes nothing). The Service has no
// current revision until Load succeeds; Open does both.
func NewService(store Store, publish PublishFunc) *Service {
	if publish == nil {
		publish = func(context.Context, *Snapshot) (func(), error) { return func() {}, nil }
	}
	return &Service{store: store, publish: publish, now: time.Now}
}

// Open loads the stored agenda and publishes it. On a first start the store
// is empty: seed is called, and its snapshot is stored and published.
func Open(ctx context.Context, store Store, seed func() (*Snapshot, error), publish PublishFunc) (*Service, error) {
	s := NewService(store, publish)
	if err := s.Load(ctx, seed); err != nil {
		return nil, err
	}
	return s, nil
}

// SetClock makes the Service stamp changes with now instead of time.Now. It
// is meant for tests and must be called before the Service is used.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Load reads the stored agenda and makes it the current, published revision.
// When the store is empty and seed is not nil, the seed's snapshot is stored
// first (if another process imports at the same moment, its import wins and
// is loaded instead).
func (s *Service) Load(ctx context.Context, seed func() (*Snapshot, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, err := s.store.Load(ctx)
	if errors.Is(err, ErrEmpty) && seed != nil {
		snap, err = s.importSeed(ctx, seed)
	}
	if err != nil {
		return wrapf(err, "load the stored agenda")
	}
	return s.serve(ctx, snap)
}

func (s *Service) importSeed(ctx context.Context, seed func() (*Snapshot, error)) (*Snapshot, error) {
	snap, err := seed()
	if err != nil {
		return nil, fmt.Errorf("import the seed: %w", err)
	}
	err = s.store.Save(ctx, snap)
	if errors.Is(err, ErrStale) {
		return s.store.Load(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("store the seed: %w", err)
	}
	return snap, nil
}

// serve publishes snap and makes it current. The caller holds s.mu.
func (s *Service) serve(ctx context.Context, snap *Snapshot) error {
	swap, err := s.publish(ctx, snap)
	if err != nil {
		return wrapf(err, "publish revision %d", snap.Revision())
	}
	swap()
	s.cur.Store(snap)
	return nil
}

// Current returns the current revision, or nil before Load.
func (s *Service) Current() *Snapshot { return s.cur.Load() }

// Refresh loads the store and, when it holds a newer revision than the
// current one (written by another process), publishes it and makes it
// current. It reports whether the revision changed.
func (s *Service) Refresh(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh(ctx)
}

func (s *Service) refresh(ctx context.Context) (bool, error) {
	cur := s.cur.Load()
	if r, ok := s.store.(revisioner); ok && cur != nil {
		if rev, err := r.Revision(ctx); err == nil && rev == cur.Revision() {
			return false, nil
		}
	}
	snap, err := s.store.Load(ctx)
	if err != nil {
		return false, wrapf(err, "refresh from the store")
	}
	if cur != nil && snap.Revision() <= cur.Revision() {
		return false, nil
	}
	return true, s.serve(ctx, snap)
}

// revisioner is implemented by stores that can tell their revision without
// loading the agenda (sqlite.Store can), which makes Refresh cheap to poll.
type revisioner interface {
	Revision(ctx context.Context) (int64, error)
}

// Change runs fn on an Editor over the current revision, made by who, and
// commits the result as the next revision: it is rendered, stored and then
// served, so when Change returns nil every feed already shows it. Changes are
// serialized; fn must not call the Service. If fn returns an error, or
// records no change, nothing happens and Change returns the current
// revision.
//
// When another process sharing the store saved a revision first (ErrStale
// on Save, the normal case for replicas on one database), Change serves the
// stored revision and runs fn again on top of it, with a growing, jittered
// pause between attempts, until StaleDeadline has passed since the first
// attempt (or ctx ends); it then gives up with an error wrapping ErrStale,
// which callers report as "busy, try again". So fn may run several times
// and must decide from the Editor's snapshot alone.
func (s *Service) Change(ctx context.Context, who string, fn func(*Editor) error) (*Snapshot, []Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	if cur == nil {
		return nil, nil, errors.New("agenda: change before the agenda was loaded")
	}
	start := time.Now()
	pause := firstStalePause
	for {
		next, changes, err := s.change(ctx, cur, who, fn)
		if !errors.Is(err, ErrStale) {
			return next, changes, err
		}
		if time.Since(start)+pause > StaleDeadline {
			return cur, nil, wrapf(err, "the store kept moving on for %s", StaleDeadline)
		}
		// Another process saved a revision: wait a little (so two writers
		// racing each other fall out of step), serve what it stored and
		// redo the change on top of it.
		t := time.NewTimer(pause/2 + rand.N(pause))
		select {
		case <-ctx.Done():
			t.Stop()
			return cur, nil, wrapf(errors.Join(ctx.Err(), err), "retrying a change on a stale revision")
		case <-t.C:
		}
		pause = min(2*pause, maxStalePause)
		if _, rerr := s.refresh(ctx); rerr != nil {
			return cur, nil, errors.Join(err, rerr)
		}
		cur = s.cur.Load()
	}
}

// StaleDeadline bounds how long Change keeps retrying a change that meets
// ErrStale because other processes keep saving revisions to the same store.
const StaleDeadline = 5 * time.Second

// The pauses between attempts of a change that met ErrStale: the first,
// doubled after each attempt up to the last.
const (
	firstStalePause = 5 * time.Millisecond
	maxStalePause   = 250 * time.Millisecond
)

func (s *Service) change(ctx context.Context, cur *Snapshot, who string, fn func(*Editor) error) (*Snapshot, []Change, error) {
	e := cur.Edit(who, s.now())
	if err := fn(e); err != nil {
		return cur, nil, err
	}
	changes := e.Changes()
	if len(changes) == 0 {
		return cur, nil, nil
	}
	next, err := e.Commit()
	if err != nil {
		return cur, nil, wrapf(err, "commit revision %d", cur.Revision()+1)
	}
	swap, err := s.publish(ctx, next)
	if err != nil {
		return cur, nil, wrapf(err, "publish revision %d", next.Revision())
	}
	if err := s.store.Save(ctx, next); err != nil {
		return cur, nil, wrapf(err, "save revision %d", next.Revision())
	}
	swap()
	s.cur.Store(next)
	return next, changes, nil
}

// Package memstore is an agenda.Store that keeps the agenda in memory, for
// tests and for running a server whose changes need not survive a restart.
// It follows the Store contract exactly (Save is a compare-and-set on the
// revision), so code tested against it behaves the same on a real store.
package memstore

import (
	"context"
	"fmt"
	"sync"

	"confcal/agenda"
)

// Store is an in-memory agenda.Store. The zero value is an empty store.
type Store struct {
	mu    sync.Mutex
	saved *agenda.Snapshot
	saves int
}

var _ agenda.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store { return &Store{} }

// Load returns a copy of the stored agenda.
func (s *Store) Load(ctx context.Context) (*agenda.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: load: %w", err)
	}
	if s.saved == nil {
		return nil, fmt.Errorf("memstore: %w", agenda.ErrEmpty)
	}
	return clone(s.saved)
}

// Save stores next if it follows the stored revision (or the store is empty).
func (s *Store) Save(ctx context.Context, next *agenda.Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: save: %w", err)
	}
	if s.saved != nil && s.saved.Revision() != next.Revision()-1 {
		return fmt.Errorf("memstore: save revision %d over stored revision %d: %w", next.Revision(), s.saved.Revision(), agenda.ErrStale)
	}
	c, err := clone(next)
	if err != nil {
		return err
	}
	s.saved = c
	s.saves++
	return nil
}

// Saves reports how many times Save succeeded.
func (s *Store) Saves() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}

// Close does nothing.
func (s *Store) Close() error { return nil }

// clone rebuilds snap from its contents, so that the store shares nothing
// with its callers — as a store on disk would not.
func clone(snap *agenda.Snapshot) (*agenda.Snapshot, error) {
	c, err := agenda.NewSnapshot(snap.Contents(), snap.Revision(), snap.BaseRevision(), snap.Log())
	if err != nil {
		return nil, fmt.Errorf("memstore: copy revision %d: %w", snap.Revision(), err)
	}
	return c, nil
}

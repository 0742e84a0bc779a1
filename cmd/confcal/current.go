package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"confcal/agenda"
)

// currentAgenda returns the agenda that sessions and export show: the file
// named by -agenda when given; else the stored agenda of the default
// conference when the store (-store, or the data directory) holds one (so
// they show the organizers' changes, as the server does); else the
// built-in one. It never creates an SQLite store. What the import of a
// file skipped or repaired goes to stderr, so that output stays the
// agenda's alone.
func currentAgenda(ctx context.Context, a *agendaFlags, st *storeFlags, stdin io.Reader, stderr io.Writer) (*agenda.Snapshot, error) {
	if *a.file != "" {
		return a.snapshot(ctx, stdin, stderr)
	}
	ok, err := st.exists()
	if err != nil {
		return nil, err
	}
	if !ok {
		return a.snapshot(ctx, stdin, stderr)
	}
	store, where, err := st.open(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	snap, err := store.Load(ctx)
	if errors.Is(err, agenda.ErrEmpty) {
		return a.snapshot(ctx, stdin, stderr)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the store in %s: %w", where, err)
	}
	return snap, nil
}

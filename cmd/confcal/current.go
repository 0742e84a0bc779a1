package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"confcal/agenda"
	"confcal/sqlite"
)

// currentAgenda returns the agenda that sessions and export show: the file
// named by -agenda when given; else the stored agenda when the data
// directory holds a store (so they show the organizers' changes, as the
// server does); else the built-in one. It never creates a store.
func currentAgenda(ctx context.Context, a *agendaFlags, data string, stdin io.Reader) (*agenda.Snapshot, error) {
	if *a.file != "" {
		return a.snapshot(ctx, stdin)
	}
	if _, err := os.Stat(filepath.Join(data, sqlite.FileName)); errors.Is(err, fs.ErrNotExist) {
		return a.snapshot(ctx, stdin)
	}
	store, err := sqlite.Open(ctx, data)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	snap, err := store.Load(ctx)
	if errors.Is(err, agenda.ErrEmpty) {
		return a.snapshot(ctx, stdin)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the store in %s: %w", data, err)
	}
	return snap, nil
}

package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"confcal/agenda/agendatest"
	"confcal/sqlite"
	"confcal/sqlite/sqlitetest"
)

// A store this user cannot write is read, with nothing written, when its
// schema is current: closed (only its database file there), or held open
// by a writer (its -wal and -shm files there too). Opening it to
// write fails, saying it is read-only, as does reading it when it needs
// migrating.
func TestReadOnlyStore(t *testing.T) {
	ctx := context.Background()
	var held *sqlite.Store
	dir, ok := sqlitetest.ReadOnly(t, func(t *testing.T, dir string) {
		for _, name := range []string{"closed", "open", "old"} {
			s, err := sqlite.Open(ctx, filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Save(ctx, agendatest.Small(t)); err != nil {
				t.Fatal(err)
			}
			if name == "open" {
				held = s // by a writer, while the test reads
				continue
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
		// One migration behind: the test never gets to run it.
		db, err := sql.Open("sqlite", filepath.Join(dir, "old", sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "PRAGMA user_version = 7"); err != nil {
			t.Fatal(err)
		}
	})
	if held != nil {
		defer held.Close()
	}
	if !ok {
		return
	}
	before := sqlitetest.Files(t, dir)
	for _, name := range []string{"closed", "open"} {
		d := filepath.Join(dir, name)
		path := filepath.Join(d, sqlite.FileName)
		s, err := sqlite.OpenReadOnly(ctx, d)
		if err != nil {
			t.Fatalf("OpenReadOnly of the %s store: %v", name, err)
		}
		got, err := s.Load(ctx)
		if err != nil {
			t.Errorf("Load of the %s store: %v", name, err)
		} else {
			assertSame(t, got, agendatest.Small(t))
		}
		if list, err := s.Conferences(ctx); err != nil || len(list) != 1 {
			t.Errorf("Conferences of the %s store = %v, %v; want one", name, list, err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		w, err := sqlite.Open(ctx, d)
		if err == nil {
			w.Close()
			t.Errorf("Open of the %s store succeeded", name)
		} else if !errors.Is(err, sqlite.ErrReadOnly) || !strings.Contains(err.Error(), path+" is read-only") {
			t.Errorf("Open of the %s store: %v; want it to wrap ErrReadOnly and say %s is read-only", name, err, path)
		}
	}
	d := filepath.Join(dir, "old")
	want := filepath.Join(d, sqlite.FileName) + " is read-only and needs migrating from schema version 7 to 9"
	for name, open := range map[string]func(context.Context, string) (*sqlite.Store, error){"OpenReadOnly": sqlite.OpenReadOnly, "Open": sqlite.Open} {
		s, err := open(ctx, d)
		if err == nil {
			s.Close()
			t.Errorf("%s of a store that needs migrating succeeded", name)
		} else if !errors.Is(err, sqlite.ErrReadOnly) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s of a store that needs migrating: %v; want it to wrap ErrReadOnly and say %s", name, err, want)
		}
	}
	if after := sqlitetest.Files(t, dir); after != before {
		t.Errorf("the stores' files changed:\n%s\nwant\n%s", after, before)
	}
}

// OpenReadOnly of a store that can be written migrates it, as Open does.
func TestOpenReadOnlyMigrates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	if err := s.Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Version 7 without the tables of versions 8 and 9: migrating makes
	// them again.
	if _, err := db.ExecContext(ctx, "DROP TABLE purged_revisions; DROP TABLE push_marks; PRAGMA user_version = 7"); err != nil {
		t.Fatal(err)
	}
	r, err := sqlite.OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatalf("OpenReadOnly of a store that needs migrating: %v", err)
	}
	defer r.Close()
	if got, err := r.Load(ctx); err != nil {
		t.Errorf("Load: %v", err)
	} else {
		assertSame(t, got, agendatest.Small(t))
	}
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != 9 {
		t.Errorf("schema version %d (%v) after OpenReadOnly, want 9", version, err)
	}
	for _, table := range []string{"push_marks", "purged_revisions"} {
		if _, err := db.ExecContext(ctx, "SELECT count(*) FROM "+table); err != nil {
			t.Errorf("the table %s after OpenReadOnly: %v", table, err)
		}
	}
	if _, err := sqlite.OpenReadOnly(ctx, t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenReadOnly of a directory without a store: %v, want fs.ErrNotExist", err)
	}
}

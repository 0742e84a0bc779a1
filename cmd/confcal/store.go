package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"confcal/agenda"
	"confcal/postgres"
	"confcal/sqlite"
)

// registry is what the commands use of a store: its conferences, and the
// default conference's agenda as an agenda.Store that tells its revision
// (the SQLite and the PostgreSQL store both are one).
type registry interface {
	agenda.Registry
	// Every store keeps push subscriptions, webhooks and their outbox,
	// so serve turns WebDAV-Push and webhooks on whichever it runs on.
	agenda.PushStore
	Load(ctx context.Context) (*agenda.Snapshot, error)
	Save(ctx context.Context, next *agenda.Snapshot) error
	Revision(ctx context.Context) (int64, error)
}

var (
	_ registry = (*sqlite.Store)(nil)
	_ registry = (*postgres.Store)(nil)
)

// storeFlags name the store: -store, else the SQLite store in -data.
type storeFlags struct {
	data, store *string
	// readOnly says the command only reads the store: an SQLite one
	// that exists is then opened read-only (sqlite.OpenReadOnly), so
	// that one this user cannot write (the file or the data directory
	// not writable, a read-only mount) can be read; one that does not is
	// created as for any command. Without readOnly, opening a store that
	// cannot be written fails, before anything is changed.
	readOnly bool
}

// url returns -store, else CONFCAL_STORE. The variable is not the flag's
// default, so that -h never prints a password it may hold.
func (f *storeFlags) url() string {
	if *f.store != "" {
		return *f.store
	}
	return os.Getenv("CONFCAL_STORE")
}

// addStoreFlags defines -data and -store, shared by serve and the
// organizer commands.
func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	return &storeFlags{
		data: dataFlag(fs),
		store: fs.String("store", "",
			"the store, instead of the one in -data: a PostgreSQL `URL` (postgres://user@host/db) or sqlite:DIR for the SQLite store in data directory DIR (env CONFCAL_STORE)"),
	}
}

// storeKind is a kind of store the commands know.
type storeKind int

const (
	sqliteStore storeKind = iota
	postgresStore
)

// parseStore reads -store (with -data for none): the kind of store and its
// data directory or URL.
func parseStore(store, data string) (storeKind, string, error) {
	switch {
	case store == "":
		return sqliteStore, data, nil
	case strings.HasPrefix(store, "postgres://"), strings.HasPrefix(store, "postgresql://"):
		return postgresStore, store, nil
	case strings.HasPrefix(store, "sqlite:"):
		if dir := strings.TrimPrefix(store, "sqlite:"); dir != "" {
			return sqliteStore, dir, nil
		}
	}
	return 0, "", &usageError{err: fmt.Errorf("-store: want postgres://… or sqlite:DIR, got %q", redact(store))}
}

// redact hides the password a mistyped store URL may hold.
func redact(store string) string {
	scheme, rest, ok := strings.Cut(store, "://")
	if at := strings.LastIndexByte(rest, '@'); ok && at >= 0 {
		if user, _, hasPW := strings.Cut(rest[:at], ":"); hasPW {
			return scheme + "://" + user + ":xxxxx" + rest[at:]
		}
	}
	return store
}

// check reports a -store the command line got wrong, before anything is
// opened.
func (f *storeFlags) check() error {
	_, _, err := parseStore(f.url(), *f.data)
	return err
}

// open opens the store the flags name (creating an SQLite one, or the
// tables of a PostgreSQL one, if needed) and says where it is, for
// messages; a PostgreSQL URL is named without its password.
func (f *storeFlags) open(ctx context.Context) (registry, string, error) {
	kind, where, err := parseStore(f.url(), *f.data)
	if err != nil {
		return nil, "", err
	}
	return openStore(ctx, kind, where, f.readOnly && kind == sqliteStore && sqliteExists(where))
}

// openStore opens the store of kind at where (see parseStore); with
// readOnly, an SQLite one must exist and is opened for reading only.
func openStore(ctx context.Context, kind storeKind, where string, readOnly bool) (registry, string, error) {
	if kind == postgresStore {
		st, err := postgres.Open(ctx, where)
		if err != nil {
			return nil, "", err
		}
		return st, st.Name(), nil
	}
	open := sqlite.Open
	if readOnly {
		open = sqlite.OpenReadOnly
	}
	st, err := open(ctx, where)
	if err != nil {
		return nil, "", err
	}
	return st, st.Path(), nil
}

// postgresURL returns the URL of the PostgreSQL store the flags name, ""
// when they name an SQLite one.
func (f *storeFlags) postgresURL() string {
	kind, where, err := parseStore(f.url(), *f.data)
	if err != nil || kind != postgresStore {
		return ""
	}
	return where
}

// exists reports whether the store the flags name may hold an agenda: a
// PostgreSQL one always may, an SQLite one when its file exists (so that
// reading creates none).
func (f *storeFlags) exists() (bool, error) {
	kind, where, err := parseStore(f.url(), *f.data)
	if err != nil {
		return false, err
	}
	return kind == postgresStore || sqliteExists(where), nil
}

// sqliteExists reports whether data directory dir holds an SQLite store.
func sqliteExists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, sqlite.FileName))
	return !errors.Is(err, fs.ErrNotExist)
}

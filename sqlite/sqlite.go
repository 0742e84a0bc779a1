// Package sqlite is the default agenda.Store: one SQLite database file in a
// data directory, through modernc.org/sqlite (pure Go, no cgo).
//
// The database runs in WAL mode with synchronous=FULL, so a Save that
// returned is on disk even if the process is killed right after. Every Save
// is one transaction: a compare-and-set on the stored revision, the rows of
// the sessions, rooms and tracks the revision changed, and its change log
// entries. Several processes may share the file (a server and the command
// line); writers take the database lock when their transaction begins and
// wait for each other up to a busy timeout.
//
// The schema is versioned with PRAGMA user_version and migrated forward on
// Open. The tables mirror the agenda model closely so that another store
// (PostgreSQL, for several replicas) can keep the same shape. OpenReadOnly
// reads a store without writing to it, one its user cannot write too.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"confcal/agenda"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the name of the database file inside the data directory.
const FileName = "confcal.db"

// Store is an agenda.Store in a SQLite database.
type Store struct {
	db   *sql.DB
	path string
	now  func() time.Time // the clock picks are stamped with
}

var _ agenda.Store = (*Store)(nil)

// A migration brings the schema from one version to the next, inside the
// transaction of Open.
type migration func(ctx context.Context, tx *sql.Tx) error

// statements is a migration of SQL statements alone.
func statements(q string) migration {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q)
		return err
	}
}

// migrations returns, at i, what brings the schema from version i to
// version i+1.
func migrations() []migration {
	return []migration{
		statements(schema1), statements(schema2), statements(schema3), statements(schema4), statements(schema5),
		toConferences, statements(schema7), statements(schema8), statements(schema9),
	}
}

// The schema of version 1 and the changes of versions 2 to 5.
const (
	// Version 1: one agenda, its tracks, rooms, sessions and change log.
	schema1 = `CREATE TABLE agenda (
		id          INTEGER PRIMARY KEY CHECK (id = 1),
		revision    INTEGER NOT NULL,
		base        INTEGER NOT NULL,
		name        TEXT NOT NULL,
		description TEXT NOT NULL,
		time_zone   TEXT NOT NULL,
		first_day   TEXT NOT NULL,
		last_day    TEXT NOT NULL,
		uid_domain  TEXT NOT NULL
	);
	CREATE TABLE tracks (
		id       TEXT PRIMARY KEY,
		position INTEGER NOT NULL,
		name     TEXT NOT NULL,
		color    TEXT NOT NULL
	);
	CREATE TABLE rooms (
		id       TEXT PRIMARY KEY,
		position INTEGER NOT NULL,
		name     TEXT NOT NULL
	);
	CREATE TABLE sessions (
		id            TEXT PRIMARY KEY,
		title         TEXT NOT NULL,
		start_time    TEXT NOT NULL,
		end_time      TEXT NOT NULL,
		track         TEXT NOT NULL REFERENCES tracks (id),
		room          TEXT NOT NULL REFERENCES rooms (id),
		abstract      TEXT NOT NULL,
		status        TEXT NOT NULL,
		sequence      INTEGER NOT NULL,
		last_modified TEXT NOT NULL
	);
	CREATE TABLE changes (
		revision  INTEGER NOT NULL,
		position  INTEGER NOT NULL,
		time      TEXT NOT NULL,
		who       TEXT NOT NULL,
		session   TEXT NOT NULL,
		room      TEXT NOT NULL,
		track     TEXT NOT NULL,
		field     TEXT NOT NULL,
		old_value TEXT NOT NULL,
		new_value TEXT NOT NULL,
		PRIMARY KEY (revision, position)
	);`
	// Version 2: attendees' personal picks stored under short codes.
	schema2 = `CREATE TABLE picks (
		code     TEXT PRIMARY KEY,
		sessions TEXT NOT NULL,
		created  TEXT NOT NULL
	);`
	// Version 3: one code per pick. Picks stored more than once before are
	// kept (their codes may be subscribed to) but marked duplicate; every
	// other pick is unique by its sessions, which finds the code of a pick
	// made again.
	schema3 = `ALTER TABLE picks ADD COLUMN duplicate INTEGER NOT NULL DEFAULT 0;
	UPDATE picks SET duplicate = 1 WHERE rowid NOT IN (SELECT min(rowid) FROM picks GROUP BY sessions);
	CREATE UNIQUE INDEX picks_by_sessions ON picks (sessions) WHERE duplicate = 0;`
	// Version 4: when each pick was last fetched, so picks nobody fetched
	// for PickExpiry can go; a pick stored before counts as fetched then.
	schema4 = `ALTER TABLE picks ADD COLUMN used TEXT NOT NULL DEFAULT '';
	UPDATE picks SET used = created;
	CREATE INDEX picks_by_use ON picks (used);`
	// Version 5: speakers, more about each session (subtitle, type,
	// language, its page at the source, a stable number), and the
	// conference's day-change time (minutes after midnight) and URL.
	// Sessions stored before get the numbers a snapshot gives them: in
	// agenda order (start, room order, ID).
	schema5 = `ALTER TABLE agenda ADD COLUMN day_change INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE agenda ADD COLUMN url TEXT NOT NULL DEFAULT '';
	CREATE TABLE speakers (
		id       TEXT PRIMARY KEY,
		position INTEGER NOT NULL,
		name     TEXT NOT NULL
	);
	ALTER TABLE sessions ADD COLUMN subtitle TEXT NOT NULL DEFAULT '';
	ALTER TABLE sessions ADD COLUMN type TEXT NOT NULL DEFAULT '';
	ALTER TABLE sessions ADD COLUMN language TEXT NOT NULL DEFAULT '';
	ALTER TABLE sessions ADD COLUMN url TEXT NOT NULL DEFAULT '';
	ALTER TABLE sessions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
	UPDATE sessions SET number = (
		SELECT n FROM (
			SELECT s.id, ROW_NUMBER() OVER (ORDER BY s.start_time, r.position, s.id) AS n
			FROM sessions s JOIN rooms r ON r.id = s.room
		) AS ordered WHERE ordered.id = sessions.id);
	CREATE TABLE session_speakers (
		session  TEXT NOT NULL REFERENCES sessions (id),
		position INTEGER NOT NULL,
		speaker  TEXT NOT NULL REFERENCES speakers (id),
		PRIMARY KEY (session, position)
	);
	ALTER TABLE changes ADD COLUMN speaker TEXT NOT NULL DEFAULT '';`
)

// timeFormat stores instants as UTC text that sorts and reads well.
const timeFormat = time.RFC3339Nano

// ErrReadOnly is wrapped by the error of Open, and of OpenReadOnly on a
// store that needs migrating, when the store cannot be written: the
// database file or its directory is not writable by this user, or is on a
// read-only file system.
var ErrReadOnly = errors.New("read-only")

// Open opens (creating it if needed) the store in directory dir, which is
// created if missing, and migrates its schema. The store must be writable:
// when it is not, the error wraps ErrReadOnly (and nothing is changed);
// OpenReadOnly reads such a store.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	return openWriter(ctx, filepath.Join(dir, FileName))
}

// openWriter opens the database file at path for writing and migrates it.
func openWriter(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate") // writers lock at BEGIN: no deadlocked lock upgrades
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens the existing store in directory dir for reading only:
// it creates nothing and, when the schema is current, writes nothing, so
// that it reads a store this user cannot write (the file or the directory
// not writable, a read-only mount). A store of an older schema is first
// migrated as Open does, which needs writing: when the store cannot be
// written, the error wraps ErrReadOnly and says it needs migrating. The
// returned Store's writes fail.
func OpenReadOnly(ctx context.Context, dir string) (*Store, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s, version, err := openRead(ctx, path)
	if err != nil {
		return nil, err
	}
	if version == len(migrations()) {
		return s, nil
	}
	s.Close()
	if err := checkVersion(path, version); err != nil {
		return nil, err
	}
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	w.Close()
	s, _, err = openReader(ctx, path, false)
	return s, err
}

// openRead opens the database file at path read-only and reads its schema
// version, as openReader does, and as an immutable file when SQLite cannot
// open it otherwise in a directory it cannot write.
func openRead(ctx context.Context, path string) (*Store, int, error) {
	s, version, err := openReader(ctx, path, false)
	if readOnly(err) && !exists(path+"-wal") {
		// A WAL database in a directory SQLite cannot write is readable
		// only with its -shm file, which SQLite cannot make there. With no
		// -wal file, all of it is in the database file, which is read as
		// immutable: without the -shm file and without locks.
		s, version, err = openReader(ctx, path, true)
	}
	return s, version, err
}

// storedVersion returns the schema version of the database file at path,
// -1 if it cannot be read.
func storedVersion(ctx context.Context, path string) int {
	s, version, err := openRead(ctx, path)
	if err != nil {
		return -1
	}
	s.Close()
	return version
}

// openReader opens the database file at path read-only (immutable: as a
// file nobody changes) and reads its schema version.
func openReader(ctx context.Context, path string, immutable bool) (*Store, int, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("sqlite: open %s: schema version: %w", path, err)
	}
	return &Store{db: db, path: path, now: time.Now}, version, nil
}

// readOnly reports whether err is SQLite's for a database it cannot write
// or cannot open.
func readOnly(err error) bool {
	var e interface{ Code() int }
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff { // the primary result code of an extended one
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

// exists reports whether there is a file at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// readOnlyError is the error for the database file at path, of schema
// version (-1: not known), that SQLite cannot write (err).
func readOnlyError(path string, version int, err error) error {
	if n := len(migrations()); version >= 0 && version < n {
		return fmt.Errorf("sqlite: %s is %w and needs migrating from schema version %d to %d, which writes it: open it once with write access to it and its directory: %w",
			path, ErrReadOnly, version, n, err)
	}
	return fmt.Errorf("sqlite: %s is %w (writing needs write access to it and its directory): %w", path, ErrReadOnly, err)
}

// checkVersion refuses the database file at path when its schema version
// is newer than this program knows.
func checkVersion(path string, version int) error {
	if n := len(migrations()); version > n {
		return fmt.Errorf("sqlite: %s has schema version %d, newer than this program knows (%d)", path, version, n)
	}
	return nil
}

// SetClock makes the store read the time from now (for tests); it must be
// called before the store is used.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// migrate brings the schema up to date in one write transaction. Setting
// the schema version, even to the one stored, tells whether the store can
// be written (ErrReadOnly if not); the transaction commits only when there
// was something to migrate, so a current store is left as it was.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if readOnly(err) {
		// SQLite could not even read it this way (in a directory it
		// cannot write): the schema version, for the message, is read
		// as OpenReadOnly reads it.
		return readOnlyError(s.path, storedVersion(ctx, s.path), err)
	}
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", s.path, err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("sqlite: migrate %s: schema version: %w", s.path, err)
	}
	if err := checkVersion(s.path, version); err != nil {
		return err
	}
	all := migrations()
	// PRAGMA does not take parameters; the value is our own integer.
	_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(all)))
	switch {
	case readOnly(err):
		return readOnlyError(s.path, version, err)
	case err != nil:
		return fmt.Errorf("sqlite: migrate %s: set schema version: %w", s.path, err)
	case version == len(all):
		return nil // nothing to migrate: roll back, writing nothing
	}
	for i := version; i < len(all); i++ {
		if err := all[i](ctx, tx); err != nil {
			return fmt.Errorf("sqlite: migrate %s to schema version %d: %w", s.path, i+1, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", s.path, err)
	}
	return nil
}

// Revision returns the default conference's stored revision, or an error
// wrapping agenda.ErrEmpty. It is much cheaper than Load, for noticing
// changes made by other processes.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	slug, err := s.defaultConference(ctx, s.db)
	if err != nil {
		return 0, err
	}
	return s.revision(ctx, slug)
}

// revision returns conference slug's stored revision.
func (s *Store) revision(ctx context.Context, slug string) (int64, error) {
	var rev int64
	err := s.db.QueryRowContext(ctx, "SELECT revision FROM agendas WHERE conf = ?", slug).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlite: %s: %s: %w", s.path, slug, agenda.ErrEmpty)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: stored revision: %w", busy(err))
	}
	return rev, nil
}

// defaultConference returns the default conference's slug, an error
// wrapping agenda.ErrEmpty when the store holds none yet.
func (s *Store) defaultConference(ctx context.Context, q queryer) (string, error) {
	var slug string
	err := q.QueryRowContext(ctx, "SELECT slug FROM conferences WHERE is_default = 1").Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: %s: %w", s.path, agenda.ErrEmpty)
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: default conference: %w", busy(err))
	}
	return slug, nil
}

// Load reads the default conference's agenda and its change log (see
// Agenda for any other conference's).
func (s *Store) Load(ctx context.Context) (*agenda.Snapshot, error) {
	slug, err := s.defaultConference(ctx, s.db)
	if err != nil {
		return nil, err
	}
	return s.load(ctx, slug)
}

// load reads conference slug's agenda, in one read transaction.
func (s *Store) load(ctx context.Context, slug string) (*agenda.Snapshot, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: load: %w", err)
	}
	defer tx.Rollback()
	snap, err := load(ctx, tx, slug)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load %s of %s: %w", slug, s.path, err)
	}
	return snap, nil
}

func load(ctx context.Context, tx *sql.Tx, slug string) (*agenda.Snapshot, error) {
	var (
		c           agenda.Contents
		rev, base   int64
		first, last string
	)
	conf := &c.Conference
	var dayChange int64
	err := tx.QueryRowContext(ctx, `SELECT revision, base, name, description, time_zone, first_day, last_day, uid_domain, day_change, url
		FROM agendas WHERE conf = ?`, slug).Scan(&rev, &base, &conf.Name, &conf.Description, &conf.TimeZone, &first, &last, &conf.UIDDomain, &dayChange, &conf.URL)
	conf.DayChange = time.Duration(dayChange) * time.Minute
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agenda.ErrEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("agenda row: %w", err)
	}
	if conf.First, err = agenda.ParseDate(first); err != nil {
		return nil, fmt.Errorf("agenda row: first day: %w", err)
	}
	if conf.Last, err = agenda.ParseDate(last); err != nil {
		return nil, fmt.Errorf("agenda row: last day: %w", err)
	}
	if err := query(ctx, tx, "SELECT id, name, color FROM tracks WHERE conf = ? ORDER BY position", slug, func(r *sql.Rows) error {
		var t agenda.Track
		if err := r.Scan(&t.ID, &t.Name, &t.Color); err != nil {
			return err
		}
		c.Tracks = append(c.Tracks, t)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("tracks: %w", err)
	}
	if err := query(ctx, tx, "SELECT id, name FROM rooms WHERE conf = ? ORDER BY position", slug, func(r *sql.Rows) error {
		var x agenda.Room
		if err := r.Scan(&x.ID, &x.Name); err != nil {
			return err
		}
		c.Rooms = append(c.Rooms, x)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("rooms: %w", err)
	}
	if err := query(ctx, tx, "SELECT id, name FROM speakers WHERE conf = ? ORDER BY position", slug, func(r *sql.Rows) error {
		var p agenda.Speaker
		if err := r.Scan(&p.ID, &p.Name); err != nil {
			return err
		}
		c.Speakers = append(c.Speakers, p)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("speakers: %w", err)
	}
	speakers := map[string][]string{}
	if err := query(ctx, tx, "SELECT session, speaker FROM session_speakers WHERE conf = ? ORDER BY session, position", slug, func(r *sql.Rows) error {
		var id, p string
		if err := r.Scan(&id, &p); err != nil {
			return err
		}
		speakers[id] = append(speakers[id], p)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("session speakers: %w", err)
	}
	if err := query(ctx, tx, `SELECT id, title, start_time, end_time, track, room, abstract, status, sequence, last_modified,
		subtitle, type, language, url, number
		FROM sessions WHERE conf = ? ORDER BY id`, slug, func(r *sql.Rows) error {
		var (
			x                 agenda.Session
			start, end, mod   string
			status            string
			startT, endT, mdT time.Time
			err               error
		)
		if err := r.Scan(&x.ID, &x.Title, &start, &end, &x.Track, &x.Room, &x.Abstract, &status, &x.Sequence, &mod,
			&x.Subtitle, &x.Type, &x.Language, &x.URL, &x.Number); err != nil {
			return err
		}
		x.Speakers = speakers[x.ID]
		if startT, err = time.Parse(timeFormat, start); err != nil {
			return fmt.Errorf("session %q: start: %w", x.ID, err)
		}
		if endT, err = time.Parse(timeFormat, end); err != nil {
			return fmt.Errorf("session %q: end: %w", x.ID, err)
		}
		if mdT, err = time.Parse(timeFormat, mod); err != nil {
			return fmt.Errorf("session %q: last modified: %w", x.ID, err)
		}
		x.Start, x.End, x.LastModified, x.Status = startT, endT, mdT, agenda.Status(status)
		c.Sessions = append(c.Sessions, x)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	var log []agenda.Change
	if err := query(ctx, tx, `SELECT revision, time, who, session, room, track, speaker, field, old_value, new_value
		FROM changes WHERE conf = ? ORDER BY revision, position`, slug, func(r *sql.Rows) error {
		var (
			ch    agenda.Change
			at    string
			field string
		)
		if err := r.Scan(&ch.Revision, &at, &ch.Who, &ch.Session, &ch.Room, &ch.Track, &ch.Speaker, &field, &ch.Old, &ch.New); err != nil {
			return err
		}
		t, err := time.Parse(timeFormat, at)
		if err != nil {
			return fmt.Errorf("change at revision %d: time: %w", ch.Revision, err)
		}
		ch.Time, ch.Field = t, agenda.Field(field)
		log = append(log, ch)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("change log: %w", err)
	}
	snap, err := agenda.NewSnapshot(c, rev, base, log)
	if err != nil {
		return nil, fmt.Errorf("revision %d: %w", rev, err)
	}
	return snap, nil
}

// rowsQueryer is what query needs of a *sql.DB or *sql.Tx.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// query runs q with the arguments args but the last, which is the func
// called for every row; a failing row is named by its position in the
// result (1 for the first).
func query(ctx context.Context, tx rowsQueryer, q string, args ...any) error {
	scan := args[len(args)-1].(func(*sql.Rows) error)
	rows, err := tx.QueryContext(ctx, q, args[:len(args)-1]...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if err := scan(rows); err != nil {
			return fmt.Errorf("row %d: %w", n, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("after row %d: %w", n, err)
	}
	return nil
}

// Save stores next as the default conference's agenda, in one transaction,
// if the stored revision is the one next was edited from (next.Revision()
// − 1); otherwise it fails with agenda.ErrStale and writes nothing. On an
// empty store it adds the default conference first, its slug made from the
// agenda's name (agenda.DefaultSlug).
func (s *Store) Save(ctx context.Context, next *agenda.Snapshot) error {
	return s.save(ctx, "", next, true)
}

// save stores next as conference slug's agenda ("" for the default one;
// with create, an empty store gets the default conference first).
func (s *Store) save(ctx context.Context, slug string, next *agenda.Snapshot, create bool) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: save revision %d: %w", next.Revision(), busy(err))
	}
	defer tx.Rollback()
	if slug == "" {
		slug, err = s.defaultConference(ctx, tx)
		if errors.Is(err, agenda.ErrEmpty) && create {
			slug = agenda.DefaultSlug(next.Conference().Name)
			err = addConference(ctx, tx, agenda.Listing{Slug: slug})
		}
		if err != nil {
			return fmt.Errorf("sqlite: save revision %d: %w", next.Revision(), err)
		}
	}
	if err := save(ctx, tx, slug, next, s.now()); err != nil {
		return fmt.Errorf("sqlite: save revision %d of %s: %w", next.Revision(), slug, busy(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: save revision %d: commit: %w", next.Revision(), busy(err))
	}
	return nil
}

// save writes next as conference slug's agenda and enqueues its revision
// for the conference's webhooks (now is the time they are due).
func save(ctx context.Context, tx *sql.Tx, slug string, next *agenda.Snapshot, now time.Time) error {
	if err := known(ctx, tx, slug); err != nil {
		return err
	}
	var stored int64
	err := tx.QueryRowContext(ctx, "SELECT revision FROM agendas WHERE conf = ?", slug).Scan(&stored)
	first := errors.Is(err, sql.ErrNoRows)
	switch {
	case first:
	case err != nil:
		return err
	case stored != next.Revision()-1:
		return fmt.Errorf("stored revision is %d: %w", stored, agenda.ErrStale)
	}
	if first {
		if err := afterPurged(ctx, tx, slug, next); err != nil {
			return err
		}
	}
	conf := next.Conference()
	if _, err := tx.ExecContext(ctx, `INSERT INTO agendas (conf, revision, base, name, description, time_zone, first_day, last_day, uid_domain, day_change, url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (conf) DO UPDATE SET revision = excluded.revision, base = excluded.base, name = excluded.name,
			description = excluded.description, time_zone = excluded.time_zone, first_day = excluded.first_day,
			last_day = excluded.last_day, uid_domain = excluded.uid_domain, day_change = excluded.day_change, url = excluded.url`,
		slug, next.Revision(), next.BaseRevision(), conf.Name, conf.Description, conf.TimeZone,
		conf.First.String(), conf.Last.String(), conf.UIDDomain, int64(conf.DayChange/time.Minute), conf.URL); err != nil {
		return fmt.Errorf("agenda row: %w", err)
	}

	// What to write: everything on a first import; otherwise what the new
	// revision's change log entries name.
	if first {
		stored = 0
	}
	d, err := next.DeltaSince(stored)
	if err != nil {
		return err
	}
	if d.Speakers {
		for i, p := range next.Speakers() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO speakers (conf, id, position, name) VALUES (?, ?, ?, ?)
				ON CONFLICT (conf, id) DO UPDATE SET position = excluded.position, name = excluded.name`,
				slug, p.ID, i, p.Name); err != nil {
				return fmt.Errorf("speaker %q: %w", p.ID, err)
			}
		}
	}
	if d.Tracks {
		for i, t := range next.Tracks() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tracks (conf, id, position, name, color) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (conf, id) DO UPDATE SET position = excluded.position, name = excluded.name, color = excluded.color`,
				slug, t.ID, i, t.Name, t.Color); err != nil {
				return fmt.Errorf("track %q: %w", t.ID, err)
			}
		}
	}
	if d.Rooms {
		for i, r := range next.Rooms() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rooms (conf, id, position, name) VALUES (?, ?, ?, ?)
				ON CONFLICT (conf, id) DO UPDATE SET position = excluded.position, name = excluded.name`,
				slug, r.ID, i, r.Name); err != nil {
				return fmt.Errorf("room %q: %w", r.ID, err)
			}
		}
	}
	for _, x := range d.Sessions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (conf, id, title, start_time, end_time, track, room, abstract, status, sequence, last_modified,
				subtitle, type, language, url, number)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (conf, id) DO UPDATE SET title = excluded.title, start_time = excluded.start_time, end_time = excluded.end_time,
				track = excluded.track, room = excluded.room, abstract = excluded.abstract, status = excluded.status,
				sequence = excluded.sequence, last_modified = excluded.last_modified, subtitle = excluded.subtitle,
				type = excluded.type, language = excluded.language, url = excluded.url, number = excluded.number`,
			slug, x.ID, x.Title, x.Start.UTC().Format(timeFormat), x.End.UTC().Format(timeFormat), x.Track, x.Room,
			x.Abstract, string(x.Status), x.Sequence, x.LastModified.UTC().Format(timeFormat),
			x.Subtitle, x.Type, x.Language, x.URL, x.Number); err != nil {
			return fmt.Errorf("session %q: %w", x.ID, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM session_speakers WHERE conf = ? AND session = ?", slug, x.ID); err != nil {
			return fmt.Errorf("session %q: speakers: %w", x.ID, err)
		}
		for i, p := range x.Speakers {
			if _, err := tx.ExecContext(ctx, "INSERT INTO session_speakers (conf, session, position, speaker) VALUES (?, ?, ?, ?)", slug, x.ID, i, p); err != nil {
				return fmt.Errorf("session %q: speaker %q: %w", x.ID, p, err)
			}
		}
	}
	pos := map[int64]int{}
	for _, c := range d.Log {
		if _, err := tx.ExecContext(ctx, `INSERT INTO changes (conf, revision, position, time, who, session, room, track, speaker, field, old_value, new_value)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			slug, c.Revision, pos[c.Revision], c.Time.UTC().Format(timeFormat), c.Who, c.Session, c.Room, c.Track, c.Speaker,
			string(c.Field), c.Old, c.New); err != nil {
			return fmt.Errorf("change log at revision %d: %w", c.Revision, err)
		}
		pos[c.Revision]++
	}
	return enqueue(ctx, tx, slug, next.Revision(), now)
}

// Package postgres is an agenda.Registry in a PostgreSQL database, through
// github.com/jackc/pgx, for several server replicas sharing one store.
//
// Its semantics are the SQLite store's (package sqlite): each conference's
// agenda is an agenda.Store whose Save is one transaction — a
// compare-and-set on the stored revision (agenda.ErrStale when another
// process saved first), the rows of the sessions, rooms, tracks and speakers
// the revision changed, and its change log entries — so the log never has
// a gap and revisions never repeat. Picks, conferences and organizers'
// tokens behave as they do there.
//
// Every committed Save announces itself in the same transaction with
// pg_notify on the store's channel ("confcal" in the schema public, one of
// its own in any other schema: see channel), the payload
// "conference:revision" (the slug, a colon and the revision just stored; a
// slug holds no colon). A change to the list of conferences — one added,
// removed, restored or purged, or its source set — is announced the same
// way with the payload "conference:listing" (ListingPayload), which a
// reader of revisions alone refuses rather than misreads. A notification
// is sent only if the transaction commits, so a listener that hears one
// can read what it announces. Listen follows them for a server replica.
//
// The schema is versioned in the table confcal_schema and migrated forward
// on Open, under a transaction-scoped advisory lock, so replicas starting
// at once migrate it once. Everything lives in the connection's current
// schema (the URL's search_path option picks another one).
//
// For server replicas on one store: Listen follows the notifications on a
// connection of its own, reconnecting with backoff and catching up after
// each connection; Turns lets one replica at a time poll a followed source
// (a session-level advisory lock per conference), and Turns.Push one at a
// time send a conference's WebDAV-Push messages.
//
// The Store is also an agenda.PushStore, as the SQLite store is: every
// Save enqueues its revision for the conference's webhooks in its
// transaction, and ClaimDeliveries leases deliveries with FOR UPDATE SKIP
// LOCKED, so replicas delivering from one outbox send each once. A failure to reach the
// server is an agenda.ErrUnavailable, so a server answers 503, not 500.
// A read, a BEGIN, or a write nothing of which was sent, that meets a
// kept connection the server has ended since (a restart, a failover) is
// sent again on another, so it is not such a failure.
//
// LISTEN and session-level locks need sessions of their own, so PgBouncer
// in transaction pooling mode is not supported.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// channel names, on the server, the channel of the store in the current
// schema: "confcal" for the schema public (the channel of every store
// before schemas had their own), "confcal." and the schema's name for any
// other — or, where that would pass PostgreSQL's 63 bytes of an
// identifier, "confcal." and the name's MD5. Channels are the database's,
// not a schema's: stores in schemas of one database would otherwise hear
// each other's changes. NOTIFY and Listen both ask the server, so the rule
// lives here alone.
const channel = `CASE
		WHEN current_schema() = 'public' THEN 'confcal'
		WHEN octet_length('confcal.' || current_schema()) <= 63 THEN 'confcal.' || current_schema()
		ELSE 'confcal.' || md5(current_schema()) END`

// notify is the statement that notifies the current schema's channel of
// the payload $1.
const notify = "SELECT pg_notify(" + channel + ", $1)"

// connectTimeout bounds each connection attempt when the URL names no
// connect_timeout, so an unreachable server is an error, not a hang.
const connectTimeout = 10 * time.Second

// Store is an agenda.Registry in a PostgreSQL database. Its Load, Save and
// Revision are the default conference's agenda (as the SQLite store's).
type Store struct {
	pool  *pgxpool.Pool
	tries int              // of a statement on a dead connection (see retry): the pool's size and one
	name  string           // where the store is, without the password
	now   func() time.Time // the clock picks, tokens and removals are stamped with
}

var (
	_ agenda.Registry = (*Store)(nil)
	_ agenda.Store    = (*Store)(nil)
)

// Open connects to the database at url (a postgres:// URL or a
// keyword/value connection string, as libpq reads them) and migrates its
// schema. A server that cannot be reached, or refuses the login, is an
// error here.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: the store URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	s := &Store{tries: int(cfg.MaxConns) + 1, name: describe(cfg.ConnConfig), now: time.Now}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, s.errorf("%w", err)
	}
	if err := s.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// describe names a connection for messages: user, host, port, database
// and the search path when one is given (stores in two schemas of one
// database are two stores), never the password.
func describe(c *pgx.ConnConfig) string {
	var d, sep string
	if strings.HasPrefix(c.Host, "/") { // a Unix socket's directory
		d, sep = fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d", c.User, c.Database, c.Host, c.Port), "&"
	} else {
		d, sep = fmt.Sprintf("postgres://%s@%s/%s", c.User, net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))), c.Database), "?"
	}
	if sp := c.RuntimeParams["search_path"]; sp != "" {
		d += sep + "search_path=" + url.QueryEscape(sp)
	}
	return d
}

// Name says which database the store is in (without the password).
func (s *Store) Name() string { return s.name }

// SetClock makes the store read the time from now (for tests); it must be
// called before the store is used.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Close closes the store's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.retry(ctx, false, func() error { return s.pool.Ping(ctx) }); err != nil {
		return s.errorf("%w", err)
	}
	return nil
}

// advisoryLock is the statement that takes the transaction-scoped advisory
// lock of what in the current schema (several confcal stores may share a
// database, in schemas of their own).
func advisoryLock(what string) string {
	return "SELECT pg_advisory_xact_lock(hashtextextended('confcal " + what + " ' || coalesce(current_schema(), ''), 0))"
}

// migrations returns, at i, the statements that bring the schema from
// version i to version i+1.
func migrations() []string { return []string{schema1, schema2, schema3, schema4} }

// Version 1: the conferences, each with its agenda (tracks, rooms,
// speakers, sessions, change log), its attendees' picks and its organizers'
// tokens; the shape of the SQLite store's version 6.
//
// The instants the agenda carries (a session's last modification, a
// change's time) are RFC 3339 text with nanoseconds, as the SQLite store
// keeps them: timestamptz holds microseconds, and a loaded revision must be
// the one saved, to the nanosecond. Session times are whole minutes, so
// timestamptz holds them exactly.
const schema1 = `
	CREATE TABLE conferences (
		slug       text PRIMARY KEY,
		position   bigint NOT NULL UNIQUE,
		is_default boolean NOT NULL,
		removed    timestamptz,
		source     jsonb NOT NULL
	);
	CREATE UNIQUE INDEX conferences_one_default ON conferences (is_default) WHERE is_default;
	CREATE TABLE agendas (
		conf        text PRIMARY KEY REFERENCES conferences (slug),
		revision    bigint NOT NULL,
		base        bigint NOT NULL,
		name        text NOT NULL,
		description text NOT NULL,
		time_zone   text NOT NULL,
		first_day   date NOT NULL,
		last_day    date NOT NULL,
		uid_domain  text NOT NULL,
		day_change  integer NOT NULL, -- minutes after midnight
		url         text NOT NULL
	);
	CREATE TABLE tracks (
		conf     text NOT NULL REFERENCES conferences (slug),
		id       text NOT NULL,
		position integer NOT NULL,
		name     text NOT NULL,
		color    text NOT NULL,
		PRIMARY KEY (conf, id)
	);
	CREATE TABLE rooms (
		conf     text NOT NULL REFERENCES conferences (slug),
		id       text NOT NULL,
		position integer NOT NULL,
		name     text NOT NULL,
		PRIMARY KEY (conf, id)
	);
	CREATE TABLE speakers (
		conf     text NOT NULL REFERENCES conferences (slug),
		id       text NOT NULL,
		position integer NOT NULL,
		name     text NOT NULL,
		PRIMARY KEY (conf, id)
	);
	CREATE TABLE sessions (
		conf          text NOT NULL REFERENCES conferences (slug),
		id            text NOT NULL,
		title         text NOT NULL,
		start_time    timestamptz NOT NULL,
		end_time      timestamptz NOT NULL,
		track         text NOT NULL,
		room          text NOT NULL,
		abstract      text NOT NULL,
		status        text NOT NULL,
		sequence      integer NOT NULL,
		last_modified text NOT NULL,
		subtitle      text NOT NULL,
		type          text NOT NULL,
		language      text NOT NULL,
		url           text NOT NULL,
		number        bigint NOT NULL,
		PRIMARY KEY (conf, id),
		FOREIGN KEY (conf, track) REFERENCES tracks (conf, id),
		FOREIGN KEY (conf, room) REFERENCES rooms (conf, id)
	);
	CREATE TABLE session_speakers (
		conf     text NOT NULL,
		session  text NOT NULL,
		position integer NOT NULL,
		speaker  text NOT NULL,
		PRIMARY KEY (conf, session, position),
		FOREIGN KEY (conf, session) REFERENCES sessions (conf, id),
		FOREIGN KEY (conf, speaker) REFERENCES speakers (conf, id)
	);
	CREATE TABLE changes (
		conf      text NOT NULL REFERENCES conferences (slug),
		revision  bigint NOT NULL,
		position  integer NOT NULL,
		time      text NOT NULL,
		who       text NOT NULL,
		session   text NOT NULL,
		room      text NOT NULL,
		track     text NOT NULL,
		speaker   text NOT NULL,
		field     text NOT NULL,
		old_value text NOT NULL,
		new_value text NOT NULL,
		PRIMARY KEY (conf, revision, position)
	);
	CREATE TABLE picks (
		code      text PRIMARY KEY,
		conf      text NOT NULL REFERENCES conferences (slug),
		sessions  text NOT NULL,
		created   timestamptz NOT NULL,
		used      timestamptz NOT NULL,
		duplicate boolean NOT NULL DEFAULT false
	);
	CREATE UNIQUE INDEX picks_by_sessions ON picks (conf, sessions) WHERE NOT duplicate;
	CREATE INDEX picks_by_use ON picks (conf, used);
	CREATE TABLE tokens (
		hash    text PRIMARY KEY,
		conf    text NOT NULL REFERENCES conferences (slug),
		created timestamptz NOT NULL
	);`

// migrate brings the schema to the latest version in one transaction,
// holding the schema's advisory lock: a replica starting while another
// migrates waits, then finds nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	fail := func(err error) error { return s.errorf("migrate: %w", err) }
	// A store at this program's schema is not written at all, so that a
	// role that may only read it opens it (and gets its writes refused).
	if v, err := s.SchemaVersion(ctx); err == nil && v == len(migrations()) {
		return nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, advisoryLock("schema")); err != nil {
		return fail(fmt.Errorf("schema lock: %w", err))
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS confcal_schema (
		one     boolean PRIMARY KEY DEFAULT true CHECK (one),
		version integer NOT NULL)`); err != nil {
		return fail(err)
	}
	var version int
	err = tx.QueryRow(ctx, "SELECT version FROM confcal_schema").Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		_, err = tx.Exec(ctx, "INSERT INTO confcal_schema (version) VALUES (0)")
	}
	if err != nil {
		return fail(fmt.Errorf("schema version: %w", err))
	}
	all := migrations()
	if version > len(all) {
		return fmt.Errorf("postgres: %s has schema version %d, newer than this program knows (%d)", s.name, version, len(all))
	}
	for i := version; i < len(all); i++ {
		if _, err := tx.Exec(ctx, all[i]); err != nil {
			return fail(fmt.Errorf("to schema version %d: %w", i+1, err))
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE confcal_schema SET version = $1", len(all)); err != nil {
		return fail(fmt.Errorf("set schema version: %w", err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return nil
}

// SchemaVersion returns the version of the store's schema.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.queryRow(ctx, "SELECT version FROM confcal_schema").Scan(&v); err != nil {
		return 0, s.errorf("schema version: %w", err)
	}
	return v, nil
}

// querier is what the store's reads need of a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Revision returns the default conference's stored revision, or an error
// wrapping agenda.ErrEmpty. It is much cheaper than Load, for noticing
// changes made by other processes.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	slug, err := s.defaultConference(ctx, pooled{s})
	if err != nil {
		return 0, err
	}
	return s.revision(ctx, slug)
}

// revision returns conference slug's stored revision.
func (s *Store) revision(ctx context.Context, slug string) (int64, error) {
	var rev int64
	err := s.queryRow(ctx, "SELECT revision FROM agendas WHERE conf = $1", slug).Scan(&rev)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, s.errorf("%s: %w", slug, agenda.ErrEmpty)
	}
	if err != nil {
		return 0, s.errorf("stored revision of %s: %w", slug, err)
	}
	return rev, nil
}

// defaultConference returns the default conference's slug, an error
// wrapping agenda.ErrEmpty when the store holds none yet.
func (s *Store) defaultConference(ctx context.Context, q querier) (string, error) {
	var slug string
	err := q.QueryRow(ctx, "SELECT slug FROM conferences WHERE is_default").Scan(&slug)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", s.errorf("%w", agenda.ErrEmpty)
	}
	if err != nil {
		return "", s.errorf("default conference: %w", err)
	}
	return slug, nil
}

// conference returns slug, or for "" the default conference's slug.
func (s *Store) conference(ctx context.Context, slug string) (string, error) {
	if slug != "" {
		return slug, nil
	}
	return s.defaultConference(ctx, pooled{s})
}

// Load reads the default conference's agenda and its change log (see
// Agenda for any other conference's).
func (s *Store) Load(ctx context.Context) (*agenda.Snapshot, error) {
	slug, err := s.defaultConference(ctx, pooled{s})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, slug)
}

// load reads conference slug's agenda in one repeatable-read transaction,
// so every table is read as of the same commit.
func (s *Store) load(ctx context.Context, slug string) (*agenda.Snapshot, error) {
	tx, err := s.begin(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, s.errorf("load %s: %w", slug, err)
	}
	defer tx.Rollback(ctx)
	snap, err := load(ctx, tx, slug)
	if errors.Is(err, agenda.ErrEmpty) {
		return nil, s.errorf("%s: %w", slug, err)
	}
	if err != nil {
		return nil, s.errorf("load %s: %w", slug, err)
	}
	return snap, nil
}

// Statements of load, sent to the server together.
const (
	loadAgenda = `SELECT revision, base, name, description, time_zone, first_day::text, last_day::text, uid_domain, day_change, url
		FROM agendas WHERE conf = $1`
	loadTracks          = "SELECT id, name, color FROM tracks WHERE conf = $1 ORDER BY position"
	loadRooms           = "SELECT id, name FROM rooms WHERE conf = $1 ORDER BY position"
	loadSpeakers        = "SELECT id, name FROM speakers WHERE conf = $1 ORDER BY position"
	loadSessionSpeakers = "SELECT session, speaker FROM session_speakers WHERE conf = $1 ORDER BY session, position"
	loadSessions        = `SELECT id, title, start_time, end_time, track, room, abstract, status, sequence, last_modified,
		subtitle, type, language, url, number FROM sessions WHERE conf = $1 ORDER BY id`
	loadChanges = `SELECT revision, time, who, session, room, track, speaker, field, old_value, new_value
		FROM changes WHERE conf = $1 ORDER BY revision, position`
)

func load(ctx context.Context, tx pgx.Tx, slug string) (*agenda.Snapshot, error) {
	b := &pgx.Batch{}
	for _, q := range []string{loadAgenda, loadTracks, loadRooms, loadSpeakers, loadSessionSpeakers, loadSessions, loadChanges} {
		b.Queue(q, slug)
	}
	br := tx.SendBatch(ctx, b)
	snap, err := readLoad(br)
	if cerr := br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return snap, err
}

// readLoad reads the answers to load's batch.
func readLoad(br pgx.BatchResults) (*agenda.Snapshot, error) {
	var (
		c           agenda.Contents
		rev, base   int64
		first, last string
		dayChange   int64
	)
	conf := &c.Conference
	err := br.QueryRow().Scan(&rev, &base, &conf.Name, &conf.Description, &conf.TimeZone, &first, &last, &conf.UIDDomain, &dayChange, &conf.URL)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, agenda.ErrEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("agenda row: %w", err)
	}
	conf.DayChange = time.Duration(dayChange) * time.Minute
	if conf.First, err = agenda.ParseDate(first); err != nil {
		return nil, fmt.Errorf("agenda row: first day: %w", err)
	}
	if conf.Last, err = agenda.ParseDate(last); err != nil {
		return nil, fmt.Errorf("agenda row: last day: %w", err)
	}
	if err := each(br, func(r pgx.Rows) error {
		var t agenda.Track
		if err := r.Scan(&t.ID, &t.Name, &t.Color); err != nil {
			return err
		}
		c.Tracks = append(c.Tracks, t)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("tracks: %w", err)
	}
	if err := each(br, func(r pgx.Rows) error {
		var x agenda.Room
		if err := r.Scan(&x.ID, &x.Name); err != nil {
			return err
		}
		c.Rooms = append(c.Rooms, x)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("rooms: %w", err)
	}
	if err := each(br, func(r pgx.Rows) error {
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
	if err := each(br, func(r pgx.Rows) error {
		var id, p string
		if err := r.Scan(&id, &p); err != nil {
			return err
		}
		speakers[id] = append(speakers[id], p)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("session speakers: %w", err)
	}
	if err := each(br, func(r pgx.Rows) error {
		var (
			x      agenda.Session
			mod    string
			status string
		)
		if err := r.Scan(&x.ID, &x.Title, &x.Start, &x.End, &x.Track, &x.Room, &x.Abstract, &status, &x.Sequence, &mod,
			&x.Subtitle, &x.Type, &x.Language, &x.URL, &x.Number); err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, mod)
		if err != nil {
			return fmt.Errorf("session %q: last modified: %w", x.ID, err)
		}
		x.Speakers = speakers[x.ID]
		x.Start, x.End, x.LastModified, x.Status = x.Start.UTC(), x.End.UTC(), t, agenda.Status(status)
		c.Sessions = append(c.Sessions, x)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	var log []agenda.Change
	if err := each(br, func(r pgx.Rows) error {
		var (
			ch        agenda.Change
			at, field string
		)
		if err := r.Scan(&ch.Revision, &at, &ch.Who, &ch.Session, &ch.Room, &ch.Track, &ch.Speaker, &field, &ch.Old, &ch.New); err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, at)
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

// each calls scan for every row of the batch's next query; a failing row
// is named by its position in the result (1 for the first).
func each(br pgx.BatchResults, scan func(pgx.Rows) error) error {
	rows, err := br.Query()
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

// timeText is how the instants the agenda carries are stored.
func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

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
	fail := func(err error) error {
		if slug != "" {
			return s.errorf("save revision %d of %s: %w", next.Revision(), slug, err)
		}
		return s.errorf("save revision %d: %w", next.Revision(), err)
	}
	tx, err := s.begin(ctx, pgx.TxOptions{})
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(ctx)
	if slug == "" {
		if slug, err = s.defaultOrNew(ctx, tx, next, create); err != nil {
			return fail(err)
		}
	}
	if err := save(ctx, tx, slug, next, s.now()); err != nil {
		return fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// defaultOrNew returns the default conference's slug; with create, an empty
// store gets one first, named after next (agenda.DefaultSlug).
func (s *Store) defaultOrNew(ctx context.Context, tx pgx.Tx, next *agenda.Snapshot, create bool) (string, error) {
	slug, err := s.defaultConference(ctx, tx)
	if !errors.Is(err, agenda.ErrEmpty) || !create {
		return slug, err
	}
	if _, err := tx.Exec(ctx, advisoryLock("conferences")); err != nil {
		return "", err
	}
	// Another process may have added it while this one waited for the lock.
	if slug, err = s.defaultConference(ctx, tx); !errors.Is(err, agenda.ErrEmpty) {
		return slug, err
	}
	slug = agenda.DefaultSlug(next.Conference().Name)
	return slug, addConference(ctx, tx, agenda.Listing{Slug: slug})
}

// save does Save's work in tx. The stored agenda row is locked first, so
// Saves of one conference queue up: the second finds the revision the first
// stored, and fails with ErrStale. The revision is enqueued for the
// conference's webhooks in the same transaction (now is when its
// deliveries are due), so a revision stored is a revision delivered.
func save(ctx context.Context, tx pgx.Tx, slug string, next *agenda.Snapshot, now time.Time) error {
	// The conference's row is share-locked: it cannot be purged meanwhile.
	if err := known(ctx, tx, slug, "FOR KEY SHARE"); err != nil {
		return err
	}
	var stored int64
	err := tx.QueryRow(ctx, "SELECT revision FROM agendas WHERE conf = $1 FOR UPDATE", slug).Scan(&stored)
	first := errors.Is(err, pgx.ErrNoRows)
	switch {
	case first:
	case err != nil:
		return fmt.Errorf("stored revision: %w", err)
	case stored != next.Revision()-1:
		return fmt.Errorf("stored revision is %d: %w", stored, agenda.ErrStale)
	}
	if first {
		if err := afterPurged(ctx, tx, slug, next); err != nil {
			return err
		}
	}
	conf := next.Conference()
	args := []any{slug, next.Revision(), next.BaseRevision(), conf.Name, conf.Description, conf.TimeZone,
		conf.First.String(), conf.Last.String(), conf.UIDDomain, int64(conf.DayChange / time.Minute), conf.URL}
	if first {
		// A first import: another process importing at once may have
		// inserted the row since; then this one is stale.
		tag, err := tx.Exec(ctx, `INSERT INTO agendas (conf, revision, base, name, description, time_zone, first_day, last_day, uid_domain, day_change, url)
			VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::date, $9, $10, $11) ON CONFLICT (conf) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("agenda row: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("another process stored the first revision: %w", agenda.ErrStale)
		}
	} else if _, err := tx.Exec(ctx, `UPDATE agendas SET revision = $2, base = $3, name = $4, description = $5, time_zone = $6,
			first_day = $7::date, last_day = $8::date, uid_domain = $9, day_change = $10, url = $11 WHERE conf = $1`, args...); err != nil {
		return fmt.Errorf("agenda row: %w", err)
	}

	// What to write: everything on a first import; otherwise what the new
	// revision's log entries name.
	if first {
		stored = 0
	}
	d, err := next.DeltaSince(stored)
	if err != nil {
		return err
	}
	w := &writes{}
	if d.Speakers {
		for i, p := range next.Speakers() {
			w.add(fmt.Sprintf("speaker %q", p.ID), `INSERT INTO speakers (conf, id, position, name) VALUES ($1, $2, $3, $4)
				ON CONFLICT (conf, id) DO UPDATE SET position = excluded.position, name = excluded.name`,
				slug, p.ID, i, p.Name)
		}
	}
	if d.Tracks {
		for i, t := range next.Tracks() {
			w.add(fmt.Sprintf("track %q", t.ID), `INSERT INTO tracks (conf, id, position, name, color) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (conf, id) DO UPDATE SET position = excluded.position, name = excluded.name, color = excluded.color`,
				slug, t.ID, i, t.Name, t.Color)
		}
	}
	if d.Rooms {
		for i, r := range next.Rooms() {
			w.add(fmt.Sprintf("room %q", r.ID), `INSERT INTO rooms (conf, id, position, name) VALUES ($1, $2, $3, $4)
				ON CONFLICT (conf, id) DO UPDATE SET position = excluded.position, name = excluded.name`,
				slug, r.ID, i, r.Name)
		}
	}
	for _, x := range d.Sessions {
		what := fmt.Sprintf("session %q", x.ID)
		w.add(what, `INSERT INTO sessions (conf, id, title, start_time, end_time, track, room, abstract, status, sequence, last_modified,
				subtitle, type, language, url, number)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (conf, id) DO UPDATE SET title = excluded.title, start_time = excluded.start_time, end_time = excluded.end_time,
				track = excluded.track, room = excluded.room, abstract = excluded.abstract, status = excluded.status,
				sequence = excluded.sequence, last_modified = excluded.last_modified, subtitle = excluded.subtitle,
				type = excluded.type, language = excluded.language, url = excluded.url, number = excluded.number`,
			slug, x.ID, x.Title, x.Start.UTC(), x.End.UTC(), x.Track, x.Room, x.Abstract, string(x.Status), x.Sequence,
			timeText(x.LastModified), x.Subtitle, x.Type, x.Language, x.URL, x.Number)
		if !first {
			w.add(what+": speakers", "DELETE FROM session_speakers WHERE conf = $1 AND session = $2", slug, x.ID)
		}
		for i, p := range x.Speakers {
			w.add(fmt.Sprintf("%s: speaker %q", what, p), "INSERT INTO session_speakers (conf, session, position, speaker) VALUES ($1, $2, $3, $4)",
				slug, x.ID, i, p)
		}
	}
	pos := map[int64]int{}
	for _, c := range d.Log {
		w.add(fmt.Sprintf("change log at revision %d", c.Revision), `INSERT INTO changes (conf, revision, position, time, who, session, room, track, speaker, field, old_value, new_value)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			slug, c.Revision, pos[c.Revision], timeText(c.Time), c.Who, c.Session, c.Room, c.Track, c.Speaker,
			string(c.Field), c.Old, c.New)
		pos[c.Revision]++
	}
	w.add("notify", notify, Payload(slug, next.Revision()))
	if err := w.run(ctx, tx); err != nil {
		return err
	}
	return enqueue(ctx, tx, slug, next.Revision(), now)
}

// Payload is what a Save of revision rev of conference slug notifies.
func Payload(slug string, rev int64) string { return slug + ":" + strconv.FormatInt(rev, 10) }

// listingWord ends the payload of a change to a conference's listing.
const listingWord = "listing"

// ListingPayload is what a change to conference slug's listing notifies:
// its addition, removal, restoration, purge or a new source. It is
// "conference:listing", which ParsePayload refuses (a revision is a
// number), so a listener that knows only revisions ignores it rather than
// misreading it.
func ListingPayload(slug string) string { return slug + ":" + listingWord }

// ParseListingPayload reads a ListingPayload; ok is false for any other
// payload.
func ParseListingPayload(p string) (slug string, ok bool) {
	slug, ok = strings.CutSuffix(p, ":"+listingWord)
	return slug, ok && slug != "" && !strings.Contains(slug, ":")
}

// notifyListing announces, in tx, that conference slug's listing changed.
func notifyListing(ctx context.Context, tx pgx.Tx, slug string) error {
	_, err := tx.Exec(ctx, notify, ListingPayload(slug))
	return err
}

// ParsePayload reads a notification's payload (see Payload).
func ParsePayload(p string) (slug string, rev int64, err error) {
	i := strings.LastIndexByte(p, ':')
	if i <= 0 {
		return "", 0, fmt.Errorf("postgres: notification %q: want conference:revision", p)
	}
	rev, err = strconv.ParseInt(p[i+1:], 10, 64)
	if err != nil || rev < 1 {
		return "", 0, fmt.Errorf("postgres: notification %q: want conference:revision", p)
	}
	return p[:i], rev, nil
}

// writes are statements sent to the server together, each named for the
// error it may meet.
type writes struct {
	batch pgx.Batch
	what  []string
}

func (w *writes) add(what, sql string, args ...any) {
	w.batch.Queue(sql, args...)
	w.what = append(w.what, what)
}

// run sends the statements in tx and reports the first that failed.
func (w *writes) run(ctx context.Context, tx pgx.Tx) error {
	if len(w.what) == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, &w.batch)
	var err error
	for _, what := range w.what {
		if _, err = br.Exec(); err != nil {
			err = fmt.Errorf("%s: %w", what, err)
			break
		}
	}
	if cerr := br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// known checks that conference slug exists, locking its row as lock says
// ("FOR KEY SHARE", "FOR UPDATE", …).
func known(ctx context.Context, tx pgx.Tx, slug, lock string) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM conferences WHERE slug = $1 "+lock, slug).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("conference %q: %w", slug, agenda.ErrNoConference)
	}
	return err
}

// uniqueViolation reports whether err is PostgreSQL's unique_violation on
// the constraint named constraint.
func uniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == constraint
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"confcal/agenda"
)

// Version 6 holds many conferences: every table gains the conference's
// slug (conf) in its key, and the conferences and their organizers' tokens
// have tables of their own. A store of version 5 held one agenda; it
// becomes the default conference, its slug made from its name, with
// nothing lost (sessions, change log, picks, revision numbers).
const schema6 = `
	ALTER TABLE agenda RENAME TO agenda_v5;
	ALTER TABLE tracks RENAME TO tracks_v5;
	ALTER TABLE rooms RENAME TO rooms_v5;
	ALTER TABLE speakers RENAME TO speakers_v5;
	ALTER TABLE sessions RENAME TO sessions_v5;
	ALTER TABLE session_speakers RENAME TO session_speakers_v5;
	ALTER TABLE changes RENAME TO changes_v5;
	ALTER TABLE picks RENAME TO picks_v5;
	DROP INDEX picks_by_sessions;
	DROP INDEX picks_by_use;
	CREATE TABLE conferences (
		slug       TEXT PRIMARY KEY,
		position   INTEGER NOT NULL UNIQUE,
		is_default INTEGER NOT NULL,
		removed    TEXT NOT NULL DEFAULT '',
		source     TEXT NOT NULL DEFAULT ''
	);
	CREATE TABLE agendas (
		conf        TEXT PRIMARY KEY REFERENCES conferences (slug),
		revision    INTEGER NOT NULL,
		base        INTEGER NOT NULL,
		name        TEXT NOT NULL,
		description TEXT NOT NULL,
		time_zone   TEXT NOT NULL,
		first_day   TEXT NOT NULL,
		last_day    TEXT NOT NULL,
		uid_domain  TEXT NOT NULL,
		day_change  INTEGER NOT NULL DEFAULT 0,
		url         TEXT NOT NULL DEFAULT ''
	);
	CREATE TABLE tracks (
		conf     TEXT NOT NULL REFERENCES conferences (slug),
		id       TEXT NOT NULL,
		position INTEGER NOT NULL,
		name     TEXT NOT NULL,
		color    TEXT NOT NULL,
		PRIMARY KEY (conf, id)
	);
	CREATE TABLE rooms (
		conf     TEXT NOT NULL REFERENCES conferences (slug),
		id       TEXT NOT NULL,
		position INTEGER NOT NULL,
		name     TEXT NOT NULL,
		PRIMARY KEY (conf, id)
	);
	CREATE TABLE speakers (
		conf     TEXT NOT NULL REFERENCES conferences (slug),
		id       TEXT NOT NULL,
		position INTEGER NOT NULL,
		name     TEXT NOT NULL,
		PRIMARY KEY (conf, id)
	);
	CREATE TABLE sessions (
		conf          TEXT NOT NULL REFERENCES conferences (slug),
		id            TEXT NOT NULL,
		title         TEXT NOT NULL,
		start_time    TEXT NOT NULL,
		end_time      TEXT NOT NULL,
		track         TEXT NOT NULL,
		room          TEXT NOT NULL,
		abstract      TEXT NOT NULL,
		status        TEXT NOT NULL,
		sequence      INTEGER NOT NULL,
		last_modified TEXT NOT NULL,
		subtitle      TEXT NOT NULL DEFAULT '',
		type          TEXT NOT NULL DEFAULT '',
		language      TEXT NOT NULL DEFAULT '',
		url           TEXT NOT NULL DEFAULT '',
		number        INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (conf, id),
		FOREIGN KEY (conf, track) REFERENCES tracks (conf, id),
		FOREIGN KEY (conf, room) REFERENCES rooms (conf, id)
	);
	CREATE TABLE session_speakers (
		conf     TEXT NOT NULL,
		session  TEXT NOT NULL,
		position INTEGER NOT NULL,
		speaker  TEXT NOT NULL,
		PRIMARY KEY (conf, session, position),
		FOREIGN KEY (conf, session) REFERENCES sessions (conf, id),
		FOREIGN KEY (conf, speaker) REFERENCES speakers (conf, id)
	);
	CREATE TABLE changes (
		conf      TEXT NOT NULL REFERENCES conferences (slug),
		revision  INTEGER NOT NULL,
		position  INTEGER NOT NULL,
		time      TEXT NOT NULL,
		who       TEXT NOT NULL,
		session   TEXT NOT NULL,
		room      TEXT NOT NULL,
		track     TEXT NOT NULL,
		speaker   TEXT NOT NULL DEFAULT '',
		field     TEXT NOT NULL,
		old_value TEXT NOT NULL,
		new_value TEXT NOT NULL,
		PRIMARY KEY (conf, revision, position)
	);
	CREATE TABLE picks (
		code      TEXT PRIMARY KEY,
		conf      TEXT NOT NULL REFERENCES conferences (slug),
		sessions  TEXT NOT NULL,
		created   TEXT NOT NULL,
		used      TEXT NOT NULL,
		duplicate INTEGER NOT NULL DEFAULT 0
	);
	CREATE UNIQUE INDEX picks_by_sessions ON picks (conf, sessions) WHERE duplicate = 0;
	CREATE INDEX picks_by_use ON picks (conf, used);
	CREATE TABLE tokens (
		hash    TEXT PRIMARY KEY,
		conf    TEXT NOT NULL REFERENCES conferences (slug),
		created TEXT NOT NULL
	);`

// schema6Copy moves the rows of a version 5 store into conference ?1.
const schema6Copy = `
	INSERT INTO conferences (slug, position, is_default) SELECT ?1, 0, 1 FROM agenda_v5;
	INSERT INTO agendas SELECT ?1, revision, base, name, description, time_zone, first_day, last_day, uid_domain, day_change, url FROM agenda_v5;
	INSERT INTO tracks SELECT ?1, id, position, name, color FROM tracks_v5;
	INSERT INTO rooms SELECT ?1, id, position, name FROM rooms_v5;
	INSERT INTO speakers SELECT ?1, id, position, name FROM speakers_v5;
	INSERT INTO sessions SELECT ?1, id, title, start_time, end_time, track, room, abstract, status, sequence, last_modified,
		subtitle, type, language, url, number FROM sessions_v5;
	INSERT INTO session_speakers SELECT ?1, session, position, speaker FROM session_speakers_v5;
	INSERT INTO changes SELECT ?1, revision, position, time, who, session, room, track, speaker, field, old_value, new_value FROM changes_v5;
	INSERT INTO picks SELECT code, ?1, sessions, created, used, duplicate FROM picks_v5 WHERE EXISTS (SELECT 1 FROM agenda_v5);`

// schema6Drop removes the tables of version 5, children first.
const schema6Drop = `
	DROP TABLE session_speakers_v5;
	DROP TABLE sessions_v5;
	DROP TABLE changes_v5;
	DROP TABLE picks_v5;
	DROP TABLE tracks_v5;
	DROP TABLE rooms_v5;
	DROP TABLE speakers_v5;
	DROP TABLE agenda_v5;`

// toConferences migrates a version 5 store to version 6.
func toConferences(ctx context.Context, tx *sql.Tx) error {
	var name string
	err := tx.QueryRowContext(ctx, "SELECT name FROM agenda WHERE id = 1").Scan(&name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, q := range []string{schema6, schema6Copy, schema6Drop} {
		if _, err := tx.ExecContext(ctx, q, agenda.DefaultSlug(name)); err != nil {
			return err
		}
	}
	return nil
}

// Version 9 remembers the last revision of each purged conference's slug,
// so that a conference added again under it starts after it
// (agenda.Listing.PurgedRevision).
const schema9 = `
	CREATE TABLE purged_revisions (
		slug     TEXT PRIMARY KEY,
		revision INTEGER NOT NULL
	);`

// afterPurged refuses next as the first agenda of conference slug when
// its log does not start after the revisions the slug had before it was
// purged.
func afterPurged(ctx context.Context, q queryer, slug string, next *agenda.Snapshot) error {
	var purged int64
	err := q.QueryRowContext(ctx, "SELECT revision FROM purged_revisions WHERE slug = ?", slug).Scan(&purged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("purged revision: %w", err)
	case next.BaseRevision() <= purged:
		return fmt.Errorf("the slug had revisions up to %d before it was purged; a first revision from %d: %w", purged, next.BaseRevision(), agenda.ErrStale)
	}
	return nil
}

// PurgedRevisions returns the last revision of every slug whose
// conference was purged (agenda.Listing.PurgedRevision), for a copy of
// the store.
func (s *Store) PurgedRevisions(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := query(ctx, s.db, "SELECT slug, revision FROM purged_revisions", func(r *sql.Rows) error {
		var (
			slug string
			rev  int64
		)
		if err := r.Scan(&slug, &rev); err != nil {
			return err
		}
		out[slug] = rev
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: purged revisions: %w", busy(err))
	}
	return out, nil
}

var _ agenda.Registry = (*Store)(nil)

// Conferences implements agenda.Registry.
func (s *Store) Conferences(ctx context.Context) ([]agenda.Listing, error) {
	var out []agenda.Listing
	err := query(ctx, s.db, `SELECT c.slug, c.is_default, c.removed, c.source, coalesce(p.revision, 0)
		FROM conferences c LEFT JOIN purged_revisions p ON p.slug = c.slug ORDER BY c.position`, func(r *sql.Rows) error {
		var l agenda.Listing
		var removed, src string
		if err := r.Scan(&l.Slug, &l.Default, &removed, &src, &l.PurgedRevision); err != nil {
			return err
		}
		if removed != "" {
			t, err := time.Parse(timeFormat, removed)
			if err != nil {
				return fmt.Errorf("conference %q: removed: %w", l.Slug, err)
			}
			l.Removed = t
		}
		if src != "" {
			if err := json.Unmarshal([]byte(src), &l.Source); err != nil {
				return fmt.Errorf("conference %q: source: %w", l.Slug, err)
			}
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: conferences: %w", busy(err))
	}
	return out, nil
}

// AddConference implements agenda.Registry.
func (s *Store) AddConference(ctx context.Context, l agenda.Listing) error {
	if !agenda.ValidID(l.Slug) {
		return fmt.Errorf("sqlite: conference slug %q: %w", l.Slug, agenda.ErrInvalid)
	}
	return s.write(ctx, "add conference "+l.Slug, func(tx *sql.Tx) error { return addConference(ctx, tx, l) })
}

func addConference(ctx context.Context, tx *sql.Tx, l agenda.Listing) error {
	src, err := json.Marshal(l.Source)
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM conferences WHERE slug = ?", l.Slug).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("conference %q %w: %w", l.Slug, agenda.ErrExists, agenda.ErrInvalid)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO conferences (slug, position, is_default, source)
		SELECT ?, coalesce(max(position) + 1, 0), count(*) = 0, ? FROM conferences`, l.Slug, string(src))
	return err
}

// SetSource implements agenda.Registry.
func (s *Store) SetSource(ctx context.Context, slug string, src agenda.Source) error {
	b, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("sqlite: source of %q: %w", slug, err)
	}
	return s.update(ctx, "set the source of "+slug, "UPDATE conferences SET source = ? WHERE slug = ?", string(b), slug)
}

// RemoveConference implements agenda.Registry.
func (s *Store) RemoveConference(ctx context.Context, slug string) error {
	return s.update(ctx, "remove "+slug, "UPDATE conferences SET removed = ? WHERE slug = ?", s.now().UTC().Format(timeFormat), slug)
}

// RestoreConference implements agenda.Registry.
func (s *Store) RestoreConference(ctx context.Context, slug string) error {
	return s.update(ctx, "restore "+slug, "UPDATE conferences SET removed = '' WHERE slug = ?", slug)
}

// update runs one UPDATE of the conferences table, which must touch the
// row of a conference.
func (s *Store) update(ctx context.Context, what, q string, args ...any) error {
	return s.write(ctx, what, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, agenda.ErrNoConference)
		}
		return nil
	})
}

// PurgeConference implements agenda.Registry.
func (s *Store) PurgeConference(ctx context.Context, slug string) error {
	return s.write(ctx, "purge "+slug, func(tx *sql.Tx) error {
		var removed string
		err := tx.QueryRowContext(ctx, "SELECT removed FROM conferences WHERE slug = ?", slug).Scan(&removed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return agenda.ErrNoConference
		case err != nil:
			return err
		case removed == "":
			return fmt.Errorf("conference %q is not removed; remove it first: %w", slug, agenda.ErrInvalid)
		}
		// Its slug's revisions are never used again.
		if _, err := tx.ExecContext(ctx, `INSERT INTO purged_revisions (slug, revision) SELECT conf, revision FROM agendas WHERE conf = ?
			ON CONFLICT (slug) DO UPDATE SET revision = max(revision, excluded.revision)`, slug); err != nil {
			return fmt.Errorf("purged revision: %w", err)
		}
		for _, table := range []string{"session_speakers", "sessions", "changes", "picks", "tokens", "tracks", "rooms", "speakers", "agendas",
			"push_subscriptions", "push_marks", "webhook_outbox", "webhooks", "conferences"} {
			col := "conf"
			if table == "conferences" {
				col = "slug"
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE "+col+" = ?", slug); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	})
}

// AddToken implements agenda.Registry.
func (s *Store) AddToken(ctx context.Context, slug, hash string) error {
	return s.write(ctx, "add a token of "+slug, func(tx *sql.Tx) error {
		if err := known(ctx, tx, slug); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO tokens (hash, conf, created) VALUES (?, ?, ?)", hash, slug, s.now().UTC().Format(timeFormat))
		return err
	})
}

// TokenConference implements agenda.Registry.
func (s *Store) TokenConference(ctx context.Context, hash string) (string, error) {
	var slug string
	err := s.db.QueryRowContext(ctx, `SELECT t.conf FROM tokens t JOIN conferences c ON c.slug = t.conf
		WHERE t.hash = ? AND c.removed = ''`, hash).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", agenda.ErrNoConference
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: token: %w", busy(err))
	}
	return slug, nil
}

// known checks that conference slug exists.
func known(ctx context.Context, q queryer, slug string) error {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM conferences WHERE slug = ?", slug).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("conference %q: %w", slug, agenda.ErrNoConference)
	}
	return nil
}

// write runs fn in a write transaction.
func (s *Store) write(ctx context.Context, what string, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, busy(err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, busy(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, busy(err))
	}
	return nil
}

// Agenda implements agenda.Registry: the Store of one conference's agenda.
func (s *Store) Agenda(slug string) agenda.Store { return &Agenda{s: s, slug: slug} }

// Agenda is the Store of one conference's agenda in a Store.
type Agenda struct {
	s    *Store
	slug string
}

var _ agenda.Store = (*Agenda)(nil)

// Load implements agenda.Store.
func (a *Agenda) Load(ctx context.Context) (*agenda.Snapshot, error) { return a.s.load(ctx, a.slug) }

// Save implements agenda.Store.
func (a *Agenda) Save(ctx context.Context, next *agenda.Snapshot) error {
	return a.s.save(ctx, a.slug, next, false)
}

// Revision returns the stored revision (see Store.Revision).
func (a *Agenda) Revision(ctx context.Context) (int64, error) { return a.s.revision(ctx, a.slug) }

// Close does nothing: the Store closes the database.
func (a *Agenda) Close() error { return nil }

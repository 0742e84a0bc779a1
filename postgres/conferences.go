package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"confcal/agenda"

	"github.com/jackc/pgx/v5"
)

// Version 4 remembers the last revision of each purged conference's slug,
// so that a conference added again under it starts after it
// (agenda.Listing.PurgedRevision).
const schema4 = `
	CREATE TABLE purged_revisions (
		slug     text PRIMARY KEY,
		revision bigint NOT NULL
	);`

// afterPurged refuses next as the first agenda of conference slug when
// its log does not start after the revisions the slug had before it was
// purged.
func afterPurged(ctx context.Context, tx pgx.Tx, slug string, next *agenda.Snapshot) error {
	var purged int64
	err := tx.QueryRow(ctx, "SELECT revision FROM purged_revisions WHERE slug = $1", slug).Scan(&purged)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
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
	type row struct {
		slug string
		rev  int64
	}
	rows, err := query(ctx, s, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.slug, &x.rev)
		return x, err
	}, "SELECT slug, revision FROM purged_revisions")
	if err != nil {
		return nil, s.errorf("purged revisions: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, x := range rows {
		out[x.slug] = x.rev
	}
	return out, nil
}

// Conferences implements agenda.Registry.
func (s *Store) Conferences(ctx context.Context) ([]agenda.Listing, error) {
	out, err := query(ctx, s, func(r pgx.CollectableRow) (agenda.Listing, error) {
		var (
			l       agenda.Listing
			removed *time.Time
			src     []byte
		)
		if err := r.Scan(&l.Slug, &l.Default, &removed, &src, &l.PurgedRevision); err != nil {
			return l, err
		}
		if removed != nil {
			l.Removed = removed.UTC()
		}
		if err := json.Unmarshal(src, &l.Source); err != nil {
			return l, fmt.Errorf("conference %q: source: %w", l.Slug, err)
		}
		return l, nil
	}, `SELECT c.slug, c.is_default, c.removed, c.source, coalesce(p.revision, 0)
		FROM conferences c LEFT JOIN purged_revisions p ON p.slug = c.slug ORDER BY c.position`)
	if err != nil {
		return nil, s.errorf("conferences: %w", err)
	}
	return out, nil
}

// AddConference implements agenda.Registry.
func (s *Store) AddConference(ctx context.Context, l agenda.Listing) error {
	if !agenda.ValidID(l.Slug) {
		return fmt.Errorf("postgres: conference slug %q: %w", l.Slug, agenda.ErrInvalid)
	}
	return s.write(ctx, "add conference "+l.Slug, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, advisoryLock("conferences")); err != nil {
			return err
		}
		return addConference(ctx, tx, l)
	})
}

// addConference adds l at the end of the list, the default one when it is
// the first. The caller holds the conferences lock, so two processes adding
// at once do not both take the next position or both become the default.
func addConference(ctx context.Context, tx pgx.Tx, l agenda.Listing) error {
	src, err := json.Marshal(l.Source)
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM conferences WHERE slug = $1", l.Slug).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("conference %q %w: %w", l.Slug, agenda.ErrExists, agenda.ErrInvalid)
	}
	if _, err = tx.Exec(ctx, `INSERT INTO conferences (slug, position, is_default, source)
		SELECT $1, coalesce(max(position) + 1, 0), count(*) = 0, $2 FROM conferences`, l.Slug, string(src)); err != nil {
		return err
	}
	return notifyListing(ctx, tx, l.Slug)
}

// SetSource implements agenda.Registry.
func (s *Store) SetSource(ctx context.Context, slug string, src agenda.Source) error {
	b, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("postgres: source of %q: %w", slug, err)
	}
	return s.update(ctx, "set the source of "+slug, slug, "UPDATE conferences SET source = $1 WHERE slug = $2", string(b), slug)
}

// RemoveConference implements agenda.Registry.
func (s *Store) RemoveConference(ctx context.Context, slug string) error {
	return s.update(ctx, "remove "+slug, slug, "UPDATE conferences SET removed = $1 WHERE slug = $2", s.now().UTC(), slug)
}

// RestoreConference implements agenda.Registry.
func (s *Store) RestoreConference(ctx context.Context, slug string) error {
	return s.update(ctx, "restore "+slug, slug, "UPDATE conferences SET removed = NULL WHERE slug = $1", slug)
}

// update runs one UPDATE of the conferences table, which must touch the
// row of conference slug, and announces the change of its listing.
func (s *Store) update(ctx context.Context, what, slug, q string, args ...any) error {
	return s.write(ctx, what, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return agenda.ErrNoConference
		}
		return notifyListing(ctx, tx, slug)
	})
}

// purgeTables are the tables a conference's rows are in, those that refer
// to others first.
var purgeTables = []string{"session_speakers", "sessions", "changes", "picks", "tokens", "tracks", "rooms", "speakers", "agendas",
	"push_subscriptions", "push_marks", "webhook_outbox", "webhooks"}

// PurgeConference implements agenda.Registry.
func (s *Store) PurgeConference(ctx context.Context, slug string) error {
	return s.write(ctx, "purge "+slug, func(tx pgx.Tx) error {
		var removed *time.Time
		err := tx.QueryRow(ctx, "SELECT removed FROM conferences WHERE slug = $1 FOR UPDATE", slug).Scan(&removed)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return agenda.ErrNoConference
		case err != nil:
			return err
		case removed == nil:
			return fmt.Errorf("conference %q is not removed; remove it first: %w", slug, agenda.ErrInvalid)
		}
		w := &writes{}
		// Its slug's revisions are never used again.
		w.add("purged revision", `INSERT INTO purged_revisions (slug, revision) SELECT conf, revision FROM agendas WHERE conf = $1
			ON CONFLICT (slug) DO UPDATE SET revision = greatest(purged_revisions.revision, excluded.revision)`, slug)
		for _, table := range purgeTables {
			w.add(table, "DELETE FROM "+table+" WHERE conf = $1", slug)
		}
		w.add("conferences", "DELETE FROM conferences WHERE slug = $1", slug)
		w.add("notify", notify, ListingPayload(slug))
		return w.run(ctx, tx)
	})
}

// AddToken implements agenda.Registry.
func (s *Store) AddToken(ctx context.Context, slug, hash string) error {
	return s.write(ctx, "add a token of "+slug, func(tx pgx.Tx) error {
		if err := known(ctx, tx, slug, "FOR KEY SHARE"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO tokens (hash, conf, created) VALUES ($1, $2, $3)", hash, slug, s.now().UTC())
		return err
	})
}

// TokenConference implements agenda.Registry.
func (s *Store) TokenConference(ctx context.Context, hash string) (string, error) {
	var slug string
	err := s.queryRow(ctx, `SELECT t.conf FROM tokens t JOIN conferences c ON c.slug = t.conf
		WHERE t.hash = $1 AND c.removed IS NULL`, hash).Scan(&slug)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", agenda.ErrNoConference
	}
	if err != nil {
		return "", s.errorf("token: %w", err)
	}
	return slug, nil
}

// write runs fn in a transaction and commits it.
func (s *Store) write(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	tx, err := s.begin(ctx, pgx.TxOptions{})
	if err != nil {
		return s.errorf("%s: %w", what, err)
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return s.errorf("%s: %w", what, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.errorf("%s: commit: %w", what, err)
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

// Close does nothing: the Store closes the connections.
func (a *Agenda) Close() error { return nil }

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"confcal/agenda"

	"github.com/jackc/pgx/v5"
)

// ErrNotEmpty is returned by Import when the store holds conferences and it
// was not told to replace them.
var ErrNotEmpty = errors.New("the store is not empty")

// Pick is an attendee's stored pick of a conference's sessions.
type Pick struct {
	Code     string
	Sessions []string // IDs, in the order stored
	// Created is when the pick was stored, Used when it was last fetched.
	Created, Used time.Time
	// Duplicate marks a pick stored under another code too, as stores
	// written before picks had one code each may hold; only the other code
	// is the answer to storing the same pick again.
	Duplicate bool
}

// Token is the stored hash of a conference's organizer token.
type Token struct {
	Hash    string
	Created time.Time
}

// Conference is everything a store holds of one conference, as Import
// writes it.
type Conference struct {
	// Listing is the conference as Conferences lists it: its slug, whether
	// it is the default one, when it was removed, its source.
	Listing agenda.Listing
	// Agenda is the stored revision with its change log, nil when the
	// conference has none yet.
	Agenda *agenda.Snapshot
	Tokens []Token
	Picks  []Pick
}

// Picks lists the picks of conference slug, oldest first.
func (s *Store) Picks(ctx context.Context, slug string) ([]Pick, error) {
	rows, err := s.pool.Query(ctx, "SELECT code, sessions, created, used, duplicate FROM picks WHERE conf = $1 ORDER BY created, code", slug)
	if err != nil {
		return nil, s.errorf("picks of %s: %w", slug, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pick, error) {
		var (
			p    Pick
			list string
		)
		err := r.Scan(&p.Code, &list, &p.Created, &p.Used, &p.Duplicate)
		p.Created, p.Used = p.Created.UTC(), p.Used.UTC()
		p.Sessions = []string{}
		if list != "" {
			p.Sessions = strings.Split(list, ",")
		}
		return p, err
	})
	if err != nil {
		return nil, s.errorf("picks of %s: %w", slug, err)
	}
	return out, nil
}

// Tokens lists the token hashes of conference slug, oldest first.
func (s *Store) Tokens(ctx context.Context, slug string) ([]Token, error) {
	rows, err := s.pool.Query(ctx, "SELECT hash, created FROM tokens WHERE conf = $1 ORDER BY created, hash", slug)
	if err != nil {
		return nil, s.errorf("tokens of %s: %w", slug, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.Hash, &t.Created)
		t.Created = t.Created.UTC()
		return t, err
	})
	if err != nil {
		return nil, s.errorf("tokens of %s: %w", slug, err)
	}
	return out, nil
}

// Import writes confs into the store in one transaction, in their order:
// each conference with its listing as it is (default, removed, source), its
// agenda with its revision numbers and whole change log, its tokens and its
// picks. Nothing is written unless all of it is. A store that holds any
// conference is refused with ErrNotEmpty, unless replace says to delete
// everything it holds first. Every conference written is notified as an
// added one's listing, and its agenda as a Save's.
func (s *Store) Import(ctx context.Context, confs []Conference, replace bool) error {
	return s.write(ctx, "import", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, advisoryLock("conferences")); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM conferences").Scan(&n); err != nil {
			return err
		}
		if n > 0 && !replace {
			return fmt.Errorf("%d conferences stored: %w", n, ErrNotEmpty)
		}
		if n > 0 {
			// Servers on the store let go of the conferences replaced.
			if _, err := tx.Exec(ctx, "SELECT pg_notify($1, slug || ':' || $2) FROM conferences", Channel, listingWord); err != nil {
				return err
			}
			w := &writes{}
			for _, table := range slices.Concat(purgeTables, []string{"conferences"}) {
				w.add("delete "+table, "DELETE FROM "+table)
			}
			if err := w.run(ctx, tx); err != nil {
				return err
			}
		}
		for i, c := range confs {
			if err := importConference(ctx, tx, i, c); err != nil {
				return fmt.Errorf("conference %q: %w", c.Listing.Slug, err)
			}
		}
		return nil
	})
}

// importConference writes c at position pos in tx.
func importConference(ctx context.Context, tx pgx.Tx, pos int, c Conference) error {
	l := c.Listing
	if !agenda.ValidID(l.Slug) {
		return fmt.Errorf("slug: %w", agenda.ErrInvalid)
	}
	src, err := json.Marshal(l.Source)
	if err != nil {
		return err
	}
	var removed *time.Time
	if !l.Removed.IsZero() {
		t := l.Removed.UTC()
		removed = &t
	}
	if _, err := tx.Exec(ctx, "INSERT INTO conferences (slug, position, is_default, removed, source) VALUES ($1, $2, $3, $4, $5)",
		l.Slug, pos, l.Default, removed, string(src)); err != nil {
		if uniqueViolation(err, "conferences_one_default") {
			return fmt.Errorf("a second default conference: %w", agenda.ErrInvalid)
		}
		return err
	}
	if err := notifyListing(ctx, tx, l.Slug); err != nil {
		return err
	}
	if c.Agenda != nil {
		if err := save(ctx, tx, l.Slug, c.Agenda); err != nil {
			return fmt.Errorf("agenda: %w", err)
		}
	}
	w := &writes{}
	for _, t := range c.Tokens {
		w.add("token", "INSERT INTO tokens (hash, conf, created) VALUES ($1, $2, $3)", t.Hash, l.Slug, t.Created.UTC())
	}
	for _, p := range c.Picks {
		for _, id := range p.Sessions {
			if id == "" || strings.Contains(id, ",") {
				return fmt.Errorf("pick %q: bad session ID %q", p.Code, id)
			}
		}
		w.add(fmt.Sprintf("pick %q", p.Code), "INSERT INTO picks (code, conf, sessions, created, used, duplicate) VALUES ($1, $2, $3, $4, $5, $6)",
			p.Code, l.Slug, strings.Join(p.Sessions, ","), p.Created.UTC(), p.Used.UTC(), p.Duplicate)
	}
	return w.run(ctx, tx)
}

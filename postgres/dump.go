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
	// Subscriptions are its WebDAV-Push subscriptions, expired ones too;
	// Webhooks its webhooks in order; Outbox the deliveries waiting for
	// them, as Outbox lists them (attempts, next attempt and last error
	// as they are).
	Subscriptions []agenda.PushSubscription
	Webhooks      []agenda.Webhook
	Outbox        []agenda.Delivery
	// Pushed is the revision up to which its changes were handed to
	// WebDAV-Push (PushedRevision), 0 for none: a server starting on the
	// copy pushes the changes after it, as one on the original would.
	Pushed int64
}

// Dump is everything a store holds, as Import writes it: its conferences,
// in order, the server's VAPID key ("" for none), without which the
// push subscriptions made for it would not take the copy's messages, and
// the last revision of every purged conference's slug (PurgedRevisions),
// without which a conference added again under one would repeat the
// revisions clients and webhook receivers saw before.
type Dump struct {
	Conferences []Conference
	PushKey     string
	Purged      map[string]int64
}

// Picks lists the picks of conference slug, oldest first.
func (s *Store) Picks(ctx context.Context, slug string) ([]Pick, error) {
	out, err := query(ctx, s, func(r pgx.CollectableRow) (Pick, error) {
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
	}, "SELECT code, sessions, created, used, duplicate FROM picks WHERE conf = $1 ORDER BY created, code", slug)
	if err != nil {
		return nil, s.errorf("picks of %s: %w", slug, err)
	}
	return out, nil
}

// Tokens lists the token hashes of conference slug, oldest first.
func (s *Store) Tokens(ctx context.Context, slug string) ([]Token, error) {
	out, err := query(ctx, s, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.Hash, &t.Created)
		t.Created = t.Created.UTC()
		return t, err
	}, "SELECT hash, created FROM tokens WHERE conf = $1 ORDER BY created, hash", slug)
	if err != nil {
		return nil, s.errorf("tokens of %s: %w", slug, err)
	}
	return out, nil
}

// Import writes d into the store in one transaction, its conferences in
// their order: each with its listing as it is (default, removed, source),
// its agenda with its revision numbers and whole change log, its tokens,
// its picks, its push subscriptions and the revision pushed up to, its
// webhooks and their outbox; and
// d's VAPID key, replacing the store's, when it has one. Nothing is
// written unless all of it is. A store that holds any conference is
// refused with ErrNotEmpty, unless replace says to delete everything it
// holds first. The last revisions of d's purged slugs are written too (a
// store holding no conference keeps the higher of its own and d's). Every
// conference written is notified as an added one's listing, and its
// agenda as a Save's.
func (s *Store) Import(ctx context.Context, d Dump, replace bool) error {
	return s.write(ctx, "import", func(tx pgx.Tx) error {
		for _, what := range []string{"conferences", "push subscriptions", "webhooks"} {
			if _, err := tx.Exec(ctx, advisoryLock(what)); err != nil {
				return err
			}
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
			if _, err := tx.Exec(ctx, "SELECT pg_notify("+channel+", slug || ':' || $1) FROM conferences", listingWord); err != nil {
				return err
			}
			w := &writes{}
			for _, table := range slices.Concat(purgeTables, []string{"conferences", "purged_revisions"}) {
				w.add("delete "+table, "DELETE FROM "+table)
			}
			if err := w.run(ctx, tx); err != nil {
				return err
			}
		}
		if d.PushKey != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO push_keys (name, value) VALUES ($1, $2)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`, vapidKey, d.PushKey); err != nil {
				return fmt.Errorf("VAPID key: %w", err)
			}
		}
		// A store holding no conference may still remember slugs it
		// purged: it keeps the higher revision of each.
		w := &writes{}
		for slug, rev := range d.Purged {
			if !agenda.ValidID(slug) || rev < 1 {
				return fmt.Errorf("purged revision %d of %q: %w", rev, slug, agenda.ErrInvalid)
			}
			w.add("purged revision of "+slug, `INSERT INTO purged_revisions (slug, revision) VALUES ($1, $2)
				ON CONFLICT (slug) DO UPDATE SET revision = greatest(purged_revisions.revision, excluded.revision)`, slug, rev)
		}
		if err := w.run(ctx, tx); err != nil {
			return err
		}
		for i, c := range d.Conferences {
			if err := importConference(ctx, tx, i, c, s.now()); err != nil {
				return fmt.Errorf("conference %q: %w", c.Listing.Slug, err)
			}
		}
		return nil
	})
}

// importConference writes c at position pos in tx.
func importConference(ctx context.Context, tx pgx.Tx, pos int, c Conference, now time.Time) error {
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
		// Its webhooks are not written yet: the outbox is c's, not the
		// saved revision's.
		if err := save(ctx, tx, l.Slug, c.Agenda, now); err != nil {
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
	for _, x := range c.Subscriptions {
		w.add("push subscription "+x.ID, `INSERT INTO push_subscriptions (id, conf, calendar, endpoint, p256dh, auth, client, expires)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, x.ID, l.Slug, x.Calendar, x.Endpoint, x.P256dh, x.Auth, x.Client, nanos(x.Expires))
	}
	if err := w.run(ctx, tx); err != nil {
		return err
	}
	// One by one: each takes the position after the last.
	for _, h := range c.Webhooks {
		h.Conference = l.Slug
		if err := insertWebhook(ctx, tx, h); err != nil {
			return fmt.Errorf("webhook %s: %w", h.ID, err)
		}
	}
	w = &writes{}
	if c.Pushed > 0 {
		w.add("pushed revision", "INSERT INTO push_marks (conf, revision) VALUES ($1, $2)", l.Slug, c.Pushed)
	}
	for _, d := range c.Outbox {
		w.add(fmt.Sprintf("delivery of revision %d to %s", d.Revision, d.Webhook),
			`INSERT INTO webhook_outbox (conf, webhook, revision, attempts, next_attempt, last_error) VALUES ($1, $2, $3, $4, $5, $6)`,
			l.Slug, d.Webhook, d.Revision, d.Attempts, nanos(d.Next), d.LastError)
	}
	return w.run(ctx, tx)
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"confcal/agenda"
)

// Pick is an attendee's stored pick of a conference's sessions, as Picks
// lists it (to copy the store to another).
type Pick struct {
	Code     string
	Sessions []string // IDs, in the order stored
	// Created is when the pick was stored, Used when it was last fetched.
	Created, Used time.Time
	// Duplicate marks a pick stored under another code too, from before
	// schema version 3; only the other code answers a pick made again.
	Duplicate bool
}

// Token is the stored hash of a conference's organizer token.
type Token struct {
	Hash    string
	Created time.Time
}

// Picks lists the picks of conference slug, oldest first.
func (s *Store) Picks(ctx context.Context, slug string) ([]Pick, error) {
	var out []Pick
	err := query(ctx, s.db, "SELECT code, sessions, created, used, duplicate FROM picks WHERE conf = ? ORDER BY created, code", slug,
		func(r *sql.Rows) error {
			var (
				p                   Pick
				list, created, used string
				err                 error
			)
			if err := r.Scan(&p.Code, &list, &created, &used, &p.Duplicate); err != nil {
				return err
			}
			if p.Created, err = time.Parse(timeFormat, created); err != nil {
				return fmt.Errorf("pick %q: created: %w", p.Code, err)
			}
			if p.Used, err = time.Parse(timeFormat, used); err != nil {
				return fmt.Errorf("pick %q: used: %w", p.Code, err)
			}
			p.Sessions = []string{}
			if list != "" {
				p.Sessions = strings.Split(list, ",")
			}
			out = append(out, p)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: picks of %s: %w", slug, busy(err))
	}
	return out, nil
}

// Tokens lists the token hashes of conference slug, oldest first.
func (s *Store) Tokens(ctx context.Context, slug string) ([]Token, error) {
	var out []Token
	err := query(ctx, s.db, "SELECT hash, created FROM tokens WHERE conf = ? ORDER BY created, hash", slug, func(r *sql.Rows) error {
		var (
			t       Token
			created string
			err     error
		)
		if err := r.Scan(&t.Hash, &created); err != nil {
			return err
		}
		if t.Created, err = time.Parse(timeFormat, created); err != nil {
			return fmt.Errorf("token: created: %w", err)
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: tokens of %s: %w", slug, busy(err))
	}
	return out, nil
}

// StoredPushKey returns the stored VAPID key, "" when there is none (to
// copy the store to another; PushKey stores one).
func (s *Store) StoredPushKey(ctx context.Context) (string, error) {
	var key string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM push_keys WHERE name = ?", vapidKey).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: VAPID key: %w", busy(err))
	}
	return key, nil
}

// AllSubscriptions lists every push subscription of conference slug,
// expired ones too, in the order they were stored (to copy the store to
// another).
func (s *Store) AllSubscriptions(ctx context.Context, slug string) ([]agenda.PushSubscription, error) {
	var out []agenda.PushSubscription
	err := query(ctx, s.db, `SELECT `+subscriptionColumns+` FROM push_subscriptions
		WHERE conf = ? ORDER BY rowid`, slug, func(r *sql.Rows) error {
		x, err := scanSubscription(r, slug)
		if err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: push subscriptions of %s: %w", slug, busy(err))
	}
	return out, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
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

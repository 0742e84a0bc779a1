package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"confcal/agenda"

	"github.com/jackc/pgx/v5"
)

// PutPick implements agenda.Registry: it stores the session IDs of an
// attendee's pick of conference slug ("" for the default one) under code,
// unless the same list is stored already, and returns the code the pick is
// stored under. An existing code is never overwritten
// (agenda.ErrPickCodeTaken). Picks nobody fetched for agenda.PickExpiry are
// deleted first; a conference still holding limit picks refuses the new one
// (agenda.ErrPicksFull). Stores of one conference's picks queue up on its
// row, so the limit holds with many replicas too.
func (s *Store) PutPick(ctx context.Context, slug, code string, ids []string, limit int) (string, error) {
	list, err := agenda.EncodePick(ids)
	if err != nil {
		return "", fmt.Errorf("postgres: pick %q: %w", code, err)
	}
	slug, err = s.conference(ctx, slug)
	if err != nil {
		return "", err
	}
	// The common case, a pick made before, needs no transaction.
	if stored, ok, err := pickCode(ctx, pooled{s}, slug, list); err != nil {
		return "", s.errorf("store pick: look up: %w", err)
	} else if ok {
		return stored, nil
	}
	var stored string
	err = s.write(ctx, "store pick", func(tx pgx.Tx) error {
		if err := known(ctx, tx, slug, "FOR NO KEY UPDATE"); err != nil {
			return err
		}
		var perr error
		stored, perr = putPick(ctx, tx, slug, code, list, limit, s.now().UTC())
		return perr
	})
	return stored, err
}

// putPick does PutPick's work in tx, which holds the conference's row.
func putPick(ctx context.Context, tx pgx.Tx, slug, code, list string, limit int, now time.Time) (string, error) {
	// Another process may have stored the same pick since the look-up.
	if stored, ok, err := pickCode(ctx, tx, slug, list); err != nil {
		return "", fmt.Errorf("look up: %w", err)
	} else if ok {
		return stored, nil
	}
	if _, err := tx.Exec(ctx, "DELETE FROM picks WHERE conf = $1 AND used < $2", slug, now.Add(-agenda.PickExpiry)); err != nil {
		return "", fmt.Errorf("expire: %w", err)
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM picks WHERE conf = $1", slug).Scan(&n); err != nil {
		return "", fmt.Errorf("count: %w", err)
	}
	if n >= limit {
		return "", fmt.Errorf("%d picks stored: %w", n, agenda.ErrPicksFull)
	}
	tag, err := tx.Exec(ctx, "INSERT INTO picks (code, conf, sessions, created, used) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (code) DO NOTHING",
		code, slug, list, now)
	if err != nil {
		return "", fmt.Errorf("insert: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return "", fmt.Errorf("pick %q: %w", code, agenda.ErrPickCodeTaken)
	}
	return code, nil
}

func pickCode(ctx context.Context, q querier, slug, list string) (string, bool, error) {
	var code string
	err := q.QueryRow(ctx, "SELECT code FROM picks WHERE conf = $1 AND sessions = $2 AND NOT duplicate", slug, list).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return code, err == nil, err
}

// GetPick implements agenda.Registry: the session IDs stored under code for
// conference slug ("" for the default one); ok is false when the code is
// unknown there. A fetch counts as use, which keeps the pick from expiring;
// it is written at most once per agenda.PickTouch, and never waits for a pick
// another transaction holds (the mark then waits for a later fetch).
func (s *Store) GetPick(ctx context.Context, slug, code string) (ids []string, ok bool, err error) {
	if slug, err = s.conference(ctx, slug); err != nil {
		return nil, false, err
	}
	var (
		list string
		used time.Time
	)
	err = s.queryRow(ctx, "SELECT sessions, used FROM picks WHERE conf = $1 AND code = $2", slug, code).Scan(&list, &used)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.errorf("load pick %q: %w", code, err)
	}
	if now := s.now().UTC(); now.Sub(used) > agenda.PickTouch {
		if _, err := s.exec(ctx, `UPDATE picks SET used = $1
			WHERE code = (SELECT code FROM picks WHERE code = $2 FOR UPDATE SKIP LOCKED)`, now, code); err != nil {
			return nil, false, s.errorf("mark pick %q used: %w", code, err)
		}
	}
	return agenda.DecodePick(list), true, nil
}

// PickCount returns how many picks conference slug ("" for the default one)
// holds.
func (s *Store) PickCount(ctx context.Context, slug string) (int, error) {
	slug, err := s.conference(ctx, slug)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.queryRow(ctx, "SELECT count(*) FROM picks WHERE conf = $1", slug).Scan(&n); err != nil {
		return 0, s.errorf("count picks: %w", err)
	}
	return n, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrCodeTaken is returned by PutPick when the code belongs to another
	// pick.
	ErrCodeTaken = errors.New("pick code already in use")
	// ErrPicksFull is returned by PutPick when the store already holds as
	// many picks as it may.
	ErrPicksFull = errors.New("pick store is full")
	// ErrBusy wraps a database error saying another connection held the
	// database lock for longer than the busy timeout; trying again later may
	// work.
	ErrBusy = errors.New("database is busy")
)

// PickCode returns the code the pick ids (in the order it was stored) is
// stored under; ok is false when it is not stored. Only a pick stored under
// more than one code before schema version 3 has several; PickCode returns
// the first.
func (s *Store) PickCode(ctx context.Context, ids []string) (code string, ok bool, err error) {
	code, ok, err = pickCode(ctx, s.db, strings.Join(ids, ","))
	if err != nil {
		return "", false, fmt.Errorf("sqlite: look up pick: %w", busy(err))
	}
	return code, ok, nil
}

// queryer is what pickCode needs of a *sql.DB or *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func pickCode(ctx context.Context, q queryer, list string) (string, bool, error) {
	var code string
	err := q.QueryRowContext(ctx, "SELECT code FROM picks WHERE sessions = ? AND duplicate = 0", list).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return code, err == nil, err
}

// PutPick stores the session IDs of an attendee's personal pick under code
// and returns the code the pick is stored under. The caller makes the code
// (at random) and gives the IDs in a canonical order: when the same list is
// stored already, PutPick stores nothing and returns its code. An existing
// code is never overwritten (ErrCodeTaken). When the store already holds
// limit picks, a new pick is refused with ErrPicksFull. A database kept busy
// by other writers beyond the busy timeout gives an error wrapping ErrBusy.
func (s *Store) PutPick(ctx context.Context, code string, ids []string, limit int) (string, error) {
	for _, id := range ids {
		if id == "" || strings.Contains(id, ",") {
			return "", fmt.Errorf("sqlite: pick %q: bad session ID %q", code, id)
		}
	}
	list := strings.Join(ids, ",")
	// The common case, a pick made before, needs no write lock.
	if stored, ok, err := pickCode(ctx, s.db, list); err != nil {
		return "", fmt.Errorf("sqlite: store pick: look up: %w", busy(err))
	} else if ok {
		return stored, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("sqlite: store pick: begin: %w", busy(err))
	}
	defer tx.Rollback()
	stored, err := putPick(ctx, tx, code, list, limit)
	if err != nil {
		return "", fmt.Errorf("sqlite: store pick: %w", busy(err))
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("sqlite: store pick: commit: %w", busy(err))
	}
	return stored, nil
}

// putPick does PutPick's work inside the write transaction tx.
func putPick(ctx context.Context, tx *sql.Tx, code, list string, limit int) (string, error) {
	// Another writer may have stored the same pick since the look-up.
	if stored, ok, err := pickCode(ctx, tx, list); err != nil {
		return "", fmt.Errorf("look up: %w", err)
	} else if ok {
		return stored, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM picks").Scan(&n); err != nil {
		return "", fmt.Errorf("count: %w", err)
	}
	if n >= limit {
		return "", fmt.Errorf("%d picks stored: %w", n, ErrPicksFull)
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO picks (code, sessions, created) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING",
		code, list, time.Now().UTC().Format(timeFormat))
	if err != nil {
		return "", fmt.Errorf("insert: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("insert: %w", err)
	} else if n == 0 {
		return "", fmt.Errorf("pick %q: %w", code, ErrCodeTaken)
	}
	return code, nil
}

// GetPick returns the session IDs stored under code; ok is false when the
// code is unknown.
func (s *Store) GetPick(ctx context.Context, code string) (ids []string, ok bool, err error) {
	var list string
	err = s.db.QueryRowContext(ctx, "SELECT sessions FROM picks WHERE code = ?", code).Scan(&list)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: load pick %q: %w", code, busy(err))
	}
	if list == "" {
		return []string{}, true, nil
	}
	return strings.Split(list, ","), true, nil
}

// PickCount returns how many picks the store holds.
func (s *Store) PickCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM picks").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count picks: %w", busy(err))
	}
	return n, nil
}

// busy marks err with ErrBusy when SQLite says the database is locked.
func busy(err error) error {
	var e interface{ Code() int }
	if errors.As(err, &e) {
		switch e.Code() & 0xff { // the primary result code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %w", ErrBusy, err)
		}
	}
	return err
}

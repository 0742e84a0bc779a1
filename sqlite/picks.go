package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confcal/agenda"

	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrCodeTaken is returned by PutPick when the code belongs to another
	// pick.
	ErrCodeTaken = agenda.ErrPickCodeTaken
	// ErrPicksFull is returned by PutPick when the conference already holds
	// as many picks as it may.
	ErrPicksFull = agenda.ErrPicksFull
	// ErrBusy wraps a database error saying another connection held the
	// database lock for longer than the busy timeout; trying again later may
	// work.
	ErrBusy = errors.New("database is busy")
)

// PickCode returns the code the pick ids (in the order it was stored) is
// stored under; ok is false when it is not stored. Only a pick stored under
// more than one code before schema version 3 has several; PickCode returns
// the first.
func (s *Store) PickCode(ctx context.Context, slug string, ids []string) (code string, ok bool, err error) {
	list, err := agenda.EncodePick(ids)
	if err != nil {
		return "", false, nil // a pick no store can hold is not stored
	}
	code, ok, err = pickCode(ctx, s.db, slug, list)
	if err != nil {
		return "", false, fmt.Errorf("sqlite: look up pick: %w", busy(err))
	}
	return code, ok, nil
}

// queryer is what pickCode needs of a *sql.DB or *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func pickCode(ctx context.Context, q queryer, slug, list string) (string, bool, error) {
	var code string
	err := q.QueryRowContext(ctx, "SELECT code FROM picks WHERE conf = ? AND sessions = ? AND duplicate = 0", slug, list).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return code, err == nil, err
}

// pickTouchWait is how long a fetch waits for the lock to mark a pick used.
const pickTouchWait = 200 * time.Millisecond

// PutPick stores the session IDs of an attendee's personal pick of
// conference slug ("" for the default one) under code and returns the code
// the pick is stored under. The caller makes the code
// (at random) and gives the IDs in a canonical order: when the same list is
// stored already, PutPick stores nothing and returns its code. An existing
// code is never overwritten (ErrCodeTaken). Before a new pick is stored,
// picks nobody fetched for agenda.PickExpiry are deleted; when the store still
// holds limit picks of the conference, the new one is refused with
// ErrPicksFull. A database
// kept busy by other writers beyond the busy timeout gives an error
// wrapping ErrBusy.
func (s *Store) PutPick(ctx context.Context, slug, code string, ids []string, limit int) (string, error) {
	list, err := agenda.EncodePick(ids)
	if err != nil {
		return "", fmt.Errorf("sqlite: pick %q: %w", code, err)
	}
	slug, err = s.conference(ctx, slug)
	if err != nil {
		return "", err
	}
	// The common case, a pick made before, needs no write lock.
	if stored, ok, err := pickCode(ctx, s.db, slug, list); err != nil {
		return "", fmt.Errorf("sqlite: store pick: look up: %w", busy(err))
	} else if ok {
		return stored, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("sqlite: store pick: begin: %w", busy(err))
	}
	defer tx.Rollback()
	if err := known(ctx, tx, slug); err != nil {
		return "", fmt.Errorf("sqlite: store pick: %w", err)
	}
	stored, err := putPick(ctx, tx, slug, code, list, limit, s.now().UTC())
	if err != nil {
		return "", fmt.Errorf("sqlite: store pick: %w", busy(err))
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("sqlite: store pick: commit: %w", busy(err))
	}
	return stored, nil
}

// putPick does PutPick's work inside the write transaction tx.
func putPick(ctx context.Context, tx *sql.Tx, slug, code, list string, limit int, now time.Time) (string, error) {
	// Another writer may have stored the same pick since the look-up.
	if stored, ok, err := pickCode(ctx, tx, slug, list); err != nil {
		return "", fmt.Errorf("look up: %w", err)
	} else if ok {
		return stored, nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM picks WHERE conf = ? AND used < ?", slug, now.Add(-agenda.PickExpiry).Format(timeFormat)); err != nil {
		return "", fmt.Errorf("expire: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM picks WHERE conf = ?", slug).Scan(&n); err != nil {
		return "", fmt.Errorf("count: %w", err)
	}
	if n >= limit {
		return "", fmt.Errorf("%d picks stored: %w", n, ErrPicksFull)
	}
	stamp := now.Format(timeFormat)
	res, err := tx.ExecContext(ctx, "INSERT INTO picks (code, conf, sessions, created, used) VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
		code, slug, list, stamp, stamp)
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

// GetPick returns the session IDs stored under code for conference slug; ok
// is false when the code is unknown there. A fetch counts as use: it keeps the pick from expiring
// (written at most once per agenda.PickTouch, so polling stays a read).
func (s *Store) GetPick(ctx context.Context, slug, code string) (ids []string, ok bool, err error) {
	if slug, err = s.conference(ctx, slug); err != nil {
		return nil, false, err
	}
	var list, used string
	err = s.db.QueryRowContext(ctx, "SELECT sessions, used FROM picks WHERE conf = ? AND code = ?", slug, code).Scan(&list, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: load pick %q: %w", code, busy(err))
	}
	now := s.now().UTC()
	if t, perr := time.Parse(timeFormat, used); perr != nil || now.Sub(t) > agenda.PickTouch {
		// A poll must not wait behind agenda changes for the lock: a busy
		// database only delays the mark to a later fetch.
		tctx, cancel := context.WithTimeout(ctx, pickTouchWait)
		_, err := s.db.ExecContext(tctx, "UPDATE picks SET used = ? WHERE code = ?", now.Format(timeFormat), code)
		cancel()
		if err != nil && !errors.Is(busy(err), ErrBusy) && tctx.Err() == nil {
			return nil, false, fmt.Errorf("sqlite: mark pick %q used: %w", code, err)
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
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM picks WHERE conf = ?", slug).Scan(&n); err != nil {
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

// conference returns slug, or for "" the default conference's slug.
func (s *Store) conference(ctx context.Context, slug string) (string, error) {
	if slug != "" {
		return slug, nil
	}
	return s.defaultConference(ctx, s.db)
}

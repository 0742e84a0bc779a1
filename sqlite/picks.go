package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrCodeTaken is returned by PutPick when the code is already in use.
var ErrCodeTaken = errors.New("pick code already in use")

// PutPick stores the session IDs of an attendee's personal pick under code.
// The caller makes the code (at random); an existing code is never
// overwritten.
func (s *Store) PutPick(ctx context.Context, code string, ids []string) error {
	for _, id := range ids {
		if id == "" || strings.Contains(id, ",") {
			return fmt.Errorf("sqlite: pick %q: bad session ID %q", code, id)
		}
	}
	res, err := s.db.ExecContext(ctx, "INSERT INTO picks (code, sessions, created) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING",
		code, strings.Join(ids, ","), time.Now().UTC().Format(timeFormat))
	if err != nil {
		return fmt.Errorf("sqlite: store pick: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: store pick: %w", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: pick %q: %w", code, ErrCodeTaken)
	}
	return nil
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
		return nil, false, fmt.Errorf("sqlite: load pick: %w", err)
	}
	if list == "" {
		return []string{}, true, nil
	}
	return strings.Split(list, ","), true, nil
}

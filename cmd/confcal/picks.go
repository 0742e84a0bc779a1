package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"confcal/agenda"
	"confcal/page"
	"confcal/sqlite"
)

const (
	// maxStoredPicks bounds the picks kept in the store: beyond it new
	// picks are refused (503) rather than fill the disk.
	maxStoredPicks = 100_000
	// pickWriteWait is how long storing a pick may wait for its lock
	// (SQLite's database lock, which agenda changes take too; in PostgreSQL
	// the conference's picks being stored by others): a pick yields and is
	// refused as busy (503) rather than queue for the whole busy timeout.
	pickWriteWait = 2 * time.Second
)

// storePicks keeps attendees' personal picks of a conference in the store
// (SQLite or PostgreSQL), so the short feed URLs they subscribed to
// (/feeds/my/{code}.ics) survive a restart. It adapts the registry to
// page.PickStore: codes are random (page.NewCode), never derived from the
// picks; the same pick gets the code it got before; at most maxStoredPicks
// are kept per conference.
type storePicks struct {
	st   agenda.Registry
	slug string // the conference; "" for the default one
}

var _ page.PickStore = storePicks{}

// Save implements page.PickStore.
func (p storePicks) Save(ctx context.Context, ids []string) (string, error) {
	return p.save(ctx, ids, maxStoredPicks, pickWriteWait)
}

// save is Save with the store's limit and the longest wait for the lock.
func (p storePicks) save(ctx context.Context, ids []string, limit int, wait time.Duration) (string, error) {
	if err := page.CheckPick(ids); err != nil {
		return "", err
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for range 3 { // 80 random bits: a taken code is all but impossible
		code, err := p.st.PutPick(wctx, p.slug, page.NewCode(), ids, limit)
		switch {
		case err == nil:
			return code, nil
		case errors.Is(err, agenda.ErrPickCodeTaken):
			continue
		case errors.Is(err, agenda.ErrPicksFull):
			return "", fmt.Errorf("picks: %w: %w", page.ErrPicksFull, err)
		case errors.Is(err, sqlite.ErrBusy), errors.Is(err, agenda.ErrUnavailable),
			errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil: // our wait, not the request's
			return "", fmt.Errorf("picks: %w: waited up to %v: %w", page.ErrPicksBusy, wait, err)
		default:
			return "", fmt.Errorf("picks: %w", err)
		}
	}
	return "", errors.New("picks: no free code after 3 tries")
}

// Load implements page.PickStore.
func (p storePicks) Load(ctx context.Context, code string) ([]string, error) {
	ids, ok, err := p.st.GetPick(ctx, p.slug, code)
	if err != nil {
		return nil, fmt.Errorf("picks: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("picks: %q: %w", code, page.ErrUnknownPick)
	}
	return ids, nil
}

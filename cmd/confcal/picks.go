package main

import (
	"context"
	"errors"
	"fmt"

	"confcal/page"
	"confcal/sqlite"
)

// storePicks keeps attendees' personal picks in the SQLite store, so the
// short feed URLs they subscribed to (/feeds/my/{code}.ics) survive a
// restart. It adapts the store to page.PickStore: codes are random
// (page.NewCode), never derived from the picks.
type storePicks struct{ st *sqlite.Store }

var _ page.PickStore = storePicks{}

// Save implements page.PickStore.
func (p storePicks) Save(ctx context.Context, ids []string) (string, error) {
	if err := page.CheckPick(ids); err != nil {
		return "", err
	}
	for range 3 { // 80 random bits: a taken code is all but impossible
		code := page.NewCode()
		err := p.st.PutPick(ctx, code, ids)
		if errors.Is(err, sqlite.ErrCodeTaken) {
			continue
		}
		if err != nil {
			return "", err
		}
		return code, nil
	}
	return "", errors.New("picks: no free code")
}

// Load implements page.PickStore.
func (p storePicks) Load(ctx context.Context, code string) ([]string, error) {
	ids, ok, err := p.st.GetPick(ctx, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("picks: %q: %w", code, page.ErrUnknownPick)
	}
	return ids, nil
}

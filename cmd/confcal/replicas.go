package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/conferences"
	"confcal/postgres"
)

// replication is how serve follows the other replicas on a PostgreSQL
// store: the handler of postgres.Listen, which passes every notification
// to the Manager and catches up after each connection, and the state of
// that connection for /readyz.
type replication struct {
	mgr *conferences.Manager
	log *slog.Logger

	mu        sync.Mutex
	listening bool
	since     time.Time // when it stopped listening
	lost      error     // why
}

var _ postgres.Handler = (*replication)(nil)

// Listening implements postgres.Handler: every conference's stored
// revision is compared with the served one, and the registry with the
// conferences served. Only a store out of reach makes the connection be
// tried again; a conference that fails for another reason is logged and
// left to the next notification, rather than keep every other one from
// being followed.
func (r *replication) Listening(ctx context.Context) error {
	if err := r.mgr.Refresh(ctx); err != nil {
		if errors.Is(err, agenda.ErrUnavailable) {
			return err
		}
		r.log.Error("catching up with the other replicas", "error", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listening, r.lost = true, nil
	return nil
}

// Saved implements postgres.Handler.
func (r *replication) Saved(slug string, rev int64) { r.mgr.Notified(slug, rev) }

// Listed implements postgres.Handler.
func (r *replication) Listed(slug string) { r.mgr.ListingChanged(slug) }

// Lost implements postgres.Handler.
func (r *replication) Lost(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.listening || r.since.IsZero() {
		r.since = time.Now()
	}
	r.listening, r.lost = false, err
}

// err says why the other replicas' changes are not heard now; nil when
// they are.
func (r *replication) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.listening:
		return nil
	case r.lost == nil:
		return errors.New("not listening for the other replicas' changes yet")
	}
	return fmt.Errorf("not hearing the other replicas' changes since %s: %w", r.since.UTC().Format(time.RFC3339), r.lost)
}

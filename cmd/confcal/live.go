package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/metrics"
	"confcal/sqlite"
	"confcal/web"
)

// storePoll is how often serve looks for revisions another process (the
// command line on the same data directory) stored.
const storePoll = 2 * time.Second

// live is what serve runs on: the store, the agenda service over it, and
// the admin API and Atom handlers that web mounts.
type live struct {
	store *sqlite.Store
	svc   *agenda.Service
	api   http.Handler // the admin API, mounted at /api
	atom  http.Handler // /feeds/changes.atom
	srv   *web.Server  // publishes each revision; set by start

	stopPoll func()        // stops polling the store
	polled   chan struct{} // closed when polling has stopped

	metrics *metrics.Metrics // set by serve before start (ops.go); nil records nothing
}

// openLive opens the store in dataDir and builds the service and handlers.
// Nothing is loaded until start. token "" disables API writes.
func openLive(ctx context.Context, dataDir, token, baseURL string, log *slog.Logger) (*live, error) {
	store, err := sqlite.Open(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	l := &live{store: store}
	l.svc = agenda.NewService(observedStore{store, l}, func(_ context.Context, snap *agenda.Snapshot) (func(), error) {
		return l.prepare(snap) // l.srv.Prepare, timed (ops.go)
	})
	cfg := api.Config{Service: l.svc, Token: token, Logger: log, BaseURL: baseURL}
	l.api, l.atom = api.New(cfg), api.ChangesAtom(cfg)
	return l, nil
}

// start loads the stored agenda, or on a first start stores seed, and has
// srv publish it. It reports whether the seed was imported.
func (l *live) start(ctx context.Context, srv *web.Server, seed *agenda.Snapshot) (imported bool, err error) {
	l.srv = srv
	err = l.svc.Load(ctx, func() (*agenda.Snapshot, error) {
		imported = true
		return seed, nil
	})
	if err != nil {
		return false, fmt.Errorf("%s: %w", l.store.Path(), err)
	}
	return imported, nil
}

// startPolling publishes, until close, the revisions other processes store.
func (l *live) startPolling(ctx context.Context, log *slog.Logger) {
	ctx, l.stopPoll = context.WithCancel(ctx)
	l.polled = make(chan struct{})
	go func() {
		defer close(l.polled)
		l.poll(ctx, log)
	}()
}

func (l *live) poll(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(storePoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed, err := l.svc.Refresh(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("reading the store", "error", err)
		case changed:
			log.Info("serving a revision stored by another process", "revision", l.svc.Current().Revision())
		}
	}
}

// close stops polling and closes the store.
func (l *live) close() error {
	if l.stopPoll != nil {
		l.stopPoll()
		<-l.polled
	}
	return l.store.Close()
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Handler is told what Listen hears. Its methods are called from Listen's
// goroutine, one at a time; Saved and Listed should return quickly (hand
// the work to another goroutine), or notifications queue up behind them.
type Handler interface {
	// Listening is called after every connection, first and again, once
	// LISTEN is in place: what was notified while there was none is lost,
	// so it compares what it serves with the store and catches up. An
	// error drops the connection, to be tried again (as a lost one).
	Listening(ctx context.Context) error
	// Saved says that revision rev of conference slug was stored.
	Saved(slug string, rev int64)
	// Listed says that conference slug's listing changed: added,
	// removed, restored, purged or given a new source.
	Listed(slug string)
	// Lost says that the connection is gone (err says why): nothing is
	// heard until the next Listening.
	Lost(err error)
}

// ListenOptions tune Listen; the zero value is the defaults.
type ListenOptions struct {
	// Ping is how long the connection may stay quiet before it is pinged,
	// so that one the network dropped without a word is noticed (default
	// DefaultPing).
	Ping time.Duration
	// MaxBackoff caps the pause between connection attempts, which starts
	// at a tenth of a second and doubles (default DefaultMaxBackoff).
	MaxBackoff time.Duration
	// Logger receives connections lost and made, and payloads not
	// understood; nil discards them.
	Logger *slog.Logger
}

// Defaults of ListenOptions.
const (
	DefaultPing       = 10 * time.Second
	DefaultMaxBackoff = 2 * time.Second
	firstBackoff      = 100 * time.Millisecond
	pingTimeout       = 5 * time.Second
)

// Listen follows the store at url (as Open takes it) for a server replica
// until ctx ends: it holds one connection of its own, outside any pool,
// LISTENs on the store's channel (its schema's), tells h of every
// notification and, after each (re)connection, lets h catch up. A lost connection is made again with a
// growing pause, capped at opts.MaxBackoff, for as long as it takes. It
// returns nil when ctx ends, an error only when url cannot be read.
//
// LISTEN needs a session of its own: a pooler in transaction mode
// (PgBouncer's) between the server and PostgreSQL breaks it.
func Listen(ctx context.Context, url string, h Handler, opts ListenOptions) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("postgres: the store URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	if opts.Ping <= 0 {
		opts.Ping = DefaultPing
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &listener{cfg: cfg, h: h, opts: opts, log: log.With("store", describe(cfg))}
	backoff := firstBackoff
	for {
		listened, err := l.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		h.Lost(err)
		if listened {
			backoff = firstBackoff
		}
		log.Warn("listening for changes: connection lost; connecting again", "error", err, "in", backoff)
		t := time.NewTimer(backoff/2 + rand.N(backoff/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, opts.MaxBackoff)
	}
}

// listener is the state of one Listen.
type listener struct {
	cfg  *pgx.ConnConfig
	h    Handler
	opts ListenOptions
	log  *slog.Logger
	lost bool // a connection was lost before this one

	channel string // the store's, as the server names it on connecting
}

// session connects, listens and catches up, then passes on notifications
// until the connection fails (or ctx ends). listened says whether it got
// as far as listening and catching up.
func (l *listener) session(ctx context.Context) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return false, classify(fmt.Errorf("postgres: listen: %w", err))
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	var name *string // NULL when the search path names no schema that exists
	if err := conn.QueryRow(ctx, "SELECT "+channel).Scan(&name); err != nil {
		return false, classify(fmt.Errorf("postgres: listen: %w", err))
	}
	if name == nil {
		return false, fmt.Errorf("postgres: listen: the search path names no schema that exists")
	}
	l.channel = *name
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		return false, classify(fmt.Errorf("postgres: listen: %w", err))
	}
	// Only now, listening, is the store compared: whatever is stored
	// after this is notified.
	if err := l.h.Listening(ctx); err != nil {
		return false, fmt.Errorf("postgres: listen: catching up: %w", err)
	}
	if l.lost {
		l.log.Info("listening for changes again; caught up")
	}
	l.lost = true
	for {
		wctx, cancel := context.WithTimeout(ctx, l.opts.Ping)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			l.dispatch(n)
			continue
		case ctx.Err() != nil:
			return true, ctx.Err()
		case !pgconn.Timeout(err) && !errors.Is(err, context.DeadlineExceeded):
			return true, classify(fmt.Errorf("postgres: listen: %w", err))
		}
		// Quiet for a while: a connection dropped on the way (no reset
		// arrives) answers no ping.
		pctx, cancel := context.WithTimeout(ctx, pingTimeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return true, classify(fmt.Errorf("postgres: listen: ping: %w", err))
		}
	}
}

// dispatch passes a notification on to the handler.
func (l *listener) dispatch(n *pgconn.Notification) {
	if n.Channel != l.channel {
		return
	}
	if slug, ok := ParseListingPayload(n.Payload); ok {
		l.h.Listed(slug)
		return
	}
	slug, rev, err := ParsePayload(n.Payload)
	if err != nil {
		// Another program on the channel, or a later confcal's payload:
		// the catch-up after the next reconnection, or the next
		// notification of that conference, covers what it meant.
		l.log.Warn("listening for changes: a notification not understood", "payload", n.Payload, "error", err)
		return
	}
	l.h.Saved(slug, rev)
}

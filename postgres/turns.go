package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Turns decides which of the servers sharing a store polls a conference's
// followed source: the one holding the conference's session-level advisory
// lock, on a connection Turns keeps for it alone (outside the pool, whose
// connections come and go). A server that dies, or loses that connection,
// loses its locks with it, and the next server to ask takes the turn: so
// with every server asking once per follow period, another takes over
// within one period. Its methods are safe for concurrent use.
//
// Only one at a time is a matter of economy — other people's servers are
// not polled thrice as often with three replicas —, not of correctness: a
// change is a compare-and-set on the revision, so two servers applying
// the same version of a source (around a lost connection) store it once.
type Turns struct {
	cfg *pgx.ConnConfig

	mu   sync.Mutex
	conn *pgx.Conn       // nil until the first Take, and after a failure
	held map[string]bool // the conferences whose lock conn holds
}

// NewTurns returns the Turns of the store at url (as Open takes it). It
// connects when first asked.
func NewTurns(url string) (*Turns, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: the store URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	return &Turns{cfg: cfg, held: map[string]bool{}}, nil
}

// lockKey is the statement's expression of the advisory lock of following
// conference $1 in the current schema (several confcal stores may share a
// database, in schemas of their own).
const lockKey = "hashtextextended('confcal follow ' || coalesce(current_schema(), '') || ' ' || $1, 0)"

// turnTimeout bounds each question to the server.
const turnTimeout = 5 * time.Second

// Take reports whether this server is the one to poll conference slug's
// source now: it holds the turn already (its connection still answers) or
// took it, nobody holding it. An error — the server unreachable — is no
// turn: the caller skips this poll and asks again at the next.
func (t *Turns) Take(ctx context.Context, slug string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err // a follower stopping: no reason to drop the others' turns
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	if t.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, t.cfg)
		if err != nil {
			return false, classify(fmt.Errorf("postgres: follow turns: %w", err))
		}
		t.conn = conn
	}
	var ok bool
	var err error
	if t.held[slug] {
		// A session's advisory locks last as long as it does: a
		// connection that answers still holds them.
		ok, err = true, t.conn.Ping(ctx)
	} else {
		err = t.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock("+lockKey+")", slug).Scan(&ok)
	}
	if err != nil {
		t.drop()
		return false, classify(fmt.Errorf("postgres: follow turns: %s: %w", slug, err))
	}
	t.held[slug] = ok
	return ok, nil
}

// Release gives up the turn of conference slug, when this server no
// longer serves it.
func (t *Turns) Release(ctx context.Context, slug string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.held[slug] {
		return nil
	}
	delete(t.held, slug)
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	if _, err := t.conn.Exec(ctx, "SELECT pg_advisory_unlock("+lockKey+")", slug); err != nil {
		t.drop()
		return classify(fmt.Errorf("postgres: follow turns: release %s: %w", slug, err))
	}
	return nil
}

// drop closes the connection after a failure: its locks go with it, on
// the server too.
func (t *Turns) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	t.conn.Close(ctx)
	t.conn = nil
	clear(t.held)
}

// Close gives up every turn and closes the connection.
func (t *Turns) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn != nil {
		t.drop()
	}
	return nil
}

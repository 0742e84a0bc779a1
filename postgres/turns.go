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
//
// Push gives the turns of sending a conference's WebDAV-Push messages, on
// the same connection under keys of their own.
type Turns struct {
	cfg *pgx.ConnConfig

	mu   sync.Mutex
	conn *pgx.Conn     // nil until the first Take, and after a failure
	held map[turn]bool // the turns whose lock conn holds
}

// turn names one lock: what it is the turn of ("follow", "push") and the
// conference.
type turn struct{ kind, slug string }

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
	return &Turns{cfg: cfg, held: map[turn]bool{}}, nil
}

// lockKey is the statement's expression of the advisory lock of turn $1
// ("follow", "push") of conference $2 in the current schema (several
// confcal stores may share a database, in schemas of their own). A slug
// holds no space, so no two turns share a key.
const lockKey = "hashtextextended('confcal ' || $1::text || ' ' || coalesce(current_schema(), '') || ' ' || $2::text, 0)"

// The kinds of turns.
const (
	followTurn = "follow"
	pushTurn   = "push"
)

// turnTimeout bounds each question to the server.
const turnTimeout = 5 * time.Second

// Take reports whether this server is the one to poll conference slug's
// source now: it holds the turn already (its connection still answers) or
// took it, nobody holding it. An error — the server unreachable — is no
// turn: the caller skips this poll and asks again at the next.
func (t *Turns) Take(ctx context.Context, slug string) (bool, error) {
	return t.take(ctx, turn{followTurn, slug})
}

// Release gives up the turn of conference slug, when this server no
// longer serves it.
func (t *Turns) Release(ctx context.Context, slug string) error {
	return t.release(ctx, turn{followTurn, slug})
}

// Push returns the turns of sending WebDAV-Push messages: each replica
// hears every revision, and only the one holding a conference's push turn
// sends its messages, so a phone gets one per change, not one per
// replica. They are not the follow turns: the replica polling a source
// need not be the one pushing, and letting go of one is not letting go
// of the other.
func (t *Turns) Push() PushTurns { return PushTurns{t} }

// PushTurns are the turns of sending a conference's WebDAV-Push messages,
// held as the follow turns are (Turns says how); safe for concurrent use.
type PushTurns struct{ t *Turns }

// Take reports whether this server sends conference slug's push messages
// now, taking the turn when nobody holds it; an error is no turn.
func (p PushTurns) Take(ctx context.Context, slug string) (bool, error) {
	return p.t.take(ctx, turn{pushTurn, slug})
}

// Release gives up the push turn of conference slug.
func (p PushTurns) Release(ctx context.Context, slug string) error {
	return p.t.release(ctx, turn{pushTurn, slug})
}

// take takes turn k, or reports it held by this connection already.
func (t *Turns) take(ctx context.Context, k turn) (bool, error) {
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
			return false, classify(fmt.Errorf("postgres: %s turns: %w", k.kind, err))
		}
		t.conn = conn
	}
	var ok bool
	var err error
	if t.held[k] {
		// A session's advisory locks last as long as it does: a
		// connection that answers still holds them.
		ok, err = true, t.conn.Ping(ctx)
	} else {
		err = t.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock("+lockKey+")", k.kind, k.slug).Scan(&ok)
	}
	if err != nil {
		t.drop()
		return false, classify(fmt.Errorf("postgres: %s turns: %s: %w", k.kind, k.slug, err))
	}
	t.held[k] = ok
	return ok, nil
}

// release gives up turn k.
func (t *Turns) release(ctx context.Context, k turn) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.held[k] {
		return nil
	}
	delete(t.held, k)
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	if _, err := t.conn.Exec(ctx, "SELECT pg_advisory_unlock("+lockKey+")", k.kind, k.slug); err != nil {
		t.drop()
		return classify(fmt.Errorf("postgres: %s turns: release %s: %w", k.kind, k.slug, err))
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

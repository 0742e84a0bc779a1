package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"confcal/agenda"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// errorf is the store's error, led by "postgres:" and where the store is;
// a failure to reach the server is also an agenda.ErrUnavailable.
func (s *Store) errorf(format string, args ...any) error {
	return classify(fmt.Errorf("postgres: %s: "+format, append([]any{s.name}, args...)...))
}

// classify marks err as agenda.ErrUnavailable when it says the server
// could not be reached or went away (see Unreachable).
func classify(err error) error {
	if err == nil || errors.Is(err, agenda.ErrUnavailable) || !Unreachable(err) {
		return err
	}
	return unavailableError{err}
}

// unavailableError is an error of the connection to the server: it is
// what it wraps and agenda.ErrUnavailable.
type unavailableError struct{ err error }

func (e unavailableError) Error() string   { return e.err.Error() }
func (e unavailableError) Unwrap() []error { return []error{e.err, agenda.ErrUnavailable} }

// begin starts a transaction, on another connection when the one it took
// had died (see retry): a BEGIN that fails so has done nothing.
func (s *Store) begin(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	var tx pgx.Tx
	err := s.retry(ctx, false, func() (err error) {
		tx, err = s.pool.BeginTx(ctx, opts)
		return err
	})
	return tx, err
}

// retry runs do, which sends one statement (or BEGIN) on a connection of
// the pool, and runs it again while it fails on a connection that had died
// and trying again is safe. A connection the pool keeps is found dead only
// when used (the server restarted or ended it, or something between
// dropped it; the pool pings only connections idle for over a second), and
// a statement that fails so leaves the pool without that connection: the
// next try takes another, or a new one. A read, or a BEGIN, changed
// nothing whatever reached the server, so it is tried again on any failure
// of the connection (Unreachable); a write only when the error shows that
// nothing of it was sent (pgconn.SafeToRetry), for one the server received
// may have been committed before the connection broke. A new connection
// that cannot be made ends the tries: the server is away, not a kept
// connection stale. The pool holds s.tries−1 connections at most, so with
// every one it kept dead the last try is on a new one.
func (s *Store) retry(ctx context.Context, write bool, do func() error) error {
	err := do()
	for try := 1; err != nil && try < s.tries && ctx.Err() == nil && retryable(err, write); try++ {
		err = do()
	}
	return err
}

// retryable reports whether a statement that failed with err failed on a
// connection that was dead before it, and may be sent again (see retry).
func retryable(err error, write bool) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return false
	}
	if write {
		return pgconn.SafeToRetry(err)
	}
	return Unreachable(err)
}

// queryRow runs the read sql on the pool; its Scan is retried as a read
// (see retry).
func (s *Store) queryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return pooledRow{s: s, ctx: ctx, sql: sql, args: args}
}

// pooled is the pool as a querier, for the reads made in a transaction
// or outside one (defaultConference, pickCode): its rows are queryRow's.
type pooled struct{ s *Store }

// QueryRow implements querier.
func (p pooled) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.s.queryRow(ctx, sql, args...)
}

// pooledRow is the row of queryRow, read when it is scanned.
type pooledRow struct {
	s    *Store
	ctx  context.Context
	sql  string
	args []any
}

// Scan implements pgx.Row.
func (r pooledRow) Scan(dest ...any) error {
	return r.s.retry(r.ctx, false, func() error { return r.s.pool.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...) })
}

// query runs the read sql on s's pool and collects its rows with scan,
// retried as a read (see retry): a failure after some rows reads them all
// again.
func query[T any](ctx context.Context, s *Store, scan pgx.RowToFunc[T], sql string, args ...any) ([]T, error) {
	var out []T
	err := s.retry(ctx, false, func() error {
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scan)
		return err
	})
	return out, err
}

// exec runs the write sql on the pool, retried as a write (see retry).
func (s *Store) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := s.retry(ctx, true, func() (err error) {
		tag, err = s.pool.Exec(ctx, sql, args...)
		return err
	})
	return tag, err
}

// Unreachable reports whether err says the server could not be reached or
// the connection to it broke — no connection, a refused or reset one, a
// timeout, a server shutting down, restarting or not accepting connections
// yet — rather than that it refused what was asked (a constraint, a syntax
// error). What failed so may succeed on a later try.
func Unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08 is connection exceptions; 57P01–57P03 the server
		// shutting down (admin, crash) or not yet accepting connections;
		// 53300 too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.DeadlineExceeded)
}

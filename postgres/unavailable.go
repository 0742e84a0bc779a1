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

// begin starts a transaction. A connection the pool keeps is found dead
// only when used (the server restarted or ended it, or something between
// dropped it; the pool pings only connections idle for over a second), and
// a BEGIN that fails so has done nothing and leaves the pool without that
// connection: so it is tried again, on another, a few times, before the
// database is taken for unreachable.
func (s *Store) begin(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	tx, err := s.pool.BeginTx(ctx, opts)
	for try := 1; err != nil && try < beginTries && ctx.Err() == nil && Unreachable(err); try++ {
		tx, err = s.pool.BeginTx(ctx, opts)
	}
	return tx, err
}

// beginTries bounds the tries of begin: a pool holds few connections, and
// with the database really away each try fails at once.
const beginTries = 4

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

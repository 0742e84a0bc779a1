package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"confcal/agenda"
	"confcal/formats"
)

// Status is the outcome of one poll of a followed source.
type Status struct {
	// At is when the poll ended.
	At time.Time
	// Err is why the poll changed nothing although the source may have
	// (fetch, status, parse or mass-cancel errors); nil when it went well.
	Err error
	// ErrUnchanged says the source was as it was at the last poll.
	ErrUnchanged bool
	// Changes counts the change-log entries the poll made (0: the new
	// version matched the agenda).
	Changes int
	// Revision is the agenda's revision after the poll.
	Revision int64
	// Problems are what the importer repaired or skipped in the version
	// read.
	Problems []formats.Problem
}

// Follower keeps an agenda following a source: every poll reads it and
// applies what changed, as `confcal import` does.
type Follower struct {
	Source  *Source
	Service *agenda.Service
	// Who names the author of the revisions in the change log; "" means
	// "follow".
	Who string
	// Logger receives a line per poll that changed something or failed;
	// nil discards them.
	Logger *slog.Logger
	// Report, when set, is told the Status of every poll.
	Report func(Status)
	// Turn, when set, is asked before each poll of Follow and Run
	// whether this process is the one to poll the source now: several
	// servers sharing a store take turns, so the source is polled as
	// often as by one. A false answer, or an error, skips the poll;
	// the question comes again at the next.
	Turn func(ctx context.Context) (bool, error)

	turn bool // the last answer of Turn
}

// Poll reads the source once and applies what changed.
func (f *Follower) Poll(ctx context.Context) Status {
	log := f.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	who := f.Who
	if who == "" {
		who = "follow"
	}
	st := Status{}
	res, _, err := f.Source.Read(ctx)
	switch {
	case errors.Is(err, ErrUnchanged):
		st.ErrUnchanged = true
	case err != nil:
		st.Err = err
	default:
		st.Problems = res.Problems
		_, changes, err := f.Service.Change(ctx, who, func(e *agenda.Editor) error {
			_, err := e.Import(res.Contents, false)
			return err
		})
		if err != nil {
			// The version is read but not applied: read it again next
			// time, it may be the same broken one or a repaired one.
			f.Source.read = false
			st.Err = fmt.Errorf("source: applying %s: %w", f.Source.Location, err)
		}
		st.Changes = len(changes)
	}
	st.At = time.Now()
	if cur := f.Service.Current(); cur != nil {
		st.Revision = cur.Revision()
	}
	switch {
	case st.Err != nil:
		log.ErrorContext(ctx, "following the source failed; the agenda stays as it was", "source", f.Source.Location, "error", st.Err)
	case st.Changes > 0:
		log.InfoContext(ctx, "the source changed", "source", f.Source.Location, "changes", st.Changes, "revision", st.Revision, "problems", len(st.Problems))
	}
	if f.Report != nil {
		f.Report(st)
	}
	return st
}

// Follow polls the source at once, bringing a stored agenda up to date
// with it, then every period until ctx ends (see Run).
func (f *Follower) Follow(ctx context.Context, period time.Duration) {
	f.PollInTurn(ctx)
	f.Run(ctx, period)
}

// Run polls the source every period until ctx ends, each time only when
// it is this process's turn (Turn). Follow and Run are not to be called
// concurrently on one Follower.
func (f *Follower) Run(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.PollInTurn(ctx)
		}
	}
}

// PollInTurn polls the source if Turn allows it, and logs when this
// process takes or loses the turn.
func (f *Follower) PollInTurn(ctx context.Context) {
	if f.Turn == nil {
		f.Poll(ctx)
		return
	}
	log := f.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ok, err := f.Turn(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		log.WarnContext(ctx, "following the source: cannot tell whose turn it is to poll it; skipping this poll", "source", f.Source.Location, "error", err)
	case ok && !f.turn:
		log.InfoContext(ctx, "following the source: this process polls it now", "source", f.Source.Location)
	case !ok && f.turn && err == nil:
		log.InfoContext(ctx, "following the source: another process polls it now", "source", f.Source.Location)
	}
	f.turn = ok
	if ok {
		f.Poll(ctx)
	}
}

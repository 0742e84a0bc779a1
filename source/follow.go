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

// ErrMassCancel: applying a version of the source would cancel more than
// half of the agenda's sessions at once, which is far more likely a broken
// export than the organizers' intent. Apply with Force to do it anyway.
var ErrMassCancel = errors.New("the new version would cancel more than half of the sessions")

// Outcome is what Apply did (or, for a dry run, would do).
type Outcome struct {
	// Next is the resulting revision (for a dry run, worked out but not
	// stored or served).
	Next *agenda.Snapshot
	// Changes are the change-log entries of the revision; none when the
	// source matched the agenda.
	Changes []agenda.Change
	// Warnings are overlaps the source leaves (see Editor.Reconcile).
	Warnings []string
}

// Apply reconciles the agenda in svc with c as one revision made by who
// (agenda.Editor.Reconcile: sessions matched by stable ID, the ones gone
// from c cancelled). A version that would cancel more than half of the
// sessions that take place is refused with ErrMassCancel unless force is
// set. With dryRun it only works the revision out.
func Apply(ctx context.Context, svc *agenda.Service, who string, c agenda.Contents, dryRun, force bool) (Outcome, error) {
	var out Outcome
	edit := func(e *agenda.Editor) error {
		w, err := e.Reconcile(c)
		if err != nil {
			return err
		}
		out.Warnings = w
		if !force {
			return checkCancellations(e)
		}
		return nil
	}
	if dryRun {
		e := svc.Current().Edit(who, time.Now())
		if err := edit(e); err != nil {
			return Outcome{}, err
		}
		next, err := e.Commit()
		if err != nil {
			return Outcome{}, err
		}
		out.Next, out.Changes = next, e.Changes()
		return out, nil
	}
	next, changes, err := svc.Change(ctx, who, edit)
	if err != nil {
		return Outcome{}, err
	}
	out.Next, out.Changes = next, changes
	return out, nil
}

// checkCancellations refuses an edit that cancels more than half of the
// sessions that took place before it.
func checkCancellations(e *agenda.Editor) error {
	confirmed := 0
	for _, x := range e.Base().Sessions() {
		if x.Status == agenda.StatusConfirmed {
			confirmed++
		}
	}
	cancelled := 0
	for _, c := range e.Changes() {
		if c.Field == agenda.FieldStatus && agenda.Status(c.New) == agenda.StatusCancelled {
			cancelled++
		}
	}
	if confirmed > 0 && 2*cancelled > confirmed {
		return fmt.Errorf("%d of %d sessions would be cancelled: %w", cancelled, confirmed, ErrMassCancel)
	}
	return nil
}

// Status is the outcome of one poll of a followed source.
type Status struct {
	// At is when the poll ended.
	At time.Time
	// Err is why the poll changed nothing although the source may have
	// (fetch, status, parse or mass-cancel errors); nil when it went well.
	Err error
	// Unchanged says the source was as it was at the last poll.
	Unchanged bool
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
	case errors.Is(err, Unchanged):
		st.Unchanged = true
	case err != nil:
		st.Err = err
	default:
		st.Problems = res.Problems
		var out Outcome
		out, err = Apply(ctx, f.Service, who, res.Contents, false, false)
		if err != nil {
			// The version is read but not applied: read it again next
			// time, it may be the same broken one or a repaired one.
			f.Source.read = false
			st.Err = fmt.Errorf("source: applying %s: %w", f.Source.Location, err)
		}
		st.Changes = len(out.Changes)
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

// Run polls the source every period until ctx ends.
func (f *Follower) Run(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.Poll(ctx)
		}
	}
}

package agenda

import (
	"context"
	"errors"
)

// ErrUnavailable: the store cannot be reached now — its server is down,
// restarting or unreachable — so nothing was read or written; the same
// request may succeed shortly. Stores wrap their connection failures with
// it; servers answer 503 with Retry-After, not 500.
var ErrUnavailable = errors.New("store unavailable")

// Store keeps the agenda durably. Implementations live in packages named for
// their technology (e.g. sqlite); several server replicas may share one
// store, so Save is a compare-and-set on the revision.
type Store interface {
	// Load returns the stored agenda with its change log, or an error
	// wrapping ErrEmpty when nothing has been stored yet.
	Load(ctx context.Context) (*Snapshot, error)
	// Save makes next the stored agenda in one transaction: the sessions,
	// rooms and tracks of next, and the change log entries after the stored
	// revision. The stored revision must be the one next was edited from
	// (next.Revision() − 1), or none at all for a first import; otherwise
	// Save fails with ErrStale and stores nothing. When Save returns nil the
	// change is durable.
	Save(ctx context.Context, next *Snapshot) error
	// Close releases the store.
	Close() error
}

package webpush

import "time"

// Clock is the time a Sender waits by and a Throttle counts intervals by.
// Nil in an Options or for NewThrottle means the system clock; tests give
// pushtest.Clock, which moves only when told.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed, unless
	// the returned Timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call of a Clock's AfterFunc. *time.Timer is one.
type Timer interface {
	// Stop prevents the call, and reports whether it did (false: the
	// call was made or the timer already stopped).
	Stop() bool
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

package pushtest

import (
	"slices"
	"sync"
	"time"

	"confcal/webpush"
)

// Clock is a webpush.Clock that moves only when told (Advance), or, made
// with NewAutoClock, by exactly what each wait asks for, at once, so a
// test of retries takes no time. It records every wait asked of it.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	auto   bool
	seq    int
	timers []*timer
	waits  []time.Duration
}

type timer struct {
	c   *Clock
	at  time.Time
	seq int // order of creation, for timers due at the same time
	f   func()
}

var _ webpush.Clock = (*Clock)(nil)

// NewClock returns a Clock at start that moves only by Advance.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// NewAutoClock returns a Clock at start that, whenever AfterFunc is
// called, moves forward by the wait and calls the function (in its own
// goroutine, as time.AfterFunc does).
func NewAutoClock(start time.Time) *Clock { return &Clock{now: start, auto: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc calls f once the clock has moved d forward.
func (c *Clock) AfterFunc(d time.Duration, f func()) webpush.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.seq++
	t := &timer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	if c.auto {
		c.now = t.at
		go f()
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

// Stop removes the timer, if its call is still to come.
func (t *timer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	return true
}

// Advance moves the clock d forward, calling the functions of the timers
// that fall due, in the order they are due, each in Advance's goroutine
// and with the clock at its time; a timer set by one of them that falls
// due within d is called too.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		var next *timer
		for _, t := range c.timers {
			if !t.at.After(end) && (next == nil || t.at.Before(next.at) || t.at.Equal(next.at) && t.seq < next.seq) {
				next = t
			}
		}
		if next == nil {
			break
		}
		c.timers = slices.DeleteFunc(c.timers, func(t *timer) bool { return t == next })
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
	c.now = end
	c.mu.Unlock()
}

// Waits returns every d AfterFunc was called with, in order.
func (c *Clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// Pending returns how many timers are waiting to fall due.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

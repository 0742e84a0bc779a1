package webpush

import (
	"slices"
	"sync"
	"time"
)

// Throttle turns "calendar X changed" events into at most one delivery per
// calendar per interval, so that an organizer saving twenty edits in a
// minute sends subscribers one or two pushes, not twenty, and a first
// change still goes out at once:
//
//   - a change to a calendar that was quiet for an interval is delivered
//     at once, and opens an interval;
//   - changes within an interval are merged into one delivery when the
//     interval ends, which opens the next;
//   - an interval that ends with no change closes the calendar's window.
//
// Deliveries carry no detail of what changed: a WebDAV-Push client syncs
// the calendar (RFC 6578) when pushed, so one push stands for any number
// of changes.
type Throttle struct {
	interval time.Duration
	clock    Clock
	deliver  func(calendarID string)

	mu      sync.Mutex
	windows map[string]*window // calendars within an interval
	stopped bool
}

// window is one calendar's open interval.
type window struct {
	timer   Timer
	pending bool // changed since the last delivery
}

// NewThrottle returns a Throttle that calls deliver for a calendar at most
// once per interval, counting time by clock (nil: the system clock).
//
// deliver is called with no lock held: from Changed for a first change,
// from a timer for merged ones, so calls for different calendars may run
// at once, and calls for one calendar overlap only if one takes longer
// than the interval. It should hand the sending to workers and return
// rather than send itself.
func NewThrottle(interval time.Duration, clock Clock, deliver func(calendarID string)) *Throttle {
	if clock == nil {
		clock = systemClock{}
	}
	return &Throttle{interval: interval, clock: clock, deliver: deliver, windows: map[string]*window{}}
}

// Changed records that calendarID changed, delivering at once when its
// window is closed.
func (t *Throttle) Changed(calendarID string) {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	if w, ok := t.windows[calendarID]; ok {
		w.pending = true
		t.mu.Unlock()
		return
	}
	w := &window{}
	t.windows[calendarID] = w
	w.timer = t.clock.AfterFunc(t.interval, func() { t.end(calendarID, w) })
	t.mu.Unlock()
	t.deliver(calendarID)
}

// end closes w's interval: it delivers the changes merged during it and
// opens the next, or closes the window if there were none.
func (t *Throttle) end(calendarID string, w *window) {
	t.mu.Lock()
	if t.stopped || t.windows[calendarID] != w {
		t.mu.Unlock()
		return
	}
	if !w.pending {
		delete(t.windows, calendarID)
		t.mu.Unlock()
		return
	}
	w.pending = false
	w.timer = t.clock.AfterFunc(t.interval, func() { t.end(calendarID, w) })
	t.mu.Unlock()
	t.deliver(calendarID)
}

// Stop ends the Throttle: from then on Changed and the timers do nothing
// (a delivery already decided on, or under way, still runs). It returns the calendars (sorted)
// whose changes were waiting for their interval to end and so were not
// delivered, for a caller that wants to deliver them itself.
func (t *Throttle) Stop() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return nil
	}
	t.stopped = true
	var pending []string
	for id, w := range t.windows {
		w.timer.Stop()
		if w.pending {
			pending = append(pending, id)
		}
	}
	t.windows = nil
	slices.Sort(pending)
	return pending
}

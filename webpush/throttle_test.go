package webpush_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confcal/webpush"
	"confcal/webpush/pushtest"
)

// recorder keeps the deliveries of a Throttle as "calendar@seconds".
type recorder struct {
	clock *pushtest.Clock
	mu    sync.Mutex
	got   []string
}

func (r *recorder) deliver(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%s@%v", id, r.clock.Now().Sub(start).Seconds()))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

func TestThrottle(t *testing.T) {
	// Each step moves the clock to at (seconds since start), then
	// records the changes; want are the deliveries that came out of
	// moving the clock and of the changes, in order.
	type step struct {
		at      float64
		changed []string
		want    []string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"a first change goes out at once", []step{
			{0, []string{"A"}, []string{"A@0"}},
			{5, nil, nil},                           // the interval ends with nothing merged
			{5.5, []string{"A"}, []string{"A@5.5"}}, // so the next change goes at once
		}},
		{"changes within the interval are merged into one at its end", []step{
			{0, []string{"A"}, []string{"A@0"}},
			{1, []string{"A"}, nil},
			{2, []string{"A", "A"}, nil},
			{4.999, []string{"A"}, nil},
			{5, nil, []string{"A@5"}},
			{9, nil, nil},
			{10, nil, nil}, // the interval after the merged delivery had no change
			{11, []string{"A"}, []string{"A@11"}},
		}},
		{"a steady stream: one delivery per interval", []step{
			{0, []string{"A"}, []string{"A@0"}},
			{1, []string{"A"}, nil},
			{6, []string{"A"}, []string{"A@5"}},
			{11, []string{"A"}, []string{"A@10"}},
			{16, []string{"A"}, []string{"A@15"}},
			{30, nil, []string{"A@20"}},
		}},
		{"calendars are paced apart", []step{
			{0, []string{"A"}, []string{"A@0"}},
			{1, []string{"B", "A"}, []string{"B@1"}},
			{2, []string{"B"}, nil},
			{7, nil, []string{"A@5", "B@6"}},
			{20, nil, nil},
		}},
		{"a change as the interval ends opens the next", []step{
			{0, []string{"A"}, []string{"A@0"}},
			// The interval ends (nothing merged) before the change.
			{5, []string{"A"}, []string{"A@5"}},
			{6, []string{"A"}, nil},
			{10, nil, []string{"A@10"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := pushtest.NewClock(start)
			r := &recorder{clock: clock}
			th := webpush.NewThrottle(5*time.Second, clock, r.deliver)
			for _, st := range tt.steps {
				clock.Advance(start.Add(time.Duration(st.at * float64(time.Second))).Sub(clock.Now()))
				for _, id := range st.changed {
					th.Changed(id)
				}
				if got := r.take(); !slices.Equal(got, st.want) {
					t.Errorf("at %vs after %v: deliveries %v, want %v", st.at, st.changed, got, st.want)
				}
			}
		})
	}
}

func TestThrottleStop(t *testing.T) {
	clock := pushtest.NewClock(start)
	r := &recorder{clock: clock}
	th := webpush.NewThrottle(5*time.Second, clock, r.deliver)
	th.Changed("A")
	th.Changed("B")
	th.Changed("B") // merged, pending
	th.Changed("C")
	th.Changed("C") // merged, pending
	r.take()
	if got, want := th.Stop(), []string{"B", "C"}; !slices.Equal(got, want) {
		t.Errorf("Stop() = %v, want the calendars with merged changes %v", got, want)
	}
	if n := clock.Pending(); n != 0 {
		t.Errorf("%d timers left after Stop, want 0", n)
	}
	th.Changed("D")
	clock.Advance(time.Minute)
	if got := r.take(); len(got) != 0 {
		t.Errorf("deliveries after Stop: %v, want none", got)
	}
	if got := th.Stop(); got != nil {
		t.Errorf("second Stop() = %v, want nil", got)
	}
}

// TestThrottleConcurrent runs a Throttle on the system clock under many
// goroutines (for the race detector) and checks the pacing loosely, as
// real timers and a loaded machine allow: deliveries of a calendar about
// an interval apart at least, and its last changes delivered in the end.
// That the first change goes out at once is TestThrottle's to show.
func TestThrottleConcurrent(t *testing.T) {
	const interval = 20 * time.Millisecond
	var mu sync.Mutex
	times := map[string][]time.Time{}    // deliveries
	lastChange := map[string]time.Time{} // when each calendar last changed
	var calls atomic.Int32
	th := webpush.NewThrottle(interval, nil, func(id string) {
		calls.Add(1)
		mu.Lock()
		times[id] = append(times[id], time.Now())
		mu.Unlock()
	})
	defer th.Stop()
	ids := []string{"A", "B", "C"}
	begin := time.Now()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; time.Since(begin) < 100*time.Millisecond; i++ {
				id := ids[(g+i)%len(ids)]
				mu.Lock()
				lastChange[id] = time.Now()
				mu.Unlock()
				th.Changed(id)
				time.Sleep(time.Millisecond)
			}
		})
	}
	wg.Wait()
	// Each calendar's last change is delivered: at once, or merged at
	// the end of its interval, within about one more interval.
	covered := func(id string) bool {
		ts := times[id]
		return len(ts) > 0 && !ts[len(ts)-1].Before(lastChange[id])
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		mu.Lock()
		done := true
		for _, id := range ids {
			if !covered(id) {
				done = false
			}
		}
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		ts := times[id]
		if !covered(id) {
			t.Errorf("%s: deliveries %v, want one after the last change at %v", id, ts, lastChange[id])
			continue
		}
		for i := 1; i < len(ts); i++ {
			// Timers never fire early, but a delivery's time is read a
			// little after its timer was set: hence the slack.
			if d := ts[i].Sub(ts[i-1]); d < interval/2 {
				t.Errorf("%s: deliveries %d and %d only %v apart, want about %v", id, i, i+1, d, interval)
			}
		}
		// About 100 ms of changes, 20 ms intervals: 5 or 6 deliveries,
		// a few more on a slow machine, never one per change.
		if len(ts) > 10 {
			t.Errorf("%s: %d deliveries in about 100 ms, want at most one per %v", id, len(ts), interval)
		}
	}
}

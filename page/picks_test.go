package page_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"confcal/agenda/agendatest"
	"confcal/page"
)

// failingPicks is a PickStore whose Save fails with save and whose Load
// fails with load, or with ErrUnknownPick when load is nil.
type failingPicks struct{ save, load error }

func (f failingPicks) Save(context.Context, []string) (string, error) { return "", f.save }
func (f failingPicks) Load(context.Context, string) ([]string, error) {
	if f.load != nil {
		return nil, f.load
	}
	return nil, page.ErrUnknownPick
}

// StorePick stores a pick in the agenda's order, under the code it got
// before when it was stored already, and refuses what the agenda cannot
// hold with a 400.
func TestStorePick(t *testing.T) {
	ctx := context.Background()
	snap := agendatest.Small(t)
	picks := page.NewMemoryPicks(10)
	code, err := page.StorePick(ctx, snap, picks, "late-talk,opening-keynote")
	if err != nil || !page.ValidCode(code) {
		t.Fatalf("StorePick = %q, %v; want a valid code", code, err)
	}
	if ids, err := picks.Load(ctx, code); err != nil || !slices.Equal(ids, []string{"opening-keynote", "late-talk"}) {
		t.Errorf("stored pick = %q, %v; want it in agenda order", ids, err)
	}
	if again, err := page.StorePick(ctx, snap, picks, "opening-keynote,late-talk"); again != code || err != nil {
		t.Errorf("the same pick again = %q, %v; want %q", again, err, code)
	}
	if picks.Len() != 1 {
		t.Errorf("store holds %d picks, want 1", picks.Len())
	}
	for _, tt := range []struct{ sessions, says string }{
		{"", "empty pick"},
		{"late-talk,late-talk", `lists "late-talk" twice`},
		{"no-such-session", `no session "no-such-session"`},
		{"Bad ID", `"Bad ID" is not a session ID`},
		{strings.Repeat("late-talk,", page.MaxPick) + "x", "at most 300"},
	} {
		_, err := page.StorePick(ctx, snap, picks, tt.sessions)
		var pe *page.Error
		if !errors.As(err, &pe) || pe.Status() != 400 || !strings.HasPrefix(err.Error(), "Cannot make a short link: ") || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("StorePick(%.40q) = %v, want a 400 saying %q", tt.sessions, err, tt.says)
		}
	}
	if picks.Len() != 1 {
		t.Errorf("refused picks were stored: %d picks", picks.Len())
	}
}

// A pick store that is full or busy makes StorePick fail with a 503 that
// says so; any other failure is the server's and is passed on as it is.
// Each wraps the store's error, so errors.Is tells full from busy.
func TestStorePickWhenTheStoreFails(t *testing.T) {
	snap := agendatest.Small(t)
	tests := []struct {
		name   string
		err    error
		status int // 0: not a *page.Error
		says   string
	}{
		{"full", fmt.Errorf("picks: %w", page.ErrPicksFull), 503, "pick store is full"},
		{"busy", fmt.Errorf("picks: %w", page.ErrPicksBusy), 503, "pick store is busy"},
		{"timed out", fmt.Errorf("picks: %w", context.DeadlineExceeded), 503, "pick store is busy"},
		{"broken", errors.New("disk on fire"), 0, "disk on fire"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := page.StorePick(context.Background(), snap, failingPicks{save: tc.err}, "opening-keynote,late-talk")
			var pe *page.Error
			status := 0
			if errors.As(err, &pe) {
				status = pe.Status()
			}
			if err == nil || status != tc.status || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("StorePick = %v (status %d), want status %d saying %q", err, status, tc.status, tc.says)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("StorePick = %v, want it to wrap the store's error", err)
			}
		})
	}
}

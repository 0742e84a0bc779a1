package conferences_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/conferences"
)

// What another process does to the registry between two of a Manager's
// looks at it (Refresh), and what the Manager serves afterwards.
func TestRefreshSeesOtherProcesses(t *testing.T) {
	const second = "second"
	tests := []struct {
		name      string
		other     func(ctx context.Context, reg agenda.Registry) error
		served    bool
		withdrawn bool
	}{
		{"nothing", func(context.Context, agenda.Registry) error { return nil }, true, false},
		{"removed", func(ctx context.Context, reg agenda.Registry) error { return reg.RemoveConference(ctx, second) }, false, true},
		{"removed and purged", func(ctx context.Context, reg agenda.Registry) error {
			if err := reg.RemoveConference(ctx, second); err != nil {
				return err
			}
			return reg.PurgeConference(ctx, second)
		}, false, true},
		{"removed and restored", func(ctx context.Context, reg agenda.Registry) error {
			if err := reg.RemoveConference(ctx, second); err != nil {
				return err
			}
			return reg.RestoreConference(ctx, second)
		}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			reg := memstore.NewRegistry()
			var (
				mu        sync.Mutex
				withdrawn []string
			)
			m := conferences.New(conferences.Config{Registry: reg,
				Publisher: func(string) agenda.PublishFunc { return nil },
				Withdraw: func(slug string) {
					mu.Lock()
					defer mu.Unlock()
					withdrawn = append(withdrawn, slug)
				}})
			if err := m.Open(ctx, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Create(ctx, agenda.Listing{Slug: second}, new(agendatest.SmallContents())); err != nil {
				t.Fatal(err)
			}
			if err := tc.other(ctx, reg); err != nil {
				t.Fatal(err)
			}
			if err := m.Refresh(ctx); err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if _, ok := m.Get(second); ok != tc.served {
				t.Errorf("served after Refresh: %v, want %v", ok, tc.served)
			}
			mu.Lock()
			defer mu.Unlock()
			if got := slices.Contains(withdrawn, second); got != tc.withdrawn {
				t.Errorf("withdrawn: %v (%q), want %v", got, withdrawn, tc.withdrawn)
			}
			if _, ok := m.Default(); !ok {
				t.Error("the default conference is no longer served")
			}
		})
	}
}

package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/agenda/storetest"
)

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	if _, err := s.Load(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Fatalf("Load on an empty store: %v, want ErrEmpty", err)
	}
	v1 := agendatest.Small(t)
	if err := s.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, v1); !errors.Is(err, agenda.ErrStale) {
		t.Errorf("saving revision 1 again: %v, want ErrStale", err)
	}
	e := v1.Edit("test", time.Now())
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	v2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, v2); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got == v2 || got.Revision() != 2 || len(got.Log()) != 1 {
		t.Errorf("Load = revision %d with %d log entries (same pointer: %v); want a copy of revision 2 with 1", got.Revision(), len(got.Log()), got == v2)
	}
	if x, _ := got.Session("late-talk"); x.Title != "Renamed" {
		t.Errorf("loaded title %q, want Renamed", x.Title)
	}
	if s.Saves() != 2 {
		t.Errorf("Saves = %d, want 2", s.Saves())
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Load(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: %v", err)
	}
}

func TestRegistryContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) agenda.Registry { return memstore.NewRegistry() })
}

func TestSharedContract(t *testing.T) {
	storetest.RunShared(t, func(*testing.T) (agenda.Registry, agenda.Registry) {
		r := memstore.NewRegistry()
		return r, r
	})
}

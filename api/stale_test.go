package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/api"
	"confcal/sqlite"
)

// Two servers on one data directory (two processes on one SQLite file, or
// replicas on one database) take PATCHes at the same time: a revision the
// other one stored first is the normal case, never a 500.
func TestTwoServersOnOneStoreNever500(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var handlers []http.Handler
	for range 2 {
		store, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		// Rendering a revision takes a while, as on a real server: the
		// other server stores a revision in between.
		render := func(context.Context, *agenda.Snapshot) (func(), error) {
			time.Sleep(2 * time.Millisecond)
			return func() {}, nil
		}
		svc, err := agenda.Open(ctx, store, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }, render)
		if err != nil {
			t.Fatal(err)
		}
		handlers = append(handlers, api.New(api.Config{Service: svc, Token: token, BaseURL: "http://confcal.test"}))
	}
	const writers, each = 6, 25
	var wg sync.WaitGroup
	for w := range writers {
		h := handlers[w%2]
		wg.Go(func() {
			for i := range each {
				body := fmt.Sprintf(`{"abstract": "writer %d, edit %d"}`, w, i)
				r := httptest.NewRequest("PATCH", "/sessions/late-talk", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					t.Errorf("writer %d edit %d: status %d: %s", w, i, rec.Code, rec.Body)
					return
				}
			}
		})
	}
	wg.Wait()
	store, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	snap, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1 + writers*each); snap.Revision() != want {
		t.Errorf("stored revision %d, want %d: every acknowledged PATCH is one revision", snap.Revision(), want)
	}
}

// When the store keeps moving on for longer than the service retries, a
// write is answered 503 with Retry-After: busy, try again.
func TestStoreThatKeepsMovingIs503(t *testing.T) {
	e := newEnv(t, token)
	e.store.err = fmt.Errorf("another process saved first: %w", agenda.ErrStale)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r := httptest.NewRequest("PATCH", "/sessions/late-talk", strings.NewReader(`{"title": "Busy"}`)).WithContext(ctx)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	wantStatus(t, w, http.StatusServiceUnavailable)
	if w.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if x, _ := e.svc.Current().Session("late-talk"); x.Title == "Busy" {
		t.Error("a refused change is served")
	}
}

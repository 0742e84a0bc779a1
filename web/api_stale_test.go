package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/api"
	"confcal/sqlite"
	"confcal/web"
)

// Two servers on one data directory (two processes on one SQLite file, or
// replicas on one database) take PATCHes at the same time: a revision the
// other one stored first is the normal case, never a 500.
func TestAPITwoServersOnOneStoreNever500(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	var (
		handlers []http.Handler
		services []*agenda.Service
	)
	for range 2 {
		store, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		srv := newWeb(t, web.Config{Token: token})
		// Rendering a revision takes a while, as on a big agenda: the
		// other server stores a revision in between.
		slow := func(ctx context.Context, snap *agenda.Snapshot) (func(), error) {
			time.Sleep(2 * time.Millisecond)
			return srv.Publish(ctx, snap)
		}
		svc, err := agenda.Open(ctx, store, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }, slow)
		if err != nil {
			t.Fatal(err)
		}
		handlers = append(handlers, srv.Handler(svc, nil))
		services = append(services, svc)
	}
	const writers, each = 6, 25
	var wg sync.WaitGroup
	for w := range writers {
		h := handlers[w%2]
		wg.Go(func() {
			for i := range each {
				body := fmt.Sprintf(`{"abstract": "writer %d, edit %d"}`, w, i)
				r := httptest.NewRequest("PATCH", "/api/sessions/late-talk", strings.NewReader(body))
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
	want := int64(1 + writers*each)
	if snap.Revision() != want {
		t.Errorf("stored revision %d, want %d: every acknowledged PATCH is one revision", snap.Revision(), want)
	}
	// Once each has read the store, both serve the stored revision.
	for i, svc := range services {
		if _, err := svc.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		rec := send(handlers[i], http.MethodGet, "/api/sessions/late-talk", nil)
		stored, _ := snap.Session("late-talk")
		if got := decodeBody[api.Session](t, rec); rec.Header().Get(api.RevisionHeader) != strconv.FormatInt(want, 10) || got.Abstract != stored.Abstract {
			t.Errorf("server %d serves revision %s with abstract %q, want revision %d with %q",
				i, rec.Header().Get(api.RevisionHeader), got.Abstract, want, stored.Abstract)
		}
	}
}

// When the store keeps moving on for longer than the service retries, a
// write is answered 503 with Retry-After: busy, try again.
func TestAPIStoreThatKeepsMovingIs503(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	e.store.fail(fmt.Errorf("another process saved first: %w", agenda.ErrStale))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	r := httptest.NewRequest("PATCH", "/api/sessions/late-talk", strings.NewReader(`{"title": "Busy"}`)).WithContext(ctx)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	wantStatus(t, w, http.StatusServiceUnavailable)
	if w.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if msg := errorOf(t, w); !strings.Contains(msg, "try again") {
		t.Errorf("503 says %q, want it to say to try again", msg)
	}
	if x, _ := e.svc.Current().Session("late-talk"); x.Title == "Busy" {
		t.Error("a refused change is served")
	}
	if s := decodeBody[api.Session](t, e.do("GET", "/api/sessions/late-talk", "")); s.Title == "Busy" {
		t.Error("a refused change is served by the API")
	}
}

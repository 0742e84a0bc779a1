package main

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/page"
	"confcal/sqlite"
	"confcal/web"
)

func TestStorePicksSurviveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddConference(ctx, agenda.Listing{Slug: "test"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"welcome-session", "apache-flink-worst-practices"}
	code, err := storePicks{st: st}.Save(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if !page.ValidCode(code) {
		t.Errorf("code %q is not a valid pick code", code)
	}
	if _, err := (storePicks{st: st}).Save(ctx, nil); err == nil {
		t.Error("an empty pick was stored")
	}
	st.Close()

	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := storePicks{st: st}.Load(ctx, code)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Load(%q) after restart = %v, %v; want %v", code, got, err, want)
	}
	if _, err := (storePicks{st: st}).Load(ctx, "aaaaaaaaaaaaaaaa"); !errors.Is(err, page.ErrUnknownPick) {
		t.Errorf("Load(unknown) err = %v, want ErrUnknownPick", err)
	}
}

// postPick posts ids to the page's POST /my, as the short-link form does.
func postPick(t *testing.T, h http.Handler, ids ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/my", strings.NewReader("sessions="+url.QueryEscape(strings.Join(ids, ","))))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// newPickPage is the server's attendee page (its POST /my) on a small
// agenda, keeping picks in st as serve does.
func newPickPage(t *testing.T, st *sqlite.Store) http.Handler {
	t.Helper()
	srv, err := web.New(web.Config{BaseURL: "http://localhost", Picks: storePicks{st: st}})
	if err != nil {
		t.Fatal(err)
	}
	swap, err := srv.Publish(context.Background(), agendatest.Small(t))
	if err != nil {
		t.Fatal(err)
	}
	swap()
	return srv.Handler(nil, nil)
}

// Posting the same pick again and again stores it once, under one code.
func TestStorePicksSamePickOneRow(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddConference(ctx, agenda.Listing{Slug: "test"}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := newPickPage(t, st)
	var first string
	for i := range 30 {
		ids := []string{"opening-keynote", "late-talk"}
		if i%2 == 1 {
			ids[0], ids[1] = ids[1], ids[0] // the page puts a pick in the agenda's order
		}
		rec := postPick(t, h, ids...)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("POST /my %d: %d %s", i, rec.Code, rec.Body)
		}
		if loc := rec.Header().Get("Location"); first == "" {
			first = loc
		} else if loc != first {
			t.Fatalf("POST /my %d went to %q, the first to %q", i, loc, first)
		}
	}
	if n, err := st.PickCount(ctx, ""); n != 1 || err != nil {
		t.Errorf("30 posts of one pick stored %d rows (%v), want 1", n, err)
	}
}

func TestStorePicksFull(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddConference(ctx, agenda.Listing{Slug: "test"}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := storePicks{st: st}
	a, err := p.save(ctx, []string{"late-talk"}, 2, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.save(ctx, []string{"opening-keynote"}, 2, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := p.save(ctx, []string{"state-of-state"}, 2, time.Second); !errors.Is(err, page.ErrPicksFull) {
		t.Errorf("save beyond the limit = %v, want page.ErrPicksFull", err)
	}
	if code, err := p.save(ctx, []string{"late-talk"}, 2, time.Second); err != nil || code != a {
		t.Errorf("save of a stored pick into a full store = %q, %v; want %q", code, err, a)
	}
}

// While another writer holds the database, POST /my answers 503 within the
// pick's wait instead of a 500 after the busy timeout.
func TestStorePicksBusyIs503(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddConference(ctx, agenda.Listing{Slug: "test"}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin() // holds the write lock, as a long admin write would
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	if _, err := (storePicks{st: st}).save(ctx, []string{"late-talk"}, 10, 100*time.Millisecond); !errors.Is(err, page.ErrPicksBusy) {
		t.Errorf("save under a held lock = %v, want page.ErrPicksBusy", err)
	}
	start := time.Now()
	rec := postPick(t, newPickPage(t, st), "late-talk")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "busy") || rec.Header().Get("Retry-After") == "" {
		t.Errorf("POST /my under a held lock: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if d := time.Since(start); d > pickWriteWait+2*time.Second {
		t.Errorf("POST /my took %v, want about %v", d, pickWriteWait)
	}
}

package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/sqlite"
)

const noLimit = 1 << 30

func TestPicksSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddConference(ctx, agenda.Listing{Slug: "test"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"opening-keynote", "late-talk"}
	if code, err := st.PutPick(ctx, "test", "abcdefgh23456722", want, noLimit); err != nil || code != "abcdefgh23456722" {
		t.Fatalf("PutPick = %q, %v", code, err)
	}
	if _, err := st.PutPick(ctx, "test", "abcdefgh23456722", []string{"other"}, noLimit); !errors.Is(err, sqlite.ErrCodeTaken) {
		t.Errorf("PutPick on a taken code = %v, want ErrCodeTaken", err)
	}
	if _, err := st.PutPick(ctx, "test", "zzzzzzzzzzzzzzzz", []string{"a,b"}, noLimit); err == nil {
		t.Error("PutPick accepted an ID with a comma")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, ok, err := st.GetPick(ctx, "test", "abcdefgh23456722")
	if err != nil || !ok || !slices.Equal(got, want) {
		t.Errorf("GetPick after reopen = %v, %v, %v; want %v", got, ok, err, want)
	}
	if _, ok, err := st.GetPick(ctx, "test", "unknownunknown22"); ok || err != nil {
		t.Errorf("GetPick(unknown) = %v, %v; want not found, no error", ok, err)
	}
	if code, ok, err := st.PickCode(ctx, "test", want); code != "abcdefgh23456722" || !ok || err != nil {
		t.Errorf("PickCode after reopen = %q, %v, %v", code, ok, err)
	}
}

// The same pick stored again, one after another or at once, keeps one row
// and one code.
func TestSamePickOneCode(t *testing.T) {
	ctx := context.Background()
	st := openPicks(t, t.TempDir())
	ids := []string{"opening-keynote", "late-talk"}
	first, err := st.PutPick(ctx, "test", "aaaaaaaaaaaaaaaa", ids, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]string, 30)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			code := string(rune('b'+i%20)) + "aaaaaaaaaaaaaa" + string(rune('2'+i%6))
			c, err := st.PutPick(ctx, "test", code, ids, noLimit)
			if err != nil {
				t.Error(err)
			}
			codes[i] = c
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != first {
			t.Errorf("save %d of the same pick got code %q, want %q", i, c, first)
		}
	}
	if n, err := st.PickCount(ctx, "test"); n != 1 || err != nil {
		t.Errorf("PickCount = %d, %v; want 1", n, err)
	}
	// Another order is another list: the caller canonicalizes.
	if c, err := st.PutPick(ctx, "test", "cccccccccccccccc", []string{"late-talk", "opening-keynote"}, noLimit); err != nil || c != "cccccccccccccccc" {
		t.Errorf("PutPick of other IDs = %q, %v", c, err)
	}
}

func TestPicksFull(t *testing.T) {
	ctx := context.Background()
	st := openPicks(t, t.TempDir())
	for i, code := range []string{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"} {
		if _, err := st.PutPick(ctx, "test", code, []string{"s" + string(rune('a'+i))}, 3); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.PutPick(ctx, "test", "dddddddddddddddd", []string{"sd"}, 3); !errors.Is(err, sqlite.ErrPicksFull) {
		t.Errorf("PutPick beyond the limit = %v, want ErrPicksFull", err)
	}
	// A pick made before still gets its code from a full store.
	if code, err := st.PutPick(ctx, "test", "eeeeeeeeeeeeeeee", []string{"sb"}, 3); err != nil || code != "bbbbbbbbbbbbbbbb" {
		t.Errorf("PutPick of a stored pick into a full store = %q, %v; want its code", code, err)
	}
	if n, _ := st.PickCount(ctx, "test"); n != 3 {
		t.Errorf("PickCount = %d, want 3", n)
	}
}

// A pick waiting for the database lock gives up when its context ends,
// instead of waiting out the busy timeout; a pick made before needs no lock.
func TestPickWaitsNoLongerThanItsContext(t *testing.T) {
	ctx := context.Background()
	st := openPicks(t, t.TempDir())
	if _, err := st.PutPick(ctx, "test", "aaaaaaaaaaaaaaaa", []string{"late-talk"}, noLimit); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin() // holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = st.PutPick(short, "test", "bbbbbbbbbbbbbbbb", []string{"opening-keynote"}, noLimit)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("PutPick under a held lock = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("PutPick took %v with a 200ms context", d)
	}
	if code, err := st.PutPick(ctx, "test", "cccccccccccccccc", []string{"late-talk"}, noLimit); err != nil || code != "aaaaaaaaaaaaaaaa" {
		t.Errorf("PutPick of a stored pick under a held lock = %q, %v; want its code without waiting", code, err)
	}
}

// A pick nobody fetched for PickExpiry goes when a new pick is stored; one
// still polled stays however old it is.
func TestPicksExpireUnlessPolled(t *testing.T) {
	ctx := context.Background()
	st := openPicks(t, t.TempDir())
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	if _, err := st.PutPick(ctx, "test", "aaaaaaaaaaaaaaaa", []string{"abandoned"}, noLimit); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutPick(ctx, "test", "bbbbbbbbbbbbbbbb", []string{"polled"}, noLimit); err != nil {
		t.Fatal(err)
	}
	// A year of polls a month apart keeps "polled"; nobody asks for
	// "abandoned".
	for day := 0; day < 365; day += 30 {
		now = now.Add(30 * 24 * time.Hour)
		if _, ok, err := st.GetPick(ctx, "test", "bbbbbbbbbbbbbbbb"); !ok || err != nil {
			t.Fatalf("day %d: the polled pick is gone (%v)", day, err)
		}
	}
	if _, err := st.PutPick(ctx, "test", "cccccccccccccccc", []string{"new"}, noLimit); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.GetPick(ctx, "test", "aaaaaaaaaaaaaaaa"); ok {
		t.Error("a pick nobody fetched for a year is still stored")
	}
	if _, ok, _ := st.GetPick(ctx, "test", "bbbbbbbbbbbbbbbb"); !ok {
		t.Error("a pick polled all year expired")
	}
	if n, _ := st.PickCount(ctx, "test"); n != 2 {
		t.Errorf("PickCount = %d, want 2", n)
	}
}

// Expired picks make room in a full store.
func TestExpiredPicksMakeRoom(t *testing.T) {
	ctx := context.Background()
	st := openPicks(t, t.TempDir())
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	for i, code := range []string{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"} {
		if _, err := st.PutPick(ctx, "test", code, []string{fmt.Sprint("s", i)}, 2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.PutPick(ctx, "test", "cccccccccccccccc", []string{"s2"}, 2); !errors.Is(err, sqlite.ErrPicksFull) {
		t.Fatalf("third pick in a store of 2 = %v, want ErrPicksFull", err)
	}
	now = now.Add(agenda.PickExpiry + time.Hour)
	if _, err := st.PutPick(ctx, "test", "cccccccccccccccc", []string{"s2"}, 2); err != nil {
		t.Errorf("a pick after the others expired = %v, want it stored", err)
	}
}

// openPicks opens a store in dir holding the conference "test".
func openPicks(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	st := mustOpen(t, dir)
	if err := st.AddConference(context.Background(), agenda.Listing{Slug: "test"}); err != nil {
		t.Fatal(err)
	}
	return st
}

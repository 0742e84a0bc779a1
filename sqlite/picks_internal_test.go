package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"confcal/agenda/agendatest"
)

// A database locked by another writer beyond the busy timeout is ErrBusy.
func TestBusyIsErrBusy(t *testing.T) {
	dsn := "file:" + filepath.Join(t.TempDir(), "x.db") + "?_pragma=busy_timeout(0)&_pragma=journal_mode(WAL)&_txlock=immediate"
	a, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	tx, err := a.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = b.Begin()
	if err == nil {
		t.Fatal("a second writer got the lock")
	}
	if !errors.Is(busy(err), ErrBusy) {
		t.Errorf("busy(%v) does not wrap ErrBusy", err)
	}
	if other := errors.New("disk on fire"); errors.Is(busy(other), ErrBusy) {
		t.Error("busy marks an unrelated error as ErrBusy")
	}
}

// Migrating to schema version 3 keeps every code of a pick stored several
// times (subscribers may use any of them) and makes the first the one a new
// save of that pick gets.
func TestMigratePicksKeepsDuplicateCodes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append([]string{schema1, schema2}, "PRAGMA user_version = 2",
		`INSERT INTO agenda VALUES (1, 1, 1, 'Test Conf 2019', '', 'Europe/Berlin', '2019-10-08', '2019-10-09', 'test.confcal.example')`,
		`INSERT INTO picks (code, sessions, created) VALUES
			('aaaaaaaaaaaaaaaa', 'late-talk,opening-keynote', '2019-10-01T00:00:00Z'),
			('bbbbbbbbbbbbbbbb', 'late-talk,opening-keynote', '2019-10-01T00:00:01Z'),
			('cccccccccccccccc', 'state-of-state', '2019-10-01T00:00:02Z'),
			('dddddddddddddddd', 'late-talk,opening-keynote', '2019-10-01T00:00:03Z')`) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, code := range []string{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "dddddddddddddddd"} {
		if ids, ok, err := st.GetPick(ctx, "", code); !ok || err != nil || !slices.Equal(ids, []string{"late-talk", "opening-keynote"}) {
			t.Errorf("GetPick(%s) after migrating = %v, %v, %v", code, ids, ok, err)
		}
	}
	if code, err := st.PutPick(ctx, "", "eeeeeeeeeeeeeeee", []string{"late-talk", "opening-keynote"}, 100); err != nil || code != "aaaaaaaaaaaaaaaa" {
		t.Errorf("PutPick of a duplicated pick = %q, %v; want the first code", code, err)
	}
	if code, err := st.PutPick(ctx, "", "eeeeeeeeeeeeeeee", []string{"state-of-state"}, 100); err != nil || code != "cccccccccccccccc" {
		t.Errorf("PutPick of a stored pick = %q, %v", code, err)
	}
	if n, _ := st.PickCount(ctx, "test-conf-2019"); n != 4 {
		t.Errorf("PickCount = %d, want the 4 rows kept", n)
	}
	if _, err := st.db.ExecContext(ctx, `INSERT INTO picks (code, sessions, created) VALUES ('ffffffffffffffff', 'state-of-state', '')`); err == nil {
		t.Error("the schema lets a pick be stored twice")
	}
}

// A store written at schema version 4 (before speakers and numbers) loads
// after migrating with every session numbered as a snapshot numbers a new
// agenda: in agenda order.
func TestMigrateNumbersSessionsInAgendaOrder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	want := agendatest.Small(t)
	stmts := append([]string{schema1, schema2, schema3, schema4}, "PRAGMA user_version = 4",
		`INSERT INTO agenda VALUES (1, 1, 1, 'Test Conf 2019', 'A small conference for tests', 'Europe/Berlin', '2019-10-08', '2019-10-09', 'test.confcal.example')`)
	for i, tr := range want.Tracks() {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO tracks VALUES ('%s', %d, '%s', '%s')", tr.ID, i, tr.Name, tr.Color))
	}
	for i, r := range want.Rooms() {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO rooms VALUES ('%s', %d, '%s')", r.ID, i, r.Name))
	}
	for _, x := range want.Sessions() {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO sessions VALUES ('%s', '%s', '%s', '%s', '%s', '%s', '', 'confirmed', 0, '%s')",
			x.ID, x.Title, x.Start.UTC().Format(timeFormat), x.End.UTC().Format(timeFormat), x.Track, x.Room, x.LastModified.UTC().Format(timeFormat)))
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range want.Sessions() {
		if g, _ := got.Session(x.ID); g.Number != x.Number || g.Number == 0 {
			t.Errorf("%s: number %d after migrating, want %d", x.ID, g.Number, x.Number)
		}
	}
}

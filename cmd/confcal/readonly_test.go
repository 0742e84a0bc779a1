package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/sqlite"
	"confcal/sqlite/sqlitetest"
)

// The commands that only read show a store this user cannot write; those
// that write refuse it, naming its file, and so does any command when the
// store needs migrating. Nothing in the data directories changes.
func TestReadOnlyStore(t *testing.T) {
	const title = "Read-only Practices"
	dir, ok := sqlitetest.ReadOnly(t, func(t *testing.T, dir string) {
		if _, _, err := runCmd(t, "", "rename", "apache-flink-worst-practices", title, "-data", filepath.Join(dir, "current")); err != nil {
			t.Fatalf("rename: %v", err)
		}
		// The store the release before many conferences left: schema
		// version 5.
		if err := os.Mkdir(filepath.Join(dir, "old"), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, filepath.Join(upgradeDir, "confcal.db"), filepath.Join(dir, "old", sqlite.FileName))
	})
	if !ok {
		return
	}
	before := sqlitetest.Files(t, dir)
	current, old := filepath.Join(dir, "current"), filepath.Join(dir, "old")
	for _, args := range [][]string{
		{"sessions"},
		{"sessions", "-conference", "flink-forward-berlin-2019"},
		{"export"},
		{"conferences", "list"},
		{"changes"},
		{"rooms"},
		{"webhooks", "list"},
	} {
		out, _, err := runCmd(t, "", append(args, "-data", current)...)
		if err != nil {
			t.Errorf("confcal %q on a read-only store: %v", args, err)
			continue
		}
		want := title
		switch args[0] {
		case "conferences":
			want = "flink-forward-berlin-2019"
		case "rooms":
			want = "Room 1"
		case "webhooks":
			want = "no webhooks"
		}
		if !strings.Contains(out, want) {
			t.Errorf("confcal %q on a read-only store printed no %q:\n%s", args, want, out)
		}
	}
	writes := [][]string{
		{"rename", "apache-flink-worst-practices", "Other Practices"},
		{"cancel", "apache-flink-worst-practices"},
		{"rooms", "add", "room-9", "Room 9"},
		{"conferences", "remove", "flink-forward-berlin-2019"},
		{"webhooks", "add", "https://hooks.example.org/confcal"},
		{"serve", "-addr", "127.0.0.1:0"},
	}
	refused := func(args []string, data, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var stdout, stderr bytes.Buffer
		err := run(ctx, append(args, "-data", data), strings.NewReader(""), &stdout, &stderr)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), want) {
			t.Errorf("confcal %q: %v (exit %d), want exit 1 and it to say %q", args, err, exitCode(err), want)
		}
	}
	for _, args := range writes {
		refused(args, current, filepath.Join(current, sqlite.FileName)+" is read-only")
	}
	for _, args := range append([][]string{{"sessions"}, {"export"}, {"conferences", "list"}, {"changes"}}, writes...) {
		refused(args, old, filepath.Join(old, sqlite.FileName)+" is read-only and needs migrating from schema version 5 to 9")
	}
	if after := sqlitetest.Files(t, dir); after != before {
		t.Errorf("the data directories changed:\n%s\nwant\n%s", after, before)
	}
}

// import -dry-run changes nothing, and so makes no store where none is:
// it shows what importing into a new store would change (the built-in
// agenda's, or -agenda's), and the data directory stays as it was, so a
// mistyped -data leaves nothing behind. The import itself makes the
// store, as every command that changes the agenda does.
func TestDryRunMakesNoStore(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "nothing-here")
	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	// The built-in agenda as CSV, less its last session.
	csv, _, err := runCmd(t, "", "export", "-format", "csv", "-data", data)
	if err != nil {
		t.Fatal(err)
	}
	edited := writeTemp(t, dir, "edited.csv", csv[:strings.LastIndex(strings.TrimSuffix(csv, "\n"), "\n")+1])
	for _, args := range [][]string{
		{"import", edited, "-dry-run", "-time-zone", "Europe/Berlin", "-data", data},
		{"import", schedule, "-dry-run", "-agenda", schedule, "-data", data},
	} {
		out, errOut, err := runCmd(t, "", args...)
		if err != nil {
			t.Errorf("confcal %q: %v\n%s", args, err, errOut)
			continue
		}
		if want := "dry run, nothing changed; importing " + args[1] + " would make revision 2:"; args[1] == edited && !strings.Contains(out, want) {
			t.Errorf("confcal %q printed\n%s\nwant %q", args, out, want)
		}
		if want := "nothing to change: " + schedule + " matches revision 1"; args[1] == schedule && !strings.Contains(out, want) {
			t.Errorf("confcal %q printed\n%s\nwant %q", args, out, want)
		}
		if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("after confcal %q, %s exists (%v): a dry run made a store", args, data, err)
		}
	}
	if out, errOut, err := runCmd(t, "", "import", edited, "-time-zone", "Europe/Berlin", "-data", data); err != nil {
		t.Fatalf("confcal import on a new store: %v\n%s%s", err, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, sqlite.FileName)); err != nil {
		t.Errorf("confcal import made no store: %v", err)
	}
}

// TestDryRunLeavesEmptyStoreEmpty: a store that holds no conference yet
// (a database whose schema was made, no agenda stored) stays so through
// a dry run: nothing stored, the built-in agenda neither.
func TestDryRunLeavesEmptyStoreEmpty(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	st, err := sqlite.Open(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// The built-in agenda as CSV, less its last session.
	csv, _, err := runCmd(t, "", "export", "-format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	edited := writeTemp(t, dir, "edited.csv", csv[:strings.LastIndex(strings.TrimSuffix(csv, "\n"), "\n")+1])
	if out, errOut, err := runCmd(t, "", "import", edited, "-dry-run", "-time-zone", "Europe/Berlin", "-data", data); err != nil || !strings.Contains(out, "would make revision 2") {
		t.Fatalf("confcal import -dry-run: %v\n%s%s", err, out, errOut)
	}
	st, err = sqlite.Open(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if list, err := st.Conferences(t.Context()); err != nil || len(list) != 0 {
		t.Errorf("after a dry run the store lists %v (%v), want no conference", list, err)
	}
}

// Package sqlitetest runs tests on SQLite stores their user cannot write:
// a data directory and database file without write permission, as a
// read-only mount or another user's files would be.
//
// Permissions do not stop root, which CI runs as: there the test runs
// again in a child process of the test binary that is user nobody while
// the test runs (its saved set-user-ID stays root's, to clean up).
package sqlitetest

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// dirEnv names the directory the child process reads as nobody.
const dirEnv = "CONFCAL_TEST_READ_ONLY_DIR"

// nobody is the user and group ID of user nobody.
const nobody = 65534

// ReadOnly gives the test a directory that setup fills and that the test
// cannot write afterwards; the test goes on only when ok is true. Setup
// runs with write access, in a new temporary directory. As a user other
// than root, ReadOnly takes the write permissions off the directory and
// everything in it (giving them back when the test ends). As root it runs
// the test again, alone, in a child process of the test binary that is
// user nobody while the test runs, where ReadOnly returns the directory
// and ok; here it reports how the child did and returns ok false.
//
// The test must not run in parallel with others: as root, its child
// changes the process's user.
func ReadOnly(t *testing.T, setup func(t *testing.T, dir string)) (dir string, ok bool) {
	t.Helper()
	if dir := os.Getenv(dirEnv); dir != "" {
		becomeNobody(t)
		mustNotWrite(t, dir)
		return dir, true
	}
	dir = t.TempDir()
	setup(t, dir)
	if os.Geteuid() != 0 {
		chmodAll(t, dir, func(m fs.FileMode) fs.FileMode { return m &^ 0o222 })
		t.Cleanup(func() { chmodAll(t, dir, func(m fs.FileMode) fs.FileMode { return m | 0o200 }) })
		mustNotWrite(t, dir)
		return dir, true
	}
	// Nobody may read the directory and its files, and reach them (a
	// test's temporary directories are the owner's alone).
	chmodAll(t, dir, func(m fs.FileMode) fs.FileMode {
		if m.IsDir() {
			return m | 0o055
		}
		return m | 0o044
	})
	for d := filepath.Dir(dir); strings.HasPrefix(d, os.TempDir()) && d != os.TempDir(); d = filepath.Dir(d) {
		chmod(t, d, func(m fs.FileMode) fs.FileMode { return m | 0o055 })
	}
	names := strings.Split(t.Name(), "/")
	for i, n := range names {
		names[i] = "^" + regexp.QuoteMeta(n) + "$"
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(names, "/"), "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), dirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Errorf("the test as user nobody: %v\n%s", err, out)
	}
	return "", false
}

// mustNotWrite stops the test if it can make a file in dir.
func mustNotWrite(t *testing.T, dir string) {
	t.Helper()
	probe := filepath.Join(dir, "sqlitetest-probe")
	if err := os.WriteFile(probe, nil, 0o600); err == nil {
		os.Remove(probe)
		t.Fatalf("%s is still writable", dir)
	}
}

// becomeNobody makes the process, root, user nobody until the test ends;
// the saved set-user-ID stays root's, to become root again then (for the
// clean-up of the test and of TestMain).
func becomeNobody(t *testing.T) {
	t.Helper()
	groups, err := syscall.Getgroups()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setgroups([]int{nobody}); err != nil {
		t.Fatalf("setgroups: %v", err)
	}
	if err := syscall.Setresgid(nobody, nobody, 0); err != nil {
		t.Fatalf("setresgid: %v", err)
	}
	if err := syscall.Setresuid(nobody, nobody, 0); err != nil {
		t.Fatalf("setresuid: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Setresuid(0, 0, 0); err != nil {
			t.Errorf("setresuid: %v", err)
		}
		if err := syscall.Setresgid(0, 0, 0); err != nil {
			t.Errorf("setresgid: %v", err)
		}
		if err := syscall.Setgroups(groups); err != nil {
			t.Errorf("setgroups: %v", err)
		}
	})
}

// chmodAll changes the mode of dir and everything in it by change.
func chmodAll(t *testing.T, dir string, change func(fs.FileMode) fs.FileMode) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		chmod(t, path, change)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// chmod changes the mode of the file at path by change.
func chmod(t *testing.T, path string, change func(fs.FileMode) fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, change(fi.Mode()).Perm()); err != nil {
		t.Fatal(err)
	}
}

// Files lists the files in dir and below, each with its size and hash;
// of a -shm file, SQLite's shared memory (where readers in the writer's
// process mark what they read), only the name.
func Files(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(path, "-shm") {
			fmt.Fprintln(&b, path)
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %x\n", path, len(data), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

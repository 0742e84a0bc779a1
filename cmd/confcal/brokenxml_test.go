package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A schedule.xml that breaks partway is refused whole by import, naming
// the file and line, and the conference stays as it was: read up to the
// break, it would cancel every session after it. A reference to a
// character XML forbids, which used to break it, is mended and reported
// on its line, and the import goes through.
func TestImportBrokenScheduleXML(t *testing.T) {
	orig := sample(t, "39c3-hub/schedule.xml")
	raw, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, _, err := runCmd(t, "", "conferences", "add", "ccc", orig, "-data", data); err != nil {
		t.Fatalf("conferences add: %v", err)
	}
	// The title of the event half way through the document, and its line.
	at := strings.Index(doc[len(doc)/2:], "<event ") + len(doc)/2
	at += strings.Index(doc[at:], "<title>") + len("<title>")
	line := strings.Count(doc[:at], "\n") + 1
	variant := func(name, insert string) string {
		return writeTemp(t, dir, name, doc[:at]+insert+doc[at:])
	}
	mended := variant("mended.xml", "&#11;")
	broken := variant("broken.xml", "</>")
	cut := writeTemp(t, dir, "cut.xml", doc[:at])
	lastLine := strings.Count(doc[:at], "\n") + 1

	for _, tc := range []struct {
		file string
		code int
		out  string // in stdout
		err  string // in the error
	}{
		{mended, 0, fmt.Sprintf("skipped or repaired: %s:%d: the character reference &#11; stands for U+000B", mended, line), ""},
		{broken, 1, "", fmt.Sprintf("%s:%d: the XML breaks here (expected element name after </); nothing is imported", broken, line)},
		{cut, 1, "", fmt.Sprintf("%s:%d: the XML breaks here (unexpected EOF); nothing is imported", cut, lastLine)},
	} {
		for _, mode := range [][]string{{"-dry-run"}, nil} {
			args := append([]string{"import", "-data", data, "-conference", "ccc", tc.file}, mode...)
			out, _, err := runCmd(t, "", args...)
			if code := exitCode(err); code != tc.code || tc.err != "" && !strings.Contains(err.Error(), tc.err) {
				t.Errorf("confcal %q: exit %d, %v; want %d, %q", args, code, err, tc.code, tc.err)
			}
			if !strings.Contains(out, tc.out) || strings.Contains(out, "cancelled") {
				t.Errorf("confcal %q printed:\n%s\nwant it to say %q and cancel nothing", args, out, tc.out)
			}
		}
	}
	// Nothing was changed: the original matches the first revision still.
	out, _, err := runCmd(t, "", "import", "-data", data, "-conference", "ccc", orig)
	if want := "nothing to change: " + orig + " matches revision 1"; err != nil || !strings.Contains(out, want) {
		t.Errorf("import of the original after the refused ones: %v\n%s\nwant %q", err, out, want)
	}
}

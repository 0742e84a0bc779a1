package seeds_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/seeds"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// parseSeed parses the embedded Flink Forward Berlin 2019 scrape.
func parseSeed(tb testing.TB) agenda.Contents {
	tb.Helper()
	c, err := seeds.Parse(seeds.FlinkForwardBerlin2019File, seeds.FlinkForwardBerlin2019(), seeds.FlinkForwardBerlin2019Conference())
	if err != nil {
		tb.Fatalf("Parse(embedded seed): %v", err)
	}
	return c
}

// table writes one line per session in page order: id, title, day, start,
// end, track, room, separated by tabs.
func table(c agenda.Contents) []byte {
	loc, err := c.Conference.Location()
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	b.WriteString("# id\ttitle\tday\tstart\tend\ttrack\troom\n")
	for _, x := range c.Sessions {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.Title, agenda.DateOf(x.Start, loc),
			x.Start.In(loc).Format("15:04"), x.End.In(loc).Format("15:04"), x.Track, x.Room)
	}
	return b.Bytes()
}

// TestGolden compares every parsed session with the hand-checked table in
// testdata/. Run "go test ./seeds -update" to rewrite it, then read the diff.
func TestGolden(t *testing.T) {
	got := table(parseSeed(t))
	path := filepath.Join("testdata", "flink-forward-berlin-2019.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("%s:%d differs:\ngot  %q\nwant %q", path, i+1, gl, wl)
		}
	}
}

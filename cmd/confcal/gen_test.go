package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/ical"
	"confcal/seeds"
	"confcal/web"
)

// genAgenda generates n sessions and parses them as the server would.
func genAgenda(tb testing.TB, n int) (*agenda.Snapshot, []byte) {
	tb.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := writeGen(w, n, 1); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	c, err := seeds.Parse("gen.txt", buf.Bytes(), seeds.FlinkForwardBerlin2019Conference())
	if err != nil {
		tb.Fatalf("parsing generated agenda: %v", err)
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		tb.Fatalf("generated agenda: %v", err)
	}
	return snap, buf.Bytes()
}

func TestGen(t *testing.T) {
	slots := (genLast - genFirst) / genStep
	for _, n := range []int{1, 2, slots, slots + 1, 3*slots + 5, 500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			snap, src := genAgenda(t, n)
			if got := len(snap.SessionIDs()); got != n {
				t.Fatalf("gen %d: parsed %d sessions", n, got)
			}
			// One column per room and day: rooms are the columns of the
			// fullest day.
			cols := (n + slots - 1) / slots
			wantRooms := (cols + genDays - 1) / genDays
			if got := len(snap.Rooms()); got != wantRooms {
				t.Errorf("gen %d: %d rooms, want %d", n, got, wantRooms)
			}
			for _, x := range snap.Sessions() {
				if d := x.End.Sub(x.Start); d != genTalk*time.Minute {
					t.Errorf("session %s lasts %s, want %dm", x.ID, d, genTalk)
				}
				if x.Abstract == "" || !strings.HasSuffix(x.Abstract, ".") {
					t.Errorf("session %s: abstract %q, want sentences", x.ID, x.Abstract)
				}
			}
			// The same seed gives the same bytes.
			_, again := genAgenda(t, n)
			if !bytes.Equal(src, again) {
				t.Errorf("gen %d: two runs with one seed differ", n)
			}
		})
	}
}

func TestGenFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if err := runGen([]string{"-sessions", "0"}, &out, &errb); exitCode(err) != 2 {
		t.Errorf("gen -sessions 0: %v (exit %d), want a usage error", err, exitCode(err))
	}
	out.Reset()
	if err := runGen([]string{"-sessions", "30"}, &out, &errb); err != nil {
		t.Fatalf("gen -sessions 30: %v", err)
	}
	if _, err := seeds.Parse("stdout", out.Bytes(), seeds.FlinkForwardBerlin2019Conference()); err != nil {
		t.Errorf("gen output does not parse: %v", err)
	}
}

// BenchmarkGrowth measures the 10,000-session agenda of `confcal gen`:
// parsing it, rendering every session (ical.Render), publishing the
// revision to the server (web Publish), and both again after an edit of
// one session, which must re-render only what it touched. heap-MB is the live heap after the server's revision is built.
//
//	go test ./cmd/confcal -run '^$' -bench Growth -benchtime 5x
func BenchmarkGrowth(b *testing.B) {
	const n = 10000
	var src []byte
	var s1 *agenda.Snapshot
	s1, src = genAgenda(b, n)
	x := s1.Sessions()[n/2]
	e := s1.Edit("bench", time.Date(2019, 10, 2, 12, 0, 0, 0, time.UTC))
	title := x.Title + " (moved)"
	if err := e.UpdateSession(x.ID, agenda.SessionUpdate{Title: &title}); err != nil {
		b.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		b.Fatal(err)
	}
	opts := ical.Options{BaseURL: "http://localhost:8080"}

	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := seeds.Parse("gen.txt", src, seeds.FlinkForwardBerlin2019Conference()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ical.Render(s1, opts, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RenderEdit", func(b *testing.B) {
		ed1, err := ical.Render(s1, opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ical.Render(s2, opts, ed1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Publish", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			srv, err := web.New(web.Config{BaseURL: opts.BaseURL})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := srv.Publish(context.Background(), s1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PublishEdit", func(b *testing.B) {
		srv, err := web.New(web.Config{BaseURL: opts.BaseURL})
		if err != nil {
			b.Fatal(err)
		}
		swap, err := srv.Publish(context.Background(), s1)
		if err != nil {
			b.Fatal(err)
		}
		swap()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := srv.Publish(context.Background(), s2); err != nil { // not swapped: each round edits from s1
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		runtime.KeepAlive(srv)
	})
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/conferences"
	"confcal/sqlite"
	"confcal/web"
)

// BenchmarkAPIEdit is an edit as the load test makes it, all of it: a
// PATCH of one session's title through the admin API of a server wired as
// serve wires it, on the SQLite store, its answer after the revision is
// stored, rendered and swapped in; and a move of the session to another
// time, which changes the agenda's order. At the seed's size and at the
// 10,000 sessions of `confcal gen`.
//
//	go test ./cmd/confcal -run '^$' -bench APIEdit
func BenchmarkAPIEdit(b *testing.B) {
	for _, bb := range []struct {
		n    int
		edit string
	}{{100, "title"}, {10000, "title"}, {100, "move"}, {10000, "move"}} {
		n := bb.n
		b.Run(fmt.Sprintf("sessions=%d/%s", n, bb.edit), func(b *testing.B) {
			ctx := context.Background()
			snap, _ := genAgenda(b, n)
			store, err := sqlite.Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			def, _, err := defaultConference(ctx, store, snap.Contents())
			if err != nil {
				b.Fatal(err)
			}
			const token = "bench-token-of-enough-length-0123456789"
			srv, err := web.New(web.Config{BaseURL: "http://localhost:8080", Default: def, Token: token})
			if err != nil {
				b.Fatal(err)
			}
			mgr := conferences.New(conferences.Config{Registry: store, Withdraw: srv.Withdraw, Publisher: srv.Publisher})
			if err := mgr.Open(ctx, func() (*agenda.Snapshot, error) { return snap, nil }); err != nil {
				b.Fatal(err)
			}
			h := srv.HandlerFor(mgr, nil)
			id := snap.SessionIDs()[n/2]
			x, _ := snap.Session(id)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				body := fmt.Sprintf(`{"title": "Renamed, take %d"}`, i)
				if bb.edit == "move" {
					// Back and forth between its slot and a minute later.
					start := x.Start.Add(time.Duration(i%2) * time.Minute)
					body = fmt.Sprintf(`{"start": %q, "end": %q, "force": true}`, start.Format(time.RFC3339), start.Add(x.Duration()).Format(time.RFC3339))
				}
				r := httptest.NewRequest("PATCH", "/api/sessions/"+id, strings.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("PATCH: %d %s", w.Code, w.Body)
				}
			}
		})
	}
}

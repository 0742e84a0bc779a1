package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/conferences"
	"confcal/sqlite"
	"confcal/web"
)

// BenchmarkAPIEdit is an edit as the load test makes it, all of it: a
// PATCH of one session's title through the admin API of a server wired as
// serve wires it, on the SQLite store, its answer after the revision is
// stored, rendered and swapped in. At the seed's size and at the 10,000
// sessions of `confcal gen`.
//
//	go test ./cmd/confcal -run '^$' -bench APIEdit
func BenchmarkAPIEdit(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			ctx := context.Background()
			snap, _ := genAgenda(b, n)
			store, err := sqlite.Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			def, err := defaultConference(ctx, store, snap.Contents())
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
			h := srv.HandlerFor(host{Manager: mgr, def: def}, nil)
			id := snap.SessionIDs()[n/2]
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				r := httptest.NewRequest("PATCH", "/api/sessions/"+id, strings.NewReader(fmt.Sprintf(`{"title": "Renamed, take %d"}`, i)))
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

package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
)

// longHistory returns the handlers of the API and of the Atom feed over an
// agenda edited n times after Small, a revision each (moves, retimes and
// new abstracts in turn).
func longHistory(tb testing.TB, n int) (h, atom http.Handler, svc *agenda.Service) {
	tb.Helper()
	s := agendatest.Small(tb)
	at := time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		e := s.Edit("seed", at.Add(time.Duration(i)*time.Second))
		var err error
		switch i % 3 {
		case 0:
			room := []string{"room-1", "room-2"}[i/3%2]
			err = e.UpdateSession("late-talk", agenda.SessionUpdate{Room: &room})
		case 1:
			start := agendatest.At(9, 9+i/3%2, 0)
			end := start.Add(40 * time.Minute)
			err = e.UpdateSession("late-talk", agenda.SessionUpdate{Start: &start, End: &end})
		case 2:
			abstract := fmt.Sprintf("Take %d.", i)
			err = e.UpdateSession("streams-everywhere", agenda.SessionUpdate{Abstract: &abstract})
		}
		if err != nil {
			tb.Fatalf("edit %d: %v", i, err)
		}
		if s, err = e.Commit(); err != nil {
			tb.Fatalf("commit %d: %v", i, err)
		}
	}
	svc, err := agenda.Open(context.Background(), memstore.New(), func() (*agenda.Snapshot, error) { return s, nil }, nil)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := api.Config{Service: svc, Token: token, BaseURL: "http://confcal.test"}
	return api.New(cfg), api.ChangesAtom(cfg), svc
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

// The Atom feed carries the newest AtomEntries summaries, newest first,
// and /changes?since= the summaries after a revision, whatever the log's
// length.
func TestLongChangeLog(t *testing.T) {
	const n = 150
	h, atom, _ := longHistory(t, n)
	f := parseAtom(t, get(atom, "/feeds/changes.atom"))
	if len(f.Entries) != api.AtomEntries {
		t.Fatalf("%d entries, want %d", len(f.Entries), api.AtomEntries)
	}
	for i, e := range f.Entries {
		rev := n + 1 - i
		if want := fmt.Sprintf("/%d/session/", rev); !strings.Contains(e.ID, want) {
			t.Errorf("entry %d id %s, want revision %d", i, e.ID, rev)
			break
		}
	}
	w := get(h, fmt.Sprintf("/changes?since=%d", n-2))
	wantStatus(t, w, 200)
	ch := decodeBody[api.ChangeList](t, w)
	if len(ch.Changes) != 4 || len(ch.Summaries) != 3 || ch.Summaries[0].Revision != n-1 || ch.Summaries[2].Revision != n+1 {
		t.Errorf("since %d: %d changes, summaries %+v; want revisions %d to %d", n-2, len(ch.Changes), ch.Summaries, n-1, n+1)
	}
}

// BenchmarkChangesAfterEdit is what each revision costs the change log's
// readers: an edit, then the first GET /changes?since= and GET
// /feeds/changes.atom of the new revision. It grows linearly with the log.
func BenchmarkChangesAfterEdit(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			h, atom, svc := longHistory(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				abstract := fmt.Sprint(i)
				snap, _, err := svc.Change(context.Background(), "bench", func(e *agenda.Editor) error {
					return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: &abstract})
				})
				if err != nil {
					b.Fatal(err)
				}
				if w := get(h, fmt.Sprintf("/changes?since=%d", snap.Revision()-50)); w.Code != 200 {
					b.Fatal(w.Body)
				}
				if w := get(atom, "/feeds/changes.atom"); w.Code != 200 {
					b.Fatal(w.Body)
				}
			}
		})
	}
}

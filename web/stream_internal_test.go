package web

import (
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// The change stream's event of a revision is made once for every stream
// that sends it: site.event hands out the same bytes each time, the same
// bytes eventAt makes afresh.
func TestStreamEventMadeOnce(t *testing.T) {
	snap := agendatest.Small(t)
	e := snap.Edit("test", time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC))
	title := "Retitled"
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	st := &site{snap: next}
	a, err := st.event()
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.event()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || &a[0] != &b[0] {
		t.Error("the second stream's event was made again")
	}
	fresh, err := eventAt(nil, next, next.Revision())
	if err != nil {
		t.Fatal(err)
	}
	if string(fresh) != string(a) || !strings.HasPrefix(string(a), "id: 2\ndata: ") {
		t.Errorf("event = %q, want %q", a, fresh)
	}
}

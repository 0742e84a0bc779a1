package conferences_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/conferences"
	"confcal/formats"
	"confcal/source"
)

// waitFor waits up to 5 s for ok.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after 5s: not %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Two Managers on one registry (two replicas): a notification of a
// revision the other stored is served at once; one of a conference not
// served yet starts it; a listing changed starts and stops conferences.
func TestNotified(t *testing.T) {
	ctx := t.Context()
	reg := memstore.NewRegistry()
	a, _ := newManager(t, reg)
	b, pb := newManager(t, reg)
	defA, _ := a.Default()
	slug := defA.Listing.Slug

	next, _, err := defA.Service.Change(ctx, "a", func(e *agenda.Editor) error {
		title := "Renamed on a"
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title})
	})
	if err != nil {
		t.Fatal(err)
	}
	defB, _ := b.Default()
	if defB.Service.Current().Revision() != 1 {
		t.Fatal("b serves a's revision before it is told")
	}
	b.Notified(slug, next.Revision())
	waitFor(t, "serving a's revision on b", func() bool { return defB.Service.Current().Revision() == next.Revision() })
	// Told again of what it serves (its own revision's notification):
	// nothing is published again.
	b.Notified(slug, next.Revision())
	time.Sleep(50 * time.Millisecond)
	pb.mu.Lock()
	if got := pb.revs[slug]; len(got) != 2 {
		t.Errorf("b published %v, want revisions 1 and 2 once each", got)
	}
	pb.mu.Unlock()

	// A conference added on a: its first revision's notification starts
	// it on b.
	if _, err := a.Create(ctx, agenda.Listing{Slug: "second"}, new(agendatest.SmallContents())); err != nil {
		t.Fatal(err)
	}
	b.Notified("second", 1)
	waitFor(t, "serving the new conference on b", func() bool { _, ok := b.Get("second"); return ok })

	// Removed on a: the listing's notification stops it on b; restored,
	// it is served again.
	if err := a.RemoveConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	b.ListingChanged("second")
	waitFor(t, "withdrawing the removed conference on b", func() bool { _, ok := b.Get("second"); return !ok })
	pb.mu.Lock()
	if len(pb.withdrawn) != 1 || pb.withdrawn[0] != "second" {
		t.Errorf("withdrawn on b: %q", pb.withdrawn)
	}
	pb.mu.Unlock()
	if err := a.RestoreConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	b.ListingChanged("second")
	waitFor(t, "serving the restored conference on b", func() bool { _, ok := b.Get("second"); return ok })
}

// A burst of notifications that come while a refresh renders makes one
// more refresh, not one per notification, and ends serving the last
// revision.
func TestNotifiedCoalesces(t *testing.T) {
	ctx := t.Context()
	reg := memstore.NewRegistry()
	a, _ := newManager(t, reg)
	pb := &published{revs: map[string][]int64{}}
	b := conferences.New(conferences.Config{Registry: reg, Withdraw: pb.withdraw,
		Publisher: func(slug string) agenda.PublishFunc {
			publish := pb.publisher(slug)
			return func(ctx context.Context, snap *agenda.Snapshot) (func(), error) {
				time.Sleep(10 * time.Millisecond) // rendering takes a while
				return publish(ctx, snap)
			}
		}})
	if err := b.Open(ctx, nil); err != nil {
		t.Fatal(err)
	}
	defA, _ := a.Default()
	slug := defA.Listing.Slug
	const n = 50
	for i := range n {
		next, _, err := defA.Service.Change(ctx, "a", func(e *agenda.Editor) error {
			title := fmt.Sprintf("Title %d", i)
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title})
		})
		if err != nil {
			t.Fatal(err)
		}
		b.Notified(slug, next.Revision())
	}
	defB, _ := b.Default()
	waitFor(t, "serving the last revision on b", func() bool { return defB.Service.Current().Revision() == n+1 })
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if got := len(pb.revs[slug]); got > n/4 {
		t.Errorf("b published %d revisions for %d notifications", got, n)
	}
}

// turns is a Turns whose holder the test sets.
type turns struct {
	mu       sync.Mutex
	holder   string
	released []string
}

func (tu *turns) set(h string) {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	tu.holder = h
}

// of is the Turns one manager, named me, sees.
func (tu *turns) of(me string) conferences.Turns { return turnsOf{tu, me} }

type turnsOf struct {
	tu *turns
	me string
}

func (t turnsOf) Take(_ context.Context, slug string) (bool, error) {
	t.tu.mu.Lock()
	defer t.tu.mu.Unlock()
	return t.tu.holder == t.me, nil
}

func (t turnsOf) Release(_ context.Context, slug string) error {
	t.tu.mu.Lock()
	defer t.tu.mu.Unlock()
	t.tu.released = append(t.tu.released, t.me+" "+slug)
	return nil
}

// Of two Managers following one source, only the one whose turn it is
// polls it; when the turn passes, the other polls; a conference removed
// gives its turn up.
func TestFollowTakesTurns(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	file := filepath.Join(dir, "schedule.csv")
	if err := os.WriteFile(file, []byte(csvSchedule), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := memstore.NewRegistry()
	tu := &turns{holder: "a"}
	var mu sync.Mutex
	polls := map[string]int{}
	manager := func(me string) *conferences.Manager {
		m := conferences.New(conferences.Config{Registry: reg, Publisher: func(string) agenda.PublishFunc { return nil },
			Turns: tu.of(me),
			Polled: func(slug string, st source.Status) {
				mu.Lock()
				defer mu.Unlock()
				polls[me]++
			}})
		if err := m.Open(ctx, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := manager("a")
	addFollowed(t, a, file)
	b := manager("b")
	count := func(me string) int {
		mu.Lock()
		defer mu.Unlock()
		return polls[me]
	}
	waitFor(t, "polls by a", func() bool { return count("a") >= 5 })
	if n := count("b"); n != 0 {
		t.Errorf("b polled %d times while a held the turn", n)
	}
	tu.set("b")
	time.Sleep(40 * time.Millisecond) // a poll of a's may be under way
	before := count("a")
	waitFor(t, "polls by b", func() bool { return count("b") >= 5 })
	if n := count("a"); n != before {
		t.Errorf("a polled %d times after b took the turn", n-before)
	}
	if err := a.RemoveConference(ctx, "followed"); err != nil {
		t.Fatal(err)
	}
	tu.mu.Lock()
	defer tu.mu.Unlock()
	if len(tu.released) != 1 || tu.released[0] != "a followed" {
		t.Errorf("released %q, want a's turn of followed", tu.released)
	}
	_ = b
}

// A source that breaks is reported as broken by the Manager polling it
// (LastPoll); when the turn passes to another, the one that gave it up no
// longer reports what it saw, which the source may have mended since, and
// the one that took it reports its own polls.
func TestLastPollFollowsTheTurn(t *testing.T) {
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "schedule.csv")
	if err := os.WriteFile(file, []byte(csvSchedule), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := memstore.NewRegistry()
	tu := &turns{holder: "a"}
	manager := func(me string) *conferences.Manager {
		m := conferences.New(conferences.Config{Registry: reg, Publisher: func(string) agenda.PublishFunc { return nil }, Turns: tu.of(me)})
		if err := m.Open(ctx, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := manager("a")
	addFollowed(t, a, file)
	b := manager("b")
	failed := func(m *conferences.Manager) bool {
		st := m.LastPoll("followed")
		return st != nil && st.Err != nil
	}
	waitFor(t, "a poll by a that went well", func() bool { st := a.LastPoll("followed"); return st != nil && st.Err == nil })
	if err := os.WriteFile(file, []byte("<!DOCTYPE html>\n<html><body>Back soon</body></html>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a reporting the broken source", func() bool { return failed(a) })
	if st := b.LastPoll("followed"); st != nil {
		t.Errorf("b, which never polled, reports a poll: %+v", st)
	}
	tu.set("b")
	waitFor(t, "b reporting the broken source", func() bool { return failed(b) })
	waitFor(t, "a no longer reporting a poll", func() bool { return a.LastPoll("followed") == nil })
	if st := a.LastPoll("nope"); st != nil {
		t.Errorf("LastPoll of a conference not served = %+v, want nil", st)
	}
}

// addFollowed adds to m the conference "followed", whose source is the CSV
// schedule in file, re-read every 20 ms.
func addFollowed(t *testing.T, m *conferences.Manager, file string) {
	t.Helper()
	res, _, err := (&source.Source{Location: file, Options: formats.Options{TimeZone: "Europe/Paris"}}).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Create(t.Context(), agenda.Listing{Slug: "followed", Source: agenda.Source{Location: file, TimeZone: "Europe/Paris", Follow: 20 * time.Millisecond}}, &res.Contents); err != nil {
		t.Fatal(err)
	}
}

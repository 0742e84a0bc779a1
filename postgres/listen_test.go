package postgres_test

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/postgres"
	"confcal/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// heard records what a Listen told its handler, in order.
type heard struct {
	mu     sync.Mutex
	events []string
	fail   error // what Listening answers, while set
	wake   chan struct{}
}

func newHeard() *heard { return &heard{wake: make(chan struct{}, 100)} }

func (h *heard) add(e string) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *heard) Listening(context.Context) error {
	h.mu.Lock()
	err := h.fail
	h.mu.Unlock()
	if err != nil {
		h.add("refused")
		return err
	}
	h.add("listening")
	return nil
}
func (h *heard) Saved(slug string, rev int64) { h.add(fmt.Sprintf("saved %s %d", slug, rev)) }
func (h *heard) Listed(slug string)           { h.add("listed " + slug) }
func (h *heard) Lost(err error) {
	if !errors.Is(err, agenda.ErrUnavailable) {
		h.add("lost, not unavailable: " + err.Error())
		return
	}
	h.add("lost")
}

// await waits until the events end with want, and returns them.
func (h *heard) await(t *testing.T, within time.Duration, want ...string) []string {
	t.Helper()
	deadline := time.After(within)
	for {
		h.mu.Lock()
		got := slices.Clone(h.events)
		h.mu.Unlock()
		if len(got) >= len(want) && slices.Equal(got[len(got)-len(want):], want) {
			return got
		}
		select {
		case <-h.wake:
		case <-deadline:
			t.Fatalf("heard %q, want it to end with %q", got, want)
		}
	}
}

// Listen tells its handler of every Save and listing change made through
// any store on the database, first letting it catch up; when the
// connection breaks it says so, connects again within its backoff's cap
// and lets the handler catch up again, and what was stored meanwhile is
// there to be caught up with.
func TestListen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	s := open(t, url)
	proxy, through := pgtest.NewProxy(t, url)
	h := newHeard()
	done := make(chan error, 1)
	go func() {
		done <- postgres.Listen(ctx, through, h, postgres.ListenOptions{Ping: 200 * time.Millisecond, MaxBackoff: 400 * time.Millisecond})
	}()
	h.await(t, 10*time.Second, "listening")

	if err := s.AddConference(ctx, agenda.Listing{Slug: "first"}); err != nil {
		t.Fatal(err)
	}
	v1 := agendatest.Small(t)
	if err := s.Agenda("first").Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if err := s.AddConference(ctx, agenda.Listing{Slug: "second"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if err := s.RestoreConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSource(ctx, "second", agenda.Source{Location: "https://example.org/s.xml"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeConference(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	// A stale Save and a failed one notify nothing.
	if err := s.Agenda("first").Save(ctx, v1); !errors.Is(err, agenda.ErrStale) {
		t.Fatal(err)
	}
	if err := s.RemoveConference(ctx, "nobody"); !errors.Is(err, agenda.ErrNoConference) {
		t.Fatal(err)
	}
	got := h.await(t, 5*time.Second, "listening", "listed first", "saved first 1", "listed second", "listed second", "listed second",
		"listed second", "listed second", "listed second")
	if len(got) != 9 {
		t.Errorf("heard %q", got)
	}

	// Quiet for longer than the ping period: still connected.
	time.Sleep(500 * time.Millisecond)
	// The server goes away; a revision is stored meanwhile (by a replica
	// that still reaches it), and heard only by catching up.
	proxy.Cut()
	h.await(t, 5*time.Second, "lost")
	e := v1.Edit("t", time.Now())
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	v2, _ := e.Commit()
	if err := s.Agenda("first").Save(ctx, v2); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // several failed attempts
	h.mu.Lock()
	h.fail = errors.New("the catch-up failed")
	h.mu.Unlock()
	back := time.Now()
	proxy.Restore(t)
	h.await(t, 5*time.Second, "refused", "lost, not unavailable: postgres: listen: catching up: the catch-up failed")
	h.mu.Lock()
	h.fail = nil
	h.mu.Unlock()
	h.await(t, 5*time.Second, "listening")
	// The pause between attempts is capped at 400 ms (with jitter below
	// it); a connection and a catch-up take milliseconds.
	if d := time.Since(back); d > 2*time.Second {
		t.Errorf("listening again %v after the server came back", d)
	}
	if err := s.Agenda("first").Save(ctx, mustRename(t, v2, "Again")); err != nil {
		t.Fatal(err)
	}
	h.await(t, 5*time.Second, "listening", "saved first 3")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Listen returned %v when its context ended", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Listen did not return when its context ended")
	}
	if err := postgres.Listen(context.Background(), "postgres://x:bad port/", h, postgres.ListenOptions{}); err == nil {
		t.Error("Listen on a URL it cannot read succeeded")
	}
}

// mustRename is snap's next revision, with session late-talk renamed.
func mustRename(t *testing.T, snap *agenda.Snapshot, title string) *agenda.Snapshot {
	t.Helper()
	e := snap.Edit("t", time.Now())
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// Stores in schemas of one database notify channels of their own: a
// Listen hears its own store's changes, not another schema's, though
// notifications are the database's. The server names a schema's channel
// by the name, or by its MD5 where the name would pass 63 bytes.
func TestChannelsOfSchemas(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	suffix := strings.ToLower(rand.Text()) // 26 bytes
	hashed := func(name string) string { return fmt.Sprintf("confcal.%x", md5.Sum([]byte(name))) }
	quoted := "Confcal Test " + suffix // capitals and a space
	long := "confcal_test_" + suffix + strings.Repeat("x", 63-13-len(suffix))
	for _, tt := range []struct{ schema, want string }{
		{"public", "confcal"},
		{quoted, "confcal." + quoted},
		{"t" + suffix + strings.Repeat("a", 55-1-len(suffix)), "confcal.t" + suffix + strings.Repeat("a", 55-1-len(suffix))}, // 55 bytes: fits
		{"t" + suffix + strings.Repeat("a", 56-1-len(suffix)), hashed("t" + suffix + strings.Repeat("a", 56-1-len(suffix)))}, // 56: hashed
		{"t" + suffix + strings.Repeat("ä", 15), hashed("t" + suffix + strings.Repeat("ä", 15))},                             // 42 letters, 57 bytes
		{long, hashed(long)},
	} {
		var u string
		if tt.schema == "public" { // there already
			u, _ = pgtest.WithSchema(pgtest.Server(t), "public")
		} else {
			u = pgtest.Named(t, tt.schema)
		}
		var got string
		if err := connect(t, u).QueryRow(ctx, postgres.ChannelQuery).Scan(&got); err != nil || got != tt.want {
			t.Errorf("schema %q: channel %q, %v; want %q", tt.schema, got, err, tt.want)
		}
	}

	named := []string{quoted, long}
	stores := []*postgres.Store{open(t, pgtest.URL(t))}
	urls := []string{""}
	for _, name := range named {
		u, err := pgtest.WithSchema(pgtest.Server(t), pgx.Identifier{name}.Sanitize())
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, open(t, u))
		urls = append(urls, u)
	}
	// Each Listen on the two named schemas hears only its own store; the
	// other stores save first, so a notification of theirs heard would
	// come before.
	for i := 1; i < len(stores); i++ {
		h := newHeard()
		lctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- postgres.Listen(lctx, urls[i], h, postgres.ListenOptions{}) }()
		h.await(t, 10*time.Second, "listening")
		for j, s := range stores {
			slug := fmt.Sprintf("conf-%d-%d", i, j)
			if j == i {
				slug = "mine"
			}
			if err := s.AddConference(ctx, agenda.Listing{Slug: slug}); err != nil {
				t.Fatal(err)
			}
		}
		if err := stores[i].Agenda("mine").Save(ctx, agendatest.Small(t)); err != nil {
			t.Fatal(err)
		}
		if got := h.await(t, 5*time.Second, "listed mine", "saved mine 1"); len(got) != 3 {
			t.Errorf("schema %q: heard %q", named[i-1], got)
		}
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// A server that cannot be reached is agenda.ErrUnavailable, for reads and
// writes alike; refusals of what was asked are not; once it is back the
// same store works again by itself.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	proxy, through := pgtest.NewProxy(t, url)
	s := open(t, through)
	if err := s.Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	v1, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, v1); !errors.Is(err, agenda.ErrStale) || errors.Is(err, agenda.ErrUnavailable) {
		t.Errorf("a stale Save: %v", err)
	}
	if err := s.RemoveConference(ctx, "nobody"); errors.Is(err, agenda.ErrUnavailable) {
		t.Errorf("removing nobody: %v", err)
	}

	proxy.Cut()
	for name, op := range map[string]func() error{
		"Load":        func() error { _, err := s.Load(ctx); return err },
		"Revision":    func() error { _, err := s.Revision(ctx); return err },
		"Save":        func() error { return s.Save(ctx, mustRename(t, v1, "Down")) },
		"Conferences": func() error { _, err := s.Conferences(ctx); return err },
		"AddToken":    func() error { return s.AddToken(ctx, "test-conf-2019", "h") },
		"Token":       func() error { _, err := s.TokenConference(ctx, "h"); return err },
		"PutPick":     func() error { _, err := s.PutPick(ctx, "", "aaaaaaaaaaaaaaaa", []string{"late-talk"}, 10); return err },
		"GetPick":     func() error { _, _, err := s.GetPick(ctx, "", "aaaaaaaaaaaaaaaa"); return err },
		"Ping":        func() error { return s.Ping(ctx) },
	} {
		if err := op(); !errors.Is(err, agenda.ErrUnavailable) {
			t.Errorf("%s with the server gone: %v, want ErrUnavailable", name, err)
		}
	}
	proxy.Restore(t)
	if err := s.Save(ctx, mustRename(t, v1, "Back")); err != nil {
		t.Fatalf("Save with the server back: %v", err)
	}
	if rev, err := s.Revision(ctx); err != nil || rev != 2 {
		t.Errorf("Revision = %d, %v; want 2", rev, err)
	}
	for _, err := range []error{
		fmt.Errorf("x: %w", context.Canceled),
		agenda.ErrStale,
		errors.New("syntax error"),
		nil,
	} {
		if postgres.Unreachable(err) {
			t.Errorf("Unreachable(%v)", err)
		}
	}
}

// One server at a time holds a conference's turn to follow its source;
// when it loses its connection (it died) the next to ask takes it; a
// released turn is free; conferences and schemas do not share turns.
func TestTurns(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	proxy, through := pgtest.NewProxy(t, url)
	a, err := postgres.NewTurns(through)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.NewTurns(url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	take := func(tu *postgres.Turns, slug string) bool {
		t.Helper()
		ok, err := tu.Take(ctx, slug)
		if err != nil {
			t.Fatalf("Take(%s): %v", slug, err)
		}
		return ok
	}
	if !take(a, "x") || take(b, "x") || !take(a, "x") || !take(b, "y") || take(a, "y") {
		t.Fatal("two servers both or neither took a turn")
	}
	proxy.Cut()
	if ok, err := a.Take(ctx, "x"); ok || !errors.Is(err, agenda.ErrUnavailable) {
		t.Errorf("Take with the server gone = %v, %v; want false, ErrUnavailable", ok, err)
	}
	// The server ends the session whose client went away, and its locks.
	if !eventually(func() bool { return take(b, "x") }) {
		t.Fatal("the turn of a server that went away was not free within 5s")
	}
	proxy.Restore(t)
	if take(a, "x") {
		t.Error("a server back took the turn another holds")
	}
	if err := b.Release(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if !take(a, "x") || take(b, "x") {
		t.Error("a released turn was not free")
	}
	if err := a.Release(ctx, "nothing held"); err != nil {
		t.Error(err)
	}
	other, err := postgres.NewTurns(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if !take(other, "x") {
		t.Error("a store in another schema shares its turns")
	}
	a.Close()
	if !eventually(func() bool { return take(b, "x") }) {
		t.Error("the turn of a closed Turns was not free")
	}
}

// Push turns are held as follow turns are, under keys of their own: the
// replica following a conference's source need not be the one pushing it,
// and releasing one leaves the other.
func TestPushTurns(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	a, err := postgres.NewTurns(url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.NewTurns(url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	type taker interface {
		Take(context.Context, string) (bool, error)
	}
	take := func(tu taker, slug string) bool {
		t.Helper()
		ok, err := tu.Take(ctx, slug)
		if err != nil {
			t.Fatalf("Take(%s): %v", slug, err)
		}
		return ok
	}
	if !take(a, "x") || !take(b.Push(), "x") || take(a.Push(), "x") || take(b, "x") {
		t.Fatal("a follow turn and a push turn of one conference are one turn, or two servers both took one")
	}
	if !take(b.Push(), "x") || !take(a.Push(), "y") || take(b.Push(), "y") {
		t.Fatal("push turns of two conferences are one")
	}
	if err := a.Release(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if !take(a.Push(), "y") || take(a.Push(), "x") {
		t.Error("releasing a follow turn changed the push turns")
	}
	if err := b.Push().Release(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if !take(a.Push(), "x") || take(b.Push(), "x") {
		t.Error("a released push turn was not free")
	}
	b.Close()
	if !take(a, "x") {
		t.Error("the follow turn was not free")
	}
}

// eventually reports whether ok becomes true within 5 s.
func eventually(ok func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

func TestListingPayload(t *testing.T) {
	p := postgres.ListingPayload("flink-forward-2019")
	if p != "flink-forward-2019:listing" {
		t.Errorf("ListingPayload = %q", p)
	}
	if slug, ok := postgres.ParseListingPayload(p); !ok || slug != "flink-forward-2019" {
		t.Errorf("ParseListingPayload(%q) = %q, %v", p, slug, ok)
	}
	// An older reader of revisions alone refuses it, not misreads it.
	if _, _, err := postgres.ParsePayload(p); err == nil {
		t.Errorf("ParsePayload(%q) succeeded", p)
	}
	for _, bad := range []string{"", ":listing", "x:1", "a:b:listing", "x:listings", "listing"} {
		if _, ok := postgres.ParseListingPayload(bad); ok {
			t.Errorf("ParseListingPayload(%q) succeeded", bad)
		}
	}
}

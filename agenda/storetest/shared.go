package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// RunShared runs the contract of two registries on one database — two
// processes, or two server replicas, racing each other. open must give two
// registries on a new, empty database for each call (for an in-memory
// registry, the same one twice).
func RunShared(t *testing.T, open func(t *testing.T) (agenda.Registry, agenda.Registry)) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, agenda.Registry, agenda.Registry)
	}{
		{"SavesFromBothOneWins", savesFromBoth},
		{"FirstImportsFromBothOneWins", firstImportsFromBoth},
		{"ServicesOnBothLoseNothing", servicesOnBoth},
		{"ConferencesFromBoth", conferencesFromBoth},
		{"PicksFromBoth", picksFromBoth},
		{"TokensAcross", tokensAcross},
		{"PushKeyFromBoth", pushKeyFromBoth},
		{"SubscriptionBoundsFromBoth", subscriptionBoundsFromBoth},
		{"WebhookLimitFromBoth", webhookLimitFromBoth},
		{"ClaimsFromBoth", claimsFromBoth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.test(t, a, b)
		})
	}
}

// race runs fn(i) for i < n at once and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWins fails unless exactly one of errs is nil and the others wrap
// want; it returns the winner's index.
func oneWins(t *testing.T, errs []error, want error) int {
	t.Helper()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Errorf("two won: %d and %d", won, i)
		case !errors.Is(err, want):
			t.Errorf("a loser: %v, want %v", err, want)
		}
	}
	if won < 0 {
		t.Fatalf("none of %d won", len(errs))
	}
	return won
}

// Eight writers on two stores race to save revision 2: one wins, the
// others are stale, and both stores load the winner's.
func savesFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	add(t, a, "x")
	v1 := agendatest.Small(t)
	if err := a.Agenda("x").Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	var forks []*agenda.Snapshot
	for i := range 8 {
		forks = append(forks, edit(t, v1, retitle(fmt.Sprint("writer ", i))))
	}
	stores := []agenda.Store{a.Agenda("x"), b.Agenda("x")}
	won := oneWins(t, race(len(forks), func(i int) error { return stores[i%2].Save(ctx, forks[i]) }), agenda.ErrStale)
	for _, s := range stores {
		got, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, forks[won])
	}
}

// Two stores race to store a new conference's first revision: one wins.
func firstImportsFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	add(t, a, "x")
	c := agendatest.SmallContents()
	var firsts []*agenda.Snapshot
	for i := range 4 {
		c.Conference.Name = fmt.Sprint("Import ", i)
		s, err := agenda.NewSnapshot(c, 1, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		firsts = append(firsts, s)
	}
	stores := []agenda.Store{a.Agenda("x"), b.Agenda("x")}
	won := oneWins(t, race(len(firsts), func(i int) error { return stores[i%2].Save(ctx, firsts[i]) }), agenda.ErrStale)
	got, err := b.Agenda("x").Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, firsts[won])
}

// Two services, one on each store, change the agenda at once, as two
// replicas do: every change is stored once (a Save that meets ErrStale is
// redone on the revision stored), revisions neither repeat nor skip, and
// the log holds every change in revision order.
func servicesOnBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	add(t, a, "x")
	if err := a.Agenda("x").Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	const perWriter = 10
	writers := []struct {
		reg     agenda.Registry
		session string
	}{{a, "late-talk"}, {b, "opening-keynote"}, {a, "state-of-state"}, {b, "closing-keynote"}}
	svcs := make([]*agenda.Service, len(writers))
	for i, w := range writers {
		svc, err := agenda.Open(ctx, w.reg.Agenda("x"), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		svcs[i] = svc
	}
	errs := race(len(writers), func(i int) error {
		for n := range perWriter {
			abstract := fmt.Sprintf("writer %d, change %d", i, n)
			if _, _, err := svcs[i].Change(ctx, fmt.Sprint("writer-", i), func(e *agenda.Editor) error {
				return e.UpdateSession(writers[i].session, agenda.SessionUpdate{Abstract: &abstract})
			}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("a change: %v", err)
		}
	}
	for _, r := range []agenda.Registry{a, b} {
		got, err := r.Agenda("x").Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total := len(writers) * perWriter
		if got.Revision() != int64(1+total) {
			t.Errorf("revision %d after %d changes from revision 1", got.Revision(), total)
		}
		log := got.Log()
		if len(log) != total {
			t.Fatalf("%d log entries, want %d", len(log), total)
		}
		seen := map[string]bool{}
		for i, c := range log {
			if c.Revision != int64(i+2) {
				t.Fatalf("log entry %d at revision %d, want %d", i, c.Revision, i+2)
			}
			if seen[c.New] {
				t.Errorf("%q logged twice", c.New)
			}
			seen[c.New] = true
		}
		for i, w := range writers {
			x, _ := got.Session(w.session)
			if want := fmt.Sprintf("writer %d, change %d", i, perWriter-1); x.Abstract != want {
				t.Errorf("%s: abstract %q, want %q", w.session, x.Abstract, want)
			}
		}
	}
}

// Conferences added on two stores at once are all listed, once, in the
// same order on both, with exactly one default.
func conferencesFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	regs := []agenda.Registry{a, b}
	slugs := []string{"c0", "c1", "c2", "c3", "c4", "c5"}
	for _, err := range race(len(slugs), func(i int) error {
		return regs[i%2].AddConference(ctx, agenda.Listing{Slug: slugs[i]})
	}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	oneWins(t, race(4, func(i int) error { return regs[i%2].AddConference(ctx, agenda.Listing{Slug: "taken"}) }), agenda.ErrExists)
	la, err := a.Conferences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.Conferences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(la, lb, func(x, y agenda.Listing) bool { return x.Slug == y.Slug && x.Default == y.Default }) {
		t.Errorf("the stores list %+v and %+v", la, lb)
	}
	var got []string
	defaults := 0
	for _, l := range la {
		got = append(got, l.Slug)
		if l.Default {
			defaults++
		}
	}
	slices.Sort(got)
	if want := append(slices.Clone(slugs), "taken"); !slices.Equal(got, want) || defaults != 1 {
		t.Errorf("Conferences = %+v; want %v once each, one of them the default", la, want)
	}
}

// The same pick stored on two stores at once gets one code; a
// conference's limit holds across both.
func picksFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	add(t, a, "x")
	regs := []agenda.Registry{a, b}
	ids := []string{"opening-keynote", "late-talk"}
	codes := make([]string, 6)
	for _, err := range race(len(codes), func(i int) error {
		var err error
		codes[i], err = regs[i%2].PutPick(ctx, "x", fmt.Sprintf("samepick%08d", i), ids, 100)
		return err
	}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range codes {
		if c != codes[0] {
			t.Fatalf("the same pick got codes %q", codes)
		}
	}
	const limit = 4 // the one above and three more
	errs := race(8, func(i int) error {
		_, err := regs[i%2].PutPick(ctx, "x", fmt.Sprintf("newpick%09d", i), []string{fmt.Sprint("s", i)}, limit)
		return err
	})
	stored := 0
	for _, err := range errs {
		switch {
		case err == nil:
			stored++
		case !errors.Is(err, agenda.ErrPicksFull):
			t.Errorf("a pick beyond the limit: %v, want ErrPicksFull", err)
		}
	}
	if stored != limit-1 {
		t.Errorf("%d of 8 new picks stored under a limit of %d with one stored, want %d", stored, limit, limit-1)
	}
	if got, ok, err := b.GetPick(ctx, "x", codes[0]); err != nil || !ok || !slices.Equal(got, ids) {
		t.Errorf("GetPick on the other store = %v, %v, %v", got, ok, err)
	}
}

// A token added on one store is known to the other; removed on one, the
// conference's tokens stop working on both.
func tokensAcross(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	add(t, a, "first")
	add(t, a, "x")
	if err := a.AddToken(ctx, "x", "hash-of-x"); err != nil {
		t.Fatal(err)
	}
	if slug, err := b.TokenConference(ctx, "hash-of-x"); err != nil || slug != "x" {
		t.Errorf("TokenConference on the other store = %q, %v", slug, err)
	}
	if err := b.RemoveConference(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TokenConference(ctx, "hash-of-x"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a token of a conference the other store removed: %v, want ErrNoConference", err)
	}
}

// Processes starting at once on a store without a VAPID key all end up
// with the same one.
func pushKeyFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	stores := []agenda.PushStore{pushStore(t, a), pushStore(t, b)}
	keys := make([]string, 8)
	errs := race(len(keys), func(i int) error {
		var err error
		keys[i], err = stores[i%2].PushKey(ctx, fmt.Sprint("candidate-", i))
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("PushKey %d: %v", i, err)
		}
		if keys[i] != keys[0] {
			t.Errorf("PushKey %d = %q, PushKey 0 = %q: two keys", i, keys[i], keys[0])
		}
	}
}

// Subscriptions stored through both stores at once never exceed the
// bounds, per calendar or per client (counted over conferences).
func subscriptionBoundsFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	stores := []agenda.PushStore{pushStore(t, a), pushStore(t, b)}
	add(t, a, "x")
	add(t, a, "y")
	now := time.Now().Truncate(time.Second)
	day := now.Add(24 * time.Hour)
	count := func(errs []error) int {
		t.Helper()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, agenda.ErrSubscriptionsFull):
				t.Errorf("a refused subscription: %v, want ErrSubscriptionsFull", err)
			}
		}
		return ok
	}
	const n = 12
	// Each from its own client: the calendar's bound of 4 decides.
	errs := race(n, func(i int) error {
		_, err := stores[i%2].PutSubscription(ctx, sub("x", "all", i, fmt.Sprint("client-", i), day), now, 4, 100)
		return err
	})
	if got := count(errs); got != 4 {
		t.Errorf("%d of %d subscriptions of a calendar that takes 4 stored", got, n)
	}
	if list, _ := stores[1].Subscriptions(ctx, "x", "all", now); len(list) != 4 {
		t.Errorf("the calendar holds %d subscriptions, want 4", len(list))
	}
	// One client over calendars of two conferences: its bound of 3 decides.
	errs = race(n, func(i int) error {
		conf := []string{"x", "y"}[i%2]
		_, err := stores[i/2%2].PutSubscription(ctx, sub(conf, fmt.Sprint("room-", i), 100+i, "one-client", day), now, 100, 3)
		return err
	})
	if got := count(errs); got != 3 {
		t.Errorf("%d of %d subscriptions of a client that may hold 3 stored", got, n)
	}
}

// Webhooks added through both stores at once never exceed the limit.
func webhookLimitFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	stores := []agenda.PushStore{pushStore(t, a), pushStore(t, b)}
	add(t, a, "x")
	const n = 8
	errs := race(n, func(i int) error { return stores[i%2].AddWebhook(ctx, hook("x", i), 3) })
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, agenda.ErrWebhooksFull):
			t.Errorf("a refused webhook: %v, want ErrWebhooksFull", err)
		}
	}
	if ok != 3 {
		t.Errorf("%d of %d webhooks stored where 3 may be", ok, n)
	}
	if list, err := stores[1].Webhooks(ctx, "x"); err != nil || len(list) != 3 {
		t.Errorf("Webhooks = %d, %v; want 3", len(list), err)
	}
}

// Deliverers on both stores claiming at once take each delivery once, and
// a webhook's next revision only after its previous one is done.
func claimsFromBoth(t *testing.T, a, b agenda.Registry) {
	ctx := context.Background()
	stores := []agenda.PushStore{pushStore(t, a), pushStore(t, b)}
	s := add(t, a, "x")
	snap := agendatest.Small(t)
	if err := s.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	const hooks = 5
	for n := range hooks {
		if err := stores[0].AddWebhook(ctx, hook("x", n), 10); err != nil {
			t.Fatal(err)
		}
	}
	const revisions = 3
	for i := range revisions {
		snap = edit(t, snap, retitle(fmt.Sprint("title ", i)))
		if err := b.Agenda("x").Save(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}
	// Rounds of claims from both at once: each round hands out each
	// webhook's head once, and delivering it makes the next one due.
	now := time.Now().Add(time.Second)
	var mu sync.Mutex
	delivered := map[string][]int64{}
	for round := range revisions + 1 {
		const claimers = 6
		got := make([][]agenda.Delivery, claimers)
		errs := race(claimers, func(i int) error {
			var err error
			got[i], err = stores[i%2].ClaimDeliveries(ctx, now, time.Hour, 2)
			return err
		})
		seen := map[string]bool{}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: claim %d: %v", round, i, err)
			}
			for _, d := range got[i] {
				if seen[d.Webhook] {
					t.Errorf("round %d: two deliveries to %s claimed at once", round, d.Webhook)
				}
				seen[d.Webhook] = true
				mu.Lock()
				delivered[d.Webhook] = append(delivered[d.Webhook], d.Revision)
				mu.Unlock()
				if err := stores[(i+1)%2].DeliveryDone(ctx, d); err != nil {
					t.Errorf("DeliveryDone(%+v): %v", d, err)
				}
			}
		}
		if want := map[bool]int{true: hooks, false: 0}[round < revisions]; len(seen) != want {
			t.Errorf("round %d: %d webhooks' deliveries claimed, want %d", round, len(seen), want)
		}
	}
	for n := range hooks {
		id := hook("x", n).ID
		if got := delivered[id]; !slices.Equal(got, []int64{2, 3, 4}) {
			t.Errorf("%s got revisions %v, want 2, 3, 4 in order", id, got)
		}
	}
}

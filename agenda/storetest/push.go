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

// pushStore returns r as an agenda.PushStore, skipping the test for a
// registry that is none.
func pushStore(t *testing.T, r agenda.Registry) agenda.PushStore {
	t.Helper()
	p, ok := r.(agenda.PushStore)
	if !ok {
		t.Skipf("%T is not an agenda.PushStore", r)
	}
	return p
}

func pushKey(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	got, err := p.PushKey(ctx, "first-key")
	if err != nil || got != "first-key" {
		t.Fatalf("PushKey on a new store = %q, %v; want the candidate", got, err)
	}
	if got, err := p.PushKey(ctx, "second-key"); err != nil || got != "first-key" {
		t.Errorf("PushKey with a key stored = %q, %v; want the stored one", got, err)
	}
}

// sub is a subscription of calendar cal of conference conf to endpoint n.
func sub(conf, cal string, n int, client string, expires time.Time) agenda.PushSubscription {
	return agenda.PushSubscription{ID: fmt.Sprintf("id-%s-%s-%d", conf, cal, n), Conference: conf, Calendar: cal,
		Endpoint: fmt.Sprintf("https://push.example.org/%d", n), P256dh: "key", Auth: "auth", Client: client, Expires: expires}
}

// endpoints lists the endpoints of subs.
func endpoints(subs []agenda.PushSubscription) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.Endpoint)
	}
	return out
}

func pushSubscriptions(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	add(t, r, "a")
	add(t, r, "b")
	now := time.Now().Truncate(time.Second)
	week := now.Add(7 * 24 * time.Hour)
	s1, err := p.PutSubscription(ctx, sub("a", "all", 1, "c1", week), now, 10, 10)
	if err != nil || s1.ID != "id-a-all-1" {
		t.Fatalf("PutSubscription = %+v, %v", s1, err)
	}
	if _, err := p.PutSubscription(ctx, sub("a", "all", 2, "c1", now.Add(time.Hour)), now, 10, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PutSubscription(ctx, sub("a", "room-1", 1, "c1", week), now, 10, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PutSubscription(ctx, sub("b", "all", 3, "c1", week), now, 10, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PutSubscription(ctx, sub("nobody", "all", 4, "c1", week), now, 10, 10); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a subscription of an unknown conference: %v, want ErrNoConference", err)
	}

	// The same endpoint again updates the subscription it names.
	again := sub("a", "all", 1, "c2", week.Add(time.Hour))
	again.ID, again.P256dh, again.Auth = "another-id", "key2", "auth2"
	got, err := p.PutSubscription(ctx, again, now, 10, 10)
	if err != nil || got.ID != "id-a-all-1" || got.P256dh != "key2" || !got.Expires.Equal(week.Add(time.Hour)) {
		t.Fatalf("PutSubscription of a stored endpoint = %+v, %v; want the stored ID with the new keys and expiry", got, err)
	}
	list, err := p.Subscriptions(ctx, "a", "all", now)
	if err != nil {
		t.Fatal(err)
	}
	if e := endpoints(list); !slices.Equal(e, []string{"https://push.example.org/1", "https://push.example.org/2"}) {
		t.Fatalf("Subscriptions(a, all) = %v", e)
	}
	if x := list[0]; x.ID != "id-a-all-1" || x.P256dh != "key2" || x.Auth != "auth2" || x.Client != "c2" ||
		x.Conference != "a" || x.Calendar != "all" || !x.Expires.Equal(week.Add(time.Hour)) {
		t.Errorf("updated subscription reads back as %+v", x)
	}
	// Expired ones are not listed, and DeleteExpiredSubscriptions drops them.
	if list, _ = p.Subscriptions(ctx, "a", "all", now.Add(2*time.Hour)); len(list) != 1 {
		t.Errorf("Subscriptions two hours on = %v, want the one that has not expired", endpoints(list))
	}
	if n, err := p.DeleteExpiredSubscriptions(ctx, now.Add(2*time.Hour)); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSubscriptions = %d, %v; want 1", n, err)
	}
	if list, _ = p.Subscriptions(ctx, "a", "all", now); len(list) != 1 {
		t.Errorf("after deleting the expired: %v", endpoints(list))
	}
	// A subscription is deleted only through its own conference.
	if err := p.DeleteSubscription(ctx, "b", "id-a-all-1"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("deleting a's subscription as b's: %v, want ErrNotFound", err)
	}
	if err := p.DeleteSubscription(ctx, "a", "id-a-all-1"); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteSubscription(ctx, "a", "id-a-all-1"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("deleting it twice: %v, want ErrNotFound", err)
	}
	if list, _ = p.Subscriptions(ctx, "a", "all", now); len(list) != 0 {
		t.Errorf("after deleting: %v", endpoints(list))
	}
	for _, c := range []struct{ conf, cal, want string }{{"a", "room-1", "https://push.example.org/1"}, {"b", "all", "https://push.example.org/3"}} {
		if list, _ := p.Subscriptions(ctx, c.conf, c.cal, now); !slices.Equal(endpoints(list), []string{c.want}) {
			t.Errorf("Subscriptions(%s, %s) = %v, want %s", c.conf, c.cal, endpoints(list), c.want)
		}
	}
}

func pushSubscriptionBounds(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	add(t, r, "a")
	add(t, r, "b")
	now := time.Now().Truncate(time.Second)
	day := now.Add(24 * time.Hour)
	// Two per calendar: the third is refused, unless one has expired.
	for n, client := range []string{"c1", "c2"} {
		if _, err := p.PutSubscription(ctx, sub("a", "all", n, client, day), now, 2, 3); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.PutSubscription(ctx, sub("a", "all", 9, "c3", day), now, 2, 3); !errors.Is(err, agenda.ErrSubscriptionsFull) {
		t.Errorf("a third subscription of a calendar that takes two: %v, want ErrSubscriptionsFull", err)
	}
	if _, err := p.PutSubscription(ctx, sub("a", "all", 0, "c1", day.Add(time.Hour)), now, 2, 3); err != nil {
		t.Errorf("refreshing a stored subscription of a full calendar: %v", err)
	}
	if _, err := p.PutSubscription(ctx, sub("a", "all", 9, "c3", day), day.Add(time.Minute), 2, 3); err != nil {
		t.Errorf("a subscription once one has expired: %v", err)
	}
	// Three per client, counted over all conferences.
	for n, conf := range []string{"a", "b"} {
		if _, err := p.PutSubscription(ctx, sub(conf, "room-1", 10+n, "c4", day), now, 10, 3); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.PutSubscription(ctx, sub("b", "room-2", 12, "c4", day), now, 10, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PutSubscription(ctx, sub("b", "room-3", 13, "c4", day), now, 10, 3); !errors.Is(err, agenda.ErrSubscriptionsFull) {
		t.Errorf("a fourth subscription of a client that may have three: %v, want ErrSubscriptionsFull", err)
	}
}

// hook is webhook n of conference conf.
func hook(conf string, n int) agenda.Webhook {
	return agenda.Webhook{ID: fmt.Sprintf("hook-%s-%d", conf, n), Conference: conf, URL: fmt.Sprintf("https://hooks.example.org/%s/%d", conf, n),
		Secret: fmt.Sprint("secret-", n), Created: time.Date(2019, 10, 1, 9, n, 0, 0, time.UTC)}
}

func webhooks(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	add(t, r, "a")
	add(t, r, "b")
	for _, w := range []agenda.Webhook{hook("a", 1), hook("b", 1), hook("a", 2)} {
		if err := p.AddWebhook(ctx, w, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.AddWebhook(ctx, hook("a", 3), 2); !errors.Is(err, agenda.ErrWebhooksFull) {
		t.Errorf("a third webhook where two may be: %v, want ErrWebhooksFull", err)
	}
	if err := p.AddWebhook(ctx, hook("nobody", 1), 2); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a webhook of an unknown conference: %v, want ErrNoConference", err)
	}
	list, err := p.Webhooks(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "hook-a-1" || list[1].ID != "hook-a-2" {
		t.Fatalf("Webhooks(a) = %+v", list)
	}
	w := list[0]
	if w.ID != "hook-a-1" || w.URL != "https://hooks.example.org/a/1" || w.Secret != "secret-1" || w.Conference != "a" || !w.Created.Equal(hook("a", 1).Created) {
		t.Errorf("webhook reads back as %+v", w)
	}
	if err := p.DeleteWebhook(ctx, "b", "hook-a-1"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("deleting a's webhook as b's: %v, want ErrNotFound", err)
	}
	if err := p.DeleteWebhook(ctx, "a", "hook-a-1"); err != nil {
		t.Fatal(err)
	}
	if list, _ = p.Webhooks(ctx, "a"); len(list) != 1 || list[0].ID != "hook-a-2" {
		t.Errorf("after deleting one: %+v", list)
	}
	if _, err := p.Webhooks(ctx, "nobody"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("webhooks of an unknown conference: %v, want ErrNoConference", err)
	}
}

// revisions lists the revisions of deliveries to webhook id.
func deliveryRevisions(ds []agenda.Delivery, id string) []int64 {
	var out []int64
	for _, d := range ds {
		if d.Webhook == id {
			out = append(out, d.Revision)
		}
	}
	return out
}

func webhookOutbox(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	a, b := add(t, r, "a"), add(t, r, "b")
	va := agendatest.Small(t)
	if err := a.Save(ctx, va); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	// Revisions stored before a webhook was added are not its.
	for _, w := range []agenda.Webhook{hook("a", 1), hook("a", 2)} {
		if err := p.AddWebhook(ctx, w, 10); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now()
	snap := va
	for i := range 3 {
		snap = edit(t, snap, retitle(fmt.Sprint("title ", i)))
		if err := a.Save(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}
	// A Save that fails enqueues nothing.
	if err := a.Save(ctx, snap); !errors.Is(err, agenda.ErrStale) {
		t.Fatalf("saving revision %d again: %v", snap.Revision(), err)
	}
	out, err := p.Outbox(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"hook-a-1", "hook-a-2"} {
		if got := deliveryRevisions(out, id); !slices.Equal(got, []int64{2, 3, 4}) {
			t.Errorf("outbox of %s = revisions %v, want 2, 3, 4", id, got)
		}
	}
	for _, d := range out {
		if d.Attempts != 0 || d.LastError != "" || d.Next.Before(before.Add(-time.Second)) || d.Next.After(time.Now().Add(time.Second)) {
			t.Errorf("a new delivery = %+v, want no attempts, due when it was saved", d)
		}
	}
	if out, _ := p.Outbox(ctx, "b"); len(out) != 0 {
		t.Errorf("b's outbox = %+v; a's webhooks are not b's", out)
	}

	// Claims take each webhook's lowest revision only, and lease it.
	now := time.Now().Add(time.Second)
	got, err := p.ClaimDeliveries(ctx, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Revision != 2 || got[1].Revision != 2 || got[0].Webhook == got[1].Webhook {
		t.Fatalf("first claim = %+v, want revision 2 of each webhook", got)
	}
	if again, _ := p.ClaimDeliveries(ctx, now.Add(30*time.Second), time.Minute, 10); len(again) != 0 {
		t.Errorf("a claim within the lease = %+v, want none", again)
	}
	var first, second agenda.Delivery
	for _, d := range got {
		if d.Webhook == "hook-a-1" {
			first = d
		} else {
			second = d
		}
	}
	if err := p.DeliveryDone(ctx, first); err != nil {
		t.Fatal(err)
	}
	retry := now.Add(10 * time.Minute)
	if err := p.DeliveryFailed(ctx, second, retry, "receiver down"); err != nil {
		t.Fatal(err)
	}
	// hook-a-1 goes on with revision 3; hook-a-2 waits for its retry of 2.
	got, err = p.ClaimDeliveries(ctx, now.Add(2*time.Minute), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Webhook != "hook-a-1" || got[0].Revision != 3 {
		t.Fatalf("claim after one delivered, one failed = %+v, want revision 3 of hook-a-1", got)
	}
	out, _ = p.Outbox(ctx, "a")
	for _, d := range out {
		if d.Webhook == "hook-a-2" && d.Revision == 2 && (d.Attempts != 1 || d.LastError != "receiver down" || !d.Next.Equal(retry)) {
			t.Errorf("failed delivery = %+v, want 1 attempt, its reason, next at %v", d, retry)
		}
	}
	got, err = p.ClaimDeliveries(ctx, retry, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if revs := deliveryRevisions(got, "hook-a-2"); !slices.Equal(revs, []int64{2}) {
		t.Errorf("claim at the retry = %+v, want revision 2 of hook-a-2 again", got)
	}
	if err := p.DeliveryDone(ctx, first); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("finishing a delivery twice: %v, want ErrNotFound", err)
	}
	// Deleting a webhook deletes what waits for it.
	if err := p.DeleteWebhook(ctx, "a", "hook-a-2"); err != nil {
		t.Fatal(err)
	}
	out, _ = p.Outbox(ctx, "a")
	if got := deliveryRevisions(out, "hook-a-2"); len(got) != 0 {
		t.Errorf("deliveries of a deleted webhook left: %v", got)
	}
	if got := deliveryRevisions(out, "hook-a-1"); !slices.Equal(got, []int64{3, 4}) {
		t.Errorf("hook-a-1's outbox = %v, want 3, 4", got)
	}
}

// Concurrent claims never hand out one delivery twice.
func outboxClaimsOnce(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	s := add(t, r, "a")
	snap := agendatest.Small(t)
	if err := s.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	for n := range 6 {
		if err := p.AddWebhook(ctx, hook("a", n), 10); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(ctx, edit(t, snap, retitle("x"))); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Second)
	const n = 4
	var wg sync.WaitGroup
	got := make([][]agenda.Delivery, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { got[i], errs[i] = p.ClaimDeliveries(ctx, now, time.Minute, 2) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for _, d := range got[i] {
			if seen[d.Webhook] {
				t.Errorf("the delivery to %s was claimed twice", d.Webhook)
			}
			seen[d.Webhook] = true
		}
	}
	if len(seen) != 6 {
		t.Errorf("%d of 6 deliveries claimed", len(seen))
	}
}

func purgeDeletesPush(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	s := add(t, r, "a")
	add(t, r, "b")
	snap := agendatest.Small(t)
	if err := s.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := p.AddWebhook(ctx, hook("a", 1), 10); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, edit(t, snap, retitle("x"))); err != nil {
		t.Fatal(err)
	}
	for _, x := range []agenda.PushSubscription{sub("a", "all", 1, "c", now.Add(time.Hour)), sub("b", "all", 2, "c", now.Add(time.Hour))} {
		if _, err := p.PutSubscription(ctx, x, now, 10, 10); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.MarkPushed(ctx, "a", 2); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveConference(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.PurgeConference(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddConference(ctx, agenda.Listing{Slug: "a"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := p.Subscriptions(ctx, "a", "all", now); len(list) != 0 {
		t.Errorf("subscriptions of a purged conference: %+v", list)
	}
	if list, _ := p.Webhooks(ctx, "a"); len(list) != 0 {
		t.Errorf("webhooks of a purged conference: %+v", list)
	}
	if out, _ := p.Outbox(ctx, "a"); len(out) != 0 {
		t.Errorf("outbox of a purged conference: %+v", out)
	}
	if got, _ := p.ClaimDeliveries(ctx, now.Add(time.Hour), time.Minute, 10); len(got) != 0 {
		t.Errorf("claims after purging: %+v", got)
	}
	if list, _ := p.Subscriptions(ctx, "b", "all", now); len(list) != 1 {
		t.Errorf("b's subscriptions after purging a: %+v", list)
	}
	if rev, err := p.PushedRevision(ctx, "a"); err != nil || rev != 0 {
		t.Errorf("pushed revision of a purged conference = %d, %v; want 0", rev, err)
	}
}

// pushMarks: the pushed revision of each conference is its own, only
// moves forward, survives removing the conference, and an unknown
// conference has none.
func pushMarks(t *testing.T, r agenda.Registry) {
	ctx := context.Background()
	p := pushStore(t, r)
	add(t, r, "a")
	add(t, r, "b")
	if rev, err := p.PushedRevision(ctx, "a"); err != nil || rev != 0 {
		t.Fatalf("PushedRevision before any mark = %d, %v; want 0", rev, err)
	}
	for _, m := range []struct {
		conf string
		rev  int64
	}{{"a", 3}, {"b", 7}, {"a", 5}, {"a", 4}} {
		if err := p.MarkPushed(ctx, m.conf, m.rev); err != nil {
			t.Fatalf("MarkPushed(%s, %d): %v", m.conf, m.rev, err)
		}
	}
	if err := r.RemoveConference(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	for conf, want := range map[string]int64{"a": 5, "b": 7} {
		if rev, err := p.PushedRevision(ctx, conf); err != nil || rev != want {
			t.Errorf("PushedRevision(%s) = %d, %v; want %d", conf, rev, err, want)
		}
	}
	if _, err := p.PushedRevision(ctx, "nope"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("PushedRevision of an unknown conference: %v, want ErrNoConference", err)
	}
	if err := p.MarkPushed(ctx, "nope", 1); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("MarkPushed of an unknown conference: %v, want ErrNoConference", err)
	}
}

package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"confcal/agenda"
)

var _ agenda.PushStore = (*Registry)(nil)

// enqueue adds a delivery of revision rev for each of c's webhooks; the
// caller holds r.mu.
func (r *Registry) enqueue(c *conference, rev int64) {
	now := r.now().UTC()
	for _, w := range c.webhooks {
		r.outbox = append(r.outbox, agenda.Delivery{Conference: c.listing.Slug, Revision: rev, Webhook: w.ID, Next: now})
	}
}

// PushKey implements agenda.PushStore.
func (r *Registry) PushKey(_ context.Context, candidate string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pushKey == "" {
		r.pushKey = candidate
	}
	return r.pushKey, nil
}

// PutSubscription implements agenda.PushStore.
func (r *Registry) PutSubscription(_ context.Context, s agenda.PushSubscription, now time.Time, perCalendar, perClient int) (agenda.PushSubscription, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.conference(s.Conference); err != nil {
		return agenda.PushSubscription{}, err
	}
	calendar, client := 0, 0
	for i, x := range r.subs {
		if x.Conference == s.Conference && x.Calendar == s.Calendar && x.Endpoint == s.Endpoint {
			x.P256dh, x.Auth, x.Client, x.Expires = s.P256dh, s.Auth, s.Client, s.Expires
			r.subs[i] = x
			return x, nil
		}
		if !x.Expires.After(now) {
			continue
		}
		if x.Conference == s.Conference && x.Calendar == s.Calendar {
			calendar++
		}
		if x.Client == s.Client {
			client++
		}
	}
	switch {
	case calendar >= perCalendar:
		return agenda.PushSubscription{}, fmt.Errorf("memstore: calendar %s of %s has %d subscriptions: %w", s.Calendar, s.Conference, calendar, agenda.ErrSubscriptionsFull)
	case client >= perClient:
		return agenda.PushSubscription{}, fmt.Errorf("memstore: the client has %d subscriptions: %w", client, agenda.ErrSubscriptionsFull)
	}
	r.subs = append(r.subs, s)
	return s, nil
}

// Subscriptions implements agenda.PushStore.
func (r *Registry) Subscriptions(_ context.Context, conference, calendar string, now time.Time) ([]agenda.PushSubscription, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []agenda.PushSubscription
	for _, x := range r.subs {
		if x.Conference == conference && x.Calendar == calendar && x.Expires.After(now) {
			out = append(out, x)
		}
	}
	return out, nil
}

// DeleteSubscription implements agenda.PushStore.
func (r *Registry) DeleteSubscription(_ context.Context, conference, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := slices.IndexFunc(r.subs, func(x agenda.PushSubscription) bool { return x.Conference == conference && x.ID == id })
	if i < 0 {
		return fmt.Errorf("memstore: push subscription: %w", agenda.ErrNotFound)
	}
	r.subs = slices.Delete(r.subs, i, i+1)
	return nil
}

// DeleteExpiredSubscriptions implements agenda.PushStore.
func (r *Registry) DeleteExpiredSubscriptions(_ context.Context, now time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.subs)
	r.subs = slices.DeleteFunc(r.subs, func(x agenda.PushSubscription) bool { return !x.Expires.After(now) })
	return n - len(r.subs), nil
}

// AddWebhook implements agenda.PushStore.
func (r *Registry) AddWebhook(_ context.Context, w agenda.Webhook, limit int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(w.Conference)
	if err != nil {
		return err
	}
	if len(c.webhooks) >= limit {
		return fmt.Errorf("memstore: %s has %d webhooks: %w", w.Conference, len(c.webhooks), agenda.ErrWebhooksFull)
	}
	c.webhooks = append(c.webhooks, w)
	return nil
}

// Webhooks implements agenda.PushStore.
func (r *Registry) Webhooks(_ context.Context, conference string) ([]agenda.Webhook, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(conference)
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.webhooks), nil
}

// DeleteWebhook implements agenda.PushStore.
func (r *Registry) DeleteWebhook(_ context.Context, conference, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(conference)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(c.webhooks, func(w agenda.Webhook) bool { return w.ID == id })
	if i < 0 {
		return fmt.Errorf("memstore: webhook %q: %w", id, agenda.ErrNotFound)
	}
	c.webhooks = slices.Delete(c.webhooks, i, i+1)
	r.outbox = slices.DeleteFunc(r.outbox, func(d agenda.Delivery) bool { return d.Conference == conference && d.Webhook == id })
	return nil
}

// ClaimDeliveries implements agenda.PushStore.
func (r *Registry) ClaimDeliveries(_ context.Context, now time.Time, lease time.Duration, limit int) ([]agenda.Delivery, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	type key struct{ conf, hook string }
	head := map[key]int{} // the lowest revision waiting per webhook
	for i, d := range r.outbox {
		k := key{d.Conference, d.Webhook}
		if j, ok := head[k]; !ok || d.Revision < r.outbox[j].Revision {
			head[k] = i
		}
	}
	var out []agenda.Delivery
	for i := range r.outbox {
		d := &r.outbox[i]
		if head[key{d.Conference, d.Webhook}] != i || d.Next.After(now) || len(out) == limit {
			continue
		}
		d.Next = now.Add(lease)
		out = append(out, *d)
	}
	slices.SortStableFunc(out, func(a, b agenda.Delivery) int { return cmp.Compare(a.Revision, b.Revision) })
	return out, nil
}

// find returns the index of the outbox's delivery of d; the caller holds
// r.mu.
func (r *Registry) find(d agenda.Delivery) (int, error) {
	i := slices.IndexFunc(r.outbox, func(x agenda.Delivery) bool {
		return x.Conference == d.Conference && x.Webhook == d.Webhook && x.Revision == d.Revision
	})
	if i < 0 {
		return -1, fmt.Errorf("memstore: delivery of revision %d of %s: %w", d.Revision, d.Conference, agenda.ErrNotFound)
	}
	return i, nil
}

// DeliveryDone implements agenda.PushStore.
func (r *Registry) DeliveryDone(_ context.Context, d agenda.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, err := r.find(d)
	if err != nil {
		return err
	}
	r.outbox = slices.Delete(r.outbox, i, i+1)
	return nil
}

// DeliveryFailed implements agenda.PushStore.
func (r *Registry) DeliveryFailed(_ context.Context, d agenda.Delivery, next time.Time, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, err := r.find(d)
	if err != nil {
		return err
	}
	x := &r.outbox[i]
	x.Attempts++
	x.Next, x.LastError = next, reason
	return nil
}

// Outbox implements agenda.PushStore.
func (r *Registry) Outbox(_ context.Context, conference string) ([]agenda.Delivery, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(conference)
	if err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, w := range c.webhooks {
		order[w.ID] = i
	}
	var out []agenda.Delivery
	for _, d := range r.outbox {
		if d.Conference == conference {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b agenda.Delivery) int {
		return cmp.Or(cmp.Compare(order[a.Webhook], order[b.Webhook]), cmp.Compare(a.Revision, b.Revision))
	})
	return out, nil
}

// PushedRevision implements agenda.PushStore.
func (r *Registry) PushedRevision(_ context.Context, conference string) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(conference)
	if err != nil {
		return 0, err
	}
	return c.pushed, nil
}

// MarkPushed implements agenda.PushStore.
func (r *Registry) MarkPushed(_ context.Context, conference string, rev int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(conference)
	if err != nil {
		return err
	}
	c.pushed = max(c.pushed, rev)
	return nil
}

package memstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"confcal/agenda"
)

// Registry is an agenda.Registry in memory, for tests. The zero value is
// not usable; call NewRegistry.
type Registry struct {
	mu     sync.Mutex
	order  []string // slugs, in the order added
	confs  map[string]*conference
	tokens map[string]string // hash → slug
	purged map[string]int64  // slug → the last revision it reached, of those purged
	now    func() time.Time

	// What push.go keeps.
	pushKey string
	subs    []agenda.PushSubscription // in the order stored
	outbox  []agenda.Delivery         // in the order enqueued
}

type conference struct {
	listing  agenda.Listing
	store    *Store
	picks    map[string]string // code → comma-joined IDs
	webhooks []agenda.Webhook
	pushed   int64 // PushedRevision
}

var _ agenda.Registry = (*Registry)(nil)

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{confs: map[string]*conference{}, tokens: map[string]string{}, purged: map[string]int64{}, now: time.Now}
}

// Conferences implements agenda.Registry.
func (r *Registry) Conferences(context.Context) ([]agenda.Listing, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]agenda.Listing, 0, len(r.order))
	for _, slug := range r.order {
		out = append(out, r.confs[slug].listing)
	}
	return out, nil
}

// AddConference implements agenda.Registry.
func (r *Registry) AddConference(_ context.Context, l agenda.Listing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !agenda.ValidID(l.Slug) {
		return fmt.Errorf("memstore: conference slug %q: %w", l.Slug, agenda.ErrInvalid)
	}
	if _, ok := r.confs[l.Slug]; ok {
		return fmt.Errorf("memstore: conference %q %w: %w", l.Slug, agenda.ErrExists, agenda.ErrInvalid)
	}
	l.Default, l.Removed, l.PurgedRevision = len(r.order) == 0, time.Time{}, r.purged[l.Slug]
	r.confs[l.Slug] = &conference{listing: l, store: New(), picks: map[string]string{}}
	r.order = append(r.order, l.Slug)
	return nil
}

// conference returns conference slug; the caller holds r.mu.
func (r *Registry) conference(slug string) (*conference, error) {
	c, ok := r.confs[slug]
	if !ok {
		return nil, fmt.Errorf("memstore: conference %q: %w", slug, agenda.ErrNoConference)
	}
	return c, nil
}

func (r *Registry) change(slug string, fn func(*conference) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(slug)
	if err != nil {
		return err
	}
	return fn(c)
}

// SetSource implements agenda.Registry.
func (r *Registry) SetSource(_ context.Context, slug string, src agenda.Source) error {
	return r.change(slug, func(c *conference) error { c.listing.Source = src; return nil })
}

// RemoveConference implements agenda.Registry.
func (r *Registry) RemoveConference(_ context.Context, slug string) error {
	return r.change(slug, func(c *conference) error { c.listing.Removed = r.now().UTC(); return nil })
}

// RestoreConference implements agenda.Registry.
func (r *Registry) RestoreConference(_ context.Context, slug string) error {
	return r.change(slug, func(c *conference) error { c.listing.Removed = time.Time{}; return nil })
}

// PurgeConference implements agenda.Registry.
func (r *Registry) PurgeConference(_ context.Context, slug string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(slug)
	if err != nil {
		return err
	}
	if c.listing.Removed.IsZero() {
		return fmt.Errorf("memstore: conference %q is not removed: %w", slug, agenda.ErrInvalid)
	}
	if c.store.saved != nil {
		r.purged[slug] = max(r.purged[slug], c.store.saved.Revision())
	}
	delete(r.confs, slug)
	r.order = slices.DeleteFunc(r.order, func(s string) bool { return s == slug })
	r.subs = slices.DeleteFunc(r.subs, func(s agenda.PushSubscription) bool { return s.Conference == slug })
	r.outbox = slices.DeleteFunc(r.outbox, func(d agenda.Delivery) bool { return d.Conference == slug })
	for h, s := range r.tokens {
		if s == slug {
			delete(r.tokens, h)
		}
	}
	return nil
}

// Agenda implements agenda.Registry. The Store of an unknown conference
// fails every call with ErrNoConference.
func (r *Registry) Agenda(slug string) agenda.Store { return agendaOf{r, slug} }

type agendaOf struct {
	r    *Registry
	slug string
}

func (a agendaOf) store() (*Store, error) {
	a.r.mu.Lock()
	defer a.r.mu.Unlock()
	c, err := a.r.conference(a.slug)
	if err != nil {
		return nil, err
	}
	return c.store, nil
}

func (a agendaOf) Load(ctx context.Context) (*agenda.Snapshot, error) {
	s, err := a.store()
	if err != nil {
		return nil, err
	}
	return s.Load(ctx)
}

// Save stores next and, at once (the registry stays locked throughout),
// a delivery of its revision for each of the conference's webhooks.
func (a agendaOf) Save(ctx context.Context, next *agenda.Snapshot) error {
	a.r.mu.Lock()
	defer a.r.mu.Unlock()
	c, err := a.r.conference(a.slug)
	if err != nil {
		return err
	}
	if c.store.saved == nil && next.BaseRevision() < c.listing.FirstRevision() {
		return fmt.Errorf("memstore: save revision %d (log from %d) of %q, whose slug had revisions up to %d: %w",
			next.Revision(), next.BaseRevision(), a.slug, c.listing.PurgedRevision, agenda.ErrStale)
	}
	if err := c.store.Save(ctx, next); err != nil {
		return err
	}
	a.r.enqueue(c, next.Revision())
	return nil
}

func (a agendaOf) Close() error { return nil }

// AddToken implements agenda.Registry.
func (r *Registry) AddToken(_ context.Context, slug, hash string) error {
	return r.change(slug, func(*conference) error { r.tokens[hash] = slug; return nil })
}

// TokenConference implements agenda.Registry.
func (r *Registry) TokenConference(_ context.Context, hash string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	slug, ok := r.tokens[hash]
	if !ok || !r.confs[slug].listing.Removed.IsZero() {
		return "", fmt.Errorf("memstore: token: %w", agenda.ErrNoConference)
	}
	return slug, nil
}

// PutPick implements agenda.Registry (picks never expire in memory).
func (r *Registry) PutPick(_ context.Context, slug, code string, ids []string, limit int) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(slug)
	if err != nil {
		return "", err
	}
	list, err := agenda.EncodePick(ids)
	if err != nil {
		return "", fmt.Errorf("memstore: pick %q: %w", code, err)
	}
	for k, v := range c.picks {
		if v == list {
			return k, nil
		}
	}
	for _, other := range r.confs {
		if _, taken := other.picks[code]; taken {
			return "", fmt.Errorf("memstore: pick %q: %w", code, agenda.ErrPickCodeTaken)
		}
	}
	if len(c.picks) >= limit {
		return "", fmt.Errorf("memstore: %d picks stored: %w", len(c.picks), agenda.ErrPicksFull)
	}
	c.picks[code] = list
	return code, nil
}

// GetPick implements agenda.Registry.
func (r *Registry) GetPick(_ context.Context, slug, code string) ([]string, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, err := r.conference(slug)
	if err != nil {
		return nil, false, err
	}
	list, ok := c.picks[code]
	if !ok {
		return nil, false, nil
	}
	return agenda.DecodePick(list), true, nil
}

// Close does nothing.
func (r *Registry) Close() error { return nil }

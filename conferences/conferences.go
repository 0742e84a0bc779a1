// Package conferences runs the conferences one server hosts: each one's
// agenda.Service on its Store in a Registry, publishing to the server, its
// source followed when it has one, and its organizers' tokens. Changes are
// serialized per conference (each has its own Service), so a slow import
// of one never stalls another, and nothing one conference does touches
// another's revisions, bytes or tokens.
//
// Several servers may serve one registry (replicas on one database): each
// runs its own Manager, told of the others' revisions and listing changes
// (Notified, ListingChanged, Refresh), and Turns lets one of them at a time
// poll each followed source.
package conferences

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/source"
)

// Conference is one hosted conference.
type Conference struct {
	Listing agenda.Listing
	Service *agenda.Service
	// follower follows the source, nil for none; stop ends it.
	follower *source.Follower
	stop     func()

	mu   sync.Mutex
	poll *source.Status // the last poll of the source

	refresh kicker // a Refresh another process's revision asked for
}

// LastPoll returns how the last poll of the conference's source went, nil
// before the first and while another process polls it (Config.Turns): what
// this one saw when it last did is no news of the source.
func (c *Conference) LastPoll() *source.Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.poll
}

// Follows names the source the conference follows, "" when it follows none.
func (c *Conference) Follows() string {
	if c.follower == nil {
		return ""
	}
	return c.Listing.Source.Location
}

// Config configures a Manager.
type Config struct {
	// Registry keeps the conferences.
	Registry agenda.Registry
	// Publisher returns the function that publishes a conference's
	// revisions (web.Server.Publisher).
	Publisher func(slug string) agenda.PublishFunc
	// Logger receives what happens to the conferences; nil discards it.
	Logger *slog.Logger
	// Polled, when set, is told how every poll of a source went.
	Polled func(slug string, st source.Status)
	// Store wraps each conference's Store (e.g. to count its errors); nil
	// leaves them as they are.
	Store func(agenda.Store) agenda.Store
	// Withdraw, when set, is told of every conference no longer served
	// (removed here or by another process), so its URLs stop answering.
	Withdraw func(slug string)
	// Turns, when set, decides which of several processes serving the
	// registry polls a conference's followed source; nil: this one polls
	// every one.
	Turns Turns
	// DefaultSource, when set, is what the default conference follows
	// from now on (serve's -agenda and -follow): Open records it in the
	// registry, where a later process (another replica, the organizer
	// commands on the same store) finds it. The zero Source follows none;
	// nil leaves the registry's record as it is.
	DefaultSource *agenda.Source
}

// Turns decides which of several processes serving one registry (server
// replicas on one database) polls a conference's followed source, so that
// the source is polled as often as by one (postgres.Turns implements it).
type Turns interface {
	// Take reports whether this process polls conference slug's source
	// now, taking the turn when nobody holds it; an error is no turn.
	// It is asked before every poll, so when the process holding a turn
	// dies another takes it over within one follow period.
	Take(ctx context.Context, slug string) (bool, error)
	// Release gives up the turn of slug, which this process no longer
	// serves.
	Release(ctx context.Context, slug string) error
}

// Manager runs the conferences of a Registry. Its methods are safe for
// concurrent use.
type Manager struct {
	cfg Config
	log *slog.Logger

	starting sync.Mutex // held while a conference starts

	mu    sync.RWMutex
	confs map[string]*Conference // the served ones (not removed)
	order []string
	def   string
	ctx   context.Context // followers and notified refreshes run in it

	listings kicker // a reading of the registry another process asked for
}

// New returns a Manager serving nothing until Open.
func New(cfg Config) *Manager {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Store == nil {
		cfg.Store = func(s agenda.Store) agenda.Store { return s }
	}
	return &Manager{cfg: cfg, log: log, confs: map[string]*Conference{}}
}

// Open starts every conference the registry holds and has not removed,
// following their sources until ctx ends. A registry with no conference
// gets one, the default, from seed (nil: none).
func (m *Manager) Open(ctx context.Context, seed func() (*agenda.Snapshot, error)) error {
	m.mu.Lock()
	m.ctx = ctx
	m.mu.Unlock()
	list, err := m.cfg.Registry.Conferences(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 && seed != nil {
		snap, err := seed()
		if err != nil {
			return err
		}
		slug := agenda.DefaultSlug(snap.Conference().Name)
		// Replicas starting at once on a new store all get here: the
		// first adds the conference, the others find it added.
		first := agenda.Listing{Slug: slug}
		if m.cfg.DefaultSource != nil {
			first.Source = *m.cfg.DefaultSource
		}
		if err := m.cfg.Registry.AddConference(ctx, first); err != nil && !errors.Is(err, agenda.ErrExists) {
			return err
		}
		if list, err = m.cfg.Registry.Conferences(ctx); err != nil {
			return err
		}
		if i := slices.IndexFunc(list, func(x agenda.Listing) bool { return x.Slug == slug }); i >= 0 {
			if snap, err = firstAgenda(snap, list[i]); err != nil {
				return err
			}
		}
		if err := m.cfg.Registry.Agenda(slug).Save(ctx, snap); err != nil && !errors.Is(err, agenda.ErrStale) {
			return err
		}
	}
	for _, l := range list {
		if l.Default {
			m.def = l.Slug
			if src := m.cfg.DefaultSource; src != nil && l.Source != *src {
				if err := m.cfg.Registry.SetSource(ctx, l.Slug, *src); err != nil {
					return fmt.Errorf("conference %s: recording its source: %w", l.Slug, err)
				}
				m.log.Info("the default conference's source changed", "conference", l.Slug,
					"was", l.Source.Location, "follow_was", l.Source.Follow, "now", src.Location, "follow", src.Follow)
				l.Source = *src
			}
		}
		if !l.Removed.IsZero() {
			continue
		}
		var first func() (*agenda.Snapshot, error)
		if l.Default && seed != nil {
			// Added by a replica starting at the same moment, which may
			// not have stored its first agenda yet: this one stores the
			// same seed, or finds the other's.
			first = func() (*agenda.Snapshot, error) {
				snap, err := seed()
				if err != nil {
					return nil, err
				}
				return firstAgenda(snap, l)
			}
		}
		if _, err := m.start(ctx, l, first); errors.Is(err, agenda.ErrEmpty) {
			// Added, but its first agenda never stored (a crash in
			// between): there is nothing to serve yet.
			m.log.Warn("conference has no agenda yet; not served", "conference", l.Slug)
		} else if err != nil {
			return fmt.Errorf("conference %s: %w", l.Slug, err)
		}
	}
	return nil
}

// start opens conference l's service (its agenda from seed when its store
// is empty) and its follower.
func (m *Manager) start(ctx context.Context, l agenda.Listing, seed func() (*agenda.Snapshot, error)) (*Conference, error) {
	// One start at a time, so that Refresh and Create never both start
	// the same conference (two services, two followers).
	m.starting.Lock()
	defer m.starting.Unlock()
	if c, ok := m.Get(l.Slug); ok {
		return c, nil
	}
	svc, err := agenda.Open(ctx, m.cfg.Store(m.cfg.Registry.Agenda(l.Slug)), seed, m.cfg.Publisher(l.Slug))
	if err != nil {
		return nil, err
	}
	c := &Conference{Listing: l, Service: svc}
	m.follow(c)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.confs[l.Slug]; !dup {
		m.order = append(m.order, l.Slug)
	}
	m.confs[l.Slug] = c
	return c, nil
}

// firstAgenda is snap as the first agenda of conference l: at l's first
// revision, which is after every revision of a conference its slug named
// before and was purged, so that no sync token, ctag or webhook delivery
// of that one names one of this one's.
func firstAgenda(snap *agenda.Snapshot, l agenda.Listing) (*agenda.Snapshot, error) {
	rev := l.FirstRevision()
	if rev == snap.Revision() {
		return snap, nil
	}
	return agenda.NewSnapshot(snap.Contents(), rev, rev, nil)
}

// follow starts following c's source, when its listing names one to
// follow: polling it every period while the Manager's context lasts, in
// this process's turns when processes take turns.
func (m *Manager) follow(c *Conference) {
	if c.Listing.Source.Location == "" || c.Listing.Source.Follow <= 0 {
		return
	}
	src := sourceOf(c.Listing.Source)
	if src.Options.UIDDomain == "" {
		// Each version of the source is read as the first was stored:
		// where an importer derives session IDs from the UID domain
		// (an .ics calendar's UIDs, frab's guids), the stored
		// conference's keeps them the IDs they were, across versions
		// of confcal whose importers would pick another domain.
		src.Options.UIDDomain = c.Service.Current().Conference().UIDDomain
	}
	c.follower = &source.Follower{Source: src, Service: c.Service, Logger: m.log.With("conference", c.Listing.Slug),
		Report: func(st source.Status) {
			c.mu.Lock()
			c.poll = &st
			c.mu.Unlock()
			if m.cfg.Polled != nil {
				m.cfg.Polled(c.Listing.Slug, st)
			}
		}}
	if m.cfg.Turns != nil {
		c.follower.Turn = func(ctx context.Context) (bool, error) {
			ok, err := m.cfg.Turns.Take(ctx, c.Listing.Slug)
			if !ok {
				c.mu.Lock()
				c.poll = nil
				c.mu.Unlock()
			}
			return ok, err
		}
	}
	m.mu.RLock()
	fctx, stop := context.WithCancel(m.ctx)
	m.mu.RUnlock()
	c.stop = stop
	go c.follower.Follow(fctx, c.Listing.Source.Follow)
}

// refollow follows what listing l names as conference c's source now,
// which another process changed (a replica started with another -agenda
// or -follow): the old source's follower stops, giving up its turn, and
// the conference is served on with the new one, or with none. Without it
// this process would go on polling a source the store no longer records
// (undoing edits the commands now accept), or take edits of sessions that
// follow a source now.
func (m *Manager) refollow(c *Conference, l agenda.Listing) {
	m.starting.Lock()
	defer m.starting.Unlock()
	if cur, ok := m.Get(l.Slug); !ok || cur != c {
		return // stopped or replaced meanwhile
	}
	if c.stop != nil {
		c.stop()
		if m.cfg.Turns != nil {
			if err := m.cfg.Turns.Release(context.Background(), l.Slug); err != nil {
				m.log.Warn("giving up the turn to follow the source", "conference", l.Slug, "error", err)
			}
		}
	}
	n := &Conference{Listing: l, Service: c.Service}
	m.follow(n)
	m.mu.Lock()
	m.confs[l.Slug] = n
	m.mu.Unlock()
	m.log.Info("the conference's source changed in the store", "conference", l.Slug,
		"was", c.Listing.Source.Location, "follow_was", c.Listing.Source.Follow, "now", l.Source.Location, "follow", l.Source.Follow)
}

// sourceOf is the source a listing names.
func sourceOf(s agenda.Source) *source.Source {
	return &source.Source{Location: s.Location, Format: source.Format(s.Format),
		Options: formats.Options{TimeZone: s.TimeZone, UIDDomain: s.UIDDomain}}
}

// Get returns the served conference slug.
func (m *Manager) Get(slug string) (*Conference, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.confs[slug]
	return c, ok
}

// Default returns the default conference, false when it is not served.
func (m *Manager) Default() (*Conference, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.confs[m.def]
	return c, ok
}

// List returns the served conferences in the order they were added.
func (m *Manager) List() []*Conference {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*Conference, 0, len(m.order))
	for _, slug := range m.order {
		if c, ok := m.confs[slug]; ok {
			out = append(out, c)
		}
	}
	return out
}

// Create adds conference l with its first agenda: contents when given, else
// what its source holds now. The new conference is served at once.
func (m *Manager) Create(ctx context.Context, l agenda.Listing, contents *agenda.Contents) (*Conference, error) {
	if contents == nil {
		if l.Source.Location == "" {
			return nil, &agenda.Error{Kind: agenda.ErrInvalid, Msg: "a new conference needs a source or an agenda"}
		}
		res, _, err := sourceOf(l.Source).Read(ctx)
		if err != nil {
			return nil, &agenda.Error{Kind: agenda.ErrInvalid, Msg: fmt.Sprintf("reading %s: %v", l.Source.Location, err)}
		}
		contents = &res.Contents
	}
	snap, err := agenda.NewSnapshot(*contents, 1, 1, nil)
	if err != nil {
		return nil, err
	}
	if err := m.cfg.Registry.AddConference(ctx, l); errors.Is(err, agenda.ErrExists) {
		// Said plainly: the store's words name the store (a database URL).
		return nil, &agenda.Error{Kind: agenda.ErrExists, Msg: fmt.Sprintf("conference %s exists already (a removed one too, until it is purged); choose another slug", l.Slug)}
	} else if err != nil {
		return nil, err
	}
	list, err := m.cfg.Registry.Conferences(ctx)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(list, func(x agenda.Listing) bool { return x.Slug == l.Slug }); i >= 0 {
		l = list[i]
		if l.Default {
			m.mu.Lock()
			m.def = l.Slug
			m.mu.Unlock()
		}
	}
	if snap, err = firstAgenda(snap, l); err != nil {
		return nil, err
	}
	c, err := m.start(ctx, l, func() (*agenda.Snapshot, error) { return snap, nil })
	if err != nil {
		return nil, err
	}
	m.log.Info("conference added", "conference", l.Slug, "sessions", snap.Len())
	return c, nil
}

// RemoveConference stops serving conference slug and marks it removed in
// the registry, keeping its data (RestoreConference serves it again,
// PurgeConference deletes it). The default conference, which the root URLs
// serve, cannot be removed.
func (m *Manager) RemoveConference(ctx context.Context, slug string) error {
	m.mu.RLock()
	def := m.def
	m.mu.RUnlock()
	if slug == def {
		return &agenda.Error{Kind: agenda.ErrInvalid, Msg: fmt.Sprintf("conference %s is the default one, which the root URLs serve: it cannot be removed", slug)}
	}
	if err := m.cfg.Registry.RemoveConference(ctx, slug); err != nil {
		return err
	}
	m.stopServing(slug)
	m.log.Info("conference removed", "conference", slug)
	return nil
}

// stopServing stops conference slug's follower and its serving.
func (m *Manager) stopServing(slug string) {
	m.mu.Lock()
	c, ok := m.confs[slug]
	delete(m.confs, slug)
	m.order = slices.DeleteFunc(m.order, func(s string) bool { return s == slug })
	m.mu.Unlock()
	if ok && c.stop != nil {
		c.stop()
		if m.cfg.Turns != nil {
			if err := m.cfg.Turns.Release(context.Background(), slug); err != nil {
				// The turn goes with the connection, or when the
				// conference is served again.
				m.log.Warn("giving up the turn to follow the source", "conference", slug, "error", err)
			}
		}
	}
	if m.cfg.Withdraw != nil {
		m.cfg.Withdraw(slug)
	}
}

// RestoreConference serves a removed conference again.
func (m *Manager) RestoreConference(ctx context.Context, slug string) error {
	if err := m.cfg.Registry.RestoreConference(ctx, slug); err != nil {
		return err
	}
	list, err := m.cfg.Registry.Conferences(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(x agenda.Listing) bool { return x.Slug == slug })
	if i < 0 {
		return agenda.ErrNoConference
	}
	_, err = m.start(ctx, list[i], nil)
	return err
}

// PurgeConference deletes a removed conference and all it holds.
func (m *Manager) PurgeConference(ctx context.Context, slug string) error {
	return m.cfg.Registry.PurgeConference(ctx, slug)
}

// NewToken makes an organizer token for conference slug, stores its hash
// and returns it: the only time the token is seen.
func (m *Manager) NewToken(ctx context.Context, slug string) (string, error) {
	token := "cct_" + rand.Text() + rand.Text()
	if err := m.cfg.Registry.AddToken(ctx, slug, HashToken(token)); err != nil {
		return "", err
	}
	return token, nil
}

// TokenConference returns the conference whose organizer token token is.
func (m *Manager) TokenConference(ctx context.Context, token string) (string, error) {
	return m.cfg.Registry.TokenConference(ctx, HashToken(token))
}

// HashToken is what a registry keeps of a token: its SHA-256, in hex.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Refresh serves, in every conference, the revisions other processes
// stored (the command line, another replica), starts conferences they
// added or restored, stops those they removed and follows the sources
// they recorded. It reports the first error it met.
func (m *Manager) Refresh(ctx context.Context) error { return m.refresh(ctx, true) }

// refresh is Refresh; without revisions it only starts, stops and
// refollows conferences as the registry lists them.
func (m *Manager) refresh(ctx context.Context, revisions bool) error {
	// The served ones are taken before the registry is read: each was in
	// the registry by then (a conference is added there before it is
	// served), so one missing from the list was purged since.
	served := m.List()
	list, err := m.cfg.Registry.Conferences(ctx)
	if err != nil {
		return err
	}
	var first error
	for _, c := range served {
		slug := c.Listing.Slug
		i := slices.IndexFunc(list, func(l agenda.Listing) bool { return l.Slug == slug })
		if i < 0 || !list[i].Removed.IsZero() {
			m.stopServing(slug)
			m.log.Info("conference removed by another process", "conference", slug, "purged", i < 0)
			continue
		}
		if list[i].Source != c.Listing.Source {
			m.refollow(c, list[i])
		}
		if !revisions {
			continue
		}
		if changed, err := c.Service.Refresh(ctx); err != nil && first == nil {
			first = fmt.Errorf("conference %s: %w", slug, err)
		} else if changed {
			m.log.Info("serving a revision stored by another process", "conference", slug, "revision", c.Service.Current().Revision())
		}
	}
	for _, l := range list {
		if _, ok := m.Get(l.Slug); ok || !l.Removed.IsZero() {
			continue
		}
		if _, err := m.start(ctx, l, nil); err != nil && !errors.Is(err, agenda.ErrEmpty) && first == nil {
			first = fmt.Errorf("conference %s: %w", l.Slug, err)
		}
	}
	return first
}

// Poll refreshes every interval until ctx ends, logging failures.
func (m *Manager) Poll(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := m.Refresh(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("reading the store", "error", err)
		}
	}
}

// Notified tells the Manager that revision rev of conference slug was
// stored, by this process or another (a replica's notification). A served
// conference behind it is refreshed at once, in the background; one not
// served may be new, so the registry is read again. Notifications that
// come while a refresh runs make one more, not one each.
func (m *Manager) Notified(slug string, rev int64) {
	c, ok := m.Get(slug)
	if !ok {
		m.ListingChanged(slug)
		return
	}
	if cur := c.Service.Current(); cur != nil && cur.Revision() >= rev {
		return // this process stored it, or has caught up already
	}
	ctx := m.context()
	if ctx == nil {
		return
	}
	c.refresh.kick(func() {
		changed, err := c.Service.Refresh(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			// The next notification, the next catch-up or poll of the
			// store tries again.
			m.log.Error("serving a revision another process stored", "conference", slug, "error", err)
		case changed:
			m.log.Debug("serving a revision stored by another process", "conference", slug, "revision", c.Service.Current().Revision())
		}
	})
}

// ListingChanged tells the Manager that conference slug's listing changed
// (added, removed, restored, purged, its source set) by another process:
// the registry is read again in the background, starting, stopping and
// refollowing conferences as it lists them.
func (m *Manager) ListingChanged(slug string) {
	ctx := m.context()
	if ctx == nil {
		return
	}
	m.listings.kick(func() {
		if err := m.refresh(ctx, false); err != nil && ctx.Err() == nil {
			m.log.Error("reading the conferences another process changed", "conference", slug, "error", err)
		}
	})
}

// context is the one Open was given, nil before.
func (m *Manager) context() context.Context {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.ctx
}

// kicker runs a function in a goroutine of its own when kicked; kicks that
// come while it runs make it run once more afterwards, not once per kick.
type kicker struct {
	mu             sync.Mutex
	running, again bool
}

func (k *kicker) kick(fn func()) {
	k.mu.Lock()
	if k.running {
		k.again = true
		k.mu.Unlock()
		return
	}
	k.running = true
	k.mu.Unlock()
	go func() {
		for {
			fn()
			k.mu.Lock()
			if !k.again {
				k.running = false
				k.mu.Unlock()
				return
			}
			k.again = false
			k.mu.Unlock()
		}
	}()
}

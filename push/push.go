// Package push keeps WebDAV-Push subscriptions and sends their messages:
// the side of WebDAV-Push that package caldav leaves to a caldav.Push.
// caldav speaks the protocol (the properties, the push-register body, the
// push-message XML) and knows when a calendar changed; this package
// validates and bounds subscriptions, stores them (agenda.PushStore, so
// they survive restarts and every process sees them), and delivers each
// calendar's messages to its subscribers through a webpush.Sender, which
// encrypts (RFC 8291), signs (VAPID, RFC 8292) and sends only where
// package outbound lets it (https, public addresses, no redirects).
//
// Keeping this out of caldav keeps caldav a protocol adapter that imports
// no HTTP client and sends nothing: what a stranger's URL may reach, how
// often, and what happens when a push service answers 410 are decided in
// one place, tested without XML.
//
// Bursts are merged (webpush.Throttle): one message per calendar at once,
// then at most one per interval, carrying the latest sync token. A
// message goes out with the calendar's Topic header, so a push service
// holding messages for an offline phone keeps only the newest. A push
// service answering 404 or 410 (the subscription is gone), or a message
// that can never be delivered (the endpoint is refused, or the push
// service refuses it), removes the subscription; expired subscriptions
// are never sent to and are swept from the store.
package push

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"slices"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/webpush"
)

// Defaults for the zero fields of Options.
const (
	// DefaultInterval is how often one calendar's subscribers are pushed
	// at most: an organizer saving a dozen edits in a minute sends each
	// phone a handful of messages, not a dozen.
	DefaultInterval = 5 * time.Second
	// DefaultMaxExpiry is the longest a subscription is granted; clients
	// refresh theirs by registering again (DAVx⁵ does daily). The draft
	// asks servers to grant at least three days when asked.
	DefaultMaxExpiry = 7 * 24 * time.Hour
	// DefaultMaxPerCalendar bounds one calendar's subscriptions: every
	// attendee's phone, with room to spare.
	DefaultMaxPerCalendar = 20_000
	// DefaultMaxPerClient bounds the subscriptions one client address
	// holds, over all conferences: a phone subscribes to each calendar
	// it syncs, and a venue's attendees may share one address, so the
	// bound is wide; a flood from one address is not.
	DefaultMaxPerClient = 500
	// DefaultParallel bounds the messages being sent at once.
	DefaultParallel = 16
	// DefaultSweep is how often expired subscriptions are deleted.
	DefaultSweep = time.Hour
)

// MessageTTL is how long a push service keeps a message for a phone that
// is offline. A later message replaces it (Topic), so a day is enough: a
// phone offline for longer syncs on its own schedule when it is back.
const MessageTTL = 24 * time.Hour

// Options configure a Service.
type Options struct {
	// Store keeps the subscriptions; required.
	Store agenda.PushStore
	// Sender sends the messages (its keys are the VAPID keys clients are
	// given); required.
	Sender *webpush.Sender
	// Keys are the Sender's VAPID keys, whose public half PublicKey
	// gives; required.
	Keys *webpush.Keys
	// Clock is the time subscriptions expire by and the interval is
	// counted in; nil means the system clock.
	Clock webpush.Clock
	// Interval, MaxExpiry, MaxPerCalendar, MaxPerClient, Parallel and
	// Sweep: zero means the defaults above.
	Interval       time.Duration
	MaxExpiry      time.Duration
	MaxPerCalendar int
	MaxPerClient   int
	Parallel       int
	Sweep          time.Duration
	// Logger receives what happens to subscriptions; nil discards it.
	Logger *slog.Logger
	// Turns, when set, decides which of several processes serving the
	// same store (server replicas) sends a conference's messages; nil:
	// this one sends every message.
	Turns Turns
}

// Turns decides which of several processes on one store sends a
// conference's push messages (postgres.PushTurns implements it). Every
// replica hears every revision and would push it; asked before each
// delivery, Turns lets one of them, so each subscription gets one message
// per change, not one per replica. The others keep the revisions they
// heard until the store's pushed revision passes them, and send them
// should they get the turn first (the holder died before sending).
type Turns interface {
	// Take reports whether this process sends conference's messages now,
	// taking the turn when nobody holds it; an error is no turn. When
	// the process holding a turn dies, the next to ask takes it.
	Take(ctx context.Context, conference string) (bool, error)
}

// Service keeps the subscriptions of every conference and pushes their
// messages. Conference gives the caldav.Push of one conference. Messages
// are sent while Run runs.
type Service struct {
	opts  Options
	log   *slog.Logger
	clock webpush.Clock

	throttle *webpush.Throttle
	sends    chan struct{} // one token per message being sent

	mu      sync.Mutex
	latest  map[key][]byte // each calendar's newest message
	queued  map[key]bool   // calendars waiting for a worker
	queue   chan key
	running bool
	// marks are the revisions handed over (MarkPushed) and not yet
	// recorded in the store; marked tells writeMarks there are some;
	// handed says messages were handed over (Changed) since writeMarks
	// last recorded them.
	marks  map[string]int64
	marked chan struct{}
	handed bool
	// With Turns, what this process heard but may not have sent (see
	// watch): changed holds, per conference, the calendars handed over
	// since its last MarkPushed, which moves them into a batch of that
	// revision; batches are kept until the store's pushed revision passes
	// them.
	changed map[string]map[string]bool
	batches map[string][]batch
}

// batch is the calendars a revision changed.
type batch struct {
	rev       int64
	calendars []string
}

// key names a calendar of a conference.
type key struct{ conference, calendar string }

// throttleID is a calendar's key for the throttle, which takes strings.
func (k key) throttleID() string { return k.conference + "\x00" + k.calendar }

// queueSize bounds the calendars waiting to be sent to; each is queued
// once however often it changes, so this is a bound on calendars.
const queueSize = 4096

// New returns a Service with opts.
func New(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Sender == nil || opts.Keys == nil {
		return nil, errors.New("push: a Service needs a Store, a Sender and its Keys")
	}
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.MaxExpiry <= 0 {
		opts.MaxExpiry = DefaultMaxExpiry
	}
	if opts.MaxPerCalendar <= 0 {
		opts.MaxPerCalendar = DefaultMaxPerCalendar
	}
	if opts.MaxPerClient <= 0 {
		opts.MaxPerClient = DefaultMaxPerClient
	}
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.Sweep <= 0 {
		opts.Sweep = DefaultSweep
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{opts: opts, log: log, clock: opts.Clock, sends: make(chan struct{}, opts.Parallel),
		latest: map[key][]byte{}, queued: map[key]bool{}, queue: make(chan key, queueSize),
		marks: map[string]int64{}, marked: make(chan struct{}, 1),
		changed: map[string]map[string]bool{}, batches: map[string][]batch{}}
	s.throttle = webpush.NewThrottle(opts.Interval, opts.Clock, func(id string) { s.enqueue(id) })
	return s, nil
}

// Keys returns the VAPID keys kept in store: the stored ones, or new ones,
// stored now, on a first start. Every process on the store gets the same
// keys, so a subscription made through one is served by all. The keys are
// a secret: never log them (Keys.String shows the public key only).
func Keys(ctx context.Context, store agenda.PushStore) (*webpush.Keys, error) {
	fresh, err := webpush.GenerateKeys()
	if err != nil {
		return nil, err
	}
	stored, err := store.PushKey(ctx, fresh.Encode())
	if err != nil {
		return nil, fmt.Errorf("push: the stored VAPID key: %w", err)
	}
	keys, err := webpush.ParseKeys(stored)
	if err != nil {
		return nil, fmt.Errorf("push: the stored VAPID key: %w", err)
	}
	return keys, nil
}

// Conference is the WebDAV-Push of one conference's calendars: a
// caldav.Push.
type Conference struct {
	s    *Service
	slug string
}

// Conference returns the caldav.Push of conference slug.
func (s *Service) Conference(slug string) *Conference { return &Conference{s: s, slug: slug} }

// PublicKey implements caldav.Push: the VAPID public key.
func (c *Conference) PublicKey() string { return c.s.opts.Keys.PublicKey() }

// Topic implements caldav.Push: webpush.Topic of the conference and
// calendar, so calendars of different conferences never share one, and
// the push service sees neither name.
func (c *Conference) Topic(calendar string) string { return webpush.Topic(c.slug + "/" + calendar) }

// Subscribe implements caldav.Push: it checks the subscription as the
// Sender will send to it (the keys a P-256 point and a 16-byte secret, the
// endpoint an https URL that outbound may reach), grants an expiry of at
// most MaxExpiry, and stores it within the bounds per calendar and per
// client.
func (c *Conference) Subscribe(ctx context.Context, sub agenda.PushSubscription) (agenda.PushSubscription, error) {
	ws, err := webpush.ParseSubscription(sub.Endpoint, sub.P256dh, sub.Auth)
	if err == nil {
		err = c.s.opts.Sender.Check(ws)
	}
	if err != nil {
		return agenda.PushSubscription{}, &agenda.Error{Kind: agenda.ErrInvalid, Msg: err.Error()}
	}
	now := c.s.clock.Now()
	longest := now.Add(c.s.opts.MaxExpiry)
	switch {
	case sub.Expires.IsZero() || sub.Expires.After(longest):
		sub.Expires = longest
	case !sub.Expires.After(now):
		return agenda.PushSubscription{}, &agenda.Error{Kind: agenda.ErrInvalid, Msg: "the expiry asked for has passed"}
	}
	// The Expires header has whole seconds: the stored expiry is what the
	// client is told.
	sub.Expires = sub.Expires.UTC().Truncate(time.Second)
	sub.ID = rand.Text()
	sub.Conference = c.slug
	sub.Client = clientHash(sub.Client)
	stored, err := c.s.opts.Store.PutSubscription(ctx, sub, now, c.s.opts.MaxPerCalendar, c.s.opts.MaxPerClient)
	if err != nil {
		return agenda.PushSubscription{}, fmt.Errorf("push: %w", err)
	}
	c.s.log.InfoContext(ctx, "push subscription registered", "conference", c.slug, "calendar", sub.Calendar,
		"push_service", host(sub.Endpoint), "expires", stored.Expires)
	return stored, nil
}

// clientHash is what is stored of a client's address: enough to count its
// subscriptions, not the address itself.
func clientHash(client string) string {
	sum := sha256.Sum256([]byte("confcal push client\x00" + client))
	return hex.EncodeToString(sum[:12])
}

// Unsubscribe implements caldav.Push.
func (c *Conference) Unsubscribe(ctx context.Context, id string) error {
	if err := c.s.opts.Store.DeleteSubscription(ctx, c.slug, id); err != nil {
		return fmt.Errorf("push: %w", err)
	}
	c.s.log.InfoContext(ctx, "push subscription removed by its client", "conference", c.slug)
	return nil
}

// Changed implements caldav.Push: message is sent to the calendar's
// subscribers, merged with the calendar's other changes within the
// interval (the newest message wins).
func (c *Conference) Changed(calendar string, message []byte) {
	k := key{c.slug, calendar}
	c.s.mu.Lock()
	c.s.latest[k] = message
	c.s.handed = true
	if c.s.opts.Turns != nil {
		if c.s.changed[c.slug] == nil {
			c.s.changed[c.slug] = map[string]bool{}
		}
		c.s.changed[c.slug][calendar] = true
	}
	c.s.mu.Unlock()
	c.s.throttle.Changed(k.throttleID())
}

// Pushed implements caldav.Push: the revision recorded last by MarkPushed,
// by any process on the store.
func (c *Conference) Pushed(ctx context.Context) (int64, error) {
	rev, err := c.s.opts.Store.PushedRevision(ctx, c.slug)
	if err != nil {
		return 0, fmt.Errorf("push: %w", err)
	}
	return rev, nil
}

// MarkPushed implements caldav.Push. The revision is recorded in the store
// (writeMarks) once the messages handed over with it have had time to be
// sent, and not at all when the Service stops first: a server starting
// after that pushes those changes again rather than not at all.
func (c *Conference) MarkPushed(rev int64) {
	c.s.mu.Lock()
	c.s.marks[c.slug] = max(c.s.marks[c.slug], rev)
	if cals := c.s.changed[c.slug]; len(cals) > 0 {
		c.s.batches[c.slug] = append(c.s.batches[c.slug], batch{rev, slices.Sorted(maps.Keys(cals))})
		delete(c.s.changed, c.slug)
	}
	c.s.mu.Unlock()
	select {
	case c.s.marked <- struct{}{}:
	default:
	}
}

// writeMarks records the marks of MarkPushed until ctx ends: at once when
// no message was handed over with them, else after twice the throttle's
// interval, when the messages handed over before them have left the
// throttle and been sent. Marks made while it waits are the next round's.
//
// With Turns, only the process holding a conference's turn records its
// marks; another one watches them instead (see watch).
func (s *Service) writeMarks(ctx context.Context) {
	watching := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.marked:
		}
		s.mu.Lock()
		marks, wait := s.marks, s.handed
		s.marks, s.handed = map[string]int64{}, false
		s.mu.Unlock()
		if wait {
			done := make(chan struct{})
			t := s.clock.AfterFunc(2*s.opts.Interval, func() { close(done) })
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-done:
			}
		}
		for slug, rev := range marks {
			if s.opts.Turns != nil {
				// Only the process that sends a conference's messages
				// says they went out: the others' marks would move past
				// messages its death kept from going out.
				if mine, err := s.opts.Turns.Take(ctx, slug); err != nil || !mine {
					watching[slug] = true
					continue
				}
				s.forget(slug, rev)
			}
			if err := s.opts.Store.MarkPushed(ctx, slug, rev); err != nil && ctx.Err() == nil && !errors.Is(err, agenda.ErrNoConference) {
				s.log.Warn("push: recording the revision pushed", "conference", slug, "revision", rev, "error", err)
			}
		}
		for slug := range watching {
			if !s.watch(ctx, slug) {
				delete(watching, slug)
			}
		}
		if len(watching) > 0 {
			// Look again once the holder has had time to record them.
			s.clock.AfterFunc(2*s.opts.Interval, func() {
				select {
				case s.marked <- struct{}{}:
				default:
				}
			})
		}
	}
}

// watch follows, in a process without conference slug's turn, the
// revisions it heard: once the store's pushed revision passes them, the
// process holding the turn sent their messages; should this process be
// given the turn before that, the holder died before sending them, and
// this one sends them (each calendar's newest message) and records them
// after. It reports whether any are left to watch.
func (s *Service) watch(ctx context.Context, slug string) bool {
	s.mu.Lock()
	none := len(s.batches[slug]) == 0
	s.mu.Unlock()
	if none { // a revision that changed no calendar: nothing to send
		return false
	}
	stored, err := s.opts.Store.PushedRevision(ctx, slug)
	switch {
	case errors.Is(err, agenda.ErrNoConference):
		// Removed: nobody is left to push to.
		s.forget(slug, math.MaxInt64)
		return false
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("push: reading the revision pushed", "conference", slug, "error", err)
		}
		return true
	}
	s.forget(slug, stored)
	s.mu.Lock()
	left := slices.Clone(s.batches[slug])
	s.mu.Unlock()
	if len(left) == 0 {
		return false
	}
	if mine, err := s.opts.Turns.Take(ctx, slug); err != nil || !mine {
		return true
	}
	s.log.Info("push: sending the messages of a process that had this conference's turn and is gone",
		"conference", slug, "from_revision", left[0].rev, "to_revision", left[len(left)-1].rev)
	seen := map[string]bool{}
	for _, b := range left {
		for _, cal := range b.calendars {
			if !seen[cal] {
				seen[cal] = true
				s.throttle.Changed(key{slug, cal}.throttleID())
			}
		}
	}
	s.mu.Lock()
	s.marks[slug] = max(s.marks[slug], left[len(left)-1].rev)
	s.handed = true
	s.mu.Unlock()
	select {
	case s.marked <- struct{}{}:
	default:
	}
	return false
}

// forget drops conference slug's batches of revisions up to rev: their
// messages went out.
func (s *Service) forget(slug string, rev int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batches[slug]
	i := 0
	for i < len(b) && b[i].rev <= rev {
		i++
	}
	if i == len(b) {
		delete(s.batches, slug)
	} else {
		s.batches[slug] = b[i:]
	}
}

// enqueue hands a calendar the throttle let through to the workers.
func (s *Service) enqueue(id string) {
	var k key
	for i := 0; i < len(id); i++ {
		if id[i] == 0 {
			k = key{id[:i], id[i+1:]}
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queued[k] {
		// Waiting already: the worker sends the newest message.
		return
	}
	select {
	case s.queue <- k:
		s.queued[k] = true
	default:
		s.log.Warn("push: too many calendars waiting to be pushed; this change is not pushed", "conference", k.conference, "calendar", k.calendar)
	}
}

// Run sends messages and sweeps expired subscriptions until ctx ends.
// Messages decided on before Run starts wait for it.
func (s *Service) Run(ctx context.Context) {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		s.log.Error("push: Run called while running; the second call does nothing")
		return
	}
	s.running = true
	s.mu.Unlock()
	defer s.throttle.Stop()
	var wg sync.WaitGroup
	wg.Go(func() { s.sweep(ctx) })
	wg.Go(func() { s.writeMarks(ctx) })
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case k := <-s.queue:
			s.mu.Lock()
			delete(s.queued, k)
			msg := s.latest[k]
			s.mu.Unlock()
			s.deliver(ctx, &wg, k, msg)
		}
	}
}

// deliver sends msg to every subscription of calendar k, up to Parallel at
// once (over all calendars), if this process has the conference's turn.
func (s *Service) deliver(ctx context.Context, wg *sync.WaitGroup, k key, msg []byte) {
	if s.opts.Turns != nil {
		mine, err := s.opts.Turns.Take(ctx, k.conference)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("push: cannot tell which process sends; this change is not pushed from here", "conference", k.conference,
				"calendar", k.calendar, "error", err)
			return
		case !mine:
			// The replica holding the turn heard the same revision
			// and sends it.
			s.log.Debug("push: another process sends this conference's messages", "conference", k.conference, "calendar", k.calendar)
			return
		}
	}
	subs, err := s.opts.Store.Subscriptions(ctx, k.conference, k.calendar, s.clock.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("push: reading the subscriptions", "conference", k.conference, "calendar", k.calendar, "error", err)
		}
		return
	}
	topic := webpush.Topic(k.conference + "/" + k.calendar)
	for _, sub := range subs {
		select {
		case s.sends <- struct{}{}:
		case <-ctx.Done():
			return
		}
		wg.Go(func() {
			defer func() { <-s.sends }()
			s.send(ctx, sub, webpush.Message{Payload: msg, Topic: topic, TTL: MessageTTL})
		})
	}
}

// send sends one message and acts on the push service's answer.
func (s *Service) send(ctx context.Context, sub agenda.PushSubscription, msg webpush.Message) {
	ws, err := webpush.ParseSubscription(sub.Endpoint, sub.P256dh, sub.Auth)
	if err == nil {
		err = s.opts.Sender.Send(ctx, ws, msg)
	}
	log := s.log.With("conference", sub.Conference, "calendar", sub.Calendar, "push_service", host(sub.Endpoint))
	switch {
	case err == nil:
		log.Debug("push message sent")
	case ctx.Err() != nil:
	case errors.Is(err, webpush.ErrGone), errors.Is(err, webpush.ErrRejected), errors.Is(err, webpush.ErrSubscription):
		// The subscription will never take a message again: gone
		// (404/410), refused by outbound (its address, a redirect), or
		// refused by its push service. The draft asks servers to remove
		// such subscriptions.
		if derr := s.opts.Store.DeleteSubscription(context.WithoutCancel(ctx), sub.Conference, sub.ID); derr != nil && !errors.Is(derr, agenda.ErrNotFound) {
			log.Error("push: removing a subscription that failed", "error", derr)
			return
		}
		log.Info("push subscription removed: messages cannot be delivered to it", "reason", err)
	case errors.Is(err, webpush.ErrUnavailable):
		log.Warn("push service unavailable; the message is not delivered", "error", err)
	default:
		log.Error("push: sending a message", "error", err)
	}
}

// sweep deletes expired subscriptions every Sweep, and once at start.
func (s *Service) sweep(ctx context.Context) {
	for {
		n, err := s.opts.Store.DeleteExpiredSubscriptions(ctx, s.clock.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("push: deleting expired subscriptions", "error", err)
		case n > 0:
			s.log.Info("push: expired subscriptions deleted", "count", n)
		}
		done := make(chan struct{})
		t := s.clock.AfterFunc(s.opts.Sweep, func() { close(done) })
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-done:
		}
	}
}

// Sweep deletes the expired subscriptions now and reports how many.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	return s.opts.Store.DeleteExpiredSubscriptions(ctx, s.clock.Now())
}

// host names a push service in logs: the endpoint's host only, since the
// rest of it identifies the subscriber.
func host(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "?"
	}
	return u.Hostname()
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) webpush.Timer { return time.AfterFunc(d, f) }

// Package webhook delivers every revision of a conference to the URLs its
// organizers registered: a conference app, a screen in the hall, a chat
// bot. Each revision is POSTed as JSON (api.Revision: the conference, the
// revision, its changes in the change log's words, the sessions they
// touch) with these headers:
//
//	Content-Type:      application/json
//	Confcal-Delivery:  <conference>:<revision>
//	Confcal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
//
// Confcal-Delivery is the idempotency key: a receiver may get a delivery
// more than once (it is delivered at least once), and one it has seen
// can be ignored. Confcal-Signature proves the body came from the server
// that holds the webhook's secret, unaltered: the receiver computes
// HMAC-SHA256 with the secret as key over the decimal t, a full stop, and
// the raw body bytes, compares it in constant time with v1, and refuses a
// t too far from its clock (five minutes, say), so a recorded delivery
// cannot be replayed later.
//
// Deliveries come from the outbox in the store (agenda.PushStore), which
// the store fills in the same transaction as the revision itself: a
// revision stored is a revision delivered, whatever happens to the
// process. A Deliverer takes each webhook's oldest waiting revision, so a
// receiver gets a conference's revisions in order; a failed attempt (no
// answer, a redirect, anything but 2xx) is retried after a backoff that
// doubles up to a cap, and the revisions after it wait. Requests go
// through an outbound.Client: https only, no private addresses, no
// redirects followed.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/outbound"
)

// The headers of a delivery.
const (
	SignatureHeader = "Confcal-Signature"
	DeliveryHeader  = "Confcal-Delivery"
)

// Sign returns the Confcal-Signature value of body sent at t with secret:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<unix seconds>." + body)>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// MaxWebhooks bounds a conference's webhooks.
const MaxWebhooks = 20

// MaxURL is the longest webhook URL accepted.
const MaxURL = 2048

// Registry manages conferences' webhooks in a store: what the web API's
// /api/webhooks calls.
type Registry struct {
	Store agenda.PushStore
	// Client checks URLs as it will send to them.
	Client *outbound.Client
	// Now stamps new webhooks; nil means time.Now.
	Now func() time.Time
}

// AddWebhook adds a webhook for rawURL to conference and returns it with
// its secret, the one time the secret is given out. A URL the Client will
// not send to is refused (agenda.ErrInvalid), as is a webhook past
// MaxWebhooks (agenda.ErrWebhooksFull).
func (r *Registry) AddWebhook(ctx context.Context, conference, rawURL string) (api.Webhook, error) {
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return api.Webhook{}, &agenda.Error{Kind: agenda.ErrInvalid, Msg: "url: a webhook needs the URL revisions are sent to"}
	}
	if len(rawURL) > MaxURL {
		return api.Webhook{}, &agenda.Error{Kind: agenda.ErrInvalid, Msg: fmt.Sprintf("url: longer than %d bytes", MaxURL)}
	}
	if err := r.Client.CheckURL(rawURL); err != nil {
		return api.Webhook{}, &agenda.Error{Kind: agenda.ErrInvalid, Msg: "url: " + err.Error()}
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	w := agenda.Webhook{ID: "wh_" + strings.ToLower(rand.Text()), Conference: conference, URL: rawURL,
		Secret: "whsec_" + rand.Text() + rand.Text(), Created: now().UTC().Truncate(time.Second)}
	if err := r.Store.AddWebhook(ctx, w, MaxWebhooks); err != nil {
		if errors.Is(err, agenda.ErrWebhooksFull) {
			return api.Webhook{}, &agenda.Error{Kind: agenda.ErrInvalid, Msg: fmt.Sprintf("this conference has %d webhooks, the most it may have; remove one first", MaxWebhooks)}
		}
		return api.Webhook{}, err
	}
	out := document(w)
	out.Secret = w.Secret
	return out, nil
}

// Webhooks lists conference's webhooks, without their secrets.
func (r *Registry) Webhooks(ctx context.Context, conference string) ([]api.Webhook, error) {
	list, err := r.Store.Webhooks(ctx, conference)
	if err != nil {
		return nil, err
	}
	out := make([]api.Webhook, len(list))
	for i, w := range list {
		out[i] = document(w)
	}
	return out, nil
}

// RemoveWebhook removes webhook id of conference and what waits to be
// delivered to it (agenda.ErrNotFound for none).
func (r *Registry) RemoveWebhook(ctx context.Context, conference, id string) error {
	// Every webhook's ID is printable ASCII (AddWebhook makes them):
	// anything else is nobody's, and is not handed to a store that may
	// refuse it (PostgreSQL takes no NUL and no bytes that are no UTF-8).
	if id == "" || len(id) > 100 || strings.IndexFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) >= 0 {
		return &agenda.Error{Kind: agenda.ErrNotFound, Msg: "no such webhook"}
	}
	err := r.Store.DeleteWebhook(ctx, conference, id)
	if errors.Is(err, agenda.ErrNotFound) {
		// The store's words name the store (a table, a database URL);
		// whoever removes a webhook needs only this.
		return &agenda.Error{Kind: agenda.ErrNotFound, Msg: fmt.Sprintf("no webhook %s in this conference", id)}
	}
	return err
}

func document(w agenda.Webhook) api.Webhook {
	return api.Webhook{ID: w.ID, URL: w.URL, Created: w.Created.UTC().Format(time.RFC3339)}
}

// Timeout is how long a receiver has to answer a delivery: give the
// Deliverer's Client (outbound.Options.Timeout) at most this. Receivers
// should answer at once and do their work after.
const Timeout = 10 * time.Second

// Defaults for the zero fields of a Deliverer. A delivery's lease outlasts
// a request by a margin: a process killed while sending leaves the
// delivery to whoever runs next once the lease ends, so this is also how
// long deliveries stall after a crash.
const (
	DefaultPoll       = time.Second
	DefaultLease      = Timeout + 5*time.Second
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Hour
	DefaultBatch      = 32
)

// Deliverer sends what waits in the outbox. Several may run on one store
// (replicas): the outbox's leases keep them from sending one delivery at
// once, though a delivery whose answer was lost may be sent again.
type Deliverer struct {
	// Store holds the outbox; required.
	Store agenda.PushStore
	// Client sends the deliveries; required.
	Client *outbound.Client
	// Snapshot returns a snapshot of conference that holds revision rev
	// (its own revision rev or later); required.
	Snapshot func(ctx context.Context, conference string, rev int64) (*agenda.Snapshot, error)
	// Logger receives what happens; nil discards it.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Poll is how often the outbox is looked at when it had nothing due;
	// Lease how long a delivery being sent is kept from others (longer
	// than the Client lets a request take: see Timeout); MinBackoff the wait after a first failed
	// attempt, doubled after each further one up to MaxBackoff; Batch
	// the deliveries taken at once. Zero means the defaults above.
	Poll, Lease, MinBackoff, MaxBackoff time.Duration
	Batch                               int
}

// Run delivers until ctx ends: it takes what is due, sends it (one
// request per webhook at a time, webhooks in parallel), and looks again at
// once while there was something, or after Poll.
func (d *Deliverer) Run(ctx context.Context) {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	poll := cmpOr(d.Poll, DefaultPoll)
	for {
		n, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("webhooks: reading the outbox", "error", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// RunOnce takes the deliveries due now and sends them, and reports how
// many it took.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	now := d.now()
	batch := d.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	due, err := d.Store.ClaimDeliveries(ctx, now, cmpOr(d.Lease, DefaultLease), batch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	hooks := map[string]map[string]agenda.Webhook{} // conference → ID → webhook
	var wg sync.WaitGroup
	for _, x := range due {
		byID, ok := hooks[x.Conference]
		if !ok {
			list, err := d.Store.Webhooks(ctx, x.Conference)
			if err != nil && !errors.Is(err, agenda.ErrNoConference) {
				return len(due), err
			}
			byID = map[string]agenda.Webhook{}
			for _, w := range list {
				byID[w.ID] = w
			}
			hooks[x.Conference] = byID
		}
		w, ok := byID[x.Webhook]
		if !ok {
			// Removed since it was claimed, and its deliveries with it.
			continue
		}
		wg.Go(func() { d.deliver(ctx, w, x) })
	}
	wg.Wait()
	return len(due), nil
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// deliver makes one attempt of x and records its outcome.
func (d *Deliverer) deliver(ctx context.Context, w agenda.Webhook, x agenda.Delivery) {
	log := d.logger().With("conference", x.Conference, "revision", x.Revision, "webhook", w.ID, "host", hostOf(w.URL))
	err := d.send(ctx, w, x)
	if ctx.Err() != nil {
		// Shutting down: the lease ends, and the delivery is taken
		// again, by this process's next run or another's.
		return
	}
	// The outcome is recorded even while shutting down, so an answered
	// delivery is not sent again.
	rctx := context.WithoutCancel(ctx)
	if err == nil {
		if derr := d.Store.DeliveryDone(rctx, x); derr != nil && !errors.Is(derr, agenda.ErrNotFound) {
			log.Error("webhooks: recording a delivery", "error", derr)
			return
		}
		log.Info("webhook delivered", "attempts", x.Attempts+1)
		return
	}
	wait := backoff(x.Attempts, cmpOr(d.MinBackoff, DefaultMinBackoff), cmpOr(d.MaxBackoff, DefaultMaxBackoff))
	reason := err.Error()
	if len(reason) > 300 {
		reason = reason[:300] + "…"
	}
	if derr := d.Store.DeliveryFailed(rctx, x, d.now().Add(wait), reason); derr != nil && !errors.Is(derr, agenda.ErrNotFound) {
		log.Error("webhooks: recording a failed delivery", "error", derr)
		return
	}
	log.Warn("webhook delivery failed; trying again later", "attempts", x.Attempts+1, "retry_in", wait.Round(time.Millisecond), "error", reason)
}

// backoff is the wait after attempts+1 failed attempts: min doubled per
// earlier failure, capped at max, less up to a tenth at random so that
// many failed deliveries do not retry in step.
func backoff(attempts int, lo, hi time.Duration) time.Duration {
	d := hi
	if attempts < 62 {
		if f := float64(lo) * math.Pow(2, float64(attempts)); f < float64(hi) {
			d = time.Duration(f)
		}
	}
	return d - time.Duration(mrand.Int64N(int64(d)/10+1))
}

// send posts revision x.Revision of x.Conference to w.
func (d *Deliverer) send(ctx context.Context, w agenda.Webhook, x agenda.Delivery) error {
	snap, err := d.Snapshot(ctx, x.Conference, x.Revision)
	if err != nil {
		return fmt.Errorf("reading revision %d: %w", x.Revision, err)
	}
	doc, err := api.RevisionOf(x.Conference, snap, x.Revision)
	if err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(DeliveryHeader, x.Conference+":"+strconv.FormatInt(x.Revision, 10))
	req.Header.Set(SignatureHeader, Sign(w.Secret, d.now(), body))
	resp, err := d.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}

// hostOf names a webhook's host in logs: its URL's path and query may hold
// a token of the receiver's.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Host
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

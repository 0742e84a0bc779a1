package agenda

import (
	"context"
	"errors"
	"time"
)

// PushSubscription is a WebDAV-Push subscription to one calendar of one
// conference: where a phone's push service takes messages for it, and the
// keys its messages are encrypted with. It expires; clients refresh it by
// registering again.
type PushSubscription struct {
	// ID names the subscription in its registration URL, the only
	// credential needed to remove it: long and random.
	ID string
	// Conference and Calendar name what it is subscribed to: the
	// conference's slug and the calendar's path segment ("all",
	// "track-talks", …).
	Conference, Calendar string
	// Endpoint is the push resource messages are posted to; for one
	// calendar it identifies the subscription (a client registering the
	// same endpoint again updates it).
	Endpoint string
	// P256dh and Auth are the subscriber's public key and authentication
	// secret, as it sent them (base64url).
	P256dh, Auth string
	// Client names who registered it (a hash of the client's address), for
	// the bound on subscriptions per client.
	Client string
	// Expires is when it ends.
	Expires time.Time
}

// Webhook is a URL that receives every revision of a conference, signed
// with a secret the receiver shares.
type Webhook struct {
	ID         string
	Conference string
	URL        string
	Secret     string
	Created    time.Time
}

// Delivery is one revision of a conference waiting in the outbox for one
// webhook.
type Delivery struct {
	Conference string
	Revision   int64
	Webhook    string
	// Attempts counts the failed attempts so far.
	Attempts int
	// Next is when it may be tried (again).
	Next time.Time
	// LastError says why the last attempt failed ("" before the first).
	LastError string
}

// Errors of a PushStore.
var (
	// ErrSubscriptionsFull: a calendar, or a client, holds as many push
	// subscriptions as it may.
	ErrSubscriptionsFull = errors.New("too many push subscriptions")
	// ErrWebhooksFull: a conference has as many webhooks as it may.
	ErrWebhooksFull = errors.New("too many webhooks")
)

// PushStore keeps what changes are pushed with, beside the conferences of
// a Registry: the server's VAPID key, WebDAV-Push subscriptions, webhooks
// and the webhook outbox. Everything survives restarts and is shared by
// every process on the store.
//
// The outbox is filled by the conferences' Stores themselves: a Save that
// stores revisions adds, in the same transaction, one Delivery per webhook
// the conference has for each revision stored (Next: now, no attempts), so
// a revision stored is a revision delivered, whatever happens to the
// process after. Purging a conference deletes its subscriptions, webhooks
// and deliveries.
type PushStore interface {
	// PushKey returns the server's VAPID private key (webpush.Keys'
	// Encode): the stored one, or candidate, stored now, when there is
	// none. Every process sharing the store so signs with one key.
	PushKey(ctx context.Context, candidate string) (string, error)

	// PutSubscription stores s, or, when its conference and calendar
	// have a subscription with its endpoint, updates that one's keys,
	// client and expiry and returns it (with its ID, not s's). A new
	// subscription is refused with ErrSubscriptionsFull when its calendar
	// holds perCalendar unexpired subscriptions, or its client perClient
	// over all conferences; expired ones do not count (now is the time
	// they are judged by). An unknown conference is ErrNoConference.
	PutSubscription(ctx context.Context, s PushSubscription, now time.Time, perCalendar, perClient int) (PushSubscription, error)
	// Subscriptions returns the subscriptions of a calendar that have not
	// expired at now.
	Subscriptions(ctx context.Context, conference, calendar string, now time.Time) ([]PushSubscription, error)
	// DeleteSubscription deletes subscription id of conference
	// (ErrNotFound when it has none of that ID).
	DeleteSubscription(ctx context.Context, conference, id string) error
	// DeleteExpiredSubscriptions deletes the subscriptions expired at now
	// and reports how many.
	DeleteExpiredSubscriptions(ctx context.Context, now time.Time) (int, error)

	// AddWebhook stores w, refused with ErrWebhooksFull when its
	// conference has limit webhooks, ErrNoConference for an unknown one.
	AddWebhook(ctx context.Context, w Webhook, limit int) error
	// Webhooks lists a conference's webhooks in the order they were
	// added.
	Webhooks(ctx context.Context, conference string) ([]Webhook, error)
	// DeleteWebhook deletes webhook id of conference and its deliveries
	// (ErrNotFound when it has none of that ID).
	DeleteWebhook(ctx context.Context, conference, id string) error

	// ClaimDeliveries returns up to limit deliveries due at now, at most
	// one per conference and webhook, and always the lowest revision
	// waiting for it, so every webhook gets a conference's revisions in
	// order. Each returned delivery is leased: its Next moves to now +
	// lease, so another process (or a later call) does not take it too
	// while it is being sent, and a process that dies sending it leaves it
	// to be sent again when the lease ends.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// DeliveryDone removes a delivered delivery from the outbox.
	DeliveryDone(ctx context.Context, d Delivery) error
	// DeliveryFailed counts a failed attempt of d and sets when it is
	// tried next, with why it failed.
	DeliveryFailed(ctx context.Context, d Delivery, next time.Time, reason string) error
	// Outbox lists the deliveries waiting for a conference's webhooks,
	// in order (webhook, then revision), for operators and tests.
	Outbox(ctx context.Context, conference string) ([]Delivery, error)

	// PushedRevision returns the latest revision of conference whose
	// changes were handed to WebDAV-Push (MarkPushed), by any process on
	// the store; 0 when none was. A server starting compares it with
	// the revision it serves, so that changes stored while no server ran
	// (by a command on the store) are pushed too. An unknown conference
	// is ErrNoConference.
	PushedRevision(ctx context.Context, conference string) (int64, error)
	// MarkPushed records that conference's changes up to revision rev
	// were handed to WebDAV-Push; a rev below the one recorded changes
	// nothing. An unknown conference is ErrNoConference.
	MarkPushed(ctx context.Context, conference string, rev int64) error
}

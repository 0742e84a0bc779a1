package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"confcal/agenda"

	"github.com/jackc/pgx/v5"
)

// Version 2 keeps what changes are pushed with (agenda.PushStore), as the
// SQLite store's version 7 does: the server's VAPID key, WebDAV-Push
// subscriptions, webhooks and their outbox. It only adds tables, so every
// store of version 1 is one of version 2 with none of these yet.
//
// The instants of these tables are Unix nanoseconds (bigint): timestamptz
// holds microseconds, and a delivery's next attempt or a subscription's
// expiry must read back as it was written, as the SQLite store keeps them.
// The serial columns keep the order rows were added in, which the
// contract's lists follow.
const schema2 = `
	CREATE TABLE push_keys (
		name  text PRIMARY KEY,
		value text NOT NULL
	);
	CREATE TABLE push_subscriptions (
		id       text PRIMARY KEY,
		seq      bigserial NOT NULL,
		conf     text NOT NULL REFERENCES conferences (slug),
		calendar text NOT NULL,
		endpoint text NOT NULL,
		p256dh   text NOT NULL,
		auth     text NOT NULL,
		client   text NOT NULL,
		expires  bigint NOT NULL,
		UNIQUE (conf, calendar, endpoint)
	);
	CREATE INDEX push_subscriptions_by_client ON push_subscriptions (client, expires);
	CREATE INDEX push_subscriptions_by_expiry ON push_subscriptions (expires);
	CREATE TABLE webhooks (
		id       text PRIMARY KEY,
		conf     text NOT NULL REFERENCES conferences (slug),
		position bigint NOT NULL,
		url      text NOT NULL,
		secret   text NOT NULL,
		created  bigint NOT NULL
	);
	CREATE INDEX webhooks_by_conference ON webhooks (conf, position);
	CREATE TABLE webhook_outbox (
		conf         text NOT NULL REFERENCES conferences (slug),
		webhook      text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
		revision     bigint NOT NULL,
		attempts     integer NOT NULL DEFAULT 0,
		next_attempt bigint NOT NULL,
		last_error   text NOT NULL DEFAULT '',
		PRIMARY KEY (webhook, revision)
	);
	CREATE INDEX webhook_outbox_by_time ON webhook_outbox (next_attempt);
	CREATE INDEX webhook_outbox_by_conference ON webhook_outbox (conf);`

// Version 3 keeps, per conference, the latest revision whose changes were
// handed to WebDAV-Push, as the SQLite store's version 8 does. It only
// adds a table.
const schema3 = `
	CREATE TABLE push_marks (
		conf     text PRIMARY KEY REFERENCES conferences (slug),
		revision bigint NOT NULL
	);`

// nanos is how these tables store t.
func nanos(t time.Time) int64 { return t.UnixNano() }

// fromNanos reads an instant of these tables.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// The VAPID key's row in push_keys.
const vapidKey = "vapid"

var _ agenda.PushStore = (*Store)(nil)

// enqueue adds, inside a Save's transaction, a delivery of revision rev
// for each of conference slug's webhooks. The webhooks are key-share
// locked: one being deleted meanwhile is waited for and then skipped,
// rather than failing the Save on the outbox's foreign key.
func enqueue(ctx context.Context, tx pgx.Tx, slug string, rev int64, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO webhook_outbox (conf, webhook, revision, next_attempt)
		SELECT conf, id, $2, $3 FROM webhooks WHERE conf = $1 FOR KEY SHARE`, slug, rev, nanos(now))
	if err != nil {
		return fmt.Errorf("webhook outbox: %w", err)
	}
	return nil
}

// PushKey implements agenda.PushStore.
func (s *Store) PushKey(ctx context.Context, candidate string) (string, error) {
	var key string
	err := s.write(ctx, "VAPID key", func(tx pgx.Tx) error {
		// Two replicas starting at once both insert; one row wins, and
		// both read it.
		if _, err := tx.Exec(ctx, "INSERT INTO push_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", vapidKey, candidate); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT value FROM push_keys WHERE name = $1", vapidKey).Scan(&key)
	})
	return key, err
}

// StoredPushKey returns the stored VAPID key, "" when there is none (to
// copy the store to another; PushKey stores one).
func (s *Store) StoredPushKey(ctx context.Context) (string, error) {
	var key string
	err := s.queryRow(ctx, "SELECT value FROM push_keys WHERE name = $1", vapidKey).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.errorf("VAPID key: %w", err)
	}
	return key, nil
}

// PutSubscription implements agenda.PushStore. The bounds are judged under
// one transaction-scoped advisory lock for every subscription of the
// store, so subscriptions stored by several replicas at once cannot
// exceed them: the bound per client counts over all conferences, so no
// narrower lock would do, and registrations are rare enough (a phone
// refreshes each calendar's once a day) to queue up.
func (s *Store) PutSubscription(ctx context.Context, sub agenda.PushSubscription, now time.Time, perCalendar, perClient int) (agenda.PushSubscription, error) {
	out := sub
	err := s.write(ctx, "push subscription", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, advisoryLock("push subscriptions")); err != nil {
			return err
		}
		if err := known(ctx, tx, sub.Conference, "FOR KEY SHARE"); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE push_subscriptions SET p256dh = $4, auth = $5, client = $6, expires = $7
			WHERE conf = $1 AND calendar = $2 AND endpoint = $3`,
			sub.Conference, sub.Calendar, sub.Endpoint, sub.P256dh, sub.Auth, sub.Client, nanos(sub.Expires))
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 {
			return tx.QueryRow(ctx, "SELECT id FROM push_subscriptions WHERE conf = $1 AND calendar = $2 AND endpoint = $3",
				sub.Conference, sub.Calendar, sub.Endpoint).Scan(&out.ID)
		}
		var calendar, client int
		if err := tx.QueryRow(ctx, `SELECT
				count(*) FILTER (WHERE conf = $1 AND calendar = $2),
				count(*) FILTER (WHERE client = $3)
			FROM push_subscriptions WHERE expires > $4 AND (conf = $1 AND calendar = $2 OR client = $3)`,
			sub.Conference, sub.Calendar, sub.Client, nanos(now)).Scan(&calendar, &client); err != nil {
			return err
		}
		switch {
		case calendar >= perCalendar:
			return fmt.Errorf("calendar %s of %s has %d subscriptions: %w", sub.Calendar, sub.Conference, calendar, agenda.ErrSubscriptionsFull)
		case client >= perClient:
			return fmt.Errorf("the client has %d subscriptions: %w", client, agenda.ErrSubscriptionsFull)
		}
		_, err = tx.Exec(ctx, `INSERT INTO push_subscriptions (id, conf, calendar, endpoint, p256dh, auth, client, expires)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sub.ID, sub.Conference, sub.Calendar, sub.Endpoint, sub.P256dh, sub.Auth, sub.Client, nanos(sub.Expires))
		return err
	})
	if err != nil {
		return agenda.PushSubscription{}, err
	}
	return out, nil
}

// scanSubscription reads a row of id, conf, calendar, endpoint, p256dh,
// auth, client, expires.
func scanSubscription(r pgx.CollectableRow) (agenda.PushSubscription, error) {
	var (
		x       agenda.PushSubscription
		expires int64
	)
	err := r.Scan(&x.ID, &x.Conference, &x.Calendar, &x.Endpoint, &x.P256dh, &x.Auth, &x.Client, &expires)
	x.Expires = fromNanos(expires)
	return x, err
}

// Subscriptions implements agenda.PushStore.
func (s *Store) Subscriptions(ctx context.Context, conference, calendar string, now time.Time) ([]agenda.PushSubscription, error) {
	out, err := query(ctx, s, scanSubscription, `SELECT id, conf, calendar, endpoint, p256dh, auth, client, expires FROM push_subscriptions
		WHERE conf = $1 AND calendar = $2 AND expires > $3 ORDER BY seq`, conference, calendar, nanos(now))
	if err != nil {
		return nil, s.errorf("push subscriptions of %s/%s: %w", conference, calendar, err)
	}
	return out, nil
}

// AllSubscriptions lists every subscription of conference slug, expired
// ones too, in the order they were stored (to copy the store to another).
func (s *Store) AllSubscriptions(ctx context.Context, slug string) ([]agenda.PushSubscription, error) {
	out, err := query(ctx, s, scanSubscription, `SELECT id, conf, calendar, endpoint, p256dh, auth, client, expires FROM push_subscriptions
		WHERE conf = $1 ORDER BY seq`, slug)
	if err != nil {
		return nil, s.errorf("push subscriptions of %s: %w", slug, err)
	}
	return out, nil
}

// DeleteSubscription implements agenda.PushStore.
func (s *Store) DeleteSubscription(ctx context.Context, conference, id string) error {
	return s.write(ctx, "delete a push subscription", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM push_subscriptions WHERE conf = $1 AND id = $2", conference, id)
		return deleted(tag.RowsAffected(), err)
	})
}

// deleted is agenda.ErrNotFound for a statement that touched no row.
func deleted(n int64, err error) error {
	if err == nil && n == 0 {
		return agenda.ErrNotFound
	}
	return err
}

// DeleteExpiredSubscriptions implements agenda.PushStore.
func (s *Store) DeleteExpiredSubscriptions(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.exec(ctx, "DELETE FROM push_subscriptions WHERE expires <= $1", nanos(now))
	if err != nil {
		return 0, s.errorf("delete expired push subscriptions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// AddWebhook implements agenda.PushStore. Webhooks are added under one
// advisory lock, so replicas adding at once neither exceed the limit nor
// take one position twice.
func (s *Store) AddWebhook(ctx context.Context, w agenda.Webhook, limit int) error {
	return s.write(ctx, "add a webhook", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, advisoryLock("webhooks")); err != nil {
			return err
		}
		if err := known(ctx, tx, w.Conference, "FOR KEY SHARE"); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM webhooks WHERE conf = $1", w.Conference).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			return fmt.Errorf("%s has %d webhooks: %w", w.Conference, n, agenda.ErrWebhooksFull)
		}
		return insertWebhook(ctx, tx, w)
	})
}

// insertWebhook adds w after every stored webhook; the caller holds the
// webhooks lock.
func insertWebhook(ctx context.Context, tx pgx.Tx, w agenda.Webhook) error {
	_, err := tx.Exec(ctx, `INSERT INTO webhooks (id, conf, position, url, secret, created)
		SELECT $1, $2, coalesce(max(position) + 1, 0), $3, $4, $5 FROM webhooks`,
		w.ID, w.Conference, w.URL, w.Secret, nanos(w.Created))
	return err
}

// Webhooks implements agenda.PushStore.
func (s *Store) Webhooks(ctx context.Context, conference string) ([]agenda.Webhook, error) {
	var one int
	err := s.queryRow(ctx, "SELECT 1 FROM conferences WHERE slug = $1", conference).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, s.errorf("webhooks: conference %q: %w", conference, agenda.ErrNoConference)
	}
	if err != nil {
		return nil, s.errorf("webhooks of %s: %w", conference, err)
	}
	out, err := query(ctx, s, func(r pgx.CollectableRow) (agenda.Webhook, error) {
		w := agenda.Webhook{Conference: conference}
		var created int64
		err := r.Scan(&w.ID, &w.URL, &w.Secret, &created)
		w.Created = fromNanos(created)
		return w, err
	}, "SELECT id, url, secret, created FROM webhooks WHERE conf = $1 ORDER BY position", conference)
	if err != nil {
		return nil, s.errorf("webhooks of %s: %w", conference, err)
	}
	return out, nil
}

// DeleteWebhook implements agenda.PushStore.
func (s *Store) DeleteWebhook(ctx context.Context, conference, id string) error {
	return s.write(ctx, "delete webhook "+id, func(tx pgx.Tx) error {
		// Its deliveries go with it (ON DELETE CASCADE).
		tag, err := tx.Exec(ctx, "DELETE FROM webhooks WHERE conf = $1 AND id = $2", conference, id)
		return deleted(tag.RowsAffected(), err)
	})
}

// scanDelivery reads a row of conf, webhook, revision, attempts,
// next_attempt, last_error.
func scanDelivery(r pgx.CollectableRow) (agenda.Delivery, error) {
	var (
		d    agenda.Delivery
		next int64
	)
	err := r.Scan(&d.Conference, &d.Webhook, &d.Revision, &d.Attempts, &next, &d.LastError)
	d.Next = fromNanos(next)
	return d, err
}

// ClaimDeliveries implements agenda.PushStore. The heads of the webhooks'
// queues are locked FOR UPDATE SKIP LOCKED: a process claiming at the same
// time passes over them rather than waiting, and finds them leased (not
// due) once this transaction commits; a webhook's later revisions are not
// its head while its head waits, so they are never claimed before it.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]agenda.Delivery, error) {
	var out []agenda.Delivery
	err := s.write(ctx, "claim webhook deliveries", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.conf, o.webhook, o.revision, o.attempts, o.next_attempt, o.last_error
			FROM webhook_outbox o
			WHERE o.next_attempt <= $1
				AND o.revision = (SELECT min(revision) FROM webhook_outbox WHERE webhook = o.webhook)
			ORDER BY o.next_attempt, o.revision LIMIT $2
			FOR UPDATE SKIP LOCKED`, nanos(now), limit)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectRows(rows, scanDelivery); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		until := now.Add(lease).UTC()
		hooks := make([]string, len(out))
		revs := make([]int64, len(out))
		for i := range out {
			hooks[i], revs[i] = out[i].Webhook, out[i].Revision
			out[i].Next = until
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_outbox o SET next_attempt = $1
			FROM unnest($2::text[], $3::bigint[]) AS c (webhook, revision)
			WHERE o.webhook = c.webhook AND o.revision = c.revision`, nanos(until), hooks, revs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeliveryDone implements agenda.PushStore.
func (s *Store) DeliveryDone(ctx context.Context, d agenda.Delivery) error {
	tag, err := s.exec(ctx, "DELETE FROM webhook_outbox WHERE conf = $1 AND webhook = $2 AND revision = $3", d.Conference, d.Webhook, d.Revision)
	if err = deleted(tag.RowsAffected(), err); err != nil {
		return s.errorf("finish a webhook delivery: %w", err)
	}
	return nil
}

// DeliveryFailed implements agenda.PushStore.
func (s *Store) DeliveryFailed(ctx context.Context, d agenda.Delivery, next time.Time, reason string) error {
	tag, err := s.exec(ctx, `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt = $4, last_error = $5
		WHERE conf = $1 AND webhook = $2 AND revision = $3`, d.Conference, d.Webhook, d.Revision, nanos(next), reason)
	if err = deleted(tag.RowsAffected(), err); err != nil {
		return s.errorf("retry a webhook delivery: %w", err)
	}
	return nil
}

// Outbox implements agenda.PushStore.
func (s *Store) Outbox(ctx context.Context, conference string) ([]agenda.Delivery, error) {
	out, err := query(ctx, s, scanDelivery, `SELECT o.conf, o.webhook, o.revision, o.attempts, o.next_attempt, o.last_error
		FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook
		WHERE o.conf = $1 ORDER BY w.position, o.revision`, conference)
	if err != nil {
		return nil, s.errorf("outbox of %s: %w", conference, err)
	}
	return out, nil
}

// PushedRevision implements agenda.PushStore.
func (s *Store) PushedRevision(ctx context.Context, conference string) (int64, error) {
	var rev *int64
	err := s.queryRow(ctx, `SELECT m.revision FROM conferences c LEFT JOIN push_marks m ON m.conf = c.slug
		WHERE c.slug = $1`, conference).Scan(&rev)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, s.errorf("pushed revision: conference %q: %w", conference, agenda.ErrNoConference)
	case err != nil:
		return 0, s.errorf("pushed revision of %s: %w", conference, err)
	case rev == nil:
		return 0, nil
	}
	return *rev, nil
}

// MarkPushed implements agenda.PushStore.
func (s *Store) MarkPushed(ctx context.Context, conference string, rev int64) error {
	return s.write(ctx, "mark "+conference+" pushed", func(tx pgx.Tx) error {
		if err := known(ctx, tx, conference, "FOR KEY SHARE"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO push_marks (conf, revision) VALUES ($1, $2)
			ON CONFLICT (conf) DO UPDATE SET revision = greatest(push_marks.revision, excluded.revision)`, conference, rev)
		return err
	})
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confcal/agenda"
)

// Version 7 keeps what changes are pushed with (agenda.PushStore): the
// server's VAPID key, WebDAV-Push subscriptions, webhooks and their
// outbox. It only adds tables, so every store of version 6 is one of
// version 7 with none of these yet.
const schema7 = `
	CREATE TABLE push_keys (
		name  TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);
	CREATE TABLE push_subscriptions (
		id       TEXT PRIMARY KEY,
		conf     TEXT NOT NULL REFERENCES conferences (slug),
		calendar TEXT NOT NULL,
		endpoint TEXT NOT NULL,
		p256dh   TEXT NOT NULL,
		auth     TEXT NOT NULL,
		client   TEXT NOT NULL,
		expires  TEXT NOT NULL,
		UNIQUE (conf, calendar, endpoint)
	);
	CREATE INDEX push_subscriptions_by_client ON push_subscriptions (client, expires);
	CREATE INDEX push_subscriptions_by_expiry ON push_subscriptions (expires);
	CREATE TABLE webhooks (
		id       TEXT PRIMARY KEY,
		conf     TEXT NOT NULL REFERENCES conferences (slug),
		position INTEGER NOT NULL,
		url      TEXT NOT NULL,
		secret   TEXT NOT NULL,
		created  TEXT NOT NULL
	);
	CREATE TABLE webhook_outbox (
		conf         TEXT NOT NULL REFERENCES conferences (slug),
		webhook      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
		revision     INTEGER NOT NULL,
		attempts     INTEGER NOT NULL DEFAULT 0,
		next_attempt TEXT NOT NULL,
		last_error   TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (webhook, revision)
	);
	CREATE INDEX webhook_outbox_by_time ON webhook_outbox (next_attempt);`

// Version 8 keeps, per conference, the latest revision whose changes were
// handed to WebDAV-Push (agenda.PushStore's PushedRevision). It only adds
// a table: a conference without a row has none recorded.
const schema8 = `
	CREATE TABLE push_marks (
		conf     TEXT PRIMARY KEY REFERENCES conferences (slug),
		revision INTEGER NOT NULL
	);`

// stampFormat writes the instants of these tables, which queries compare
// as text: fixed width in UTC, so text order is time order (RFC 3339 with
// its fraction trimmed is not: "…:00Z" sorts after "…:00.5Z").
const stampFormat = "2006-01-02T15:04:05.000000000Z07:00"

// stamp formats t for these tables.
func stamp(t time.Time) string { return t.UTC().Format(stampFormat) }

// The VAPID key's row in push_keys.
const vapidKey = "vapid"

var _ agenda.PushStore = (*Store)(nil)

// enqueue adds, inside a Save's transaction, a delivery of revision rev
// for each of conference slug's webhooks.
func enqueue(ctx context.Context, tx *sql.Tx, slug string, rev int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO webhook_outbox (conf, webhook, revision, next_attempt)
		SELECT conf, id, ?, ? FROM webhooks WHERE conf = ?`, rev, stamp(now), slug)
	if err != nil {
		return fmt.Errorf("webhook outbox: %w", err)
	}
	return nil
}

// PushKey implements agenda.PushStore.
func (s *Store) PushKey(ctx context.Context, candidate string) (string, error) {
	var key string
	err := s.write(ctx, "VAPID key", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO push_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", vapidKey, candidate); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM push_keys WHERE name = ?", vapidKey).Scan(&key)
	})
	return key, err
}

// PutSubscription implements agenda.PushStore.
func (s *Store) PutSubscription(ctx context.Context, sub agenda.PushSubscription, now time.Time, perCalendar, perClient int) (agenda.PushSubscription, error) {
	out := sub
	err := s.write(ctx, "push subscription", func(tx *sql.Tx) error {
		if err := known(ctx, tx, sub.Conference); err != nil {
			return err
		}
		expires := stamp(sub.Expires)
		var id string
		err := tx.QueryRowContext(ctx, "SELECT id FROM push_subscriptions WHERE conf = ? AND calendar = ? AND endpoint = ?",
			sub.Conference, sub.Calendar, sub.Endpoint).Scan(&id)
		switch {
		case err == nil:
			out.ID = id
			_, err = tx.ExecContext(ctx, "UPDATE push_subscriptions SET p256dh = ?, auth = ?, client = ?, expires = ? WHERE id = ?",
				sub.P256dh, sub.Auth, sub.Client, expires, id)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		at := stamp(now)
		var calendar, client int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM push_subscriptions WHERE conf = ? AND calendar = ? AND expires > ?",
			sub.Conference, sub.Calendar, at).Scan(&calendar); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM push_subscriptions WHERE client = ? AND expires > ?",
			sub.Client, at).Scan(&client); err != nil {
			return err
		}
		switch {
		case calendar >= perCalendar:
			return fmt.Errorf("calendar %s of %s has %d subscriptions: %w", sub.Calendar, sub.Conference, calendar, agenda.ErrSubscriptionsFull)
		case client >= perClient:
			return fmt.Errorf("the client has %d subscriptions: %w", client, agenda.ErrSubscriptionsFull)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO push_subscriptions (id, conf, calendar, endpoint, p256dh, auth, client, expires)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sub.ID, sub.Conference, sub.Calendar, sub.Endpoint, sub.P256dh, sub.Auth, sub.Client, expires)
		return err
	})
	if err != nil {
		return agenda.PushSubscription{}, err
	}
	return out, nil
}

// subscriptionColumns are the columns scanSubscription reads, in its order.
const subscriptionColumns = "id, calendar, endpoint, p256dh, auth, client, expires"

// scanSubscription reads a row of subscriptionColumns of conference's
// subscriptions.
func scanSubscription(r *sql.Rows, conference string) (agenda.PushSubscription, error) {
	x := agenda.PushSubscription{Conference: conference}
	var expires string
	if err := r.Scan(&x.ID, &x.Calendar, &x.Endpoint, &x.P256dh, &x.Auth, &x.Client, &expires); err != nil {
		return x, err
	}
	t, err := time.Parse(timeFormat, expires)
	if err != nil {
		return x, fmt.Errorf("subscription %s: expires: %w", x.ID, err)
	}
	x.Expires = t
	return x, nil
}

// Subscriptions implements agenda.PushStore.
func (s *Store) Subscriptions(ctx context.Context, conference, calendar string, now time.Time) ([]agenda.PushSubscription, error) {
	var out []agenda.PushSubscription
	err := query(ctx, s.db, `SELECT `+subscriptionColumns+` FROM push_subscriptions
		WHERE conf = ? AND calendar = ? AND expires > ? ORDER BY rowid`, conference, calendar, stamp(now),
		func(r *sql.Rows) error {
			x, err := scanSubscription(r, conference)
			if err != nil {
				return err
			}
			out = append(out, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: push subscriptions of %s/%s: %w", conference, calendar, busy(err))
	}
	return out, nil
}

// DeleteSubscription implements agenda.PushStore.
func (s *Store) DeleteSubscription(ctx context.Context, conference, id string) error {
	return s.write(ctx, "delete a push subscription", func(tx *sql.Tx) error {
		return deleted(tx.ExecContext(ctx, "DELETE FROM push_subscriptions WHERE conf = ? AND id = ?", conference, id))
	})
}

// deleted turns a DELETE's result into agenda.ErrNotFound when it deleted
// nothing.
func deleted(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, agenda.ErrNotFound)
	}
	return nil
}

// DeleteExpiredSubscriptions implements agenda.PushStore.
func (s *Store) DeleteExpiredSubscriptions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, "delete expired push subscriptions", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM push_subscriptions WHERE expires <= ?", stamp(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// AddWebhook implements agenda.PushStore.
func (s *Store) AddWebhook(ctx context.Context, w agenda.Webhook, limit int) error {
	return s.write(ctx, "add a webhook", func(tx *sql.Tx) error {
		if err := known(ctx, tx, w.Conference); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM webhooks WHERE conf = ?", w.Conference).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			return fmt.Errorf("%s has %d webhooks: %w", w.Conference, n, agenda.ErrWebhooksFull)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, conf, position, url, secret, created)
			SELECT ?, ?, coalesce(max(position) + 1, 0), ?, ?, ? FROM webhooks`,
			w.ID, w.Conference, w.URL, w.Secret, stamp(w.Created))
		return err
	})
}

// Webhooks implements agenda.PushStore.
func (s *Store) Webhooks(ctx context.Context, conference string) ([]agenda.Webhook, error) {
	if err := known(ctx, s.db, conference); err != nil {
		return nil, fmt.Errorf("sqlite: webhooks: %w", busy(err))
	}
	var out []agenda.Webhook
	err := query(ctx, s.db, "SELECT id, url, secret, created FROM webhooks WHERE conf = ? ORDER BY position", conference, func(r *sql.Rows) error {
		w := agenda.Webhook{Conference: conference}
		var created string
		if err := r.Scan(&w.ID, &w.URL, &w.Secret, &created); err != nil {
			return err
		}
		t, err := time.Parse(timeFormat, created)
		if err != nil {
			return fmt.Errorf("webhook %s: created: %w", w.ID, err)
		}
		w.Created = t
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: webhooks of %s: %w", conference, busy(err))
	}
	return out, nil
}

// DeleteWebhook implements agenda.PushStore.
func (s *Store) DeleteWebhook(ctx context.Context, conference, id string) error {
	return s.write(ctx, "delete webhook "+id, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM webhook_outbox WHERE conf = ? AND webhook = ?", conference, id); err != nil {
			return err
		}
		return deleted(tx.ExecContext(ctx, "DELETE FROM webhooks WHERE conf = ? AND id = ?", conference, id))
	})
}

// ClaimDeliveries implements agenda.PushStore.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]agenda.Delivery, error) {
	// Deliverers ask every second or so; most of the time nothing is
	// due, which a read tells without taking the write lock that every
	// Save of every process on the file waits for.
	var due int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM webhook_outbox WHERE next_attempt <= ? LIMIT 1)", stamp(now)).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("sqlite: webhook outbox: %w", busy(err))
	}
	if due == 0 {
		return nil, nil
	}
	var out []agenda.Delivery
	err = s.write(ctx, "claim webhook deliveries", func(tx *sql.Tx) error {
		out = out[:0]
		// The head of each webhook's queue, if it is due.
		err := query(ctx, tx, `SELECT o.conf, o.webhook, o.revision, o.attempts, o.next_attempt, o.last_error
			FROM webhook_outbox o
			WHERE o.revision = (SELECT min(revision) FROM webhook_outbox WHERE webhook = o.webhook)
				AND o.next_attempt <= ?
			ORDER BY o.next_attempt, o.revision LIMIT ?`, stamp(now), limit, func(r *sql.Rows) error {
			var d agenda.Delivery
			var next string
			if err := r.Scan(&d.Conference, &d.Webhook, &d.Revision, &d.Attempts, &next, &d.LastError); err != nil {
				return err
			}
			t, err := time.Parse(timeFormat, next)
			if err != nil {
				return fmt.Errorf("delivery of revision %d to %s: next attempt: %w", d.Revision, d.Webhook, err)
			}
			d.Next = t
			out = append(out, d)
			return nil
		})
		if err != nil {
			return err
		}
		until := now.Add(lease).UTC()
		for i := range out {
			if _, err := tx.ExecContext(ctx, "UPDATE webhook_outbox SET next_attempt = ? WHERE webhook = ? AND revision = ?",
				stamp(until), out[i].Webhook, out[i].Revision); err != nil {
				return err
			}
			out[i].Next = until
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeliveryDone implements agenda.PushStore.
func (s *Store) DeliveryDone(ctx context.Context, d agenda.Delivery) error {
	return s.write(ctx, "finish a webhook delivery", func(tx *sql.Tx) error {
		return deleted(tx.ExecContext(ctx, "DELETE FROM webhook_outbox WHERE conf = ? AND webhook = ? AND revision = ?", d.Conference, d.Webhook, d.Revision))
	})
}

// DeliveryFailed implements agenda.PushStore.
func (s *Store) DeliveryFailed(ctx context.Context, d agenda.Delivery, next time.Time, reason string) error {
	return s.write(ctx, "retry a webhook delivery", func(tx *sql.Tx) error {
		return deleted(tx.ExecContext(ctx, `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?
			WHERE conf = ? AND webhook = ? AND revision = ?`, stamp(next), reason, d.Conference, d.Webhook, d.Revision))
	})
}

// Outbox implements agenda.PushStore.
func (s *Store) Outbox(ctx context.Context, conference string) ([]agenda.Delivery, error) {
	var out []agenda.Delivery
	err := query(ctx, s.db, `SELECT o.webhook, o.revision, o.attempts, o.next_attempt, o.last_error
		FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook
		WHERE o.conf = ? ORDER BY w.position, o.revision`, conference, func(r *sql.Rows) error {
		d := agenda.Delivery{Conference: conference}
		var next string
		if err := r.Scan(&d.Webhook, &d.Revision, &d.Attempts, &next, &d.LastError); err != nil {
			return err
		}
		t, err := time.Parse(timeFormat, next)
		if err != nil {
			return fmt.Errorf("delivery of revision %d to %s: next attempt: %w", d.Revision, d.Webhook, err)
		}
		d.Next = t
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox of %s: %w", conference, busy(err))
	}
	return out, nil
}

// PushedRevision implements agenda.PushStore.
func (s *Store) PushedRevision(ctx context.Context, conference string) (int64, error) {
	if err := known(ctx, s.db, conference); err != nil {
		return 0, fmt.Errorf("sqlite: pushed revision: %w", busy(err))
	}
	var rev int64
	err := s.db.QueryRowContext(ctx, "SELECT revision FROM push_marks WHERE conf = ?", conference).Scan(&rev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlite: pushed revision of %s: %w", conference, busy(err))
	}
	return rev, nil
}

// MarkPushed implements agenda.PushStore.
func (s *Store) MarkPushed(ctx context.Context, conference string, rev int64) error {
	return s.write(ctx, "mark "+conference+" pushed", func(tx *sql.Tx) error {
		if err := known(ctx, tx, conference); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO push_marks (conf, revision) VALUES (?, ?)
			ON CONFLICT (conf) DO UPDATE SET revision = max(revision, excluded.revision)`, conference, rev)
		return err
	})
}

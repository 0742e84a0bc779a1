package sqlite

import (
	"context"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// A store of schema version 6 opens as version 9 with everything it held,
// and takes subscriptions, webhooks, deliveries and push marks from then
// on.
func TestMigrateToPushTables(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	v1 := agendatest.Small(t)
	if err := st.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutPick(ctx, "", "aaaaaaaaaaaaaaaa", []string{"late-talk"}, 10); err != nil {
		t.Fatal(err)
	}
	// Versions 7 to 9 only add tables: without them, and marked 6, the
	// file is what version 6 wrote.
	for _, q := range []string{"DROP TABLE purged_revisions", "DROP TABLE push_marks", "DROP TABLE webhook_outbox", "DROP TABLE webhooks", "DROP TABLE push_subscriptions",
		"DROP TABLE push_keys", "PRAGMA user_version = 6"} {
		if _, err := st.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()

	st, err = Open(ctx, dir)
	if err != nil {
		t.Fatalf("Open of a version 6 store: %v", err)
	}
	defer st.Close()
	var version int
	if err := st.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != 9 {
		t.Fatalf("schema version %d (%v), want 9", version, err)
	}
	got, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision() != 1 || len(got.Sessions()) != len(v1.Sessions()) {
		t.Errorf("after migrating: revision %d with %d sessions, want 1 with %d", got.Revision(), len(got.Sessions()), len(v1.Sessions()))
	}
	if ids, ok, err := st.GetPick(ctx, "", "aaaaaaaaaaaaaaaa"); !ok || err != nil || len(ids) != 1 {
		t.Errorf("pick after migrating: %v, %v, %v", ids, ok, err)
	}
	slug, err := st.defaultConference(ctx, st.db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddWebhook(ctx, agenda.Webhook{ID: "h", Conference: slug, URL: "https://example.org/h", Secret: "s", Created: time.Now()}, 10); err != nil {
		t.Fatal(err)
	}
	e := got.Edit("test", time.Now())
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	v2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, v2); err != nil {
		t.Fatal(err)
	}
	if out, err := st.Outbox(ctx, slug); err != nil || len(out) != 1 || out[0].Revision != 2 {
		t.Errorf("outbox after a save = %+v, %v; want revision 2", out, err)
	}
}

// The VAPID key, subscriptions, webhooks and the outbox survive closing
// the store, and are seen by another process's handle on the same file.
func TestPushSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddConference(ctx, agenda.Listing{Slug: "conf"}); err != nil {
		t.Fatal(err)
	}
	v1 := agendatest.Small(t)
	a := st.Agenda("conf")
	if err := a.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := st.PushKey(ctx, "the-key"); err != nil {
		t.Fatal(err)
	}
	sub := agenda.PushSubscription{ID: "s1", Conference: "conf", Calendar: "all", Endpoint: "https://push.example.org/1",
		P256dh: "p", Auth: "a", Client: "c", Expires: now.Add(time.Hour)}
	if _, err := st.PutSubscription(ctx, sub, now, 10, 10); err != nil {
		t.Fatal(err)
	}
	if err := st.AddWebhook(ctx, agenda.Webhook{ID: "h", Conference: "conf", URL: "https://example.org/h", Secret: "s", Created: now}, 10); err != nil {
		t.Fatal(err)
	}
	// Another handle (a second process) saves a revision: its delivery is
	// in the outbox for everyone.
	other, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	e := v1.Edit("cli", now)
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	v2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Agenda("conf").Save(ctx, v2); err != nil {
		t.Fatal(err)
	}
	other.Close()
	st.Close()

	st, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if key, err := st.PushKey(ctx, "another-key"); err != nil || key != "the-key" {
		t.Errorf("PushKey after reopening = %q, %v", key, err)
	}
	subs, err := st.Subscriptions(ctx, "conf", "all", now)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions after reopening = %+v, %v", subs, err)
	}
	got := subs[0]
	if !got.Expires.Equal(sub.Expires) {
		t.Errorf("expires %v after reopening, want %v", got.Expires, sub.Expires)
	}
	got.Expires = sub.Expires
	if got != sub {
		t.Errorf("subscription after reopening = %+v, want %+v", got, sub)
	}
	if hooks, err := st.Webhooks(ctx, "conf"); err != nil || len(hooks) != 1 || hooks[0].Secret != "s" {
		t.Errorf("webhooks after reopening = %+v, %v", hooks, err)
	}
	if out, err := st.Outbox(ctx, "conf"); err != nil || len(out) != 1 || out[0].Revision != 2 {
		t.Errorf("outbox after reopening = %+v, %v; want revision 2", out, err)
	}
}

// Instants are stored so that text order is time order, fractions of a
// second included.
func TestStampsSortAsTime(t *testing.T) {
	base := time.Date(2019, 10, 8, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	times := []time.Time{base, base.Add(time.Nanosecond), base.Add(500 * time.Millisecond), base.Add(time.Second), base.Add(time.Hour)}
	for i := 1; i < len(times); i++ {
		if a, b := stamp(times[i-1]), stamp(times[i]); a >= b {
			t.Errorf("stamp(%v) = %q sorts at or after stamp(%v) = %q", times[i-1], a, times[i], b)
		}
		if got, err := time.Parse(timeFormat, stamp(times[i])); err != nil || !got.Equal(times[i]) {
			t.Errorf("stamp(%v) reads back as %v, %v", times[i], got, err)
		}
	}
}

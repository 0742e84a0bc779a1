package postgres

import (
	"context"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/postgres/pgtest"
)

// A store of schema version 1 opens as version 3 with everything it held,
// and takes subscriptions, webhooks, deliveries and push marks from then
// on; replicas opening it at once upgrade it once.
func TestMigrateToPushTables(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	st, err := Open(ctx, url)
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
	if err := st.AddToken(ctx, "test-conf-2019", "hash"); err != nil {
		t.Fatal(err)
	}
	// Versions 2 to 4 only add tables: without them, and marked 1, the
	// schema is what version 1 wrote.
	for _, q := range []string{"DROP TABLE purged_revisions", "DROP TABLE push_marks", "DROP TABLE webhook_outbox", "DROP TABLE webhooks", "DROP TABLE push_subscriptions",
		"DROP TABLE push_keys", "UPDATE confcal_schema SET version = 1"} {
		if _, err := st.pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()

	const n = 3
	stores := make([]*Store, n)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			var err error
			stores[i], err = Open(ctx, url)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("Open of a version 1 store: %v", err)
		}
	}
	for _, s := range stores {
		defer s.Close()
	}
	st = stores[0]
	if v, err := st.SchemaVersion(ctx); err != nil || v != 4 {
		t.Fatalf("schema version %d (%v), want 4", v, err)
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
	if slug, err := st.TokenConference(ctx, "hash"); err != nil || slug != "test-conf-2019" {
		t.Errorf("token after migrating: %q, %v", slug, err)
	}
	const slug = "test-conf-2019"
	if err := st.AddWebhook(ctx, agenda.Webhook{ID: "h", Conference: slug, URL: "https://example.org/h", Secret: "s", Created: time.Now()}, 10); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := stores[1].PutSubscription(ctx, agenda.PushSubscription{ID: "s", Conference: slug, Calendar: "all",
		Endpoint: "https://push.example.org/1", P256dh: "k", Auth: "a", Client: "c", Expires: now.Add(time.Hour)}, now, 10, 10); err != nil {
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
	if err := stores[2].Save(ctx, v2); err != nil {
		t.Fatal(err)
	}
	if out, err := st.Outbox(ctx, slug); err != nil || len(out) != 1 || out[0].Revision != 2 {
		t.Errorf("outbox after a save = %+v, %v; want revision 2", out, err)
	}
	if subs, err := st.Subscriptions(ctx, slug, "all", now); err != nil || len(subs) != 1 {
		t.Errorf("subscriptions after migrating = %+v, %v", subs, err)
	}
}

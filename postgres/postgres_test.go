package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/postgres"
	"confcal/postgres/pgtest"
)

// open opens the store at url, closed when the test ends.
func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// listen is a connection of its own to url LISTENing on store s's channel.
func listen(t *testing.T, url string, s *postgres.Store) *pgx.Conn {
	t.Helper()
	ch, err := s.Channel(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, url)
	if _, err := c.Exec(context.Background(), "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return c
}

// connect opens a connection of its own to url, closed when the test ends.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// Replicas starting at once on a new database migrate it once; all of them
// come up.
func TestOpenMigratesOnceAtOnce(t *testing.T) {
	url := pgtest.URL(t)
	const n = 6
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(context.Background(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	ctx := context.Background()
	if v, err := stores[0].SchemaVersion(ctx); err != nil || v != 4 {
		t.Errorf("SchemaVersion = %d, %v; want 4", v, err)
	}
	if err := stores[1].AddConference(ctx, agenda.Listing{Slug: "x"}); err != nil {
		t.Fatal(err)
	}
	if list, err := stores[n-1].Conferences(ctx); err != nil || len(list) != 1 {
		t.Errorf("Conferences on another store = %+v, %v", list, err)
	}
	var rows int
	if err := connect(t, url).QueryRow(ctx, "SELECT count(*) FROM confcal_schema").Scan(&rows); err != nil || rows != 1 {
		t.Errorf("confcal_schema holds %d rows (%v), want 1", rows, err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s := open(t, url)
	v1 := agendatest.Small(t)
	if err := s.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPick(ctx, "", "aaaaaaaaaaaaaaaa", []string{"late-talk"}, 10); err != nil {
		t.Fatal(err)
	}
	s.Close()
	again := open(t, url)
	got, err := again.Load(ctx)
	if err != nil || got.Revision() != 1 || len(got.Sessions()) != len(v1.Sessions()) {
		t.Fatalf("Load after reopening = %v, %v", got, err)
	}
	if rev, err := again.Revision(ctx); err != nil || rev != 1 {
		t.Errorf("Revision = %d, %v", rev, err)
	}
	list, err := again.Conferences(ctx)
	if err != nil || len(list) != 1 || list[0].Slug != "test-conf-2019" || !list[0].Default {
		t.Errorf("the first Save on an empty store adds the default conference, named after the agenda: %+v, %v", list, err)
	}
	if ids, ok, err := again.GetPick(ctx, "", "aaaaaaaaaaaaaaaa"); err != nil || !ok || !slices.Equal(ids, []string{"late-talk"}) {
		t.Errorf("GetPick = %v, %v, %v", ids, ok, err)
	}
	if n, err := again.PickCount(ctx, "test-conf-2019"); err != nil || n != 1 {
		t.Errorf("PickCount = %d, %v", n, err)
	}
}

func TestEmptyStore(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgtest.URL(t))
	if _, err := s.Load(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("Load: %v, want ErrEmpty", err)
	}
	if _, err := s.Revision(ctx); !errors.Is(err, agenda.ErrEmpty) {
		t.Errorf("Revision: %v, want ErrEmpty", err)
	}
	if !strings.HasPrefix(s.Name(), "postgres://") {
		t.Errorf("Name = %q", s.Name())
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	open(t, url).Close()
	if _, err := connect(t, url).Exec(ctx, "UPDATE confcal_schema SET version = 99"); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, url)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !strings.Contains(err.Error(), "schema version 99, newer than this program knows") {
		t.Errorf("Open: %v", err)
	}
}

// A server that cannot be reached, or a URL that cannot be read, is an
// error naming the store, and never shows the password.
func TestConnectionErrors(t *testing.T) {
	for _, url := range []string{
		"postgres://confcal:secret-pw@127.0.0.1:1/confcal?connect_timeout=5",
		"postgres://confcal:secret-pw@127.0.0.1:1/confcal?sslmode=bogus",
		"postgres://confcal:secret-pw@[::1/confcal",
		"host=127.0.0.1 port=1 user=confcal password=secret-pw connect_timeout=5",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		s, err := postgres.Open(ctx, url)
		cancel()
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", url)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "postgres: ") || strings.Contains(msg, "secret-pw") {
			t.Errorf("Open(%s): %q", url, msg)
		}
	}
}

// A store whose connections were cut (a database restart, a failover)
// answers with errors rather than panics, and works again by itself: the
// first read after and the first write work, as a dead connection of the
// pool is found at the first statement sent on it or at BEGIN, which is
// sent again on another.
func TestConnectionsCut(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	if strings.Contains(url, "://") {
		url += "&application_name=confcal-cut-test"
	} else {
		url += " application_name=confcal-cut-test"
	}
	s := open(t, url)
	if err := s.Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	admin := connect(t, pgtest.Server(t))
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'confcal-cut-test' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Load(ctx)
	if err != nil {
		t.Fatalf("the first Load after the connections were cut: %v", err)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'confcal-cut-test' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	e := snap.Edit("test", time.Now())
	title := "After the cut"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, next); err != nil {
		t.Fatalf("the first Save after the connections were cut: %v", err)
	}
	if rev, err := s.Revision(ctx); err != nil || rev != 2 {
		t.Errorf("Revision after reconnecting = %d, %v", rev, err)
	}
}

// Every committed Save is announced on the channel, in its transaction:
// one notification per revision, none for a Save that did not commit; so
// is a conference added (its listing).
func TestSaveNotifies(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s := open(t, url)
	listener := listen(t, url, s)
	if err := s.AddConference(ctx, agenda.Listing{Slug: "first"}); err != nil {
		t.Fatal(err)
	}
	x := s.Agenda("first")
	v1 := agendatest.Small(t)
	if err := x.Save(ctx, v1); err != nil {
		t.Fatal(err)
	}
	e := v1.Edit("t", time.Now())
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	v2, _ := e.Commit()
	if err := x.Save(ctx, v1); !errors.Is(err, agenda.ErrStale) {
		t.Fatalf("a stale Save: %v", err)
	}
	if err := s.Agenda("nobody").Save(ctx, v1); !errors.Is(err, agenda.ErrNoConference) {
		t.Fatalf("a Save to nobody: %v", err)
	}
	if err := x.Save(ctx, v2); err != nil {
		t.Fatal(err)
	}
	ch, _ := s.Channel(ctx)
	var got []string
	for range 3 {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := listener.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		if n.Channel != ch {
			t.Errorf("notified on %q", n.Channel)
		}
		got = append(got, n.Payload)
	}
	if want := []string{"first:listing", "first:1", "first:2"}; !slices.Equal(got, want) {
		t.Errorf("notifications %q, want %q", got, want)
	}
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if n, err := listener.WaitForNotification(wctx); err == nil {
		t.Errorf("a fourth notification: %q", n.Payload)
	}
}

func TestPayload(t *testing.T) {
	if p := postgres.Payload("flink-forward-2019", 42); p != "flink-forward-2019:42" {
		t.Errorf("Payload = %q", p)
	}
	slug, rev, err := postgres.ParsePayload("flink-forward-2019:42")
	if err != nil || slug != "flink-forward-2019" || rev != 42 {
		t.Errorf("ParsePayload = %q, %d, %v", slug, rev, err)
	}
	for _, bad := range []string{"", "x", ":1", "x:", "x:0", "x:-1", "x:1a", "x:99999999999999999999"} {
		if _, _, err := postgres.ParsePayload(bad); err == nil {
			t.Errorf("ParsePayload(%q) succeeded", bad)
		}
	}
}

// dump is a store's every conference, read back.
func dump(t *testing.T, s *postgres.Store) []postgres.Conference {
	t.Helper()
	ctx := context.Background()
	list, err := s.Conferences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []postgres.Conference
	for _, l := range list {
		c := postgres.Conference{Listing: l}
		snap, err := s.Agenda(l.Slug).Load(ctx)
		switch {
		case errors.Is(err, agenda.ErrEmpty):
		case err != nil:
			t.Fatal(err)
		default:
			c.Agenda = snap
		}
		if c.Tokens, err = s.Tokens(ctx, l.Slug); err != nil {
			t.Fatal(err)
		}
		if c.Picks, err = s.Picks(ctx, l.Slug); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// sameAgenda reports whether a and b hold the same revision, sessions and
// log.
func sameAgenda(a, b *agenda.Snapshot) bool {
	return a.Revision() == b.Revision() && a.BaseRevision() == b.BaseRevision() &&
		slices.EqualFunc(a.Sessions(), b.Sessions(), agenda.Session.Equal) &&
		slices.EqualFunc(a.Log(), b.Log(), func(x, y agenda.Change) bool {
			eq := x.Time.Equal(y.Time)
			x.Time, y.Time = time.Time{}, time.Time{}
			return eq && x == y
		})
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	v1 := agendatest.Small(t)
	e := v1.Edit("t", time.Date(2019, 9, 30, 8, 0, 0, 123456789, time.UTC))
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	v2, _ := e.Commit()
	created := time.Date(2019, 9, 1, 10, 0, 0, 0, time.UTC)
	confs := []postgres.Conference{
		{Listing: agenda.Listing{Slug: "main", Default: true}, Agenda: v2,
			Tokens: []postgres.Token{{Hash: "h1", Created: created}},
			Picks: []postgres.Pick{
				{Code: "aaaaaaaaaaaaaaaa", Sessions: []string{"late-talk"}, Created: created, Used: created.Add(time.Hour)},
				{Code: "bbbbbbbbbbbbbbbb", Sessions: []string{"late-talk"}, Created: created.Add(time.Minute), Used: created.Add(time.Minute), Duplicate: true},
				{Code: "cccccccccccccccc", Sessions: []string{}, Created: created.Add(2 * time.Minute), Used: created.Add(2 * time.Minute)},
			}},
		{Listing: agenda.Listing{Slug: "gone", Removed: created.Add(48 * time.Hour),
			Source: agenda.Source{Location: "https://example.org/s.xml", Format: "schedule-xml", Follow: time.Hour}}},
		{Listing: agenda.Listing{Slug: "other"}, Agenda: agendatest.Small(t), Tokens: []postgres.Token{{Hash: "h2", Created: created}}},
	}
	url := pgtest.URL(t)
	s := open(t, url)
	listener := listen(t, url, s)
	if err := s.Import(ctx, postgres.Dump{Conferences: confs}, false); err != nil {
		t.Fatal(err)
	}
	check := func(want []postgres.Conference) {
		t.Helper()
		got := dump(t, s)
		if len(got) != len(want) {
			t.Fatalf("%d conferences, want %d", len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Listing.Slug != w.Listing.Slug || g.Listing.Default != w.Listing.Default || !g.Listing.Removed.Equal(w.Listing.Removed) ||
				g.Listing.Source != w.Listing.Source {
				t.Errorf("conference %d = %+v, want %+v", i, g.Listing, w.Listing)
			}
			if (g.Agenda == nil) != (w.Agenda == nil) || g.Agenda != nil && !sameAgenda(g.Agenda, w.Agenda) {
				t.Errorf("conference %s: agenda %v, want %v", w.Listing.Slug, g.Agenda, w.Agenda)
			}
			if !slices.EqualFunc(g.Tokens, w.Tokens, func(a, b postgres.Token) bool { return a.Hash == b.Hash && a.Created.Equal(b.Created) }) {
				t.Errorf("conference %s: tokens %+v, want %+v", w.Listing.Slug, g.Tokens, w.Tokens)
			}
			if !slices.EqualFunc(g.Picks, w.Picks, func(a, b postgres.Pick) bool {
				return a.Code == b.Code && slices.Equal(a.Sessions, b.Sessions) && a.Created.Equal(b.Created) && a.Used.Equal(b.Used) && a.Duplicate == b.Duplicate
			}) {
				t.Errorf("conference %s: picks %+v, want %+v", w.Listing.Slug, g.Picks, w.Picks)
			}
		}
	}
	check(confs)
	// The pick stored twice answers with its first code.
	if code, err := s.PutPick(ctx, "main", "dddddddddddddddd", []string{"late-talk"}, 10); err != nil || code != "aaaaaaaaaaaaaaaa" {
		t.Errorf("PutPick of the imported pick = %q, %v", code, err)
	}
	if slug, err := s.TokenConference(ctx, "h2"); err != nil || slug != "other" {
		t.Errorf("TokenConference(h2) = %q, %v", slug, err)
	}
	var heard []string
	for range 5 {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := listener.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		heard = append(heard, n.Payload)
	}
	if want := []string{"main:listing", "main:2", "gone:listing", "other:listing", "other:1"}; !slices.Equal(heard, want) {
		t.Errorf("notified %q, want %q", heard, want)
	}

	if err := s.Import(ctx, postgres.Dump{Conferences: confs[2:]}, false); !errors.Is(err, postgres.ErrNotEmpty) {
		t.Errorf("Import into a store with conferences: %v, want ErrNotEmpty", err)
	}
	bad := slices.Clone(confs[2:])
	bad = append(bad, postgres.Conference{Listing: agenda.Listing{Slug: "bad"}, Picks: []postgres.Pick{{Code: "x", Sessions: []string{"a,b"}}}})
	if err := s.Import(ctx, postgres.Dump{Conferences: bad}, true); err == nil {
		t.Error("Import of a bad pick succeeded")
	}
	check(confs) // a failed import writes nothing
	twoDefaults := []postgres.Conference{{Listing: agenda.Listing{Slug: "a", Default: true}}, {Listing: agenda.Listing{Slug: "b", Default: true}}}
	if err := s.Import(ctx, postgres.Dump{Conferences: twoDefaults}, true); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("Import of two default conferences: %v, want ErrInvalid", err)
	}
	check(confs)
	only := []postgres.Conference{{Listing: agenda.Listing{Slug: "other", Default: true}, Agenda: agendatest.Small(t)}}
	if err := s.Import(ctx, postgres.Dump{Conferences: only}, true); err != nil {
		t.Fatalf("Import replacing: %v", err)
	}
	check(only)
	if _, err := s.TokenConference(ctx, "h2"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a token of the replaced store: %v", err)
	}
}

// A role that may only read the store (a reporting account, a replica's
// read-only user) opens it when its schema is current, and reads it; a
// write is refused with an error, and the store is as it was.
func TestReadOnlyRole(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s := open(t, url)
	if err := s.Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	schema := cfg.RuntimeParams["search_path"]
	role := fmt.Sprintf("confcal_ro_%d", time.Now().UnixNano())
	admin := connect(t, pgtest.Server(t))
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN"); err != nil {
		t.Skipf("the test server does not let this test make a role: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP OWNED BY "+role)
		admin.Exec(ctx, "DROP ROLE "+role)
	})
	for _, q := range []string{"GRANT USAGE ON SCHEMA " + schema + " TO " + role, "GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var ro string
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		u, err := neturl.Parse(url)
		if err != nil {
			t.Fatal(err)
		}
		u.User = neturl.User(role)
		ro = u.String()
	} else {
		ro = url + " user=" + role
	}
	r, err := postgres.Open(ctx, ro)
	if err != nil {
		t.Fatalf("Open as a role that may only read: %v", err)
	}
	defer r.Close()
	got, err := r.Load(ctx)
	if err != nil || got.Revision() != 1 || got.Len() != agendatest.Small(t).Len() {
		t.Fatalf("Load as a role that may only read: %v, %v", got, err)
	}
	e := got.Edit("test", time.Now())
	title := "Not stored"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Save(ctx, next); err == nil {
		t.Error("Save as a role that may only read: no error")
	}
	if rev, err := s.Revision(ctx); err != nil || rev != 1 {
		t.Errorf("after the refused Save, revision %d, %v; want 1", rev, err)
	}
}

// A statement outside a transaction — a read of the registry, of picks,
// tokens, push subscriptions, webhooks, a revision — that meets a pooled
// connection the server ended since its last use (too recent for the pool
// to ping it) is sent again on another. Here every connection of a store's
// pool was used a moment before the server ended it, and each read still
// succeeds at its first call. A write is sent again only when the dead
// connection refused it before any of it was sent (as a Unix socket whose
// server end is closed does); one the connection took may have run, so it
// fails as agenda.ErrUnavailable, and here, where the server had ended
// the session before it arrived, has done nothing.
func TestStatementsAfterConnectionsCut(t *testing.T) {
	ctx := context.Background()
	const poolSize = 4
	app := fmt.Sprintf("confcal-statements-cut-%d", time.Now().UnixNano())
	url := pgtest.URL(t)
	param := func(k, v string) string {
		if strings.Contains(url, "://") {
			return "&" + k + "=" + v
		}
		return " " + k + "=" + v
	}
	now := time.Now().UTC().Truncate(time.Second)
	// store opens a store of its own, its connections named app.
	store := func(app string) *postgres.Store {
		t.Helper()
		s := open(t, url+param("application_name", app)+param("pool_max_conns", strconv.Itoa(poolSize)))
		s.SetClock(func() time.Time { return now })
		return s
	}

	s := store(app + "-setup")
	if err := s.Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	ls, err := s.Conferences(ctx)
	if err != nil || len(ls) != 1 {
		t.Fatalf("Conferences = %v, %v", ls, err)
	}
	slug := ls[0].Slug
	pick, err := s.PutPick(ctx, "", "pick-code", []string{"late-talk", "opening-keynote"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, slug, "token-hash"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PushKey(ctx, "vapid-key"); err != nil {
		t.Fatal(err)
	}
	sub := agenda.PushSubscription{ID: "sub", Conference: slug, Calendar: "all", Endpoint: "https://push.example.org/up",
		P256dh: "key", Auth: "auth", Client: "client", Expires: now.Add(time.Hour)}
	if _, err := s.PutSubscription(ctx, sub, now, 10, 10); err != nil {
		t.Fatal(err)
	}
	old := sub
	old.ID, old.Endpoint, old.Expires = "old", "https://push.example.org/old", now.Add(-time.Hour)
	if _, err := s.PutSubscription(ctx, old, now.Add(-2*time.Hour), 10, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.AddWebhook(ctx, agenda.Webhook{ID: "hook", Conference: slug, URL: "https://hooks.example.org/", Secret: "secret", Created: now}, 10); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Second", "Third"} { // each a delivery for the webhook
		e := snap.Edit("test", now)
		if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
		if snap, err = e.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkPushed(ctx, slug, 2); err != nil {
		t.Fatal(err)
	}

	// admin is a connection of the test's own to the store's schema.
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"] = app + "-admin"
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	// fill has every connection of s's pool run a statement at once, so
	// that all of them were used just now.
	fill := func(s *postgres.Store) {
		t.Helper()
		tx, err := admin.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "LOCK TABLE picks IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, poolSize)
		for range poolSize {
			wg.Go(func() {
				if _, err := s.PickCount(ctx, slug); err != nil {
					errs <- err
				}
			})
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			// The server's view of its sessions is taken once per
			// transaction unless cleared.
			if _, err := tx.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
				t.Fatal(err)
			}
			var waiting int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting == poolSize {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of the pool's %d connections wait for the lock", waiting, poolSize)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("PickCount filling the pool: %v", err)
		}
	}
	// gone waits until the server holds no connection named app: it ends
	// them as soon as it can, not before it answers.
	gone := func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			var n int
			if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of the store's connections outlived their end", n)
			}
		}
	}
	// cut ends the connections named app on the server, and waits until
	// they are gone (pg_terminate_backend's own wait polls every 100 ms,
	// too slow to stay well within the second the pool trusts a
	// connection for).
	cut := func() {
		t.Helper()
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = $1`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != poolSize {
			t.Fatalf("the store had %d connections, want %d", n, poolSize)
		}
		gone()
	}
	want := func(what string, got, want any) error {
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("%s = %v, want %v", what, got, want)
		}
		return nil
	}
	outbox := func() string {
		out, err := s.Outbox(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, d := range out {
			fmt.Fprintf(&b, "%d:%d:%q ", d.Revision, d.Attempts, d.LastError)
		}
		return b.String()
	}
	// try calls do on a new store whose every connection was used just
	// now and then ended; undone, for a write, checks that it left no
	// trace.
	try := func(what string, do func(s *postgres.Store) error, undone func() error) {
		t.Helper()
		// The pool pings a connection idle for over a second before it
		// hands it out, and would find it dead itself: the statement
		// must come well within that, or the case does not test the
		// retry. On a slow machine the cut is made again.
		var s *postgres.Store
		for try := 1; ; try++ {
			s = store(app)
			fill(s)
			start := time.Now()
			cut()
			if time.Since(start) < 800*time.Millisecond {
				break
			}
			s.Close()
			gone()
			if try == 3 {
				t.Fatalf("%s: cutting the connections took over 800 ms three times: the pool would find them dead itself", what)
			}
		}
		err := do(s)
		if err != nil && undone != nil && errors.Is(err, agenda.ErrUnavailable) && !pgconn.SafeToRetry(err) {
			t.Logf("%s after the connections were cut, not sent again: %v", what, err)
			err = undone()
		}
		if err != nil {
			t.Errorf("%s after the connections were cut: %v", what, err)
		}
		s.Close()
		gone()
	}
	for _, c := range []struct {
		what string
		do   func(s *postgres.Store) error
	}{
		{"Ping", func(s *postgres.Store) error { return s.Ping(ctx) }},
		{"SchemaVersion", func(s *postgres.Store) error {
			_, err := s.SchemaVersion(ctx)
			return err
		}},
		{"Revision", func(s *postgres.Store) error {
			rev, err := s.Revision(ctx)
			if err != nil {
				return err
			}
			return want("revision", rev, int64(3))
		}},
		{"Agenda.Revision", func(s *postgres.Store) error {
			rev, err := s.Agenda(slug).(*postgres.Agenda).Revision(ctx)
			if err != nil {
				return err
			}
			return want("revision", rev, int64(3))
		}},
		{"Load", func(s *postgres.Store) error {
			snap, err := s.Load(ctx)
			if err != nil {
				return err
			}
			return want("revision", snap.Revision(), int64(3))
		}},
		{"Conferences", func(s *postgres.Store) error {
			ls, err := s.Conferences(ctx)
			if err != nil {
				return err
			}
			return want("conferences", len(ls), 1)
		}},
		{"TokenConference", func(s *postgres.Store) error {
			got, err := s.TokenConference(ctx, "token-hash")
			if err != nil {
				return err
			}
			return want("conference", got, slug)
		}},
		{"Tokens", func(s *postgres.Store) error {
			ts, err := s.Tokens(ctx, slug)
			if err != nil {
				return err
			}
			return want("tokens", len(ts), 1)
		}},
		{"GetPick", func(s *postgres.Store) error {
			ids, ok, err := s.GetPick(ctx, "", pick)
			if err != nil {
				return err
			}
			return want("pick", fmt.Sprint(ids, ok), fmt.Sprint([]string{"late-talk", "opening-keynote"}, true))
		}},
		{"PutPick of a stored pick", func(s *postgres.Store) error {
			code, err := s.PutPick(ctx, "", "other-code", []string{"late-talk", "opening-keynote"}, 10)
			if err != nil {
				return err
			}
			return want("code", code, pick)
		}},
		{"PickCount", func(s *postgres.Store) error {
			n, err := s.PickCount(ctx, "")
			if err != nil {
				return err
			}
			return want("picks", n, 1)
		}},
		{"Picks", func(s *postgres.Store) error {
			ps, err := s.Picks(ctx, slug)
			if err != nil {
				return err
			}
			return want("picks", len(ps), 1)
		}},
		{"StoredPushKey", func(s *postgres.Store) error {
			k, err := s.StoredPushKey(ctx)
			if err != nil {
				return err
			}
			return want("key", k, "vapid-key")
		}},
		{"Subscriptions", func(s *postgres.Store) error {
			subs, err := s.Subscriptions(ctx, slug, "all", now)
			if err != nil {
				return err
			}
			return want("subscriptions", len(subs), 1)
		}},
		{"AllSubscriptions", func(s *postgres.Store) error {
			subs, err := s.AllSubscriptions(ctx, slug)
			if err != nil {
				return err
			}
			return want("subscriptions", len(subs), 2)
		}},
		{"Webhooks", func(s *postgres.Store) error {
			hooks, err := s.Webhooks(ctx, slug)
			if err != nil {
				return err
			}
			return want("webhooks", len(hooks), 1)
		}},
		{"Outbox", func(s *postgres.Store) error {
			out, err := s.Outbox(ctx, slug)
			if err != nil {
				return err
			}
			return want("deliveries", len(out), 2)
		}},
		{"PushedRevision", func(s *postgres.Store) error {
			rev, err := s.PushedRevision(ctx, slug)
			if err != nil {
				return err
			}
			return want("pushed revision", rev, int64(2))
		}},
	} {
		try(c.what, c.do, nil)
	}
	for _, c := range []struct {
		what   string
		do     func(s *postgres.Store) error
		undone func() error
	}{
		{"DeleteExpiredSubscriptions", func(s *postgres.Store) error {
			n, err := s.DeleteExpiredSubscriptions(ctx, now)
			if err != nil {
				return err
			}
			return want("deleted", n, 1)
		}, func() error {
			subs, err := s.AllSubscriptions(ctx, slug)
			if err != nil {
				return err
			}
			return want("subscriptions", len(subs), 2)
		}},
		{"DeliveryFailed", func(s *postgres.Store) error {
			if err := s.DeliveryFailed(ctx, agenda.Delivery{Conference: slug, Webhook: "hook", Revision: 2}, now, "refused"); err != nil {
				return err
			}
			return want("outbox", outbox(), `2:1:"refused" 3:0:"" `)
		}, func() error { return want("outbox", outbox(), `2:0:"" 3:0:"" `) }},
		{"DeliveryDone", func(s *postgres.Store) error {
			if err := s.DeliveryDone(ctx, agenda.Delivery{Conference: slug, Webhook: "hook", Revision: 2}); err != nil {
				return err
			}
			return want("outbox", outbox(), `3:0:"" `)
		}, func() error {
			if out := outbox(); !strings.HasPrefix(out, "2:") {
				return fmt.Errorf("outbox = %s, want revision 2 still there", out)
			}
			return nil
		}},
	} {
		try(c.what, c.do, c.undone)
	}
}

// A statement that meets a dead connection is tried again on another, but
// not once a new connection cannot be made: the server is away then, and
// each further try would wait out the connect timeout again.
func TestStatementStopsAtConnectFailure(t *testing.T) {
	ctx := context.Background()
	proxy, through := pgtest.NewProxy(t, pgtest.URL(t))
	const timeout = time.Second
	url := through + "&connect_timeout=1"
	if !strings.Contains(through, "://") {
		url = through + " connect_timeout=1"
	}
	s := open(t, url)
	if err := s.Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgconn.ParseConfig(through)
	if err != nil {
		t.Fatal(err)
	}
	// The server goes away, and in its place is one that never answers:
	// every new connection takes the whole timeout to fail.
	proxy.Cut()
	hole, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := hole.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	})
	t.Cleanup(func() {
		hole.Close()
		wg.Wait()
		for _, c := range held {
			c.Close()
		}
	})
	start := time.Now()
	_, err = s.Revision(ctx)
	if !errors.Is(err, agenda.ErrUnavailable) {
		t.Fatalf("Revision with the server away: %v, want agenda.ErrUnavailable", err)
	}
	if took := time.Since(start); took > 2*timeout+timeout/2 {
		t.Errorf("Revision with the server away took %v: more than one connection attempt of %v", took, timeout)
	}
}

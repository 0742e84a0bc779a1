package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/conferences"
	"confcal/postgres"
	"confcal/postgres/pgtest"
	"confcal/sqlite"
)

// sqliteSource makes an SQLite store as a server leaves it: the built-in
// agenda as the default conference, a second conference and a removed one,
// each changed a few times (stamped with the clock, to the nanosecond), an
// organizer token each and some picks; push subscriptions (one expired),
// webhooks with deliveries waiting (one tried and failed), the VAPID
// key, and a conference "once" purged at revision 3. It returns the data directory and the codes of the picks by
// conference.
func sqliteSource(t *testing.T) (string, map[string][]string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	def := agenda.Slug(seed(t).Conference().Name)
	firsts := map[string]*agenda.Snapshot{def: seed(t), "small": agendatest.Small(t), "gone": agendatest.Small(t)}
	changes := map[string][]func(*agenda.Editor) error{
		def: {
			func(e *agenda.Editor) error {
				return e.UpdateSession("flinks-new-batch-architecture", agenda.SessionUpdate{Room: ptr("room-5"),
					Start: ptr(time.Date(2019, time.October, 8, 18, 0, 0, 0, seed(t).Location())),
					End:   ptr(time.Date(2019, time.October, 8, 18, 40, 0, 0, seed(t).Location()))})
			},
			func(e *agenda.Editor) error {
				return e.UpdateSession("apache-flink-worst-practices", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
			},
			func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") },
		},
		"small": {
			func(e *agenda.Editor) error {
				return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr("Later Talk"), Abstract: ptr("Now with\nan abstract")})
			},
			func(e *agenda.Editor) error {
				if err := e.AddSpeaker(agenda.Speaker{ID: "ada", Name: "Ada"}); err != nil {
					return err
				}
				return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Speakers: &[]string{"ada"}})
			},
		},
		"gone": {func(e *agenda.Editor) error { return e.RenameRoom("room-1", "Aula") }},
	}
	picks := map[string][]string{}
	if _, err := st.PushKey(ctx, "the-vapid-key"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, slug := range []string{def, "small", "gone"} {
		if err := st.AddConference(ctx, agenda.Listing{Slug: slug}); err != nil {
			t.Fatal(err)
		}
		svc, err := agenda.Open(ctx, st.Agenda(slug), func() (*agenda.Snapshot, error) { return firsts[slug], nil }, nil)
		if err != nil {
			t.Fatal(err)
		}
		for n := range 2 - i%2 {
			if err := st.AddWebhook(ctx, agenda.Webhook{ID: fmt.Sprintf("hook-%s-%d", slug, n), Conference: slug,
				URL: fmt.Sprintf("https://hooks.example.org/%s/%d", slug, n), Secret: "secret", Created: now.Add(time.Duration(n))}, 10); err != nil {
				t.Fatal(err)
			}
		}
		for n, expires := range []time.Time{now.Add(time.Hour + 123), now.Add(-time.Hour)} {
			if _, err := st.PutSubscription(ctx, agenda.PushSubscription{ID: fmt.Sprintf("sub-%s-%d", slug, n), Conference: slug,
				Calendar: "all", Endpoint: fmt.Sprintf("https://push.example.org/%s/%d", slug, n), P256dh: "key", Auth: "auth",
				Client: "client", Expires: expires}, now.Add(-2*time.Hour), 10, 10); err != nil {
				t.Fatal(err)
			}
		}
		for _, change := range changes[slug] {
			if _, _, err := svc.Change(ctx, "cli:test", change); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.AddToken(ctx, slug, conferences.HashToken("cct_token-of-"+slug)); err != nil {
			t.Fatal(err)
		}
		ids := svc.Current().SessionIDs()
		for i, pick := range [][]string{ids[:2], ids[1:3], {}} {
			code, err := (storePicks{st: st, slug: slug}).Save(ctx, pick)
			if i == 2 { // an empty pick is refused by the page, not stored
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			picks[slug] = append(picks[slug], code)
		}
	}
	// A delivery tried once: its attempts, next try and reason go along.
	claimed, err := st.ClaimDeliveries(ctx, time.Now(), time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimDeliveries = %+v, %v", claimed, err)
	}
	if err := st.DeliveryFailed(ctx, claimed[0], time.Now().Add(time.Hour), "502 Bad Gateway"); err != nil {
		t.Fatal(err)
	}
	// Pushed up to a revision before the last: a server on the copy
	// pushes the last one, as one on the original would.
	if err := st.MarkPushed(ctx, "small", 2); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSource(ctx, "small", agenda.Source{Location: "https://example.org/schedule.xml", Format: "schedule-xml", Follow: time.Hour}); err != nil {
		t.Fatal(err)
	}
	// A source read once, when the conference was added: not followed.
	if err := st.SetSource(ctx, "gone", agenda.Source{Location: "https://example.org/gone.xml", Format: "schedule-xml"}); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveConference(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := st.AddConference(ctx, agenda.Listing{Slug: "once"}); err != nil {
		t.Fatal(err)
	}
	once, err := agenda.Open(ctx, st.Agenda("once"), func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Once", "Twice"} {
		if _, _, err := once.Change(ctx, "cli:test", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr(title)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RemoveConference(ctx, "once"); err != nil {
		t.Fatal(err)
	}
	if err := st.PurgeConference(ctx, "once"); err != nil {
		t.Fatal(err)
	}
	return dir, picks
}

// TestMigrateSQLiteToPostgres copies an SQLite store into PostgreSQL: every
// conference, revision, change, token and pick arrives, and a server on the
// copy answers the same bytes and ETags as one on the original.
func TestMigrateSQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	dir, picks := sqliteSource(t)
	url := pgtest.URL(t)

	out, _, err := runCmd(t, "", "migrate", "-from", dir, "-to", url)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	def := agenda.Slug(seed(t).Conference().Name)
	for _, want := range []string{
		def + " (default): revision 4 (log from 1, 24 entries), 93 sessions", ", 1 organizer tokens, 2 picks, 2 push subscriptions, 2 webhooks, 6 deliveries waiting",
		"small following https://example.org/schedule.xml every 1h0m0s: revision 3 (log from 1, 4 entries), 5 sessions, 1 organizer tokens, 2 picks, 2 push subscriptions (pushed up to revision 2), 1 webhooks, 2 deliveries waiting",
		"the WebDAV-Push (VAPID) key copied",
		"gone (removed ", "copied 3 conferences from ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate says\n%s\nwithout %q", out, want)
		}
	}
	if !regexp.MustCompile(`(?m)^gone \(removed [^)]*\) from https://example\.org/gone\.xml: revision `).MatchString(out) ||
		strings.Contains(out, "every 0s") {
		t.Errorf("migrate says\n%s\nnot that gone is from https://example.org/gone.xml, unfollowed", out)
	}

	// Everything is there, as it was.
	src, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	want, err := dumpStore(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dumpStore(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	sameDump(t, got, want)
	// The slug purged in the original goes on from its revisions in the
	// copy.
	runSteps(t, []string{"-store", url}, []step{
		{args: []string{"conferences", "add", "once", writeTemp(t, t.TempDir(), "once.xml", tinySchedule)}},
		{args: []string{"cancel", tinyOpening, "-conference", "once"}, out: []string{"revision 5: Opening cancelled (Mar 29 10:00–10:45, Hall A)"}},
		{args: []string{"conferences", "remove", "once"}},
		{args: []string{"conferences", "purge", "once"}},
	})
	for _, slug := range []string{def, "small"} {
		if c, err := dst.TokenConference(ctx, conferences.HashToken("cct_token-of-"+slug)); err != nil || c != slug {
			t.Errorf("the token of %s answers %q, %v", slug, c, err)
		}
	}

	// Again: refused, the copy left as it is; with -force, replaced.
	if _, _, err := runCmd(t, "", "migrate", "-from", dir, "-to", url); err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "-force") ||
		strings.Count(err.Error(), "postgres://") != 1 {
		t.Errorf("migrate into a store with conferences: %v, want a refusal naming -force and the database once", err)
	}
	if again, err := dumpStore(ctx, dst); err != nil || len(again.Conferences) != 3 {
		t.Errorf("after a refused migrate: %d conferences, %v", len(again.Conferences), err)
	}
	if _, _, err := runCmd(t, "", "migrate", "-from", dir, "-to", url, "-force"); err != nil {
		t.Fatalf("migrate -force: %v", err)
	}
	if got, err = dumpStore(ctx, dst); err != nil {
		t.Fatal(err)
	}
	sameDump(t, got, want)
	src.Close()
	dst.Close()

	// A server on each answers the same documents, byte for byte, with the
	// same ETags.
	a, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", dir, "-base-url", stackBase)
	b, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-store", url, "-base-url", stackBase)
	paths := []string{"/gone/feeds/all.ics"}
	for _, at := range []string{"", "/" + def, "/small"} {
		paths = append(paths, at+"/feeds/all.ics", at+"/feeds/changes.atom", at+"/api/changes", at+"/api/sessions",
			at+"/api/rooms", at+"/schedule.xml", at+"/feeds/rooms/room-2.ics")
	}
	for _, slug := range []string{def, "small"} {
		at := "/" + slug
		if slug == def {
			at = ""
		}
		for _, code := range picks[slug] {
			paths = append(paths, at+"/feeds/my/"+code+".ics")
		}
	}
	paths = append(paths, "/dav/small/calendars/all/late-talk.ics")
	for _, p := range paths {
		codeA, bodyA, etagA := fetchWith(t, "http://"+a, p)
		codeB, bodyB, etagB := fetchWith(t, "http://"+b, p)
		if codeA != codeB || bodyA != bodyB || etagA != etagB {
			t.Errorf("GET %s: %d %s (%d bytes) from SQLite, %d %s (%d bytes) from PostgreSQL", p, codeA, etagA, len(bodyA), codeB, etagB, len(bodyB))
		}
		if want := http.StatusOK; p != "/gone/feeds/all.ics" && codeA != want {
			t.Errorf("GET %s: %d, want %d", p, codeA, want)
		}
	}
}

// sameDump fails unless got holds what want holds.
func sameDump(t *testing.T, gotDump, wantDump postgres.Dump) {
	t.Helper()
	if gotDump.PushKey != wantDump.PushKey || wantDump.PushKey == "" {
		t.Errorf("VAPID key %q, want %q", gotDump.PushKey, wantDump.PushKey)
	}
	if !maps.Equal(gotDump.Purged, wantDump.Purged) || wantDump.Purged["once"] != 3 {
		t.Errorf("purged slugs' revisions %v, want %v (once at 3)", gotDump.Purged, wantDump.Purged)
	}
	got, want := gotDump.Conferences, wantDump.Conferences
	if len(got) != len(want) {
		t.Fatalf("%d conferences, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		gl, wl := g.Listing, w.Listing
		if gl.Slug != wl.Slug || gl.Default != wl.Default || gl.Source != wl.Source || gl.PurgedRevision != wl.PurgedRevision || !gl.Removed.Equal(wl.Removed.Truncate(time.Microsecond)) {
			t.Errorf("conference %d: %+v, want %+v", i, gl, wl)
		}
		if (g.Agenda == nil) != (w.Agenda == nil) {
			t.Fatalf("conference %s: agenda %v, want %v", wl.Slug, g.Agenda, w.Agenda)
		}
		if g.Agenda != nil {
			ga, wa := g.Agenda, w.Agenda
			if ga.Revision() != wa.Revision() || ga.BaseRevision() != wa.BaseRevision() || ga.Conference() != wa.Conference() ||
				!slices.EqualFunc(ga.Sessions(), wa.Sessions(), agenda.Session.Equal) ||
				!slices.Equal(ga.Rooms(), wa.Rooms()) || !slices.Equal(ga.Tracks(), wa.Tracks()) || !slices.Equal(ga.Speakers(), wa.Speakers()) {
				t.Errorf("conference %s: the agenda differs", wl.Slug)
			}
			if !slices.EqualFunc(ga.Log(), wa.Log(), func(x, y agenda.Change) bool {
				eq := x.Time.Equal(y.Time)
				x.Time, y.Time = time.Time{}, time.Time{}
				return eq && x == y
			}) {
				t.Errorf("conference %s: log %+v, want %+v", wl.Slug, ga.Log(), wa.Log())
			}
		}
		if g.Pushed != w.Pushed {
			t.Errorf("conference %s: pushed up to revision %d, want %d", wl.Slug, g.Pushed, w.Pushed)
		}
		micro := func(x time.Time) time.Time { return x.Truncate(time.Microsecond) }
		if !slices.EqualFunc(g.Tokens, w.Tokens, func(x, y postgres.Token) bool {
			return x.Hash == y.Hash && x.Created.Equal(micro(y.Created))
		}) {
			t.Errorf("conference %s: tokens %+v, want %+v", wl.Slug, g.Tokens, w.Tokens)
		}
		if !slices.EqualFunc(g.Picks, w.Picks, func(x, y postgres.Pick) bool {
			return x.Code == y.Code && slices.Equal(x.Sessions, y.Sessions) && x.Duplicate == y.Duplicate &&
				x.Created.Equal(micro(y.Created)) && x.Used.Equal(micro(y.Used))
		}) {
			t.Errorf("conference %s: picks %+v, want %+v", wl.Slug, g.Picks, w.Picks)
		}
		// The push tables keep instants to the nanosecond on both.
		if !slices.EqualFunc(g.Subscriptions, w.Subscriptions, func(x, y agenda.PushSubscription) bool {
			return x.Expires.Equal(y.Expires) && x.Conference == y.Conference && x.ID == y.ID && x.Calendar == y.Calendar &&
				x.Endpoint == y.Endpoint && x.P256dh == y.P256dh && x.Auth == y.Auth && x.Client == y.Client
		}) || len(w.Subscriptions) == 0 {
			t.Errorf("conference %s: push subscriptions %+v, want %+v", wl.Slug, g.Subscriptions, w.Subscriptions)
		}
		if !slices.EqualFunc(g.Webhooks, w.Webhooks, func(x, y agenda.Webhook) bool {
			return x.Created.Equal(y.Created) && x.ID == y.ID && x.Conference == y.Conference && x.URL == y.URL && x.Secret == y.Secret
		}) || len(w.Webhooks) == 0 {
			t.Errorf("conference %s: webhooks %+v, want %+v", wl.Slug, g.Webhooks, w.Webhooks)
		}
		if !slices.EqualFunc(g.Outbox, w.Outbox, func(x, y agenda.Delivery) bool {
			return x.Next.Equal(y.Next) && x.Conference == y.Conference && x.Revision == y.Revision && x.Webhook == y.Webhook &&
				x.Attempts == y.Attempts && x.LastError == y.LastError
		}) {
			t.Errorf("conference %s: outbox %+v, want %+v", wl.Slug, g.Outbox, w.Outbox)
		}
	}
}

// A PostgreSQL store copies into another one.
func TestMigratePostgresToPostgres(t *testing.T) {
	ctx := context.Background()
	dir, _ := sqliteSource(t)
	first, second := pgtest.URL(t), pgtest.URL(t)
	if _, _, err := runCmd(t, "", "migrate", "-from", "sqlite:"+dir, "-to", first); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "", "migrate", "-from", first, "-to", second)
	if err != nil {
		t.Fatal(err)
	}
	// Two schemas of one database: the report tells them apart.
	if m := regexp.MustCompile(`copied \d+ conferences from (\S+) to (\S+)`).FindStringSubmatch(out); m == nil || m[1] == m[2] ||
		!strings.Contains(m[2], "search_path=") {
		t.Errorf("migrate from one schema to another says\n%s", out)
	}
	var dumps []postgres.Dump
	for _, url := range []string{first, second} {
		st, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		d, err := dumpStore(ctx, st)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		dumps = append(dumps, d)
	}
	sameDump(t, dumps[1], dumps[0])
}

func TestMigrateErrors(t *testing.T) {
	dir, _ := sqliteSource(t)
	empty := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"migrate"}, 2, "want -from"},
		{[]string{"migrate", "-from", dir}, 2, "want -from"},
		{[]string{"migrate", "-from", dir, "-to", "sqlite:" + empty}, 2, "-to: want a postgres:// URL"},
		{[]string{"migrate", "-from", dir, "-to", "mysql://u:pw@h/db"}, 2, `"mysql://u:xxxxx@h/db"`},
		{[]string{"migrate", "-from", "postgres://h/db", "-to", "postgres://h/db"}, 2, "the same database"},
		{[]string{"migrate", "-from", empty, "-to", "postgres://127.0.0.1:1/db"}, 1, "no store in " + empty},
		{[]string{"migrate", "-from", dir, "-to", "postgres://confcal:pw@127.0.0.1:1/db?connect_timeout=5"}, 1, "failed to connect"},
	} {
		_, _, err := runCmd(t, "", tc.args...)
		if exitCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), ":pw@") {
			t.Errorf("confcal %q: %v (exit %d), want exit %d saying %q", tc.args, err, exitCode(err), tc.code, tc.says)
		}
	}
	if sqliteExists(empty) {
		t.Errorf("migrate -from an empty directory left a store in it")
	}
}

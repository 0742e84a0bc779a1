package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"confcal/agenda"
	"confcal/postgres"
	"confcal/sqlite"
)

// runMigrate copies a store (SQLite, or another PostgreSQL database) into a
// PostgreSQL database: every conference as it is listed (default, removed,
// source), its agenda with its revision numbers and whole change log, its
// organizers' token hashes, its attendees' picks, its WebDAV-Push
// subscriptions and the revision pushed up to, its webhooks and the
// deliveries waiting for them; the server's VAPID key, which the
// subscriptions were made for; and the last revision of every purged
// conference's slug, so that one added again under it does not repeat
// them. The copy is one transaction: it is all there or not at all. A
// target that holds any conference is refused unless -force, which
// replaces what it holds.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate -from DIR_OR_URL -to URL [-force]", stderr)
	from := fs.String("from", "", "the store to copy: a data `directory` (or sqlite:DIR) or a postgres:// URL")
	to := fs.String("to", "", "the PostgreSQL database to copy it into: a postgres:// `URL`")
	force := fs.Bool("force", false, "replace everything the target holds (without it, a target holding any conference is refused)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		fs.Usage()
		return &usageError{err: errors.New("migrate: want -from DIR_OR_URL and -to URL")}
	}
	// -from is a data directory, or a store named as -store names one.
	fromKind, fromWhere := sqliteStore, *from
	var err error
	if strings.Contains(*from, "://") || strings.HasPrefix(*from, "sqlite:") {
		if fromKind, fromWhere, err = parseStore(*from, ""); err != nil {
			return fmt.Errorf("migrate: -from: %w", err)
		}
	}
	if toKind, _, err := parseStore(*to, ""); err != nil || toKind != postgresStore {
		return &usageError{err: fmt.Errorf("migrate: -to: want a postgres:// URL, got %q", redact(*to))}
	}
	if fromKind == postgresStore && fromWhere == *to {
		return &usageError{err: errors.New("migrate: -from and -to name the same database")}
	}
	// Reading must not leave an empty SQLite store behind.
	if fromKind == sqliteStore && !sqliteExists(fromWhere) {
		return fmt.Errorf("migrate: -from: no store in %s (no %s)", fromWhere, sqlite.FileName)
	}

	src, where, err := openStore(ctx, fromKind, fromWhere, true)
	if err != nil {
		return fmt.Errorf("migrate: -from: %w", err)
	}
	defer src.Close()
	d, err := dumpStore(ctx, src)
	if err != nil {
		return fmt.Errorf("migrate: reading %s: %w", where, err)
	}
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("migrate: -to: %w", err)
	}
	defer dst.Close()
	if err := dst.Import(ctx, d, *force); errors.Is(err, postgres.ErrNotEmpty) {
		// The store's own words would name the database a second time.
		return fmt.Errorf("migrate: %s already holds conferences; to replace all it holds, run again with -force", dst.Name())
	} else if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	copied, err := dumpStore(ctx, dst)
	if err != nil {
		return fmt.Errorf("migrate: reading the copy back: %w", err)
	}
	if !slices.EqualFunc(d.Conferences, copied.Conferences, func(a, b postgres.Conference) bool { return summary(a) == summary(b) }) ||
		d.PushKey != "" && copied.PushKey != d.PushKey || !purgedCopied(d.Purged, copied.Purged) {
		return fmt.Errorf("migrate: the copy in %s differs from %s; compare confcal changes on both", dst.Name(), where)
	}
	for _, c := range d.Conferences {
		fmt.Fprintln(stdout, summary(c))
	}
	if d.PushKey != "" {
		fmt.Fprintln(stdout, "the WebDAV-Push (VAPID) key copied")
	}
	if len(d.Purged) > 0 {
		fmt.Fprintf(stdout, "the last revisions of %d purged slugs copied\n", len(d.Purged))
	}
	fmt.Fprintf(stdout, "copied %d conferences from %s to %s\n", len(d.Conferences), where, dst.Name())
	return nil
}

// dumper is a store migrate reads: besides the registry, its picks,
// token hashes, push subscriptions (expired ones too), webhooks, outbox and
// VAPID key.
type dumper interface {
	Picks(ctx context.Context, slug string) ([]postgres.Pick, error)
	Tokens(ctx context.Context, slug string) ([]postgres.Token, error)
	AllSubscriptions(ctx context.Context, slug string) ([]agenda.PushSubscription, error)
	Webhooks(ctx context.Context, slug string) ([]agenda.Webhook, error)
	Outbox(ctx context.Context, slug string) ([]agenda.Delivery, error)
	StoredPushKey(ctx context.Context) (string, error)
	PurgedRevisions(ctx context.Context) (map[string]int64, error)
	PushedRevision(ctx context.Context, slug string) (int64, error)
}

// sqliteDumper reads an SQLite store's picks and tokens as PostgreSQL's.
type sqliteDumper struct{ *sqlite.Store }

func (d sqliteDumper) Picks(ctx context.Context, slug string) ([]postgres.Pick, error) {
	ps, err := d.Store.Picks(ctx, slug)
	out := make([]postgres.Pick, len(ps))
	for i, p := range ps {
		out[i] = postgres.Pick(p)
	}
	return out, err
}

func (d sqliteDumper) Tokens(ctx context.Context, slug string) ([]postgres.Token, error) {
	ts, err := d.Store.Tokens(ctx, slug)
	out := make([]postgres.Token, len(ts))
	for i, t := range ts {
		out[i] = postgres.Token(t)
	}
	return out, err
}

// dumpStore reads everything st holds.
func dumpStore(ctx context.Context, st registry) (postgres.Dump, error) {
	var d dumper
	switch st := st.(type) {
	case *sqlite.Store:
		d = sqliteDumper{st}
	case *postgres.Store:
		d = st
	default:
		return postgres.Dump{}, fmt.Errorf("cannot copy a %T", st)
	}
	key, err := d.StoredPushKey(ctx)
	if err != nil {
		return postgres.Dump{}, err
	}
	purged, err := d.PurgedRevisions(ctx)
	if err != nil {
		return postgres.Dump{}, err
	}
	list, err := st.Conferences(ctx)
	if err != nil {
		return postgres.Dump{}, err
	}
	out := make([]postgres.Conference, 0, len(list))
	for _, l := range list {
		c := postgres.Conference{Listing: l}
		snap, err := st.Agenda(l.Slug).Load(ctx)
		switch {
		case errors.Is(err, agenda.ErrEmpty): // added, its first agenda never stored
		case err != nil:
			return postgres.Dump{}, fmt.Errorf("conference %s: %w", l.Slug, err)
		default:
			c.Agenda = snap
		}
		if err := dumpConference(ctx, d, &c); err != nil {
			return postgres.Dump{}, fmt.Errorf("conference %s: %w", l.Slug, err)
		}
		out = append(out, c)
	}
	return postgres.Dump{Conferences: out, PushKey: key, Purged: purged}, nil
}

// dumpConference reads what d holds of conference c besides its listing
// and agenda.
func dumpConference(ctx context.Context, d dumper, c *postgres.Conference) error {
	slug := c.Listing.Slug
	var err error
	if c.Tokens, err = d.Tokens(ctx, slug); err != nil {
		return err
	}
	if c.Picks, err = d.Picks(ctx, slug); err != nil {
		return err
	}
	if c.Subscriptions, err = d.AllSubscriptions(ctx, slug); err != nil {
		return err
	}
	if c.Pushed, err = d.PushedRevision(ctx, slug); err != nil {
		return err
	}
	if c.Webhooks, err = d.Webhooks(ctx, slug); err != nil {
		return err
	}
	c.Outbox, err = d.Outbox(ctx, slug)
	return err
}

// purgedCopied reports whether the copy remembers every purged slug of
// the original with at least its revision (a target holding no conference
// may have purged some itself).
func purgedCopied(orig, copied map[string]int64) bool {
	for slug, rev := range orig {
		if copied[slug] < rev {
			return false
		}
	}
	return true
}

// summary is one line about conference c: what migrate reports, and what
// the copy must match.
func summary(c postgres.Conference) string {
	var b strings.Builder
	b.WriteString(c.Listing.Slug)
	if c.Listing.Default {
		b.WriteString(" (default)")
	}
	if !c.Listing.Removed.IsZero() {
		fmt.Fprintf(&b, " (removed %s)", c.Listing.Removed.UTC().Format("2006-01-02T15:04:05.000000Z"))
	}
	switch src := c.Listing.Source; {
	case src.Location == "":
	case src.Follow > 0:
		fmt.Fprintf(&b, " following %s every %v", printable(src.Location), src.Follow)
	default: // read once, when it was added
		fmt.Fprintf(&b, " from %s", printable(src.Location))
	}
	if c.Agenda == nil {
		b.WriteString(": no agenda yet")
	} else {
		fmt.Fprintf(&b, ": revision %d (log from %d, %d entries), %d sessions", c.Agenda.Revision(), c.Agenda.BaseRevision(),
			len(c.Agenda.Log()), c.Agenda.Len())
	}
	fmt.Fprintf(&b, ", %d organizer tokens, %d picks, %d push subscriptions", len(c.Tokens), len(c.Picks), len(c.Subscriptions))
	if c.Pushed > 0 {
		fmt.Fprintf(&b, " (pushed up to revision %d)", c.Pushed)
	}
	fmt.Fprintf(&b, ", %d webhooks, %d deliveries waiting", len(c.Webhooks), len(c.Outbox))
	return b.String()
}

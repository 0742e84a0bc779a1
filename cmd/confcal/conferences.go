package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/conferences"
	"confcal/formats"
	"confcal/page"
	"confcal/source"
	"confcal/web"
)

// The conferences command manages the conferences a server hosts, each at
// its own URL ("/{slug}/"). On the local store it changes the registry in
// the data directory (a serve running on it starts or stops serving a
// conference at its next look at the store, within seconds); with -server
// it asks the server's admin API, with the admin token.

const conferencesUsage = `Usage:

	confcal conferences [list] [flags]                   list the conferences
	confcal conferences add [flags] SLUG FILE|URL        add one from its schedule (e.g. pretalx's .../schedule/export/schedule.xml)
	confcal conferences remove [flags] SLUG              stop serving one, keeping its data
	confcal conferences restore [flags] SLUG             serve a removed one again
	confcal conferences purge [flags] SLUG               delete a removed one and all it holds
	confcal conferences token [flags] SLUG               make an organizer token of one (printed once)
`

// conferenceSubcommands are the subcommands of conferences.
var conferenceSubcommands = []string{"list", "add", "remove", "restore", "purge", "token"}

// defaultPageBase is where the printed links of the local store point
// without -base-url: serve's default address.
const defaultPageBase = "http://localhost:8080"

// runConferences lists, adds, removes, restores or purges conferences, or
// makes an organizer token of one.
func runConferences(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, fs, err := subcommand("conferences", args, conferenceSubcommands, conferencesUsage, stderr)
	if err != nil {
		return err
	}
	f := &confFlags{
		store:     addStoreFlags(fs),
		server:    serverFlag(fs),
		tokenFile: tokenFileFlag(fs, "the admin API token, for -server"),
		baseURL: fs.String("base-url", env("CONFCAL_BASE_URL", ""),
			"public `URL` of the server, for the links printed from the local store (env CONFCAL_BASE_URL; default "+defaultPageBase+")"),
	}
	switch sub {
	case "add":
		return runConferencesAdd(ctx, fs, f, args, stdout)
	case "list":
		return f.run(ctx, fs, args, nil, func(ctx context.Context, c conferenceAdmin, _ []string) error {
			list, err := c.list(ctx)
			if err != nil {
				return err
			}
			return writeConferences(stdout, list)
		})
	}
	return f.run(ctx, fs, args, []string{"a conference's slug"}, func(ctx context.Context, c conferenceAdmin, pos []string) error {
		slug := pos[0]
		switch sub {
		case "remove":
			if err := c.remove(ctx, slug); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed conference %s: no longer served; its data is kept\n", slug)
			fmt.Fprintf(stdout, "confcal conferences restore %s serves it again; confcal conferences purge %s deletes it for good\n", slug, slug)
		case "restore":
			conf, err := c.restore(ctx, slug)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "restored conference %s\n", slug)
			writeURLs(stdout, conf)
		case "purge":
			if err := c.purge(ctx, slug); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "purged conference %s: deleted with everything it held\n", slug)
		case "token":
			tok, err := c.token(ctx, slug)
			if err != nil {
				return err
			}
			// The token alone on stdout, so that it can go straight into
			// a file; what it is on stderr.
			fmt.Fprintln(stdout, tok)
			fmt.Fprintf(stderr, "a new organizer token of conference %s: it changes that conference only (its sessions, rooms, imports); "+
				"use it with -server, in -admin-token-file or CONFCAL_ADMIN_TOKEN. Only its hash is stored: keep it now, it is not shown again.\n", slug)
		}
		return nil
	})
}

// runConferencesAdd adds a conference from its schedule: a file, or a URL
// (read by the server, with -server). The schedule is read and checked
// before the store is opened, so a mistake leaves no store behind.
func runConferencesAdd(ctx context.Context, fs *flag.FlagSet, f *confFlags, args []string, stdout io.Writer) error {
	name := fs.String("name", "", "the conference's `name`, instead of the schedule's")
	zone := fs.String("time-zone", "", "the conference's IANA time `zone` (e.g. Europe/Brussels), for formats that name none (Pentabarf XML, Sessionize, CSV)")
	var names []string
	for _, x := range source.Formats() {
		names = append(names, string(x))
	}
	format := fs.String("format", "", "the schedule's `format`: "+strings.Join(names, ", ")+"; detected from the content when empty")
	follow := fs.String("follow", "", "re-read the schedule every `period` (e.g. 15m) and apply what changed; empty reads it once")
	uidDomain := fs.String("uid-domain", "", "`domain` after \"@\" in calendar UIDs, for a schedule that gives none")
	var nc newConference
	check := func(pos []string) error {
		n := api.NewConference{Slug: pos[0], Name: *name, TimeZone: *zone, Format: *format, Follow: *follow, UIDDomain: *uidDomain, Source: pos[1]}
		if err := web.CheckSlug(n.Slug); err != nil {
			return &usageError{err: fmt.Errorf("slug: %w", err)}
		}
		if n.Format != "" {
			if _, err := source.ParseFormat(n.Format); err != nil {
				return &usageError{err: fmt.Errorf("-format: %w", err)}
			}
		}
		if n.TimeZone != "" {
			if _, err := time.LoadLocation(n.TimeZone); err != nil {
				return &usageError{err: fmt.Errorf("-time-zone %q is not an IANA time zone (like Europe/Brussels)", n.TimeZone)}
			}
		}
		if n.Follow != "" {
			d, err := time.ParseDuration(n.Follow)
			if err != nil || d < conferences.MinFollow || d > conferences.MaxFollow {
				return &usageError{err: fmt.Errorf("-follow %q is not a period from %v to %v, like 15m", n.Follow, conferences.MinFollow, conferences.MaxFollow)}
			}
		}
		if n.Source == "" {
			return &usageError{err: errors.New("the schedule's file or URL is empty")}
		}
		nc = newConference{NewConference: n}
		local, file := *f.server == "", !source.IsURL(n.Source)
		switch {
		case !local && !file:
			return nil // the server reads the URL
		case !local && n.Follow != "":
			return &usageError{err: fmt.Errorf("-follow: the server cannot read %s, a file here: give the schedule's URL to follow it, or add it on the server's own store with -data", n.Source)}
		case local && file:
			// A followed file is read from wherever serve runs.
			abs, err := filepath.Abs(n.Source)
			if err != nil {
				return fmt.Errorf("%s: %w", n.Source, err)
			}
			n.Source = abs
		}
		// The schedule is read and checked here, so a mistake in a file
		// is reported with the file's name and line.
		l, res, err := conferences.PrepareResult(ctx, n)
		if err != nil {
			return err
		}
		nc = newConference{NewConference: n, listing: l, contents: res.Contents, problems: res.Problems}
		if !local { // a file: the server gets the schedule itself
			data, err := os.ReadFile(n.Source)
			if err != nil {
				return err
			}
			nc.Source, nc.Document = "", string(data)
			// The server reads a document without its file name: a
			// schedule that names no conference (CSV, Sessionize, an .ics
			// without X-WR-CALNAME) would be named, and its UIDs made,
			// after the word "document". Both are sent as read here, so
			// the conference is the one the same file makes on the
			// local store.
			if nc.Name == "" {
				nc.Name = res.Contents.Conference.Name
			}
			if nc.UIDDomain == "" {
				nc.UIDDomain = res.Contents.Conference.UIDDomain
			}
		}
		return nil
	}
	return f.runChecked(ctx, fs, args, []string{"a slug", "the schedule's file or URL"}, check, func(ctx context.Context, c conferenceAdmin, pos []string) error {
		for _, p := range nc.problems {
			fmt.Fprintln(stdout, "skipped or repaired:", printable(p.String()))
		}
		conf, err := c.add(ctx, nc)
		var re *api.RemoteError
		if errors.As(err, &re) && re.Status == http.StatusRequestEntityTooLarge && nc.Document != "" {
			return fmt.Errorf("%s is too large to send to the server (%w): put it at a URL the server can read, or add it on the server's own store with -data", pos[1], err)
		}
		if err != nil {
			return err
		}
		days := conf.First
		if conf.Last != conf.First {
			days += "–" + conf.Last
		}
		fmt.Fprintf(stdout, "added conference %s: %s, %s, %s\n", conf.Slug, printable(conf.Name), days, page.SessionCount(conf.Sessions))
		writeURLs(stdout, conf)
		if conf.Follow != "" {
			fmt.Fprintf(stdout, "follows %s every %s\n", printable(conf.Source), conf.Follow)
		}
		if conf.Default {
			fmt.Fprintln(stdout, "the store's first conference is its default one: the root URLs serve it too")
		}
		return nil
	})
}

// newConference is a conference to add: the request, and for the local
// store the listing and agenda its schedule makes (conferences.Prepare).
type newConference struct {
	api.NewConference
	listing  agenda.Listing
	contents agenda.Contents
	problems []formats.Problem // what reading the schedule here skipped or repaired
}

// writeURLs prints a conference's page, feed and CalDAV URLs.
func writeURLs(w io.Writer, c api.Conference) {
	fmt.Fprintf(w, "page:   %s\nfeed:   %s\nCalDAV: %s\n", printable(c.Page), printable(c.Feed), printable(c.CalDAV))
}

// writeConferences prints one row per conference.
func writeConferences(w io.Writer, list []listed) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tDAYS\tSESSIONS\tSTATE\tSOURCE")
	for _, c := range list {
		state := "served"
		switch {
		case !c.removed.IsZero():
			state = "removed " + c.removed.UTC().Format(time.DateOnly)
		case c.Default:
			state = "default"
		}
		name, days, sessions := "-", "-", "-"
		if c.Name != "" {
			name, days, sessions = printable(c.Name), c.First, fmt.Sprint(c.Sessions)
			if c.Last != c.First {
				days += "–" + c.Last
			}
		}
		src := "-"
		if c.Source != "" {
			src = printable(c.Source)
			if c.Follow != "" {
				src += ", followed every " + c.Follow
			}
			if c.SourceError != "" {
				// Only a server polls: it says how it went.
				src += "; the last poll failed (" + printable(c.LastPoll) + "): " + printable(c.SourceError)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", printable(c.Slug), name, days, sessions, state, src)
	}
	return tw.Flush()
}

// confFlags are the flags of every conferences subcommand.
type confFlags struct {
	store                      *storeFlags
	server, tokenFile, baseURL *string
}

// run parses args (exactly len(names) positional arguments), connects to
// the conferences the flags name, and calls do.
func (f *confFlags) run(ctx context.Context, fs *flag.FlagSet, args []string, names []string,
	do func(ctx context.Context, c conferenceAdmin, pos []string) error) error {
	check := func(pos []string) error {
		if len(pos) > 0 && !agenda.ValidID(pos[0]) {
			return &usageError{err: fmt.Errorf("%q is not a conference's slug (see confcal conferences list)", pos[0])}
		}
		return nil
	}
	return f.runChecked(ctx, fs, args, names, check, do)
}

// runChecked is run with check called on the positional arguments before
// anything is opened.
func (f *confFlags) runChecked(ctx context.Context, fs *flag.FlagSet, args []string, names []string,
	check func(pos []string) error, do func(ctx context.Context, c conferenceAdmin, pos []string) error) error {
	pos, err := parseArgs(fs, args, names...)
	if err != nil {
		return err
	}
	if err := localOrServer(fs, f.server); err != nil {
		return err
	}
	if *f.server != "" {
		if err := checkServer(*f.server); err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
	}
	if err := check(pos); err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if err := f.store.check(); err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	f.store.readOnly = fs.Name() == "conferences list"
	c, closeStore, err := f.dial(ctx, fs.Name() == "conferences add")
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	err = do(ctx, c, pos)
	if cerr := closeStore(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return nil
}

// dial returns the conferences of the server (-server) or of the store in
// the data directory, and the function that closes them. Only create makes
// a new store.
func (f *confFlags) dial(ctx context.Context, create bool) (conferenceAdmin, func() error, error) {
	if *f.server != "" {
		tok, err := adminToken(*f.tokenFile)
		if err != nil {
			return nil, nil, err
		}
		return remoteConferences{c: &api.Client{Base: *f.server, Token: tok}}, func() error { return nil }, nil
	}
	var (
		st    registry
		where string
		err   error
	)
	if create {
		st, where, err = f.store.open(ctx)
	} else {
		st, where, err = openExisting(ctx, f.store)
	}
	if err != nil {
		return nil, nil, err
	}
	base := strings.TrimRight(*f.baseURL, "/")
	if base == "" {
		base = defaultPageBase
	}
	return localConferences{st: st, dir: where, base: base}, st.Close, nil
}

// conferenceAdmin is what the conferences command does with the
// conferences of a store or a server. Both say no in the same words.
type conferenceAdmin interface {
	list(ctx context.Context) ([]listed, error)
	add(ctx context.Context, n newConference) (api.Conference, error)
	remove(ctx context.Context, slug string) error
	restore(ctx context.Context, slug string) (api.Conference, error)
	purge(ctx context.Context, slug string) error
	token(ctx context.Context, slug string) (string, error)
}

// listed is a conference as the list shows it; removed is when it was
// removed, zero for one served.
type listed struct {
	api.Conference
	removed time.Time
}

var (
	_ conferenceAdmin = localConferences{}
	_ conferenceAdmin = remoteConferences{}
)

// The refusals both sides make.
func errDefault(slug string) error {
	return fmt.Errorf("conference %s is the default one, which the root URLs serve: it cannot be removed", slug)
}

func errServed(slug string) error {
	return fmt.Errorf("conference %s is served: remove it first (confcal conferences remove %s), then purge it", slug, slug)
}

func errRemoved(slug string) error {
	return fmt.Errorf("conference %s is removed already: confcal conferences restore %s serves it again, confcal conferences purge %s deletes it", slug, slug, slug)
}

func errNotRemoved(slug string) error {
	return fmt.Errorf("conference %s is served; there is nothing to restore", slug)
}

// localConferences are the conferences of the store in dir; the links it
// prints start with base.
type localConferences struct {
	st   registry
	dir  string
	base string
}

func (c localConferences) describe(ctx context.Context, l agenda.Listing) (api.Conference, error) {
	snap, err := c.st.Agenda(l.Slug).Load(ctx)
	if errors.Is(err, agenda.ErrEmpty) {
		snap, err = nil, nil // added, but its first agenda never stored
	}
	if err != nil {
		return api.Conference{}, fmt.Errorf("conference %s: %w", l.Slug, err)
	}
	return api.Describe(l, snap, c.base), nil
}

func (c localConferences) list(ctx context.Context) ([]listed, error) {
	list, err := c.st.Conferences(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(list))
	for _, l := range list {
		d, err := c.describe(ctx, l)
		if err != nil {
			return nil, err
		}
		out = append(out, listed{Conference: d, removed: l.Removed})
	}
	return out, nil
}

func (c localConferences) add(ctx context.Context, n newConference) (api.Conference, error) {
	if l, err := findListing(ctx, c.st, c.dir, n.Slug); err == nil {
		if !l.Removed.IsZero() {
			return api.Conference{}, fmt.Errorf("conference %s exists already, removed: confcal conferences restore %s serves it again, confcal conferences purge %s deletes it", n.Slug, n.Slug, n.Slug)
		}
		return api.Conference{}, fmt.Errorf("conference %s exists already; choose another slug", n.Slug)
	}
	l := n.listing
	if _, err := agenda.NewSnapshot(n.contents, 1, 1, nil); err != nil {
		return api.Conference{}, err
	}
	if err := c.st.AddConference(ctx, l); err != nil {
		return api.Conference{}, err
	}
	// A slug that named a purged conference goes on from its revisions.
	snap, err := func() (*agenda.Snapshot, error) {
		added, err := findListing(ctx, c.st, c.dir, l.Slug)
		if err != nil {
			return nil, err
		}
		first := added.FirstRevision()
		snap, err := agenda.NewSnapshot(n.contents, first, first, nil)
		if err != nil {
			return nil, err
		}
		return snap, c.st.Agenda(l.Slug).Save(ctx, snap)
	}()
	if err != nil {
		// A conference without its agenda is none: take it back.
		undo := errors.Join(c.st.RemoveConference(ctx, l.Slug), c.st.PurgeConference(ctx, l.Slug))
		return api.Conference{}, errors.Join(err, undo)
	}
	if l, err = findListing(ctx, c.st, c.dir, l.Slug); err != nil {
		return api.Conference{}, err
	}
	return api.Describe(l, snap, c.base), nil
}

func (c localConferences) remove(ctx context.Context, slug string) error {
	l, err := findListing(ctx, c.st, c.dir, slug)
	switch {
	case err != nil:
		return err
	case l.Default:
		return errDefault(slug)
	case !l.Removed.IsZero():
		return errRemoved(slug)
	}
	return c.st.RemoveConference(ctx, slug)
}

func (c localConferences) restore(ctx context.Context, slug string) (api.Conference, error) {
	l, err := findListing(ctx, c.st, c.dir, slug)
	switch {
	case err != nil:
		return api.Conference{}, err
	case l.Removed.IsZero():
		return api.Conference{}, errNotRemoved(slug)
	}
	if err := c.st.RestoreConference(ctx, slug); err != nil {
		return api.Conference{}, err
	}
	l.Removed = time.Time{}
	return c.describe(ctx, l)
}

func (c localConferences) purge(ctx context.Context, slug string) error {
	l, err := findListing(ctx, c.st, c.dir, slug)
	switch {
	case err != nil:
		return err
	case l.Removed.IsZero():
		return errServed(slug)
	}
	return c.st.PurgeConference(ctx, slug)
}

func (c localConferences) token(ctx context.Context, slug string) (string, error) {
	if _, err := servedConference(ctx, c.st, c.dir, slug); err != nil {
		return "", err
	}
	// The Manager makes tokens as the server checks them; it serves
	// nothing here (it is never opened).
	return conferences.New(conferences.Config{Registry: c.st}).NewToken(ctx, slug)
}

// remoteConferences are a server's, through its admin API. What the list
// of served conferences tells is checked first, so the server's refusals
// read as the local store's.
type remoteConferences struct {
	c *api.Client
}

// served returns the conference slug as the server lists it, false when
// it does not serve it (it removed it, or has none of that slug).
func (r remoteConferences) served(ctx context.Context, slug string) (api.Conference, bool, error) {
	list, err := r.c.Conferences(ctx)
	if err != nil {
		return api.Conference{}, false, err
	}
	i := slices.IndexFunc(list.Conferences, func(c api.Conference) bool { return c.Slug == slug })
	if i < 0 {
		return api.Conference{}, false, nil
	}
	return list.Conferences[i], true, nil
}

func (r remoteConferences) list(ctx context.Context) ([]listed, error) {
	all := r.c.AllConferences
	if r.c.Token == "" {
		// Without the admin token, what anyone may see: the served ones.
		all = r.c.Conferences
	}
	list, err := all(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(list.Conferences))
	for _, c := range list.Conferences {
		l := listed{Conference: c}
		if c.Removed != "" {
			if l.removed, err = time.Parse(time.RFC3339, c.Removed); err != nil {
				return nil, fmt.Errorf("the server lists %s as removed at %q: %w", c.Slug, c.Removed, err)
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func (r remoteConferences) add(ctx context.Context, n newConference) (api.Conference, error) {
	return r.c.AddConference(ctx, n.NewConference)
}

func (r remoteConferences) remove(ctx context.Context, slug string) error {
	c, ok, err := r.served(ctx, slug)
	if err != nil {
		return err
	}
	if ok && c.Default {
		return errDefault(slug)
	}
	_, err = r.c.RemoveConference(ctx, slug, false)
	if re := (*api.RemoteError)(nil); !ok && errors.As(err, &re) && re.Status == http.StatusConflict {
		return errRemoved(slug) // the one conflict of a conference not served
	}
	return err
}

func (r remoteConferences) restore(ctx context.Context, slug string) (api.Conference, error) {
	if _, ok, err := r.served(ctx, slug); err != nil {
		return api.Conference{}, err
	} else if ok {
		return api.Conference{}, errNotRemoved(slug)
	}
	return r.c.RestoreConference(ctx, slug)
}

func (r remoteConferences) purge(ctx context.Context, slug string) error {
	if _, ok, err := r.served(ctx, slug); err != nil {
		return err
	} else if ok {
		return errServed(slug)
	}
	_, err := r.c.RemoveConference(ctx, slug, true)
	return err
}

func (r remoteConferences) token(ctx context.Context, slug string) (string, error) {
	tok, err := r.c.NewToken(ctx, slug)
	return tok.Token, err
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/caldav"
	"confcal/conferences"
	"confcal/metrics"
	"confcal/page"
	"confcal/postgres"
	"confcal/push"
	"confcal/source"
	"confcal/web"
	"confcal/webhook"
)

// storePoll is how often serve looks for revisions another process (the
// command line, or another server on the same store) stored, on SQLite.
const storePoll = 2 * time.Second

// pgStorePoll is storePoll on PostgreSQL, where notifications bring every
// change at once and a reconnection catches up with what was missed: the
// poll is only a net under a refresh that failed while the listening
// connection stayed up.
const pgStorePoll = 30 * time.Second

// minTokenLen is the shortest admin token serve accepts without a warning:
// failed guesses are rate-limited, but a short token still falls to a
// patient guesser.
const minTokenLen = 32

// runServe serves the agenda over HTTP until ctx is cancelled, then shuts
// down gracefully: it stops accepting, lets requests in flight finish (up
// to shutdownTimeout) and returns nil.
func runServe(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]", stderr)
	addr := fs.String("addr", env("CONFCAL_ADDR", ":8080"), "`address` to listen on (env CONFCAL_ADDR)")
	baseURL := fs.String("base-url", env("CONFCAL_BASE_URL", ""),
		"public `URL` of the server, without a trailing slash, used in feed links (env CONFCAL_BASE_URL; default http://localhost:PORT)")
	trustProxy := fs.Bool("trust-proxy", envBool("CONFCAL_TRUST_PROXY"),
		"believe X-Forwarded-Proto/Host (the page's link base when -base-url is empty) and X-Forwarded-For (the client address rate limits count); only behind a proxy that sets them (env CONFCAL_TRUST_PROXY=1)")
	seed := addAgendaFlags(fs)
	stf := addStoreFlags(fs)
	tokenFile := tokenFileFlag(fs, "the admin API token")
	flags := addServeFlags(fs) // logs and limits (serveflags.go)
	follow := flags.duration(fs, "follow", "CONFCAL_FOLLOW", 0,
		"re-read -agenda every `period` (e.g. 5m) and apply what changed, as confcal import does, recorded in the store for a later serve without -agenda; 0 reads it only into an empty store and follows it no more")
	pushOpts := addPushFlags(fs) // WebDAV-Push and where outbound requests may go (push.go)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := pushOpts.check(); err != nil {
		return err
	}
	if err := seed.check(); err != nil {
		return err
	}
	if err := flags.check(); err != nil {
		return err
	}
	if err := stf.check(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *follow < 0 || *follow > 0 && (*seed.file == "" || *seed.file == "-") {
		return &usageError{err: errors.New("serve: -follow needs -agenda FILE|URL (not standard input) and a positive period")}
	}
	log, access, closeLogs, err := flags.loggers(stderr)
	if err != nil {
		return err
	}
	defer closeLogs()
	token, err := adminToken(*tokenFile)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	pageBase, err := page.BaseURL(*baseURL, *trustProxy)
	if err != nil {
		return fmt.Errorf("serve: -base-url: %w", err)
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	base := *baseURL
	if base == "" {
		base = localURL(ln.Addr())
	}
	// The agenda source (or the built-in agenda) is read even when the
	// store holds the agenda already, so a broken one is reported, not
	// ignored; and before the store is opened, so one that is refused
	// leaves no store behind. It is the default conference's: a new store
	// starts with it.
	res, readErr := seed.read(ctx, stdin)
	if readErr != nil {
		// A followed source that is broken now (its server down while
		// this one restarts) must not take down the agenda a store
		// holds: serve that, as a broken poll would leave it, and let
		// the follower report the source and catch up when it is back.
		// A store that holds no agenda has nothing to serve: refused, and
		// no SQLite file is made (a PostgreSQL database is opened, so its
		// schema is made, and refused once it proves empty).
		exists, err := stf.exists()
		if *follow <= 0 || err != nil || !exists {
			return readErr
		}
		log.Warn("the agenda's source cannot be read: serving the agenda the store holds, following the source from the next poll",
			"agenda", *seed.file, "error", readErr)
	}
	store, where, err := stf.open(ctx)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer store.Close()
	m := metrics.New()
	for _, p := range res.Problems {
		log.Warn("the agenda's source: skipped or repaired", "where", p.Pos, "problem", p.Reason)
	}
	def, stored, err := defaultConference(ctx, store, res.Contents)
	if err != nil {
		return fmt.Errorf("serve: %s: %w", where, err)
	}
	follows, err := defaultSource(seed, *follow, stored)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// On PostgreSQL, other replicas may serve the same conferences: one
	// of them at a time polls each followed source, and one sends each
	// conference's push messages.
	pgURL := stf.postgresURL()
	var (
		turns     conferences.Turns
		pushTurns push.Turns
	)
	if pgURL != "" {
		t, err := postgres.NewTurns(pgURL)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer t.Close() // after the background work that asks it has ended
		turns, pushTurns = t, t.Push()
	}
	// Background work (pushes, webhook deliveries) ends with bg, and is
	// waited for before the store closes.
	var background sync.WaitGroup
	defer background.Wait()
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	// WebDAV-Push and webhooks keep their subscriptions and outbox in the
	// store (every store keeps them: registry embeds agenda.PushStore),
	// shared by every process on it.
	var (
		pushFor    func(string) caldav.Push
		hookClient = pushOpts.webhookClient()
		hooks      = &webhook.Registry{Store: store, Client: hookClient}
	)
	ps, pushSvc, err := pushOpts.start(ctx, log, store, pushOpts.client(log), base, pushTurns)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if pushSvc != nil {
		pushFor = ps
		background.Go(func() { pushSvc.Run(bg) })
	}
	srv, err := web.New(web.Config{BaseURL: base, Logger: log, TrustProxy: *trustProxy, PageBase: pageBase, Push: pushFor, Webhooks: hooks,
		Default: def, Picks: storePicks{st: store, slug: def},
		PicksFor:     func(slug string) page.PickStore { return storePicks{st: store, slug: slug} },
		Token:        token,
		Middleware:   serveMiddleware(access, m),
		CalDAVReport: m.CalDAVReport})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	imported := false
	mgr := conferences.New(conferences.Config{Registry: store, Logger: log, Withdraw: srv.Withdraw, Turns: turns,
		Publisher: func(slug string) agenda.PublishFunc { return timed(srv.Publisher(slug), m, slug == def) },
		Store:     func(st agenda.Store) agenda.Store { return observedStore{st, m} },
		Polled:    func(_ string, st source.Status) { m.SourcePolled(st.Err) },
		// The default conference follows -agenda when -follow is given,
		// recorded in the store like a conference added with -follow,
		// so that the organizer commands on the store refuse edits a
		// poll would undo, and a later serve goes on following it.
		DefaultSource: follows})
	if err := mgr.Open(bg, func() (*agenda.Snapshot, error) {
		if readErr != nil {
			return nil, readErr // the store holds no default agenda after all
		}
		imported = true
		return agenda.NewSnapshot(res.Contents, 1, 1, nil)
	}); err != nil {
		return fmt.Errorf("serve: %s: %w", where, err)
	}
	// Webhooks: every revision stored (by this process or another on the
	// store) waits in the outbox until delivered; the outbox's leases let
	// each delivery go out from one process at a time.
	deliverer := &webhook.Deliverer{Store: store, Client: hookClient, Logger: log,
		Snapshot: func(ctx context.Context, slug string, rev int64) (*agenda.Snapshot, error) {
			if c, ok := mgr.Get(slug); ok {
				if cur := c.Service.Current(); cur != nil && cur.Revision() >= rev {
					return cur, nil
				}
			}
			// Stored by another process and not served here yet, or of
			// a conference removed since.
			return store.Agenda(slug).Load(ctx)
		}}
	background.Go(func() { deliverer.Run(bg) })
	defConf, ok := mgr.Default()
	if !ok {
		return fmt.Errorf("serve: %s: the default conference %s has no agenda", where, def)
	}
	svc := defConf.Service
	snap := svc.Current()
	switch {
	case *seed.file != "" && !imported && *follow <= 0:
		log.Warn("agenda not imported: the store already holds the agenda; use confcal import to apply an edited one, or serve with -follow",
			"agenda", *seed.file, "store", where)
	case *baseURL == "":
		// The feeds (/feeds, each event's URL) and CalDAV sync tokens carry
		// this base; the page follows each request's Host instead.
		log.Warn("no -base-url (CONFCAL_BASE_URL): feed links point at "+base+"; set it to the public URL before people subscribe", "base_url", base)
	}
	if *follow > 0 && *follow < conferences.MinFollow {
		// Allowed (tests, a source on this machine), but a schedule
		// server polled this often may well refuse the poller.
		log.Warn(fmt.Sprintf("-follow %v polls the source more often than once a minute, the least conferences add allows; a schedule server may rate-limit it", *follow),
			"agenda", *seed.file)
	}
	switch {
	case token == "":
		log.Warn("admin API writes are disabled: set CONFCAL_ADMIN_TOKEN or -admin-token-file to enable them")
	case len(token) < minTokenLen:
		log.Warn(fmt.Sprintf("the admin token is shorter than %d characters: make a longer, random one (e.g. openssl rand -hex 32)", minTokenLen),
			"length", len(token))
	}

	var repl *replication // how following the other replicas goes; nil on SQLite
	if pgURL != "" {
		repl = &replication{mgr: mgr, log: log}
		go func() {
			if err := postgres.Listen(bg, pgURL, repl, postgres.ListenOptions{Logger: log}); err != nil {
				log.Error("listening for other replicas' changes", "error", err)
			}
		}()
		go mgr.Poll(bg, pgStorePoll)
	} else {
		go mgr.Poll(bg, storePoll)
	}
	// How following the sources goes, the default conference's too.
	src := &sources{confs: mgr.List}
	h := srv.HandlerFor(mgr, monitoringEndpoints(m, log, store, svc, src, repl))
	hs := flags.httpServer(h, log)
	// Shutdown waits for every request to end, and a change stream ends
	// only when its client leaves or it is told to.
	hs.RegisterOnShutdown(srv.EndStreams)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "url", base,
		"conference", snap.Conference().Name, "revision", snap.Revision(), "sessions", snap.Len(),
		"conferences", len(mgr.List()), "store", where)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveMiddleware is what serve wraps every route in (web.Config.Middleware):
// the access log to access and the metrics m, in one wrapper.
func serveMiddleware(access *slog.Logger, m *metrics.Metrics) []func(http.Handler) http.Handler {
	return []func(http.Handler) http.Handler{m.InstrumentAndLog(access, web.RoutePattern, web.LogPath)}
}

// defaultConference returns the slug of the store's default conference
// and the source the store records for it: the one it holds, or for a new
// store the one seed will be, which has none yet.
func defaultConference(ctx context.Context, reg agenda.Registry, seed agenda.Contents) (string, agenda.Source, error) {
	list, err := reg.Conferences(ctx)
	if err != nil {
		return "", agenda.Source{}, err
	}
	for _, l := range list {
		if l.Default {
			return l.Slug, l.Source, nil
		}
	}
	if len(list) > 0 {
		return "", agenda.Source{}, errors.New("the store has conferences but no default one")
	}
	return agenda.DefaultSlug(seed.Conference.Name), agenda.Source{}, nil
}

// defaultSource is what the default conference is to follow as serve's
// flags say (conferences.Config.DefaultSource), the store recording
// stored: -agenda with -follow, that source (a file by its absolute path,
// as serve may start elsewhere next time); -agenda without it, none, when
// the store says it follows one; nil, leaving the store's record, without
// -agenda.
func defaultSource(seed *agendaFlags, follow time.Duration, stored agenda.Source) (*agenda.Source, error) {
	switch {
	case *seed.file == "":
		return nil, nil
	case follow <= 0:
		if stored.Follow > 0 {
			return &agenda.Source{}, nil
		}
		return nil, nil
	}
	loc := *seed.file
	if !source.IsURL(loc) {
		abs, err := filepath.Abs(loc)
		if err != nil {
			return nil, fmt.Errorf("-agenda %s: %w", loc, err)
		}
		loc = abs
	}
	return &agenda.Source{Location: loc, Format: *seed.format, TimeZone: *seed.timeZone, UIDDomain: *seed.uidDomain, Follow: follow}, nil
}

// localURL is the default base URL for a listener: http://localhost:PORT
// when it listens on all interfaces, else its own address.
func localURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := "localhost"
	if !tcp.IP.IsUnspecified() {
		host = tcp.IP.String()
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"

	"confcal/metrics"
	"confcal/page"
	"confcal/web"
)

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
	file := agendaFlag(fs)
	data := dataFlag(fs)
	tokenFile := tokenFileFlag(fs)
	ops := addOpsFlags(fs) // logs and limits (ops.go)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := ops.check(); err != nil {
		return err
	}
	log, access, closeLogs, err := ops.loggers(stderr)
	if err != nil {
		return err
	}
	defer closeLogs()
	token, err := adminToken(*tokenFile)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	// The agenda file (or the built-in one) is read even when the store
	// holds the agenda already, so a broken file is reported, not ignored.
	seed, err := loadAgenda(*file, stdin)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	base := *baseURL
	if base == "" {
		base = localURL(ln.Addr())
	}
	lv, err := openLive(ctx, *data, token, base, log)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer lv.close()
	pageBase, err := page.BaseURL(*baseURL, *trustProxy)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: -base-url: %w", err)
	}
	cfg := web.Config{BaseURL: base, Logger: log, API: lv.api, ChangesAtom: lv.atom, TrustProxy: *trustProxy,
		Page: web.PageOptions{BaseURL: pageBase, Picks: storePicks{lv.store}}}
	var srv *web.Server
	observe(&cfg, metrics.New(), log, access, lv, func() *web.Server { return srv }) // metrics, access log, health (ops.go)
	srv = web.New(cfg)
	imported, err := lv.start(ctx, srv, seed)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	snap := lv.svc.Current()
	if *file != "" && !imported {
		log.Warn("agenda file not imported: the store already holds the agenda; use confcal import to apply an edited file",
			"file", *file, "store", lv.store.Path())
	}
	if *baseURL == "" {
		// The feeds (/feeds, each event's URL) and CalDAV sync tokens carry
		// this base; the page follows each request's Host instead.
		log.Warn("no -base-url (CONFCAL_BASE_URL): feed links point at "+base+"; set it to the public URL before people subscribe", "base_url", base)
	}
	switch {
	case token == "":
		log.Warn("admin API writes are disabled: set CONFCAL_ADMIN_TOKEN or -admin-token-file to enable them")
	case len(token) < minTokenLen:
		log.Warn(fmt.Sprintf("the admin token is shorter than %d characters: make a longer, random one (e.g. openssl rand -hex 32)", minTokenLen),
			"length", len(token))
	}
	lv.startPolling(ctx, log)

	hs := ops.httpServer(srv.Handler(), log)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "url", base,
		"conference", snap.Conference().Name, "revision", snap.Revision(), "sessions", len(snap.SessionIDs()),
		"store", lv.store.Path())

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

// minTokenLen is the shortest admin token serve accepts without a warning:
// failed guesses are rate-limited, but a short token still falls to a
// patient guesser.
const minTokenLen = 32

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

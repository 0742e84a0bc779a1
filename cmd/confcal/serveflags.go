package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/conferences"
	"confcal/metrics"
)

// This file runs serve in production: logging, server limits, metrics,
// health and readiness.

// Server limits, the defaults of serve's flags: slow or oversized
// requests must not tie up the server. Feeds are small and pre-rendered,
// so writes finish well within a minute even on a slow link.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 15 * time.Second
)

// serveFlags are serve's flags for logs and limits.
type serveFlags struct {
	logLevel, logFormat           *string
	readHeader, read, write, idle *time.Duration
	maxHeader                     *int
	envErrs                       []error // malformed environment values
}

func addServeFlags(fs *flag.FlagSet) *serveFlags {
	o := &serveFlags{}
	o.logLevel = fs.String("log-level", env("CONFCAL_LOG_LEVEL", "info"),
		"least `level` logged: debug, info (one line per request), warn or error (env CONFCAL_LOG_LEVEL)")
	o.logFormat = fs.String("log-format", env("CONFCAL_LOG_FORMAT", "text"),
		"log `format`: text (key=value) or json (env CONFCAL_LOG_FORMAT)")
	o.readHeader = o.duration(fs, "read-header-timeout", "CONFCAL_READ_HEADER_TIMEOUT", readHeaderTimeout,
		"time a client gets to send a request's headers; slower clients are disconnected")
	o.read = o.duration(fs, "read-timeout", "CONFCAL_READ_TIMEOUT", readTimeout, "time a client gets to send a whole request")
	o.write = o.duration(fs, "write-timeout", "CONFCAL_WRITE_TIMEOUT", writeTimeout, "time the server gets to write a response")
	o.idle = o.duration(fs, "idle-timeout", "CONFCAL_IDLE_TIMEOUT", idleTimeout, "time an idle keep-alive connection is kept open")
	def := maxHeaderBytes
	if v := os.Getenv("CONFCAL_MAX_HEADER_BYTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			o.envErrs = append(o.envErrs, fmt.Errorf("CONFCAL_MAX_HEADER_BYTES=%q: want a positive number of bytes", v))
		} else {
			def = n
		}
	}
	o.maxHeader = fs.Int("max-header-bytes", def, "largest request line and headers, in `bytes` (env CONFCAL_MAX_HEADER_BYTES)")
	return o
}

// duration defines a duration flag whose default comes from the
// environment variable key when set.
func (o *serveFlags) duration(fs *flag.FlagSet, name, key string, def time.Duration, usage string) *time.Duration {
	if v := os.Getenv(key); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			o.envErrs = append(o.envErrs, fmt.Errorf("%s=%q: want a duration such as 10s", key, v))
		} else {
			def = d
		}
	}
	return fs.Duration(name, def, usage+" (env "+key+")")
}

// check reports malformed values, in the environment or on the command
// line, as a usage error.
func (o *serveFlags) check() error {
	errs := o.envErrs
	for name, d := range map[string]time.Duration{
		"-read-header-timeout": *o.readHeader, "-read-timeout": *o.read, "-write-timeout": *o.write, "-idle-timeout": *o.idle,
	} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s %s: want a positive duration", name, d))
		}
	}
	if *o.maxHeader <= 0 {
		errs = append(errs, fmt.Errorf("-max-header-bytes %d: want a positive number", *o.maxHeader))
	}
	if len(errs) > 0 {
		return &usageError{err: fmt.Errorf("serve: %w", errors.Join(errs...))}
	}
	return nil
}

// loggers returns the loggers the flags ask for, both writing to w: log
// for events and errors, written at once, and access for the access log,
// buffered (see bufferedWriter). close flushes the access log and must be
// called when serving is over.
func (o *serveFlags) loggers(w io.Writer) (log, access *slog.Logger, close func(), err error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(*o.logLevel)); err != nil {
		return nil, nil, nil, &usageError{err: fmt.Errorf("serve: -log-level %q: want debug, info, warn or error", *o.logLevel)}
	}
	opts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler
	var json bool
	switch strings.ToLower(*o.logFormat) {
	case "text":
		handler = slog.NewTextHandler(w, opts)
	case "json":
		handler, json = slog.NewJSONHandler(w, opts), true
	default:
		return nil, nil, nil, &usageError{err: fmt.Errorf("serve: -log-format %q: want text or json", *o.logFormat)}
	}
	// The access log's handler writes its request lines in the same
	// format as slog's, without slog's generic formatting.
	bw := newBufferedWriter(w, accessFlush)
	return slog.New(handler), slog.New(metrics.AccessHandler(bw, json, opts)), bw.close, nil
}

// accessFlush is how long an access-log line may wait in the buffer.
const accessFlush = 200 * time.Millisecond

// bufferedWriter gathers the access log's lines and writes them in batches:
// at least every accessFlush, when 64 KiB have gathered, and on close. One
// write system call per request would cost a fifth of the throughput on
// small answers (a 304 to a poll); a crash loses at most the last
// accessFlush of access lines, never an error, which goes to the other
// logger unbuffered. It is safe for concurrent use.
type bufferedWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newBufferedWriter(w io.Writer, every time.Duration) *bufferedWriter {
	b := &bufferedWriter{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.flush()
			}
		}
	}()
	return b
}

// Write implements io.Writer; slog writes one whole line per call.
func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *bufferedWriter) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.w.Flush() //nolint:errcheck // nowhere left to report a failing log
}

// close stops the periodic flush and writes what is left.
func (b *bufferedWriter) close() {
	close(b.stop)
	<-b.done
	b.flush()
}

// httpServer returns the server for h with the flags' limits.
func (o *serveFlags) httpServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: *o.readHeader,
		ReadTimeout:       *o.read,
		WriteTimeout:      *o.write,
		IdleTimeout:       *o.idle,
		MaxHeaderBytes:    *o.maxHeader,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// monitoringEndpoints are /healthz, /readyz and /metrics. Readiness checks the
// store and that a revision is served and, when serve follows sources
// (src is not nil and names one), says how the last poll of each went, and
// on PostgreSQL (repl is not nil) whether it hears the other replicas'
// changes — the last two without failing readiness: serving goes on from
// the last good version, and a lost connection to the database fails the
// store check.
func monitoringEndpoints(m *metrics.Metrics, log *slog.Logger, store registry, svc *agenda.Service, src *sources, repl *replication) map[string]http.Handler {
	checks := []metrics.Check{
		{Name: "store", Run: func(ctx context.Context) error {
			_, err := store.Revision(ctx)
			return err
		}},
		{Name: "snapshot", Run: func(context.Context) error {
			if svc.Current() == nil {
				return errors.New("no revision rendered yet")
			}
			return nil
		}},
	}
	if src != nil {
		checks = append(checks, metrics.Check{Name: "source", Advisory: true, Run: func(context.Context) error { return src.err() }})
	}
	if repl != nil {
		checks = append(checks, metrics.Check{Name: "replicas", Advisory: true, Run: func(context.Context) error { return repl.err() }})
	}
	return map[string]http.Handler{
		"/healthz": metrics.Healthz(),
		"/readyz":  metrics.Readyz(log, checks...),
		"/metrics": m.Handler(),
	}
}

// sources are the sources serve follows: those of the conferences, among
// confs, that follow one.
type sources struct {
	confs func() []*conferences.Conference
}

// err is the source check's answer: ErrSkipCheck while no source is
// followed, nil while every last poll went well. Each conference whose
// last poll failed is shown, its slug and the error, as GET
// /api/conferences shows them to anyone (a file by its name alone).
func (s *sources) err() error {
	followed := false
	var failed []string
	for _, c := range s.confs() {
		if c.Follows() == "" {
			continue
		}
		followed = true
		if st := c.LastPoll(); st != nil && st.Err != nil {
			failed = append(failed, c.Listing.Slug+": "+api.PublicPollError(c.Follows(), st.Err))
		}
	}
	if !followed {
		return metrics.ErrSkipCheck
	}
	if len(failed) > 0 {
		return &metrics.PublicError{Lines: failed}
	}
	return nil
}

// timed wraps publish so that m records how long rendering took and, once
// swapped in, the revision served.
func timed(publish agenda.PublishFunc, m *metrics.Metrics, def bool) agenda.PublishFunc {
	return func(ctx context.Context, snap *agenda.Snapshot) (func(), error) {
		start := time.Now()
		swap, err := publish(ctx, snap)
		m.Rendered(time.Since(start), err)
		if err != nil {
			return nil, err
		}
		rev := snap.Revision()
		return func() {
			swap()
			if def { // the revision metrics are the default conference's
				m.Serving(rev, time.Now())
			}
		}, nil
	}
}

// observedStore counts the store's failures in m. A stale save (a change
// raced by another process, retried by agenda.Service) and an empty store
// (a first start) are not failures.
type observedStore struct {
	st agenda.Store
	m  *metrics.Metrics
}

var _ agenda.Store = observedStore{}

func (o observedStore) fail(op string, err error) {
	if err != nil && !errors.Is(err, agenda.ErrStale) && !errors.Is(err, agenda.ErrEmpty) {
		o.m.StoreError(op)
	}
}

// Load implements agenda.Store.
func (o observedStore) Load(ctx context.Context) (*agenda.Snapshot, error) {
	snap, err := o.st.Load(ctx)
	o.fail("load", err)
	return snap, err
}

// Save implements agenda.Store.
func (o observedStore) Save(ctx context.Context, next *agenda.Snapshot) error {
	err := o.st.Save(ctx, next)
	o.fail("save", err)
	return err
}

// Revision lets agenda.Service poll the store cheaply, as the SQLite and
// PostgreSQL stores do.
func (o observedStore) Revision(ctx context.Context) (int64, error) {
	r, ok := o.st.(interface {
		Revision(ctx context.Context) (int64, error)
	})
	if !ok {
		return 0, errors.New("the store cannot tell its revision")
	}
	rev, err := r.Revision(ctx)
	o.fail("revision", err)
	return rev, err
}

// Close implements agenda.Store.
func (o observedStore) Close() error { return o.st.Close() }

// Package web is confcal's HTTP face: one route table (Server.Handler) for
// the .ics feeds and their list, personal picks, the attendee page, the
// admin API, the Atom change log and, mounted beside them, CalDAV.
//
// Everything served is a view of one immutable revision of the agenda:
// Publish renders it (ical.Render, which renders each session's VEVENT
// once, when it changes, and shares it with every later revision) and
// swap makes it current with one atomic store. A feed is the list of its
// sessions' rendered events, made on first request per revision; its ETag
// comes from the events' own hashes, so a 304 costs no body at all. The
// contiguous body a 200 writes in one Write (and its gzip copy) is made
// from those pieces on first request and kept in one cache bounded by
// bytes, keyed by ETag, so a feed an edit did not change keeps its bytes
// across revisions. A personal pick is put together per request in a
// pooled buffer. CalDAV answers are streamed from the same pieces.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confcal/agenda"
	"confcal/caldav"
	"confcal/ical"
	"confcal/page"
)

// Config configures a Server.
type Config struct {
	// BaseURL is the absolute URL the server is reached at, without a
	// trailing slash, e.g. "https://confcal.example.org". Feed URLs in the
	// feed list and session URLs in the calendars are built from it.
	BaseURL string
	// ProdID is the iCalendar PRODID; "" means ical's default.
	ProdID string
	// Logger receives server errors and warnings; nil discards them.
	Logger *slog.Logger
	// Middleware wrap every route, the first outermost (access log,
	// metrics). They run inside the router, after routing, so
	// RoutePattern names the route a request matched.
	Middleware []func(http.Handler) http.Handler
	// CalDAVReport, when set, is told the kind of every REPORT request
	// with a body ("sync-collection", "calendar-query", …), for metrics;
	// each conference's CalDAV tree tells it (caldav.Options.ReportKind).
	CalDAVReport func(kind string)
	// TrustProxy makes the server believe X-Forwarded-Proto and -Host (the
	// page's link base when BaseURL is not given per request) and count a
	// client, for rate limits, by the last address in X-Forwarded-For:
	// set it only behind a proxy that sets them.
	TrustProxy bool
	// PageBase gives the absolute base of the page's feed, webcal and QR
	// links for a request (page.BaseURL); nil means BaseURL.
	PageBase func(*http.Request) string
	// Picks keeps the default conference's personal picks too long for a
	// URL under short codes, served as /feeds/my/{code}.ics; PicksFor
	// gives those of every other conference. nil means in-memory stores.
	Picks    page.PickStore
	PicksFor func(slug string) page.PickStore
	// Default is the slug of the default conference, the one the root
	// URLs serve (Publish publishes it); "" for a server of one agenda,
	// whose conference has no slug of its own.
	Default string
	// Now is the clock of the page's "changed in the last 24 hours"; nil
	// means time.Now.
	Now func() time.Time
	// Token is the admin token API writes must present as a bearer token;
	// empty disables writes (they answer 403 and say how to enable them).
	Token string
	// Follows names the source the agenda follows (a file or URL), if it
	// follows one: the source is then the agenda's truth, and API edits of
	// sessions answer 409 naming it (rooms may still be renamed).
	Follows string
	// FeedCache bounds the bytes of the feed bodies kept between requests;
	// zero means DefaultFeedCache.
	FeedCache int
	// StreamHeartbeat is how long a change stream (stream.go) may stay
	// silent before it sends a comment, so that proxies and clients do not
	// take it for dead; zero means DefaultStreamHeartbeat.
	StreamHeartbeat time.Duration
	// StreamsPerClient bounds the change streams open at once from one
	// client address (ratelimit.ClientKey; more answer 429), Streams those
	// open on the server (more answer 503); zero means
	// DefaultStreamsPerClient and DefaultStreams.
	StreamsPerClient, Streams int
	// Push, when set, gives each conference (by slug) its WebDAV-Push
	// (caldav.Push): its calendars then take push subscriptions, and each
	// revision pushes the calendars it changed. Nil serves no push.
	Push func(slug string) caldav.Push
	// Webhooks, when set, serves each conference's /api/webhooks
	// (api_webhooks.go); nil serves none.
	Webhooks Webhooks
}

// DefaultFeedCache is the default bound of Config.FeedCache.
const DefaultFeedCache = 64 << 20

// Server serves the conferences it hosts, each a revision at a time: the
// default one at the root ("/feeds/…", "/dav/public/…", "/api/…", "/"),
// every one under its slug ("/{slug}/feeds/…", "/dav/{slug}/…"). Its
// methods are safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	bodies *bodyCache
	page   *page.Renderer
	limits limiters
	pool   pools // buffers picks are put together in (picks.go)

	// The change streams (stream.go): their slots, and closing, closed
	// once by EndStreams.
	streams   *streamSlots
	closing   chan struct{}
	closeOnce sync.Once

	mu    sync.RWMutex
	confs map[string]*conf // by slug; the default one under "" too
}

// New returns a Server with no conference yet: until the first swap from
// Publish (or a Publisher's), its conference's requests get 503 Service
// Unavailable.
func New(cfg Config) (*Server, error) {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("web: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.PageBase == nil {
		base := cfg.BaseURL
		cfg.PageBase = func(*http.Request) string { return base }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FeedCache <= 0 {
		cfg.FeedCache = DefaultFeedCache
	}
	if cfg.StreamHeartbeat <= 0 {
		cfg.StreamHeartbeat = DefaultStreamHeartbeat
	}
	if cfg.StreamsPerClient <= 0 {
		cfg.StreamsPerClient = DefaultStreamsPerClient
	}
	if cfg.Streams <= 0 {
		cfg.Streams = DefaultStreams
	}
	pg, err := page.New()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{cfg: cfg, log: log, bodies: newBodyCache(cfg.FeedCache), page: pg, limits: newLimiters(), confs: map[string]*conf{},
		streams: newStreamSlots(cfg.StreamsPerClient, cfg.Streams), closing: make(chan struct{})}
	def := s.newConf(cfg.Default, true)
	s.confs[""], s.confs[cfg.Default] = def, def
	return s, nil
}

// site is one revision as the server serves it. It is immutable but for
// the views made on first request (views, list), which any request may
// add and all share.
type site struct {
	conf     *conf
	rendered *ical.Rendered
	snap     *agenda.Snapshot
	// replaced is closed when a later revision is swapped in: what the
	// change streams of the conference wait on.
	replaced chan struct{}
	views    sync.Map               // named feed key ("track/talks") → *entity
	all      atomic.Pointer[entity] // the whole conference's, also in views
	pickHead ical.Head              // the head of every pick (picks.go)
	// Made on first request: the feed list, the Atom log, the schedule
	// exports.
	list, atom, scheduleXML, scheduleJSON atomic.Pointer[entity]
	// The change stream's event of this revision, made on first request:
	// every open stream sends the same bytes (site.event).
	streamEvent atomic.Pointer[[]byte]
}

// Publish renders snap for serving as the default conference (see
// Publisher): the agenda.PublishFunc of a server of one agenda.
func (s *Server) Publish(ctx context.Context, snap *agenda.Snapshot) (swap func(), err error) {
	return s.conference("").publish(ctx, snap)
}

// Current returns the default conference's rendering being served, nil
// before the first swap.
func (s *Server) Current() *ical.Rendered {
	return s.conference("").current()
}

// catchUp is how long a request naming a revision after the one served
// waits for it: replicas on one store each serve what any of them stored
// within a second or so, and a client that learnt the revision from one
// (a load balancer picks) may ask another that has not loaded it yet.
const catchUp = 2 * time.Second

// awaitRevision returns the site of r's conference once it serves
// revision rev (conf.await).
func (s *Server) awaitRevision(r *http.Request, rev int64) (*site, error) {
	if _, err := s.site(r); err != nil {
		return nil, err
	}
	return confOf(r).await(r.Context(), rev), nil
}

// await returns the site c serves once it is at revision rev, waiting up
// to catchUp for it: after that, or when ctx ends first, the site it
// serves then (nil before the first). The API's change log and CalDAV's
// sync tokens (caldav.Options.Await) wait so.
func (c *conf) await(ctx context.Context, rev int64) *site {
	st := c.cur.Load()
	if st == nil || st.snap.Revision() >= rev {
		return st
	}
	timer := time.NewTimer(catchUp)
	defer timer.Stop()
	for st.snap.Revision() < rev {
		select {
		case <-st.replaced:
			st = c.cur.Load()
		case <-timer.C:
			return st
		case <-ctx.Done():
			return st
		}
	}
	return st
}

// errNotLoaded: no revision is served yet.
var errNotLoaded = errors.New("the agenda is not loaded yet")

// site returns the revision of the request's conference to serve.
func (s *Server) site(r *http.Request) (*site, error) {
	c := confOf(r)
	if c == nil {
		return nil, &httpError{status: http.StatusNotFound, msg: "no such conference"}
	}
	st := c.cur.Load()
	if st == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, msg: errNotLoaded.Error()}
	}
	return st, nil
}

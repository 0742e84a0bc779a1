package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"confcal/agenda"
	"confcal/caldav"
	"confcal/ical"
	"confcal/page"

	"github.com/go-chi/chi/v5"
)

// conf is one conference as the server serves it: its revision, where its
// links point, its stored picks and its CalDAV tree.
type conf struct {
	slug   string // "" for the default conference of a server of one agenda
	def    bool   // the default conference, served at the root too
	base   string // absolute URL its feeds' and events' links start with
	prodID string
	cur    atomic.Pointer[site]
	picks  page.PickStore
	dav    *caldav.Handler // its principal, calendar home and calendars
	// gone is closed when the conference is withdrawn, which ends its
	// change streams.
	gone chan struct{}
	// atSlug is the request context's reference to it under its slug
	// (confRef), made once.
	atSlug confRef
}

// newConf makes the serving side of conference slug. The default
// conference keeps the URLs of a server of one agenda: links on the bare
// base URL, the principal "public", picks in Config.Picks. Any other lives
// under its slug: "/{slug}/…" and "/dav/{slug}/".
func (s *Server) newConf(slug string, def bool) *conf {
	c := &conf{slug: slug, def: def, base: s.cfg.BaseURL, prodID: s.cfg.ProdID, gone: make(chan struct{})}
	c.atSlug = confRef{c: c, prefix: "/" + slug}
	opts := caldav.Options{Prefix: caldav.DefaultPrefix, Logger: s.log, ClientKey: s.clientKey, ReportKind: s.cfg.CalDAVReport,
		Await: func(ctx context.Context, rev int64) { c.await(ctx, rev) }}
	if s.cfg.Push != nil {
		opts.Push = s.cfg.Push(cmp.Or(slug, s.cfg.Default))
	}
	switch {
	case def:
		c.picks = s.cfg.Picks
		opts.Roots = []string{"/"}
		if slug != "" {
			opts.Roots = append(opts.Roots, "/"+slug+"/")
		}
	default:
		c.base += "/" + slug
		opts.Principal = slug
		opts.Roots = []string{"/" + slug + "/"}
	}
	if c.picks == nil && s.cfg.PicksFor != nil {
		c.picks = s.cfg.PicksFor(slug)
	}
	if c.picks == nil {
		c.picks = page.NewMemoryPicks(10_000)
	}
	c.dav = caldav.NewHandler(opts, c.current)
	return c
}

// current returns the rendering being served, nil before the first swap.
func (c *conf) current() *ical.Rendered {
	if st := c.cur.Load(); st != nil {
		return st.rendered
	}
	return nil
}

// publish renders snap for serving (ical.Render, reusing the events of
// the revision being served wherever a session renders the same) and
// returns swap, which makes it current in one atomic step and wakes the
// conference's change streams: swap is the one place a revision becomes
// current, so the streams wait for nothing else and poll nothing. A
// failed publish leaves the conference as it was.
func (c *conf) publish(_ context.Context, snap *agenda.Snapshot) (func(), error) {
	var prev *ical.Rendered
	if old := c.cur.Load(); old != nil {
		prev = old.rendered
	}
	rendered, err := ical.Render(snap, ical.Options{BaseURL: c.base, ProdID: c.prodID}, prev)
	if err != nil {
		return nil, err
	}
	next := &site{conf: c, rendered: rendered, snap: snap, pickHead: pickHead(rendered), replaced: make(chan struct{})}
	return func() {
		// Each revision is swapped out once, so its channel is closed
		// once; a swap called twice finds its own revision current.
		if old := c.cur.Swap(next); old != nil && old != next {
			close(old.replaced)
		}
		// WebDAV-Push: the calendars this revision changed are pushed.
		c.dav.Published()
	}, nil
}

// Publisher returns the agenda.PublishFunc of conference slug: the
// default one (Config.Default) is served at the root URLs as well as
// under its slug, any other under its slug. The conference is served from
// its first swap on, until Withdraw.
func (s *Server) Publisher(slug string) agenda.PublishFunc {
	return s.conference(slug).publish
}

// conference returns the serving side of conference slug, making it on
// first use; "" is the default one.
func (s *Server) conference(slug string) *conf {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.confs[slug]
	if !ok {
		c = s.newConf(slug, false)
		s.confs[slug] = c
	}
	return c
}

// Withdraw stops serving conference slug: its URLs answer 404 from now
// on, and its open change streams end. The default conference cannot be
// withdrawn.
func (s *Server) Withdraw(slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.confs[slug]; ok && !c.def {
		delete(s.confs, slug)
		close(c.gone) // it was in the table, so this is its one withdrawal
	}
}

// lookup returns the conference served under slug ("" for the default).
func (s *Server) lookup(slug string) *conf {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.confs[slug]
}

// served lists the conferences being served (each once) with their
// revisions, upcoming ones first by their first day, then past ones,
// latest first; today is the day "upcoming" is measured from.
func (s *Server) served(today agenda.Date) []*site {
	s.mu.RLock()
	var out []*site
	for slug, c := range s.confs {
		if slug == "" && s.cfg.Default != "" {
			continue // the default one, listed under its slug
		}
		if st := c.cur.Load(); st != nil {
			out = append(out, st)
		}
	}
	s.mu.RUnlock()
	upcoming := func(st *site) bool { return !st.snap.Conference().Last.Before(today) }
	slices.SortFunc(out, func(a, b *site) int {
		ua, ub := upcoming(a), upcoming(b)
		ca, cb := a.snap.Conference(), b.snap.Conference()
		switch {
		case ua != ub:
			if ua {
				return -1
			}
			return 1
		case ua && ca.First != cb.First:
			return dateOrder(ca.First, cb.First)
		case !ua && ca.Last != cb.Last:
			return dateOrder(cb.Last, ca.Last)
		}
		return strings.Compare(a.conf.slug, b.conf.slug)
	})
	return out
}

// dateOrder compares days for sorting.
func dateOrder(a, b agenda.Date) int {
	if a.Before(b) {
		return -1
	}
	return 1
}

// Reserved reports whether slug cannot name a conference: it is the first
// segment of a URL the server serves at its root ("feeds", "api", "dav",
// …) or the default conference's principal (agenda.ReservedSlug, which
// the stores know too, so the slug they make for a default conference
// never is one; TestReservedCoversRoutes checks it against the route table).
func Reserved(slug string) bool { return agenda.ReservedSlug(slug) }

// request context: the conference a request is for, and the path prefix
// it was reached under ("" at the root, "/{slug}" below it).
type confKey struct{}

type confRef struct {
	c      *conf
	prefix string
}

// confCtx is a request's context with its conference: one allocation per
// request, where context.WithValue and the confRef boxed into it made
// two. Every request is routed through one, so it is worth its type.
type confCtx struct {
	context.Context
	ref *confRef
}

// Value answers confKey with the request's conference.
func (c *confCtx) Value(key any) any {
	if _, ok := key.(confKey); ok {
		return c.ref
	}
	return c.Context.Value(key)
}

// withConf returns r with ref as its conference: r itself when its
// context is routeTable's and names no conference yet, else r with a
// context of its own (a middleware of Config.Middleware may have made
// one).
func withConf(r *http.Request, ref *confRef) *http.Request {
	if rc, ok := r.Context().(*routed); ok && rc.ref == nil {
		rc.ref = ref
		return r
	}
	return r.WithContext(&confCtx{Context: r.Context(), ref: ref})
}

// confOf returns the conference of r, nil when none was routed.
func confOf(r *http.Request) *conf {
	if ref, ok := r.Context().Value(confKey{}).(*confRef); ok {
		return ref.c
	}
	return nil
}

// prefixOf returns the path prefix r reached its conference under.
func prefixOf(r *http.Request) string {
	if ref, ok := r.Context().Value(confKey{}).(*confRef); ok {
		return ref.prefix
	}
	return ""
}

// atDefault routes requests at the root to the default conference, which
// is the same one for the server's life (Withdraw keeps it).
func (s *Server) atDefault(next http.Handler) http.Handler {
	ref := &confRef{c: s.lookup("")}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, withConf(r, ref))
	})
}

// atSlug routes requests below /{conf}/ to that conference: 404 for a
// slug no conference is served under. A root URL's first segment is no
// slug: a method its routes do not take answers 405, as routes asks.
func (s *Server) atSlug(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slug := chi.URLParam(r, "conf")
		if Reserved(slug) {
			s.methodNotAllowed(w, r, chi.RouteContext(r.Context()).Routes)
			return
		}
		c := s.lookup(slug)
		if slug == "" || c == nil {
			s.fail(w, r, errorf(http.StatusNotFound, "not found: no conference %s here", short(slug)))
			return
		}
		next.ServeHTTP(w, withConf(r, &c.atSlug))
	})
}

// serveDAV hands a request below /dav to the CalDAV tree it is for:
// "/dav/{slug}/…" to conference slug's, everything else (the tree's root,
// "/dav/public/…") to the default conference's.
func (s *Server) serveDAV(w http.ResponseWriter, r *http.Request) {
	seg, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, caldav.DefaultPrefix+"/"), "/")
	if c := s.lookup(seg); seg != "" && c != nil && !c.def {
		c.dav.ServeHTTP(w, r)
		return
	}
	s.lookup("").dav.ServeHTTP(w, r)
}

// split returns the conference slug a path starts with ("" for a path at
// the root) and the path below it: "/pycon/feeds/all.ics" is "pycon" and
// "/feeds/all.ics". Reserved first segments are the root's own.
func split(p string) (slug, rest string) {
	seg, after, found := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if seg == "" || Reserved(seg) || !agenda.ValidID(seg) {
		return "", p
	}
	if !found {
		return seg, "/"
	}
	return seg, "/" + after
}

// local returns the path of r below its conference's prefix.
func local(r *http.Request) string {
	_, rest := split(r.URL.Path)
	return rest
}

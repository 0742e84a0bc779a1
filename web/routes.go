package web

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"confcal/agenda"
	"confcal/caldav"
	"confcal/catalog"

	"github.com/go-chi/chi/v5"
)

// init registers the WebDAV and CalDAV methods with chi. chi answers a
// method it does not know with 405 before routing, and Mount records the
// known methods when a route is added, so they must be registered before
// any router is built. chi keeps them in package-level tables, and only an
// init fills those before the first router is built, without racing
// parallel tests. It is this package's one init. The list is caldav's
// (every WebDAV method of the IANA registry), so that each reaches the
// CalDAV handler: writes are refused there with 403 need-privileges.
func init() {
	for _, m := range caldav.WebDAVMethods() {
		chi.RegisterMethod(m)
	}
}

// Handler returns the route table of a server of one agenda: svc is the
// agenda service API writes change (nil serves reads only: API writes then
// answer 503), and Config.Token the one token that may. See HandlerFor.
func (s *Server) Handler(svc *agenda.Service, monitoring map[string]http.Handler) http.Handler {
	return s.HandlerFor(one{svc: svc, follows: s.cfg.Follows, slug: s.cfg.Default}, monitoring)
}

// HandlerFor returns the route table: every URL confcal serves. host runs
// the conferences' agendas (API writes change them through it); when it
// is also a ConferenceAdmin, the admin token manages conferences through
// /api/conferences. monitoring holds the monitoring endpoints served by exact path
// for GET and HEAD ("/healthz", "/readyz", "/metrics").
//
// Every conference's URLs are served twice over: at the root for the
// default conference, and under "/{slug}" for each, the default one too.
// A slug never shadows a root URL (Reserved).
func (s *Server) HandlerFor(host Host, monitoring map[string]http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Use(s.middleware()...) // limits, headers, and Config.Middleware (middleware.go)
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "not found")
	}))
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) { s.methodNotAllowed(w, req, r) })
	read := func(r chi.Router, pattern string, h http.HandlerFunc) {
		r.Get(pattern, h)
		r.Head(pattern, h)
	}
	// Browsers ask every site for /favicon.ico; the pages have no icon.
	// No Content, kept for a day, instead of a 404 each page's console
	// reports as an error.
	read(r, "/favicon.ico", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})

	// The admin's conferences (api_conferences.go).
	if admin, ok := host.(ConferenceAdmin); ok {
		c := &conferenceAPI{s: s, admin: admin}
		read(r, "/api/conferences", s.handle(c.list))
		r.Group(func(r chi.Router) {
			r.Use(s.requireAdmin)
			r.Post("/api/conferences", s.handle(c.create))
			r.Delete("/api/conferences/{slug}", s.handle(c.remove))
			r.Post("/api/conferences/{slug}/restore", s.handle(c.restore))
			r.Post("/api/conferences/{slug}/tokens", s.handle(c.token))
		})
	}
	r.Group(func(r chi.Router) {
		r.Use(s.atDefault)
		s.conferenceRoutes(r, "", host, read)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.atSlug)
		s.conferenceRoutes(r, "/{conf}", host, read)
		// A client given only the conference's URL asks it for
		// current-user-principal first.
		r.Method("PROPFIND", "/{conf}/", http.HandlerFunc(s.serveContextRoot))
		r.Method("PROPFIND", "/{conf}", http.HandlerFunc(s.serveContextRoot))
		read(r, "/{conf}", s.redirectSlash)
	})

	// CalDAV: /.well-known/caldav (RFC 6764: it redirects to the default
	// conference's principal), everything below /dav (each tree refuses
	// writes with 403 itself), and PROPFIND on "/", which clients given
	// only the server's address ask for current-user-principal first.
	dav := http.HandlerFunc(s.serveDAV)
	r.Handle("/.well-known/caldav", dav)
	r.Handle("/.well-known/caldav/", dav)
	r.Handle(caldav.DefaultPrefix, dav)
	r.Handle(caldav.DefaultPrefix+"/*", dav)
	r.Method("PROPFIND", "/", dav)

	// /healthz, /readyz, /metrics.
	for _, p := range slices.Sorted(maps.Keys(monitoring)) {
		read(r, p, monitoring[p].ServeHTTP)
	}
	return &routeTable{Mux: r}
}

// routeTable is the route table HandlerFor returns: chi's router (its
// chi.Routes too), whose requests get their context made once, with
// chi's routing context and a place for the conference (routed). chi
// otherwise adds a context and a copy of the request for its routing
// context, and the conference another pair.
type routeTable struct {
	*chi.Mux
	contexts sync.Pool // of *chi.Context, as chi pools its own
}

func (t *routeTable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Context().Value(chi.RouteCtxKey) != nil {
		// Mounted in another chi router, whose routing context chi
		// goes on with.
		t.Mux.ServeHTTP(w, r)
		return
	}
	rc, _ := t.contexts.Get().(*chi.Context)
	if rc == nil {
		rc = chi.NewRouteContext()
	}
	rc.Reset()
	rc.Routes = t.Mux
	t.Mux.ServeHTTP(w, r.WithContext(&routed{Context: r.Context(), route: rc}))
	t.contexts.Put(rc)
}

// routed is the context of a request routeTable serves: chi's routing
// context, and the conference atDefault or atSlug routes the request to,
// set once in place (withConf) before its handler runs.
type routed struct {
	context.Context
	route *chi.Context
	ref   *confRef
}

// Value answers chi's routing context key and confKey.
func (c *routed) Value(key any) any {
	if key == chi.RouteCtxKey {
		return c.route
	}
	if _, ok := key.(confKey); ok && c.ref != nil {
		return c.ref
	}
	return c.Context.Value(key)
}

// conferenceRoutes adds the routes of one conference to r: r routes each
// request to its conference (atDefault, atSlug) before these run.
func (s *Server) conferenceRoutes(r chi.Router, at string, host Host, read func(chi.Router, string, http.HandlerFunc)) {
	// The published .ics feeds and their list (feeds.go), personal picks
	// (picks.go), the change log as Atom (atom.go).
	read(r, at+catalog.ListPath, s.handle(s.serveFeedList))
	read(r, at+catalog.AllPath, s.serveFeed(catalog.All, ""))
	read(r, at+"/feeds/tracks/{track}.ics", s.serveFeed(catalog.Track, "track"))
	read(r, at+"/feeds/rooms/{room}.ics", s.serveFeed(catalog.Room, "room"))
	read(r, at+"/feeds/days/{day}.ics", s.serveFeed(catalog.Day, "day"))
	read(r, at+"/feeds/sessions/{session}.ics", s.serveFeed(catalog.Session, "session"))
	read(r, at+"/feeds/speakers/{speaker}.ics", s.serveFeed(catalog.Speaker, "speaker"))
	read(r, at+catalog.PickPath, s.handle(s.servePick)) // ?sessions=…&tracks=…&rooms=…&days=…
	read(r, at+"/feeds/my/{code}.ics", s.handle(s.serveStoredPick))
	read(r, at+catalog.AtomPath, s.handle(s.serveAtom))

	// The whole conference in frab's formats (schedule.go).
	read(r, at+"/schedule.xml", s.serveSchedule(scheduleXML()))
	read(r, at+"/schedule.json", s.serveSchedule(scheduleJSON()))

	// The attendee page (page.go).
	read(r, at+"/", s.handle(s.servePage))
	read(r, at+"/sessions/{id}", s.handle(s.serveSessionPage))
	read(r, at+"/help", s.handle(s.serveHelp))
	r.With(crossOrigin).Post(at+"/my", s.handle(s.storePick))
	read(r, at+"/qr.svg", s.handle(s.serveQR))
	read(r, at+"/static/{name}", s.handle(s.serveStatic))

	// The conference's API (api.go): reads are public, writes need the
	// admin token or one of the conference's organizer tokens.
	a := &adminAPI{s: s, host: host}
	read(r, at+"/api/sessions", s.handle(a.listSessions))
	read(r, at+"/api/sessions/{id}", s.handle(a.getSession))
	read(r, at+"/api/rooms", s.handle(a.listRooms))
	read(r, at+"/api/rooms/{id}", s.handle(a.getRoom)) // where POST /api/rooms says the new room is
	read(r, at+"/api/tracks", s.handle(a.listTracks))
	read(r, at+"/api/speakers", s.handle(a.listSpeakers))
	read(r, at+"/api/changes", s.handle(a.listChanges))
	read(r, at+"/api/changes/stream", s.handle(s.serveStream)) // Server-Sent Events (stream.go)
	r.Group(func(r chi.Router) {
		r.Use(func(next http.Handler) http.Handler { return s.requireToken(host, next) })
		r.Patch(at+"/api/sessions/{id}", s.handle(a.patchSession))
		r.Post(at+"/api/sessions", s.handle(a.createSession))
		r.Post(at+"/api/rooms", s.handle(a.createRoom))
		r.Patch(at+"/api/rooms/{id}", s.handle(a.patchRoom))
		r.Post(at+"/api/import", s.handle(a.importAgenda))
		// The conference's webhooks (api_webhooks.go): listing them
		// needs a token too, as their URLs may hold the receivers'.
		if s.cfg.Webhooks != nil {
			h := &webhookAPI{s: s, hooks: s.cfg.Webhooks}
			r.Get(at+"/api/webhooks", s.handle(h.list))
			r.Post(at+"/api/webhooks", s.handle(h.create))
			r.Delete(at+"/api/webhooks/{id}", s.handle(h.remove))
		}
	})
}

// redirectSlash sends "/{slug}" to the conference's page, "/{slug}/".
func (s *Server) redirectSlash(w http.ResponseWriter, r *http.Request) {
	slug := chi.URLParam(r, "conf")
	if s.lookup(slug) == nil || !agenda.ValidID(slug) {
		s.fail(w, r, errorf(http.StatusNotFound, "no conference %s here", short(slug)))
		return
	}
	http.Redirect(w, r, "/"+slug+"/", http.StatusMovedPermanently)
}

// serveContextRoot answers PROPFIND on a conference's URL from its CalDAV
// tree, which names its principal there.
func (s *Server) serveContextRoot(w http.ResponseWriter, r *http.Request) {
	slug := chi.URLParam(r, "conf")
	c := s.lookup(slug)
	if c == nil || slug == "" {
		s.fail(w, r, errorf(http.StatusNotFound, "no conference %s here", short(slug)))
		return
	}
	c.dav.ServeHTTP(w, r)
}

// crossOrigin refuses cross-origin form posts (CSRF): a page elsewhere
// must not store picks in an attendee's name.
func crossOrigin(next http.Handler) http.Handler {
	return http.NewCrossOriginProtection().Handler(next)
}

// allowCandidates are the methods a 405's Allow header may list: those
// of HTTP and of WebDAV that some route serves.
func allowCandidates() []string {
	return append([]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions}, caldav.WebDAVMethods()...)
}

// methodNotAllowed answers a method no route of the path takes, and a
// method chi does not know at all, which chi refuses before routing. The
// CalDAV tree answers any method itself (a write with 403
// need-privileges, anything else 405 with its Allow), so a request for it
// goes to its handler; elsewhere the answer is 405 with an Allow header
// listing the methods the path's routes take (RFC 9110 §15.5.6 requires
// it), found by asking the route table.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, routes chi.Routes) {
	if p := r.URL.Path; p == caldav.DefaultPrefix || strings.HasPrefix(p, caldav.DefaultPrefix+"/") ||
		p == "/.well-known/caldav" || p == "/.well-known/caldav/" {
		s.serveDAV(w, r)
		return
	}
	var allow []string
	slug, _ := split(r.URL.Path)
	if slug == "" || s.lookup(slug) != nil { // a conference not served here has no URLs: 404, as its GET
		for _, m := range allowCandidates() {
			// A conference's routes are not a root URL's: "/my" is no slug.
			if p := routes.Find(chi.NewRouteContext(), m, r.URL.Path); p != "" && (slug != "" || !strings.HasPrefix(p, "/{conf}")) {
				allow = append(allow, m)
			}
		}
	}
	switch {
	case len(allow) == 0:
		s.fail(w, r, errorf(http.StatusNotFound, "not found"))
		return
	case r.Method == http.MethodOptions:
		options(w, r, allow)
		return
	}
	w.Header()["Allow"] = allow // one field per method, as chi's own 405 does
	s.fail(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed here; allowed: %s", r.Method, strings.Join(allow, ", ")))
}

// options answers OPTIONS of a path whose routes take the methods allow
// (RFC 9110 §9.3.7): 204 with Allow, and the DAV classes where the
// CalDAV tree answers PROPFIND (a client given the server's or a
// conference's address may ask OPTIONS first). A CORS preflight of a read where
// reads are open to any origin (openToPages) is allowed, with the
// conditional request fields a page polling a feed sends (a page that sets
// If-None-Match itself makes its browser ask first); any other preflight
// gets no Access-Control-Allow-Origin, so the browser refuses it.
func options(w http.ResponseWriter, r *http.Request, allow []string) {
	h := w.Header()
	h.Set("Allow", strings.Join(append(allow, http.MethodOptions), ", "))
	if slices.Contains(allow, "PROPFIND") {
		h.Set("DAV", caldav.DAVClasses) // the CalDAV tree answers its PROPFIND
	}
	m := r.Header.Get("Access-Control-Request-Method")
	if r.Header.Get("Origin") != "" && (m == http.MethodGet || m == http.MethodHead) && openToPages(local(r)) {
		h.Set("Access-Control-Allow-Origin", anyOrigin)
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		h.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Max-Age", "86400")
	}
	w.WriteHeader(http.StatusNoContent)
}

package web

import (
	"maps"
	"net/http"
	"slices"
	"strings"

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

// Handler returns the route table: every URL confcal serves. svc is the
// agenda service API writes change; nil serves reads only (API writes then
// answer 503). ops are operational endpoints served by exact path for GET
// and HEAD ("/healthz", "/readyz", "/metrics").
func (s *Server) Handler(svc *agenda.Service, ops map[string]http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Use(s.middleware()...) // limits, headers, and Config.Middleware (middleware.go)
	dav := caldav.NewHandler(caldav.Options{Prefix: caldav.DefaultPrefix, Logger: s.log}, s.Current)
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "not found")
	}))
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) { s.methodNotAllowed(w, req, r, dav) })
	read := func(pattern string, h http.HandlerFunc) {
		r.Get(pattern, h)
		r.Head(pattern, h)
	}

	// The published .ics feeds and their list (feeds.go), personal picks
	// (picks.go), the change log as Atom (api.go).
	read(catalog.ListPath, s.handle(s.serveFeedList))
	read(catalog.AllPath, s.serveNamed(catalog.All, ""))
	read("/feeds/tracks/{track}.ics", s.serveNamed(catalog.Track, "track"))
	read("/feeds/rooms/{room}.ics", s.serveNamed(catalog.Room, "room"))
	read("/feeds/days/{day}.ics", s.serveNamed(catalog.Day, "day"))
	read("/feeds/sessions/{session}.ics", s.serveNamed(catalog.Session, "session"))
	read("/feeds/speakers/{speaker}.ics", s.serveNamed(catalog.Speaker, "speaker"))
	read(catalog.PickPath, s.handle(s.servePick)) // ?sessions=…&tracks=…&rooms=…&days=…
	read("/feeds/my/{code}.ics", s.handle(s.serveStoredPick))
	read(catalog.AtomPath, s.handle(s.serveAtom))

	// The whole conference in frab's formats (schedule.go).
	read("/schedule.xml", s.serveSchedule(scheduleXML()))
	read("/schedule.json", s.serveSchedule(scheduleJSON()))

	// The attendee page (page.go).
	read("/", s.handle(s.servePage))
	read("/sessions/{id}", s.handle(s.serveSessionPage))
	read("/help", s.handle(s.serveHelp))
	r.With(crossOrigin).Post("/my", s.handle(s.storePick))
	read("/qr.svg", s.handle(s.serveQR))
	read("/static/{name}", s.handle(s.serveStatic))

	// The admin API (api.go): reads are public, writes need the token.
	a := &adminAPI{s: s, svc: svc}
	r.Route("/api", func(r chi.Router) {
		r.Get("/sessions", s.handle(a.listSessions))
		r.Head("/sessions", s.handle(a.listSessions))
		r.Get("/sessions/{id}", s.handle(a.getSession))
		r.Head("/sessions/{id}", s.handle(a.getSession))
		r.Get("/rooms", s.handle(a.listRooms))
		r.Head("/rooms", s.handle(a.listRooms))
		r.Get("/tracks", s.handle(a.listTracks))
		r.Head("/tracks", s.handle(a.listTracks))
		r.Get("/speakers", s.handle(a.listSpeakers))
		r.Head("/speakers", s.handle(a.listSpeakers))
		r.Get("/changes", s.handle(a.listChanges))
		r.Head("/changes", s.handle(a.listChanges))
		r.Group(func(r chi.Router) {
			r.Use(s.requireToken)
			r.Patch("/sessions/{id}", s.handle(a.patchSession))
			r.Post("/sessions", s.handle(a.createSession))
			r.Post("/rooms", s.handle(a.createRoom))
			r.Patch("/rooms/{id}", s.handle(a.patchRoom))
			r.Post("/import", s.handle(a.importAgenda))
		})
	})

	// CalDAV: /.well-known/caldav (RFC 6764: it redirects to the
	// principal), everything below /dav (the handler refuses writes with
	// 403 itself), and PROPFIND on "/", which clients given only the
	// server's address ask for current-user-principal first.
	r.Handle("/.well-known/caldav", dav)
	r.Handle("/.well-known/caldav/", dav)
	r.Mount(caldav.DefaultPrefix, dav)
	r.Method("PROPFIND", "/", dav)

	// /healthz, /readyz, /metrics.
	for _, p := range slices.Sorted(maps.Keys(ops)) {
		read(p, ops[p].ServeHTTP)
	}
	return r
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
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, routes chi.Routes, dav http.Handler) {
	if p := r.URL.Path; p == caldav.DefaultPrefix || strings.HasPrefix(p, caldav.DefaultPrefix+"/") ||
		p == "/.well-known/caldav" || p == "/.well-known/caldav/" {
		dav.ServeHTTP(w, r)
		return
	}
	var allow []string
	for _, m := range allowCandidates() {
		if routes.Find(chi.NewRouteContext(), m, r.URL.Path) != "" {
			w.Header().Add("Allow", m) // one field per method, as chi's own 405 does
			allow = append(allow, m)
		}
	}
	s.fail(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed here; allowed: %s", r.Method, strings.Join(allow, ", ")))
}

package web

import (
	"fmt"
	"net/http"
	"strings"

	"confcal/caldav"

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

// Handler returns the route table: every URL confcal serves.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.middleware()...) // limits, headers, and Config.Middleware (middleware.go)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusNotFound, "not found")
	})
	var dav http.Handler // set below, before any request
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		s.methodNotAllowed(w, req, r, dav)
	})
	// read routes GET and HEAD of a pattern to h.
	read := func(pattern string, h http.HandlerFunc) {
		r.Get(pattern, h)
		r.Head(pattern, h)
	}

	// Published .ics feeds and their list (feeds.go).
	read("/feeds", s.serveFeedList)
	read("/feeds/all.ics", s.serveAllFeed)
	read("/feeds/tracks/{track}.ics", s.serveTrackFeed)
	read("/feeds/rooms/{room}.ics", s.serveRoomFeed)
	read("/feeds/days/{day}.ics", s.serveDayFeed)
	read("/feeds/sessions/{session}.ics", s.serveSessionFeed)
	read("/feeds/custom.ics", s.serveCustomFeed) // ?sessions=…&tracks=…&rooms=…&days=…

	// What changed, as Atom, and the admin API (issue 4, package api).
	if s.cfg.ChangesAtom != nil {
		read("/feeds/changes.atom", s.cfg.ChangesAtom.ServeHTTP)
	}
	if s.cfg.API != nil {
		r.Mount("/api", s.cfg.API)
	}

	// The attendee page and /feeds/my/{code}.ics (page.go).
	s.mountPage(r)

	// CalDAV (issue 3): /.well-known/caldav, the /dav/* tree, PROPFIND / (dav.go).
	dav = s.mountDAV(r)

	// /healthz, /readyz, /metrics (Config.Ops).
	s.mountOps(r)

	return r
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
	for _, m := range allowCandidates() {
		if routes.Find(chi.NewRouteContext(), m, r.URL.Path) != "" {
			w.Header().Add("Allow", m) // one field per method, as chi's own 405 does
		}
	}
	s.writeError(w, r, http.StatusMethodNotAllowed, "method not allowed")
}

// writeError is the one way handlers report failure: a short text/plain
// message with the status. Server errors (5xx) are logged; client errors
// are the client's business and are not.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed",
			"method", r.Method, "path", r.URL.Path, "status", status, "error", msg)
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintln(w, msg)
	}
}

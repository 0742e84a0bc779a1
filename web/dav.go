package web

import (
	"net/http"

	"confcal/caldav"

	"github.com/go-chi/chi/v5"
)

// mountDAV routes CalDAV (issue 3) to the caldav handler, which answers
// from the edition being served (Current):
//
//   - /.well-known/caldav, with and without a trailing slash, any method
//     (RFC 6764: it redirects to the principal);
//   - everything below caldav.DefaultPrefix ("/dav"), any method: the
//     handler itself refuses writes with 403;
//   - PROPFIND on "/": clients given only the server's address (python
//     caldav, vdirsyncer) ask the root for current-user-principal first.
//
// chi answers 405 for methods it does not know; the WebDAV ones are
// registered by this package's init, and any other method on the tree is
// handed to the handler by the router's 405 handler (routes.go), which
// is why mountDAV returns it.
func (s *Server) mountDAV(r chi.Router) http.Handler {
	dav := caldav.NewHandler(caldav.Options{Prefix: caldav.DefaultPrefix, Logger: s.log}, s.Current)
	r.Handle("/.well-known/caldav", dav)
	r.Handle("/.well-known/caldav/", dav)
	r.Mount(caldav.DefaultPrefix, dav)
	r.Method("PROPFIND", "/", dav)
	return dav
}

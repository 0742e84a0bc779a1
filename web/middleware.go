package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
)

// MaxBody caps every request body: larger ones get 413 Request Entity Too
// Large. The biggest legitimate bodies are an admin import of a whole
// agenda and a CalDAV REPORT, both far below it.
const MaxBody = 1 << 20

// MaxSchedule caps the bodies that carry a whole schedule (POST
// /api/import, POST /api/conferences): a big conference's schedule.xml
// runs to megabytes (FOSDEM's is 1.6 MB). Only the admin's or an
// organizer's token gets such a body read at all.
const MaxSchedule = 16 << 20

// bodyLimit is the largest body r may carry.
func bodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && (r.URL.Path == "/api/conferences" || local(r) == "/api/import") {
		return MaxSchedule
	}
	return MaxBody
}

// RoutePattern returns the route pattern r matched in the route table,
// e.g. "/feeds/tracks/{track}.ics" or "/dav/*", and "" when it matches
// none. Middleware in Config.Middleware run inside the router, so after
// the handler has returned they can name the route of every request with
// it, including one the server's own limits refused before routing (a
// body over MaxBody): the route table is then asked which route it is.
func RoutePattern(r *http.Request) string {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return ""
	}
	if p := rc.RoutePattern(); p != "" {
		return p
	}
	if rc.Routes == nil {
		return ""
	}
	return rc.Routes.Find(chi.NewRouteContext(), r.Method, r.URL.Path)
}

// LogPath returns r's path as the access log may write it: the path as it
// is, but for a personal pick's short feed, whose code grants access to
// the pick; it is logged as its route, "/feeds/my/{code}.ics". (Query
// strings, where long picks live, are never logged.)
func LogPath(r *http.Request) string {
	if slug, rest := split(r.URL.Path); strings.HasPrefix(rest, "/feeds/my/") {
		if slug != "" {
			return "/" + slug + "/feeds/my/{code}.ics"
		}
		return "/feeds/my/{code}.ics"
	}
	return r.URL.Path
}

// middleware returns what wraps every route, outermost first: the
// caller's Config.Middleware (access log, metrics), then the server's own
// limits and headers (limitBodyAndSetHeaders) and the rate limits per
// client (limit). WebDAV bodies are checked where they are parsed, by
// the CalDAV handler (their nesting depth, and their kind for
// Config.CalDAVReport), so that a repeated request it answers from its
// cache is not read twice.
func (s *Server) middleware() []func(http.Handler) http.Handler {
	mw := slices.Clone(s.cfg.Middleware)
	return append(mw, s.limitBodyAndSetHeaders, s.limit)
}

// Header values set on many responses. They are constants and each
// response gets them in slices of its own (fields), so no two responses
// share a mutable slice.
const (
	nosniff        = "nosniff"
	referrerPolicy = "same-origin"
	// defaultCSP is for HTML no handler wrote a policy for (redirect
	// bodies, error pages): nothing may load, nothing may frame it. The
	// attendee page sets its own, wider policy on its pages.
	defaultCSP    = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	anyOrigin     = "*"
	exposeHeaders = "ETag, Last-Modified, Confcal-Revision"
)

// fields hands out the one-value slices of a response's header fields
// from one allocation, where Header.Set makes one per field (and
// canonicalizes its key, which set's callers give in canonical form
// already). Each slice is capped at its one value, so a later Header.Add
// to a field copies it instead of writing over the next field's value;
// past the capacity a new array is started, and the slices handed out
// keep the old one.
type fields []string

// set sets h's field key, in canonical form, to the one value v.
func (f *fields) set(h http.Header, key, v string) {
	*f = append(*f, v)
	n := len(*f)
	h[key] = (*f)[n-1 : n : n]
}

// limitBodyAndSetHeaders applies the server's request limits and response headers:
//
//   - a body over MaxBody (MaxSchedule for a schedule's) is refused with
//     413 before any handler reads it (and cut off there when its length
//     was not declared);
//   - responses that can be HTML (everything but the feeds, CalDAV and the
//     API) carry X-Content-Type-Options, Referrer-Policy and a default
//     Content-Security-Policy;
//   - GET and HEAD of the public feeds and of the read API allow any
//     origin (CORS "*", no credentials), so web pages can fetch them;
//     personal feeds (/feeds/my/) and everything else do not;
//   - admin writes (and any request carrying credentials) are answered
//     with Cache-Control: no-store, whatever the handler set.
func (s *Server) limitBodyAndSetHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := bodyLimit(r)
		if r.ContentLength > limit {
			s.fail(w, r, errorf(http.StatusRequestEntityTooLarge, "request body over %d bytes", limit))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h := w.Header()
		p := local(r)
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		feeds := p == "/feeds" || strings.HasPrefix(p, "/feeds/")
		apiPath := p == "/api" || strings.HasPrefix(p, "/api/")
		switch {
		case feeds || apiPath:
			if read && !personalFeed(p) {
				f := make(fields, 0, 2)
				f.set(h, "Access-Control-Allow-Origin", anyOrigin)
				f.set(h, "Access-Control-Expose-Headers", exposeHeaders)
			}
		case p == "/dav" || strings.HasPrefix(p, "/dav/"):
			// CalDAV answers XML and iCalendar, never HTML.
		default:
			f := make(fields, 0, 3)
			f.set(h, "X-Content-Type-Options", nosniff)
			f.set(h, "Referrer-Policy", referrerPolicy)
			f.set(h, "Content-Security-Policy", defaultCSP)
		}
		if (apiPath && !read) || hasAuthorization(r) {
			w = &noStoreWriter{ResponseWriter: w}
		}
		next.ServeHTTP(w, r)
	})
}

// openToPages reports whether reads of the path p (below its conference's
// prefix) are open to pages of any origin (CORS "*"): the public feeds
// and the read API, not the personal feeds (personalFeed).
func openToPages(p string) bool {
	feeds := p == "/feeds" || strings.HasPrefix(p, "/feeds/")
	apiPath := p == "/api" || strings.HasPrefix(p, "/api/")
	return (feeds || apiPath) && !personalFeed(p)
}

// personalFeed reports whether p is a personal pick's short feed, whose
// code grants access to the pick: no page elsewhere may read it.
func personalFeed(p string) bool { return strings.HasPrefix(p, "/feeds/my/") }

// noStoreWriter forces Cache-Control: no-store on its response, whatever
// the handler set: admin answers must not be kept by any cache.
type noStoreWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *noStoreWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.wrote = true
		w.Header().Set("Cache-Control", "no-store")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *noStoreWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *noStoreWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Package api is confcal's admin API: JSON over HTTP for reading the agenda
// and, with the admin token, changing it, plus the Atom feed of changes.
//
// Reads are public:
//
//	GET   /sessions            every session
//	GET   /sessions/{id}       one session, with a strong ETag
//	GET   /rooms               the rooms
//	GET   /tracks              the tracks
//	GET   /changes?since=REV   the change log after revision REV, raw and in words
//
// Each read answers HEAD as well.
//
// Writes need "Authorization: Bearer <token>":
//
//	PATCH /sessions/{id}       change room, start, end, title, abstract, track, status
//	POST  /sessions            add a session
//	POST  /rooms               add a room
//	PATCH /rooms/{id}          rename a room
//	POST  /import              apply an edited agenda as one revision (or dry-run it)
//
// Paths are relative to where the handler is mounted (confcal mounts it at
// /api). Every change goes through agenda.Service, so when a write returns,
// every feed and calendar already shows it.
//
// Status codes: 400 for malformed JSON, unknown fields and malformed values
// (a bad ID, time or status, a time with seconds, a missing field); 401 for
// a missing or wrong token; 403 when no token is configured; 404 for an
// unknown session or room; 405, with Allow, for a method a path does not
// serve; 409 when a new slot overlaps another session in its room (unless
// "force": true) or a new session or room takes an ID already in use; 412
// when If-Match names an ETag that is no longer current; 413 for bodies over
// 1 MiB; 415 for a body that is not JSON; 422 for a change the agenda's rules
// refuse (end not after start, a time outside the conference days, an
// unknown room or track, text over its limit — a title of more than
// agenda.MaxTitleLength characters, a room or track name of more than
// agenda.MaxNameLength, an abstract of more than agenda.MaxAbstractLength —
// or holding control characters, a line break anywhere but in an
// abstract), with a message naming the field.
//
// Times are read as "2019-10-08T14:00" in the conference's time zone, or as
// RFC 3339 with an offset; they are written as RFC 3339 in the conference's
// time zone. Sessions are minute-grained: seconds, when written, must be
// zero (see ParseTime).
package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"confcal/agenda"

	"github.com/go-chi/chi/v5"
)

// Config configures the API.
type Config struct {
	// Service holds the agenda; it must be loaded (agenda.Open).
	Service *agenda.Service
	// Token is the admin token writes must present as a bearer token.
	// Empty disables writes: they answer 403 and say how to enable them.
	Token string
	// Logger receives server errors; nil discards them.
	Logger *slog.Logger
	// BaseURL is the server's absolute URL without a trailing slash, e.g.
	// "https://confcal.example.org"; links in the Atom feed are built from it.
	BaseURL string
	// WhoPrefix starts the author recorded for every change ("api" when
	// empty): "api" alone, or "api:alice" with a Confcal-Who of "alice".
	WhoPrefix string
}

// MaxBody is the largest request body a write accepts.
const MaxBody = 1 << 20

// RevisionHeader names the response header that carries the agenda revision
// a response was made from.
const RevisionHeader = "Confcal-Revision"

// WhoHeader names the optional request header that says who makes a change
// (e.g. "alice"); it is recorded in the change log as "api:alice" (see
// Config.WhoPrefix).
const WhoHeader = "Confcal-Who"

type api struct {
	svc     *agenda.Service
	token   [sha256.Size]byte // hash of the token, compared in constant time
	writes  bool
	log     *slog.Logger
	baseURL string
	who     string                   // Config.WhoPrefix
	tags    atomic.Pointer[tagIndex] // ETags of the current revision
	atom    atomic.Pointer[atomDoc]  // the Atom feed of the current revision
}

func newAPI(cfg Config) *api {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &api{svc: cfg.Service, log: log, baseURL: strings.TrimRight(cfg.BaseURL, "/"), who: cfg.WhoPrefix}
	if a.who == "" {
		a.who = "api"
	}
	if cfg.Token != "" {
		a.writes = true
		a.token = sha256.Sum256([]byte(cfg.Token))
	}
	return a
}

// New returns the API's handler.
func New(cfg Config) http.Handler {
	a := newAPI(cfg)
	r := chi.NewRouter()
	r.NotFound(a.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "no such API route: %s", r.URL.Path)
	}))
	mux := r
	r.MethodNotAllowed(a.handle(func(w http.ResponseWriter, r *http.Request) error {
		allow := allowed(mux, r)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return errorf(http.StatusMethodNotAllowed, "method %s not allowed here; allowed: %s", r.Method, strings.Join(allow, ", "))
	}))

	// Reads answer HEAD as GET does, without the body (writeJSON drops it).
	for _, rt := range []struct {
		path string
		h    func(http.ResponseWriter, *http.Request) error
	}{
		{"/sessions", a.listSessions},
		{"/sessions/{id}", a.getSession},
		{"/rooms", a.listRooms},
		{"/tracks", a.listTracks},
		{"/changes", a.listChanges},
	} {
		r.Get(rt.path, a.handle(rt.h))
		r.Head(rt.path, a.handle(rt.h))
	}

	r.Group(func(r chi.Router) {
		r.Use(a.requireToken)
		r.Patch("/sessions/{id}", a.handle(a.patchSession))
		r.Post("/sessions", a.handle(a.createSession))
		r.Post("/rooms", a.handle(a.createRoom))
		r.Patch("/rooms/{id}", a.handle(a.patchRoom))
		r.Post("/import", a.handle(a.importAgenda))
	})
	return r
}

// routeMethods are the methods a 405's Allow header may list.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowed lists the methods mux routes for r's path, for the Allow header a
// 405 must carry (RFC 9110 §15.5.6).
func allowed(mux *chi.Mux, r *http.Request) []string {
	path := r.URL.Path
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		path = rctx.RoutePath // the path below where the API is mounted
	}
	var out []string
	for _, m := range routeMethods {
		if mux.Match(chi.NewRouteContext(), m, path) {
			out = append(out, m)
		}
	}
	return out
}

// requireToken lets a request through only with the admin token.
func (a *api) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.writes {
			a.writeError(w, r, errorf(http.StatusForbidden,
				"writes are disabled: start the server with CONFCAL_ADMIN_TOKEN set or with -admin-token-file naming a file that holds the token"))
			return
		}
		given, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="confcal"`)
			a.writeError(w, r, errorf(http.StatusUnauthorized, "this needs the admin token: send Authorization: Bearer <token>"))
			return
		}
		sum := sha256.Sum256([]byte(given))
		if subtle.ConstantTimeCompare(sum[:], a.token[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="confcal", error="invalid_token"`)
			a.writeError(w, r, errorf(http.StatusUnauthorized, "wrong admin token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer returns the token of an Authorization field value in the Bearer
// scheme (RFC 6750 §2.1). Auth schemes are case-insensitive (RFC 9110
// §11.1), so "bearer" and "BEARER" are the same scheme; blanks around the
// token are dropped.
func bearer(field string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(field), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// current returns the current revision, or a 503 before the agenda is loaded.
func (a *api) current() (*agenda.Snapshot, error) {
	snap := a.svc.Current()
	if snap == nil {
		return nil, errorf(http.StatusServiceUnavailable, "the agenda is not loaded yet")
	}
	return snap, nil
}

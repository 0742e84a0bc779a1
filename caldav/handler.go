package caldav

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"confcal/ical"
)

// DefaultPrefix is where the CalDAV tree lives when Options.Prefix is empty.
const DefaultPrefix = "/dav"

// DefaultMaxBody caps request bodies when Options.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// Options configure the CalDAV handler.
type Options struct {
	// Prefix is the URL path the tree lives under, e.g. "/dav" (the
	// default when empty); "/" puts it at the root.
	Prefix string
	// Principal is the principal's path segment below Prefix, one per
	// conference ("/dav/<principal>/"); empty means DefaultPrincipal.
	Principal string
	// Roots are the paths outside Prefix that answer PROPFIND as context
	// roots, naming the principal in DAV:current-user-principal (RFC 5397),
	// for clients given only a URL there; nil means "/". A conference's
	// page URL ("/{slug}/") is one.
	Roots []string
	// Logger receives server errors (5xx); nil discards them.
	Logger *slog.Logger
	// MaxBody caps request bodies in bytes; larger ones get 413. Zero
	// means DefaultMaxBody.
	MaxBody int64
	// Push, when set, turns on WebDAV-Push for the calendars (push.go):
	// their push properties, registration by POST, and a message for
	// every change (Handler.Published). Nil serves none of it.
	Push Push
	// ClientKey names a request's client for the bound on push
	// subscriptions per client (web gives its rate limits' key, which
	// knows about proxies); nil means the connection's address.
	ClientKey func(*http.Request) string
	// Await, when set, waits until the rendering served is at revision
	// rev, or until the server gives up on it (replicas on one store load
	// what another stored within moments): a sync token of a revision not
	// served yet is waited for so before it is refused, since a client
	// told its token by another replica must not sync all over again.
	// Nil refuses such a token at once.
	Await func(ctx context.Context, rev int64)
	// ReportKind, when set, is told the kind of every REPORT with a body
	// (the local name of its document element: "sync-collection",
	// "calendar-query", …; "" when the body has none), for metrics.
	ReportKind func(kind string)
}

// Handler serves the tree from the view of the current rendering (see
// NewHandler), and with Options.Push, WebDAV-Push for its calendars
// (push.go).
type Handler struct {
	p       paths
	current func() *ical.Rendered
	log     *slog.Logger
	maxBody int64
	kinds   func(string) // Options.ReportKind, nil for none
	await   func(context.Context, int64)

	// answers bound each view's answer cache (cache.go).
	answers cacheBounds

	mu  sync.Mutex // serializes building views
	cur atomic.Pointer[view]

	// chunks holds the buffers multistatus answers are streamed through
	// (*[]byte of capacity chunkSize, see multistatusWriter).
	chunks sync.Pool

	// WebDAV-Push (push.go): nil push serves none of it.
	push          Push
	clientKeyFunc func(*http.Request) string
	pushMu        sync.Mutex // serializes Published
	pushed        *view      // the view the last pushes were made from
}

// NewHandler returns the CalDAV handler for /.well-known/caldav (and
// /.well-known/caldav/) and every path below opts.Prefix. current returns
// the rendering to serve (nil until there is one: requests then get 503); it
// is called once per request, and everything the request sees comes from
// that rendering.
func NewHandler(opts Options, current func() *ical.Rendered) *Handler {
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && prefix[0] != '/' {
		prefix = "/" + prefix
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxBody := opts.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return &Handler{
		p:       paths{prefix: prefix, principal: cmpOr(opts.Principal, DefaultPrincipal), roots: opts.Roots},
		current: current,
		log:     log,
		maxBody: maxBody,
		kinds:   opts.ReportKind,
		await:   opts.Await,
		answers: defaultCacheBounds,
		chunks: sync.Pool{New: func() any {
			b := make([]byte, 0, chunkSize)
			return &b
		}},
		push:          opts.Push,
		clientKeyFunc: opts.ClientKey,
	}
}

// view returns the view of the current rendering, building it on first use
// from the view before it (whose objects it takes over where the
// rendering did not change).
func (h *Handler) view() (*view, error) {
	rendered := h.current()
	if rendered == nil {
		return nil, errNoView
	}
	if v := h.cur.Load(); v != nil && v.rendered == rendered {
		return v, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if v := h.cur.Load(); v != nil && v.rendered == rendered {
		return v, nil
	}
	v, err := newView(rendered, h.p, h.cur.Load(), h.push)
	if err != nil {
		return nil, err
	}
	h.cur.Store(v)
	return v, nil
}

var errNoView = errors.New("caldav: no agenda is being served yet")

// allowed lists the methods the tree supports, for OPTIONS and 405s
// (RFC 9110 §15.5.6 requires Allow on a 405): no write method, so clients
// treat the calendars as read-only.
const allowed = "OPTIONS, GET, HEAD, PROPFIND, REPORT"

// WebDAVMethods returns the request methods, beyond those of HTTP itself,
// that the handler answers: every method of the IANA HTTP Method Registry
// defined by WebDAV (RFC 4918) and its extensions for versioning (RFC
// 3253), ordered collections (RFC 3648), access control (RFC 3744),
// redirect references (RFC 4437), calendars (RFC 4791), search (RFC 5323)
// and bindings (RFC 5842). PROPFIND and REPORT are served; SEARCH is
// answered 405 with Allow; all the others write, and are refused with 403
// DAV:need-privileges. A router in front must pass them all to the
// handler (chi, for one, answers a method it does not know with 405
// before routing).
func WebDAVMethods() []string {
	return []string{
		// Reads: PROPFIND (RFC 4918), REPORT (RFC 3253), SEARCH (RFC 5323).
		"PROPFIND", "REPORT", "SEARCH",
		// Writes of RFC 4918.
		"PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
		// RFC 3253.
		"VERSION-CONTROL", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
		"MKACTIVITY", "BASELINE-CONTROL",
		// RFC 3648, 3744, 4437, 4791.
		"ORDERPATCH", "ACL", "MKREDIRECTREF", "UPDATEREDIRECTREF", "MKCALENDAR",
		// RFC 5842.
		"BIND", "UNBIND", "REBIND",
	}
}

// neededPrivilege says whether method writes (the HTTP write methods PUT,
// DELETE, POST and PATCH, and the WebDAV ones of WebDAVMethods), and if
// so, which privilege (RFC 3744 §3) it needs on which resource: as RFC
// 3744 Appendix B and RFC 5842 §§4–6 name them where they do, and
// otherwise the privilege whose definition covers what the method
// changes: bind on the parent for a method that makes a resource,
// write-properties for one that changes a resource's versioning state or
// labels, write-content for one that changes what a resource holds.
// target is the request's path, res what it names.
func neededPrivilege(r *http.Request, res resource, target string) (priv, href string, writes bool) {
	switch r.Method {
	case http.MethodPut:
		if res.kind != resObject {
			return "bind", parent(target), true
		}
		return "write-content", target, true
	case http.MethodDelete, "MOVE":
		return "unbind", parent(target), true
	case "MKCOL", "MKCALENDAR", "MKWORKSPACE", "MKACTIVITY", "MKREDIRECTREF":
		return "bind", parent(target), true
	case "COPY":
		if p, ok := hrefPath(r.Header.Get("Destination")); ok && strings.HasPrefix(p, "/") {
			return "bind", parent(p), true
		}
		return "bind", parent(target), true
	case "BIND", "REBIND":
		// The request URL is the collection the binding is added to (a
		// REBIND counts as a MOVE into it).
		return "bind", target, true
	case "UNBIND":
		return "unbind", target, true
	case "PROPPATCH", "VERSION-CONTROL", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "LABEL", "BASELINE-CONTROL":
		return "write-properties", target, true
	case "UNLOCK":
		return "unlock", target, true
	case "ACL":
		return "write-acl", target, true
	case http.MethodPost:
		if res.isCollection() {
			return "bind", target, true
		}
		return "write-content", target, true
	case "LOCK":
		if res.kind == resNone {
			return "bind", parent(target), true
		}
		return "write-content", target, true
	case http.MethodPatch, "UPDATE", "MERGE", "ORDERPATCH", "UPDATEREDIRECTREF":
		return "write-content", target, true
	}
	return "", "", false
}

// ServeHTTP answers one WebDAV or CalDAV request, and redirects
// /.well-known/caldav to the tree.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// RFC 6764 §5: 301 (not 308, which clients written for its
	// 301/303/307 may not follow), with or without the trailing slash, as
	// CalDAVTester wants.
	if p := r.URL.Path; p == "/.well-known/caldav" || p == "/.well-known/caldav/" {
		http.Redirect(w, r, h.p.principalPath(), http.StatusMovedPermanently)
		return
	}
	v, err := h.view()
	if errors.Is(err, errNoView) {
		w.Header().Set("Retry-After", "5")
		h.fail(w, r, http.StatusServiceUnavailable, "the agenda is not loaded yet")
		return
	}
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	var body, key []byte
	var root string
	if r.Method == "PROPFIND" || r.Method == "REPORT" {
		var ok bool
		if body, ok = h.readBody(w, r); !ok {
			return
		}
		// A repeated request is answered from the view's cache before
		// its body is looked at again (cache.go).
		if len(body) <= h.answers.body {
			var buf [1 << 10]byte
			key = appendAnswerKey(buf[:0], r, body)
			switch a := v.answers.get(key); {
			case a == nil:
			case a.cached():
				h.reportKind(r, body, a.kind)
				a.write(w)
				return
			default:
				key = nil // too big to keep: streamed, not copied aside
			}
		}
		if root, ok = scanXML(body); !ok {
			h.fail(w, r, http.StatusBadRequest, errTooDeep.Error())
			return
		}
		h.reportKind(r, body, root)
	}
	if h.push != nil {
		if id, ok := h.registrationID(r.URL.Path); ok {
			h.serveRegistration(w, r, id)
			return
		}
	}
	res := v.resolve(r.URL.Path)
	if h.push != nil && r.Method == http.MethodPost && res.kind == resCalendar {
		h.servePushRegister(w, r, v, res)
		return
	}
	target := res.path
	if res.kind == resNone {
		target = r.URL.Path
	}
	if priv, href, writes := neededPrivilege(r, res, target); writes {
		h.refuseWrite(w, priv, href)
		return
	}
	switch {
	case r.Method == http.MethodOptions && res.kind != resNone:
		h.serveOptions(w)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && res.kind != resNone:
		h.serveGet(w, r, v, res)
	case r.Method == "PROPFIND" && res.kind != resNone:
		h.serveCaching(w, v, key, root, func(w http.ResponseWriter) { h.servePropfind(w, r, v, res, body) })
	case r.Method == "REPORT" && res.kind != resNone:
		h.serveCaching(w, v, key, root, func(w http.ResponseWriter) { h.serveReport(w, r, v, res, body) })
	case r.Method == http.MethodOptions || r.Method == http.MethodGet || r.Method == http.MethodHead ||
		r.Method == "PROPFIND" || r.Method == "REPORT":
		h.fail(w, r, http.StatusNotFound, "no such calendar, calendar object or collection")
	default:
		w.Header().Set("Allow", allowed)
		h.fail(w, r, http.StatusMethodNotAllowed, "method not allowed")
	}
}

// serveCaching answers through serve, keeping the answer in v's cache under
// key when it is one to keep (cache.go); a nil key keeps none.
func (h *Handler) serveCaching(w http.ResponseWriter, v *view, key []byte, kind string, serve func(http.ResponseWriter)) {
	if key == nil || h.answers.entries <= 0 {
		serve(w)
		return
	}
	rec := &recorder{ResponseWriter: w, max: h.answers.answer}
	serve(rec)
	if body, keep := rec.copied(); keep {
		v.answers.put(h.answers, key, body, kind)
	}
}

// reportKind tells Options.ReportKind the kind of a REPORT with a body.
func (h *Handler) reportKind(r *http.Request, body []byte, kind string) {
	if h.kinds != nil && r.Method == "REPORT" && len(body) > 0 {
		h.kinds(kind)
	}
}

// fail writes a short text answer; 5xx ones are logged.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if status >= 500 {
		h.log.ErrorContext(r.Context(), "caldav request failed",
			"method", r.Method, "path", r.URL.Path, "status", status, "error", msg)
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintln(w, msg)
	}
}

// precondition writes a DAV:error body naming a failed pre- or
// postcondition (RFC 4918 §16).
func (h *Handler) precondition(w http.ResponseWriter, r *http.Request, status int, cond, msg string) {
	h.log.DebugContext(r.Context(), "caldav precondition failed", "method", r.Method, "path", r.URL.Path, "reason", msg)
	writeXML(w, status, davErrorBody(cond))
}

// DAVClasses are the DAV compliance classes OPTIONS announces in its DAV
// header (RFC 4918 §10.1, RFC 4791 §5.1): for the CalDAV tree, and for a
// URL outside it whose PROPFIND the tree answers (a server's or a
// conference's address, where clients start discovery).
const DAVClasses = "1, 3, calendar-access"

// serveOptions announces the DAV classes and an Allow without write
// methods: Evolution reads DELETE, MKCOL or PUT there as "writable".
// calendar-schedule is not announced, which keeps Thunderbird from trying
// scheduling.
//
// With push, "webdav-push" is announced too (the draft's service
// detection), while Allow stays as it is: registering by POST is not a
// write clients should offer, and Evolution reads POST in Allow as one.
func (h *Handler) serveOptions(w http.ResponseWriter) {
	hd := w.Header()
	if h.push != nil {
		hd.Set("DAV", DAVClasses+", webdav-push")
	} else {
		hd.Set("DAV", DAVClasses)
	}
	hd.Set("Allow", allowed)
	hd.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// refuseWrite answers a write with 403 and a DAV:need-privileges body
// naming the privilege the client lacks on href (RFC 3744 §7.1.1):
// clients read that as "read-only", unlike 400, 405 or 501.
func (h *Handler) refuseWrite(w http.ResponseWriter, priv, href string) {
	body := davErrorBody(el(xml.Name{Space: nsDAV, Local: "need-privileges"},
		el(xml.Name{Space: nsDAV, Local: "resource"}, hrefXML(href),
			el(xml.Name{Space: nsDAV, Local: "privilege"}, condition(nsDAV, priv)))))
	writeXML(w, http.StatusForbidden, body)
}

// readBody reads the request body up to the cap: 413 above it.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", h.maxBody))
		return nil, false
	case err != nil:
		h.fail(w, r, http.StatusBadRequest, "reading the request body: "+err.Error())
		return nil, false
	}
	return body, true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Package page is the attendee's web page: the agenda by day with filters,
// session details, subscribe blocks for every feed (webcal, Google,
// Outlook.com, copyable link, QR code, one-time download), a personal
// agenda of starred sessions that lives in the page URL, and set-up help
// for calendar apps.
//
// Everything is rendered on the server with html/template and works
// without JavaScript; a small script served from /static/ only remembers
// the starred sessions in local storage and adds copy buttons. The page
// loads nothing from other hosts. Feeds themselves are served by the web
// package; this package only links to them.
package page

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"confcal/agenda"
)

//go:embed templates/*.html static/*
var files embed.FS

// Config is what the page needs from the server around it.
type Config struct {
	// Current returns the agenda revision being served; nil before one is
	// loaded.
	Current func() *agenda.Snapshot
	// BaseURL returns the absolute base (e.g. "https://cal.example.org") of
	// the feed, webcal and QR links for a request; see BaseURL.
	BaseURL func(*http.Request) string
	// Picks stores picks too long for a comfortable URL; nil means an
	// in-memory store of 10 000 picks.
	Picks PickStore
	// Logger receives request errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock for "changed in the last 24 hours"; nil means time.Now.
	Now func() time.Time
}

// Handler serves the page's routes (see Routes). It is safe for
// concurrent use.
type Handler struct {
	cfg    Config
	mux    *http.ServeMux
	pages  map[string]*template.Template
	static map[string]asset
	qr     *qrCache

	mu   sync.Mutex
	css  *agenda.Snapshot // the snapshot agendaCSS was made for
	acss asset
}

// asset is a static file held in memory.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// Route is one method and chi pattern the Handler serves.
type Route struct{ Method, Pattern string }

// Routes lists what the Handler serves, for a router that mounts it: the
// agenda, session pages and help (GET and HEAD), the pick shortener (POST
// /my), QR images and static files.
func Routes() []Route {
	var rs []Route
	for _, p := range []string{"/", "/sessions/{id}", "/help", "/qr.svg", "/static/*"} {
		rs = append(rs, Route{http.MethodGet, p}, Route{http.MethodHead, p})
	}
	return append(rs, Route{http.MethodPost, "/my"})
}

// New returns the page handler for cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Current == nil || cfg.BaseURL == nil {
		return nil, errors.New("page: Config needs Current and BaseURL")
	}
	if cfg.Picks == nil {
		cfg.Picks = NewMemoryPicks(10000)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, pages: map[string]*template.Template{}, static: map[string]asset{}, qr: newQRCache(512)}
	for _, name := range []string{"page.css", "my.js"} {
		b, err := fs.ReadFile(files, "static/"+name)
		if err != nil {
			return nil, fmt.Errorf("page: %w", err)
		}
		ctype := "text/css; charset=utf-8"
		if strings.HasSuffix(name, ".js") {
			ctype = "text/javascript; charset=utf-8"
		}
		h.static[name] = newAsset(b, ctype)
	}
	base, err := template.New("").Funcs(template.FuncMap{
		"static": func(name string) string {
			return "/static/" + name + "?v=" + strings.Trim(h.static[name].etag, `"`)[:12]
		},
	}).ParseFS(files, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("page: templates: %w", err)
	}
	for _, name := range []string{"index", "session", "help", "error"} {
		t, err := template.Must(base.Clone()).ParseFS(files, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("page: template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("GET /sessions/{id}", h.session)
	h.mux.HandleFunc("GET /help", h.help)
	h.mux.Handle("POST /my", http.NewCrossOriginProtection().Handler(http.HandlerFunc(h.shorten)))
	h.mux.HandleFunc("GET /qr.svg", h.qrImage)
	h.mux.HandleFunc("GET /static/{name}", h.staticFile)
	return h, nil
}

func newAsset(body []byte, ctype string) asset {
	sum := sha256.Sum256(body)
	return asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// csp allows nothing from other hosts, no inline script or style.
const csp = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// render executes the named page into a buffer and sends it.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "page: render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", csp)
	hd.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// errorData is the data of the error page.
type errorData struct {
	common
	Status  int
	Message string
}

// fail sends an error page with a short message (a plain-text one when the
// agenda is not loaded).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	snap := h.cfg.Current()
	if snap == nil {
		http.Error(w, msg, status)
		return
	}
	h.render(w, r, status, "error", errorData{common: h.common(snap, state{}, http.StatusText(status)), Status: status, Message: msg})
}

// snapshot returns the current snapshot or answers 503.
func (h *Handler) snapshot(w http.ResponseWriter) *agenda.Snapshot {
	snap := h.cfg.Current()
	if snap == nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "the agenda is not loaded yet; try again in a moment", http.StatusServiceUnavailable)
	}
	return snap
}

// badRequest is a problem with a request's parameters, shown to the user.
type badRequest struct {
	status int
	msg    string
}

func (e *badRequest) Error() string { return e.msg }

// parseState reads the filters and the pick from r's query.
func (h *Handler) parseState(ctx context.Context, snap *agenda.Snapshot, r *http.Request) (state, []string, error) {
	q := r.URL.Query()
	var s state
	var notices []string
	if v := q.Get("day"); v != "" {
		d, err := agenda.ParseDate(v)
		if err != nil {
			return s, nil, &badRequest{http.StatusBadRequest, fmt.Sprintf("The day %q is not a date (want YYYY-MM-DD).", truncate(v, 20))}
		}
		if len(snap.ByDay(d)) == 0 && !containsDay(snap.Days(), d) {
			return s, nil, &badRequest{http.StatusNotFound, fmt.Sprintf("%s is not a day of the conference.", d)}
		}
		s.day = d.String()
	}
	if v := q.Get("track"); v != "" {
		if _, ok := snap.Track(v); !ok {
			return s, nil, &badRequest{http.StatusNotFound, fmt.Sprintf("There is no track %q.", truncate(v, 40))}
		}
		s.track = v
	}
	if v := q.Get("room"); v != "" {
		if _, ok := snap.Room(v); !ok {
			return s, nil, &badRequest{http.StatusNotFound, fmt.Sprintf("There is no room %q.", truncate(v, 40))}
		}
		s.room = v
	}
	var ids []string
	switch code := q.Get("my"); {
	case code != "":
		if !ValidCode(code) {
			return s, nil, &badRequest{http.StatusNotFound, "This personal agenda link is not valid."}
		}
		stored, err := h.cfg.Picks.Load(ctx, code)
		if errors.Is(err, ErrUnknownPick) {
			return s, nil, &badRequest{http.StatusNotFound, "This personal agenda link is unknown or has expired."}
		}
		if err != nil {
			return s, nil, fmt.Errorf("page: load pick: %w", err)
		}
		ids, s.code, s.pickSet = stored, code, true
	case q.Has("pick"):
		s.pickSet = true
		if v := q.Get("pick"); v != "" {
			ids = strings.Split(v, ",")
		}
		if len(ids) > MaxPick {
			return s, nil, &badRequest{http.StatusBadRequest, fmt.Sprintf("A personal agenda holds at most %d sessions.", MaxPick)}
		}
	}
	known, unknown := canonicalPick(snap, ids)
	if len(unknown) > 0 {
		var names []string
		for _, u := range unknown[:min(len(unknown), 5)] {
			names = append(names, fmt.Sprintf("%q", truncate(u, 40)))
		}
		notices = append(notices, fmt.Sprintf("Your starred sessions named %d that this agenda does not have (%s); they were left out.", len(unknown), strings.Join(names, ", ")))
		s.code = "" // the stored pick is no longer what the page shows
	}
	s.pick = known
	return s, notices, nil
}

func containsDay(days []agenda.Date, d agenda.Date) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

// failState answers a parseState error.
func (h *Handler) failState(w http.ResponseWriter, r *http.Request, err error) {
	var bad *badRequest
	if errors.As(err, &bad) {
		h.fail(w, r, bad.status, bad.msg)
		return
	}
	h.cfg.Logger.ErrorContext(r.Context(), "page: request", "path", r.URL.Path, "err", err)
	h.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side; please try again.")
}

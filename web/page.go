package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"confcal/agenda"
	"confcal/page"
)

// PageOptions configures the attendee page (package page) that the route
// table mounts beside the feeds.
type PageOptions struct {
	// BaseURL gives the absolute base of the page's feed, webcal and QR
	// links for a request; build it with page.BaseURL(--base-url,
	// --trust-proxy). nil means Config.BaseURL for every request.
	BaseURL func(*http.Request) string
	// Picks keeps personal picks too long for a URL under short codes,
	// served as /feeds/my/{code}.ics; nil means an in-memory store.
	Picks page.PickStore
	// Now is the page's clock for "changed in the last 24 hours"; nil
	// means time.Now.
	Now func() time.Time
}

// mountPage routes the attendee page (agenda, session pages, help, pick
// shortener, QR images, static files; see page.Routes) and the short
// personal feed /feeds/my/{code}.ics, which serves exactly what
// /feeds/custom.ics?sessions=… serves for the stored pick.
func (s *Server) mountPage(r chi.Router) {
	opts := s.cfg.Page
	if opts.BaseURL == nil {
		base := s.cfg.BaseURL
		opts.BaseURL = func(*http.Request) string { return base }
	}
	if opts.Picks == nil {
		opts.Picks = page.NewMemoryPicks(10000)
	}
	pg, err := page.New(page.Config{
		Current: func() *agenda.Snapshot {
			if ed := s.Current(); ed != nil {
				return ed.Snapshot()
			}
			return nil
		},
		BaseURL: opts.BaseURL,
		Picks:   opts.Picks,
		Logger:  s.log,
		Now:     opts.Now,
	})
	var h http.Handler = pg
	if err != nil {
		// Only a broken build gets here (the templates are embedded and
		// tested); the feeds and CalDAV still work.
		s.log.Error("attendee page unavailable", "error", err)
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, http.StatusInternalServerError, "the attendee page is unavailable")
		})
	}
	for _, rt := range page.Routes() {
		r.Method(rt.Method, rt.Pattern, h)
	}
	my := func(w http.ResponseWriter, r *http.Request) { s.serveMyFeed(w, r, opts.Picks) }
	r.Get("/feeds/my/{code}.ics", my)
	r.Head("/feeds/my/{code}.ics", my)
}

// serveMyFeed serves /feeds/my/{code}.ics: the pick stored under code, as
// the custom feed of its sessions.
func (s *Server) serveMyFeed(w http.ResponseWriter, r *http.Request, picks page.PickStore) {
	code := chi.URLParam(r, "code")
	if !page.ValidCode(code) {
		s.writeError(w, r, http.StatusNotFound, fmt.Sprintf("no personal agenda %s", short(code)))
		return
	}
	ids, err := picks.Load(r.Context(), code)
	if errors.Is(err, page.ErrUnknownPick) {
		s.writeError(w, r, http.StatusNotFound, fmt.Sprintf("no personal agenda %s (unknown or expired)", short(code)))
		return
	}
	if err != nil {
		s.writeError(w, r, http.StatusInternalServerError, "loading personal agenda: "+err.Error())
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = url.Values{"sessions": {strings.Join(ids, ",")}}.Encode()
	s.serveCustomFeed(w, r2)
}

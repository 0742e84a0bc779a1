package web

import (
	"bytes"
	"cmp"
	"net/http"
	"strings"

	"confcal/agenda"
	"confcal/catalog"
	"confcal/page"
)

// The attendee page (package page renders it): the agenda, session pages,
// set-up help, the pick shortener, QR codes and static files.

// pageQuery is what the page needs of a request beyond the agenda.
func (s *Server) pageQuery(r *http.Request, st *site) page.Query {
	prefix := s.pagePrefix(r)
	q := page.Query{Values: r.URL.Query(), Base: s.cfg.PageBase(r) + prefix, Prefix: prefix, Now: s.cfg.Now(), Picks: st.conf.picks}
	// The browser keeps a conference's pick under its slug, whichever URL
	// serves its page: the default conference's at "/" and at "/{slug}/"
	// alike, before and after "/" becomes the list. A server of one
	// agenda without a slug keeps the key it always had.
	if slug := cmp.Or(slugOf(r), s.cfg.Default); slug != "" {
		q.PickKey = "confcal.pick/" + slug
		if slug == s.cfg.Default {
			q.PickKeyBefore = "confcal.pick" // where the root's page kept it
		}
	}
	return q
}

// renderPage answers with the page render writes, or fails with its error.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, render func(*site, *bytes.Buffer) error) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := render(st, &buf); err != nil {
		return err
	}
	s.writeHTML(w, r, http.StatusOK, buf.Bytes())
	return nil
}

// writeHTML writes a page with the headers every page carries, gzipped
// for a client that accepts it: a big conference's agenda is hundreds of
// kilobytes of markup that repeats itself (its links, its subscribe
// blocks), and every open page fetches it again at each change
// (page/static/my.js).
func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Security-Policy", page.CSP)
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Encoding")
	if len(b) >= minGzipHTML && acceptsGzip(strings.Join(r.Header["Accept-Encoding"], ",")) {
		zipped, done, err := s.pool.compress(b)
		if err == nil {
			defer done()
			h.Set("Content-Encoding", "gzip")
			b = zipped
		} else {
			// The page itself is still good: send it as it is.
			s.log.WarnContext(r.Context(), "gzip a page", "error", err)
		}
	}
	writeBody(w, r, status, "text/html; charset=utf-8", b)
}

// minGzipHTML is the smallest page sent gzipped: below about one packet,
// compressing saves the client nothing.
const minGzipHTML = 1400

// pagePrefix returns the path prefix the links of r's pages start with:
// the one r reached its conference under, except at the root while "/"
// lists the conferences (servePage). The default conference's pages the
// root still serves (its sessions, its help) then link to its pages under
// its slug, where a link to "/" would land on the list and lose the
// filter or pick it carries. A default conference without a slug (a
// server of one agenda) has no pages but the root's.
func (s *Server) pagePrefix(r *http.Request) string {
	if p := prefixOf(r); p != "" || s.cfg.Default == "" || s.hosts() <= 1 {
		return p
	}
	return "/" + s.cfg.Default
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) error {
	if prefixOf(r) == "" && s.hosts() > 1 {
		if s.cfg.Default != "" && page.AgendaQuery(r.URL.Query()) {
			// A link to the default conference's agenda from while "/"
			// was its page (a shared short link, a bookmarked filter, a
			// pick the page's script brings back) is a link to its
			// agenda, which is under its slug for as long as it is not
			// alone: so Found, not Moved Permanently.
			http.Redirect(w, r, "/"+s.cfg.Default+"/?"+r.URL.RawQuery, http.StatusFound)
			return nil
		}
		return s.serveConferenceList(w, r)
	}
	if page.ToggleQuery(r.URL.Query()) {
		return s.toggleStar(w, r)
	}
	return s.renderPage(w, r, func(st *site, b *bytes.Buffer) error {
		return s.page.Index(r.Context(), b, st.snap, s.pageQuery(r, st))
	})
}

// toggleStar answers a star of the agenda page (page.Toggle): See Other
// to the page with the session added to the pick or taken out of it. The
// pick is in the page's form once, not spelled out in every star.
func (s *Server) toggleStar(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	target, err := page.Toggle(r.Context(), st.snap, s.pageQuery(r, st))
	if err != nil {
		return err
	}
	// The answer depends on the agenda's order, which changes.
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Server) serveSessionPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderPage(w, r, func(st *site, b *bytes.Buffer) error {
		return s.page.Session(r.Context(), b, st.snap, r.PathValue("id"), s.pageQuery(r, st))
	})
}

func (s *Server) serveHelp(w http.ResponseWriter, r *http.Request) error {
	return s.renderPage(w, r, func(st *site, b *bytes.Buffer) error {
		return s.page.Help(r.Context(), b, st.snap, s.pageQuery(r, st))
	})
}

// maxForm bounds the body of the pick shortener form.
const maxForm = 64 << 10

// storePick stores the posted pick under a short code and sends the
// attendee to the agenda with the short personal feed, keeping the
// reminder they chose (the form's alarm field, none when absent or empty).
func (s *Server) storePick(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.")
	}
	var alarm catalog.Alarm
	if v := r.PostForm.Get(catalog.AlarmParam); v != "" {
		if alarm, err = catalog.ParseAlarm(v); err != nil {
			return errorf(http.StatusBadRequest, "Cannot make a short link: %v.", err)
		}
	}
	code, err := page.StorePick(r.Context(), st.snap, st.conf.picks, r.PostForm.Get("sessions"))
	if err != nil {
		return err
	}
	target := s.pagePrefix(r) + "/?my=" + code
	if alarm.On() {
		target += "&" + catalog.AlarmParam + "=" + alarm.String()
	}
	http.Redirect(w, r, target+"#my", http.StatusSeeOther)
	return nil
}

// serveQR draws the QR code of the absolute URL of ?feed=, a local feed
// path.
func (s *Server) serveQR(w http.ResponseWriter, r *http.Request) error {
	svg, err := s.page.QR(s.cfg.PageBase(r)+prefixOf(r), r.URL.Query().Get("feed"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Host, X-Forwarded-Host, X-Forwarded-Proto")
	writeBody(w, r, http.StatusOK, "image/svg+xml", svg)
	return nil
}

// serveStatic serves the page's CSS and script, and the stylesheet made
// from the agenda (track colours, room columns).
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	a, ok := s.page.Static(st.snap, r.PathValue("name"))
	if !ok {
		return errorf(http.StatusNotFound, "no such file")
	}
	cache := "public, max-age=3600"
	if v := r.URL.Query().Get("v"); v != "" && v != strings.Trim(a.ETag, `"`) {
		// A page made before the sheet changed links it by its old
		// contents: what it gets now must not be kept under that URL,
		// which names the old sheet (and will again if a colour goes
		// back).
		cache = "no-cache"
	}
	return serveEntity(w, r, entity{etag: a.ETag, ctype: a.Type, cache: cache,
		body: func(bool) ([]byte, func(), error) { return a.Body, noop, nil }})
}

// renderError answers a page request with the page's error page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, snap *agenda.Snapshot, status int, msg string) {
	var buf bytes.Buffer
	if err := s.page.Error(&buf, snap, s.pagePrefix(r), status, http.StatusText(status), msg); err != nil {
		s.log.ErrorContext(r.Context(), "rendering an error page", "error", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(msg + "\n"))
		return
	}
	s.writeHTML(w, r, status, buf.Bytes())
}

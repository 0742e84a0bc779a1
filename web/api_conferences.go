package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/page"

	"github.com/go-chi/chi/v5"
)

// conferenceAPI serves /api/conferences: the conferences of the server,
// listed for anyone, managed with the admin token (package api documents
// the routes).
type conferenceAPI struct {
	s     *Server
	admin ConferenceAdmin
}

// describe is the document of the conference served under slug, with the
// listing l, and how the last poll of its source went.
func (c *conferenceAPI) describe(l agenda.Listing) api.Conference {
	var snap *agenda.Snapshot
	if cf := c.s.lookup(l.Slug); cf != nil {
		if st := cf.cur.Load(); st != nil {
			snap = st.snap
		}
	}
	d := api.Describe(l, snap, c.s.cfg.BaseURL)
	if at, err := c.admin.Polled(l.Slug); !at.IsZero() {
		d.Polled(at, err)
	}
	return d
}

// listing returns the listing of conference slug.
func (c *conferenceAPI) listing(r *http.Request, slug string) (agenda.Listing, error) {
	list, err := c.admin.Listings(r.Context())
	if err != nil {
		return agenda.Listing{}, err
	}
	i := slices.IndexFunc(list, func(l agenda.Listing) bool { return l.Slug == slug })
	if i < 0 {
		return agenda.Listing{}, errorf(http.StatusNotFound, "no conference %s", short(slug))
	}
	return list[i], nil
}

func (c *conferenceAPI) list(w http.ResponseWriter, r *http.Request) error {
	// Removed conferences only when asked (?removed=1): what there is to
	// restore or purge, which an admin working through the server must
	// see; a client that wants what is served gets that alone.
	q, err := queryOf(r)
	if err != nil {
		return err
	}
	removed := q.Get("removed") == "1"
	// Anyone may read what is served, as its page and feeds are public;
	// removed conferences, and where in the server's files a source is,
	// are the admin's: a request that carries a bearer token must carry
	// that one, and one without (another scheme too, a proxy's basic
	// authentication) gets the public list.
	_, bearing := bearer(r.Header.Get("Authorization"))
	admin := bearing || removed
	if admin && !c.s.asAdmin(w, r) {
		return nil
	}
	list, err := c.admin.Listings(r.Context())
	if errors.Is(err, agenda.ErrUnavailable) && !removed {
		// What is served is known here, as the feeds are served from
		// memory while the database is away.
		list, err = c.admin.Served(), nil
	}
	if err != nil {
		return err
	}
	out := api.ConferenceList{Conferences: []api.Conference{}}
	for _, l := range list {
		switch {
		case l.Removed.IsZero() && admin:
			out.Conferences = append(out.Conferences, c.describe(l))
		case l.Removed.IsZero():
			out.Conferences = append(out.Conferences, c.describe(l).Public())
		case removed:
			snap, err := c.admin.Stored(r.Context(), l.Slug)
			if err != nil {
				return err
			}
			d := api.Describe(l, snap, c.s.cfg.BaseURL)
			d.Removed = l.Removed.UTC().Format(time.RFC3339)
			out.Conferences = append(out.Conferences, d)
		}
	}
	w.Header().Set("Cache-Control", "no-cache")
	c.s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

func (c *conferenceAPI) create(w http.ResponseWriter, r *http.Request) error {
	var n api.NewConference
	if err := decodeJSON(r, &n); err != nil {
		return err
	}
	if err := CheckSlug(n.Slug); err != nil {
		return errorf(http.StatusUnprocessableEntity, "slug: %v", err)
	}
	switch {
	case n.Source == "" && n.Document == "":
		return errorf(http.StatusUnprocessableEntity, "a new conference needs its schedule: a source URL, or the document itself")
	case n.Source != "" && n.Document != "":
		return errorf(http.StatusUnprocessableEntity, "give a source URL or a document, not both")
	case n.Source != "" && !strings.HasPrefix(n.Source, "https://") && !strings.HasPrefix(n.Source, "http://"):
		// A file is read where the server runs: only the command line on
		// the server's own store may name one.
		return errorf(http.StatusUnprocessableEntity, "source: %q is not an http(s) URL", short(n.Source))
	}
	if err := c.admin.AddConference(r.Context(), n); err != nil {
		return err
	}
	l, err := c.listing(r, n.Slug)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/"+n.Slug+"/")
	c.s.writeJSON(w, r, http.StatusCreated, c.describe(l))
	return nil
}

func (c *conferenceAPI) remove(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	l, err := c.listing(r, slug)
	if err != nil {
		return err
	}
	q, err := queryOf(r)
	if err != nil {
		return err
	}
	switch v := q.Get("purge"); v {
	case "":
	case "1", "true":
		if l.Removed.IsZero() {
			return errorf(http.StatusConflict, "conference %s is served: remove it first (DELETE without ?purge), then purge it", slug)
		}
		if err := c.admin.PurgeConference(r.Context(), slug); err != nil {
			return err
		}
		c.s.writeJSON(w, r, http.StatusOK, api.Removed{Conference: slug, Purged: true, Note: "deleted with everything it held; this cannot be undone"})
		return nil
	default:
		return errorf(http.StatusBadRequest, "purge: want 1 or true, got %q", short(v))
	}
	if l.Default {
		return errorf(http.StatusConflict, "conference %s is the default one, which the root URLs serve: it cannot be removed", slug)
	}
	if !l.Removed.IsZero() {
		return errorf(http.StatusConflict, "conference %s is removed already; purge it with ?purge=1, or restore it", slug)
	}
	if err := c.admin.RemoveConference(r.Context(), slug); err != nil {
		return err
	}
	c.s.Withdraw(slug)
	c.s.writeJSON(w, r, http.StatusOK, api.Removed{Conference: slug,
		Note: fmt.Sprintf("no longer served; its data is kept: POST /api/conferences/%s/restore serves it again, DELETE /api/conferences/%s?purge=1 deletes it", slug, slug)})
	return nil
}

func (c *conferenceAPI) restore(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	l, err := c.listing(r, slug)
	if err != nil {
		return err
	}
	if l.Removed.IsZero() {
		return errorf(http.StatusConflict, "conference %s is served; there is nothing to restore", slug)
	}
	if err := c.admin.RestoreConference(r.Context(), slug); err != nil {
		return err
	}
	if l, err = c.listing(r, slug); err != nil {
		return err
	}
	c.s.writeJSON(w, r, http.StatusOK, c.describe(l))
	return nil
}

func (c *conferenceAPI) token(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	l, err := c.listing(r, slug)
	if err != nil {
		return err
	}
	if !l.Removed.IsZero() {
		return errorf(http.StatusConflict, "conference %s is removed; restore it first", slug)
	}
	tok, err := c.admin.NewToken(r.Context(), slug)
	if err != nil {
		return err
	}
	c.s.writeJSON(w, r, http.StatusCreated, api.Token{Conference: slug, Token: tok})
	return nil
}

// CheckSlug says why slug cannot name a new conference, nil when it can.
func CheckSlug(slug string) error {
	switch {
	case !agenda.ValidID(slug):
		return fmt.Errorf("%s is not a slug: lower-case letters, digits and inner hyphens, up to %d characters", short(slug), agenda.MaxIDLength)
	case Reserved(slug):
		return fmt.Errorf("%q is a URL of the server itself; choose another", slug)
	}
	return nil
}

// hosts counts the conferences being served.
func (s *Server) hosts() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := len(s.confs)
	if s.cfg.Default != "" {
		n-- // the default one is there twice
	}
	return n
}

// serveConferenceList serves "/" of a server of several conferences:
// upcoming ones first, then past ones, each with its subscribe block.
func (s *Server) serveConferenceList(w http.ResponseWriter, r *http.Request) error {
	// A conference is upcoming until its last day is over anywhere
	// on Earth: UTC−12 is the last zone where a day ends.
	today := agenda.DateOf(s.cfg.Now(), time.FixedZone("UTC-12", -12*3600))
	var list []page.Listed
	base := s.cfg.PageBase(r)
	for _, st := range s.served(today) {
		slug := st.conf.slug
		list = append(list, page.Listed{Slug: slug, Snap: st.snap, Base: base + "/" + slug, Prefix: "/" + slug})
	}
	if len(list) == 0 {
		return errorf(http.StatusServiceUnavailable, "%s", errNotLoaded)
	}
	var buf strings.Builder
	if err := s.page.Conferences(&buf, "Conferences", list, today); err != nil {
		return err
	}
	s.writeHTML(w, r, http.StatusOK, []byte(buf.String()))
	return nil
}

package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
)

// current returns the revision to serve, or writes 503 when Prepare has
// not swapped one in yet.
func (s *Server) current(w http.ResponseWriter, r *http.Request) (*revision, bool) {
	rev := s.cur.Load()
	if rev == nil {
		s.writeError(w, r, http.StatusServiceUnavailable, "no agenda loaded yet")
		return nil, false
	}
	return rev, true
}

// serveFeedList serves GET /feeds: every named feed as JSON (FeedList).
func (s *Server) serveFeedList(w http.ResponseWriter, r *http.Request) {
	if rev, ok := s.current(w, r); ok {
		serveFeed(w, r, rev.list)
	}
}

// serveAllFeed serves /feeds/all.ics, the whole conference.
func (s *Server) serveAllFeed(w http.ResponseWriter, r *http.Request) {
	if rev, ok := s.current(w, r); ok {
		serveFeed(w, r, rev.all)
	}
}

// serveTrackFeed serves /feeds/tracks/{track}.ics.
func (s *Server) serveTrackFeed(w http.ResponseWriter, r *http.Request) {
	s.serveNamed(w, r, "track", func(rev *revision, id string) *feed { return rev.tracks[id] })
}

// serveRoomFeed serves /feeds/rooms/{room}.ics.
func (s *Server) serveRoomFeed(w http.ResponseWriter, r *http.Request) {
	s.serveNamed(w, r, "room", func(rev *revision, id string) *feed { return rev.rooms[id] })
}

// serveSessionFeed serves /feeds/sessions/{session}.ics.
func (s *Server) serveSessionFeed(w http.ResponseWriter, r *http.Request) {
	s.serveNamed(w, r, "session", func(rev *revision, id string) *feed { return rev.sessions[id] })
}

// serveNamed serves the feed that find returns for the URL parameter
// param, or 404 naming what was not found.
func (s *Server) serveNamed(w http.ResponseWriter, r *http.Request, param string, find func(*revision, string) *feed) {
	rev, ok := s.current(w, r)
	if !ok {
		return
	}
	id := chi.URLParam(r, param)
	f := find(rev, id)
	if f == nil {
		s.writeError(w, r, http.StatusNotFound, fmt.Sprintf("no %s %s", param, short(id)))
		return
	}
	serveFeed(w, r, f)
}

// serveDayFeed serves /feeds/days/{YYYY-MM-DD}.ics: 400 for a malformed
// day, 404 for a day the conference does not have.
func (s *Server) serveDayFeed(w http.ResponseWriter, r *http.Request) {
	rev, ok := s.current(w, r)
	if !ok {
		return
	}
	param := chi.URLParam(r, "day")
	d, err := parseDay(param)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, fmt.Sprintf("bad day %s, want YYYY-MM-DD", short(param)))
		return
	}
	f, ok := rev.days[d]
	if !ok {
		s.writeError(w, r, http.StatusNotFound, fmt.Sprintf("no day %s at %s", d, rev.ed.Snapshot().Conference().Name))
		return
	}
	serveFeed(w, r, f)
}

// serveCustomFeed serves /feeds/custom.ics?sessions=…&tracks=…&rooms=…&days=…,
// the union of what the query names (see Pick). A pick is assembled from
// the pre-rendered events once per revision and canonical query, then
// served from the revision's cache, where a repeated query also finds it
// by its raw spelling.
func (s *Server) serveCustomFeed(w http.ResponseWriter, r *http.Request) {
	rev, ok := s.current(w, r)
	if !ok {
		return
	}
	// A query seen before, spelled the same, skips parsing: the cache
	// also knows picks by their raw spelling (long ones excepted, to
	// bound its memory).
	raw := r.URL.RawQuery
	if f, ok := rev.custom.alias(raw); ok {
		serveFeed(w, r, f)
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, "malformed query: "+err.Error())
		return
	}
	p, err := ParsePick(q)
	if err == nil && p.Empty() {
		err = errEmptyPick
	}
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	key := p.canonical()
	f, ok := rev.custom.get(key)
	if !ok {
		snap := rev.ed.Snapshot()
		in, err := p.Match(snap)
		if err != nil {
			s.writeError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		// Selected by the pick's rule, so its Last-Modified also moves when
		// a session leaves what the pick names.
		meta := customMeta(snap.Conference())
		f, err = newFeed("custom", "", "/feeds/custom.ics?"+key, meta.Name, rev.ed.Select(meta, in), nil, new(compressor))
		if err != nil {
			s.writeError(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		f = rev.custom.add(key, f)
	}
	if len(raw) <= maxRawPickKey {
		rev.custom.addAlias(raw, f)
	}
	serveFeed(w, r, f)
}

// maxRawPickKey is the longest raw query of a pick cached under its own
// spelling.
const maxRawPickKey = 1024

// short quotes a name taken from a request for an error message, cut to a
// readable length.
func short(s string) string {
	const max = 80
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Package web is confcal's HTTP face: one route table (see Server.Handler)
// for the .ics feeds, the feed list and, mounted beside them, CalDAV.
//
// Everything a request can ask for is derived from one immutable
// agenda.Snapshot per revision. Prepare renders that revision once — the
// ical.Edition and every named feed (whole conference, each track, room,
// day and session) with a gzip copy each — and the swap it returns makes
// the result current with a single atomic store. A feed request then only
// picks bytes out of memory and writes them: no rendering, no hashing. A
// personal pick (/feeds/custom.ics) is assembled from the pre-rendered
// VEVENTs on first request and cached for the rest of the revision.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confcal/agenda"
	"confcal/ical"
)

// Config configures a Server.
type Config struct {
	// BaseURL is the absolute URL the server is reached at, without a
	// trailing slash, e.g. "https://confcal.example.org". Feed URLs in the
	// feed list and session URLs in the calendars are built from it.
	BaseURL string
	// ProdID is the iCalendar PRODID; "" means ical's default.
	ProdID string
	// Logger receives server errors; nil discards them.
	Logger *slog.Logger
	// Page configures the attendee page (page.go).
	Page PageOptions
	// API, when set, is mounted at /api: the admin API (package api).
	API http.Handler
	// ChangesAtom, when set, serves /feeds/changes.atom, the Atom feed of
	// changes (api.ChangesAtom).
	ChangesAtom http.Handler
	// Middleware wrap every route, the first outermost (access log,
	// metrics). They run inside the router, after routing, so
	// RoutePattern names the route a request matched (middleware.go).
	Middleware []func(http.Handler) http.Handler
	// Ops serves operational endpoints by exact path for GET and HEAD,
	// e.g. "/healthz", "/readyz", "/metrics".
	Ops map[string]http.Handler
	// CalDAVReport, when set, is told the kind of every REPORT request
	// ("sync-collection", "calendar-query", …), for metrics.
	CalDAVReport func(kind string)
	// TrustProxy makes rate limits count a client by the last address in
	// X-Forwarded-For (the one the proxy in front appended) rather than
	// by the connection's peer: set it behind a proxy that sets it.
	TrustProxy bool
}

// Server serves one agenda, a revision at a time. Its methods are safe for
// concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger
	cur atomic.Pointer[revision]
	// limits are the rate limits per client (limits.go).
	limits limiters
	// assembled, when set (by tests), is told of every named feed Prepare
	// assembles rather than keeps from the previous revision.
	assembled func(kind, id string)
}

// New returns a Server with no revision yet: until the first swap from
// Prepare, feed requests get 503 Service Unavailable.
func New(cfg Config) *Server {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, log: log, limits: newLimiters()}
}

// Current returns the edition being served, nil before the first swap.
func (s *Server) Current() *ical.Edition {
	if rev := s.cur.Load(); rev != nil {
		return rev.ed
	}
	return nil
}

// Prepare renders everything the server publishes for snap: the edition
// (rendered with the current edition as its predecessor, so unchanged
// sessions are reused), every named feed with its gzip copy, and the feed
// list. Nothing is served from it until swap is called; swap makes it
// current in one atomic step. A failed Prepare leaves the server as it was.
func (s *Server) Prepare(snap *agenda.Snapshot) (swap func(), err error) {
	base, err := url.Parse(s.cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("web: base URL %q is not an absolute http(s) URL", s.cfg.BaseURL)
	}
	old := s.cur.Load()
	var prevEd *ical.Edition
	if old != nil {
		prevEd = old.ed
	}
	ed, err := ical.Render(snap, ical.Options{BaseURL: s.cfg.BaseURL, ProdID: s.cfg.ProdID}, prevEd)
	if err != nil {
		return nil, fmt.Errorf("web: revision %d: %w", snap.Revision(), err)
	}
	rev, err := s.build(ed, old)
	if err != nil {
		return nil, fmt.Errorf("web: revision %d: %w", snap.Revision(), err)
	}
	return func() { s.cur.Store(rev) }, nil
}

// revision is everything served for one agenda revision. It is built once
// by Prepare and only read afterwards (the custom cache has its own lock).
type revision struct {
	ed       *ical.Edition
	all      *feed
	tracks   map[string]*feed // by track ID
	rooms    map[string]*feed // by room ID
	days     map[agenda.Date]*feed
	sessions map[string]*feed // by session ID
	list     *feed            // the JSON feed list
	custom   *pickCache
}

// feed is one published document, ready to be written: its bytes, a gzip
// copy and the header values both need.
type feed struct {
	kind, id string // "all", "track", "room", "day", "session" or "custom"; the ID in its URL
	path     string // URL path, e.g. "/feeds/tracks/use-case.ics"
	name     string // the calendar's name
	doc      ical.Doc
	gz       *gzCopy // doc.Body gzipped
	gzETag   string  // a strong ETag of its own for the gzip copy
	modified time.Time

	contentType  string // Content-Type header value
	lastModified string // Last-Modified header value, "" for none
	// listEntry is the feed's entry in the feed list, set by the Prepare
	// that made the feed (a feed kept from an earlier revision was listed
	// there already), read by later Prepares only, never by requests.
	listEntry []byte
}

// newFeed wraps doc with a gzip copy of its body, unless an earlier
// revision already published the very same bytes (same ETag), whose gzip
// copy is then shared: an edit recompresses only the feeds it touched.
// When that earlier feed is the same feed (path and name) with the same
// Last-Modified, it is reused as it is. A body of lazyGzip bytes or more
// is compressed when a request first wants it, not here (see gzCopy).
func newFeed(kind, id, path, name string, doc ical.Doc, old map[string]*feed, z *compressor) (*feed, error) {
	o, same := old[doc.ETag]
	same = same && bytes.Equal(o.doc.Body, doc.Body)
	if same && o.kind == kind && o.id == id && o.path == path && o.name == name && o.modified.Equal(doc.Modified) {
		return o, nil
	}
	f := &feed{kind: kind, id: id, path: path, name: name, doc: doc, modified: doc.Modified,
		contentType: "text/calendar; charset=utf-8"}
	if kind == "list" {
		f.contentType = "application/json; charset=utf-8"
	}
	if !doc.Modified.IsZero() {
		f.lastModified = doc.Modified.UTC().Format(http.TimeFormat)
	}
	f.gzETag = gzipETag(doc.ETag)
	if same {
		f.gz = o.gz
		return f, nil
	}
	f.gz = &gzCopy{src: doc.Body}
	if len(doc.Body) < lazyGzip {
		gz, err := z.compress(doc.Body)
		if err != nil {
			return nil, fmt.Errorf("compressing %s: %w", path, err)
		}
		f.gz.once.Do(func() { f.gz.src, f.gz.gz = nil, gz })
	}
	return f, nil
}

// lazyGzip is the body size from which a feed's gzip copy is made on the
// first request for it rather than in Prepare. Compressing at the default
// level costs about 26 ms per MB here (the whole conference at 10,000
// sessions, 8.4 MB: 217 ms, to 1.17 MB; the seed's all.ics, 200 KB:
// about 5 ms); gzip.BestSpeed costs a quarter of that but sends 27% more
// bytes to every reader, and at 10,000 sessions would still keep an edit
// far above 20 ms. Deferred, a large feed an edit touched costs its first
// gzip reader the compression and no one else anything (a 304 needs
// none: the gzip ETag is known), so the default level stays.
const lazyGzip = 32 << 10

// gzCopy is the gzip copy of one body, made once: in Prepare for a small
// body, on first use for a large one. Feeds with the same bytes share it.
type gzCopy struct {
	once sync.Once
	src  []byte // the body, until compressed
	gz   []byte
	err  error
}

// bytes returns the compressed body, compressing it first if need be. It
// is safe for concurrent use; concurrent first callers wait for one
// compression.
func (c *gzCopy) bytes() ([]byte, error) {
	c.once.Do(func() {
		c.gz, c.err = new(compressor).compress(c.src)
		c.src = nil
	})
	return c.gz, c.err
}

// gzipETag derives the gzip variant's ETag from the identity one: a
// different representation needs a different strong validator (RFC 9110
// §8.8.3), so "-gz" goes inside the quotes.
func gzipETag(etag string) string {
	return strings.TrimSuffix(etag, `"`) + `-gz"`
}

// compressor gzips one document after another with one reused
// gzip.Writer, whose set-up costs more than compressing a small feed.
type compressor struct {
	zw *gzip.Writer
}

func (z *compressor) compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	if z.zw == nil {
		z.zw = gzip.NewWriter(&buf)
	} else {
		z.zw.Reset(&buf)
	}
	if _, err := z.zw.Write(b); err != nil {
		return nil, err
	}
	if err := z.zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// build renders the named feeds and the feed list of ed. old (may be nil)
// is the revision being replaced. When ed's snapshot follows old's (same
// conference and options, old's change log a prefix of the new one), only
// the feeds the changes in between can have touched are assembled (see
// touchedFeeds); every other feed is old's, as it was: its bytes, ETag,
// gzip copy and Last-Modified, which no change since concerned. Otherwise
// every feed is assembled, and old's compressed copies are reused where
// the bytes did not change.
func (s *Server) build(ed *ical.Edition, old *revision) (*revision, error) {
	snap := ed.Snapshot()
	conf := snap.Conference()
	touched := touchedFeeds(old, ed)
	reuse := map[string]*feed{}
	if old != nil {
		for _, f := range old.named() {
			if f != nil && (touched == nil || touched[f.kind+"/"+f.id]) {
				reuse[f.doc.ETag] = f
			}
		}
	}
	rev := &revision{
		ed:       ed,
		tracks:   make(map[string]*feed, len(snap.Tracks())),
		rooms:    make(map[string]*feed, len(snap.Rooms())),
		days:     map[agenda.Date]*feed{},
		sessions: make(map[string]*feed, len(snap.SessionIDs())),
		custom:   newPickCache(customCacheSize),
	}
	z := new(compressor)
	heads := headChanges(snap)
	// add assembles the feed of the sessions among ids (in agenda order)
	// for which in reports true, unless the previous revision's prev can
	// be kept. Its Modified is the later of its sessions' LastModified,
	// the latest change that concerned the selection, so a session leaving
	// it counts (agenda.Snapshot.LastChange), and the latest change of the
	// feed's own name (a room added or renamed, a track added).
	add := func(kind, id, path string, prev *feed, meta ical.FeedMeta, ids func() []string, in func(agenda.Session) bool) (*feed, error) {
		if touched != nil && prev != nil && !touched[kind+"/"+id] {
			return prev, nil
		}
		if s.assembled != nil {
			s.assembled(kind, id)
		}
		doc := ed.Feed(meta, ids())
		if _, at := snap.LastChange(in); at.After(doc.Modified) {
			doc.Modified = at.UTC()
		}
		if at := heads[kind+"/"+id]; at.After(doc.Modified) {
			doc.Modified = at
		}
		return newFeed(kind, id, path, meta.Name, doc, reuse, z)
	}
	var prevAll *feed
	var prevTracks, prevRooms, prevSessions map[string]*feed // nil maps read as empty
	var prevDays map[agenda.Date]*feed
	if old != nil {
		prevAll, prevTracks, prevRooms, prevDays, prevSessions = old.all, old.tracks, old.rooms, old.days, old.sessions
	}
	var err error
	if rev.all, err = add("all", "", "/feeds/all.ics", prevAll, allMeta(conf), snap.SessionIDs, func(agenda.Session) bool { return true }); err != nil {
		return nil, err
	}
	for _, t := range snap.Tracks() {
		meta := ical.FeedMeta{
			Name:        conf.Name + " — " + t.Name,
			Description: fmt.Sprintf("The %s track at %s", t.Name, conf.Name),
			Color:       t.Color,
		}
		ids := func() []string { return sessionIDs(snap.ByTrack(t.ID)) }
		in := func(x agenda.Session) bool { return x.Track == t.ID }
		if rev.tracks[t.ID], err = add("track", t.ID, trackPath(t.ID), prevTracks[t.ID], meta, ids, in); err != nil {
			return nil, err
		}
	}
	for _, r := range snap.Rooms() {
		meta := ical.FeedMeta{
			Name:        conf.Name + " — " + r.Name,
			Description: fmt.Sprintf("Sessions in %s at %s", r.Name, conf.Name),
		}
		ids := func() []string { return sessionIDs(snap.ByRoom(r.ID)) }
		in := func(x agenda.Session) bool { return x.Room == r.ID }
		if rev.rooms[r.ID], err = add("room", r.ID, roomPath(r.ID), prevRooms[r.ID], meta, ids, in); err != nil {
			return nil, err
		}
	}
	for _, d := range snap.Days() {
		day := dayName(d)
		meta := ical.FeedMeta{
			Name:        conf.Name + " — " + day,
			Description: fmt.Sprintf("Sessions on %s at %s", day, conf.Name),
		}
		ids := func() []string { return sessionIDs(snap.ByDay(d)) }
		in := func(x agenda.Session) bool { return snap.Day(x) == d }
		if rev.days[d], err = add("day", d.String(), dayPath(d), prevDays[d], meta, ids, in); err != nil {
			return nil, err
		}
	}
	for _, id := range snap.SessionIDs() {
		key := "session/" + id
		if touched != nil && !touched[key] {
			if f := prevSessions[id]; f != nil {
				rev.sessions[id] = f
				continue
			}
		}
		x, _ := snap.Session(id)
		meta := ical.FeedMeta{Name: conf.Name + " — " + x.Title, Description: sessionDescription(snap, x)}
		if t, ok := snap.Track(x.Track); ok {
			meta.Color = t.Color // one session, one track: the track's colour
		}
		ids := func() []string { return []string{id} }
		in := func(y agenda.Session) bool { return y.ID == id }
		if rev.sessions[id], err = add("session", id, sessionPath(id), nil, meta, ids, in); err != nil {
			return nil, err
		}
	}
	if rev.list, err = s.feedList(rev, z); err != nil {
		return nil, err
	}
	return rev, nil
}

// sessionIDs returns the IDs of xs in order.
func sessionIDs(xs []agenda.Session) []string {
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = x.ID
	}
	return ids
}

// maxIncremental bounds the change-log entries between two revisions for
// which touchedFeeds works out what they touched; beyond it every feed is
// assembled again (a long gap touches most feeds anyway).
const maxIncremental = 4096

// touchedFeeds returns, by feed kind and ID ("all/", "track/talks",
// "day/2019-10-08", "session/opening"), the named feeds that may differ
// between old and ed: nil when every feed must be assembled (no old
// revision, other options or conference, a log that does not continue
// old's, rooms or tracks reordered or removed, an old value the log
// cannot undo).
//
// A feed is touched when a session that was or is in it changed, or when
// a change logged since old concerns it: for each entry about a session,
// the feeds of the session just before and just after that revision (so a
// session that passed through a room in between counts for that room too,
// as agenda.Snapshot.LastChange counts it); for a room or track added or
// renamed, its own feed. Sessions are also compared directly, so a
// snapshot whose differences the log does not record is still right. An
// untouched feed has the same sessions, rendered the same, under the same
// name, and no change since old concerned it, so its Last-Modified is
// unchanged too.
func touchedFeeds(old *revision, ed *ical.Edition) map[string]bool {
	if old == nil {
		return nil
	}
	prev, snap := old.ed.Snapshot(), ed.Snapshot()
	if old.ed.Options() != ed.Options() || prev.Conference() != snap.Conference() ||
		prev.BaseRevision() != snap.BaseRevision() || prev.Revision() > snap.Revision() {
		return nil
	}
	oldLog, newLog := prev.Log(), snap.Log()
	if len(oldLog) > len(newLog) || len(newLog)-len(oldLog) > maxIncremental {
		return nil
	}
	for i, c := range oldLog {
		if !sameChange(c, newLog[i]) {
			return nil
		}
	}
	changes, err := snap.ChangesSince(prev.Revision())
	if err != nil || len(changes) != len(newLog)-len(oldLog) {
		return nil
	}
	touched := map[string]bool{"all/": true}
	changed := map[string]bool{} // sessions whose every feed is touched
	// Rooms and tracks: old's must come first in the same order (they
	// order the feed list and break ties in the agenda's order); a new or
	// renamed one touches its feed and, through their rendered location
	// or category, every session in it.
	oldRooms, newRooms := prev.Rooms(), snap.Rooms()
	if len(oldRooms) > len(newRooms) {
		return nil
	}
	for i, r := range newRooms {
		if i < len(oldRooms) && oldRooms[i].ID != r.ID {
			return nil
		}
		if i >= len(oldRooms) || oldRooms[i] != r {
			touched["room/"+r.ID] = true
			for _, x := range snap.ByRoom(r.ID) {
				changed[x.ID] = true
			}
		}
	}
	oldTracks, newTracks := prev.Tracks(), snap.Tracks()
	if len(oldTracks) > len(newTracks) {
		return nil
	}
	for i, t := range newTracks {
		if i < len(oldTracks) && oldTracks[i].ID != t.ID {
			return nil
		}
		if i >= len(oldTracks) || oldTracks[i] != t {
			touched["track/"+t.ID] = true
			for _, x := range snap.ByTrack(t.ID) {
				changed[x.ID] = true
			}
		}
	}
	// Sessions as they are compared with old's.
	n := 0
	for _, id := range snap.SessionIDs() {
		x, _ := snap.Session(id)
		o, ok := prev.Session(id)
		if ok {
			n++
		}
		if !ok || !o.Equal(x) {
			changed[id] = true
		}
	}
	if n != len(prev.SessionIDs()) {
		for _, id := range prev.SessionIDs() {
			if _, ok := snap.Session(id); !ok {
				changed[id] = true
			}
		}
	}
	// The log since old.
	for _, c := range changes {
		switch {
		case c.Session != "":
			changed[c.Session] = true
			for _, r := range []int64{c.Revision - 1, c.Revision} {
				at, err := snap.SessionsAt(r)
				if err != nil {
					return nil
				}
				x, ok, err := at(c.Session)
				if err != nil {
					return nil
				}
				if ok {
					touchSession(touched, snap, x)
				}
			}
		case c.Room != "":
			touched["room/"+c.Room] = true
		case c.Track != "":
			touched["track/"+c.Track] = true
		}
	}
	for id := range changed {
		touched["session/"+id] = true
		if x, ok := prev.Session(id); ok {
			touchSession(touched, snap, x)
		}
		if x, ok := snap.Session(id); ok {
			touchSession(touched, snap, x)
		}
	}
	return touched
}

// touchSession marks the feeds x is in as touched.
func touchSession(touched map[string]bool, snap *agenda.Snapshot, x agenda.Session) {
	touched["session/"+x.ID] = true
	touched["track/"+x.Track] = true
	touched["room/"+x.Room] = true
	touched["day/"+snap.Day(x).String()] = true
}

// sameChange reports whether a and b are the same change-log entry.
func sameChange(a, b agenda.Change) bool {
	return a.Revision == b.Revision && a.Time.Equal(b.Time) && a.Who == b.Who && a.Session == b.Session &&
		a.Room == b.Room && a.Track == b.Track && a.Field == b.Field && a.Old == b.Old && a.New == b.New
}

// named lists the revision's named feeds in the order of the feed list:
// all, tracks, rooms, days, sessions, each in agenda order.
func (rev *revision) named() []*feed {
	snap := rev.ed.Snapshot()
	out := []*feed{rev.all}
	for _, t := range snap.Tracks() {
		out = append(out, rev.tracks[t.ID])
	}
	for _, r := range snap.Rooms() {
		out = append(out, rev.rooms[r.ID])
	}
	for _, d := range snap.Days() {
		out = append(out, rev.days[d])
	}
	for _, id := range snap.SessionIDs() {
		out = append(out, rev.sessions[id])
	}
	return out
}

// FeedInfo describes one feed in the feed list (GET /feeds).
type FeedInfo struct {
	// Kind is "all", "track", "room", "day" or "session".
	Kind string `json:"kind"`
	// ID is the track, room or session ID, or the day as YYYY-MM-DD;
	// empty for the whole conference.
	ID string `json:"id,omitempty"`
	// Name is the calendar's name as clients show it.
	Name string `json:"name"`
	// URL is the feed's absolute http(s) URL.
	URL string `json:"url"`
	// Webcal is the same URL with the webcal:// scheme, which asks the
	// operating system's calendar to subscribe.
	Webcal string `json:"webcal"`
	// Events is the number of events in the feed.
	Events int `json:"events"`
}

// FeedList is the body of GET /feeds.
type FeedList struct {
	Conference string     `json:"conference"`
	Revision   int64      `json:"revision"`
	Feeds      []FeedInfo `json:"feeds"`
}

// feedList renders the JSON feed list of rev as a feed of its own, so it
// is served with the same validators and compression as the calendars.
// The body is what json.MarshalIndent(list, "", "  ") writes for the
// FeedList, put together from each feed's entry, encoded once when the
// feed was made (listEntry), so a revision that keeps most feeds encodes
// only the new ones.
func (s *Server) feedList(rev *revision, z *compressor) (*feed, error) {
	snap := rev.ed.Snapshot()
	conf, err := json.Marshal(snap.Conference().Name)
	if err != nil {
		return nil, fmt.Errorf("feed list: %w", err)
	}
	named := rev.named()
	n := 64 + len(conf)
	for _, f := range named {
		if f.listEntry == nil {
			if f.listEntry, err = s.listEntry(f); err != nil {
				return nil, err
			}
		}
		n += len(f.listEntry) + 6
	}
	body := make([]byte, 0, n)
	body = append(body, "{\n  \"conference\": "...)
	body = append(body, conf...)
	body = append(body, ",\n  \"revision\": "...)
	body = strconv.AppendInt(body, snap.Revision(), 10)
	body = append(body, ",\n  \"feeds\": ["...)
	for i, f := range named {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, "\n    "...)
		body = append(body, f.listEntry...)
	}
	body = append(body, "\n  ]\n}\n"...)
	sum := sha256.Sum256(body)
	doc := ical.Doc{Body: body, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, Modified: listModified(snap)}
	return newFeed("list", "", "/feeds", "", doc, nil, z)
}

// listEntry encodes f's FeedInfo as it stands in the feed list, indented
// for its place there.
func (s *Server) listEntry(f *feed) ([]byte, error) {
	u := s.cfg.BaseURL + f.path
	info := FeedInfo{Kind: f.kind, ID: f.id, Name: f.name, URL: u, Webcal: webcal(u), Events: f.doc.Events}
	b, err := json.MarshalIndent(info, "    ", "  ")
	if err != nil {
		return nil, fmt.Errorf("feed list: %s: %w", f.path, err)
	}
	return b, nil
}

// listModified is the feed list's Last-Modified: the agenda's latest
// change of any kind (a room added changes the list and no session), or
// the latest LastModified of a session when that is later (the log starts
// at an import).
func listModified(snap *agenda.Snapshot) time.Time {
	t := snap.Updated()
	if log := snap.Log(); len(log) > 0 && log[len(log)-1].Time.After(t) {
		t = log[len(log)-1].Time.UTC()
	}
	return t
}

// headChanges returns, by feed kind and ID ("room/room-2", "track/talks"),
// the latest change to a feed's own name: a room added or renamed, a track
// added. A room renamed is also logged for each of its sessions, but an
// empty room's feed changes name all the same.
func headChanges(snap *agenda.Snapshot) map[string]time.Time {
	out := map[string]time.Time{}
	for _, c := range snap.Log() {
		switch {
		case c.Session != "":
		case c.Room != "":
			out["room/"+c.Room] = c.Time.UTC()
		case c.Track != "":
			out["track/"+c.Track] = c.Time.UTC()
		}
	}
	return out
}

// webcal swaps the scheme of an http(s) URL for webcal://.
func webcal(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return "webcal://" + rest
	}
	return "webcal://" + strings.TrimPrefix(u, "http://")
}

func allMeta(conf agenda.Conference) ical.FeedMeta {
	return ical.FeedMeta{Name: conf.Name, Description: conf.Description}
}

func customMeta(conf agenda.Conference) ical.FeedMeta {
	return ical.FeedMeta{
		Name:        conf.Name + " — My agenda",
		Description: "My pick of sessions at " + conf.Name,
	}
}

// dayName writes a day as feeds name it: "Tuesday, 8 October 2019".
func dayName(d agenda.Date) string {
	return d.Start(time.UTC).Format("Monday, 2 January 2006")
}

func sessionDescription(snap *agenda.Snapshot, x agenda.Session) string {
	parts := []string{dayName(snap.Day(x)) + ", " + x.Start.Format("15:04") + "–" + x.End.Format("15:04")}
	if r, ok := snap.Room(x.Room); ok {
		parts = append(parts, r.Name)
	}
	if t, ok := snap.Track(x.Track); ok {
		parts = append(parts, t.Name)
	}
	return strings.Join(parts, " · ")
}

func trackPath(id string) string   { return "/feeds/tracks/" + url.PathEscape(id) + ".ics" }
func roomPath(id string) string    { return "/feeds/rooms/" + url.PathEscape(id) + ".ics" }
func dayPath(d agenda.Date) string { return "/feeds/days/" + d.String() + ".ics" }
func sessionPath(id string) string { return "/feeds/sessions/" + url.PathEscape(id) + ".ics" }

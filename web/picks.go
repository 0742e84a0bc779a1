package web

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"confcal/agenda"
	"confcal/catalog"
	"confcal/ical"
	"confcal/page"
)

// Pick names sessions by ID, track, room and day. Its feed is the union of
// what it names, in agenda order, each session once: the personal feed
// /feeds/custom.ics?sessions=…&tracks=…&rooms=…&days=… and the selection of
// `confcal export`.
type Pick struct {
	Sessions []string // session IDs
	Tracks   []string // track IDs
	Rooms    []string // room IDs
	Days     []string // days as YYYY-MM-DD
	// Alarm is the reminder the pick's feed asks for (alarm=10m): each
	// of its events then carries a VALARM (ical.Calendar.WithAlarm). It
	// names no sessions.
	Alarm catalog.Alarm
}

// maxPickItems bounds the names in one pick, so a query cannot make the
// server resolve an unbounded list.
const maxPickItems = 1000

// ParsePick reads a pick from a query: the parameters sessions, tracks,
// rooms and days, each a comma-separated list, each may repeat; empty
// items are ignored. The parameter alarm, given at most once, asks for
// reminders (catalog.ParseAlarm). Any other parameter is an error.
// ParsePick checks the form only; Resolve checks the names against an
// agenda.
func ParsePick(q url.Values) (Pick, error) {
	var p Pick
	n := 0
	for _, key := range slices.Sorted(maps.Keys(q)) {
		if key == catalog.AlarmParam {
			a, err := parseAlarm(q)
			if err != nil {
				return Pick{}, err
			}
			p.Alarm = a
			continue
		}
		dst := p.list(key)
		if dst == nil {
			return Pick{}, fmt.Errorf("unknown parameter %q (want sessions, tracks, rooms, days or alarm)", key)
		}
		for _, v := range q[key] {
			for item := range strings.SplitSeq(v, ",") {
				if item = strings.TrimSpace(item); item == "" {
					continue
				}
				if n++; n > maxPickItems {
					return Pick{}, fmt.Errorf("pick names more than %d items", maxPickItems)
				}
				*dst = append(*dst, item)
			}
		}
	}
	return p, nil
}

// parseAlarm reads the reminder a personal feed's query asks for: none
// without an alarm parameter, an error for a bad value or more than one.
func parseAlarm(q url.Values) (catalog.Alarm, error) {
	v, ok := q[catalog.AlarmParam]
	switch {
	case !ok:
		return catalog.Alarm{}, nil
	case len(v) > 1:
		return catalog.Alarm{}, fmt.Errorf("%s= given %d times: a feed has one reminder per session", catalog.AlarmParam, len(v))
	}
	return catalog.ParseAlarm(v[0])
}

// list returns the field a query parameter fills, nil for an unknown one.
func (p *Pick) list(param string) *[]string {
	switch param {
	case "sessions":
		return &p.Sessions
	case "tracks":
		return &p.Tracks
	case "rooms":
		return &p.Rooms
	case "days":
		return &p.Days
	}
	return nil
}

// Empty reports whether p names nothing (an alarm names no sessions).
func (p Pick) Empty() bool {
	return len(p.Sessions)+len(p.Tracks)+len(p.Rooms)+len(p.Days) == 0
}

// errEmptyPick is the error for a pick that names nothing.
var errEmptyPick = errors.New("empty pick: name sessions, tracks, rooms or days, e.g. ?tracks=keynote&sessions=id1,id2")

// Resolve returns the IDs of the sessions p names, in agenda order, each
// once. It fails, naming the culprit, for an empty pick, an unknown
// session, track or room, a malformed day or a day the conference does
// not have.
func (p Pick) Resolve(snap *agenda.Snapshot) ([]string, error) {
	in, err := p.Match(snap)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range snap.Sessions() {
		if in(x) {
			out = append(out, x.ID)
		}
	}
	return out, nil
}

// Match returns the rule behind p: whether a session is named by ID or
// lies in a named track, room or day. It checks the names as Resolve does.
// The rule, not a list of IDs, is what tells a session leaving the pick
// (ical.Rendered.Select).
func (p Pick) Match(snap *agenda.Snapshot) (func(agenda.Session) bool, error) {
	if p.Empty() {
		return nil, errEmptyPick
	}
	sessions, tracks, rooms, days := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[agenda.Date]bool{}
	for _, id := range p.Sessions {
		if _, ok := snap.Session(id); !ok {
			return nil, fmt.Errorf("unknown session %q", id)
		}
		sessions[id] = true
	}
	for _, id := range p.Tracks {
		if _, ok := snap.Track(id); !ok {
			return nil, fmt.Errorf("unknown track %q", id)
		}
		tracks[id] = true
	}
	for _, id := range p.Rooms {
		if _, ok := snap.Room(id); !ok {
			return nil, fmt.Errorf("unknown room %q", id)
		}
		rooms[id] = true
	}
	for _, s := range p.Days {
		d, err := parseDay(s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(snap.Days(), d) {
			return nil, fmt.Errorf("day %s is not a day of %s", d, snap.Conference().Name)
		}
		days[d] = true
	}
	return func(x agenda.Session) bool {
		return sessions[x.ID] || tracks[x.Track] || rooms[x.Room] || len(days) > 0 && days[snap.Day(x)]
	}, nil
}

// parseDay reads a day as YYYY-MM-DD (and nothing else: no time, no zone).
func parseDay(s string) (agenda.Date, error) {
	d, err := agenda.ParseDate(s)
	if err != nil || d.String() != s {
		return agenda.Date{}, fmt.Errorf("bad day %q, want YYYY-MM-DD", s)
	}
	return d, nil
}

// Export returns the calendar a pick names from ed: the whole conference
// (what /feeds/all.ics serves) for an empty pick, otherwise the union
// (what /feeds/custom.ics serves for the same pick); with a reminder in
// each event when p asks for one.
func Export(ed *ical.Rendered, p Pick) (*ical.Calendar, error) {
	snap := ed.Snapshot()
	var c *ical.Calendar
	if p.Empty() {
		w := catalog.Whole(snap)
		c = ed.Select(ical.FeedMeta{Name: w.Name, Description: w.Description}, w.In)
	} else {
		in, err := p.Match(snap)
		if err != nil {
			return nil, err
		}
		m := catalog.Picked(snap, catalog.PickPath, in)
		c = ed.Select(ical.FeedMeta{Name: m.Name, Description: m.Description}, in)
	}
	if p.Alarm.On() {
		c = c.WithAlarm(p.Alarm.Lead())
	}
	return c, nil
}

// servePick serves /feeds/custom.ics?sessions=…&tracks=…&rooms=…&days=…,
// the union of what the query names (see Pick), with reminders when it
// says alarm=…, put together from the revision's rendered events. A query
// the revision answered before, spelled the same, skips parsing
// (site.pick).
func (s *Server) servePick(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	key := "?" + r.URL.RawQuery
	if c, ok := st.picked(key); ok {
		return s.serveChosen(w, r, c)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errorf(http.StatusBadRequest, "malformed query: %v", err)
	}
	p, err := ParsePick(q)
	if err == nil && p.Empty() {
		err = errEmptyPick
	}
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	c, err := st.pick(key, p)
	if err != nil {
		return err
	}
	return s.serveChosen(w, r, c)
}

// serveStoredPick serves /feeds/my/{code}.ics: the pick stored under code,
// exactly as the pick of its sessions, with reminders when the query says
// alarm=…. Other parameters are ignored, as they always were; a query
// that does not parse is refused, since it may hide a reminder. The store
// is asked every time, so that a fetch keeps the pick from expiring; a
// code always names the same sessions, so the code and the reminder key
// the assembled feed.
func (s *Server) serveStoredPick(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if !page.ValidCode(code) {
		return errorf(http.StatusNotFound, "no personal agenda %s", short(code))
	}
	var alarm catalog.Alarm
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return errorf(http.StatusBadRequest, "malformed query: %v", err)
		}
		if alarm, err = parseAlarm(q); err != nil {
			return errorf(http.StatusBadRequest, "%v", err)
		}
	}
	st, err := s.site(r)
	if err != nil {
		return err
	}
	ids, err := st.conf.picks.Load(r.Context(), code)
	if errors.Is(err, page.ErrUnknownPick) {
		return errorf(http.StatusNotFound, "no personal agenda %s (unknown or expired)", short(code))
	}
	if err != nil {
		return fmt.Errorf("web: loading a stored pick: %w", err)
	}
	key := "my/" + code
	if alarm.On() {
		key += "?alarm=" + alarm.Lead().String()
	}
	c, err := st.pick(key, Pick{Sessions: ids, Alarm: alarm})
	if err != nil {
		return err
	}
	return s.serveChosen(w, r, c)
}

// Bounds of the picks a revision keeps assembled (site.pick): how many,
// and the longest key one is kept under.
const (
	maxPickViews = 128
	maxPickKey   = 1024
)

// picked returns the pick the revision keeps under key, if it does.
func (st *site) picked(key string) (*ical.Calendar, bool) {
	v, ok := st.picks.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*ical.Calendar), true
}

// pick returns the calendar of pick p, named by key. A pick's ETag is a
// hash of its whole body, so the first maxPickViews picks a revision is
// asked for are kept with it, assembled once; later ones are put together
// for each request.
func (st *site) pick(key string, p Pick) (*ical.Calendar, error) {
	if c, ok := st.picked(key); ok {
		return c, nil
	}
	c, err := Export(st.ed, p)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "%v", err)
	}
	if len(key) <= maxPickKey && st.npicks.Add(1) <= maxPickViews {
		v, _ := st.picks.LoadOrStore(key, c)
		c = v.(*ical.Calendar)
	}
	return c, nil
}

// serveChosen serves the feed of a pick.
func (s *Server) serveChosen(w http.ResponseWriter, r *http.Request, c *ical.Calendar) error {
	return serveEntity(w, r, entity{
		etag: c.ETag(), modified: c.Modified(), ctype: "text/calendar; charset=utf-8", cache: feedCache, gzip: true,
		body: func(gz bool) ([]byte, func(), error) { return s.pool.assemble(c, gz) },
	})
}

// pools are what picks are put together with: buffers, and gzip writers,
// whose set-up costs more than compressing a small pick.
type pools struct {
	buffers, zippers sync.Pool
}

// maxPooled is the largest buffer given back to the pool: a buffer that
// grew past it is let go.
const maxPooled = 1 << 20

func (p *pools) buffer() *bytes.Buffer {
	if b, ok := p.buffers.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

func (p *pools) release(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		p.buffers.Put(b)
	}
}

// assemble writes c's body (gzipped when gz) into pooled buffers and
// returns it with the function that gives them back.
func (p *pools) assemble(c *ical.Calendar, gz bool) ([]byte, func(), error) {
	plain := p.buffer()
	plain.Grow(c.Size())
	b := c.AppendTo(plain.Bytes())
	if !gz {
		return b, func() { p.release(plain) }, nil
	}
	zipped := p.buffer()
	zw, _ := p.zippers.Get().(*gzip.Writer)
	if zw == nil {
		zw = gzip.NewWriter(zipped)
	} else {
		zw.Reset(zipped)
	}
	_, err := zw.Write(b)
	if err == nil {
		err = zw.Close()
	}
	p.zippers.Put(zw)
	p.release(plain)
	if err != nil {
		p.release(zipped)
		return nil, nil, fmt.Errorf("web: gzip a pick: %w", err)
	}
	return zipped.Bytes(), func() { p.release(zipped) }, nil
}

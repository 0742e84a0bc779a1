package web

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
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

// param is one parameter of a query, unescaped.
type param struct{ key, value string }

// parsePick reads a pick from a query's parameters (in any order of their
// names, the values of one name in their order): sessions, tracks, rooms
// and days, each a comma-separated list, each may repeat; empty items are
// ignored. The parameter alarm, given at most once, asks for reminders
// (catalog.ParseAlarm). Any other parameter is an error. It checks the
// form only; Resolve checks the names against an agenda.
func parsePick(ps []param) (Pick, error) {
	// The parameters are read in the order of their names, so that of two
	// errors the same one is always told; an unknown name takes its turn
	// in that order too. The known names are few: only the unknown ones
	// would need sorting, and only the first of them is told.
	unknown, anyUnknown := "", false // "" is a name too: "?=x"
	for _, kv := range ps {
		if key := kv.key; key != catalog.AlarmParam && new(Pick).list(key) == nil && (!anyUnknown || key < unknown) {
			unknown, anyUnknown = key, true
		}
	}
	errUnknown := func() error {
		return fmt.Errorf("unknown parameter %q (want sessions, tracks, rooms, days or alarm)", unknown)
	}
	var p Pick
	n := 0
	// The parameters of a pick, in the order of their names.
	for _, key := range [...]string{catalog.AlarmParam, "days", "rooms", "sessions", "tracks"} {
		if anyUnknown && unknown < key {
			return Pick{}, errUnknown()
		}
		if key == catalog.AlarmParam {
			a, err := parseAlarm(ps)
			if err != nil {
				return Pick{}, err
			}
			p.Alarm = a
			continue
		}
		dst := p.list(key)
		for _, kv := range ps {
			if kv.key != key {
				continue
			}
			*dst = slices.Grow(*dst, strings.Count(kv.value, ",")+1)
			for item := range strings.SplitSeq(kv.value, ",") {
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
	if anyUnknown {
		return Pick{}, errUnknown()
	}
	return p, nil
}

// appendParams appends the parameters of a raw query to ps, as
// url.ParseQuery reads them, but without its unescaping pass and its map
// over a query that needs neither: a pick's query is polled over and over,
// and is mostly IDs and commas. A query with an escape ('%', '+'), a
// semicolon or more parameters than url.ParseQuery allows goes to it.
func appendParams(ps []param, raw string) ([]param, error) {
	if strings.ContainsAny(raw, "%+;") || strings.Count(raw, "&") >= maxQueryParams {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return nil, err
		}
		for k, vs := range q {
			for _, v := range vs {
				ps = append(ps, param{k, v})
			}
		}
		return ps, nil
	}
	for part := range strings.SplitSeq(raw, "&") {
		if part != "" {
			k, v, _ := strings.Cut(part, "=")
			ps = append(ps, param{k, v})
		}
	}
	return ps, nil
}

// maxQueryParams is a bound below url.ParseQuery's on the parameters of a
// query (10,000 unless GODEBUG says otherwise), so that a query near it is
// judged by url.ParseQuery itself.
const maxQueryParams = 1000

// parseAlarm reads the reminder a personal feed's query asks for: none
// without an alarm parameter, an error for a bad value or more than one.
func parseAlarm(ps []param) (catalog.Alarm, error) {
	var v string
	n := 0
	for _, kv := range ps {
		if kv.key == catalog.AlarmParam {
			v, n = kv.value, n+1
		}
	}
	switch {
	case n == 0:
		return catalog.Alarm{}, nil
	case n > 1:
		return catalog.Alarm{}, fmt.Errorf("%s= given %d times: a feed has one reminder per session", catalog.AlarmParam, n)
	}
	return catalog.ParseAlarm(v)
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
	sel, err := p.selection()
	if err != nil {
		return nil, err
	}
	return snap.Select(sel)
}

// selection returns what p names as the agenda selects it, its days read;
// an error for an empty pick or a malformed day.
func (p Pick) selection() (agenda.Selection, error) {
	if p.Empty() {
		return agenda.Selection{}, errEmptyPick
	}
	sel := agenda.Selection{Sessions: p.Sessions, Tracks: p.Tracks, Rooms: p.Rooms}
	for _, s := range p.Days {
		d, err := parseDay(s)
		if err != nil {
			return agenda.Selection{}, err
		}
		sel.Days = append(sel.Days, d)
	}
	return sel, nil
}

// parseDay reads a day as YYYY-MM-DD (and nothing else: no time, no zone).
func parseDay(s string) (agenda.Date, error) {
	d, err := agenda.ParseDate(s)
	if err != nil || d.String() != s {
		return agenda.Date{}, fmt.Errorf("bad day %q, want YYYY-MM-DD", s)
	}
	return d, nil
}

// Export returns the calendar a pick names from a rendering: the whole conference
// (what /feeds/all.ics serves) for an empty pick, otherwise the union
// (what /feeds/custom.ics serves for the same pick); with a reminder in
// each event when p asks for one. A pick is found from the agenda's
// indexes and dated by when its selection last changed, a session leaving
// it included (agenda.Snapshot.SelectionChanged).
func Export(rendered *ical.Rendered, p Pick) (*ical.Calendar, error) {
	if !p.Empty() {
		return exportPick(rendered, pickHead(rendered), p)
	}
	c, err := feedOf(rendered, catalog.Whole(rendered.Snapshot()))
	if err != nil {
		return nil, err
	}
	if p.Alarm.On() {
		c = c.WithAlarm(p.Alarm.Lead())
	}
	return c, nil
}

// pickHead renders the head every pick of a rendering has: a revision's picks
// differ only in their events.
func pickHead(rendered *ical.Rendered) ical.Head {
	m := catalog.Picked(rendered.Snapshot(), catalog.PickPath)
	return rendered.Head(ical.FeedMeta{Name: m.Name, Description: m.Description})
}

// exportPick returns the calendar of the sessions non-empty pick p names,
// with head, which pickHead(rendered) made.
func exportPick(rendered *ical.Rendered, head ical.Head, p Pick) (*ical.Calendar, error) {
	sel, err := p.selection()
	if err != nil {
		return nil, err
	}
	c, err := rendered.FeedOf(head, sel)
	if err != nil {
		return nil, err
	}
	if p.Alarm.On() {
		c = c.WithAlarm(p.Alarm.Lead())
	}
	return c, nil
}

// servePick serves /feeds/custom.ics?sessions=…&tracks=…&rooms=…&days=…,
// the union of what the query names (see Pick), with reminders when it
// says alarm=…, put together for each request from the revision's
// rendered events: its ETag comes from theirs, so a conditional GET costs
// no body.
func (s *Server) servePick(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	var buf [8]param
	ps, err := appendParams(buf[:0], r.URL.RawQuery)
	if err != nil {
		return errorf(http.StatusBadRequest, "malformed query: %v", err)
	}
	p, err := parsePick(ps)
	if err == nil && p.Empty() {
		err = errEmptyPick
	}
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
	return s.servePicked(w, r, st, p)
}

// serveStoredPick serves /feeds/my/{code}.ics: the pick stored under code,
// exactly as the pick of its sessions, with reminders when the query says
// alarm=…. Other parameters are ignored, as they always were; a query
// that does not parse is refused, since it may hide a reminder. The store
// is asked every time, so that a fetch keeps the pick from expiring.
func (s *Server) serveStoredPick(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if !page.ValidCode(code) {
		return errorf(http.StatusNotFound, "no personal agenda %s", short(code))
	}
	var alarm catalog.Alarm
	if r.URL.RawQuery != "" {
		var buf [8]param
		ps, err := appendParams(buf[:0], r.URL.RawQuery)
		if err != nil {
			return errorf(http.StatusBadRequest, "malformed query: %v", err)
		}
		if alarm, err = parseAlarm(ps); err != nil {
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
	return s.servePicked(w, r, st, Pick{Sessions: ids, Alarm: alarm})
}

// servePicked serves the feed of pick p of the revision st.
func (s *Server) servePicked(w http.ResponseWriter, r *http.Request, st *site, p Pick) error {
	c, err := exportPick(st.rendered, st.pickHead, p)
	if err != nil {
		return errorf(http.StatusBadRequest, "%v", err)
	}
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
	zipped, done, err := p.compress(b)
	p.release(plain)
	if err != nil {
		return nil, nil, fmt.Errorf("web: gzip a pick: %w", err)
	}
	return zipped, done, nil
}

// compress returns b gzipped in a pooled buffer, with the function that
// gives it back. What it compresses (a pick, a page) is made for one
// request, so it is compressed at the fastest level, as web servers
// compress their dynamic answers (nginx's gzip_comp_level is 1 unless
// told otherwise): the bytes a higher level would save cost the server
// several times the time; a feed, compressed once per version, takes the
// default level (feeds.go).
func (p *pools) compress(b []byte) ([]byte, func(), error) {
	zipped := p.buffer()
	zw, _ := p.zippers.Get().(*gzip.Writer)
	if zw == nil {
		// Only an invalid level is an error.
		zw, _ = gzip.NewWriterLevel(zipped, gzip.BestSpeed)
	} else {
		zw.Reset(zipped)
	}
	_, err := zw.Write(b)
	if err == nil {
		err = zw.Close()
	}
	p.zippers.Put(zw)
	if err != nil {
		p.release(zipped)
		return nil, nil, err
	}
	return zipped.Bytes(), func() { p.release(zipped) }, nil
}

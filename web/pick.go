package web

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"

	"confcal/agenda"
	"confcal/ical"
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
}

// pickParams are the query parameters of a pick, in canonical order.
var pickParams = []string{"sessions", "tracks", "rooms", "days"}

// maxPickItems bounds the names in one pick, so a query cannot make the
// server resolve an unbounded list.
const maxPickItems = 1000

// ParsePick reads a pick from a query: the parameters sessions, tracks,
// rooms and days, each a comma-separated list, each may repeat; empty
// items are ignored. Any other parameter is an error. ParsePick checks the
// form only; Resolve checks the names against an agenda.
func ParsePick(q url.Values) (Pick, error) {
	var p Pick
	n := 0
	for _, key := range slices.Sorted(maps.Keys(q)) {
		dst := p.list(key)
		if dst == nil {
			return Pick{}, fmt.Errorf("unknown parameter %q (want sessions, tracks, rooms or days)", key)
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

// Empty reports whether p names nothing.
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
// (ical.Edition.Select).
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

// canonical writes p as a query with sorted, distinct values per parameter,
// so that picks naming the same things share one cache entry.
func (p Pick) canonical() string {
	var b strings.Builder
	for _, param := range pickParams {
		vals := slices.Compact(slices.Sorted(slices.Values(*p.list(param))))
		if len(vals) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(param)
		b.WriteByte('=')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

// Export assembles the calendar a pick names from ed: the whole conference
// (the document /feeds/all.ics serves) for an empty pick, otherwise the
// union (the document /feeds/custom.ics serves for the same pick).
func Export(ed *ical.Edition, p Pick) (ical.Doc, error) {
	snap := ed.Snapshot()
	if p.Empty() {
		return ed.Feed(allMeta(snap.Conference()), snap.SessionIDs()), nil
	}
	in, err := p.Match(snap)
	if err != nil {
		return ical.Doc{}, err
	}
	return ed.Select(customMeta(snap.Conference()), in), nil
}

// customCacheSize bounds the personal picks cached per revision.
const customCacheSize = 256

// pickCache keeps the assembled feeds of recent picks for one revision,
// keyed by canonical query, and as many raw queries that led to them, so
// a repeated query skips parsing. When either is full, its oldest entry
// makes room.
type pickCache struct {
	mu         sync.Mutex
	max        int
	feeds      map[string]*feed
	order      []string // keys, oldest first
	aliases    map[string]*feed
	aliasOrder []string // raw queries, oldest first
}

func newPickCache(max int) *pickCache {
	return &pickCache{max: max, feeds: make(map[string]*feed, max), aliases: make(map[string]*feed, max)}
}

// alias returns the feed cached for a raw query.
func (c *pickCache) alias(raw string) (*feed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.aliases[raw]
	return f, ok
}

// addAlias remembers that raw query names the pick of f.
func (c *pickCache) addAlias(raw string, f *feed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.aliases[raw]; ok {
		return
	}
	if len(c.aliasOrder) >= c.max {
		delete(c.aliases, c.aliasOrder[0])
		c.aliasOrder = c.aliasOrder[1:]
	}
	c.aliases[raw] = f
	c.aliasOrder = append(c.aliasOrder, raw)
}

func (c *pickCache) get(key string) (*feed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.feeds[key]
	return f, ok
}

// add stores f under key unless another request got there first, and
// returns the feed stored.
func (c *pickCache) add(key string, f *feed) *feed {
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.feeds[key]; ok {
		return have
	}
	if len(c.order) >= c.max {
		delete(c.feeds, c.order[0])
		c.order = c.order[1:]
	}
	c.feeds[key] = f
	c.order = append(c.order, key)
	return f
}

// len returns the number of cached picks.
func (c *pickCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.feeds)
}

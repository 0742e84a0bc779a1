package caldav

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"

	"confcal/agenda"
	"confcal/ical"

	goical "github.com/emersion/go-ical"
)

// Names of the fixed parts of the tree. go-webdav infers what a path is
// from its depth below the prefix (principal, home, calendar, object), so
// the tree always has exactly these levels.
const (
	principalSegment = "public"
	homeSegment      = "calendars"
	objectSuffix     = ".ics"
)

// Fixed colours of the calendars that have no colour of their own (Apple's
// calendar-color; clients want #RRGGBB).
const (
	colorAll  = "#3B5B92"
	colorRoom = "#6B7280"
)

var colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// paths builds the URL paths of the tree below a prefix.
type paths struct{ prefix string }

func (p paths) root() string              { return p.prefix + "/" }
func (p paths) principal() string         { return p.prefix + "/" + principalSegment + "/" }
func (p paths) home() string              { return p.principal() + homeSegment + "/" }
func (p paths) calendar(id string) string { return p.home() + id + "/" }
func (p paths) object(cal, id string) string {
	return p.calendar(cal) + id + objectSuffix
}

// calKind says which sessions a calendar holds.
type calKind int

const (
	kindAll calKind = iota
	kindTrack
	kindRoom
)

// calendar is one calendar collection of a view.
type calendar struct {
	id          string // path segment: "all", "track-<id>" or "room-<id>"
	kind        calKind
	key         string // the track or room ID
	name, desc  string
	color       string
	order       int
	members     []string // session IDs in agenda order
	memberSet   map[string]bool
	changed     int64 // the revision in which membership or a member last changed
	changedSeen bool  // changed was found in the log (else it is the log's base)

	feedOnce sync.Once
	feed     ical.Doc
}

// admits reports whether a session with these fields belongs to c.
// Cancelled sessions belong to no calendar.
func (c *calendar) admits(exists bool, track, room string, status agenda.Status) bool {
	if !exists || status == agenda.StatusCancelled {
		return false
	}
	switch c.kind {
	case kindTrack:
		return track == c.key
	case kindRoom:
		return room == c.key
	}
	return true
}

func (c *calendar) admitsSession(x agenda.Session) bool {
	return c.admits(true, x.Track, x.Room, x.Status)
}

// object is the CalDAV object of one session.
type object struct {
	id   string
	doc  ical.Doc
	etag string // doc.ETag without quotes, as go-webdav wants it

	parseOnce sync.Once
	parsed    *goical.Calendar
	parseErr  error
}

// calendar returns the object's body parsed by go-ical, parsing it once.
func (o *object) calendar() (*goical.Calendar, error) {
	o.parseOnce.Do(func() {
		o.parsed, o.parseErr = goical.NewDecoder(bytes.NewReader(o.doc.Body)).Decode()
		if o.parseErr != nil {
			o.parseErr = fmt.Errorf("caldav: object %s: parsing its rendering: %w", o.id, o.parseErr)
		}
	})
	return o.parsed, o.parseErr
}

// view is the CalDAV tree of one edition. It is built once per edition and
// read concurrently afterwards.
type view struct {
	ed        *ical.Edition
	snap      *agenda.Snapshot
	p         paths
	cals      []*calendar
	byID      map[string]*calendar
	objects   map[string]*object // sessions that are members of some calendar
	syncBase  string             // sync tokens start with it
	epoch     string             // fingerprint of what renders the bytes besides the agenda
	homeSince int64              // revision in which any calendar last changed
}

func newView(ed *ical.Edition, p paths) (*view, error) {
	snap := ed.Snapshot()
	conf := snap.Conference()
	opts := ed.Options()
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = "http://confcal.invalid"
	}
	// Tokens carry a fingerprint of everything besides the change log that
	// shapes the served bytes: a token issued before the base URL, PRODID or
	// conference changed no longer describes what the client holds, so it
	// must be refused (and the client resyncs) rather than answered with
	// "nothing changed".
	sum := sha256.Sum256([]byte(strings.Join([]string{conf.Name, conf.UIDDomain, conf.TimeZone, opts.BaseURL, opts.ProdID}, "\x00")))
	v := &view{
		ed:       ed,
		snap:     snap,
		p:        p,
		byID:     map[string]*calendar{},
		objects:  map[string]*object{},
		syncBase: base + "/sync/",
		epoch:    hex.EncodeToString(sum[:4]),
	}
	add := func(c *calendar) {
		c.order = len(v.cals)
		c.memberSet = map[string]bool{}
		v.cals = append(v.cals, c)
		v.byID[c.id] = c
	}
	add(&calendar{id: "all", kind: kindAll, name: conf.Name, desc: conf.Description, color: colorAll})
	for _, t := range snap.Tracks() {
		color := t.Color
		if !colorRE.MatchString(color) {
			color = colorAll
		}
		add(&calendar{id: "track-" + t.ID, kind: kindTrack, key: t.ID, color: strings.ToUpper(color),
			name: conf.Name + " — " + t.Name, desc: fmt.Sprintf("The %s track at %s", t.Name, conf.Name)})
	}
	for _, r := range snap.Rooms() {
		add(&calendar{id: "room-" + r.ID, kind: kindRoom, key: r.ID, color: colorRoom,
			name: conf.Name + " — " + r.Name, desc: fmt.Sprintf("Sessions in %s at %s", r.Name, conf.Name)})
	}
	for _, x := range snap.Sessions() {
		if x.Status == agenda.StatusCancelled {
			continue
		}
		doc, ok := ed.Object(x.ID)
		if !ok {
			return nil, fmt.Errorf("caldav: revision %d: session %q has no rendered object", snap.Revision(), x.ID)
		}
		v.objects[x.ID] = &object{id: x.ID, doc: doc, etag: strings.Trim(doc.ETag, `"`)}
		for _, c := range v.cals {
			if c.admitsSession(x) {
				c.members = append(c.members, x.ID)
				c.memberSet[x.ID] = true
			}
		}
	}
	v.findChanges()
	return v, nil
}

// sessionState is what calendar membership depends on.
type sessionState struct {
	exists      bool
	track, room string
	status      agenda.Status
}

// findChanges sets every calendar's changed revision: the latest revision
// in which a session joined or left it, or one of its members changed.
// Calendars untouched since the start of the change log get the log's base.
//
// It walks the change log backwards once, undoing the fields membership
// depends on (the same undo Snapshot.SessionAt does for one session, here
// for all at once, so the cost stays linear in the log's length).
func (v *view) findChanges() {
	base := v.snap.BaseRevision()
	for _, c := range v.cals {
		c.changed = base
	}
	state := map[string]sessionState{}
	for _, x := range v.snap.Sessions() {
		state[x.ID] = sessionState{exists: true, track: x.Track, room: x.Room, status: x.Status}
	}
	log := v.snap.Log()
	open := len(v.cals)
	mark := func(c *calendar, rev int64) {
		if c != nil && !c.changedSeen {
			c.changed, c.changedSeen = rev, true
			open--
		}
	}
	for end := len(log); end > 0 && open > 0; {
		rev := log[end-1].Revision
		start := end - 1
		for start > 0 && log[start-1].Revision == rev {
			start--
		}
		group := log[start:end]
		after := map[string]sessionState{}
		for _, ch := range group {
			if _, ok := after[ch.Session]; ch.Session != "" && !ok {
				after[ch.Session] = state[ch.Session]
			}
		}
		for i := len(group) - 1; i >= 0; i-- {
			ch := group[i]
			if ch.Session == "" {
				continue
			}
			s := state[ch.Session]
			switch ch.Field {
			case agenda.FieldCreated:
				s.exists = false
			case agenda.FieldTrack:
				s.track = ch.Old
			case agenda.FieldRoom:
				s.room = ch.Old
			case agenda.FieldStatus:
				s.status = agenda.Status(ch.Old)
			}
			state[ch.Session] = s
		}
		for id, a := range after {
			b := state[id]
			for _, c := range v.cals {
				if c.admits(a.exists, a.track, a.room, a.status) || c.admits(b.exists, b.track, b.room, b.status) {
					mark(c, rev)
				}
			}
		}
		// A calendar that appeared, or whose name changed, changed too.
		for _, ch := range group {
			switch ch.Field {
			case agenda.FieldRoomAdded, agenda.FieldRoomName:
				mark(v.byID["room-"+ch.Room], rev)
			case agenda.FieldTrackAdd:
				mark(v.byID["track-"+ch.Track], rev)
			}
		}
		end = start
	}
	v.homeSince = base
	for _, c := range v.cals {
		v.homeSince = max(v.homeSince, c.changed)
	}
}

// feedOf returns the calendar's whole .ics, assembled once per view.
func (v *view) feedOf(c *calendar) ical.Doc {
	c.feedOnce.Do(func() {
		c.feed = v.ed.Feed(ical.FeedMeta{Name: c.name, Description: c.desc}, c.members)
	})
	return c.feed
}

// resKind is what a path names.
type resKind int

const (
	resNone resKind = iota
	resRoot
	resPrincipal
	resHome
	resCalendar
	resObject
)

// resource is a resolved path.
type resource struct {
	kind resKind
	path string // canonical path (collections end in "/")
	cal  *calendar
	obj  *object
}

// isCollection reports whether r is a collection.
func (r resource) isCollection() bool { return r.kind != resNone && r.kind != resObject }

// resolve maps a URL path to a resource of the tree. A collection may be
// named without its trailing slash. An object exists only inside a
// calendar it is a member of.
func (v *view) resolve(p string) resource {
	if p == "" || p[0] != '/' {
		return resource{}
	}
	clean := path.Clean(p)
	prefix := v.p.prefix
	var rel string
	switch {
	case clean == "/" && prefix != "":
		// The context root: clients given only the server URL start there.
		return resource{kind: resRoot, path: "/"}
	case clean == prefix || prefix == "" && clean == "/":
		return resource{kind: resRoot, path: v.p.root()}
	case strings.HasPrefix(clean, prefix+"/"):
		rel = clean[len(prefix)+1:]
	default:
		return resource{}
	}
	seg := strings.Split(rel, "/")
	if seg[0] != principalSegment {
		return resource{}
	}
	switch len(seg) {
	case 1:
		return resource{kind: resPrincipal, path: v.p.principal()}
	case 2:
		if seg[1] == homeSegment {
			return resource{kind: resHome, path: v.p.home()}
		}
	case 3:
		if c, ok := v.byID[seg[2]]; ok && seg[1] == homeSegment {
			return resource{kind: resCalendar, path: v.p.calendar(c.id), cal: c}
		}
	case 4:
		c, ok := v.byID[seg[2]]
		id, isObj := strings.CutSuffix(seg[3], objectSuffix)
		if ok && isObj && seg[1] == homeSegment && c.memberSet[id] && !strings.HasSuffix(p, "/") {
			return resource{kind: resObject, path: v.p.object(c.id, id), cal: c, obj: v.objects[id]}
		}
	}
	return resource{}
}

// parent returns the path of the collection holding p.
func parent(p string) string {
	d := path.Dir(strings.TrimSuffix(p, "/"))
	if d == "/" {
		return d
	}
	return d + "/"
}

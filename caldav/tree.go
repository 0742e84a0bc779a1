package caldav

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/catalog"
	"confcal/ical"

	goical "github.com/emersion/go-ical"
)

// Names of the fixed parts of the tree: the principal, its calendar home,
// the calendars in it and their objects, always at these depths.
const (
	// DefaultPrincipal is the principal's segment when Options.Principal
	// is empty: the one principal of a server with one agenda.
	DefaultPrincipal = "public"
	homeSegment      = "calendars"
	objectSuffix     = ".ics"
)

// Fixed colours of the calendars that are no track's (Apple's
// calendar-color; clients want #RRGGBB); a track's calendar has the
// colour the track is shown in (agenda.Snapshot.TrackColor).
const (
	colorAll  = "#3B5B92"
	colorRoom = "#6B7280"
)

// Apple's calendar-order of each calendar: the whole conference first,
// then the tracks, then the rooms, each in the agenda's order. Tracks and
// rooms are only ever appended to the agenda, so a calendar's order is
// fixed for its life: adding a track or room gives the new calendar the
// next number of its kind and moves no other calendar (clients would
// reorder their lists without a ctag change telling them to look).
const (
	orderAll       = 0
	orderTrackBase = 1_000
	orderRoomBase  = 1_000_000 // room calendars stay after tracks up to 999,000 tracks
)

// paths builds the URL paths of the tree below a prefix, for one
// principal; roots are the context roots outside the prefix that lead
// clients to the principal.
type paths struct {
	prefix, principal string
	roots             []string
}

func (p paths) root() string { return p.prefix + "/" }

// contextRoots are the roots outside the prefix: "/" unless others are given.
func (p paths) contextRoots() []string {
	if len(p.roots) == 0 {
		return []string{"/"}
	}
	return p.roots
}

func (p paths) principalPath() string     { return p.prefix + "/" + p.principal + "/" }
func (p paths) home() string              { return p.principalPath() + homeSegment + "/" }
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
	id         string // path segment: "all", "track-<id>" or "room-<id>"
	kind       calKind
	key        string // the track or room ID
	name, desc string
	color      string
	order      int
	hrefXML    string    // its href, percent-encoded and escaped for XML
	members    []string  // session IDs in agenda order
	objs       []*object // the same sessions' objects
	memberSet  map[string]bool
	changed    int64     // the revision in which membership or a member last changed
	changedAt  time.Time // when, zero when that is the log's base

	// Its properties, rendered once per view (see props.go).
	props calendarProps

	feedOnce sync.Once
	feed     *ical.Calendar
	modified time.Time // Last-Modified of GET (see view.lastModified)
	// getetag, getcontentlength and getlastmodified: what GET sends.
	etagXML, lengthXML, lastModXML string

	sortOnce sync.Once
	sorted   []*object // objs sorted by path, for sync-collection
}

// selection names the sessions c holds: all, a track's or a room's,
// cancelled ones left out.
func (c *calendar) selection() agenda.Selection {
	sel := agenda.Selection{NotCancelled: true}
	switch c.kind {
	case kindTrack:
		sel.Tracks = []string{c.key}
	case kindRoom:
		sel.Rooms = []string{c.key}
	default:
		sel.All = true
	}
	return sel
}

// byPath returns the calendar's objects sorted by their paths, sorted
// once per view.
func (c *calendar) byPath() []*object {
	c.sortOnce.Do(func() {
		c.sorted = slices.Clone(c.objs)
		slices.SortFunc(c.sorted, func(a, b *object) int { return strings.Compare(a.segment, b.segment) })
	})
	return c.sorted
}

// object is the CalDAV object of one session, with what requests need of
// it derived once. An object depends only on its rendering, so a view
// takes over the objects of the previous view whose ETag did not change:
// what is derived from the rendering (the event escaped for XML, the
// properties) is made once per rendering, not once per revision.
type object struct {
	id      string
	segment string // its last path segment, "<id>.ics"
	hrefEnd string // segment percent-encoded and escaped for XML
	obj     ical.Object
	// span is the VEVENT's DTSTART and DTEND, taken from the session the
	// rendering came from (to the second, as rendered), so time-range
	// queries need no parsing.
	span span
	// eventXML is the object's VEVENT escaped for XML: calendar-data is
	// the view's escaped head, this, and the escaped end (see
	// view.writeProp).
	eventXML string

	// Properties rendered once (see props.go).
	etagXML, lengthXML, lastModXML string
}

func newObject(x agenda.Session, obj ical.Object) *object {
	seg := x.ID + objectSuffix
	o := &object{
		id:        x.ID,
		segment:   seg,
		hrefEnd:   escape(url.PathEscape(seg)),
		obj:       obj,
		span:      span{start: x.Start.Truncate(time.Second), end: x.End.Truncate(time.Second)},
		eventXML:  escape(string(obj.Event())),
		etagXML:   textElem(nameGetETag, obj.ETag()),
		lengthXML: textElem(nameGetContentLength, strconv.Itoa(obj.Size())),
	}
	if m := obj.Modified(); !m.IsZero() {
		o.lastModXML = textElem(nameGetLastModified, m.UTC().Format(http.TimeFormat))
	}
	return o
}

// calendar returns the object's body parsed by go-ical. Only filters that
// look inside the object (prop-filter, comp-filters other than VEVENT)
// need it, and they are rare, so nothing is kept.
func (o *object) calendar() (*goical.Calendar, error) {
	cal, err := goical.NewDecoder(bytes.NewReader(o.obj.Bytes())).Decode()
	if err != nil {
		return nil, fmt.Errorf("caldav: object %s: parsing its rendering: %w", o.id, err)
	}
	return cal, nil
}

// view is the CalDAV tree of one rendering. It is built once per rendering and
// read concurrently afterwards; only its answer cache fills as it serves.
type view struct {
	rendered    *ical.Rendered
	snap        *agenda.Snapshot
	p           paths
	cals        []*calendar
	byID        map[string]*calendar
	objects     map[string]*object // sessions that are members of some calendar
	syncBase    string             // sync tokens start with it
	epoch       string             // fingerprint of what renders the bytes besides the agenda
	homeSince   int64              // revision in which any calendar last changed
	memberships int                // objects of all calendars, an object counted once per calendar holding it
	props       viewProps          // properties of the fixed resources (see props.go)
	// objectHeadXML is the head every object of the rendering shares,
	// escaped for calendar-data once per view.
	objectHeadXML string
	// push holds the calendars' push properties, nil without push.
	push *pushProps
	// answers keeps the answers to repeated PROPFINDs and REPORTs
	// (cache.go): the only part of a view that changes after it is built.
	answers answerCache
}

// newView builds the view of a rendering. prev (may be nil) is the view of an
// earlier rendering: its objects are reused where the rendering is the same.
// push (may be nil) gives the calendars their push properties.
func newView(rendered *ical.Rendered, p paths, prev *view, push Push) (*view, error) {
	snap := rendered.Snapshot()
	conf := snap.Conference()
	opts := rendered.Options()
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
		rendered: rendered,
		snap:     snap,
		p:        p,
		byID:     map[string]*calendar{},
		objects:  map[string]*object{},
		syncBase: base + "/sync/",
		epoch:    hex.EncodeToString(sum[:4]),
	}
	add := func(c *calendar) {
		c.memberSet = map[string]bool{}
		c.hrefXML = escape(escapePath(p.calendar(c.id)))
		v.cals = append(v.cals, c)
		v.byID[c.id] = c
	}
	// Names and descriptions are the feeds' (package catalog).
	whole := catalog.Whole(snap)
	add(&calendar{id: "all", kind: kindAll, order: orderAll, name: whole.Name, desc: whole.Description, color: colorAll})
	for i, t := range snap.Tracks() {
		c, _ := catalog.Find(snap, catalog.Track, t.ID)
		add(&calendar{id: "track-" + t.ID, kind: kindTrack, key: t.ID, order: orderTrackBase + i, color: strings.ToUpper(snap.TrackColor(t.ID)),
			name: c.Name, desc: c.Description})
	}
	for i, r := range snap.Rooms() {
		c, _ := catalog.Find(snap, catalog.Room, r.ID)
		add(&calendar{id: "room-" + r.ID, kind: kindRoom, key: r.ID, order: orderRoomBase + i, color: colorRoom,
			name: c.Name, desc: c.Description})
	}
	for x := range snap.All() {
		if x.Status == agenda.StatusCancelled {
			continue
		}
		obj, ok := rendered.Object(x.ID)
		if !ok {
			return nil, fmt.Errorf("caldav: revision %d: session %q has no rendered object", snap.Revision(), x.ID)
		}
		var o *object
		if prev != nil {
			if old := prev.objects[x.ID]; old != nil && old.obj.ETag() == obj.ETag() {
				o = old
			}
		}
		if o == nil {
			o = newObject(x, obj)
		}
		if v.objectHeadXML == "" {
			head, _, _ := obj.Parts()
			v.objectHeadXML = escape(string(head))
		}
		v.objects[x.ID] = o
		// A session is in the whole conference's calendar, its track's
		// and its room's.
		for _, c := range [...]*calendar{v.byID["all"], v.byID["track-"+x.Track], v.byID["room-"+x.Room]} {
			if c != nil {
				c.members = append(c.members, x.ID)
				c.objs = append(c.objs, o)
				c.memberSet[x.ID] = true
				v.memberships++
			}
		}
	}
	v.findChanges()
	v.renderProps()
	v.renderPush(push)
	return v, nil
}

// findChanges sets every calendar's changed revision (and its time): the
// latest revision in which a session joined or left it, or one of its
// members changed (Snapshot.SelectionChanged of the calendar's selection,
// read from what the snapshot's replay of the log noted), or in which the
// calendar itself appeared or was renamed. Calendars untouched since the
// start of the change log get the log's base.
func (v *view) findChanges() {
	base := v.snap.BaseRevision()
	for _, c := range v.cals {
		c.changed, c.changedAt = base, time.Time{}
		if m := v.snap.SelectionChanged(c.selection()); m.Revision > base {
			c.changed, c.changedAt = m.Revision, m.Time
		}
	}
	// A calendar that appeared, or whose name changed, changed too (the
	// snapshot's marks of rooms and tracks).
	for _, c := range v.cals {
		var m agenda.Mark
		switch c.kind {
		case kindRoom:
			m = v.snap.RoomChanged(c.key)
		case kindTrack:
			m = v.snap.TrackChanged(c.key)
		}
		if m.Revision > c.changed {
			c.changed, c.changedAt = m.Revision, m.Time
		}
	}
	v.homeSince = base
	for _, c := range v.cals {
		v.homeSince = max(v.homeSince, c.changed)
	}
}

// feedOf returns the calendar's whole .ics, a view made once per view.
func (v *view) feedOf(c *calendar) *ical.Calendar {
	c.feedOnce.Do(func() {
		meta := ical.FeedMeta{Name: c.name, Description: c.desc}
		if c.kind == kindTrack {
			// Only a track calendar's colour is its sessions'; the
			// whole conference and rooms have display colours only.
			meta.Color = c.color
		}
		c.feed = v.rendered.Calendar(meta, c.members)
		c.modified = c.feed.Modified()
		if c.changedAt.After(c.modified) {
			c.modified = c.changedAt.UTC()
		}
		c.etagXML = textElem(nameGetETag, c.feed.ETag())
		c.lengthXML = textElem(nameGetContentLength, strconv.Itoa(c.feed.Size()))
		if !c.modified.IsZero() {
			c.lastModXML = textElem(nameGetLastModified, c.modified.Format(http.TimeFormat))
		}
	})
	return c.feed
}

// lastModified is when calendar c last changed: the latest of its
// members' LastModified and the time of its last change in the log, so it
// moves when a member leaves too.
func (v *view) lastModified(c *calendar) time.Time {
	v.feedOf(c)
	return c.modified
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
	path string // canonical path (collections end in "/"); may be empty for objects listed in bulk
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
	if prefix != "" {
		for _, root := range v.p.contextRoots() {
			if clean == path.Clean(root) {
				// A context root: clients given only the server's
				// (or the conference's) URL start there.
				return resource{kind: resRoot, path: root}
			}
		}
	}
	switch {
	case clean == prefix || prefix == "" && clean == "/":
		return resource{kind: resRoot, path: v.p.root()}
	case strings.HasPrefix(clean, prefix+"/"):
		rel = clean[len(prefix)+1:]
	default:
		return resource{}
	}
	seg := strings.Split(rel, "/")
	if seg[0] != v.p.principal {
		return resource{}
	}
	switch len(seg) {
	case 1:
		return resource{kind: resPrincipal, path: v.p.principalPath()}
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

// children lists the members of collection res, for Depth 1.
func (v *view) children(res resource) iter.Seq[resource] {
	return func(yield func(resource) bool) {
		switch res.kind {
		case resRoot:
			if res.path == v.p.root() {
				yield(resource{kind: resPrincipal, path: v.p.principalPath()})
			}
		case resPrincipal:
			yield(resource{kind: resHome, path: v.p.home()})
		case resHome:
			for _, c := range v.cals {
				if !yield(resource{kind: resCalendar, path: v.p.calendar(c.id), cal: c}) {
					return
				}
			}
		case resCalendar:
			for _, o := range res.cal.objs {
				if !yield(resource{kind: resObject, cal: res.cal, obj: o}) {
					return
				}
			}
		}
	}
}

// objectsBelow counts the objects at or below res: an object itself, a
// calendar's members, every calendar's members for the collections above
// calendars.
func (v *view) objectsBelow(res resource) int {
	switch res.kind {
	case resObject:
		return 1
	case resCalendar:
		return len(res.cal.objs)
	case resNone:
		return 0
	}
	return v.memberships
}

// parent returns the path of the collection holding p.
func parent(p string) string {
	d := path.Dir(strings.TrimSuffix(p, "/"))
	if d == "/" {
		return d
	}
	return d + "/"
}

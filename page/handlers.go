package page

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/catalog"
)

// common is the data every page's layout uses.
type common struct {
	Title     string
	Conf      agenda.Conference
	Dates     string // "7–9 October 2019"
	Home      string // the agenda, keeping the pick
	MyURL     string
	MyPost    string // where the pick shortener posts
	HelpURL   string
	ChangeLog string
	// AgendaCSS links the stylesheet made from the agenda by a version of
	// its contents, not of the revision: an open page that follows live
	// changes fetches it again only when a colour or the rooms changed,
	// and a browser keeps it across revisions.
	AgendaCSS string
	PickCount int
	PickData  string // the pick, comma-separated, for the script
	PickSet   bool
	NoIndex   bool
	Prefix    string // the conference's path prefix, "" at the root
	Revision  int64  // the revision shown, where the script's change stream starts
	// PickKey and PickKeyBefore say where the script keeps the pick (see
	// Query.PickKey).
	PickKey, PickKeyBefore string
}

func (h *Renderer) common(snap *agenda.Snapshot, st state, title string) common {
	conf := snap.Conference()
	p := st.onlyPick()
	return common{
		Title:     title,
		Conf:      conf,
		Dates:     dateRange(conf.First, conf.Last),
		Home:      p.link("/", ""),
		MyURL:     p.link("/", "my"),
		MyPost:    st.prefix + "/my",
		HelpURL:   p.link("/help", ""),
		ChangeLog: st.prefix + catalog.AtomPath,
		AgendaCSS: st.prefix + "/static/agenda.css?v=" + strings.Trim(h.agendaCSS(snap).ETag, `"`),
		PickCount: len(st.pick),
		PickData:  strings.Join(st.pick, ","),
		PickSet:   st.pickSet,
		NoIndex:   st.pickSet,
		Prefix:    st.prefix,
		Revision:  snap.Revision(),

		PickKey:       st.pickKey,
		PickKeyBefore: st.pickKeyBefore,
	}
}

// dateRange writes the conference days as "7–9 October 2019".
func dateRange(first, last agenda.Date) string {
	f, l := first.Start(time.UTC), last.Start(time.UTC)
	switch {
	case first == last:
		return l.Format("2 January 2006")
	case first.Year == last.Year && first.Month == last.Month:
		return f.Format("2") + "–" + l.Format("2 January 2006")
	case first.Year == last.Year:
		return f.Format("2 January") + " – " + l.Format("2 January 2006")
	}
	return f.Format("2 January 2006") + " – " + l.Format("2 January 2006")
}

// newCard builds the card of session x; anchor says its star lands at the
// session's card on the agenda (see Toggle).
func newCard(snap *agenda.Snapshot, st state, x agenda.Session, rc recent, anchor bool) card {
	track, _ := snap.Track(x.Track)
	room, _ := snap.Room(x.Room)
	c := card{
		ID:        x.ID,
		Title:     x.Title,
		URL:       st.link("/sessions/"+x.ID, ""),
		Starred:   st.picked(x.ID),
		Day:       dayShort(snap.Day(x)),
		Date:      x.Start.In(snap.Location()).Format(time.DateOnly),
		Time:      timeRange(x),
		Room:      room,
		Track:     track,
		Cancelled: x.Status == agenda.StatusCancelled,
		Anchor:    anchor,
	}
	var names []string
	for _, id := range x.Speakers {
		if p, ok := snap.Speaker(id); ok {
			names = append(names, p.Name)
		}
	}
	c.Speakers = strings.Join(names, ", ")
	for _, m := range rc.marks[x.ID] {
		if c.Cancelled && m == "Cancelled" {
			continue // the card says so anyway
		}
		c.Marks = append(c.Marks, m)
	}
	return c
}

// indexData is the data of the agenda page.
type indexData struct {
	common
	Notices []string
	// StarAction and StarFields are the form every star of the page
	// submits: the page's query, written once, which its stars' toggle=
	// or unstar= adds to (Toggle).
	StarAction string
	StarFields []param
	Heading    string
	Filters    []filterGroup
	Filtered   bool
	ClearURL   string
	ViewSubs   []sub
	Recent     []card
	My         myData
	Days       []dayView
	Calendars  []calGroup
}

// myData is the attendee's own agenda.
type myData struct {
	Cards      []card
	Sub        sub
	Shorten    bool   // offer to store the pick under a short code
	ShortenIDs string // the pick, for the form
	// Reminders are the choices of reminder for the personal feed, whose
	// links carry the one chosen; Alarm is that one's parameter value
	// ("" for none), which the short-link form keeps.
	Reminders []reminderLink
	Alarm     string
}

// calGroup is one kind of feed (days, tracks, rooms) with a block for each.
type calGroup struct {
	Name string
	Subs []sub
}

// Index renders the agenda page for the query q.
func (h *Renderer) Index(ctx context.Context, w io.Writer, snap *agenda.Snapshot, q Query) error {
	st, notices, err := parseState(ctx, snap, q)
	if err != nil {
		return err
	}
	base := q.links()
	rc, err := recentChanges(snap, q.Now)
	if err != nil {
		return err
	}
	d := indexData{
		common:   h.common(snap, st, snap.Conference().Name+" — Agenda"),
		Notices:  notices,
		Filtered: st.day != "" || st.track != "" || st.room != "",
		ClearURL: st.onlyPick().link("/", ""),

		StarAction: st.prefix + "/",
		StarFields: st.params(),
	}
	d.Filters, d.Heading = filters(snap, st)
	if !d.Filtered {
		d.ViewSubs = append(d.ViewSubs, newSub(base, "sub-all", "Whole conference", catalog.Whole(snap)))
	}
	if st.day != "" {
		day, _ := agenda.ParseDate(st.day)
		d.ViewSubs = append(d.ViewSubs, daySub(snap, base, day))
	}
	if st.track != "" {
		t, _ := snap.Track(st.track)
		d.ViewSubs = append(d.ViewSubs, trackSub(snap, base, t))
	}
	if st.room != "" {
		rm, _ := snap.Room(st.room)
		d.ViewSubs = append(d.ViewSubs, roomSub(snap, base, rm))
	}
	for _, id := range rc.order {
		if x, ok := snap.Session(id); ok {
			d.Recent = append(d.Recent, newCard(snap, st, x, rc, true))
		}
	}
	d.My = h.my(snap, st, base, rc)
	d.Days = days(snap, st, rc)
	d.Calendars = calendars(snap, base)
	return h.render(w, "index", d)
}

// my builds the attendee's own agenda and its personal feed.
func (h *Renderer) my(snap *agenda.Snapshot, st state, base links, rc recent) myData {
	var m myData
	if len(st.pick) == 0 {
		return m
	}
	for _, id := range st.pick {
		x, _ := snap.Session(id)
		m.Cards = append(m.Cards, newCard(snap, st, x, rc, false))
	}
	path := catalog.PickLink(st.pick)
	if st.code != "" {
		path = catalog.StoredPickPath(st.code)
	}
	mine := catalog.Picked(snap, st.alarm.Link(path))
	mine.Events = len(st.pick)
	m.Sub = newSub(base, "sub-my", "My agenda", mine)
	m.Shorten = m.Sub.Long && st.code == ""
	m.ShortenIDs = strings.Join(st.pick, ",")
	m.Reminders = reminders(st)
	m.Alarm = st.alarm.String()
	return m
}

// filters builds the day, track and room filters and a heading naming the
// active ones.
func filters(snap *agenda.Snapshot, st state) ([]filterGroup, string) {
	var heading []string
	dayG := filterGroup{Name: "Day"}
	s := st
	s.day = ""
	dayG.Links = append(dayG.Links, filterLink{Label: "All days", URL: s.link("/", ""), Active: st.day == ""})
	for _, day := range snap.Days() {
		s.day = day.String()
		if snap.NumByDay(day) == 0 && st.day != s.day {
			// A day no session is on (one a session past midnight
			// stretched the conference to) would lead to an empty
			// agenda, as an empty track's or room's chip would.
			continue
		}
		dayG.Links = append(dayG.Links, filterLink{Label: dayShort(day), URL: s.link("/", ""), Active: st.day == s.day})
		if st.day == s.day {
			heading = append(heading, dayTitle(day))
		}
	}
	trackG := filterGroup{Name: "Track"}
	s = st
	s.track = ""
	trackG.Links = append(trackG.Links, filterLink{Label: "All tracks", URL: s.link("/", ""), Active: st.track == ""})
	for _, t := range snap.Tracks() {
		if snap.NumByTrack(t.ID) == 0 {
			continue
		}
		s.track = t.ID
		trackG.Links = append(trackG.Links, filterLink{Label: t.Name, URL: s.link("/", ""), Active: st.track == t.ID, Track: t.ID})
		if st.track == t.ID {
			heading = append(heading, t.Name)
		}
	}
	roomG := filterGroup{Name: "Room"}
	s = st
	s.room = ""
	roomG.Links = append(roomG.Links, filterLink{Label: "All rooms", URL: s.link("/", ""), Active: st.room == ""})
	for _, rm := range snap.Rooms() {
		if snap.NumByRoom(rm.ID) == 0 {
			continue
		}
		s.room = rm.ID
		roomG.Links = append(roomG.Links, filterLink{Label: rm.Name, URL: s.link("/", ""), Active: st.room == rm.ID})
		if st.room == rm.ID {
			heading = append(heading, rm.Name)
		}
	}
	h := "Agenda"
	if len(heading) > 0 {
		h += ": " + strings.Join(heading, " · ")
	}
	return []filterGroup{dayG, trackG, roomG}, h
}

// days lays the filtered sessions out by day and start time, each day
// with the rooms it uses as columns.
func days(snap *agenda.Snapshot, st state, rc recent) []dayView {
	var out []dayView
	for _, day := range snap.Days() {
		if st.day != "" && st.day != day.String() {
			continue
		}
		var sessions []agenda.Session
		for _, x := range snap.ByDay(day) {
			if (st.track == "" || x.Track == st.track) && (st.room == "" || x.Room == st.room) {
				sessions = append(sessions, x)
			}
		}
		if len(sessions) == 0 {
			continue
		}
		dv := dayView{ID: day.String(), Title: dayTitle(day)}
		col := map[string]int{}
		for _, rm := range snap.Rooms() {
			if slices.ContainsFunc(sessions, func(x agenda.Session) bool { return x.Room == rm.ID }) {
				dv.Rooms = append(dv.Rooms, rm)
				col[rm.ID] = len(dv.Rooms)
			}
		}
		for i, x := range sessions {
			// A slot is an instant, not a time of day: the hour the
			// clocks repeat when they go back holds two of each, told
			// apart by agenda.Clock and, in the slot's ID, by the
			// offset.
			if i == 0 || !x.Start.Equal(sessions[i-1].Start) {
				t, id := agenda.Clock(x.Start), "t-"+dv.ID+"-"+x.Start.Format("1504")
				if t != x.Start.Format("15:04") {
					id += x.Start.Format("-0700") // "-0400", "+1030": an ID's characters
				}
				dv.Slots = append(dv.Slots, slot{Time: t, ID: id})
			}
			c := newCard(snap, st, x, rc, true)
			c.Col = col[x.Room]
			sl := &dv.Slots[len(dv.Slots)-1]
			sl.Cards = append(sl.Cards, c)
		}
		out = append(out, dv)
	}
	return out
}

// Subscribe blocks of the feeds the web package serves.
func daySub(snap *agenda.Snapshot, base links, d agenda.Date) sub {
	c, _ := catalog.Find(snap, catalog.Day, d.String())
	return newSub(base, "sub-day-"+d.String(), dayTitle(d), c)
}

func trackSub(snap *agenda.Snapshot, base links, t agenda.Track) sub {
	c, _ := catalog.Find(snap, catalog.Track, t.ID)
	return newSub(base, "sub-track-"+t.ID, "Track: "+t.Name, c)
}

func roomSub(snap *agenda.Snapshot, base links, rm agenda.Room) sub {
	c, _ := catalog.Find(snap, catalog.Room, rm.ID)
	return newSub(base, "sub-room-"+rm.ID, "Room: "+rm.Name, c)
}

// calendars lists a subscribe block for every day, track and room that has
// sessions.
func calendars(snap *agenda.Snapshot, base links) []calGroup {
	var dg, tg, rg calGroup
	dg.Name, tg.Name, rg.Name = "Days", "Tracks", "Rooms"
	for _, d := range snap.Days() {
		if snap.NumByDay(d) > 0 {
			dg.Subs = append(dg.Subs, daySub(snap, base, d))
		}
	}
	for _, t := range snap.Tracks() {
		if snap.NumByTrack(t.ID) > 0 {
			tg.Subs = append(tg.Subs, trackSub(snap, base, t))
		}
	}
	for _, rm := range snap.Rooms() {
		if snap.NumByRoom(rm.ID) > 0 {
			rg.Subs = append(rg.Subs, roomSub(snap, base, rm))
		}
	}
	all := calGroup{Name: "Everything", Subs: []sub{newSub(base, "sub-all-2", "Whole conference", catalog.Whole(snap))}}
	return []calGroup{all, dg, tg, rg}
}

// sessionData is the data of a session's page.
type sessionData struct {
	common
	Card     card
	Subtitle string
	Speakers []speakerLink
	Source   string // the session's page at the source
	Blocks   []block
	Sub      sub
	BackURL  string
	DayTitle string
	DayURL   string
	TrackURL string
	RoomURL  string
}

// Session renders the page of session id for the query q.
func (h *Renderer) Session(ctx context.Context, w io.Writer, snap *agenda.Snapshot, id string, q Query) error {
	x, ok := snap.Session(id)
	if !ok {
		return pageError(404, "There is no session %q on the agenda.", truncate(id, 60))
	}
	st, _, err := parseState(ctx, snap, q) // the agenda page shows the notices; here the pick only drives the star
	if err != nil {
		return err
	}
	rc, err := recentChanges(snap, q.Now)
	if err != nil {
		return err
	}
	base := q.links()
	day := snap.Day(x)
	sessionCal, _ := catalog.Find(snap, catalog.Session, x.ID)
	p := st.onlyPick()
	d := sessionData{
		common:   h.common(snap, st, x.Title+" — "+snap.Conference().Name),
		Card:     newCard(snap, st, x, rc, false),
		Blocks:   paragraphs(x.Abstract),
		Sub:      newSub(base, "sub-session", "This session", sessionCal),
		BackURL:  st.link("/", "s-"+x.ID),
		DayTitle: dayTitle(day),
		Subtitle: x.Subtitle,
		Source:   x.URL,
	}
	// The one star of a session's page is a link: it spells the pick
	// out once, as the page's other links do.
	d.Card.StarURL = st.toggled(snap, x.ID).link("/sessions/"+x.ID, "")
	for _, id := range x.Speakers {
		if c, ok := catalog.Find(snap, catalog.Speaker, id); ok {
			p, _ := snap.Speaker(id)
			d.Speakers = append(d.Speakers, speakerLink{Name: p.Name, Path: base.prefix + c.Path})
		}
	}
	s := p
	s.day = day.String()
	d.DayURL = s.link("/", "")
	s = p
	s.track = x.Track
	d.TrackURL = s.link("/", "")
	s = p
	s.room = x.Room
	d.RoomURL = s.link("/", "")
	return h.render(w, "session", d)
}

// speakerLink is a speaker on a session's page, with their feed.
type speakerLink struct{ Name, Path string }

// helpData is the data of the set-up help page.
type helpData struct {
	common
	DAV       string // CalDAV server URL
	Host      string // host[:port] of the server
	Plain     bool   // served over http, not https
	Tracks    []agenda.Track
	All       sub
	Calendars string // "#calendars" on the agenda
}

// Help renders the set-up help page for the query q.
func (h *Renderer) Help(ctx context.Context, w io.Writer, snap *agenda.Snapshot, q Query) error {
	st, _, err := parseState(ctx, snap, q)
	if err != nil {
		return err
	}
	base := q.links()
	d := helpData{
		common:    h.common(snap, st, "Calendar set-up help — "+snap.Conference().Name),
		DAV:       base.dav(),
		Host:      base.host(),
		Plain:     strings.HasPrefix(base.abs, "http://"),
		All:       newSub(base, "sub-all", "Whole conference", catalog.Whole(snap)),
		Calendars: st.onlyPick().link("/", "calendars"),
	}
	for _, t := range snap.Tracks() {
		if snap.NumByTrack(t.ID) > 0 {
			d.Tracks = append(d.Tracks, t)
		}
	}
	return h.render(w, "help", d)
}

// StorePick stores the pick sessions (a form's comma-separated session
// IDs) under a short code in picks and returns the code: the one the same
// pick got before when it was stored already. A pick the agenda cannot hold
// is refused with a 400, a full or busy store with a 503.
func StorePick(ctx context.Context, snap *agenda.Snapshot, picks PickStore, sessions string) (string, error) {
	var ids []string
	if sessions != "" {
		ids = strings.Split(sessions, ",")
	}
	if err := CheckPick(ids); err != nil {
		return "", pageError(400, "Cannot make a short link: %s.", strings.TrimPrefix(err.Error(), "page: "))
	}
	for _, id := range ids {
		if _, ok := snap.Session(id); !ok {
			return "", pageError(400, "Cannot make a short link: there is no session %q.", id)
		}
	}
	ids, _ = canonicalPick(snap, ids)
	code, err := picks.Save(ctx, ids)
	switch {
	case err == nil:
		return code, nil
	case errors.Is(err, ErrPicksFull):
		return "", &Error{status: 503, cause: err,
			msg: "Cannot make a short link: the pick store is full. Your starred sessions still work from the address of this page."}
	case errors.Is(err, ErrPicksBusy), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "", &Error{status: 503, cause: err,
			msg: "Cannot make a short link right now: the pick store is busy. Please try again in a moment."}
	}
	return "", fmt.Errorf("page: save pick: %w", err)
}

// The parameters of a star's request (Toggle): toggle= lands at the
// session's card, unstar= where the page starts.
const (
	toggleParam = "toggle"
	unstarParam = "unstar"
)

// Toggle answers a star of the agenda page, a GET of the page's form (its
// query and toggle= or unstar= a session's ID), with the address of the
// page to go to: the same filters and reminder, the session added to the
// pick or taken out of it (unstar= only takes out, as the lines of "My
// agenda" are all starred ones). toggle= lands at the session's card, as
// its star stands there; unstar= where the page starts. Nothing is stored.
// An unknown session is a 404, as its page is; naming none or several a
// 400.
func Toggle(ctx context.Context, snap *agenda.Snapshot, q Query) (string, error) {
	ids, anchor := q.Values[toggleParam], true
	if _, ok := q.Values[unstarParam]; ok {
		if ids != nil {
			return "", pageError(400, "A star names one session: toggle= or unstar=, not both.")
		}
		ids, anchor = q.Values[unstarParam], false
	}
	if len(ids) != 1 || ids[0] == "" {
		return "", pageError(400, "A star names one session (want e.g. ?toggle=ID).")
	}
	id := ids[0]
	if _, ok := snap.Session(id); !ok {
		return "", pageError(404, "There is no session %q on the agenda.", truncate(id, 60))
	}
	st, _, err := parseState(ctx, snap, q)
	if err != nil {
		return "", err
	}
	if !anchor && !st.picked(id) {
		return st.link("/", ""), nil
	}
	next := st.toggled(snap, id)
	if len(next.pick) > MaxPick {
		return "", pageError(400, "A personal agenda holds at most %d sessions.", MaxPick)
	}
	frag := ""
	if anchor {
		frag = "s-" + id
	}
	return next.link("/", frag), nil
}

// maxQRText bounds what the QR endpoint encodes.
const maxQRText = 1500

// QR draws the QR code (SVG) of a feed's absolute URL: base followed by
// feed, a local path under /feeds/.
func (h *Renderer) QR(base, feed string) ([]byte, error) {
	u, err := url.Parse(feed)
	switch {
	case feed == "":
		return nil, pageError(400, "missing ?feed= (the local path of a feed, e.g. /feeds/all.ics)")
	case len(feed) > maxQRText:
		return nil, pageError(400, "feed path too long for a QR code")
	case err != nil || u.Scheme != "" || u.Host != "" || u.Fragment != "" ||
		!strings.HasPrefix(u.Path, "/feeds/") || strings.Contains(u.Path, "..") || strings.ContainsAny(feed, "\\ \t\r\n"):
		return nil, pageError(400, "?feed= must be a local path under /feeds/")
	}
	return h.qr.get(base + feed)
}

// Static returns the embedded CSS or script called name, or the
// stylesheet made from snap (agenda.css: track colours, room columns).
func (h *Renderer) Static(snap *agenda.Snapshot, name string) (Asset, bool) {
	if name == "agenda.css" {
		return h.agendaCSS(snap), true
	}
	a, ok := h.static[name]
	return a, ok
}

// maxCols is the most room columns the agenda lays side by side.
const maxCols = 12

// agendaCSS returns the stylesheet made from snap: one class per track
// with its colour (the same as its CalDAV calendar), and the room columns
// of each width the screen allows.
func (h *Renderer) agendaCSS(snap *agenda.Snapshot) Asset {
	conf := snap.Conference()
	key := conf.Name + "\x00" + conf.UIDDomain
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.css[key]; ok && c.snap == snap {
		return c.asset
	}
	var b strings.Builder
	b.WriteString("/* made from the agenda: track colours and room columns */\n")
	for _, t := range snap.Tracks() {
		color := snap.TrackColor(t.ID) // as the feeds and CalDAV show it
		fmt.Fprintf(&b, ".t-%s{--track:%s;--on-track:%s}\n", t.ID, color, textOn(color))
	}
	n := min(len(snap.Rooms()), maxCols)
	fmt.Fprintf(&b, "@media (min-width:%drem){.cols-1{grid-template-columns:minmax(0,36rem)}.roomhead.cols-1{display:grid}}\n", 13+6)
	for cols := 2; cols <= n; cols++ {
		fmt.Fprintf(&b, "@media (min-width:%drem){.cols-%d{grid-template-columns:repeat(%d,minmax(0,1fr))}.roomhead.cols-%d{display:grid}",
			cols*13+6, cols, cols, cols)
		for c := 1; c <= cols; c++ {
			fmt.Fprintf(&b, ".cols-%d>.c-%d{grid-column:%d}", cols, c, c)
		}
		b.WriteString("}\n")
	}
	a := newAsset([]byte(b.String()), "text/css; charset=utf-8")
	if h.css == nil {
		h.css = map[string]stylesheet{}
	}
	h.css[key] = stylesheet{snap, a}
	return a
}

// textOn returns black or white, whichever reads better on colour c
// (#RRGGBB), by its relative luminance.
func textOn(c string) string {
	v, _ := strconv.ParseUint(c[1:], 16, 32)
	lin := func(x uint64) float64 {
		f := float64(x) / 255
		if f <= 0.04045 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
	// Contrast with white is 1.05/(l+0.05), with black (l+0.05)/0.05.
	if 1.05/(l+0.05) >= (l+0.05)/0.05 {
		return "#fff"
	}
	return "#111"
}

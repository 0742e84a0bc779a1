package page

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
)

// common is the data every page's layout uses.
type common struct {
	Title     string
	Conf      agenda.Conference
	Dates     string // "7–9 October 2019"
	Home      string // the agenda, keeping the pick
	MyURL     string
	HelpURL   string
	ChangeLog string
	AgendaCSS string
	PickCount int
	PickData  string // the pick, comma-separated, for the script
	PickSet   bool
	NoIndex   bool
}

func (h *Handler) common(snap *agenda.Snapshot, st state, title string) common {
	conf := snap.Conference()
	p := st.onlyPick()
	return common{
		Title:     title,
		Conf:      conf,
		Dates:     dateRange(conf.First, conf.Last),
		Home:      p.link("/", ""),
		MyURL:     p.link("/", "my"),
		HelpURL:   p.link("/help", ""),
		ChangeLog: ChangeLogPath,
		AgendaCSS: "/static/agenda.css?v=" + strconv.FormatInt(snap.Revision(), 10),
		PickCount: len(st.pick),
		PickData:  strings.Join(st.pick, ","),
		PickSet:   st.pickSet,
		NoIndex:   st.pickSet,
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

// newCard builds the card of session x; star links back to starPath.
func newCard(snap *agenda.Snapshot, st state, x agenda.Session, rc recent, starPath string, fragment bool) card {
	track, _ := snap.Track(x.Track)
	room, _ := snap.Room(x.Room)
	c := card{
		ID:        x.ID,
		Title:     x.Title,
		URL:       st.link("/sessions/"+x.ID, ""),
		Starred:   st.picked(x.ID),
		Day:       dayShort(snap.Day(x)),
		Time:      timeRange(x),
		Room:      room,
		Track:     track,
		Cancelled: x.Status == agenda.StatusCancelled,
	}
	frag := ""
	if fragment {
		frag = "s-" + x.ID
	}
	c.StarURL = st.toggled(snap, x.ID).link(starPath, frag)
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
	Notices   []string
	Heading   string
	Filters   []filterGroup
	Filtered  bool
	ClearURL  string
	ViewSubs  []sub
	Recent    []card
	My        myData
	Days      []dayView
	Calendars []calGroup
}

// myData is the attendee's own agenda.
type myData struct {
	Cards      []card
	Sub        sub
	Shorten    bool   // offer to store the pick under a short code
	ShortenIDs string // the pick, for the form
}

// calGroup is one kind of feed (days, tracks, rooms) with a block for each.
type calGroup struct {
	Name string
	Subs []sub
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	snap := h.snapshot(w)
	if snap == nil {
		return
	}
	st, notices, err := h.parseState(r.Context(), snap, r)
	if err != nil {
		h.failState(w, r, err)
		return
	}
	base := h.cfg.BaseURL(r)
	rc, err := recentChanges(snap, h.cfg.Now())
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "page: recent changes", "err", err)
	}
	d := indexData{
		common:   h.common(snap, st, snap.Conference().Name+" — Agenda"),
		Notices:  notices,
		Filtered: st.day != "" || st.track != "" || st.room != "",
		ClearURL: st.onlyPick().link("/", ""),
	}
	d.Filters, d.Heading = filters(snap, st)
	if !d.Filtered {
		d.ViewSubs = append(d.ViewSubs, newSub(base, "sub-all", "Whole conference", feedName(snap, ""), allFeed(), len(snap.Sessions())))
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
			d.Recent = append(d.Recent, newCard(snap, st, x, rc, "/", true))
		}
	}
	d.My = h.my(snap, st, base, rc)
	d.Days = days(snap, st, rc)
	d.Calendars = calendars(snap, base)
	h.render(w, r, http.StatusOK, "index", d)
}

// my builds the attendee's own agenda and its personal feed.
func (h *Handler) my(snap *agenda.Snapshot, st state, base string, rc recent) myData {
	var m myData
	if len(st.pick) == 0 {
		return m
	}
	for _, id := range st.pick {
		x, _ := snap.Session(id)
		m.Cards = append(m.Cards, newCard(snap, st, x, rc, "/", false))
	}
	path := customFeed(st.pick)
	if st.code != "" {
		path = myFeed(st.code)
	}
	m.Sub = newSub(base, "sub-my", "My agenda", feedName(snap, "My agenda"), path, len(st.pick))
	m.Shorten = m.Sub.Long && st.code == ""
	m.ShortenIDs = strings.Join(st.pick, ",")
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
		if len(snap.ByTrack(t.ID)) == 0 {
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
		if len(snap.ByRoom(rm.ID)) == 0 {
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
		for _, x := range sessions {
			t := x.Start.Format(clock)
			if n := len(dv.Slots); n == 0 || dv.Slots[n-1].Time != t {
				dv.Slots = append(dv.Slots, slot{Time: t, ID: "t-" + dv.ID + "-" + x.Start.Format("1504")})
			}
			c := newCard(snap, st, x, rc, "/", true)
			c.Col = col[x.Room]
			sl := &dv.Slots[len(dv.Slots)-1]
			sl.Cards = append(sl.Cards, c)
		}
		out = append(out, dv)
	}
	return out
}

// Subscribe blocks of the feeds the web package serves.
func daySub(snap *agenda.Snapshot, base string, d agenda.Date) sub {
	return newSub(base, "sub-day-"+d.String(), dayTitle(d), feedName(snap, dayTitle(d)), dayFeed(d), len(snap.ByDay(d)))
}

func trackSub(snap *agenda.Snapshot, base string, t agenda.Track) sub {
	return newSub(base, "sub-track-"+t.ID, "Track: "+t.Name, feedName(snap, t.Name), trackFeed(t.ID), len(snap.ByTrack(t.ID)))
}

func roomSub(snap *agenda.Snapshot, base string, rm agenda.Room) sub {
	return newSub(base, "sub-room-"+rm.ID, "Room: "+rm.Name, feedName(snap, rm.Name), roomFeed(rm.ID), len(snap.ByRoom(rm.ID)))
}

// calendars lists a subscribe block for every day, track and room that has
// sessions.
func calendars(snap *agenda.Snapshot, base string) []calGroup {
	var dg, tg, rg calGroup
	dg.Name, tg.Name, rg.Name = "Days", "Tracks", "Rooms"
	for _, d := range snap.Days() {
		if len(snap.ByDay(d)) > 0 {
			dg.Subs = append(dg.Subs, daySub(snap, base, d))
		}
	}
	for _, t := range snap.Tracks() {
		if len(snap.ByTrack(t.ID)) > 0 {
			tg.Subs = append(tg.Subs, trackSub(snap, base, t))
		}
	}
	for _, rm := range snap.Rooms() {
		if len(snap.ByRoom(rm.ID)) > 0 {
			rg.Subs = append(rg.Subs, roomSub(snap, base, rm))
		}
	}
	all := calGroup{Name: "Everything", Subs: []sub{newSub(base, "sub-all-2", "Whole conference", feedName(snap, ""), allFeed(), len(snap.Sessions()))}}
	return []calGroup{all, dg, tg, rg}
}

// sessionData is the data of a session's page.
type sessionData struct {
	common
	Card     card
	Blocks   []block
	Sub      sub
	BackURL  string
	DayTitle string
	DayURL   string
	TrackURL string
	RoomURL  string
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request) {
	snap := h.snapshot(w)
	if snap == nil {
		return
	}
	id := r.PathValue("id")
	x, ok := snap.Session(id)
	if !ok {
		h.fail(w, r, http.StatusNotFound, fmt.Sprintf("There is no session %q on the agenda.", truncate(id, 60)))
		return
	}
	st, notices, err := h.parseState(r.Context(), snap, r)
	if err != nil {
		h.failState(w, r, err)
		return
	}
	_ = notices // the agenda page shows them; here the pick only drives the star
	rc, err := recentChanges(snap, h.cfg.Now())
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "page: recent changes", "err", err)
	}
	base := h.cfg.BaseURL(r)
	day := snap.Day(x)
	p := st.onlyPick()
	d := sessionData{
		common:   h.common(snap, st, x.Title+" — "+snap.Conference().Name),
		Card:     newCard(snap, st, x, rc, "/sessions/"+x.ID, false),
		Blocks:   paragraphs(x.Abstract),
		Sub:      newSub(base, "sub-session", "This session", feedName(snap, x.Title), sessionFeed(x.ID), 1),
		BackURL:  st.link("/", "s-"+x.ID),
		DayTitle: dayTitle(day),
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
	h.render(w, r, http.StatusOK, "session", d)
}

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

func (h *Handler) help(w http.ResponseWriter, r *http.Request) {
	snap := h.snapshot(w)
	if snap == nil {
		return
	}
	st, _, err := h.parseState(r.Context(), snap, r)
	if err != nil {
		h.failState(w, r, err)
		return
	}
	base := h.cfg.BaseURL(r)
	d := helpData{
		common:    h.common(snap, st, "Calendar set-up help — "+snap.Conference().Name),
		DAV:       base + "/dav/",
		Host:      strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://"),
		Plain:     strings.HasPrefix(base, "http://"),
		All:       newSub(base, "sub-all", "Whole conference", feedName(snap, ""), allFeed(), len(snap.Sessions())),
		Calendars: st.onlyPick().link("/", "calendars"),
	}
	for _, t := range snap.Tracks() {
		if len(snap.ByTrack(t.ID)) > 0 {
			d.Tracks = append(d.Tracks, t)
		}
	}
	h.render(w, r, http.StatusOK, "help", d)
}

// maxForm bounds the body of the pick shortener form.
const maxForm = 64 << 10

// shorten stores the posted pick under a short code (the one it got before
// when it was stored already) and sends the attendee to the agenda with the
// short personal feed. A full or busy store answers 503.
func (h *Handler) shorten(w http.ResponseWriter, r *http.Request) {
	snap := h.snapshot(w)
	if snap == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	v := r.PostForm.Get("sessions")
	var ids []string
	if v != "" {
		ids = strings.Split(v, ",")
	}
	if err := CheckPick(ids); err != nil {
		h.fail(w, r, http.StatusBadRequest, "Cannot make a short link: "+strings.TrimPrefix(err.Error(), "page: ")+".")
		return
	}
	for _, id := range ids {
		if _, ok := snap.Session(id); !ok {
			h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("Cannot make a short link: there is no session %q.", id))
			return
		}
	}
	ids, _ = canonicalPick(snap, ids)
	code, err := h.cfg.Picks.Save(r.Context(), ids)
	switch {
	case err == nil:
	case errors.Is(err, ErrPicksFull):
		h.cfg.Logger.WarnContext(r.Context(), "page: save pick", "err", err)
		h.fail(w, r, http.StatusServiceUnavailable,
			"Cannot make a short link: the pick store is full. Your starred sessions still work from the address of this page.")
		return
	case errors.Is(err, ErrPicksBusy), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		h.cfg.Logger.WarnContext(r.Context(), "page: save pick", "err", err)
		w.Header().Set("Retry-After", "5")
		h.fail(w, r, http.StatusServiceUnavailable, "Cannot make a short link right now: the pick store is busy. Please try again in a moment.")
		return
	default:
		h.cfg.Logger.ErrorContext(r.Context(), "page: save pick", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "Could not store your agenda; please try again.")
		return
	}
	http.Redirect(w, r, "/?my="+code+"#my", http.StatusSeeOther)
}

// maxQRText bounds what the QR endpoint encodes.
const maxQRText = 1500

// qrImage draws the QR code of a feed's absolute URL: ?feed= names the
// feed's local path, which must lie under /feeds/.
func (h *Handler) qrImage(w http.ResponseWriter, r *http.Request) {
	feed := r.URL.Query().Get("feed")
	u, err := url.Parse(feed)
	switch {
	case feed == "":
		http.Error(w, "missing ?feed= (the local path of a feed, e.g. /feeds/all.ics)", http.StatusBadRequest)
		return
	case len(feed) > maxQRText:
		http.Error(w, "feed path too long for a QR code", http.StatusBadRequest)
		return
	case err != nil || u.Scheme != "" || u.Host != "" || u.Fragment != "" ||
		!strings.HasPrefix(u.Path, "/feeds/") || strings.Contains(u.Path, "..") || strings.ContainsAny(feed, "\\ \t\r\n"):
		http.Error(w, "?feed= must be a local path under /feeds/", http.StatusBadRequest)
		return
	}
	svg, err := h.qr.get(h.cfg.BaseURL(r) + feed)
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "page: qr", "err", err)
		http.Error(w, "could not draw the QR code", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "image/svg+xml")
	hd.Set("Content-Security-Policy", "default-src 'none'")
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Vary", "Host, X-Forwarded-Host, X-Forwarded-Proto")
	if r.Method != http.MethodHead {
		w.Write(svg)
	}
}

// staticFile serves the embedded CSS and script, and the CSS made from the
// agenda (track colours, room columns).
func (h *Handler) staticFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	a, ok := h.static[name]
	if name == "agenda.css" {
		snap := h.snapshot(w)
		if snap == nil {
			return
		}
		a, ok = h.agendaCSS(snap), true
	}
	if !ok {
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.ctype)
	hd.Set("ETag", a.etag)
	hd.Set("Cache-Control", "public, max-age=3600")
	if etagMatch(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(a.body)))
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
}

// etagMatch reports whether an If-None-Match header names etag.
func etagMatch(header, etag string) bool {
	for v := range strings.SplitSeq(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == etag || v == "*" {
			return true
		}
	}
	return false
}

// maxCols is the most room columns the agenda lays side by side.
const maxCols = 12

// agendaCSS returns the stylesheet made from snap: one class per track
// with its colour (the same as its CalDAV calendar), and the room columns
// of each width the screen allows.
func (h *Handler) agendaCSS(snap *agenda.Snapshot) asset {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.css == snap {
		return h.acss
	}
	var b strings.Builder
	b.WriteString("/* made from the agenda: track colours and room columns */\n")
	for _, t := range snap.Tracks() {
		color := "#6b7280"
		if validColor(t.Color) {
			color = t.Color
		}
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
	h.css, h.acss = snap, newAsset([]byte(b.String()), "text/css; charset=utf-8")
	return h.acss
}

// validColor reports whether c is a #RRGGBB colour.
func validColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(c[1:], 16, 32)
	return err == nil
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

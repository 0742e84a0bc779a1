package page

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"confcal/agenda"
	"confcal/catalog"
)

// state is what a page URL carries: the filters and the attendee's pick.
type state struct {
	day   string // YYYY-MM-DD or ""
	track string
	room  string
	pick  []string // in agenda order
	// prefix is the conference's path prefix every link starts with: ""
	// at the root, "/{slug}" below it.
	prefix string
	// pickKey and pickKeyBefore are Query's PickKey and PickKeyBefore.
	pickKey, pickKeyBefore string
	code                   string // the stored pick the pick came from, if any
	// alarm is the reminder chosen for the personal feed: it goes into
	// the feed's links and stays in every link of the page, so the choice
	// survives starring more sessions.
	alarm catalog.Alarm
	// pickSet records that the URL named a pick (even an empty one), so the
	// page's script knows the URL, not local storage, is the truth.
	pickSet bool
}

// param is one query parameter of a page URL.
type param struct{ Name, Value string }

// params lists what s's query carries, in the order a link writes it.
// IDs are slugs and days digits and hyphens, so nothing needs escaping; a
// pick travels as a comma-separated list to stay short.
func (s state) params() []param {
	var out []param
	add := func(k, v string) {
		if v != "" {
			out = append(out, param{k, v})
		}
	}
	add("day", s.day)
	add("track", s.track)
	add("room", s.room)
	switch {
	case s.code != "":
		add("my", s.code)
	case len(s.pick) > 0 || s.pickSet:
		out = append(out, param{"pick", strings.Join(s.pick, ",")})
	}
	add(catalog.AlarmParam, s.alarm.String())
	return out
}

// query renders s as a query string ("" or "?…").
func (s state) query() string {
	var parts []string
	for _, p := range s.params() {
		v := p.Value
		if p.Name != "pick" {
			v = url.QueryEscape(v)
		}
		parts = append(parts, p.Name+"="+v)
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

// link returns path with s's query and an optional fragment.
func (s state) link(path, fragment string) string {
	u := s.prefix + path + s.query()
	if fragment != "" {
		u += "#" + fragment
	}
	return u
}

// onlyPick returns s without its filters.
func (s state) onlyPick() state {
	s.day, s.track, s.room = "", "", ""
	return s
}

// toggled returns s with session id added to or removed from the pick,
// which stays in the agenda's order. It is asked once a request (a star,
// a session's page), never once a card: the agenda's stars are buttons of
// one form that carries the pick (Toggle).
func (s state) toggled(snap *agenda.Snapshot, id string) state {
	set := map[string]bool{}
	for _, p := range s.pick {
		set[p] = true
	}
	set[id] = !set[id]
	var pick []string
	for _, x := range snap.SessionIDs() {
		if set[x] {
			pick = append(pick, x)
		}
	}
	s.pick, s.code, s.pickSet = pick, "", true
	return s
}

// picked reports whether id is in the pick.
func (s state) picked(id string) bool { return slices.Contains(s.pick, id) }

// canonicalPick orders ids as the agenda does and splits them into known
// and unknown session IDs.
func canonicalPick(snap *agenda.Snapshot, ids []string) (known, unknown []string) {
	want := map[string]bool{}
	for _, id := range ids {
		if _, ok := snap.Session(id); ok {
			want[id] = true
		} else if !slices.Contains(unknown, id) {
			unknown = append(unknown, id)
		}
	}
	for _, id := range snap.SessionIDs() {
		if want[id] {
			known = append(known, id)
		}
	}
	return known, unknown
}

// reminderLink is one choice of reminder for the personal feed.
type reminderLink struct {
	Label  string
	URL    string
	Active bool
}

// reminders lists the choices of reminder for the personal feed, each a
// link to the page with that choice: the ones catalog offers, and the
// current one when the URL named another.
func reminders(st state) []reminderLink {
	choices := catalog.AlarmChoices()
	if !slices.Contains(choices, st.alarm) {
		choices = append(choices, st.alarm)
		slices.SortFunc(choices[1:], func(a, b catalog.Alarm) int { return int(a.Lead() - b.Lead()) })
	}
	var out []reminderLink
	for _, a := range choices {
		s := st
		s.alarm = a
		out = append(out, reminderLink{Label: alarmLabel(a), URL: s.link("/", "my"), Active: a == st.alarm})
	}
	return out
}

// alarmLabel names a reminder for the page: "None", "At the start",
// "10 min before", "1 hour before".
func alarmLabel(a catalog.Alarm) string {
	lead := a.Lead()
	switch {
	case !a.On():
		return "None"
	case lead == 0:
		return "At the start"
	case lead == time.Hour:
		return "1 hour before"
	case lead%time.Hour == 0:
		return fmt.Sprintf("%d hours before", lead/time.Hour)
	}
	return fmt.Sprintf("%d min before", lead/time.Minute)
}

// card is one session as the agenda shows it.
type card struct {
	ID, Title string
	URL       string // details page
	StarURL   string // the star of a session's page, a link (the agenda's stars are buttons of its form)
	Starred   bool
	Anchor    bool   // the star lands at the card (toggle=), not where the page starts (unstar=)
	Day       string // "Tue 8 Oct"
	Date      string // the calendar day it starts on, YYYY-MM-DD, for the script
	Time      string // "10:30–11:10"
	Room      agenda.Room
	Track     agenda.Track
	Cancelled bool
	Marks     []string
	Col       int    // the session's room column in its day, from 1
	Speakers  string // their names, comma-separated
}

// slot is the sessions that start at one time.
type slot struct {
	Time  string
	ID    string // fragment, e.g. "2019-10-08-1030"
	Cards []card
}

// dayView is one conference day of the agenda.
type dayView struct {
	ID    string // YYYY-MM-DD
	Title string // "Tuesday 8 October 2019"
	Rooms []agenda.Room
	Slots []slot
}

// filterLink is one choice of a filter.
type filterLink struct {
	Label  string
	URL    string
	Active bool
	Track  string // track ID, for its colour
}

// filterGroup is one filter (day, track or room) with its choices.
type filterGroup struct {
	Name  string
	Links []filterLink
}

// sub is everything one subscribe block offers for one feed.
type sub struct {
	ID      string // fragment
	Title   string // "Track: Talks"
	Name    string // calendar name handed to Outlook.com
	Path    string // local path of the feed, e.g. "/feeds/tracks/talks.ics"
	URL     string // absolute http(s) URL of the feed
	Webcal  template.URL
	Google  string
	Outlook string
	QR      string // local path of the QR code image
	Events  int
	Long    bool // the URL makes an awkward QR code
}

// longURL is the feed URL length above which a QR code gets too dense to
// scan comfortably from a screen: up to 213 bytes fit version 10 (57×57
// modules) at level M.
const longURL = 200

// links is where a page's links point: abs is the absolute URL of the
// conference ("https://host" or "https://host/{slug}"), prefix its path
// ("" or "/{slug}").
type links struct{ abs, prefix string }

// dav is the URL a CalDAV client is given: the server's /dav/ for the
// default conference (as ever), the conference's own URL for any other.
func (l links) dav() string {
	if l.prefix == "" {
		return l.abs + "/dav/"
	}
	return l.abs + "/"
}

// host is the host[:port] of the links.
func (l links) host() string {
	h := strings.TrimPrefix(strings.TrimPrefix(l.abs, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	return h
}

// newSub builds the subscribe block of calendar c for links at base.
func newSub(base links, id, title string, c catalog.Calendar) sub {
	abs := base.abs + c.Path
	webcal := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(abs, "https://"), "http://")
	return sub{
		ID:      id,
		Title:   title,
		Name:    c.Name,
		Path:    base.prefix + c.Path,
		URL:     abs,
		Webcal:  template.URL(webcal), // base is checked by BaseURL, paths built from slugs
		Google:  "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(webcal),
		Outlook: "https://outlook.live.com/calendar/0/addfromweb?url=" + queryEscape(abs) + "&name=" + queryEscape(c.Name),
		QR:      base.prefix + "/qr.svg?feed=" + url.QueryEscape(c.Path),
		Events:  c.Events,
		Long:    len(abs) > longURL,
	}
}

// queryEscape escapes s for a query parameter, spaces as %20 rather than
// "+", which not every receiver decodes.
func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// Formats of days on the page; times of day are agenda.Clock's, which
// tells the two readings of the hour repeated when the clocks go back
// apart.
const (
	shortDay = "Mon 2 Jan"
	longDay  = "Monday 2 January 2006"
)

func dayTitle(d agenda.Date) string { return d.Start(time.UTC).Format(longDay) }
func dayShort(d agenda.Date) string { return d.Start(time.UTC).Format(shortDay) }
func timeRange(x agenda.Session) string {
	return agenda.Clock(x.Start) + "–" + agenda.Clock(x.End)
}

// recentWindow is how long a change stays marked on the page.
const recentWindow = 24 * time.Hour

// recent describes how each session changed in the recentWindow before now:
// short marks such as "Moved to Room 4" or "Now 16:30", computed from the
// session as it was before the window and as it is now, so a change that
// was undone leaves no mark.
type recent struct {
	marks map[string][]string
	order []string // sessions with marks, latest change first
}

// recentChanges asks the agenda what changed since the revision it was at
// recentWindow before now: which sessions changed (ChangedSince), how they
// were then (SessionsAt) and when each last changed (SessionChanged).
func recentChanges(snap *agenda.Snapshot, now time.Time) (recent, error) {
	r := recent{marks: map[string][]string{}}
	before := snap.RevisionAt(now.Add(-recentWindow))
	ids, err := snap.ChangedSince(before)
	if err != nil || len(ids) == 0 {
		return r, err
	}
	at, err := snap.SessionsAt(before)
	if err != nil {
		return recent{}, fmt.Errorf("page: changes since revision %d: %w", before, err)
	}
	for _, id := range ids {
		cur, ok := snap.Session(id)
		if !ok {
			continue
		}
		old, existed, err := at(id)
		if err != nil {
			return recent{}, fmt.Errorf("page: changes of %q: %w", id, err)
		}
		if m := describe(snap, before, old, existed, cur); len(m) > 0 {
			r.marks[id] = m
			r.order = append(r.order, id)
		}
	}
	slices.SortStableFunc(r.order, func(a, b string) int {
		return snap.SessionChanged(b).Time.Compare(snap.SessionChanged(a).Time)
	})
	return r, nil
}

// describe lists the differences between old, the session as it was at
// revision before, and cur as marks.
func describe(snap *agenda.Snapshot, before int64, old agenda.Session, existed bool, cur agenda.Session) []string {
	if !existed {
		return []string{"New"}
	}
	var m []string
	if cur.Status == agenda.StatusCancelled && old.Status != agenda.StatusCancelled {
		m = append(m, "Cancelled")
	}
	if cur.Status != agenda.StatusCancelled && old.Status == agenda.StatusCancelled {
		m = append(m, "Back on the agenda")
	}
	room, _ := snap.Room(cur.Room)
	if cur.Room != old.Room {
		m = append(m, "Moved to "+room.Name)
	} else if snap.RoomNameAt(cur.Room, before) != room.Name {
		m = append(m, "Room now called "+room.Name)
	}
	switch {
	case !cur.Start.Equal(old.Start) && snap.Day(cur) != snap.Day(old):
		m = append(m, "Now "+dayShort(snap.Day(cur))+", "+agenda.Clock(cur.Start))
	case !cur.Start.Equal(old.Start):
		m = append(m, "Now "+agenda.Clock(cur.Start))
	case !cur.End.Equal(old.End):
		m = append(m, "Now ends "+agenda.Clock(cur.End))
	}
	if cur.Title != old.Title {
		m = append(m, "Renamed (was “"+old.Title+"”)")
	}
	if cur.Track != old.Track {
		track, _ := snap.Track(cur.Track)
		m = append(m, "Now in "+track.Name)
	}
	if cur.Abstract != old.Abstract {
		m = append(m, "Description updated")
	}
	return m
}

// block is one paragraph or list of a session's abstract.
type block struct {
	Text  string   // a paragraph
	Items []string // a bulleted list
}

// paragraphs splits an abstract into blocks. Sources separate paragraphs
// by a line break or a blank line, and break some sentences mid-way, so a
// line becomes a paragraph of its own when it ends a sentence (., !, ?, :
// or a closing quote or bracket) and is joined to the next line otherwise.
// Runs of lines starting with "-", "*" or "•" become a list.
func paragraphs(text string) []block {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var out []block
	var para strings.Builder
	var items []string
	flushPara := func() {
		if para.Len() > 0 {
			out = append(out, block{Text: para.String()})
			para.Reset()
		}
	}
	flushList := func() {
		if len(items) > 0 {
			out = append(out, block{Items: items})
			items = nil
		}
	}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if item, ok := listItem(line); ok {
			flushPara()
			items = append(items, item)
			continue
		}
		flushList()
		if line == "" {
			flushPara()
			continue
		}
		if para.Len() > 0 && !startsWithPunct(line) {
			para.WriteByte(' ')
		}
		para.WriteString(line)
		if endsSentence(line) {
			flushPara()
		}
	}
	flushPara()
	flushList()
	return out
}

// endsSentence reports whether a line ends the way a paragraph does.
func endsSentence(line string) bool {
	r, _ := utf8.DecodeLastRuneInString(line)
	return strings.ContainsRune(".!?:)]\"”’…", r)
}

// startsWithPunct reports whether a line continues the previous one
// without a space, like a full stop that lost its line.
func startsWithPunct(line string) bool {
	r, _ := utf8.DecodeRuneInString(line)
	return strings.ContainsRune(".,;:!?)]", r)
}

// listItem reports whether line is a list item and returns its text.
func listItem(line string) (string, bool) {
	for _, p := range []string{"- ", "* ", "• "} {
		if rest, ok := strings.CutPrefix(line, p); ok && strings.TrimSpace(rest) != "" {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}

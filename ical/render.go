package ical

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"confcal/agenda"

	goical "github.com/emersion/go-ical"
)

// DefaultProdID is the PRODID written when Options.ProdID is empty.
const DefaultProdID = "-//confcal//confcal 1.0//EN"

// refresh is how often subscribers are asked to poll a feed
// (REFRESH-INTERVAL and X-PUBLISHED-TTL).
const refresh = "PT1H"

// Options are the settings that shape the rendered bytes beyond the agenda.
type Options struct {
	// BaseURL is the server's absolute URL without a trailing slash, e.g.
	// "http://localhost:8080"; a session's URL is BaseURL+"/sessions/"+id.
	BaseURL string
	// ProdID is the PRODID of every calendar; "" means DefaultProdID.
	ProdID string
}

// normalize checks o and fills in defaults. A trailing slash on BaseURL is
// dropped.
func (o Options) normalize() (Options, error) {
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	u, err := url.Parse(o.BaseURL)
	switch {
	case o.BaseURL == "":
		return o, errors.New("ical: options: empty base URL")
	case err != nil:
		return o, fmt.Errorf("ical: options: base URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return o, fmt.Errorf("ical: options: base URL %q is not an absolute http(s) URL", o.BaseURL)
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(o.BaseURL, " \t\r\n\""):
		return o, fmt.Errorf("ical: options: base URL %q has a query, fragment or blank", o.BaseURL)
	}
	if o.ProdID == "" {
		o.ProdID = DefaultProdID
	}
	return o, nil
}

// Rendered is everything one snapshot renders to: the folded VEVENT of every
// session and the calendar heads around them. It is immutable and safe for
// concurrent use.
type Rendered struct {
	snap *agenda.Snapshot
	conf agenda.Conference
	opts Options
	tzid string
	tz   *goical.Component // the VTIMEZONE, shared by every calendar
	// The parts of calendar heads all calendars share, encoded once:
	// tzLines is tz, feedFixed the properties every published feed has
	// (the feed's names go between them), objectHead the whole head of a
	// CalDAV object.
	tzLines    []byte
	feedFixed  []propLine
	objectHead []byte
	// objectBare is objectHead without the VTIMEZONE, for objects
	// written with their times in UTC (Object.AppendExpanded).
	objectBare []byte
	events     map[string]*event
	// rendered counts the VEVENTs this Render encoded rather than reused
	// from the previous rendering.
	rendered int
	// colors holds the CSS3 colour name of every track's colour (COLOR),
	// worked out once per colour rather than once per feed; later
	// renderings take them over.
	colors map[uint32]string
	// etags is the memo of feeds' ETags, handed on to later renderings.
	etags *etagMemo
}

// event is the rendered VEVENT of one session and the CalDAV object around it.
type event struct {
	in   eventInput
	body []byte // BEGIN:VEVENT … END:VEVENT, folded, CRLF
	// alarm is the start of the VALARM a feed that asks for reminders
	// puts before the event's END:VEVENT (Calendar.WithAlarm): BEGIN,
	// ACTION and DESCRIPTION, folded; the TRIGGER, which depends on the
	// lead time, and END:VALARM follow it. nil for a cancelled session,
	// which rings no reminder. It is rendered once, by the first calendar
	// with reminders that holds the event (alarmHead), and kept with the
	// event for every later one: a Render costs nothing more for it, and
	// a pick with reminders re-renders nothing per request.
	alarmOnce sync.Once
	alarm     []byte
	modified  time.Time
	// objectETag is the ETag of the CalDAV object around body: the object
	// head is the same in every rendering that reuses the event (Render
	// renders everything anew when what shapes it changes).
	objectETag string
	// sum is the first half of body's SHA-256: what a feed's digest is
	// made of (etags.go).
	sum [sumSize]byte
}

// eventInput is everything a VEVENT is rendered from, apart from the
// rendering-wide options and conference.
type eventInput struct {
	session     agenda.Session
	room, track string
	speakers    []string // the speakers' names, in billing order
}

// sameAs reports whether in, rendered before, renders the same VEVENT as
// o, whose speakers' names are not gathered yet: they are looked up in
// snap one by one. Times are compared as instants: every snapshot loads
// its own *time.Location.
func (in eventInput) sameAs(snap *agenda.Snapshot, o eventInput) bool {
	if in.room != o.room || in.track != o.track || !in.session.Equal(o.session) {
		return false
	}
	n := 0
	for _, id := range o.session.Speakers {
		p, ok := snap.Speaker(id)
		if !ok {
			continue
		}
		if n >= len(in.speakers) || in.speakers[n] != p.Name {
			return false
		}
		n++
	}
	return n == len(in.speakers)
}

// Render renders every session of snap once. prev (may be nil) is the
// previous rendering: VEVENTs of sessions whose content did not change are
// reused, so an edit re-renders only what it touched.
func Render(snap *agenda.Snapshot, opts Options, prev *Rendered) (*Rendered, error) {
	if snap == nil {
		return nil, errors.New("ical: render: nil snapshot")
	}
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	loc := snap.Location()
	tzid := loc.String()
	if tzid == "Local" || tzid == "" {
		return nil, fmt.Errorf("ical: render: time zone %q is not an IANA zone name", snap.Conference().TimeZone)
	}
	conf := snap.Conference()
	// The VTIMEZONE covers the conference days with a year's margin on
	// either side, so no client reads a session time outside its range.
	from := time.Date(conf.First.Year-1, conf.First.Month, conf.First.Day, 0, 0, 0, 0, loc)
	to := time.Date(conf.Last.Year+1, conf.Last.Month, conf.Last.Day+1, 0, 0, 0, 0, loc)
	e := &Rendered{
		snap: snap,
		conf: conf,
		opts: opts,
		tzid: tzid,
		tz:   vtimezone(tzid, loc, from, to),
	}
	e.colors = trackColors(snap, prev)
	// What a digest names does not depend on the revision or the options:
	// the memo goes on from rendering to rendering.
	e.etags = newETagMemo()
	if prev != nil {
		e.etags = prev.etags
	}
	if prev != nil && (prev.opts != opts || prev.conf != conf || prev.tzid != tzid) {
		prev = nil // everything renders differently
	}
	if err := e.encodeSharedHeads(); err != nil {
		return nil, err
	}
	if prev != nil {
		if changed, ok := snap.ChangedFrom(prev.snap); ok {
			// Every session but those is prev's, unchanged: its event
			// is too.
			e.events = maps.Clone(prev.events)
			for _, id := range changed {
				x, ok := snap.Session(id)
				if !ok {
					return nil, fmt.Errorf("ical: render: changed session %q is not in the agenda", id)
				}
				if err := e.add(x, prev); err != nil {
					return nil, err
				}
			}
			return e, nil
		}
	}
	e.events = make(map[string]*event, snap.Len())
	for x := range snap.All() {
		if err := e.add(x, prev); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// add puts the event of session x in e: prev's when x renders as it did
// there, else rendered anew.
func (e *Rendered) add(x agenda.Session, prev *Rendered) error {
	snap := e.snap
	room, ok := snap.Room(x.Room)
	if !ok {
		return fmt.Errorf("ical: render: session %q: unknown room %q", x.ID, x.Room)
	}
	track, ok := snap.Track(x.Track)
	if !ok {
		return fmt.Errorf("ical: render: session %q: unknown track %q", x.ID, x.Track)
	}
	in := eventInput{session: x, room: room.Name, track: track.Name}
	if prev != nil {
		// Compared before the speakers' names are gathered: most
		// sessions render as before, and gathering allocates.
		if old, ok := prev.events[x.ID]; ok && old.in.sameAs(snap, in) {
			e.events[x.ID] = old
			return nil
		}
	}
	for _, id := range x.Speakers {
		if p, ok := snap.Speaker(id); ok {
			in.speakers = append(in.speakers, p.Name)
		}
	}
	body, err := e.renderEvent(in)
	if err != nil {
		return err
	}
	ev := &event{in: in, body: body, modified: x.LastModified.UTC(), objectETag: objectETag(e.objectHead, body)}
	full := sha256.Sum256(body)
	copy(ev.sum[:], full[:])
	e.events[x.ID] = ev
	e.rendered++
	return nil
}

// Snapshot returns the snapshot the rendering was rendered from.
func (e *Rendered) Snapshot() *agenda.Snapshot { return e.snap }

// Options returns the options the rendering was rendered with, defaults filled in.
func (e *Rendered) Options() Options { return e.opts }

// renderEvent encodes the VEVENT of one session with go-ical and folds it.
func (e *Rendered) renderEvent(in eventInput) ([]byte, error) {
	x := in.session
	if x.LastModified.IsZero() {
		// DTSTAMP and LAST-MODIFIED come from it; there is no honest
		// stand-in (the clock would make the output change per render).
		return nil, fmt.Errorf("ical: render: session %q has no last-modified time", x.ID)
	}
	ev := goical.NewEvent()
	p := ev.Props
	p.SetText(goical.PropUID, e.snap.UID(x.ID))
	setRaw(p, goical.PropDateTimeStamp, x.LastModified.UTC().Format(utcFormat))
	setRaw(p, goical.PropLastModified, x.LastModified.UTC().Format(utcFormat))
	e.setLocal(p, goical.PropDateTimeStart, x.Start)
	e.setLocal(p, goical.PropDateTimeEnd, x.End)
	summary := clean(x.Title)
	status := goical.EventConfirmed
	if x.Status == agenda.StatusCancelled {
		summary = "Cancelled: " + summary
		status = goical.EventCancelled
	}
	p.SetText(goical.PropSummary, summary)
	ev.SetStatus(status)
	if d := description(x, in.speakers); d != "" {
		p.SetText(goical.PropDescription, d)
	}
	p.SetText(goical.PropLocation, clean(in.room))
	cat := goical.NewProp(goical.PropCategories)
	cat.SetTextList([]string{clean(in.track)})
	p.Set(cat)
	setRaw(p, goical.PropSequence, strconv.Itoa(x.Sequence))
	setRaw(p, goical.PropURL, e.opts.BaseURL+"/sessions/"+url.PathEscape(x.ID))
	raw, err := encode(ev.Component)
	if err != nil {
		return nil, fmt.Errorf("ical: render: session %q: %w", x.ID, err)
	}
	if !bytes.HasSuffix(raw, []byte(eventEnd)) {
		// Calendar.WithAlarm puts the VALARM before this line.
		return nil, fmt.Errorf("ical: render: session %q: encoder output does not end with %q", x.ID, eventEnd)
	}
	return foldLines(make([]byte, 0, len(raw)+len(raw)/64*3), raw), nil
}

// alarmHead returns the start of the event's VALARM (see event.alarm),
// rendering it on first use.
func (ev *event) alarmHead() []byte {
	ev.alarmOnce.Do(func() { ev.alarm = renderAlarm(ev.in) })
	return ev.alarm
}

// renderAlarm encodes the start of the VALARM of one session with go-ical
// (see event.alarm): ACTION:DISPLAY and a DESCRIPTION naming the session
// and its room, which RFC 5545 §3.6.6 requires of a display alarm. go-ical
// writes a component's properties sorted by name, so ACTION, DESCRIPTION
// and then TRIGGER is the order it would write the whole VALARM in.
func renderAlarm(in eventInput) []byte {
	x := in.session
	if x.Status == agenda.StatusCancelled {
		return nil
	}
	a := goical.NewComponent(goical.CompAlarm)
	setRaw(a.Props, goical.PropAction, "DISPLAY")
	a.Props.SetText(goical.PropDescription, alarmText(x.Title, in.room))
	raw, err := encode(a)
	raw, ok := bytes.CutSuffix(raw, []byte(alarmEnd))
	if err != nil || !ok {
		// The text is the cleaned title and room name, which Render
		// already encoded as the event's SUMMARY and LOCATION: go-ical
		// refuses only CR or LF in a value, which TEXT escaping and
		// clean leave none of.
		panic(fmt.Sprintf("ical: session %q: reminder: %v (%q)", x.ID, err, raw))
	}
	return foldLines(make([]byte, 0, len(raw)+len(raw)/64*3), raw)
}

// alarmText is what a reminder says: the session's title and its room.
func alarmText(title, room string) string { return clean(title) + " — " + clean(room) }

// description is what a session's DESCRIPTION says: its subtitle, its
// abstract and its speakers, in paragraphs; empty when it has none of them.
func description(x agenda.Session, speakers []string) string {
	var parts []string
	if s := clean(x.Subtitle); s != "" {
		parts = append(parts, s)
	}
	if a := clean(x.Abstract); a != "" {
		parts = append(parts, a)
	}
	switch len(speakers) {
	case 0:
	case 1:
		parts = append(parts, "Speaker: "+clean(speakers[0]))
	default:
		parts = append(parts, "Speakers: "+clean(strings.Join(speakers, ", ")))
	}
	return strings.Join(parts, "\n\n")
}

// setLocal sets a DATE-TIME in the conference zone with its TZID, never
// floating. (go-ical's SetDateTime would write UTC times of a "UTC"
// conference with "Z" and no TZID.) The one exception is an instant in
// the hour the clocks repeat when they go back: its local time names two
// instants, so it is written in UTC, which names it alone. RFC 5545
// §3.3.5 reads a repeated local time as the first of the two, so the
// second must be in UTC; the first is too, since readers that leave the
// choice to their time library (go-ical through time.Date, Python's
// icalendar through pytz) read the second.
func (e *Rendered) setLocal(props goical.Props, name string, t time.Time) {
	loc := e.snap.Location()
	t = t.In(loc)
	p := goical.NewProp(name)
	if back, wall := agenda.LocalTime(t, loc); wall != agenda.WallOnce || !back.Equal(t) {
		p.Value = t.UTC().Format(utcFormat)
		props.Set(p)
		return
	}
	p.Params.Set(goical.ParamTimezoneID, e.tzid)
	p.Value = t.Format(localFormat)
	props.Set(p)
}

// encode writes one component with go-ical's encoder. Encoder.Encode takes
// a *Calendar but only encodes the component inside, so any component
// (a lone VEVENT or VTIMEZONE) can be written this way.
func encode(c *goical.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := goical.NewEncoder(&buf).Encode(&goical.Calendar{Component: c}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FeedMeta names a published feed.
type FeedMeta struct {
	// Name is the calendar's name (NAME, X-WR-CALNAME), e.g.
	// "Flink Forward Berlin 2019 — Use Case"; "" means the conference name.
	Name string
	// Description is DESCRIPTION and X-WR-CALDESC; "" means the
	// conference's description, and when that is empty too both are left out.
	Description string
	// Color is the calendar's colour as #RRGGBB, e.g. its track's colour:
	// X-APPLE-CALENDAR-COLOR is the colour, COLOR (RFC 7986 §5.9) the
	// CSS3 colour name nearest to it. "" leaves both out, and so does a
	// value that is not #RRGGBB (tracks' colours are not checked when they
	// are stored; the page and CalDAV fall back to colours of their own).
	Color string
}

// A calendar's head is its start up to and including its VTIMEZONE; a
// calendar is head + VEVENTs + "END:VCALENDAR". A CalDAV object's head has
// no calendar names or refresh hints; a published feed's has them. Neither
// has a METHOD (see the package doc). go-ical writes a component's
// properties sorted by name, then its components; heads are assembled the
// same way from parts encoded with go-ical: the VTIMEZONE and the
// properties shared by all calendars once per rendering (encodeSharedHeads), a
// feed's names per feed (feedHead).

// propLine is one encoded and folded property of a calendar.
type propLine struct {
	name string // the property's name, which orders the lines
	text []byte // the folded line, CRLF included
}

// encodeSharedHeads encodes the parts of calendar heads shared by the rendering.
func (e *Rendered) encodeSharedHeads() error {
	tz, err := encode(e.tz)
	if err != nil {
		return fmt.Errorf("ical: VTIMEZONE %s: %w", e.tzid, err)
	}
	e.tzLines = foldLines(nil, tz)
	p := goical.Props{}
	p.SetText(goical.PropProductID, clean(e.opts.ProdID))
	setRaw(p, goical.PropVersion, "2.0")
	setRaw(p, goical.PropCalendarScale, "GREGORIAN")
	object, err := propLines(p)
	if err != nil {
		return fmt.Errorf("ical: calendar head: %w", err)
	}
	e.objectHead = e.assemble(object)
	bare := len(e.objectHead) - len(e.tzLines)
	e.objectBare = e.objectHead[:bare:bare]
	ri := goical.NewProp(goical.PropRefreshInterval)
	ri.Params.Set(goical.ParamValue, string(goical.ValueDuration)) // RFC 7986 §5.7 requires it
	ri.Value = refresh
	p.Set(ri)
	setRaw(p, "X-PUBLISHED-TTL", refresh)
	setXText(p, "X-WR-TIMEZONE", e.tzid)
	if e.feedFixed, err = propLines(p); err != nil {
		return fmt.Errorf("ical: feed head: %w", err)
	}
	return nil
}

// feedHead returns the head of a published feed named by meta: the shared
// properties with NAME, X-WR-CALNAME, DESCRIPTION, X-WR-CALDESC, COLOR and
// X-APPLE-CALENDAR-COLOR merged in by name, then the VTIMEZONE.
func (e *Rendered) feedHead(meta FeedMeta) ([]byte, error) {
	name := cmpOr(clean(meta.Name), clean(e.conf.Name))
	desc := cmpOr(clean(meta.Description), clean(e.conf.Description))
	p := goical.Props{}
	p.SetText(goical.PropName, name)
	setXText(p, "X-WR-CALNAME", name)
	if desc != "" {
		p.SetText(goical.PropDescription, desc)
		setXText(p, "X-WR-CALDESC", desc)
	}
	if rgb, ok := parseRGB(meta.Color); ok {
		name, ok := e.colors[rgb]
		if !ok {
			name = colorName(rgb)
		}
		p.SetText(goical.PropColor, name)
		setXText(p, "X-APPLE-CALENDAR-COLOR", hexRGB(rgb))
	}
	names, err := propLines(p)
	if err != nil {
		return nil, fmt.Errorf("ical: feed head: %w", err)
	}
	lines := make([]propLine, 0, len(e.feedFixed)+len(names))
	fixed := e.feedFixed
	for len(fixed) > 0 || len(names) > 0 {
		if len(names) == 0 || len(fixed) > 0 && fixed[0].name < names[0].name {
			lines, fixed = append(lines, fixed[0]), fixed[1:]
		} else {
			lines, names = append(lines, names[0]), names[1:]
		}
	}
	return e.assemble(lines), nil
}

// assemble writes BEGIN:VCALENDAR, lines and the VTIMEZONE.
func (e *Rendered) assemble(lines []propLine) []byte {
	n := len(calendarBegin) + len(e.tzLines)
	for _, l := range lines {
		n += len(l.text)
	}
	out := make([]byte, 0, n)
	out = append(out, calendarBegin...)
	for _, l := range lines {
		out = append(out, l.text...)
	}
	return append(out, e.tzLines...)
}

// propLines encodes props with go-ical, which writes them sorted by name,
// and folds each line. They are encoded as the properties of a bare
// component of no meaning, whose BEGIN and END lines are cut off.
func propLines(props goical.Props) ([]propLine, error) {
	raw, err := encode(&goical.Component{Name: propsOnly, Props: props})
	if err != nil {
		return nil, err
	}
	raw, ok1 := bytes.CutPrefix(raw, []byte("BEGIN:"+propsOnly+"\r\n"))
	raw, ok2 := bytes.CutSuffix(raw, []byte("END:"+propsOnly+"\r\n"))
	if !ok1 || !ok2 {
		return nil, errors.New("encoder output is not BEGIN, properties, END")
	}
	var out []propLine
	for len(raw) > 0 {
		i := indexCRLF(raw)
		if i < 0 {
			return nil, errors.New("encoder output does not end with CRLF")
		}
		line := raw[:i]
		name := line
		if j := bytes.IndexAny(line, ";:"); j >= 0 {
			name = line[:j]
		}
		out = append(out, propLine{name: string(name), text: foldLines(nil, raw[:i+2])})
		raw = raw[i+2:]
	}
	return out, nil
}

// propsOnly names the component propLines encodes properties in.
const propsOnly = "X-CONFCAL-PROPERTIES"

const calendarBegin = "BEGIN:VCALENDAR\r\n"

const calendarEnd = "END:VCALENDAR\r\n"

const eventEnd = "END:VEVENT\r\n"

const alarmEnd = "END:VALARM\r\n"

// setXText sets an X- property to escaped text. go-ical knows no default
// type for X- properties and would add VALUE=TEXT, which the clients that
// read X-WR-* do not expect.
func setXText(props goical.Props, name, text string) {
	p := goical.NewProp(name)
	p.SetText(text)
	p.Params.Del(goical.ParamValue)
	props.Set(p)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clean makes s fit for an RFC 5545 TEXT value before go-ical escapes it:
// CR LF and lone CR become LF, other control characters but tab are
// dropped, and invalid UTF-8 becomes U+FFFD.
func clean(s string) string {
	ok := utf8.ValidString(s)
	for _, r := range s {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			continue
		}
		ok = false
		break
	}
	if ok {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

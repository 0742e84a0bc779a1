package frabxml

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"
)

// Sniff reports whether data looks like a schedule.xml: XML (after an
// optional byte-order mark, declaration and comments) whose root element
// is <schedule>. It reads no further than the root's start tag.
func Sniff(data []byte) bool {
	if len(data) > 64<<10 {
		data = data[:64<<10]
	}
	text, err := toUTF8(data)
	if err != nil {
		return false
	}
	dec := xml.NewDecoder(bytes.NewReader(text))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return strings.EqualFold(t.Name.Local, "schedule")
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return false // text before the root: not XML
			}
		}
	}
}

// Parse reads a schedule.xml (frab, pretalx, the CCC hub, Indico, or
// legacy Pentabarf) into agenda contents, leniently: what it repairs or
// skips is in the Result's Problems, positioned by line. It fails only
// when data is not a schedule.xml, is XML that breaks before its end
// (refused whole, naming the line: see decode), names no time zone and
// opts gives none, or holds no usable event.
func Parse(data []byte, opts formats.Options) (formats.Result, error) {
	if opts.Name == "" {
		opts.Name = "schedule.xml"
	}
	doc, err := decode(data)
	if le := (*lineError)(nil); errors.As(err, &le) {
		return formats.Result{}, fmt.Errorf("%s:%d: %w", opts.Name, le.line, err)
	}
	if err != nil {
		return formats.Result{}, fmt.Errorf("%s: %w", opts.Name, err)
	}
	if doc.root.name != "schedule" {
		return formats.Result{}, fmt.Errorf("%s:%d: not a schedule.xml: the root element is <%s>, not <schedule>", opts.Name, doc.root.line, doc.root.name)
	}
	p := &parser{
		opts:       opts,
		now:        schedule.Now(opts),
		roomByName: map[string]string{},
		trackBy:    map[string]string{},
		ids:        map[string]bool{},
		spkIdx:     map[string]int{},
		seenKey:    map[string]int{},
		seenNum:    map[int64]int{},
	}
	for _, n := range doc.notes {
		p.report(n.line, "%s", n.reason)
	}
	conf := doc.root.child("conference")
	if p.loc, err = p.zone(conf); err != nil {
		return formats.Result{}, err
	}
	p.conference(conf, doc.root)
	p.known = schedule.KnownGUIDs(opts.Known, p.conf.UIDDomain)
	p.days(doc.root)
	if len(p.listed) == 0 {
		return formats.Result{}, fmt.Errorf("%s: no <event> in any <day><room>: nothing to import", opts.Name)
	}
	p.conf.DayChange = p.dayChange(conf)
	for _, l := range p.listed {
		p.event(l)
	}
	if len(p.events) > 0 {
		p.frame()
	}
	if len(p.events) == 0 {
		// Every event skipped was reported; the last report says why.
		return formats.Result{}, fmt.Errorf("%s: none of the %d events is usable (%s)", opts.Name, len(p.listed), p.problems[len(p.problems)-1].Problem)
	}
	p.misfits()
	sessions := make([]agenda.Session, len(p.events))
	for i, k := range p.events {
		sessions[i] = k.x
	}
	c := agenda.Contents{Conference: p.conf, Tracks: p.tracks, Rooms: p.rooms, Speakers: p.speakers, Sessions: sessions}
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); err != nil {
		// Every rule of the model is met above; this is a bug here.
		return formats.Result{}, fmt.Errorf("%s: the import breaks the agenda's rules: %w", opts.Name, err)
	}
	return formats.Result{Contents: c, Problems: p.sortedProblems()}, nil
}

// parser holds the state of one Parse call.
type parser struct {
	opts     formats.Options
	now      time.Time
	loc      *time.Location
	conf     agenda.Conference
	base     *url.URL // what relative event URLs are relative to
	problems []problem

	listed []listing
	guids  int            // how many events carry a guid
	known  schedule.Known // the stored agenda's IDs by the guids Export makes of them

	rooms      []agenda.Room
	roomByName map[string]string
	tracks     []agenda.Track
	trackBy    map[string]string // track name, and "slug:" + its slug, to ID
	ids        map[string]bool   // "room:" or "track:" + every ID given out
	speakers   []agenda.Speaker
	spkIdx     map[string]int
	events     []event
	seenKey    map[string]int // session ID → line of the event that has it
	seenNum    map[int64]int  // session number → line
	spans      []agenda.Date  // the listed days' dates
}

// event is a session made from an event, with where the event was.
type event struct {
	x    agenda.Session
	l    listing
	line int
}

// day is a <day> element.
type day struct {
	date  agenda.Date
	dated bool
	start time.Time // from @start; zero when absent or unreadable
}

// listing is an <event> with the day and room it is listed under.
type listing struct {
	ev   *node
	day  *day
	room string    // the enclosing <room name>, cleaned
	at   time.Time // from <date>; zero when absent or unreadable
	bad  string    // <date>'s text when it is there but unreadable
}

func (p *parser) report(line int, format string, args ...any) {
	pos := p.opts.Name
	if line > 0 {
		pos += ":" + strconv.Itoa(line)
	}
	p.problems = append(p.problems, problem{line, formats.Problem{Pos: pos, Reason: fmt.Sprintf(format, args...)}})
}

// problem is a report with its line, for sorting.
type problem struct {
	line int
	formats.Problem
}

// sortedProblems returns the reports in document order (reports on the
// whole document first).
func (p *parser) sortedProblems() []formats.Problem {
	slices.SortStableFunc(p.problems, func(a, b problem) int { return a.line - b.line })
	out := make([]formats.Problem, len(p.problems))
	for i, q := range p.problems {
		out[i] = q.Problem
	}
	return out
}

// zone loads the conference's time zone: the option when it is given (the
// organizer's word wins; a document naming another zone is reported),
// else <time_zone_name>. Pentabarf names none, so its import needs the
// option.
func (p *parser) zone(conf *node) (*time.Location, error) {
	n := conf.child("time_zone_name")
	tz := schedule.OneLine(n.text())
	if tz != "" {
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			if p.opts.TimeZone == "" {
				return nil, fmt.Errorf("%s:%d: <time_zone_name> %q is not an IANA zone name: give the conference's with -time-zone (e.g. -time-zone Europe/Berlin)",
					p.opts.Name, n.line, clip(tz))
			}
			p.report(n.line, "<time_zone_name> %q is not an IANA zone name; the conference's zone is %s as given", clip(tz), p.opts.TimeZone)
			tz = ""
		}
	}
	loc, overridden, err := formats.Zone(p.opts, tz)
	if err != nil {
		return nil, err
	}
	if overridden {
		p.report(n.line, "<time_zone_name> says %s; the conference's zone is %s as given", tz, loc)
	}
	return loc, nil
}

// conference reads the <conference> element: title (else acronym),
// subtitle as the description, url (else base_url), the UID domain and
// the declared tracks.
func (p *parser) conference(conf, root *node) {
	line := root.line
	if conf != nil {
		line = conf.line
	} else {
		p.report(line, "no <conference> element; the conference is named after the document")
	}
	c := &p.conf
	c.TimeZone = p.loc.String()
	c.Name = schedule.OneLine(conf.child("title").text())
	if c.Name == "" {
		c.Name = schedule.OneLine(conf.child("acronym").text())
	}
	if c.Name == "" {
		c.Name = schedule.NamedAfter(p.opts.Name, "Imported schedule")
		if conf != nil && !p.opts.NameGiven {
			p.report(line, "the conference has no <title> and no <acronym>; named %q after the document", c.Name)
		}
	}
	c.Name = p.fit(line, "the conference's title", c.Name, agenda.MaxConferenceNameLength)
	c.Description = p.fit(line, "the conference's subtitle", schedule.OneLine(conf.child("subtitle").text()), agenda.MaxDescriptionLength)
	for _, name := range []string{"url", "base_url"} {
		n := conf.child(name)
		s := strings.TrimSpace(n.text())
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > agenda.MaxURLLength {
			p.report(n.line, "<%s> %q is not an http(s) URL; left out", name, clip(s))
			continue
		}
		if p.base == nil || name == "base_url" {
			p.base = u
		}
		if c.URL == "" {
			c.URL = s
		}
	}
	c.UIDDomain = p.uidDomain(line)
	for _, t := range conf.children("track") {
		p.declareTrack(t)
	}
}

// uidDomain is the host of the conference's URL when it is a domain name
// (schedule.DomainName: not localhost, which every test instance is, nor
// an IP address, which a move of the server changes; UIDs must be unique
// and stable), else the option, else a
// name under .invalid made from the acronym or title (stable as long as
// they are, and reported, since a changed title then changes every UID).
func (p *parser) uidDomain(line int) string {
	if u, err := url.Parse(p.conf.URL); err == nil && p.conf.URL != "" {
		if h := strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")); schedule.DomainName(h) {
			return h
		}
	}
	if p.opts.UIDDomain != "" {
		return p.opts.UIDDomain
	}
	s := agenda.Slug(p.conf.Name)
	if s == "" {
		s = "schedule"
	}
	d := s + ".invalid"
	p.report(line, "the conference has no URL and no UID domain was given: calendar UIDs end in @%s, which changes if the title does (give a UID domain to choose one)", d)
	return d
}

// days collects the <day> elements, the rooms in document order and the
// events with where they are listed.
func (p *parser) days(root *node) {
	for _, dn := range root.children("day") {
		dy := &day{}
		if s := strings.TrimSpace(dn.attr("date")); s != "" {
			if d, ok := parseDate(s); ok {
				dy.date, dy.dated = d, true
			} else {
				p.report(dn.line, "day date %q is not a date (YYYY-MM-DD); its events need their own <date>", clip(s))
			}
		}
		if t, _, ok := parseInstant(dn.attr("start"), p.loc); ok {
			dy.start = t
			if !dy.dated {
				dy.date, dy.dated = agenda.DateOf(t, p.loc), true
			}
		}
		if dy.dated {
			p.spans = append(p.spans, dy.date)
		}
		for _, rn := range dn.children("room") {
			name := schedule.OneLine(rn.attr("name"))
			if name != "" {
				p.room(name, normalGUID(rn.attr("guid")), rn.line)
			}
			for _, ev := range rn.children("event") {
				l := listing{ev: ev, day: dy, room: name}
				if dn := ev.child("date"); dn != nil {
					if s := strings.TrimSpace(dn.text()); s != "" {
						if t, note, ok := parseInstant(s, p.loc); ok {
							l.at = t
							if note != "" {
								p.report(dn.line, "event %q: <date> %q %s", clip(schedule.OneLine(ev.child("title").text())), clip(s), note)
							}
						} else {
							l.bad = s
						}
					}
				}
				if normalGUID(ev.attr("guid")) != "" {
					p.guids++
				}
				p.listed = append(p.listed, l)
			}
		}
	}
}

// dayChange derives when conference days begin: the earliest time of
// day (in the conference's zone) at which a <day> starts, counting starts
// before noon on the day's own date (a day has begun by its start; the
// CCC hub's first day starts at the opening, the others at 06:00); else
// Pentabarf's <day_change>; else midnight. An event listed under a day
// belongs to it even after midnight, so when the events' own dates
// contradict the result, a day change that fits them all is chosen and
// reported.
func (p *parser) dayChange(conf *node) time.Duration {
	dc, from := time.Duration(0), ""
	seenDay := map[*day]bool{}
	for _, l := range p.listed {
		dy := l.day
		if seenDay[dy] || dy.start.IsZero() || !dy.dated {
			continue
		}
		seenDay[dy] = true
		t := dy.start.In(p.loc)
		if tod := timeOfDay(t); agenda.DateOf(t, p.loc) == dy.date && tod < agenda.MaxDayChange && tod%time.Minute == 0 && (from == "" || tod < dc) {
			dc, from = tod, "the days' start times"
		}
	}
	if from == "" {
		if n := conf.child("day_change"); n != nil {
			if d, ok := parseClock(n.text()); ok && d < agenda.MaxDayChange && d%time.Minute == 0 {
				dc, from = d, "<day_change>"
			} else if strings.TrimSpace(n.text()) != "" {
				p.report(n.line, "<day_change> %q is not a time of day before noon; ignored", clip(n.text()))
			}
		}
	}

	// The day change must come after every dated event listed under the
	// day before that starts after midnight (lo) and no later than every
	// event starting on its own day (hi).
	lo, hi := time.Duration(0), agenda.MaxDayChange-time.Minute
	for _, l := range p.listed {
		if l.at.IsZero() || !l.day.dated {
			continue
		}
		t := l.at.In(p.loc).Truncate(time.Minute)
		switch d, tod := agenda.DateOf(t, p.loc), timeOfDay(t); {
		case d == l.day.date:
			hi = min(hi, tod)
		case d == l.day.date.AddDays(1) && tod < agenda.MaxDayChange-time.Minute:
			lo = max(lo, tod+time.Minute)
		}
	}
	if (dc >= lo && dc <= hi) || lo > hi {
		return dc // fits, or nothing fits: misfits reports the events
	}
	fit := lo
	if h := (lo + time.Hour - 1) / time.Hour * time.Hour; h <= hi {
		fit = h // a whole hour where one fits
	}
	if from == "" {
		from = "midnight, the default"
	}
	p.report(conf.lineOr(0), "the day change %s from %s would move events listed under one day to another; %s fits them all", schedule.Clock(dc), from, schedule.Clock(fit))
	return fit
}

// event turns one listed <event> into a session, or reports why not.
func (p *parser) event(l listing) {
	ev, line := l.ev, l.ev.line

	// Identity: the guid, else (Pentabarf) the id. A guid this package
	// made for an event of an ID that is no UUID (see Export) gives that
	// ID back, so that an export imports as the agenda it came from.
	guid, idAttr := normalGUID(ev.attr("guid")), strings.TrimSpace(ev.attr("id"))
	key, stored := guid, false
	switch {
	case guid != "":
		if known, ok := p.known.Sessions[guid]; ok {
			key, stored = known, true
		} else if idAttr != "" && guid == schedule.SessionGUID(formats.KeyID(idAttr), p.conf.UIDDomain) {
			key = idAttr
		}
	case idAttr != "":
		key = idAttr
		if p.guids > 0 {
			p.report(line, "event %s has no guid, unlike others in the document: its ID comes from its id", clip(idAttr))
		}
	default:
		p.report(line, "event has neither a guid nor an id to identify it by; skipped")
		return
	}
	id := formats.KeyID(key)
	if prev, dup := p.seenKey[id]; dup {
		p.report(line, "event repeats the key %q of the event at line %d; skipped (the first is kept)", clip(key), prev)
		return
	}

	title := schedule.OneLine(ev.child("title").text())
	if title == "" {
		p.report(line, "event %s has no title; skipped", clip(key))
		return
	}
	title = p.fit(line, "title", title, agenda.MaxTitleLength)

	start, ok := p.start(l)
	if !ok {
		return
	}
	dn := ev.child("duration")
	dur, ok := parseClock(dn.text())
	if !ok {
		p.report(dn.lineOr(line), "event %q: duration %q is not [H]H:MM[:SS]; skipped", clip(title), clip(dn.text()))
		return
	}
	if dur%time.Minute != 0 {
		p.report(dn.lineOr(line), "event %q: duration %s has seconds; kept to the minute", clip(title), clip(dn.text()))
		dur = dur.Truncate(time.Minute)
	}
	if dur <= 0 {
		p.report(dn.lineOr(line), "event %q: duration %q would end it when it starts; skipped", clip(title), clip(dn.text()))
		return
	}
	if err := agenda.CheckLength(start, start.Add(dur)); err != nil {
		p.report(dn.lineOr(line), "event %q: duration %q: it %v; skipped", clip(title), clip(dn.text()), err)
		return
	}

	roomName := l.room
	own := ev.child("room")
	switch named := schedule.OneLine(own.text()); {
	case roomName == "":
		roomName = named
	case named != "" && !strings.EqualFold(named, roomName):
		// The listing is the schedule's structure (frab writes both from
		// one room); an event whose own <room> says otherwise was edited
		// by hand or by another tool, and one of the two is wrong.
		p.report(own.lineOr(line), "event %q: its <room> %q is not the room %q it is listed under; it is read as in %q",
			clip(title), clip(named), clip(roomName), clip(roomName))
	}
	if roomName == "" {
		p.report(line, "event %q is in no room (no <room name> around it, no <room> in it); skipped", clip(title))
		return
	}

	var num int64
	if n, err := strconv.ParseInt(idAttr, 10, 64); err == nil && n > 0 {
		if prev, dup := p.seenNum[n]; dup {
			p.report(line, "event %q shares the id %d with the event at line %d; it gets a number of its own", clip(title), n, prev)
		} else {
			num = n
			p.seenNum[n] = line
		}
	}
	p.seenKey[id] = line

	x := agenda.Session{
		ID:           id,
		Title:        title,
		Start:        start,
		End:          start.Add(dur),
		Room:         p.room(roomName, "", line),
		Track:        p.track(schedule.OneLine(ev.child("track").text()), line),
		Status:       agenda.StatusConfirmed,
		LastModified: p.now,
		Subtitle:     p.fit(line, "subtitle", schedule.OneLine(ev.child("subtitle").text()), agenda.MaxTitleLength),
		Type:         p.fit(line, "type", schedule.OneLine(ev.child("type").text()), agenda.MaxNameLength),
		Language:     p.language(ev.child("language"), line),
		URL:          p.link(ev.child("url"), line),
		Speakers:     p.persons(ev.child("persons"), line),
		Number:       num,
	}
	if stored && schedule.OwnLink(x.URL, id) {
		x.URL = ""
	}
	x.Abstract = p.fit(line, "abstract and description", abstract(ev), agenda.MaxAbstractLength)
	p.events = append(p.events, event{x: x, l: l, line: line})
}

// start returns an event's start: its <date> when it has one (with an
// offset: that instant; without: a wall time in the conference's zone),
// else its day's date and its <start> in the conference's zone, on the
// next calendar day when the time is before the day change (after
// midnight) or written past 24:00. Seconds are dropped: the agenda keeps
// times to the minute.
func (p *parser) start(l listing) (time.Time, bool) {
	ev, line := l.ev, l.ev.line
	t := l.at
	if t.IsZero() {
		sn := ev.child("start")
		c, ok := parseClock(sn.text())
		switch {
		case !l.day.dated:
			p.report(line, "event %q has no readable <date> and its day no date; skipped", clip(schedule.OneLine(ev.child("title").text())))
			return time.Time{}, false
		case !ok || c >= 48*time.Hour:
			if l.bad != "" {
				p.report(ev.child("date").line, "event %q: neither <date> %q nor <start> %q is a time; skipped", clip(schedule.OneLine(ev.child("title").text())), clip(l.bad), clip(sn.text()))
			} else {
				p.report(sn.lineOr(line), "event %q: <start> %q is not HH:MM; skipped", clip(schedule.OneLine(ev.child("title").text())), clip(sn.text()))
			}
			return time.Time{}, false
		}
		d := l.day.date
		if c < p.conf.DayChange {
			d = d.AddDays(1)
		}
		m := int(c / time.Minute)
		var note string
		t, note = schedule.Local(time.Date(d.Year, d.Month, d.Day, m/60, m%60, int(c%time.Minute/time.Second), 0, time.UTC), p.loc)
		if note != "" {
			p.report(sn.lineOr(line), "event %q: <start> %q on %s %s", clip(schedule.OneLine(ev.child("title").text())), clip(sn.text()), d, note)
		}
		if l.bad != "" {
			p.report(ev.child("date").line, "event %q: <date> %q is not a date and time; the day's date and <start> %s are used", clip(schedule.OneLine(ev.child("title").text())), clip(l.bad), schedule.Clock(c))
		}
	}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		p.report(line, "event %q starts at %s, with seconds; kept to the minute", clip(schedule.OneLine(ev.child("title").text())), t.Format(time.RFC3339))
		t = t.Truncate(time.Minute)
	}
	return t.In(p.loc), true
}

// abstract joins an event's <abstract> (the summary) and <description>
// (the longer text) as plain text (see schedule.JoinText).
func abstract(ev *node) string {
	return schedule.JoinText(plain(ev.child("abstract").markup()), plain(ev.child("description").markup()))
}

// plain returns text as formats.PlainText reads it: as HTML when it looks
// like HTML (Pentabarf, frab), else as text whose "<" and "&" are just
// characters (Markdown from the hub, "Option<T>" in a talk about generics,
// and an abstract this package exported, which is plain text already).
func plain(s string) string {
	if looksHTML(s) {
		return formats.PlainText(s)
	}
	return formats.PlainText(html.EscapeString(s))
}

// looksHTML reports whether s holds an HTML tag of an element abstracts
// use, or an entity or character reference.
func looksHTML(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			rest := strings.TrimPrefix(s[i+1:], "/")
			n := 0
			for n < len(rest) && n < 12 && (rest[n] >= 'a' && rest[n] <= 'z' || rest[n] >= 'A' && rest[n] <= 'Z' || n > 0 && rest[n] >= '1' && rest[n] <= '6') {
				n++
			}
			if n > 0 && n < len(rest) && strings.ContainsRune(" \t\n/>", rune(rest[n])) && htmlElement(strings.ToLower(rest[:n])) {
				return true
			}
		case '&':
			rest := s[i+1:]
			n := strings.IndexByte(rest, ';')
			if n > 0 && n <= 32 && reference(rest[:n]) {
				return true
			}
		}
	}
	return false
}

// reference reports whether s (between "&" and ";") names an entity or a
// character: letters and digits, "#" and digits, or "#x" and hex digits.
func reference(s string) bool {
	digits := "0123456789"
	switch {
	case strings.HasPrefix(s, "#x") || strings.HasPrefix(s, "#X"):
		s, digits = s[2:], "0123456789abcdefABCDEF"
	case strings.HasPrefix(s, "#"):
		s = s[1:]
	default:
		for i, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
				return false
			}
		}
		return s != ""
	}
	return s != "" && strings.Trim(s, digits) == ""
}

// htmlElement reports whether name (lower case) is an element whose tag
// makes text HTML.
func htmlElement(name string) bool {
	switch name {
	case "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
		"h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s",
		"small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "tt",
		"u", "ul", "script", "style", "section", "article":
		return true
	}
	return false
}

// persons returns the IDs of an event's speakers, registering new ones.
// A speaker's key is the person's id, else its guid (the schema's keys,
// which an export writes back), else a pretalx code (no schema has it on
// XML persons, some writers add it); with no key at all, the slug of the
// name.
func (p *parser) persons(ps *node, line int) []string {
	var ids []string
	for _, pn := range ps.children("person") {
		name := schedule.OneLine(pn.text())
		if name == "" {
			p.report(pn.line, "a <person> without a name is left out")
			continue
		}
		name = p.fit(pn.line, "person's name", name, agenda.MaxNameLength)
		var id string
		guid, idAttr := normalGUID(pn.attr("guid")), strings.TrimSpace(pn.attr("id"))
		if known, ok := p.known.Speakers[guid]; ok && idAttr == "" {
			id = known
		} else if k := cmp.Or(idAttr, guid, strings.TrimSpace(pn.attr("code"))); k != "" {
			id = formats.KeyID(k)
		} else if id = agenda.Slug(name); id == "" {
			id = formats.KeyID(name)
		}
		if i, ok := p.spkIdx[id]; !ok {
			p.spkIdx[id] = len(p.speakers)
			p.speakers = append(p.speakers, agenda.Speaker{ID: id, Name: name})
		} else if old := p.speakers[i].Name; old != name {
			p.report(pn.line, "person %q has the key of %q, listed before; kept as %q", clip(name), old, old)
		}
		if slices.Contains(ids, id) {
			p.report(pn.line, "person %q is listed twice for the event; once is kept", clip(name))
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// language returns <language> as one BCP 47 tag: "de, en" (the CCC hub
// lists several) keeps the first, with a report; text that is no tag is
// left out, with a report.
func (p *parser) language(n *node, line int) string {
	s := schedule.OneLine(n.text())
	if s == "" {
		return ""
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '/' || r == '+' || r == ' ' || r == '|' })
	tag := strings.ReplaceAll(fields[0], "_", "-")
	if !schedule.LanguageTag(tag, 3) {
		p.report(n.lineOr(line), "language %q is not a language tag such as \"en\"; left out", clip(s))
		return ""
	}
	primary, rest, _ := strings.Cut(tag, "-")
	tag = strings.ToLower(primary)
	if rest != "" {
		tag += "-" + rest
	}
	if agenda.CheckLanguage(tag) != nil {
		p.report(n.lineOr(line), "language %q is longer than a language tag can be; left out", clip(s))
		return ""
	}
	if len(fields) > 1 {
		p.report(n.lineOr(line), "language %q names several; kept the first, %q", clip(s), tag)
	}
	return tag
}

// link returns an event's <url> as an absolute http(s) URL (a relative
// one resolved against the conference's base_url or url), or "" with a
// report when it is none.
func (p *parser) link(n *node, line int) string {
	s := strings.TrimSpace(n.text())
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err == nil && !u.IsAbs() && p.base != nil {
		u = p.base.ResolveReference(u)
		s = u.String()
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || agenda.CheckURL(s) != nil {
		p.report(n.lineOr(line), "<url> %q is not an http(s) URL of at most %d characters; left out", clip(s), agenda.MaxURLLength)
		return ""
	}
	return s
}

// room returns the ID of the room called name, registering it in order of
// first appearance. IDs are the names' slugs; a name whose slug is empty
// or taken by another name gets formats.KeyID of the name. A guid Export
// made for a room of the stored agenda gives that room's ID instead, so
// that a room renamed in the document is still the room it was.
func (p *parser) room(name, guid string, line int) string {
	if id, ok := p.roomByName[name]; ok {
		return id
	}
	id, ok := p.known.Rooms[guid]
	if ok && !p.ids["room:"+id] {
		p.ids["room:"+id] = true
	} else {
		id = p.newID("room:", name)
	}
	p.roomByName[name] = id
	p.rooms = append(p.rooms, agenda.Room{ID: id, Name: p.fit(line, "room name", name, agenda.MaxNameLength)})
	return id
}

// declareTrack registers a track of <conference>: its name (attribute,
// else text), colour and slug (its ID when it is one and free).
func (p *parser) declareTrack(n *node) {
	name := schedule.OneLine(n.attr("name"))
	if name == "" {
		name = schedule.OneLine(n.text())
	}
	if name == "" {
		p.report(n.line, "a <track> without a name is left out")
		return
	}
	if _, dup := p.trackBy[name]; dup {
		p.report(n.line, "track %q is declared twice; the first is kept", clip(name))
		return
	}
	id := strings.TrimSpace(n.attr("slug"))
	if !agenda.ValidID(id) || p.ids["track:"+id] {
		id = p.newID("track:", name)
	} else {
		p.ids["track:"+id] = true
	}
	color := ""
	if s := strings.TrimSpace(n.attr("color")); s != "" {
		var ok bool
		if color, ok = schedule.HexColor(s); !ok {
			p.report(n.line, "track %q: colour %q is not #RRGGBB; left out", clip(name), clip(s))
		}
	}
	p.addTrack(agenda.Track{ID: id, Name: p.fit(n.line, "track name", name, agenda.MaxNameLength), Color: color}, name)
}

func (p *parser) addTrack(t agenda.Track, name string) {
	p.tracks = append(p.tracks, t)
	p.trackBy[name] = t.ID
	if s := agenda.Slug(name); s != "" {
		if _, ok := p.trackBy["slug:"+s]; !ok {
			p.trackBy["slug:"+s] = t.ID
		}
	}
}

// track returns the ID of an event's track: a declared one of that name
// (or of a name with the same slug: "security" is "Security"), else a new
// one; formats.DefaultTrack for an event that names none.
func (p *parser) track(name string, line int) string {
	if name == "" {
		id := formats.DefaultTrack.ID
		if !p.ids["track:"+id] {
			p.ids["track:"+id] = true
			p.addTrack(formats.DefaultTrack, formats.DefaultTrack.Name)
		}
		return id
	}
	if id, ok := p.trackBy[name]; ok {
		return id
	}
	if s := agenda.Slug(name); s != "" {
		if id, ok := p.trackBy["slug:"+s]; ok {
			p.trackBy[name] = id
			return id
		}
	}
	id := p.newID("track:", name)
	p.addTrack(agenda.Track{ID: id, Name: p.fit(line, "track name", name, agenda.MaxNameLength)}, name)
	return id
}

// newID gives out an ID for a room or track (kind "room:" or "track:")
// called name: its slug, else formats.KeyID of the name, else (taken as
// well) KeyID of the name with a counter.
func (p *parser) newID(kind, name string) string {
	id := agenda.Slug(name)
	for n := 1; id == "" || p.ids[kind+id]; n++ {
		key := name
		if n > 1 {
			key += "#" + strconv.Itoa(n)
		}
		id = formats.KeyID(key)
	}
	p.ids[kind+id] = true
	return id
}

// frame sets the conference's first and last day: from the listed days
// and the days the sessions run on. A document that would span more than
// schedule.MaxDays keeps the sessions that end within that many days of
// its first session's day and reports the others.
func (p *parser) frame() {
	c := &p.conf
	span := func(x agenda.Session) (agenda.Date, agenda.Date) {
		return c.DayOf(x.Start, p.loc), c.DayOf(x.End.Add(-time.Nanosecond), p.loc)
	}
	first, last := span(p.events[0].x)
	for _, k := range p.events {
		a, b := span(k.x)
		first, last = schedule.MinDate(first, a), schedule.MaxDate(last, b)
	}
	sessionsFirst := first
	for _, d := range p.spans {
		first, last = schedule.MinDate(first, d), schedule.MaxDate(last, d)
	}
	if schedule.DaysBetween(first, last) >= schedule.MaxDays {
		first = sessionsFirst
		limit := first.AddDays(schedule.MaxDays - 1)
		last = first
		all := p.events
		p.events = nil
		for _, k := range all {
			if _, b := span(k.x); limit.Before(b) {
				p.report(k.line, "event %q ends on conference day %s, more than %d days after the first event's; skipped", clip(k.x.Title), b, schedule.MaxDays)
				continue
			}
			p.events = append(p.events, k)
		}
		for _, k := range p.events {
			_, b := span(k.x)
			last = schedule.MaxDate(last, b)
		}
		for _, d := range p.spans {
			if !d.Before(first) && !limit.Before(d) {
				last = schedule.MaxDate(last, d)
			}
		}
	}
	c.First, c.Last = first, last
}

// misfits reports the events that, by their own <date>, do not belong to
// the day they are listed under (kept at their date: it is the instant).
func (p *parser) misfits() {
	for _, k := range p.events {
		if k.l.at.IsZero() || !k.l.day.dated {
			continue
		}
		if d := p.conf.DayOf(k.x.Start, p.loc); d != k.l.day.date {
			p.report(k.line, "event %q is listed under %s but starts %s, on conference day %s (day change %s); kept at its <date>",
				clip(k.x.Title), k.l.day.date, k.x.Start.Format(time.RFC3339), d, schedule.Clock(p.conf.DayChange))
		}
	}
}

// fit cuts s to max characters, reporting it.
func (p *parser) fit(line int, what, s string, max int) string {
	out, cut := formats.Fit(s, max)
	if cut {
		p.report(line, "%s of %d characters cut to %d", what, len([]rune(s)), max)
	}
	return out
}

// clip shortens text quoted in a report.
func clip(s string) string {
	s = schedule.OneLine(s)
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// parseDate reads YYYY-MM-DD, refusing years no conference schedule has
// (they would not survive an export's xs:date).
func parseDate(s string) (agenda.Date, bool) {
	d, err := agenda.ParseDate(strings.TrimSpace(s))
	if err != nil || d.Year < 1900 || d.Year > 2999 {
		return agenda.Date{}, false
	}
	return d, true
}

// parseInstant reads a date and time: with an offset it is that instant,
// without one a wall time in loc, read as schedule.Local reads it (note
// says how when the clocks skip it or show it twice).
func parseInstant(s string, loc *time.Location) (t time.Time, note string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "", false
	}
	// With an offset first; fractions of seconds are accepted by
	// time.Parse anyway.
	for _, layout := range []string{
		"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05-0700", "2006-01-02T15:04-0700",
		"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00", "2006-01-02 15:04:05-0700", "2006-01-02 15:04-0700",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, "", t.Year() >= 1900 && t.Year() <= 2999
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if wall, err := time.Parse(layout, s); err == nil {
			t, note := schedule.Local(wall, loc)
			return t, note, t.Year() >= 1900 && t.Year() <= 2999
		}
	}
	return time.Time{}, "", false
}

// parseClock reads [H]H:MM or [H]H:MM:SS (a <start>, <duration> or
// <day_change>) as a duration; hours may exceed 23 (durations, starts
// written past midnight) up to schedule.MaxDays days.
func parseClock(s string) (time.Duration, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var v [3]int
	for i, f := range parts {
		if f == "" || len(f) > 4 || i > 0 && len(f) != 2 {
			return 0, false
		}
		for _, c := range f {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		v[i], _ = strconv.Atoi(f)
	}
	if v[1] > 59 || v[2] > 59 || v[0] > schedule.MaxDays*24 {
		return 0, false
	}
	return time.Duration(v[0])*time.Hour + time.Duration(v[1])*time.Minute + time.Duration(v[2])*time.Second, true
}

// timeOfDay is t's wall time as a duration from midnight.
func timeOfDay(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

package ics

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"

	goical "github.com/emersion/go-ical"
)

// Sniff reports whether data looks like an iCalendar file: after a
// byte-order mark and blank lines it begins with BEGIN:VCALENDAR.
func Sniff(data []byte) bool {
	if len(data) > 4096 {
		data = data[:4096]
	}
	data = bytes.TrimLeft(toUTF8(data), " \t\r\n")
	const begin = "BEGIN:VCALENDAR"
	return len(data) >= len(begin) && strings.EqualFold(string(data[:len(begin)]), begin)
}

// parser holds the state of one Parse call. Its Drafts' Loc is the
// conference's zone: floating times are in it.
type parser struct {
	schedule.Drafts
	opts  formats.Options
	zones zones
	uids  uids
}

// Parse imports an iCalendar file (see the package documentation for what
// it reads and repairs). It fails only when the document is not iCalendar,
// holds no usable event or names no time zone where one is needed; every
// event it skips or repairs is reported in the Result's Problems with the
// line of its BEGIN:VEVENT.
func Parse(data []byte, opts formats.Options) (formats.Result, error) {
	if opts.Name == "" {
		opts.Name = "calendar"
	}
	p := &parser{opts: opts, zones: zones{xlic: map[string]string{}, known: map[string]zoneAnswer{}}}
	p.Drafts = schedule.Drafts{Name: opts.Name, Now: schedule.Now(opts), Words: schedule.Words{
		Room:     "LOCATION %q is read as the room %q (the same ID, %q)",
		Track:    "category %q is read as the track %q (the same ID, %q)",
		Sessions: "events",
	}}

	raw, orphans := unfold(physical(toUTF8(data)))
	content, cp1252 := decode(raw)
	if len(cp1252) > 0 {
		p.Problemf(0, "%s not UTF-8: read as Windows-1252", schedule.Lines(cp1252))
	}
	if len(orphans) > 0 {
		p.Problemf(0, "%s indented (a folded line's continuation) with no line to continue, after an empty line or at the start of the file: dropped", schedule.Lines(orphans))
	}
	doc := p.split(content)
	if !doc.calendar && len(doc.events) == 0 {
		return formats.Result{}, fmt.Errorf("%s is not an iCalendar file: it has no BEGIN:VCALENDAR", opts.Name)
	}
	if !doc.calendar {
		p.Problemf(0, "no BEGIN:VCALENDAR around the events: read them anyway")
	}
	if doc.cut > 0 {
		// A calendar cut short (a download or a file still being
		// written): read up to the cut, a followed source's import would
		// cancel every session after it, and take the one cut through
		// for what is left of it.
		return formats.Result{}, fmt.Errorf("%s:%d: the calendar ends here, before its END:VCALENDAR (cut short?); nothing is imported, as the part before this line alone would cancel every session after it", opts.Name, doc.cut)
	}
	cal, err := decodeCalendar(doc)
	if err != nil {
		// contentLine lets through only lines go-ical decodes, so this is
		// a gap in that check, not a bad document: still read the events.
		p.Problemf(0, "the calendar's own properties cannot be read (%v): ignored", err)
		cal = goical.NewComponent(goical.CompCalendar)
	}
	for _, z := range cal.Children {
		if id := text(z.Props.Get(goical.PropTimezoneID)); id != "" {
			if x := text(z.Props.Get("X-LIC-LOCATION")); x != "" {
				p.zones.xlic[id] = x
			}
		}
	}
	var events []event
	for _, b := range doc.events {
		c, err := decodeEvent(b)
		if err != nil {
			p.Problemf(b.no, "the event cannot be read (%v): skipped", err)
			continue
		}
		events = append(events, event{no: b.no, c: c})
	}
	zoneName, err := p.calendarZone(cal, events)
	if err != nil {
		return formats.Result{}, err
	}
	var overridden bool
	if p.Loc, overridden, err = formats.Zone(opts, zoneName); err != nil {
		return formats.Result{}, err
	}
	if overridden {
		p.Problemf(0, "the calendar's time zone is %s; the conference's is %s as given", zoneName, p.Loc)
	}

	p.settleUIDs(cal, events)
	drafts := p.Window(p.sessions(events))
	if len(drafts) == 0 {
		return formats.Result{}, p.NoneUsable("event", len(doc.events))
	}
	conf := p.conference(cal)
	contents := p.Assemble(drafts, conf)
	return formats.Result{Contents: contents, Problems: p.Problems}, nil
}

// decodeCalendar decodes the calendar's own properties and its time zones'
// with go-ical.
func decodeCalendar(doc document) (*goical.Component, error) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\n")
	writeLines(&b, doc.props)
	for _, z := range doc.zones {
		b.WriteString("BEGIN:VTIMEZONE\r\n")
		writeLines(&b, z.lines)
		b.WriteString("END:VTIMEZONE\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	cal, err := goical.NewDecoder(strings.NewReader(b.String())).Decode()
	if err != nil {
		return nil, err
	}
	return cal.Component, nil
}

// decodeEvent decodes one VEVENT with go-ical, inside a calendar of its
// own: a VEVENT go-ical cannot read then costs only itself.
func decodeEvent(ev block) (*goical.Component, error) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n")
	writeLines(&b, ev.lines)
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	cal, err := goical.NewDecoder(strings.NewReader(b.String())).Decode()
	if err != nil {
		return nil, err
	}
	if len(cal.Children) != 1 {
		return nil, errors.New("not one VEVENT")
	}
	return cal.Children[0], nil
}

func writeLines(b *strings.Builder, lines []line) {
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteString("\r\n")
	}
}

// text returns a TEXT property's value unescaped, "" when it is absent.
func text(prop *goical.Prop) string {
	if prop == nil {
		return ""
	}
	s, err := prop.Text()
	if err != nil {
		// repairText leaves go-ical nothing to refuse; keep the raw value.
		return prop.Value
	}
	return s
}

// calendarZone returns the name of the zone the calendar names, "" when
// it names none: X-WR-TIMEZONE; else the zone most events start in
// (DTSTART's TZID; the first of them on a tie); else the first VTIMEZONE's
// TZID. Each is resolved as resolve does, and one that does not resolve
// is reported and passed over.
func (p *parser) calendarZone(cal *goical.Component, events []event) (string, error) {
	if x := strings.TrimSpace(text(cal.Props.Get("X-WR-TIMEZONE"))); x != "" {
		loc, err := p.zones.resolve(x)
		if err == nil {
			return loc.String(), nil
		}
		p.Problemf(0, "X-WR-TIMEZONE: %v: ignored", err)
	}
	count := map[string]int{}
	var order []string
	for _, ev := range events {
		start := ev.c.Props.Get(goical.PropDateTimeStart)
		if start == nil || strings.HasSuffix(strings.TrimSpace(start.Value), "Z") {
			continue
		}
		tzid := start.Params.Get(goical.ParamTimezoneID)
		if tzid == "" {
			continue
		}
		loc, err := p.zones.resolve(tzid)
		if err != nil {
			continue // reported with the event
		}
		if count[loc.String()] == 0 {
			order = append(order, loc.String())
		}
		count[loc.String()]++
	}
	best := ""
	for _, name := range order {
		if count[name] > count[best] {
			best = name
		}
	}
	if best != "" {
		return best, nil
	}
	for _, z := range cal.Children {
		id := text(z.Props.Get(goical.PropTimezoneID))
		if id == "" {
			continue
		}
		loc, err := p.zones.resolve(id)
		if err != nil {
			p.Problemf(0, "VTIMEZONE: %v: ignored", err)
			continue
		}
		return loc.String(), nil
	}
	return "", nil
}

// conference returns the conference the calendar describes, days and
// zone still to be set: its name from X-WR-CALNAME or NAME (else the file
// name), its description from X-WR-CALDESC or DESCRIPTION, its URL from
// URL (RFC 7986), its UID domain as settleUIDs chose it (the URL's host,
// else opts.UIDDomain, else the domain all the events' UIDs share), else
// the name's slug under ".invalid".
func (p *parser) conference(cal *goical.Component) agenda.Conference {
	props := cal.Props
	var c agenda.Conference
	c.Name = schedule.OneLine(cmp.Or(text(props.Get("X-WR-CALNAME")), text(props.Get(goical.PropName))))
	if c.Name == "" {
		c.Name = schedule.NamedAfter(p.opts.Name, "Imported calendar")
		if !p.opts.NameGiven {
			p.Problemf(0, "the calendar has no name (X-WR-CALNAME or NAME): the conference is named %q", schedule.Clip(c.Name))
		}
	}
	var cut bool
	if c.Name, cut = formats.Fit(c.Name, agenda.MaxConferenceNameLength); cut {
		p.Problemf(0, "the calendar's name is longer than %d characters: cut", agenda.MaxConferenceNameLength)
	}
	c.Description = schedule.OneLine(cmp.Or(text(props.Get("X-WR-CALDESC")), text(props.Get(goical.PropDescription))))
	if c.Description, cut = formats.Fit(c.Description, agenda.MaxDescriptionLength); cut {
		p.Problemf(0, "the calendar's description is longer than %d characters: cut", agenda.MaxDescriptionLength)
	}
	if u := props.Get(goical.PropURL); u != nil {
		if _, ok := webURL(u.Value); ok {
			c.URL = strings.TrimSpace(u.Value)
		} else {
			p.Problemf(0, "the calendar's URL %q is not an http(s) address: ignored", schedule.Clip(u.Value))
		}
	}
	c.UIDDomain = p.uids.domain
	if c.UIDDomain == "" {
		c.UIDDomain = cmp.Or(agenda.Slug(c.Name), "calendar") + ".invalid"
	}
	c.TimeZone = p.Loc.String()
	return c
}

// webURL reports whether s is an absolute http(s) URL and returns its
// host in lower case.
func webURL(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || strings.ContainsAny(s, " \t") {
		return "", false
	}
	return strings.ToLower(u.Hostname()), true
}

package ics

import (
	"strings"

	"confcal/formats/internal/schedule"
)

// document is a calendar cut into the parts the import reads, each part a
// list of content lines go-ical decodes without error.
type document struct {
	calendar bool    // a BEGIN:VCALENDAR was seen
	props    []line  // the calendars' own properties
	zones    []block // each VTIMEZONE's own properties (TZID, X-LIC-LOCATION)
	events   []block // each VEVENT's own properties
	// cut is the last line of a file that ends inside its VCALENDAR
	// (no END:VCALENDAR): a file cut short; 0 for one that does not.
	cut int
}

// block is one component: the line of its BEGIN and its own properties
// (those of components nested in it, such as a VALARM, left out).
type block struct {
	no    int
	lines []line
}

// split walks the content lines and sorts them into a document, repairing
// the structure as it goes: a VEVENT left open ends at the next BEGIN:VEVENT,
// at the END of a component around it or at the end of the file; a stray END
// is dropped; METHOD inside a VEVENT (which some tools copy from the
// calendar) is dropped. A line that is not a content line is joined, as a
// new line of text, to a SUMMARY, DESCRIPTION, LOCATION or COMMENT right
// before it (a tool that wrote a line break unescaped) unless it starts
// like a property, else dropped. Each repair is reported.
func (p *parser) split(lines []line) document {
	var doc document
	var stack []string // the open components, outermost first
	var ev, tz *block  // the open VEVENT and VTIMEZONE
	evDepth, tzDepth := 0, 0
	closeEvent := func() {
		doc.events = append(doc.events, *ev)
		ev = nil
	}
	closeZone := func() {
		doc.zones = append(doc.zones, *tz)
		tz = nil
	}
	for _, l := range lines {
		name, at, ok := contentLine(l.text)
		if !ok {
			p.badLine(ev, l)
			continue
		}
		value := strings.ToUpper(strings.TrimSpace(l.text[at:]))
		switch name {
		case "BEGIN":
			switch {
			case value == "VCALENDAR":
				if ev != nil {
					p.Problemf(ev.no, "no END:VEVENT before the next calendar at line %d: the event ends there", l.no)
					closeEvent()
				}
				if tz != nil {
					closeZone()
				}
				doc.calendar = true
				stack = append(stack[:0], value)
			case value == "VEVENT":
				if ev != nil {
					p.Problemf(ev.no, "no END:VEVENT before the BEGIN:VEVENT at line %d: the event ends there", l.no)
					closeEvent()
					stack = stack[:evDepth]
				}
				if tz != nil {
					closeZone()
					stack = stack[:tzDepth]
				}
				ev, evDepth = &block{no: l.no}, len(stack)
				stack = append(stack, value)
			default:
				if value == "VTIMEZONE" && ev == nil && tz == nil {
					tz, tzDepth = &block{no: l.no}, len(stack)
				}
				stack = append(stack, value)
			}
		case "END":
			k := len(stack) - 1
			for k >= 0 && stack[k] != value {
				k--
			}
			if k < 0 {
				p.Problemf(l.no, "END:%s ends no open component: dropped", schedule.Clip(value))
				continue
			}
			if ev != nil && k <= evDepth {
				if k < evDepth {
					p.Problemf(ev.no, "no END:VEVENT before the END:%s at line %d: the event ends there", value, l.no)
				}
				closeEvent()
			}
			if tz != nil && k <= tzDepth {
				closeZone()
			}
			stack = stack[:k]
		default:
			switch {
			case ev != nil && len(stack) == evDepth+1:
				if name != "METHOD" {
					ev.lines = append(ev.lines, p.repaired(name, at, l))
				}
			case ev != nil:
				// A component inside the event (VALARM): not the session's.
			case tz != nil && len(stack) == tzDepth+1:
				tz.lines = append(tz.lines, p.repaired(name, at, l))
			case len(stack) == 1 && stack[0] == "VCALENDAR":
				doc.props = append(doc.props, p.repaired(name, at, l))
			}
		}
	}
	if len(stack) > 0 && stack[0] == "VCALENDAR" && len(lines) > 0 {
		doc.cut = lines[len(lines)-1].no
	}
	if ev != nil {
		p.Problemf(ev.no, "no END:VEVENT before the end of the file: the event ends there")
		closeEvent()
	}
	if tz != nil {
		closeZone()
	}
	return doc
}

// badLine repairs or drops l, which is not a content line. A line that
// starts like a property (a name, then ";" or ":") is a broken property
// and dropped; other text right after a text property continues it.
func (p *parser) badLine(ev *block, l line) {
	i := nameEnd(l.text, 0)
	property := i > 0 && i < len(l.text) && (l.text[i] == ';' || l.text[i] == ':')
	if ev != nil && len(ev.lines) > 0 && !property {
		last := &ev.lines[len(ev.lines)-1]
		name, _, _ := contentLine(last.text)
		switch name {
		case "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT":
			last.text += `\n` + repairText(l.text, false)
			p.Problemf(l.no, "not a content line (no property name and colon): read as a new line of the %s above it", name)
			return
		}
	}
	p.Problemf(l.no, "not a content line (no property name and colon): dropped")
}

// repaired returns l with its TEXT value repaired for go-ical (see
// repairText).
func (p *parser) repaired(name string, at int, l line) line {
	if text, list := textKind(name); text {
		l.text = l.text[:at] + repairText(l.text[at:], list)
	}
	return l
}

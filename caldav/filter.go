package caldav

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// This file decodes the filter of a calendar-query (RFC 4791 §9.7). It is
// decoded here, from the tokens, rather than by go-webdav, whose decoder
// is reachable only through its handler (which then encodes every match
// with go-ical) and drops what it does not know: a collation, or an
// element of a later extension, would silently change the answer. Here
// anything the matcher cannot honour is refused with 403 and the CalDAV
// precondition that names it (RFC 4791 §7.7), never answered wrongly.

// compFilter is a CALDAV:comp-filter: the component named must exist
// (or, with notDefined, must not) and pass every condition inside.
type compFilter struct {
	name       string // upper case
	notDefined bool
	timeRange  *span
	props      []propFilter
	comps      []compFilter
}

// propFilter is a CALDAV:prop-filter (§9.7.2).
type propFilter struct {
	name       string // upper case
	notDefined bool
	timeRange  *span
	text       *textMatch
	params     []paramFilter
}

// paramFilter is a CALDAV:param-filter (§9.7.3).
type paramFilter struct {
	name       string // upper case
	notDefined bool
	text       *textMatch
}

// textMatch is a CALDAV:text-match (§9.7.5): a substring match, negated
// or not, in one of the two collations every server must support
// (§7.5.1): i;ascii-casemap (the default, ASCII letters compared without
// case) or i;octet (byte for byte).
type textMatch struct {
	text   string
	octet  bool
	negate bool
}

// filterError is a filter the server refuses: 400 for one that breaks
// the syntax of RFC 4791 §9.7, 403 with a CalDAV precondition for one
// that is well formed but invalid (valid-filter) or asks for what this
// server does not do (supported-filter, supported-collation).
type filterError struct {
	status int
	cond   string // CalDAV precondition element, for 403
	msg    string
}

func (e *filterError) Error() string { return "calendar-query filter: " + e.msg }

func malformedFilter(format string, a ...any) error {
	return &filterError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

func invalidFilter(format string, a ...any) error {
	return &filterError{status: http.StatusForbidden, cond: "valid-filter", msg: fmt.Sprintf(format, a...)}
}

func unsupportedFilter(format string, a ...any) error {
	return &filterError{status: http.StatusForbidden, cond: "supported-filter", msg: fmt.Sprintf(format, a...)}
}

// maxFilterDepth bounds the nesting of comp-filters. iCalendar nests
// components three deep (VCALENDAR, VEVENT, VALARM); a deeper filter
// cannot match anything and only costs stack.
const maxFilterDepth = 8

// filter is a CALDAV:filter; decoding it checks it completely.
type filter struct{ comp compFilter }

func (f *filter) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	seen := false
	err := eachChild(d, func(child xml.StartElement) error {
		if child.Name != calName("comp-filter") {
			return otherChild(d, child, "filter")
		}
		if seen {
			return malformedFilter("more than one comp-filter in the filter")
		}
		seen = true
		var err error
		f.comp, err = decodeCompFilter(d, child, 1)
		return err
	})
	if err != nil {
		return err
	}
	if !seen {
		return malformedFilter("the filter holds no comp-filter")
	}
	return f.check()
}

// check applies the rules of RFC 4791 §9.7 that the syntax does not
// (precondition CALDAV:valid-filter): the outer comp-filter names
// VCALENDAR and has no time range.
func (f *filter) check() error {
	if f.comp.name != "VCALENDAR" {
		return invalidFilter("the outermost comp-filter must name VCALENDAR, not %q", f.comp.name)
	}
	if f.comp.notDefined {
		return invalidFilter("a calendar object always has a VCALENDAR; is-not-defined on it matches nothing")
	}
	if f.comp.timeRange != nil {
		return invalidFilter("a time-range cannot apply to VCALENDAR")
	}
	return nil
}

func calName(local string) xml.Name { return xml.Name{Space: nsCalDAV, Local: local} }

// eachChild calls fn for every child element of the element just opened,
// up to its end; fn must consume the child whole. Text between children
// is ignored.
func eachChild(d *xml.Decoder, fn func(xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// otherChild deals with an element the filter grammar does not have at
// this place: a CalDAV one is refused (it means something this decoder
// does not know, or is misplaced), one of another namespace is an
// extension and skipped (RFC 4918 §17).
func otherChild(d *xml.Decoder, child xml.StartElement, in string) error {
	if child.Name.Space == nsCalDAV {
		return unsupportedFilter("unsupported element %s in %s", child.Name.Local, in)
	}
	return d.Skip()
}

// nameAttr returns the name attribute of a filter element, upper-cased
// (iCalendar names are case-insensitive).
func nameAttr(start xml.StartElement) (string, error) {
	for _, a := range start.Attr {
		if a.Name.Space == "" && a.Name.Local == "name" {
			if n := strings.TrimSpace(a.Value); n != "" {
				return strings.ToUpper(n), nil
			}
		}
	}
	return "", malformedFilter("%s without a name", start.Name.Local)
}

func decodeCompFilter(d *xml.Decoder, start xml.StartElement, depth int) (compFilter, error) {
	if depth > maxFilterDepth {
		return compFilter{}, unsupportedFilter("comp-filters nested deeper than %d", maxFilterDepth)
	}
	var f compFilter
	var err error
	if f.name, err = nameAttr(start); err != nil {
		return f, err
	}
	err = eachChild(d, func(child xml.StartElement) error {
		switch child.Name {
		case calName("is-not-defined"):
			f.notDefined = true
			return d.Skip()
		case calName("time-range"):
			if f.timeRange != nil {
				return malformedFilter("comp-filter %s has two time-ranges", f.name)
			}
			var err error
			f.timeRange, err = decodeTimeRange(d, child)
			return err
		case calName("prop-filter"):
			p, err := decodePropFilter(d, child)
			f.props = append(f.props, p)
			return err
		case calName("comp-filter"):
			c, err := decodeCompFilter(d, child, depth+1)
			f.comps = append(f.comps, c)
			return err
		}
		return otherChild(d, child, "comp-filter")
	})
	if err == nil && f.notDefined && (f.timeRange != nil || len(f.props) > 0 || len(f.comps) > 0) {
		err = malformedFilter("comp-filter %s: is-not-defined cannot be combined with other conditions", f.name)
	}
	return f, err
}

func decodePropFilter(d *xml.Decoder, start xml.StartElement) (propFilter, error) {
	var f propFilter
	var err error
	if f.name, err = nameAttr(start); err != nil {
		return f, err
	}
	err = eachChild(d, func(child xml.StartElement) error {
		var err error
		switch child.Name {
		case calName("is-not-defined"):
			f.notDefined = true
			return d.Skip()
		case calName("time-range"):
			if f.timeRange != nil {
				return malformedFilter("prop-filter %s has two time-ranges", f.name)
			}
			f.timeRange, err = decodeTimeRange(d, child)
			return err
		case calName("text-match"):
			if f.text != nil {
				return malformedFilter("prop-filter %s has two text-matches", f.name)
			}
			f.text, err = decodeTextMatch(d, child)
			return err
		case calName("param-filter"):
			p, err := decodeParamFilter(d, child)
			f.params = append(f.params, p)
			return err
		}
		return otherChild(d, child, "prop-filter")
	})
	if err == nil && f.notDefined && (f.timeRange != nil || f.text != nil || len(f.params) > 0) {
		err = malformedFilter("prop-filter %s: is-not-defined cannot be combined with other conditions", f.name)
	}
	return f, err
}

func decodeParamFilter(d *xml.Decoder, start xml.StartElement) (paramFilter, error) {
	var f paramFilter
	var err error
	if f.name, err = nameAttr(start); err != nil {
		return f, err
	}
	err = eachChild(d, func(child xml.StartElement) error {
		switch child.Name {
		case calName("is-not-defined"):
			f.notDefined = true
			return d.Skip()
		case calName("text-match"):
			if f.text != nil {
				return malformedFilter("param-filter %s has two text-matches", f.name)
			}
			var err error
			f.text, err = decodeTextMatch(d, child)
			return err
		}
		return otherChild(d, child, "param-filter")
	})
	if err == nil && f.notDefined && f.text != nil {
		err = malformedFilter("param-filter %s: is-not-defined cannot be combined with text-match", f.name)
	}
	return f, err
}

// utcLayout is the "date with UTC time" form of time-range attributes
// (RFC 4791 §9.9, RFC 5545 §3.3.5 form #2).
const utcLayout = "20060102T150405Z"

// decodeTimeRange reads a CALDAV:time-range: start and end are each
// optional (an open end), but the range must not be empty.
func decodeTimeRange(d *xml.Decoder, start xml.StartElement) (*span, error) {
	var s span
	for _, a := range start.Attr {
		if a.Name.Space != "" || a.Name.Local != "start" && a.Name.Local != "end" {
			continue
		}
		t, err := time.Parse(utcLayout, strings.TrimSpace(a.Value))
		if err != nil {
			return nil, malformedFilter("time-range %s %q is not a UTC date-time like 20191008T000000Z", a.Name.Local, a.Value)
		}
		if a.Name.Local == "start" {
			s.start = t
		} else {
			s.end = t
		}
	}
	if !s.start.IsZero() && !s.end.IsZero() && !s.end.After(s.start) {
		return nil, invalidFilter("time-range ends (%s) before or when it starts (%s)", s.end.Format(utcLayout), s.start.Format(utcLayout))
	}
	return &s, d.Skip()
}

// decodeTextMatch reads a CALDAV:text-match with its attributes.
func decodeTextMatch(d *xml.Decoder, start xml.StartElement) (*textMatch, error) {
	var m textMatch
	for _, a := range start.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "collation":
			switch a.Value {
			case "i;ascii-casemap":
			case "i;octet":
				m.octet = true
			default:
				return nil, &filterError{status: http.StatusForbidden, cond: "supported-collation",
					msg: fmt.Sprintf("collation %q is not supported (i;ascii-casemap and i;octet are)", a.Value)}
			}
		case "negate-condition":
			switch a.Value {
			case "yes":
				m.negate = true
			case "no":
			default:
				return nil, malformedFilter("negate-condition %q is neither yes nor no", a.Value)
			}
		}
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			return nil, malformedFilter("text-match holds an element (%s)", t.Name.Local)
		case xml.EndElement:
			m.text = text.String()
			return &m, nil
		}
	}
}

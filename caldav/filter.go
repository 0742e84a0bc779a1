package caldav

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gocaldav "github.com/emersion/go-webdav/caldav"
)

// This file decodes the filter of a calendar-query (RFC 4791 §9.7). It is
// decoded here, from the tokens, rather than by go-webdav, whose decoder
// is reachable only through its handler (which then encodes every match
// with go-ical) and drops what it does not know: a collation, or an
// element of a later extension, would silently change the answer. Here
// anything the matcher cannot honour is refused with 403 and the CalDAV
// precondition that names it (RFC 4791 §7.7), never answered wrongly.

// The decoded filter is go-webdav's own model (gocaldav.CompFilter,
// PropFilter, ParamFilter, TextMatch), which match.go evaluates. Names are
// upper-cased (iCalendar names are case-insensitive; go-webdav compares
// component names as they are). A time range is the Start and End of a
// CompFilter or PropFilter, a zero time being an open end; a filter has a
// time range when either is set, since RFC 4791 §9.9 requires at least
// one of the two attributes. The model lacks one thing, filled from our
// side: gocaldav.TextMatch has no collation, so filter.needles records,
// for each text-match, the string values are searched for in its
// collation.

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

// maxFilterElements bounds the elements of a filter (comp-filter,
// prop-filter, param-filter, time-range, text-match, is-not-defined).
// Each is evaluated against every object of the calendar, so a filter of
// thousands of conditions would cost thousands of times the work of the
// query it dresses up. The filters clients send have two to five.
const maxFilterElements = 64

// filter is a CALDAV:filter; decoding it checks it completely.
type filter struct {
	// elements counts the elements decoded so far, up to
	// maxFilterElements.
	elements int

	comp gocaldav.CompFilter
	// needles holds, for each text-match of comp, what values are
	// searched for: its text as given in collation i;octet, ASCII
	// lower-cased in i;ascii-casemap (folded once here, not once per
	// value). gocaldav.TextMatch has no field for the collation.
	needles map[*gocaldav.TextMatch]needle
}

// needle is a text-match's text in its collation (RFC 4791 §7.5).
type needle struct {
	text  string
	octet bool // i;octet: compared byte for byte; else i;ascii-casemap
}

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
		if err := f.count(); err != nil {
			return err
		}
		var err error
		f.comp, err = f.decodeCompFilter(d, child, 1)
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
	if f.comp.Name != "VCALENDAR" {
		return invalidFilter("the outermost comp-filter must name VCALENDAR, not %q", f.comp.Name)
	}
	if f.comp.IsNotDefined {
		return invalidFilter("a calendar object always has a VCALENDAR; is-not-defined on it matches nothing")
	}
	if hasTimeRange(f.comp.Start, f.comp.End) {
		return invalidFilter("a time-range cannot apply to VCALENDAR")
	}
	return nil
}

func calName(local string) xml.Name { return xml.Name{Space: nsCalDAV, Local: local} }

// count counts one more element of the filter, refusing one over
// maxFilterElements.
func (f *filter) count() error {
	if f.elements++; f.elements > maxFilterElements {
		return unsupportedFilter("more than %d elements in the filter", maxFilterElements)
	}
	return nil
}

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

func (f *filter) decodeCompFilter(d *xml.Decoder, start xml.StartElement, depth int) (gocaldav.CompFilter, error) {
	if depth > maxFilterDepth {
		return gocaldav.CompFilter{}, unsupportedFilter("comp-filters nested deeper than %d", maxFilterDepth)
	}
	var c gocaldav.CompFilter
	var err error
	if c.Name, err = nameAttr(start); err != nil {
		return c, err
	}
	hasRange := false
	err = eachChild(d, func(child xml.StartElement) error {
		if err := f.count(); err != nil {
			return err
		}
		switch child.Name {
		case calName("is-not-defined"):
			c.IsNotDefined = true
			return d.Skip()
		case calName("time-range"):
			if hasRange {
				return malformedFilter("comp-filter %s has two time-ranges", c.Name)
			}
			hasRange = true
			var err error
			c.Start, c.End, err = decodeTimeRange(d, child)
			return err
		case calName("prop-filter"):
			p, err := f.decodePropFilter(d, child)
			c.Props = append(c.Props, p)
			return err
		case calName("comp-filter"):
			sub, err := f.decodeCompFilter(d, child, depth+1)
			c.Comps = append(c.Comps, sub)
			return err
		}
		return otherChild(d, child, "comp-filter")
	})
	if err == nil && c.IsNotDefined && (hasRange || len(c.Props) > 0 || len(c.Comps) > 0) {
		err = malformedFilter("comp-filter %s: is-not-defined cannot be combined with other conditions", c.Name)
	}
	return c, err
}

func (f *filter) decodePropFilter(d *xml.Decoder, start xml.StartElement) (gocaldav.PropFilter, error) {
	var p gocaldav.PropFilter
	var err error
	if p.Name, err = nameAttr(start); err != nil {
		return p, err
	}
	hasRange := false
	err = eachChild(d, func(child xml.StartElement) error {
		if err := f.count(); err != nil {
			return err
		}
		var err error
		switch child.Name {
		case calName("is-not-defined"):
			p.IsNotDefined = true
			return d.Skip()
		case calName("time-range"):
			if hasRange {
				return malformedFilter("prop-filter %s has two time-ranges", p.Name)
			}
			hasRange = true
			p.Start, p.End, err = decodeTimeRange(d, child)
			return err
		case calName("text-match"):
			if p.TextMatch != nil {
				return malformedFilter("prop-filter %s has two text-matches", p.Name)
			}
			p.TextMatch, err = f.decodeTextMatch(d, child)
			return err
		case calName("param-filter"):
			pf, err := f.decodeParamFilter(d, child)
			p.ParamFilter = append(p.ParamFilter, pf)
			return err
		}
		return otherChild(d, child, "prop-filter")
	})
	if err == nil && p.IsNotDefined && (hasRange || p.TextMatch != nil || len(p.ParamFilter) > 0) {
		err = malformedFilter("prop-filter %s: is-not-defined cannot be combined with other conditions", p.Name)
	}
	return p, err
}

func (f *filter) decodeParamFilter(d *xml.Decoder, start xml.StartElement) (gocaldav.ParamFilter, error) {
	var p gocaldav.ParamFilter
	var err error
	if p.Name, err = nameAttr(start); err != nil {
		return p, err
	}
	err = eachChild(d, func(child xml.StartElement) error {
		if err := f.count(); err != nil {
			return err
		}
		switch child.Name {
		case calName("is-not-defined"):
			p.IsNotDefined = true
			return d.Skip()
		case calName("text-match"):
			if p.TextMatch != nil {
				return malformedFilter("param-filter %s has two text-matches", p.Name)
			}
			var err error
			p.TextMatch, err = f.decodeTextMatch(d, child)
			return err
		}
		return otherChild(d, child, "param-filter")
	})
	if err == nil && p.IsNotDefined && p.TextMatch != nil {
		err = malformedFilter("param-filter %s: is-not-defined cannot be combined with text-match", p.Name)
	}
	return p, err
}

// utcLayout is the "date with UTC time" form of time-range attributes
// (RFC 4791 §9.9, RFC 5545 §3.3.5 form #2).
const utcLayout = "20060102T150405Z"

// decodeTimeRange reads a CALDAV:time-range: start and end are each
// optional (a zero time is an open end), but at least one must be given
// (RFC 4791 §9.9) and the range must not be empty.
func decodeTimeRange(d *xml.Decoder, start xml.StartElement) (from, to time.Time, err error) {
	for _, a := range start.Attr {
		if a.Name.Space != "" || a.Name.Local != "start" && a.Name.Local != "end" {
			continue
		}
		t, err := time.Parse(utcLayout, strings.TrimSpace(a.Value))
		if err != nil {
			return from, to, malformedFilter("time-range %s %q is not a UTC date-time like 20191008T000000Z", a.Name.Local, a.Value)
		}
		if a.Name.Local == "start" {
			from = t
		} else {
			to = t
		}
	}
	if !hasTimeRange(from, to) {
		return from, to, malformedFilter("time-range has neither start nor end")
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return from, to, invalidFilter("time-range ends (%s) before or when it starts (%s)", to.Format(utcLayout), from.Format(utcLayout))
	}
	return from, to, d.Skip()
}

// plainRange reads a range outside a filter (free-busy-query's
// time-range, calendar-data's expand) as decodeTimeRange does, its errors
// plain ones (400) without the calendar-query wording: those elements have
// no CALDAV:valid-filter precondition to name.
func plainRange(d *xml.Decoder, start xml.StartElement) (span, error) {
	from, to, err := decodeTimeRange(d, start)
	var fe *filterError
	if errors.As(err, &fe) {
		return span{}, errors.New(fe.msg)
	}
	return span{start: from, end: to}, err
}

// hasTimeRange reports whether a filter's Start and End hold a time range.
func hasTimeRange(start, end time.Time) bool { return !start.IsZero() || !end.IsZero() }

// decodeTextMatch reads a CALDAV:text-match with its attributes, and
// records its needle in f.needles.
func (f *filter) decodeTextMatch(d *xml.Decoder, start xml.StartElement) (*gocaldav.TextMatch, error) {
	var m gocaldav.TextMatch
	octet := false
	for _, a := range start.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "collation":
			switch a.Value {
			case "i;ascii-casemap":
			case "i;octet":
				octet = true
			default:
				return nil, &filterError{status: http.StatusForbidden, cond: "supported-collation",
					msg: fmt.Sprintf("collation %q is not supported (i;ascii-casemap and i;octet are)", a.Value)}
			}
		case "negate-condition":
			switch a.Value {
			case "yes":
				m.NegateCondition = true
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
			m.Text = text.String()
			n := needle{text: m.Text, octet: octet}
			if !octet {
				n.text = asciiFold(m.Text)
			}
			if f.needles == nil {
				f.needles = make(map[*gocaldav.TextMatch]needle)
			}
			f.needles[&m] = n
			return &m, nil
		}
	}
}

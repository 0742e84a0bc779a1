package caldav

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"confcal/agenda"

	goical "github.com/emersion/go-ical"
	gocaldav "github.com/emersion/go-webdav/caldav"
)

// This file evaluates calendar-query filters (RFC 4791 §9.7), with one
// matcher. Time ranges are half-open, [start, end), either end may be
// missing (−∞ or +∞), and an event overlaps one exactly as RFC 4791 §9.9
// says.
//
// Our objects are the agenda's sessions: one VEVENT each with DTSTART
// and DTEND, never recurring (no RRULE or RDATE), so recurrence expansion
// is not needed; DURATION and all-day (DATE) values are still handled as
// §9.9 says, so the matcher is right for any VEVENT without recurrence.
// Since each object is one VEVENT whose span is known from its session,
// the matcher answers "is there a VEVENT" and a time range on it without
// reading the object, and parses it (once per rendering, see
// object.calendar) only for a condition that looks inside: a prop-filter,
// a param-filter, or a component other than that VEVENT. The filters
// clients send (VCALENDAR > VEVENT > time-range) never parse.
//
// go-webdav's own gocaldav.Match (v0.7.0) is not used: it departs from
// RFC 4791 in every condition beyond "this component or property exists"
// (TestWebdavMatch lists cases):
//
//   - time ranges: it ignores a range with only an end, and its strict
//     comparisons miss an event equal to the range, one starting at the
//     range's start, and a DATE-TIME property at the range's start;
//   - comp-filter is-not-defined: true whenever the parent has any child;
//   - prop-filter is-not-defined: true when the property exists;
//   - several instances of a property or values of a parameter: it looks
//     only at the first, and counts a parameter with an empty value as
//     missing;
//   - text-match: it compares byte for byte against the raw value, so the
//     default collation i;ascii-casemap (RFC 4791 §7.5.1) and TEXT
//     escapes ("\,") are not honoured, and a time range on a prop-filter
//     makes it skip the text-match;
//
// and it reads every object parsed, which the common queries never need.

// span is a half-open time range [start, end); a zero start is −∞ and a
// zero end +∞.
type span struct{ start, end time.Time }

// endsAfter reports end > t.
func (s span) endsAfter(t time.Time) bool { return s.end.IsZero() || s.end.After(t) }

// startsBefore reports start < t.
func (s span) startsBefore(t time.Time) bool { return s.start.IsZero() || s.start.Before(t) }

// startsNotAfter reports start <= t.
func (s span) startsNotAfter(t time.Time) bool { return s.start.IsZero() || !s.start.After(t) }

// overlapsEvent reports whether range s overlaps an event from start to
// end, per the "DTEND present" row of RFC 4791 §9.9.
func (s span) overlapsEvent(start, end time.Time) bool {
	return s.startsBefore(end) && s.endsAfter(start)
}

// rangeOf is the time range of a filter's Start and End; ok is false
// when it has none.
func rangeOf(start, end time.Time) (s span, ok bool) {
	return span{start: start, end: end}, hasTimeRange(start, end)
}

// matches reports whether object o passes f; loc is the calendar's zone.
func (f *filter) matches(o *object, loc *time.Location) (bool, error) {
	m := f.matcher(loc)
	m.event, m.obj = &o.span, o
	ok, err := m.calendar(&f.comp)
	if err != nil {
		return false, fmt.Errorf("caldav: object %s: %w", o.id, err)
	}
	return ok, nil
}

// matcher returns a matcher of f, to be given what it knows of the
// object.
func (f *filter) matcher(loc *time.Location) matcher {
	return matcher{loc: loc, needles: f.needles}
}

// matcher evaluates a filter on one object: from its VEVENT's span when
// that is known and enough, else from the object parsed.
type matcher struct {
	// loc is the zone floating times and dates are read in (the
	// calendar's zone, RFC 4791 §9.9).
	loc *time.Location
	// needles is filter.needles.
	needles map[*gocaldav.TextMatch]needle
	// event, when set, is the span of the object's one VEVENT, known from
	// its session.
	event *span
	// obj is the object, parsed (object.calendar) on the first condition
	// that needs it; cal is the object parsed, when given or once parsed.
	obj *object
	cal *goical.Calendar
}

// errNotParsed is a condition that needs the object parsed, asked of a
// matcher that knows only its span.
var errNotParsed = errors.New("the filter needs the object, and the matcher has only its span")

// parsed returns the object parsed, parsing it on first use.
func (m *matcher) parsed() (*goical.Component, error) {
	if m.cal == nil {
		if m.obj == nil {
			return nil, errNotParsed
		}
		cal, err := m.obj.calendar()
		if err != nil {
			return nil, err
		}
		m.cal = cal
	}
	return m.cal.Component, nil
}

// calendar applies f, the comp-filter naming VCALENDAR (filter.check
// makes sure), to the object.
func (m *matcher) calendar(f *gocaldav.CompFilter) (bool, error) {
	if m.event == nil {
		comp, err := m.parsed()
		if err != nil {
			return false, err
		}
		return m.comp(f, comp)
	}
	if len(f.Props) > 0 {
		comp, err := m.parsed()
		if err != nil {
			return false, err
		}
		if ok, err := m.props(f, comp); err != nil || !ok {
			return false, err
		}
	}
	for i := range f.Comps {
		c := &f.Comps[i]
		var ok bool
		var err error
		if strings.EqualFold(c.Name, goical.CompEvent) {
			ok, err = m.knownEvent(c)
		} else {
			var comp *goical.Component
			if comp, err = m.parsed(); err == nil {
				ok, err = m.child(c, comp)
			}
		}
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// knownEvent applies f, a comp-filter naming VEVENT, to the object's one
// VEVENT, whose span m.event is: it exists, and a time range is matched
// against the span; only conditions inside it need the object parsed.
func (m *matcher) knownEvent(f *gocaldav.CompFilter) (bool, error) {
	if f.IsNotDefined {
		return false, nil
	}
	if r, ok := rangeOf(f.Start, f.End); ok && !r.overlapsEvent(m.event.start, m.event.end) {
		return false, nil
	}
	if len(f.Props) == 0 && len(f.Comps) == 0 {
		return true, nil
	}
	cal, err := m.parsed()
	if err != nil {
		return false, err
	}
	for _, ev := range cal.Children {
		if strings.EqualFold(ev.Name, goical.CompEvent) {
			return m.inside(f, ev)
		}
	}
	return false, errors.New("the rendering has no VEVENT")
}

// comp tests the conditions of f on comp, a parsed component f names.
func (m *matcher) comp(f *gocaldav.CompFilter, comp *goical.Component) (bool, error) {
	if r, ok := rangeOf(f.Start, f.End); ok {
		ok, err := m.overlaps(comp, r)
		if err != nil || !ok {
			return false, err
		}
	}
	return m.inside(f, comp)
}

// inside tests the prop-filters and nested comp-filters of f on comp.
func (m *matcher) inside(f *gocaldav.CompFilter, comp *goical.Component) (bool, error) {
	if ok, err := m.props(f, comp); err != nil || !ok {
		return false, err
	}
	for i := range f.Comps {
		ok, err := m.child(&f.Comps[i], comp)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// props tests the prop-filters of f on comp.
func (m *matcher) props(f *gocaldav.CompFilter, comp *goical.Component) (bool, error) {
	for i := range f.Props {
		ok, err := m.prop(&f.Props[i], comp)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// child applies a nested comp-filter (RFC 4791 §9.7.1): with
// is-not-defined, parent must have no such component; otherwise one of
// them must match.
func (m *matcher) child(f *gocaldav.CompFilter, parent *goical.Component) (bool, error) {
	for _, child := range parent.Children {
		if !strings.EqualFold(child.Name, f.Name) {
			continue
		}
		if f.IsNotDefined {
			return false, nil
		}
		ok, err := m.comp(f, child)
		if err != nil || ok {
			return ok, err
		}
	}
	return f.IsNotDefined, nil
}

// overlaps applies a time-range to a parsed component. Only VEVENT is
// defined for our objects; time ranges on other components never match.
func (m *matcher) overlaps(comp *goical.Component, s span) (bool, error) {
	if !strings.EqualFold(comp.Name, goical.CompEvent) {
		return false, nil
	}
	return eventOverlaps(comp, s, m.loc)
}

// eventOverlaps is the VEVENT table of RFC 4791 §9.9:
//
//	DTEND present:                 start <  DTEND            AND end > DTSTART
//	DURATION > 0:                  start <  DTSTART+DURATION AND end > DTSTART
//	DURATION <= 0:                 start <= DTSTART          AND end > DTSTART
//	neither, DTSTART a DATE-TIME:  start <= DTSTART          AND end > DTSTART
//	neither, DTSTART a DATE:       start <  DTSTART+P1D      AND end > DTSTART
func eventOverlaps(ev *goical.Component, s span, loc *time.Location) (bool, error) {
	dtstart := ev.Props.Get(goical.PropDateTimeStart)
	if dtstart == nil {
		return false, errors.New("VEVENT without DTSTART")
	}
	start, err := propTime(dtstart, loc)
	if err != nil {
		return false, fmt.Errorf("VEVENT DTSTART: %w", err)
	}
	if dtend := ev.Props.Get(goical.PropDateTimeEnd); dtend != nil {
		end, err := propTime(dtend, loc)
		if err != nil {
			return false, fmt.Errorf("VEVENT DTEND: %w", err)
		}
		return s.overlapsEvent(start, end), nil
	}
	if dur := ev.Props.Get(goical.PropDuration); dur != nil {
		d, err := dur.Duration()
		if err != nil {
			return false, fmt.Errorf("VEVENT DURATION: %w", err)
		}
		if d > 0 {
			return s.startsBefore(start.Add(d)) && s.endsAfter(start), nil
		}
		return s.startsNotAfter(start) && s.endsAfter(start), nil
	}
	if dtstart.ValueType() == goical.ValueDate {
		return s.startsBefore(start.AddDate(0, 0, 1)) && s.endsAfter(start), nil
	}
	return s.startsNotAfter(start) && s.endsAfter(start), nil
}

// localTime is the form of a DATE-TIME with a TZID.
const localTime = "20060102T150405"

// propTime reads a DATE or DATE-TIME property; loc is the zone of
// floating values. go-ical's Prop.DateTime loads the TZID's zone from the
// zone database on every call (time.LoadLocation does not cache); our
// objects name the calendar's own zone, which is at hand.
func propTime(p *goical.Prop, loc *time.Location) (time.Time, error) {
	if tzid := p.Params.Get(goical.ParamTimezoneID); tzid != "" && tzid == loc.String() &&
		p.ValueType() == goical.ValueDateTime && len(p.Value) == len(localTime) {
		wall, err := time.Parse(localTime, p.Value)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: %w", p.Value, err)
		}
		// As clients read it (RFC 5545 §3.3.5), which ical wrote it for.
		t, _ := agenda.LocalTime(wall, loc)
		return t, nil
	}
	return p.DateTime(loc)
}

// prop applies a prop-filter (RFC 4791 §9.7.2): with is-not-defined the
// component must lack the property; otherwise one of its instances must
// pass the time range, text match and parameter filters.
func (m *matcher) prop(f *gocaldav.PropFilter, comp *goical.Component) (bool, error) {
	props := comp.Props.Values(f.Name)
	if f.IsNotDefined {
		return len(props) == 0, nil
	}
	for i := range props {
		if m.propValue(f, &props[i]) {
			return true, nil
		}
	}
	return false, nil
}

func (m *matcher) propValue(f *gocaldav.PropFilter, p *goical.Prop) bool {
	if r, ok := rangeOf(f.Start, f.End); ok {
		// RFC 4791 §9.9 for DTSTAMP, CREATED, LAST-MODIFIED and the like:
		// start <= value AND end > value.
		t, err := propTime(p, m.loc)
		if err != nil {
			return false // not a date: a time range cannot match it
		}
		if !r.startsNotAfter(t) || !r.endsAfter(t) {
			return false
		}
	}
	if f.TextMatch != nil && !m.textMatches(f.TextMatch, propText(p)) {
		return false
	}
	for i := range f.ParamFilter {
		if !m.param(&f.ParamFilter[i], p) {
			return false
		}
	}
	return true
}

// propText is the value a text-match compares with: unescaped for TEXT
// values.
func propText(p *goical.Prop) string {
	if p.ValueType() == goical.ValueText {
		if t, err := p.Text(); err == nil {
			return t
		}
	}
	return p.Value
}

// param applies a param-filter (RFC 4791 §9.7.3).
func (m *matcher) param(f *gocaldav.ParamFilter, p *goical.Prop) bool {
	values := p.Params.Values(f.Name)
	if f.IsNotDefined {
		return len(values) == 0
	}
	if f.TextMatch == nil {
		return len(values) > 0
	}
	for _, v := range values {
		if m.textMatches(f.TextMatch, v) {
			return true
		}
	}
	return false
}

// textMatches is the substring test of a text-match in its collation
// (its needle).
func (m *matcher) textMatches(t *gocaldav.TextMatch, value string) bool {
	n := m.needles[t]
	if !n.octet {
		value = asciiFold(value)
	}
	return strings.Contains(value, n.text) != t.NegateCondition
}

func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

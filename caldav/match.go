package caldav

import (
	"errors"
	"fmt"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
)

// This file evaluates calendar-query filters (RFC 4791 §9.7). Time ranges
// are half-open, [start, end), either end may be missing (−∞ or +∞), and
// an event overlaps one exactly as RFC 4791 §9.9 says (go-webdav's own
// gocaldav.Filter gets the boundaries wrong: an event filling the range or
// starting at its start did not match, a range with only an end was
// ignored).
//
// Two paths give the same answers:
//
//   - the filters clients send (VCALENDAR holding VEVENT comp-filters with
//     at most a time range, or is-not-defined) are answered from each
//     object's span, which comes from its session: no parsing at all;
//   - any other filter (prop-filters, text matches, other components) is
//     evaluated on the object parsed by go-ical, parsed once per rendering.
//
// The objects are the agenda's sessions: one VEVENT each with DTSTART and
// DTEND, never recurring (no RRULE or RDATE), so recurrence expansion is
// not needed; DURATION and all-day (DATE) values are still handled as
// §9.9 says, so the general matcher is right for any VEVENT without
// recurrence.

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

// eventsOnly reports whether f can be answered from the objects' spans:
// every condition below VCALENDAR is a VEVENT comp-filter with nothing but
// a time range or is-not-defined in it.
func (f *filter) eventsOnly() bool {
	if len(f.comp.props) > 0 {
		return false
	}
	for _, c := range f.comp.comps {
		if c.name != goical.CompEvent || len(c.props) > 0 || len(c.comps) > 0 {
			return false
		}
	}
	return true
}

// matchSpan answers an eventsOnly filter for an object with one VEVENT
// from ev.start to ev.end.
func (f *filter) matchSpan(ev span) bool {
	for _, c := range f.comp.comps {
		switch {
		case c.notDefined:
			return false
		case c.timeRange != nil && !c.timeRange.overlapsEvent(ev.start, ev.end):
			return false
		}
	}
	return true
}

// matches reports whether object o passes f.
func (f *filter) matches(o *object, loc *time.Location) (bool, error) {
	if f.eventsOnly() {
		return f.matchSpan(o.span), nil
	}
	cal, err := o.calendar()
	if err != nil {
		return false, err
	}
	m := matcher{loc: loc, event: &o.span}
	ok, err := m.comp(&f.comp, cal.Component)
	if err != nil {
		return false, fmt.Errorf("caldav: object %s: %w", o.id, err)
	}
	return ok, nil
}

// matcher evaluates filters on parsed components.
type matcher struct {
	// loc is the zone floating times and dates are read in (the
	// calendar's zone, RFC 4791 §9.9).
	loc *time.Location
	// event, when set, is the span of the one VEVENT of the object, known
	// from its session; nil means read it from DTSTART and DTEND.
	event *span
}

// comp tests the conditions of f on comp, a component f names.
func (m matcher) comp(f *compFilter, comp *goical.Component) (bool, error) {
	if f.timeRange != nil {
		ok, err := m.overlaps(comp, *f.timeRange)
		if err != nil || !ok {
			return false, err
		}
	}
	for i := range f.props {
		ok, err := m.prop(&f.props[i], comp)
		if err != nil || !ok {
			return false, err
		}
	}
	for i := range f.comps {
		ok, err := m.child(&f.comps[i], comp)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// child applies a nested comp-filter (RFC 4791 §9.7.1): with
// is-not-defined, parent must have no such component; otherwise one of
// them must match.
func (m matcher) child(f *compFilter, parent *goical.Component) (bool, error) {
	for _, child := range parent.Children {
		if !strings.EqualFold(child.Name, f.name) {
			continue
		}
		if f.notDefined {
			return false, nil
		}
		ok, err := m.comp(f, child)
		if err != nil || ok {
			return ok, err
		}
	}
	return f.notDefined, nil
}

// overlaps applies a time-range to a component. Only VEVENT is defined for
// our objects; time ranges on other components never match.
func (m matcher) overlaps(comp *goical.Component, s span) (bool, error) {
	if !strings.EqualFold(comp.Name, goical.CompEvent) {
		return false, nil
	}
	if m.event != nil {
		return s.overlapsEvent(m.event.start, m.event.end), nil
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
		return time.ParseInLocation(localTime, p.Value, loc)
	}
	return p.DateTime(loc)
}

// prop applies a prop-filter (RFC 4791 §9.7.2): with is-not-defined the
// component must lack the property; otherwise one of its instances must
// pass the time range, text match and parameter filters.
func (m matcher) prop(f *propFilter, comp *goical.Component) (bool, error) {
	props := comp.Props.Values(f.name)
	if f.notDefined {
		return len(props) == 0, nil
	}
	for i := range props {
		if m.propValue(f, &props[i]) {
			return true, nil
		}
	}
	return false, nil
}

func (m matcher) propValue(f *propFilter, p *goical.Prop) bool {
	if f.timeRange != nil {
		// RFC 4791 §9.9 for DTSTAMP, CREATED, LAST-MODIFIED and the like:
		// start <= value AND end > value.
		t, err := propTime(p, m.loc)
		if err != nil {
			return false // not a date: a time range cannot match it
		}
		if !f.timeRange.startsNotAfter(t) || !f.timeRange.endsAfter(t) {
			return false
		}
	}
	if f.text != nil && !f.text.matches(propText(p)) {
		return false
	}
	for i := range f.params {
		if !matchParam(&f.params[i], p) {
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

// matchParam applies a param-filter (RFC 4791 §9.7.3).
func matchParam(f *paramFilter, p *goical.Prop) bool {
	values := p.Params.Values(f.name)
	if f.notDefined {
		return len(values) == 0
	}
	if f.text == nil {
		return len(values) > 0
	}
	for _, v := range values {
		if f.text.matches(v) {
			return true
		}
	}
	return false
}

// matches is the substring test of a text-match in its collation.
func (t *textMatch) matches(value string) bool {
	var found bool
	if t.octet {
		found = strings.Contains(value, t.text)
	} else {
		found = strings.Contains(asciiFold(value), asciiFold(t.text))
	}
	return found != t.negate
}

func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

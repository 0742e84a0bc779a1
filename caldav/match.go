package caldav

import (
	"errors"
	"fmt"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
	gocaldav "github.com/emersion/go-webdav/caldav"
)

// This file evaluates calendar-query filters (RFC 4791 §9.7). Time ranges
// are half-open, [start, end), either end may be missing (−∞ or +∞), and
// an event overlaps one exactly as RFC 4791 §9.9 says.
//
// Three paths give the same answers (FuzzFilter checks it):
//
//   - the filters clients send (VCALENDAR holding VEVENT comp-filters with
//     at most a time range, or is-not-defined) are answered from each
//     object's span, which comes from its session: no parsing at all;
//   - a filter that only asks for components and properties to exist is
//     answered by go-webdav's gocaldav.Match on the object parsed by
//     go-ical (see webdavExact for why only those);
//   - any other filter is evaluated by matcher below on the parsed object,
//     parsed once per rendering.
//
// matcher is our own because gocaldav.Match (v0.7.0) departs from RFC 4791
// in every condition beyond existence; each piece of matcher fills one gap:
//
//   - time ranges (matcher.overlaps, eventOverlaps, propValue): go-webdav
//     ignores a range with only an end, and its strict comparisons miss an
//     event equal to the range, one starting at the range's start, and a
//     DATE-TIME property at the range's start;
//   - comp-filter is-not-defined (matcher.child): go-webdav answers true
//     whenever the parent has any child, defined or not;
//   - prop-filter is-not-defined (matcher.prop): go-webdav answers true when
//     the property exists;
//   - several instances of a property or values of a parameter
//     (matcher.prop, matchParam): go-webdav looks only at the first, and
//     counts a parameter with an empty value as missing;
//   - text-match (textMatches, propText): go-webdav compares byte for byte
//     against the raw value, so the default collation i;ascii-casemap
//     (RFC 4791 §7.5.1) and TEXT escapes ("\,") are not honoured, and a
//     time range on a prop-filter makes it skip the text-match.
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

// rangeOf is the time range of a filter's Start and End; ok is false
// when it has none.
func rangeOf(start, end time.Time) (s span, ok bool) {
	return span{start: start, end: end}, hasTimeRange(start, end)
}

// eventsOnly reports whether f can be answered from the objects' spans:
// every condition below VCALENDAR is a VEVENT comp-filter with nothing but
// a time range or is-not-defined in it.
func (f *filter) eventsOnly() bool {
	if len(f.comp.Props) > 0 {
		return false
	}
	for _, c := range f.comp.Comps {
		if c.Name != goical.CompEvent || len(c.Props) > 0 || len(c.Comps) > 0 {
			return false
		}
	}
	return true
}

// matchSpan answers an eventsOnly filter for an object with one VEVENT
// from ev.start to ev.end.
func (f *filter) matchSpan(ev span) bool {
	for _, c := range f.comp.Comps {
		if c.IsNotDefined {
			return false
		}
		if r, ok := rangeOf(c.Start, c.End); ok && !r.overlapsEvent(ev.start, ev.end) {
			return false
		}
	}
	return true
}

// webdavExact reports whether gocaldav.Match answers c as RFC 4791 §9.7
// does: when every condition in it is the existence of a component or a
// property (no is-not-defined, time-range, text-match or param-filter,
// where go-webdav departs from the RFC as listed at the top of this file).
func (f *filter) webdavExact(c *gocaldav.CompFilter) bool {
	if c.IsNotDefined || hasTimeRange(c.Start, c.End) {
		return false
	}
	for _, p := range c.Props {
		if p.IsNotDefined || hasTimeRange(p.Start, p.End) || p.TextMatch != nil || len(p.ParamFilter) > 0 {
			return false
		}
	}
	for i := range c.Comps {
		if !f.webdavExact(&c.Comps[i]) {
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
	var ok bool
	if f.byWebdav {
		ok, err = gocaldav.Match(f.comp, &gocaldav.CalendarObject{Data: cal})
	} else {
		ok, err = f.matcher(loc, &o.span).comp(&f.comp, cal.Component)
	}
	if err != nil {
		return false, fmt.Errorf("caldav: object %s: %w", o.id, err)
	}
	return ok, nil
}

// matcher returns the general matcher for f; event is the span of the
// object's one VEVENT when known (nil: read it from DTSTART and DTEND).
func (f *filter) matcher(loc *time.Location, event *span) matcher {
	return matcher{loc: loc, event: event, octet: f.octet}
}

// matcher evaluates filters on parsed components.
type matcher struct {
	// loc is the zone floating times and dates are read in (the
	// calendar's zone, RFC 4791 §9.9).
	loc *time.Location
	// event, when set, is the span of the one VEVENT of the object, known
	// from its session; nil means read it from DTSTART and DTEND.
	event *span
	// octet is filter.octet: the text-matches in collation i;octet.
	octet map[*gocaldav.TextMatch]bool
}

// comp tests the conditions of f on comp, a component f names.
func (m matcher) comp(f *gocaldav.CompFilter, comp *goical.Component) (bool, error) {
	if r, ok := rangeOf(f.Start, f.End); ok {
		ok, err := m.overlaps(comp, r)
		if err != nil || !ok {
			return false, err
		}
	}
	for i := range f.Props {
		ok, err := m.prop(&f.Props[i], comp)
		if err != nil || !ok {
			return false, err
		}
	}
	for i := range f.Comps {
		ok, err := m.child(&f.Comps[i], comp)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// child applies a nested comp-filter (RFC 4791 §9.7.1): with
// is-not-defined, parent must have no such component; otherwise one of
// them must match.
func (m matcher) child(f *gocaldav.CompFilter, parent *goical.Component) (bool, error) {
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
func (m matcher) prop(f *gocaldav.PropFilter, comp *goical.Component) (bool, error) {
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

func (m matcher) propValue(f *gocaldav.PropFilter, p *goical.Prop) bool {
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
func (m matcher) param(f *gocaldav.ParamFilter, p *goical.Prop) bool {
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

// textMatches is the substring test of a text-match in its collation:
// i;octet when m.octet holds t, else i;ascii-casemap.
func (m matcher) textMatches(t *gocaldav.TextMatch, value string) bool {
	var found bool
	if m.octet[t] {
		found = strings.Contains(value, t.Text)
	} else {
		found = strings.Contains(asciiFold(value), asciiFold(t.Text))
	}
	return found != t.NegateCondition
}

func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

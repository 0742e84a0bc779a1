package caldav

import (
	"errors"
	"fmt"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
	gocaldav "github.com/emersion/go-webdav/caldav"
)

// This file evaluates calendar-query filters (RFC 4791 §9.7) in our
// backend. go-webdav decodes the filter but its own gocaldav.Filter gets
// time ranges wrong: an event exactly filling the range, or starting at the
// range's start, does not match (it compares with After, not "not before"),
// a range with only an end is ignored, and an open end never matches a
// recurring event. Here a range is half-open, [start, end), either end may
// be missing (zero: −∞ or +∞), and an event overlaps it as RFC 4791 §9.9
// says.
//
// The objects are the agenda's sessions: single VEVENTs with DTSTART and
// DTEND, never recurring (no RRULE or RDATE), so recurrence expansion is
// not needed; DURATION and all-day (DATE) values are still handled as
// §9.9 says, so the matcher is right for any VEVENT without recurrence.

// checkFilter reports a filter RFC 4791 does not allow (precondition
// CALDAV:valid-filter): the outer comp-filter must name VCALENDAR, a time
// range cannot apply to it, and a range's end must lie after its start.
func checkFilter(f gocaldav.CompFilter) error {
	if !strings.EqualFold(f.Name, goical.CompCalendar) {
		return fmt.Errorf("the outermost comp-filter must name VCALENDAR, not %q", f.Name)
	}
	if !f.Start.IsZero() || !f.End.IsZero() {
		return errors.New("a time-range cannot apply to VCALENDAR")
	}
	return checkRanges(f)
}

func checkRanges(f gocaldav.CompFilter) error {
	if !f.Start.IsZero() && !f.End.IsZero() && !f.End.After(f.Start) {
		return fmt.Errorf("time-range on %s ends before it starts", f.Name)
	}
	for _, p := range f.Props {
		if !p.Start.IsZero() && !p.End.IsZero() && !p.End.After(p.Start) {
			return fmt.Errorf("time-range on %s ends before it starts", p.Name)
		}
	}
	for _, c := range f.Comps {
		if err := checkRanges(c); err != nil {
			return err
		}
	}
	return nil
}

// matchCalendar reports whether cal matches filter f, whose name is
// VCALENDAR. loc is the zone floating times and dates are read in (the
// calendar's zone, RFC 4791 §9.9).
func matchCalendar(f gocaldav.CompFilter, cal *goical.Calendar, loc *time.Location) (bool, error) {
	return matchComp(f, cal.Component, loc)
}

// matchComp tests the conditions of f on comp, a component f names.
func matchComp(f gocaldav.CompFilter, comp *goical.Component, loc *time.Location) (bool, error) {
	if !f.Start.IsZero() || !f.End.IsZero() {
		ok, err := compOverlaps(comp, span{f.Start, f.End}, loc)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, pf := range f.Props {
		ok, err := matchProp(pf, comp, loc)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, cf := range f.Comps {
		ok, err := matchChild(cf, comp, loc)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// matchChild applies a nested comp-filter (RFC 4791 §9.7.1): with
// is-not-defined, parent must have no such component; otherwise one of
// them must match.
func matchChild(f gocaldav.CompFilter, parent *goical.Component, loc *time.Location) (bool, error) {
	for _, child := range parent.Children {
		if !strings.EqualFold(child.Name, f.Name) {
			continue
		}
		if f.IsNotDefined {
			return false, nil
		}
		ok, err := matchComp(f, child, loc)
		if err != nil || ok {
			return ok, err
		}
	}
	return f.IsNotDefined, nil
}

// span is a half-open time range [start, end); a zero start is −∞ and a
// zero end +∞.
type span struct{ start, end time.Time }

// endsAfter reports end > t.
func (s span) endsAfter(t time.Time) bool { return s.end.IsZero() || s.end.After(t) }

// startsBefore reports start < t.
func (s span) startsBefore(t time.Time) bool { return s.start.IsZero() || s.start.Before(t) }

// startsNotAfter reports start <= t.
func (s span) startsNotAfter(t time.Time) bool { return s.start.IsZero() || !s.start.After(t) }

// compOverlaps applies a time-range to a component. Only VEVENT is
// defined for our objects; time ranges on other components never match.
func compOverlaps(comp *goical.Component, s span, loc *time.Location) (bool, error) {
	if !strings.EqualFold(comp.Name, goical.CompEvent) {
		return false, nil
	}
	return eventOverlaps(comp, s, loc)
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
		return s.startsBefore(end) && s.endsAfter(start), nil
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
// zone database on every call (time.LoadLocation does not cache), which
// was most of the cost of a calendar-query; our objects name the
// calendar's own zone, which is at hand.
func propTime(p *goical.Prop, loc *time.Location) (time.Time, error) {
	if tzid := p.Params.Get(goical.ParamTimezoneID); tzid != "" && tzid == loc.String() &&
		p.ValueType() == goical.ValueDateTime && len(p.Value) == len(localTime) {
		return time.ParseInLocation(localTime, p.Value, loc)
	}
	return p.DateTime(loc)
}

// matchProp applies a prop-filter (RFC 4791 §9.7.2): with is-not-defined
// the component must lack the property; otherwise one of its instances
// must pass the time range, text match and parameter filters.
func matchProp(f gocaldav.PropFilter, comp *goical.Component, loc *time.Location) (bool, error) {
	props := comp.Props.Values(strings.ToUpper(f.Name))
	if f.IsNotDefined {
		return len(props) == 0, nil
	}
	for i := range props {
		ok, err := matchPropValue(f, &props[i], loc)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func matchPropValue(f gocaldav.PropFilter, p *goical.Prop, loc *time.Location) (bool, error) {
	if !f.Start.IsZero() || !f.End.IsZero() {
		// RFC 4791 §9.9 for DTSTAMP, CREATED, LAST-MODIFIED and the like:
		// start <= value AND end > value.
		t, err := propTime(p, loc)
		if err != nil {
			return false, nil // not a date: a time range cannot match it
		}
		s := span{f.Start, f.End}
		if !s.startsNotAfter(t) || !s.endsAfter(t) {
			return false, nil
		}
	}
	if f.TextMatch != nil && !textMatches(*f.TextMatch, propText(p)) {
		return false, nil
	}
	for _, pf := range f.ParamFilter {
		if !matchParam(pf, p) {
			return false, nil
		}
	}
	return true, nil
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
func matchParam(f gocaldav.ParamFilter, p *goical.Prop) bool {
	values := p.Params.Values(strings.ToUpper(f.Name))
	if f.IsNotDefined {
		return len(values) == 0
	}
	if f.TextMatch == nil {
		return len(values) > 0
	}
	for _, v := range values {
		if textMatches(*f.TextMatch, v) {
			return true
		}
	}
	return false
}

// textMatches is a text-match (RFC 4791 §9.7.5) with the default collation
// i;ascii-casemap: a substring match ignoring the case of ASCII letters.
// go-webdav does not pass the collation on, so i;octet requests are
// matched case-insensitively too.
func textMatches(t gocaldav.TextMatch, value string) bool {
	return strings.Contains(asciiFold(value), asciiFold(t.Text)) != t.NegateCondition
}

func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

package ical

import (
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // VTIMEZONEs must not depend on the host's zoneinfo files

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
)

// localFormat writes a DATE-TIME in local time (RFC 5545 §3.3.5 form 2, with
// a TZID) and utcFormat one in UTC (form 2 with "Z").
const (
	localFormat = "20060102T150405"
	utcFormat   = "20060102T150405Z"
)

// observance is one STANDARD or DAYLIGHT sub-component: from instant at on,
// the zone's offset is to (seconds east of UTC), named name; before at it
// was from.
type observance struct {
	at       time.Time // zero for a zone that has always had this offset
	from, to int
	name     string
}

// observances lists the offset changes of loc that matter between from and
// to: the change that set up the offset in force at from, then every change
// before to. time.Location has no public list of transitions; Time.ZoneBounds
// reports where the zone in force at an instant begins and ends, so walking
// from bound to bound visits every transition in order (agenda.ZoneBounds,
// whose end is always after the instant, so the walk never stops short). Transitions that
// change neither offset nor name (only Go's DST flag) are skipped.
func observances(loc *time.Location, from, to time.Time) []observance {
	t := from.In(loc)
	name, off := t.Zone()
	start, end := agenda.ZoneBounds(t)
	first := observance{from: off, to: off, name: name}
	if !start.IsZero() {
		_, first.from = start.Add(-time.Second).Zone()
		first.at = start
	}
	obs := []observance{first}
	for !end.IsZero() && end.Before(to) && end.After(t) {
		t = end
		name, off := t.Zone()
		cur := observance{at: t, from: obs[len(obs)-1].to, to: off, name: name}
		if prev := obs[len(obs)-1]; cur.to != prev.to || cur.name != prev.name {
			obs = append(obs, cur)
		}
		_, end = agenda.ZoneBounds(t)
	}
	return obs
}

// daylight reports whether o is a DAYLIGHT observance: one that puts the
// clocks forward, given whether the observance before it was one. Go's DST
// flag alone would call Irish winter time (and Morocco's Ramadan time)
// daylight time, since the tz source writes them as negative DST, and
// clients expect DAYLIGHT to be the larger offset of a pair. A change that
// keeps the offset (a new abbreviation) keeps the kind; the first
// observance of a zone that never changed is STANDARD. A permanent move to
// a larger standard offset is labelled DAYLIGHT too; the offsets, which are
// what clients compute with, are right either way.
func (o observance) daylight(prev bool) bool {
	if o.to != o.from {
		return o.to > o.from
	}
	return prev
}

// zoneRule is one STANDARD or DAYLIGHT sub-component of a VTIMEZONE: the
// observance o from its onset on, and, when every is set, again every year
// by that rule.
type zoneRule struct {
	observance
	daylight bool
	every    *yearly
}

// yearly is a yearly rule of a change of offset, as RFC 5545 writes it
// with FREQ=YEARLY, BYMONTH and BYDAY: in month, on the week-th weekday day
// of it (1 to 4), or on its last weekday day (week -1).
type yearly struct {
	month time.Month
	week  int
	day   time.Weekday
}

// dayIn returns the day of the month on which y falls in year.
func (y yearly) dayIn(year int) int {
	if y.week > 0 {
		first := time.Date(year, y.month, 1, 0, 0, 0, 0, time.UTC).Weekday()
		return 1 + (int(y.day)-int(first)+7)%7 + 7*(y.week-1)
	}
	last := time.Date(year, y.month+1, 0, 0, 0, 0, 0, time.UTC) // day 0: the last of month
	return last.Day() - (int(last.Weekday())-int(y.day)+7)%7
}

// rrule writes y as an RRULE value.
func (y yearly) rrule() string {
	const days = "SUMOTUWETHFRSA" // RFC 5545 weekday names in time.Weekday order
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", y.month, y.week, days[2*y.day:2*y.day+2])
}

// onset is when o takes effect as local time before the change (the
// instant read with the old offset), written as a UTC time.Time: what
// DTSTART says and what an RRULE repeats (RFC 5545 §3.6.5).
func (o observance) onset() time.Time {
	return o.at.UTC().Add(time.Duration(o.from) * time.Second)
}

// yearlies returns the yearly rules that the change o matches: its
// weekday's last in the month first, since the tz database states most
// rules that way ("lastSun"), then its week of the month.
func yearlies(o observance) []yearly {
	local := o.onset()
	month, day := local.Month(), local.Day()
	var out []yearly
	if days := time.Date(local.Year(), month+1, 0, 0, 0, 0, 0, time.UTC).Day(); day+7 > days {
		out = append(out, yearly{month, -1, local.Weekday()})
	}
	if week := (day-1)/7 + 1; week <= 4 {
		out = append(out, yearly{month, week, local.Weekday()})
	}
	return out
}

// follows reports whether the changes in run happen by y: one a year, in
// consecutive years, each on y's day at the same local time.
func (y yearly) follows(run []observance) bool {
	first := run[0].onset()
	h, m, sec := first.Clock()
	for i, o := range run {
		local := o.onset()
		lh, lm, ls := local.Clock()
		if local.Year() != first.Year()+i || local.Month() != y.month || local.Day() != y.dayIn(local.Year()) ||
			lh != h || lm != m || ls != sec {
			return false
		}
	}
	return true
}

// next returns the instant at which y puts the change after the last of
// run, in the year after it.
func (y yearly) next(run []observance) time.Time {
	last := run[len(run)-1]
	local := last.onset()
	year := local.Year() + 1
	at := time.Date(year, y.month, y.dayIn(year), local.Hour(), local.Minute(), local.Second(), 0, time.UTC)
	return at.Add(-time.Duration(last.from) * time.Second)
}

// zoneRules turns the offset changes obs of a zone up to to (as
// observances returns them) into VTIMEZONE sub-components. Changes of the
// same kind (same offsets, name and STANDARD or DAYLIGHT) that recur
// yearly up to to become one sub-component with an RRULE, from the first
// of them on: that is the form Outlook reduces every VTIMEZONE to (one
// yearly rule per kind, MS-STANOICAL 2.2.47) and the one Google and most
// producers write. The rule is open-ended, as the zone's rule in force is.
// A change stays dated (a sub-component of its own, no RRULE) when it fits
// no yearly rule, when fewer than two changes of its kind recur by one,
// when its kind changed rule later in the range, or when the rule would
// put another change before to that the zone did not make (its rules
// changed, e.g. DST abolished).
func zoneRules(obs []observance, to time.Time) []zoneRule {
	type kind struct {
		from, to int
		name     string
		daylight bool
	}
	var order []kind
	byKind := map[kind][]observance{}
	daylight := false
	for _, o := range obs {
		daylight = len(obs) > 1 && o.daylight(daylight)
		k := kind{o.from, o.to, o.name, daylight}
		if _, ok := byKind[k]; !ok {
			order = append(order, k)
		}
		byKind[k] = append(byKind[k], o)
	}
	var out []zoneRule
	for _, k := range order {
		list := byKind[k]
		run, every := recurring(list, to)
		for _, o := range list[:len(list)-run] {
			out = append(out, zoneRule{observance: o, daylight: k.daylight})
		}
		if run > 0 {
			out = append(out, zoneRule{observance: list[len(list)-run], daylight: k.daylight, every: &every})
		}
	}
	slices.SortStableFunc(out, func(a, b zoneRule) int { return a.at.Compare(b.at) })
	return out
}

// recurring returns how many of the last changes of list (changes of one
// kind, in order) recur by one yearly rule up to to, and the rule; 0 when
// fewer than two do. Of two rules that fit as many changes (a last Sunday
// that was the fourth in every year of the range) it takes the first that
// yearlies lists, the last weekday.
func recurring(list []observance, to time.Time) (int, yearly) {
	best, rule := 0, yearly{}
	if len(list) < 2 {
		return 0, rule
	}
	for _, y := range yearlies(list[len(list)-1]) {
		n := 1
		for n < len(list) && y.follows(list[len(list)-n-1:]) {
			n++
		}
		if n >= 2 && n > best && !y.next(list[len(list)-n:]).Before(to) {
			best, rule = n, y
		}
	}
	return best, rule
}

// vtimezone builds the VTIMEZONE of loc (TZID = tzid) covering from to to
// (see zoneRules). A zone without transitions in the range gets a single
// STANDARD observance: from its last change before the range, or from 1970
// for a zone that never changed.
func vtimezone(tzid string, loc *time.Location, from, to time.Time) *goical.Component {
	tz := goical.NewComponent(goical.CompTimezone)
	tz.Props.SetText(goical.PropTimezoneID, tzid)
	for _, r := range zoneRules(observances(loc, from, to), to) {
		kind := goical.CompTimezoneStandard
		if r.daylight {
			kind = goical.CompTimezoneDaylight
		}
		c := goical.NewComponent(kind)
		onset := "19700101T000000"
		if !r.at.IsZero() {
			onset = r.onset().Format(localFormat)
		}
		setRaw(c.Props, goical.PropDateTimeStart, onset)
		if r.every != nil {
			setRaw(c.Props, goical.PropRecurrenceRule, r.every.rrule())
		}
		setRaw(c.Props, goical.PropTimezoneOffsetFrom, utcOffset(r.from))
		setRaw(c.Props, goical.PropTimezoneOffsetTo, utcOffset(r.to))
		if r.name != "" {
			c.Props.SetText(goical.PropTimezoneName, r.name)
		}
		tz.Children = append(tz.Children, c)
	}
	return tz
}

// utcOffset formats seconds east of UTC as a UTC-OFFSET (RFC 5545 §3.3.14):
// ±HHMM, or ±HHMMSS when there are seconds.
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}

// setRaw sets a property whose value needs no escaping (dates, offsets,
// numbers, URIs).
func setRaw(props goical.Props, name, value string) {
	p := goical.NewProp(name)
	p.Value = value
	props.Set(p)
}

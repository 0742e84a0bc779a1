package ical

import (
	"fmt"
	"time"
	_ "time/tzdata" // VTIMEZONEs must not depend on the host's zoneinfo files

	goical "github.com/emersion/go-ical"
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
// from bound to bound visits every transition in order. Transitions that
// change neither offset nor name (only Go's DST flag) are skipped.
func observances(loc *time.Location, from, to time.Time) []observance {
	t := from.In(loc)
	name, off := t.Zone()
	start, end := t.ZoneBounds()
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
		_, end = t.ZoneBounds()
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

// vtimezone builds the VTIMEZONE of loc (TZID = tzid) covering from to to.
// A zone without transitions in the range gets a single STANDARD observance:
// from its last change before the range, or from 1970 for a zone that never
// changed.
func vtimezone(tzid string, loc *time.Location, from, to time.Time) *goical.Component {
	tz := goical.NewComponent(goical.CompTimezone)
	tz.Props.SetText(goical.PropTimezoneID, tzid)
	obs := observances(loc, from, to)
	daylight := false
	for _, o := range obs {
		daylight = len(obs) > 1 && o.daylight(daylight)
		kind := goical.CompTimezoneStandard
		if daylight {
			kind = goical.CompTimezoneDaylight
		}
		c := goical.NewComponent(kind)
		// DTSTART of an observance is the local time just before the
		// change, i.e. the instant read with the old offset (RFC 5545 §3.6.5).
		onset := "19700101T000000"
		if !o.at.IsZero() {
			onset = o.at.UTC().Add(time.Duration(o.from) * time.Second).Format(localFormat)
		}
		setRaw(c.Props, goical.PropDateTimeStart, onset)
		setRaw(c.Props, goical.PropTimezoneOffsetFrom, utcOffset(o.from))
		setRaw(c.Props, goical.PropTimezoneOffsetTo, utcOffset(o.to))
		if o.name != "" {
			c.Props.SetText(goical.PropTimezoneName, o.name)
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

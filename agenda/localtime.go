package agenda

import "time"

// Wall says how a wall-clock time falls in a time zone: how often the
// zone's clocks show it (see LocalTime).
type Wall int

const (
	// WallOnce is a time the clocks show once: an ordinary time.
	WallOnce Wall = iota
	// WallTwice is a time the clocks show twice, in the hour (or half
	// hour) repeated when they go back: the autumn "fold".
	WallTwice
	// WallSkipped is a time the clocks never show, as they jump over it
	// going forward: the spring "gap".
	WallSkipped
)

// maxOffset bounds how far any zone's clocks have been from UTC (the
// largest offsets in the tz database are under 16 hours); the zone
// changes that can bear on a wall time are within it of that time.
const maxOffset = 26 * time.Hour

// LocalTime returns the instant at which clocks in loc show the date and
// time of day of wall (read from wall's fields as shown in its own
// location, usually UTC: only the year to the nanosecond count), in loc,
// and how that wall time falls in loc. It is read as RFC 5545 §3.3.5
// reads a DATE-TIME with a TZID: a time the clocks show twice (WallTwice)
// is the first of the two instants, and a time they skip (WallSkipped) is
// read with the UTC offset in effect before the skip, so 02:30 on the day
// New York's clocks go from 02:00 to 03:00 is 07:30 UTC, shown as 03:30.
// time.Date leaves both cases unspecified (and in practice picks
// differently from zone to zone), so every reader of a local time without
// an offset goes through LocalTime: feeds written with a TZID then read
// back, in any client, as the instant confcal meant.
func LocalTime(wall time.Time, loc *time.Location) (time.Time, Wall) {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	// w is the wall time as if it were UTC: an instant t shows it in
	// loc when t plus loc's offset at t is w.
	w := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	var (
		found   []time.Time
		skipped time.Time // the reading with the offset before a skip
		prevOff int
		hasPrev bool
	)
	for at, stop := w.Add(-maxOffset), w.Add(maxOffset); ; {
		at = at.In(loc)
		_, off := at.Zone()
		start, end := ZoneBounds(at)
		t := w.Add(-time.Duration(off) * time.Second)
		if (start.IsZero() || !t.Before(start)) && (end.IsZero() || t.Before(end)) {
			found = append(found, t.In(loc))
		}
		if hasPrev && off > prevOff && !start.IsZero() {
			// The clocks went forward at start: the wall times from
			// start in the old offset up to start in the new one were
			// never shown.
			if !w.Before(start.Add(time.Duration(prevOff)*time.Second)) && w.Before(start.Add(time.Duration(off)*time.Second)) {
				skipped = w.Add(-time.Duration(prevOff) * time.Second).In(loc)
			}
		}
		if end.IsZero() || !end.Before(stop) {
			break
		}
		at, prevOff, hasPrev = end, off, true
	}
	switch {
	case len(found) > 1:
		return found[0], WallTwice
	case len(found) == 1:
		return found[0], WallOnce
	case !skipped.IsZero():
		return skipped, WallSkipped
	}
	// No zone change explains the wall time (a zone whose rules the
	// loop could not see whole): time.Date's reading is the best left.
	return time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc), WallOnce
}

// Clock writes the time of day of t as clocks in t's location show it,
// "15:04". A time in the hour (or half hour) those clocks show twice, when
// they go back, gets the zone's abbreviation after it — "01:30 EDT" and
// "01:30 EST" on the night New York's clocks go from 02:00 EDT to 01:00
// EST — or its UTC offset where the zone has no abbreviation of letters
// or both sides of the change share one ("01:30 +11:00" and "01:30
// +10:30" on Lord Howe Island): people read the shown time, and without it two
// sessions half an hour apart would both read 01:30. Every other time is
// written plainly.
func Clock(t time.Time) string {
	s := t.Format("15:04")
	name, off := t.Zone()
	other, ok := foldPartner(t, off)
	if !ok {
		return s
	}
	if otherName, _ := other.Zone(); otherName == name || name == "" || name[0] == '+' || name[0] == '-' {
		return s + " " + t.Format("-07:00")
	}
	return s + " " + name
}

// foldPartner returns the other instant at which clocks in t's location
// show t's wall time, when they show it twice: t is within the span
// after the clocks went back (the repeat) or within the span before they
// go back (the first showing). off is t's UTC offset in seconds. Whole
// minutes count: the clocks show 01:59 twice, 02:00 once.
func foldPartner(t time.Time, off int) (time.Time, bool) {
	start, end := ZoneBounds(t)
	if !start.IsZero() {
		_, prev := start.Add(-time.Second).Zone()
		if back := time.Duration(prev-off) * time.Second; back > 0 && t.Sub(start) < back {
			return t.Add(-back), true
		}
	}
	if !end.IsZero() {
		_, next := end.Zone()
		if back := time.Duration(off-next) * time.Second; back > 0 && end.Sub(t) <= back {
			return t.Add(back), true
		}
	}
	return time.Time{}, false
}

// ZoneBounds returns the bounds of the zone in effect at t, as
// Time.ZoneBounds does, with t always within them, so a walk from bound
// to bound always moves on and no two bounds overlap. Beyond a zone's
// last listed transition (in the tz database, years after 2037) Go works
// out the offsets from the zone's yearly rule and reports the calendar
// year's start and end (in UTC) as bounds between two changes, taking
// every year for 365 days: in a leap year the span after its last change
// ends, Go says, at the start of the year's last UTC day, and an instant
// on that day gets the same span, which ends before it. Such a bound is
// no change of offset: that day is given a span of its own, to the next
// year's start, which Go reports as a bound too.
func ZoneBounds(t time.Time) (start, end time.Time) {
	start, end = t.ZoneBounds()
	if !end.IsZero() && !end.After(t) {
		start, end = end, time.Date(t.UTC().Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC).In(t.Location())
	}
	return start, end
}

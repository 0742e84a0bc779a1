package spreadsheet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/formats/internal/schedule"
)

// errNoDate: a time of day with no date to put it on.
var errNoDate = errors.New("a time of day without a date (give a date like 2019-10-08 14:00, or a date column)")

// parseTime reads a cell of the start or end column: a date and a time of
// day ("2019-10-08 14:00", "2019-10-08T14:00", "08.10.2019 14:00",
// "2019/10/08 9:00", seconds allowed), optionally followed by an offset
// ("Z", "+02:00", "+0200", "-05"), which makes it an instant; without one
// it is local time in loc, read as schedule.Local reads it (note says how
// a time the clocks skip or show twice was read). A time of day alone
// ("14:00") is on day, a date as written in a date column ("" when there
// is none). "24:00" is the midnight that ends the day.
func parseTime(cell, day string, loc *time.Location) (t time.Time, note string, err error) {
	s := strings.TrimSpace(cell)
	d, rest, ok := cutDate(s)
	switch {
	case ok && rest == "":
		return time.Time{}, "", errors.New("a date without a time of day")
	case ok && rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ':
		return time.Time{}, "", errors.New("not a date and time like 2019-10-08 14:00")
	case ok:
		rest = strings.TrimLeft(rest[1:], " ")
	case strings.TrimSpace(day) == "":
		if _, _, _, tail, ok := cutClock(s); ok && tail == "" {
			return time.Time{}, "", errNoDate
		}
		return time.Time{}, "", errors.New("not a date and time like 2019-10-08 14:00")
	default:
		var tail string
		d, tail, ok = cutDate(strings.TrimSpace(day))
		if !ok || tail != "" {
			return time.Time{}, "", fmt.Errorf("the date %q is not a date like 2019-10-08 or 08.10.2019", schedule.Clip(day))
		}
		rest = s
	}
	h, m, sec, tail, ok := cutClock(rest)
	if !ok {
		return time.Time{}, "", errors.New("no time of day like 14:00 after the date")
	}
	if h == 24 && (m != 0 || sec != 0) {
		return time.Time{}, "", errors.New("a time after 24:00")
	}
	if tail = strings.TrimSpace(tail); tail != "" {
		off, ok := offset(tail)
		if !ok {
			return time.Time{}, "", fmt.Errorf("%q after the time is not an offset like +02:00 or Z", schedule.Clip(tail))
		}
		return time.Date(d.Year, d.Month, d.Day, h, m, sec, 0, time.FixedZone("", off)), "", nil
	}
	t, note = schedule.Local(time.Date(d.Year, d.Month, d.Day, h, m, sec, 0, time.UTC), loc)
	return t, note, nil
}

// cutDate reads a date from the start of s: YYYY-MM-DD, YYYY/MM/DD or
// DD.MM.YYYY (month and day with one or two digits). Dates with the day
// or month first and slashes are not read: 10/08/2019 is a different day
// in the US and in Europe.
func cutDate(s string) (agenda.Date, string, bool) {
	n1, s1, ok := digits(s, 1, 4)
	if !ok || s1 == "" {
		return agenda.Date{}, s, false
	}
	sep := s1[0]
	var y, m, d int
	switch {
	case (sep == '-' || sep == '/') && len(s)-len(s1) == 4:
		y = n1
		var rest string
		if m, rest, ok = digits(s1[1:], 1, 2); !ok || rest == "" || rest[0] != sep {
			return agenda.Date{}, s, false
		}
		if d, s1, ok = digits(rest[1:], 1, 2); !ok {
			return agenda.Date{}, s, false
		}
	case sep == '.' && n1 <= 31 && len(s)-len(s1) <= 2:
		d = n1
		var rest string
		if m, rest, ok = digits(s1[1:], 1, 2); !ok || rest == "" || rest[0] != '.' {
			return agenda.Date{}, s, false
		}
		if y, s1, ok = digits(rest[1:], 4, 4); !ok {
			return agenda.Date{}, s, false
		}
	default:
		return agenda.Date{}, s, false
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return agenda.Date{}, s, false
	}
	return agenda.Date{Year: y, Month: time.Month(m), Day: d}, s1, true
}

// cutClock reads H:MM or HH:MM, optionally :SS, from the start of s.
func cutClock(s string) (h, m, sec int, rest string, ok bool) {
	if h, rest, ok = digits(s, 1, 2); !ok || rest == "" || rest[0] != ':' {
		return 0, 0, 0, s, false
	}
	if m, rest, ok = digits(rest[1:], 2, 2); !ok {
		return 0, 0, 0, s, false
	}
	if rest != "" && rest[0] == ':' {
		if sec, rest, ok = digits(rest[1:], 2, 2); !ok {
			return 0, 0, 0, s, false
		}
	}
	if h > 24 || m > 59 || sec > 59 {
		return 0, 0, 0, s, false
	}
	return h, m, sec, rest, true
}

// digits reads min to max decimal digits from the start of s.
func digits(s string, min, max int) (int, string, bool) {
	i := 0
	for i < len(s) && i < max && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i < min {
		return 0, s, false
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:], true
}

// offset reads a UTC offset: Z, UTC, GMT, ±HH, ±HHMM or ±HH:MM.
func offset(s string) (int, bool) {
	switch strings.ToUpper(s) {
	case "Z", "UTC", "GMT":
		return 0, true
	}
	if s[0] != '+' && s[0] != '-' && !strings.HasPrefix(s, "−") {
		return 0, false
	}
	sign := 1
	if s[0] != '+' {
		sign = -1
	}
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-"), "−")
	h, rest, ok := digits(s, 2, 2)
	if !ok {
		return 0, false
	}
	m := 0
	if rest != "" {
		if m, rest, ok = digits(strings.TrimPrefix(rest, ":"), 2, 2); !ok || rest != "" {
			return 0, false
		}
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}

// parseDuration reads a cell of the duration column: minutes ("45"),
// hours and minutes ("1:30", "01:30:00"), with units ("90 min", "1h 30m",
// "2 hours") or ISO 8601 ("PT1H30M").
func parseDuration(cell string) (time.Duration, error) {
	s := strings.ToLower(strings.TrimSpace(cell))
	bad := fmt.Errorf("%q is not a duration like 45 (minutes), 1:30 or 1h 30min", schedule.Clip(cell))
	if n, rest, ok := digits(s, 1, 5); ok && rest == "" {
		return time.Duration(n) * time.Minute, nil
	}
	if h, m, sec, rest, ok := cutClock(s); ok && rest == "" {
		return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second, nil
	}
	s = strings.TrimPrefix(s, "pt")
	var d time.Duration
	for s != "" {
		n, rest, ok := digits(s, 1, 5)
		if !ok {
			return 0, bad
		}
		rest = strings.TrimLeft(rest, " ")
		i := 0
		for i < len(rest) && rest[i] >= 'a' && rest[i] <= 'z' {
			i++
		}
		switch rest[:i] {
		case "h", "hr", "hrs", "hour", "hours":
			d += time.Duration(n) * time.Hour
		case "m", "min", "mins", "minute", "minutes":
			d += time.Duration(n) * time.Minute
		default:
			return 0, bad
		}
		s = strings.TrimLeft(rest[i:], " ")
	}
	if d == 0 {
		return 0, bad
	}
	return d, nil
}

// formatTime writes t for the start and end columns: local time in loc,
// "2019-10-08 14:00" (with ":05" when it has seconds), and with its offset
// ("2019-10-27 02:30+01:00") only when the local time alone does not name
// one instant, in the repeated hour when clocks go back.
func formatTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	layout := "2006-01-02 15:04"
	if t.Second() != 0 {
		layout += ":05"
	}
	if ambiguous(t, loc) {
		layout += "-07:00"
	}
	return t.Format(layout)
}

// ambiguous reports whether t's local time in loc names more than one
// instant (the hour that repeats when clocks go back), or names another
// instant than t when read back.
func ambiguous(t time.Time, loc *time.Location) bool {
	t = t.Truncate(time.Second)
	back, w := agenda.LocalTime(t.In(loc), loc)
	return w != agenda.WallOnce || !back.Equal(t)
}

package agenda

import (
	"fmt"
	"time"
)

// Date is a calendar day in the conference's time zone, without a time.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the day on which t falls in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses a day written as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("agenda: bad date %q, want YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

// String returns the day as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Start returns the first instant of the day in loc: midnight, or where
// the clocks skip midnight (São Paulo until 2019), the time they jump to.
func (d Date) Start(loc *time.Location) time.Time {
	t, _ := LocalTime(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), loc)
	return t
}

// AddDays returns the day n days after d (before it for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

package api

import (
	"fmt"
	"time"

	"confcal/agenda"
)

// localLayouts are the ways a time may be written without an offset; it is
// then read in the conference's time zone, as agenda.LocalTime reads it.
// Seconds may be written (as RFC 3339 writes them) but must be zero.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"}

// ParseTime reads a session time as the API does: "2019-10-08T14:00" in
// loc (seconds may follow if they are ":00"), or RFC 3339 with an offset.
// A local time the clocks show twice is the first of the two, one they
// skip is read with the offset before the skip, as RFC 5545 and every
// importer read them; the answer's RFC 3339 times show which instant it
// was. Give an offset for the second of two.
// Sessions are minute-grained, so a time with seconds or a fraction of a
// second is refused: the agenda would keep it to the minute, and a session
// could end in the minute it starts. The error says what was wrong,
// without naming a field.
func ParseTime(v string, loc *time.Location) (time.Time, error) {
	t, err := parseAny(v, loc)
	if err != nil {
		return time.Time{}, err
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		// Before time zones were standard, zones had offsets in seconds,
		// which RFC 3339 cannot write: such a time would not read back.
		return time.Time{}, fmt.Errorf("%q: the year is outside %d–%d", truncate(v, 40), MinYear, MaxYear)
	}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return time.Time{}, fmt.Errorf("%q has seconds; session times are whole minutes, e.g. 2019-10-08T14:00", truncate(v, 40))
	}
	return t, nil
}

// MinYear and MaxYear bound the years of session times.
const (
	MinYear = 1970
	MaxYear = 9999
)

func parseAny(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range localLayouts {
		if wall, err := time.Parse(layout, v); err == nil {
			t, _ := agenda.LocalTime(wall, loc)
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time; want 2019-10-08T14:00 (conference time) or RFC 3339", truncate(v, 40))
}

// parseTime reads the time given as field (see ParseTime), refusing a
// malformed one with a 400 naming the field.
func parseTime(field, v string, loc *time.Location) (time.Time, error) {
	t, err := ParseTime(v, loc)
	if err != nil {
		return time.Time{}, badRequest("%s: %v", field, err)
	}
	return t, nil
}

// formatTime writes t in RFC 3339 in loc.
func formatTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

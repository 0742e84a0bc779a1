package schedule

import (
	"fmt"
	"time"

	"confcal/agenda"
)

// Local reads a wall-clock time a document gives without an offset (the
// fields of wall, whatever its location) in loc, as agenda.LocalTime does:
// the first of a time the clocks show twice, a time they skip with the
// offset before the skip. note says how such a time was read, for the
// importer to report after the value as written ("startsAt
// \"2024-03-10T02:30:00\" " + note); it is "" for an ordinary time. Every
// importer reports the two cases in these words.
func Local(wall time.Time, loc *time.Location) (t time.Time, note string) {
	t, w := agenda.LocalTime(wall, loc)
	const as = "15:04 MST (UTC-07:00)"
	switch w {
	case agenda.WallSkipped:
		return t, fmt.Sprintf("does not exist in %s (the clocks skip it): read as %s", loc, t.Format(as))
	case agenda.WallTwice:
		return t, fmt.Sprintf("happens twice in %s (the clocks go back): read as the first, %s", loc, t.Format(as))
	}
	return t, ""
}

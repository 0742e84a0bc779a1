package api

import (
	"net/http"
	"time"
)

// localLayouts are the ways a time may be written without an offset; it is
// then read in the conference's time zone.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"}

// parseTime reads a time given as field: "2019-10-08T14:00" in loc, or
// RFC 3339 with an offset.
func parseTime(field, v string, loc *time.Location) (time.Time, error) {
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, errorf(http.StatusBadRequest, "%s: %q is not a time; want 2019-10-08T14:00 (conference time) or RFC 3339", field, v)
}

// formatTime writes t in RFC 3339 in loc.
func formatTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

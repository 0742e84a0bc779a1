package web_test

import (
	"net/http"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/web"
)

// TestSessionFeedRepeatedHour: the feed of one session in the hour New
// York's clocks repeat names its time, in the calendar's name and
// description, with the zone's abbreviation, so the two 01:30 sessions'
// calendars do not read alike; their events are at the sessions' instants.
func TestSessionFeedRepeatedHour(t *testing.T) {
	c := fallBackContents(t)
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, h := serve(t, web.Config{}, snap)
	for _, tt := range []struct{ id, desc string }{
		{"first", "Sunday, 1 November 2026, 01:30 EDT–01:50 EDT · Hall · Talks"},
		{"second", "Sunday, 1 November 2026, 01:30 EST–01:50 EST · Hall · Talks"},
		{"late", "Saturday, 31 October 2026, 23:30–00:30 · Hall · Talks"},
	} {
		target := "/feeds/sessions/" + tt.id + ".ics"
		resp := do(t, h, http.MethodGet, target)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", target, resp.StatusCode)
		}
		cal := parse(t, body(t, resp))
		for _, name := range []string{"X-WR-CALDESC", "DESCRIPTION"} {
			if got := text(t, cal.Component, name); got != tt.desc {
				t.Errorf("%s %s = %q, want %q", target, name, got, tt.desc)
			}
		}
		ev := cal.Events()
		if len(ev) != 1 {
			t.Fatalf("%s: %d events", target, len(ev))
		}
		start, err := ev[0].DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range c.Sessions {
			if x.ID == tt.id && !start.Equal(x.Start) {
				t.Errorf("%s starts at %v, want %v", target, start.UTC(), x.Start.UTC())
			}
		}
	}
}

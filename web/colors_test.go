package web_test

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"
)

// TestTrackColorsShownAlike: a track its source gave no colour (frab,
// Pentabarf and Sessionize give none) is shown in one colour of the
// palette, the same on the page (agenda.css), in its feed (its
// X-APPLE-CALENDAR-COLOR) and as its CalDAV calendar-color, where the
// page drew it grey and CalDAV blue; a track with a colour of its own
// keeps it everywhere.
func TestTrackColorsShownAlike(t *testing.T) {
	c := agendatest.SmallContents()
	c.Tracks[0].Color = ""
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, h := serve(t, web.Config{}, snap)
	css := string(body(t, do(t, h, http.MethodGet, "/static/agenda.css")))
	rec := send(h, "PROPFIND", "/dav/public/calendars/", strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:prop><a:calendar-color/></d:prop></d:propfind>`),
		"Depth", "1", "Content-Type", "application/xml")
	var ms struct {
		Responses []struct {
			Href  string `xml:"href"`
			Color string `xml:"propstat>prop>calendar-color"`
		} `xml:"response"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &ms); err != nil || rec.Code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND /dav/public/calendars/: %d %v: %s", rec.Code, err, rec.Body)
	}
	davColor := map[string]string{}
	for _, r := range ms.Responses {
		davColor[r.Href] = r.Color
	}
	for i, tr := range c.Tracks {
		m := colorAfter(css, ".t-"+tr.ID+"{--track:")
		if i == 0 && !slices.Contains(agenda.Palette(), m) {
			t.Errorf("agenda.css shows track %s, which has no colour, in %q: want a colour of the palette", tr.ID, m)
		}
		if i > 0 && m != tr.Color {
			t.Errorf("agenda.css shows track %s in %q, want its own %s", tr.ID, m, tr.Color)
		}
		feed := string(body(t, do(t, h, http.MethodGet, "/feeds/tracks/"+tr.ID+".ics")))
		if !strings.Contains(feed, "\r\nX-APPLE-CALENDAR-COLOR:"+strings.ToUpper(m)+"\r\n") {
			t.Errorf("the feed of track %s does not give the colour the page shows it in, %s:\n%.600s", tr.ID, m, feed)
		}
		if got := davColor["/dav/public/calendars/track-"+tr.ID+"/"]; !strings.EqualFold(got, m) {
			t.Errorf("the CalDAV calendar of track %s has calendar-color %q, want the page's %s", tr.ID, got, m)
		}
	}
}

// colorAfter returns the #RRGGBB colour after prefix in css, "" when
// prefix is not there.
func colorAfter(css, prefix string) string {
	_, rest, ok := strings.Cut(css, prefix)
	if !ok || len(rest) < 7 {
		return ""
	}
	return rest[:7]
}

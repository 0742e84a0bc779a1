package ical_test

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"confcal/agenda"
	"confcal/ical"

	goical "github.com/emersion/go-ical"
)

// checkLines checks the raw form of a calendar: CRLF line ends only, no
// line over 75 octets, every line valid UTF-8.
func checkLines(t *testing.T, body []byte) {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		t.Errorf("body does not end with CRLF")
	}
	for i, c := range body {
		if c == '\n' && (i == 0 || body[i-1] != '\r') {
			t.Errorf("bare LF at offset %d", i)
			return
		}
		if c == '\r' && (i+1 == len(body) || body[i+1] != '\n') {
			t.Errorf("bare CR at offset %d", i)
			return
		}
	}
	for n, line := range bytes.Split(bytes.TrimSuffix(body, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets long: %q", n+1, len(line), line)
		}
		if !utf8.Valid(line) {
			t.Errorf("line %d splits a UTF-8 character: %q", n+1, line)
		}
	}
}

// decode parses body with go-ical's decoder and checks that it holds
// exactly one calendar.
func decode(t *testing.T, body []byte) *goical.Calendar {
	t.Helper()
	dec := goical.NewDecoder(bytes.NewReader(body))
	cal, err := dec.Decode()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if _, err := dec.Decode(); err != io.EOF {
		t.Fatalf("decode: after the calendar: got %v, want EOF", err)
	}
	return cal
}

func text(t *testing.T, props goical.Props, name string) string {
	t.Helper()
	p := props.Get(name)
	if p == nil {
		t.Errorf("missing %s", name)
		return ""
	}
	s, err := p.Text()
	if err != nil {
		t.Errorf("%s: %v", name, err)
	}
	return s
}

var etagRE = regexp.MustCompile(`^"[0-9a-f]{16,64}"$`)

// checkDoc checks a rendered calendar against the snapshot it came from:
// its lines, the calendar properties of a feed (feed true) or an object,
// the VTIMEZONE for every TZID, and the VEVENTs of ids in order.
func checkDoc(t *testing.T, e *ical.Rendered, doc doc, feed bool, ids []string) *goical.Calendar {
	t.Helper()
	snap := e.Snapshot()
	zone := snap.Location().String()
	checkLines(t, doc.Body)
	cal := decode(t, doc.Body)
	if !etagRE.MatchString(doc.ETag) {
		t.Errorf("ETag %s is not a quoted hex hash", doc.ETag)
	}

	p := cal.Props
	if got := text(t, p, goical.PropProductID); got != e.Options().ProdID {
		t.Errorf("PRODID = %q, want %q", got, e.Options().ProdID)
	}
	for name, want := range map[string]string{goical.PropVersion: "2.0", goical.PropCalendarScale: "GREGORIAN"} {
		if got := text(t, p, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// No METHOD: a feed is not an iTIP message, and METHOD:PUBLISH would
	// require an ORGANIZER in every VEVENT (RFC 5546 §3.2.1).
	if m := p.Get(goical.PropMethod); m != nil {
		t.Errorf("calendar has METHOD:%s", m.Value)
	}
	calLevel := []string{goical.PropName, "X-WR-CALNAME", goical.PropDescription, "X-WR-CALDESC",
		goical.PropRefreshInterval, "X-PUBLISHED-TTL", "X-WR-TIMEZONE", goical.PropColor, "X-APPLE-CALENDAR-COLOR"}
	if feed {
		if n, x := text(t, p, goical.PropName), text(t, p, "X-WR-CALNAME"); n == "" || n != x {
			t.Errorf("NAME = %q, X-WR-CALNAME = %q; want equal and not empty", n, x)
		}
		if d, x := text(t, p, goical.PropDescription), text(t, p, "X-WR-CALDESC"); d == "" || d != x {
			t.Errorf("DESCRIPTION = %q, X-WR-CALDESC = %q; want equal and not empty", d, x)
		}
		if ri := p.Get(goical.PropRefreshInterval); ri == nil || ri.Params.Get(goical.ParamValue) != "DURATION" {
			t.Errorf("REFRESH-INTERVAL = %+v, want one with VALUE=DURATION", ri)
		} else if d, err := ri.Duration(); err != nil || d != time.Hour {
			t.Errorf("REFRESH-INTERVAL = %q (%v), want one hour", ri.Value, err)
		}
		if got := text(t, p, "X-PUBLISHED-TTL"); got != "PT1H" {
			t.Errorf("X-PUBLISHED-TTL = %q, want PT1H", got)
		}
		if got := text(t, p, "X-WR-TIMEZONE"); got != zone {
			t.Errorf("X-WR-TIMEZONE = %q, want %q", got, zone)
		}
	} else {
		for _, name := range calLevel {
			if p.Get(name) != nil {
				t.Errorf("object has calendar-level %s", name)
			}
		}
	}

	// Every TZID used has its VTIMEZONE.
	zones := map[string]bool{}
	var events []goical.Event
	for _, c := range cal.Children {
		switch c.Name {
		case goical.CompTimezone:
			zones[text(t, c.Props, goical.PropTimezoneID)] = true
			if len(c.Children) == 0 {
				t.Errorf("VTIMEZONE without observances")
			}
		case goical.CompEvent:
			events = append(events, goical.Event{Component: c})
		default:
			t.Errorf("unexpected component %s", c.Name)
		}
	}
	for _, ev := range events {
		for name, props := range ev.Props {
			for _, prop := range props {
				if tzid := prop.Params.Get(goical.ParamTimezoneID); tzid != "" && !zones[tzid] {
					t.Errorf("%s;TZID=%s has no VTIMEZONE", name, tzid)
				}
			}
		}
	}

	if len(events) != len(ids) || doc.Events != len(ids) {
		t.Fatalf("got %d VEVENTs (Doc.Events %d), want %d", len(events), doc.Events, len(ids))
	}
	uids := map[string]bool{}
	var modified time.Time
	for i, ev := range events {
		x, ok := snap.Session(ids[i])
		if !ok {
			t.Fatalf("test bug: no session %q", ids[i])
		}
		checkEvent(t, e, ev, x)
		uid := text(t, ev.Props, goical.PropUID)
		if uids[uid] {
			t.Errorf("UID %s appears twice", uid)
		}
		uids[uid] = true
		if x.LastModified.After(modified) {
			modified = x.LastModified
		}
	}
	if !doc.Modified.Equal(modified) || doc.Modified.Location() != time.UTC && !doc.Modified.IsZero() {
		t.Errorf("Doc.Modified = %v, want %v in UTC", doc.Modified, modified)
	}
	return cal
}

// checkEvent checks one decoded VEVENT against session x.
func checkEvent(t *testing.T, e *ical.Rendered, ev goical.Event, x agenda.Session) {
	t.Helper()
	snap := e.Snapshot()
	zone := snap.Location().String()
	p := ev.Props
	t.Run(x.ID, func(t *testing.T) {
		if got := text(t, p, goical.PropUID); got != snap.UID(x.ID) {
			t.Errorf("UID = %q, want %q", got, snap.UID(x.ID))
		}
		for _, name := range []string{goical.PropDateTimeStamp, goical.PropLastModified} {
			prop := p.Get(name)
			if prop == nil {
				t.Errorf("missing %s", name)
				continue
			}
			if got, err := prop.DateTime(nil); err != nil || !got.Equal(x.LastModified) || prop.Value[len(prop.Value)-1] != 'Z' {
				t.Errorf("%s = %q (%v), want %v in UTC", name, prop.Value, err, x.LastModified)
			}
		}
		for name, want := range map[string]time.Time{goical.PropDateTimeStart: x.Start, goical.PropDateTimeEnd: x.End} {
			prop := p.Get(name)
			if prop == nil {
				t.Errorf("missing %s", name)
				continue
			}
			// Read as RFC 5545 §3.3.5 says, and as go-ical reads it.
			if got, err := readRFC(prop, snap.Location()); err != nil || !got.Equal(want) {
				t.Errorf("%s = %q → %v (%v), want %v", name, prop.Value, got, err, want)
			}
			if got, err := prop.DateTime(nil); err != nil || !got.Equal(want) {
				t.Errorf("%s = %q → %v (%v) in go-ical, want %v", name, prop.Value, got, err, want)
			}
			// In UTC only when the local time names two instants; else
			// with the conference's TZID, never floating.
			tz := prop.Params.Get(goical.ParamTimezoneID)
			switch n := len(showing(want.In(snap.Location()).Format(localLayout), snap.Location())); {
			case n == 1 && tz != zone:
				t.Errorf("%s %s TZID = %q, want %q (never floating)", name, prop.Value, tz, zone)
			case n > 1 && tz != "":
				t.Errorf("%s;TZID=%s:%s: a local time the clocks show %d times, want UTC", name, tz, prop.Value, n)
			}
		}
		room, _ := snap.Room(x.Room)
		track, _ := snap.Track(x.Track)
		summary, status := x.Title, "CONFIRMED"
		if x.Status == agenda.StatusCancelled {
			summary, status = "Cancelled: "+x.Title, "CANCELLED"
		}
		want := map[string]string{
			goical.PropSummary:    summary,
			goical.PropLocation:   room.Name,
			goical.PropCategories: track.Name,
			goical.PropStatus:     status,
		}
		for name, w := range want {
			if got := text(t, p, name); got != w {
				t.Errorf("%s = %q, want %q", name, got, w)
			}
		}
		for _, name := range []string{goical.PropOrganizer, goical.PropAttendee} {
			if p.Get(name) != nil {
				t.Errorf("VEVENT has %s: clients would show the session as an invitation", name)
			}
		}
		if seq := p.Get(goical.PropSequence); seq == nil {
			t.Errorf("missing SEQUENCE")
		} else if n, err := seq.Int(); err != nil || n != x.Sequence {
			t.Errorf("SEQUENCE = %q (%v), want %d", seq.Value, err, x.Sequence)
		}
		wantURL := e.Options().BaseURL + "/sessions/" + x.ID
		if u, err := p.URI(goical.PropURL); err != nil || u == nil || u.String() != wantURL {
			t.Errorf("URL = %v (%v), want %s", u, err, wantURL)
		}
		if x.Abstract == "" {
			if p.Get(goical.PropDescription) != nil {
				t.Errorf("DESCRIPTION present for an empty abstract")
			}
		} else if got := text(t, p, goical.PropDescription); got != x.Abstract {
			t.Errorf("DESCRIPTION = %q, want %q", got, x.Abstract)
		}
		if s, err := ev.Status(); err != nil || string(s) != status {
			t.Errorf("Status() = %q, %v; want %s", s, err, status)
		}
	})
}

// firstDiff describes where got and want first differ, by line.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, gl, wl)
		}
	}
	return "no difference"
}

// doc is a rendered calendar as the tests look at it: its bytes and what
// its view says of them.
type doc struct {
	Body     []byte
	ETag     string
	Events   int
	Modified time.Time
}

// feed assembles the feed of ids as a doc.
func feed(e *ical.Rendered, meta ical.FeedMeta, ids []string) doc {
	c := e.Calendar(meta, ids)
	return doc{Body: c.Bytes(), ETag: c.ETag(), Events: c.Events(), Modified: c.Modified()}
}

// object returns the CalDAV object of id as a doc.
func object(e *ical.Rendered, id string) (doc, bool) {
	o, ok := e.Object(id)
	if !ok {
		return doc{}, false
	}
	return doc{Body: o.Bytes(), ETag: o.ETag(), Events: 1, Modified: o.Modified()}, true
}

// localLayout is a DATE-TIME with a TZID.
const localLayout = "20060102T150405"

// readRFC reads a DATE-TIME property as RFC 5545 §3.3.5 says a client
// reads it: "Z" is UTC, a local time with a TZID (here always the
// conference's zone, loc) is the first instant whose clocks show it.
// go-ical's Prop.DateTime leaves a repeated local time to time.Date, which
// may pick the second.
func readRFC(p *goical.Prop, loc *time.Location) (time.Time, error) {
	if p.Params.Get(goical.ParamTimezoneID) == "" {
		if !strings.HasSuffix(p.Value, "Z") {
			return time.Time{}, fmt.Errorf("%q: floating", p.Value)
		}
		return time.Parse(localLayout+"Z", p.Value)
	}
	if tz := p.Params.Get(goical.ParamTimezoneID); tz != loc.String() {
		return time.Time{}, fmt.Errorf("%q: TZID %q, want %q", p.Value, tz, loc)
	}
	at := showing(p.Value, loc)
	if len(at) == 0 {
		return time.Time{}, fmt.Errorf("%q: the clocks of %s never show it", p.Value, loc)
	}
	return at[0], nil
}

// showing returns the instants, in order, at which the clocks of loc show
// wall (a DATE-TIME with a TZID), found from the offsets loc has around it
// without the code under test.
func showing(wall string, loc *time.Location) []time.Time {
	w, err := time.Parse(localLayout, wall)
	if err != nil {
		return nil
	}
	var at []time.Time
	for h := -16; h <= 16; h++ {
		_, off := w.Add(time.Duration(h) * time.Hour).In(loc).Zone()
		c := w.Add(-time.Duration(off) * time.Second)
		if c.In(loc).Format(localLayout) == wall && !slices.ContainsFunc(at, c.Equal) {
			at = append(at, c)
		}
	}
	slices.SortFunc(at, time.Time.Compare)
	return at
}

package ical_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

// plain reports whether s is text RFC 5545 can carry as it is: valid UTF-8
// without control characters other than tab and LF. Such text must come
// back from the decoder unchanged.
func plain(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' {
			return false
		}
	}
	return true
}

// checkText checks decoded text got against input in: plain input comes
// back unchanged; anything else comes back as plain text.
func checkText(t *testing.T, what, in, got string) {
	t.Helper()
	if plain(in) {
		if got != in {
			t.Errorf("%s: got %q, want %q", what, got, in)
		}
		return
	}
	if !plain(got) || got != ical.Clean(got) {
		t.Errorf("%s: input %q decoded as %q, which is not plain text", what, in, got)
	}
	if strings.Count(got, "\n") > strings.Count(in, "\n")+strings.Count(in, "\r") {
		t.Errorf("%s: input %q decoded as %q: more line breaks than the input had", what, in, got)
	}
}

// FuzzRenderText renders a session with an arbitrary title and abstract
// (and a feed with an arbitrary name and description), decodes it with
// go-ical and checks that the text survives escaping and folding.
func FuzzRenderText(f *testing.F) {
	f.Add("Streams Everywhere", "Über Streams: Grüße aus Köln — “quotes”")
	f.Add("a, b; c\\d", "line one\nline two\r\nline three\rend")
	f.Add(strings.Repeat("😀", 30), strings.Repeat("ü,", 100))
	f.Add("bad \xff utf-8", "ctl \x00\x1b\x7f chars\ttab")
	f.Add(" leading and trailing ", "\\n is not a newline \\N")
	f.Fuzz(func(t *testing.T, title, abstract string) {
		c := agendatest.SmallContents()
		x := &c.Sessions[0]
		x.Title, x.Abstract = title, abstract
		snap, err := agenda.NewSnapshot(c, 1, 1, nil)
		if err != nil {
			t.Skip("not a valid agenda:", err)
		}
		e, err := ical.Render(snap, opts, nil)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		d, ok := object(e, x.ID)
		if !ok {
			t.Fatalf("Object(%q) not found", x.ID)
		}
		checkLines(t, d.Body)
		ev := decode(t, d.Body).Events()
		if len(ev) != 1 {
			t.Fatalf("got %d VEVENTs, want 1", len(ev))
		}
		checkText(t, "SUMMARY", title, text(t, ev[0].Props, "SUMMARY"))
		if desc := ev[0].Props.Get("DESCRIPTION"); desc == nil {
			if ical.Clean(abstract) != "" {
				t.Errorf("DESCRIPTION missing for abstract %q", abstract)
			}
		} else {
			checkText(t, "DESCRIPTION", abstract, text(t, ev[0].Props, "DESCRIPTION"))
		}

		feed := feed(e, ical.FeedMeta{Name: title, Description: abstract}, snap.SessionIDs())
		checkLines(t, feed.Body)
		cal := decode(t, feed.Body)
		if ical.Clean(title) != "" {
			checkText(t, "NAME", title, text(t, cal.Props, "NAME"))
			checkText(t, "X-WR-CALNAME", title, text(t, cal.Props, "X-WR-CALNAME"))
		}
		if ical.Clean(abstract) != "" {
			checkText(t, "X-WR-CALDESC", abstract, text(t, cal.Props, "X-WR-CALDESC"))
		}
		if n := len(cal.Events()); n != len(c.Sessions) {
			t.Errorf("feed has %d VEVENTs, want %d", n, len(c.Sessions))
		}

		// A reminder names the session: the title, then its room.
		reminded := e.Calendar(ical.FeedMeta{}, []string{x.ID}).WithAlarm(10 * time.Minute).Bytes()
		checkLines(t, reminded)
		alarms := decode(t, reminded).Events()[0].Children
		if len(alarms) != 1 || alarms[0].Name != "VALARM" {
			t.Fatalf("a pick with reminders has %d children in its event, want one VALARM", len(alarms))
		}
		got, ok := strings.CutSuffix(text(t, alarms[0].Props, "DESCRIPTION"), " — Room 1")
		if !ok {
			t.Fatalf("the reminder %q does not end with the room", text(t, alarms[0].Props, "DESCRIPTION"))
		}
		checkText(t, "VALARM DESCRIPTION", title, got)
	})
}

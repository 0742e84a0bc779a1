package ical_test

import (
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"

	goical "github.com/emersion/go-ical"
)

// TestCSSColors checks the table of CSS3 colour keywords: all 147, each
// once, sorted, and the keywords CSS defines as the same colour equal.
func TestCSSColors(t *testing.T) {
	names, values := ical.CSSColors()
	if len(names) != 147 {
		t.Errorf("%d keywords, want the 147 of CSS3", len(names))
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("keywords not sorted or not unique: %q", names)
	}
	value := map[string]string{}
	for i, n := range names {
		if strings.Trim(n, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("keyword %q is not lower-case letters", n)
		}
		value[n] = values[i]
	}
	for _, same := range [][2]string{
		{"aqua", "cyan"}, {"fuchsia", "magenta"}, {"gray", "grey"}, {"darkgray", "darkgrey"},
		{"darkslategray", "darkslategrey"}, {"dimgray", "dimgrey"}, {"lightgray", "lightgrey"},
		{"lightslategray", "lightslategrey"}, {"slategray", "slategrey"},
	} {
		if value[same[0]] == "" || value[same[0]] != value[same[1]] {
			t.Errorf("%s = %s, %s = %s: want the same colour", same[0], value[same[0]], same[1], value[same[1]])
		}
	}
}

// TestColorName checks the nearest keyword: every keyword's own value
// gives a keyword of that value, and colours near a keyword give it.
func TestColorName(t *testing.T) {
	names, values := ical.CSSColors()
	value := map[string]string{}
	for i, n := range names {
		value[n] = values[i]
	}
	for i, v := range values {
		got, ok := ical.ColorName(v)
		if !ok || value[got] != v {
			t.Errorf("ColorName(%s) (%s) = %q (%s), want a keyword of that colour", v, names[i], got, value[got])
		}
	}
	tests := []struct{ color, want string }{
		{"#FE0101", "red"},
		{"#010101", "black"},
		{"#fffffe", "white"}, // lower case is fine
		{"#7F7F7F", "gray"},  // gray before grey
		{"#00FFFE", "aqua"},  // aqua before cyan
		{"#D1495B", "indianred"},
		{"#00798C", "teal"},
		{"#1B5E9E", "steelblue"},
		{"#6D4C41", "dimgray"},
	}
	for _, tt := range tests {
		if got, ok := ical.ColorName(tt.color); !ok || got != tt.want {
			t.Errorf("ColorName(%s) = %q, %v; want %s", tt.color, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "red", "#12345", "#1234567", "D1495B", "#GG0000", "#+12345", "#0x1234"} {
		if got, ok := ical.ColorName(bad); ok {
			t.Errorf("ColorName(%q) = %q, want not a colour", bad, got)
		}
	}
}

// TestFeedColor checks the calendar colour of a feed, decoded with go-ical:
// COLOR the CSS3 name, X-APPLE-CALENDAR-COLOR the #RRGGBB, both only when
// the feed has a colour, the same after an edit renders a new rendering.
func TestFeedColor(t *testing.T) {
	snap := agendatest.Small(t)
	e := render(t, snap, nil)
	next := render(t, edit(t, snap, "late-talk", agenda.SessionUpdate{Title: ptr("Later Talk")}), e)
	tests := []struct {
		color       string
		name, apple string // "": absent
	}{
		{"#D1495B", "indianred", "#D1495B"},
		{"#00798c", "teal", "#00798C"},      // lower case, written upper case
		{"#1B5E9E", "steelblue", "#1B5E9E"}, // no track's colour: worked out on the spot
		{"", "", ""},
		{"crimson", "", ""}, // not #RRGGBB
		{"#D1495", "", ""},
	}
	for _, ed := range []*ical.Rendered{e, next} {
		for _, tt := range tests {
			ids := ed.Snapshot().SessionIDs()
			doc := feed(ed, ical.FeedMeta{Name: "Colour " + tt.color, Color: tt.color}, ids)
			cal := checkDoc(t, ed, doc, true, ids)
			for prop, want := range map[string]string{goical.PropColor: tt.name, "X-APPLE-CALENDAR-COLOR": tt.apple} {
				p := cal.Props.Get(prop)
				switch {
				case want == "" && p != nil:
					t.Errorf("Color %q: %s = %q, want none", tt.color, prop, p.Value)
				case want != "" && p == nil:
					t.Errorf("Color %q: no %s, want %s", tt.color, prop, want)
				case want != "":
					if got := text(t, cal.Props, prop); got != want {
						t.Errorf("Color %q: %s = %q, want %q", tt.color, prop, got, want)
					}
					if len(cal.Props[prop]) != 1 {
						t.Errorf("Color %q: %d %s properties", tt.color, len(cal.Props[prop]), prop)
					}
				}
			}
		}
	}
}

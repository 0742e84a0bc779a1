//go:build !race

package web_test

import (
	"fmt"
	"testing"
)

// TestChosenChipInViewInBrowser opens the agenda filtered by the last
// track and by the last room on a phone-sized screen, where each row of
// chips is wider than the screen and scrolls sideways: the chosen chip is
// scrolled into its row's view, and the page itself is not scrolled away
// from a card the address names (where a star lands).
func TestChosenChipInViewInBrowser(t *testing.T) {
	snap, ts, wd := seedInBrowser(t)
	tracks, rooms := snap.Tracks(), snap.Rooms()
	// Where the chosen chip stands in its row, and how wide the row is.
	where := func() string {
		return fmt.Sprint(wd.script(`var c = document.querySelector(".fgroup .chip.on[aria-current]:not(:first-of-type)");
			if (!c) { return "none"; }
			var r = c.parentElement.getBoundingClientRect(), b = c.getBoundingClientRect();
			return (r.right - r.left < c.parentElement.scrollWidth) + " " + (b.left >= r.left && b.right <= r.right)`))
	}
	for _, q := range []string{"track=" + tracks[len(tracks)-1].ID, "room=" + rooms[len(rooms)-1].ID} {
		wd.navigate(ts.URL + "/?" + q)
		wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
		if got := where(); got != "true true" {
			t.Errorf("/?%s: the chosen chip (in a row wider than the screen, in view): %s, want true true", q, got)
		}
	}
	// A card the address names stays where the page is scrolled to.
	room := rooms[len(rooms)-1].ID
	inRoom := snap.ByRoom(room)
	id := inRoom[len(inRoom)-1].ID
	wd.navigate(ts.URL + "/?room=" + room + "#s-" + id)
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
	if y := wd.script("return window.scrollY"); y == float64(0) {
		t.Errorf("at #s-%s the page is scrolled to %v, want down at the card", id, y)
	}
}

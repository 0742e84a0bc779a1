package web_test

import (
	"slices"
	"testing"
	"time"

	"golang.org/x/net/html"

	"confcal/agenda"
	"confcal/web"
)

// fallBackContents is a conference in New York over the night its clocks
// go back (1 November 2026, 02:00 EDT to 01:00 EST): two sessions in one
// room start at 01:30, an hour apart, and one runs across the change.
func fallBackContents(tb testing.TB) agenda.Contents {
	tb.Helper()
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
	published := at("2026-10-01T12:00:00Z")
	sess := func(id, title, start, end, room string) agenda.Session {
		return agenda.Session{ID: id, Title: title, Start: at(start), End: at(end), Track: "talks", Room: room,
			Status: agenda.StatusConfirmed, LastModified: published}
	}
	return agenda.Contents{
		Conference: agenda.Conference{Name: "Fall Back Con", TimeZone: "America/New_York",
			First: agenda.Date{Year: 2026, Month: time.October, Day: 31}, Last: agenda.Date{Year: 2026, Month: time.November, Day: 1},
			UIDDomain: "fallback.example"},
		Tracks: []agenda.Track{{ID: "talks", Name: "Talks"}},
		Rooms:  []agenda.Room{{ID: "hall", Name: "Hall"}, {ID: "annex", Name: "Annex"}, {ID: "side", Name: "Side Room"}},
		Sessions: []agenda.Session{
			sess("late", "Late Night", "2026-10-31T23:30:00-04:00", "2026-11-01T00:30:00-04:00", "hall"),
			sess("across", "Across the Change", "2026-11-01T01:00:00-04:00", "2026-11-01T02:30:00-05:00", "annex"),
			sess("first", "First Half Past One", "2026-11-01T01:30:00-04:00", "2026-11-01T01:50:00-04:00", "hall"),
			sess("second", "Second Half Past One", "2026-11-01T01:30:00-05:00", "2026-11-01T01:50:00-05:00", "hall"),
			sess("morning", "Morning", "2026-11-01T10:00:00-05:00", "2026-11-01T11:00:00-05:00", "hall"),
		},
	}
}

// TestPageRepeatedHour: on the night the clocks go back, the agenda page
// tells the two 01:30s apart — each session's time and its slot carry the
// zone's abbreviation, the slots are two (with distinct IDs), not one
// holding both sessions as if they clashed in one room — and a session
// moved from the first 01:30 to the second is marked with where it went.
// Times the clocks show once stay plain.
func TestPageRepeatedHour(t *testing.T) {
	base, err := agenda.NewSnapshot(fallBackContents(t), 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	editAt := time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC)
	e := base.Edit("test", editAt)
	start, end := time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 50, 0, 0, time.UTC) // 01:30–01:50 EST
	room := "side"
	if err := e.UpdateSession("first", agenda.SessionUpdate{Start: &start, End: &end, Room: &room}); err != nil {
		t.Fatal(err)
	}
	snap, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	h := pageHandler(t, snap, editAt.Add(time.Hour), web.Config{})
	doc := pageHTML(t, h, "/")

	cards, _ := pageCards(doc)
	want := map[string]string{
		"late":    "23:30–00:30",
		"across":  "01:00 EDT–02:30",
		"first":   "01:30 EST–01:50 EST",
		"second":  "01:30 EST–01:50 EST",
		"morning": "10:00–11:00",
	}
	for id, w := range want {
		c, ok := cards[id]
		if !ok {
			t.Fatalf("no card for %s", id)
		}
		if got := pageText(pageFirst(c, pageTagClass("span", "when"))); got != w {
			t.Errorf("%s shown at %q, want %q", id, got, w)
		}
	}
	if got, w := pageMarks(cards["first"]), []string{"Moved to Side Room", "Now 01:30 EST"}; !slices.Equal(got, w) {
		t.Errorf("marks of the moved session = %q, want %q", got, w)
	}

	if times := repeatedHourSlots(t, doc); !slices.Equal(times, []string{"01:00 EDT", "01:30 EST", "10:00"}) {
		t.Errorf("slots of 1 November %q, want 01:00 EDT, 01:30 EST, 10:00", times)
	}
	// Before the move the two 01:30 sessions are two slots, not one.
	doc = pageHTML(t, pageHandler(t, base, editAt, web.Config{}), "/")
	if times := repeatedHourSlots(t, doc); !slices.Equal(times, []string{"01:00 EDT", "01:30 EDT", "01:30 EST", "10:00"}) {
		t.Errorf("slots of 1 November before the move %q, want 01:00 EDT, 01:30 EDT, 01:30 EST, 10:00", times)
	}
}

// repeatedHourSlots returns the times of the slots of 1 November on the
// agenda page doc, checking that their IDs are there and distinct.
func repeatedHourSlots(t *testing.T, doc *html.Node) []string {
	t.Helper()
	day := pageFirst(doc, pageByID("d-2026-11-01"))
	if day == nil {
		t.Fatal("no section for 1 November")
	}
	var times []string
	seen := map[string]bool{}
	for _, s := range pageAll(day, pageTagClass("div", "slot")) {
		times = append(times, pageText(pageFirst(s, pageTagClass("h3", "time"))))
		id := pageAttr(s, "id")
		if id == "" || seen[id] {
			t.Errorf("slot ID %q empty or repeated", id)
		}
		seen[id] = true
	}
	return times
}

// Package agendatest builds small agendas with known answers for tests in
// every package.
package agendatest

import (
	"testing"
	"time"

	"confcal/agenda"
)

// Published is the LastModified of every session of Small.
var Published = time.Date(2019, 9, 1, 8, 0, 0, 0, time.UTC)

// Conference is the conference of Small: two days in Europe/Berlin.
func Conference() agenda.Conference {
	return agenda.Conference{
		Name:        "Test Conf 2019",
		Description: "A small conference for tests",
		TimeZone:    "Europe/Berlin",
		First:       agenda.Date{Year: 2019, Month: time.October, Day: 8},
		Last:        agenda.Date{Year: 2019, Month: time.October, Day: 9},
		UIDDomain:   "test.confcal.example",
	}
}

// At returns 2019-10-day hh:mm in Europe/Berlin.
func At(day, hh, mm int) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return time.Date(2019, time.October, day, hh, mm, 0, 0, loc)
}

// Small returns revision 1 of a five-session agenda: two tracks ("talks",
// "keynote"), two rooms ("room-1", "room-2"), sessions on both days, one of
// them with a long non-ASCII abstract.
func Small(tb testing.TB) *agenda.Snapshot {
	tb.Helper()
	s, err := agenda.NewSnapshot(SmallContents(), 1, 1, nil)
	if err != nil {
		tb.Fatalf("agendatest.Small: %v", err)
	}
	return s
}

// SmallContents is the content of Small.
func SmallContents() agenda.Contents {
	sess := func(id, title string, day, h1, m1, h2, m2 int, track, room, abstract string) agenda.Session {
		return agenda.Session{ID: id, Title: title, Start: At(day, h1, m1), End: At(day, h2, m2), Track: track, Room: room,
			Abstract: abstract, Status: agenda.StatusConfirmed, LastModified: Published}
	}
	return agenda.Contents{
		Conference: Conference(),
		Tracks: []agenda.Track{
			{ID: "keynote", Name: "Keynote", Color: "#D1495B"},
			{ID: "talks", Name: "Talks", Color: "#00798C"},
		},
		Rooms: []agenda.Room{{ID: "room-1", Name: "Room 1"}, {ID: "room-2", Name: "Room 2"}},
		Sessions: []agenda.Session{
			sess("opening-keynote", "Opening Keynote", 8, 9, 0, 10, 0, "keynote", "room-1", "Welcome, everyone; the plan for today."),
			sess("streams-everywhere", "Streams Everywhere", 8, 10, 30, 11, 10, "talks", "room-1", "Über Streams: Grüße aus Köln — ünïcödé text that runs long enough to need folding at seventy-five octets, twice over, with “quotes”."),
			sess("state-of-state", "State of State", 8, 10, 30, 11, 10, "talks", "room-2", ""),
			sess("closing-keynote", "Closing Keynote", 9, 16, 0, 17, 0, "keynote", "room-1", "Goodbye.\nSee you next year."),
			sess("late-talk", "Late Talk", 9, 11, 0, 11, 40, "talks", "room-2", "A talk, with commas; and semicolons\\backslashes."),
		},
	}
}

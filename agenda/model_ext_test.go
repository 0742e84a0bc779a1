package agenda_test

import (
	"errors"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// A conference day may begin after midnight: a session at 01:00 belongs
// to the day before.
func TestDayChange(t *testing.T) {
	c := agendatest.SmallContents()
	c.Conference.DayChange = 4 * time.Hour
	late := agenda.Session{ID: "night-talk", Title: "Night Talk", Start: agendatest.At(9, 1, 0), End: agendatest.At(9, 2, 0),
		Track: "talks", Room: "room-2", Status: agenda.StatusConfirmed, LastModified: agendatest.Published}
	c.Sessions = append(c.Sessions, late)
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := snap.Session("night-talk")
	if d := snap.Day(x); d != (agenda.Date{Year: 2019, Month: time.October, Day: 8}) {
		t.Errorf("Day(01:00 on Oct 9) = %s, want 2019-10-08", d)
	}
	found := false
	for _, y := range snap.ByDay(agenda.Date{Year: 2019, Month: time.October, Day: 8}) {
		found = found || y.ID == "night-talk"
	}
	if !found {
		t.Error("the night talk is not in the first day's sessions")
	}
	// A session before the first day's start is outside the conference.
	c.Sessions[len(c.Sessions)-1].Start, c.Sessions[len(c.Sessions)-1].End = agendatest.At(8, 2, 0), agendatest.At(8, 3, 0)
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("a session at 02:00 of the first day with the day starting at 04:00: %v, want ErrInvalid", err)
	}
	c.Conference.DayChange = 13 * time.Hour
	if err := c.Conference.Validate(); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("a day change of 13h: %v, want ErrInvalid", err)
	}
}

// Sessions without a number are numbered after the highest in use, in
// agenda order; numbers never repeat.
func TestNumbers(t *testing.T) {
	c := agendatest.SmallContents()
	c.Sessions[2].Number = 7 // state-of-state
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"opening-keynote": 8, "streams-everywhere": 9, "state-of-state": 7, "late-talk": 10, "closing-keynote": 11}
	for id, n := range want {
		if x, _ := snap.Session(id); x.Number != n {
			t.Errorf("%s: number %d, want %d", id, x.Number, n)
		}
	}
	c.Sessions[3].Number = 7
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("two sessions numbered 7: %v, want ErrInvalid", err)
	}
}

func TestSpeakers(t *testing.T) {
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "ada", Name: "Ada Lovelace"}, {ID: "alan", Name: "Alan Turing"}}
	c.Sessions[1].Speakers = []string{"alan", "ada"}
	c.Sessions[4].Speakers = []string{"ada"}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range snap.BySpeaker("ada") {
		ids = append(ids, x.ID)
	}
	if len(ids) != 2 || ids[0] != "streams-everywhere" || ids[1] != "late-talk" {
		t.Errorf("BySpeaker(ada) = %v, want [streams-everywhere late-talk]", ids)
	}
	if p, ok := snap.Speaker("alan"); !ok || p.Name != "Alan Turing" {
		t.Errorf("Speaker(alan) = %+v, %v", p, ok)
	}
	for _, bad := range [][]string{{"nobody"}, {"ada", "ada"}} {
		c.Sessions[0].Speakers = bad
		if _, err := agenda.NewSnapshot(c, 1, 1, nil); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("speakers %v: %v, want ErrInvalid", bad, err)
		}
	}
}

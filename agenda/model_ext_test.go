package agenda_test

import (
	"errors"
	"strings"
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
	// The Editor keeps to the same days: a session at 01:00 after the last
	// day belongs to it, one at 02:00 on the first day is before it.
	e := snap.Edit("test", agendatest.Published)
	for _, tc := range []struct {
		start, end time.Time
		ok         bool
	}{
		{agendatest.At(10, 1, 0), agendatest.At(10, 2, 0), true},
		{agendatest.At(10, 3, 30), agendatest.At(10, 4, 30), false},
		{agendatest.At(8, 2, 0), agendatest.At(8, 3, 0), false},
	} {
		x := agenda.Session{ID: "edited-" + tc.start.Format("0215"), Title: "Edited", Start: tc.start, End: tc.end, Track: "talks", Room: "room-2"}
		if err := e.AddSession(x, false); (err == nil) != tc.ok {
			t.Errorf("AddSession %s – %s with the day starting at 04:00: %v, want ok %v", tc.start, tc.end, err, tc.ok)
		}
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

// Reconciling a source that adds speakers, renames one and changes only
// descriptive fields moves LastModified but not the Sequence; the log can
// undo every field, and says in words what changed.
func TestReconcileDescriptiveFields(t *testing.T) {
	c := agendatest.SmallContents()
	c.Speakers = []agenda.Speaker{{ID: "ada", Name: "Ada"}}
	c.Sessions[4].Speakers = []string{"ada"} // late-talk
	base, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	next := base.Contents()
	next.Speakers = []agenda.Speaker{{ID: "ada", Name: "Ada Lovelace"}, {ID: "alan", Name: "Alan Turing"}}
	for i := range next.Sessions {
		if next.Sessions[i].ID == "late-talk" {
			x := &next.Sessions[i]
			x.Speakers = []string{"alan", "ada"}
			x.Subtitle, x.Type, x.Language, x.URL = "A subtitle", "Talk", "en", "https://example.org/late"
		}
	}
	at := time.Date(2019, 10, 2, 9, 0, 0, 0, time.UTC)
	e := base.Edit("import", at)
	if _, err := e.Reconcile(next); err != nil {
		t.Fatal(err)
	}
	snap, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	x, _ := snap.Session("late-talk")
	old, _ := base.Session("late-talk")
	if x.Sequence != old.Sequence || !x.LastModified.Equal(at) || x.Number != old.Number {
		t.Errorf("late-talk: sequence %d (was %d), modified %s, number %d (was %d); want the sequence and number kept, modified at %s",
			x.Sequence, old.Sequence, x.LastModified, x.Number, old.Number, at)
	}
	if x.Subtitle != "A subtitle" || x.Type != "Talk" || x.Language != "en" || x.URL != "https://example.org/late" || len(x.Speakers) != 2 {
		t.Errorf("late-talk after reconcile: %+v", x)
	}
	if p, _ := snap.Speaker("ada"); p.Name != "Ada Lovelace" {
		t.Errorf("speaker ada is called %q", p.Name)
	}
	was, ok, err := snap.SessionAt("late-talk", 1)
	was.LastModified = old.LastModified // the log undoes fields, not LastModified
	if err != nil || !ok || !was.Equal(old) {
		t.Errorf("SessionAt(late-talk, 1) = %+v, %v, %v; want %+v", was, ok, err, old)
	}
	sums, err := snap.SummariesSince(1)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, s := range sums {
		texts = append(texts, s.Text)
	}
	want := []string{"Ada is now called Ada Lovelace",
		"Late Talk speakers now Alan Turing, Ada Lovelace; subtitle updated; type updated; language updated; web page updated",
		"New speaker: Alan Turing"}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("summaries:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
	// Refused values name the field.
	e = snap.Edit("api", at)
	for _, u := range []agenda.SessionUpdate{
		{Language: ptr("not a tag!")}, {URL: ptr("ftp://x")}, {Subtitle: ptr("two\nlines")}, {Speakers: &[]string{"nobody"}},
	} {
		if err := e.UpdateSession("late-talk", u); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("UpdateSession(%+v) = %v, want ErrInvalid", u, err)
		}
	}
}

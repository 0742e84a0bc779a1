package agenda_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

func oct(day int) agenda.Date { return agenda.Date{Year: 2019, Month: time.October, Day: day} }

// WidenDays makes the days the union of the stored ones (Oct 8–9) and
// those given: it never narrows, logs one change naming no session, and
// what the edit and the committed revision check sessions against is the
// widened span.
func TestWidenDays(t *testing.T) {
	tests := []struct {
		name        string
		first, last agenda.Date
		want        []agenda.Date // the days after; nil: no change
		text        string
	}{
		{"a day before", oct(7), oct(8), []agenda.Date{oct(7), oct(8), oct(9)}, "Conference days now Oct 7–9 (were Oct 8–9)"},
		{"a day after", oct(9), oct(10), []agenda.Date{oct(8), oct(9), oct(10)}, "Conference days now Oct 8–10 (were Oct 8–9)"},
		{"both", oct(6), oct(11), []agenda.Date{oct(6), oct(7), oct(8), oct(9), oct(10), oct(11)}, "Conference days now Oct 6–11 (were Oct 8–9)"},
		{"into the month before", agenda.Date{Year: 2019, Month: time.September, Day: 30}, oct(9),
			[]agenda.Date{{Year: 2019, Month: time.September, Day: 30}, oct(1), oct(2), oct(3), oct(4), oct(5), oct(6), oct(7), oct(8), oct(9)},
			"Conference days now Sep 30–Oct 9 (were Oct 8–9)"},
		{"the same days", oct(8), oct(9), nil, ""},
		{"inside", oct(9), oct(9), nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := agendatest.Small(t)
			at := time.Date(2019, 10, 2, 0, 0, 0, 0, time.UTC)
			e := s.Edit("test", at)
			if err := e.WidenDays(tc.first, tc.last); err != nil {
				t.Fatalf("WidenDays: %v", err)
			}
			if tc.want == nil {
				if len(e.Changes()) != 0 {
					t.Fatalf("changes %+v, want none", e.Changes())
				}
				if next, _ := e.Commit(); next != s {
					t.Errorf("Commit made revision %d, want the base back", next.Revision())
				}
				return
			}
			// On a new day (the first or the last), a session can be added
			// in the same edit.
			day := tc.want[0]
			if day == oct(8) {
				day = tc.want[len(tc.want)-1]
			}
			loc := s.Location()
			x := agenda.Session{ID: "new-day", Title: "On the New Day", Start: time.Date(day.Year, day.Month, day.Day, 9, 0, 0, 0, loc),
				End: time.Date(day.Year, day.Month, day.Day, 10, 0, 0, 0, loc), Room: "room-1", Track: "talks"}
			if err := e.AddSession(x, false); err != nil {
				t.Fatalf("AddSession on %s after WidenDays: %v", day, err)
			}
			next, err := e.Commit()
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			log := next.Log()
			wantOld := "2019-10-08/2019-10-09"
			wantNew := tc.want[0].String() + "/" + tc.want[len(tc.want)-1].String()
			if len(log) != 2 || log[0].Field != agenda.FieldDays || log[0].Old != wantOld || log[0].New != wantNew ||
				log[0].Session != "" || log[0].Room != "" || log[0].Track != "" || log[0].Speaker != "" || log[0].Revision != 2 {
				t.Errorf("log %+v, want a days change %s → %s naming nothing, then the new session", log, wantOld, wantNew)
			}
			if got := next.Days(); !slices.Equal(got, tc.want) {
				t.Errorf("Days() = %v, want %v", got, tc.want)
			}
			if got := s.Days(); !slices.Equal(got, []agenda.Date{oct(8), oct(9)}) {
				t.Errorf("the base's days changed to %v", got)
			}
			if got := next.ByDay(day); len(got) != 1 || got[0].ID != "new-day" {
				t.Errorf("ByDay(%s) = %+v, want the new session", day, got)
			}
			if ids, err := next.ChangedSince(1); err != nil || !slices.Equal(ids, []string{"new-day"}) {
				t.Errorf("ChangedSince(1) = %v, %v; want only the new session", ids, err)
			}
			var texts []string
			sums, err := next.SummariesSince(1)
			if err != nil {
				t.Fatal(err)
			}
			for _, sum := range sums {
				texts = append(texts, sum.Text)
			}
			if len(texts) != 2 || texts[0] != tc.text || sums[0].Session+sums[0].Room+sums[0].Track+sums[0].Speaker != "" {
				t.Errorf("summaries %+v, want %q about no session, room, track or speaker first", sums, tc.text)
			}
			// A store writes the conference row and the new session, no list.
			d, err := next.DeltaSince(1)
			if err != nil || len(d.Sessions) != 1 || d.Rooms || d.Tracks || d.Speakers {
				t.Errorf("DeltaSince(1) = %+v, %v; want the new session only", d, err)
			}
			// What a store loads back (the contents and the log) is a valid
			// snapshot with the same days.
			loaded, err := agenda.NewSnapshot(next.Contents(), next.Revision(), next.BaseRevision(), log)
			if err != nil || !slices.Equal(loaded.Days(), tc.want) {
				t.Fatalf("NewSnapshot of the widened revision: %v", err)
			}
			// Every session of revision 1 is there, as it was.
			for _, old := range s.Sessions() {
				if got, ok := next.Session(old.ID); !ok || !got.Equal(old) {
					t.Errorf("session %s = %+v, want it unchanged", old.ID, got)
				}
			}
		})
	}
}

// A widening that would break the conference's rules is refused, and the
// edit is left as it was.
func TestWidenDaysRefused(t *testing.T) {
	s := agendatest.Small(t)
	for name, days := range map[string][2]agenda.Date{
		"the last before the first": {oct(10), oct(7)},
		"longer than 60 days":       {oct(8), {Year: 2019, Month: time.December, Day: 31}},
	} {
		e := s.Edit("test", time.Now())
		if err := e.WidenDays(days[0], days[1]); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("%s: WidenDays = %v, want ErrInvalid", name, err)
		}
		if len(e.Changes()) != 0 {
			t.Errorf("%s: changes %+v after a refused widening", name, e.Changes())
		}
		x := agenda.Session{ID: "new-day", Title: "New Day", Start: agendatest.At(10, 9, 0), End: agendatest.At(10, 10, 0), Room: "room-1", Track: "talks"}
		if err := e.AddSession(x, false); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("%s: AddSession on Oct 10 after a refused widening = %v, want ErrInvalid", name, err)
		}
	}
}

// Days widened twice in one edit read as one change of the days.
func TestWidenDaysTwice(t *testing.T) {
	e := agendatest.Small(t).Edit("test", time.Now())
	if err := e.WidenDays(oct(7), oct(9)); err != nil {
		t.Fatal(err)
	}
	if err := e.WidenDays(oct(8), oct(10)); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	sums := next.Describe(e.Changes())
	if len(sums) != 1 || sums[0].Text != "Conference days now Oct 7–10 (were Oct 8–9)" {
		t.Errorf("summaries %+v, want one: Oct 8–9 to Oct 7–10", sums)
	}
}

// A source's new version with a day more brings the day, and a version
// with a day less cancels its sessions but keeps the day.
func TestReconcileDays(t *testing.T) {
	tests := []struct {
		name string
		file agenda.Contents
		days []agenda.Date
		want []string
	}{
		{"a workshop day before", func() agenda.Contents {
			c := edited(func(ss []agenda.Session) []agenda.Session {
				return append(ss, agenda.Session{ID: "workshop", Title: "Workshop", Start: agendatest.At(7, 9, 0), End: agendatest.At(7, 17, 0), Room: "room-2", Track: "talks"})
			})
			c.Conference.First = oct(7)
			return c
		}(), []agenda.Date{oct(7), oct(8), oct(9)}, []string{
			"Conference days now Oct 7–9 (were Oct 8–9)",
			"New session: Workshop, Oct 7 09:00–17:00 in Room 2 (Talks)",
		}},
		{"a third day", func() agenda.Contents {
			c := edited(func(ss []agenda.Session) []agenda.Session {
				find(ss, "late-talk").Start, find(ss, "late-talk").End = agendatest.At(10, 11, 0), agendatest.At(10, 11, 40)
				return ss
			})
			c.Conference.Last = oct(10)
			return c
		}(), []agenda.Date{oct(8), oct(9), oct(10)}, []string{
			"Conference days now Oct 8–10 (were Oct 8–9)",
			"Late Talk rescheduled, Oct 9 11:00 → Oct 10 11:00",
		}},
		{"a day less keeps the days", func() agenda.Contents {
			c := edited(func(ss []agenda.Session) []agenda.Session {
				return slices.DeleteFunc(ss, func(x agenda.Session) bool { return x.Start.Day() == 9 })
			})
			c.Conference.Last = oct(8)
			return c
		}(), []agenda.Date{oct(8), oct(9)}, []string{
			"Late Talk cancelled (Oct 9 11:00–11:40, Room 2)",
			"Closing Keynote cancelled (Oct 9 16:00–17:00, Room 1)",
		}},
		{"no days given leaves them", func() agenda.Contents {
			c := agendatest.SmallContents()
			c.Conference.First, c.Conference.Last = agenda.Date{}, agenda.Date{}
			return c
		}(), []agenda.Date{oct(8), oct(9)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := agendatest.Small(t)
			at := time.Date(2019, 10, 2, 0, 0, 0, 0, time.UTC)
			next, got, _ := reconcile(t, s, tc.file, at)
			if !slices.Equal(got, tc.want) {
				t.Errorf("changes:\n%q\nwant\n%q", got, tc.want)
			}
			if !slices.Equal(next.Days(), tc.days) {
				t.Errorf("Days() = %v, want %v", next.Days(), tc.days)
			}
			// The sessions the version keeps in their slots are as they were.
			for _, old := range s.Sessions() {
				if !slices.ContainsFunc(tc.file.Sessions, func(y agenda.Session) bool { return y.ID == old.ID && y.Start.Equal(old.Start) }) {
					continue
				}
				if x, _ := next.Session(old.ID); !x.Equal(old) {
					t.Errorf("session %s = %+v, want it unchanged", old.ID, x)
				}
			}
		})
	}
}

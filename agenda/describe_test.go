package agenda_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

func update(id string, u agenda.SessionUpdate) func(*agenda.Editor) error {
	return func(e *agenda.Editor) error { return e.UpdateSession(id, u) }
}

func TestDescribe(t *testing.T) {
	cancelled, confirmed := agenda.StatusCancelled, agenda.StatusConfirmed
	tests := []struct {
		name  string
		edits []func(*agenda.Editor) error // one revision each
		want  []string
	}{
		{"move and retime", []func(*agenda.Editor) error{
			update("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))}),
		}, []string{"State of State moved from Room 2 to Room 1, Oct 8 10:30 → 14:00"}},
		{"move to another room only", []func(*agenda.Editor) error{
			update("late-talk", agenda.SessionUpdate{Room: ptr("room-1")}),
		}, []string{"Late Talk moved from Room 2 to Room 1"}},
		{"longer", []func(*agenda.Editor) error{
			update("late-talk", agenda.SessionUpdate{End: ptr(agendatest.At(9, 12, 0))}),
		}, []string{"Late Talk rescheduled, Oct 9 11:00–11:40 → 11:00–12:00"}},
		{"to another day", []func(*agenda.Editor) error{
			update("late-talk", agenda.SessionUpdate{Start: ptr(agendatest.At(8, 15, 0)), End: ptr(agendatest.At(8, 15, 40))}),
		}, []string{"Late Talk rescheduled, Oct 9 11:00 → Oct 8 15:00"}},
		{"cancel then restore", []func(*agenda.Editor) error{
			update("late-talk", agenda.SessionUpdate{Status: &cancelled}),
			update("late-talk", agenda.SessionUpdate{Status: &confirmed}),
		}, []string{"Late Talk cancelled (Oct 9 11:00–11:40, Room 2)", "Late Talk restored (Oct 9 11:00–11:40, Room 2)"}},
		{"renamed and moved at once", []func(*agenda.Editor) error{
			update("late-talk", agenda.SessionUpdate{Title: ptr("Later Talk"), Room: ptr("room-1")}),
		}, []string{"Late Talk renamed to Later Talk; moved from Room 2 to Room 1"}},
		{"track and abstract", []func(*agenda.Editor) error{
			update("late-talk", agenda.SessionUpdate{Track: ptr("keynote")}),
			update("late-talk", agenda.SessionUpdate{Abstract: ptr("New words.")}),
		}, []string{"Late Talk moved from track Talks to Keynote", "Late Talk description updated"}},
		{"room renamed once, names as they were", []func(*agenda.Editor) error{
			update("late-talk", agenda.SessionUpdate{Start: ptr(agendatest.At(9, 12, 0)), End: ptr(agendatest.At(9, 12, 40))}),
			func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") },
			update("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))}),
			update("late-talk", agenda.SessionUpdate{Status: &cancelled}),
		}, []string{
			"Late Talk rescheduled, Oct 9 11:00 → 12:00",
			"Room 2 renamed to Kesselhaus",
			"State of State moved from Kesselhaus to Room 1, Oct 8 10:30 → 14:00",
			"Late Talk cancelled (Oct 9 12:00–12:40, Kesselhaus)",
		}},
		{"added", []func(*agenda.Editor) error{
			func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-3", Name: "Kesselhaus"}) },
			func(e *agenda.Editor) error { return e.AddTrack(agenda.Track{ID: "workshops", Name: "Workshops"}) },
			func(e *agenda.Editor) error {
				return e.AddSession(agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 14, 0), End: agendatest.At(9, 14, 40), Room: "room-3", Track: "workshops"}, false)
			},
		}, []string{"New room: Kesselhaus", "New track: Workshops", "New session: Extra, Oct 9 14:00–14:40 in Kesselhaus (Workshops)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := agendatest.Small(t)
			at := time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)
			for i, edit := range tc.edits {
				e := s.Edit("test", at.Add(time.Duration(i)*time.Minute))
				if err := edit(e); err != nil {
					t.Fatalf("edit %d: %v", i, err)
				}
				var err error
				if s, err = e.Commit(); err != nil {
					t.Fatalf("commit %d: %v", i, err)
				}
			}
			sums := s.Describe(s.Log())
			var got []string
			for i, sum := range sums {
				got = append(got, sum.Text)
				if sum.Revision != int64(i+2) || sum.Who != "test" || !sum.Time.Equal(at.Add(time.Duration(i)*time.Minute)) {
					t.Errorf("summary %d = rev %d by %q at %v; want rev %d by test at %v", i, sum.Revision, sum.Who, sum.Time, i+2, at.Add(time.Duration(i)*time.Minute))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Describe =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// Changes an Editor collected but has not committed read the same as once
// committed: that is what a dry run prints.
func TestDescribeUncommitted(t *testing.T) {
	s := agendatest.Small(t)
	e := s.Edit("test", time.Now())
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Start: ptr(agendatest.At(8, 14, 0)), End: ptr(agendatest.At(8, 14, 40))}); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr("Later Talk")}); err != nil {
		t.Fatal(err)
	}
	got := s.Describe(e.Changes())
	want := []string{"State of State moved from Room 2 to Room 1, Oct 8 10:30 → 14:00", "Late Talk renamed to Later Talk"}
	if len(got) != len(want) {
		t.Fatalf("Describe = %+v, want %q", got, want)
	}
	for i := range want {
		if got[i].Text != want[i] || got[i].Session == "" {
			t.Errorf("summary %d = %+v, want %q", i, got[i], want[i])
		}
	}
}

// SummariesSince reads the same as describing the changes since a revision
// afresh, for every revision of the log.
func TestSummariesSince(t *testing.T) {
	snap := longLog(t, 60)
	for rev := snap.BaseRevision(); rev <= snap.Revision(); rev++ {
		log, err := snap.ChangesSince(rev)
		if err != nil {
			t.Fatal(err)
		}
		want := snap.Describe(log)
		got, err := snap.SummariesSince(rev)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("SummariesSince(%d) = %d summaries, %v; want %d", rev, len(got), err, len(want))
		}
	}
	if _, err := snap.SummariesSince(snap.Revision() + 1); !errors.Is(err, agenda.ErrUnknownRevision) {
		t.Errorf("SummariesSince(next) err = %v, want ErrUnknownRevision", err)
	}
}

// longLog edits Small n times, a revision each: moves, retimes, renames,
// new abstracts, cancellations and room renames in turn.
func longLog(tb testing.TB, n int) *agenda.Snapshot {
	tb.Helper()
	s := agendatest.Small(tb)
	at := time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC)
	cancelled, confirmed := agenda.StatusCancelled, agenda.StatusConfirmed
	for i := range n {
		e := s.Edit("bench", at.Add(time.Duration(i)*time.Second))
		var err error
		switch i % 6 {
		case 0:
			room := []string{"room-1", "room-2"}[i/6%2]
			err = e.UpdateSession("late-talk", agenda.SessionUpdate{Room: &room})
		case 1:
			start := agendatest.At(9, 9+i/6%2, 0)
			end := start.Add(40 * time.Minute)
			err = e.UpdateSession("late-talk", agenda.SessionUpdate{Start: &start, End: &end})
		case 2:
			err = e.UpdateSession("state-of-state", agenda.SessionUpdate{Title: ptr(fmt.Sprintf("State of State %d", i))})
		case 3:
			err = e.UpdateSession("streams-everywhere", agenda.SessionUpdate{Abstract: ptr(fmt.Sprintf("Take %d.", i))})
		case 4:
			status := []*agenda.Status{&cancelled, &confirmed}[i/6%2]
			err = e.UpdateSession("opening-keynote", agenda.SessionUpdate{Status: status})
		case 5:
			err = e.RenameRoom("room-2", fmt.Sprintf("Room 2 (%d)", i))
		}
		if err != nil {
			tb.Fatalf("edit %d: %v", i, err)
		}
		if s, err = e.Commit(); err != nil {
			tb.Fatalf("commit %d: %v", i, err)
		}
	}
	return s
}

// BenchmarkDescribe describes a whole log on a snapshot loaded afresh, as
// a server does once per revision: the cost grows linearly with the log.
func BenchmarkDescribe(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			snap := longLog(b, n)
			c, log := snap.Contents(), snap.Log()
			b.ReportAllocs()
			for b.Loop() {
				fresh, err := agenda.NewSnapshot(c, snap.Revision(), snap.BaseRevision(), log)
				if err != nil {
					b.Fatal(err)
				}
				if sums := fresh.Describe(fresh.Log()); len(sums) != n {
					b.Fatalf("%d summaries, want %d", len(sums), n)
				}
			}
		})
	}
}

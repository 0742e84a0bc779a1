package ical_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"

	goical "github.com/emersion/go-ical"
)

// alarmSnapshot is agendatest.Small with the closing keynote cancelled and
// "State of State" given a long title with accents in a room with a long
// name, so that its reminder's DESCRIPTION must be folded.
func alarmSnapshot(t testing.TB) *agenda.Snapshot {
	t.Helper()
	snap := agendatest.Small(t)
	snap = edit(t, snap, "closing-keynote", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
	snap = edit(t, snap, "state-of-state", agenda.SessionUpdate{Title: ptr("État de l’état: what a stream processor keeps, where it keeps it, and for how long")})
	ed := snap.Edit("test", editAt)
	if err := ed.RenameRoom("room-2", "Salle Ünïcödé, second floor, at the end of the corridor"); err != nil {
		t.Fatal(err)
	}
	next, err := ed.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// valarmRE matches one VALARM block of a body.
var valarmRE = regexp.MustCompile(`(?s)BEGIN:VALARM\r\n.*?END:VALARM\r\n`)

func TestWithAlarm(t *testing.T) {
	snap := alarmSnapshot(t)
	e := render(t, snap, nil)
	plain := e.Calendar(ical.FeedMeta{}, snap.SessionIDs())
	seen := map[string]string{plain.ETag(): "no reminder"}
	for _, tt := range []struct {
		name    string
		lead    time.Duration
		trigger string
	}{
		{"at the start", 0, "PT0S"},
		{"ten minutes", 10 * time.Minute, "-PT10M"},
		{"an hour and a half", 90 * time.Minute, "-PT1H30M"},
		{"a day", 24 * time.Hour, "-PT24H"},
		{"hours and seconds", time.Hour + 5*time.Second, "-PT1H0M5S"},
		{"after the start", -5 * time.Minute, "PT5M"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := plain.WithAlarm(tt.lead)
			body := c.Bytes()
			checkLines(t, body)
			if c.Size() != len(body) {
				t.Errorf("Size() = %d, the body has %d bytes", c.Size(), len(body))
			}
			var w bytes.Buffer
			if _, err := c.WriteTo(&w); err != nil || !bytes.Equal(w.Bytes(), body) {
				t.Errorf("WriteTo differs from Bytes (%v)", err)
			}
			// The reminders are all that was added, each inside its event.
			if stripped := valarmRE.ReplaceAll(body, nil); !bytes.Equal(stripped, plain.Bytes()) {
				t.Errorf("the body without its VALARMs differs from the calendar without reminders:\n%s", firstDiff(stripped, plain.Bytes()))
			}
			cal := decode(t, body)
			events := cal.Events()
			if len(events) != len(snap.SessionIDs()) {
				t.Fatalf("%d events, want %d", len(events), len(snap.SessionIDs()))
			}
			for i, ev := range events {
				x, _ := snap.Session(snap.SessionIDs()[i])
				if got := text(t, ev.Props, goical.PropUID); got != snap.UID(x.ID) {
					t.Errorf("event %d: UID %q, want %q", i, got, snap.UID(x.ID))
				}
				var alarms []*goical.Component
				for _, child := range ev.Children {
					if child.Name == goical.CompAlarm {
						alarms = append(alarms, child)
					}
				}
				if x.Status == agenda.StatusCancelled {
					if len(alarms) != 0 {
						t.Errorf("%s is cancelled but has %d VALARMs", x.ID, len(alarms))
					}
					continue
				}
				if len(alarms) != 1 {
					t.Fatalf("%s: %d VALARMs, want 1", x.ID, len(alarms))
				}
				a := alarms[0]
				if got := a.Props.Get(goical.PropAction); got == nil || got.Value != "DISPLAY" {
					t.Errorf("%s: ACTION %v, want DISPLAY", x.ID, got)
				}
				trig := a.Props.Get(goical.PropTrigger)
				if trig == nil {
					t.Fatalf("%s: VALARM without TRIGGER", x.ID)
				}
				if trig.Value != tt.trigger {
					t.Errorf("%s: TRIGGER %s, want %s", x.ID, trig.Value, tt.trigger)
				}
				if d, err := trig.Duration(); err != nil || d != -tt.lead.Round(time.Second) {
					t.Errorf("%s: TRIGGER reads as %v (%v), want %v", x.ID, d, err, -tt.lead)
				}
				room, _ := snap.Room(x.Room)
				if got, want := text(t, a.Props, goical.PropDescription), x.Title+" — "+room.Name; got != want {
					t.Errorf("%s: DESCRIPTION %q, want %q", x.ID, got, want)
				}
			}
			if other, ok := seen[c.ETag()]; ok {
				t.Errorf("ETag %s is also the ETag with %s", c.ETag(), other)
			}
			seen[c.ETag()] = tt.name
			if again := plain.WithAlarm(tt.lead); again.ETag() != c.ETag() {
				t.Errorf("the same reminder gave ETags %s and %s", c.ETag(), again.ETag())
			}
			if replaced := plain.WithAlarm(time.Minute).WithAlarm(tt.lead); replaced.ETag() != c.ETag() || !bytes.Equal(replaced.Bytes(), body) {
				t.Errorf("WithAlarm on a calendar with reminders does not replace them")
			}
			if c.Modified() != plain.Modified() || c.Events() != plain.Events() {
				t.Errorf("Modified %v, Events %d; without reminders %v, %d", c.Modified(), c.Events(), plain.Modified(), plain.Events())
			}
		})
	}
	// The long DESCRIPTION is folded (checkLines saw no long line): its
	// raw line is longer than a content line may be.
	if s, _ := snap.Session("state-of-state"); len("DESCRIPTION:"+s.Title) <= 75 {
		t.Fatalf("the test title is too short to need folding")
	}
}

// TestAlarmsOnlyWhenAsked: feeds and CalDAV objects carry no VALARM unless
// a calendar asks for reminders with WithAlarm.
func TestAlarmsOnlyWhenAsked(t *testing.T) {
	snap := alarmSnapshot(t)
	e := render(t, snap, nil)
	var bodies [][]byte
	bodies = append(bodies, e.Calendar(ical.FeedMeta{}, snap.SessionIDs()).Bytes())
	all, err := e.FeedOf(e.Head(ical.FeedMeta{}), agenda.Selection{All: true})
	if err != nil {
		t.Fatal(err)
	}
	bodies = append(bodies, all.Bytes())
	for _, id := range snap.SessionIDs() {
		o, _ := e.Object(id)
		bodies = append(bodies, o.Bytes())
	}
	for i, b := range bodies {
		if bytes.Contains(b, []byte("VALARM")) {
			t.Errorf("body %d has a VALARM", i)
		}
	}
}

// TestAlarmFollowsTheSession: a session that moves keeps its UID, and its
// reminder, relative to DTSTART, moves with it; the ETag changes.
func TestAlarmFollowsTheSession(t *testing.T) {
	s1 := agendatest.Small(t)
	e1 := render(t, s1, nil)
	s2 := edit(t, s1, "late-talk", agenda.SessionUpdate{Start: ptr(agendatest.At(9, 15, 0)), End: ptr(agendatest.At(9, 15, 40))})
	e2 := render(t, s2, e1)
	before := e1.Calendar(ical.FeedMeta{}, []string{"late-talk"}).WithAlarm(15 * time.Minute)
	after := e2.Calendar(ical.FeedMeta{}, []string{"late-talk"}).WithAlarm(15 * time.Minute)
	if before.ETag() == after.ETag() {
		t.Errorf("the ETag did not change when the session moved")
	}
	var starts []time.Time
	for _, c := range []*ical.Calendar{before, after} {
		ev := decode(t, c.Bytes()).Events()[0]
		if got := text(t, ev.Props, goical.PropUID); got != s1.UID("late-talk") {
			t.Errorf("UID %q, want %q", got, s1.UID("late-talk"))
		}
		start, err := ev.DateTimeStart(nil)
		if err != nil {
			t.Fatal(err)
		}
		starts = append(starts, start)
		if n := strings.Count(string(c.Bytes()), "TRIGGER:-PT15M\r\n"); n != 1 {
			t.Errorf("%d TRIGGER:-PT15M lines, want 1", n)
		}
	}
	if !starts[1].Equal(agendatest.At(9, 15, 0)) || starts[0].Equal(starts[1]) {
		t.Errorf("DTSTART %v then %v, want the move to %v", starts[0], starts[1], agendatest.At(9, 15, 0))
	}
}

// BenchmarkAlarmPick assembles and writes a pick of 30 sessions of a big
// agenda with and without reminders: the reminders add a TRIGGER line
// made once per calendar and a few appends per event, nothing rendered.
func BenchmarkAlarmPick(b *testing.B) {
	snap := bigSnapshot(b)
	e := render(b, snap, nil)
	ids := snap.SessionIDs()[:30]
	for _, bb := range []struct {
		name string
		make func() *ical.Calendar
	}{
		{"plain", func() *ical.Calendar { return e.Calendar(ical.FeedMeta{}, ids) }},
		{"alarm", func() *ical.Calendar { return e.Calendar(ical.FeedMeta{}, ids).WithAlarm(10 * time.Minute) }},
	} {
		b.Run(bb.name, func(b *testing.B) {
			buf := make([]byte, 0, 1<<17)
			b.ReportAllocs()
			for b.Loop() {
				c := bb.make()
				buf = c.AppendTo(buf[:0])
				_ = c.ETag()
			}
		})
	}
}

// TestAlarmConcurrent: calendars with reminders made at once from one
// rendering, whose events render their reminders on first use, all get the
// same bytes (run with -race).
func TestAlarmConcurrent(t *testing.T) {
	snap := alarmSnapshot(t)
	e := render(t, snap, nil)
	want := e.Calendar(ical.FeedMeta{}, snap.SessionIDs()).WithAlarm(5 * time.Minute).Bytes()
	e = render(t, snap, nil) // a fresh rendering: no reminder rendered yet
	got := make(chan []byte)
	for range 8 {
		go func() { got <- e.Calendar(ical.FeedMeta{}, snap.SessionIDs()).WithAlarm(5 * time.Minute).Bytes() }()
	}
	for range 8 {
		if b := <-got; !bytes.Equal(b, want) {
			t.Errorf("a concurrent calendar differs:\n%s", firstDiff(b, want))
		}
	}
}

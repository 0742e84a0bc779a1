package agenda_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

func TestCheckText(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ö", n) }
	tests := []struct {
		name  string
		check func(string) error
		v     string
		says  []string // nil: accepted
	}{
		{"title at the limit", agenda.CheckTitle, long(agenda.MaxTitleLength), nil},
		{"title over the limit", agenda.CheckTitle, long(agenda.MaxTitleLength + 1), []string{"title", "301 characters", "limit of 300"}},
		{"empty title", agenda.CheckTitle, "", []string{"title is empty"}},
		{"title with ESC", agenda.CheckTitle, "a\x1b[2J", []string{"title", "U+001B", "character 2"}},
		{"title with a line feed", agenda.CheckTitle, "a\nb", []string{"title", "U+000A", "one line"}},
		{"title with a tab", agenda.CheckTitle, "a\tb", []string{"U+0009"}},
		{"title with a C1 control", agenda.CheckTitle, "a\u0085b", []string{"U+0085"}},
		{"title not UTF-8", agenda.CheckTitle, "a\xffb", []string{"title", "UTF-8"}},
		{"room name at the limit", agenda.CheckRoomName, long(agenda.MaxNameLength), nil},
		{"room name over the limit", agenda.CheckRoomName, long(agenda.MaxNameLength + 1), []string{"room name", "limit of 100"}},
		{"room name with NUL", agenda.CheckRoomName, "Room\x00", []string{"room name", "U+0000"}},
		{"track name over the limit", agenda.CheckTrackName, long(agenda.MaxNameLength + 1), []string{"track name", "limit of 100"}},
		{"track name with DEL", agenda.CheckTrackName, "x\x7f", []string{"track name", "U+007F"}},
		{"abstract at the limit", agenda.CheckAbstract, long(agenda.MaxAbstractLength-2) + "\t\n", nil},
		{"empty abstract", agenda.CheckAbstract, "", nil},
		{"abstract over the limit", agenda.CheckAbstract, long(agenda.MaxAbstractLength + 1), []string{"abstract", "limit of 20000"}},
		{"abstract with a bare CR", agenda.CheckAbstract, "a\rb", []string{"abstract", "U+000D", "tabs and line feeds"}},
		{"abstract with CR LF", agenda.CheckAbstract, "a\r\nb", []string{"U+000D"}},
		{"abstract with ESC", agenda.CheckAbstract, "a\n\x1b]0;x\x07", []string{"U+001B", "character 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check(tc.v)
			if tc.says == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Fatalf("error %v, want ErrInvalid", err)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
	if got := agenda.NormalizeAbstract("a\r\nb\r\n\rc"); got != "a\nb\n\rc" {
		t.Errorf("NormalizeAbstract = %q, want CR LF as LF and the bare CR kept (for CheckAbstract to refuse)", got)
	}
}

// Every Editor method that takes text applies the checks, and a refused
// change records nothing.
func TestEditorRefusesText(t *testing.T) {
	s := agendatest.Small(t)
	start, end := agendatest.At(9, 14, 0), agendatest.At(9, 14, 30)
	newSession := func(title, abstract string) agenda.Session {
		return agenda.Session{ID: "new", Title: title, Abstract: abstract, Start: start, End: end, Room: "room-1", Track: "talks"}
	}
	tests := []struct {
		name string
		edit func(*agenda.Editor) error
		says string
	}{
		{"new session's title", func(e *agenda.Editor) error {
			return e.AddSession(newSession(strings.Repeat("x", agenda.MaxTitleLength+1), ""), false)
		}, `session "new": title is 301 characters long`},
		{"new session's abstract", func(e *agenda.Editor) error { return e.AddSession(newSession("T", "\x1b[1m"), false) }, `session "new": abstract holds the control character U+001B`},
		{"blank new title", func(e *agenda.Editor) error { return e.AddSession(newSession("  ", ""), false) }, "title is empty"},
		{"title", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr("Late\nTalk")})
		}, `session "late-talk": title holds the control character U+000A`},
		{"abstract", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Abstract: ptr(strings.Repeat("x", agenda.MaxAbstractLength+1))})
		}, "abstract is 20001 characters long"},
		{"room name", func(e *agenda.Editor) error {
			return e.AddRoom(agenda.Room{ID: "room-3", Name: strings.Repeat("x", 900_000)})
		}, `room "room-3": room name is 900000 characters long, longer than the limit of 100`},
		{"room rename", func(e *agenda.Editor) error { return e.RenameRoom("room-1", "Room\u009b1") }, "room name holds the control character U+009B"},
		{"blank rename", func(e *agenda.Editor) error { return e.RenameRoom("room-1", " ") }, "room name is empty"},
		{"track name", func(e *agenda.Editor) error {
			return e.AddTrack(agenda.Track{ID: "panel", Name: "Panel\x00"})
		}, `track "panel": track name holds the control character U+0000`},
		{"track colour", func(e *agenda.Editor) error {
			return e.AddTrack(agenda.Track{ID: "panel", Name: "Panel", Color: "red}body{display:none"})
		}, `color "red}body{display:none" is not #RRGGBB`},
		{"long room ID", func(e *agenda.Editor) error {
			return e.AddRoom(agenda.Room{ID: strings.Repeat("a", 1000), Name: "A"})
		}, "not a slug (1 to 100 characters"},
		{"reconciled title", func(e *agenda.Editor) error {
			c := agendatest.SmallContents()
			c.Sessions[0].Title = "Opening\x1b[8m"
			_, err := e.Reconcile(c)
			return err
		}, `session "opening-keynote": title holds the control character U+001B`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := s.Edit("test", time.Now())
			err := tc.edit(e)
			if !errors.Is(err, agenda.ErrInvalid) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want ErrInvalid saying %q", err, tc.says)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error message of %d bytes, want a short one", len(err.Error()))
			}
			if tc.name != "reconciled title" && len(e.Changes()) != 0 {
				t.Errorf("refused change recorded %v", e.Changes())
			}
		})
	}
}

// An abstract's CR LF line ends are kept as LF; tabs and line feeds stay.
func TestEditorNormalizesAbstract(t *testing.T) {
	e := agendatest.Small(t).Edit("test", time.Now())
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Abstract: ptr("One\r\n\tTwo\nThree")}); err != nil {
		t.Fatal(err)
	}
	if x, _ := e.Session("late-talk"); x.Abstract != "One\n\tTwo\nThree" {
		t.Errorf("abstract %q, want CR LF written as LF", x.Abstract)
	}
}

// Session times are kept to the minute everywhere: by the Editor, in the
// change log, and by NewSnapshot; so no session ends within the minute it
// starts, which would render DTSTART equal to DTEND.
func TestTimesAreWholeMinutes(t *testing.T) {
	s := agendatest.Small(t)
	at := func(h, m, sec, ns int) time.Time {
		return agendatest.At(9, h, m).Add(time.Duration(sec)*time.Second + time.Duration(ns))
	}

	e := s.Edit("test", time.Now())
	err := e.AddSession(agenda.Session{ID: "blink", Title: "Blink", Start: at(14, 0, 0, 1e8), End: at(14, 0, 0, 9e8), Room: "room-1", Track: "talks"}, false)
	if !errors.Is(err, agenda.ErrInvalid) || !strings.Contains(err.Error(), "not after start") {
		t.Errorf("a session within one minute: %v, want ErrInvalid (end not after start)", err)
	}
	err = e.UpdateSession("late-talk", agenda.SessionUpdate{Start: ptr(at(11, 39, 30, 0)), End: ptr(at(11, 39, 59, 0))})
	if !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("a move to within one minute: %v, want ErrInvalid", err)
	}

	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Start: ptr(at(11, 5, 30, 0)), End: ptr(at(11, 45, 59, 999))}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	x, _ := next.Session("late-talk")
	if !x.Start.Equal(agendatest.At(9, 11, 5)) || !x.End.Equal(agendatest.At(9, 11, 45)) {
		t.Errorf("moved to %v–%v, want 11:05–11:45", x.Start, x.End)
	}
	for _, c := range next.Log() {
		if c.Field == agenda.FieldStart && c.New != "2019-10-09T11:05:00+02:00" || c.Field == agenda.FieldEnd && c.New != "2019-10-09T11:45:00+02:00" {
			t.Errorf("change log %s = %q, want the whole minute", c.Field, c.New)
		}
	}

	c := agendatest.SmallContents()
	c.Sessions[0].Start = c.Sessions[0].Start.Add(20 * time.Second)
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := snap.Session(c.Sessions[0].ID); !x.Start.Equal(agendatest.At(8, 9, 0)) {
		t.Errorf("NewSnapshot kept start %v, want 09:00", x.Start)
	}
	c.Sessions[0].Start, c.Sessions[0].End = at(9, 0, 1, 0), at(9, 0, 59, 0)
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("NewSnapshot of a session within one minute: %v, want ErrInvalid", err)
	}
}

// A snapshot from a store made before the text limits still loads, and
// its text can be edited into shape.
func TestOldTextStillLoads(t *testing.T) {
	c := agendatest.SmallContents()
	c.Rooms[0].Name = strings.Repeat("R", 5000)
	c.Sessions[0].Title = "Opening\x1b[2J"
	s, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatalf("NewSnapshot of old text: %v", err)
	}
	e := s.Edit("test", time.Now())
	if err := e.UpdateSession(c.Sessions[0].ID, agenda.SessionUpdate{Room: ptr("room-2"), Force: true}); err != nil {
		t.Errorf("moving a session with an old title: %v", err)
	}
	if err := e.UpdateSession(c.Sessions[0].ID, agenda.SessionUpdate{Title: ptr("Opening")}); err != nil {
		t.Errorf("fixing the title: %v", err)
	}
	if err := e.RenameRoom("room-1", "Room 1"); err != nil {
		t.Errorf("fixing the room name: %v", err)
	}
	if _, err := e.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestConferenceText(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*agenda.Conference)
		says string
	}{
		{"long name", func(c *agenda.Conference) { c.Name = strings.Repeat("x", agenda.MaxConferenceNameLength+1) }, "conference name is 201 characters"},
		{"name with ESC", func(c *agenda.Conference) { c.Name = "Conf\x1b" }, "conference name holds the control character U+001B"},
		{"long description", func(c *agenda.Conference) { c.Description = strings.Repeat("x", agenda.MaxDescriptionLength+1) }, "conference description is 1001"},
		{"two-line description", func(c *agenda.Conference) { c.Description = "a\nb" }, "U+000A"},
		{"long UID domain", func(c *agenda.Conference) { c.UIDDomain = strings.Repeat("x", 254) }, "UID domain is 254"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := agendatest.Conference()
			tc.edit(&c)
			if err := c.Validate(); !errors.Is(err, agenda.ErrInvalid) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Validate = %v, want ErrInvalid saying %q", err, tc.says)
			}
		})
	}
	if err := agendatest.Conference().Validate(); err != nil {
		t.Errorf("the test conference: %v", err)
	}
}

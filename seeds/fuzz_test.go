package seeds_test

import (
	"errors"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/seeds"
)

// FuzzParse feeds Parse arbitrary text: it must return contents that make a
// valid snapshot with one session per session line, or a *seeds.Error that
// names a line of the input; it must never panic.
func FuzzParse(f *testing.F) {
	// The seed's shape in miniature (inputs stay small, so that the fuzzer
	// minimizes quickly): page header, a training repeated in two slots
	// with "<title><title>" glued lines, a summary list, a new part of the
	// page repeating its first title, a stray space after the category, an
	// empty abstract glued to its category, a block without closing line,
	// a real abstract line ending in "…", and a final summary list.
	f.Add(strings.Join([]string{
		"Agenda",
		"Dev Training",
		"Dev Training",
		"October 7: 10:00am - 11:30am1h 30minStandard TrainingLearn Flink.",
		"- Git",
		"Standard Training",
		"Dev TrainingDev Training",
		"Dev Training",
		"October 7: 11:45am - 1:15pm1h 30minStandard TrainingLearn Flink.",
		"Standard Training",
		"Dev TrainingDev Training",
		"Learn…",
		"Dev Training",
		"Learn…",
		"Worst Practices",
		"Worst Practices",
		"October 8: 11:00 am - 11:40 am 40minOperations Lessons…",
		"Bio.",
		"Operations",
		"Worst PracticesUnlocking",
		"Unlocking",
		"October 8: 11:50 am - 12:30 pm40minOperationsOperations",
		"UnlockingCoffee",
		"Coffee",
		"October 8: 3:00 pm - 3:30 pm30minOtherFree books.",
		"Breakfast",
		"Breakfast",
		"October 9: 8:30 am - 9:30 am 1h 0minOtherOther",
		"BreakfastKeynote",
		"Keynote",
		"October 9: 9:30 am - 10:15 am45minOtherWelcome.",
		"Other",
		"KeynoteWorst Practices",
		"Lessons…",
		"Keynote",
		"Welcome…",
	}, "\n"))
	// A minimal page, with CRLF line ends.
	f.Add("T\r\nOctober 8: 9:00 am - 9:40 am 40minKeynoteAbstract.\r\nKeynote\r\n")
	// Each time and duration spelling.
	f.Add("A\nOctober 7: 10:00am - 11:30am1h 30minOtherOther\nAB\nB\nOctober 9: 12:00 pm - 1:00 pm 1h 0minOther x\nOther\n")
	// Almost a session line: bad time, bad duration, no title, far days.
	f.Add("October 8: 13:00 am - 1:00 pm\n")
	f.Add("T\nOctober 99: 9:00 am - 9:40 am 40minKeynote\nKeynote")
	f.Add("T\nDecember 31: 11:00 pm - 11:59 pm59minX\nX\nT\n…")
	f.Add("")
	// Text the agenda refuses: a tab in a title, a C1 control.
	f.Add("A\tB\nOctober 8: 9:00 am - 9:40 am 40minKeynoteAbstract.\nKeynote\n")
	f.Add("T\nOctober 8: 9:00 am - 9:40 am 40minKeynoteAb\u009bstract.\nKeynote\n")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := seeds.Parse("fuzz.txt", []byte(src), seeds.FlinkForwardBerlin2019Conference())
		n := countLines(src)
		if err != nil {
			var e *seeds.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error %v (%T) is not a *seeds.Error", err, err)
			}
			if e.File != "fuzz.txt" || e.Line < 1 || e.Line > max(n, 1) || e.Msg == "" {
				t.Fatalf("Parse error %q names no line of the %d-line input", err, n)
			}
			return
		}
		if _, err := agenda.NewSnapshot(c, 1, 1, nil); err != nil {
			t.Fatalf("Parse returned contents that make no snapshot: %v", err)
		}
		// What Parse accepts, an Editor accepts: the same rules on text.
		for _, x := range c.Sessions {
			if err := errors.Join(agenda.CheckTitle(x.Title), agenda.CheckAbstract(x.Abstract)); err != nil {
				t.Fatalf("Parse accepted session %q, which the agenda refuses: %v", x.ID, err)
			}
		}
		for _, tr := range c.Tracks {
			if err := agenda.CheckTrackName(tr.Name); err != nil {
				t.Fatalf("Parse accepted track %q, which the agenda refuses: %v", tr.ID, err)
			}
		}
		want := 0
		for _, l := range strings.Split(strings.TrimPrefix(src, "\ufeff"), "\n") {
			if sessionLineRE.MatchString(l) {
				want++
			}
		}
		if len(c.Sessions) != want {
			t.Fatalf("Parse found %d sessions in input with %d session lines", len(c.Sessions), want)
		}
		for i, x := range c.Sessions {
			for _, y := range c.Sessions[i+1:] {
				if x.Room == y.Room && x.Overlaps(y) {
					t.Fatalf("%q and %q overlap in %s", x.ID, y.ID, x.Room)
				}
			}
		}
	})
}

// countLines counts lines as Parse does: a final line end starts no line.
func countLines(src string) int {
	src = strings.TrimPrefix(src, "\ufeff")
	n := strings.Count(src, "\n") + 1
	if strings.HasSuffix(src, "\n") && n > 1 {
		n--
	}
	return n
}

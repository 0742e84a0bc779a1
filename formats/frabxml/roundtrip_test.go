package frabxml_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/frabxml"
)

// base is the server URL the round trips export with.
const base = "https://confcal.example"

// roundTrip imports data, exports it, validates the export and imports it
// again; the second agenda must be the first, but for what the package
// documentation lists as not carried: the conference's description, and
// sessions without a source URL linking to the server.
func roundTrip(t *testing.T, name string, data []byte, opts formats.Options) {
	t.Helper()
	r1, first := parse(t, name, data, opts)
	out := exportOf(t, first, frabxml.ExportOptions{BaseURL: base})
	validate(t, name, out)
	r2, second := parse(t, name, out, opts)

	// An export reads without a problem, but for the UID domain the
	// import had to make up (it says so every time).
	for _, p := range r2.Problems {
		if !strings.Contains(p.Reason, "calendar UIDs end in") {
			t.Errorf("re-import reports %s", p)
		}
	}
	c1, c2 := first.Conference(), second.Conference()
	c1.Description = ""
	if c1 != c2 {
		t.Errorf("conference after the round trip:\n%+v\nwant\n%+v", c2, c1)
	}
	if !slices.Equal(first.Rooms(), second.Rooms()) {
		t.Errorf("rooms after the round trip:\n%v\nwant\n%v", second.Rooms(), first.Rooms())
	}
	if !slices.Equal(first.Tracks(), second.Tracks()) {
		t.Errorf("tracks after the round trip:\n%v\nwant\n%v", second.Tracks(), first.Tracks())
	}
	// The same speakers, but for those without sessions; the order is the
	// export's, in which they first speak.
	var speakers []agenda.Speaker
	for _, p := range first.Speakers() {
		if len(first.BySpeaker(p.ID)) > 0 {
			speakers = append(speakers, p)
		}
	}
	byID := func(a, b agenda.Speaker) int { return strings.Compare(a.ID, b.ID) }
	got := second.Speakers()
	slices.SortFunc(got, byID)
	slices.SortFunc(speakers, byID)
	if !slices.Equal(got, speakers) {
		t.Errorf("speakers after the round trip:\n%v\nwant\n%v", got, speakers)
	}
	if !slices.Equal(first.SessionIDs(), second.SessionIDs()) {
		t.Fatalf("session IDs after the round trip:\n%v\nwant\n%v", second.SessionIDs(), first.SessionIDs())
	}
	for _, x := range first.Sessions() {
		if x.URL == "" {
			x.URL = base + "/sessions/" + x.ID
		}
		if y, _ := second.Session(x.ID); !y.Equal(x) {
			t.Errorf("session after the round trip:\n%+v\nwant\n%+v", y, x)
		}
	}
	if len(r1.Contents.Sessions) == 0 {
		t.Error("nothing imported")
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		opts    formats.Options
	}{
		{"frab.xml", formats.Options{}},
		{"pentabarf.xml", formats.Options{TimeZone: "Europe/Brussels"}},
		{"pentabarf.xml", formats.Options{TimeZone: "Europe/Brussels", UIDDomain: "tfm.example"}},
		{"hub.xml", formats.Options{}},
		{"broken.xml", formats.Options{}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			roundTrip(t, tc.fixture, readFixture(t, tc.fixture), tc.opts)
		})
	}
}

// sample reads a real schedule from ../shared/samples.
func sample(t *testing.T, dir string) []byte {
	t.Helper()
	path := filepath.Join(shared, "samples", dir, "schedule.xml")
	need(t, "sample "+dir, path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSamples imports the real files and checks what was counted in them
// independently (Python's ElementTree over the same files): events,
// distinct room names, days, distinct track names (plus General for the
// 39C3 events without a track), distinct person keys, events listed per
// day, and the problems, by kind.
func TestSamples(t *testing.T) {
	for _, tc := range []struct {
		dir      string
		opts     formats.Options
		conf     agenda.Conference
		sessions int
		rooms    int
		tracks   int
		speakers int
		perDay   []int
		problems map[string]int
	}{
		{
			dir: "39c3-hub",
			conf: agenda.Conference{Name: "39th Chaos Communications Congress", TimeZone: "Europe/Berlin",
				First: agenda.Date{Year: 2025, Month: 12, Day: 27}, Last: agenda.Date{Year: 2025, Month: 12, Day: 30},
				UIDDomain: "events.ccc.de", DayChange: 6 * 3600e9, URL: "https://events.ccc.de/congress/2025/hub/"},
			sessions: 215, rooms: 14, tracks: 8, speakers: 263,
			// As listed: the five events after midnight count to the day
			// before.
			perDay: []int{59, 68, 64, 24},
			// "de, en" 15 times, "en, de" 3 times.
			problems: map[string]int{"names several": 18},
		},
		{
			dir:  "fosdem-2021-pentabarf",
			opts: formats.Options{TimeZone: "Europe/Brussels"},
			conf: agenda.Conference{Name: "FOSDEM 2021", TimeZone: "Europe/Brussels",
				First: agenda.Date{Year: 2021, Month: 2, Day: 6}, Last: agenda.Date{Year: 2021, Month: 2, Day: 7},
				UIDDomain: "fosdem-2021.invalid"},
			sessions: 773, rooms: 108, tracks: 109, speakers: 684,
			perDay:   []int{401, 372},
			problems: map[string]int{"calendar UIDs end in @fosdem-2021.invalid": 1},
		},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			data := sample(t, tc.dir)
			if !frabxml.Sniff(data) {
				t.Error("Sniff = false")
			}
			r, snap := parse(t, "schedule.xml", data, tc.opts)
			if c := snap.Conference(); c != tc.conf {
				t.Errorf("conference = %+v\nwant %+v", c, tc.conf)
			}
			if n := len(snap.Sessions()); n != tc.sessions {
				t.Errorf("%d sessions, want %d", n, tc.sessions)
			}
			if n := len(snap.Rooms()); n != tc.rooms {
				t.Errorf("%d rooms, want %d", n, tc.rooms)
			}
			if n := len(snap.Tracks()); n != tc.tracks {
				t.Errorf("%d tracks, want %d", n, tc.tracks)
			}
			if n := len(snap.Speakers()); n != tc.speakers {
				t.Errorf("%d speakers, want %d", n, tc.speakers)
			}
			var perDay []int
			for _, d := range snap.Days() {
				perDay = append(perDay, len(snap.ByDay(d)))
			}
			if !slices.Equal(perDay, tc.perDay) {
				t.Errorf("sessions per day %v, want %v", perDay, tc.perDay)
			}
			kinds := map[string]int{}
		next:
			for _, p := range r.Problems {
				for kind := range tc.problems {
					if strings.Contains(p.Reason, kind) {
						kinds[kind]++
						continue next
					}
				}
				t.Errorf("unexpected problem %s", p)
			}
			for kind, n := range tc.problems {
				if kinds[kind] != n {
					t.Errorf("%d problems %q, want %d", kinds[kind], kind, n)
				}
			}
		})
	}
}

func TestSampleRoundTrip(t *testing.T) {
	t.Run("39c3-hub", func(t *testing.T) { roundTrip(t, "39c3.xml", sample(t, "39c3-hub"), formats.Options{}) })
	t.Run("fosdem-2021-pentabarf", func(t *testing.T) {
		roundTrip(t, "fosdem.xml", sample(t, "fosdem-2021-pentabarf"), formats.Options{TimeZone: "Europe/Brussels"})
	})
}

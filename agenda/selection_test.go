package agenda_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"confcal/agenda"
)

// selects is the rule behind sel, written out: a session is named by ID,
// lies in a named track, room or day, or has a named speaker (any with
// All), and is not cancelled if NotCancelled says so.
func selects(snap *agenda.Snapshot, sel agenda.Selection) func(agenda.Session) bool {
	return func(x agenda.Session) bool {
		if sel.NotCancelled && x.Status == agenda.StatusCancelled {
			return false
		}
		return sel.All || slices.Contains(sel.Sessions, x.ID) || slices.Contains(sel.Tracks, x.Track) ||
			slices.Contains(sel.Rooms, x.Room) || slices.Contains(sel.Days, snap.Day(x)) ||
			slices.ContainsFunc(x.Speakers, func(id string) bool { return slices.Contains(sel.Speakers, id) })
	}
}

// brute is what Select answers, found the slow way: every session tried
// against the selection's rule.
func brute(snap *agenda.Snapshot, sel agenda.Selection) []string {
	in := selects(snap, sel)
	var out []string
	for x := range snap.All() {
		if in(x) {
			out = append(out, x.ID)
		}
	}
	return out
}

func TestSelect(t *testing.T) {
	snap, err := agenda.NewSnapshot(bigContents(300), 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := snap.SessionIDs()
	days := snap.Days()
	for _, tt := range []struct {
		name string
		sel  agenda.Selection
		want []string // nil: the brute-force answer
		err  string
	}{
		{name: "nothing", sel: agenda.Selection{}, want: []string{}},
		{name: "sessions in reverse, repeated", sel: agenda.Selection{Sessions: []string{all[2], all[0], all[2]}}, want: []string{all[0], all[2]}},
		{name: "a track", sel: agenda.Selection{Tracks: []string{snap.Tracks()[0].ID}}},
		{name: "a room and a session in it", sel: agenda.Selection{Rooms: []string{snap.Rooms()[0].ID}, Sessions: all}},
		{name: "every day", sel: agenda.Selection{Days: days}, want: all},
		{name: "a day and a track", sel: agenda.Selection{Days: days[1:2], Tracks: []string{snap.Tracks()[1].ID}}},
		{name: "all", sel: agenda.Selection{All: true, Sessions: all[:1]}, want: all},
		{name: "all not cancelled", sel: agenda.Selection{All: true, NotCancelled: true}},
		{name: "a track not cancelled", sel: agenda.Selection{Tracks: []string{snap.Tracks()[0].ID}, NotCancelled: true}},
		{name: "all with an unknown room", sel: agenda.Selection{All: true, Rooms: []string{"nope"}}, err: `unknown room "nope"`},
		{name: "unknown session", sel: agenda.Selection{Sessions: []string{all[0], "nope"}}, err: `unknown session "nope"`},
		{name: "unknown track", sel: agenda.Selection{Tracks: []string{"nope"}}, err: `unknown track "nope"`},
		{name: "unknown room", sel: agenda.Selection{Rooms: []string{"nope"}}, err: `unknown room "nope"`},
		{name: "a speaker", sel: agenda.Selection{Speakers: []string{snap.Speakers()[0].ID}}},
		{name: "unknown speaker", sel: agenda.Selection{Speakers: []string{"nope"}}, err: `unknown speaker "nope"`},
		{name: "day before", sel: agenda.Selection{Days: []agenda.Date{days[0].AddDays(-1)}}, err: "is not a day of"},
		{name: "day after", sel: agenda.Selection{Days: []agenda.Date{days[len(days)-1].AddDays(1)}}, err: "is not a day of"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := snap.Select(tt.sel)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Select = %q, %v; want an error saying %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = brute(snap, tt.sel)
				if len(want) == 0 {
					t.Fatal("the case selects nothing")
				}
			}
			if !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Errorf("Select = %q, want %q", got, want)
			}
		})
	}
}

// Through a run of random edits (moves between rooms and days, new
// tracks, cancellations, renames, new sessions), Select answers what the
// rule selects, in agenda order, and SelectionChanged what LastChange
// says of the rule (and Selects agrees with it for each session), for selections by ID alone and for mixed ones, with
// and without the cancelled, and for CalDAV's calendars.
func TestSelectAfterEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(round int, snap *agenda.Snapshot, sel agenda.Selection) {
		t.Helper()
		got, err := snap.Select(sel)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if want := brute(snap, sel); !slices.Equal(got, want) {
			t.Fatalf("round %d: Select(%+v) = %q, want %q", round, sel, got, want)
		}
		if app, err := snap.AppendSelected([]string{"before"}, sel); err != nil || !slices.Equal(app, append([]string{"before"}, got...)) {
			t.Fatalf("round %d: AppendSelected(%+v) = %q, %v; want Select's after the IDs given", round, sel, app, err)
		}
		in := selects(snap, sel)
		for x := range snap.All() {
			if got, want := snap.Selects(sel, x), in(x); got != want {
				t.Fatalf("round %d: Selects(%+v, %s) = %v, want %v", round, sel, x.ID, got, want)
			}
		}
		rev, at := snap.LastChange(selects(snap, sel))
		if m := snap.SelectionChanged(sel); m.Revision != rev || !m.Time.Equal(at) {
			t.Fatalf("round %d: SelectionChanged(%+v) = %+v, want LastChange's %d %v", round, sel, m, rev, at)
		}
	}
	randomEdits(t, 150, func(round int, snap *agenda.Snapshot) {
		ids, tracks, rooms, days, speakers := snap.SessionIDs(), snap.Tracks(), snap.Rooms(), snap.Days(), snap.Speakers()
		for k := range 12 {
			var sel agenda.Selection
			if k >= 8 { // a CalDAV calendar: everything, a track or a room, less the cancelled; the whole feed
				sel.NotCancelled = k != 11
				switch k {
				case 8, 11:
					sel.All = true
				case 9:
					sel.Tracks = []string{tracks[rng.IntN(len(tracks))].ID}
				case 10:
					sel.Rooms = []string{rooms[rng.IntN(len(rooms))].ID}
				}
				check(round, snap, sel)
				continue
			}
			sel.NotCancelled = k%3 == 2
			for range 1 + rng.IntN(20) {
				sel.Sessions = append(sel.Sessions, ids[rng.IntN(len(ids))])
			}
			if k%2 == 1 {
				sel.Tracks = append(sel.Tracks, tracks[rng.IntN(len(tracks))].ID)
				sel.Rooms = append(sel.Rooms, rooms[rng.IntN(len(rooms))].ID)
				if k == 5 {
					sel.Days = append(sel.Days, days[rng.IntN(len(days))])
				}
			}
			if k >= 6 { // a speaker's calendar, alone or in a pick
				sel.Speakers = append(sel.Speakers, speakers[rng.IntN(len(speakers))].ID)
				if k == 6 {
					sel.Sessions = nil
				}
			}
			check(round, snap, sel)
		}
	})
}

// An entry whose old value cannot be read concerns every selection, one
// by ID alone too, as it does every set in LastChange.
func TestSelectionChangedBadEntry(t *testing.T) {
	snap := badTimeLog(t)
	for _, tt := range []struct {
		sessions []string
		want     int64
	}{
		{[]string{"opening"}, 2},
		{[]string{"opening", "state-of-state"}, 3},
		{[]string{"late-talk"}, 2},
	} {
		if got := snap.SelectionChanged(agenda.Selection{Sessions: tt.sessions}).Revision; got != tt.want {
			t.Errorf("SelectionChanged(%q) at revision %d, want %d", tt.sessions, got, tt.want)
		}
	}
}

package agenda

import (
	"fmt"
	"slices"
)

// Selection names sessions by ID and by the track, room, day and speaker
// they have: what a personal pick names, and what a track's, room's, day's
// or speaker's calendar holds. The sessions it selects are the union of
// what it names.
type Selection struct {
	Sessions, Tracks, Rooms, Speakers []string
	Days                              []Date
}

// Select returns the IDs of the sessions sel names, in agenda order, each
// once. It is found from the snapshot's indexes, so it costs what the
// selection holds, not the agenda's size. It fails, naming the culprit,
// for an unknown session, track, room or speaker and a day the conference
// does not have.
func (s *Snapshot) Select(sel Selection) ([]string, error) {
	// A pick of a few dozen sessions finds them without allocating.
	var buf [64]int
	pos := buf[:0]
	for _, id := range sel.Sessions {
		i, ok := s.byID[id]
		if !ok {
			return nil, fmt.Errorf("unknown session %q", id)
		}
		pos = append(pos, i)
	}
	for _, id := range sel.Tracks {
		if _, ok := s.trackIdx[id]; !ok {
			return nil, fmt.Errorf("unknown track %q", id)
		}
		pos = append(pos, s.byTrack[id]...)
	}
	for _, id := range sel.Rooms {
		if _, ok := s.roomIdx[id]; !ok {
			return nil, fmt.Errorf("unknown room %q", id)
		}
		pos = append(pos, s.byRoom[id]...)
	}
	for _, id := range sel.Speakers {
		if _, ok := s.spkrIdx[id]; !ok {
			return nil, fmt.Errorf("unknown speaker %q", id)
		}
		for _, x := range s.bySpkr[id] {
			pos = append(pos, s.byID[x])
		}
	}
	for _, d := range sel.Days {
		if d.Before(s.conf.First) || s.conf.Last.Before(d) {
			return nil, fmt.Errorf("day %s is not a day of %s", d, s.conf.Name)
		}
		pos = append(pos, s.byDay[d]...)
	}
	// Positions are agenda order: sorted, each once, they are the answer.
	slices.Sort(pos)
	pos = slices.Compact(pos)
	ids := make([]string, len(pos))
	for i, p := range pos {
		ids[i] = s.sessions[p].ID
	}
	return ids, nil
}

// SelectionChanged says when the sessions sel selects last changed: what
// LastChange says of the rule "named by ID, or in a named track, room or
// day, or with a named speaker", a session leaving the selection included,
// but found from what the log's replay notes once per revision (the
// latest entry about each session, track, room, speaker and day, a
// session's state before or after it counting), so a request costs the
// names sel holds, not the log's length. An entry concerns a union
// exactly when it concerns one of its parts, so the latest of the parts'
// is the union's. The zero Mark when no entry concerns the selection.
func (s *Snapshot) SelectionChanged(sel Selection) Mark {
	if len(s.log) == 0 {
		return Mark{}
	}
	h := s.history()
	c := h.concerned
	latest := max(h.latestFailed, latestOf(c.session, sel.Sessions), latestOf(c.track, sel.Tracks),
		latestOf(c.room, sel.Rooms), latestOf(c.speaker, sel.Speakers), latestOf(c.day, sel.Days))
	if latest < 0 {
		return Mark{}
	}
	e := s.log[latest]
	return Mark{Revision: e.Revision, Time: e.Time.UTC()}
}

// latestOf returns the latest entry m notes for any of keys, -1 for none.
func latestOf[K comparable](m map[K]int, keys []K) int {
	latest := -1
	for _, k := range keys {
		if i, ok := m[k]; ok {
			latest = max(latest, i)
		}
	}
	return latest
}

// concerned notes, while the log is replayed from its end, the latest
// entry each session, track, room, speaker and day was concerned by.
type concerned struct {
	session, track, room, speaker map[string]int
	day                           map[Date]int
}

func newConcerned() concerned {
	return concerned{session: map[string]int{}, track: map[string]int{}, room: map[string]int{},
		speaker: map[string]int{}, day: map[Date]int{}}
}

// note records that entry i concerns x's session, track, room, speakers
// and day, where no later entry did: the replay goes from the last entry
// back.
func (c concerned) note(s *Snapshot, x Session, i int) {
	noteFirst(c.session, x.ID, i)
	noteFirst(c.track, x.Track, i)
	noteFirst(c.room, x.Room, i)
	for _, id := range x.Speakers {
		noteFirst(c.speaker, id, i)
	}
	noteFirst(c.day, s.Day(x), i)
}

// noteFirst records i under k unless an entry is recorded there already.
func noteFirst[K comparable](m map[K]int, k K, i int) {
	if _, ok := m[k]; !ok {
		m[k] = i
	}
}

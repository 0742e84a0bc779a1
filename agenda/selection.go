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
	latest := h.latestFailed
	at := func(m map[string]int, ids []string) {
		for _, id := range ids {
			if i, ok := m[id]; ok && i > latest {
				latest = i
			}
		}
	}
	at(h.concerned.session, sel.Sessions)
	at(h.concerned.track, sel.Tracks)
	at(h.concerned.room, sel.Rooms)
	at(h.concerned.speaker, sel.Speakers)
	for _, d := range sel.Days {
		if i, ok := h.concerned.day[d]; ok && i > latest {
			latest = i
		}
	}
	if latest < 0 {
		return Mark{}
	}
	c := s.log[latest]
	return Mark{Revision: c.Revision, Time: c.Time.UTC()}
}

func hasDay(m map[Date]int, d Date) bool {
	_, ok := m[d]
	return ok
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
// and day,
// where no later entry did: the replay goes from the last entry back.
func (c concerned) note(s *Snapshot, x Session, i int) {
	first := func(m map[string]int, id string) {
		if _, ok := m[id]; !ok {
			m[id] = i
		}
	}
	first(c.session, x.ID)
	first(c.track, x.Track)
	first(c.room, x.Room)
	for _, id := range x.Speakers {
		first(c.speaker, id)
	}
	if d := s.Day(x); !hasDay(c.day, d) {
		c.day[d] = i
	}
}

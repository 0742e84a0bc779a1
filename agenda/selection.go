package agenda

import (
	"fmt"
	"slices"
)

// Selection names sessions by ID and by the track, room and day they are
// in: what a personal pick names. The sessions it selects are the union of
// what it names.
type Selection struct {
	Sessions, Tracks, Rooms []string
	Days                    []Date
}

// Empty reports whether sel names nothing.
func (sel Selection) Empty() bool {
	return len(sel.Sessions)+len(sel.Tracks)+len(sel.Rooms)+len(sel.Days) == 0
}

// Select returns the IDs of the sessions sel names, in agenda order, each
// once. It is found from the snapshot's indexes, so it costs what the
// selection holds, not the agenda's size. It fails, naming the culprit,
// for an unknown session, track or room and a day the conference does not
// have.
func (s *Snapshot) Select(sel Selection) ([]string, error) {
	var pos []int
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

// Selects returns the rule behind sel, for LastChange: whether a session is
// named by ID or lies in a named track, room or day.
func (s *Snapshot) Selects(sel Selection) func(Session) bool {
	set := func(ids []string) map[string]bool {
		m := make(map[string]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	sessions, tracks, rooms := set(sel.Sessions), set(sel.Tracks), set(sel.Rooms)
	days := make(map[Date]bool, len(sel.Days))
	for _, d := range sel.Days {
		days[d] = true
	}
	return func(x Session) bool {
		return sessions[x.ID] || tracks[x.Track] || rooms[x.Room] || len(days) > 0 && days[s.Day(x)]
	}
}

// SelectionChanged says when the sessions sel selects last changed, as
// LastChange does for the rule Selects(sel): a session leaving the
// selection counts. A selection of sessions by ID alone is answered from
// their marks (SessionChanged), without walking the log: each one's latest
// entry concerns it, whatever the entry did. The zero Mark when no entry
// concerns the selection.
func (s *Snapshot) SelectionChanged(sel Selection) Mark {
	if len(sel.Tracks)+len(sel.Rooms)+len(sel.Days) > 0 {
		rev, at := s.LastChange(s.Selects(sel))
		return Mark{Revision: rev, Time: at.UTC()}
	}
	var m Mark
	for _, id := range sel.Sessions {
		if mk, ok := s.marks.session[id]; ok && mk.Revision > m.Revision {
			m = mk
		}
	}
	// An entry whose old value cannot be read concerns every set, as in
	// LastChange. Such entries are rare; finding them needs the replay.
	if len(s.log) > 0 {
		if f := s.history().latestFailed; f >= 0 && s.log[f].Revision > m.Revision {
			c := s.log[f]
			m = Mark{Revision: c.Revision, Time: c.Time.UTC()}
		}
	}
	return m
}

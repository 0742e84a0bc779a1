package agenda

import (
	"fmt"
	"slices"
)

// Selection names sessions by ID and by the track, room, day and speaker
// they have: what a personal pick names, and what a track's, room's, day's
// or speaker's calendar holds. The sessions it selects are the union of
// what it names — every session when All is set — less the cancelled ones
// when NotCancelled is set (a CalDAV calendar leaves them out; a feed keeps
// them, marked cancelled, so subscribers see the cancellation).
type Selection struct {
	Sessions, Tracks, Rooms, Speakers []string
	Days                              []Date

	All          bool
	NotCancelled bool
}

// Select returns the IDs of the sessions sel names, in agenda order, each
// once. It is found from the snapshot's indexes, so it costs what the
// selection holds, not the agenda's size. It fails, naming the culprit,
// for an unknown session, track, room or speaker and a day the conference
// does not have.
func (s *Snapshot) Select(sel Selection) ([]string, error) {
	ids, err := s.AppendSelected([]string{}, sel)
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// AppendSelected appends the IDs Select answers to dst, so that a caller
// that holds them only for a moment can keep them on its stack.
func (s *Snapshot) AppendSelected(dst []string, sel Selection) ([]string, error) {
	// A pick of a few dozen sessions finds them without allocating.
	var buf [64]int
	pos, err := s.selected(buf[:0], sel)
	if err != nil {
		return dst, err
	}
	for _, p := range pos {
		dst = append(dst, s.sessions[p].ID)
	}
	return dst, nil
}

// selected appends to pos the positions of the sessions sel selects, in
// agenda order, each once.
func (s *Snapshot) selected(pos []int, sel Selection) ([]int, error) {
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
	if sel.All {
		pos = pos[:0]
		for i := range s.sessions {
			pos = append(pos, i)
		}
	}
	// Positions are agenda order: sorted, each once, they are the answer.
	slices.Sort(pos)
	pos = slices.Compact(pos)
	if sel.NotCancelled {
		pos = slices.DeleteFunc(pos, func(p int) bool { return s.sessions[p].Status == StatusCancelled })
	}
	return pos, nil
}

// Selects reports whether sel selects a session with x's fields: x is
// named by ID, or its track, room or day is named, or one of its speakers,
// or All is set; and it is not cancelled when NotCancelled is set. It is
// Select's rule for one session, which need not be in the snapshot (a
// session's earlier state, read from the log); the day is found in the
// conference's time zone.
func (s *Snapshot) Selects(sel Selection, x Session) bool {
	if sel.NotCancelled && x.Status == StatusCancelled {
		return false
	}
	if sel.All || slices.Contains(sel.Sessions, x.ID) || slices.Contains(sel.Tracks, x.Track) ||
		slices.Contains(sel.Rooms, x.Room) {
		return true
	}
	for _, id := range x.Speakers {
		if slices.Contains(sel.Speakers, id) {
			return true
		}
	}
	return len(sel.Days) > 0 && slices.Contains(sel.Days, s.Day(x))
}

// SelectionChanged says when the sessions sel selects last changed: the
// revision and time of the latest change-log entry about a session sel
// selects just after the entry or selected just before it (sel's rule:
// named by ID, or in a named track, room or day, or with a named speaker;
// every session with All; not cancelled with NotCancelled), with the
// session's earlier state undone from the log. So a session leaving the
// selection counts, as does any change to one in it; an entry whose old
// value cannot be read counts for every selection; a room's rename is
// logged for each session in it. The zero Mark when no entry concerns the
// selection (it is as it was at BaseRevision; its sessions' LastModified
// tell when they changed).
//
// It is found from what the log's replay notes once per revision (the
// latest entry about each session, track, room, speaker and day, and the
// latest about one not cancelled), so a request costs the names sel
// holds, not the log's length: an entry concerns a union exactly when it
// concerns one of its parts, so the latest of the parts' is the union's.
// The answer depends only on the snapshot, so every process serving it
// gives the same one.
func (s *Snapshot) SelectionChanged(sel Selection) Mark {
	if len(s.log) == 0 {
		return Mark{}
	}
	h := s.history()
	c, notCancelled := h.concerned, sel.NotCancelled
	latest := max(h.latestFailed,
		latestOf(c.session, sel.Sessions, notCancelled), latestOf(c.track, sel.Tracks, notCancelled),
		latestOf(c.room, sel.Rooms, notCancelled), latestOf(c.speaker, sel.Speakers, notCancelled),
		latestOf(c.day, sel.Days, notCancelled))
	if sel.All {
		latest = max(latest, c.all.of(notCancelled))
	}
	if latest < 0 {
		return Mark{}
	}
	e := s.log[latest]
	return Mark{Revision: e.Revision, Time: e.Time.UTC()}
}

// latestOf returns the latest entry m notes for any of keys (about a
// session not cancelled, when notCancelled), -1 for none.
func latestOf[K comparable](m map[K]latest, keys []K, notCancelled bool) int {
	l := -1
	for _, k := range keys {
		if n, ok := m[k]; ok {
			l = max(l, n.of(notCancelled))
		}
	}
	return l
}

// latest is the latest entry about a session with some key, and the latest
// about one with it that was not cancelled (-1 for none).
type latest struct{ any, notCancelled int }

func (l latest) of(notCancelled bool) int {
	if notCancelled {
		return l.notCancelled
	}
	return l.any
}

// concerned notes, while the log is replayed from its end, the latest
// entry each session, track, room, speaker and day was concerned by, and
// any session at all.
type concerned struct {
	session, track, room, speaker map[string]latest
	day                           map[Date]latest
	all                           *latest
}

func newConcerned() concerned {
	return concerned{session: map[string]latest{}, track: map[string]latest{}, room: map[string]latest{},
		speaker: map[string]latest{}, day: map[Date]latest{}, all: &latest{-1, -1}}
}

// note records that entry i concerns x's session, track, room, speakers
// and day, where no later entry did: the replay goes from the last entry
// back.
func (c concerned) note(s *Snapshot, x Session, i int) {
	notCancelled := x.Status != StatusCancelled
	noteFirst(c.session, x.ID, i, notCancelled)
	noteFirst(c.track, x.Track, i, notCancelled)
	noteFirst(c.room, x.Room, i, notCancelled)
	for _, id := range x.Speakers {
		noteFirst(c.speaker, id, i, notCancelled)
	}
	noteFirst(c.day, s.Day(x), i, notCancelled)
	c.all.note(i, notCancelled)
}

// noteFirst records i under k where no entry is recorded there already
// (of a session not cancelled, when notCancelled).
func noteFirst[K comparable](m map[K]latest, k K, i int, notCancelled bool) {
	l, ok := m[k]
	if !ok {
		l = latest{-1, -1}
	}
	if l.note(i, notCancelled) {
		m[k] = l
	}
}

// note records entry i where no entry is recorded yet, and reports
// whether it changed l.
func (l *latest) note(i int, notCancelled bool) bool {
	changed := false
	if l.any < 0 {
		l.any, changed = i, true
	}
	if notCancelled && l.notCancelled < 0 {
		l.notCancelled, changed = i, true
	}
	return changed
}

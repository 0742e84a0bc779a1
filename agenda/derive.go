package agenda

import (
	"maps"
	"slices"
	"weak"
)

// derive makes the revision after b from the edit e, whose base b is.
// What the edit did not touch is shared with b, not copied or checked
// again: b's sessions passed every rule, and an edit cannot change what
// those rules read about an untouched session (the conference's days only
// widen, and nothing removes a track, room or speaker). The order and the look-ups are
// mended where the touched sessions changed them (patchIndex), not made
// anew; only an edit that adds sessions builds them from scratch.
func (b *Snapshot) derive(e *Editor) (*Snapshot, error) {
	s := &Snapshot{
		rev:      b.rev + 1,
		base:     b.base,
		conf:     e.conf,
		loc:      b.loc,
		tracks:   e.tracks,
		rooms:    e.rooms,
		speakers: e.speakers,
		sessions: e.sessions,
		trackIdx: b.trackIdx,
		roomIdx:  b.roomIdx,
		spkrIdx:  b.spkrIdx,
		top:      b.top,
		parent:   weak.Make(b),
		log:      b.appendLog(e.changes),
		marks:    b.marks.with(e.changes),
	}
	for _, f := range [...]struct {
		own   bool
		index func() error
	}{{e.ownTracks, s.indexTracks}, {e.ownRooms, s.indexRooms}, {e.ownSpeakers, s.indexSpeakers}} {
		if f.own {
			if err := f.index(); err != nil {
				return nil, err
			}
		}
	}
	days := s.days()
	var added, reorder, retrack bool
	var moved []int           // positions in b of the touched sessions
	var speakersOf []*Session // the touched sessions whose speakers changed, as they were
	for _, id := range e.touched {
		i, _ := e.session(id)
		x := e.sessions[i]
		if err := s.admit(x, days); err != nil {
			return nil, err
		}
		if i >= len(b.sessions) {
			added = true
			s.top = max(s.top, x.Number)
			continue
		}
		moved = append(moved, i)
		old := b.sessions[i]
		reorder = reorder || !old.Start.Equal(x.Start) || old.Room != x.Room
		retrack = retrack || old.Track != x.Track
		if !slices.Equal(old.Speakers, x.Speakers) {
			speakersOf = append(speakersOf, old)
		}
	}
	if added {
		s.sortSessions()
		return s, s.indexSessions()
	}
	if reorder {
		s.sessions = s.resort(moved)
	}
	// The positions from lo to hi are those whose session changed or
	// moved; the others hold what they held in b.
	lo, hi := 0, len(s.sessions)-1
	for lo <= hi && s.sessions[lo] == b.sessions[lo] {
		lo++
	}
	for hi >= lo && s.sessions[hi] == b.sessions[hi] {
		hi--
	}
	s.byID, s.byTrack, s.byRoom, s.byDay, s.bySpkr = b.byID, b.byTrack, b.byRoom, b.byDay, b.bySpkr
	if reorder {
		s.byID = maps.Clone(b.byID)
		for i := lo; i <= hi; i++ {
			s.byID[s.sessions[i].ID] = i
		}
		s.byRoom = patchIndex(b.byRoom, b.sessions, s.sessions, lo, hi, func(x *Session) string { return x.Room })
		s.byDay = patchIndex(b.byDay, b.sessions, s.sessions, lo, hi, func(x *Session) Date { return s.conf.DayOf(x.Start, s.loc) })
	}
	if reorder || retrack {
		s.byTrack = patchIndex(b.byTrack, b.sessions, s.sessions, lo, hi, func(x *Session) string { return x.Track })
	}
	if len(speakersOf) > 0 {
		s.bySpkr = maps.Clone(b.bySpkr)
		for _, old := range speakersOf {
			x := s.sessions[s.byID[old.ID]]
			for _, p := range old.Speakers {
				s.bySpkr[p] = slices.DeleteFunc(slices.Clone(s.bySpkr[p]), func(id string) bool { return id == x.ID })
				if len(s.bySpkr[p]) == 0 {
					delete(s.bySpkr, p)
				}
			}
			for _, p := range x.Speakers {
				s.bySpkr[p] = append(slices.Clip(s.bySpkr[p]), x.ID)
			}
		}
	}
	return s, nil
}

// resort returns the sessions in agenda order when those at the positions
// moved may be out of it and the others are in it: the others in their
// order, each moved one put where it belongs among them.
func (s *Snapshot) resort(moved []int) []*Session {
	slices.Sort(moved)
	placed := make([]*Session, len(moved))
	rest := make([]*Session, 0, len(s.sessions)-len(moved))
	from := 0
	for j, i := range moved {
		placed[j] = s.sessions[i]
		rest = append(rest, s.sessions[from:i]...)
		from = i + 1
	}
	rest = append(rest, s.sessions[from:]...)
	slices.SortFunc(placed, s.order)
	out := make([]*Session, 0, len(s.sessions))
	at := 0
	for _, x := range placed {
		n, _ := slices.BinarySearchFunc(rest[at:], x, s.order)
		out = append(append(out, rest[at:at+n]...), x)
		at += n
	}
	return append(out, rest[at:]...)
}

// patchIndex returns index m of old (positions of sessions by key, in
// agenda order) for now, where only the positions from lo to hi hold
// other sessions (or the same ones changed): the lists of the keys the
// sessions there had or have are made anew in that stretch, every other
// list is shared with m.
func patchIndex[K comparable](m map[K][]int, old, now []*Session, lo, hi int, key func(*Session) K) map[K][]int {
	mid := map[K][]int{}
	for i := lo; i <= hi; i++ {
		if k := key(old[i]); mid[k] == nil {
			mid[k] = []int{}
		}
		k := key(now[i])
		mid[k] = append(mid[k], i)
	}
	out := maps.Clone(m)
	for k, stretch := range mid {
		list := m[k]
		a, _ := slices.BinarySearch(list, lo)
		b, _ := slices.BinarySearch(list, hi+1)
		l := make([]int, 0, a+len(stretch)+len(list)-b)
		l = append(append(append(l, list[:a]...), stretch...), list[b:]...)
		if len(l) == 0 {
			delete(out, k)
			continue
		}
		out[k] = l
	}
	return out
}

// appendLog returns b's log followed by changes. The first call on b
// appends in place when the backing array has room, so a run of edits
// copies the log only when it outgrows its array; any later call on b (an
// edit of a revision that is no longer current) copies, so that no two
// revisions write to the same array.
func (b *Snapshot) appendLog(changes []Change) []Change {
	if cap(b.log)-len(b.log) >= len(changes) && b.logTaken.CompareAndSwap(false, true) {
		return append(b.log, changes...)
	}
	log := make([]Change, len(b.log), 2*(len(b.log)+len(changes)))
	copy(log, b.log)
	return append(log, changes...)
}

// ChangedFrom returns the IDs of the sessions that may differ between
// prev and s, as ChangedSince(prev.Revision()) does, when s was made from
// prev by an edit (Editor.Commit): then every other session of s is
// prev's, unchanged. It returns false when s was not made from prev (a
// snapshot loaded from a store, or one made from another revision): the
// caller must then compare the sessions themselves.
func (s *Snapshot) ChangedFrom(prev *Snapshot) ([]string, bool) {
	if prev == nil || s.parent != weak.Make(prev) {
		return nil, false
	}
	ids, err := s.ChangedSince(prev.rev)
	return ids, err == nil
}

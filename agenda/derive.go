package agenda

import (
	"slices"
	"weak"
)

// derive makes the revision after b from the edit e, whose base b is.
// What the edit did not touch is shared with b, not copied or checked
// again: b's sessions passed every rule, and an edit cannot change what
// those rules read about an untouched session (the conference, or the
// removal of a track, room or speaker). The look-ups are rebuilt only
// when the touched sessions changed what they index: all of them when an
// order changed (a start, a room, a session added), those by track or by
// speaker when only that changed.
func (b *Snapshot) derive(e *Editor) (*Snapshot, error) {
	s := &Snapshot{
		rev:      b.rev + 1,
		base:     b.base,
		conf:     b.conf,
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
	var reorder, retrack, respeak bool
	for _, id := range e.touched {
		i, _ := e.session(id)
		x := e.sessions[i]
		if err := s.admit(x, days); err != nil {
			return nil, err
		}
		if i >= len(b.sessions) {
			reorder = true // added
			s.top = max(s.top, x.Number)
			continue
		}
		old := b.sessions[i]
		reorder = reorder || !old.Start.Equal(x.Start) || old.Room != x.Room
		retrack = retrack || old.Track != x.Track
		respeak = respeak || !slices.Equal(old.Speakers, x.Speakers)
	}
	if reorder {
		s.sortSessions()
		if err := s.indexSessions(); err != nil {
			return nil, err
		}
		s.marks = b.marks.with(e.changes)
		return s, nil
	}
	s.byID, s.byRoom, s.byDay, s.byTrack, s.bySpkr = b.byID, b.byRoom, b.byDay, b.byTrack, b.bySpkr
	if retrack {
		s.indexTrackSessions()
	}
	if respeak {
		s.indexSpeakerSessions()
	}
	s.marks = b.marks.with(e.changes)
	return s, nil
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

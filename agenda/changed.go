package agenda

import (
	"maps"
	"time"
)

// Mark says when something last changed: the revision and the time of the
// latest change-log entry about it.
type Mark struct {
	Revision int64
	Time     time.Time
}

// marks indexes the change log by what each entry is about: per session,
// room and track, its latest entry. It is built with the snapshot, in one
// pass over the log.
type marks struct {
	session, room, track, speaker map[string]Mark
	latest                        Mark // the log's last entry
}

func (s *Snapshot) indexMarks() {
	m := marks{session: map[string]Mark{}, room: map[string]Mark{}, track: map[string]Mark{}, speaker: map[string]Mark{}}
	s.marks = m.with(s.log)
}

// with returns m with the entries of log after it: a copy of each of its
// maps that the entries add to, the others shared.
func (m marks) with(log []Change) marks {
	cloned := map[*map[string]Mark]bool{}
	set := func(dst *map[string]Mark, id string, mk Mark) {
		if !cloned[dst] {
			cloned[dst] = true
			*dst = maps.Clone(*dst)
		}
		(*dst)[id] = mk
	}
	for _, c := range log {
		mk := Mark{Revision: c.Revision, Time: c.Time.UTC()}
		switch {
		case c.Session != "":
			set(&m.session, c.Session, mk)
		case c.Room != "":
			set(&m.room, c.Room, mk)
		case c.Track != "":
			set(&m.track, c.Track, mk)
		case c.Speaker != "":
			set(&m.speaker, c.Speaker, mk)
		}
		m.latest = mk
	}
	return m
}

// SessionChanged says when session id last changed: the revision and time
// of the latest change-log entry about it (its room's rename included, which
// changed its location); the base revision and the zero time when the log
// holds none (the session is as it was at BaseRevision, and its
// LastModified tells when that was).
func (s *Snapshot) SessionChanged(id string) Mark { return s.mark(s.marks.session, id) }

// RoomChanged says when room id was last added or renamed, as
// SessionChanged does for sessions.
func (s *Snapshot) RoomChanged(id string) Mark { return s.mark(s.marks.room, id) }

// TrackChanged says when track id was added, as SessionChanged does for
// sessions.
func (s *Snapshot) TrackChanged(id string) Mark { return s.mark(s.marks.track, id) }

// SpeakerChanged says when speaker id was last added or renamed, as
// SessionChanged does for sessions.
func (s *Snapshot) SpeakerChanged(id string) Mark { return s.mark(s.marks.speaker, id) }

// Changed says when the agenda last changed in any way: the log's latest
// entry, or the base revision when the log is empty.
func (s *Snapshot) Changed() Mark {
	if s.marks.latest.Revision == 0 {
		return Mark{Revision: s.base}
	}
	return s.marks.latest
}

func (s *Snapshot) mark(m map[string]Mark, id string) Mark {
	if mk, ok := m[id]; ok {
		return mk
	}
	return Mark{Revision: s.base}
}

// RevisionAt returns the revision the agenda was at, at time t, as far as
// the change log tells: the revision of the last entry made at or before t,
// or BaseRevision when every entry was made after t (the log knows nothing
// earlier). The changes since it (ChangesSince, ChangedSince) are those
// made after t, and SessionsAt of it gives the sessions as they were then.
// Entries are in revision order and their times normally too; should a
// clock have gone back, the last entry made at or before t still counts, so
// an earlier one made after t is taken as made by then.
func (s *Snapshot) RevisionAt(t time.Time) int64 {
	i := len(s.log)
	for i > 0 && s.log[i-1].Time.After(t) {
		i--
	}
	if i == 0 {
		return s.base
	}
	return s.log[i-1].Revision
}

package agenda

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// history is a snapshot's change log replayed backwards once: for every
// entry that concerns a session, the session as it was just before the
// entry. Everything that asks what the agenda looked like earlier
// (SessionAt, SessionsAt, SelectionChanged, Describe) reads it instead of undoing
// the log again, so each of them costs at most one walk over the log.
type history struct {
	// before[i] is log[i].Session just before entry i (zero for entries
	// without a session); existed[i] says whether the session existed then.
	before  []Session
	existed []bool
	// next[i] is the index of the next entry about the same session, or -1
	// when log[i] is its last: the session after entry i is before[next[i]],
	// or the snapshot's own.
	next []int
	// failed[i] reports that entry i could not be undone (a start or end
	// that is not RFC 3339): before[i] keeps that field as it was after.
	failed []bool
	// sessions lists, per session, the indexes of its entries, oldest first.
	sessions map[string][]int
	// lastFailed is, per session, the index of its latest entry that could
	// not be undone.
	lastFailed map[string]int
	// latestFailed is the index of the log's latest entry that could not
	// be undone, -1 for none.
	latestFailed int
	// concerned is, per session ID, track, room, speaker and day (and for
	// any session), the index of the latest entry about a session that had
	// it just before the entry or just after, and of the latest about one
	// that had it and was not cancelled: what SelectionChanged reads.
	concerned concerned
	// renames lists, per room, the indexes of its rename entries, oldest first.
	renames map[string][]int
}

// lazyHistory builds a snapshot's history on first use.
type lazyHistory struct {
	once sync.Once
	h    *history
}

// history returns the snapshot's replayed log, built once.
func (s *Snapshot) history() *history {
	s.hist.once.Do(func() { s.hist.h = s.replay() })
	return s.hist.h
}

// replay undoes the log from the last entry to the first.
func (s *Snapshot) replay() *history {
	n := len(s.log)
	h := &history{
		before:       make([]Session, n),
		existed:      make([]bool, n),
		next:         make([]int, n),
		failed:       make([]bool, n),
		sessions:     map[string][]int{},
		lastFailed:   map[string]int{},
		renames:      map[string][]int{},
		latestFailed: -1,
		concerned:    newConcerned(),
	}
	type state struct {
		x      Session
		exists bool
		next   int // the entry after the one being undone, -1 for none
	}
	cur := map[string]*state{}
	for i := n - 1; i >= 0; i-- {
		c := s.log[i]
		h.next[i] = -1
		if c.Field == FieldRoomName && c.Session == "" {
			h.renames[c.Room] = append(h.renames[c.Room], i)
		}
		if c.Session == "" {
			continue
		}
		h.sessions[c.Session] = append(h.sessions[c.Session], i)
		st, ok := cur[c.Session]
		if !ok {
			x, exists := s.Session(c.Session)
			if !exists {
				x = Session{ID: c.Session}
			}
			st = &state{x: x, exists: exists, next: -1}
			cur[c.Session] = st
		}
		h.next[i] = st.next
		if st.exists {
			h.concerned.note(s, st.x, i)
		}
		if !s.undo(&st.x, c) {
			h.failed[i] = true
			h.latestFailed = max(h.latestFailed, i)
			if _, seen := h.lastFailed[c.Session]; !seen {
				h.lastFailed[c.Session] = i
			}
		}
		if c.Field == FieldCreated {
			st.exists = false
		}
		h.before[i], h.existed[i] = st.x, st.exists
		if st.exists {
			h.concerned.note(s, st.x, i)
		}
		st.next = i
	}
	for _, idx := range h.sessions {
		slices.Reverse(idx)
	}
	for _, idx := range h.renames {
		slices.Reverse(idx)
	}
	return h
}

// undo sets x to what it was before change c. It reports false when c's
// old value cannot be read (x is then left as it was).
func (s *Snapshot) undo(x *Session, c Change) bool { return s.setField(x, c.Field, c.Old) }

// setField sets the field f of x to the change-log value v (a time in
// RFC 3339 for FieldStart and FieldEnd); fields that are not a session's
// own (created, location, room and track names) leave x as it is. It
// reports false when v cannot be read, leaving x as it was.
func (s *Snapshot) setField(x *Session, f Field, v string) bool {
	switch f {
	case FieldTitle:
		x.Title = v
	case FieldRoom:
		x.Room = v
	case FieldTrack:
		x.Track = v
	case FieldStatus:
		x.Status = Status(v)
	case FieldAbstract:
		x.Abstract = v
	case FieldSubtitle:
		x.Subtitle = v
	case FieldType:
		x.Type = v
	case FieldLanguage:
		x.Language = v
	case FieldURL:
		x.URL = v
	case FieldSpeakers:
		x.Speakers = nil
		if v != "" {
			x.Speakers = strings.Split(v, ",")
		}
	case FieldStart, FieldEnd:
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return false
		}
		t = WholeMinute(t) // as NewSnapshot keeps the session's times
		if f == FieldStart {
			x.Start = t.In(s.loc)
		} else {
			x.End = t.In(s.loc)
		}
	}
	return true
}

// firstAfter returns the index among idx (ascending log indexes) of the
// first entry made after revision rev, len(idx) when there is none.
func (s *Snapshot) firstAfter(idx []int, rev int64) int {
	k, _ := slices.BinarySearchFunc(idx, rev+1, func(i int, r int64) int {
		return cmpRev(s.log[i].Revision, r)
	})
	return k
}

func cmpRev(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SessionsAt returns a look-up of sessions as they were at revision rev:
// their title, times, room, track, status and abstract are undone from the
// change log (Sequence and LastModified are not); a look-up reports false
// for a session that did not exist then. rev must lie within the log (see
// ChangesSince). The log is replayed once per snapshot, so a look-up costs
// a binary search over the entries of one session. It fails when a start
// or end in the log after rev is not RFC 3339 and the look-up would depend
// on it; the error is then the look-up's, wrapped in ErrInvalid, and
// returned by SessionAt.
func (s *Snapshot) SessionsAt(rev int64) (func(id string) (Session, bool, error), error) {
	if rev < s.base || rev > s.rev {
		return nil, errorf(ErrUnknownRevision, "sessions at %d (log covers %d to %d)", rev, s.base, s.rev)
	}
	h := s.history()
	return func(id string) (Session, bool, error) {
		if i, ok := h.lastFailed[id]; ok && s.log[i].Revision > rev {
			c := s.log[i]
			return Session{}, false, errorf(ErrInvalid, "change log at revision %d: %s %q", c.Revision, c.Field, c.Old)
		}
		idx := h.sessions[id]
		if k := s.firstAfter(idx, rev); k < len(idx) {
			return h.before[idx[k]], h.existed[idx[k]], nil
		}
		x, ok := s.Session(id)
		return x, ok, nil
	}, nil
}

// SessionAt returns the session as it was at revision rev: its title, times,
// room, track, status and abstract are undone from the change log (Sequence
// and LastModified are not). It reports false when the session did not
// exist then. rev must lie within the log (see ChangesSince).
func (s *Snapshot) SessionAt(id string, rev int64) (Session, bool, error) {
	at, err := s.SessionsAt(rev)
	if err != nil {
		return Session{}, false, err
	}
	return at(id)
}

// RoomNameAt returns the name room id had right after revision rev (which
// should lie within the log, see ChangesSince): the old name of the first
// rename after rev, its current name when no rename came later, and id
// itself for a room the agenda does not have.
func (s *Snapshot) RoomNameAt(id string, rev int64) string { return s.roomNameAt(id, rev) }

// roomNameAt is RoomNameAt, for the summaries.
func (s *Snapshot) roomNameAt(id string, rev int64) string {
	r, ok := s.Room(id)
	if !ok {
		return id
	}
	idx := s.history().renames[id]
	if k := s.firstAfter(idx, rev); k < len(idx) {
		return s.log[idx[k]].Old
	}
	return r.Name
}

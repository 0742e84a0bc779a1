package agenda

import "time"

// LastChange is what SelectionChanged answers, found the slow way for tests
// to hold it to: when a set of sessions last changed according to the
// change log, the revision and time of the latest entry about a session
// that is in the set (in reports true) just after that entry or was in it
// just before, with the session's earlier state undone from the log. So a
// session leaving the set (moved to another room, day or track) counts as
// a change of the set, as does any change to a member. It returns 0 and
// the zero time when no entry concerns the set (the set is as it was at
// BaseRevision; its members' LastModified tell when they changed).
//
// in is called with sessions as they are now and as they were; it must be
// a pure function of the session. An entry whose old value cannot be read
// counts as a change of every set. Entries about rooms and tracks alone
// (added, renamed) concern no session; a room rename is also logged for
// each session in the room, which does. The answer depends only on the
// snapshot, so every process serving it gives the same one; callers use
// the later of it and the members' LastModified as the set's modification
// time (for HTTP Last-Modified, CalDAV getctag and the like).
func (s *Snapshot) LastChange(in func(Session) bool) (rev int64, at time.Time) {
	h := s.history()
	for i := len(s.log) - 1; i >= 0; i-- {
		c := s.log[i]
		if c.Session == "" {
			continue
		}
		concerns := h.failed[i] || h.existed[i] && in(h.before[i])
		// The session after this entry is the session before its next
		// one, which did not concern the set, or the walk would have
		// stopped there: only after its last entry is it left to judge.
		if !concerns && h.next[i] < 0 {
			x, ok := s.Session(c.Session)
			concerns = ok && in(x)
		}
		if concerns {
			return c.Revision, c.Time
		}
	}
	return 0, time.Time{}
}

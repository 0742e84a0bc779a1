package agenda

import (
	"cmp"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"weak"
)

// Snapshot is one immutable revision of the agenda. Everything served is
// derived from a Snapshot; methods return copies, so callers cannot change it.
//
// A revision made by an edit (Editor.Commit) shares with the one before
// it every session the edit did not touch, and every list and index the
// edit left as it was: an edit of one session of a large agenda costs a
// copy of a slice of pointers, not of the agenda.
type Snapshot struct {
	rev      int64
	conf     Conference
	loc      *time.Location
	tracks   []Track
	rooms    []Room
	speakers []Speaker
	// sessions are in agenda order: by start, room order, ID. A Session
	// pointed to is never changed once it is in a snapshot: later
	// revisions that did not change it point to the same one.
	sessions []*Session
	byID     map[string]int // position in sessions
	byTrack  map[string][]int
	byRoom   map[string][]int
	byDay    map[Date][]int
	// bySpkr lists each speaker's sessions by ID, in no order (BySpeaker
	// puts them in agenda order): a move, which changes positions, leaves
	// it as it is.
	bySpkr   map[string][]string
	trackIdx map[string]int
	roomIdx  map[string]int
	spkrIdx  map[string]int
	top      int64 // the highest session number in use
	// parent is the revision s was made from by an edit (see
	// ChangedFrom); none for a snapshot built by NewSnapshot. It is weak,
	// so that a revision does not keep every one before it alive.
	parent weak.Pointer[Snapshot]
	log    []Change // every change since the first revision, in order
	// logTaken is set by the first edit of this snapshot that appends its
	// changes to the log's backing array in place (see appendLog).
	logTaken atomic.Bool
	base     int64         // the revision the log starts from
	marks    marks         // the log's latest entry per subject, see changed.go
	hist     lazyHistory   // the log replayed, see history.go
	sums     lazySummaries // the log described, see SummariesSince
}

// Contents is the state a Snapshot is built from.
type Contents struct {
	Conference Conference
	Tracks     []Track
	Rooms      []Room
	Speakers   []Speaker
	Sessions   []Session
}

// NewSnapshot checks c and builds revision rev from it. log is the change
// log that led from revision base to rev (empty when rev == base).
// Session times are kept to the minute (see WholeMinute), so a session
// that does not last a minute is refused. The limits on text (see
// MaxTitleLength) are not checked here: they bind what enters the agenda
// (the Editor, package seeds), and a store written before they existed
// must still load.
func NewSnapshot(c Contents, rev, base int64, log []Change) (*Snapshot, error) {
	if err := c.Conference.Validate(); err != nil {
		return nil, err
	}
	if rev < 1 || base < 1 || base > rev {
		return nil, errorf(ErrInvalid, "revision %d from base %d", rev, base)
	}
	loc, _ := c.Conference.Location()
	s := &Snapshot{
		rev:      rev,
		base:     base,
		conf:     c.Conference,
		loc:      loc,
		tracks:   slices.Clone(c.Tracks),
		rooms:    slices.Clone(c.Rooms),
		speakers: slices.Clone(c.Speakers),
		log:      slices.Clone(log),
	}
	for i, ch := range s.log {
		if ch.Revision <= base || ch.Revision > rev {
			return nil, errorf(ErrInvalid, "change log entry at revision %d outside (%d, %d]", ch.Revision, base, rev)
		}
		if i > 0 && ch.Revision < s.log[i-1].Revision {
			return nil, errorf(ErrInvalid, "change log out of order at revision %d", ch.Revision)
		}
	}
	if err := s.indexTracks(); err != nil {
		return nil, err
	}
	if err := s.indexRooms(); err != nil {
		return nil, err
	}
	if err := s.indexSpeakers(); err != nil {
		return nil, err
	}
	// One array holds the sessions; the snapshot points into it.
	own := slices.Clone(c.Sessions)
	s.sessions = make([]*Session, len(own))
	numbers := make(map[int64]string, len(own))
	days := s.days()
	for i := range own {
		x := &own[i]
		x.Speakers = slices.Clip(slices.Clone(x.Speakers))
		if err := s.admit(x, days); err != nil {
			return nil, err
		}
		if x.Number != 0 {
			if other, dup := numbers[x.Number]; dup {
				return nil, errorf(ErrInvalid, "sessions %q and %q share the number %d", other, x.ID, x.Number)
			}
			numbers[x.Number] = x.ID
			s.top = max(s.top, x.Number)
		}
		s.sessions[i] = x
	}
	s.sortSessions()
	if err := s.indexSessions(); err != nil {
		return nil, err
	}
	s.indexMarks()
	return s, nil
}

// admit puts session x, about to enter s, in the snapshot's form (times
// to the minute in the conference's zone, LastModified in UTC) and checks
// it against the rules (checkIn).
func (s *Snapshot) admit(x *Session, days daySpan) error {
	x.Start, x.End = WholeMinute(x.Start).In(s.loc), WholeMinute(x.End).In(s.loc)
	x.LastModified = x.LastModified.UTC()
	return s.checkIn(x, days)
}

func (s *Snapshot) indexTracks() (err error) {
	s.trackIdx, err = indexList("track", s.tracks, func(t Track) (string, string) { return t.ID, t.Name })
	return err
}

func (s *Snapshot) indexRooms() (err error) {
	s.roomIdx, err = indexList("room", s.rooms, func(r Room) (string, string) { return r.ID, r.Name })
	return err
}

func (s *Snapshot) indexSpeakers() (err error) {
	s.spkrIdx, err = indexList("speaker", s.speakers, func(p Speaker) (string, string) { return p.ID, strings.TrimSpace(p.Name) })
	return err
}

// indexList checks a list of tracks, rooms or speakers (what names the
// kind; idName gives an entry's ID and name) and returns each ID's index.
func indexList[T any](what string, list []T, idName func(T) (string, string)) (map[string]int, error) {
	idx := make(map[string]int, len(list))
	for i, x := range list {
		id, name := idName(x)
		if !ValidID(id) || name == "" {
			return nil, errorf(ErrInvalid, "%s %q: bad ID or empty name", what, id)
		}
		if _, dup := idx[id]; dup {
			return nil, errorf(ErrInvalid, "%s %q listed twice", what, id)
		}
		idx[id] = i
	}
	return idx, nil
}

// indexSessions numbers the sessions that have no number yet and builds
// the look-ups by ID, track, room, day and speaker from the sessions in
// agenda order.
func (s *Snapshot) indexSessions() error {
	s.byID = make(map[string]int, len(s.sessions))
	s.byTrack = make(map[string][]int, len(s.tracks))
	s.byRoom = make(map[string][]int, len(s.rooms))
	s.byDay = map[Date][]int{}
	for i, x := range s.sessions {
		if _, dup := s.byID[x.ID]; dup {
			return errorf(ErrInvalid, "session %q listed twice", x.ID)
		}
		if x.Number == 0 {
			// Numbered once, in agenda order, after every number in
			// use; stored with the session, so the number never moves.
			// A session without a number is the snapshot's own (new
			// to it), so it may be changed here.
			s.top++
			x.Number = s.top
		}
		s.byID[x.ID] = i
		s.byTrack[x.Track] = append(s.byTrack[x.Track], i)
		s.byRoom[x.Room] = append(s.byRoom[x.Room], i)
		d := s.conf.DayOf(x.Start, s.loc)
		s.byDay[d] = append(s.byDay[d], i)
	}
	s.indexSpeakerSessions()
	return nil
}

// indexSpeakerSessions builds the look-up of sessions by speaker.
func (s *Snapshot) indexSpeakerSessions() {
	s.bySpkr = make(map[string][]string, len(s.speakers))
	for _, x := range s.sessions {
		for _, p := range x.Speakers {
			s.bySpkr[p] = append(s.bySpkr[p], x.ID)
		}
	}
}

// sortSessions puts the sessions in agenda order: by start, room order,
// ID. An edit leaves them in order but for the sessions it touched, so
// the order is checked first; the sort itself compares keys made once
// per session rather than looking rooms up at every comparison.
func (s *Snapshot) sortSessions() {
	type keyed struct {
		k sessionKey
		x *Session
	}
	keys := make([]keyed, len(s.sessions))
	for i, x := range s.sessions {
		keys[i] = keyed{s.keyOf(x), x}
	}
	order := func(a, b keyed) int { return a.k.compare(b.k) }
	if slices.IsSortedFunc(keys, order) {
		return
	}
	slices.SortFunc(keys, order)
	for i, k := range keys {
		s.sessions[i] = k.x
	}
}

// sessionKey is what agenda order compares: start, room order, ID.
type sessionKey struct {
	start int64
	room  int
	id    string
}

func (s *Snapshot) keyOf(x *Session) sessionKey {
	return sessionKey{x.Start.UnixNano(), s.roomIdx[x.Room], x.ID}
}

func (a sessionKey) compare(b sessionKey) int {
	return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.room, b.room), cmp.Compare(a.id, b.id))
}

// order compares sessions in agenda order.
func (s *Snapshot) order(a, b *Session) int { return s.keyOf(a).compare(s.keyOf(b)) }

// daySpan is when the conference's days begin and end.
type daySpan struct{ first, end time.Time }

func (s *Snapshot) days() daySpan { return s.conf.span(s.loc) }

// span returns when c's days begin and end in loc.
func (c Conference) span(loc *time.Location) daySpan {
	return daySpan{c.DayStart(c.First, loc), c.DayStart(c.Last.AddDays(1), loc)}
}

// checkIn reports the first rule x breaks in s, whose conference days are
// days.
func (s *Snapshot) checkIn(x *Session, days daySpan) error {
	switch {
	case !ValidID(x.ID):
		return errorf(ErrInvalid, "session ID %q is not a slug (%s)", clip(x.ID), slugRule())
	case x.Title == "":
		return errorf(ErrInvalid, "session %q has no title", x.ID)
	case !x.End.After(x.Start):
		return errorf(ErrInvalid, "session %q ends (%s) before it starts (%s)", x.ID, x.End.Format(time.RFC3339), x.Start.Format(time.RFC3339))
	case !x.Status.Valid():
		return errorf(ErrInvalid, "session %q has status %q", x.ID, x.Status)
	case x.Sequence < 0:
		return errorf(ErrInvalid, "session %q has a negative sequence", x.ID)
	case x.Number < 0:
		return errorf(ErrInvalid, "session %q has a negative number", x.ID)
	}
	for i, p := range x.Speakers {
		if _, ok := s.spkrIdx[p]; !ok {
			return errorf(ErrInvalid, "session %q: unknown speaker %q", x.ID, p)
		}
		if slices.Contains(x.Speakers[:i], p) {
			return errorf(ErrInvalid, "session %q lists speaker %q twice", x.ID, p)
		}
	}
	if _, ok := s.trackIdx[x.Track]; !ok {
		return errorf(ErrInvalid, "session %q: unknown track %q", x.ID, x.Track)
	}
	if _, ok := s.roomIdx[x.Room]; !ok {
		return errorf(ErrInvalid, "session %q: unknown room %q", x.ID, x.Room)
	}
	if x.Start.Before(days.first) || x.End.After(days.end) {
		return errorf(ErrInvalid, "session %q (%s – %s) is outside the conference days %s to %s", x.ID, x.Start.Format(time.RFC3339), x.End.Format(time.RFC3339), s.conf.First, s.conf.Last)
	}
	return nil
}

// Revision returns the snapshot's revision number; each change adds one.
func (s *Snapshot) Revision() int64 { return s.rev }

// BaseRevision returns the oldest revision the change log reaches back to.
func (s *Snapshot) BaseRevision() int64 { return s.base }

// Conference returns the conference.
func (s *Snapshot) Conference() Conference { return s.conf }

// Location returns the conference's time zone.
func (s *Snapshot) Location() *time.Location { return s.loc }

// Days lists the conference days.
func (s *Snapshot) Days() []Date { return s.conf.Days() }

// Tracks lists the tracks in their defined order.
func (s *Snapshot) Tracks() []Track { return slices.Clone(s.tracks) }

// Rooms lists the rooms in their defined order.
func (s *Snapshot) Rooms() []Room { return slices.Clone(s.rooms) }

// Track returns the track with the given ID.
func (s *Snapshot) Track(id string) (Track, bool) {
	i, ok := s.trackIdx[id]
	if !ok {
		return Track{}, false
	}
	return s.tracks[i], true
}

// Room returns the room with the given ID.
func (s *Snapshot) Room(id string) (Room, bool) {
	i, ok := s.roomIdx[id]
	if !ok {
		return Room{}, false
	}
	return s.rooms[i], true
}

// Speakers lists the speakers in their defined order.
func (s *Snapshot) Speakers() []Speaker { return slices.Clone(s.speakers) }

// Speaker returns the speaker with the given ID.
func (s *Snapshot) Speaker(id string) (Speaker, bool) {
	i, ok := s.spkrIdx[id]
	if !ok {
		return Speaker{}, false
	}
	return s.speakers[i], true
}

// BySpeaker lists the sessions of a speaker, in agenda order.
func (s *Snapshot) BySpeaker(id string) []Session {
	ids := s.bySpkr[id]
	idx := make([]int, len(ids))
	for i, x := range ids {
		idx[i] = s.byID[x]
	}
	slices.Sort(idx)
	return s.pick(idx)
}

// Sessions lists every session, cancelled ones included, by start time,
// then room order, then ID.
func (s *Snapshot) Sessions() []Session {
	out := make([]Session, len(s.sessions))
	for i, x := range s.sessions {
		out[i] = *x
	}
	return out
}

// All yields every session in the order of Sessions, without making the
// list.
func (s *Snapshot) All() iter.Seq[Session] {
	return func(yield func(Session) bool) {
		for _, x := range s.sessions {
			if !yield(*x) {
				return
			}
		}
	}
}

// Len returns the number of sessions.
func (s *Snapshot) Len() int { return len(s.sessions) }

// Session returns the session with the given ID.
func (s *Snapshot) Session(id string) (Session, bool) {
	i, ok := s.byID[id]
	if !ok {
		return Session{}, false
	}
	return *s.sessions[i], true
}

// SessionIDs lists the IDs of every session in the order of Sessions.
func (s *Snapshot) SessionIDs() []string {
	ids := make([]string, len(s.sessions))
	for i, x := range s.sessions {
		ids[i] = x.ID
	}
	return ids
}

// ByTrack lists the sessions of a track (nil for an unknown or empty track).
func (s *Snapshot) ByTrack(id string) []Session { return s.pick(s.byTrack[id]) }

// ByRoom lists the sessions in a room.
func (s *Snapshot) ByRoom(id string) []Session { return s.pick(s.byRoom[id]) }

// ByDay lists the sessions starting on day d.
func (s *Snapshot) ByDay(d Date) []Session { return s.pick(s.byDay[d]) }

// NumByTrack, NumByRoom, NumByDay and NumBySpeaker return the lengths of
// ByTrack, ByRoom, ByDay and BySpeaker without making the lists.
func (s *Snapshot) NumByTrack(id string) int { return len(s.byTrack[id]) }

// NumByRoom: see NumByTrack.
func (s *Snapshot) NumByRoom(id string) int { return len(s.byRoom[id]) }

// NumByDay: see NumByTrack.
func (s *Snapshot) NumByDay(d Date) int { return len(s.byDay[d]) }

// NumBySpeaker: see NumByTrack.
func (s *Snapshot) NumBySpeaker(id string) int { return len(s.bySpkr[id]) }

func (s *Snapshot) pick(idx []int) []Session {
	if len(idx) == 0 {
		return nil
	}
	out := make([]Session, len(idx))
	for i, j := range idx {
		out[i] = *s.sessions[j]
	}
	return out
}

// UID returns the session's calendar UID, "<id>@<UID domain>".
func (s *Snapshot) UID(id string) string { return id + "@" + s.conf.UIDDomain }

// Day returns the conference day the session belongs to: the day on which
// it starts, counting times before the conference's DayChange to the day
// before.
func (s *Snapshot) Day(x Session) Date { return s.conf.DayOf(x.Start, s.loc) }

// Updated returns the latest LastModified of any session: when the agenda
// as a whole last changed.
func (s *Snapshot) Updated() time.Time {
	var t time.Time
	for _, x := range s.sessions {
		if x.LastModified.After(t) {
			t = x.LastModified
		}
	}
	return t
}

// Contents returns a copy of the state the snapshot holds.
func (s *Snapshot) Contents() Contents {
	return Contents{Conference: s.conf, Tracks: s.Tracks(), Rooms: s.Rooms(), Speakers: s.Speakers(), Sessions: s.Sessions()}
}

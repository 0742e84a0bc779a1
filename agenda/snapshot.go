package agenda

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Snapshot is one immutable revision of the agenda. Everything served is
// derived from a Snapshot; methods return copies, so callers cannot change it.
type Snapshot struct {
	rev      int64
	conf     Conference
	loc      *time.Location
	tracks   []Track
	rooms    []Room
	speakers []Speaker
	sessions []Session // sorted by start, room order, ID
	byID     map[string]int
	byTrack  map[string][]int
	byRoom   map[string][]int
	byDay    map[Date][]int
	bySpkr   map[string][]int
	trackIdx map[string]int
	roomIdx  map[string]int
	spkrIdx  map[string]int
	log      []Change      // every change since the first revision, in order
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
	c.Tracks, c.Rooms, c.Speakers = slices.Clone(c.Tracks), slices.Clone(c.Rooms), slices.Clone(c.Speakers)
	c.Sessions = slices.Clone(c.Sessions)
	for i := range c.Sessions {
		c.Sessions[i].Speakers = slices.Clip(slices.Clone(c.Sessions[i].Speakers))
	}
	return newSnapshot(c, rev, base, slices.Clone(log))
}

// newSnapshot is NewSnapshot on contents and a log the snapshot may keep:
// nobody else holds them or changes them after (an Editor's, which are
// its own copies, and whose every speaker list is a fresh slice). Copying
// every session again would cost an edit of a large agenda more than all
// the rest of making its next revision.
func newSnapshot(c Contents, rev, base int64, log []Change) (*Snapshot, error) {
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
		tracks:   c.Tracks,
		rooms:    c.Rooms,
		speakers: c.Speakers,
		sessions: c.Sessions,
		byID:     make(map[string]int, len(c.Sessions)),
		byTrack:  make(map[string][]int, len(c.Tracks)),
		byRoom:   make(map[string][]int, len(c.Rooms)),
		byDay:    map[Date][]int{},
		bySpkr:   make(map[string][]int, len(c.Speakers)),
		trackIdx: make(map[string]int, len(c.Tracks)),
		roomIdx:  make(map[string]int, len(c.Rooms)),
		spkrIdx:  make(map[string]int, len(c.Speakers)),
		log:      log,
	}
	for i, t := range s.tracks {
		if !ValidID(t.ID) || t.Name == "" {
			return nil, errorf(ErrInvalid, "track %q: bad ID or empty name", t.ID)
		}
		if _, dup := s.trackIdx[t.ID]; dup {
			return nil, errorf(ErrInvalid, "track %q listed twice", t.ID)
		}
		s.trackIdx[t.ID] = i
	}
	for i, r := range s.rooms {
		if !ValidID(r.ID) || r.Name == "" {
			return nil, errorf(ErrInvalid, "room %q: bad ID or empty name", r.ID)
		}
		if _, dup := s.roomIdx[r.ID]; dup {
			return nil, errorf(ErrInvalid, "room %q listed twice", r.ID)
		}
		s.roomIdx[r.ID] = i
	}
	for i, p := range s.speakers {
		if !ValidID(p.ID) || strings.TrimSpace(p.Name) == "" {
			return nil, errorf(ErrInvalid, "speaker %q: bad ID or empty name", p.ID)
		}
		if _, dup := s.spkrIdx[p.ID]; dup {
			return nil, errorf(ErrInvalid, "speaker %q listed twice", p.ID)
		}
		s.spkrIdx[p.ID] = i
	}
	numbers := make(map[int64]string, len(s.sessions))
	var top int64
	days := s.days()
	for i := range s.sessions {
		x := &s.sessions[i]
		x.Start, x.End = WholeMinute(x.Start).In(loc), WholeMinute(x.End).In(loc)
		x.LastModified = x.LastModified.UTC()
		if err := s.checkIn(x, days); err != nil {
			return nil, err
		}
		if x.Number != 0 {
			if other, dup := numbers[x.Number]; dup {
				return nil, errorf(ErrInvalid, "sessions %q and %q share the number %d", other, x.ID, x.Number)
			}
			numbers[x.Number] = x.ID
			top = max(top, x.Number)
		}
	}
	s.sortSessions()
	for i := range s.sessions {
		x := &s.sessions[i]
		if _, dup := s.byID[x.ID]; dup {
			return nil, errorf(ErrInvalid, "session %q listed twice", x.ID)
		}
		if x.Number == 0 {
			// Numbered once, in agenda order, after every number in
			// use; stored with the session, so the number never moves.
			top++
			x.Number = top
		}
		s.byID[x.ID] = i
		s.byTrack[x.Track] = append(s.byTrack[x.Track], i)
		s.byRoom[x.Room] = append(s.byRoom[x.Room], i)
		d := s.conf.DayOf(x.Start, loc)
		s.byDay[d] = append(s.byDay[d], i)
		for _, p := range x.Speakers {
			s.bySpkr[p] = append(s.bySpkr[p], i)
		}
	}
	for i, ch := range s.log {
		if ch.Revision <= base || ch.Revision > rev {
			return nil, errorf(ErrInvalid, "change log entry at revision %d outside (%d, %d]", ch.Revision, base, rev)
		}
		if i > 0 && ch.Revision < s.log[i-1].Revision {
			return nil, errorf(ErrInvalid, "change log out of order at revision %d", ch.Revision)
		}
	}
	s.indexMarks()
	return s, nil
}

// sortSessions puts the sessions in agenda order: by start, room order,
// ID. An edit leaves them in order but for the sessions it touched, so
// the order is checked first; the sort itself compares keys made once
// per session rather than looking rooms up at every comparison.
func (s *Snapshot) sortSessions() {
	type key struct {
		start int64
		room  int
		id    string
		i     int
	}
	keys := make([]key, len(s.sessions))
	for i := range s.sessions {
		x := &s.sessions[i]
		keys[i] = key{x.Start.UnixNano(), s.roomIdx[x.Room], x.ID, i}
	}
	order := func(a, b key) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.room, b.room), cmp.Compare(a.id, b.id))
	}
	if slices.IsSortedFunc(keys, order) {
		return
	}
	slices.SortFunc(keys, order)
	sorted := make([]Session, len(s.sessions))
	for i, k := range keys {
		sorted[i] = s.sessions[k.i]
	}
	s.sessions = sorted
}

// daySpan is when the conference's days begin and end.
type daySpan struct{ first, end time.Time }

func (s *Snapshot) days() daySpan {
	return daySpan{s.conf.DayStart(s.conf.First, s.loc), s.conf.DayStart(s.conf.Last.AddDays(1), s.loc)}
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
func (s *Snapshot) BySpeaker(id string) []Session { return s.pick(s.bySpkr[id]) }

// Sessions lists every session, cancelled ones included, by start time,
// then room order, then ID.
func (s *Snapshot) Sessions() []Session { return slices.Clone(s.sessions) }

// Session returns the session with the given ID.
func (s *Snapshot) Session(id string) (Session, bool) {
	i, ok := s.byID[id]
	if !ok {
		return Session{}, false
	}
	return s.sessions[i], true
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

func (s *Snapshot) pick(idx []int) []Session {
	if len(idx) == 0 {
		return nil
	}
	out := make([]Session, len(idx))
	for i, j := range idx {
		out[i] = s.sessions[j]
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

package agenda

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Field names what a Change changed.
type Field string

// The fields a Change can name.
const (
	FieldCreated  Field = "created"  // a session was added (Old is empty, New its title)
	FieldTitle    Field = "title"    // session title
	FieldStart    Field = "start"    // session start, RFC 3339 in the conference zone
	FieldEnd      Field = "end"      // session end, RFC 3339 in the conference zone
	FieldRoom     Field = "room"     // session room ID
	FieldTrack    Field = "track"    // session track ID
	FieldStatus   Field = "status"   // session status
	FieldAbstract Field = "abstract" // session abstract
	// FieldLocation records that a session's room was renamed, so its
	// rendered location changed though its room ID did not.
	FieldLocation  Field = "location"
	FieldRoomAdded Field = "room-added" // a room was added (Room set, New its name)
	FieldRoomName  Field = "room-name"  // a room was renamed (Room set)
	FieldTrackAdd  Field = "track-added"
	FieldSubtitle  Field = "subtitle" // session subtitle
	FieldType      Field = "type"     // session type ("Talk", "Workshop")
	FieldLanguage  Field = "language" // session language
	FieldURL       Field = "url"      // the session's page at the source
	// FieldSpeakers: the session's speakers, their IDs joined by commas.
	FieldSpeakers Field = "speakers"
	// FieldSpeakerAdded and FieldSpeakerName: a speaker was added or
	// renamed (Speaker set, New the name).
	FieldSpeakerAdded Field = "speaker-added"
	FieldSpeakerName  Field = "speaker-name"
	// FieldDays: the conference days were widened (no session, room,
	// track or speaker set; Old and New are the first and last day as
	// "2020-12-14/2020-12-16").
	FieldDays Field = "days"
)

// descriptive reports whether a change to field f only changes what a
// session says about itself (its description, speakers, language…), not
// when, where or whether it takes place or what it is called: such a change
// moves LastModified but does not raise the Sequence (RFC 5545 §3.8.7.4
// counts changes that matter to a calendar user's schedule).
func (f Field) descriptive() bool {
	switch f {
	case FieldAbstract, FieldSubtitle, FieldType, FieldLanguage, FieldURL, FieldSpeakers:
		return true
	}
	return false
}

// Change is one entry of the change log: one field of one session (or room,
// track, speaker, or of the conference itself) at one revision.
type Change struct {
	// Revision is the revision that the change produced.
	Revision int64
	// Time is when the change was made, in UTC.
	Time time.Time
	// Who names the organizer or tool that made it.
	Who string
	// Session is the ID of the changed session; empty for room, track,
	// speaker and conference changes.
	Session string
	// Room is the room ID for room changes.
	Room string
	// Track is the track ID for track changes.
	Track string
	// Speaker is the speaker ID for speaker changes.
	Speaker string
	// Field is what changed; Old and New are its values before and after.
	Field    Field
	Old, New string
}

// Log returns the change log from BaseRevision to Revision, oldest first.
// The slice is the snapshot's own (it is immutable, so nothing is copied):
// callers must not modify its entries. Appending to it is safe: its
// capacity is clipped, so an append copies.
func (s *Snapshot) Log() []Change { return slices.Clip(s.log) }

// ChangesSince returns the changes made after revision rev, oldest first.
// Like Log, it returns a clipped view of the snapshot's own log, which
// callers must not modify.
func (s *Snapshot) ChangesSince(rev int64) ([]Change, error) {
	if rev < s.base || rev > s.rev {
		return nil, errorf(ErrUnknownRevision, "changes since %d (log covers %d to %d)", rev, s.base, s.rev)
	}
	i, _ := slices.BinarySearchFunc(s.log, rev+1, func(c Change, r int64) int { return int(c.Revision - r) })
	return slices.Clip(s.log[i:]), nil
}

// Delta is what a store writes to bring its copy of an agenda from a
// stored revision up to a snapshot: the log entries it lacks, the sessions
// those entries name, and which of the lists of rooms, tracks and speakers
// they touched (each rewritten whole: a list is short, and its order is
// part of it).
type Delta struct {
	Log                     []Change
	Sessions                []Session
	Rooms, Tracks, Speakers bool
}

// DeltaSince returns what a store holding revision stored of this agenda
// must write to hold this snapshot; stored 0 means it holds nothing yet,
// so the delta is everything.
func (s *Snapshot) DeltaSince(stored int64) (Delta, error) {
	if stored == 0 {
		return Delta{Log: slices.Clip(s.log), Sessions: s.Sessions(), Rooms: true, Tracks: true, Speakers: true}, nil
	}
	log, err := s.ChangesSince(stored)
	if err != nil {
		return Delta{}, err
	}
	d := Delta{Log: log}
	seen := map[string]bool{}
	for _, c := range log {
		if c.Session != "" && !seen[c.Session] {
			seen[c.Session] = true
			if x, ok := s.Session(c.Session); ok {
				d.Sessions = append(d.Sessions, x)
			}
		}
		d.Rooms = d.Rooms || c.Room != "" && c.Session == ""
		d.Tracks = d.Tracks || c.Track != ""
		d.Speakers = d.Speakers || c.Speaker != "" && c.Session == ""
	}
	return d, nil
}

// ChangedSince returns the IDs of the sessions whose rendering may differ
// between revision rev and this one, in log order without repeats.
func (s *Snapshot) ChangedSince(rev int64) ([]string, error) {
	log, err := s.ChangesSince(rev)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, c := range log {
		if c.Session != "" && !seen[c.Session] {
			seen[c.Session] = true
			ids = append(ids, c.Session)
		}
	}
	return ids, nil
}

// SessionUpdate names the fields of a session to change; nil leaves a field
// as it is.
type SessionUpdate struct {
	Title, Abstract, Room, Track  *string
	Start, End                    *time.Time
	Status                        *Status
	Subtitle, Type, Language, URL *string
	Speakers                      *[]string // speaker IDs, in billing order
	// Force allows the new slot to overlap another session in the same room.
	Force bool
}

// Editor collects changes on top of a snapshot; Commit turns them into the
// next revision. An Editor is used by one goroutine; a failed call leaves
// the edit as it was before that call.
//
// The edit starts from the base snapshot's own sessions and lists and
// copies only what it changes: a session it changes is a new Session (the
// base's stays as it was), a list of rooms, tracks or speakers is copied
// when it first changes.
type Editor struct {
	base *Snapshot
	who  string
	at   time.Time
	// conf is the conference as the edit leaves it: the base's, its days
	// widened by WidenDays.
	conf Conference
	// sessions are the base's, in its order, then those the edit added;
	// an entry the edit changed points to the edit's own copy.
	sessions []*Session
	added    map[string]int // the index in sessions of each added session
	// touched lists the sessions the edit changed or added, in the order
	// first touched, and own marks them.
	touched  []string
	own      map[string]bool
	tracks   []Track
	rooms    []Room
	speakers []Speaker
	// ownTracks, ownRooms, ownSpeakers: the list is the edit's copy.
	ownTracks, ownRooms, ownSpeakers bool
	changes                          []Change
	// done: Commit was called, and what the edit made is the new
	// snapshot's (it keeps it rather than copying it), so no call may
	// change it any more.
	done bool
}

// errCommitted refuses a change to an Editor after its Commit.
var errCommitted = errorf(ErrInvalid, "the edit was committed already")

// Edit starts a change set on s made by who at time at.
func (s *Snapshot) Edit(who string, at time.Time) *Editor {
	return &Editor{base: s, who: who, at: at.UTC().Truncate(time.Second), conf: s.conf, sessions: slices.Clone(s.sessions),
		tracks: s.tracks, rooms: s.rooms, speakers: s.speakers}
}

// Changes returns the changes collected so far.
func (e *Editor) Changes() []Change { return slices.Clone(e.changes) }

func (e *Editor) record(c Change) {
	c.Revision = e.base.rev + 1
	c.Time = e.at
	c.Who = e.who
	e.changes = append(e.changes, c)
}

func (e *Editor) session(id string) (int, error) {
	if i, ok := e.base.byID[id]; ok {
		return i, nil
	}
	if i, ok := e.added[id]; ok {
		return i, nil
	}
	return -1, errorf(ErrNotFound, "session %q", clip(id))
}

// put makes x the edit's version of the session at index i (len(sessions)
// for a new one).
func (e *Editor) put(i int, x Session) {
	if e.own == nil {
		e.own, e.added = map[string]bool{}, map[string]int{}
	}
	if !e.own[x.ID] {
		e.own[x.ID] = true
		e.touched = append(e.touched, x.ID)
	}
	p := new(Session)
	*p = x
	if i == len(e.sessions) {
		e.added[x.ID] = i
		e.sessions = append(e.sessions, p)
		return
	}
	e.sessions[i] = p
}

func (e *Editor) hasRoom(id string) bool {
	return slices.ContainsFunc(e.rooms, func(r Room) bool { return r.ID == id })
}

func (e *Editor) hasTrack(id string) bool {
	return slices.ContainsFunc(e.tracks, func(t Track) bool { return t.ID == id })
}

// speakerIndex returns the index of speaker id in the edit's list, -1
// when there is none.
func (e *Editor) speakerIndex(id string) int {
	if i, ok := e.base.spkrIdx[id]; ok {
		return i
	}
	if i := slices.IndexFunc(e.speakers[len(e.base.speakers):], func(p Speaker) bool { return p.ID == id }); i >= 0 {
		return len(e.base.speakers) + i
	}
	return -1
}

// overlap returns the first confirmed session other than x in x's room that
// overlaps x.
func (e *Editor) overlap(x Session) (Session, bool) {
	if x.Status == StatusCancelled {
		return Session{}, false
	}
	for _, o := range e.sessions {
		if o.Room == x.Room && o.ID != x.ID && o.Status != StatusCancelled && x.Overlaps(*o) {
			return *o, true
		}
	}
	return Session{}, false
}

// validate checks x against the rules a stored session must follow.
func (e *Editor) validate(x Session, force bool) error {
	loc := e.base.loc
	switch {
	case !x.End.After(x.Start):
		return errorf(ErrInvalid, "session %q: end %s is not after start %s", x.ID, x.End.In(loc).Format("2006-01-02T15:04"), x.Start.In(loc).Format("2006-01-02T15:04"))
	case !x.Status.Valid():
		return errorf(ErrInvalid, "session %q: status %q, want confirmed or cancelled", x.ID, clip(string(x.Status)))
	case !e.hasRoom(x.Room):
		return errorf(ErrInvalid, "session %q: unknown room %q", x.ID, clip(x.Room))
	case !e.hasTrack(x.Track):
		return errorf(ErrInvalid, "session %q: unknown track %q", x.ID, clip(x.Track))
	}
	// Conference days, not calendar days: they run from the day change,
	// as NewSnapshot checks them, so a session at 01:00 after the last day
	// belongs to it.
	conf := e.conf
	days := conf.span(e.base.loc)
	if x.Start.Before(days.first) || x.End.After(days.end) {
		return errorf(ErrInvalid, "session %q: %s – %s is outside the conference days %s to %s", x.ID, x.Start.In(loc).Format("2006-01-02T15:04"), x.End.In(loc).Format("2006-01-02T15:04"), conf.First, conf.Last)
	}
	if o, ok := e.overlap(x); ok && !force {
		return errorf(ErrOverlap, "session %q would overlap %q (%s – %s) in room %q", x.ID, o.ID, Clock(o.Start.In(loc)), Clock(o.End.In(loc)), x.Room)
	}
	return nil
}

func (e *Editor) timeString(t time.Time) string { return t.In(e.base.loc).Format(time.RFC3339) }

// UpdateSession changes the named fields of session id. A change to the
// title, times, room, track or status raises the session's Sequence; any
// change sets its LastModified. Setting a field to its current value is no
// change. The title and abstract given must pass CheckTitle and
// CheckAbstract (after the title's surrounding blanks are trimmed and the
// abstract's CR LF line ends written as LF); times are kept to the minute
// (see WholeMinute).
func (e *Editor) UpdateSession(id string, u SessionUpdate) error {
	if e.done {
		return errCommitted
	}
	i, err := e.session(id)
	if err != nil {
		return err
	}
	old := *e.sessions[i]
	x := old
	var pending []Change
	set := func(f Field, o, n string) {
		if o != n {
			pending = append(pending, Change{Session: id, Field: f, Old: o, New: n})
		}
	}
	if u.Title != nil {
		x.Title = strings.TrimSpace(*u.Title)
		if err := CheckTitle(x.Title); err != nil {
			return wrapf(err, "session %q", id)
		}
		set(FieldTitle, old.Title, x.Title)
	}
	if u.Start != nil {
		x.Start = WholeMinute(*u.Start).In(e.base.loc)
		set(FieldStart, e.timeString(old.Start), e.timeString(x.Start))
	}
	if u.End != nil {
		x.End = WholeMinute(*u.End).In(e.base.loc)
		set(FieldEnd, e.timeString(old.End), e.timeString(x.End))
	}
	if u.Room != nil {
		x.Room = *u.Room
		set(FieldRoom, old.Room, x.Room)
	}
	if u.Track != nil {
		x.Track = *u.Track
		set(FieldTrack, old.Track, x.Track)
	}
	if u.Status != nil {
		x.Status = *u.Status
		set(FieldStatus, string(old.Status), string(x.Status))
	}
	if u.Abstract != nil {
		x.Abstract = NormalizeAbstract(*u.Abstract)
		if err := CheckAbstract(x.Abstract); err != nil {
			return wrapf(err, "session %q", id)
		}
		set(FieldAbstract, old.Abstract, x.Abstract)
	}
	for _, f := range [...]struct {
		field Field
		v     *string
		dst   *string
		check func(string) error
	}{
		{FieldSubtitle, u.Subtitle, &x.Subtitle, CheckSubtitle},
		{FieldType, u.Type, &x.Type, CheckType},
		{FieldLanguage, u.Language, &x.Language, CheckLanguage},
		{FieldURL, u.URL, &x.URL, CheckURL},
	} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if err := f.check(v); err != nil {
			return wrapf(err, "session %q", id)
		}
		*f.dst = v
	}
	set(FieldSubtitle, old.Subtitle, x.Subtitle)
	set(FieldType, old.Type, x.Type)
	set(FieldLanguage, old.Language, x.Language)
	set(FieldURL, old.URL, x.URL)
	if u.Speakers != nil {
		x.Speakers = slices.Clip(slices.Clone(*u.Speakers))
		if err := e.checkSpeakers(x.Speakers); err != nil {
			return wrapf(err, "session %q", id)
		}
		set(FieldSpeakers, strings.Join(old.Speakers, ","), strings.Join(x.Speakers, ","))
	}
	if len(pending) == 0 {
		return nil
	}
	// Only a changed slot (or a session coming back) is checked for overlap:
	// an untouched slot that already overlaps stays as the organizers left it.
	slotChanged := !x.Start.Equal(old.Start) || !x.End.Equal(old.End) || x.Room != old.Room || old.Status == StatusCancelled
	// Only new times are held to the length: a session stored longer,
	// before the limit, can still be renamed or cancelled.
	if !x.Start.Equal(old.Start) || !x.End.Equal(old.End) {
		if err := CheckLength(x.Start, x.End); err != nil {
			return wrapf(err, "session %q", id)
		}
	}
	if err := e.validate(x, u.Force || !slotChanged); err != nil {
		return err
	}
	significant := slices.ContainsFunc(pending, func(c Change) bool { return !c.Field.descriptive() })
	if significant && !e.bumped(id) {
		x.Sequence++
	}
	x.LastModified = e.at
	e.put(i, x)
	for _, c := range pending {
		e.record(c)
	}
	return nil
}

// bumped reports whether this edit already raised the sequence of session id.
func (e *Editor) bumped(id string) bool {
	return slices.ContainsFunc(e.changes, func(c Change) bool {
		return c.Session == id && !c.Field.descriptive() && c.Field != FieldCreated
	})
}

// AddSession adds a new session. Its ID must be a new slug; its title and
// abstract must pass CheckTitle and CheckAbstract (as UpdateSession
// prepares them); its times are kept to the minute (see WholeMinute); its
// Number, when not 0, must be positive and no other session's (ErrInvalid,
// ErrExists), and 0 numbers it after the highest. Sequence starts at 0 and
// LastModified is the edit's time.
func (e *Editor) AddSession(x Session, force bool) error {
	if e.done {
		return errCommitted
	}
	if !ValidID(x.ID) {
		return errorf(ErrInvalid, "session ID %q is not a slug (%s)", clip(x.ID), slugRule())
	}
	if _, err := e.session(x.ID); err == nil {
		return errorf(ErrExists, "session %q already exists", x.ID)
	}
	x.Title = strings.TrimSpace(x.Title)
	x.Abstract = NormalizeAbstract(x.Abstract)
	x.Subtitle, x.Type, x.Language, x.URL = strings.TrimSpace(x.Subtitle), strings.TrimSpace(x.Type), strings.TrimSpace(x.Language), strings.TrimSpace(x.URL)
	x.Speakers = slices.Clip(slices.Clone(x.Speakers))
	for _, err := range [...]error{CheckTitle(x.Title), CheckAbstract(x.Abstract), CheckSubtitle(x.Subtitle),
		CheckType(x.Type), CheckLanguage(x.Language), CheckURL(x.URL), e.checkSpeakers(x.Speakers)} {
		if err != nil {
			return wrapf(err, "session %q", x.ID)
		}
	}
	// The number is schedule.xml's event id, which apps that import the
	// export key sessions on: one asked for is given or refused, never
	// quietly swapped for another. 0 numbers it after the highest.
	if x.Number < 0 {
		return errorf(ErrInvalid, "session %q: number %d is negative", x.ID, x.Number)
	}
	if owner := e.numbered(x.Number); owner != "" {
		return errorf(ErrExists, "session %q: number %d belongs to session %q", x.ID, x.Number, owner)
	}
	x.Start, x.End = WholeMinute(x.Start).In(e.base.loc), WholeMinute(x.End).In(e.base.loc)
	if x.Status == "" {
		x.Status = StatusConfirmed
	}
	x.Sequence = 0
	x.LastModified = e.at
	if err := CheckLength(x.Start, x.End); err != nil {
		return wrapf(err, "session %q", x.ID)
	}
	if err := e.validate(x, force); err != nil {
		return err
	}
	e.put(len(e.sessions), x)
	e.record(Change{Session: x.ID, Field: FieldCreated, New: x.Title})
	return nil
}

// numbered returns the ID of the session with number n, "" when n is 0 or
// no session has it.
func (e *Editor) numbered(n int64) string {
	if n == 0 {
		return ""
	}
	for _, o := range e.sessions {
		if o.Number == n {
			return o.ID
		}
	}
	return ""
}

// AddRoom adds a room. Its ID must be a new slug and its name (without
// surrounding blanks) must pass CheckRoomName.
func (e *Editor) AddRoom(r Room) error {
	if e.done {
		return errCommitted
	}
	r.Name = strings.TrimSpace(r.Name)
	if !ValidID(r.ID) {
		return errorf(ErrInvalid, "room ID %q is not a slug (%s)", clip(r.ID), slugRule())
	}
	if err := CheckRoomName(r.Name); err != nil {
		return wrapf(err, "room %q", r.ID)
	}
	switch {
	case e.hasRoom(r.ID):
		return errorf(ErrExists, "room %q already exists", r.ID)
	}
	if !e.ownRooms {
		e.rooms, e.ownRooms = slices.Clone(e.rooms), true
	}
	e.rooms = append(e.rooms, r)
	e.record(Change{Room: r.ID, Field: FieldRoomAdded, New: r.Name})
	return nil
}

// AddTrack adds a track. Its ID must be a new slug, its name (without
// surrounding blanks) must pass CheckTrackName and its colour must be
// #RRGGBB or empty.
func (e *Editor) AddTrack(t Track) error {
	if e.done {
		return errCommitted
	}
	t.Name = strings.TrimSpace(t.Name)
	if !ValidID(t.ID) {
		return errorf(ErrInvalid, "track ID %q is not a slug (%s)", clip(t.ID), slugRule())
	}
	if err := CheckTrackName(t.Name); err != nil {
		return wrapf(err, "track %q", t.ID)
	}
	switch {
	case !validColor(t.Color):
		return errorf(ErrInvalid, "track %q: color %q is not #RRGGBB", t.ID, clip(t.Color))
	case e.hasTrack(t.ID):
		return errorf(ErrExists, "track %q already exists", t.ID)
	}
	if !e.ownTracks {
		e.tracks, e.ownTracks = slices.Clone(e.tracks), true
	}
	e.tracks = append(e.tracks, t)
	e.record(Change{Track: t.ID, Field: FieldTrackAdd, New: t.Name})
	return nil
}

// checkSpeakers reports the first problem with ids as a session's
// speakers: an unknown speaker or one listed twice.
func (e *Editor) checkSpeakers(ids []string) error {
	for i, id := range ids {
		if e.speakerIndex(id) < 0 {
			return fmt.Errorf("unknown speaker %q: %w", clip(id), ErrInvalid)
		}
		if slices.Contains(ids[:i], id) {
			return fmt.Errorf("speaker %q listed twice: %w", id, ErrInvalid)
		}
	}
	return nil
}

// AddSpeaker adds a speaker. Its ID must be a new slug and its name
// (without surrounding blanks) must pass CheckSpeakerName.
func (e *Editor) AddSpeaker(p Speaker) error {
	if e.done {
		return errCommitted
	}
	p.Name = strings.TrimSpace(p.Name)
	if !ValidID(p.ID) {
		return errorf(ErrInvalid, "speaker ID %q is not a slug (%s)", clip(p.ID), slugRule())
	}
	if err := CheckSpeakerName(p.Name); err != nil {
		return wrapf(err, "speaker %q", p.ID)
	}
	if e.speakerIndex(p.ID) >= 0 {
		return errorf(ErrExists, "speaker %q already exists", p.ID)
	}
	if !e.ownSpeakers {
		e.speakers, e.ownSpeakers = slices.Clone(e.speakers), true
	}
	e.speakers = append(e.speakers, p)
	e.record(Change{Speaker: p.ID, Field: FieldSpeakerAdded, New: p.Name})
	return nil
}

// RenameSpeaker renames speaker id. The sessions of the speaker say so in
// their description, so each gets a new LastModified (and a FieldSpeakers
// change with the same IDs, so that what changed is in the log).
func (e *Editor) RenameSpeaker(id, name string) error {
	if e.done {
		return errCommitted
	}
	name = strings.TrimSpace(name)
	i := e.speakerIndex(id)
	if i < 0 {
		return errorf(ErrNotFound, "speaker %q", clip(id))
	}
	if err := CheckSpeakerName(name); err != nil {
		return wrapf(err, "speaker %q", id)
	}
	old := e.speakers[i].Name
	if old == name {
		return nil
	}
	if !e.ownSpeakers {
		e.speakers, e.ownSpeakers = slices.Clone(e.speakers), true
	}
	e.speakers[i].Name = name
	e.record(Change{Speaker: id, Field: FieldSpeakerName, Old: old, New: name})
	for j, p := range e.sessions {
		if slices.Contains(p.Speakers, id) {
			x := *p
			x.LastModified = e.at
			e.put(j, x)
			ids := strings.Join(x.Speakers, ",")
			e.record(Change{Session: x.ID, Speaker: id, Field: FieldSpeakers, Old: ids, New: ids})
		}
	}
	return nil
}

// RenameRoom renames room id; the new name (without surrounding blanks)
// must pass CheckRoomName. Every session in the room shows the new name
// as its location, so each of them gets a raised Sequence and a new
// LastModified, and a FieldLocation change.
func (e *Editor) RenameRoom(id, name string) error {
	if e.done {
		return errCommitted
	}
	name = strings.TrimSpace(name)
	i := slices.IndexFunc(e.rooms, func(r Room) bool { return r.ID == id })
	if i < 0 {
		return errorf(ErrNotFound, "room %q", clip(id))
	}
	if err := CheckRoomName(name); err != nil {
		return wrapf(err, "room %q", id)
	}
	if e.rooms[i].Name == name {
		return nil
	}
	if !e.ownRooms {
		e.rooms, e.ownRooms = slices.Clone(e.rooms), true
	}
	old := e.rooms[i].Name
	e.rooms[i].Name = name
	e.record(Change{Room: id, Field: FieldRoomName, Old: old, New: name})
	for j, p := range e.sessions {
		if p.Room != id {
			continue
		}
		x := *p
		if !e.bumped(x.ID) {
			x.Sequence++
		}
		x.LastModified = e.at
		e.put(j, x)
		e.record(Change{Session: x.ID, Room: id, Field: FieldLocation, Old: old, New: name})
	}
	return nil
}

// WidenDays makes the conference days run from first to last, or longer:
// the days become the smallest span holding both the current days and
// first to last, so no stored session (a cancelled one included) ever
// falls outside them. A source's new version that adds a workshop day
// before the conference, or a third day, is applied this way. A span
// wholly inside the current days is no change; one that ends before it
// starts, or would make the conference longer than Conference.Validate
// allows, is refused (ErrInvalid). The change is logged as FieldDays.
func (e *Editor) WidenDays(first, last Date) error {
	if e.done {
		return errCommitted
	}
	if last.Before(first) {
		return errorf(ErrInvalid, "conference days %s to %s: the last is before the first", first, last)
	}
	c := e.conf
	if first.Before(c.First) {
		c.First = first
	}
	if c.Last.Before(last) {
		c.Last = last
	}
	if c == e.conf {
		return nil
	}
	if err := c.Validate(); err != nil {
		return wrapf(err, "conference days %s to %s", c.First, c.Last)
	}
	e.record(Change{Field: FieldDays, Old: daysString(e.conf), New: daysString(c)})
	e.conf = c
	return nil
}

// daysString writes c's days as a FieldDays value: "2020-12-14/2020-12-16".
func daysString(c Conference) string { return c.First.String() + "/" + c.Last.String() }

// Commit builds the next revision from the collected changes. With no
// changes it returns the base snapshot itself.
func (e *Editor) Commit() (*Snapshot, error) {
	if e.done {
		return nil, errCommitted
	}
	if len(e.changes) == 0 {
		return e.base, nil
	}
	e.done = true
	return e.base.derive(e)
}

package agenda

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// lazySummaries holds a snapshot's summaries, written on first use.
type lazySummaries struct {
	once sync.Once
	v    []Summary
}

// Summary says in plain words what one revision did to one session, room or
// track, for people: a change-log page, an Atom feed, a command's output.
type Summary struct {
	// Revision, Time and Who are those of the changes summarized.
	Revision int64
	Time     time.Time
	Who      string
	// One of Session, Room, Track and Speaker names the subject; none
	// does when the subject is the conference itself (its days).
	Session, Room, Track, Speaker string
	// Text is the summary, e.g. "State of State moved from Room 2 to
	// Room 1, Oct 8 10:30 → 14:00".
	Text string
}

// Describe summarizes changes (entries of s's change log, or the changes an
// Editor on s's previous revision collected), one Summary per revision and
// subject, in the order the subjects first appear. Names of rooms are those
// the rooms had at each change's revision, so a summary reads the same
// however the agenda changes later. A session's location changes caused by a
// room rename are summarized once, as the rename.
func (s *Snapshot) Describe(changes []Change) []Summary {
	type key struct {
		rev                           int64
		session, room, track, speaker string
	}
	groups := map[key][]Change{}
	var order []key
	renamed := map[key]bool{} // room and speaker renames, by revision and subject
	for _, c := range changes {
		k := key{rev: c.Revision}
		switch {
		case c.Session != "":
			k.session = c.Session
		case c.Room != "":
			k.room = c.Room
			if c.Field == FieldRoomName {
				renamed[k] = true
			}
		case c.Speaker != "":
			k.speaker = c.Speaker
			if c.Field == FieldSpeakerName {
				renamed[k] = true
			}
		default:
			k.track = c.Track // "" for a change of the conference itself
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], c)
	}
	var out []Summary
	for _, k := range order {
		cs := groups[k]
		if k.session != "" && onlyLocation(cs) && renamed[key{rev: k.rev, room: cs[0].Room}] {
			continue
		}
		if k.session != "" && onlyRenamedSpeaker(cs) && renamed[key{rev: k.rev, speaker: cs[0].Speaker}] {
			continue
		}
		sum := Summary{Revision: k.rev, Time: cs[0].Time, Who: cs[0].Who, Session: k.session, Room: k.room, Track: k.track, Speaker: k.speaker}
		switch {
		case k.session != "":
			sum.Text = s.describeSession(k.session, k.rev, cs)
		case k.room != "":
			sum.Text = s.describeRoom(k.room, k.rev, cs)
		case k.speaker != "":
			sum.Text = describeSpeaker(cs)
		case k.track != "":
			sum.Text = s.describeTrack(k.track, cs)
		default:
			sum.Text = describeConference(cs)
		}
		out = append(out, sum)
	}
	return out
}

// SummariesSince describes the changes made after revision rev (see
// Describe): the summaries of the whole log are written once per snapshot
// and shared, so callers must not modify the returned slice's elements.
// rev must lie within the log (see ChangesSince).
func (s *Snapshot) SummariesSince(rev int64) ([]Summary, error) {
	if rev < s.base || rev > s.rev {
		return nil, errorf(ErrUnknownRevision, "summaries since %d (log covers %d to %d)", rev, s.base, s.rev)
	}
	s.sums.once.Do(func() { s.sums.v = s.Describe(s.log) })
	all := s.sums.v
	i, _ := slices.BinarySearchFunc(all, rev+1, func(x Summary, r int64) int { return cmpRev(x.Revision, r) })
	return slices.Clip(all[i:]), nil
}

// onlyRenamedSpeaker reports whether cs are the entries a speaker's rename
// logs for one of their sessions (same speakers before and after).
func onlyRenamedSpeaker(cs []Change) bool {
	for _, c := range cs {
		if c.Field != FieldSpeakers || c.Speaker == "" || c.Old != c.New {
			return false
		}
	}
	return true
}

func describeSpeaker(cs []Change) string {
	var parts []string
	for _, c := range cs {
		switch c.Field {
		case FieldSpeakerAdded:
			parts = append(parts, "New speaker: "+c.New)
		case FieldSpeakerName:
			parts = append(parts, c.Old+" is now called "+c.New)
		}
	}
	return strings.Join(parts, "; ")
}

func onlyLocation(cs []Change) bool {
	for _, c := range cs {
		if c.Field != FieldLocation {
			return false
		}
	}
	return true
}

// sessionAfter returns session id as it was right after revision rev (for
// changes an Editor has not committed yet, as it is now, with the changes
// applied on top). A committed revision is looked up in the snapshot's
// replayed log, so describing the whole log costs one pass over it.
func (s *Snapshot) sessionAfter(id string, rev int64, cs []Change) Session {
	if rev <= s.rev {
		if x, ok, err := s.SessionAt(id, rev); err == nil && ok {
			return x
		}
	}
	x, ok := s.Session(id)
	if !ok {
		x = Session{ID: id, Title: id}
	}
	for _, c := range cs {
		if c.Field == FieldCreated {
			x.Title = c.New
			continue
		}
		s.setField(&x, c.Field, c.New) // an unreadable time keeps the old one
	}
	return x
}

// speakerNames writes a comma-joined list of speaker IDs as their names.
func (s *Snapshot) speakerNames(ids string) string {
	if ids == "" {
		return "none"
	}
	var names []string
	for id := range strings.SplitSeq(ids, ",") {
		if p, ok := s.Speaker(id); ok {
			names = append(names, p.Name)
		} else {
			names = append(names, id)
		}
	}
	return strings.Join(names, ", ")
}

func (s *Snapshot) trackName(id string) string {
	if t, ok := s.Track(id); ok {
		return t.Name
	}
	return id
}

func (s *Snapshot) describeSession(id string, rev int64, cs []Change) string {
	x := s.sessionAfter(id, rev, cs)
	by := map[Field]Change{}
	for _, c := range cs {
		by[c.Field] = c
	}
	if _, ok := by[FieldCreated]; ok {
		return "New session: " + x.Title + ", " + s.slot(x.Start, x.End) + " in " + s.roomNameAt(x.Room, rev) + " (" + s.trackName(x.Track) + ")"
	}
	subject := x.Title
	var clauses []string
	if c, ok := by[FieldTitle]; ok {
		subject = c.Old
		clauses = append(clauses, "renamed to "+c.New)
	}
	oldStart, oldEnd := x.Start, x.End
	if c, ok := by[FieldStart]; ok {
		oldStart = s.parseTime(c.Old, x.Start)
	}
	if c, ok := by[FieldEnd]; ok {
		oldEnd = s.parseTime(c.Old, x.End)
	}
	retimed := !oldStart.Equal(x.Start) || !oldEnd.Equal(x.End)
	if c, ok := by[FieldRoom]; ok {
		moved := "moved from " + s.roomNameAt(c.Old, rev) + " to " + s.roomNameAt(c.New, rev)
		if retimed {
			moved += ", " + s.retime(oldStart, oldEnd, x.Start, x.End)
		}
		clauses = append(clauses, moved)
	} else if retimed {
		clauses = append(clauses, "rescheduled, "+s.retime(oldStart, oldEnd, x.Start, x.End))
	}
	if c, ok := by[FieldTrack]; ok {
		clauses = append(clauses, "moved from track "+s.trackName(c.Old)+" to "+s.trackName(c.New))
	}
	if c, ok := by[FieldStatus]; ok {
		word := "restored"
		if Status(c.New) == StatusCancelled {
			word = "cancelled"
		}
		clauses = append(clauses, word+" ("+s.slot(x.Start, x.End)+", "+s.roomNameAt(x.Room, rev)+")")
	}
	if _, ok := by[FieldAbstract]; ok {
		clauses = append(clauses, "description updated")
	}
	if c, ok := by[FieldSpeakers]; ok && c.Old != c.New {
		clauses = append(clauses, "speakers now "+s.speakerNames(c.New))
	}
	for _, f := range [...]struct {
		field Field
		name  string
	}{{FieldSubtitle, "subtitle"}, {FieldType, "type"}, {FieldLanguage, "language"}, {FieldURL, "web page"}} {
		if _, ok := by[f.field]; ok {
			clauses = append(clauses, f.name+" updated")
		}
	}
	if c, ok := by[FieldLocation]; ok && len(clauses) == 0 {
		clauses = append(clauses, "now in "+c.New+" ("+c.Old+" was renamed)")
	}
	if len(clauses) == 0 {
		clauses = append(clauses, "changed")
	}
	return subject + " " + strings.Join(clauses, "; ")
}

// describeConference summarizes changes of the conference itself: "Conference
// days now Dec 13–16 (were Dec 14–16)". Several widenings in one revision
// read as one, from the first's days to the last's.
func describeConference(cs []Change) string {
	var was, now string
	for _, c := range cs {
		if c.Field == FieldDays {
			if was == "" {
				was = dayRange(c.Old)
			}
			now = dayRange(c.New)
		}
	}
	if now == "" {
		return "Conference changed"
	}
	return "Conference days now " + now + " (were " + was + ")"
}

// dayRange writes a FieldDays value ("2020-12-14/2020-12-16") for people:
// "Dec 14–16", "Nov 30–Dec 2", "Dec 14"; a value it cannot read comes back
// as it is.
func dayRange(v string) string {
	a, b, ok := strings.Cut(v, "/")
	first, err1 := ParseDate(a)
	last, err2 := ParseDate(b)
	if !ok || err1 != nil || err2 != nil {
		return v
	}
	f, l := first.Start(time.UTC), last.Start(time.UTC)
	switch {
	case first == last:
		return f.Format("Jan 2")
	case first.Year != last.Year:
		return f.Format("Jan 2, 2006") + "–" + l.Format("Jan 2, 2006")
	case first.Month == last.Month:
		return f.Format("Jan 2") + "–" + l.Format("2")
	}
	return f.Format("Jan 2") + "–" + l.Format("Jan 2")
}

func (s *Snapshot) describeRoom(id string, rev int64, cs []Change) string {
	var parts []string
	for _, c := range cs {
		switch c.Field {
		case FieldRoomAdded:
			parts = append(parts, "New room: "+c.New)
		case FieldRoomName:
			parts = append(parts, c.Old+" renamed to "+c.New)
		}
	}
	if len(parts) == 0 {
		return s.roomNameAt(id, rev) + " changed"
	}
	return strings.Join(parts, "; ")
}

func (s *Snapshot) describeTrack(id string, cs []Change) string {
	for _, c := range cs {
		if c.Field == FieldTrackAdd {
			return "New track: " + c.New
		}
	}
	return "Track " + s.trackName(id) + " changed"
}

func (s *Snapshot) parseTime(v string, fallback time.Time) time.Time {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return fallback
	}
	return t.In(s.loc)
}

// stamp writes an instant for people: "Oct 8 16:00", its time of day as
// Clock writes it ("Nov 1 01:30 EST" in the hour the clocks repeat).
func stamp(t time.Time) string { return t.Format("Jan 2 ") + Clock(t) }

// slot writes a time range for people: "Oct 8 16:00–16:40", with the end's
// day when it ends on another day.
func (s *Snapshot) slot(start, end time.Time) string {
	start, end = start.In(s.loc), end.In(s.loc)
	if DateOf(start, s.loc) != DateOf(end, s.loc) {
		return stamp(start) + "–" + stamp(end)
	}
	return stamp(start) + "–" + Clock(end)
}

// retime writes a change of time: starts only when the duration is kept
// ("Oct 8 16:00 → 16:30"), ranges otherwise ("Oct 8 16:00–16:40 → 16:00–17:00");
// the new day is written only when it differs.
func (s *Snapshot) retime(oldStart, oldEnd, start, end time.Time) string {
	oldStart, start = oldStart.In(s.loc), start.In(s.loc)
	sameDay := DateOf(oldStart, s.loc) == DateOf(start, s.loc)
	if oldEnd.Sub(oldStart) == end.Sub(start) {
		if sameDay {
			return stamp(oldStart) + " → " + Clock(start)
		}
		return stamp(oldStart) + " → " + stamp(start)
	}
	to := s.slot(start, end)
	if sameDay {
		to = strings.TrimPrefix(to, start.Format("Jan 2 "))
	}
	return s.slot(oldStart, oldEnd) + " → " + to
}

package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"confcal/agenda"
	"confcal/formats"
)

// NoRoomName names the room of sessions whose file names none: every
// session needs a room.
const NoRoomName = "To be announced"

// MaxDays is the longest conference agenda.Conference accepts.
const MaxDays = 60

// minYear and maxYear bound the years of the sessions read: a year before
// is a typing error ("0224"), one after cannot be written as four digits.
const minYear, maxYear = 1900, 9999

// Draft is a session read from a line of a file, before rooms, tracks,
// speakers and the conference days are settled (see Drafts.Assemble).
type Draft struct {
	Line     int            // the line it was read from
	Session  agenda.Session // ID, Title, Start, End, Abstract, URL, …
	Room     string         // the room's name, "" for none
	Track    string         // the track's name, "" for none
	Speakers []string       // the speakers' names, in billing order
}

// Words are the phrases in which an importer reports what Assemble and
// Window find, in the terms of its own files.
type Words struct {
	// Room reports a room name that gives the ID of a room spelt
	// otherwise: its arguments are the name, the room's name and the ID.
	Room string
	// Track reports the same of a track name.
	Track string
	// Sessions is what the file holds, in the plural ("events").
	Sessions string
}

// Drafts is the state of one import of a file read line by line (an
// iCalendar file, a CSV sheet) that it shares with this package: where
// problems are reported and how drafts become sessions.
type Drafts struct {
	Name     string         // the file's name, the start of every position
	Loc      *time.Location // the conference's zone
	Now      time.Time      // the LastModified of every session (see Now)
	Words    Words
	Problems []formats.Problem
}

// Problemf reports a problem at line no (0: the file as a whole).
func (f *Drafts) Problemf(no int, format string, args ...any) {
	pos := f.Name
	if no > 0 {
		pos += ":" + strconv.Itoa(no)
	}
	f.Problems = append(f.Problems, formats.Problem{Pos: pos, Reason: fmt.Sprintf(format, args...)})
}

// NoneUsable is the error of an import that kept none of the found
// sessions (events, rows) the file holds: its Result and the problems in
// it are not returned, so the error itself names the last problem
// reported, which says why the last of them was dropped.
func (f *Drafts) NoneUsable(what string, found int) error {
	if found == 0 || len(f.Problems) == 0 {
		return fmt.Errorf("%s holds no usable %s (%d found)", f.Name, what, found)
	}
	return fmt.Errorf("%s holds no usable %s (%d found, none kept; the last problem: %s)", f.Name, what, found, f.Problems[len(f.Problems)-1])
}

// Skipf reports why the session at line no is skipped and returns no
// draft.
func (f *Drafts) Skipf(no int, format string, args ...any) (Draft, bool) {
	f.Problemf(no, format+": skipped", args...)
	return Draft{}, false
}

// Span cuts a session's start and end to the minute (reported) and
// returns them in f.Loc; ok is false, and the session at line no reported
// skipped, when it starts or ends outside the years read, does not end
// after it starts or lasts longer than agenda.MaxSessionLength.
func (f *Drafts) Span(no int, start, end time.Time) (s, e time.Time, ok bool) {
	s, e = WholeMinute(start), WholeMinute(end)
	if !s.Equal(start) || !e.Equal(end) {
		f.Problemf(no, "times with seconds: cut to the minute")
	}
	if y := s.In(f.Loc).Year(); y < minYear || y > maxYear {
		f.Skipf(no, "in the year %d: read are the years %d to %d", y, minYear, maxYear)
		return s, e, false
	}
	if y := e.Add(-time.Nanosecond).In(f.Loc).Year(); y < minYear || y > maxYear {
		f.Skipf(no, "ends in the year %d: read are the years %d to %d", y, minYear, maxYear)
		return s, e, false
	}
	if !e.After(s) {
		// Times as agenda.Clock writes them: in the hour the clocks
		// repeat, 01:30 EDT and 01:30 EST are told apart.
		at := func(t time.Time) string { t = t.In(f.Loc); return t.Format("2006-01-02 ") + agenda.Clock(t) }
		if e.Equal(s) {
			f.Skipf(no, "it ends when it starts (%s)", at(s))
		} else {
			f.Skipf(no, "it ends (%s) before it starts (%s)", at(e), at(s))
		}
		return s, e, false
	}
	if err := agenda.CheckLength(s, e); err != nil {
		f.Skipf(no, "from %s to %s it %v", s.In(f.Loc).Format("2006-01-02 15:04"), e.In(f.Loc).Format("2006-01-02 15:04"), err)
		return s, e, false
	}
	return s.In(f.Loc), e.In(f.Loc), true
}

// FallbackID is the ID of a session its file gives no key for:
// formats.KeyID of its start (UTC, to the minute) and its room's ID, e.g.
// "2019-10-08t12-00z-room-1-" and a hash. A title would change more often
// and a position with every session added above it; start and room at
// least stay put while the session does, and only sessions that clash in
// one room share both.
func FallbackID(start time.Time, room string) string {
	return formats.KeyID(start.UTC().Format("2006-01-02T15:04Z") + " " + NameID(room))
}

// Assemble turns drafts (in file order, IDs unique, at least one, all
// within MaxDays days: see Window) into contents for conf: rooms by the
// time they are first used (these files list no rooms; ties in file
// order), tracks, speakers and sessions in agenda order, the conference
// days from the first session's start to the last one's end. Exports
// write sessions in agenda order, so these orders survive a round trip. A
// room, track or speaker written several ways that give the same ID keeps
// its first spelling in the file; the others are reported.
func (f *Drafts) Assemble(drafts []Draft, conf agenda.Conference) agenda.Contents {
	type room struct {
		agenda.Room
		first time.Time
	}
	var rooms []*room
	byID := map[string]*room{}
	reported := map[string]bool{}
	for i := range drafts {
		d := &drafts[i]
		name := cmp.Or(d.Room, NoRoomName)
		id := NameID(name)
		d.Session.Room = id
		r, ok := byID[id]
		switch {
		case !ok:
			r = &room{agenda.Room{ID: id, Name: name}, d.Session.Start}
			byID[id] = r
			rooms = append(rooms, r)
		case d.Session.Start.Before(r.first):
			r.first = d.Session.Start
		}
		if name != r.Name && !reported["room\x00"+name] {
			reported["room\x00"+name] = true
			f.Problemf(d.Line, f.Words.Room, Clip(name), Clip(r.Name), id)
		}
	}
	slices.SortStableFunc(rooms, func(a, b *room) int { return a.first.Compare(b.first) })
	c := agenda.Contents{Conference: conf}
	index := map[string]int{}
	for i, r := range rooms {
		c.Rooms = append(c.Rooms, r.Room)
		index[r.ID] = i
	}
	// A speaker's name is their first spelling in the file, as a room's.
	speakerName := map[string]string{}
	for i := range drafts {
		d := &drafts[i]
		d.Session.Speakers = nil
		for _, name := range d.Speakers {
			id := NameID(name)
			if slices.Contains(d.Session.Speakers, id) {
				f.Problemf(d.Line, "speaker %q listed twice: once is kept", Clip(name))
				continue
			}
			d.Session.Speakers = append(d.Session.Speakers, id)
			have, ok := speakerName[id]
			if !ok {
				speakerName[id] = name
			} else if have != name && !reported["speaker\x00"+name] {
				reported["speaker\x00"+name] = true
				f.Problemf(d.Line, "speaker %q is read as %q (the same ID, %q)", Clip(name), Clip(have), id)
			}
		}
	}
	// A track's name is its first spelling in the file, as a room's.
	trackName := map[string]string{}
	for i := range drafts {
		d := &drafts[i]
		name := cmp.Or(d.Track, formats.DefaultTrack.Name)
		id := formats.DefaultTrack.ID
		if d.Track != "" {
			id = NameID(d.Track)
		}
		d.Session.Track = id
		have, ok := trackName[id]
		if !ok {
			trackName[id] = name
		} else if have != name && !reported["track\x00"+name] {
			reported["track\x00"+name] = true
			f.Problemf(d.Line, f.Words.Track, Clip(name), Clip(have), id)
		}
	}
	slices.SortStableFunc(drafts, func(a, b Draft) int {
		return cmp.Or(a.Session.Start.Compare(b.Session.Start), cmp.Compare(index[a.Session.Room], index[b.Session.Room]), cmp.Compare(a.Session.ID, b.Session.ID))
	})
	tracks, speakers := map[string]bool{}, map[string]bool{}
	first, last := drafts[0].Session.Start, drafts[0].Session.End
	for _, d := range drafts {
		x := d.Session
		if !tracks[x.Track] {
			tracks[x.Track] = true
			t := agenda.Track{ID: x.Track, Name: trackName[x.Track]}
			if t.ID == formats.DefaultTrack.ID {
				// The default track keeps its colour when a source names it.
				t.Color = formats.DefaultTrack.Color
			}
			c.Tracks = append(c.Tracks, t)
		}
		for _, id := range x.Speakers {
			if !speakers[id] {
				speakers[id] = true
				c.Speakers = append(c.Speakers, agenda.Speaker{ID: id, Name: speakerName[id]})
			}
		}
		x.Status = agenda.StatusConfirmed
		x.LastModified = f.Now
		c.Sessions = append(c.Sessions, x)
		if x.Start.Before(first) {
			first = x.Start
		}
		if x.End.After(last) {
			last = x.End
		}
	}
	c.Conference.First = agenda.DateOf(first, f.Loc)
	c.Conference.Last = agenda.DateOf(last.Add(-time.Nanosecond), f.Loc)
	return c
}

// Window keeps the sessions that fit the MaxDays consecutive days holding
// the most sessions (the earliest such days on a tie) and reports the
// others: a calendar or a sheet may hold stray sessions of other years (a
// date typed wrong), but a conference lasts at most MaxDays days.
func (f *Drafts) Window(drafts []Draft) []Draft {
	from := make([]int64, len(drafts))
	to := make([]int64, len(drafts))
	lo, hi := int64(1)<<62, -int64(1)<<62
	for i, d := range drafts {
		from[i] = dayNumber(agenda.DateOf(d.Session.Start, f.Loc))
		to[i] = dayNumber(agenda.DateOf(d.Session.End.Add(-time.Nanosecond), f.Loc))
		lo, hi = min(lo, from[i]), max(hi, to[i])
	}
	if hi-lo < MaxDays {
		return drafts
	}
	best, most := int64(0), -1
	for _, w := range from {
		n := 0
		for j := range drafts {
			if from[j] >= w && to[j] < w+MaxDays {
				n++
			}
		}
		if n > most || n == most && w < best {
			best, most = w, n
		}
	}
	a, b := dayDate(best), dayDate(best+MaxDays-1)
	var kept []Draft
	for j, d := range drafts {
		if from[j] >= best && to[j] < best+MaxDays {
			kept = append(kept, d)
			continue
		}
		f.Problemf(d.Line, "outside the %d days from %s to %s that hold the most %s (a conference lasts at most %d days): skipped", MaxDays, a, b, f.Words.Sessions, MaxDays)
	}
	return kept
}

// dayNumber counts days from 1970-01-01 to d.
func dayNumber(d agenda.Date) int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// dayDate is the inverse of dayNumber.
func dayDate(n int64) agenda.Date { return agenda.DateOf(time.Unix(n*86400, 0), time.UTC) }

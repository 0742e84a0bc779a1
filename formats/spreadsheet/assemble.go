package spreadsheet

import (
	"cmp"
	"slices"
	"time"

	"confcal/agenda"
	"confcal/formats"
)

// noRoomName names the room of rows without one: every session needs a
// room.
const noRoomName = "To be announced"

// maxDays is the longest conference agenda.Conference accepts.
const maxDays = 60

// minYear and maxYear bound the years of the sessions read: a year before
// is a typing error ("0224"), one after cannot be written as four digits.
const minYear, maxYear = 1900, 9999

// wholeMinute cuts t to the minute of its own clock. Cutting the instant
// (time.Truncate) would count from UTC and give a local time with seconds
// in a zone whose offset has seconds (local mean time before 1900, Monrovia
// until 1972).
func wholeMinute(t time.Time) time.Time {
	return t.Add(-time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
}

// nameID returns the ID of a room, track or speaker name: its slug, or,
// for a name of no ASCII letter or digit ("会议室"), formats.KeyID of it.
func nameID(name string) string {
	if s := agenda.Slug(name); s != "" {
		return s
	}
	return formats.KeyID(name)
}

// fallbackID is the ID of a session in a file without an id column:
// formats.KeyID of its start (UTC, to the minute) and its room's ID, e.g.
// "2019-10-08t12-00z-room-1-" and a hash. A title would change more often
// and a row number with every row added above it; start and room at least
// stay put while the session does, and only sessions that clash in one
// room share both.
func fallbackID(start time.Time, room string) string {
	return formats.KeyID(start.UTC().Format("2006-01-02T15:04Z") + " " + nameID(room))
}

// assemble turns drafts (in file order, IDs unique, at least one, all
// within maxDays days: see window) into contents for conf: rooms by the
// time they are first used (a spreadsheet lists no rooms; ties in file
// order), tracks, speakers and sessions in agenda order, the conference
// days from the first session's start to the last one's end. Export
// writes rows in agenda order, so these orders survive a round trip. A
// room, track or speaker written several ways that give the same ID keeps
// its first spelling in the file; the others are reported.
func (p *parser) assemble(drafts []draft, conf agenda.Conference) agenda.Contents {
	type room struct {
		agenda.Room
		first time.Time
	}
	var rooms []*room
	byID := map[string]*room{}
	reported := map[string]bool{}
	for i := range drafts {
		d := &drafts[i]
		name := cmp.Or(d.room, noRoomName)
		id := nameID(name)
		d.s.Room = id
		r, ok := byID[id]
		switch {
		case !ok:
			r = &room{agenda.Room{ID: id, Name: name}, d.s.Start}
			byID[id] = r
			rooms = append(rooms, r)
		case d.s.Start.Before(r.first):
			r.first = d.s.Start
		}
		if name != r.Name && !reported["room\x00"+name] {
			reported["room\x00"+name] = true
			p.problemf(d.no, "room %q is read as %q (the same ID, %q)", clip(name), clip(r.Name), id)
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
		d.s.Speakers = nil
		for _, name := range d.speakers {
			id := nameID(name)
			if slices.Contains(d.s.Speakers, id) {
				p.problemf(d.no, "speaker %q listed twice: once is kept", clip(name))
				continue
			}
			d.s.Speakers = append(d.s.Speakers, id)
			have, ok := speakerName[id]
			if !ok {
				speakerName[id] = name
			} else if have != name && !reported["speaker\x00"+name] {
				reported["speaker\x00"+name] = true
				p.problemf(d.no, "speaker %q is read as %q (the same ID, %q)", clip(name), clip(have), id)
			}
		}
	}
	// A track's name is its first spelling in the file, as a room's.
	trackName := map[string]string{}
	for i := range drafts {
		d := &drafts[i]
		name := cmp.Or(d.track, formats.DefaultTrack.Name)
		id := formats.DefaultTrack.ID
		if d.track != "" {
			id = nameID(d.track)
		}
		d.s.Track = id
		have, ok := trackName[id]
		if !ok {
			trackName[id] = name
		} else if have != name && !reported["track\x00"+name] {
			reported["track\x00"+name] = true
			p.problemf(d.no, "track %q is read as %q (the same ID, %q)", clip(name), clip(have), id)
		}
	}
	slices.SortStableFunc(drafts, func(a, b draft) int {
		return cmp.Or(a.s.Start.Compare(b.s.Start), cmp.Compare(index[a.s.Room], index[b.s.Room]), cmp.Compare(a.s.ID, b.s.ID))
	})
	tracks, speakers := map[string]bool{}, map[string]bool{}
	first, last := drafts[0].s.Start, drafts[0].s.End
	for _, d := range drafts {
		x := d.s
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
		x.LastModified = p.now
		c.Sessions = append(c.Sessions, x)
		first, last = minTime(first, x.Start), maxTime(last, x.End)
	}
	c.Conference.First = agenda.DateOf(first, p.loc)
	c.Conference.Last = agenda.DateOf(last.Add(-time.Nanosecond), p.loc)
	return c
}

// window keeps the sessions that fit the maxDays consecutive days holding
// the most sessions (the earliest such days on a tie) and reports the
// others: a sheet may hold stray rows of other years (a date typed wrong),
// but a conference lasts at most maxDays days.
func (p *parser) window(drafts []draft) []draft {
	from := make([]int64, len(drafts))
	to := make([]int64, len(drafts))
	lo, hi := int64(1)<<62, -int64(1)<<62
	for i, d := range drafts {
		from[i] = dayNumber(agenda.DateOf(d.s.Start, p.loc))
		to[i] = dayNumber(agenda.DateOf(d.s.End.Add(-time.Nanosecond), p.loc))
		lo, hi = min(lo, from[i]), max(hi, to[i])
	}
	if hi-lo < maxDays {
		return drafts
	}
	best, most := int64(0), -1
	for _, w := range from {
		n := 0
		for j := range drafts {
			if from[j] >= w && to[j] < w+maxDays {
				n++
			}
		}
		if n > most || n == most && w < best {
			best, most = w, n
		}
	}
	a, b := dayDate(best), dayDate(best+maxDays-1)
	var kept []draft
	for j, d := range drafts {
		if from[j] >= best && to[j] < best+maxDays {
			kept = append(kept, d)
			continue
		}
		p.problemf(d.no, "outside the %d days from %s to %s that hold the most sessions (a conference lasts at most %d days): skipped", maxDays, a, b, maxDays)
	}
	return kept
}

// dayNumber counts days from 1970-01-01 to d.
func dayNumber(d agenda.Date) int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// dayDate is the inverse of dayNumber.
func dayDate(n int64) agenda.Date { return agenda.DateOf(time.Unix(n*86400, 0), time.UTC) }

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

package agenda

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reconcile edits the agenda into c, the agenda as an edited source
// document describes it, so that one revision carries every difference.
//
// Sessions are matched by ID first. A session of c whose ID is unknown is
// then matched to a session of the agenda that no ID matched and has the
// same slot — start, end and room — taking them in order when a slot has
// several (the first unmatched of c with the first unmatched of the agenda,
// and so on). That is how a retitled session is recognised: its ID was made
// from its title, so the new title gives it a new ID, while its slot stays.
// A session both retitled and moved cannot be recognised; it reads as the
// old one cancelled and a new one added.
//
// For each matched pair, the title, times, room, track, abstract, subtitle,
// type, language, URL and speakers of c are applied, keeping the agenda's
// ID and number; a session present in c takes place, so a
// cancelled one is restored. Sessions of c matching nothing are added.
// Sessions of the agenda matching nothing are cancelled (never deleted: a
// subscriber must see them go). Rooms and tracks of c that the agenda lacks
// are added; existing ones keep their names, since a source document names
// rooms neutrally and an organizer may have renamed them. The conference
// days are widened to hold c's (see WidenDays: a version that adds a day
// before or after brings it, and one with fewer days cancels the sessions
// it lacks but keeps the days, where they stay); the rest of the
// conference is left as it is. Contents that give no days (the zero Date)
// leave the days as they are.
//
// Slots are applied as given, even where they overlap (a source document
// is the organizers' word, and moves applied one at a time may overlap on
// the way); overlaps left in the result involving a session this edit
// touched are returned as warnings for people to read.
//
// Unlike the other Editor methods, a failed Reconcile may leave part of its
// changes in the edit: discard the Editor (as Service.Change does).
func (e *Editor) Reconcile(c Contents) (warnings []string, err error) {
	if e.done {
		return nil, errCommitted
	}
	if first, last := c.Conference.First, c.Conference.Last; first != (Date{}) && last != (Date{}) {
		if err := e.WidenDays(first, last); err != nil {
			return nil, err
		}
	}
	for _, t := range c.Tracks {
		if !e.hasTrack(t.ID) {
			if err := e.AddTrack(t); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range c.Rooms {
		if !e.hasRoom(r.ID) {
			if err := e.AddRoom(r); err != nil {
				return nil, err
			}
		}
	}
	// Speakers are the source's: new ones are added, and a name the
	// source changed is changed here too (unlike a room's, which names a
	// place the organizers may have named better than the source).
	for _, p := range c.Speakers {
		i := e.speakerIndex(p.ID)
		var err error
		switch {
		case i < 0:
			err = e.AddSpeaker(p)
		case e.speakers[i].Name != strings.TrimSpace(p.Name):
			err = e.RenameSpeaker(p.ID, p.Name)
		}
		if err != nil {
			return nil, err
		}
	}

	current := map[string]bool{}
	for _, x := range e.sessions {
		current[x.ID] = true
	}
	match := make([]string, len(c.Sessions)) // c.Sessions[i] → agenda ID, "" for none
	matched := map[string]bool{}
	for i, x := range c.Sessions {
		if current[x.ID] {
			if matched[x.ID] {
				return nil, errorf(ErrInvalid, "session %q listed twice", x.ID)
			}
			match[i], matched[x.ID] = x.ID, true
		}
	}
	type slot struct {
		start, end int64
		room       string
	}
	free := map[slot][]string{} // unmatched agenda sessions by slot, in agenda order
	for _, x := range e.base.sessions {
		if !matched[x.ID] {
			k := slot{x.Start.Unix(), x.End.Unix(), x.Room}
			free[k] = append(free[k], x.ID)
		}
	}
	for i, x := range c.Sessions {
		if match[i] != "" {
			continue
		}
		k := slot{x.Start.Unix(), x.End.Unix(), x.Room}
		if ids := free[k]; len(ids) > 0 {
			match[i], matched[ids[0]] = ids[0], true
			free[k] = ids[1:]
		}
	}

	touched := map[string]bool{}
	confirmed := StatusConfirmed
	for i, x := range c.Sessions {
		if match[i] == "" {
			x.Status, x.Sequence = StatusConfirmed, 0
			if x.Number < 0 || e.numbered(x.Number) != "" {
				// A source's number a session added here took first:
				// the new one is numbered after the highest instead.
				x.Number = 0
			}
			if err := e.AddSession(x, true); err != nil {
				return nil, err
			}
			touched[x.ID] = true
			continue
		}
		id := match[i]
		speakers := x.Speakers
		u := SessionUpdate{Title: &x.Title, Start: &x.Start, End: &x.End, Room: &x.Room, Track: &x.Track,
			Abstract: &x.Abstract, Status: &confirmed, Subtitle: &x.Subtitle, Type: &x.Type, Language: &x.Language,
			URL: &x.URL, Speakers: &speakers, Force: true}
		n := len(e.changes)
		if err := e.UpdateSession(id, u); err != nil {
			return nil, err
		}
		if len(e.changes) > n {
			touched[id] = true
		}
	}
	cancelled := StatusCancelled
	for _, x := range e.base.sessions {
		if !matched[x.ID] && x.Status != StatusCancelled {
			if err := e.UpdateSession(x.ID, SessionUpdate{Status: &cancelled}); err != nil {
				return nil, err
			}
		}
	}
	return e.overlaps(touched), nil
}

// overlaps describes each overlap between confirmed sessions in one room
// that involves a session in touched.
func (e *Editor) overlaps(touched map[string]bool) []string {
	var out []string
	loc := e.base.loc
	ss := e.sessions
	for i, a := range ss {
		for _, b := range ss[i+1:] {
			if a.Room != b.Room || a.Status == StatusCancelled || b.Status == StatusCancelled || !a.Overlaps(*b) || !(touched[a.ID] || touched[b.ID]) {
				continue
			}
			first, second := a, b
			if b.Start.Before(a.Start) || b.Start.Equal(a.Start) && b.ID < a.ID {
				first, second = b, a
			}
			room, _ := e.Room(a.Room)
			out = append(out, fmt.Sprintf("%s (%s) overlaps %s (%s) in %s",
				first.Title, span(*first, loc), second.Title, span(*second, loc), room.Name))
		}
	}
	return out
}

// span writes x's times for people as slot does: "Oct 8 16:00–16:40",
// "Nov 1 01:30 EST–01:50 EST" in the hour the clocks repeat.
func span(x Session, loc *time.Location) string {
	return stamp(x.Start.In(loc)) + "–" + Clock(x.End.In(loc))
}

// ErrMassCancel: an import would cancel more than half of the sessions
// that take place, which is far more likely a broken export of the source
// than the organizers' intent.
var ErrMassCancel = errors.New("cancels more than half of the sessions")

// Import reconciles the edit with c as Reconcile does, but refuses (with
// an error wrapping ErrMassCancel) a version that would cancel more than
// half of the sessions that took place before, unless force is set.
func (e *Editor) Import(c Contents, force bool) (warnings []string, err error) {
	if e.done {
		return nil, errCommitted
	}
	n := len(e.changes)
	if warnings, err = e.Reconcile(c); err != nil || force {
		return warnings, err
	}
	confirmed := 0
	for _, x := range e.base.sessions {
		if x.Status == StatusConfirmed {
			confirmed++
		}
	}
	cancelled := 0
	for _, ch := range e.changes[n:] {
		if ch.Field == FieldStatus && Status(ch.New) == StatusCancelled {
			cancelled++
		}
	}
	if confirmed > 0 && 2*cancelled > confirmed {
		return nil, &Error{Kind: ErrMassCancel, Msg: fmt.Sprintf("the new version would cancel %d of %d sessions", cancelled, confirmed)}
	}
	return warnings, nil
}

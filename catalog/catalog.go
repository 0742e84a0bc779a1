// Package catalog names the calendars a conference publishes — the whole
// conference, each track, room, day, session and speaker, and an
// attendee's own pick — once, for everything that shows them: the .ics
// feeds and their list (package web), the subscribe blocks of the page
// (package page) and the CalDAV calendars (package caldav). Each calendar
// has its kind and ID, the name and description calendar apps show, a
// colour where it has one, the URL path of its feed, and the rule that
// says which sessions it holds.
package catalog

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"confcal/agenda"
)

// Kind is what a calendar is made of.
type Kind string

// The kinds of calendars.
const (
	All     Kind = "all"
	Track   Kind = "track"
	Room    Kind = "room"
	Day     Kind = "day"
	Session Kind = "session"
	Speaker Kind = "speaker"
	Pick    Kind = "pick" // an attendee's own choice of sessions
)

// Calendar is one published calendar of a snapshot.
type Calendar struct {
	Kind Kind
	// ID is the track, room, session or speaker ID, or the day as
	// YYYY-MM-DD; empty for the whole conference and for a pick.
	ID string
	// Name is the calendar's name as apps show it ("Flink Forward
	// Berlin 2019 — Use Case"); Description says what it holds.
	Name, Description string
	// Color is the calendar's own colour, #RRGGBB: a track's as it is
	// shown (agenda.Snapshot.TrackColor), and a session's track's; empty for the
	// others.
	Color string
	// Path is the URL path of its .ics feed ("/feeds/tracks/use-case.ics").
	Path string
	// Selection names the calendar's sessions (cancelled ones included:
	// feeds keep them, marked cancelled): its track, room, day, session
	// or speaker, every session for the whole conference. It is empty for
	// a pick, whose query names them.
	Selection agenda.Selection
	// Renamed is when the calendar's own name last changed (a room or
	// speaker renamed, a track added), zero when the log does not say.
	Renamed time.Time
	// Events is the number of sessions in it.
	Events int
}

// Feed paths.
const (
	ListPath = "/feeds"              // the list of every feed (JSON)
	AllPath  = "/feeds/all.ics"      // the whole conference
	PickPath = "/feeds/custom.ics"   // an attendee's pick: ?sessions=…&tracks=…&rooms=…&days=…
	AtomPath = "/feeds/changes.atom" // what changed, as Atom
)

// TrackPath returns the path of a track's feed.
func TrackPath(id string) string { return "/feeds/tracks/" + url.PathEscape(id) + ".ics" }

// RoomPath returns the path of a room's feed.
func RoomPath(id string) string { return "/feeds/rooms/" + url.PathEscape(id) + ".ics" }

// DayPath returns the path of a day's feed.
func DayPath(d agenda.Date) string { return "/feeds/days/" + d.String() + ".ics" }

// SessionPath returns the path of a session's feed.
func SessionPath(id string) string { return "/feeds/sessions/" + url.PathEscape(id) + ".ics" }

// SpeakerPath returns the path of a speaker's feed.
func SpeakerPath(id string) string { return "/feeds/speakers/" + url.PathEscape(id) + ".ics" }

// StoredPickPath returns the path of a pick stored under a short code.
func StoredPickPath(code string) string { return "/feeds/my/" + code + ".ics" }

// PickLink returns the path of the feed of a pick of sessions.
func PickLink(ids []string) string { return PickPath + "?sessions=" + strings.Join(ids, ",") }

// List returns every named calendar of snap in the order feeds are listed:
// the whole conference, then the tracks, rooms, days, sessions and
// speakers, each in the agenda's order.
func List(snap *agenda.Snapshot) []Calendar {
	out := []Calendar{Whole(snap)}
	for _, t := range snap.Tracks() {
		out = append(out, trackCalendar(snap, t))
	}
	for _, r := range snap.Rooms() {
		out = append(out, roomCalendar(snap, r))
	}
	for _, d := range snap.Days() {
		out = append(out, dayCalendar(snap, d))
	}
	for _, x := range snap.Sessions() {
		out = append(out, sessionCalendar(snap, x))
	}
	for _, p := range snap.Speakers() {
		out = append(out, speakerCalendar(snap, p))
	}
	return out
}

// Find returns the calendar of the given kind and ID; false when snap has
// no such track, room, day, session or speaker.
func Find(snap *agenda.Snapshot, kind Kind, id string) (Calendar, bool) {
	switch kind {
	case All:
		return Whole(snap), id == ""
	case Track:
		if t, ok := snap.Track(id); ok {
			return trackCalendar(snap, t), true
		}
	case Room:
		if r, ok := snap.Room(id); ok {
			return roomCalendar(snap, r), true
		}
	case Day:
		d, err := agenda.ParseDate(id)
		if err == nil && d.String() == id && isDay(snap, d) {
			return dayCalendar(snap, d), true
		}
	case Session:
		if x, ok := snap.Session(id); ok {
			return sessionCalendar(snap, x), true
		}
	case Speaker:
		if p, ok := snap.Speaker(id); ok {
			return speakerCalendar(snap, p), true
		}
	}
	return Calendar{}, false
}

func isDay(snap *agenda.Snapshot, d agenda.Date) bool {
	for _, x := range snap.Days() {
		if x == d {
			return true
		}
	}
	return false
}

// Whole returns the calendar of the whole conference.
func Whole(snap *agenda.Snapshot) Calendar {
	conf := snap.Conference()
	return Calendar{Kind: All, Name: conf.Name, Description: conf.Description, Path: AllPath,
		Selection: agenda.Selection{All: true}, Events: snap.Len()}
}

// Picked returns the calendar of an attendee's pick; path is its feed's
// path with its query.
func Picked(snap *agenda.Snapshot, path string) Calendar {
	conf := snap.Conference()
	return Calendar{Kind: Pick, Name: conf.Name + " — My agenda", Description: "My pick of sessions at " + conf.Name, Path: path}
}

func trackCalendar(snap *agenda.Snapshot, t agenda.Track) Calendar {
	conf := snap.Conference()
	return Calendar{Kind: Track, ID: t.ID, Name: conf.Name + " — " + t.Name, Color: snap.TrackColor(t.ID),
		Description: fmt.Sprintf("The %s track at %s", t.Name, conf.Name), Path: TrackPath(t.ID),
		Selection: agenda.Selection{Tracks: []string{t.ID}}, Renamed: snap.TrackChanged(t.ID).Time,
		Events: snap.NumByTrack(t.ID)}
}

func roomCalendar(snap *agenda.Snapshot, r agenda.Room) Calendar {
	conf := snap.Conference()
	return Calendar{Kind: Room, ID: r.ID, Name: conf.Name + " — " + r.Name,
		Description: fmt.Sprintf("Sessions in %s at %s", r.Name, conf.Name), Path: RoomPath(r.ID),
		Selection: agenda.Selection{Rooms: []string{r.ID}}, Renamed: snap.RoomChanged(r.ID).Time,
		Events: snap.NumByRoom(r.ID)}
}

func dayCalendar(snap *agenda.Snapshot, d agenda.Date) Calendar {
	conf := snap.Conference()
	day := DayName(d)
	return Calendar{Kind: Day, ID: d.String(), Name: conf.Name + " — " + day,
		Description: fmt.Sprintf("Sessions on %s at %s", day, conf.Name), Path: DayPath(d),
		Selection: agenda.Selection{Days: []agenda.Date{d}}, Events: snap.NumByDay(d)}
}

func sessionCalendar(snap *agenda.Snapshot, x agenda.Session) Calendar {
	conf := snap.Conference()
	parts := []string{DayName(snap.Day(x)) + ", " + agenda.Clock(x.Start) + "–" + agenda.Clock(x.End)}
	if r, ok := snap.Room(x.Room); ok {
		parts = append(parts, r.Name)
	}
	c := Calendar{Kind: Session, ID: x.ID, Name: conf.Name + " — " + x.Title, Path: SessionPath(x.ID),
		Selection: agenda.Selection{Sessions: []string{x.ID}}, Events: 1}
	if t, ok := snap.Track(x.Track); ok {
		parts = append(parts, t.Name)
		c.Color = snap.TrackColor(t.ID)
	}
	c.Description = strings.Join(parts, " · ")
	return c
}

func speakerCalendar(snap *agenda.Snapshot, p agenda.Speaker) Calendar {
	conf := snap.Conference()
	return Calendar{Kind: Speaker, ID: p.ID, Name: conf.Name + " — " + p.Name,
		Description: fmt.Sprintf("Sessions of %s at %s", p.Name, conf.Name), Path: SpeakerPath(p.ID),
		Selection: agenda.Selection{Speakers: []string{p.ID}}, Renamed: snap.SpeakerChanged(p.ID).Time, Events: snap.NumBySpeaker(p.ID)}
}

// DayName writes a day as calendars name it: "Tuesday, 8 October 2019".
func DayName(d agenda.Date) string { return d.Start(time.UTC).Format("Monday, 2 January 2006") }

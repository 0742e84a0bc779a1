package api

import (
	"fmt"
	"strings"
	"time"

	"confcal/agenda"
)

// Session is a session as the API shows it.
type Session struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Start     string `json:"start"` // RFC 3339 in the conference's time zone
	End       string `json:"end"`
	Room      string `json:"room"`
	RoomName  string `json:"room_name"`
	Track     string `json:"track"`
	TrackName string `json:"track_name"`
	Abstract  string `json:"abstract"`
	// Status is "confirmed" or "cancelled".
	Status string `json:"status"`
	// Sequence is the session's iCalendar SEQUENCE.
	Sequence     int    `json:"sequence"`
	LastModified string `json:"last_modified"` // RFC 3339, UTC
	UID          string `json:"uid"`
	// ETag is the session's current ETag, for If-Match on PATCH.
	ETag string `json:"etag"`
	// Speakers are the session's speakers, in billing order.
	Speakers []Speaker `json:"speakers"`
	Subtitle string    `json:"subtitle,omitempty"`
	Type     string    `json:"type,omitempty"`
	Language string    `json:"language,omitempty"`
	// URL is the session's page at the source, if any.
	URL string `json:"url,omitempty"`
	// Number is the session's stable numeric ID (schedule.xml's event id).
	Number int64 `json:"number"`
}

// Speaker is a speaker as the API shows it.
type Speaker struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SpeakerList is the body of GET /speakers.
type SpeakerList struct {
	Revision int64     `json:"revision"`
	Speakers []Speaker `json:"speakers"`
}

// SessionList is the body of GET /sessions.
type SessionList struct {
	Revision int64     `json:"revision"`
	Sessions []Session `json:"sessions"`
}

// SessionPatch is the body of PATCH /sessions/{id}: the fields to change.
// A start without an end keeps the session's duration.
type SessionPatch struct {
	Title    *string `json:"title,omitempty"`
	Abstract *string `json:"abstract,omitempty"`
	Room     *string `json:"room,omitempty"`
	Track    *string `json:"track,omitempty"`
	Start    *string `json:"start,omitempty"`
	End      *string `json:"end,omitempty"`
	Status   *string `json:"status,omitempty"` // "confirmed" or "cancelled"
	Subtitle *string `json:"subtitle,omitempty"`
	Type     *string `json:"type,omitempty"`
	Language *string `json:"language,omitempty"`
	URL      *string `json:"url,omitempty"`
	// Speakers are speaker IDs (GET /speakers), in billing order.
	Speakers *[]string `json:"speakers,omitempty"`
	// Force allows the new slot to overlap another session in its room.
	Force bool `json:"force,omitempty"`
}

// NewSession is the body of POST /sessions. ID may be left out: it is then
// made from the title, with "-2", "-3"… when the title is taken.
type NewSession struct {
	ID       string   `json:"id,omitempty"`
	Title    string   `json:"title"`
	Start    string   `json:"start"`
	End      string   `json:"end"`
	Room     string   `json:"room"`
	Track    string   `json:"track"`
	Abstract string   `json:"abstract,omitempty"`
	Status   string   `json:"status,omitempty"`
	Subtitle string   `json:"subtitle,omitempty"`
	Type     string   `json:"type,omitempty"`
	Language string   `json:"language,omitempty"`
	URL      string   `json:"url,omitempty"`
	Speakers []string `json:"speakers,omitempty"` // speaker IDs, in billing order
	// Number is the session's numeric ID; 0 (or left out) numbers it
	// after the highest in use. A negative one is refused, and so is one
	// another session has (409).
	Number int64 `json:"number,omitempty"`
	Force  bool  `json:"force,omitempty"`
}

// SessionsOf is the body of GET /sessions for snap: every session,
// cancelled ones too.
func SessionsOf(snap *agenda.Snapshot) SessionList {
	list := SessionList{Revision: snap.Revision(), Sessions: []Session{}}
	for _, x := range snap.Sessions() {
		list.Sessions = append(list.Sessions, FromSession(snap, x))
	}
	return list
}

// SpeakersOf is the body of GET /speakers for snap.
func SpeakersOf(snap *agenda.Snapshot) SpeakerList {
	list := SpeakerList{Revision: snap.Revision(), Speakers: []Speaker{}}
	for _, p := range snap.Speakers() {
		list.Speakers = append(list.Speakers, Speaker{ID: p.ID, Name: p.Name})
	}
	return list
}

// FromSession writes session x of snap as the API shows it.
func FromSession(snap *agenda.Snapshot, x agenda.Session) Session {
	loc := snap.Location()
	out := Session{
		ID: x.ID, Title: x.Title, Start: formatTime(x.Start, loc), End: formatTime(x.End, loc),
		Room: x.Room, Track: x.Track, Abstract: x.Abstract, Status: string(x.Status), Sequence: x.Sequence,
		LastModified: x.LastModified.UTC().Format(time.RFC3339), UID: snap.UID(x.ID),
		ETag: SessionETag(snap, x), Speakers: []Speaker{}, Subtitle: x.Subtitle, Type: x.Type, Language: x.Language,
		URL: x.URL, Number: x.Number,
	}
	for _, id := range x.Speakers {
		if p, ok := snap.Speaker(id); ok {
			out.Speakers = append(out.Speakers, Speaker{ID: p.ID, Name: p.Name})
		}
	}
	if r, ok := snap.Room(x.Room); ok {
		out.RoomName = r.Name
	}
	if t, ok := snap.Track(x.Track); ok {
		out.TrackName = t.Name
	}
	return out
}

func parseStatus(field, v string) (agenda.Status, error) {
	s := agenda.Status(v)
	if !s.Valid() {
		return "", badRequest("%s: %q is not a status; want %q or %q", field, truncate(v, 40), agenda.StatusConfirmed, agenda.StatusCancelled)
	}
	return s, nil
}

// Update turns p into an agenda.SessionUpdate, reading times in loc.
func (p SessionPatch) Update(loc *time.Location) (agenda.SessionUpdate, error) {
	u := agenda.SessionUpdate{Title: p.Title, Abstract: p.Abstract, Room: p.Room, Track: p.Track, Force: p.Force,
		Subtitle: p.Subtitle, Type: p.Type, Language: p.Language, URL: p.URL, Speakers: p.Speakers}
	if p.Start != nil {
		t, err := parseTime("start", *p.Start, loc)
		if err != nil {
			return u, err
		}
		u.Start = &t
	}
	if p.End != nil {
		t, err := parseTime("end", *p.End, loc)
		if err != nil {
			return u, err
		}
		u.End = &t
	}
	if p.Status != nil {
		s, err := parseStatus("status", *p.Status)
		if err != nil {
			return u, err
		}
		u.Status = &s
	}
	if p.Title != nil && strings.TrimSpace(*p.Title) == "" {
		return u, badRequest("title: must not be empty")
	}
	return u, nil
}

// Session turns n into the agenda session it describes: confirmed unless
// n.Status says otherwise, with the ID as given (possibly empty). Malformed
// or missing fields are refused with a 400 naming the field, prefixed with
// where ("" for POST /sessions, "sessions[ID]." in an import). The agenda's
// rules (a known room and track, end after start…) are checked later, when
// the session is added.
func (n NewSession) Session(where string, loc *time.Location) (agenda.Session, error) {
	for _, f := range [...]struct{ name, v string }{{"title", n.Title}, {"start", n.Start}, {"end", n.End}, {"room", n.Room}, {"track", n.Track}} {
		if strings.TrimSpace(f.v) == "" {
			return agenda.Session{}, badRequest("%s%s is required", where, f.name)
		}
	}
	if n.ID != "" && !agenda.ValidID(n.ID) {
		return agenda.Session{}, badRequest("%sid: %q is not a slug (1–100 of a–z, 0–9 and inner hyphens)", where, truncate(n.ID, 40))
	}
	x := agenda.Session{ID: n.ID, Title: n.Title, Room: n.Room, Track: n.Track, Abstract: n.Abstract, Status: agenda.StatusConfirmed,
		Subtitle: n.Subtitle, Type: n.Type, Language: n.Language, URL: n.URL, Speakers: n.Speakers, Number: n.Number}
	var err error
	if x.Start, err = parseTime(where+"start", n.Start, loc); err != nil {
		return x, err
	}
	if x.End, err = parseTime(where+"end", n.End, loc); err != nil {
		return x, err
	}
	if n.Status != "" {
		if x.Status, err = parseStatus(where+"status", n.Status); err != nil {
			return x, err
		}
	}
	return x, nil
}

// FreeID returns base, or base-2, base-3… whichever no session has yet, as
// the seed numbers repeated titles.
func FreeID(e *agenda.Editor, base string) string {
	id := base
	for i := 2; ; i++ {
		if _, taken := e.Session(id); !taken {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
}

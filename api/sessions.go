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
	// Force allows the new slot to overlap another session in its room.
	Force bool `json:"force,omitempty"`
}

// NewSession is the body of POST /sessions. ID may be left out: it is then
// made from the title, with "-2", "-3"… when the title is taken.
type NewSession struct {
	ID       string `json:"id,omitempty"`
	Title    string `json:"title"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Room     string `json:"room"`
	Track    string `json:"track"`
	Abstract string `json:"abstract,omitempty"`
	Status   string `json:"status,omitempty"`
	Force    bool   `json:"force,omitempty"`
}

// FromSession writes session x of snap as the API shows it.
func FromSession(snap *agenda.Snapshot, x agenda.Session) Session {
	loc := snap.Location()
	out := Session{
		ID: x.ID, Title: x.Title, Start: formatTime(x.Start, loc), End: formatTime(x.End, loc),
		Room: x.Room, Track: x.Track, Abstract: x.Abstract, Status: string(x.Status), Sequence: x.Sequence,
		LastModified: x.LastModified.UTC().Format(time.RFC3339), UID: snap.UID(x.ID),
		ETag: SessionETag(snap, x),
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
	u := agenda.SessionUpdate{Title: p.Title, Abstract: p.Abstract, Room: p.Room, Track: p.Track, Force: p.Force}
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
	x := agenda.Session{ID: n.ID, Title: n.Title, Room: n.Room, Track: n.Track, Abstract: n.Abstract, Status: agenda.StatusConfirmed}
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

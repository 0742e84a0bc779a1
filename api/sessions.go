package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"confcal/agenda"

	"github.com/go-chi/chi/v5"
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

func (a *api) session(snap *agenda.Snapshot, x agenda.Session) Session {
	loc := snap.Location()
	out := Session{
		ID: x.ID, Title: x.Title, Start: formatTime(x.Start, loc), End: formatTime(x.End, loc),
		Room: x.Room, Track: x.Track, Abstract: x.Abstract, Status: string(x.Status), Sequence: x.Sequence,
		LastModified: x.LastModified.UTC().Format(time.RFC3339), UID: snap.UID(x.ID),
		ETag: a.tagsFor(snap).sessionETag(x),
	}
	if r, ok := snap.Room(x.Room); ok {
		out.RoomName = r.Name
	}
	if t, ok := snap.Track(x.Track); ok {
		out.TrackName = t.Name
	}
	return out
}

func setRevision(w http.ResponseWriter, snap *agenda.Snapshot) {
	w.Header().Set(RevisionHeader, strconv.FormatInt(snap.Revision(), 10))
}

func (a *api) listSessions(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.current()
	if err != nil {
		return err
	}
	list := SessionList{Revision: snap.Revision(), Sessions: []Session{}}
	for _, x := range snap.Sessions() {
		list.Sessions = append(list.Sessions, a.session(snap, x))
	}
	setRevision(w, snap)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, r, http.StatusOK, list)
	return nil
}

func (a *api) getSession(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.current()
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	x, ok := snap.Session(id)
	if !ok {
		return errorf(http.StatusNotFound, "no session %q", id)
	}
	a.writeSession(w, r, http.StatusOK, snap, x)
	return nil
}

// writeSession answers with session x of snap and its ETag, or 304 when a
// GET's If-None-Match already has it.
func (a *api) writeSession(w http.ResponseWriter, r *http.Request, status int, snap *agenda.Snapshot, x agenda.Session) {
	body := a.session(snap, x)
	setRevision(w, snap)
	w.Header().Set("ETag", body.ETag)
	w.Header().Set("Cache-Control", "no-cache")
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && ifNoneMatch(r, body.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, r, status, body)
}

// writeRequest decodes a write request's JSON body into body and names the
// change's author: the steps every write handler starts with.
func (a *api) writeRequest(w http.ResponseWriter, r *http.Request, body any) (string, error) {
	if err := decode(w, r, body); err != nil {
		return "", err
	}
	return a.author(r)
}

// author names the author of a change for the change log.
func (a *api) author(r *http.Request) (string, error) {
	v := strings.TrimSpace(r.Header.Get(WhoHeader))
	if v == "" {
		return a.who, nil
	}
	if !ValidWho(v) {
		return "", errorf(http.StatusBadRequest, "%s: want up to %d printable characters", WhoHeader, MaxWho)
	}
	return a.who + ":" + v, nil
}

// MaxWho is the most characters a WhoHeader value may have.
const MaxWho = 64

// ValidWho reports whether v can name who makes a change (see WhoHeader):
// up to MaxWho characters of UTF-8 without control characters.
func ValidWho(v string) bool {
	return utf8.ValidString(v) && utf8.RuneCountInString(v) <= MaxWho && strings.IndexFunc(v, unicode.IsControl) < 0
}

func parseStatus(field, v string) (agenda.Status, error) {
	s := agenda.Status(v)
	if !s.Valid() {
		return "", errorf(http.StatusBadRequest, "%s: %q is not a status; want %q or %q", field, truncate(v, 40), agenda.StatusConfirmed, agenda.StatusCancelled)
	}
	return s, nil
}

// update turns p into an agenda.SessionUpdate, reading times in loc.
func (p SessionPatch) update(loc *time.Location) (agenda.SessionUpdate, error) {
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
		return u, errorf(http.StatusBadRequest, "title: must not be empty")
	}
	return u, nil
}

func (a *api) patchSession(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	var p SessionPatch
	author, err := a.writeRequest(w, r, &p)
	if err != nil {
		return err
	}
	snap, err := a.current()
	if err != nil {
		return err
	}
	u, err := p.update(snap.Location())
	if err != nil {
		return err
	}
	next, _, err := a.svc.Change(r.Context(), author, func(e *agenda.Editor) error {
		x, ok := e.Session(id)
		if !ok {
			return errorf(http.StatusNotFound, "no session %q", id)
		}
		// The check runs inside the change, where changes are serialized:
		// of two writers holding the same ETag, only the first gets through.
		if err := checkIfMatch(r, a.tagsFor(e.Base()).sessionETag(x)); err != nil {
			return err
		}
		u := u
		if u.Start != nil && u.End == nil {
			end := u.Start.Add(x.Duration())
			u.End = &end
		}
		return e.UpdateSession(id, u)
	})
	if err != nil {
		return err
	}
	x, _ := next.Session(id)
	a.writeSession(w, r, http.StatusOK, next, x)
	return nil
}

func (a *api) createSession(w http.ResponseWriter, r *http.Request) error {
	var n NewSession
	author, err := a.writeRequest(w, r, &n)
	if err != nil {
		return err
	}
	snap, err := a.current()
	if err != nil {
		return err
	}
	x, err := n.session("", snap.Location())
	if err != nil {
		return err
	}
	if x.ID == "" && agenda.Slug(x.Title) == "" {
		return errorf(http.StatusBadRequest, "id: the title makes no ID (no letters or digits); give one")
	}
	next, _, err := a.svc.Change(r.Context(), author, func(e *agenda.Editor) error {
		x := x
		if x.ID == "" {
			x.ID = freeID(e, agenda.Slug(x.Title))
		}
		n.ID = x.ID
		return e.AddSession(x, n.Force)
	})
	if err != nil {
		return err
	}
	created, _ := next.Session(n.ID)
	w.Header().Set("Location", strings.TrimRight(r.URL.Path, "/")+"/"+created.ID)
	a.writeSession(w, r, http.StatusCreated, next, created)
	return nil
}

// session turns n into the agenda session it describes: confirmed unless
// n.Status says otherwise, with the ID as given (possibly empty). Malformed
// or missing fields are refused with a 400 naming the field, prefixed with
// where ("" for POST /sessions, "sessions[ID]." in an import). The agenda's
// rules (a known room and track, end after start…) are checked later, when
// the session is added.
func (n NewSession) session(where string, loc *time.Location) (agenda.Session, error) {
	for _, f := range [...]struct{ name, v string }{{"title", n.Title}, {"start", n.Start}, {"end", n.End}, {"room", n.Room}, {"track", n.Track}} {
		if strings.TrimSpace(f.v) == "" {
			return agenda.Session{}, errorf(http.StatusBadRequest, "%s%s is required", where, f.name)
		}
	}
	if n.ID != "" && !agenda.ValidID(n.ID) {
		return agenda.Session{}, errorf(http.StatusBadRequest, "%sid: %q is not a slug (1–100 of a–z, 0–9 and inner hyphens)", where, truncate(n.ID, 40))
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

// truncate shortens s to at most n bytes (and whole runes) for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// freeID returns base, or base-2, base-3… whichever no session has yet, as
// the seed numbers repeated titles.
func freeID(e *agenda.Editor, base string) string {
	id := base
	for i := 2; ; i++ {
		if _, taken := e.Session(id); !taken {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, i)
	}
}

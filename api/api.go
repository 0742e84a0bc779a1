// Package api is the language of confcal's admin API: the JSON documents
// its routes read and write (the routes themselves are package web's), the
// rules that turn them into changes of the agenda, and Client, which speaks
// it to a server for the command line.
//
// Reads are public:
//
//	GET   /sessions            every session
//	GET   /sessions/{id}       one session, with a strong ETag
//	GET   /rooms               the rooms
//	GET   /tracks              the tracks
//	GET   /changes?since=REV   the change log after revision REV, raw and in words
//
// Each read answers HEAD as well.
//
// Writes need "Authorization: Bearer <token>":
//
//	PATCH /sessions/{id}       change room, start, end, title, abstract, track, status
//	POST  /sessions            add a session
//	POST  /rooms               add a room
//	PATCH /rooms/{id}          rename a room
//	POST  /import              apply an edited agenda as one revision (or dry-run it)
//
// Paths are relative to where the handler is mounted (confcal mounts it at
// /api). Every change goes through agenda.Service, so when a write returns,
// every feed and calendar already shows it.
//
// Status codes: 400 for malformed JSON, unknown fields and malformed values
// (a bad ID, time or status, a time with seconds, a missing field); 401 for
// a missing or wrong token; 403 when no token is configured; 404 for an
// unknown session or room; 405, with Allow, for a method a path does not
// serve; 409 when a new slot overlaps another session in its room (unless
// "force": true), a new session or room takes an ID already in use, or the
// agenda follows a source (see RefuseFollowed); 412 when If-Match names an ETag
// that is no longer current; 413 for bodies over 1 MiB (16 MiB for a whole
// schedule: POST /import, POST /conferences; web.MaxBody and
// web.MaxSchedule); 415 for a body that is not JSON; 422 for a change the
// agenda's rules refuse (end not after start, a time outside the conference
// days, an unknown room or track, text over its limit — a title of more than
// agenda.MaxTitleLength characters, a room or track name of more than
// agenda.MaxNameLength, an abstract of more than agenda.MaxAbstractLength —
// or holding control characters, a line break anywhere but in an abstract),
// with a message naming the field; 503 while the store is busy or cannot be
// reached.
//
// Times are read as "2019-10-08T14:00" in the conference's time zone, or as
// RFC 3339 with an offset; they are written as RFC 3339 in the conference's
// time zone. Sessions are minute-grained: seconds, when written, must be
// zero (see ParseTime).
package api

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"confcal/agenda"
)

// RevisionHeader names the response header that carries the agenda revision
// a response was made from.
const RevisionHeader = "Confcal-Revision"

// WhoHeader names the optional request header that says who makes a change
// (e.g. "alice"); it is recorded in the change log as "api:alice".
const WhoHeader = "Confcal-Who"

// MaxWho is the most characters a WhoHeader value may have.
const MaxWho = 64

// ValidWho reports whether v can name who makes a change (see WhoHeader):
// up to MaxWho characters of UTF-8 without control characters.
func ValidWho(v string) bool {
	return utf8.ValidString(v) && utf8.RuneCountInString(v) <= MaxWho && strings.IndexFunc(v, unicode.IsControl) < 0
}

// Error is a document the API refuses: malformed JSON, a missing or
// malformed field. Its message names the field; Status is the HTTP status
// it answers with.
type Error struct {
	status int
	msg    string
}

// Error returns the short text the answer carries.
func (e *Error) Error() string { return e.msg }

// Status returns the HTTP status the error answers with.
func (e *Error) Status() int { return e.status }

func badRequest(format string, args ...any) error {
	return &Error{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// SessionETag returns the strong ETag of session x of snap: it changes
// exactly when the session does (an abstract edit too, which leaves the
// SEQUENCE alone) and stays the same, across revisions and restarts, while
// nothing changes it.
func SessionETag(snap *agenda.Snapshot, x agenda.Session) string {
	return fmt.Sprintf(`"s%d.%d"`, snap.SessionChanged(x.ID).Revision, x.Sequence)
}

// RoomETag returns the strong ETag of room id of snap.
func RoomETag(snap *agenda.Snapshot, id string) string {
	return fmt.Sprintf(`"r%d"`, snap.RoomChanged(id).Revision)
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

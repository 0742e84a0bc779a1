// Package agenda is the conference model at the heart of confcal: the
// conference, its tracks, rooms and sessions, and the immutable Snapshot that
// every feed and calendar is rendered from.
//
// A Snapshot is one revision of the agenda. It never changes once built:
// a change to the agenda (see Edit) yields a new Snapshot with the next
// revision number and a Change record for every field that moved. The
// Snapshot keeps that change log, so a consumer can ask what a session
// looked like at an earlier revision (SessionAt, SessionsAt), which sessions
// changed since one (ChangedSince) — that is what CalDAV sync-collection
// needs — and when a selection of sessions last changed, sessions that
// left it included (SelectionChanged), which feeds and calendars date
// themselves by. The
// log is replayed once per snapshot, on first use, and shared by all of
// these, so each costs at most one walk over the log.
//
// The package uses the standard library only: it knows nothing of HTTP,
// XML or iCalendar.
package agenda

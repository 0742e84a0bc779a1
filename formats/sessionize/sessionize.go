// Package sessionize reads the "All" view of the Sessionize API v2
// (https://sessionize.com/api/v2/{id}/view/All, documented at
// https://sessionize.com/playbook/api): one JSON object of flat arrays —
// sessions, speakers, questions, categories (each with its items) and
// rooms — that refer to each other by ID. Only import is offered:
// organizers publish from Sessionize, not into it.
//
// Parse is lenient: a broken session is repaired or skipped and reported
// with its position ("all.json: session 176242"); only a document that is
// not JSON, is not the All view, comes without formats.Options.TimeZone or
// has no usable session fails. How each quirk is read:
//
//   - The file may start with a UTF-8 byte-order mark (Sessionize writes
//     one); it is skipped. A file saved again by Windows tools is read
//     too: UTF-16 is converted, and lines that are not UTF-8 are read as
//     Windows-1252 and reported (schedule.Places.DecodeJSON), as in every
//     JSON format.
//   - startsAt and endsAt are the venue's wall-clock times without an
//     offset ("2020-03-28T09:55:00"), so the zone must come from
//     formats.Options.TimeZone (formats.Zone fails with a clear message
//     without it; it is never guessed). A time that does carry an offset
//     is read as that instant. Seconds are dropped. A time the clocks skip
//     (the hour lost to DST) or show twice (when they go back) is read as
//     RFC 5545 reads it (agenda.LocalTime: with the offset before the
//     skip, the first of the two) and reported with the instant it is
//     read as.
//     A session without startsAt or endsAt is not on the schedule and is
//     skipped.
//   - A session's ID is formats.KeyID of its "id": a numeric string for
//     talks ("176242", also its Session.Number), a UUID for service
//     sessions (breaks, keynotes without speakers; Number 0, numbered by
//     the snapshot). A repeated id keeps the first session.
//   - Tracks exist only as categories. The track category is the session
//     category titled "Track" (or "Tracks"); without one, "Topic",
//     "Category", "Theme" or "Stream" (singular or plural, any case), in
//     that order of preference. A session's track is its item of that
//     category (the first in the category's order when it has several,
//     reported); a session with none is in formats.DefaultTrack. Tracks
//     are listed in the category's item order, those no session uses left
//     out. Sessionize has no colours.
//   - Session.Type is the session's item of the category titled "Session
//     format", "Format", "Session type" or "Type" ("Lightning talk",
//     "Session"). Other categories (such as "Level") have no place in the
//     model and are not read; neither are questions and answers.
//   - Rooms keep the rooms array's order ("sort" when given); a room's ID
//     is the slug of its name (Sessionize's numeric room ids mean nothing
//     to attendees). A session whose roomId names no room is skipped.
//   - Speakers are the speakers array's entries that a kept session names,
//     in the array's order: the ID from their UUID via formats.KeyID, the
//     name from fullName (else firstName and lastName). A session's
//     speaker the array does not hold is dropped and reported.
//   - Descriptions are plain text (Sessionize does not take HTML: a "<T>"
//     in a description is text): CR LF line ends become LF, blanks and
//     control characters are tidied. Text over the model's limits is cut
//     with formats.Fit and reported.
//   - An optional "status" of "Cancelled"/"Canceled" keeps the session as
//     cancelled; "Declined" or "Rejected" skips it; "Accepted",
//     "Confirmed" or none is confirmed; any other is kept as confirmed
//     and reported.
//   - The All view names no conference: it is named after the document's
//     file name without its extension ("occ-2020.json": "occ-2020"), or
//     "Sessionize agenda" when that is just the view's own name (the URL's
//     ".../view/All", a download's "all.json"); reported, so that the
//     organizer can name it. Its UID domain formats.Options.UIDDomain, else
//     the name's slug under ".invalid" ("sessionize-agenda.invalid"), as
//     in the other formats, so an export to schedule.xml or schedule.json
//     reads back with the same UIDs (Sessionize's session ids are unique
//     across Sessionize, so UIDs stay unique; reported). Its days are those of
//     the sessions, as calendar days (DayChange 0), at most 60.
package sessionize

import (
	"confcal/formats/internal/schedule"
)

// Sniff reports whether data looks like the Sessionize All view: a JSON
// object (after an optional byte-order mark) with the members "sessions"
// and "startsAt" near its start. It reads at most the first 64 KiB.
func Sniff(data []byte) bool {
	return schedule.SniffJSON(data, "sessions", "startsAt")
}

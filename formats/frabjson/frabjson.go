// Package frabjson reads and writes the frab-compatible schedule.json that
// frab, pretalx and the C3VOC tools publish: one "schedule" object with a
// "version", a "base_url" and a "conference" (acronym, title, start, end,
// daysCount, timeslot_duration, time_zone_name, rooms, tracks with colours)
// whose "days" hold, per room name, the day's events (guid, id, date with
// an offset, "HH:MM" start and duration, room, slug, url, title, subtitle,
// track, type, language, abstract, description, persons). The format is
// defined by its JSON Schema (draft-06), validator/json/schema.json in
// https://github.com/voc/schedule; pretalx serves it as
// /{event}/schedule/export/schedule.json.
//
// # Import
//
// Parse is lenient: real files break the schema in places, so a broken
// event is repaired or skipped and reported with its position
// ("schedule.json: day 2, room Foo, event 3 (guid …)"); only a document
// that is not JSON, has no schedule.conference, names no usable time zone
// or has no usable event fails. How each quirk is read:
//
//   - An event's instant comes from its own "date" and the offset written
//     there, never from time_zone_name: pretalx says "UTC" while it writes
//     every date with +01:00. Dates whose offset disagrees with the named
//     zone are counted and reported once; the conference keeps the zone the
//     document names (the zone is never guessed from offsets), and a
//     document that names none needs formats.Options.TimeZone. A date
//     without an offset is read in the zone; an event without a usable
//     date is placed at its day's date and "start" (on the next calendar
//     day when the start is before the day change). Seconds are dropped.
//   - The end is the event's "end" when it has one, else date + "duration"
//     ("HH:MM", hours may exceed 24, "HH:MM:SS" is read too).
//   - The day-change time (Conference.DayChange) comes from the days'
//     boundaries as written (the clock digits, whatever their offset:
//     pretalx writes 04:00+01:00 in a "UTC" document, the CCC hub writes
//     its first day in +00:00). A day that ends after midnight ends when
//     the next begins, so the latest such day_end before noon is the day
//     change (pretalx's inclusive "03:59" read as 04:00 when days start
//     then). Days that end before midnight are calendar days; a document
//     without day ends takes the earliest day_start before noon (frab's
//     day_start is the first slot, not the change, so it comes last). An
//     event listed under a day other than the conference day its time
//     falls on is kept at its time and reported.
//   - A session's ID is formats.KeyID of its guid, but the guid Export
//     makes for a session whose ID is its number (the UUID of its
//     calendar UID, under the UID domain found as below) gives that
//     number (any ID of the stored agenda when the import knows them,
//     formats.Options.Known; so do speakers' GUIDs), as in package
//     frabxml; an event without a guid is identified by its numeric id
//     and reported, one with neither is skipped (titles, slugs and
//     positions change, so they are no key). A repeated guid keeps the
//     first event. Session.Number is the numeric "id" (a number or a
//     string of digits); a repeated number is kept on the first event
//     only.
//   - Rooms keep the order of conference.rooms, then the order in which
//     days name them; a room's ID is its "slug" when that is a valid ID,
//     else the slug of its name (pretalx gives every room the same guid, so
//     guids are no key for rooms). Events are placed in the room whose
//     name lists them, even when their own "room" says otherwise (reported).
//   - Tracks keep the order of conference.tracks, then the order of first
//     use; their IDs are found like rooms'. Colours become #RRGGBB ("#abc"
//     is widened, a colour without "#" gets one, others are dropped and
//     reported). An event without a track is in formats.DefaultTrack.
//   - Speakers come from "persons": the ID from the person's "code"
//     (pretalx), else "guid", else "id" (frab), else the slug of the name;
//     the name from "name", else "public_name". A key seen again under
//     another name keeps the first name.
//   - abstract and description are joined into the Abstract (a blank line
//     between them). Text that looks like HTML (closing tags, <br>, <p>)
//     becomes plain text with formats.PlainText; other text is kept as
//     written, its blanks tidied. Titles and names lose control
//     characters and line breaks; text over the model's limits is cut
//     with formats.Fit and reported.
//   - Language is kept when it is a BCP 47 tag ("en", "de-CH"; "en_US" is
//     read as "en-US"), url when it is an http(s) URL (relative ones are
//     resolved against base_url).
//   - The conference's URL is conference.url, else base_url; the UID
//     domain is that URL's host (when it is a domain name: a pretalx
//     instance on "localhost" or an IP address is none, as in package
//     frabxml), else
//     formats.Options.UIDDomain, else the conference title's slug under
//     ".invalid" (reported). Its days are conference.start to .end, else
//     the days' dates, widened to hold every event as long as the
//     conference stays within 60 days.
//
// # Export
//
// Export is strict and deterministic: the same snapshot always gives the
// same bytes, valid against the schema. Cancelled sessions are left out
// (the format has no status: consumers see a cancellation as absence).
// Every conference day is written with day_start at the day change and
// day_end at the next day's start (as the CCC hub does), both with the
// offset in force at that instant; each event's date carries the
// offset of its own instant, so days across a DST change stay right (an
// instant whose offset has seconds, local mean time in old zone data, is
// written in UTC, which Parse reads back without complaint).
// Events are listed per day under their rooms in the agenda's room order;
// conference.rooms and conference.tracks (with colours) keep the agenda's
// order. An event's numeric id is the session's Number, its guid the
// session's ID when that is a GUID, else the name-based UUID (version 5,
// URL namespace) of its calendar UID, so it never changes. A person's key
// is written so that Parse gives back the same speaker ID where it can
// (the GUID, the numeric id, pretalx's code, or no key for an ID that is
// the name's slug); other speakers get a name-based GUID.
//
// The model has no acronym: it is made from the conference's name. The
// schedule's base_url is the conference's URL (Parse reads it as such);
// ExportOptions.BaseURL only makes the pages of sessions without one.
//
// Normalization on a round trip (Parse, Export, Parse): abstract and
// description come back joined in "abstract"; an event whose guid was no
// lower-case UUID ("E5", or none) comes back under its generated guid
// (but one whose ID is its number, as Pentabarf's, under that number); a
// speaker whose ID no person key gives back comes back under a generated
// guid; a time_zone_name outside the schema's pattern (e.g. "Etc/GMT-3")
// is left out, so reading the export back needs formats.Options.TimeZone.
package frabjson

import (
	"confcal/formats/internal/schedule"
)

// Sniff reports whether data looks like a frab schedule.json: a JSON
// object (after an optional byte-order mark) with the members "schedule"
// and "conference" near its start. It reads at most the first 64 KiB.
func Sniff(data []byte) bool {
	return schedule.SniffJSON(data, "schedule", "conference")
}

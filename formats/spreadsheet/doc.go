// Package spreadsheet imports and exports a conference schedule as a CSV
// file with a header row (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180),
// the format organizers keep a programme in: a spreadsheet saved as CSV
// from Excel, LibreOffice or Google Sheets.
//
// Columns. The header row is the first of the first ten rows that names a
// title and a start column (hand-made sheets put the event's name above
// it; the lines above are reported and not read). Parse finds its columns
// by the header row's names, compared in lower case with blanks, "_", "-"
// and "." left out; other columns are ignored; the column order is free.
// Each field also answers to a few aliases; a field's own name wins over
// an alias, the first column over later ones (the others are reported):
//
//	title     (summary, name, session, talk, session title, talk title)  required
//	start     (starts, begin, from, start time, time)                   required
//	end       (ends, until, to, end time, finish)
//	duration  (length, minutes, duration minutes)  when there is no end
//	date      (day, start date)  the day of start and end times given without one
//	room      (location, venue, stage, hall)
//	track     (category, categories, topic)
//	speakers  (speaker, presenter, presenters, speaker name, speaker names)
//	abstract  (description, details)
//	id        (uid, guid, key, code, session id)
//	url       (link, website, web)
//
// Values. start and end hold a date and a time of day: "2019-10-08 14:00",
// "2019-10-08T14:00", "2019/10/08 9:00" or "08.10.2019 14:00" (day first
// with dots, as German-language spreadsheets write it; 10/08/2019 is not
// read, it is a different day in the US and in Europe; years 1900 to
// 9999), seconds allowed and cut to the minute. A time without an offset is local time in
// opts.TimeZone, which Parse requires (a spreadsheet names no zone,
// formats.Zone), read as RFC 5545 reads one (agenda.LocalTime): a time
// the clocks show twice (when they go back) is the first, one they skip
// (when they go forward) is read with the offset before the skip, and
// either is reported; a time with an offset ("+02:00", "+0200", "Z") is
// that instant.
// A time of day alone ("14:00") is on the date column's day, and an end
// without a date on the start's day, or on the next day when it is not
// after the start and the session then lasts at most 12 hours (23:30
// to 00:30 runs past midnight; 14:00 to 13:00 is refused as a typo);
// "24:00" ends the day. A start cell
// holding a range ("14:00–14:40") gives start and end when there is no
// end or duration. duration is minutes ("45"), "1:30", "1h 30min",
// "90 min" or "PT1H30M". speakers are names separated by ";" or line
// breaks; a speaker's ID is the name's slug. room and track are names,
// their IDs their slugs; a row without a room is in "To be announced", one
// without a track in formats.DefaultTrack. abstract is plain text, line
// breaks kept; url must be an http(s) address.
//
// Identity. With an id column, a session's ID is formats.KeyID of its id
// (an id written as a number, "17", is also its Number), and a row
// without an id is skipped and reported: it could not be followed from
// one import to the next. A file without an id column (reported once)
// identifies each session by its start and room (its ID is formats.KeyID
// of the start in UTC and the room's ID): a spreadsheet has no better
// key, a title changes when a typo is fixed and a row number whenever a
// row is added above it, while start and room stay put as long as the
// session does. A moved session then reads as a cancelled session and a
// new one. An id seen before skips the row (the first is kept).
//
// Reading. A UTF-8 byte-order mark is dropped and UTF-16 converted; a line
// that is not UTF-8 is read as Windows-1252 (Excel's plain "CSV" on
// Western Windows; reported). The delimiter is sniffed from the header
// line: ",", ";" (European exports, whose decimal comma takes ",") or a
// tab, whichever occurs most outside quotes. Quoted fields may hold
// delimiters, quotes and line breaks; CR LF, LF and the bare CR of old Mac
// exports end lines. A stray quote inside a field is read as a quote; a
// quoted field that never ends skips its row, and reading goes on at the
// row's next line. Rows of blank cells are passed over. Every other row
// that cannot be read is skipped and reported with its position,
// "NAME:LINE" (the row's first line, from encoding/csv's FieldPos).
//
// The conference is named after the file ("program.csv": "program"); its
// UID domain is opts.UIDDomain, else the name's slug under ".invalid".
// Its days run from the first session's day to the last one's, midnight
// to midnight; when the rows span more than 60 days (a year typed wrong)
// only the 60 days holding the most sessions are kept. Rooms are in the
// order of their first session, tracks and speakers in agenda order.
//
// Export writes the header Header and one row per session (see Export):
// Parse(Export(Parse(x))) gives the same contents as Parse(x), and a
// second export the same bytes. What a round trip normalizes: blanks
// around and inside one-line values collapse, names written several ways
// keep one spelling, and, with ExportOptions.BaseURL set, sessions
// without a source URL come back with their confcal page as URL.
package spreadsheet

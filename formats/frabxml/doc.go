// Package frabxml imports and exports frab's schedule.xml, the schedule
// format that frab, pretalx, Indico and the CCC hub write and that apps
// such as Giggity and EventFahrplan read, including its legacy Pentabarf
// dialect (FOSDEM). The format is described at https://c3voc.de/wiki/schedule
// and by the official schema, voc/schedule's validator/xsd/schedule.xml.xsd
// (https://github.com/voc/schedule).
//
// # Import
//
// Parse is lenient: real files do not validate against the schema, so
// a broken event is repaired or skipped and reported (formats.Problem,
// positioned by line). What it reads:
//
//   - The conference: <title> (else <acronym>, else the document's file
//     name without its extension) as the name, <subtitle> as
//     the description, the zone from formats.Zone (the option's when
//     given, reported if <time_zone_name> says otherwise; Pentabarf names
//     none, so it needs the option), <url> (else <base_url>) as the URL,
//     whose host is the UID domain when it is a domain name (not
//     localhost or an IP address, as in package frabjson; else the
//     option's, else a name under .invalid made from the title, reported).
//   - Days: the day change is the earliest time of day at which a <day>
//     starts (day/@start, before noon, on the day's date), else
//     Pentabarf's <day_change>, else midnight; if the events' own dates
//     contradict it, a day change that keeps every event on the day it is
//     listed under is chosen and reported. The conference runs from the
//     first listed day to the last day a session runs on.
//   - Rooms in document order (<room name>, empty rooms too), IDs the
//     names' slugs (a room's guid Export made gives the stored room's ID
//     back, formats.Options.Known, so a renamed room stays itself). An
//     event is in the room it is listed under; its own <room> is read
//     only when it is listed under none, and reported when it names
//     another.
//     Tracks: those declared in <conference> first (their slug attribute
//     as ID when it is one, colours as #RRGGBB), then those events name,
//     matched by name or slug; an event with no track gets
//     formats.DefaultTrack.
//   - Events: the ID is formats.KeyID of @guid (a UUID in lower case:
//     UUIDs are case-insensitive), else of @id (Pentabarf); a numeric @id
//     is the session's Number. A guid that Export made for a session whose
//     ID is no UUID gives that ID back (see Export): for a numeric ID
//     always, for any other when the import knows the stored agenda's IDs
//     (formats.Options.Known), as it does for rooms' and speakers' guids.
//     A repeated key skips the later event; a repeated number numbers it
//     anew; both reported.
//   - Times: <date> with an offset is the instant, whatever the day's
//     offsets say (the CCC hub writes day starts in +00:00 and event dates
//     in +01:00); a <date> without offset is a wall time in the
//     conference's zone; without a readable <date> (Pentabarf), the day's
//     date and <start> in the conference's zone, on the next calendar day
//     when <start> is before the day change. <duration> is [H]H:MM[:SS].
//     Seconds are dropped (the agenda keeps minutes), with a report; an
//     event with no readable time, no room, a duration of zero or one
//     longer than agenda.MaxSessionLength (99:59) is skipped, with a
//     report.
//   - Text: title, subtitle, type and names as one line each; <abstract>
//     and <description> (HTML escaped or not, Markdown left as it is)
//     through formats.PlainText, joined as the abstract first, then the
//     description, with an empty line between, and only the longer one
//     when one contains the other (writers often repeat the abstract in
//     the description). Text over the agenda's limits is cut with
//     formats.Fit and reported. <language> keeps the first tag of a list
//     ("de, en" is "de"; reported). <url> resolves against base_url; one
//     that is not http(s) is left out and reported.
//   - Persons: the speaker's ID is formats.KeyID of <person id>, else of
//     its guid (the schema's keys), else of a pretalx code attribute
//     (outside the schema), else the slug of the name.
//   - Everything else (<code> as element or attribute, links, attachments
//     with child elements, recording, logo, unknown elements) is ignored.
//     Byte-order marks, UTF-16, ISO-8859-1, invalid UTF-8, control
//     characters XML forbids (raw or as references such as "&#11;"),
//     a "<" that starts no tag, HTML entities and mismatched end tags are
//     read past (all reported). XML that still breaks, or a document cut
//     off, is refused whole with the line where it breaks: its part
//     before the break would drop, and so cancel on import, every
//     session after it.
//
// # Export
//
// Export is strict: its output validates against the official schema,
// and the same snapshot gives the same bytes. Every <day> runs from the
// day change to the next, with the offsets of those instants (an instant
// whose offset has seconds, local mean time in old zone data, is written
// in UTC: the schema's dateTime has no seconds of offset); every room
// is listed in every day in agenda order; cancelled sessions are left
// out. A session stored longer than agenda.MaxSessionLength (before the
// agenda had that limit) is written lasting that long, the most the
// schema's two digits of hours carry (see Shortened). An event's @id is
// the session's Number, its guid the session's ID
// when that is a UUID (it came from a guid), else the version 5 UUID of
// its calendar UID ("id@uid-domain") in RFC 9562's URL name space:
// stable for the session's life, different between conferences, and the
// one package frabjson writes (rooms and speakers get theirs the same way
// from "room:" and "speaker:" + ID + "@" + UID domain). A speaker is
// written with its ID as <person id> when it is a number, as guid when it
// is a UUID, with no key when it is the slug of the name, and else with
// its name-based guid.
// Import recognises such a guid by its numeric @id, so a Pentabarf
// import exported and imported again keeps its IDs; a session whose ID is
// neither a UUID nor its number (one from another format) comes back
// under its guid.
//
// What an export does not carry, so a round trip loses it: the
// conference's description (the schema's <conference> has no subtitle),
// speakers without sessions, the ID of a speaker written with a
// name-based guid (it comes back as that guid), and a track ID that
// starts with a digit when it is not the slug of the name. A session without a
// source URL links to ExportOptions.BaseURL + "/sessions/" + ID, which a
// re-import keeps as its URL. An abstract is written as plain text, but
// for one that an import would read as HTML (a literal "<b>" or "&amp;"
// in the text): that one is HTML-escaped, as Pentabarf writes them, so
// that it reads back as the same text.
package frabxml

// Package ics imports a conference agenda from an iCalendar file (RFC 5545,
// https://www.rfc-editor.org/rfc/rfc5545; calendar names and URL from
// RFC 7986) as any tool writes one: a pretalx or Sessionize export, a
// shared Google, Outlook or Nextcloud calendar, confcal's own feeds. There
// is no export: confcal's feeds (package ical) are the export.
//
// What it reads. Every VEVENT is a session: SUMMARY is its title,
// DESCRIPTION its abstract (HTML in it made plain text; an HTML
// X-ALT-DESC read when there is no DESCRIPTION), LOCATION names its room
// (room ID: the name's slug) and the first of its CATEGORIES its track
// (formats.DefaultTrack when there is none; an event without LOCATION is
// in the room "To be announced"), URL is its page, and SUMMARY's LANGUAGE
// parameter its language. Its ID comes from its UID by formats.KeyID; a
// UID "ID@domain" whose ID is already a session ID gives that ID when
// every UID of the calendar has that domain (a DNS name of two labels or
// more, not an IP address) or when it is the conference's UID domain, so
// confcal's own feeds import back with their session IDs, and two UIDs
// never share an ID. DTSTART and DTEND (or DURATION) are read with their TZID,
// in UTC or, floating, in the conference's zone; times are cut to the
// minute. ORGANIZER and ATTENDEE are not speakers (they are the people who
// own or were invited to the calendar entry), so sessions have none. The
// calendar's X-WR-CALNAME or NAME names the conference (else the file),
// X-WR-CALDESC or DESCRIPTION describes it and its URL gives its web site
// and UID domain (else opts.UIDDomain, else the domain all UIDs share,
// else the name's slug under ".invalid"): confcal's feeds carry no URL,
// and with the shared domain a re-export has the UIDs the calendar had,
// so calendar apps subscribed to it see the same events, not new
// copies. The conference's zone is X-WR-TIMEZONE, else the zone most
// DTSTARTs name by TZID, else the first VTIMEZONE's TZID, else
// opts.TimeZone (formats.Zone: a calendar of UTC times only needs it).
// Its days run from the first session's day to the last one's, midnight
// to midnight (a calendar says nothing of conference days); rooms are in
// the order of their first session, tracks in the order of the agenda.
//
// Decisions where a calendar is not a conference agenda, each reported:
//
//   - STATUS:CANCELLED events are left out (formats infer cancellation
//     from absence), and so are all-day events (a session has times),
//     events that end before they start and events outside the years 1900
//     to 9999 (a typing error, or a year that has no four digits).
//   - A recurring event (RRULE, RDATE) is imported as its first instance
//     (its DTSTART): a conference session does not repeat, and expanding
//     rules would make up sessions from what is usually a "Lunch" or
//     "Coffee" series. An instance changed by a RECURRENCE-ID event takes
//     the place of the first instance when it changes that one and is
//     skipped otherwise; one whose recurring event is not in the file is
//     an event of its own; a first instance excluded by EXDATE skips the
//     event.
//   - An event without UID (RFC 5545 requires one; hand-written files and
//     some tools leave it out) is identified by its start and room: the
//     only key left that is not a title or a position. A moved event then
//     reads as a cancelled one and a new one.
//   - A UID seen before skips the event (the first is kept).
//   - A calendar may hold stray events of other years: only the 60 days
//     holding the most events are kept (a conference lasts at most 60).
//
// Repairs of what breaks go-ical (github.com/emersion/go-ical, which
// decodes every component) on real feeds, each made before go-ical reads
// the bytes:
//
//   - line ends: CR LF, bare LF and bare CR all end a line;
//   - folding: folded lines are joined as bytes before they are decoded,
//     so a fold that splits a UTF-8 sequence reads as the character;
//   - encodings: a UTF-8 byte-order mark is dropped, UTF-16 converted, and
//     a line that is not UTF-8 read as Windows-1252 (reported);
//   - lines that are not content lines (no name and colon, a broken
//     parameter, on which go-ical fails or panics): joined as a new line
//     to a SUMMARY, DESCRIPTION, LOCATION or COMMENT right before them (an
//     unescaped line break), else dropped; each reported;
//   - structure: a VEVENT without END:VEVENT ends where the next one or
//     its calendar begins or ends, but a file that ends before its
//     END:VCALENDAR is refused whole as cut short (read up to the cut, a
//     followed calendar would lose every event after it); a stray END is
//     dropped; components
//     inside a VEVENT (VALARM) are left out; METHOD inside a VEVENT (which
//     some exporters copy there) is ignored; each event is decoded on its
//     own, so one go-ical cannot read costs only itself;
//   - text: a backslash that starts no RFC 5545 escape is a backslash
//     ("C:\Users"), and an unescaped comma in a one-text property
//     (SUMMARY, DESCRIPTION, LOCATION) is a comma, not a list separator;
//   - times: values in extended ISO 8601 ("2019-10-08T14:00:00") and
//     without seconds are read; a local time (TZID or floating) the clocks
//     show twice is the first of the two, one they skip is read with the
//     offset before the skip (RFC 5545 §3.3.5; go-ical's DateTime leaves
//     both to time.Date), and either is reported; DURATION's days and
//     weeks are calendar days (P1D is 23 or 25 hours across a change of
//     the clocks, §3.3.6), its hours, minutes and seconds exact;
//   - time zones: a TZID is taken for the zone it names, with or without
//     a VTIMEZONE, whose rules are not read: an IANA name, an IANA name at
//     the end of a Mozilla or Evolution TZID
//     ("/mozilla.org/20050126_1/Europe/Berlin"), the X-LIC-LOCATION of its
//     VTIMEZONE, or the Windows name of a common zone ("W. Europe Standard
//     Time": Outlook, Exchange; the table is in windowsZone). An event in
//     any other TZID is skipped and reported: zones are never guessed
//     from offsets.
//
// Positions in problems are "NAME:LINE", LINE being the line of the
// event's BEGIN:VEVENT (or of the line concerned).
package ics

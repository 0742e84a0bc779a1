// Package ical renders agenda snapshots as iCalendar (RFC 5545) bytes: the
// published .ics feeds and the per-session CalDAV objects.
//
// Render turns one agenda.Snapshot into an Rendered. It renders the VEVENT of
// every session exactly once, folds it and keeps the bytes; Feed and Object
// only concatenate pre-rendered bytes, so serving never re-renders. Given the
// previous Rendered, Render reuses the VEVENT bytes of every session whose
// rendered inputs (the session itself, its room and track names, the options
// and the conference) did not change, so an edit re-renders only what it
// touched. The same revision always renders to the same bytes: nothing
// depends on the clock or on map order.
//
// Properties and escaping come from github.com/emersion/go-ical. On top of
// it this package adds what go-ical leaves out:
//
//   - line folding at 75 octets that never splits a UTF-8 character
//     (go-ical writes each content line whole);
//   - a VTIMEZONE for the conference zone built from Go's time zone database
//     (time/tzdata is embedded), covering a year before the conference to a
//     year after it: each kind of offset change that recurs yearly in that
//     range is one STANDARD or DAYLIGHT observance with a yearly RRULE
//     (e.g. FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU for Europe/Berlin), the form
//     Outlook and Google expect; changes that fit no yearly rule or whose
//     rule changed within the range are dated observances of their own, and
//     a zone without changes has a single STANDARD;
//   - text clean-up before escaping: CR LF and lone CR become LF (written as
//     \n), other control characters except tab are dropped and invalid UTF-8
//     becomes U+FFFD, since RFC 5545 TEXT admits none of them.
//
// No calendar has a METHOD. A feed for subscription is an RFC 5545
// calendar, not an iTIP message: METHOD:PUBLISH requires an ORGANIZER in
// every VEVENT (RFC 5546 §3.2.1), which libical's restriction check
// (Evolution, GNOME Calendar) and ical4j's strict validation enforce, and an
// ORGANIZER makes Apple Calendar, Outlook and Thunderbird show each session
// as a meeting invitation. Without METHOD, DTSTAMP means when the event was
// last revised in the calendar store (RFC 5545 §3.8.7.2), which is what it
// holds here.
//
// Every VEVENT carries UID, DTSTAMP (the session's LastModified, never the
// time of the request), DTSTART and DTEND with TZID set to the conference
// zone (in UTC instead in the hour the clocks repeat when they go back,
// where a local time names two instants),
// SUMMARY ("Cancelled: " + title for cancelled sessions), LOCATION (the
// room name), CATEGORIES (the track name), SEQUENCE, LAST-MODIFIED, STATUS
// and URL. DESCRIPTION holds the subtitle, the abstract and the speakers, in
// paragraphs, and is left out when the session has none of them.
//
// No VEVENT carries a VALARM, except in a calendar that asks for reminders
// (Calendar.WithAlarm, for an attendee's own pick): there each event but a
// cancelled one ends with a VALARM (ACTION:DISPLAY, a DESCRIPTION naming
// the session and its room, a TRIGGER relative to DTSTART). It is put
// together from a part rendered once per event and a TRIGGER line made once
// per calendar, so a pick with reminders renders nothing per request either.
package ical

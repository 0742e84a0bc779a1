// Package caldav serves the agenda as read-only CalDAV calendars (RFC 4791)
// that phones and desktop clients discover from the server URL alone
// (RFC 6764, RFC 5397) and keep in sync incrementally (RFC 6578).
//
// The tree below the prefix (default "/dav") is
//
//	/dav/                                  root (current-user-principal)
//	/dav/public/                           the one principal, no login
//	/dav/public/calendars/                 its calendar home
//	/dav/public/calendars/all/             the whole conference
//	/dav/public/calendars/track-<id>/      one calendar per track
//	/dav/public/calendars/room-<id>/       one calendar per room
//	/dav/public/calendars/<cal>/<id>.ics   one object per session
//
// plus /.well-known/caldav, which redirects to the principal. A calendar's
// members are its sessions that are not cancelled: a cancelled session is
// removed over CalDAV (the .ics feeds keep it, marked cancelled).
//
// Everything is derived from the ical.Rendered being served: the handler
// builds a view of the tree once per rendering (memberships, per-calendar
// sync state, rendered properties) and answers every request of that
// revision from it. Object bodies and ETags are the rendering's pre-rendered
// CalDAV objects, byte for byte; what requests need of an object (its
// calendar-data escaped for XML, its time span, its parsed form for the
// rare filter that looks inside) is derived once per rendering and carried
// from view to view while the object's ETag stays the same. Multistatus
// answers are streamed (xml.go): written as they are made, in chunks, so
// a request holds one chunk however large its answer; what a request may
// ask for is bounded (request.go, filter.go, dav.go) so that an answer
// stays within a fixed amount per resource of the tree.
//
// The package keeps one cache (cache.go): since a view never changes and
// nothing of a PROPFIND or REPORT but its method, path, Depth header and
// body is read, each view keeps the complete 207 answers to the last
// requests it was asked, keyed by exactly those, and answers the same
// request again with the kept bytes in one write, without parsing its
// body again. It is what makes repeated requests cheap: every client that
// synced at a revision sends the same sync-collection body with the same
// token, and the same PROPFIND. It is bounded per view (64 answers and
// 8 MiB; answers over 256 KiB, which a big agenda's whole calendars have,
// are not kept and stay streamed), keeps only answers written in full
// without error (a refused request is refused anew, after the same
// checks, each time it comes), and goes with its view when a new
// rendering is served. The body's XML nesting depth is checked here
// (at most 32 elements) after the look-up, before decoding; the kind of
// each REPORT goes to Options.ReportKind, for metrics, hit or not.
//
// From github.com/emersion/go-webdav v0.7.0 only the filter types of its
// caldav package are used (gocaldav.CompFilter, PropFilter, ParamFilter,
// TextMatch), as the decoded form of a calendar-query filter. The rest of
// it is not: its filter decoder is reachable only through its handler and
// drops what it does not know (filter.go); its Match departs from RFC
// 4791 beyond "this exists" and needs every object parsed (match.go); and
// its handler (caldav.Handler) lacks or gets wrong what clients need, so
// its answers had to be decoded and rewritten, which cost more than
// answering from the agenda, where every property comes from anyway. What
// this package does that go-webdav's handler does not:
//
//   - /.well-known/caldav (with or without a trailing slash, any method)
//     answers 301, not 308, and the root's PROPFIND answer carries the
//     root's own href;
//   - every write method of HTTP and WebDAV (PUT, DELETE, MKCOL, ACL, BIND,
//     … as handler.go lists them) gets 403 with a DAV:need-privileges
//     error body (RFC 3744 §7.1.1) instead of 400, 405 or 501, and other
//     methods 405 with Allow;
//   - OPTIONS says "DAV: 1, 3, calendar-access" and allows no write method;
//   - PROPFIND answers have DAV:supported-report-set, CS:getctag,
//     DAV:sync-token, a read-only DAV:current-user-privilege-set, Apple's
//     calendar-color and calendar-order, DAV:owner, DAV:principal-URL,
//     the getcontentlength of what GET sends (RFC 4918 §15), with its
//     getcontenttype on the root, the principal and the home and its
//     getetag and getlastmodified on calendars, and no calendar-data
//     (RFC 4791 §9.6 keeps it to REPORTs); PROPFIND without Depth counts
//     as Depth 1 and Depth infinity (in any case) is refused with
//     DAV:propfind-finite-depth (RFC 4918 §9.1);
//   - the sync-collection REPORT (RFC 6578) on calendars and on the home,
//     with tokens derived from agenda revisions, DAV:limit honoured by
//     truncation (507 plus a continuation token);
//   - a filter part the matcher cannot honour (an unknown CalDAV element, a
//     collation other than i;ascii-casemap and i;octet) gets 403 with
//     CALDAV:supported-filter or CALDAV:supported-collation, where
//     go-webdav would drop it silently; time ranges are matched per RFC
//     4791 §9.9, and the common query (VEVENTs in a time range) from the
//     sessions' spans, without parsing;
//   - calendar-query works on a calendar and on one of its objects (RFC
//     4791 §7.8), and each resource's supported-report-set lists exactly
//     the REPORTs it answers (the home: multiget and sync-collection);
//   - calendar-multiget answers only objects below the request URL;
//   - the free-busy-query REPORT (RFC 4791 §7.10; go-webdav's handler
//     answers it 400) on calendars: 200 with one VFREEBUSY over the range
//     asked, the busy time of the calendar's sessions within it, merged
//     and in UTC, computed from their spans (freebusy.go); it is a 200,
//     not a 207, so the answer cache does not keep it;
//   - calendar-data in REPORT answers is the object's exact bytes, or,
//     with CALDAV:expand (RFC 4791 §9.6.5, python-caldav's date search
//     asks for it), the object in UTC without its VTIMEZONE, its VEVENT
//     only when it overlaps the range; a media type other than
//     text/calendar 2.0 gets 403 CALDAV:supported-calendar-data;
//   - GET and HEAD on objects and calendars (the calendar's whole .ics) with
//     ETag, Last-Modified and 304 answers to If-None-Match;
//   - request bodies are capped (413 above the cap), and nested at most
//     32 elements deep (400 beyond);
//   - with Options.Push, WebDAV-Push (push.go): calendars have the
//     draft's push properties, take push-register POSTs (still refusing
//     every write), and Handler.Published hands each changed calendar's
//     push message to the Push, which stores and sends.
package caldav

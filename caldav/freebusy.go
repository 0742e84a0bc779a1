package caldav

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"confcal/ical"
)

// This file answers the free-busy-query REPORT (RFC 4791 §7.10), which
// RFC 4791 requires of every CalDAV server: the busy time of a
// calendar's objects in a time range, as one VFREEBUSY in a text/calendar
// answer (not a multistatus).
//
// It is answered on calendars only. §7.10 allows a regular collection
// too, but the home's members are calendars, not objects, so at the Depth
// 1 clients send it would be answered with no busy time at all, and at
// Depth infinity with the whole conference's, which the "all" calendar
// answers; the home lists the REPORTs it answers (props.go), and refuses
// this one with DAV:supported-report, as it does calendar-query. On an
// object, §7.10 wants 403, which supported-report is.
//
// The Depth header is not read, as for calendar-query: §7.10 takes a
// missing one as 0, which on a calendar would target no object and
// report no busy time, which is never what a client means (python-caldav
// sends 1; sabre/dav answers from the calendar's objects whatever the
// Depth).
//
// What is busy comes from the sessions' spans, without parsing an object:
// every object is one VEVENT with STATUS:CONFIRMED and no TRANSP (so
// OPAQUE), which §7.10's table makes FBTYPE BUSY, the default (RFC 5545
// §3.2.9), so no FBTYPE is written; cancelled sessions, which the table
// makes FREE and which this report leaves out ("only returns busy time"),
// are no members of a calendar (tree.go). A session counts when it
// overlaps the range as RFC 4791 §9.9 says for a VEVENT with DTEND, its
// period is clipped to the range (RFC 5545 §3.6.4: DTSTART and DTEND
// bound the free/busy information given, and the range is what was
// asked), and overlapping or adjacent periods are merged into one, as
// §7.10 says servers SHOULD, since all are of the same FBTYPE.

// freeBusyRange is the CALDAV:time-range of a free-busy-query (RFC 4791
// §9.11): decoded as a calendar-query's is (filter.go), either end open,
// but refused with a plain 400 where a calendar-query's names
// CALDAV:valid-filter, a precondition free-busy-query does not have.
type freeBusyRange struct{ span }

// UnmarshalXML reads the time-range with plainRange.
func (t *freeBusyRange) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var err error
	t.span, err = plainRange(d, start)
	return err
}

// serveFreeBusy answers a free-busy-query on a calendar: 200 with a
// VCALENDAR holding one VFREEBUSY, whose FREEBUSY periods are the merged
// busy time of the calendar's sessions within the range (none, when no
// session overlaps it, as §7.10 wants).
func (h *Handler) serveFreeBusy(w http.ResponseWriter, r *http.Request, v *view, res resource, q *davRequest) {
	if res.kind != resCalendar {
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "supported-report"), "free-busy-query works on calendars")
		return
	}
	if len(q.TimeRanges) != 1 {
		// §7.10: exactly one.
		h.fail(w, r, http.StatusBadRequest, "free-busy-query must hold exactly one time-range, not "+strconv.Itoa(len(q.TimeRanges)))
		return
	}
	rng := q.TimeRanges[0].span
	body, err := v.freeBusy(res.cal, rng)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/calendar; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// busyPeriods returns the busy time of objs within rng, sorted, with
// overlapping and adjacent periods merged. Each object's period is its
// span clipped to rng (an open end of rng clips nothing on its side); it
// is not empty exactly when the session overlaps rng as RFC 4791 §9.9
// says for a VEVENT with DTEND (start < DTEND and end > DTSTART), so the
// clipping decides which sessions count too, and a session of no length
// is no busy time. objs are in agenda order, by start time
// (agenda.Snapshot.Sessions), and clipping keeps that order, which is
// all merging needs.
func busyPeriods(objs []*object, rng span) []span {
	var out []span
	for _, o := range objs {
		p := o.span
		if !rng.start.IsZero() && p.start.Before(rng.start) {
			p.start = rng.start
		}
		if !rng.end.IsZero() && p.end.After(rng.end) {
			p.end = rng.end
		}
		if !p.end.After(p.start) {
			continue
		}
		if n := len(out); n > 0 && !p.start.After(out[n-1].end) {
			if p.end.After(out[n-1].end) {
				out[n-1].end = p.end
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// freeBusy renders the answer to a free-busy-query on c over rng (see
// ical.Rendered.FreeBusy) with the busy periods of its sessions.
func (v *view) freeBusy(c *calendar, rng span) ([]byte, error) {
	// Without a METHOD, DTSTAMP is when the information was last revised
	// (RFC 5545 §3.8.7.2), as in the feeds: when the calendar last
	// changed. A calendar that never had a session has no such time;
	// then it is when the answer is made, the meaning DTSTAMP has
	// otherwise.
	stamp := v.lastModified(c)
	if stamp.IsZero() {
		stamp = time.Now()
	}
	fb := ical.FreeBusy{
		// The same calendar and range name the same free/busy
		// information, which DTSTAMP dates: one UID for them.
		UID:   "freebusy-" + c.id + "-" + rangeName(rng.start) + "-" + rangeName(rng.end) + "@" + v.snap.Conference().UIDDomain,
		Start: rng.start, End: rng.end,
		Stamp: stamp.Truncate(time.Second),
	}
	for _, p := range busyPeriods(c.objs, rng) {
		fb.Busy = append(fb.Busy, ical.Period{Start: p.start, End: p.end})
	}
	body, err := v.rendered.FreeBusy(fb)
	if err != nil {
		return nil, fmt.Errorf("caldav: free-busy answer of %s: %w", c.id, err)
	}
	return body, nil
}

// rangeName writes one end of a free-busy range for its UID: the UTC
// date-time, or "open" for an open end.
func rangeName(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.UTC().Format(utcLayout)
}

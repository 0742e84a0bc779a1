package ical

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strconv"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
)

// Calendar is one published calendar (a feed) as a view of the rendering's
// rendered events: its head, the VEVENTs of its sessions, END:VCALENDAR.
// Making one copies no event: it lists them. Its ETag is a hash of its
// exact bytes, found from its events' own hashes where the same bytes were
// asked for before (see etags.go). The body is put together only when
// written (AppendTo, WriteTo). A Calendar is immutable and safe for
// concurrent use.
type Calendar struct {
	head   []byte
	events []*event
	// alarm is the end of every VALARM of a calendar with reminders
	// (WithAlarm): its TRIGGER line and END:VALARM; nil for none.
	alarm []byte
	// etag is the calendar's ETag, bare the ETag it has without reminders.
	etag, bare string
	modified   time.Time
	size       int
}

// ETag returns the calendar's strong entity tag, quoted. Calendars with
// the same bytes have the same tag; any change to the bytes changes it.
func (c *Calendar) ETag() string { return c.etag }

// Modified returns when the calendar last changed, as far as the agenda
// tells (UTC): the latest LastModified of its sessions, or for Select the
// latest change that took a session out of it when that is later.
func (c *Calendar) Modified() time.Time { return c.modified }

// Touch returns c dated at t when t is later than its Modified (a change
// its events do not record, such as its own name's), else c itself.
func (c *Calendar) Touch(t time.Time) *Calendar {
	if !t.After(c.modified) {
		return c
	}
	d := *c
	d.modified = t.UTC()
	return &d
}

// Events returns the number of VEVENTs.
func (c *Calendar) Events() int { return len(c.events) }

// Size returns the length of the body in bytes.
func (c *Calendar) Size() int { return c.size }

// AppendTo appends the calendar's body to b.
func (c *Calendar) AppendTo(b []byte) []byte {
	b = append(b, c.head...)
	for _, ev := range c.events {
		var alarm []byte
		if c.alarm != nil {
			alarm = ev.alarmHead()
		}
		if alarm == nil {
			b = append(b, ev.body...)
			continue
		}
		b = append(b, ev.body[:len(ev.body)-len(eventEnd)]...)
		b = append(b, alarm...)
		b = append(b, c.alarm...)
		b = append(b, eventEnd...)
	}
	return append(b, calendarEnd...)
}

// Bytes returns the calendar's body in one new slice.
func (c *Calendar) Bytes() []byte { return c.AppendTo(make([]byte, 0, c.size)) }

// WriteTo writes the body to w piece by piece (head, each VEVENT, end):
// give it a buffered writer, or one Write per piece reaches the socket.
func (c *Calendar) WriteTo(w io.Writer) (int64, error) {
	var n int64
	write := func(b []byte) error {
		k, err := w.Write(b)
		n += int64(k)
		return err
	}
	if err := write(c.head); err != nil {
		return n, err
	}
	for _, ev := range c.events {
		var alarm []byte
		if c.alarm != nil {
			alarm = ev.alarmHead()
		}
		if alarm == nil {
			if err := write(ev.body); err != nil {
				return n, err
			}
			continue
		}
		for _, part := range [][]byte{ev.body[:len(ev.body)-len(eventEnd)], alarm, c.alarm, []byte(eventEnd)} {
			if err := write(part); err != nil {
				return n, err
			}
		}
	}
	return n, write([]byte(calendarEnd))
}

// WithAlarm returns c with a reminder lead before each session's start:
// every VEVENT but those of cancelled sessions gets one VALARM
// (ACTION:DISPLAY, a DESCRIPTION naming the session and its room, TRIGGER
// relative to DTSTART, e.g. -PT10M), as the last thing before its
// END:VEVENT. A negative lead puts the reminder after the start; lead is
// written in whole seconds. The events keep their UIDs, and the trigger
// is relative, so a session that moves takes its reminder along.
//
// Nothing is rendered per calendar: each event's VALARM up to its TRIGGER
// is rendered once for the event, by the first calendar with reminders
// that holds it, and the TRIGGER line is made once here; the body is
// still put together only when written. The ETag is derived from c's and
// the TRIGGER: it differs from c's and between lead times, and is the same
// for every c with the same bytes and the same lead. WithAlarm on a
// calendar with reminders replaces them.
func (c *Calendar) WithAlarm(lead time.Duration) *Calendar {
	d := *c
	d.alarm = append([]byte("TRIGGER:"+duration(-lead)+"\r\n"), alarmEnd...)
	d.size = len(c.head) + len(calendarEnd)
	for _, ev := range c.events {
		d.size += len(ev.body)
		if a := ev.alarmHead(); a != nil {
			d.size += len(a) + len(d.alarm)
		}
	}
	h := sha256.New()
	h.Write([]byte(c.bare))
	h.Write([]byte{0})
	h.Write(d.alarm)
	var sum [sha256.Size]byte
	d.etag = quoteHex(h.Sum(sum[:0])[:16])
	return &d
}

// duration writes d as an RFC 5545 DURATION (§3.3.6) in hours, minutes
// and seconds, e.g. -PT10M, -PT1H30M, PT0S. The grammar allows H then S
// only with the M between them, so a zero M is written in that case.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d == 0 {
		return "PT0S"
	}
	var b []byte
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	b = append(b, "PT"...)
	h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	if h > 0 {
		b = strconv.AppendInt(b, int64(h), 10)
		b = append(b, 'H')
	}
	if m > 0 || h > 0 && s > 0 {
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, 'M')
	}
	if s > 0 {
		b = strconv.AppendInt(b, int64(s), 10)
		b = append(b, 'S')
	}
	return string(b)
}

// Calendar assembles the view of a published feed: NAME, X-WR-CALNAME,
// DESCRIPTION, X-WR-CALDESC, COLOR and X-APPLE-CALENDAR-COLOR (when meta
// has a colour), REFRESH-INTERVAL, X-PUBLISHED-TTL, X-WR-TIMEZONE, the
// VTIMEZONE, then the VEVENTs of ids in order. Unknown and repeated ids are
// skipped. Cancelled sessions are included (STATUS:CANCELLED, SUMMARY
// "Cancelled: …"). Its Modified is the latest LastModified of the sessions
// in it, which cannot tell that a session left: feeds of a selection use
// FeedOf.
func (e *Rendered) Calendar(meta FeedMeta, ids []string) *Calendar {
	seen := make(map[string]bool, len(ids))
	distinct := slices.DeleteFunc(slices.Clone(ids), func(id string) bool {
		again := seen[id]
		seen[id] = true
		return again
	})
	return e.Feed(e.Head(meta), distinct)
}

// Head is the head of a published feed as rendered for one FeedMeta: its
// calendar properties and the VTIMEZONE, everything before its first
// VEVENT. One who assembles many calendars of one meta (a server's
// personal picks) renders it once per rendering and hands it to Feed.
type Head struct {
	b   []byte
	sum [sumSize]byte // of b, as an event's sum is of its body
}

// Head renders the head of the feeds meta names.
func (e *Rendered) Head(meta FeedMeta) Head {
	head, err := e.feedHead(meta)
	if err != nil {
		// Only the cleaned text of meta and a colour written from its
		// parsed value differ from what Render already encoded
		// successfully, and both always encode.
		panic(err)
	}
	h := Head{b: head}
	full := sha256.Sum256(head)
	copy(h.sum[:], full[:])
	return h
}

// Feed assembles the calendar of head hd, which e.Head made, and the
// VEVENTs of ids in order, as Calendar does; unknown ids are skipped, and
// ids must be distinct, as agenda.Snapshot.Select gives them (a repeated
// one would be a repeated VEVENT).
func (e *Rendered) Feed(hd Head, ids []string) *Calendar {
	head := hd.b
	c := &Calendar{head: head, events: make([]*event, 0, len(ids)), size: len(head) + len(calendarEnd)}
	h := sha256.New()
	h.Write(hd.sum[:])
	for _, id := range ids {
		ev, ok := e.events[id]
		if !ok {
			continue
		}
		c.events = append(c.events, ev)
		c.size += len(ev.body)
		h.Write(ev.sum[:])
		if ev.modified.After(c.modified) {
			c.modified = ev.modified
		}
	}
	var sum [sha256.Size]byte
	var d digest
	copy(d[:], h.Sum(sum[:0]))
	c.etag = e.etags.get(d, func() string { return bodyETag(head, c.events) })
	c.bare = c.etag
	return c
}

// FeedOf assembles the calendar of head hd and the sessions sel names,
// found from the snapshot's indexes (agenda.Snapshot.Select), in agenda
// order: the whole conference's feed, a track's, room's, day's or
// speaker's, or a pick. Its
// Modified is the later of its sessions' LastModified and the latest
// change that concerned the selection (agenda.Snapshot.SelectionChanged),
// so a session leaving it still moves it. It fails as agenda.Snapshot.Select
// does for a name the snapshot does not know.
func (e *Rendered) FeedOf(hd Head, sel agenda.Selection) (*Calendar, error) {
	var buf [64]string // a pick's IDs, held only while its feed is assembled
	ids, err := e.snap.AppendSelected(buf[:0], sel)
	if err != nil {
		return nil, err
	}
	return e.Feed(hd, ids).Touch(e.snap.SelectionChanged(sel).Time), nil
}

// Object is the CalDAV object of one session: a VCALENDAR (no calendar
// names) with the VTIMEZONE and that one VEVENT, the same VEVENT bytes as
// in feeds. Its parts are the rendering's object head, the event and
// END:VCALENDAR; its ETag is a hash of exactly those bytes, computed when
// the event was rendered.
type Object struct {
	head []byte
	bare []byte // head without the VTIMEZONE
	ev   *event
}

// Object returns the CalDAV object of session id, false for an unknown id.
func (e *Rendered) Object(id string) (Object, bool) {
	ev, ok := e.events[id]
	if !ok {
		return Object{}, false
	}
	return Object{head: e.objectHead, bare: e.objectBare, ev: ev}, true
}

// ETag returns the object's strong entity tag, quoted.
func (o Object) ETag() string { return o.ev.objectETag }

// Modified returns the session's LastModified (UTC).
func (o Object) Modified() time.Time { return o.ev.modified }

// Size returns the object's length in bytes.
func (o Object) Size() int { return len(o.head) + len(o.ev.body) + len(calendarEnd) }

// Parts returns the object's bytes as its three parts: the head (shared by
// every object of the rendering), the VEVENT and the end. CalDAV answers
// escape the head once and each event once per rendering.
func (o Object) Parts() (head, event, end []byte) { return o.head, o.ev.body, []byte(calendarEnd) }

// Event returns the VEVENT's bytes; the same slice for as long as the
// session renders the same, so it can key what is derived from it.
func (o Object) Event() []byte { return o.ev.body }

// AppendTo appends the object's bytes to b.
func (o Object) AppendTo(b []byte) []byte {
	return append(append(append(b, o.head...), o.ev.body...), calendarEnd...)
}

// AppendExpanded appends the object as a CalDAV REPORT that asks to
// expand it over a time range gets it (RFC 4791 §9.6.5): without the
// VTIMEZONE, its DTSTART and DTEND in UTC, and with the VEVENT only when
// event is true (the caller's range overlaps the session; a session is
// one instance, with no recurrence to expand). Its other lines are the
// event's own bytes. These bytes are not the object the ETag names, and
// are made per call.
func (o Object) AppendExpanded(b []byte, event bool) []byte {
	b = append(b, o.bare...)
	if event {
		s := o.ev.in.session
		b = appendInUTC(b, o.ev.body, s.Start, s.End)
	}
	return append(b, calendarEnd...)
}

// appendInUTC appends the VEVENT body with its DTSTART and DTEND lines
// (and their folded continuations) written anew in UTC.
func appendInUTC(b, body []byte, start, end time.Time) []byte {
	for len(body) > 0 {
		// One property: a line and the continuation lines after it.
		n := 0
		for {
			i := bytes.Index(body[n:], []byte("\r\n"))
			if i < 0 {
				n = len(body)
				break
			}
			n += i + 2
			if n == len(body) || body[n] != ' ' && body[n] != '\t' {
				break
			}
		}
		prop := body[:n]
		body = body[n:]
		switch {
		case isProp(prop, goical.PropDateTimeStart):
			b = append(append(append(b, goical.PropDateTimeStart+":"...), start.UTC().Format(utcFormat)...), "\r\n"...)
		case isProp(prop, goical.PropDateTimeEnd):
			b = append(append(append(b, goical.PropDateTimeEnd+":"...), end.UTC().Format(utcFormat)...), "\r\n"...)
		default:
			b = append(b, prop...)
		}
	}
	return b
}

// isProp reports whether the content line line is of property name: the
// name followed by its parameters (";") or its value (":").
func isProp(line []byte, name string) bool {
	return len(line) > len(name) && string(line[:len(name)]) == name && (line[len(name)] == ';' || line[len(name)] == ':')
}

// Bytes returns the object's bytes in one new slice.
func (o Object) Bytes() []byte { return o.AppendTo(make([]byte, 0, o.Size())) }

// objectETag returns the ETag of the object made of head and body: a hash
// of its exact bytes.
func objectETag(head, body []byte) string {
	h := sha256.New()
	h.Write(head)
	h.Write(body)
	h.Write([]byte(calendarEnd))
	var sum [sha256.Size]byte
	return quoteHex(h.Sum(sum[:0])[:16])
}

// sumSize is how much of a SHA-256 an ETag holds: 128 bits, as many
// as make a collision between two bodies of one feed out of reach.
const sumSize = 16

func quoteHex(b []byte) string { return `"` + hex.EncodeToString(b) + `"` }

package ical

import (
	"bytes"
	"fmt"
	"time"

	goical "github.com/emersion/go-ical"
)

// Period is a span of busy time, [Start, End).
type Period struct{ Start, End time.Time }

// FreeBusy is the free/busy time of a calendar over a range, as a CalDAV
// free-busy-query asks for it (RFC 4791 §7.10).
type FreeBusy struct {
	// UID names the free/busy information (RFC 5545 requires one).
	UID string
	// Start and End are the range; a zero one is an open end, written
	// as no DTSTART or DTEND (RFC 5545 §3.6.4 makes both optional).
	Start, End time.Time
	// Stamp is DTSTAMP: when the information was last revised (RFC 5545
	// §3.8.7.2, there being no METHOD).
	Stamp time.Time
	// Busy are the busy periods, each written as one FREEBUSY of FBTYPE
	// BUSY, the default.
	Busy []Period
}

// FreeBusy renders fb as a VCALENDAR holding one VFREEBUSY: VERSION,
// PRODID and CALSCALE as the rendering's CalDAV objects have them, every
// time in UTC (FREEBUSY periods must be, RFC 5545 §3.8.2.6), encoded with
// go-ical and folded at 75 octets as every calendar here is.
func (e *Rendered) FreeBusy(fb FreeBusy) ([]byte, error) {
	cal := goical.NewCalendar()
	cal.Props.SetText(goical.PropProductID, clean(e.opts.ProdID))
	setRaw(cal.Props, goical.PropVersion, "2.0")
	setRaw(cal.Props, goical.PropCalendarScale, "GREGORIAN")
	c := goical.NewComponent(goical.CompFreeBusy)
	setRaw(c.Props, goical.PropDateTimeStamp, fb.Stamp.UTC().Format(utcFormat))
	c.Props.SetText(goical.PropUID, clean(fb.UID))
	if !fb.Start.IsZero() {
		setRaw(c.Props, goical.PropDateTimeStart, fb.Start.UTC().Format(utcFormat))
	}
	if !fb.End.IsZero() {
		setRaw(c.Props, goical.PropDateTimeEnd, fb.End.UTC().Format(utcFormat))
	}
	for _, p := range fb.Busy {
		prop := goical.NewProp(goical.PropFreeBusy)
		prop.Value = p.Start.UTC().Format(utcFormat) + "/" + p.End.UTC().Format(utcFormat)
		c.Props.Add(prop)
	}
	cal.Children = append(cal.Children, c)
	var raw bytes.Buffer
	if err := goical.NewEncoder(&raw).Encode(cal); err != nil {
		return nil, fmt.Errorf("ical: free/busy %s: %w", fb.UID, err)
	}
	return foldLines(nil, raw.Bytes()), nil
}

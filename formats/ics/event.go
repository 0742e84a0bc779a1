package ics

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"

	goical "github.com/emersion/go-ical"
)

// event is a VEVENT as go-ical decoded it, with the line of its BEGIN.
type event struct {
	no int
	c  *goical.Component
}

// sessions reads the events into drafts, in file order: each at the line
// of its BEGIN:VEVENT, with the LOCATION as its room and the first
// category as its track. Recurring events are imported as their first
// instance (see the package documentation); repeated UIDs keep the first
// event.
func (p *parser) sessions(events []event) []schedule.Draft {
	// The first event of each UID without a RECURRENCE-ID is the master
	// of the UID's instances.
	master := map[string]int{}
	for i, ev := range events {
		uid := uidOf(ev.c)
		if _, ok := master[uid]; !ok && uid != "" && ev.c.Props.Get(goical.PropRecurrenceID) == nil {
			master[uid] = i
		}
	}
	// An instance that changes the master's first one replaces it.
	first := map[int]int{} // master's index → the index of its changed first instance
	skip := map[int]bool{}
	for i, ev := range events {
		rid := ev.c.Props.Get(goical.PropRecurrenceID)
		m, ok := master[uidOf(ev.c)]
		if rid == nil || !ok {
			continue // not an instance, or one whose recurring event is not in the file: an event of its own
		}
		skip[i] = true
		mStart, err1 := p.instant(events[m].c.Props.Get(goical.PropDateTimeStart))
		at, err2 := p.instant(rid)
		if _, dup := first[m]; err1 == nil && err2 == nil && at.t.Equal(mStart.t) && !dup {
			first[m] = i
			continue
		}
		p.Problemf(ev.no, "changes a later instance (RECURRENCE-ID) of the recurring event at line %d, which is imported as its first instance only: skipped", events[m].no)
	}
	var drafts []schedule.Draft
	seen := map[string]int{} // session ID → line of its event
	for i, ev := range events {
		if skip[i] {
			continue
		}
		c := ev.c
		recurs := c.Props.Get(goical.PropRecurrenceRule) != nil || c.Props.Get(goical.PropRecurrenceDates) != nil
		if j, ok := first[i]; ok {
			p.Problemf(ev.no, "its first instance was changed by the event at line %d: imported as changed", events[j].no)
			c = events[j].c
		} else if recurs && p.excluded(c) {
			p.Problemf(ev.no, "a recurring event whose first instance is excluded (EXDATE): skipped, a conference session does not repeat")
			continue
		}
		if recurs {
			p.Problemf(ev.no, "a recurring event (RRULE or RDATE): imported as its first instance only, a conference session does not repeat")
		}
		d, ok := p.draft(ev.no, c)
		if !ok {
			continue
		}
		if at, dup := seen[d.Session.ID]; dup {
			p.Problemf(ev.no, "UID %q again (first at line %d): skipped, the first is kept", schedule.Clip(uidOf(c)), at)
			continue
		}
		seen[d.Session.ID] = ev.no
		drafts = append(drafts, d)
	}
	return drafts
}

// uidOf returns an event's UID without surrounding blanks.
func uidOf(c *goical.Component) string {
	return strings.TrimSpace(text(c.Props.Get(goical.PropUID)))
}

// excluded reports whether an EXDATE of c names its DTSTART.
func (p *parser) excluded(c *goical.Component) bool {
	start, err := p.instant(c.Props.Get(goical.PropDateTimeStart))
	if err != nil {
		return false
	}
	for _, ex := range c.Props.Values(goical.PropExceptionDates) {
		for _, v := range strings.Split(ex.Value, ",") {
			q := ex
			q.Value = v
			if t, err := p.instant(&q); err == nil && t.t.Equal(start.t) {
				return true
			}
		}
	}
	return false
}

// draft reads one event into a session, or reports why it cannot.
func (p *parser) draft(no int, c *goical.Component) (schedule.Draft, bool) {
	props := c.Props
	if st := strings.ToUpper(strings.TrimSpace(text(props.Get(goical.PropStatus)))); st == "CANCELLED" {
		return p.Skipf(no, "cancelled (STATUS:CANCELLED)")
	}
	summary := props.Get(goical.PropSummary)
	title := schedule.OneLine(text(summary))
	if title == "" {
		return p.Skipf(no, "no title (SUMMARY)")
	}
	var cut bool
	if title, cut = formats.Fit(title, agenda.MaxTitleLength); cut {
		p.Problemf(no, "the title is longer than %d characters: cut", agenda.MaxTitleLength)
	}
	start, err := p.instant(props.Get(goical.PropDateTimeStart))
	switch {
	case err != nil:
		return p.Skipf(no, "DTSTART: %v", err)
	case start.date:
		return p.Skipf(no, "an all-day event (DTSTART is a date): a session needs a start and an end time")
	case start.note != "":
		p.Problemf(no, "DTSTART %q %s", schedule.Clip(props.Get(goical.PropDateTimeStart).Value), start.note)
	}
	var end time.Time
	if e := props.Get(goical.PropDateTimeEnd); e != nil {
		t, err := p.instant(e)
		switch {
		case err != nil:
			return p.Skipf(no, "DTEND: %v", err)
		case t.date:
			return p.Skipf(no, "DTEND is a date but DTSTART is not")
		case t.note != "":
			p.Problemf(no, "DTEND %q %s", schedule.Clip(e.Value), t.note)
		}
		end = t.t
	} else if d := props.Get(goical.PropDuration); d != nil {
		end, err = addDuration(start.t, d)
		if err != nil {
			return p.Skipf(no, "DURATION %q: %v", schedule.Clip(d.Value), err)
		}
	} else {
		return p.Skipf(no, "no DTEND or DURATION: a session needs an end")
	}
	s, e, ok := p.Span(no, start.t, end)
	if !ok {
		return schedule.Draft{}, false
	}
	d := schedule.Draft{Line: no, Session: agenda.Session{Title: title, Start: s, End: e}}
	d.Room = schedule.OneLine(text(props.Get(goical.PropLocation)))
	if d.Room, cut = formats.Fit(d.Room, agenda.MaxNameLength); cut {
		p.Problemf(no, "the LOCATION is longer than %d characters: cut", agenda.MaxNameLength)
	}
	d.Session.ID = p.id(no, c, s, d.Room)
	for _, cat := range props.Values(goical.PropCategories) {
		list, err := cat.TextList()
		if err != nil {
			list = []string{cat.Value}
		}
		for _, v := range list {
			if v = schedule.OneLine(v); v != "" && d.Track == "" {
				d.Track = v
			}
		}
	}
	if d.Track, cut = formats.Fit(d.Track, agenda.MaxNameLength); cut {
		p.Problemf(no, "the category is longer than %d characters: cut", agenda.MaxNameLength)
	}
	d.Session.Abstract = abstract(props)
	if d.Session.Abstract, cut = formats.Fit(d.Session.Abstract, agenda.MaxAbstractLength); cut {
		p.Problemf(no, "the DESCRIPTION is longer than %d characters: cut", agenda.MaxAbstractLength)
	}
	if u := props.Get(goical.PropURL); u != nil && strings.TrimSpace(u.Value) != "" {
		if _, ok := webURL(u.Value); ok {
			d.Session.URL = strings.TrimSpace(u.Value)
		} else {
			p.Problemf(no, "URL %q is not an http(s) address: left out", schedule.Clip(u.Value))
		}
	}
	if summary != nil {
		if lang := summary.Params.Get(goical.ParamLanguage); len(lang) <= 35 && schedule.LanguageTag(lang, 8) {
			d.Session.Language = lang
		}
	}
	return d, true
}

// id returns the session ID of an event: the one settleUIDs decided for
// its UID (its local part for a feed confcal published, else
// formats.KeyID of the UID). An event without a UID (RFC 5545 requires
// one, some tools leave it out) gets the ID of its start and LOCATION,
// reported: no better key is left, and a title or a position would change
// more often than either.
func (p *parser) id(no int, c *goical.Component, start time.Time, room string) string {
	uid := uidOf(c)
	if uid == "" {
		p.Problemf(no, "no UID: identified by its start and LOCATION instead, so a moved event will read as a new one")
		return schedule.FallbackID(start, cmp.Or(room, schedule.NoRoomName))
	}
	if id, ok := p.uids.ids[uid]; ok {
		return id
	}
	return formats.KeyID(uid)
}

// when is a DATE or DATE-TIME value read as an instant.
type when struct {
	t    time.Time
	date bool // a DATE: a day without a time
	// note says how a local time the clocks skip or show twice was
	// read (see schedule.Local); "" for any other value.
	note string
}

// instant reads a DTSTART, DTEND, RECURRENCE-ID or EXDATE value: a UTC
// time ("Z"), a time in its TZID's zone, a floating time (read in the
// conference's zone), or a date. Values in the extended ISO 8601 form
// ("2019-10-08T14:00:00") and without seconds ("20191008T1400") are
// read too. A local time is read as RFC 5545 §3.3.5 says (the first of a
// time the clocks show twice, one they skip with the offset before the
// skip: schedule.Local), not as go-ical's DateTime would (time.Date, which
// leaves both to chance).
func (p *parser) instant(prop *goical.Prop) (when, error) {
	if prop == nil {
		return when{}, errors.New("missing")
	}
	v := strings.ToUpper(strings.TrimSpace(prop.Value))
	if len(v) >= 10 && v[4] == '-' {
		v = strings.NewReplacer("-", "", ":", "").Replace(v)
	}
	if i := strings.IndexByte(v, 'T'); i == 8 && len(strings.TrimSuffix(v, "Z")) == 13 {
		v = v[:13] + "00" + v[13:]
	}
	q := goical.Prop{Name: prop.Name, Params: goical.Params{}, Value: v}
	if t := prop.Params.Get(goical.ParamValue); t != "" {
		q.Params.Set(goical.ParamValue, t)
	}
	loc := p.Loc
	if tzid := prop.Params.Get(goical.ParamTimezoneID); tzid != "" && !strings.HasSuffix(v, "Z") {
		l, err := p.zones.resolve(tzid)
		if err != nil {
			return when{}, err
		}
		loc = l
	}
	if q.ValueType() == goical.ValueDate || len(v) == len("20060102") {
		wall, err := time.Parse(dateLayout, v)
		if err != nil {
			return when{}, fmt.Errorf("%q is not a date (YYYYMMDD)", schedule.Clip(prop.Value))
		}
		t, _ := schedule.Local(wall, loc) // the day's first instant
		return when{t: t, date: true}, nil
	}
	if strings.HasSuffix(v, "Z") {
		t, err := time.Parse(localLayout+"Z", v)
		if err != nil {
			return when{}, fmt.Errorf("%q is not a date and time (YYYYMMDDTHHMMSS, with Z for UTC)", schedule.Clip(prop.Value))
		}
		return when{t: t}, nil
	}
	wall, err := time.Parse(localLayout, v)
	if err != nil {
		return when{}, fmt.Errorf("%q is not a date and time (YYYYMMDDTHHMMSS, with Z for UTC)", schedule.Clip(prop.Value))
	}
	t, note := schedule.Local(wall, loc)
	return when{t: t, note: note}, nil
}

// The forms of DATE and DATE-TIME values (RFC 5545 §3.3.4, §3.3.5), once
// instant has brought them to the basic form with seconds.
const (
	dateLayout  = "20060102"
	localLayout = "20060102T150405"
)

// Durations of whole days and weeks, which are nominal (see addDuration).
const (
	nominalDay  = 24 * time.Hour
	daysPerWeek = 7
)

// addDuration returns start plus the DURATION prop. Days and weeks are
// nominal (RFC 5545 §3.3.6): P1D is the same time of day on the next
// calendar day in start's zone, 23 or 25 hours when the clocks change in
// between, that time of day read as instant reads one; hours, minutes and
// seconds are exact.
func addDuration(start time.Time, prop *goical.Prop) (time.Time, error) {
	total, err := prop.Duration()
	if err != nil {
		return time.Time{}, err
	}
	v := strings.ToUpper(strings.TrimSpace(prop.Value))
	neg := strings.HasPrefix(v, "-")
	// dur-date or dur-week: the digits before "D" or "W", ahead of any
	// "T" (go-ical has checked the form).
	date, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimLeft(v, "+-"), "P"), "T")
	days := 0
	if n := len(date); n > 1 {
		if k, err := strconv.Atoi(date[:n-1]); err == nil {
			switch date[n-1] {
			case 'D':
				days = k
			case 'W':
				days = k * daysPerWeek
			}
		}
	}
	if neg {
		days = -days
	}
	exact := total - time.Duration(days)*nominalDay
	y, m, d := start.Date()
	h, mi, sec := start.Clock()
	on, _ := schedule.Local(time.Date(y, m, d+days, h, mi, sec, start.Nanosecond(), time.UTC), start.Location())
	return on.Add(exact), nil
}

// abstract returns an event's DESCRIPTION as plain text: HTML (some tools
// write it there) made readable with formats.PlainText, else the text with
// its control characters but tabs and line feeds removed. When there is
// no DESCRIPTION, an X-ALT-DESC in HTML (Outlook) is read instead.
func abstract(props goical.Props) string {
	desc := text(props.Get(goical.PropDescription))
	if strings.TrimSpace(desc) == "" {
		if alt := props.Get("X-ALT-DESC"); alt != nil && strings.EqualFold(alt.Params.Get(goical.ParamFormatType), "text/html") {
			return formats.PlainText(text(alt))
		}
	}
	if looksHTML(desc) {
		return formats.PlainText(desc)
	}
	return schedule.Multiline(desc)
}

// looksHTML reports whether s holds an HTML tag of the kind rich-text
// editors write (<p>, <br>, <a href…>, </b>, …); "1 < 2" does not count.
func looksHTML(s string) bool {
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return false
		}
		s = s[i+1:]
		t := strings.TrimPrefix(s, "/")
		j := 0
		for j < len(t) && (t[j] >= 'a' && t[j] <= 'z' || t[j] >= 'A' && t[j] <= 'Z' || j > 0 && t[j] >= '1' && t[j] <= '6') {
			j++
		}
		if j == len(t) || !strings.ContainsRune(">/ \t\n", rune(t[j])) {
			continue
		}
		switch strings.ToLower(t[:j]) {
		case "p", "br", "a", "b", "i", "u", "em", "strong", "ul", "ol", "li", "div", "span", "h1", "h2", "h3",
			"h4", "h5", "h6", "table", "tr", "td", "th", "img", "hr", "pre", "code", "blockquote", "font", "small",
			"sup", "sub", "html", "body":
			return true
		}
	}
}

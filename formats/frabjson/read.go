package frabjson

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"
)

// Parse reads a schedule.json into agenda contents and the problems it
// repaired or skipped (see the package documentation for every rule). It
// fails only when nothing usable is left: data is not JSON, has no
// schedule.conference, names no usable time zone (and opts.TimeZone gives
// none) or holds no usable event. Errors and positions name opts.Name.
func Parse(data []byte, opts formats.Options) (formats.Result, error) {
	p := &parser{
		Places:     schedule.Places{Name: cmp.Or(opts.Name, "schedule.json")},
		opts:       opts,
		now:        schedule.Now(opts),
		roomByName: map[string]string{},
		roomIDs:    map[string]bool{},
		trackByNm:  map[string]string{},
		trackIDs:   map[string]bool{},
		speakerAt:  map[string]int{},
		sessionAt:  map[string]string{},
		numberAt:   map[int64]string{},
	}
	doc, err := readDocument(&p.Places, data)
	if err != nil {
		return formats.Result{}, err
	}
	sched, ok := doc.object("schedule")
	if !ok {
		if !doc.has("conference") {
			return formats.Result{}, fmt.Errorf("%s: no \"schedule\" object: not a frab schedule.json", p.Name)
		}
		sched = doc
		p.Report("", "the conference is not wrapped in a \"schedule\" object: read it from the top level")
	}
	conf, ok := sched.object("conference")
	if !ok {
		return formats.Result{}, fmt.Errorf("%s: the schedule has no \"conference\" object", p.Name)
	}
	if err := p.zone(conf); err != nil {
		return formats.Result{}, err
	}
	p.base = p.absURL("", "base_url", str(sched, "base_url"), nil)
	p.conference(conf)
	days := p.days(conf)
	p.dayChange = deriveDayChange(days)
	p.conf.DayChange = p.dayChange
	// conference.rooms and .tracks give the order of the rooms and of the
	// tracks, and the tracks' colours.
	p.confList(conf, "room", func(pos string, o object) { p.room(pos, str(o, "name"), str(o, "slug")) })
	p.confList(conf, "track", func(pos string, o object) { p.track(pos, str(o, "name"), str(o, "slug"), str(o, "color")) })
	for _, d := range days {
		for _, r := range d.rooms {
			elems, ok := schedule.Array(r.val)
			roomPos := fmt.Sprintf("day %d, room %s", d.pos, r.key)
			if !ok {
				p.Report(roomPos, fmt.Sprintf("the room's events are a JSON %s, not an array: skipped", kind(r.val)))
				continue
			}
			for i, raw := range elems {
				p.events++
				p.event(d, r.key, fmt.Sprintf("%s, event %d", roomPos, i+1), raw)
			}
		}
	}
	if len(p.sessions) == 0 {
		why := "the days list no events"
		if p.events > 0 {
			why = fmt.Sprintf("%d events, none usable; the last: %s", p.events, p.LastSkip)
		}
		return formats.Result{}, fmt.Errorf("%s: no usable event (%s)", p.Name, why)
	}
	if err := p.finish(days); err != nil {
		return formats.Result{}, err
	}
	return p.Result(agenda.Contents{Conference: p.conf, Tracks: p.tracks, Rooms: p.rooms, Speakers: p.speakers, Sessions: p.sessions})
}

// parser holds the state of one Parse call.
type parser struct {
	schedule.Places
	opts      formats.Options
	known     schedule.Known // the stored agenda's IDs by the GUIDs Export makes of them
	now       time.Time
	loc       *time.Location
	base      *url.URL // base_url, for relative event URLs
	dayChange time.Duration
	conf      agenda.Conference
	stated    *[2]agenda.Date // conference.start and .end, when usable

	rooms      []agenda.Room
	roomByName map[string]string // room name → ID
	roomIDs    map[string]bool
	tracks     []agenda.Track
	trackByNm  map[string]string // track name → ID
	trackIDs   map[string]bool
	speakers   []agenda.Speaker
	speakerAt  map[string]int // speaker ID → index in speakers
	sessions   []agenda.Session
	sessionAt  map[string]string // session ID → position of its event
	numberAt   map[int64]string  // Number → position of its event
	offsets    offsetReport
	events     int // events seen, usable or not
}

// offsetReport counts event dates whose offset is not the named zone's.
type offsetReport struct {
	n     int
	first string // position of the first such event
	off   string // its offset
}

// day is one element of conference.days.
type day struct {
	pos        int // 1-based position in days
	date       agenda.Date
	hasDate    bool
	start, end time.Time // day_start, day_end as written
	hasStart   bool
	hasEnd     bool
	rooms      []member
}

// str returns member key of o as a string, "" when absent or of another
// type.
func str(o object, key string) string {
	s, _ := o.str(key)
	return strings.TrimSpace(s)
}

// zone loads the conference's time zone: time_zone_name, or opts.TimeZone
// when the document names none or names one that is no IANA zone.
func (p *parser) zone(conf object) error {
	doc := str(conf, "time_zone_name")
	if doc != "" && doc != "Local" {
		if _, err := time.LoadLocation(doc); err != nil {
			p.Report("", fmt.Sprintf("time_zone_name %q is not an IANA time zone: ignored", doc))
			doc = ""
		}
	}
	loc, overridden, err := formats.Zone(p.opts, doc)
	if err != nil {
		return err
	}
	if overridden {
		p.Report("", fmt.Sprintf("time_zone_name says %s; the conference's zone is %s as given", doc, loc))
	}
	p.loc = loc
	p.conf.TimeZone = loc.String()
	return nil
}

// conference reads the conference's name, description, URL and UID domain.
func (p *parser) conference(conf object) {
	name := schedule.OneLine(str(conf, "title"))
	if name == "" {
		name = schedule.OneLine(str(conf, "acronym"))
		if name == "" {
			name = schedule.NamedAfter(p.Name, "Imported schedule")
		}
		if !p.opts.NameGiven {
			p.Report("", fmt.Sprintf("the conference has no title: named it %q", name))
		}
	}
	p.conf.Name = p.Fit("", "the conference's title", name, agenda.MaxConferenceNameLength)
	if d := schedule.OneLine(richText(str(conf, "description"))); d != "" {
		p.conf.Description = p.Fit("", "the conference's description", d, agenda.MaxDescriptionLength)
	}
	if u := p.absURL("", "conference url", str(conf, "url"), nil); u != nil {
		p.conf.URL = u.String()
	} else if p.base != nil {
		p.conf.URL = p.base.String()
	}
	p.conf.UIDDomain = p.uidDomain()
	p.known = schedule.KnownGUIDs(p.opts.Known, p.conf.UIDDomain)
	start, okStart := parseDay(str(conf, "start"))
	end, okEnd := parseDay(str(conf, "end"))
	switch {
	case okStart && okEnd && !end.Before(start) && schedule.DaysBetween(start, end) < schedule.MaxDays:
		p.stated = &[2]agenda.Date{start, end}
	case okStart || okEnd:
		p.Report("", fmt.Sprintf("conference start %q and end %q are no usable range of days: the days come from the events", str(conf, "start"), str(conf, "end")))
	}
}

// uidDomain picks the domain of the sessions' calendar UIDs.
func (p *parser) uidDomain() string {
	if u, err := url.Parse(p.conf.URL); err == nil && p.conf.URL != "" {
		host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		if schedule.DomainName(host) {
			return host
		}
	}
	if d := strings.TrimSpace(p.opts.UIDDomain); d != "" {
		return d
	}
	d := cmp.Or(agenda.Slug(p.conf.Name), "schedule") + ".invalid"
	p.Report("", fmt.Sprintf("no domain for calendar UIDs (no conference URL with a domain name, no UID domain given): using %s", d))
	return d
}

// days reads conference.days.
func (p *parser) days(conf object) []day {
	elems, ok := conf.array("days")
	if !ok {
		if conf.has("days") {
			p.Report("", "conference.days is not an array: no days")
		}
		return nil
	}
	var days []day
	for i, raw := range elems {
		d := day{pos: i + 1}
		pos := fmt.Sprintf("day %d", d.pos)
		o, ok := readObject(raw)
		if !ok {
			p.Report(pos, fmt.Sprintf("a JSON %s, not a day object: skipped", kind(raw)))
			continue
		}
		d.date, d.hasDate = parseDay(str(o, "date"))
		if !d.hasDate {
			p.Report(pos, fmt.Sprintf("date %q is not YYYY-MM-DD", str(o, "date")))
		}
		if s := str(o, "day_start"); s != "" {
			d.start, _, _, d.hasStart = parseTime(s, p.loc)
		}
		if s := str(o, "day_end"); s != "" {
			d.end, _, _, d.hasEnd = parseTime(s, p.loc)
		}
		rooms, ok := o.object("rooms")
		if !ok {
			p.Report(pos, "no \"rooms\" object: the day has no events")
		}
		d.rooms = rooms.members
		days = append(days, d)
	}
	return days
}

// deriveDayChange finds when a conference day begins from the days' own
// boundaries, read as the clock digits they were written with. A day that
// ends after midnight ends when the next begins: the latest such day_end
// before noon is the day change, or the minute after it when a day_start
// is there (pretalx's inclusive "03:59" with days starting at 04:00;
// frab's day_start is the first slot, 10:00, not the change). When days end
// before midnight, days are calendar days. Only a document without day
// ends takes the earliest day_start before noon.
func deriveDayChange(days []day) time.Duration {
	clock := func(t time.Time) time.Duration {
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	var latestEnd, earliestStart time.Duration = -1, -1
	starts := map[time.Duration]bool{}
	ends := false
	for _, d := range days {
		if !d.hasDate {
			continue
		}
		if d.hasEnd {
			ends = true
			if c := clock(d.end); agenda.DateOf(d.end, d.end.Location()) == d.date.AddDays(1) && c < agenda.MaxDayChange {
				latestEnd = max(latestEnd, c)
			}
		}
		if d.hasStart && agenda.DateOf(d.start, d.start.Location()) == d.date {
			if c := clock(d.start); c < agenda.MaxDayChange {
				starts[c] = true
				if earliestStart < 0 || c < earliestStart {
					earliestStart = c
				}
			}
		}
	}
	switch {
	case latestEnd >= 0 && starts[latestEnd+time.Minute]:
		return latestEnd + time.Minute
	case latestEnd >= 0:
		return latestEnd
	case ends || earliestStart < 0:
		return 0
	}
	return earliestStart
}

// confList reads conference.rooms or conference.tracks (what is "room" or
// "track"), passing each element that has a name to add.
func (p *parser) confList(conf object, what string, add func(pos string, o object)) {
	elems, _ := conf.array(what + "s")
	for i, raw := range elems {
		o, ok := readObject(raw)
		pos := fmt.Sprintf("conference %s %d", what, i+1)
		if !ok || str(o, "name") == "" {
			p.Report(pos, "no "+what+" name: skipped")
			continue
		}
		add(pos, o)
	}
}

// room returns the ID of the room named name, adding it when it is new.
func (p *parser) room(pos, name, slug string) string {
	name = schedule.OneLine(name)
	if id, ok := p.roomByName[name]; ok {
		return id
	}
	key := name
	name = p.Fit(pos, "the room's name", name, agenda.MaxNameLength)
	id := p.uniqueID(pos, "room", name, slug, p.roomIDs)
	p.roomByName[key] = id
	p.rooms = append(p.rooms, agenda.Room{ID: id, Name: name})
	return id
}

// track returns the ID of the track named name, adding it when it is new.
func (p *parser) track(pos, name, slug, color string) string {
	name = schedule.OneLine(name)
	if id, ok := p.trackByNm[name]; ok {
		return id
	}
	key := name
	name = p.Fit(pos, "the track's name", name, agenda.MaxNameLength)
	id := p.uniqueID(pos, "track", name, slug, p.trackIDs)
	c, ok := "", true
	if color != "" {
		c, ok = schedule.HexColor(color)
	}
	if !ok {
		p.Report(pos, fmt.Sprintf("track %q: colour %q is not #RRGGBB: left out", name, color))
	}
	p.trackByNm[key] = id
	p.tracks = append(p.tracks, agenda.Track{ID: id, Name: name, Color: c})
	return id
}

// uniqueID picks the ID of a new room or track: its slug when that is a
// valid ID, else its name's slug, made unique with a counter.
func (p *parser) uniqueID(pos, what, name, slug string, used map[string]bool) string {
	id := slug
	if !agenda.ValidID(id) {
		id = schedule.NameID(name)
	}
	unique := schedule.Unique(id, used)
	if unique != id {
		p.Report(pos, fmt.Sprintf("%s %q: its ID is taken by another %s: using %s", what, name, what, unique))
	}
	return unique
}

// event reads one event listed under room roomName of day d.
func (p *parser) event(d day, roomName, pos string, raw json.RawMessage) {
	ev, ok := readObject(raw)
	if !ok {
		p.Report(pos, fmt.Sprintf("a JSON %s, not an event object: skipped", kind(raw)))
		return
	}
	guid := str(ev, "guid")
	num, hasNum := ev.integer("id")
	var key string
	stored := false // a session of the stored agenda, formats.Options.Known
	switch {
	case guid != "":
		key = guid
		pos += " (guid " + guid + ")"
		// A guid Export made for an ID that is no UUID (the UUID of the
		// session's calendar UID) gives that ID back when it is the
		// number, or whatever it is for a session of the stored agenda
		// (formats.Options.Known), as in schedule.xml, so that an export
		// imports as the agenda it came from.
		if n := strconv.FormatInt(num, 10); hasNum && strings.EqualFold(guid, schedule.SessionGUID(formats.KeyID(n), p.conf.UIDDomain)) {
			key = n
		} else if id, ok := p.known.Sessions[strings.ToLower(guid)]; ok {
			key, stored = id, true
		}
	case hasNum:
		key = strconv.FormatInt(num, 10)
		pos += " (id " + key + ")"
		p.Report(pos, "no guid: the session's ID comes from its id")
	default:
		p.Report(pos, "no guid and no id: no stable key to follow the session by: skipped")
		return
	}
	id := formats.KeyID(key)
	if first, dup := p.sessionAt[id]; dup {
		p.Report(pos, "the same key as "+first+": skipped")
		return
	}
	title := schedule.OneLine(str(ev, "title"))
	if title == "" {
		p.Report(pos, "no title: skipped")
		return
	}
	start, ok := p.eventStart(pos, d, ev)
	if !ok {
		return
	}
	end, ok := p.eventEnd(pos, start, ev)
	if !ok {
		return
	}
	if !end.After(start) {
		p.Report(pos, fmt.Sprintf("ends (%s) at or before it starts (%s): skipped", end.Format(time.RFC3339), start.Format(time.RFC3339)))
		return
	}
	if err := agenda.CheckLength(start, end); err != nil {
		p.Report(pos, fmt.Sprintf("from %s to %s it %v: skipped", start.Format(time.RFC3339), end.Format(time.RFC3339), err))
		return
	}
	if start.Year() < 1900 || end.Year() > 9999 {
		p.Report(pos, fmt.Sprintf("a time out of range (%s): skipped", start.Format(time.RFC3339)))
		return
	}
	listed := schedule.OneLine(roomName)
	if own := schedule.OneLine(str(ev, "room")); own != "" && own != listed {
		if listed == "" {
			listed = own
		} else {
			p.Report(pos, fmt.Sprintf("its room says %q but it is listed under %q: kept in %q", own, listed, listed))
		}
	}
	if listed == "" {
		p.Report(pos, "no room name: skipped")
		return
	}
	x := agenda.Session{
		ID:           id,
		Title:        p.Fit(pos, "the title", title, agenda.MaxTitleLength),
		Start:        start,
		End:          end,
		Room:         p.room(pos, listed, ""),
		Status:       agenda.StatusConfirmed,
		LastModified: p.now,
		Subtitle:     p.Fit(pos, "the subtitle", schedule.OneLine(str(ev, "subtitle")), agenda.MaxTitleLength),
		Type:         p.Fit(pos, "the type", schedule.OneLine(str(ev, "type")), agenda.MaxNameLength),
		Language:     p.language(pos, str(ev, "language")),
		Speakers:     p.persons(pos, ev),
	}
	if t := schedule.OneLine(str(ev, "track")); t != "" {
		x.Track = p.track(pos, t, "", "")
	} else {
		x.Track = p.defaultTrack()
	}
	x.Abstract = p.abstract(pos, ev)
	if u := p.absURL(pos, "url", str(ev, "url"), p.base); u != nil && !(stored && schedule.OwnLink(u.String(), id)) {
		x.URL = u.String()
	}
	if hasNum && num > 0 {
		x.Number = p.Number(pos, num, p.numberAt)
	} else if ev.has("id") {
		p.Report(pos, fmt.Sprintf("id %s is not a positive whole number: numbered anew", string(ev.raw("id"))))
	}
	p.sessionAt[id] = pos
	p.sessions = append(p.sessions, x)
	if d.hasDate {
		if on := p.conf.DayOf(start, p.loc); on != d.date {
			p.Report(pos, fmt.Sprintf("listed under day %s but at %s it belongs to conference day %s (days change at %s): kept at its time",
				d.date, start.In(p.loc).Format("2006-01-02 15:04"), on, schedule.Clock(p.dayChange)))
		}
	}
}

// eventStart reads when an event starts: its date, else its day's date and
// its start.
func (p *parser) eventStart(pos string, d day, ev object) (time.Time, bool) {
	date := str(ev, "date")
	if t, withOffset, note, ok := parseTime(date, p.loc); ok {
		if withOffset {
			p.checkOffset(pos, t)
		} else {
			p.Report(pos, fmt.Sprintf("date %q has no offset: read in %s", date, p.loc))
		}
		if note != "" {
			p.Report(pos, fmt.Sprintf("date %q %s", date, note))
		}
		// start is the time of day at the date's offset, or (where the
		// date is in UTC for want of an offset with seconds) in the
		// conference's zone.
		if s := str(ev, "start"); s != "" && s != t.Format("15:04") && s != t.In(p.loc).Format("15:04") {
			p.Report(pos, fmt.Sprintf("start %q disagrees with date %q: the date wins", s, date))
		}
		return p.minutes(pos, t), true
	}
	clock, ok := parseClock(str(ev, "start"))
	if !ok || !d.hasDate {
		p.Report(pos, fmt.Sprintf("neither date %q nor start %q with its day's date gives a time: skipped", date, str(ev, "start")))
		return time.Time{}, false
	}
	on := d.date
	if clock < p.dayChange {
		on = on.AddDays(1)
	}
	m := int(clock / time.Minute)
	t, note := schedule.Local(time.Date(on.Year, on.Month, on.Day, m/60, m%60, 0, 0, time.UTC), p.loc)
	p.Report(pos, fmt.Sprintf("no usable date (%q): placed at its day's date and start, %s", date, t.Format(time.RFC3339)))
	if note != "" {
		p.Report(pos, fmt.Sprintf("start %q on %s %s", str(ev, "start"), on, note))
	}
	return t, true
}

// eventEnd reads when an event ends: its end, else start + duration.
func (p *parser) eventEnd(pos string, start time.Time, ev object) (time.Time, bool) {
	dur, hasDur := parseDuration(str(ev, "duration"))
	if s := str(ev, "end"); s != "" {
		if t, _, note, ok := parseTime(s, p.loc); ok {
			if note != "" {
				p.Report(pos, fmt.Sprintf("end %q %s", s, note))
			}
			t = p.minutes(pos, t)
			if hasDur && !start.Add(dur).Equal(t) {
				p.Report(pos, fmt.Sprintf("end %q disagrees with duration %q: the end wins", s, str(ev, "duration")))
			}
			return t, true
		}
		p.Report(pos, fmt.Sprintf("end %q is not a date-time: ignored", s))
	}
	if !hasDur {
		p.Report(pos, fmt.Sprintf("duration %q is not HH:MM and there is no end: skipped", str(ev, "duration")))
		return time.Time{}, false
	}
	return start.Add(dur), true
}

// minutes drops seconds from t, which the agenda keeps to the minute.
func (p *parser) minutes(pos string, t time.Time) time.Time {
	if t.Second() != 0 || t.Nanosecond() != 0 {
		p.Report(pos, fmt.Sprintf("time %s has seconds: dropped", t.Format(time.RFC3339Nano)))
		return schedule.WholeMinute(t)
	}
	return t
}

// checkOffset counts a date whose offset is not the conference zone's. A
// date in UTC where the zone's offset has seconds is not counted: the
// format has no room for such an offset, so UTC is the one faithful way
// to write the instant (schedule.Stamp does).
func (p *parser) checkOffset(pos string, t time.Time) {
	_, off := t.Zone()
	if _, want := t.In(p.loc).Zone(); off == want || off == 0 && want%60 != 0 {
		return
	}
	if p.offsets.n == 0 {
		p.offsets.first, p.offsets.off = pos, t.Format("-07:00")
	}
	p.offsets.n++
}

// persons reads an event's speakers.
func (p *parser) persons(pos string, ev object) []string {
	elems, ok := ev.array("persons")
	if !ok {
		if ev.has("persons") {
			p.Report(pos, "persons is not an array: no speakers")
		}
		return nil
	}
	var ids []string
	for i, raw := range elems {
		o, ok := readObject(raw)
		if !ok {
			p.Report(pos, fmt.Sprintf("person %d is a JSON %s: skipped", i+1, kind(raw)))
			continue
		}
		name := schedule.OneLine(str(o, "name"))
		if name == "" {
			name = schedule.OneLine(str(o, "public_name"))
		}
		if name == "" {
			p.Report(pos, fmt.Sprintf("person %d has no name: skipped", i+1))
			continue
		}
		name = p.Fit(pos, "a speaker's name", name, agenda.MaxNameLength)
		var id string
		if known, ok := p.known.Speakers[strings.ToLower(str(o, "guid"))]; ok && str(o, "code") == "" {
			id = known
		} else if key := cmp.Or(str(o, "code"), str(o, "guid"), str(o, "id")); key != "" {
			id = formats.KeyID(key)
		} else {
			id = schedule.NameID(name)
		}
		if slices.Contains(ids, id) {
			p.Report(pos, fmt.Sprintf("speaker %q is listed twice: kept once", name))
			continue
		}
		if at, ok := p.speakerAt[id]; ok {
			if p.speakers[at].Name != name {
				p.Report(pos, fmt.Sprintf("speaker %s is %q here but %q before: kept %q", id, name, p.speakers[at].Name, p.speakers[at].Name))
			}
		} else {
			p.speakerAt[id] = len(p.speakers)
			p.speakers = append(p.speakers, agenda.Speaker{ID: id, Name: name})
		}
		ids = append(ids, id)
	}
	return ids
}

// abstract joins an event's abstract and description as plain text.
func (p *parser) abstract(pos string, ev object) string {
	a := schedule.JoinText(richText(str(ev, "abstract")), richText(str(ev, "description")))
	return p.Fit(pos, "the abstract", a, agenda.MaxAbstractLength)
}

// defaultTrack returns the ID of the track of events that name none.
func (p *parser) defaultTrack() string {
	if id, ok := p.trackByNm[formats.DefaultTrack.Name]; ok {
		return id
	}
	t := formats.DefaultTrack
	if p.trackIDs[t.ID] {
		t.ID = p.uniqueID("", "track", t.Name, "", p.trackIDs)
	}
	p.trackIDs[t.ID] = true
	p.trackByNm[t.Name] = t.ID
	p.tracks = append(p.tracks, t)
	return t.ID
}

// language returns tag when it is a BCP 47 language tag.
func (p *parser) language(pos, tag string) string {
	if tag == "" {
		return ""
	}
	t := strings.ReplaceAll(tag, "_", "-")
	if !schedule.LanguageTag(t, 8) {
		p.Report(pos, fmt.Sprintf("language %q is not a BCP 47 tag: left out", tag))
		return ""
	}
	return t
}

// absURL reads an http(s) URL, relative ones resolved against base; it
// reports and returns nil for anything else but "".
func (p *parser) absURL(pos, field, s string, base *url.URL) *url.URL {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err == nil && base != nil && !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsFunc(s, unicode.IsSpace) {
		p.Report(pos, fmt.Sprintf("%s %q is not an http(s) URL: left out", field, s))
		return nil
	}
	return u
}

// finish settles the conference's days and reports what the whole document
// got wrong.
func (p *parser) finish(days []day) error {
	var first, last agenda.Date
	have := false
	if p.stated != nil {
		first, last, have = p.stated[0], p.stated[1], true
	} else {
		for _, d := range days {
			if !d.hasDate {
				continue
			}
			if !have || d.date.Before(first) {
				first = d.date
			}
			if !have || last.Before(d.date) {
				last = d.date
			}
			have = true
		}
		if have && schedule.DaysBetween(first, last) >= schedule.MaxDays {
			p.Report("", fmt.Sprintf("the days run from %s to %s, more than %d days: the days come from the events", first, last, schedule.MaxDays))
			have = false
		}
	}
	givenFirst, givenLast, given := first, last, have
	kept := p.sessions[:0]
	for _, x := range p.sessions {
		from := p.conf.DayOf(x.Start, p.loc)
		to := p.conf.DayOf(x.End.Add(-time.Nanosecond), p.loc)
		f, l := from, to
		if have {
			f, l = schedule.MinDate(first, from), schedule.MaxDate(last, to)
		}
		if schedule.DaysBetween(f, l) >= schedule.MaxDays {
			p.Report(p.sessionAt[x.ID], fmt.Sprintf("on %s to %s, which would make the conference longer than %d days: skipped", from, to, schedule.MaxDays))
			continue
		}
		first, last, have = f, l, true
		kept = append(kept, x)
	}
	p.sessions = kept
	if len(p.sessions) == 0 {
		return fmt.Errorf("%s: no usable event (every event lies outside the conference's days)", p.Name)
	}
	if given && (first != givenFirst || last != givenLast) {
		p.Report("", fmt.Sprintf("the conference's days (%s to %s) do not hold every event: they run from %s to %s here", givenFirst, givenLast, first, last))
	}
	p.conf.First, p.conf.Last = first, last
	if p.offsets.n > 0 {
		p.Report("", fmt.Sprintf("time_zone_name says %s, but %d event dates carry other offsets (the first: %s, at %s): their times come from those offsets, and calendars show them in %s",
			p.loc, p.offsets.n, p.offsets.off, p.offsets.first, p.loc))
	}
	return nil
}

// richText turns an abstract into plain text: HTML through
// formats.PlainText, other text kept as written (its "<" and "&" are
// text), blanks tidied the same way.
func richText(s string) string {
	if !looksHTML(s) {
		s = html.EscapeString(s)
	}
	return formats.PlainText(s)
}

// looksHTML reports whether s holds HTML markup rather than text that
// happens to use "<" (a closing tag, a line break or a paragraph).
func looksHTML(s string) bool {
	l := strings.ToLower(s)
	for _, m := range []string{"</", "<br", "<p>", "<p ", "<li>", "<img "} {
		if strings.Contains(l, m) {
			return true
		}
	}
	return false
}

// parseTime reads an ISO 8601 date-time; one without an offset is read in
// loc (withOffset false) as schedule.Local reads it, note saying how when
// the clocks skip the time or show it twice.
func parseTime(s string, loc *time.Location) (t time.Time, withOffset bool, note string, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true, "", true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if wall, err := time.Parse(layout, s); err == nil {
			t, note := schedule.Local(wall, loc)
			return t, false, note, true
		}
	}
	return time.Time{}, false, "", false
}

// parseDay reads a date written as YYYY-MM-DD, or the date of a date-time.
func parseDay(s string) (agenda.Date, bool) {
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	d, err := agenda.ParseDate(s)
	return d, err == nil && d.Year >= 1900 && d.Year <= 9999
}

// parseClock reads a time of day written as HH:MM.
func parseClock(s string) (time.Duration, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

// parseDuration reads a duration written as H:MM or H:MM:SS (hours may
// exceed 24).
func parseDuration(s string) (time.Duration, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var n [3]int
	for i, part := range parts {
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 || part == "" || part[0] == '+' || i > 0 && (v > 59 || len(part) != 2) || i == 0 && v > 24*schedule.MaxDays {
			return 0, false
		}
		n[i] = v
	}
	d := time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute + time.Duration(n[2])*time.Second
	return d.Truncate(time.Minute), true
}

package sessionize

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"
)

// Parse reads the Sessionize All view into agenda contents and the
// problems it repaired or skipped (see the package documentation for every
// rule). It fails when data is not JSON, is not the All view, when
// opts.TimeZone is not set (the view names no zone) or when no session is
// usable. Errors and positions name opts.Name.
func Parse(data []byte, opts formats.Options) (formats.Result, error) {
	p := &parser{
		Places:    schedule.Places{Name: cmp.Or(opts.Name, "all.json")},
		opts:      opts,
		now:       schedule.Now(opts),
		items:     map[string]item{},
		trackID:   map[string]string{},
		trackIDs:  map[string]bool{},
		trackUsed: map[string]bool{},
		roomByKey: map[string]string{},
		speakerBy: map[string]agenda.Speaker{},
		spkrUsed:  map[string]bool{},
		sessionAt: map[string]string{},
		numberAt:  map[int64]string{},
	}
	doc, err := p.document(data)
	if err != nil {
		return formats.Result{}, err
	}
	if p.loc, _, err = formats.Zone(opts, ""); err != nil {
		return formats.Result{}, err
	}
	p.conf = agenda.Conference{TimeZone: p.loc.String()}
	p.conference()
	p.categories(doc["categories"])
	p.rooms(doc["rooms"])
	p.speakers(doc["speakers"])
	sessions, _ := schedule.Array(doc["sessions"])
	for i, raw := range sessions {
		p.session(i, raw)
	}
	if len(p.sessions) == 0 {
		why := "its sessions array is empty"
		if len(sessions) > 0 {
			why = fmt.Sprintf("%d sessions, none usable; the last: %s", len(sessions), p.LastSkip)
		}
		return formats.Result{}, fmt.Errorf("%s: no usable session (%s)", p.Name, why)
	}
	p.finish()
	return p.Result(agenda.Contents{Conference: p.conf, Tracks: p.usedTracks(), Rooms: p.roomList, Speakers: p.usedSpeakers(), Sessions: p.sessions})
}

// parser holds the state of one Parse call.
type parser struct {
	schedule.Places
	opts formats.Options
	now  time.Time
	loc  *time.Location
	conf agenda.Conference

	trackCat, typeCat string          // the categories' ids, "" for none
	items             map[string]item // category item id → item
	trackNames        []string        // the track category's item names in order
	trackID           map[string]string
	trackIDs          map[string]bool   // IDs given to tracks
	trackUsed         map[string]bool   // track names kept sessions use
	roomByKey         map[string]string // Sessionize room id → room ID
	roomList          []agenda.Room
	speakerBy         map[string]agenda.Speaker // Sessionize speaker id → speaker
	speakerKeys       []string                  // speaker ids in the array's order
	spkrUsed          map[string]bool           // speaker IDs kept sessions name
	sessions          []agenda.Session
	sessionAt         map[string]string // session ID → its position
	numberAt          map[int64]string
}

// item is one item of a session category.
type item struct {
	category string // the category's id
	name     string
	// order is the item's position among all categories' items: in the
	// list's order of categories, each category's in its own order, so
	// that two categories that share an id still give one order.
	order int
}

// document reads data as the All view's object of arrays.
func (p *parser) document(data []byte) (map[string]json.RawMessage, error) {
	raw, err := p.DecodeJSON(data, "the Sessionize All view")
	if err != nil {
		return nil, err
	}
	if raw[0] == '[' {
		return nil, fmt.Errorf("%s: a JSON array: this is a Sessionize view other than All (export …/api/v2/{id}/view/All)", p.Name)
	}
	var doc map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &doc) != nil {
		return nil, fmt.Errorf("%s: not a JSON object: not the Sessionize All view", p.Name)
	}
	if _, ok := schedule.Array(doc["sessions"]); !ok {
		return nil, fmt.Errorf("%s: no \"sessions\" array: not the Sessionize All view", p.Name)
	}
	return doc, nil
}

// conference names the conference, which the All view does not.
func (p *parser) conference() {
	// Named after the document, unless it is just the view's own name
	// (".../view/All", "all.json"), which would name every Sessionize
	// conference alike.
	name := schedule.NamedAfter(p.opts.Name, "Sessionize agenda")
	if strings.EqualFold(name, "all") {
		name = "Sessionize agenda"
	}
	name, _ = formats.Fit(name, agenda.MaxConferenceNameLength)
	p.conf.Name = name
	if !p.opts.NameGiven {
		p.Report("", fmt.Sprintf("the Sessionize All view names no conference: named it %q", name))
	}
	p.conf.UIDDomain = strings.TrimSpace(p.opts.UIDDomain)
	if p.conf.UIDDomain == "" {
		// The name's slug, as every other format makes it: an export to
		// schedule.xml or schedule.json carries the name, not the
		// domain, and reading it back makes the same one from it.
		p.conf.UIDDomain = cmp.Or(agenda.Slug(name), "sessionize") + ".invalid"
		p.Report("", "no domain for calendar UIDs given: using "+p.conf.UIDDomain)
	}
}

// categories finds the track and type categories and their items, and
// gives the tracks their IDs in the track category's order.
func (p *parser) categories(raw json.RawMessage) {
	// The titles of a track category, most telling first, and of the
	// category that says what kind of session it is.
	trackTitles := [...][]string{{"track", "tracks"}, {"topic", "topics"}, {"category", "categories"}, {"theme", "themes"}, {"stream", "streams"}}
	typeTitles := []string{"session format", "session formats", "format", "formats", "session type", "session types", "type"}
	type catItem struct {
		id, name string
		sort     int64
	}
	cats, _ := schedule.Array(raw)
	trackRank, order := -1, 0
	for i, c := range cats {
		f, ok := object(c)
		if !ok {
			p.Report(fmt.Sprintf("category %d in the list", i+1), "not an object: skipped")
			continue
		}
		if t := strings.ToLower(str(f, "type")); t != "" && t != "session" {
			continue // speaker categories describe people
		}
		id := key(f["id"])
		if id == "" {
			id = fmt.Sprintf("#%d", i+1) // the category's items still belong together
		}
		title := strings.ToLower(schedule.OneLine(str(f, "title")))
		if r := slices.IndexFunc(trackTitles[:], func(names []string) bool { return slices.Contains(names, title) }); r >= 0 && (trackRank < 0 || r < trackRank) {
			p.trackCat, trackRank = id, r
		}
		if p.typeCat == "" && slices.Contains(typeTitles, title) {
			p.typeCat = id
		}
		elems, _ := schedule.Array(f["items"])
		var its []catItem
		for _, e := range elems {
			if g, ok := object(e); ok {
				s, _ := integer(g["sort"])
				name, _ := formats.Fit(schedule.OneLine(str(g, "name")), agenda.MaxNameLength)
				its = append(its, catItem{key(g["id"]), name, s})
			}
		}
		slices.SortStableFunc(its, func(a, b catItem) int { return cmp.Compare(a.sort, b.sort) })
		for _, it := range its {
			if _, dup := p.items[it.id]; dup || it.id == "" || it.name == "" {
				continue
			}
			p.items[it.id] = item{category: id, name: it.name, order: order}
			order++
		}
	}
	var trackItems []item
	for _, it := range p.items {
		if it.category == p.trackCat {
			trackItems = append(trackItems, it)
		}
	}
	slices.SortFunc(trackItems, func(a, b item) int { return cmp.Compare(a.order, b.order) })
	for _, it := range trackItems {
		if _, ok := p.trackID[it.name]; !ok {
			p.trackID[it.name] = schedule.Unique(schedule.NameID(it.name), p.trackIDs)
			p.trackNames = append(p.trackNames, it.name)
		}
	}
}

// rooms reads the rooms array.
func (p *parser) rooms(raw json.RawMessage) {
	elems, _ := schedule.Array(raw)
	type room struct {
		key, name string
		sort      int64
		pos       int
	}
	var rs []room
	for i, e := range elems {
		f, ok := object(e)
		name := schedule.OneLine(str(f, "name"))
		switch {
		case !ok || key(f["id"]) == "":
			p.Report(fmt.Sprintf("room %d in the list", i+1), "no id: skipped")
			continue
		case name == "":
			p.Report("room "+key(f["id"]), "no name: skipped")
			continue
		}
		s, _ := integer(f["sort"])
		rs = append(rs, room{key(f["id"]), name, s, i})
	}
	slices.SortStableFunc(rs, func(a, b room) int { return cmp.Compare(a.sort, b.sort) })
	used := map[string]bool{}
	for _, r := range rs {
		if _, dup := p.roomByKey[r.key]; dup {
			p.Report("room "+r.key, "listed twice: kept the first")
			continue
		}
		name, cut := formats.Fit(r.name, agenda.MaxNameLength)
		if cut {
			p.Report("room "+r.key, fmt.Sprintf("its name is longer than %d characters: cut", agenda.MaxNameLength))
		}
		id := schedule.Unique(schedule.NameID(name), used)
		if id != agenda.Slug(name) && agenda.Slug(name) != "" {
			p.Report("room "+r.key, fmt.Sprintf("room %q: its ID is taken by another room: using %s", name, id))
		}
		p.roomByKey[r.key] = id
		p.roomList = append(p.roomList, agenda.Room{ID: id, Name: name})
	}
}

// speakers reads the speakers array.
func (p *parser) speakers(raw json.RawMessage) {
	elems, _ := schedule.Array(raw)
	for i, e := range elems {
		f, ok := object(e)
		k := key(f["id"])
		if !ok || k == "" {
			p.Report(fmt.Sprintf("speaker %d in the list", i+1), "no id: skipped")
			continue
		}
		if _, dup := p.speakerBy[k]; dup {
			p.Report("speaker "+k, "listed twice: kept the first")
			continue
		}
		name := schedule.OneLine(str(f, "fullName"))
		if name == "" {
			name = schedule.OneLine(str(f, "firstName") + " " + str(f, "lastName"))
		}
		if name == "" {
			p.Report("speaker "+k, "no name: skipped")
			continue
		}
		name, cut := formats.Fit(name, agenda.MaxNameLength)
		if cut {
			p.Report("speaker "+k, fmt.Sprintf("the name is longer than %d characters: cut", agenda.MaxNameLength))
		}
		p.speakerBy[k] = agenda.Speaker{ID: formats.KeyID(k), Name: name}
		p.speakerKeys = append(p.speakerKeys, k)
	}
}

// session reads the i-th session.
func (p *parser) session(i int, raw json.RawMessage) {
	f, ok := object(raw)
	k := key(f["id"])
	if !ok || k == "" {
		p.Report(fmt.Sprintf("session %d in the list", i+1), "no id to follow the session by: skipped")
		return
	}
	pos := "session " + k
	id := formats.KeyID(k)
	if first, dup := p.sessionAt[id]; dup {
		p.Report(pos, "listed twice (first as "+first+"): skipped")
		return
	}
	title := schedule.OneLine(str(f, "title"))
	if title == "" {
		p.Report(pos, "no title: skipped")
		return
	}
	status, ok := p.status(pos, str(f, "status"))
	if !ok {
		return
	}
	start, okStart := p.time(pos, "startsAt", str(f, "startsAt"))
	end, okEnd := p.time(pos, "endsAt", str(f, "endsAt"))
	if !okStart || !okEnd {
		p.Report(pos, "not scheduled (no readable startsAt and endsAt): skipped")
		return
	}
	if !end.After(start) {
		p.Report(pos, fmt.Sprintf("ends (%s) at or before it starts (%s): skipped", end.Format(time.DateTime), start.Format(time.DateTime)))
		return
	}
	if err := agenda.CheckLength(start, end); err != nil {
		p.Report(pos, fmt.Sprintf("from %s to %s it %v: skipped", start.Format(time.DateTime), end.Format(time.DateTime), err))
		return
	}
	room, ok := p.roomByKey[key(f["roomId"])]
	if !ok {
		p.Report(pos, fmt.Sprintf("roomId %s names no room of the rooms array: skipped", cmp.Or(string(f["roomId"]), "(none)")))
		return
	}
	x := agenda.Session{
		ID:           id,
		Title:        p.Fit(pos, "the title", title, agenda.MaxTitleLength),
		Start:        start,
		End:          end,
		Room:         room,
		Abstract:     p.Fit(pos, "the description", plain(str(f, "description")), agenda.MaxAbstractLength),
		Status:       status,
		LastModified: p.now,
		Speakers:     p.sessionSpeakers(pos, f["speakers"]),
	}
	track, typ := p.sessionCategories(pos, f["categoryItems"])
	x.Track = p.track(track)
	x.Type = typ
	if n, err := strconv.ParseInt(k, 10, 64); err == nil && n > 0 {
		x.Number = p.Number(pos, n, p.numberAt)
	}
	p.sessionAt[id] = pos
	p.sessions = append(p.sessions, x)
}

// status reads a session's status; ok is false for one that is not on the
// programme.
func (p *parser) status(pos, s string) (agenda.Status, bool) {
	switch strings.ToLower(s) {
	case "", "accepted", "confirmed":
		return agenda.StatusConfirmed, true
	case "cancelled", "canceled":
		return agenda.StatusCancelled, true
	case "declined", "rejected":
		p.Report(pos, fmt.Sprintf("status %q: not on the programme: skipped", s))
		return "", false
	}
	p.Report(pos, fmt.Sprintf("unknown status %q: kept as confirmed", s))
	return agenda.StatusConfirmed, true
}

// time reads startsAt or endsAt: wall-clock time in the conference's zone,
// or an instant when it carries an offset.
func (p *parser) time(pos, field, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	var t time.Time
	var err error
	local := !(len(s) > 19 && (strings.HasSuffix(s, "Z") || strings.ContainsAny(s[19:], "+-")))
	if !local {
		t, err = time.Parse(time.RFC3339, s)
	} else {
		// The fields as written; schedule.Local reads them in the zone.
		t, err = time.Parse("2006-01-02T15:04:05", s)
		if err != nil {
			t, err = time.Parse("2006-01-02T15:04", s)
		}
	}
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		p.Report(pos, fmt.Sprintf("%s %q is not a date and time", field, s))
		return time.Time{}, false
	}
	if local {
		var note string
		if t, note = schedule.Local(t, p.loc); note != "" {
			p.Report(pos, fmt.Sprintf("%s %q %s", field, s, note))
		}
	}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		p.Report(pos, fmt.Sprintf("%s %q has seconds: dropped", field, s))
		t = schedule.WholeMinute(t)
	}
	return t, true
}

// sessionSpeakers maps a session's speaker ids to speaker IDs.
func (p *parser) sessionSpeakers(pos string, raw json.RawMessage) []string {
	elems, _ := schedule.Array(raw)
	var ids []string
	for _, e := range elems {
		k := key(e)
		sp, ok := p.speakerBy[k]
		switch {
		case !ok:
			p.Report(pos, fmt.Sprintf("speaker %s is not in the speakers array: left out", cmp.Or(k, string(e))))
		case slices.Contains(ids, sp.ID):
			p.Report(pos, fmt.Sprintf("speaker %s is listed twice: kept once", k))
		default:
			ids = append(ids, sp.ID)
			p.spkrUsed[sp.ID] = true
		}
	}
	return ids
}

// sessionCategories finds a session's track and type among its category
// items.
func (p *parser) sessionCategories(pos string, raw json.RawMessage) (track, typ string) {
	elems, _ := schedule.Array(raw)
	var tracks []item
	for _, e := range elems {
		it, ok := p.items[key(e)]
		switch {
		case !ok:
			// An item of a speaker category or one the view left out.
		case it.category == p.trackCat && !slices.Contains(tracks, it):
			tracks = append(tracks, it)
		case it.category == p.typeCat && typ == "":
			typ = it.name
		}
	}
	typ, _ = formats.Fit(typ, agenda.MaxNameLength)
	if len(tracks) == 0 {
		return "", typ
	}
	slices.SortFunc(tracks, func(a, b item) int { return cmp.Compare(a.order, b.order) })
	if len(tracks) > 1 {
		names := make([]string, len(tracks))
		for i, t := range tracks {
			names[i] = t.name
		}
		p.Report(pos, fmt.Sprintf("in %d tracks (%s): kept %q", len(tracks), strings.Join(names, ", "), tracks[0].name))
	}
	return tracks[0].name, typ
}

// track returns the ID of the track named name; "" is formats.DefaultTrack
// (or a track of the category with its name).
func (p *parser) track(name string) string {
	if name == "" {
		name = formats.DefaultTrack.Name
		if _, ok := p.trackID[name]; !ok {
			id := formats.DefaultTrack.ID
			if p.trackIDs[id] {
				id = schedule.Unique(schedule.NameID(name), p.trackIDs)
			}
			p.trackIDs[id] = true
			p.trackID[name] = id
			p.trackNames = append(p.trackNames, name)
		}
	}
	p.trackUsed[name] = true
	return p.trackID[name]
}

// usedTracks lists the tracks kept sessions use, in the track category's
// order, the default track last.
func (p *parser) usedTracks() []agenda.Track {
	var out []agenda.Track
	for _, name := range p.trackNames {
		if !p.trackUsed[name] {
			continue
		}
		t := agenda.Track{ID: p.trackID[name], Name: name}
		if name == formats.DefaultTrack.Name && t.ID == formats.DefaultTrack.ID {
			t.Color = formats.DefaultTrack.Color
		}
		out = append(out, t)
	}
	return out
}

// usedSpeakers lists the speakers kept sessions name, in the array's
// order.
func (p *parser) usedSpeakers() []agenda.Speaker {
	var out []agenda.Speaker
	for _, k := range p.speakerKeys {
		if sp := p.speakerBy[k]; p.spkrUsed[sp.ID] {
			out = append(out, sp)
			p.spkrUsed[sp.ID] = false // once, should two keys share an ID
		}
	}
	return out
}

// finish settles the conference's days: those of the sessions, at most
// schedule.MaxDays from the first.
func (p *parser) finish() {
	slices.SortStableFunc(p.sessions, func(a, b agenda.Session) int { return a.Start.Compare(b.Start) })
	first := agenda.DateOf(p.sessions[0].Start, p.loc)
	last := first
	kept := p.sessions[:0]
	for _, x := range p.sessions {
		to := agenda.DateOf(x.End.Add(-time.Nanosecond), p.loc)
		if schedule.DaysBetween(first, to) >= schedule.MaxDays {
			p.Report(p.sessionAt[x.ID], fmt.Sprintf("ends on %s, more than %d days after the first session: skipped", to, schedule.MaxDays))
			continue
		}
		if last.Before(to) {
			last = to
		}
		kept = append(kept, x)
	}
	p.sessions = kept
	p.conf.First, p.conf.Last = first, last
}

// plain tidies a plain-text description: formats.PlainText on the text
// with its markup characters escaped, so nothing in it is read as HTML.
func plain(s string) string { return formats.PlainText(html.EscapeString(s)) }

// object reads raw as a JSON object.
func object(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	var f map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &f) != nil {
		return nil, false
	}
	return f, true
}

// str returns member k of f when it is a string.
func str(f map[string]json.RawMessage, k string) string {
	var s string
	if json.Unmarshal(f[k], &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// key reads an id, written as a string or a number.
func key(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// integer reads a whole number.
func integer(raw json.RawMessage) (int64, bool) {
	n, err := strconv.ParseInt(key(raw), 10, 64)
	return n, err == nil
}

package sessionize

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"confcal/agenda"
	"confcal/formats"
)

// uidDomain is the UID domain of an import given none.
const uidDomain = "sessionize.invalid"

// Parse reads the Sessionize All view into agenda contents and the
// problems it repaired or skipped (see the package documentation for every
// rule). It fails when data is not JSON, is not the All view, when
// opts.TimeZone is not set (the view names no zone) or when no session is
// usable. Errors and positions name opts.Name.
func Parse(data []byte, opts formats.Options) (formats.Result, error) {
	p := &parser{
		name:      cmp.Or(opts.Name, "all.json"),
		opts:      opts,
		now:       opts.Now,
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
	if p.now.IsZero() {
		p.now = time.Now()
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
	sessions, _ := list(doc["sessions"])
	for i, raw := range sessions {
		p.session(i, raw)
	}
	if len(p.sessions) == 0 {
		why := "its sessions array is empty"
		if len(sessions) > 0 {
			why = fmt.Sprintf("%d sessions, none usable; the last: %s", len(sessions), p.lastSkip)
		}
		return formats.Result{}, fmt.Errorf("%s: no usable session (%s)", p.name, why)
	}
	p.finish()
	c := agenda.Contents{Conference: p.conf, Tracks: p.usedTracks(), Rooms: p.roomList, Speakers: p.usedSpeakers(), Sessions: p.sessions}
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); err != nil {
		return formats.Result{}, fmt.Errorf("%s: the imported agenda breaks a rule of the model: %w", p.name, err)
	}
	return formats.Result{Contents: c, Problems: p.problems}, nil
}

// parser holds the state of one Parse call.
type parser struct {
	name     string
	opts     formats.Options
	now      time.Time
	loc      *time.Location
	conf     agenda.Conference
	problems []formats.Problem
	lastSkip string

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
	order    int // position in its category
}

// report records a problem at where ("session 4711"; "" for the whole
// document).
func (p *parser) report(where, reason string) {
	pos := p.name
	if where != "" {
		pos += ": " + where
	}
	p.problems = append(p.problems, formats.Problem{Pos: pos, Reason: reason})
	if strings.HasSuffix(reason, "skipped") {
		p.lastSkip = where + ": " + reason
	}
}

// document reads data as the All view's object of arrays.
func (p *parser) document(data []byte) (map[string]json.RawMessage, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&raw)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return nil, fmt.Errorf("%s:%s: not JSON: %w", p.name, lineCol(data, syn.Offset-1), err)
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%s: empty document, want the Sessionize All view", p.name)
	case err != nil:
		return nil, fmt.Errorf("%s: not JSON: %w", p.name, err)
	}
	off := dec.InputOffset()
	if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
		rest := bytes.TrimLeft(data[off:], " \t\r\n")
		return nil, fmt.Errorf("%s:%s: more after the JSON document", p.name, lineCol(data, int64(len(data)-len(rest))))
	}
	if raw[0] == '[' {
		return nil, fmt.Errorf("%s: a JSON array: this is a Sessionize view other than All (export …/api/v2/{id}/view/All)", p.name)
	}
	var doc map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &doc) != nil {
		return nil, fmt.Errorf("%s: not a JSON object: not the Sessionize All view", p.name)
	}
	if _, ok := list(doc["sessions"]); !ok {
		return nil, fmt.Errorf("%s: no \"sessions\" array: not the Sessionize All view", p.name)
	}
	return doc, nil
}

// conference names the conference, which the All view does not.
func (p *parser) conference() {
	name, _ := formats.Fit(cmp.Or(oneLine(p.opts.Name), "Sessionize agenda"), maxConferenceName)
	p.conf.Name = name
	p.report("", fmt.Sprintf("the Sessionize All view names no conference: named it %q", name))
	p.conf.UIDDomain = strings.TrimSpace(p.opts.UIDDomain)
	if p.conf.UIDDomain == "" {
		p.conf.UIDDomain = uidDomain
		p.report("", "no domain for calendar UIDs given: using "+uidDomain)
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
	cats, _ := list(raw)
	trackRank := -1
	for i, c := range cats {
		f, ok := object(c)
		if !ok {
			p.report(fmt.Sprintf("category %d in the list", i+1), "not an object: skipped")
			continue
		}
		if t := strings.ToLower(str(f, "type")); t != "" && t != "session" {
			continue // speaker categories describe people
		}
		id := key(f["id"])
		if id == "" {
			id = fmt.Sprintf("#%d", i+1) // the category's items still belong together
		}
		title := strings.ToLower(oneLine(str(f, "title")))
		if r := slices.IndexFunc(trackTitles[:], func(names []string) bool { return slices.Contains(names, title) }); r >= 0 && (trackRank < 0 || r < trackRank) {
			p.trackCat, trackRank = id, r
		}
		if p.typeCat == "" && slices.Contains(typeTitles, title) {
			p.typeCat = id
		}
		elems, _ := list(f["items"])
		var its []catItem
		for _, e := range elems {
			if g, ok := object(e); ok {
				s, _ := integer(g["sort"])
				name, _ := formats.Fit(oneLine(str(g, "name")), maxName)
				its = append(its, catItem{key(g["id"]), name, s})
			}
		}
		slices.SortStableFunc(its, func(a, b catItem) int { return cmp.Compare(a.sort, b.sort) })
		for n, it := range its {
			if _, dup := p.items[it.id]; dup || it.id == "" || it.name == "" {
				continue
			}
			p.items[it.id] = item{category: id, name: it.name, order: n}
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
			p.trackID[it.name] = unique(it.name, p.trackIDs)
			p.trackNames = append(p.trackNames, it.name)
		}
	}
}

// rooms reads the rooms array.
func (p *parser) rooms(raw json.RawMessage) {
	elems, _ := list(raw)
	type room struct {
		key, name string
		sort      int64
		pos       int
	}
	var rs []room
	for i, e := range elems {
		f, ok := object(e)
		name := oneLine(str(f, "name"))
		switch {
		case !ok || key(f["id"]) == "":
			p.report(fmt.Sprintf("room %d in the list", i+1), "no id: skipped")
			continue
		case name == "":
			p.report("room "+key(f["id"]), "no name: skipped")
			continue
		}
		s, _ := integer(f["sort"])
		rs = append(rs, room{key(f["id"]), name, s, i})
	}
	slices.SortStableFunc(rs, func(a, b room) int { return cmp.Compare(a.sort, b.sort) })
	used := map[string]bool{}
	for _, r := range rs {
		if _, dup := p.roomByKey[r.key]; dup {
			p.report("room "+r.key, "listed twice: kept the first")
			continue
		}
		name, cut := formats.Fit(r.name, maxName)
		if cut {
			p.report("room "+r.key, fmt.Sprintf("its name is longer than %d characters: cut", maxName))
		}
		id := unique(name, used)
		if id != agenda.Slug(name) && agenda.Slug(name) != "" {
			p.report("room "+r.key, fmt.Sprintf("room %q: its ID is taken by another room: using %s", name, id))
		}
		p.roomByKey[r.key] = id
		p.roomList = append(p.roomList, agenda.Room{ID: id, Name: name})
	}
}

// speakers reads the speakers array.
func (p *parser) speakers(raw json.RawMessage) {
	elems, _ := list(raw)
	for i, e := range elems {
		f, ok := object(e)
		k := key(f["id"])
		if !ok || k == "" {
			p.report(fmt.Sprintf("speaker %d in the list", i+1), "no id: skipped")
			continue
		}
		if _, dup := p.speakerBy[k]; dup {
			p.report("speaker "+k, "listed twice: kept the first")
			continue
		}
		name := oneLine(str(f, "fullName"))
		if name == "" {
			name = oneLine(str(f, "firstName") + " " + str(f, "lastName"))
		}
		if name == "" {
			p.report("speaker "+k, "no name: skipped")
			continue
		}
		name, cut := formats.Fit(name, maxName)
		if cut {
			p.report("speaker "+k, fmt.Sprintf("the name is longer than %d characters: cut", maxName))
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
		p.report(fmt.Sprintf("session %d in the list", i+1), "no id to follow the session by: skipped")
		return
	}
	pos := "session " + k
	id := formats.KeyID(k)
	if first, dup := p.sessionAt[id]; dup {
		p.report(pos, "listed twice (first as "+first+"): skipped")
		return
	}
	title := oneLine(str(f, "title"))
	if title == "" {
		p.report(pos, "no title: skipped")
		return
	}
	status, ok := p.status(pos, str(f, "status"))
	if !ok {
		return
	}
	start, okStart := p.time(pos, "startsAt", str(f, "startsAt"))
	end, okEnd := p.time(pos, "endsAt", str(f, "endsAt"))
	if !okStart || !okEnd {
		p.report(pos, "not scheduled (no readable startsAt and endsAt): skipped")
		return
	}
	if !end.After(start) {
		p.report(pos, fmt.Sprintf("ends (%s) at or before it starts (%s): skipped", end.Format(time.DateTime), start.Format(time.DateTime)))
		return
	}
	room, ok := p.roomByKey[key(f["roomId"])]
	if !ok {
		p.report(pos, fmt.Sprintf("roomId %s names no room of the rooms array: skipped", cmp.Or(string(f["roomId"]), "(none)")))
		return
	}
	x := agenda.Session{
		ID:           id,
		Title:        p.fit(pos, "the title", title, maxTitle),
		Start:        start,
		End:          end,
		Room:         room,
		Abstract:     p.fit(pos, "the description", plain(str(f, "description")), maxAbstract),
		Status:       status,
		LastModified: p.now.UTC(),
		Speakers:     p.sessionSpeakers(pos, f["speakers"]),
	}
	track, typ := p.sessionCategories(pos, f["categoryItems"])
	x.Track = p.track(track)
	x.Type = typ
	if n, err := strconv.ParseInt(k, 10, 64); err == nil && n > 0 {
		if first, dup := p.numberAt[n]; dup {
			p.report(pos, fmt.Sprintf("id %d is also the id of %s: numbered anew", n, first))
		} else {
			x.Number = n
			p.numberAt[n] = pos
		}
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
		p.report(pos, fmt.Sprintf("status %q: not on the programme: skipped", s))
		return "", false
	}
	p.report(pos, fmt.Sprintf("unknown status %q: kept as confirmed", s))
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
	if len(s) > 19 && (strings.HasSuffix(s, "Z") || strings.ContainsAny(s[19:], "+-")) {
		t, err = time.Parse(time.RFC3339, s)
	} else {
		t, err = time.ParseInLocation("2006-01-02T15:04:05", s, p.loc)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02T15:04", s, p.loc)
		}
	}
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		p.report(pos, fmt.Sprintf("%s %q is not a date and time", field, s))
		return time.Time{}, false
	}
	if len(s) <= 19 && len(s) >= 16 && t.Format("2006-01-02T15:04") != s[:16] {
		// The clocks skipped this time (a DST change): time.Date reads
		// it with the offset of one side of the gap; say which.
		p.report(pos, fmt.Sprintf("%s %q does not exist in %s (the clocks skip it): read as %s", field, s, p.loc, t.Format("15:04 MST")))
	}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		p.report(pos, fmt.Sprintf("%s %q has seconds: dropped", field, s))
		t = t.Add(-time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
	}
	return t, true
}

// sessionSpeakers maps a session's speaker ids to speaker IDs.
func (p *parser) sessionSpeakers(pos string, raw json.RawMessage) []string {
	elems, _ := list(raw)
	var ids []string
	for _, e := range elems {
		k := key(e)
		sp, ok := p.speakerBy[k]
		switch {
		case !ok:
			p.report(pos, fmt.Sprintf("speaker %s is not in the speakers array: left out", cmp.Or(k, string(e))))
		case slices.Contains(ids, sp.ID):
			p.report(pos, fmt.Sprintf("speaker %s is listed twice: kept once", k))
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
	elems, _ := list(raw)
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
	typ, _ = formats.Fit(typ, maxName)
	if len(tracks) == 0 {
		return "", typ
	}
	slices.SortFunc(tracks, func(a, b item) int { return cmp.Compare(a.order, b.order) })
	if len(tracks) > 1 {
		names := make([]string, len(tracks))
		for i, t := range tracks {
			names[i] = t.name
		}
		p.report(pos, fmt.Sprintf("in %d tracks (%s): kept %q", len(tracks), strings.Join(names, ", "), tracks[0].name))
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
				id = unique(name, p.trackIDs)
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
// maxDays from the first.
func (p *parser) finish() {
	slices.SortStableFunc(p.sessions, func(a, b agenda.Session) int { return a.Start.Compare(b.Start) })
	first := agenda.DateOf(p.sessions[0].Start, p.loc)
	last := first
	kept := p.sessions[:0]
	for _, x := range p.sessions {
		to := agenda.DateOf(x.End.Add(-time.Nanosecond), p.loc)
		if daysBetween(first, to) >= maxDays {
			p.report(p.sessionAt[x.ID], fmt.Sprintf("ends on %s, more than %d days after the first session: skipped", to, maxDays))
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

// fit cuts s to max characters and reports when it had to.
func (p *parser) fit(pos, field, s string, max int) string {
	s, cut := formats.Fit(s, max)
	if cut {
		p.report(pos, fmt.Sprintf("%s is longer than %d characters: cut", field, max))
	}
	return s
}

// unique returns the slug of name (or a key-derived ID when it has none)
// not yet in used, and marks it used.
func unique(name string, used map[string]bool) string {
	id := agenda.Slug(name)
	if id == "" {
		id = formats.KeyID(name)
	}
	if used[id] {
		base := id
		if len(base) > 90 {
			base = strings.TrimRight(base[:90], "-")
		}
		for n := 2; used[id]; n++ {
			id = base + "-" + strconv.Itoa(n)
		}
	}
	used[id] = true
	return id
}

// plain tidies a plain-text description: formats.PlainText on the text
// with its markup characters escaped, so nothing in it is read as HTML.
func plain(s string) string { return formats.PlainText(html.EscapeString(s)) }

// oneLine makes s one line: control characters and runs of blanks and
// line breaks become one space, the ends are trimmed.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// object reads raw as a JSON object.
func object(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	var f map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &f) != nil {
		return nil, false
	}
	return f, true
}

// list reads raw as a JSON array.
func list(raw json.RawMessage) ([]json.RawMessage, bool) {
	var elems []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, false
	}
	return elems, true
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

// lineCol returns "line:column" (both from 1) of the byte at offset off
// in data.
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// daysBetween counts the days from a to b (0 for the same day).
func daysBetween(a, b agenda.Date) int {
	return int(b.Start(time.UTC).Sub(a.Start(time.UTC)).Hours() / 24)
}

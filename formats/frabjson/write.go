package frabjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"
)

// ExportOptions tell Export what the snapshot does not hold.
type ExportOptions struct {
	// BaseURL is the server's public URL without a trailing slash
	// ("https://confcal.example"): a session without a source URL links
	// to BaseURL + "/sessions/" + ID. (The schedule's base_url is the
	// conference's URL, when it has one: Parse reads base_url as the
	// conference's URL and takes calendar UIDs' domain from it, so the
	// server's URL there would change both on a round trip.)
	BaseURL string
}

// Export writes the snapshot's confirmed sessions as a schedule.json valid
// against the C3VOC schema (see the package documentation). The same
// snapshot and options always give the same bytes. It fails only when
// opts.BaseURL is not an absolute http(s) URL.
func Export(snap *agenda.Snapshot, opts ExportOptions) ([]byte, error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("frabjson: base URL %q is not an absolute http(s) URL", opts.BaseURL)
	}
	conf := snap.Conference()
	loc := snap.Location()
	acronym := acronymOf(conf)
	domain := conf.UIDDomain

	var scheduled []agenda.Session
	for _, x := range snap.Sessions() {
		if x.Status != agenda.StatusCancelled {
			scheduled = append(scheduled, x)
		}
	}
	c := outConference{
		Acronym:     acronym,
		Title:       conf.Name,
		Description: conf.Description,
		Start:       conf.First.String(),
		End:         conf.Last.String(),
		DaysCount:   len(snap.Days()),
		Timeslot:    schedule.Clock(timeslot(scheduled, loc)),
		Rooms:       []outRoom{},
		Tracks:      []outTrack{},
		Days:        []outDay{},
	}
	if schemaZone(conf.TimeZone) {
		c.TimeZone = conf.TimeZone
	}
	if u, ok := webURL(conf.URL); ok {
		c.URL = u
	}
	rooms := snap.Rooms()
	roomName := map[string]string{}
	for _, r := range rooms {
		roomName[r.ID] = r.Name
		c.Rooms = append(c.Rooms, outRoom{Name: r.Name, Slug: schemaSlug(r.ID), GUID: schedule.RoomGUID(r.ID, domain)})
	}
	trackName := map[string]string{}
	for _, t := range snap.Tracks() {
		trackName[t.ID] = t.Name
		c.Tracks = append(c.Tracks, outTrack{Name: t.Name, Slug: schemaSlug(t.ID), Color: t.Color})
	}
	for i, d := range snap.Days() {
		start := conf.DayStart(d, loc)
		next := conf.DayStart(d.AddDays(1), loc)
		od := outDay{
			Index:    i + 1,
			Date:     d.String(),
			DayStart: schedule.Stamp(start),
			DayEnd:   schedule.Stamp(next),
		}
		byRoom := map[string][]outEvent{}
		for _, x := range snap.ByDay(d) {
			if x.Status == agenda.StatusCancelled {
				continue
			}
			byRoom[x.Room] = append(byRoom[x.Room], event(snap, x, acronym, base, roomName, trackName))
		}
		for _, r := range rooms {
			if evs := byRoom[r.ID]; len(evs) > 0 {
				od.Rooms = append(od.Rooms, roomEvents{name: r.Name, events: evs})
			}
		}
		c.Days = append(c.Days, od)
	}
	doc := outDocument{
		Schedule: outSchedule{
			Version:    strconv.FormatInt(snap.Revision(), 10),
			BaseURL:    c.URL,
			Conference: c,
		},
		Generator: outGenerator{Name: "confcal"},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("frabjson: %w", err)
	}
	return buf.Bytes(), nil
}

// event writes one session.
func event(snap *agenda.Snapshot, x agenda.Session, acronym, base string, roomName, trackName map[string]string) outEvent {
	loc := snap.Location()
	start := x.Start.In(loc)
	e := outEvent{
		GUID:     sessionGUID(snap, x),
		ID:       x.Number,
		Date:     schedule.Stamp(start),
		Start:    start.Format("15:04"),
		End:      schedule.Stamp(x.End.In(loc)),
		Duration: schedule.Clock(x.Duration().Truncate(time.Minute)),
		Room:     roomName[x.Room],
		Slug:     agenda.Slug(fmt.Sprintf("%s %d %s", acronym, x.Number, x.Title)),
		URL:      base + "/sessions/" + x.ID,
		Title:    x.Title,
		Subtitle: x.Subtitle,
		Track:    trackName[x.Track],
		Type:     x.Type,
		Abstract: x.Abstract,
		Persons:  []outPerson{},
		Links:    []struct{}{},
	}
	if u, ok := webURL(x.URL); ok {
		e.URL = u
	}
	if x.Language != "" {
		e.Language = &x.Language
	}
	for _, id := range x.Speakers {
		sp, _ := snap.Speaker(id)
		e.Persons = append(e.Persons, person(sp, snap.Conference().UIDDomain))
	}
	return e
}

// sessionGUID is the session's ID when that is a GUID, else the name-based
// UUID of its calendar UID: either way it never changes.
func sessionGUID(snap *agenda.Snapshot, x agenda.Session) string {
	if isUUID(x.ID) {
		return x.ID
	}
	return schedule.SessionGUID(x.ID, snap.Conference().UIDDomain)
}

// person writes a speaker with the key Parse reads the same ID back from:
// a GUID, a numeric id, pretalx's code (an ID made by formats.KeyID from
// an upper-case code), no key for an ID that is the slug of the name, and
// a name-based GUID for any other ID.
func person(sp agenda.Speaker, domain string) outPerson {
	p := outPerson{Name: sp.Name}
	if isUUID(sp.ID) {
		p.GUID = sp.ID
		return p
	}
	if n, err := strconv.ParseInt(sp.ID, 10, 64); err == nil && strconv.FormatInt(n, 10) == sp.ID {
		p.ID = &n
		return p
	}
	if i := strings.LastIndexByte(sp.ID, '-'); i > 0 {
		code := strings.ToUpper(sp.ID[:i])
		if codeShape(code) && formats.KeyID(code) == sp.ID {
			p.Code = code
			return p
		}
	}
	if agenda.Slug(sp.Name) == sp.ID {
		return p
	}
	p.GUID = schedule.SpeakerGUID(sp.ID, domain)
	return p
}

// codeShape reports whether s matches the schema's pattern for codes,
// ^[A-Z0-9]+$.
func codeShape(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) < 0
}

// acronymOf makes the conference's acronym from its name, in the schema's
// shape ^[a-z0-9_-][a-z0-9_]{3,}…: the name's slug with underscores for
// hyphens, the first day's year added when that is too short.
func acronymOf(c agenda.Conference) string {
	a := strings.ReplaceAll(agenda.Slug(c.Name), "-", "_")
	if len(a) < 4 {
		a = strings.TrimPrefix(a+"_"+strconv.Itoa(c.First.Year), "_")
		if len(a) < 4 {
			a = "conf_" + a
		}
	}
	return a
}

// timeslot is the longest of the usual grid steps that every session's
// start (from midnight) and duration are a multiple of.
func timeslot(sessions []agenda.Session, loc *time.Location) time.Duration {
	for _, step := range []time.Duration{time.Hour, 30 * time.Minute, 15 * time.Minute, 10 * time.Minute, 5 * time.Minute} {
		fits := true
		for _, x := range sessions {
			s := x.Start.In(loc)
			clock := time.Duration(s.Hour())*time.Hour + time.Duration(s.Minute())*time.Minute
			if clock%step != 0 || x.Duration()%step != 0 {
				fits = false
				break
			}
		}
		if fits {
			return step
		}
	}
	return time.Minute
}

// schemaZone reports whether zone matches the schema's pattern for
// time_zone_name, ^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$ (which, unanchored as
// it is, takes any name that starts like "Europe/Berlin" or ends in UTC).
func schemaZone(zone string) bool {
	if strings.HasSuffix(zone, "UTC") {
		return true
	}
	area, rest, ok := strings.Cut(zone, "/")
	return ok && capitalized(area, false) && capitalized(rest, true)
}

// capitalized reports whether s is an upper-case letter followed by at
// least one lower-case letter (and, with prefix, anything after them).
func capitalized(s string, prefix bool) bool {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'a' || s[1] > 'z' {
		return false
	}
	if prefix {
		return true
	}
	return strings.IndexFunc(s[1:], func(r rune) bool { return r < 'a' || r > 'z' }) < 0
}

// schemaSlug returns id when it matches the schema's slug pattern
// ^[a-z0-9_-]+[a-z0-9]$ (two characters at least), else "" (left out).
func schemaSlug(id string) string {
	if len(id) < 2 {
		return ""
	}
	return id
}

// webURL returns s as an absolute http(s) URI (RFC 3986: ASCII, other
// bytes percent-encoded), the schema's "uri" format; ok is false when s is
// no absolute http(s) URL.
func webURL(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	out := u.String()
	for i := range len(out) {
		if out[i] <= ' ' || out[i] >= 0x7f {
			return "", false
		}
	}
	return out, true
}

// The document as written; field order is output order.
type (
	outDocument struct {
		Schedule  outSchedule  `json:"schedule"`
		Generator outGenerator `json:"generator"`
	}
	outGenerator struct {
		Name string `json:"name"`
	}
	outSchedule struct {
		Version    string        `json:"version"`
		BaseURL    string        `json:"base_url,omitempty"`
		Conference outConference `json:"conference"`
	}
	outConference struct {
		Acronym     string     `json:"acronym"`
		Title       string     `json:"title"`
		Description string     `json:"description,omitempty"`
		Start       string     `json:"start"`
		End         string     `json:"end"`
		DaysCount   int        `json:"daysCount"`
		Timeslot    string     `json:"timeslot_duration"`
		TimeZone    string     `json:"time_zone_name,omitempty"`
		URL         string     `json:"url,omitempty"`
		Rooms       []outRoom  `json:"rooms"`
		Tracks      []outTrack `json:"tracks"`
		Days        []outDay   `json:"days"`
	}
	outRoom struct {
		Name string `json:"name"`
		Slug string `json:"slug,omitempty"`
		GUID string `json:"guid"`
	}
	outTrack struct {
		Name  string `json:"name"`
		Slug  string `json:"slug,omitempty"`
		Color string `json:"color,omitempty"`
	}
	outDay struct {
		Index    int      `json:"index"`
		Date     string   `json:"date"`
		DayStart string   `json:"day_start"`
		DayEnd   string   `json:"day_end"`
		Rooms    dayRooms `json:"rooms"`
	}
	outEvent struct {
		GUID     string      `json:"guid"`
		ID       int64       `json:"id"`
		Date     string      `json:"date"`
		Start    string      `json:"start"`
		End      string      `json:"end"`
		Duration string      `json:"duration"`
		Room     string      `json:"room"`
		Slug     string      `json:"slug"`
		URL      string      `json:"url"`
		Title    string      `json:"title"`
		Subtitle string      `json:"subtitle"`
		Track    string      `json:"track"`
		Type     string      `json:"type"`
		Language *string     `json:"language"`
		Abstract string      `json:"abstract"`
		Persons  []outPerson `json:"persons"`
		Links    []struct{}  `json:"links"`
	}
	outPerson struct {
		GUID string `json:"guid,omitempty"`
		Code string `json:"code,omitempty"`
		ID   *int64 `json:"id,omitempty"`
		Name string `json:"name"`
	}
)

// roomEvents is one room's events of a day.
type roomEvents struct {
	name   string
	events []outEvent
}

// dayRooms is a day's "rooms" object: room names in the agenda's room
// order (a Go map would sort them by name).
type dayRooms []roomEvents

// MarshalJSON writes the rooms as one object in their order.
func (d dayRooms) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, r := range d {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(r.name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := enc.Encode(r.events); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

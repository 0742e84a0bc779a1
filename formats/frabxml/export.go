package frabxml

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/formats/internal/schedule"
)

// ExportOptions tell Export what the agenda itself does not say.
type ExportOptions struct {
	// BaseURL is the server's public URL without a trailing slash
	// ("https://confcal.example"). A session without a source URL links
	// to BaseURL + "/sessions/" + its ID; with BaseURL empty it has no
	// <url>.
	BaseURL string
}

// Export writes the agenda as a schedule.xml that validates against the
// official schema (voc/schedule's schedule.xml.xsd): the whole conference
// with its tracks, one <day> per conference day from its day change to
// the next (with the offsets of those instants), every room in agenda
// order in every day, and the sessions that are not cancelled (the format
// says cancellation by absence) under the day they belong to. The same
// snapshot always gives the same bytes. A session longer than
// agenda.MaxSessionLength, the longest duration the format carries (one
// stored before the agenda had that limit), is written with that
// duration: the export stays valid and whole, and Shortened names those
// sessions for a warning. It fails for a base URL that is not http(s)
// and for two sessions that would share a guid.
func Export(snap *agenda.Snapshot, opts ExportOptions) ([]byte, error) {
	base := strings.TrimRight(opts.BaseURL, "/")
	if base != "" && !httpURL(base) {
		return nil, fmt.Errorf("frabxml: base URL %q is not an http(s) URL", opts.BaseURL)
	}
	conf, loc := snap.Conference(), snap.Location()

	type slot struct {
		day  agenda.Date
		room string
	}
	bySlot := map[slot][]agenda.Session{}
	guids := map[string]string{}
	for _, x := range snap.Sessions() {
		if x.Status == agenda.StatusCancelled {
			continue
		}
		g := guid(x.ID, conf.UIDDomain)
		if other, dup := guids[g]; dup {
			return nil, fmt.Errorf("frabxml: sessions %q and %q would share the guid %s", other, x.ID, g)
		}
		guids[g] = x.ID
		k := slot{snap.Day(x), x.Room}
		bySlot[k] = append(bySlot[k], x)
	}

	w := &writer{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.open("schedule")
	w.leaf("generator", "", "name", "confcal")
	w.leaf("version", strconv.FormatInt(snap.Revision(), 10))
	w.open("conference")
	w.leaf("acronym", acronym(conf))
	w.leaf("title", conf.Name)
	w.leaf("start", conf.First.String())
	w.leaf("end", conf.Last.String())
	w.leaf("days", strconv.Itoa(len(snap.Days())))
	w.leaf("time_zone_name", conf.TimeZone)
	if httpURL(conf.URL) {
		w.leaf("url", conf.URL)
	}
	for _, t := range snap.Tracks() {
		attrs := []string{"name", t.Name}
		if c, ok := schedule.HexColor(t.Color); ok {
			attrs = append(attrs, "color", c)
		}
		if xsdSlug(t.ID) {
			attrs = append(attrs, "slug", t.ID)
		}
		w.leaf("track", "", attrs...)
	}
	w.close("conference")

	rooms := snap.Rooms()
	for i, d := range snap.Days() {
		w.open("day", "index", strconv.Itoa(i+1), "date", d.String(),
			"start", schedule.Stamp(conf.DayStart(d, loc)), "end", schedule.Stamp(conf.DayStart(d.AddDays(1), loc)))
		for _, r := range rooms {
			events := bySlot[slot{d, r.ID}]
			attrs := []string{"name", r.Name, "guid", schedule.RoomGUID(r.ID, conf.UIDDomain)}
			if len(events) == 0 {
				w.leaf("room", "", attrs...)
				continue
			}
			w.open("room", attrs...)
			for _, x := range events {
				writeEvent(w, snap, x, r, base)
			}
			w.close("room")
		}
		w.close("day")
	}
	w.close("schedule")
	return w.b.Bytes(), nil
}

// Shortened returns the sessions Export writes shorter than they are:
// those it exports (not cancelled) that last longer than
// agenda.MaxSessionLength, in agenda order.
func Shortened(snap *agenda.Snapshot) []agenda.Session {
	var out []agenda.Session
	for _, x := range snap.Sessions() {
		if x.Status != agenda.StatusCancelled && x.Duration() > agenda.MaxSessionLength {
			out = append(out, x)
		}
	}
	return out
}

// writeEvent writes one session as an <event>.
func writeEvent(w *writer, snap *agenda.Snapshot, x agenda.Session, r agenda.Room, base string) {
	conf, loc := snap.Conference(), snap.Location()
	start := x.Start.In(loc)
	w.open("event", "guid", guid(x.ID, conf.UIDDomain), "id", strconv.FormatInt(x.Number, 10))
	w.leaf("date", schedule.Stamp(start))
	w.leaf("start", hhmm(timeOfDay(start)))
	w.leaf("duration", hhmm(min(x.Duration(), agenda.MaxSessionLength)))
	w.leaf("room", r.Name)
	w.leaf("title", x.Title)
	if x.Subtitle != "" {
		w.leaf("subtitle", x.Subtitle)
	}
	t, _ := snap.Track(x.Track)
	w.leaf("track", t.Name)
	w.leaf("type", x.Type)
	if x.Language != "" {
		w.leaf("language", x.Language)
	}
	w.leaf("abstract", exportAbstract(x.Abstract))
	if len(x.Speakers) == 0 {
		w.leaf("persons", "")
	} else {
		w.open("persons")
		for _, id := range x.Speakers {
			p, _ := snap.Speaker(id)
			w.leaf("person", p.Name, personKey(p, conf.UIDDomain)...)
		}
		w.close("persons")
	}
	switch {
	case httpURL(x.URL):
		w.leaf("url", x.URL)
	case base != "":
		w.leaf("url", base+"/sessions/"+x.ID)
	}
	w.close("event")
}

// exportAbstract returns an abstract as the <abstract> text: as it is,
// unless an import would read it as HTML (a literal "<b>" or "&amp;" in
// it); then HTML-escaped, as Pentabarf writes abstracts, which an import
// reads back as exactly this text.
func exportAbstract(s string) string {
	if plain(s) == s {
		return s
	}
	return html.EscapeString(s)
}

// personKey returns the attribute a speaker is written with, the key an
// import reads the same ID back from: id for a numeric ID, guid for a
// UUID, none for the slug of the name; any other ID (pretalx's code,
// which the schema has no attribute for) gets a name-based guid, the same
// in every export, which an import then takes as the speaker's key.
func personKey(p agenda.Speaker, uidDomain string) []string {
	if n, err := strconv.ParseInt(p.ID, 10, 64); err == nil && n >= 0 && strconv.FormatInt(n, 10) == p.ID {
		return []string{"id", p.ID}
	}
	if isUUID(p.ID) {
		return []string{"guid", p.ID}
	}
	if agenda.Slug(p.Name) == p.ID {
		return nil
	}
	return []string{"guid", schedule.SpeakerGUID(p.ID, uidDomain)}
}

// guid is a session's guid: its ID when that is a UUID (it came from a
// guid), else the name-based UUID of its calendar UID.
func guid(id, uidDomain string) string {
	if isUUID(id) {
		return id
	}
	return schedule.SessionGUID(id, uidDomain)
}

// acronym makes the conference's <acronym> from its name, as the schema
// wants it: 4 or more of a-z, 0-9, "_" and "-" ("test-conf-2019"); a
// short one gets the first day's year.
func acronym(c agenda.Conference) string {
	s := agenda.Slug(c.Name)
	if len(s) < 4 {
		s = strings.Trim(s+"-"+strconv.Itoa(c.First.Year), "-")
	}
	if len(s) < 4 {
		s = "conference-" + s
	}
	return s
}

// xsdSlug reports whether s fits the schema's track slug: a lower-case
// letter, then lower-case letters, digits and hyphens, 2 or more in all.
func xsdSlug(s string) bool {
	return len(s) >= 2 && s[0] >= 'a' && s[0] <= 'z' && agenda.ValidID(s)
}

// httpURL reports whether s is an absolute http(s) URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// hhmm writes a time of day or duration as HH:MM, or HH:MM:SS when it has
// seconds (the agenda keeps minutes; the schema allows both).
func hhmm(d time.Duration) string {
	s := int(d / time.Second)
	if s%60 != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/3600, s/60%60)
}

// writer writes indented XML. encoding/xml's Encoder would do, but it
// writes every line end in text as "&#xA;", which makes abstracts
// unreadable to a person looking at the file.
type writer struct {
	b     bytes.Buffer
	depth int
}

func (w *writer) start(name string, attrs []string) {
	for range w.depth {
		w.b.WriteString("  ")
	}
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" " + attrs[i] + `="`)
		escape(&w.b, attrs[i+1], true)
		w.b.WriteByte('"')
	}
}

// open writes a start tag on a line of its own; attrs are name, value
// pairs.
func (w *writer) open(name string, attrs ...string) {
	w.start(name, attrs)
	w.b.WriteString(">\n")
	w.depth++
}

// close writes the end tag of the element open opened.
func (w *writer) close(name string) {
	w.depth--
	for range w.depth {
		w.b.WriteString("  ")
	}
	w.b.WriteString("</" + name + ">\n")
}

// leaf writes an element holding text (or nothing) on one line.
func (w *writer) leaf(name, text string, attrs ...string) {
	w.start(name, attrs)
	if text == "" {
		w.b.WriteString("/>\n")
		return
	}
	w.b.WriteByte('>')
	escape(&w.b, text, false)
	w.b.WriteString("</" + name + ">\n")
}

// escape writes s as XML text or (attr) an attribute value, leaving out
// characters XML 1.0 cannot carry at all.
func escape(b *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\n' && attr:
			b.WriteString("&#xA;")
		case r == '\t' && attr:
			b.WriteString("&#x9;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '\t' || r == '\n' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF:
			b.WriteRune(r)
		}
	}
}

// Package schedule holds the code the format packages share that is no
// rule of the model worth offering outside them (those are in package
// formats): text and date helpers every importer uses the same way, the
// settling of drafts into contents for the formats read line by line
// (iCalendar and CSV: see Drafts), the decoding and the problem positions
// of the JSON formats (frab's schedule.json and Sessionize: see Places),
// and the name-based GUIDs of both frab formats. Where importers word a
// problem differently, the wording is theirs to pass in.
package schedule

import (
	"crypto/sha1"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"confcal/agenda"
	"confcal/formats"
)

// OneLine returns s as one line: control characters (line breaks
// included) become blanks, runs of blanks one space, no blanks at the ends.
func OneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// NamedAfter returns the name of a conference named after its document,
// for a document that names none: the last element of doc's file path or
// URL path (doc is formats.Options.Name), without its extension
// ("schedule" for ".../export/schedule.xml?lang=en"), as one line;
// fallback when that leaves nothing. Never the whole path: it is shown
// to every subscriber as the calendar's name, and a local path is neither
// theirs to see nor meaningful to them.
func NamedAfter(doc, fallback string) string {
	p := doc
	if u, err := url.Parse(doc); err == nil && u.Scheme != "" && u.Host != "" {
		p = u.Path
	}
	p = strings.TrimRight(strings.ReplaceAll(p, `\`, "/"), "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if ext := path.Ext(p); ext != p {
		p = strings.TrimSuffix(p, ext)
	}
	if n := OneLine(p); n != "" && strings.Trim(n, ".") != "" {
		return n
	}
	return fallback
}

// Multiline returns s with CR LF and lone CR as LF, control characters but
// tabs and line feeds removed and no blanks at its ends.
func Multiline(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Clip shortens a value quoted in a problem report to 40 characters.
func Clip(s string) string {
	const max = 40
	if len([]rune(s)) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// Lines names line numbers for a problem report, the first few, then
// how many more, with the verb that follows: "line 4 is", "lines 4, 9
// are".
func Lines(nos []int) string {
	const show = 5
	if len(nos) == 1 {
		return "line " + strconv.Itoa(nos[0]) + " is"
	}
	var b strings.Builder
	b.WriteString("lines ")
	for i, n := range nos {
		if i == show {
			b.WriteString(" and " + strconv.Itoa(len(nos)-show) + " more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(n))
	}
	b.WriteString(" are")
	return b.String()
}

// UTF16 decodes data (after its byte-order mark, if any) as UTF-16, big
// endian or little; an odd last byte is dropped.
func UTF16(data []byte, big bool) string {
	u := make([]uint16, len(data)/2)
	for i := range u {
		if big {
			u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
		}
	}
	return string(utf16.Decode(u))
}

// Windows1252 decodes b as Windows-1252: ISO 8859-1 with printable
// characters in 0x80–0x9F; the five bytes it leaves undefined become
// U+FFFD.
func Windows1252(b []byte) string {
	const high = "€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ"
	hi := []rune(high)
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(hi[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// JoinText joins an abstract and a description (both plain text already)
// into one text: the abstract first, then the description, with an empty
// line between; when one contains the other (writers often repeat the
// abstract in the description) only the longer is kept.
func JoinText(abstract, description string) string {
	switch {
	case description == "" || strings.Contains(abstract, description):
		return abstract
	case abstract == "" || strings.Contains(description, abstract):
		return description
	}
	return abstract + "\n\n" + description
}

// LanguageTag reports whether s has the shape of a BCP 47 language tag
// (RFC 5646 §2.1) with a primary subtag of 2 to primary letters: then
// subtags of 1 to 8 letters or digits.
func LanguageTag(s string, primary int) bool {
	for i, sub := range strings.Split(s, "-") {
		if len(sub) < 1 || len(sub) > 8 || i == 0 && (len(sub) < 2 || len(sub) > primary) {
			return false
		}
		for _, r := range sub {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// HexColor returns a colour as #RRGGBB: "#a4a300", "A4A300" and "#abc"
// are read; ok is false for anything else.
func HexColor(s string) (string, bool) {
	s = strings.TrimPrefix(s, "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return "", false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", false
		}
	}
	return "#" + strings.ToUpper(s), true
}

// namespaceURL is the URL name space of RFC 9562 §6.6 (6ba7b811-9dad-
// 11d1-80b4-00c04fd430c8), as 16 bytes.
const namespaceURL = "\x6b\xa7\xb8\x11\x9d\xad\x11\xd1\x80\xb4\x00\xc0\x4f\xd4\x30\xc8"

// UUID5 returns the name-based (SHA-1, version 5) UUID of name in the URL
// name space (RFC 9562 §5.5), the one the C3VOC schema names for person
// GUIDs, in its lower-case canonical form. Both frab formats make their
// GUIDs with it from the same names, so a session, room or speaker has the
// same guid in schedule.xml and schedule.json.
func UUID5(name string) string {
	h := sha1.New()
	h.Write([]byte(namespaceURL))
	h.Write([]byte(name))
	s := h.Sum(nil)
	s[6] = s[6]&0x0f | 0x50
	s[8] = s[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

// SessionGUID, RoomGUID and SpeakerGUID are the name-based GUIDs both frab
// exports give a session, room or speaker whose ID no GUID of the format
// can carry: the UUID5 of the ID (prefixed "room:" or "speaker:") and the
// conference's UID domain, which never changes for it and differs between
// conferences. A session's is the UUID of its calendar UID.
func SessionGUID(id, uidDomain string) string { return UUID5(id + "@" + uidDomain) }

// RoomGUID: see SessionGUID.
func RoomGUID(id, uidDomain string) string { return UUID5("room:" + id + "@" + uidDomain) }

// SpeakerGUID: see SessionGUID.
func SpeakerGUID(id, uidDomain string) string { return UUID5("speaker:" + id + "@" + uidDomain) }

// Known maps the GUIDs the frab exports make for a stored agenda's
// sessions, rooms and speakers (formats.Options.Known) back to their IDs.
type Known struct{ Sessions, Rooms, Speakers map[string]string }

// KnownGUIDs returns the GUIDs an export would make for k's IDs under its
// UID domain and under the document's own (doc, when it names another),
// so that an import reads them back as the IDs.
func KnownGUIDs(k formats.Known, doc string) Known {
	out := Known{Sessions: map[string]string{}, Rooms: map[string]string{}, Speakers: map[string]string{}}
	domains := []string{k.UIDDomain, doc}
	for i, d := range domains {
		if d == "" || slices.Contains(domains[:i], d) {
			continue
		}
		for _, id := range k.Sessions {
			out.Sessions[SessionGUID(id, d)] = id
		}
		for _, id := range k.Rooms {
			out.Rooms[RoomGUID(id, d)] = id
		}
		for _, id := range k.Speakers {
			out.Speakers[SpeakerGUID(id, d)] = id
		}
	}
	return out
}

// OwnLink reports whether u is the link the frab exports write for a
// session that has no URL of its own, the server's page of it ("…/sessions/"
// + id). Read back into the stored agenda (formats.Options.Known), it is
// no source's page, so an import leaves it out rather than make it the
// session's URL.
func OwnLink(u, id string) bool { return strings.HasSuffix(u, "/sessions/"+id) }

// NameID returns the ID of a room, track or speaker name: its slug, or,
// for a name of no ASCII letter or digit ("会议室"), formats.KeyID of it.
func NameID(name string) string {
	if s := agenda.Slug(name); s != "" {
		return s
	}
	return formats.KeyID(name)
}

// Unique returns id, or when used holds it already, id (cut to leave room)
// with the first counter ("-2", "-3", …) that makes it new; it marks the
// result used.
func Unique(id string, used map[string]bool) string {
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

// Now is the LastModified an import stamps on every session: opts.Now, or
// time.Now when it is zero, in UTC.
func Now(opts formats.Options) time.Time {
	if opts.Now.IsZero() {
		return time.Now().UTC()
	}
	return opts.Now.UTC()
}

// WholeMinute cuts t to the minute of its own clock. Cutting the instant
// (time.Truncate) would count from UTC and give a local time with seconds
// in a zone whose offset has seconds (local mean time before 1900, Monrovia
// until 1972).
func WholeMinute(t time.Time) time.Time {
	return t.Add(-time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
}

// Stamp writes an instant as both frab formats date it: with its numeric
// offset, "+00:00" for UTC too ("2025-12-27T16:00:00+01:00"; not "Z",
// which some readers of the formats do not take). An offset with seconds
// (local mean time in old zone data, Amsterdam's +00:19:32 before 1937)
// fits neither that form nor XML Schema's dateTime, and writing it to the
// minute would name another instant, so such an instant is written in UTC.
func Stamp(t time.Time) string {
	const layout = "2006-01-02T15:04:05-07:00"
	if _, off := t.Zone(); off%60 != 0 {
		t = t.UTC()
	}
	return t.Format(layout)
}

// Clock writes a time of day (a duration from midnight) or a duration as
// HH:MM.
func Clock(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// DaysBetween counts the days from a to b (0 for the same day).
func DaysBetween(a, b agenda.Date) int {
	return int(b.Start(time.UTC).Sub(a.Start(time.UTC)).Hours() / 24)
}

// MinDate returns the earlier of a and b.
func MinDate(a, b agenda.Date) agenda.Date {
	if b.Before(a) {
		return b
	}
	return a
}

// MaxDate returns the later of a and b.
func MaxDate(a, b agenda.Date) agenda.Date {
	if a.Before(b) {
		return b
	}
	return a
}

// DomainName reports whether s is a DNS name fit to follow "@" in calendar
// UIDs: at most agenda.MaxUIDDomainLength characters, two labels or more
// (a single label such as "localhost" names no domain anyone holds), each
// label letters, digits and inner hyphens of at most 63 characters (RFC
// 1035 §2.3.1), and a last label that is not all digits, which rules out
// IP address literals (no top-level domain is numeric, RFC 3696 §2). Every
// importer takes a UID domain from a document only when it passes this, so
// the formats agree on which hosts give one.
func DomainName(s string) bool {
	if len(s) > agenda.MaxUIDDomainLength {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > maxLabelLength || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// maxLabelLength is the longest label of a DNS name (RFC 1035 §2.3.4).
const maxLabelLength = 63

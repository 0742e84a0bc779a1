package agenda

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors a change or a look-up can fail with. They are wrapped with context;
// test for them with errors.Is.
var (
	// ErrNotFound: the named session, room or track does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the agenda would break a rule (end not after start, a time
	// outside the conference days, an unknown room or track, a bad ID, text
	// too long or holding control characters: see CheckTitle).
	ErrInvalid = errors.New("invalid")
	// ErrOverlap: a session would overlap another one in the same room.
	ErrOverlap = errors.New("overlaps another session")
	// ErrStale: a change was built on a revision that is no longer current.
	ErrStale = errors.New("stale revision")
	// ErrUnknownRevision: a revision outside what the change log covers.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrEmpty: a Store holds no agenda yet.
	ErrEmpty = errors.New("store is empty")
)

// Conference is the event the agenda belongs to.
type Conference struct {
	// Name is the conference's public name, e.g. "Flink Forward Berlin 2019".
	Name string
	// Description is a one-line summary shown with calendars.
	Description string
	// TimeZone is the IANA name of the venue's time zone, e.g. "Europe/Berlin".
	TimeZone string
	// First and Last are the first and last conference days (inclusive).
	First, Last Date
	// UIDDomain is the fixed domain after "@" in every calendar UID.
	UIDDomain string
}

// Location loads the conference's time zone.
func (c Conference) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("agenda: conference time zone: %w", err)
	}
	return loc, nil
}

// Days lists the conference days in order.
func (c Conference) Days() []Date {
	var days []Date
	for d := c.First; !c.Last.Before(d); d = d.AddDays(1) {
		days = append(days, d)
	}
	return days
}

// Validate reports the first problem with c.
func (c Conference) Validate() error {
	switch {
	case strings.TrimSpace(c.Name) == "":
		return fmt.Errorf("agenda: conference has no name: %w", ErrInvalid)
	case c.UIDDomain == "":
		return fmt.Errorf("agenda: conference has no UID domain: %w", ErrInvalid)
	}
	for _, f := range [...]struct {
		field, v string
		max      int
	}{
		{"conference name", c.Name, MaxConferenceNameLength},
		{"conference UID domain", c.UIDDomain, MaxUIDDomainLength},
	} {
		if err := checkLine(f.field, f.v, f.max); err != nil {
			return fmt.Errorf("agenda: %w", err)
		}
	}
	if err := checkText("conference description", c.Description, MaxDescriptionLength, false); err != nil {
		return fmt.Errorf("agenda: %w", err)
	}
	switch {
	case c.Last.Before(c.First):
		return fmt.Errorf("agenda: conference ends (%s) before it starts (%s): %w", c.Last, c.First, ErrInvalid)
	case len(c.Days()) > 60:
		return fmt.Errorf("agenda: conference longer than 60 days: %w", ErrInvalid)
	}
	_, err := c.Location()
	return err
}

// Track is a thematic strand of the programme ("Use Case", "Keynote").
type Track struct {
	// ID is the track's stable slug, used in URLs ("use-case").
	ID string
	// Name is what attendees read.
	Name string
	// Color is the track's colour as #RRGGBB, shared by the page and CalDAV.
	Color string
}

// Room is a place where sessions happen.
type Room struct {
	// ID is the room's stable slug, used in URLs; it survives a rename.
	ID string
	// Name is what attendees read ("Room 2", later maybe "Kesselhaus").
	Name string
}

// Status says whether a session takes place.
type Status string

// The statuses a session can have.
const (
	StatusConfirmed Status = "confirmed"
	StatusCancelled Status = "cancelled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusConfirmed || s == StatusCancelled }

// Session is one slot of the programme: a talk, a keynote, a training slot.
type Session struct {
	// ID is stable for the session's life: it never depends on time or room.
	ID string
	// Title is the session's title.
	Title string
	// Start and End are the session's times (End is exclusive).
	Start, End time.Time
	// Track and Room are the IDs of the session's track and room.
	Track, Room string
	// Abstract is the description, speaker bios included; may be empty.
	Abstract string
	// Status says whether the session takes place.
	Status Status
	// Sequence counts the session's significant changes (RFC 5545 SEQUENCE).
	Sequence int
	// LastModified is when the session last changed, in UTC.
	LastModified time.Time
}

// Duration returns End − Start.
func (s Session) Duration() time.Duration { return s.End.Sub(s.Start) }

// Overlaps reports whether s and o share any instant ([start, end) ranges).
func (s Session) Overlaps(o Session) bool {
	return s.Start.Before(o.End) && o.Start.Before(s.End)
}

// ValidID reports whether id is a usable slug: 1 to MaxIDLength characters
// of lower-case ASCII letters, digits and inner hyphens.
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLength || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// slugRule says in words what ValidID accepts, for error messages.
func slugRule() string {
	return fmt.Sprintf("1 to %d characters: a–z, 0–9 and inner hyphens", MaxIDLength)
}

// WholeMinute returns t without its seconds and fractions of a second.
// Sessions are minute-grained: the agenda keeps their times to the minute
// (Editor and NewSnapshot apply WholeMinute), so two times that differ
// only within a minute are the same time, and a session whose end is not
// a minute after its start is refused rather than rendered with DTSTART
// equal to DTEND.
func WholeMinute(t time.Time) time.Time { return t.Truncate(time.Minute) }

// Slug turns a title into an ID: lower case ASCII letters and digits, runs of
// anything else collapsed into one hyphen, letters with diacritics folded to
// their base letter where that is obvious.
func Slug(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		r = baseLetter(r)
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case r == '\'' || r == '’' || r == '®':
			// "Flink’s" reads as "flinks", not "flink-s".
		default:
			hyphen = true
		}
	}
	s := b.String()
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

// baseLetter folds a lower-case Latin letter with a diacritic to its base
// letter ("é" → "e"); other runes come back unchanged.
func baseLetter(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ä', 'å', 'ã':
		return 'a'
	case 'ç':
		return 'c'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ñ':
		return 'n'
	case 'ò', 'ó', 'ô', 'ö', 'õ', 'ø':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	case 'ß':
		return 's'
	}
	return r
}

package agenda

import (
	"errors"
	"fmt"
	"slices"
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
	// DayChange is when a conference day begins, as the time of day in the
	// conference's zone (a duration from midnight, under 12 hours, in
	// whole minutes). Conference days are not calendar days: at a CCC
	// congress the day runs until 04:00 the next morning (DayChange 4h),
	// so a session at 01:00 belongs to the day before, in the per-day feed
	// and on the page. Zero means midnight.
	DayChange time.Duration
	// URL is the conference's own web site; may be empty.
	URL string
}

// MaxDayChange bounds Conference.DayChange.
const MaxDayChange = 12 * time.Hour

// MaxSessionLength is the longest a session may last: 99:59, the longest
// duration schedule.xml can carry (its schema allows two digits of hours),
// so that every agenda can be exported in every format confcal writes
// and a mistyped end (a year, a month off) is caught where it is made.
// The Editor refuses a session added or given new times that lasts
// longer, so the admin API, the command line and imports do (importers
// skip such a session and report it). A Snapshot loaded from a store made
// before the limit still loads (NewSnapshot does not apply it), and its
// sessions can be edited, cancelled or shortened.
const MaxSessionLength = 99*time.Hour + 59*time.Minute

// CheckLength reports a problem with a session from start to end: it
// must not last longer than MaxSessionLength. The error wraps ErrInvalid
// and says how long the session lasts and how long it may.
func CheckLength(start, end time.Time) error {
	if d := end.Sub(start); d > MaxSessionLength {
		return errorf(ErrInvalid, "lasts %s, longer than a session may (%s, the longest schedule.xml can carry)", HoursMinutes(d), HoursMinutes(MaxSessionLength))
	}
	return nil
}

// HoursMinutes writes d, cut to the minute, as hours and minutes:
// "1:30", "120:00".
func HoursMinutes(d time.Duration) string {
	m := int64(d / time.Minute)
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}

// DayOf returns the conference day t belongs to in loc: its calendar date,
// or the date before when t is earlier in the day than DayChange.
func (c Conference) DayOf(t time.Time, loc *time.Location) Date {
	t = t.In(loc)
	d := DateOf(t, loc)
	if c.DayChange > 0 && time.Duration(t.Hour())*time.Hour+time.Duration(t.Minute())*time.Minute+time.Duration(t.Second())*time.Second < c.DayChange {
		d = d.AddDays(-1)
	}
	return d
}

// DayStart returns the first instant of conference day d in loc: d at
// DayChange, read as LocalTime reads it (the first when the clocks show it
// twice).
func (c Conference) DayStart(d Date, loc *time.Location) time.Time {
	t, _ := LocalTime(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Add(c.DayChange.Truncate(time.Minute)), loc)
	return t
}

// Location loads the conference's time zone.
func (c Conference) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, wrapf(err, "conference time zone")
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
		return errorf(ErrInvalid, "conference has no name")
	case c.UIDDomain == "":
		return errorf(ErrInvalid, "conference has no UID domain")
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
		return errorf(ErrInvalid, "conference ends (%s) before it starts (%s)", c.Last, c.First)
	case len(c.Days()) > 60:
		return errorf(ErrInvalid, "conference longer than 60 days")
	case c.DayChange < 0 || c.DayChange >= MaxDayChange || c.DayChange%time.Minute != 0:
		return errorf(ErrInvalid, "conference day change %s: want whole minutes from 0 to under %s", c.DayChange, MaxDayChange)
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

// Speaker is a person who gives sessions.
type Speaker struct {
	// ID is the speaker's stable slug, from the source's key for them
	// (pretalx's speaker code, frab's person ID), used in URLs.
	ID string
	// Name is what attendees read.
	Name string
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
	// Subtitle is a second line under the title; may be empty.
	Subtitle string
	// Type is the kind of session as the source names it ("Talk",
	// "Workshop", "Lightning talk"); may be empty.
	Type string
	// Language is the language the session is held in, a BCP 47 tag
	// such as "en" or "de"; may be empty.
	Language string
	// URL is the session's page at the source (the organizers' site);
	// may be empty.
	URL string
	// Speakers are the IDs of the session's speakers, in billing order.
	Speakers []string
	// Number is the session's numeric ID, unique in the agenda and stable
	// for the session's life, for formats that need one (frab's
	// event/@id). A snapshot numbers sessions that have none (0) after
	// the highest number in use, in agenda order.
	Number int64
}

// Equal reports whether s and o are the same session with the same
// content: every field equal, times compared as instants.
func (s Session) Equal(o Session) bool {
	return s.ID == o.ID && s.Title == o.Title && s.Start.Equal(o.Start) && s.End.Equal(o.End) &&
		s.Track == o.Track && s.Room == o.Room && s.Abstract == o.Abstract && s.Status == o.Status &&
		s.Sequence == o.Sequence && s.LastModified.Equal(o.LastModified) && s.Subtitle == o.Subtitle &&
		s.Type == o.Type && s.Language == o.Language && s.URL == o.URL && slices.Equal(s.Speakers, o.Speakers) &&
		s.Number == o.Number
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

// Error is a broken rule of the agenda: its kind (ErrInvalid, ErrNotFound,
// ErrOverlap, ErrExists, ErrUnknownRevision) and a message for people —
// the organizer at the API or the command line — which is all Error says.
// Test for the kind with errors.Is; an ErrExists is an ErrInvalid too.
type Error struct {
	Kind error
	Msg  string
}

// Error returns the message, which names what was refused and why.
func (e *Error) Error() string { return e.Msg }

// Is reports whether e is of kind target.
func (e *Error) Is(target error) bool {
	return target == e.Kind || e.Kind == ErrExists && target == ErrInvalid
}

func errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// wrapf says where err happened: a broken rule stays one, its message led
// by the context ("session \"x\": title is empty"); any other error is
// wrapped as "agenda: context: err".
func wrapf(err error, format string, args ...any) error {
	where := fmt.Sprintf(format, args...)
	if e, ok := err.(*Error); ok {
		return &Error{Kind: e.Kind, Msg: where + ": " + e.Msg}
	}
	return fmt.Errorf("agenda: %s: %w", where, err)
}

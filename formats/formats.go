// Package formats holds what the importers of organizers' schedule formats
// share: their options, the report of what they repaired or skipped, and
// the rules every importer applies the same way (stable IDs from source
// keys, HTML abstracts as plain text, text that fits the model's limits).
//
// Each format has a package of its own below this one (frabxml, frabjson,
// sessionize, ics, spreadsheet); the seed's text format is package seeds.
// The code those packages share that is no rule to offer outside them is
// in formats/internal/schedule.
// Importers are lenient: real files never validate against their schemas,
// so a broken event is repaired or skipped and reported as a Problem with
// its position, and only a document with nothing usable fails. A session
// longer than agenda.MaxSessionLength is skipped so, by every importer:
// the Editor would refuse it, and with it the whole import. Exporters
// are strict.
package formats

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"confcal/agenda"
)

// Options tell an importer what the document itself may not say.
type Options struct {
	// Name names the document in positions and errors: a file name or URL.
	Name string
	// TimeZone is the conference's IANA time zone. A document that names
	// none (Pentabarf XML, Sessionize, CSV) cannot be imported without it;
	// a document that names one is checked against it when it is set.
	TimeZone string
	// UIDDomain is the domain after "@" in calendar UIDs, for a document
	// that gives no better one (importers may derive it from the
	// conference's URL).
	UIDDomain string
	// NameGiven says the caller names the conference itself (an
	// organizer's "name" in conferences add or the admin API). An import
	// still names a conference its document does not name, since the UID
	// domain may be made from that name, but does not report it as a
	// problem: the name it made is not the one subscribers will see.
	NameGiven bool
	// Known lists the IDs of the stored agenda a document is imported
	// into, for importers of formats whose keys confcal's exports make
	// from IDs that the format cannot carry (frab's guids from slugs):
	// they read such a key back as the ID it was made from, so that an
	// agenda's own export, edited and imported again, matches it by ID.
	// Empty for a new conference.
	Known Known
	// Now stamps the LastModified of every imported session (the source
	// formats carry no per-session modification time); zero means
	// time.Now. Later imports of the same source stamp only what changed
	// (agenda.Editor.Reconcile).
	Now time.Time
}

// Known lists the IDs a stored agenda has (see Options.Known), and its
// UID domain, which the keys are made with.
type Known struct {
	UIDDomain                 string
	Sessions, Rooms, Speakers []string
}

// Problem is something wrong in a document that an import repaired or
// skipped.
type Problem struct {
	// Pos is where: "schedule.xml:123" (a line), "schedule.json: event
	// 17", "all.json: session 4711".
	Pos string
	// Reason says what was wrong and what the import did about it.
	Reason string
}

// String returns the problem as "position: reason", as the CLI prints it.
func (p Problem) String() string { return p.Pos + ": " + p.Reason }

// Result is an imported agenda and what the import had to repair or skip.
type Result struct {
	Contents agenda.Contents
	Problems []Problem
}

// KeyID returns the session (or speaker) ID for a source's stable key: the
// key itself when it is already a slug of lower-case ASCII letters,
// digits and inner hyphens (a pretalx or frab GUID, a numeric ID), else
// the key's slug followed by a short hash of the exact key, so that keys
// differing only in case or punctuation stay distinct. The same key always
// gives the same ID; it never depends on a title or a position.
func KeyID(key string) string {
	if agenda.ValidID(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:4])
	s := agenda.Slug(key)
	if max := maxIDLen - len(h) - 1; len(s) > max {
		s = strings.TrimRight(s[:max], "-")
	}
	if s == "" {
		return "k-" + h
	}
	return s + "-" + h
}

// DefaultTrack is the track of sessions whose source names none.
var DefaultTrack = agenda.Track{ID: "general", Name: "General", Color: "#6B7280"}

// Zone loads the time zone an import uses: opts.TimeZone when it is set
// (the organizer's word wins over the document's: pretalx, for one, may
// say UTC while it writes the venue's offsets), else the document's own
// (docZone, "" when it names none). A document without a zone needs
// opts.TimeZone: the zone is never guessed from offsets, which cannot tell
// zones apart. overridden reports that opts.TimeZone replaced a different
// zone the document named, which importers report as a Problem.
func Zone(opts Options, docZone string) (loc *time.Location, overridden bool, err error) {
	name := opts.TimeZone
	if name == "" {
		name = docZone
	}
	if name == "" {
		return nil, false, fmt.Errorf("%s names no time zone: give the conference's with -time-zone (e.g. -time-zone Europe/Brussels)", opts.Name)
	}
	loc, err = time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, false, fmt.Errorf("%s: time zone %q is not an IANA zone name", opts.Name, name)
	}
	return loc, docZone != "" && opts.TimeZone != "" && docZone != opts.TimeZone, nil
}

// Fit cuts s to at most n characters (runes) at a word boundary where one
// is near, marking the cut with "…"; it reports whether it cut. Importers
// repair overlong titles and abstracts this way (and report a Problem)
// rather than refuse the event.
func Fit(s string, n int) (string, bool) {
	r := []rune(s)
	if len(r) <= n {
		return s, false
	}
	cut := n - 1
	for i := cut; i > cut*9/10; i-- {
		if r[i] == ' ' || r[i] == '\n' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " \n") + "…", true
}

// maxIDLen is the longest ID agenda.ValidID accepts.
const maxIDLen = 100

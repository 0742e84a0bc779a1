package agenda

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Listing is a conference as a Registry keeps it beside its agenda: its
// slug, whether it is the default conference, whether it was removed, and
// where its agenda comes from.
type Listing struct {
	// Slug names the conference in URLs ("/{slug}/"); it is stable
	// forever (see ValidID), and never a ReservedSlug.
	Slug string
	// Default marks the conference the server's root URLs serve (/feeds/…,
	// /dav/public/…, /api/…): the first one, or the one a store upgraded
	// from a single agenda held.
	Default bool
	// Removed is when the conference was removed (zero while it is
	// served). A removed conference keeps its data until it is purged, so a
	// mistake can be undone.
	Removed time.Time
	// Source is where the agenda comes from, when it follows a schedule.
	Source Source
	// PurgedRevision is the last revision the conferences its slug named
	// before reached, when they were purged (0 when none was): the
	// registry remembers it, and Conferences reports it (AddConference
	// does not take it from its caller). Clients and receivers keep what
	// they were given by slug and revision (CalDAV sync tokens and ctags,
	// webhook delivery keys, Atom entry IDs), so a slug's revisions never
	// repeat: a conference added again under it starts after them (see
	// FirstRevision).
	PurgedRevision int64
}

// FirstRevision is the revision a conference's first agenda has, and its
// change log starts from: the one after every revision its slug had
// before.
func (l Listing) FirstRevision() int64 { return l.PurgedRevision + 1 }

// Source is where a conference's agenda comes from: an organizer's
// schedule, in a file or at a URL, read in some format and, with Follow,
// re-read on that period.
type Source struct {
	Location  string        // file path or http(s) URL; "" for none
	Format    string        // the format's name ("schedule-xml", …); "" to detect it
	TimeZone  string        // for formats that name none
	UIDDomain string        // for sources that give none
	Follow    time.Duration // re-read period; zero: read once
}

// Errors of a Registry.
var (
	// ErrNoConference: no conference has the slug (or it was removed).
	ErrNoConference = errors.New("no such conference")
	// ErrPickCodeTaken: a new pick's code is another pick's.
	ErrPickCodeTaken = errors.New("pick code already in use")
	// ErrPicksFull: a conference holds as many stored picks as it may.
	ErrPicksFull = errors.New("pick store is full")
)

// Registry keeps a server's conferences, each with its agenda, its
// organizers' tokens and its attendees' stored picks, in one store. Each
// conference's agenda is a Store of its own (Agenda), so changes are
// serialized per conference, not across them.
type Registry interface {
	// Conferences lists every conference, removed ones included, in the
	// order they were added.
	Conferences(ctx context.Context) ([]Listing, error)
	// AddConference adds a conference with no agenda yet (its Store is
	// empty until the first Save). A slug in use, by a removed conference
	// too, is refused with an error wrapping ErrExists. The first
	// conference added is the default one. The first Save of a slug that
	// was purged must start after the revisions it had (its BaseRevision
	// at least the listing's FirstRevision): an earlier one fails with
	// ErrStale and stores nothing.
	AddConference(ctx context.Context, l Listing) error
	// SetSource changes where a conference's agenda comes from.
	SetSource(ctx context.Context, slug string, src Source) error
	// RemoveConference marks a conference removed, keeping its data;
	// RestoreConference undoes that; PurgeConference deletes a removed
	// conference and everything it holds but the last revision its slug
	// reached (Listing.PurgedRevision). Each fails with ErrNoConference
	// for an unknown slug; PurgeConference refuses a conference that is
	// not removed (ErrInvalid), so nothing is deleted by one mistake.
	RemoveConference(ctx context.Context, slug string) error
	RestoreConference(ctx context.Context, slug string) error
	PurgeConference(ctx context.Context, slug string) error
	// Agenda returns the Store of a conference's agenda.
	Agenda(slug string) Store

	// AddToken stores an organizer token of a conference, given as its
	// hash (the token itself is never stored); TokenConference returns the
	// conference a token hash belongs to (ErrNoConference for none).
	AddToken(ctx context.Context, slug, hash string) error
	TokenConference(ctx context.Context, hash string) (string, error)

	// PutPick stores an attendee's pick of sessions of a conference (IDs
	// in agenda order) under code, unless the same pick is stored
	// already: it returns the code the pick is stored under. A taken code
	// is refused (ErrPickCodeTaken); a conference holding limit picks
	// refuses new ones (ErrPicksFull) once picks nobody fetched for long
	// are gone. GetPick returns a stored pick of the conference, and counts
	// the fetch as use, which keeps the pick from expiring.
	PutPick(ctx context.Context, slug, code string, ids []string, limit int) (string, error)
	GetPick(ctx context.Context, slug, code string) (ids []string, ok bool, err error)

	// Close releases the store.
	Close() error
}

// PickExpiry is how long a store keeps a pick nobody fetched. A pick is
// fetched whenever a calendar app polls its feed, so one still subscribed
// to never expires; one abandoned goes after half a year.
const PickExpiry = 180 * 24 * time.Hour

// PickTouch is how stale a stored pick's last-fetched time may get before
// a fetch writes it again: a poll is a read, and a write per poll would be
// wasted. It is far below PickExpiry, so a polled pick never expires.
const PickTouch = 24 * time.Hour

// EncodePick is the one text a store keeps a pick's session IDs in (the
// same pick, the same text, so a store can find a pick made before);
// DecodePick reads it back. An ID that is empty or holds the separator is
// refused.
func EncodePick(ids []string) (string, error) {
	for _, id := range ids {
		if id == "" || strings.Contains(id, ",") {
			return "", errorf(ErrInvalid, "bad session ID %q in a pick", clip(id))
		}
	}
	return strings.Join(ids, ","), nil
}

// DecodePick returns the session IDs EncodePick made list of.
func DecodePick(list string) []string {
	if list == "" {
		return []string{}
	}
	return strings.Split(list, ",")
}

// ReservedSlug reports whether slug cannot name a conference: it is the
// first segment of a URL a server serves at its root ("api", "feeds",
// "dav", …), the default conference's CalDAV principal ("public"), or a
// word kept for what is to come. The root URL would shadow the
// conference's "/{slug}/".
func ReservedSlug(slug string) bool {
	switch slug {
	case "api", "dav", "feeds", "help", "my", "sessions", "static", "healthz", "readyz", "metrics",
		"public", "conferences", "admin", "push", "events", "hooks", "login":
		return true
	}
	return false
}

// DefaultSlug is the slug a Registry gives a conference that came without
// one (the default conference of an empty store's first Save, or of a store
// from before conferences): its name's, "conference" for a name that makes
// none, and never a ReservedSlug, whose URLs would all be the root's: a
// reserved word gets "-conference" after it ("Feeds" gives
// "feeds-conference").
func DefaultSlug(name string) string {
	s := Slug(name)
	switch {
	case s == "":
		return "conference"
	case ReservedSlug(s):
		return s + "-conference"
	}
	return s
}

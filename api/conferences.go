package api

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"confcal/agenda"
)

// The server's conferences, managed with the admin token (an organizer's
// token changes one conference only, and gets 403 here):
//
//	GET    /conferences                 the conferences served (public)
//	POST   /conferences                 add one (NewConference)
//	DELETE /conferences/{slug}          remove one, keeping its data
//	DELETE /conferences/{slug}?purge=1  delete a removed one and all it holds
//	POST   /conferences/{slug}/restore  serve a removed one again
//	POST   /conferences/{slug}/tokens   make an organizer token (NewToken)
//
// Each conference's own API is below its slug ("/{slug}/api/sessions", …);
// the default conference's is at the root as well ("/api/sessions").

// NewConference is the body of POST /conferences: the conference to add
// and where its agenda comes from, a schedule at a URL (followed when
// Follow is given) or the schedule itself in Document.
type NewConference struct {
	// Slug names the conference in its URLs ("/{slug}/"), forever: a
	// slug (lower-case letters, digits and inner hyphens) that no root URL
	// of the server uses.
	Slug string `json:"slug"`
	// Name and TimeZone override what the schedule says (TimeZone is the
	// zone of schedules that name none).
	Name     string `json:"name,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	// Source is the schedule's URL (or, from the command line on the
	// server's own store, a file); Format names its format ("" detects
	// it, see confcal import -help); Follow is the period it is re-read
	// with, e.g. "15m" ("" reads it once).
	Source string `json:"source,omitempty"`
	Format string `json:"format,omitempty"`
	Follow string `json:"follow,omitempty"`
	// UIDDomain is the domain of event UIDs for schedules that give none.
	UIDDomain string `json:"uid_domain,omitempty"`
	// Document is the schedule itself, in any format a Source may be in,
	// for a conference no URL serves.
	Document string `json:"document,omitempty"`
}

// Conference describes one conference in GET /conferences.
type Conference struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	First    string `json:"first_day"`
	Last     string `json:"last_day"`
	// Default marks the conference the root URLs serve.
	Default bool `json:"default,omitempty"`
	// Page, Feed and CalDAV are its attendee page, its whole-conference
	// feed and the URL a CalDAV client is given.
	Page   string `json:"page"`
	Feed   string `json:"feed"`
	CalDAV string `json:"caldav"`
	// Revision and Sessions are those of the agenda served now.
	Revision int64 `json:"revision"`
	Sessions int   `json:"sessions"`
	// Source and Follow say where its agenda comes from, if anywhere.
	Source string `json:"source,omitempty"`
	Follow string `json:"follow,omitempty"`
	// LastPoll is when the followed source was last polled (RFC 3339), and
	// SourceError why that poll failed, when it did: the agenda served is
	// then the last good version. Both are empty for a conference that
	// follows no source, before its first poll, and from a server that
	// leaves polling it to another replica.
	LastPoll    string `json:"last_poll,omitempty"`
	SourceError string `json:"source_error,omitempty"`
	// Removed is when the conference was removed (RFC 3339), for one no
	// longer served: GET /conferences?removed=1 lists those too.
	Removed string `json:"removed,omitempty"`
}

// ConferenceList is the body of GET /conferences.
type ConferenceList struct {
	Conferences []Conference `json:"conferences"`
}

// Token is the answer to POST /conferences/{slug}/tokens: a new organizer
// token of the conference. The server keeps only its hash: this answer is
// the one time it is seen.
type Token struct {
	Conference string `json:"conference"`
	Token      string `json:"token"`
}

// Removed is the answer to DELETE /conferences/{slug}.
type Removed struct {
	Conference string `json:"conference"`
	Purged     bool   `json:"purged"`
	Note       string `json:"note"`
}

// Conferences lists the conferences the server serves.
func (c *Client) Conferences(ctx context.Context) (ConferenceList, error) {
	return callFor[ConferenceList](ctx, c, http.MethodGet, "/conferences", nil)
}

// AllConferences lists the conferences the server holds, removed ones too
// (with Removed set).
func (c *Client) AllConferences(ctx context.Context) (ConferenceList, error) {
	return callFor[ConferenceList](ctx, c, http.MethodGet, "/conferences?removed=1", nil)
}

// AddConference adds conference n and returns it as the server lists it.
func (c *Client) AddConference(ctx context.Context, n NewConference) (Conference, error) {
	return callFor[Conference](ctx, c, http.MethodPost, "/conferences", n)
}

// RemoveConference removes conference slug, keeping its data; with purge
// it deletes a removed conference and everything it holds.
func (c *Client) RemoveConference(ctx context.Context, slug string, purge bool) (Removed, error) {
	p := "/conferences/" + url.PathEscape(slug)
	if purge {
		p += "?purge=1"
	}
	return callFor[Removed](ctx, c, http.MethodDelete, p, nil)
}

// RestoreConference serves a removed conference again.
func (c *Client) RestoreConference(ctx context.Context, slug string) (Conference, error) {
	return callFor[Conference](ctx, c, http.MethodPost, "/conferences/"+url.PathEscape(slug)+"/restore", struct{}{})
}

// NewToken makes an organizer token of conference slug.
func (c *Client) NewToken(ctx context.Context, slug string) (Token, error) {
	return callFor[Token](ctx, c, http.MethodPost, "/conferences/"+url.PathEscape(slug)+"/tokens", struct{}{})
}

// Describe is the Conference document of a conference's listing and the
// agenda it serves (nil before it has one). base is the server's URL.
func Describe(l agenda.Listing, snap *agenda.Snapshot, base string) Conference {
	at := base + "/" + l.Slug
	c := Conference{Slug: l.Slug, Default: l.Default, Page: at + "/", Feed: at + "/feeds/all.ics", CalDAV: at + "/",
		Source: l.Source.Location}
	if l.Source.Follow > 0 {
		c.Follow = l.Source.Follow.String()
	}
	if snap != nil {
		conf := snap.Conference()
		c.Name, c.TimeZone, c.First, c.Last = conf.Name, conf.TimeZone, conf.First.String(), conf.Last.String()
		c.Revision, c.Sessions = snap.Revision(), snap.Len()
	}
	return c
}

// Public is c as anyone may read it: a source in a file of the server is
// named by its file name alone, there and in the last poll's error (the
// server's directories are its operator's business), and a URL without
// its query and user information.
func (c Conference) Public() Conference {
	if c.Source == "" {
		return c
	}
	if strings.HasPrefix(c.Source, "http://") || strings.HasPrefix(c.Source, "https://") {
		// A URL's query and user information may hold a key the
		// organizers' tool gave the operator: the admin's too.
		u, err := url.Parse(c.Source)
		if err != nil || (u.User == nil && u.RawQuery == "" && !u.ForceQuery) {
			return c
		}
		public := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
		c.SourceError = strings.ReplaceAll(c.SourceError, c.Source, public)
		if u.RawQuery != "" {
			c.SourceError = strings.ReplaceAll(c.SourceError, u.RawQuery, "…")
		}
		c.Source = public
		return c
	}
	name := filepath.Base(c.Source)
	c.SourceError = strings.ReplaceAll(c.SourceError, c.Source, name)
	if dir := filepath.Dir(c.Source); dir != "." && dir != string(filepath.Separator) {
		c.SourceError = strings.ReplaceAll(c.SourceError, dir, "…")
	}
	c.Source = name
	return c
}

// Polled records in c how the last poll of its followed source went: when
// it ended, and err, why it failed (nil when it did not).
func (c *Conference) Polled(at time.Time, err error) {
	c.LastPoll, c.SourceError = at.UTC().Format(time.RFC3339), ""
	if err != nil {
		c.SourceError = PollError(err)
	}
}

// PublicPollError is PollError's message for a failed poll of source as
// anyone may read it: a file is named by its file name alone, as Public
// names it.
func PublicPollError(source string, err error) string {
	return Conference{Source: source, SourceError: PollError(err)}.Public().SourceError
}

// maxPollError bounds PollError's message, in characters.
const maxPollError = 300

// PollError is the message of a failed poll of a source as SourceError
// gives it: on one line, at most a few hundred characters.
func PollError(err error) string {
	msg := cmp.Or(strings.Join(strings.Fields(err.Error()), " "), "the poll failed")
	if r := []rune(msg); len(r) > maxPollError {
		msg = string(r[:maxPollError-1]) + "…"
	}
	return msg
}

package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/catalog"
)

// atomEntries is how many summaries, newest first, the Atom feed carries.
const atomEntries = 100

// serveAtom serves the Atom feed (RFC 4287) of changes: one entry per
// revision and session (or room, track or speaker), in plain words, newest
// first, made once per revision on first request. An entry's id and text
// depend only on the change log, so they stay the same across restarts and
// later changes.
func (s *Server) serveAtom(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	w.Header().Set(api.RevisionHeader, strconv.FormatInt(st.snap.Revision(), 10))
	return s.document(w, r, &st.atom, "application/atom+xml; charset=utf-8", "public, max-age=60",
		func() ([]byte, time.Time, error) { return s.renderAtom(st) })
}

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   atomText   `xml:"title"`
	Updated string     `xml:"updated"`
	Author  atomPerson `xml:"author"`
	Links   []atomLink `xml:"link,omitempty"`
	Content atomText   `xml:"content"`
}

// renderAtom writes the feed of snap. Ids are tag URIs (RFC 4151) on the
// conference's UID domain, dated with its first day as first stored
// (tagDay).
func (s *Server) renderAtom(st *site) ([]byte, time.Time, error) {
	snap := st.snap
	conf := snap.Conference()
	base := st.conf.base
	tag := "tag:" + conf.UIDDomain + "," + tagDay(snap) + ":changes"
	all, err := snap.SummariesSince(snap.BaseRevision())
	if err != nil {
		return nil, time.Time{}, err
	}
	// The latest atomEntries, newest first; all is shared, so copy.
	sums := slices.Clone(all[max(0, len(all)-atomEntries):])
	slices.Reverse(sums)
	updated := snap.Updated()
	if len(sums) > 0 && sums[0].Time.After(updated) {
		updated = sums[0].Time
	}
	feed := atomFeed{
		ID:       tag,
		Title:    conf.Name + " — changes",
		Subtitle: "Sessions moved, retimed, renamed, cancelled or added at " + conf.Name,
		Updated:  updated.UTC().Format(time.RFC3339),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + catalog.AtomPath},
			{Rel: "alternate", Href: base + "/"},
		},
		Author:    atomPerson{Name: conf.Name},
		Generator: "confcal",
	}
	for _, sum := range sums {
		e := atomEntry{
			Title:   atomText{Type: "text", Body: sum.Text},
			Updated: sum.Time.UTC().Format(time.RFC3339),
			Author:  atomPerson{Name: sum.Who},
			Content: atomText{Type: "text", Body: fmt.Sprintf("%s (revision %d)", sum.Text, sum.Revision)},
		}
		switch {
		case sum.Session != "":
			e.ID = fmt.Sprintf("%s/%d/session/%s", tag, sum.Revision, sum.Session)
			e.Links = []atomLink{{Rel: "alternate", Href: base + "/sessions/" + url.PathEscape(sum.Session)}}
		case sum.Room != "":
			e.ID = fmt.Sprintf("%s/%d/room/%s", tag, sum.Revision, sum.Room)
			e.Links = []atomLink{{Rel: "alternate", Type: "text/calendar", Href: base + catalog.RoomPath(sum.Room)}}
		case sum.Speaker != "":
			e.ID = fmt.Sprintf("%s/%d/speaker/%s", tag, sum.Revision, sum.Speaker)
			e.Links = []atomLink{{Rel: "alternate", Type: "text/calendar", Href: base + catalog.SpeakerPath(sum.Speaker)}}
		case sum.Track != "":
			e.ID = fmt.Sprintf("%s/%d/track/%s", tag, sum.Revision, sum.Track)
			e.Links = []atomLink{{Rel: "alternate", Type: "text/calendar", Href: base + catalog.TrackPath(sum.Track)}}
		default:
			// The conference itself (its days): the agenda is its page.
			e.ID = fmt.Sprintf("%s/%d/conference", tag, sum.Revision)
			e.Links = []atomLink{{Rel: "alternate", Href: base + "/"}}
		}
		if e.Author.Name == "" {
			e.Author.Name = conf.Name
		}
		feed.Entries = append(feed.Entries, e)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return nil, time.Time{}, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), updated, nil
}

// tagDay returns the day the feed's tag URIs are dated with: the
// conference's first day before its days were first widened
// (agenda.FieldDays), so that a day added before the conference does not
// give the feed and every entry in it a new ID, which readers would take
// for a new feed and new entries.
func tagDay(snap *agenda.Snapshot) string {
	for _, c := range snap.Log() {
		if c.Field != agenda.FieldDays {
			continue
		}
		if first, _, ok := strings.Cut(c.Old, "/"); ok {
			if _, err := agenda.ParseDate(first); err == nil {
				return first
			}
		}
	}
	return snap.Conference().First.String()
}

package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"confcal/agenda"
)

// AtomEntries is how many summaries, newest first, the Atom feed carries.
const AtomEntries = 100

// ChangesAtom returns a handler for the Atom feed (RFC 4287) of changes:
// one entry per revision and session (or room, or track), in plain words,
// newest first. An entry's id and text depend only on the change log, so
// they stay the same across restarts and later changes. The feed is built
// once per revision and served with a strong ETag.
func ChangesAtom(cfg Config) http.Handler {
	a := newAPI(cfg)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			a.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed here", r.Method))
			return
		}
		snap, err := a.current()
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		doc, err := a.atomFor(snap)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/atom+xml; charset=utf-8")
		h.Set("ETag", doc.etag)
		h.Set("Cache-Control", "public, max-age=60")
		setRevision(w, snap)
		http.ServeContent(w, r, "", doc.modified, bytes.NewReader(doc.body))
	})
}

type atomDoc struct {
	snap     *agenda.Snapshot
	body     []byte
	etag     string
	modified time.Time
}

func (a *api) atomFor(snap *agenda.Snapshot) (*atomDoc, error) {
	if d := a.atom.Load(); d != nil && d.snap == snap {
		return d, nil
	}
	body, modified, err := a.renderAtom(snap)
	if err != nil {
		return nil, fmt.Errorf("api: atom feed of revision %d: %w", snap.Revision(), err)
	}
	sum := sha256.Sum256(body)
	d := &atomDoc{snap: snap, body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, modified: modified}
	a.atom.Store(d)
	return d, nil
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
// conference's UID domain, dated with its first day.
func (a *api) renderAtom(snap *agenda.Snapshot) ([]byte, time.Time, error) {
	conf := snap.Conference()
	tag := "tag:" + conf.UIDDomain + "," + conf.First.String() + ":changes"
	all, err := snap.SummariesSince(snap.BaseRevision())
	if err != nil {
		return nil, time.Time{}, err
	}
	// The latest AtomEntries, newest first; all is shared, so copy.
	sums := slices.Clone(all[max(0, len(all)-AtomEntries):])
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
			{Rel: "self", Type: "application/atom+xml", Href: a.baseURL + "/feeds/changes.atom"},
			{Rel: "alternate", Href: a.baseURL + "/"},
		},
		Author:    atomPerson{Name: conf.Name},
		Generator: "confcal",
	}
	for _, s := range sums {
		e := atomEntry{
			Title:   atomText{Type: "text", Body: s.Text},
			Updated: s.Time.UTC().Format(time.RFC3339),
			Author:  atomPerson{Name: s.Who},
			Content: atomText{Type: "text", Body: fmt.Sprintf("%s (revision %d)", s.Text, s.Revision)},
		}
		switch {
		case s.Session != "":
			e.ID = fmt.Sprintf("%s/%d/session/%s", tag, s.Revision, s.Session)
			e.Links = []atomLink{{Rel: "alternate", Href: a.baseURL + "/sessions/" + url.PathEscape(s.Session)}}
		case s.Room != "":
			e.ID = fmt.Sprintf("%s/%d/room/%s", tag, s.Revision, s.Room)
			e.Links = []atomLink{{Rel: "alternate", Type: "text/calendar", Href: a.baseURL + "/feeds/rooms/" + url.PathEscape(s.Room) + ".ics"}}
		default:
			e.ID = fmt.Sprintf("%s/%d/track/%s", tag, s.Revision, s.Track)
			e.Links = []atomLink{{Rel: "alternate", Type: "text/calendar", Href: a.baseURL + "/feeds/tracks/" + url.PathEscape(s.Track) + ".ics"}}
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

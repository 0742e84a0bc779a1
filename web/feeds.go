package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/catalog"
	"confcal/ical"
)

// serveFeed serves the feed of the calendar kind with the ID in the URL
// parameter param ("" for the whole conference): 404 naming what the
// agenda does not have, 400 for a malformed day, and 400 for a request
// for reminders, which only personal feeds carry (a query is otherwise
// ignored, as cache-busting clients add one).
func (s *Server) serveFeed(kind catalog.Kind, param string) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.RawQuery != "" && r.URL.Query().Has(catalog.AlarmParam) {
			return errorf(http.StatusBadRequest, "%s= is for personal feeds only (%s?sessions=…&%s=10m, /feeds/my/CODE.ics?%s=10m): "+
				"this feed is shared by everyone who subscribes to it and carries no reminders", catalog.AlarmParam, catalog.PickPath, catalog.AlarmParam, catalog.AlarmParam)
		}
		st, err := s.site(r)
		if err != nil {
			return err
		}
		id := ""
		if param != "" {
			id = r.PathValue(param)
		}
		v, ok := s.feed(st, kind, id)
		if !ok {
			if kind == catalog.Day {
				if _, err := parseDay(id); err != nil {
					return errorf(http.StatusBadRequest, "bad day %s, want YYYY-MM-DD", short(id))
				}
				return errorf(http.StatusNotFound, "no day %s at %s", id, st.snap.Conference().Name)
			}
			return errorf(http.StatusNotFound, "no %s %s", kind, short(id))
		}
		return serveEntity(w, r, *v)
	})
}

// feed returns a named feed of the revision as serveEntity answers with it
// (its view, prepared), made on first request and kept with the revision;
// the whole conference's, the feed polled most, in a field of its own.
func (s *Server) feed(st *site, kind catalog.Kind, id string) (*entity, bool) {
	if kind == catalog.All {
		if v := st.all.Load(); v != nil {
			return v, true
		}
	}
	key := string(kind) + "/" + id
	if v, ok := st.views.Load(key); ok {
		return v.(*entity), true
	}
	c, ok := catalog.Find(st.snap, kind, id)
	if !ok {
		return nil, false
	}
	cal, err := feedOf(st.rendered, c)
	if err != nil {
		// Find named c from this very revision, so Select knows all it
		// names; should it not, the feed is as good as absent.
		return nil, false
	}
	e := s.feedEntity(cal).prepared()
	v, _ := st.views.LoadOrStore(key, &e)
	fv := v.(*entity)
	if kind == catalog.All {
		st.all.Store(fv)
	}
	return fv, true
}

// feedOf assembles the feed of calendar c from a rendering: its sessions
// in agenda order, found from the snapshot's indexes, dated by the latest
// change that concerned it (a session leaving it included,
// agenda.Snapshot.SelectionChanged) or its own name.
func feedOf(rendered *ical.Rendered, c catalog.Calendar) (*ical.Calendar, error) {
	meta := ical.FeedMeta{Name: c.Name, Description: c.Description, Color: c.Color}
	v, err := rendered.FeedOf(rendered.Head(meta), c.Selection)
	if err != nil {
		return nil, err
	}
	return v.Touch(c.Renamed), nil
}

// feedEntity is a feed as served: its body, and its gzip copy, are made on
// the first request that wants them and kept in the server's body cache
// by ETag.
func (s *Server) feedEntity(c *ical.Calendar) entity {
	return entity{
		etag: c.ETag(), modified: c.Modified(), ctype: "text/calendar; charset=utf-8", cache: feedCache, gzip: true,
		body: func(gz bool) ([]byte, func(), error) {
			b, err := s.bodies.get(c.ETag(), gz, c.Bytes)
			return b, noop, err
		},
	}
}

// FeedInfo describes one feed in the feed list (GET /feeds).
type FeedInfo struct {
	// Kind is "all", "track", "room", "day", "session" or "speaker".
	Kind string `json:"kind"`
	// ID is the track, room, session or speaker ID, or the day as
	// YYYY-MM-DD; empty for the whole conference.
	ID string `json:"id,omitempty"`
	// Name is the calendar's name as clients show it.
	Name string `json:"name"`
	// URL is the feed's absolute http(s) URL.
	URL string `json:"url"`
	// Webcal is the same URL with the webcal:// scheme, which asks the
	// operating system's calendar to subscribe.
	Webcal string `json:"webcal"`
	// Events is the number of events in the feed.
	Events int `json:"events"`
}

// FeedList is the body of GET /feeds.
type FeedList struct {
	Conference string     `json:"conference"`
	Revision   int64      `json:"revision"`
	Feeds      []FeedInfo `json:"feeds"`
}

// serveFeedList serves GET /feeds: every named feed, made once per
// revision on first request, served like a feed.
func (s *Server) serveFeedList(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	return s.document(w, r, &st.list, "application/json; charset=utf-8", feedCache, func() ([]byte, time.Time, error) {
		snap := st.snap
		list := FeedList{Conference: snap.Conference().Name, Revision: snap.Revision()}
		for _, c := range catalog.List(snap) {
			u := st.conf.base + c.Path
			list.Feeds = append(list.Feeds, FeedInfo{Kind: string(c.Kind), ID: c.ID, Name: c.Name, URL: u, Webcal: webcal(u), Events: c.Events})
		}
		body, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("web: feed list: %w", err)
		}
		return append(body, '\n'), listModified(snap), nil
	})
}

// listModified is the feed list's Last-Modified: the agenda's latest
// change of any kind (a room added changes the list and no session), or
// the latest LastModified of a session when that is later (the log starts
// at an import).
func listModified(snap *agenda.Snapshot) time.Time {
	t := snap.Updated()
	if c := snap.Changed().Time; c.After(t) {
		t = c
	}
	return t
}

// webcal swaps the scheme of an http(s) URL for webcal://.
func webcal(u string) string {
	if rest, ok := cutPrefix(u, "https://"); ok {
		return "webcal://" + rest
	}
	rest, _ := cutPrefix(u, "http://")
	return "webcal://" + rest
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

// short quotes a name taken from a request for an error message, cut to a
// readable length.
func short(s string) string {
	const max = 80
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// bodyCache keeps the contiguous bodies of feeds (and their gzip copies)
// between requests, keyed by ETag, the least recently used dropped first
// once the bytes kept pass the bound. A body is made once however many
// requests want it at the same moment. A feed an edit did not change keeps
// its ETag, so its body is shared by every revision that serves it.
type bodyCache struct {
	max int

	mu     sync.Mutex
	size   int
	lru    *list.List // of *cached, most recently used first
	byKey  map[string]*list.Element
	making map[string]*making
}

type cached struct {
	key string
	b   []byte
}

// making is a body being made, which other requests wait for.
type making struct {
	done chan struct{}
	b    []byte
	err  error
}

func newBodyCache(max int) *bodyCache {
	return &bodyCache{max: max, lru: list.New(), byKey: map[string]*list.Element{}, making: map[string]*making{}}
}

// get returns the body of the feed with ETag etag (its gzip copy when gz),
// made with body when it is not kept.
func (c *bodyCache) get(etag string, gz bool, body func() []byte) ([]byte, error) {
	key := etag
	if gz {
		key = gzipETag(etag)
	}
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cached).b, nil
	}
	if m, ok := c.making[key]; ok {
		c.mu.Unlock()
		<-m.done
		return m.b, m.err
	}
	m := &making{done: make(chan struct{})}
	c.making[key] = m
	c.mu.Unlock()

	if gz {
		var plain []byte
		if plain, m.err = c.get(etag, false, body); m.err == nil {
			m.b, m.err = compress(plain)
		}
	} else {
		m.b = body()
	}

	c.mu.Lock()
	delete(c.making, key)
	if m.err == nil && len(m.b) <= c.max {
		c.byKey[key] = c.lru.PushFront(&cached{key: key, b: m.b})
		c.size += len(m.b)
		for c.size > c.max {
			el := c.lru.Back()
			old := el.Value.(*cached)
			c.lru.Remove(el)
			delete(c.byKey, old.key)
			c.size -= len(old.b)
		}
	}
	c.mu.Unlock()
	close(m.done)
	return m.b, m.err
}

// compress gzips b at the default level: made once per feed and version,
// so the smaller body is worth the time.
func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("web: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("web: gzip: %w", err)
	}
	return buf.Bytes(), nil
}

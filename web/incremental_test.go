package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

// TestPrepareAssemblesOnlyTouched checks that after an edit Prepare
// assembles exactly the named feeds the edit can have touched, keeps every
// other feed of the previous revision as it was, and that what it serves
// equals, byte for byte, a fresh server's Prepare of the same snapshot:
// bodies, ETags, Last-Modified and gzip copies, and the feed list.
func TestPrepareAssemblesOnlyTouched(t *testing.T) {
	cancelled := agenda.StatusCancelled
	steps := []struct {
		name string
		edit func(*agenda.Editor) error
		want []string // the feeds assembled, by kind/ID
	}{
		{"move to another room and day", func(e *agenda.Editor) error {
			room, start, end := "room-1", agendatest.At(8, 12, 0), agendatest.At(8, 12, 40)
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Room: &room, Start: &start, End: &end})
		}, []string{"all/", "track/talks", "room/room-1", "room/room-2", "day/2019-10-08", "day/2019-10-09", "session/late-talk"}},
		{"cancel", func(e *agenda.Editor) error {
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Status: &cancelled})
		}, []string{"all/", "track/keynote", "room/room-1", "day/2019-10-08", "session/opening-keynote"}},
		{"rename a room", func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") },
			[]string{"all/", "track/talks", "room/room-2", "day/2019-10-08", "session/state-of-state"}},
		{"add a room", func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"}) },
			[]string{"all/", "room/room-3"}},
		{"move to another track", func(e *agenda.Editor) error {
			track := "keynote"
			return e.UpdateSession("streams-everywhere", agenda.SessionUpdate{Track: &track})
		}, []string{"all/", "track/keynote", "track/talks", "room/room-1", "day/2019-10-08", "session/streams-everywhere"}},
		{"add a track", func(e *agenda.Editor) error { return e.AddTrack(agenda.Track{ID: "panel", Name: "Panel"}) },
			[]string{"all/", "track/panel"}},
	}
	var assembled []string
	srv := New(Config{BaseURL: "http://localhost:8080"})
	srv.assembled = func(kind, id string) { assembled = append(assembled, kind+"/"+id) }
	snap := agendatest.Small(t)
	prev := prepared(t, snap, srv)
	if n := len(assembled); n != len(prev.named()) {
		t.Fatalf("first revision: %d feeds assembled, want all %d", n, len(prev.named()))
	}
	for i, step := range steps {
		e := snap.Edit("test", agendatest.Published.Add(24*time.Hour+time.Duration(i)*time.Minute))
		if err := step.edit(e); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var err error
		if snap, err = e.Commit(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		assembled = nil
		rev := prepared(t, snap, srv)
		slices.Sort(assembled)
		want := slices.Sorted(slices.Values(step.want))
		if !slices.Equal(assembled, want) {
			t.Errorf("%s: assembled %q, want %q", step.name, assembled, want)
		}
		fresh := prepared(t, snap, New(Config{BaseURL: "http://localhost:8080"}))
		got, exp := feedsByKey(rev), feedsByKey(fresh)
		if k1, k2 := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(exp)); !slices.Equal(k1, k2) {
			t.Fatalf("%s: feeds %q, a fresh Prepare has %q", step.name, k1, k2)
		}
		old := feedsByKey(prev)
		for key, f := range got {
			if g := exp[key]; !sameFeed(t, f, g) {
				t.Errorf("%s: %s differs from a fresh Prepare: ETag %s, Last-Modified %q, %d bytes; want %s, %q, %d bytes",
					step.name, key, f.doc.ETag, f.lastModified, len(f.doc.Body), g.doc.ETag, g.lastModified, len(g.doc.Body))
			}
			if !slices.Contains(want, key) && key != "list/" && f != old[key] {
				t.Errorf("%s: %s was not touched but is not the previous revision's feed", step.name, key)
			}
		}
		if want := referenceList(t, rev); !bytes.Equal(rev.list.doc.Body, want) {
			t.Errorf("%s: feed list:\n%s\nwant what json.MarshalIndent writes:\n%s", step.name, rev.list.doc.Body, want)
		}
		prev = rev
	}
}

// referenceList encodes the feed list of rev with json.MarshalIndent in
// one piece, as feedList did before it reused each feed's entry.
func referenceList(t *testing.T, rev *revision) []byte {
	t.Helper()
	snap := rev.ed.Snapshot()
	list := FeedList{Conference: snap.Conference().Name, Revision: snap.Revision()}
	for _, f := range rev.named() {
		u := "http://localhost:8080" + f.path
		list.Feeds = append(list.Feeds, FeedInfo{Kind: f.kind, ID: f.id, Name: f.name, URL: u, Webcal: webcal(u), Events: f.doc.Events})
	}
	body, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(body, '\n')
}

// feedsByKey returns the named feeds and the feed list of rev by kind/ID.
func feedsByKey(rev *revision) map[string]*feed {
	out := map[string]*feed{"list/": rev.list}
	for _, f := range rev.named() {
		out[f.kind+"/"+f.id] = f
	}
	return out
}

// sameFeed reports whether a and b serve the same bytes with the same headers.
func sameFeed(t *testing.T, a, b *feed) bool {
	return a.kind == b.kind && a.id == b.id && a.path == b.path && a.name == b.name &&
		bytes.Equal(a.doc.Body, b.doc.Body) && a.doc.ETag == b.doc.ETag && a.doc.Events == b.doc.Events &&
		a.doc.Modified.Equal(b.doc.Modified) && a.modified.Equal(b.modified) && a.lastModified == b.lastModified &&
		bytes.Equal(gzipped(t, a), gzipped(t, b)) && a.gzETag == b.gzETag && a.contentType == b.contentType
}

// gzipped returns f's gzip copy, compressing it if it was deferred.
func gzipped(t *testing.T, f *feed) []byte {
	t.Helper()
	gz, err := f.gz.bytes()
	if err != nil {
		t.Fatalf("%s: gzip copy: %v", f.path, err)
	}
	return gz
}

// A large body's gzip copy is made on the first request that wants it:
// not in Prepare, once, and it decompresses to the body. A 304 for the
// gzip variant does not need it.
func TestDeferredGzip(t *testing.T) {
	body := bytes.Repeat([]byte("BEGIN:VEVENT\r\nSUMMARY:A large feed\r\nEND:VEVENT\r\n"), lazyGzip/40)
	doc := ical.Doc{Body: body, ETag: `"big"`, Events: 1}
	f, err := newFeed("all", "", "/feeds/all.ics", "Big", doc, nil, new(compressor))
	if err != nil {
		t.Fatal(err)
	}
	small, err := newFeed("all", "", "/feeds/all.ics", "Small", ical.Doc{Body: body[:1000], ETag: `"small"`}, nil, new(compressor))
	if err != nil {
		t.Fatal(err)
	}
	if f.gz.gz != nil || small.gz.gz == nil {
		t.Fatalf("compressed in advance: %d bytes large (%d), %d bytes small; want only the small one",
			len(f.gz.gz), len(body), len(small.gz.gz))
	}
	req := httptest.NewRequest(http.MethodGet, "/feeds/all.ics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("If-None-Match", f.gzETag)
	w := httptest.NewRecorder()
	serveFeed(w, req, f)
	if w.Code != http.StatusNotModified || f.gz.gz != nil {
		t.Fatalf("If-None-Match of the gzip ETag: status %d, compressed %v; want 304 without compressing", w.Code, f.gz.gz != nil)
	}
	req.Header.Del("If-None-Match")
	w = httptest.NewRecorder()
	serveFeed(w, req, f)
	sent := bytes.Clone(w.Body.Bytes())
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(got, body) {
		t.Fatalf("status %d, Content-Encoding %q, %d bytes decompressed; want 200, gzip, the %d bytes of the body",
			w.Code, w.Header().Get("Content-Encoding"), len(got), len(body))
	}
	if a, b := gzipped(t, f), gzipped(t, f); !same(a, b) || !bytes.Equal(a, sent) {
		t.Error("a later use compressed again or got other bytes")
	}
}

// TestPrepareAfterRandomEdits runs a fixed pseudo-random series of edits of
// every kind, preparing some revisions and skipping others (so one Prepare
// spans several revisions, in which a session may pass through a room and
// leave it again), and checks each prepared revision against a fresh
// server's Prepare of the same snapshot.
func TestPrepareAfterRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	srv := New(Config{BaseURL: "http://localhost:8080"})
	var assembled int
	srv.assembled = func(string, string) { assembled++ }
	snap := agendatest.Small(t)
	prepared(t, snap, srv)
	confirmed, cancelled := agenda.StatusConfirmed, agenda.StatusCancelled
	partial := 0
	for i := range 400 {
		e := snap.Edit("test", agendatest.Published.Add(time.Duration(i+1)*time.Minute))
		ids := snap.SessionIDs()
		id := ids[rng.IntN(len(ids))]
		rooms, tracks := snap.Rooms(), snap.Tracks()
		var err error
		switch op := rng.IntN(9); op {
		case 0:
			room := rooms[rng.IntN(len(rooms))].ID
			err = e.UpdateSession(id, agenda.SessionUpdate{Room: &room, Force: true})
		case 1:
			start := agendatest.At(8+rng.IntN(2), 9+rng.IntN(8), 0)
			end := start.Add(40 * time.Minute)
			err = e.UpdateSession(id, agenda.SessionUpdate{Start: &start, End: &end, Force: true})
		case 2:
			track := tracks[rng.IntN(len(tracks))].ID
			err = e.UpdateSession(id, agenda.SessionUpdate{Track: &track})
		case 3:
			st := []agenda.Status{confirmed, cancelled}[rng.IntN(2)]
			err = e.UpdateSession(id, agenda.SessionUpdate{Status: &st, Force: true})
		case 4:
			title := fmt.Sprintf("Title %d", i)
			err = e.UpdateSession(id, agenda.SessionUpdate{Title: &title})
		case 5:
			abstract := fmt.Sprintf("Abstract %d", i)
			err = e.UpdateSession(id, agenda.SessionUpdate{Abstract: &abstract})
		case 6:
			err = e.AddRoom(agenda.Room{ID: fmt.Sprintf("room-x%d", i), Name: fmt.Sprintf("Room X%d", i)})
		case 7:
			err = e.RenameRoom(rooms[rng.IntN(len(rooms))].ID, fmt.Sprintf("Hall %d", i))
		case 8:
			err = e.AddTrack(agenda.Track{ID: fmt.Sprintf("track-x%d", i), Name: fmt.Sprintf("Track X%d", i)})
		}
		if err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		if snap, err = e.Commit(); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		if rng.IntN(2) == 0 {
			continue // the next Prepare spans this revision too
		}
		assembled = 0
		rev := prepared(t, snap, srv)
		fresh := prepared(t, snap, New(Config{BaseURL: "http://localhost:8080"}))
		got, exp := feedsByKey(rev), feedsByKey(fresh)
		if len(got) != len(exp) {
			t.Fatalf("edit %d: %d feeds, a fresh Prepare has %d", i, len(got), len(exp))
		}
		for key, f := range got {
			if g, ok := exp[key]; !ok || !sameFeed(t, f, g) {
				t.Fatalf("edit %d: %s differs from a fresh Prepare", i, key)
			}
		}
		if assembled < len(got)-1 {
			partial++
		}
	}
	if partial == 0 {
		t.Error("every Prepare assembled every feed")
	}
}

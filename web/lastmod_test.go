package web_test

import (
	"net/http"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"
)

// lastModTargets are the feeds whose validators TestLastModifiedFollowsChanges
// follows: every named feed of Small, the feed list and some picks.
var lastModTargets = []string{
	"/feeds", "/feeds/all.ics",
	"/feeds/tracks/keynote.ics", "/feeds/tracks/talks.ics",
	"/feeds/rooms/room-1.ics", "/feeds/rooms/room-2.ics",
	"/feeds/days/2019-10-08.ics", "/feeds/days/2019-10-09.ics",
	"/feeds/sessions/" + opening + ".ics", "/feeds/sessions/" + streams + ".ics", "/feeds/sessions/" + state + ".ics",
	"/feeds/sessions/" + late + ".ics", "/feeds/sessions/" + closing + ".ics",
	"/feeds/custom.ics?rooms=room-2", "/feeds/custom.ics?tracks=talks", "/feeds/custom.ics?days=2019-10-08",
	"/feeds/custom.ics?sessions=" + closing, "/feeds/custom.ics?rooms=room-1&sessions=" + late,
}

type validators struct{ etag, lastMod string }

func validatorsOf(t *testing.T, h http.Handler, targets []string) map[string]validators {
	t.Helper()
	out := map[string]validators{}
	for _, target := range targets {
		resp := do(t, h, http.MethodGet, target)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", target, resp.StatusCode)
		}
		out[target] = validators{resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")}
	}
	return out
}

// A client that revalidates with If-Modified-Since alone must get the new
// document whenever it changed: when a session joins or leaves a feed (a
// move, a new day or track), when a member is cancelled, when a room is
// added or renamed. Feeds a change left alone still answer 304. And a
// restarted server serves the same validators for the same revision.
func TestLastModifiedFollowsChanges(t *testing.T) {
	snap := agendatest.Small(t)
	srv, h := serve(t, web.Config{}, snap)
	cancelled := agenda.StatusCancelled
	steps := []struct {
		name string
		edit func(*agenda.Editor) error
	}{
		{"move to another room", func(e *agenda.Editor) error {
			room, start, end := "room-1", agendatest.At(9, 12, 0), agendatest.At(9, 12, 40)
			return e.UpdateSession(late, agenda.SessionUpdate{Room: &room, Start: &start, End: &end})
		}},
		{"move to another day", func(e *agenda.Editor) error {
			start, end := agendatest.At(9, 14, 0), agendatest.At(9, 14, 40)
			return e.UpdateSession(state, agenda.SessionUpdate{Start: &start, End: &end})
		}},
		{"move to another track", func(e *agenda.Editor) error {
			track := "keynote"
			return e.UpdateSession(streams, agenda.SessionUpdate{Track: &track})
		}},
		{"cancel", func(e *agenda.Editor) error {
			return e.UpdateSession(opening, agenda.SessionUpdate{Status: &cancelled})
		}},
		{"add a room", func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"}) }},
		{"rename the empty room", func(e *agenda.Editor) error { return e.RenameRoom("room-3", "Kesselhaus") }},
	}
	targets := lastModTargets
	before := validatorsOf(t, h, targets)
	for i, step := range steps {
		// Edits a minute apart: Last-Modified counts whole seconds.
		e := snap.Edit("test", agendatest.Published.Add(24*time.Hour+time.Duration(i)*time.Minute))
		if err := step.edit(e); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var err error
		if snap, err = e.Commit(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		publish(t, srv, snap)
		after := validatorsOf(t, h, targets)
		changed := 0
		for _, target := range targets {
			old, now := before[target], after[target]
			bodyChanged := old.etag != now.etag
			if bodyChanged {
				changed++
			}
			if old.lastMod == "" {
				// A pick of an empty room has no dated session and no
				// Last-Modified: a client can only revalidate by ETag.
				continue
			}
			resp := do(t, h, http.MethodGet, target, "If-Modified-Since", old.lastMod)
			switch {
			case bodyChanged && resp.StatusCode != http.StatusOK:
				t.Errorf("%s: GET %s with If-Modified-Since %s (Last-Modified now %s): status %d, want 200: the document changed",
					step.name, target, old.lastMod, now.lastMod, resp.StatusCode)
			case !bodyChanged && target != "/feeds" && resp.StatusCode != http.StatusNotModified:
				// The feed list's Last-Modified follows every change
				// (it is cheap to refetch); calendars follow their own.
				t.Errorf("%s: GET %s, unchanged, with If-Modified-Since %s: status %d, want 304",
					step.name, target, old.lastMod, resp.StatusCode)
			}
		}
		if changed == 0 || changed == len(targets) {
			t.Errorf("%s: %d of %d feeds changed; the test needs some of each", step.name, changed, len(targets))
		}
		if i == 4 { // the room was added: follow its feed from now on
			targets = append(targets, "/feeds/rooms/room-3.ics", "/feeds/custom.ics?rooms=room-3")
			after = validatorsOf(t, h, targets)
			if lm := after["/feeds/rooms/room-3.ics"].lastMod; lm == "" {
				t.Errorf("%s: the new room's feed has no Last-Modified", step.name)
			}
		}
		before = after
	}

	// A restart: the same revision rendered by a fresh server.
	_, fresh := serve(t, web.Config{}, snap)
	again := validatorsOf(t, fresh, targets)
	for _, target := range targets {
		if again[target] != before[target] {
			t.Errorf("GET %s after a restart: %+v, before it %+v", target, again[target], before[target])
		}
	}
}

// The feed list's Last-Modified is the agenda's latest change of any kind.
func TestFeedListLastModified(t *testing.T) {
	snap := agendatest.Small(t)
	at := agendatest.Published.Add(time.Hour)
	e := snap.Edit("test", at)
	if err := e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	_, h := serve(t, web.Config{}, next)
	resp := do(t, h, http.MethodGet, "/feeds")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /feeds: status %d", resp.StatusCode)
	}
	if got, want := resp.Header.Get("Last-Modified"), at.Format(http.TimeFormat); got != want {
		t.Errorf("feed list Last-Modified %s, want %s (the room's addition)", got, want)
	}
}

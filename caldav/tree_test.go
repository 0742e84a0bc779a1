package caldav

import (
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

func ptr[T any](v T) *T { return &v }

// TestFindChanges checks the one-pass walk of findChanges against the
// definition, computed the slow way with Snapshot.SessionAt: a calendar
// changed at revision r when a session that was a member before r or is
// one after r changed at r, or when the calendar itself appeared or was
// renamed at r.
func TestFindChanges(t *testing.T) {
	snap := agendatest.Small(t)
	edits := []func(*agenda.Editor) error{
		func(e *agenda.Editor) error {
			return e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: ptr("room-1"), Force: true})
		},
		func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: ptr(agenda.StatusCancelled)})
		},
		func(e *agenda.Editor) error { return e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"}) },
		func(e *agenda.Editor) error {
			return e.UpdateSession("closing-keynote", agenda.SessionUpdate{Track: ptr("talks"), Room: ptr("room-3")})
		},
		func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") },
		func(e *agenda.Editor) error {
			return e.AddSession(agenda.Session{ID: "lightning", Title: "Lightning Talks", Start: agendatest.At(9, 13, 0),
				End: agendatest.At(9, 14, 0), Track: "talks", Room: "room-2"}, false)
		},
		func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: ptr(agenda.StatusConfirmed), Title: ptr("Late Talk, Back")})
		},
		func(e *agenda.Editor) error {
			return e.AddTrack(agenda.Track{ID: "panel", Name: "Panel", Color: "#112233"})
		},
		func(e *agenda.Editor) error {
			if err := e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: ptr("New plan.")}); err != nil {
				return err
			}
			return e.UpdateSession("streams-everywhere", agenda.SessionUpdate{Track: ptr("panel")})
		},
	}
	for i, edit := range edits {
		e := snap.Edit("test", time.Date(2019, 10, 1, i, 0, 0, 0, time.UTC))
		if err := edit(e); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		next, err := e.Commit()
		if err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		snap = next

		ed, err := ical.Render(snap, ical.Options{BaseURL: "http://test.example"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := newView(ed, paths{prefix: "/dav"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v.cals {
			if want := slowChanged(t, snap, c); c.changed != want {
				t.Errorf("after edit %d: %s changed at %d, want %d", i, c.id, c.changed, want)
			}
		}
	}
}

func slowChanged(t *testing.T, snap *agenda.Snapshot, c *calendar) int64 {
	t.Helper()
	member := func(id string, rev int64) bool {
		x, ok, err := snap.SessionAt(id, rev)
		if err != nil {
			t.Fatal(err)
		}
		return ok && c.admitsSession(x)
	}
	last := snap.BaseRevision()
	for _, ch := range snap.Log() {
		r := ch.Revision
		switch {
		case ch.Session != "" && (member(ch.Session, r-1) || member(ch.Session, r)):
		case (ch.Field == agenda.FieldRoomAdded || ch.Field == agenda.FieldRoomName) && c.kind == kindRoom && c.key == ch.Room:
		case ch.Field == agenda.FieldTrackAdd && c.kind == kindTrack && c.key == ch.Track:
		default:
			continue
		}
		last = max(last, r)
	}
	return last
}

// TestResolve checks how paths map onto the tree.
func TestResolve(t *testing.T) {
	ed, err := ical.Render(agendatest.Small(t), ical.Options{BaseURL: "http://test.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := newView(ed, paths{prefix: "/dav"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		kind resKind
		want string // canonical path
	}{
		{"/", resRoot, "/"},
		{"/dav", resRoot, "/dav/"},
		{"/dav/", resRoot, "/dav/"},
		{"/dav/public", resPrincipal, "/dav/public/"},
		{"/dav/public/calendars", resHome, "/dav/public/calendars/"},
		{"/dav/public/calendars/all", resCalendar, "/dav/public/calendars/all/"},
		{"/dav/public/calendars/room-room-2/", resCalendar, "/dav/public/calendars/room-room-2/"},
		{"/dav/public/calendars/all/late-talk.ics", resObject, "/dav/public/calendars/all/late-talk.ics"},
		{"/dav/public/calendars/./all/../all/late-talk.ics", resObject, "/dav/public/calendars/all/late-talk.ics"},
		{"/dav/public/calendars/room-room-1/late-talk.ics", resNone, ""}, // not a member
		{"/dav/public/calendars/all/late-talk.ics/", resNone, ""},
		{"/dav/public/calendars/all/late-talk", resNone, ""},
		{"/dav/public/calendars/track-nope/", resNone, ""},
		{"/dav/other/", resNone, ""},
		{"/dav/public/other/", resNone, ""},
		{"/davx/public/", resNone, ""},
		{"/feeds/all.ics", resNone, ""},
		{"relative", resNone, ""},
		{"", resNone, ""},
	}
	for _, tc := range tests {
		got := v.resolve(tc.path)
		if got.kind != tc.kind || got.path != tc.want {
			t.Errorf("resolve(%q) = kind %d path %q, want kind %d path %q", tc.path, got.kind, got.path, tc.kind, tc.want)
		}
	}
}

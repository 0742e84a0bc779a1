package api_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/api"
)

// edit applies fn to snap as one revision made at the given minute after
// Published.
func edit(t *testing.T, snap *agenda.Snapshot, minute int, fn func(*agenda.Editor) error) *agenda.Snapshot {
	t.Helper()
	e := snap.Edit("test", agendatest.Published.Add(time.Duration(minute)*time.Minute))
	if err := fn(e); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func strp(s string) *string { return &s }

func TestFromSession(t *testing.T) {
	snap := agendatest.Small(t)
	x, _ := snap.Session("streams-everywhere")
	got := api.FromSession(snap, x)
	want := api.Session{ID: "streams-everywhere", Title: "Streams Everywhere", Start: "2019-10-08T10:30:00+02:00", End: "2019-10-08T11:10:00+02:00",
		Room: "room-1", RoomName: "Room 1", Track: "talks", TrackName: "Talks", Abstract: x.Abstract, Status: "confirmed",
		Sequence: 0, LastModified: "2019-09-01T08:00:00Z", UID: "streams-everywhere@test.confcal.example", ETag: api.SessionETag(snap, x),
		Speakers: []api.Speaker{}, Number: x.Number}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromSession = %+v\nwant %+v", got, want)
	}
	r, _ := snap.Room("room-2")
	if got, want := api.FromRoom(snap, r), (api.Room{ID: "room-2", Name: "Room 2", Sessions: 2, ETag: api.RoomETag(snap, "room-2")}); got != want {
		t.Errorf("FromRoom = %+v, want %+v", got, want)
	}
}

// A session's ETag changes exactly when the session does (an abstract
// edit too, which leaves SEQUENCE alone) and not when another does; a
// room's when it is renamed.
func TestETags(t *testing.T) {
	s1 := agendatest.Small(t)
	etag := func(snap *agenda.Snapshot, id string) string {
		x, _ := snap.Session(id)
		return api.SessionETag(snap, x)
	}
	s2 := edit(t, s1, 1, func(e *agenda.Editor) error {
		return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: strp("Other.")})
	})
	s3 := edit(t, s2, 2, func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Abstract: strp("New.")})
	})
	s4 := edit(t, s3, 3, func(e *agenda.Editor) error { return e.RenameRoom("room-1", "Main Hall") })
	for _, c := range []struct {
		what        string
		a, b        *agenda.Snapshot
		id          string
		wantChanged bool
	}{
		{"another session's edit", s1, s2, "late-talk", false},
		{"its abstract edited", s2, s3, "late-talk", true},
		{"a later revision", s3, s4, "late-talk", false}, // room-2 kept its name
		{"its room renamed", s3, s4, "opening-keynote", true},
	} {
		if changed := etag(c.a, c.id) != etag(c.b, c.id); changed != c.wantChanged {
			t.Errorf("%s: %s's ETag %s → %s, changed %v, want %v", c.what, c.id, etag(c.a, c.id), etag(c.b, c.id), changed, c.wantChanged)
		}
		if e := etag(c.b, c.id); !strings.HasPrefix(e, `"`) || !strings.HasSuffix(e, `"`) {
			t.Errorf("ETag %s is not a quoted strong validator", e)
		}
	}
	if api.RoomETag(s3, "room-1") == api.RoomETag(s4, "room-1") || api.RoomETag(s3, "room-2") != api.RoomETag(s4, "room-2") {
		t.Errorf("room ETags: room-1 %s → %s (renamed), room-2 %s → %s (not)",
			api.RoomETag(s3, "room-1"), api.RoomETag(s4, "room-1"), api.RoomETag(s3, "room-2"), api.RoomETag(s4, "room-2"))
	}
}

// statusOf returns the HTTP status an api.Error answers with, 0 for any
// other error.
func statusOf(err error) int {
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae.Status()
	}
	return 0
}

func TestSessionPatchUpdate(t *testing.T) {
	loc := berlin(t)
	cancelled := agenda.StatusCancelled
	u, err := api.SessionPatch{Start: strp("2019-10-08T14:00"), Status: strp("cancelled"), Title: strp("New"), Force: true}.Update(loc)
	if err != nil {
		t.Fatal(err)
	}
	if u.Start == nil || !u.Start.Equal(time.Date(2019, 10, 8, 14, 0, 0, 0, loc)) || u.End != nil || *u.Status != cancelled || *u.Title != "New" || !u.Force {
		t.Errorf("Update = %+v", u)
	}
	for _, c := range []struct {
		p    api.SessionPatch
		says string
	}{
		{api.SessionPatch{Start: strp("noon")}, "start: "},
		{api.SessionPatch{End: strp("2019-10-08T14:00:01")}, "end: "},
		{api.SessionPatch{Status: strp("moved")}, `status: "moved" is not a status`},
		{api.SessionPatch{Title: strp("  ")}, "title: must not be empty"},
	} {
		_, err := c.p.Update(loc)
		if err == nil || statusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Update(%+v) = %v (status %d), want a 400 saying %q", c.p, err, statusOf(err), c.says)
		}
	}
}

func TestNewSessionSession(t *testing.T) {
	loc := berlin(t)
	n := api.NewSession{Title: "New Talk", Start: "2019-10-09T14:00", End: "2019-10-09T14:30", Room: "room-1", Track: "talks"}
	x, err := n.Session("", loc)
	if err != nil {
		t.Fatal(err)
	}
	if x.Title != "New Talk" || x.Status != agenda.StatusConfirmed || x.ID != "" || x.Duration() != 30*time.Minute {
		t.Errorf("Session = %+v", x)
	}
	for _, c := range []struct {
		edit  func(*api.NewSession)
		where string
		says  string
	}{
		{func(n *api.NewSession) { n.Room = "" }, "", "room is required"},
		{func(n *api.NewSession) { n.Title = " " }, "", "title is required"},
		{func(n *api.NewSession) { n.ID = "Bad ID" }, "", "id: \"Bad ID\" is not a slug"},
		{func(n *api.NewSession) { n.Start = "soon" }, "sessions[x].", "sessions[x].start: "},
		{func(n *api.NewSession) { n.Status = "maybe" }, "sessions[x].", "sessions[x].status: "},
	} {
		m := n
		c.edit(&m)
		_, err := m.Session(c.where, loc)
		if err == nil || statusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Session(%+v) = %v, want a 400 saying %q", m, err, c.says)
		}
	}
}

func TestImportContents(t *testing.T) {
	snap := agendatest.Small(t)
	loc := snap.Location()
	base := api.Import{
		Tracks: []api.ImportTrack{{ID: "talks", Name: "Talks"}},
		Rooms:  []api.ImportRoom{{ID: "room-1", Name: "Room 1"}},
		Sessions: []api.NewSession{{ID: "late-talk", Title: "Late Talk", Start: "2019-10-09T11:00", End: "2019-10-09T11:40",
			Room: "room-1", Track: "talks"}},
	}
	c, err := base.Contents(snap.Conference(), loc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Conference != snap.Conference() || len(c.Sessions) != 1 || c.Sessions[0].Status != agenda.StatusConfirmed || len(c.Rooms) != 1 || len(c.Tracks) != 1 {
		t.Errorf("Contents = %+v", c)
	}
	for _, tc := range []struct {
		name string
		edit func(*api.Import)
		says string
	}{
		{"no ID", func(in *api.Import) { in.Sessions[0].ID = "" }, "sessions[0]: id is required"},
		{"bad ID", func(in *api.Import) { in.Sessions[0].ID = "Bad ID" }, "sessions[0].id: "},
		{"bad time", func(in *api.Import) { in.Sessions[0].End = "later" }, "sessions[late-talk].end: "},
		{"cancelled", func(in *api.Import) { in.Sessions[0].Status = "cancelled" }, "cannot cancel"},
		{"no sessions", func(in *api.Import) { in.Sessions = nil }, "would cancel every session"},
	} {
		in := base
		in.Sessions = append([]api.NewSession(nil), base.Sessions...)
		tc.edit(&in)
		if _, err := in.Contents(snap.Conference(), loc); err == nil || statusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: Contents = %v, want a 400 saying %q", tc.name, err, tc.says)
		}
	}
}

func TestChangesSince(t *testing.T) {
	s1 := agendatest.Small(t)
	s2 := edit(t, s1, 1, func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: strp("Later Talk")})
	})
	s3 := edit(t, s2, 2, func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") })
	list, err := api.ChangesSince(s3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if list.Revision != 3 || list.Since != 1 || len(list.Summaries) != 2 || list.Summaries[0].Text != "Late Talk renamed to Later Talk" ||
		list.Summaries[1].Text != "Room 2 renamed to Kesselhaus" || list.Summaries[1].Room != "room-2" {
		t.Errorf("ChangesSince(0) = %+v", list)
	}
	first := list.Changes[0]
	if first != (api.Change{Revision: 2, Time: "2019-09-01T08:01:00Z", Who: "test", Session: "late-talk", Field: "title", Old: "Late Talk", New: "Later Talk"}) {
		t.Errorf("first change = %+v", first)
	}
	if list, err := api.ChangesSince(s3, 2); err != nil || list.Since != 2 || len(list.Summaries) != 1 {
		t.Errorf("ChangesSince(2) = %+v, %v; want the rename only", list, err)
	}
	if _, err := api.ChangesSince(s3, 4); statusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "newer than the current revision 3") {
		t.Errorf("ChangesSince(4) = %v, want a 400", err)
	}
	later, err := agenda.NewSnapshot(agendatest.SmallContents(), 7, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.ChangesSince(later, 3); statusOf(err) != http.StatusGone || !strings.Contains(err.Error(), "starts at revision 7") {
		t.Errorf("ChangesSince before the log = %v, want a 410", err)
	}
}

package caldav

import (
	"fmt"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
	"confcal/seeds"
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

		rendered, err := ical.Render(snap, ical.Options{BaseURL: "http://test.example"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := newView(rendered, paths{prefix: "/dav", principal: DefaultPrincipal}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v.cals {
			want := slowChanged(t, snap, c)
			if c.changed != want {
				t.Errorf("after edit %d: %s changed at %d, want %d", i, c.id, c.changed, want)
			}
			// Its time is the time of that revision's entries.
			var at time.Time
			for _, ch := range snap.Log() {
				if ch.Revision == want {
					at = ch.Time
				}
			}
			if !c.changedAt.Equal(at) {
				t.Errorf("after edit %d: %s changed at %v, want %v", i, c.id, c.changedAt, at)
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
		// The calendars' rule written out, apart from selection's:
		// no cancelled session, and a track's or room's own.
		switch {
		case !ok || x.Status == agenda.StatusCancelled:
			return false
		case c.kind == kindTrack:
			return x.Track == c.key
		case c.kind == kindRoom:
			return x.Room == c.key
		}
		return true
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
	rendered, err := ical.Render(agendatest.Small(t), ical.Options{BaseURL: "http://test.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := newView(rendered, paths{prefix: "/dav", principal: DefaultPrincipal}, nil, nil)
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

// edited applies change to snap and returns the next revision.
func edited(t *testing.T, snap *agenda.Snapshot, change func(*agenda.Editor) error) *agenda.Snapshot {
	t.Helper()
	e := snap.Edit("test", time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(snap.Revision())*time.Hour))
	if err := change(e); err != nil {
		t.Fatalf("edit: %v", err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	return next
}

// TestViewCarriesObjects: a view takes over the objects of the previous
// one whose rendering did not change, with what was derived from them
// (the escaped event), and makes new ones for the rest.
func TestViewCarriesObjects(t *testing.T) {
	opts := ical.Options{BaseURL: "http://test.example"}
	p := paths{prefix: "/dav", principal: DefaultPrincipal}
	snap := agendatest.Small(t)
	ed1, err := ical.Render(snap, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := newView(ed1, p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range v1.objects {
		if _, err := o.calendar(); err != nil {
			t.Fatal(err)
		}
	}
	snap = edited(t, snap, func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr("Later Talk")})
	})
	ed2, err := ical.Render(snap, opts, ed1)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := newView(ed2, p, v1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(v2.objects) != len(v1.objects) {
		t.Fatalf("%d objects, want %d", len(v2.objects), len(v1.objects))
	}
	for id, o := range v2.objects {
		obj, _ := ed2.Object(id)
		if o.obj.ETag() != obj.ETag() {
			t.Errorf("%s: ETag %s, want the rendering's %s", id, o.obj.ETag(), obj.ETag())
		}
		if reused := o == v1.objects[id]; reused != (id != "late-talk") {
			t.Errorf("%s: taken over = %v, want %v", id, reused, id != "late-talk")
		}
		if want := textElem(nameCalendarData, string(obj.Bytes())); calendarDataOpen+v2.objectHeadXML+o.eventXML+objectEndXML+calendarDataClose != want {
			t.Errorf("%s: calendar-data is not the current body", id)
		}
	}
	// A calendar's objects are the view's.
	for _, c := range v2.cals {
		for i, o := range c.objs {
			if o != v2.objects[c.members[i]] {
				t.Errorf("%s: member %s is not the view's object", c.id, c.members[i])
			}
		}
	}
}

// TestObjectSpans: the span each object takes from its session is what
// its rendered DTSTART and DTEND say, so time ranges answered from spans,
// without parsing (as requests answer them), and from the parsed objects
// agree: checked for the Flink Forward agenda against ranges starting and
// ending at every quarter hour around each session and open ones.
func TestObjectSpans(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := ical.Render(snap, ical.Options{BaseURL: "http://test.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := newView(rendered, paths{prefix: "/dav", principal: DefaultPrincipal}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	loc := snap.Location()
	for id, o := range v.objects {
		cal, err := o.calendar()
		if err != nil {
			t.Fatal(err)
		}
		events := cal.Events()
		if len(events) != 1 {
			t.Fatalf("%s: %d VEVENTs", id, len(events))
		}
		start, err1 := propTime(events[0].Props.Get("DTSTART"), loc)
		end, err2 := propTime(events[0].Props.Get("DTEND"), loc)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", id, err1, err2)
		}
		if !start.Equal(o.span.start) || !end.Equal(o.span.end) {
			t.Errorf("%s: span %v–%v, rendered %v–%v", id, o.span.start, o.span.end, start, end)
		}
		var ranges [][2]string
		for from := start.Add(-time.Hour); !from.After(end.Add(time.Hour)); from = from.Add(15 * time.Minute) {
			f := from.UTC().Format(utcLayout)
			ranges = append(ranges, [2]string{f, ""}, [2]string{"", f})
			for to := from.Add(15 * time.Minute); !to.After(end.Add(time.Hour)); to = to.Add(15 * time.Minute) {
				ranges = append(ranges, [2]string{f, to.UTC().Format(utcLayout)})
			}
		}
		for _, r := range ranges {
			f, err := decodeFilter(inEvent(timeRange(r[0], r[1])))
			if err != nil {
				t.Fatal(err)
			}
			want, err := matchParsed(f, loc, cal)
			if err != nil {
				t.Fatal(err)
			}
			// A matcher given the span alone fails on any condition
			// that would need the object parsed.
			m := f.matcher(loc)
			m.event = &o.span
			got, err := m.calendar(&f.comp)
			if err != nil {
				t.Fatalf("range %v: %v", r, err)
			}
			if got != want {
				t.Errorf("%s, range %v: from the span %v, from the object %v", id, r, got, want)
			}
		}
	}
}

// TestCalendarOrder: the whole conference first, then tracks, then rooms,
// and adding a track or a room moves no existing calendar (whose ctag
// would not tell clients to look).
func TestCalendarOrder(t *testing.T) {
	p := paths{prefix: "/dav", principal: DefaultPrincipal}
	snap := agendatest.Small(t)
	view := func(snap *agenda.Snapshot) *view {
		rendered, err := ical.Render(snap, ical.Options{BaseURL: "http://test.example"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := newView(rendered, p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := map[string]int{}
	ctags := map[string]string{}
	for _, c := range view(snap).cals {
		before[c.id] = c.order
		ctags[c.id] = c.props.ctag
	}
	snap = edited(t, snap, func(e *agenda.Editor) error {
		if err := e.AddTrack(agenda.Track{ID: "panel", Name: "Panel", Color: "#112233"}); err != nil {
			return err
		}
		return e.AddRoom(agenda.Room{ID: "room-3", Name: "Room 3"})
	})
	snap = edited(t, snap, func(e *agenda.Editor) error {
		return e.AddTrack(agenda.Track{ID: "aaa-first-by-name", Name: "AAA", Color: "#445566"})
	})
	v := view(snap)
	last := -1
	for _, c := range v.cals {
		if c.order <= last {
			t.Errorf("%s: calendar-order %d after %d: want increasing in the order all, tracks, rooms", c.id, c.order, last)
		}
		last = c.order
		if old, ok := before[c.id]; ok {
			if c.order != old {
				t.Errorf("%s: calendar-order moved from %d to %d", c.id, old, c.order)
			}
			if c.kind == kindRoom && c.props.ctag != ctags[c.id] {
				t.Errorf("%s: ctag moved though nothing in it changed", c.id)
			}
		}
	}
	want := map[string]string{"all": "0", "track-keynote": "1000", "track-talks": "1001", "track-panel": "1002",
		"track-aaa-first-by-name": "1003", "room-room-1": "1000000", "room-room-2": "1000001", "room-room-3": "1000002"}
	for id, order := range want {
		c, ok := v.byID[id]
		if !ok {
			t.Errorf("no calendar %s", id)
			continue
		}
		if got := fmt.Sprint(c.order); got != order {
			t.Errorf("%s: calendar-order %s, want %s", id, got, order)
		}
	}
}

package ical_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

// bigSnapshot builds a conference the size of Flink Forward Berlin 2019:
// three days, four rooms, three tracks, a 40-minute session every 50
// minutes from 09:00 to 17:20 in every room, with long abstracts.
func bigSnapshot(tb testing.TB) *agenda.Snapshot {
	tb.Helper()
	conf := agendatest.Conference()
	conf.Name = "Big Conf 2019"
	conf.First = agenda.Date{Year: 2019, Month: time.October, Day: 7}
	loc, err := conf.Location()
	if err != nil {
		tb.Fatal(err)
	}
	c := agenda.Contents{
		Conference: conf,
		Tracks:     []agenda.Track{{ID: "keynote", Name: "Keynote"}, {ID: "use-case", Name: "Use Case"}, {ID: "deep-dive", Name: "Technology Deep Dive"}},
		Rooms:      []agenda.Room{{ID: "room-1", Name: "Room 1"}, {ID: "room-2", Name: "Room 2"}, {ID: "room-3", Name: "Room 3"}, {ID: "room-4", Name: "Room 4"}},
	}
	abstract := strings.Repeat("Stream processing with Apache Flink® at scale: state, time, exactly-once — “lessons learned”, Grüße. ", 8) +
		"\n\nSpeaker bio: works on streaming systems; likes commas, semicolons and backslashes \\."
	n := 0
	for day := 7; day <= 9; day++ {
		for slot := 0; slot < 10; slot++ {
			for r, room := range c.Rooms {
				start := time.Date(2019, time.October, day, 9, 50*slot, 0, 0, loc)
				c.Sessions = append(c.Sessions, agenda.Session{
					ID:           fmt.Sprintf("session-%d", n),
					Title:        fmt.Sprintf("Session %d: Streaming Things in %s, Part %d", n, room.Name, slot+1),
					Start:        start,
					End:          start.Add(40 * time.Minute),
					Track:        c.Tracks[(slot+r)%len(c.Tracks)].ID,
					Room:         room.ID,
					Abstract:     abstract,
					Status:       agenda.StatusConfirmed,
					LastModified: agendatest.Published,
				})
				n++
			}
		}
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// BenchmarkRender renders a whole snapshot from scratch.
func BenchmarkRender(b *testing.B) {
	snap := bigSnapshot(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ical.Render(snap, opts, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderAfterEdit renders the revision after a one-session edit,
// reusing the previous rendering.
func BenchmarkRenderAfterEdit(b *testing.B) {
	s1 := bigSnapshot(b)
	e1 := render(b, s1, nil)
	s2 := edit(b, s1, "session-5", agenda.SessionUpdate{Title: ptr("Renamed Session")})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ical.Render(s2, opts, e1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeedAll assembles every feed of a revision: all, per track,
// per room, per day and per session. After the first round every feed's
// ETag is found in the memo by its digest, as for the feeds an edit did
// not touch; the first round hashes their bytes.
func BenchmarkFeedAll(b *testing.B) {
	snap := bigSnapshot(b)
	e := render(b, snap, nil)
	type feed struct {
		meta ical.FeedMeta
		ids  []string
	}
	feeds := []feed{{ical.FeedMeta{Name: "all"}, snap.SessionIDs()}}
	for _, t := range snap.Tracks() {
		feeds = append(feeds, feed{ical.FeedMeta{Name: t.Name}, ids(snap.ByTrack(t.ID))})
	}
	for _, r := range snap.Rooms() {
		feeds = append(feeds, feed{ical.FeedMeta{Name: r.Name}, ids(snap.ByRoom(r.ID))})
	}
	for _, d := range snap.Days() {
		feeds = append(feeds, feed{ical.FeedMeta{Name: d.String()}, ids(snap.ByDay(d))})
	}
	for _, id := range snap.SessionIDs() {
		feeds = append(feeds, feed{ical.FeedMeta{Name: id}, []string{id}})
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range feeds {
			e.Calendar(f.meta, f.ids)
		}
	}
}

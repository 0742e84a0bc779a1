package agenda_test

import (
	"fmt"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// bigContents is an agenda shaped like `confcal gen -sessions n`: sessions
// of 25 minutes every half hour from 8:00 in 139 rooms over the
// conference's days, 12 tracks, a speaker each.
func bigContents(n int) agenda.Contents {
	c := agenda.Contents{Conference: agendatest.Conference()}
	c.Conference.Last = c.Conference.First.AddDays(2)
	for i := range 12 {
		c.Tracks = append(c.Tracks, agenda.Track{ID: fmt.Sprintf("track-%d", i), Name: fmt.Sprintf("Track %d", i)})
	}
	const rooms = 139
	for i := range rooms {
		c.Rooms = append(c.Rooms, agenda.Room{ID: fmt.Sprintf("room-%d", i), Name: fmt.Sprintf("Room %d", i)})
	}
	for i := range n {
		slot, room := i/rooms, i%rooms
		day, half := slot/24, slot%24
		start := agendatest.At(8+day, 8, 0).Add(time.Duration(half) * 30 * time.Minute)
		spk := fmt.Sprintf("speaker-%d", i)
		c.Speakers = append(c.Speakers, agenda.Speaker{ID: spk, Name: fmt.Sprintf("Speaker %d", i)})
		c.Sessions = append(c.Sessions, agenda.Session{
			ID: fmt.Sprintf("session-%d", i), Title: fmt.Sprintf("Session %d", i),
			Start: start, End: start.Add(25 * time.Minute),
			Track: c.Tracks[i%12].ID, Room: c.Rooms[room].ID, Speakers: []string{spk},
			Abstract: "An abstract of a sentence or two about the talk.",
			Status:   agenda.StatusConfirmed, LastModified: agendatest.Published,
		})
	}
	return c
}

// BenchmarkCommitOneEdit is what an edit costs the model: a title
// changed, or a session moved to another time, and the next revision
// made, on the seed's size and at 10,000 sessions, with 500 earlier
// changes in the log.
func BenchmarkCommitOneEdit(b *testing.B) {
	for _, bb := range []struct {
		n    int
		edit string
	}{{100, "title"}, {10000, "title"}, {100, "move"}, {10000, "move"}} {
		n := bb.n
		b.Run(fmt.Sprintf("sessions=%d/%s", n, bb.edit), func(b *testing.B) {
			snap, err := agenda.NewSnapshot(bigContents(n), 1, 1, nil)
			if err != nil {
				b.Fatal(err)
			}
			at := time.Date(2019, 9, 20, 8, 0, 0, 0, time.UTC)
			for i := range 500 {
				e := snap.Edit("bench", at.Add(time.Duration(i)*time.Second))
				title := fmt.Sprintf("Take %d", i)
				if err := e.UpdateSession(fmt.Sprintf("session-%d", i%n), agenda.SessionUpdate{Title: &title}); err != nil {
					b.Fatal(err)
				}
				if snap, err = e.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			id := fmt.Sprintf("session-%d", n/2)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := snap.Edit("bench", at.Add(time.Hour))
				title := fmt.Sprintf("A new title %d", i)
				u := agenda.SessionUpdate{Title: &title}
				if bb.edit == "move" {
					// A day later, into a slot no session has.
					x, _ := snap.Session(id)
					start := x.Start.Add(24*time.Hour + time.Duration(1+i%2)*time.Minute)
					end := start.Add(x.Duration())
					u = agenda.SessionUpdate{Start: &start, End: &end, Force: true}
				}
				i++
				if err := e.UpdateSession(id, u); err != nil {
					b.Fatal(err)
				}
				if _, err := e.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

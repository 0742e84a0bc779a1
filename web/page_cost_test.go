package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"
)

// agendaOf returns a synthetic agenda of n sessions: two days of
// half-hour slots from 8:00 in 40 rooms, 8 tracks.
func agendaOf(t *testing.T, n int) *agenda.Snapshot {
	t.Helper()
	c := agenda.Contents{Conference: agendatest.Conference()}
	c.Conference.Last = c.Conference.First.AddDays(1)
	for i := range 8 {
		c.Tracks = append(c.Tracks, agenda.Track{ID: fmt.Sprintf("track-%d", i), Name: fmt.Sprintf("Track %d", i)})
	}
	const rooms = 40
	for i := range rooms {
		c.Rooms = append(c.Rooms, agenda.Room{ID: fmt.Sprintf("room-%d", i), Name: fmt.Sprintf("Room %d", i)})
	}
	loc, err := c.Conference.Location()
	if err != nil {
		t.Fatal(err)
	}
	days := c.Conference.Days()
	perDay := (n + len(days) - 1) / len(days)
	for i := range n {
		day, k := i/perDay, i%perDay
		start := days[day].Start(loc).Add(8*time.Hour + time.Duration(k/rooms)*30*time.Minute)
		c.Sessions = append(c.Sessions, agenda.Session{
			ID: fmt.Sprintf("s-%d", i), Title: fmt.Sprintf("Session %d", i),
			Start: start, End: start.Add(25 * time.Minute), Track: c.Tracks[i%8].ID, Room: c.Rooms[k%rooms].ID,
			Status: agenda.StatusConfirmed, LastModified: agendatest.Published,
		})
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// allocatedPerByte is the memory the server allocates to answer a GET of
// target, per byte of the page it sends.
func allocatedPerByte(t *testing.T, h http.Handler, target string) float64 {
	t.Helper()
	const runs = 3
	var size int
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", target, rec.Code)
		}
		size = rec.Body.Len()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / runs / float64(size)
}

// The agenda page of a conference four times as big is about four times
// the bytes, and costs about four times as much to make: nothing a
// session's card shows is made from the whole agenda (its star, when it
// was a link spelling out the new pick, once made a page cost the square
// of its sessions).
func TestPageCostGrowsWithItsSize(t *testing.T) {
	for _, pick := range []string{"", "?pick=s-3,s-150,s-399"} {
		var per []float64
		for _, n := range []int{400, 1600} {
			_, h := serve(t, web.Config{}, agendaOf(t, n))
			per = append(per, allocatedPerByte(t, h, "/"+pick))
		}
		if per[1] > 1.5*per[0] {
			t.Errorf("GET /%s: %.1f bytes allocated per byte of the page at 400 sessions, %.1f at 1600", pick, per[0], per[1])
		}
	}
}

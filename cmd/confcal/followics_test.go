package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/api"
)

// followICSEvent is one VEVENT of the calendar followICS serves.
type followICSEvent struct {
	uid, start, end, title, room string // start, end: Europe/Berlin, 20270310T090000
}

// followICS is a calendar as Google Calendar shares one: every UID
// "local@google.com", so the local parts are the session IDs.
func followICS(events []followICSEvent) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n" +
		"X-WR-CALNAME:Mini Conf\r\nX-WR-TIMEZONE:Europe/Berlin\r\n")
	for _, e := range events {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=Europe/Berlin:%s\r\n"+
			"DTEND;TZID=Europe/Berlin:%s\r\nSUMMARY:%s\r\nLOCATION:%s\r\nEND:VEVENT\r\n", e.uid, e.start, e.end, e.title, e.room)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// `confcal serve -agenda URL -follow` reads every version of the source
// with the UID domain the agenda was first stored with, as a conference
// added with -follow is read: when the organizers add to their shared
// calendar an event with a UID of another tool (Outlook's bare hex), the
// calendar's UIDs share no domain any more, yet the sessions keep their
// IDs, so a session they move in the same version is moved in the feeds
// (same UID, SEQUENCE raised), not cancelled and added again as a second
// event.
func TestServeFollowsICSKeepsIDs(t *testing.T) {
	a := []followICSEvent{
		{"opening@google.com", "20270310T090000", "20270310T100000", "Opening", "Hall A"},
		{"talk-two@google.com", "20270310T100000", "20270310T110000", "Talk Two", "Hall A"},
		{"talk-three@google.com", "20270310T110000", "20270310T120000", "Talk Three", "Hall B"},
		{"talk-four@google.com", "20270311T090000", "20270311T100000", "Talk Four", "Hall B"},
	}
	src := startScheduleSource(t, followICS(a))
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"),
		"-agenda", src.url(), "-follow", "100ms")
	base := "http://" + addr

	var list api.SessionList
	getJSON(t, base+"/api/sessions", &list)
	var ids []string
	for _, x := range list.Sessions {
		ids = append(ids, x.ID)
	}
	if got, want := strings.Join(ids, " "), "opening talk-two talk-three talk-four"; got != want {
		t.Fatalf("sessions of the first version: %s, want %s", got, want)
	}

	// Version B: Talk Two moves to 14:00, and an event of Outlook's joins.
	b := append([]followICSEvent{}, a...)
	b[1].start, b[1].end = "20270310T140000", "20270310T150000"
	b = append(b, followICSEvent{"040000008200E00074C5B7101A82E0080000000010", "20270311T110000", "20270311T120000", "Talk Five", "Hall A"})
	src.set(followICS(b), 0)
	eventually(t, 20*time.Second, func() string {
		getJSON(t, base+"/api/sessions", &list)
		if len(list.Sessions) < 5 {
			return fmt.Sprintf("revision %d has %d sessions, want the one version B adds too", list.Revision, len(list.Sessions))
		}
		return ""
	})
	got := map[string]string{}
	for _, x := range list.Sessions {
		got[x.ID] = fmt.Sprintf("%s %s seq %d", x.Status, x.Start[11:16], x.Sequence)
	}
	want := map[string]string{"opening": "confirmed 09:00 seq 0", "talk-two": "confirmed 14:00 seq 1",
		"talk-three": "confirmed 11:00 seq 0", "talk-four": "confirmed 09:00 seq 0"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("session %s after version B: %q, want %q", id, got[id], w)
		}
	}
	if len(got) != len(want)+1 {
		t.Errorf("sessions after version B: %q, want the four of version A and the one it adds", got)
	}

	// Subscribers see one event moved, under its UID, and no cancellation.
	_, feed, _ := fetchWith(t, base, "/feeds/all.ics")
	if n := strings.Count(feed, "BEGIN:VEVENT"); n != 5 || strings.Contains(feed, "STATUS:CANCELLED") {
		t.Errorf("all.ics after version B has %d events (want 5), cancelled ones: %v", n, strings.Contains(feed, "STATUS:CANCELLED"))
	}
	if !strings.Contains(feed, "UID:talk-two@google.com\r\n") {
		t.Errorf("all.ics after version B has no event with UID talk-two@google.com")
	}
	if t.Failed() {
		t.Logf("log:\n%s", log)
	}
}

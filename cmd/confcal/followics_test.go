package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/api"
	"confcal/sqlite"
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

// `confcal serve -agenda URL -follow` on a store that holds the agenda
// already starts while the source is broken (the organizers' schedule
// server is down when confcal restarts): it serves the stored agenda byte
// for byte, /readyz says the source failed, and the next good poll brings
// it back. On a new store, or one holding no agenda yet, which have
// nothing to serve, a broken source is refused as before, naming the
// source's failure, and a new store is not made.
func TestServeFollowRestartsWhileSourceBroken(t *testing.T) {
	src := startScheduleSource(t, scheduleXML(followA()))
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	args := []string{"-addr", "127.0.0.1:0", "-base-url", "http://confcal.test", "-data", data, "-agenda", src.url(), "-follow", "100ms"}
	addr, _, stop, done := startServe(t, args...)
	_, feed, etag := fetchWith(t, "http://"+addr, "/feeds/all.ics")
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}

	const readyOK, readyFailed = "store ok\nsnapshot ok\nsource ok\n", "store ok\nsnapshot ok\nsource failed (still serving)\n"
	src.set(scheduleXML(followA()), http.StatusServiceUnavailable)
	addr, log, _, _ := startServe(t, args...)
	base := "http://" + addr
	if code, body, tag := fetchWith(t, base, "/feeds/all.ics"); code != http.StatusOK || body != feed || tag != etag {
		t.Errorf("GET /feeds/all.ics after a restart while the source answers 503: %d, ETag %s (before: %s), same bytes %v",
			code, tag, etag, body == feed)
	}
	// The first poll is made at start, as the server begins to listen.
	eventually(t, 10*time.Second, func() string {
		if code, body := request(t, "GET", base+"/readyz", ""); code != http.StatusOK || !sourceFailed(body, "followcon-2026") {
			return fmt.Sprintf("GET /readyz while the source answers 503 = %d %q, want 200 %q and the conference's line", code, body, readyFailed)
		}
		return ""
	})
	if !strings.Contains(log.String(), "503 Service Unavailable") {
		t.Errorf("the log does not say the source answered 503:\n%s", log)
	}
	src.set(scheduleXML(followA()), 0)
	eventually(t, 20*time.Second, func() string {
		if code, body := request(t, "GET", base+"/readyz", ""); code != http.StatusOK || body != readyOK {
			return fmt.Sprintf("GET /readyz once the source is back = %d %q, want 200 %q", code, body, readyOK)
		}
		return ""
	})
	if _, body, tag := fetchWith(t, base, "/feeds/all.ics"); body != feed || tag != etag {
		t.Errorf("all.ics once the source is back: ETag %s, want %s (same bytes: %v)", tag, etag, body == feed)
	}

	src.set(scheduleXML(followA()), http.StatusServiceUnavailable)
	fresh := filepath.Join(dir, "fresh")
	if _, _, err := runCmd(t, "", "serve", "-addr", "127.0.0.1:0", "-data", fresh, "-agenda", src.url(), "-follow", "100ms"); err == nil ||
		!strings.Contains(err.Error(), "503 Service Unavailable") {
		t.Errorf("serve -follow on a new store while the source answers 503: %v, want a refusal naming the 503", err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("serve refused the source but left %s behind (%v)", fresh, err)
	}
	// A store that holds no conference yet has nothing to serve either.
	empty := filepath.Join(dir, "empty")
	st, err := sqlite.Open(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// The refusal names the source's failure, not what the store lacks.
	if _, _, err := runCmd(t, "", "serve", "-addr", "127.0.0.1:0", "-data", empty, "-agenda", src.url(), "-follow", "100ms"); err == nil ||
		!strings.Contains(err.Error(), "503 Service Unavailable") {
		t.Errorf("serve -follow on a store without agenda while the source answers 503: %v, want a refusal naming the 503", err)
	}
}

// `confcal serve -agenda URL -follow` of an .ics that comes cut short (a
// download or an export script's file ending before END:VCALENDAR)
// cancels nothing: the version is refused whole, as a cut schedule.xml
// is, rather than read up to the cut, which would cancel every session
// after it (too few for the mass-cancel guard when the cut is late).
func TestServeFollowsICSCutShort(t *testing.T) {
	var events []followICSEvent
	for i := range 8 {
		events = append(events, followICSEvent{fmt.Sprintf("talk-%d@google.com", i), fmt.Sprintf("202703%02dT090000", 10+i%2),
			fmt.Sprintf("202703%02dT100000", 10+i%2), fmt.Sprintf("Talk %d", i), fmt.Sprintf("Hall %d", i)})
	}
	whole := followICS(events)
	src := startScheduleSource(t, whole)
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"),
		"-agenda", src.url(), "-follow", "100ms")
	base := "http://" + addr
	_, feed, etag := fetchWith(t, base, "/feeds/all.ics")
	if n := strings.Count(feed, "BEGIN:VEVENT"); n != 8 {
		t.Fatalf("all.ics of the whole calendar has %d events, want 8", n)
	}

	// Cut in the middle of the last event's SUMMARY.
	src.set(whole[:strings.LastIndex(whole, "SUMMARY:")+len("SUMMARY:Ta")], 0)
	var list api.ChangeList
	eventually(t, 20*time.Second, func() string {
		if getJSON(t, base+"/api/changes", &list); list.Revision != 1 {
			t.Fatalf("the cut calendar made revision %d: %+v", list.Revision, list.Summaries)
		}
		if code, body := request(t, "GET", base+"/readyz", ""); !strings.Contains(body, "source failed (still serving)") {
			return fmt.Sprintf("GET /readyz while the source is cut short = %d %q, want the source failed", code, body)
		}
		return ""
	})
	if _, body, tag := fetchWith(t, base, "/feeds/all.ics"); tag != etag || strings.Contains(body, "STATUS:CANCELLED") {
		t.Errorf("all.ics while the source is cut short: ETag %s → %s, cancelled events: %v", etag, tag, strings.Contains(body, "STATUS:CANCELLED"))
	}
	if !strings.Contains(log.String(), "END:VCALENDAR") {
		t.Errorf("the log does not say the calendar ends before its END:VCALENDAR:\n%s", log)
	}
}

package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeFollowRecorded: `serve -agenda URL -follow` records in the store
// that the default conference follows URL, as `conferences add -follow`
// does. So the organizer commands on the same store refuse to edit its
// sessions while it runs (the next poll would undo the edit they
// acknowledged), a later serve without -agenda goes on following it, and a
// serve given -agenda without -follow stops following it, after which the
// commands edit the sessions again.
func TestServeFollowRecorded(t *testing.T) {
	src := startScheduleSource(t, scheduleXML(followA()))
	data := filepath.Join(t.TempDir(), "data")
	local := []string{"-data", data}
	addr, _, stop, done := startServe(t, "-addr", "127.0.0.1:0", "-data", data, "-agenda", src.url(), "-follow", "100ms")
	runSteps(t, local, []step{
		{args: []string{"cancel", fOpening}, code: 1, err: "cancel: this agenda follows " + src.url() + ": change its sessions there"},
		{args: []string{"import", src.url()}, code: 1, err: "this agenda follows " + src.url()},
	})
	if code, _ := request(t, "GET", "http://"+addr+"/feeds/sessions/"+fOpening+".ics", ""); code != http.StatusOK {
		t.Fatalf("GET the opening's feed = %d, want 200", code)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}

	// Restarted without -agenda, it follows the source the store records.
	src.set(scheduleXML(followB()), 0)
	addr, _, stop, done = startServe(t, "-addr", "127.0.0.1:0", "-data", data)
	eventually(t, 10*time.Second, func() string {
		if code, _ := request(t, "GET", "http://"+addr+"/feeds/sessions/"+fIncident+".ics", ""); code != http.StatusOK {
			return fmt.Sprintf("GET the feed of the session version B adds = %d, want 200", code)
		}
		return ""
	})
	runSteps(t, local, []step{
		{args: []string{"cancel", fOpening}, code: 1, err: "this agenda follows " + src.url()},
	})
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}

	// -agenda without -follow: read once (here not at all, the store
	// holding the agenda), followed no more.
	addr, log, stop, done := startServe(t, "-addr", "127.0.0.1:0", "-data", data, "-agenda", src.url())
	defer func() { stop(); <-done }()
	runSteps(t, local, []step{
		{args: []string{"cancel", fOpening}, out: []string{"revision 3: Opening Keynote cancelled (Sep 10 09:00–09:45, Hall A)"}},
	})
	_, body := request(t, "GET", "http://"+addr+"/api/conferences", "")
	if strings.Contains(body, src.url()) {
		t.Errorf("GET /api/conferences names the source it no longer follows: %s", body)
	}
	if !strings.Contains(log.String(), "the default conference's source changed") {
		t.Errorf("the log does not say the conference no longer follows its source:\n%s", log)
	}
}

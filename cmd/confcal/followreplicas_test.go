package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"confcal/api"
	"confcal/postgres/pgtest"
)

// TestReplicasFollowChanged: on one PostgreSQL store, replicas already
// running act on the source another replica records for the default
// conference when it starts with other -agenda/-follow flags. A replica
// started without -follow takes edits until one with -follow starts, then
// refuses them through its API as that one does (the source's next poll
// would undo them); and when a replica with -agenda but without -follow
// starts, every replica stops polling the source, so the edits the store
// now takes are never undone by a poll of a source it no longer records.
func TestReplicasFollowChanged(t *testing.T) {
	url := pgtest.URL(t)
	t.Setenv("CONFCAL_ADMIN_TOKEN", "replica-follow-token")
	src := startScheduleSource(t, scheduleXML(followA()))
	serve := func(extra ...string) string {
		addr, _, _, _ := startServe(t, append([]string{"-addr", "127.0.0.1:0", "-store", url, "-agenda", src.url()}, extra...)...)
		return addr
	}
	rename := func(addr, title string) error {
		_, _, err := runCmd(t, "", "rename", fOperator, title, "-server", "http://"+addr)
		return err
	}

	a := serve()
	if err := rename(a, "Operators before following"); err != nil {
		t.Fatalf("rename through the replica that follows nothing: %v", err)
	}
	b := serve("-follow", "100ms")
	try := 0
	eventually(t, 5*time.Second, func() string {
		try++
		err := rename(a, fmt.Sprintf("Operators, try %d", try))
		if err == nil || !strings.Contains(err.Error(), "this agenda follows "+src.url()) {
			return fmt.Sprintf("rename through the first replica while the second follows the source: %v, want it refused", err)
		}
		return ""
	})
	if err := rename(b, "Operators through b"); err == nil || !strings.Contains(err.Error(), "this agenda follows") {
		t.Fatalf("rename through the replica following the source: %v, want it refused", err)
	}

	serve() // -agenda without -follow: followed no more
	eventually(t, 5*time.Second, func() string {
		before, _ := src.validators()
		time.Sleep(10 * 100 * time.Millisecond)
		if after, _ := src.validators(); after != before {
			return fmt.Sprintf("%d polls of the source in a second after a replica stopped following it", after-before)
		}
		return ""
	})
	const title = "Operators, edited after the source"
	if err := rename(b, title); err != nil {
		t.Fatalf("rename through the replica that followed the source: %v", err)
	}
	// A new version of the source is read by no one: the edit stays.
	src.set(scheduleXML(followB()), 0)
	time.Sleep(time.Second)
	for _, addr := range []string{a, b} {
		var x api.Session
		_, body, _ := fetchWith(t, "http://"+addr, "/api/sessions/"+fOperator)
		if err := json.Unmarshal([]byte(body), &x); err != nil {
			t.Fatalf("GET /api/sessions/%s: %v\n%s", fOperator, err, body)
		}
		if x.Title != title {
			t.Errorf("replica %s serves the title %q, want the edit %q", addr, x.Title, title)
		}
	}
}

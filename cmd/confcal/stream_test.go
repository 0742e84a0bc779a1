package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/api"
)

// serve's change stream outlives its write timeout (meant for whole
// answers), carries a change made through the API, and does not hold up
// the shutdown: serve stops at once, not when its shutdown deadline cuts
// the stream.
func TestServeStream(t *testing.T) {
	const token = "stream-test-token"
	t.Setenv("CONFCAL_ADMIN_TOKEN", token)
	addr, log, cancel, done := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"),
		"-write-timeout", "500ms", "-read-timeout", "500ms")
	server := "http://" + addr
	resp := get(t, server+"/api/changes/stream")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /api/changes/stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The stream's lines, field by field, in the background.
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	time.Sleep(1500 * time.Millisecond) // three write timeouts

	id := seed(t).SessionIDs()[0]
	req, err := http.NewRequest(http.MethodPatch, server+"/api/sessions/"+id, strings.NewReader(`{"title": "Renamed While Streaming"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	patched, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	patched.Body.Close()
	if patched.StatusCode != http.StatusOK {
		t.Fatalf("PATCH: %d", patched.StatusCode)
	}
	rev := patched.Header.Get(api.RevisionHeader)
	var gotID string
	var list api.ChangeList
	for gotID == "" || list.Revision == 0 {
		select {
		case l, ok := <-lines:
			switch {
			case !ok:
				t.Fatal("the stream ended before the change came")
			case strings.HasPrefix(l, "id: "):
				gotID = strings.TrimPrefix(l, "id: ")
			case strings.HasPrefix(l, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "data: ")), &list); err != nil {
					t.Fatalf("data: %v", err)
				}
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5s of the change")
		}
	}
	if gotID != rev || len(list.Summaries) != 1 || !strings.Contains(list.Summaries[0].Text, "Renamed While Streaming") {
		t.Errorf("event %s: %+v, want revision %s renaming the session", gotID, list, rev)
	}

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve still running 10s after cancel, with a stream open:\n%s", log)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("serve took %s to stop with a stream open", d)
	}
	for range lines { // the stream ends with the server
	}
}

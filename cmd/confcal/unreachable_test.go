package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"confcal/api"
	"confcal/postgres/pgtest"
)

// patch sends PATCH /api/sessions/{id} with body to base with the admin
// token and returns the answer's status, headers and body.
func patch(t *testing.T, base, id, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPatch, base+"/api/sessions/"+id, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// While PostgreSQL cannot be reached, serve goes on answering reads from
// memory, byte for byte; refuses writes with 503 and Retry-After, saying
// why; and /readyz names the store as the failing check. When the
// database is back, serve catches up by itself with what another process
// stored meanwhile, and takes writes again.
func TestServeStoreUnreachable(t *testing.T) {
	direct := pgtest.URL(t)
	proxy, through := pgtest.NewProxy(t, direct)
	t.Setenv("CONFCAL_ADMIN_TOKEN", token)
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-store", through, "-base-url", stackBase)
	base := "http://" + addr
	if code, _, body := patch(t, base, "apache-flink-worst-practices", `{"title": "Before"}`); code != http.StatusOK {
		t.Fatalf("PATCH with the database up: %d %s", code, body)
	}
	_, feed, etag := fetchWith(t, base, "/feeds/all.ics")
	if code, body, _ := fetchWith(t, base, "/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz with the database up: %d\n%s", code, body)
	}

	proxy.Cut()
	code, h, body := patch(t, base, "apache-flink-worst-practices", `{"title": "While down"}`)
	var e struct{ Error string }
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("PATCH with the database down: %d %q: %v", code, body, err)
	}
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(e.Error, "store cannot be reached") {
		t.Errorf("PATCH with the database down: %d, Retry-After %q, %q; want 503, a Retry-After and why", code, h.Get("Retry-After"), e.Error)
	}
	for range 3 {
		if code, got, gotTag := fetchWith(t, base, "/feeds/all.ics"); code != http.StatusOK || got != feed || gotTag != etag {
			t.Errorf("all.ics with the database down: %d, ETag %s (was %s), same bytes: %v", code, gotTag, etag, got == feed)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/feeds/all.ics", nil)
	req.Header.Set("If-None-Match", etag)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Errorf("a conditional GET with the database down: %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
	var sessions api.SessionList
	getJSON(t, base+"/api/sessions", &sessions)
	var confs api.ConferenceList
	getJSON(t, base+"/api/conferences", &confs)
	if len(confs.Conferences) != 1 || !confs.Conferences[0].Default || confs.Conferences[0].Sessions != len(sessions.Sessions) {
		t.Errorf("GET /api/conferences with the database down: %+v, want the default conference with its %d sessions", confs, len(sessions.Sessions))
	}
	if code, body := request(t, "GET", base+"/api/conferences?removed=1", "", "Authorization", "Bearer "+token); code != http.StatusServiceUnavailable {
		t.Errorf("GET /api/conferences?removed=1 with the database down: %d %s, want 503 (removed ones are in the store only)", code, body)
	}
	code, body, _ = fetchWith(t, base, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store failed\n") || !strings.Contains(body, "snapshot ok\n") {
		t.Errorf("/readyz with the database down: %d\n%s", code, body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(body, "replicas failed (still serving)") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		_, body, _ = fetchWith(t, base, "/readyz")
	}
	if !strings.Contains(body, "replicas failed (still serving)") {
		t.Errorf("/readyz does not say the replicas' changes are not heard:\n%s", body)
	}

	// Another process, which reaches the database, stores a revision:
	// no notification reaches serve, which must catch up when it is back.
	if out, errOut, err := runCmd(t, "", "rename", "-store", direct, "apache-flink-worst-practices", "Renamed Meanwhile"); err != nil {
		t.Fatalf("rename: %v\n%s%s", err, out, errOut)
	}
	back := time.Now()
	proxy.Restore(t)
	for {
		var x api.Session
		getJSON(t, base+"/api/sessions/apache-flink-worst-practices", &x)
		if x.Title == "Renamed Meanwhile" {
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Fatalf("5s after the database came back, serve has not caught up: %q\n%s", x.Title, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("caught up %v after the database came back", time.Since(back).Round(time.Millisecond))
	// Readiness follows: the catch-up publishes what it read before it
	// says it is listening again, so /readyz may lag the data a little.
	for {
		code, body, _ := fetchWith(t, base, "/readyz")
		if code == http.StatusOK && !strings.Contains(body, "failed") {
			break
		}
		if time.Since(back) > 5*time.Second {
			t.Fatalf("/readyz 5s after the database came back: %d\n%s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, _, body := patch(t, base, "apache-flink-worst-practices", `{"title": "After"}`); code != http.StatusOK {
		t.Errorf("PATCH with the database back: %d %s", code, body)
	}
}

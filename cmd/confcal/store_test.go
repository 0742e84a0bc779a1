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

// fetchWith GETs path from base and returns the status, the body and the ETag.
func fetchWith(t *testing.T, base, path string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("ETag")
}

// serve and the organizer commands take -store (or CONFCAL_STORE):
// commands on one PostgreSQL store are served at once.
func TestStoreFlag(t *testing.T) {
	url := pgtest.URL(t)
	t.Setenv("CONFCAL_STORE", url)
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-base-url", stackBase)
	if out, _, err := runCmd(t, "", "rename", "apache-flink-worst-practices", "Best Practices"); err != nil {
		t.Fatalf("rename: %v\n%s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body, _ := fetchWith(t, "http://"+addr, "/api/sessions/apache-flink-worst-practices")
		var x api.Session
		if err := json.Unmarshal([]byte(body), &x); err != nil {
			t.Fatalf("GET /api/sessions/apache-flink-worst-practices: %v", err)
		}
		if x.Title == "Best Practices" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server does not serve the change made on its store: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _, err := runCmd(t, "", "sessions")
	if err != nil || !strings.Contains(out, "Best Practices") {
		t.Errorf("sessions on the store: %v\n%s", err, out)
	}
	_, help, _ := runCmd(t, "", "serve", "-h")
	if strings.Contains(help, url) || !strings.Contains(help, "CONFCAL_STORE") {
		t.Errorf("serve -h shows CONFCAL_STORE's value, or does not name it:\n%s", help)
	}
	for _, bad := range []string{"mysql://x", "sqlite:", "./data"} {
		if _, _, err := runCmd(t, "", "rename", "-store", bad, "x", "y"); exitCode(err) != 2 {
			t.Errorf("rename -store %q: %v (exit %d), want exit 2", bad, err, exitCode(err))
		}
	}
}

func ptr[T any](v T) *T { return &v }

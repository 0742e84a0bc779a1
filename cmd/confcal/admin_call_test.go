package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A request to a -server that cannot be made, or whose answer cannot be
// read, fails the command with a message saying which request it was.
func TestServerErrorsSayWhichRequest(t *testing.T) {
	const path = "/api/sessions/late-talk"
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: no server listens
		says    []string
	}{
		{"no server", nil, []string{`Get "`, path + `"`}},
		{"answer not JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("<html>a proxy's page</html>"))
		}, []string{"cancel: GET http://", path + ": reading the answer"}},
		{"write answer not JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.Method == http.MethodGet {
				w.Write([]byte(`{"id":"late-talk","etag":"\"1\""}`))
				return
			}
			w.Write([]byte("{truncated"))
		}, []string{"cancel: PATCH http://", path + ": reading the answer"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(tc.handler)
			if tc.handler == nil {
				ts.Close() // its address now refuses connections
			} else {
				defer ts.Close()
			}
			_, _, err := runCmd(t, "", "cancel", "late-talk", "-server", ts.URL)
			if code := exitCode(err); code != 1 {
				t.Errorf("exit code %d (%v), want 1", code, err)
			}
			if err == nil {
				t.Fatal("cancel succeeded")
			}
			for _, s := range append(tc.says, ts.URL+path) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confcal/api"
)

// TestClientOfAnotherServer: a -server URL where no confcal answers (a
// web server, a proxy's error page) is told as such, with the status,
// not as JSON that could not be read.
func TestClientOfAnotherServer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		body   string
		says   string
	}{
		{"a web page", http.StatusOK, "text/html; charset=utf-8", "<!doctype html><p>Hello", "200 OK with text/html; charset=utf-8, not JSON: is"},
		{"a web server's 404", http.StatusNotFound, "text/html", "<h1>Not Found</h1>", "404 Not Found with text/html, not JSON: is"},
		{"a proxy's 502", http.StatusBadGateway, "", "bad gateway", "502 Bad Gateway with"},
		{"confcal's own error", http.StatusNotFound, "application/json", `{"error": "no session \"x\""}`, `no session "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				} else {
					w.Header()["Content-Type"] = nil // none, not one sniffed
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			c := &api.Client{Base: ts.URL}
			_, err := c.Session(t.Context(), "x")
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Session through %s: %v, want it to say %q", tc.name, err, tc.says)
			}
		})
	}
}

package web_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"confcal/web"
)

// Every read of the API answers HEAD with GET's status and headers and no
// body.
func TestAPIHead(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	for _, path := range []string{"/api/sessions", "/api/sessions/late-talk", "/api/rooms", "/api/tracks", "/api/changes", "/api/changes?since=1"} {
		t.Run(path, func(t *testing.T) {
			get := e.do("GET", path, "")
			wantStatus(t, get, 200)
			head := e.do("HEAD", path, "")
			wantStatus(t, head, 200)
			if head.Body.Len() != 0 {
				t.Errorf("HEAD %s has a body of %d bytes", path, head.Body.Len())
			}
			if n, err := strconv.Atoi(head.Header().Get("Content-Length")); err != nil || n != get.Body.Len() {
				t.Errorf("HEAD %s Content-Length %q, want GET's body length %d", path, head.Header().Get("Content-Length"), get.Body.Len())
			}
			for _, h := range []string{"Content-Type", "ETag", "Cache-Control", "Confcal-Revision", "Access-Control-Allow-Origin"} {
				if g, hd := get.Header().Get(h), head.Header().Get(h); g != hd {
					t.Errorf("%s: GET %q, HEAD %q", h, g, hd)
				}
			}
		})
	}
	etag := e.do("GET", "/api/sessions/late-talk", "").Header().Get("ETag")
	wantStatus(t, e.do("HEAD", "/api/sessions/late-talk", "", "If-None-Match", etag), http.StatusNotModified)
	wantStatus(t, e.do("HEAD", "/api/sessions/nope", ""), http.StatusNotFound)
}

// A 405 says, in JSON, which methods the path does serve, in Allow
// (RFC 9110 §15.5.6).
func TestAPIMethodNotAllowedSaysAllow(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	tests := []struct {
		method, path string
		allow        []string
	}{
		{"DELETE", "/api/sessions/late-talk", []string{"GET", "HEAD", "PATCH"}},
		{"PUT", "/api/sessions", []string{"GET", "HEAD", "POST"}},
		{"POST", "/api/tracks", []string{"GET", "HEAD"}},
		{"DELETE", "/api/rooms/room-2", []string{"GET", "HEAD", "PATCH"}},
		{"GET", "/api/import", []string{"POST"}},
		{"PATCH", "/api/changes", []string{"GET", "HEAD"}},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := e.do(tc.method, tc.path, "")
			wantStatus(t, w, http.StatusMethodNotAllowed)
			allow := w.Header().Values("Allow")
			slices.Sort(allow)
			if !slices.Equal(allow, tc.allow) {
				t.Errorf("Allow %q, want %q", allow, tc.allow)
			}
			if msg := errorOf(t, w); !strings.Contains(msg, tc.method) || !strings.Contains(msg, strings.Join(tc.allow, ", ")) {
				t.Errorf("405 says %q, want the method and %s named", msg, strings.Join(tc.allow, ", "))
			}
			if rev := e.svc.Current().Revision(); rev != 1 {
				t.Errorf("a refused method moved the revision to %d", rev)
			}
		})
	}
}

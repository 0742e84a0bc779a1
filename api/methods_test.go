package api_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/go-chi/chi/v5"
)

// Every read answers HEAD with GET's status and headers and no body.
func TestHead(t *testing.T) {
	e := newEnv(t, token)
	for _, path := range []string{"/sessions", "/sessions/late-talk", "/rooms", "/tracks", "/changes", "/changes?since=1"} {
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
			for _, h := range []string{"Content-Type", "ETag", "Cache-Control"} {
				if g, hd := get.Header().Get(h), head.Header().Get(h); g != hd {
					t.Errorf("%s: GET %q, HEAD %q", h, g, hd)
				}
			}
		})
	}
	etag := e.do("GET", "/sessions/late-talk", "").Header().Get("ETag")
	wantStatus(t, e.do("HEAD", "/sessions/late-talk", "", "If-None-Match", etag), http.StatusNotModified)
	wantStatus(t, e.do("HEAD", "/sessions/nope", ""), http.StatusNotFound)
}

// A 405 says which methods the path does serve (RFC 9110 §15.5.6), also when
// the API is mounted below a prefix.
func TestMethodNotAllowedSaysAllow(t *testing.T) {
	e := newEnv(t, token)
	mounted := chi.NewRouter()
	mounted.Mount("/api", e.h)
	tests := []struct {
		method, path, allow string
	}{
		{"DELETE", "/sessions/late-talk", "GET, HEAD, PATCH"},
		{"PUT", "/sessions", "GET, HEAD, POST"},
		{"POST", "/tracks", "GET, HEAD"},
		{"DELETE", "/rooms/room-2", "PATCH"},
		{"GET", "/import", "POST"},
		{"PATCH", "/changes", "GET, HEAD"},
	}
	for _, tc := range tests {
		for _, prefix := range []string{"", "/api"} {
			t.Run(tc.method+" "+prefix+tc.path, func(t *testing.T) {
				r := httptest.NewRequest(tc.method, prefix+tc.path, nil)
				r.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				if prefix == "" {
					e.h.ServeHTTP(w, r)
				} else {
					mounted.ServeHTTP(w, r)
				}
				wantStatus(t, w, http.StatusMethodNotAllowed)
				if got := w.Header().Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
				decodeBody[struct{ Error string }](t, w)
			})
		}
	}
}

package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"confcal/caldav"
)

// TestUnknownMethods: a method chi does not know, or one no route of the
// path takes, is answered 405 with an Allow header listing what the path
// takes (RFC 9110 §15.5.6), everywhere but the CalDAV tree, which answers
// every method itself (caldav's tests check those answers).
func TestUnknownMethods(t *testing.T) {
	_, h := newServer(t)
	for _, tc := range []struct {
		method, target string
		allow          []string
	}{
		{"FROB", "/feeds/all.ics", []string{"GET", "HEAD"}},
		{"SEARCH", "/feeds/all.ics", []string{"GET", "HEAD"}},
		{"ACL", "/feeds", []string{"GET", "HEAD"}},
		{"FROB", "/", []string{"GET", "HEAD", "PROPFIND"}},
		{http.MethodDelete, "/", []string{"GET", "HEAD", "PROPFIND"}},
	} {
		resp := do(t, h, tc.method, tc.target)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tc.method, tc.target, resp.StatusCode)
			continue
		}
		allow := resp.Header.Values("Allow")
		slices.Sort(allow)
		if !slices.Equal(allow, tc.allow) {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.target, allow, tc.allow)
		}
	}
	// The CalDAV tree takes them: a write is refused, others get its
	// Allow.
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"FROB", "/dav/public/", http.StatusMethodNotAllowed},
		{"SEARCH", "/dav/public/calendars/all/", http.StatusMethodNotAllowed},
		{"ACL", "/dav/public/calendars/all/", http.StatusForbidden},
		{"BIND", "/dav/public/calendars/", http.StatusForbidden},
		{"FROB", "/.well-known/caldav", http.StatusMovedPermanently},
	} {
		resp := do(t, h, tc.method, tc.target)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.target, resp.StatusCode, tc.status)
		}
		if tc.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", tc.method, tc.target)
		}
	}
}

// TestOptions: OPTIONS of a URL outside the CalDAV tree is 204 with the
// path's methods in one Allow (RFC 9110 §9.3.7), and the DAV classes where
// the CalDAV tree answers PROPFIND; a CORS preflight of a read of the
// public feeds or the read API is allowed with the conditional request
// fields, and one of a personal feed or of a write gets no
// Access-Control-Allow-Origin (the browser then refuses the request).
func TestOptions(t *testing.T) {
	_, h := newServer(t)
	preflight := func(method string) []string {
		return []string{"Origin", "https://elsewhere.example", "Access-Control-Request-Method", method, "Access-Control-Request-Headers", "if-none-match"}
	}
	for _, tt := range []struct {
		target           string
		hdr              []string
		status           int
		allow, dav, cors string
	}{
		{"/", nil, http.StatusNoContent, "GET, HEAD, PROPFIND, OPTIONS", caldav.DAVClasses, ""},
		{"/feeds/all.ics", nil, http.StatusNoContent, "GET, HEAD, OPTIONS", "", ""},
		{"/feeds/all.ics", preflight("GET"), http.StatusNoContent, "GET, HEAD, OPTIONS", "", "*"},
		{"/api/sessions", preflight("GET"), http.StatusNoContent, "GET, HEAD, POST, OPTIONS", "", "*"},
		{"/api/sessions", preflight("POST"), http.StatusNoContent, "GET, HEAD, POST, OPTIONS", "", ""},
		{"/feeds/my/abcdefgh.ics", preflight("GET"), http.StatusNoContent, "GET, HEAD, OPTIONS", "", ""},
		{"/help", preflight("GET"), http.StatusNoContent, "GET, HEAD, OPTIONS", "", ""},
		{"/no/such/page", nil, http.StatusNotFound, "", "", ""},
		{"/no-such-conference/feeds/all.ics", preflight("GET"), http.StatusNotFound, "", "", ""},
	} {
		resp := do(t, h, http.MethodOptions, tt.target, tt.hdr...)
		hd := resp.Header
		if resp.StatusCode != tt.status || strings.Join(hd.Values("Allow"), ";") != tt.allow || hd.Get("DAV") != tt.dav ||
			hd.Get("Access-Control-Allow-Origin") != tt.cors {
			t.Errorf("OPTIONS %s %v: %d, Allow %q, DAV %q, Access-Control-Allow-Origin %q; want %d, %q, %q, %q",
				tt.target, tt.hdr, resp.StatusCode, hd.Values("Allow"), hd.Get("DAV"), hd.Get("Access-Control-Allow-Origin"),
				tt.status, tt.allow, tt.dav, tt.cors)
		}
		if tt.cors != "" && (!strings.Contains(hd.Get("Access-Control-Allow-Methods"), "GET") ||
			!strings.Contains(hd.Get("Access-Control-Allow-Headers"), "If-None-Match")) {
			t.Errorf("OPTIONS %s, a preflight: Access-Control-Allow-Methods %q, -Headers %q; want GET and If-None-Match",
				tt.target, hd.Get("Access-Control-Allow-Methods"), hd.Get("Access-Control-Allow-Headers"))
		}
	}
}

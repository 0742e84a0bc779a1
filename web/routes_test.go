package web_test

import (
	"net/http"
	"slices"
	"testing"
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

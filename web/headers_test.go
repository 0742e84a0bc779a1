package web_test

import (
	"net/http"
	"net/textproto"
	"testing"
)

// Every header field the server sets is under its canonical key, as
// Header.Set would have put it, whichever way it was set: clients and
// middleware look fields up with Header.Get.
func TestHeaderKeysCanonical(t *testing.T) {
	_, h := newServer(t)
	etag := do(t, h, "GET", "/feeds/all.ics").Header.Get("ETag")
	gzETag := do(t, h, "GET", "/feeds/all.ics", "Accept-Encoding", "gzip").Header.Get("ETag")
	for _, tc := range []struct {
		target string
		hdr    []string
		want   int
		fields []string // fields the answer must carry
	}{
		{"/feeds/all.ics", nil, http.StatusOK,
			[]string{"ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Type", "Content-Length", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers"}},
		{"/feeds/all.ics", []string{"If-None-Match", etag}, http.StatusNotModified,
			[]string{"ETag", "Cache-Control", "Vary", "Access-Control-Allow-Origin"}},
		{"/feeds/all.ics", []string{"Accept-Encoding", "gzip"}, http.StatusOK, []string{"Content-Encoding", "ETag"}},
		{"/feeds/all.ics", []string{"Accept-Encoding", "gzip", "If-None-Match", gzETag}, http.StatusNotModified, []string{"ETag"}},
		{"/feeds", nil, http.StatusOK, []string{"ETag", "Content-Type"}},
		{"/", nil, http.StatusOK, []string{"X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy", "Content-Type"}},
		{"/api/sessions", nil, http.StatusOK, []string{"Access-Control-Allow-Origin", "Content-Type"}},
		{"/feeds/nowhere.ics", nil, http.StatusNotFound, []string{"Content-Type"}},
	} {
		resp := do(t, h, "GET", tc.target, tc.hdr...)
		if resp.StatusCode != tc.want {
			t.Errorf("GET %s %q: status %d, want %d", tc.target, tc.hdr, resp.StatusCode, tc.want)
		}
		for key, vals := range resp.Header {
			if c := textproto.CanonicalMIMEHeaderKey(key); c != key {
				t.Errorf("GET %s %q: field %q = %q is not under its canonical key %q", tc.target, tc.hdr, key, vals, c)
			}
		}
		for _, f := range tc.fields {
			if resp.Header.Get(f) == "" {
				t.Errorf("GET %s %q: no %s", tc.target, tc.hdr, f)
			}
		}
	}
}

// A 304 carries the ETag and the fields that guide caches, not
// Last-Modified (RFC 9110 §15.4.5: with an ETag it is representation
// metadata the client has already); answering If-Modified-Since alone,
// it still carries the ETag.
func TestNotModifiedFields(t *testing.T) {
	_, h := newServer(t)
	ok := do(t, h, "GET", "/feeds/all.ics")
	for _, hdr := range [][]string{
		{"If-None-Match", ok.Header.Get("ETag")},
		{"If-Modified-Since", ok.Header.Get("Last-Modified")},
	} {
		resp := do(t, h, "GET", "/feeds/all.ics", hdr...)
		if resp.StatusCode != http.StatusNotModified {
			t.Fatalf("GET with %q: %d, want 304", hdr, resp.StatusCode)
		}
		if got := resp.Header.Get("ETag"); got != ok.Header.Get("ETag") {
			t.Errorf("GET with %q: ETag %q, want %q", hdr, got, ok.Header.Get("ETag"))
		}
		if lm := resp.Header.Get("Last-Modified"); lm != "" {
			t.Errorf("GET with %q: Last-Modified %q on a 304 with an ETag", hdr, lm)
		}
	}
}

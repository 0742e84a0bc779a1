package web_test

import (
	"net/http"
	"testing"
	"time"
)

// TestPreconditions: a GET of a feed with If-Match or If-Unmodified-Since
// is answered only when the condition holds, else 412 (RFC 9110 §13.1.1,
// §13.1.4): If-Match by the strong comparison, so a weak tag of the same
// bytes fails; an If-Unmodified-Since that does not parse is ignored.
func TestPreconditions(t *testing.T) {
	_, h := newServer(t)
	first := do(t, h, http.MethodGet, "/feeds/all.ics")
	etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	lm, err := http.ParseTime(modified)
	if etag == "" || err != nil {
		t.Fatalf("GET /feeds/all.ics: ETag %q, Last-Modified %q", etag, modified)
	}
	gz := do(t, h, http.MethodGet, "/feeds/all.ics", "Accept-Encoding", "gzip").Header.Get("ETag")
	for _, tt := range []struct {
		hdr  []string
		want int
	}{
		{[]string{"If-Match", etag}, http.StatusOK},
		{[]string{"If-Match", `"other", ` + etag}, http.StatusOK},
		{[]string{"If-Match", "*"}, http.StatusOK},
		{[]string{"If-Match", `"other"`}, http.StatusPreconditionFailed},
		{[]string{"If-Match", "W/" + etag}, http.StatusPreconditionFailed},
		{[]string{"If-Match", gz}, http.StatusPreconditionFailed}, // the gzip copy's tag, asked for without gzip
		{[]string{"If-Match", gz, "Accept-Encoding", "gzip"}, http.StatusOK},
		{[]string{"If-Unmodified-Since", modified}, http.StatusOK},
		{[]string{"If-Unmodified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)}, http.StatusPreconditionFailed},
		{[]string{"If-Unmodified-Since", "yesterday"}, http.StatusOK},
		// If-Match decides when both are given.
		{[]string{"If-Match", etag, "If-Unmodified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)}, http.StatusOK},
	} {
		if resp := do(t, h, http.MethodGet, "/feeds/all.ics", tt.hdr...); resp.StatusCode != tt.want {
			t.Errorf("GET /feeds/all.ics %q: %d, want %d", tt.hdr, resp.StatusCode, tt.want)
		}
	}
}

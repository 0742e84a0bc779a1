package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
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

// FuzzPreconditions sends any If-Match and If-Unmodified-Since with a GET
// of a feed: the answer is the feed or 412, never anything else; never
// 412 for an If-Match that is the feed's ETag or "*", never 200 for one
// that names neither; without If-Match, 412 exactly when the date parses
// and is before the feed's Last-Modified.
func FuzzPreconditions(f *testing.F) {
	_, h := newServer(f)
	const target = "/feeds/all.ics"
	first := do(f, h, http.MethodGet, target)
	etag := first.Header.Get("ETag")
	lm, err := http.ParseTime(first.Header.Get("Last-Modified"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(etag, "")
	f.Add("W/"+etag, "")
	f.Add(`"a", `+etag+`, "b"`, "")
	f.Add("*", "")
	f.Add("", lm.Format(http.TimeFormat))
	f.Add("", lm.Add(-time.Second).Format(http.TimeFormat))
	f.Add(`"unterminated`, "not a date")
	f.Add(",,,W/", "Mon, 02 Jan 2006 15:04:05 GMT")
	f.Fuzz(func(t *testing.T, im, ius string) {
		var hdr []string
		if im != "" {
			hdr = append(hdr, "If-Match", im)
		}
		if ius != "" {
			hdr = append(hdr, "If-Unmodified-Since", ius)
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		when, dateErr := http.ParseTime(ius)
		stale := dateErr == nil && when.Before(lm.Truncate(time.Second))
		switch rec.Code {
		case http.StatusOK:
			if im != "" && !strings.Contains(im, etag) && !strings.Contains(im, "*") {
				t.Fatalf("If-Match %q: 200, but it names neither the feed's %s nor *", im, etag)
			}
			if im == "" && stale {
				t.Fatalf("If-Unmodified-Since %q: 200, but the feed changed after it (%s)", ius, lm)
			}
		case http.StatusPreconditionFailed:
			if v := strings.Trim(im, " \t"); v == etag || v == "*" { // HTTP's white space around a field value
				t.Fatalf("If-Match %q: 412, but it is the feed's %s", im, etag)
			}
			if im == "" && !stale {
				t.Fatalf("If-Unmodified-Since %q: 412, but it is no date before the feed's %s", ius, lm)
			}
		default:
			t.Fatalf("If-Match %q, If-Unmodified-Since %q: %d, want 200 or 412", im, ius, rec.Code)
		}
	})
}

package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/seeds"
	"confcal/web"
)

// etagOf is the ETag every release has given a body: the first 16 bytes of
// its SHA-256, in hex, quoted. Subscribers hold such tags; they must keep
// matching the same bytes.
func etagOf(body string) string {
	sum := sha256.Sum256([]byte(body))
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// Picks are put together for each request. Many different picks, each
// asked twice: a repeated request answers the same bytes under the same
// ETag, the hash of the bytes, and a conditional GET with it a 304.
// After a rename, the picks holding the renamed session answer anew under
// new ETags, and the others keep theirs.
func TestPicksPerRequest(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, h := serve(t, web.Config{}, snap)
	ids := snap.SessionIDs()
	type pick struct {
		target   string
		sessions []string
	}
	var picks []pick
	for i := range 200 {
		a, b := ids[i%len(ids)], ids[(i/len(ids)+i+1)%len(ids)]
		picks = append(picks, pick{fmt.Sprintf("/feeds/custom.ics?sessions=%s,%s", a, b), []string{a, b}})
	}
	get := func(target string, hdr ...string) *httptest.ResponseRecorder {
		t.Helper()
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		if len(hdr) == 2 {
			r.Header.Set(hdr[0], hdr[1])
		}
		h.ServeHTTP(w, r)
		return w
	}
	type answer struct{ etag, body string }
	check := func(rev string) map[string]answer {
		t.Helper()
		got := map[string]answer{}
		for _, p := range picks {
			w := get(p.target)
			if w.Code != http.StatusOK {
				t.Fatalf("%s: GET %s: %d %s", rev, p.target, w.Code, w.Body)
			}
			a := answer{w.Header().Get("ETag"), w.Body.String()}
			if a.etag != etagOf(a.body) {
				t.Fatalf("%s: GET %s: ETag %s, want %s, the hash of the body", rev, p.target, a.etag, etagOf(a.body))
			}
			if again := get(p.target); again.Header().Get("ETag") != a.etag || again.Body.String() != a.body {
				t.Fatalf("%s: GET %s again: ETag %s, want %s; same body %v", rev, p.target, again.Header().Get("ETag"), a.etag, again.Body.String() == a.body)
			}
			if w := get(p.target, "If-None-Match", a.etag); w.Code != http.StatusNotModified {
				t.Errorf("%s: GET %s with its ETag: %d, want 304", rev, p.target, w.Code)
			}
			got[p.target] = a
		}
		return got
	}
	before := check("revision 1")

	renamed := ids[0]
	e := snap.Edit("test", time.Date(2019, 9, 30, 12, 0, 0, 0, time.UTC))
	title := "A Title Never Seen Before"
	if err := e.UpdateSession(renamed, agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	publish(t, srv, next)
	after := check("revision 2")
	for _, p := range picks {
		b, a := before[p.target], after[p.target]
		if slices.Contains(p.sessions, renamed) {
			if a.etag == b.etag || !strings.Contains(a.body, title) {
				t.Errorf("GET %s after the rename: ETag %s (before %s), new title in it %v", p.target, a.etag, b.etag, strings.Contains(a.body, title))
			}
		} else if a.etag != b.etag || a.body != b.body {
			t.Errorf("GET %s after a rename outside it: ETag %s, want %s; same body %v", p.target, a.etag, b.etag, a.body == b.body)
		}
	}
}

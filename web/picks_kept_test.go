package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/seeds"
	"confcal/web"
)

// etagOf is the ETag every release has given a body: the first 16 bytes of
// its SHA-256, in hex, quoted. Subscribers hold such tags; they must keep
// matching the same bytes.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// Picks are assembled once per revision for the first ones asked and for
// each request after that; either way a pick's ETag is the hash of its
// exact body, a repeated request answers the same bytes, and a new
// revision answers anew.
func TestPicksKeptPerRevision(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, h := serve(t, web.Config{}, snap)
	ids := snap.SessionIDs()
	var targets []string
	for i := range 200 { // more than a revision keeps
		targets = append(targets, fmt.Sprintf("/feeds/custom.ics?sessions=%s,%s", ids[i%len(ids)], ids[(i/len(ids)+i+1)%len(ids)]))
	}
	get := func(target string) *httptest.ResponseRecorder {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", target, w.Code, w.Body)
		}
		if got, want := w.Header().Get("ETag"), etagOf(w.Body.Bytes()); got != want {
			t.Fatalf("GET %s: ETag %s, want %s (the hash of the body)", target, got, want)
		}
		return w
	}
	first := map[string]string{}
	for _, target := range targets {
		first[target] = get(target).Body.String()
	}
	for _, target := range targets {
		if got := get(target).Body.String(); got != first[target] {
			t.Fatalf("GET %s again: another body", target)
		}
	}
	for _, target := range []string{targets[0], targets[len(targets)-1]} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("If-None-Match", etagOf([]byte(first[target])))
		h.ServeHTTP(w, r)
		if w.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", target, w.Code)
		}
	}

	// A new revision renames the first pick's first session: that pick
	// answers the new title, under a new ETag.
	e := snap.Edit("test", time.Date(2019, 9, 30, 12, 0, 0, 0, time.UTC))
	title := "A Title Never Seen Before"
	if err := e.UpdateSession(ids[0], agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	next, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	publish(t, srv, next)
	if got := get(targets[0]).Body.String(); got == first[targets[0]] {
		t.Errorf("GET %s after the rename: the body of the revision before", targets[0])
	}
}

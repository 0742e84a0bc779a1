package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"confcal/web"
)

// A query the API cannot read is refused with 400, in JSON: url.Values
// drops the pairs it cannot decode, and the API must not answer as if
// the parameter had not been sent.
func TestAPIRefusesMalformedQuery(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	for _, path := range []string{
		"/api/changes?since=%zz",
		"/api/changes?since=1;2",
		"/api/changes/stream?since=%zz",
	} {
		t.Run(path, func(t *testing.T) {
			// A stream that opens would run until the client leaves.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "GET", path, nil))
			wantStatus(t, w, http.StatusBadRequest)
			if msg := errorOf(t, w); !strings.Contains(msg, "malformed query") {
				t.Errorf("400 says %q, want it to say the query is malformed", msg)
			}
		})
	}
}

// DELETE /api/conferences/SLUG with a ?purge= that does not parse is
// refused, not taken as a DELETE without ?purge (which removes the
// conference).
func TestConferencesRefuseMalformedQuery(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	for _, tc := range []struct{ method, target string }{
		{http.MethodGet, "/api/conferences?removed=%zz"},
		{http.MethodDelete, "/api/conferences/second-conf?purge=1%zz"},
		{http.MethodDelete, "/api/conferences/second-conf?purge=1;"},
	} {
		rec := hs.call(t, tc.method, tc.target, adminToken, nil, nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "malformed query") {
			t.Errorf("%s %s: %d %s, want 400 saying the query is malformed", tc.method, tc.target, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q, want JSON", tc.method, tc.target, ct)
		}
		if a := get(t, hs.h, "/second-conf/feeds/all.ics"); a.status != http.StatusOK {
			t.Fatalf("after %s %s: the feed answers %d, want 200 (still served)", tc.method, tc.target, a.status)
		}
	}
}

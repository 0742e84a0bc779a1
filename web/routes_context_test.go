package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/conferences"
	"confcal/web"

	"github.com/go-chi/chi/v5"
)

// ctxKey is a context key of this test's middleware.
type ctxKey struct{}

// TestRequestContexts serves the same requests through the route table
// as HandlerFor returns it, behind a middleware that gives each request a
// context of its own, and mounted in another chi router: each way, the
// root and the slug reach the default conference (its feed, its page with
// the links of where it was reached) and the route pattern is known after
// the handler returned.
func TestRequestContexts(t *testing.T) {
	seed := agendatest.Small(t)
	def := agenda.Slug(seed.Conference().Name)
	routes := map[string]string{}
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			routes[r.URL.Path] = web.RoutePattern(r)
		})
	}
	handler := func(mw ...func(http.Handler) http.Handler) http.Handler {
		srv := newWeb(t, web.Config{Default: def, Middleware: append([]func(http.Handler) http.Handler{record}, mw...)})
		mgr := conferences.New(conferences.Config{Registry: memstore.NewRegistry(), Publisher: srv.Publisher, Withdraw: srv.Withdraw})
		if err := mgr.Open(t.Context(), func() (*agenda.Snapshot, error) { return seed, nil }); err != nil {
			t.Fatalf("Open: %v", err)
		}
		return srv.HandlerFor(mgr, nil)
	}
	plain := handler()
	ownContext := handler(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "mine")))
		})
	})
	mounted := chi.NewRouter()
	mounted.Mount("/", handler())

	targets := []struct{ path, route string }{
		{"/feeds/all.ics", "/feeds/all.ics"},
		{"/" + def + "/feeds/all.ics", "/{conf}/feeds/all.ics"},
		{"/", "/"},
		{"/" + def + "/", "/{conf}"}, // chi names it without its trailing slash
		{"/nowhere/feeds/all.ics", "/{conf}/feeds/all.ics"},
	}
	want := map[string]*httptest.ResponseRecorder{}
	for _, tc := range targets {
		want[tc.path] = send(plain, http.MethodGet, tc.path, nil)
	}
	for _, code := range []int{want["/feeds/all.ics"].Code, want["/"+def+"/"].Code} {
		if code != http.StatusOK {
			t.Fatalf("the plain route table answers %d", code)
		}
	}
	if want["/nowhere/feeds/all.ics"].Code != http.StatusNotFound {
		t.Errorf("a slug no conference has: %d, want 404", want["/nowhere/feeds/all.ics"].Code)
	}
	if a, b := want["/"].Body.String(), want["/"+def+"/"].Body.String(); a == b {
		t.Errorf("the page at the root and under its slug are the same; their links should differ")
	}
	for _, way := range []struct {
		name string
		h    http.Handler
	}{{"plain", plain}, {"own context", ownContext}, {"mounted", mounted}} {
		clear(routes)
		for _, tc := range targets {
			got := send(way.h, http.MethodGet, tc.path, nil)
			if got.Code != want[tc.path].Code || got.Body.String() != want[tc.path].Body.String() ||
				got.Header().Get("ETag") != want[tc.path].Header().Get("ETag") {
				t.Errorf("%s: GET %s: %d, ETag %q, %d bytes; want %d, %q, %d bytes", way.name, tc.path,
					got.Code, got.Header().Get("ETag"), got.Body.Len(), want[tc.path].Code, want[tc.path].Header().Get("ETag"), want[tc.path].Body.Len())
			}
			if routes[tc.path] != tc.route {
				t.Errorf("%s: GET %s: route %q, want %q", way.name, tc.path, routes[tc.path], tc.route)
			}
		}
	}
}

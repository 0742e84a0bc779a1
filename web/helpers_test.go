package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"
)

// The shared harness of package web's tests: servers as `confcal serve`
// builds them (web.New, srv.Publish, srv.Handler), requests through the
// route table, and the parsers answers are read with.

const baseURL = "https://confcal.example"

// newServer returns a server with agendatest.Small published and its route
// table, which takes no changes (no agenda.Service).
func newServer(tb testing.TB) (*web.Server, http.Handler) {
	tb.Helper()
	return serve(tb, web.Config{}, agendatest.Small(tb))
}

// serve returns a server configured with cfg (BaseURL defaults to baseURL)
// with snap published, and its route table without an agenda.Service.
func serve(tb testing.TB, cfg web.Config, snap *agenda.Snapshot) (*web.Server, http.Handler) {
	tb.Helper()
	srv := newWeb(tb, cfg)
	publish(tb, srv, snap)
	return srv, srv.Handler(nil, nil)
}

// newWeb returns a server configured with cfg (BaseURL defaults to
// baseURL) and nothing published yet.
func newWeb(tb testing.TB, cfg web.Config) *web.Server {
	tb.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = baseURL
	}
	srv, err := web.New(cfg)
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	return srv
}

// publish renders snap and makes it the revision srv serves, as an
// agenda.Service does once the revision is stored.
func publish(tb testing.TB, srv *web.Server, snap *agenda.Snapshot) {
	tb.Helper()
	swap, err := srv.Publish(tb.Context(), snap)
	if err != nil {
		tb.Fatalf("Publish(revision %d): %v", snap.Revision(), err)
	}
	swap()
}

// newLive returns a server configured with cfg (BaseURL defaults to
// baseURL), an agenda.Service on store that publishes to it, loaded from
// store or, when store is empty, from seed, and the route table on that
// service: the server `confcal serve` runs.
func newLive(tb testing.TB, cfg web.Config, store agenda.Store, seed func() (*agenda.Snapshot, error)) (*web.Server, *agenda.Service, http.Handler) {
	tb.Helper()
	srv := newWeb(tb, cfg)
	svc, err := agenda.Open(tb.Context(), store, seed, srv.Publish)
	if err != nil {
		tb.Fatalf("agenda.Open: %v", err)
	}
	return srv, svc, srv.Handler(svc, nil)
}

// do sends a request through h; hdr lists header names and values.
func do(tb testing.TB, h http.Handler, method, target string, hdr ...string) *http.Response {
	tb.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// send sends a request with body (nil for none) through h and returns the
// recorder; hdr lists header names and values.
func send(h http.Handler, method, target string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// body reads a response's whole body.
func body(tb testing.TB, resp *http.Response) []byte {
	tb.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("reading body: %v", err)
	}
	return b
}

// parse decodes an iCalendar body with go-ical.
func parse(tb testing.TB, b []byte) *goical.Calendar {
	tb.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		tb.Fatalf("decoding calendar: %v\n%s", err, b)
	}
	return cal
}

// parseICS decodes the iCalendar body fetched from u and returns its
// events.
func parseICS(tb testing.TB, u string, body []byte) []goical.Event {
	tb.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		tb.Fatalf("%s does not parse as iCalendar: %v", u, err)
	}
	return cal.Events()
}

// text returns the text value of property name of c.
func text(tb testing.TB, c *goical.Component, name string) string {
	tb.Helper()
	p := c.Props.Get(name)
	if p == nil {
		tb.Fatalf("%s has no %s", c.Name, name)
	}
	s, err := p.Text()
	if err != nil {
		tb.Fatalf("%s %s: %v", c.Name, name, err)
	}
	return s
}

// uids lists the session IDs of a calendar's events, in order.
func uids(tb testing.TB, cal *goical.Calendar) []string {
	tb.Helper()
	var ids []string
	for _, ev := range cal.Events() {
		uid := text(tb, ev.Component, goical.PropUID)
		id, ok := strings.CutSuffix(uid, "@test.confcal.example")
		if !ok {
			tb.Fatalf("UID %q lacks the conference's domain", uid)
		}
		ids = append(ids, id)
	}
	return ids
}

// The sessions of agendatest.Small in agenda order (start, room, ID).
const (
	opening = "opening-keynote"    // Tue 09:00 room-1 keynote
	streams = "streams-everywhere" // Tue 10:30 room-1 talks
	state   = "state-of-state"     // Tue 10:30 room-2 talks
	late    = "late-talk"          // Wed 11:00 room-2 talks
	closing = "closing-keynote"    // Wed 16:00 room-1 keynote
)

package web_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/metrics"
	"confcal/page"
	"confcal/seeds"
	"confcal/web"
)

// apiServer is the route table with the real admin API on a Service over
// agendatest.Small, logging into logs.
func apiServer(t *testing.T, logs *bytes.Buffer, trustProxy bool) http.Handler {
	t.Helper()
	log := slog.New(slog.NewTextHandler(logs, nil))
	_, _, h := newLive(t, web.Config{Logger: log, TrustProxy: trustProxy, Token: "right-token"}, memstore.New(),
		func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil })
	return h
}

// patch sends a PATCH of session late-talk from addr with the given
// Authorization field value.
func patch(h http.Handler, addr, auth string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("PATCH", "/api/sessions/late-talk", strings.NewReader(`{"abstract": "patched"}`))
	r.RemoteAddr = addr
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Auth schemes are case-insensitive (RFC 9110 §11.1).
func TestBearerSchemeAnyCase(t *testing.T) {
	h := apiServer(t, new(bytes.Buffer), false)
	for _, auth := range []string{"Bearer right-token", "bearer right-token", "BEARER right-token", "  Bearer   right-token  "} {
		if w := patch(h, "192.0.2.1:1000", auth); w.Code != http.StatusOK {
			t.Errorf("Authorization %q: status %d, want 200: %s", auth, w.Code, w.Body)
		}
	}
	for _, auth := range []string{"Basic right-token", "Bearerright-token", "Bearer"} {
		if w := patch(h, "192.0.2.2:1000", auth); w.Code != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", auth, w.Code)
		}
	}
}

// Guessing the token is cut off after a few failures per client address:
// 429 with Retry-After, even for the right token, while other clients
// are not affected; every failure is logged at WARN without the token.
func TestTokenGuessingIsRateLimited(t *testing.T) {
	var logs bytes.Buffer
	h := apiServer(t, &logs, false)
	guesser := "198.51.100.7:5555"
	var got401, got429 int
	for i := range 50 {
		switch w := patch(h, guesser, fmt.Sprintf("Bearer guess-%d", i)); w.Code {
		case http.StatusUnauthorized:
			got401++
		case http.StatusTooManyRequests:
			got429++
			if w.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		default:
			t.Fatalf("guess %d: status %d", i, w.Code)
		}
	}
	if got401 > 20 || got429 < 30 {
		t.Errorf("50 wrong tokens: %d answered 401, %d answered 429; want most refused with 429", got401, got429)
	}
	if w := patch(h, guesser, "Bearer right-token"); w.Code != http.StatusTooManyRequests {
		t.Errorf("the guesser's right token: status %d, want 429 until the limit refills", w.Code)
	}
	if w := patch(h, "203.0.113.5:80", "Bearer right-token"); w.Code != http.StatusOK {
		t.Errorf("another client: status %d, want 200", w.Code)
	}
	if w := patch(h, "203.0.113.5:80", "Bearer wrong"); w.Code != http.StatusUnauthorized {
		t.Errorf("another client's first wrong token: status %d, want 401", w.Code)
	}
	if n := strings.Count(logs.String(), "level=WARN msg=\"authentication failed\""); n != got401+1 {
		t.Errorf("%d failed authentications logged at WARN, want %d", n, got401+1)
	}
	if strings.Contains(logs.String(), "guess-") {
		t.Error("a token was logged")
	}
}

// Behind a trusted proxy every client comes from the proxy's address: the
// limit counts the address the proxy appended to X-Forwarded-For.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	h := apiServer(t, new(bytes.Buffer), true)
	proxy := "10.0.0.1:4000"
	for i := range 40 {
		patch(h, proxy, "Bearer wrong", "X-Forwarded-For", fmt.Sprintf("1.2.3.4, 198.51.100.%d", i%2))
	}
	if w := patch(h, proxy, "Bearer right-token", "X-Forwarded-For", "198.51.100.9"); w.Code != http.StatusOK {
		t.Errorf("a third client behind the same proxy: status %d, want 200", w.Code)
	}
	if w := patch(h, proxy, "Bearer right-token", "X-Forwarded-For", "6.6.6.6, 198.51.100.1"); w.Code != http.StatusTooManyRequests {
		t.Errorf("a guesser behind the proxy claiming another address first: status %d, want 429", w.Code)
	}
}

// A flood of stored picks from one address is cut to a trickle; another
// address can still store its pick.
func TestPickFloodIsRateLimited(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	_, h := serve(t, web.Config{Picks: page.NewMemoryPicks(100_000)}, snap)
	ids := snap.SessionIDs()
	post := func(addr string, i int) int {
		n := len(ids)
		form := url.Values{"sessions": {strings.Join([]string{ids[i%n], ids[(i+1)%n], ids[(i+2)%n]}, ",")}}
		r := httptest.NewRequest("POST", "/my", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	stored, refused := 0, 0
	for i := range 500 {
		switch code := post("192.0.2.99:1234", i); code {
		case http.StatusSeeOther:
			stored++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("POST /my %d: status %d", i, code)
		}
	}
	if stored > 40 || refused < 450 {
		t.Errorf("500 picks from one address: %d stored, %d refused; want the flood cut to a burst", stored, refused)
	}
	if code := post("203.0.113.20:999", 1); code != http.StatusSeeOther {
		t.Errorf("another attendee's pick: status %d, want 303", code)
	}
}

// The access log never writes a personal pick's code: the code grants
// access to the pick.
func TestAccessLogRedactsPickCodes(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	access := slog.New(slog.NewTextHandler(&logs, nil))
	picks := page.NewMemoryPicks(10)
	_, h := serve(t, web.Config{Picks: picks,
		Middleware: []func(http.Handler) http.Handler{metrics.AccessLog(access, web.RoutePattern, web.LogPath)}}, snap)
	code, err := picks.Save(t.Context(), snap.SessionIDs()[:3])
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/feeds/my/" + code + ".ics", "/feeds/my/" + page.NewCode() + ".ics", "/feeds/all.ics"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	}
	if strings.Contains(logs.String(), code) {
		t.Errorf("the access log holds a pick code:\n%s", logs.String())
	}
	if n := strings.Count(logs.String(), "path=/feeds/my/{code}.ics"); n != 2 {
		t.Errorf("%d redacted lines, want 2:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "path=/feeds/all.ics") {
		t.Errorf("other paths are not logged as they are:\n%s", logs.String())
	}
}

// A client cut off for guessing tokens still reads everything public with
// whatever credentials it sends (CalDAV clients send Basic ones, which the
// public routes ignore): only what a token decides is refused. Behind a
// venue's NAT, one guesser must not lock everyone out of their calendars.
func TestBlockedClientStillReads(t *testing.T) {
	h := apiServer(t, new(bytes.Buffer), false)
	nat := "198.51.100.7:5555"
	for i := range 30 {
		patch(h, nat, fmt.Sprintf("Bearer guess-%d", i))
	}
	if w := patch(h, nat, "Bearer right-token"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the guesser's right token: status %d, want 429", w.Code)
	}
	for _, tc := range []struct {
		method, path, auth, body string
		want                     int
	}{
		{"GET", "/feeds/all.ics", "Basic YW55OmFueQ==", "", http.StatusOK},
		{"GET", "/api/sessions", "Bearer guess-99", "", http.StatusOK},
		{"PROPFIND", "/dav/public/calendars/", "Basic YW55OmFueQ==", `<propfind xmlns="DAV:"><prop><displayname/></prop></propfind>`, http.StatusMultiStatus},
		{"GET", "/", "Basic YW55OmFueQ==", "", http.StatusOK},
		// What a token decides stays refused, with or without one.
		{"POST", "/api/rooms", "Bearer right-token", `{"name": "Room 9"}`, http.StatusTooManyRequests},
		{"POST", "/api/rooms", "", `{"name": "Room 9"}`, http.StatusTooManyRequests},
	} {
		r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		r.RemoteAddr = nat
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		if tc.body != "" {
			r.Header.Set("Content-Type", "application/json")
			if tc.method == "PROPFIND" {
				r.Header.Set("Content-Type", "application/xml")
				r.Header.Set("Depth", "0")
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s %s (Authorization %q) from the blocked address: %d, want %d", tc.method, tc.path, tc.auth, w.Code, tc.want)
		}
	}
}

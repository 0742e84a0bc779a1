package web_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/web"
)

const calAll = "/dav/public/calendars/all/"

// newHardened returns the route table of a server configured with cfg
// serving agendatest.Small, without an agenda.Service.
func newHardened(t *testing.T, cfg web.Config) http.Handler {
	t.Helper()
	_, h := serve(t, cfg, agendatest.Small(t))
	return h
}

func TestRoutePattern(t *testing.T) {
	var mu sync.Mutex
	var got string
	h := newHardened(t, web.Config{Middleware: []func(http.Handler) http.Handler{
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(w, r)
				mu.Lock()
				got = web.RoutePattern(r)
				mu.Unlock()
			})
		},
	}})
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/feeds/all.ics", "/feeds/all.ics"},
		{"GET", "/feeds/tracks/talks.ics", "/feeds/tracks/{track}.ics"},
		{"GET", "/feeds/tracks/nope.ics", "/feeds/tracks/{track}.ics"}, // a 404 of a known route
		{"PROPFIND", calAll, "/dav/*"},
		{"GET", "/no/such/page", ""},
		{"PROPFIND", calAll + "?big", "/dav/*"}, // refused before routing (413)
	} {
		var body io.Reader
		if strings.HasSuffix(c.path, "?big") {
			body = strings.NewReader(strings.Repeat(" ", web.MaxBody+1))
		}
		send(h, c.method, c.path, body)
		mu.Lock()
		if got != c.want {
			t.Errorf("%s %s: RoutePattern = %q, want %q", c.method, c.path, got, c.want)
		}
		mu.Unlock()
	}
}

func TestHardenHeaders(t *testing.T) {
	_, _, h := newLive(t, web.Config{Token: "right"}, memstore.New(), func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil })
	for _, c := range []struct {
		name, method, path string
		body               string
		hdr                []string
		cors               bool   // Access-Control-Allow-Origin: *
		html               bool   // the HTML headers (nosniff, Referrer-Policy, a CSP)
		cache              string // Cache-Control, "" for not checked
		status             int    // 0 for not checked
	}{
		{name: "FeedCORS", method: "GET", path: "/feeds/all.ics", cors: true, cache: "public, max-age=300"},
		{name: "FeedHeadCORS", method: "HEAD", path: "/feeds/tracks/talks.ics", cors: true},
		{name: "FeedListCORS", method: "GET", path: "/feeds", cors: true},
		{name: "PersonalFeedNoCORS", method: "GET", path: "/feeds/my/abcdefgh.ics"},
		{name: "ReadAPICORS", method: "GET", path: "/api/sessions", cors: true, cache: "no-cache"},
		{name: "ReadAPISessionCORS", method: "GET", path: "/api/sessions/late-talk", cors: true, cache: "no-cache"},
		// The answer of a write that went through says no-cache; the
		// route table makes it no-store.
		{name: "AdminWriteNoStore", method: "PATCH", path: "/api/sessions/late-talk", body: `{"abstract": "x"}`,
			hdr: []string{"Authorization", "Bearer right", "Content-Type", "application/json"}, status: http.StatusOK, cache: "no-store"},
		{name: "AdminWriteNoTokenNoStore", method: "POST", path: "/api/rooms", body: `{"name": "Room 3"}`, status: http.StatusUnauthorized, cache: "no-store"},
		{name: "CredentialedReadNoStore", method: "GET", path: "/api/sessions", hdr: []string{"Authorization", "Bearer right"}, cors: true, status: http.StatusOK, cache: "no-store"},
		{name: "PageHTML", method: "GET", path: "/", html: true},
		{name: "RedirectHTML", method: "GET", path: "/.well-known/caldav", html: true},
		{name: "NotFoundHTMLHeaders", method: "GET", path: "/no/such/page", html: true},
		{name: "CalDAVPlain", method: "PROPFIND", path: calAll, hdr: []string{"Depth", "0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			rec := send(h, c.method, c.path, body, c.hdr...)
			if rec.Code >= 500 || c.status != 0 && rec.Code != c.status {
				t.Fatalf("%s %s: status %d, want %d: %s", c.method, c.path, rec.Code, c.status, rec.Body)
			}
			hd := rec.Header()
			if got := hd.Get("Access-Control-Allow-Origin") == "*"; got != c.cors {
				t.Errorf("%s %s: CORS * = %v, want %v", c.method, c.path, got, c.cors)
			}
			if c.cors && !strings.Contains(hd.Get("Access-Control-Expose-Headers"), "ETag") {
				t.Errorf("%s %s: Access-Control-Expose-Headers %q, want ETag among them", c.method, c.path, hd.Get("Access-Control-Expose-Headers"))
			}
			if hd.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("%s %s: allows credentials", c.method, c.path)
			}
			csp := hd.Get("Content-Security-Policy")
			gotHTML := hd.Get("X-Content-Type-Options") == "nosniff" && hd.Get("Referrer-Policy") != "" &&
				strings.Contains(csp, "default-src 'none'") && strings.Contains(csp, "frame-ancestors 'none'")
			if c.html && !gotHTML {
				t.Errorf("%s %s: HTML headers missing: nosniff %q, Referrer-Policy %q, CSP %q", c.method, c.path,
					hd.Get("X-Content-Type-Options"), hd.Get("Referrer-Policy"), csp)
			}
			if c.cache != "" && hd.Get("Cache-Control") != c.cache {
				t.Errorf("%s %s: Cache-Control %q, want %q", c.method, c.path, hd.Get("Cache-Control"), c.cache)
			}
		})
	}
}

// nested returns an XML document of n nested elements under a root.
func nested(root string, n int) string {
	return `<?xml version="1.0"?><` + root + ` xmlns="DAV:">` + strings.Repeat("<a>", n) + strings.Repeat("</a>", n) + `</` + root + `>`
}

// TestOversizedAndNestedXML: a CalDAV body over MaxBody, declared or not,
// gets 413; deeply nested XML within the cap gets a 4xx; never a 5xx.
func TestOversizedAndNestedXML(t *testing.T) {
	h := newHardened(t, web.Config{CalDAVReport: func(string) {}})
	big := `<?xml version="1.0"?><propfind xmlns="DAV:"><prop>` + strings.Repeat("<getetag/>", web.MaxBody/10) + `</prop></propfind>`
	for _, c := range []struct {
		name, method, body string
		chunked            bool
		want               int // 0: any 4xx
	}{
		{name: "PropfindTooBig", method: "PROPFIND", body: big, want: http.StatusRequestEntityTooLarge},
		{name: "PropfindTooBigChunked", method: "PROPFIND", body: big, chunked: true, want: http.StatusRequestEntityTooLarge},
		{name: "ReportTooBig", method: "REPORT", body: big, want: http.StatusRequestEntityTooLarge},
		{name: "ReportTooBigChunked", method: "REPORT", body: big, chunked: true, want: http.StatusRequestEntityTooLarge},
		{name: "PropfindDeep", method: "PROPFIND", body: nested("propfind", 100000)},
		{name: "ReportDeep", method: "REPORT", body: nested("sync-collection", 100000)},
		{name: "ReportQueryDeep", method: "REPORT", body: `<?xml version="1.0"?><C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav">` +
			strings.Repeat(`<C:filter>`, 50000) + strings.Repeat(`</C:filter>`, 50000) + `</C:calendar-query>`},
		{name: "ReportUnclosed", method: "REPORT", body: `<?xml version="1.0"?><sync-collection xmlns="DAV:">` + strings.Repeat("<a>", 1000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(c.body)
			if c.chunked {
				body = io.MultiReader(body) // hides the length: sent without Content-Length
			}
			req := httptest.NewRequest(c.method, calAll, body)
			req.Header.Set("Content-Type", "application/xml")
			req.Header.Set("Depth", "1")
			if c.chunked {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch {
			case c.want != 0 && rec.Code != c.want:
				t.Errorf("%s of %d bytes: status %d, want %d; body %.200s", c.method, len(c.body), rec.Code, c.want, rec.Body)
			case rec.Code < 400 || rec.Code >= 500:
				t.Errorf("%s of %d bytes: status %d, want a 4xx; body %.200s", c.method, len(c.body), rec.Code, rec.Body)
			}
		})
	}
}

func TestCalDAVReportCounted(t *testing.T) {
	var mu sync.Mutex
	var kinds []string
	h := newHardened(t, web.Config{CalDAVReport: func(k string) {
		mu.Lock()
		kinds = append(kinds, k)
		mu.Unlock()
	}})
	sync := `<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
	rec := send(h, "REPORT", calAll, strings.NewReader(sync), "Content-Type", "application/xml")
	if rec.Code != http.StatusMultiStatus {
		t.Fatalf("sync-collection REPORT: status %d, want 207; body %s", rec.Code, rec.Body)
	}
	// The handler still got the whole body: its answer lists the calendar's
	// members.
	var ms struct {
		Responses []struct {
			Href string `xml:"href"`
		} `xml:"response"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &ms); err != nil || len(ms.Responses) == 0 {
		t.Fatalf("sync-collection answer: %v, %d responses", err, len(ms.Responses))
	}
	send(h, "REPORT", calAll, strings.NewReader(`<?xml version="1.0"?><C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>`), "Depth", "1")
	send(h, "REPORT", calAll, strings.NewReader("not xml"))
	send(h, "PROPFIND", calAll, strings.NewReader(`<propfind xmlns="DAV:"><allprop/></propfind>`), "Depth", "0")
	mu.Lock()
	defer mu.Unlock()
	want := []string{"sync-collection", "calendar-query", ""}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Errorf("reported kinds %q, want %q", kinds, want)
	}
}

func TestOps(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	srv, _ := serve(t, web.Config{}, agendatest.Small(t))
	h := srv.Handler(nil, map[string]http.Handler{"/healthz": ok, "/metrics": ok})
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/healthz", 200},
		{"HEAD", "/healthz", 200},
		{"GET", "/metrics", 200},
		{"POST", "/metrics", 405},
		{"GET", "/readyz", 404}, // not configured
	} {
		if rec := send(h, c.method, c.path, nil); rec.Code != c.want {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, rec.Code, c.want)
		}
	}
}

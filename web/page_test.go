package web_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"confcal/agenda"
	"confcal/page"
	"confcal/page/qrtest"
	"confcal/seeds"
	"confcal/sqlite"
	"confcal/web"
)

// pageServer serves snap through the full route table (reads only, no
// agenda service) on a real listener whose address is the base URL, as
// `confcal serve` does; cfg gives the rest of the configuration.
func pageServer(tb testing.TB, snap *agenda.Snapshot, cfg web.Config) *httptest.Server {
	tb.Helper()
	ts := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + ts.Listener.Addr().String()
	srv, err := web.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	swap, err := srv.Publish(context.Background(), snap)
	if err != nil {
		tb.Fatal(err)
	}
	swap()
	ts.Config.Handler = srv.Handler(nil, nil)
	ts.Start()
	tb.Cleanup(ts.Close)
	return ts
}

// livePageServer serves the seed agenda as `confcal serve` does: an
// agenda.Service on a SQLite store publishing to the web server, whose
// route table includes the Atom change log. It then cancels one session
// and moves another, so the page has changes to mark.
func livePageServer(t *testing.T) (*httptest.Server, *agenda.Service) {
	t.Helper()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := web.New(web.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	svc := agenda.NewService(store, srv.Publish)
	if err := svc.Load(ctx, seeds.Default); err != nil {
		t.Fatal(err)
	}
	ids := svc.Current().SessionIDs()
	_, _, err = svc.Change(ctx, "test", func(e *agenda.Editor) error {
		cancelled := agenda.StatusCancelled
		if err := e.UpdateSession(ids[20], agenda.SessionUpdate{Status: &cancelled}); err != nil {
			return err
		}
		room := "room-5"
		return e.UpdateSession(ids[3], agenda.SessionUpdate{Room: &room, Force: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler(svc, nil)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, svc
}

// pageGet fetches u and returns the response and its body.
func pageGet(tb testing.TB, c *http.Client, u string) (*http.Response, []byte) {
	tb.Helper()
	res, err := c.Get(u)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	return res, body
}

// pageLinks returns every href and src on the HTML page at u, and the ids
// of its elements.
func pageLinks(tb testing.TB, c *http.Client, u string) (links []string, ids map[string]bool) {
	tb.Helper()
	res, body := pageGet(tb, c, u)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	ids = map[string]bool{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			switch a.Key {
			case "href", "src": // forms (POST /my) are tested on their own
				links = append(links, a.Val)
			case "id":
				ids[a.Val] = true
			}
		}
	}
	return links, ids
}

func pageAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestPageLinksResolve collects every link on the agenda (with and without
// a pick), a session page and the help page, and checks each: local pages
// answer 200, feeds parse with go-ical, QR codes decode to their feed
// URL, webcal/Google/Outlook links carry the feed URL of their block, and
// fragments point at an element of their page.
func TestPageLinksResolve(t *testing.T) {
	ts, svc := livePageServer(t)
	snap := svc.Current()
	c := ts.Client()
	base := ts.URL
	ids := snap.SessionIDs()
	pages := []string{"/", "/help", "/?pick=" + ids[3] + "," + ids[40], "/sessions/" + ids[10]}
	// The changes made by livePageServer are listed and marked.
	_, body := pageGet(t, c, base+"/")
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "li" && n.Parent.Data == "ol" && n.Parent.Parent != nil && pageAttr(n.Parent.Parent, "id") == "changes" {
			var txt strings.Builder
			for d := range n.Descendants() {
				if d.Type == html.TextNode {
					txt.WriteString(d.Data)
				}
			}
			changed = append(changed, strings.Join(strings.Fields(txt.String()), " "))
		}
	}
	moved, _ := snap.Session(ids[3])
	cancelled, _ := snap.Session(ids[20])
	if len(changed) != 2 || !strings.Contains(changed[0]+changed[1], moved.Title) || !strings.Contains(changed[0]+changed[1], "Moved to Room 5") ||
		!strings.Contains(changed[0]+changed[1], cancelled.Title) || !strings.Contains(changed[0]+changed[1], "Cancelled") {
		t.Errorf("recent changes on / = %q, want %q moved to Room 5 and %q cancelled", changed, moved.Title, cancelled.Title)
	}

	seen := map[string]bool{}
	var feeds, qrs, externals, atom int
	var follow func(from, link string)
	follow = func(from, link string) {
		if seen[link] {
			return
		}
		seen[link] = true
		u, err := url.Parse(link)
		if err != nil {
			t.Errorf("%s: bad link %q: %v", from, link, err)
			return
		}
		switch {
		case u.Scheme == "webcal":
			if "http://"+u.Host != base {
				t.Errorf("%s: webcal link %s points elsewhere", from, link)
				return
			}
			follow(from, "http://"+strings.TrimPrefix(link, "webcal://"))
		case u.Scheme == "https" && u.Host == "calendar.google.com":
			externals++
			cid := u.Query().Get("cid")
			if u.Path != "/calendar/r" || !strings.HasPrefix(cid, "webcal://") {
				t.Errorf("%s: Google link %s has no webcal cid", from, link)
				return
			}
			follow(from, cid)
		case u.Scheme == "https" && u.Host == "outlook.live.com":
			externals++
			q := u.Query()
			if u.Path != "/calendar/0/addfromweb" || !strings.HasPrefix(q.Get("url"), base+"/feeds/") || q.Get("name") == "" {
				t.Errorf("%s: Outlook link %s lacks url= of a feed or name=", from, link)
				return
			}
			follow(from, q.Get("url"))
		case u.Scheme == "" && u.Host == "" && u.Path == "":
			// A fragment on the page itself; checked by the caller.
		case u.Scheme == "" && u.Host == "" || "http://"+u.Host == base && u.Scheme == "http":
			target := base + u.RequestURI()
			res, body := pageGet(t, c, target)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: link %s: status %d: %.200s", from, link, res.StatusCode, body)
				return
			}
			switch ct := res.Header.Get("Content-Type"); {
			case strings.HasPrefix(ct, "text/calendar"):
				feeds++
				if len(parseICS(t, link, body)) == 0 {
					t.Errorf("%s: feed %s has no events", from, link)
				}
			case strings.HasPrefix(ct, "application/atom+xml"):
				atom++
				var feed struct {
					Entries []struct{ Title string } `xml:"entry"`
				}
				if err := xml.Unmarshal(body, &feed); err != nil || len(feed.Entries) == 0 {
					t.Errorf("%s: change log %s: %v, %d entries", from, link, err, len(feed.Entries))
				}
			case ct == "image/svg+xml":
				qrs++
				got, err := qrtest.Decode(body)
				if want := base + u.Query().Get("feed"); err != nil || got != want {
					t.Errorf("%s: QR %s decodes to %q (%v), want %q", from, link, got, err, want)
				}
			}
		default:
			t.Errorf("%s: link %s leads to another host", from, link)
		}
	}
	for _, p := range pages {
		links, ids := pageLinks(t, c, base+p)
		for _, l := range links {
			if frag, ok := strings.CutPrefix(l, "#"); ok && !ids[frag] {
				t.Errorf("%s: fragment %s names no element", p, l)
			}
			follow(p, l)
		}
	}
	// Every track, room, day and session feed is linked from somewhere.
	want := 1 + len(snap.Tracks()) + len(snap.Rooms()) + len(snap.Days()) + 1 + 1 // all, tracks, rooms, days, one session, the pick
	if feeds < want {
		t.Errorf("followed %d feeds, want at least %d", feeds, want)
	}
	if qrs < want {
		t.Errorf("decoded %d QR codes, want at least %d", qrs, want)
	}
	if atom == 0 {
		t.Error("the change log was not followed")
	}
	if externals == 0 {
		t.Error("no Google or Outlook links")
	}
	t.Logf("%d links followed: %d feeds, %d QR codes, %d Google/Outlook links", len(seen), feeds, qrs, externals)
}

// TestPageShortPersonalFeed stores a long pick through the page's form and
// checks /feeds/my/{code}.ics serves exactly the bytes of the custom feed.
func TestPageShortPersonalFeed(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	picks := page.NewMemoryPicks(10)
	ts := pageServer(t, snap, web.Config{Picks: picks})
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ids := snap.SessionIDs()[5:17]
	res, err := c.PostForm(ts.URL+"/my", url.Values{"sessions": {strings.Join(ids, ",")}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("POST /my: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	code := loc.Query().Get("my")
	_, short := pageGet(t, c, ts.URL+"/feeds/my/"+code+".ics")
	_, long := pageGet(t, c, ts.URL+"/feeds/custom.ics?sessions="+strings.Join(ids, ","))
	if !bytes.Equal(short, long) {
		t.Errorf("/feeds/my/%s.ics differs from the custom feed of its sessions", code)
	}
	if n := len(parseICS(t, "my feed", short)); n != len(ids) {
		t.Errorf("my feed has %d events, want %d", n, len(ids))
	}
	for _, bad := range []string{"/feeds/my/" + page.NewCode() + ".ics", "/feeds/my/short.ics"} {
		if res, body := pageGet(t, c, ts.URL+bad); res.StatusCode != http.StatusNotFound || len(body) == 0 {
			t.Errorf("GET %s: %d, want 404 with a message", bad, res.StatusCode)
		}
	}
}

// TestPageBehindProxy checks the page's absolute links come from the
// forwarded headers only when the server trusts its proxy.
func TestPageBehindProxy(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, trust := range []bool{false, true} {
		pageBase, err := page.BaseURL("", trust) // as serve makes it from -base-url and -trust-proxy
		if err != nil {
			t.Fatal(err)
		}
		ts := pageServer(t, snap, web.Config{TrustProxy: trust, PageBase: pageBase})
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", "cal.example.org")
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := ts.URL + "/feeds/all.ics"
		if trust {
			want = "https://cal.example.org/feeds/all.ics"
		}
		if !bytes.Contains(body, []byte(`href="`+want+`"`)) {
			t.Errorf("trust proxy %v: page does not link %s", trust, want)
		}
	}
}

// TestPageRoutesLeaveDAVAlone checks that mounting the page on "/" keeps
// PROPFIND / for CalDAV clients and answers other methods with 405.
func TestPageRoutesLeaveDAVAlone(t *testing.T) {
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{BaseURL: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	swap, err := srv.Publish(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	swap()
	h := srv.Handler(nil, nil)
	for _, tt := range []struct {
		method, target string
		ok             []int
	}{
		{"PROPFIND", "/", []int{http.StatusMultiStatus}},
		{http.MethodGet, "/", []int{http.StatusOK}},
		{http.MethodHead, "/help", []int{http.StatusOK}},
		{http.MethodDelete, "/", []int{http.StatusMethodNotAllowed}},
		{http.MethodGet, "/my", []int{http.StatusMethodNotAllowed}},
	} {
		req := httptest.NewRequest(tt.method, tt.target, nil)
		if tt.method == "PROPFIND" {
			req.Header.Set("Depth", "0")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !slices.Contains(tt.ok, rec.Code) {
			t.Errorf("%s %s: %d, want %v", tt.method, tt.target, rec.Code, tt.ok)
		}
	}
}

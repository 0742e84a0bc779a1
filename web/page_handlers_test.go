package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"golang.org/x/net/html"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/page"
	"confcal/page/qrtest"
	"confcal/web"
)

// The attendee page as the route table serves it: web.New, Publish and
// Handler, requests in and pages out, parsed as HTML.

// pageTestBase is the base URL the page handlers are configured with.
const pageTestBase = "https://cal.example.org"

// pageEditTime is when revision 2 of the test agenda was made.
var pageEditTime = time.Date(2019, 10, 8, 7, 0, 0, 0, time.UTC)

// pageRevision2 is agendatest.Small after one edit at pageEditTime: the
// closing keynote cancelled and "State of State" moved to Room 1 at 14:00.
func pageRevision2(tb testing.TB) *agenda.Snapshot {
	tb.Helper()
	e := agendatest.Small(tb).Edit("test", pageEditTime)
	cancelled := agenda.StatusCancelled
	room := "room-1"
	start, end := agendatest.At(8, 14, 0), agendatest.At(8, 14, 40)
	if err := e.UpdateSession("closing-keynote", agenda.SessionUpdate{Status: &cancelled}); err != nil {
		tb.Fatal(err)
	}
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: &room, Start: &start, End: &end}); err != nil {
		tb.Fatal(err)
	}
	s, err := e.Commit()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// pageHandler returns the route table serving snap (nil: nothing
// published yet) with the configuration cfg, its BaseURL pageTestBase
// unless cfg names one, and the clock at now.
func pageHandler(tb testing.TB, snap *agenda.Snapshot, now time.Time, cfg web.Config) http.Handler {
	tb.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = pageTestBase
	}
	cfg.Now = func() time.Time { return now }
	srv, err := web.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if snap != nil {
		swap, err := srv.Publish(context.Background(), snap)
		if err != nil {
			tb.Fatal(err)
		}
		swap()
	}
	return srv.Handler(nil, nil)
}

// pageDo sends req to h and returns the response and its body.
func pageDo(tb testing.TB, h http.Handler, req *http.Request) (*http.Response, string) {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res, string(body)
}

// pageFetch GETs target from h; a fragment stays with the browser.
func pageFetch(tb testing.TB, h http.Handler, target string) (*http.Response, string) {
	tb.Helper()
	target, _, _ = strings.Cut(target, "#")
	return pageDo(tb, h, httptest.NewRequest(http.MethodGet, target, nil))
}

// pageHTML GETs target and parses it as HTML; the status must be 200.
func pageHTML(tb testing.TB, h http.Handler, target string) *html.Node {
	tb.Helper()
	res, body := pageFetch(tb, h, target)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d: %.300s", target, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		tb.Fatalf("GET %s: Content-Type %q", target, ct)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
	return doc
}

// pageAll returns every element below n for which match is true, in
// document order.
func pageAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// pageFirst returns the first element below n that matches, or nil.
func pageFirst(n *html.Node, match func(*html.Node) bool) *html.Node {
	if m := pageAll(n, match); len(m) > 0 {
		return m[0]
	}
	return nil
}

func pageHasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(pageAttr(n, "class")), class)
}

// pageTagClass matches elements with the given tag and class.
func pageTagClass(tag, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag && pageHasClass(n, class) }
}

// pageByID matches the element with the given id.
func pageByID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return pageAttr(n, "id") == id }
}

func pageIsTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

// pageText returns the text below n with white space collapsed.
func pageText(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// pageCards returns the agenda's session cards (not the lists above it)
// by session ID, and their IDs in document order.
func pageCards(doc *html.Node) (map[string]*html.Node, []string) {
	m := map[string]*html.Node{}
	var ids []string
	for _, day := range pageAll(doc, pageTagClass("section", "day")) {
		for _, c := range pageAll(day, pageTagClass("article", "card")) {
			id := strings.TrimPrefix(pageAttr(c, "id"), "s-")
			m[id] = c
			ids = append(ids, id)
		}
	}
	return m, ids
}

// pageMarks returns the change marks of a card.
func pageMarks(n *html.Node) []string {
	var m []string
	for _, li := range pageAll(n, func(n *html.Node) bool { return n.Data == "li" && pageHasClass(n.Parent, "marks") }) {
		m = append(m, pageText(li))
	}
	return m
}

func TestPageFilters(t *testing.T) {
	snap := agendatest.Small(t)
	h := pageHandler(t, snap, pageEditTime, web.Config{})
	tests := []struct {
		query string
		want  []string
		// heading names the active filters
		heading string
	}{
		{"", snap.SessionIDs(), "Agenda"},
		{"?day=2019-10-08", []string{"opening-keynote", "streams-everywhere", "state-of-state"}, "Agenda: Tuesday 8 October 2019"},
		{"?day=2019-10-09", []string{"late-talk", "closing-keynote"}, "Agenda: Wednesday 9 October 2019"},
		{"?track=keynote", []string{"opening-keynote", "closing-keynote"}, "Agenda: Keynote"},
		{"?track=talks", []string{"streams-everywhere", "state-of-state", "late-talk"}, "Agenda: Talks"},
		{"?room=room-2", []string{"state-of-state", "late-talk"}, "Agenda: Room 2"},
		{"?day=2019-10-09&track=talks", []string{"late-talk"}, "Agenda: Wednesday 9 October 2019 · Talks"},
		{"?day=2019-10-08&room=room-2&track=keynote", nil, "Agenda: Tuesday 8 October 2019 · Keynote · Room 2"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			doc := pageHTML(t, h, "/"+tt.query)
			if _, got := pageCards(doc); !slices.Equal(got, tt.want) {
				t.Errorf("cards = %v, want %v", got, tt.want)
			}
			if got := pageText(pageFirst(doc, pageIsTag("h1"))); got != tt.heading {
				t.Errorf("heading = %q, want %q", got, tt.heading)
			}
		})
	}
}

// TestPageFilterLinks follows the filter links of / and checks each
// narrows the agenda to what it names, keeping the other filters.
func TestPageFilterLinks(t *testing.T) {
	h := pageHandler(t, agendatest.Small(t), pageEditTime, web.Config{})
	doc := pageHTML(t, h, "/?track=talks")
	links := map[string]string{}
	for _, a := range pageAll(doc, pageTagClass("a", "chip")) {
		links[pageText(a)] = pageAttr(a, "href")
	}
	if got := links["Wed 9 Oct"]; got != "/?day=2019-10-09&track=talks" {
		t.Errorf("day link keeps the track filter: got %q", got)
	}
	if got := links["All tracks"]; got != "/" {
		t.Errorf("All tracks = %q, want /", got)
	}
	doc = pageHTML(t, h, links["Wed 9 Oct"])
	if _, got := pageCards(doc); !slices.Equal(got, []string{"late-talk"}) {
		t.Errorf("after following Wed 9 Oct: %v", got)
	}
}

// TestPageBadQueries checks that what the page cannot answer gets a 4xx
// with a short explanation: the page's own error page for the page's
// routes, plain text for the rest.
func TestPageBadQueries(t *testing.T) {
	h := pageHandler(t, agendatest.Small(t), pageEditTime, web.Config{})
	tooMany := make([]string, page.MaxPick+1)
	for i := range tooMany {
		tooMany[i] = "s" + strings.Repeat("x", i%7)
	}
	tests := []struct {
		target string
		status int
		says   string
		page   bool // an HTML error page
	}{
		{"/?day=tomorrow", http.StatusBadRequest, `"tomorrow" is not a date`, true},
		{"/?day=2019-10-10", http.StatusNotFound, "not a day of the conference", true},
		{"/?track=nope", http.StatusNotFound, `no track "nope"`, true},
		{"/?room=Room%201", http.StatusNotFound, `no room "Room 1"`, true},
		{"/?my=short", http.StatusNotFound, "personal agenda link is not valid", true},
		{"/?my=aaaaaaaaaaaaaaaa", http.StatusNotFound, "unknown or has expired", true},
		{"/?pick=" + strings.Join(tooMany, ","), http.StatusBadRequest, "at most 300 sessions", true},
		{"/sessions/nope", http.StatusNotFound, `no session "nope"`, true},
		{"/sessions/late-talk?track=nope", http.StatusNotFound, `no track "nope"`, true},
		{"/help?day=x", http.StatusBadRequest, "not a date", true},
		{"/nowhere", http.StatusNotFound, "not found", false},
		{"/static/nope.css", http.StatusNotFound, "no such file", false},
		{"/qr.svg", http.StatusBadRequest, "missing ?feed=", false},
		{"/qr.svg?feed=https://evil.example/feeds/x.ics", http.StatusBadRequest, "local path under /feeds/", false},
		{"/qr.svg?feed=/feeds/../help", http.StatusBadRequest, "local path under /feeds/", false},
		{"/qr.svg?feed=/help", http.StatusBadRequest, "local path under /feeds/", false},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res, body := pageFetch(t, h, tt.target)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d; body %.200s", res.StatusCode, tt.status, body)
			}
			says := body
			if ct := res.Header.Get("Content-Type"); tt.page {
				doc, err := html.Parse(strings.NewReader(body))
				if ct != "text/html; charset=utf-8" || err != nil {
					t.Fatalf("Content-Type %q (%v), want the page's HTML error page", ct, err)
				}
				says = pageText(doc)
				if !strings.Contains(says, "Test Conf 2019") {
					t.Errorf("error page %q does not name the conference", says)
				}
			} else if ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q, want plain text", ct)
			}
			if !strings.Contains(says, tt.says) {
				t.Errorf("answer %q does not say %q", says, tt.says)
			}
			if got := res.Header.Get("Cache-Control"); got != "no-store" && got != "no-cache" {
				t.Errorf("Cache-Control %q, want an error kept by no cache", got)
			}
		})
	}
	res, body := pageDo(t, h, httptest.NewRequest(http.MethodDelete, "/", nil))
	if res.StatusCode != http.StatusMethodNotAllowed || !slices.Contains(res.Header.Values("Allow"), http.MethodGet) || body == "" {
		t.Errorf("DELETE /: %d, Allow %q, %q; want 405 allowing GET", res.StatusCode, res.Header.Values("Allow"), body)
	}
}

// TestPageChangesAreMarked checks that the server's clock decides which
// changes the page marks as recent.
func TestPageChangesAreMarked(t *testing.T) {
	snap := pageRevision2(t)
	tests := []struct {
		name string
		now  time.Time
		// marks of the moved session; the cancelled one is struck out always
		moved []string
	}{
		{"an hour later", pageEditTime.Add(time.Hour), []string{"Moved to Room 1", "Now 14:00"}},
		{"a day later", pageEditTime.Add(25 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := pageHTML(t, pageHandler(t, snap, tt.now, web.Config{}), "/")
			c, _ := pageCards(doc)
			if got := pageMarks(c["state-of-state"]); !slices.Equal(got, tt.moved) {
				t.Errorf("marks of the moved session = %q, want %q", got, tt.moved)
			}
			if got := pageMarks(c["late-talk"]); got != nil {
				t.Errorf("untouched session marked %q", got)
			}
			k := c["closing-keynote"]
			if !pageHasClass(k, "cancelled") || pageFirst(k, pageIsTag("del")) == nil ||
				pageText(pageFirst(k, pageTagClass("p", "status"))) != "Cancelled" {
				t.Errorf("cancelled session not struck out and labelled: %q", pageText(k))
			}
			recent := pageFirst(doc, pageByID("changes"))
			if (recent != nil) != (tt.moved != nil) {
				t.Errorf("recent changes section present = %v, want %v", recent != nil, tt.moved != nil)
			}
		})
	}
}

func TestPageShortLinkForLongPicks(t *testing.T) {
	c := agendatest.SmallContents()
	var ids []string
	for i := range 12 {
		id := "a-rather-long-session-identifier-" + string(rune('a'+i))
		ids = append(ids, id)
		c.Sessions = append(c.Sessions, agenda.Session{ID: id, Title: "Extra " + id, Start: agendatest.At(9, 12, 0).Add(time.Duration(i) * 10 * time.Minute),
			End: agendatest.At(9, 12, 10).Add(time.Duration(i) * 10 * time.Minute), Track: "talks", Room: "room-1", Status: agenda.StatusConfirmed,
			LastModified: agendatest.Published})
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	picks := page.NewMemoryPicks(10)
	h := pageHandler(t, snap, pageEditTime, web.Config{Picks: picks})
	doc := pageHTML(t, h, "/?pick="+strings.Join(ids, ","))
	form := pageFirst(doc, pageTagClass("form", "shorten"))
	if form == nil {
		t.Fatal("a long pick offers no short link")
	}
	sessions := pageAttr(pageFirst(form, func(n *html.Node) bool { return pageAttr(n, "name") == "sessions" }), "value")
	if sessions != strings.Join(ids, ",") {
		t.Errorf("form carries %q", sessions)
	}
	// Each post comes from an address of its own, as from attendees
	// sharing a pick: the server's rate limit of stored picks per client
	// is not what this test is about.
	clients := 0
	post := func(origin, body string) *http.Response {
		req := httptest.NewRequest(http.MethodPost, pageAttr(form, "action"), strings.NewReader(body))
		clients++
		req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", clients)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		res, _ := pageDo(t, h, req)
		return res
	}
	res := post("", "sessions="+url.QueryEscape(sessions))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /my: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	code := u.Query().Get("my")
	if !page.ValidCode(code) || picks.Len() != 1 {
		t.Fatalf("redirect %q: code %q valid %v, store holds %d", loc, code, page.ValidCode(code), picks.Len())
	}
	if strings.Contains(code, "long") {
		t.Errorf("code %q is derived from the picks", code)
	}
	doc = pageHTML(t, h, loc)
	feed := pageAttr(pageFirst(pageFirst(doc, pageByID("sub-my")), pageTagClass("a", "url")), "href")
	if want := pageTestBase + "/feeds/my/" + code + ".ics"; feed != want {
		t.Errorf("short personal feed = %q, want %q", feed, want)
	}
	if pageFirst(doc, pageTagClass("form", "shorten")) != nil {
		t.Error("short link page offers to shorten again")
	}
	if n := len(pageAll(pageFirst(doc, pageByID("my")), pageTagClass("li", "line"))); n != len(ids) {
		t.Errorf("my agenda from the code lists %d sessions, want %d", n, len(ids))
	}
	// The short feed serves the pick.
	res, body := pageFetch(t, h, "/feeds/my/"+code+".ics")
	if res.StatusCode != http.StatusOK || len(parseICS(t, "short feed", []byte(body))) != len(ids) {
		t.Errorf("GET /feeds/my/%s.ics: %d, want the %d picked sessions", code, res.StatusCode, len(ids))
	}
	// The same pick saved again, in any order, gets the same code and
	// stores nothing new.
	reversed := slices.Clone(ids)
	slices.Reverse(reversed)
	for i := range 30 {
		list := sessions
		if i%2 == 1 {
			list = strings.Join(reversed, ",")
		}
		if res := post("", "sessions="+url.QueryEscape(list)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != loc {
			t.Fatalf("save %d of the same pick: %d to %q, want %q", i+2, res.StatusCode, res.Header.Get("Location"), loc)
		}
	}
	if picks.Len() != 1 {
		t.Errorf("31 saves of one pick stored %d picks, want 1", picks.Len())
	}
	for _, tt := range []struct {
		origin, body string
		status       int
	}{
		{"", "", http.StatusBadRequest},
		{"", "sessions=late-talk,late-talk", http.StatusBadRequest},
		{"", "sessions=no-such-session", http.StatusBadRequest},
		{"", "sessions=Bad%20ID", http.StatusBadRequest},
		{"https://evil.example", "sessions=late-talk", http.StatusForbidden},
	} {
		if res := post(tt.origin, tt.body); res.StatusCode != tt.status {
			t.Errorf("POST %q from %q: %d, want %d", tt.body, tt.origin, res.StatusCode, tt.status)
		}
	}
	if picks.Len() != 1 {
		t.Errorf("refused posts stored picks: %d", picks.Len())
	}
	// A form too big to read is refused before it is stored.
	if res := post("", "sessions="+strings.Repeat("a", 70<<10)); res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("POST of a 70 KiB form: %d, want 400 or 413", res.StatusCode)
	}
}

// pageFailingPicks is a PickStore whose Save fails with err.
type pageFailingPicks struct{ err error }

func (f pageFailingPicks) Save(context.Context, []string) (string, error) { return "", f.err }
func (f pageFailingPicks) Load(context.Context, string) ([]string, error) {
	return nil, page.ErrUnknownPick
}

// A pick store that is full or busy answers POST /my with a 503 error
// page that says so, asking to retry only when the store is busy; any
// other failure is a 500.
func TestPageShortenWhenTheStoreFails(t *testing.T) {
	snap := agendatest.Small(t)
	tests := []struct {
		name       string
		err        error
		status     int
		says       string
		retryAfter bool
	}{
		{"full", fmt.Errorf("picks: %w", page.ErrPicksFull), http.StatusServiceUnavailable, "pick store is full", false},
		{"busy", fmt.Errorf("picks: %w", page.ErrPicksBusy), http.StatusServiceUnavailable, "pick store is busy", true},
		{"timed out", fmt.Errorf("picks: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "pick store is busy", true},
		{"broken", errors.New("disk on fire"), http.StatusInternalServerError, "internal error", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := pageHandler(t, snap, pageEditTime, web.Config{Picks: pageFailingPicks{tc.err}})
			req := httptest.NewRequest(http.MethodPost, "/my", strings.NewReader("sessions="+url.QueryEscape("opening-keynote,late-talk")))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, body := pageDo(t, h, req)
			if res.StatusCode != tc.status {
				t.Fatalf("POST /my: %d, want %d; %s", res.StatusCode, tc.status, body)
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("POST /my: %q, %v; want an HTML error page", res.Header.Get("Content-Type"), err)
			}
			if text := pageText(pageFirst(doc, pageIsTag("body"))); !strings.Contains(text, tc.says) || strings.Contains(text, "disk on fire") {
				t.Errorf("error page says %q, want %q (and nothing of the store's own error)", text, tc.says)
			}
			if got := res.Header.Get("Retry-After") != ""; got != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", res.Header.Get("Retry-After"), tc.retryAfter)
			}
		})
	}
}

// TestPageSubscribeLinks checks the subscribe blocks of the agenda: one
// for each feed, each handing calendar apps the feed's URL and the name
// the feed gives itself.
func TestPageSubscribeLinks(t *testing.T) {
	h := pageHandler(t, agendatest.Small(t), pageEditTime, web.Config{})
	doc := pageHTML(t, h, "/")
	want := map[string]struct{ path, name string }{
		"sub-all":            {"/feeds/all.ics", "Test Conf 2019"},
		"sub-day-2019-10-09": {"/feeds/days/2019-10-09.ics", "Test Conf 2019 — Wednesday, 9 October 2019"},
		"sub-track-keynote":  {"/feeds/tracks/keynote.ics", "Test Conf 2019 — Keynote"},
		"sub-room-room-2":    {"/feeds/rooms/room-2.ics", "Test Conf 2019 — Room 2"},
		"sub-track-talks":    {"/feeds/tracks/talks.ics", "Test Conf 2019 — Talks"},
		"sub-day-2019-10-08": {"/feeds/days/2019-10-08.ics", "Test Conf 2019 — Tuesday, 8 October 2019"},
		"sub-room-room-1":    {"/feeds/rooms/room-1.ics", "Test Conf 2019 — Room 1"},
		"sub-all-2":          {"/feeds/all.ics", "Test Conf 2019"},
	}
	for id, w := range want {
		res, body := pageFetch(t, h, w.path)
		cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
		if res.StatusCode != http.StatusOK || err != nil {
			t.Errorf("%s: feed %s: %d, %v", id, w.path, res.StatusCode, err)
			continue
		}
		if name, err := cal.Props.Text("X-WR-CALNAME"); err != nil || name != w.name {
			t.Errorf("%s: feed %s calls itself %q (%v), the page %q", id, w.path, name, err, w.name)
		}
	}
	subs := pageAll(doc, pageTagClass("div", "sub"))
	if len(subs) != len(want) {
		t.Errorf("%d subscribe blocks, want %d", len(subs), len(want))
	}
	for _, s := range subs {
		w, ok := want[pageAttr(s, "id")]
		if !ok {
			t.Errorf("unexpected subscribe block %q", pageAttr(s, "id"))
			continue
		}
		pageCheckSub(t, s, pageTestBase, w.path, w.name)
	}
}

// pageCheckSub checks every way a subscribe block offers to reach the
// feed at path under base.
func pageCheckSub(t *testing.T, s *html.Node, base, path, name string) {
	t.Helper()
	id := pageAttr(s, "id")
	feed := base + path
	webcal := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(feed, "https://"), "http://")
	links := map[string]string{}
	for _, a := range pageAll(s, pageIsTag("a")) {
		links[pageText(a)] = pageAttr(a, "href")
	}
	if got := links["Subscribe"]; got != webcal {
		t.Errorf("%s: Subscribe = %q, want %q", id, got, webcal)
	}
	g, err := url.Parse(links["Add to Google Calendar"])
	if err != nil || g.Scheme != "https" || g.Host != "calendar.google.com" || g.Path != "/calendar/r" || g.Query().Get("cid") != webcal {
		t.Errorf("%s: Google link %q does not carry cid=%s", id, links["Add to Google Calendar"], webcal)
	}
	o, err := url.Parse(links["Add to Outlook.com"])
	if err != nil || o.Scheme != "https" || o.Host != "outlook.live.com" || o.Path != "/calendar/0/addfromweb" ||
		o.Query().Get("url") != feed || o.Query().Get("name") != name {
		t.Errorf("%s: Outlook link %q, want url=%s name=%s", id, links["Add to Outlook.com"], feed, name)
	}
	if got := links[feed]; got != feed {
		t.Errorf("%s: copyable link %q, want %q shown as text", id, got, feed)
	}
	copyBtn := pageFirst(s, pageIsTag("button"))
	if copyBtn == nil || pageAttr(copyBtn, "data-copy") != feed {
		t.Errorf("%s: no copy button for %s", id, feed)
	}
	dl := pageFirst(s, func(n *html.Node) bool { return n.Data == "a" && pageText(n) == "Download .ics" })
	if dl == nil || pageAttr(dl, "href") != path || !strings.Contains(pageText(dl.Parent), "will not update") {
		t.Errorf("%s: download link missing or not labelled as a one-time copy", id)
	}
	img := pageFirst(s, pageTagClass("img", "qr"))
	if img == nil || pageAttr(img, "src") != "/qr.svg?feed="+url.QueryEscape(path) {
		t.Errorf("%s: QR image %v", id, img)
	}
}

func TestPageQRCodesDecodeToTheFeedURL(t *testing.T) {
	h := pageHandler(t, agendatest.Small(t), pageEditTime, web.Config{})
	doc := pageHTML(t, h, "/?pick=late-talk,opening-keynote")
	imgs := pageAll(doc, pageTagClass("img", "qr"))
	if len(imgs) < 8 {
		t.Fatalf("%d QR codes on /, want one per subscribe block", len(imgs))
	}
	for _, img := range imgs {
		src := pageAttr(img, "src")
		u, err := url.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		res, body := pageFetch(t, h, src)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("%s: %d %s", src, res.StatusCode, res.Header.Get("Content-Type"))
			continue
		}
		if csp, vary := res.Header.Get("Content-Security-Policy"), res.Header.Get("Vary"); csp != "default-src 'none'" ||
			!strings.Contains(vary, "X-Forwarded-Host") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: CSP %q, Vary %q, nosniff %q", src, csp, vary, res.Header.Get("X-Content-Type-Options"))
		}
		got, err := qrtest.Decode([]byte(body))
		if want := pageTestBase + u.Query().Get("feed"); err != nil || got != want {
			t.Errorf("%s decodes to %q, %v; want %q", src, got, err, want)
		}
	}
}

// TestPageNothingFromElsewhere checks that the pages load only their own
// resources and carry no inline script or style, as the CSP demands, and
// that every answer an attendee's browser may read as HTML carries the
// headers that keep it to itself.
func TestPageNothingFromElsewhere(t *testing.T) {
	h := pageHandler(t, pageRevision2(t), pageEditTime, web.Config{})
	for _, target := range []string{"/", "/?pick=late-talk", "/sessions/late-talk", "/help", "/sessions/nope", "/nowhere-at-all"} {
		res, body := pageFetch(t, h, target)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		if res.StatusCode == http.StatusOK && csp != page.CSP {
			t.Errorf("%s: CSP %q, want the page's %q", target, csp, page.CSP)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: X-Content-Type-Options %q, Referrer-Policy %q", target, res.Header.Get("X-Content-Type-Options"), res.Header.Get("Referrer-Policy"))
		}
		if res.StatusCode == http.StatusOK && res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache (the agenda changes)", target, res.Header.Get("Cache-Control"))
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range pageAll(doc, func(*html.Node) bool { return true }) {
			if pageAttr(n, "style") != "" || n.Data == "style" {
				t.Errorf("%s: inline style on <%s>", target, n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: inline handler %s on <%s>", target, a.Key, n.Data)
				}
			}
			var res string
			switch {
			case n.Data == "script":
				res = pageAttr(n, "src")
				if res == "" {
					t.Errorf("%s: inline script", target)
				}
			case n.Data == "img", n.Data == "iframe", n.Data == "source":
				res = pageAttr(n, "src")
			case n.Data == "link":
				res = pageAttr(n, "href")
			}
			if res != "" && !strings.HasPrefix(res, "/") || strings.HasPrefix(res, "//") {
				t.Errorf("%s: <%s> loads %q from elsewhere", target, n.Data, res)
			}
		}
	}
}

func TestPageStaticFiles(t *testing.T) {
	h := pageHandler(t, agendatest.Small(t), pageEditTime, web.Config{})
	for _, tt := range []struct{ path, ctype, want string }{
		{"/static/page.css", "text/css; charset=utf-8", ".card"},
		{"/static/my.js", "text/javascript; charset=utf-8", "localStorage"},
		{"/static/agenda.css", "text/css; charset=utf-8", ".t-talks{--track:#00798C;--on-track:#fff}"},
	} {
		res, body := pageFetch(t, h, tt.path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tt.ctype || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %q, body lacks %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"), tt.want)
			continue
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("%s: Cache-Control %q, want a max-age", tt.path, cc)
		}
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		if res, body := pageDo(t, h, req); res.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("%s with If-None-Match: %d, %d bytes; want 304 without a body", tt.path, res.StatusCode, len(body))
		}
	}
	// A linked stylesheet is the one served.
	doc := pageHTML(t, h, "/")
	var sheets int
	for _, l := range pageAll(doc, pageIsTag("link")) {
		if pageAttr(l, "rel") != "stylesheet" {
			continue
		}
		sheets++
		if res, _ := pageFetch(t, h, pageAttr(l, "href")); res.StatusCode != http.StatusOK {
			t.Errorf("stylesheet %s: %d", pageAttr(l, "href"), res.StatusCode)
		}
	}
	if sheets < 2 {
		t.Errorf("the page links %d stylesheets, want page.css and agenda.css", sheets)
	}
}

func TestPageNotLoadedYet(t *testing.T) {
	h := pageHandler(t, nil, pageEditTime, web.Config{})
	for _, target := range []string{"/", "/sessions/x", "/help", "/static/agenda.css"} {
		res, body := pageFetch(t, h, target)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "not loaded") {
			t.Errorf("%s before the agenda is loaded: %d, Retry-After %q, %q; want 503 saying so", target, res.StatusCode, res.Header.Get("Retry-After"), body)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/my", strings.NewReader("sessions=late-talk"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, _ := pageDo(t, h, req); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST /my before the agenda is loaded: %d, want 503", res.StatusCode)
	}
}

// FuzzPageQuery sends arbitrary query strings to the pages: the answer is
// a page, a clear 4xx, or, for a star of the agenda (toggle=, unstar=), a
// See Other to a page of this server; never a 500.
func FuzzPageQuery(f *testing.F) {
	for _, q := range []string{"", "day=2019-10-08", "track=talks&room=room-1", "pick=late-talk,opening-keynote", "pick=", "my=aaaaaaaaaaaaaaaa",
		"pick=a,,b", "day=2019-02-30", "pick=late-talk&my=x", "%zz", "feed=/feeds/all.ics",
		"toggle=late-talk", "unstar=late-talk&pick=late-talk&day=2019-10-09", "toggle=late-talk&unstar=x", "toggle="} {
		f.Add(q)
	}
	h := pageHandler(f, pageRevision2(f), pageEditTime.Add(time.Hour), web.Config{})
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"/", "/sessions/late-talk", "/help", "/qr.svg"} {
			u := &url.URL{Path: path, RawQuery: q}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL = u
			req.RequestURI = u.RequestURI()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusSeeOther {
				// A star of the agenda: to a page of this server.
				if loc := rec.Header().Get("Location"); path != "/" || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
					t.Fatalf("GET %s: 303 to %q, want the agenda page", u, loc)
				}
				continue
			}
			if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code > 499) {
				t.Fatalf("GET %s: %d %.200s", u, rec.Code, rec.Body)
			}
			if rec.Body.Len() == 0 {
				t.Fatalf("GET %s: empty body", u)
			}
		}
	})
}

// TestPageDayChipsSkipEmptyDays: a day of the conference no session is on
// (one a session past midnight stretched it to) gets no chip, as an
// empty track or room gets none; asked for, it is named and shown empty.
func TestPageDayChipsSkipEmptyDays(t *testing.T) {
	c := agendatest.SmallContents()
	c.Conference.Last = agenda.Date{Year: 2019, Month: time.October, Day: 10}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := pageHandler(t, snap, pageEditTime, web.Config{})
	chips := func(target string) []string {
		var got []string // the chips up to the track filter's
		for _, a := range pageAll(pageHTML(t, h, target), pageTagClass("a", "chip")) {
			if pageText(a) == "All tracks" {
				break
			}
			got = append(got, pageText(a))
		}
		return got
	}
	if got, want := chips("/"), []string{"All days", "Tue 8 Oct", "Wed 9 Oct"}; !slices.Equal(got, want) {
		t.Errorf("day chips on / = %q, want %q", got, want)
	}
	if got, want := chips("/?day=2019-10-10"), []string{"All days", "Tue 8 Oct", "Wed 9 Oct", "Thu 10 Oct"}; !slices.Equal(got, want) {
		t.Errorf("day chips on the empty day's page = %q, want %q", got, want)
	}
}

// TestPageStylesheetVersion: the page links the stylesheet made from the
// agenda by its contents, so a revision that changes no colour and no room
// keeps the link (an open page following live changes does not fetch it
// again, a browser keeps it), and one that recolours a track links a new
// one, which serves the new colour.
func TestPageStylesheetVersion(t *testing.T) {
	srv, h := serve(t, web.Config{}, agendatest.Small(t))
	link := func() string {
		t.Helper()
		for _, l := range pageAll(pageHTML(t, h, "/"), pageIsTag("link")) {
			if href := pageAttr(l, "href"); strings.Contains(href, "/agenda.css") {
				return href
			}
		}
		t.Fatal("the page links no agenda.css")
		return ""
	}
	first := link()
	c := agendatest.SmallContents()
	c.Sessions[0].Title = "Another title"
	retitled, err := agenda.NewSnapshot(c, 2, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, srv, retitled)
	if got := link(); got != first {
		t.Errorf("after a new title the page links %s, was %s: the same stylesheet under another URL", got, first)
	}
	c.Tracks[1].Color = "#F2C14E"
	recoloured, err := agenda.NewSnapshot(c, 3, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, srv, recoloured)
	got := link()
	if got == first {
		t.Fatalf("after a track's new colour the page still links %s", got)
	}
	if res, body := pageFetch(t, h, got); res.StatusCode != http.StatusOK || !strings.Contains(body, "--track:#F2C14E") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "max-age=") {
		t.Errorf("GET %s: %d, Cache-Control %q, body lacks the new colour: %.200s", got, res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	// A page made before links the old sheet: it gets the new one, which
	// no cache may keep under the old sheet's URL.
	if res, body := pageFetch(t, h, first); res.StatusCode != http.StatusOK || !strings.Contains(body, "--track:#F2C14E") ||
		res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET %s (the old sheet's URL): %d, Cache-Control %q, want the new sheet, not to be kept", first, res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

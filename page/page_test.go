package page_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/page"
)

func TestIndexShowsEverySessionByDay(t *testing.T) {
	snap := agendatest.Small(t)
	doc := getPage(t, newHandler(t, snap, editTime), "/")
	got := cardIDs(doc)
	if want := snap.SessionIDs(); !slices.Equal(got, want) {
		t.Errorf("cards on / = %v, want every session in agenda order %v", got, want)
	}
	var days []string
	for _, d := range all(doc, tagClass("section", "day")) {
		days = append(days, attr(d, "id"))
	}
	if want := []string{"d-2019-10-08", "d-2019-10-09"}; !slices.Equal(days, want) {
		t.Errorf("day sections = %v, want %v", days, want)
	}
	c := cards(doc)["streams-everywhere"]
	if c == nil {
		t.Fatal("no card for streams-everywhere")
	}
	if txt := text(c); !strings.Contains(txt, "Streams Everywhere") || !strings.Contains(txt, "10:30–11:10") ||
		!strings.Contains(txt, "Room 1") || !strings.Contains(txt, "Talks") {
		t.Errorf("card text %q lacks title, time, room or track", txt)
	}
	if !hasClass(c, "t-talks") {
		t.Errorf("card class %q lacks the track colour class t-talks", attr(c, "class"))
	}
	// Sessions sharing a start time share a slot, each in its room's column.
	slot := first(doc, byID("t-2019-10-08-1030"))
	if slot == nil {
		t.Fatal("no 10:30 slot on 8 October")
	}
	var cols []string
	for _, c := range all(slot, tagClass("article", "card")) {
		cols = append(cols, attr(c, "id")+" "+strings.Fields(attr(c, "class"))[2])
	}
	if want := []string{"s-streams-everywhere c-1", "s-state-of-state c-2"}; !slices.Equal(cols, want) {
		t.Errorf("10:30 slot = %v, want %v", cols, want)
	}
}

func TestFiltersNarrowTheAgenda(t *testing.T) {
	snap := agendatest.Small(t)
	h := newHandler(t, snap, editTime)
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
			doc := getPage(t, h, "/"+tt.query)
			if got := cardIDs(doc); !slices.Equal(got, tt.want) {
				t.Errorf("cards = %v, want %v", got, tt.want)
			}
			if got := text(first(doc, func(n *html.Node) bool { return n.Data == "h1" })); got != tt.heading {
				t.Errorf("heading = %q, want %q", got, tt.heading)
			}
		})
	}
}

// TestFilterLinks follows the filter links of / and checks each narrows
// the agenda to what it names, keeping the other filters.
func TestFilterLinks(t *testing.T) {
	snap := agendatest.Small(t)
	h := newHandler(t, snap, editTime)
	doc := getPage(t, h, "/?track=talks")
	links := map[string]string{}
	for _, a := range all(doc, tagClass("a", "chip")) {
		links[text(a)] = attr(a, "href")
	}
	if got := links["Wed 9 Oct"]; got != "/?day=2019-10-09&track=talks" {
		t.Errorf("day link keeps the track filter: got %q", got)
	}
	if got := links["All tracks"]; got != "/" {
		t.Errorf("All tracks = %q, want /", got)
	}
	doc = getPage(t, h, links["Wed 9 Oct"])
	if got := cardIDs(doc); !slices.Equal(got, []string{"late-talk"}) {
		t.Errorf("after following Wed 9 Oct: %v", got)
	}
}

func TestBadQueries(t *testing.T) {
	h := newHandler(t, agendatest.Small(t), editTime)
	tooMany := make([]string, page.MaxPick+1)
	for i := range tooMany {
		tooMany[i] = "s" + strings.Repeat("x", i%7)
	}
	tests := []struct {
		target string
		status int
	}{
		{"/?day=tomorrow", http.StatusBadRequest},
		{"/?day=2019-10-10", http.StatusNotFound},
		{"/?track=nope", http.StatusNotFound},
		{"/?room=Room%201", http.StatusNotFound},
		{"/?my=short", http.StatusNotFound},
		{"/?my=aaaaaaaaaaaaaaaa", http.StatusNotFound},
		{"/?pick=" + strings.Join(tooMany, ","), http.StatusBadRequest},
		{"/sessions/nope", http.StatusNotFound},
		{"/sessions/late-talk?track=nope", http.StatusNotFound},
		{"/help?day=x", http.StatusBadRequest},
		{"/nowhere", http.StatusNotFound},
		{"/static/nope.css", http.StatusNotFound},
		{"/qr.svg", http.StatusBadRequest},
		{"/qr.svg?feed=https://evil.example/feeds/x.ics", http.StatusBadRequest},
		{"/qr.svg?feed=/feeds/../help", http.StatusBadRequest},
		{"/qr.svg?feed=/help", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res, body := get(t, h, tt.target)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d; body %.200s", res.StatusCode, tt.status, body)
			}
			if strings.TrimSpace(body) == "" {
				t.Error("empty error body, want a short explanation")
			}
		})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /: %d, want 405", rec.Code)
	}
}

func TestUnknownPickedSessionsAreReported(t *testing.T) {
	h := newHandler(t, agendatest.Small(t), editTime)
	doc := getPage(t, h, "/?pick=late-talk,gone-talk")
	notice := first(doc, tagClass("p", "notice"))
	if notice == nil || !strings.Contains(text(notice), `"gone-talk"`) {
		t.Fatalf("no notice naming gone-talk")
	}
	my := first(doc, byID("my"))
	var picked []string
	for _, li := range all(my, tagClass("li", "line")) {
		picked = append(picked, text(first(li, func(n *html.Node) bool { return n.Data == "a" && !hasClass(n, "star") })))
	}
	if !slices.Equal(picked, []string{"Late Talk"}) {
		t.Errorf("my agenda = %v, want [Late Talk]", picked)
	}
}

func TestChangesAreMarked(t *testing.T) {
	snap := revision2(t)
	tests := []struct {
		name string
		now  time.Time
		// marks of the moved session; the cancelled one is struck out always
		moved []string
	}{
		{"an hour later", editTime.Add(time.Hour), []string{"Moved to Room 1", "Now 14:00"}},
		{"a day later", editTime.Add(25 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := getPage(t, newHandler(t, snap, tt.now), "/")
			c := cards(doc)
			if got := marks(c["state-of-state"]); !slices.Equal(got, tt.moved) {
				t.Errorf("marks of the moved session = %q, want %q", got, tt.moved)
			}
			if got := marks(c["late-talk"]); got != nil {
				t.Errorf("untouched session marked %q", got)
			}
			k := c["closing-keynote"]
			if !hasClass(k, "cancelled") || first(k, func(n *html.Node) bool { return n.Data == "del" }) == nil ||
				text(first(k, tagClass("p", "status"))) != "Cancelled" {
				t.Errorf("cancelled session not struck out and labelled: %q", text(k))
			}
			recent := first(doc, byID("changes"))
			if (recent != nil) != (tt.moved != nil) {
				t.Errorf("recent changes section present = %v, want %v", recent != nil, tt.moved != nil)
			}
		})
	}
}

func TestChangeDescriptions(t *testing.T) {
	base := agendatest.Small(t)
	ptr := func(s string) *string { return &s }
	at := editTime
	tests := []struct {
		name  string
		edit  func(e *agenda.Editor) error
		id    string
		marks []string
	}{
		{"retimed", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Start: new(agendatest.At(9, 16, 30)), End: new(agendatest.At(9, 17, 10)), Force: true})
		}, "late-talk", []string{"Now 16:30"}},
		{"moved to the other day", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Start: new(agendatest.At(8, 16, 30)), End: new(agendatest.At(8, 17, 10))})
		}, "late-talk", []string{"Now Tue 8 Oct, 16:30"}},
		{"longer", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{End: new(agendatest.At(9, 12, 0))})
		}, "late-talk", []string{"Now ends 12:00"}},
		{"renamed and retracked", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: ptr("Later Talk"), Track: ptr("keynote"), Abstract: ptr("New.")})
		}, "late-talk", []string{"Renamed (was “Late Talk”)", "Now in Keynote", "Description updated"}},
		{"room renamed", func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") }, "late-talk", []string{"Room now called Kesselhaus"}},
		{"added", func(e *agenda.Editor) error {
			return e.AddSession(agenda.Session{ID: "extra", Title: "Extra", Start: agendatest.At(9, 13, 0), End: agendatest.At(9, 13, 30), Track: "talks", Room: "room-2"}, false)
		}, "extra", []string{"New"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base.Edit("test", at)
			if err := tt.edit(e); err != nil {
				t.Fatal(err)
			}
			snap, err := e.Commit()
			if err != nil {
				t.Fatal(err)
			}
			doc := getPage(t, newHandler(t, snap, at.Add(time.Minute)), "/")
			if got := marks(cards(doc)[tt.id]); !slices.Equal(got, tt.marks) {
				t.Errorf("marks = %q, want %q", got, tt.marks)
			}
		})
	}
}

func TestUndoneChangeLeavesNoMark(t *testing.T) {
	e := agendatest.Small(t).Edit("test", editTime)
	room := "room-1"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Room: &room}); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	e = s2.Edit("test", editTime.Add(time.Hour))
	room = "room-2"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Room: &room}); err != nil {
		t.Fatal(err)
	}
	s3, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	doc := getPage(t, newHandler(t, s3, editTime.Add(2*time.Hour)), "/")
	if got := marks(cards(doc)["late-talk"]); got != nil {
		t.Errorf("session moved and moved back is marked %q", got)
	}
	// Seen between the two edits, it was moved.
	doc = getPage(t, newHandler(t, s2, editTime.Add(30*time.Minute)), "/")
	if got := marks(cards(doc)["late-talk"]); !slices.Equal(got, []string{"Moved to Room 1"}) {
		t.Errorf("marks after the first move = %q", got)
	}
}

func TestSessionPage(t *testing.T) {
	snap := revision2(t)
	h := newHandler(t, snap, editTime.Add(time.Hour))
	doc := getPage(t, h, "/sessions/closing-keynote")
	h1 := first(doc, func(n *html.Node) bool { return n.Data == "h1" })
	if first(h1, func(n *html.Node) bool { return n.Data == "del" }) == nil || text(h1) != "Closing Keynote" {
		t.Errorf("cancelled title not struck out: %q", text(h1))
	}
	abstract := first(doc, tagClass("div", "abstract"))
	var paras []string
	for _, p := range all(abstract, func(n *html.Node) bool { return n.Data == "p" }) {
		paras = append(paras, text(p))
	}
	if want := []string{"Goodbye.", "See you next year."}; !slices.Equal(paras, want) {
		t.Errorf("abstract paragraphs = %q, want %q", paras, want)
	}
	sub := first(doc, byID("sub-session"))
	if sub == nil {
		t.Fatal("no subscribe block for the session")
	}
	if got := attr(first(sub, tagClass("a", "url")), "href"); got != testBase+"/feeds/sessions/closing-keynote.ics" {
		t.Errorf("session feed = %q", got)
	}
	doc = getPage(t, h, "/sessions/state-of-state")
	if got := marks(first(doc, tagClass("article", "session"))); !slices.Equal(got, []string{"Moved to Room 1", "Now 14:00"}) {
		t.Errorf("session page marks = %q", got)
	}
}

func TestParagraphsOnSessionPage(t *testing.T) {
	c := agendatest.SmallContents()
	c.Sessions[4].Abstract = "First paragraph\nstill first.\n\nWhat you learn:\n- one\n- two\n\nJane Doe is a speaker.\r\n\r\nJohn Roe too.\nUses the DataStream\nAPI\n."
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := getPage(t, newHandler(t, snap, editTime), "/sessions/"+c.Sessions[4].ID)
	abstract := first(doc, tagClass("div", "abstract"))
	var got []string
	for n := abstract.FirstChild; n != nil; n = n.NextSibling {
		if n.Type == html.ElementNode {
			got = append(got, n.Data+": "+text(n))
		}
	}
	want := []string{"p: First paragraph still first.", "p: What you learn:", "ul: one two", "p: Jane Doe is a speaker.", "p: John Roe too.", "p: Uses the DataStream API."}
	if !slices.Equal(got, want) {
		t.Errorf("abstract blocks =\n%q\nwant\n%q", got, want)
	}
}

func TestStarringBuildsMyAgenda(t *testing.T) {
	snap := agendatest.Small(t)
	h := newHandler(t, snap, editTime)
	star := func(doc *html.Node, id string) string {
		t.Helper()
		c := cards(doc)[id]
		if c == nil {
			t.Fatalf("no card %s", id)
		}
		return attr(first(c, tagClass("a", "star")), "href")
	}
	doc := getPage(t, h, "/?track=talks")
	link := star(doc, "late-talk")
	if link != "/?track=talks&pick=late-talk#s-late-talk" {
		t.Errorf("star link = %q", link)
	}
	doc = getPage(t, h, link)
	doc = getPage(t, h, star(doc, "streams-everywhere"))
	my := first(doc, byID("my"))
	if n := len(all(my, tagClass("li", "line"))); n != 2 {
		t.Fatalf("my agenda lists %d sessions, want 2", n)
	}
	feed := attr(first(first(doc, byID("sub-my")), tagClass("a", "url")), "href")
	if want := testBase + "/feeds/custom.ics?sessions=streams-everywhere,late-talk"; feed != want {
		t.Errorf("personal feed = %q, want %q (agenda order)", feed, want)
	}
	if c := cards(doc)["late-talk"]; !hasClass(first(c, tagClass("a", "star")), "on") {
		t.Error("starred session's star is not on")
	}
	if body := attr(first(doc, func(n *html.Node) bool { return n.Data == "body" }), "data-pick"); body != "streams-everywhere,late-talk" {
		t.Errorf("body data-pick = %q", body)
	}
	// Links elsewhere keep the pick.
	session := attr(first(cards(doc)["state-of-state"], func(n *html.Node) bool { return n.Data == "a" && n.Parent.Data == "h4" }), "href")
	if session != "/sessions/state-of-state?track=talks&pick=streams-everywhere,late-talk" {
		t.Errorf("session link = %q", session)
	}
	// Un-starring both leaves an explicit empty pick.
	doc = getPage(t, h, star(doc, "late-talk"))
	link = star(doc, "streams-everywhere")
	if link != "/?track=talks&pick=#s-streams-everywhere" {
		t.Errorf("last un-star link = %q", link)
	}
	doc = getPage(t, h, link)
	if first(doc, byID("sub-my")) != nil {
		t.Error("empty pick still offers a personal feed")
	}
}

func TestShortLinkForLongPicks(t *testing.T) {
	c := agendatest.SmallContents()
	var ids []string
	for i := range 12 {
		id := "a-rather-long-session-identifier-" + string(rune('a'+i))
		ids = append(ids, id)
		c.Sessions = append(c.Sessions, agenda.Session{ID: id, Title: "Extra " + id, Start: agendatest.At(9, 12, 0).Add(time.Duration(i) * 10 * time.Minute),
			End: agendatest.At(9, 12, 10).Add(time.Duration(i) * 10 * time.Minute), Track: "talks", Room: "room-1", Status: agenda.StatusConfirmed})
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	picks := page.NewMemoryPicks(10)
	base, _ := page.BaseURL(testBase, false)
	h, err := page.New(page.Config{Current: func() *agenda.Snapshot { return snap }, BaseURL: base, Picks: picks})
	if err != nil {
		t.Fatal(err)
	}
	doc := getPage(t, h, "/?pick="+strings.Join(ids, ","))
	form := first(doc, func(n *html.Node) bool { return n.Data == "form" && hasClass(n, "shorten") })
	if form == nil {
		t.Fatal("a long pick offers no short link")
	}
	sessions := attr(first(form, func(n *html.Node) bool { return attr(n, "name") == "sessions" }), "value")
	if sessions != strings.Join(ids, ",") {
		t.Errorf("form carries %q", sessions)
	}
	post := func(origin, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, attr(form, "action"), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := post("", "sessions="+url.QueryEscape(sessions))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /my: %d %s", rec.Code, rec.Body)
	}
	loc := rec.Header().Get("Location")
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
	doc = getPage(t, h, loc)
	feed := attr(first(first(doc, byID("sub-my")), tagClass("a", "url")), "href")
	if want := testBase + "/feeds/my/" + code + ".ics"; feed != want {
		t.Errorf("short personal feed = %q, want %q", feed, want)
	}
	if first(doc, tagClass("form", "shorten")) != nil {
		t.Error("short link page offers to shorten again")
	}
	if n := len(all(first(doc, byID("my")), tagClass("li", "line"))); n != len(ids) {
		t.Errorf("my agenda from the code lists %d sessions, want %d", n, len(ids))
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
		if rec := post("", "sessions="+url.QueryEscape(list)); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != loc {
			t.Fatalf("save %d of the same pick: %d to %q, want %q", i+2, rec.Code, rec.Header().Get("Location"), loc)
		}
	}
	if picks.Len() != 1 {
		t.Errorf("31 saves of one pick stored %d picks, want 1", picks.Len())
	}
	for _, tt := range []struct{ origin, body string }{
		{"", ""},
		{"", "sessions=late-talk,late-talk"},
		{"", "sessions=no-such-session"},
		{"", "sessions=Bad%20ID"},
		{"https://evil.example", "sessions=late-talk"},
	} {
		if rec := post(tt.origin, tt.body); rec.Code != http.StatusBadRequest && rec.Code != http.StatusForbidden {
			t.Errorf("POST %q from %q: %d, want 400 or 403", tt.body, tt.origin, rec.Code)
		}
	}
}

func TestSubscribeLinks(t *testing.T) {
	snap := agendatest.Small(t)
	doc := getPage(t, newHandler(t, snap, editTime), "/")
	want := map[string]struct{ path, name string }{
		"sub-all":            {"/feeds/all.ics", "Test Conf 2019"},
		"sub-day-2019-10-09": {"/feeds/days/2019-10-09.ics", "Test Conf 2019 — Wednesday 9 October 2019"},
		"sub-track-keynote":  {"/feeds/tracks/keynote.ics", "Test Conf 2019 — Keynote"},
		"sub-room-room-2":    {"/feeds/rooms/room-2.ics", "Test Conf 2019 — Room 2"},
		"sub-track-talks":    {"/feeds/tracks/talks.ics", "Test Conf 2019 — Talks"},
		"sub-day-2019-10-08": {"/feeds/days/2019-10-08.ics", "Test Conf 2019 — Tuesday 8 October 2019"},
		"sub-room-room-1":    {"/feeds/rooms/room-1.ics", "Test Conf 2019 — Room 1"},
		"sub-all-2":          {"/feeds/all.ics", "Test Conf 2019"},
	}
	subs := all(doc, tagClass("div", "sub"))
	if len(subs) != len(want) {
		t.Errorf("%d subscribe blocks, want %d", len(subs), len(want))
	}
	for _, s := range subs {
		w, ok := want[attr(s, "id")]
		if !ok {
			t.Errorf("unexpected subscribe block %q", attr(s, "id"))
			continue
		}
		checkSub(t, s, testBase, w.path, w.name)
	}
}

// checkSub checks every way a subscribe block offers to reach the feed at
// path under base.
func checkSub(t *testing.T, s *html.Node, base, path, name string) {
	t.Helper()
	id := attr(s, "id")
	feed := base + path
	webcal := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(feed, "https://"), "http://")
	links := map[string]string{}
	for _, a := range all(s, func(n *html.Node) bool { return n.Data == "a" }) {
		links[text(a)] = attr(a, "href")
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
	copyBtn := first(s, func(n *html.Node) bool { return n.Data == "button" })
	if copyBtn == nil || attr(copyBtn, "data-copy") != feed {
		t.Errorf("%s: no copy button for %s", id, feed)
	}
	dl := first(s, func(n *html.Node) bool { return n.Data == "a" && text(n) == "Download .ics" })
	if dl == nil || attr(dl, "href") != path || !strings.Contains(text(dl.Parent), "will not update") {
		t.Errorf("%s: download link missing or not labelled as a one-time copy", id)
	}
	img := first(s, tagClass("img", "qr"))
	if img == nil || attr(img, "src") != "/qr.svg?feed="+url.QueryEscape(path) {
		t.Errorf("%s: QR image %v", id, img)
	}
}

func TestHelpPage(t *testing.T) {
	snap := agendatest.Small(t)
	for _, base := range []string{"https://cal.example.org", "http://localhost:8080"} {
		b, _ := page.BaseURL(base, false)
		h, err := page.New(page.Config{Current: func() *agenda.Snapshot { return snap }, BaseURL: b})
		if err != nil {
			t.Fatal(err)
		}
		doc := getPage(t, h, "/help")
		dav := first(doc, byID("caldav"))
		if got := text(first(dav, tagClass("code", "url"))); got != base+"/dav/" {
			t.Errorf("CalDAV URL = %q, want %s/dav/", got, base)
		}
		var tracks []string
		for _, li := range all(dav, func(n *html.Node) bool { return n.Data == "li" }) {
			tracks = append(tracks, text(li))
		}
		if !slices.Equal(tracks, []string{"Test Conf 2019 — Keynote", "Test Conf 2019 — Talks"}) {
			t.Errorf("track calendars = %q", tracks)
		}
		for _, section := range []string{"apple", "mac", "android", "thunderbird", "outlook", "google"} {
			s := first(doc, byID(section))
			if s == nil {
				t.Errorf("no %s section", section)
				continue
			}
			if section != "google" && section != "outlook" && !strings.Contains(text(s), base+"/dav/") {
				t.Errorf("%s steps do not name the CalDAV URL", section)
			}
		}
		for _, want := range []string{"Add CalDAV Account", "DAVx⁵", "ICSx⁵", "On the Network", "Subscribe from web", "every several hours"} {
			if !strings.Contains(text(doc), want) {
				t.Errorf("help lacks %q", want)
			}
		}
		if ssl := strings.Contains(text(first(doc, byID("apple"))), "Use SSL"); ssl != strings.HasPrefix(base, "http:") {
			t.Errorf("base %s: SSL advice shown = %v", base, ssl)
		}
	}
}

// TestNothingFromElsewhere checks that the pages load only their own
// resources and carry no inline script or style, as the CSP demands.
func TestNothingFromElsewhere(t *testing.T) {
	snap := revision2(t)
	h := newHandler(t, snap, editTime)
	for _, target := range []string{"/", "/?pick=late-talk", "/sessions/late-talk", "/help", "/nowhere-at-all"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if target != "/nowhere-at-all" && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: CSP %q", target, rec.Header().Get("Content-Security-Policy"))
		}
		doc, err := html.Parse(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range all(doc, func(*html.Node) bool { return true }) {
			if attr(n, "style") != "" || n.Data == "style" {
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
				res = attr(n, "src")
				if res == "" {
					t.Errorf("%s: inline script", target)
				}
			case n.Data == "img", n.Data == "iframe", n.Data == "source":
				res = attr(n, "src")
			case n.Data == "link":
				res = attr(n, "href")
			}
			if res != "" && !strings.HasPrefix(res, "/") || strings.HasPrefix(res, "//") {
				t.Errorf("%s: <%s> loads %q from elsewhere", target, n.Data, res)
			}
		}
	}
}

func TestStaticFiles(t *testing.T) {
	snap := agendatest.Small(t)
	h := newHandler(t, snap, editTime)
	for _, tt := range []struct{ path, ctype, want string }{
		{"/static/page.css", "text/css; charset=utf-8", ".card"},
		{"/static/my.js", "text/javascript; charset=utf-8", "localStorage"},
		{"/static/agenda.css?v=1", "text/css; charset=utf-8", ".t-talks{--track:#00798C;--on-track:#fff}"},
	} {
		res, body := get(t, h, tt.path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tt.ctype || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %q, body lacks %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"), tt.want)
			continue
		}
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: %d, want 304", tt.path, rec.Code)
		}
	}
}

func TestNotLoadedYet(t *testing.T) {
	base, _ := page.BaseURL(testBase, false)
	h, err := page.New(page.Config{Current: func() *agenda.Snapshot { return nil }, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/", "/sessions/x", "/help", "/static/agenda.css"} {
		if res, _ := get(t, h, target); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s before the agenda is loaded: %d, want 503", target, res.StatusCode)
		}
	}
	if _, err := page.New(page.Config{}); err == nil {
		t.Error("New with no Current and BaseURL: no error")
	}
}

func BenchmarkIndex(b *testing.B) {
	snap := revision2(b)
	h := newHandler(b, snap, editTime.Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?pick=late-talk", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// FuzzQuery sends arbitrary query strings to the pages: the answer is a
// page or a clear 4xx, never a 500.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"", "day=2019-10-08", "track=talks&room=room-1", "pick=late-talk,opening-keynote", "pick=", "my=aaaaaaaaaaaaaaaa",
		"pick=a,,b", "day=2019-02-30", "pick=late-talk&my=x", "%zz"} {
		f.Add(q)
	}
	snap := revision2(f)
	h := newHandler(f, snap, editTime.Add(time.Hour))
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"/", "/sessions/late-talk", "/help", "/qr.svg"} {
			u := &url.URL{Path: path, RawQuery: q}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL = u
			req.RequestURI = u.RequestURI()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code > 499) {
				t.Fatalf("GET %s: %d %.200s", u, rec.Code, rec.Body)
			}
			if rec.Body.Len() == 0 {
				t.Fatalf("GET %s: empty body", u)
			}
		}
	})
}

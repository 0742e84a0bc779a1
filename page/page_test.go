package page_test

import (
	"bytes"
	"errors"
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
	doc := newFixture(t, snap, editTime).page(t, "/")
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

// TestRenderErrors checks what the pages refuse: each is a *page.Error
// whose status says why (package web answers with it) and whose message
// tells the attendee what was wrong.
func TestRenderErrors(t *testing.T) {
	f := newFixture(t, agendatest.Small(t), editTime)
	tooMany := make([]string, page.MaxPick+1)
	for i := range tooMany {
		tooMany[i] = "s" + strings.Repeat("x", i%7)
	}
	tests := []struct {
		target string
		status int
		says   string
	}{
		{"/?day=tomorrow", 400, `"tomorrow" is not a date`},
		{"/?day=2019-10-10", 404, "2019-10-10 is not a day of the conference"},
		{"/?track=nope", 404, `no track "nope"`},
		{"/?room=Room%201", 404, `no room "Room 1"`},
		{"/?my=short", 404, "not valid"},
		{"/?my=aaaaaaaaaaaaaaaa", 404, "unknown or has expired"},
		{"/?pick=" + strings.Join(tooMany, ","), 400, "at most 300 sessions"},
		{"/sessions/nope", 404, `no session "nope"`},
		{"/sessions/late-talk?track=nope", 404, `no track "nope"`},
		{"/help?day=x", 400, `"x" is not a date`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			_, err := f.render(tt.target)
			var pe *page.Error
			if !errors.As(err, &pe) || pe.Status() != tt.status || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("render: %v (a *page.Error: %v), want status %d saying %q", err, pe != nil, tt.status, tt.says)
			}
		})
	}
	// A pick store that fails is the server's trouble, not the attendee's.
	f.picks = failingPicks{load: errors.New("disk on fire")}
	_, err := f.render("/?my=aaaaaaaaaaaaaaaa")
	var pe *page.Error
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("render with a broken pick store: %v, want the store's error, not a *page.Error", err)
	}
}

func TestUnknownPickedSessionsAreReported(t *testing.T) {
	doc := newFixture(t, agendatest.Small(t), editTime).page(t, "/?pick=late-talk,gone-talk")
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
			doc := newFixture(t, snap, tt.now).page(t, "/")
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
		{"cancelled and moved", func(e *agenda.Editor) error {
			cancelled := agenda.StatusCancelled
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Status: &cancelled, Room: ptr("room-1")})
		}, "late-talk", []string{"Moved to Room 1"}}, // the card says it is cancelled
		{"room renamed", func(e *agenda.Editor) error { return e.RenameRoom("room-2", "Kesselhaus") }, "late-talk", []string{"Room now called Kesselhaus"}},
		{"room renamed and back", func(e *agenda.Editor) error {
			if err := e.RenameRoom("room-2", "Kesselhaus"); err != nil {
				return err
			}
			return e.RenameRoom("room-2", "Room 2")
		}, "late-talk", nil},
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
			doc := newFixture(t, snap, at.Add(time.Minute)).page(t, "/")
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
	doc := newFixture(t, s3, editTime.Add(2*time.Hour)).page(t, "/")
	if got := marks(cards(doc)["late-talk"]); got != nil {
		t.Errorf("session moved and moved back is marked %q", got)
	}
	if first(doc, byID("changes")) != nil {
		t.Error("a change undone is listed among the recent changes")
	}
	// Seen between the two edits, it was moved.
	doc = newFixture(t, s2, editTime.Add(30*time.Minute)).page(t, "/")
	if got := marks(cards(doc)["late-talk"]); !slices.Equal(got, []string{"Moved to Room 1"}) {
		t.Errorf("marks after the first move = %q", got)
	}
	// Seen a day after the first edit, only the second is recent: it moved
	// the session back from Room 1.
	doc = newFixture(t, s3, editTime.Add(24*time.Hour+time.Minute)).page(t, "/")
	if got := marks(cards(doc)["late-talk"]); !slices.Equal(got, []string{"Moved to Room 2"}) {
		t.Errorf("marks a day after the first move = %q, want the move back alone", got)
	}
}

// TestRecentChangesNewestFirst checks the list of recent changes above
// the agenda: every session with a mark, the latest change first.
func TestRecentChangesNewestFirst(t *testing.T) {
	snap := agendatest.Small(t)
	title := "Later Talk"
	abstract := "New words."
	for i, edit := range []func(*agenda.Editor) error{
		func(e *agenda.Editor) error { return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}) },
		func(e *agenda.Editor) error {
			return e.UpdateSession("opening-keynote", agenda.SessionUpdate{Abstract: &abstract})
		},
		func(e *agenda.Editor) error { // changes nothing in the end
			if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Abstract: &abstract}); err != nil {
				return err
			}
			empty := ""
			return e.UpdateSession("state-of-state", agenda.SessionUpdate{Abstract: &empty})
		},
	} {
		e := snap.Edit("test", editTime.Add(time.Duration(i)*time.Hour))
		if err := edit(e); err != nil {
			t.Fatal(err)
		}
		var err error
		if snap, err = e.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	doc := newFixture(t, snap, editTime.Add(3*time.Hour)).page(t, "/")
	var listed []string
	changes := first(doc, byID("changes"))
	if changes == nil {
		t.Fatal("no recent changes on the page")
	}
	for _, li := range all(changes, tagClass("li", "line")) {
		listed = append(listed, text(first(li, func(n *html.Node) bool { return n.Data == "a" && !hasClass(n, "star") })))
	}
	if want := []string{"Opening Keynote", "Later Talk"}; !slices.Equal(listed, want) {
		t.Errorf("recent changes = %q, want %q (newest first, the undone one left out)", listed, want)
	}
}

func TestSessionPage(t *testing.T) {
	f := newFixture(t, revision2(t), editTime.Add(time.Hour))
	doc := f.page(t, "/sessions/closing-keynote")
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
	doc = f.page(t, "/sessions/state-of-state")
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
	doc := newFixture(t, snap, editTime).page(t, "/sessions/"+c.Sessions[4].ID)
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

// TestStarringBuildsMyAgenda follows the stars from page to page, as a
// browser without JavaScript would: each submits the page's form.
func TestStarringBuildsMyAgenda(t *testing.T) {
	f := newFixture(t, agendatest.Small(t), editTime)
	star := func(doc *html.Node, id string) string {
		t.Helper()
		c := cards(doc)[id]
		if c == nil {
			t.Fatalf("no card %s", id)
		}
		return f.follow(t, doc, first(c, tagClass("button", "star")))
	}
	doc := f.page(t, "/?track=talks")
	link := star(doc, "late-talk")
	if link != "/?track=talks&pick=late-talk#s-late-talk" {
		t.Errorf("star link = %q", link)
	}
	doc = f.page(t, link)
	doc = f.page(t, star(doc, "streams-everywhere"))
	my := first(doc, byID("my"))
	if n := len(all(my, tagClass("li", "line"))); n != 2 {
		t.Fatalf("my agenda lists %d sessions, want 2", n)
	}
	feed := attr(first(first(doc, byID("sub-my")), tagClass("a", "url")), "href")
	if want := testBase + "/feeds/custom.ics?sessions=streams-everywhere,late-talk"; feed != want {
		t.Errorf("personal feed = %q, want %q (agenda order)", feed, want)
	}
	if c := cards(doc)["late-talk"]; !hasClass(first(c, tagClass("button", "star")), "on") {
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
	doc = f.page(t, star(doc, "late-talk"))
	link = star(doc, "streams-everywhere")
	if link != "/?track=talks&pick=#s-streams-everywhere" {
		t.Errorf("last un-star link = %q", link)
	}
	doc = f.page(t, link)
	if first(doc, byID("sub-my")) != nil {
		t.Error("empty pick still offers a personal feed")
	}
}

// TestStoredPickOnThePage renders the agenda of a pick stored under a
// code: the personal feed is the short one and nothing offers to shorten
// it again.
func TestStoredPickOnThePage(t *testing.T) {
	f := newFixture(t, agendatest.Small(t), editTime)
	code, err := page.StorePick(t.Context(), f.snap, f.picks, "late-talk,opening-keynote")
	if err != nil {
		t.Fatal(err)
	}
	doc := f.page(t, "/?my="+code)
	feed := attr(first(first(doc, byID("sub-my")), tagClass("a", "url")), "href")
	if want := testBase + "/feeds/my/" + code + ".ics"; feed != want {
		t.Errorf("personal feed = %q, want %q", feed, want)
	}
	if first(doc, tagClass("form", "shorten")) != nil {
		t.Error("a stored pick offers to shorten again")
	}
	var picked []string
	for _, li := range all(first(doc, byID("my")), tagClass("li", "line")) {
		picked = append(picked, text(first(li, func(n *html.Node) bool { return n.Data == "a" && !hasClass(n, "star") })))
	}
	if want := []string{"Opening Keynote", "Late Talk"}; !slices.Equal(picked, want) {
		t.Errorf("my agenda = %q, want %q", picked, want)
	}
	// Starring from there leaves the code for a pick in the URL.
	if got := f.follow(t, doc, first(cards(doc)["state-of-state"], tagClass("button", "star"))); got != "/?pick=opening-keynote,state-of-state,late-talk#s-state-of-state" {
		t.Errorf("star link from a stored pick = %q", got)
	}
}

func TestHelpPage(t *testing.T) {
	f := newFixture(t, agendatest.Small(t), editTime)
	for _, base := range []string{"https://cal.example.org", "http://localhost:8080"} {
		f.base = base
		doc := f.page(t, "/help")
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

func TestErrorPage(t *testing.T) {
	r, err := page.New()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Error(&buf, agendatest.Small(t), "", 404, "Not Found", "There is no <session> here."); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(doc); !strings.Contains(got, "There is no <session> here.") || !strings.Contains(got, "Test Conf 2019") {
		t.Errorf("error page reads %q, want the message (escaped) and the conference", got)
	}
	if first(doc, func(n *html.Node) bool { return n.Data == "session" }) != nil {
		t.Error("the message was not escaped")
	}
}

func TestStatic(t *testing.T) {
	r, err := page.New()
	if err != nil {
		t.Fatal(err)
	}
	snap := agendatest.Small(t)
	for _, tt := range []struct{ name, ctype, want string }{
		{"page.css", "text/css; charset=utf-8", ".card"},
		{"my.js", "text/javascript; charset=utf-8", "localStorage"},
		{"agenda.css", "text/css; charset=utf-8", ".t-talks{--track:#00798C;--on-track:#fff}"},
	} {
		a, ok := r.Static(snap, tt.name)
		if !ok || a.Type != tt.ctype || !strings.Contains(string(a.Body), tt.want) || !strings.HasPrefix(a.ETag, `"`) {
			t.Errorf("Static(%s) = %v, %q, ETag %s; body lacks %q", tt.name, ok, a.Type, a.ETag, tt.want)
		}
	}
	if _, ok := r.Static(snap, "nope.css"); ok {
		t.Error("Static(nope.css) found a file")
	}
	// The agenda's stylesheet follows the agenda's colours.
	c := agendatest.SmallContents()
	c.Tracks[1].Color = "#F2C14E"
	other, err := agenda.NewSnapshot(c, 2, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := r.Static(snap, "agenda.css")
	a2, _ := r.Static(other, "agenda.css")
	if a1.ETag == a2.ETag || !strings.Contains(string(a2.Body), ".t-talks{--track:#F2C14E;--on-track:#111}") {
		t.Errorf("agenda.css of a recoloured track: ETag %s (was %s), body %.200s", a2.ETag, a1.ETag, a2.Body)
	}
}

func BenchmarkIndex(b *testing.B) {
	f := newFixture(b, revision2(b), editTime.Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.render("/?pick=late-talk"); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzQuery renders the pages for arbitrary query strings: the answer is
// a page or a *page.Error with a 4xx status and a message, never another
// error.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"", "day=2019-10-08", "track=talks&room=room-1", "pick=late-talk,opening-keynote", "pick=", "my=aaaaaaaaaaaaaaaa",
		"pick=a,,b", "day=2019-02-30", "pick=late-talk&my=x", "%zz"} {
		f.Add(q)
	}
	fx := newFixture(f, revision2(f), editTime.Add(time.Hour))
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q) // as a request's URL.Query() reads it
		for _, path := range []string{"/", "/sessions/late-talk", "/help"} {
			b, err := fx.renderQuery(path, v)
			var pe *page.Error
			switch {
			case err == nil && len(b) == 0:
				t.Fatalf("%s?%s: empty page", path, q)
			case err != nil && (!errors.As(err, &pe) || pe.Status() < 400 || pe.Status() > 499 || err.Error() == ""):
				t.Fatalf("%s?%s: %v", path, q, err)
			}
		}
	})
}

// TestAgendaCSSKeptPerConference: the stylesheet made from an agenda is
// made once per snapshot, also while another conference's pages are
// drawn in between (every page links its conference's sheet by its
// contents, so each page asks for it).
func TestAgendaCSSKeptPerConference(t *testing.T) {
	r, err := page.New()
	if err != nil {
		t.Fatal(err)
	}
	one := agendatest.Small(t)
	c := agendatest.SmallContents()
	c.Conference.Name = "Another Conference"
	c.Conference.UIDDomain = "another.example"
	other, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := r.Static(one, "agenda.css")
	b1, _ := r.Static(other, "agenda.css")
	a2, _ := r.Static(one, "agenda.css")
	b2, _ := r.Static(other, "agenda.css")
	if &a1.Body[0] != &a2.Body[0] || &b1.Body[0] != &b2.Body[0] {
		t.Error("agenda.css was made again for a snapshot it was made for, after another conference's")
	}
}

// TestSessionCountsInWords: the counts the page shows next to a calendar
// say "1 session", not "1 sessions".
func TestSessionCountsInWords(t *testing.T) {
	f := newFixture(t, agendatest.Small(t), editTime)
	for _, tc := range []struct{ target, want string }{
		{"/?pick=late-talk", "Your personal calendar (1 session)"},
		{"/?pick=late-talk,streams-everywhere", "Your personal calendar (2 sessions)"},
	} {
		doc := f.page(t, tc.target)
		var heads []string
		for _, h := range all(doc, func(n *html.Node) bool { return n.Data == "h3" }) {
			heads = append(heads, strings.Join(strings.Fields(text(h)), " "))
		}
		if !slices.Contains(heads, tc.want) {
			t.Errorf("GET %s: headings %q, want one %q", tc.target, heads, tc.want)
		}
	}
	for n, want := range map[int]string{0: "0 sessions", 1: "1 session", 2: "2 sessions", 11: "11 sessions"} {
		if got := page.SessionCount(n); got != want {
			t.Errorf("SessionCount(%d) = %q, want %q", n, got, want)
		}
	}
}

//go:build !race

// The browser test runs once, in the plain `go test` pass: under the race
// detector it would only drive the same browser again, slower.

package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/conferences"
	"confcal/seeds"
	"confcal/web"
)

// TestPageInBrowser opens the agenda in headless Chromium on a phone-sized
// screen, checks all three conference days are there, stars two sessions,
// follows the personal feed link and parses the feed: exactly the two
// starred sessions. Screenshots go to the test's temporary directory (and
// to $CONFCAL_E2E_SHOTS when set, to look at them).
//
// It needs Debian's chromium and chromium-driver packages; without them it
// skips, unless CONFCAL_E2E_BROWSER=1 demands it run.
func TestPageInBrowser(t *testing.T) {
	snap, ts, wd := seedInBrowser(t)
	shots := []string{t.TempDir()}
	if dir := os.Getenv("CONFCAL_E2E_SHOTS"); dir != "" {
		shots = append(shots, dir)
	}
	shot := func(name string) {
		png := wd.screenshot()
		for _, dir := range shots {
			if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
				t.Error(err)
			}
		}
	}

	wd.navigate(ts.URL + "/")
	if w := wd.script("return window.innerWidth"); w != float64(390) {
		t.Errorf("viewport width %v, want 390 (phone)", w)
	}
	if sw := wd.script("return document.documentElement.scrollWidth"); sw != float64(390) {
		t.Errorf("page is %v px wide on a 390 px screen: something overflows sideways", sw)
	}
	var days []string
	for _, e := range wd.find("section.day > h2") {
		days = append(days, wd.text(e))
	}
	if want := []string{"Monday 7 October 2019", "Tuesday 8 October 2019", "Wednesday 9 October 2019"}; !slices.Equal(days, want) {
		t.Fatalf("days on / = %q, want %q", days, want)
	}
	shot("1-agenda-top.png")

	// Star two sessions by tapping their stars, as an attendee would.
	stars := wd.find("section.day article.card button.star")
	if len(stars) != len(snap.SessionIDs()) {
		t.Errorf("%d stars, want one per session (%d)", len(stars), len(snap.SessionIDs()))
	}
	ids := snap.SessionIDs()
	picked := []string{ids[2], ids[30]}
	for _, id := range picked {
		star := wd.find("#s-" + id + " button.star")
		if len(star) != 1 {
			t.Fatalf("no star for %s", id)
		}
		wd.click(star[0])
		wd.waitFor(func() bool { return len(wd.find("#s-"+id+" button.star.on")) == 1 })
		// The star's answer lands at its card.
		if got := wd.script("return location.hash"); got != "#s-"+id {
			t.Errorf("after starring %s the page is at %v, want #s-%s", id, got, id)
		}
	}
	shot("2-after-starring.png")
	if got := wd.script("return localStorage.getItem('confcal.pick')"); got != strings.Join(picked, ",") {
		t.Errorf("localStorage pick = %v, want %s", got, strings.Join(picked, ","))
	}

	// The personal agenda lists both, with a feed of just those.
	if n := len(wd.find("#my li.line")); n != 2 {
		t.Errorf("my agenda lists %d sessions, want 2", n)
	}
	wd.script("document.getElementById('my').scrollIntoView()")
	shot("3-my-agenda.png")
	links := wd.find("#sub-my a.url")
	if len(links) != 1 {
		t.Fatal("no personal feed link")
	}
	feedURL := wd.attr(links[0], "href")
	if !strings.HasPrefix(feedURL, ts.URL+"/feeds/") {
		t.Fatalf("personal feed link %q is not a feed of this server", feedURL)
	}
	res, body := pageGet(t, ts.Client(), feedURL)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", feedURL, res.StatusCode)
	}
	events := parseICS(t, feedURL, body)
	var uids []string
	for _, ev := range events {
		uid, err := ev.Props.Text(goical.PropUID)
		if err != nil {
			t.Fatal(err)
		}
		uids = append(uids, uid)
	}
	want := []string{snap.UID(picked[0]), snap.UID(picked[1])}
	if !slices.Equal(uids, want) {
		t.Errorf("personal feed has events %q, want exactly %q", uids, want)
	}

	// Opening the bare address again brings the stars back from localStorage.
	wd.navigate(ts.URL + "/")
	wd.waitFor(func() bool { return len(wd.find("#my li.line")) == 2 })

	// A session page reads well too, and knows the session is starred.
	wd.navigate(ts.URL + "/sessions/" + ids[2])
	wd.waitFor(func() bool {
		return len(wd.find("a.starbtn")) == 1 && strings.Contains(wd.text(wd.find("a.starbtn")[0]), "In my agenda")
	})
	if h := wd.find("article.session h1"); len(h) != 1 {
		t.Error("session page has no title")
	}
	shot("4-session.png")
	wd.navigate(ts.URL + "/help")
	shot("5-help.png")
}

// TestConferencesInBrowser opens the list of a server's conferences in
// headless Chromium, follows the second conference's link, stars a session
// there and subscribes: the personal feed is the second conference's, with
// that session alone, and the stars of one conference stay out of the
// other's page.
func TestConferencesInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	base, def := ts.URL, hs.def
	doc := strings.Replace(send(hs.h, http.MethodGet, "/schedule.xml", nil).Body.String(),
		"<title>"+seed.Conference().Name+"</title>", "<title>Second Conference</title>", 1)
	if rec := hs.call(t, http.MethodPost, "/api/conferences", adminToken, api.NewConference{Slug: "second", Document: doc}, nil); rec.Code != http.StatusCreated {
		t.Fatalf("adding the second conference: %d %s", rec.Code, rec.Body)
	}

	wd := startBrowser(t, chromium, driver)
	wd.navigate(ts.URL + "/")
	var names []string
	for _, e := range wd.find("section.conference h2 a") {
		names = append(names, wd.text(e))
	}
	if want := []string{seed.Conference().Name, "Second Conference"}; !slices.Equal(names, want) {
		t.Fatalf("conferences on / = %q, want %q", names, want)
	}
	if sw := wd.script("return document.documentElement.scrollWidth"); sw != float64(390) {
		t.Errorf("the conference list is %v px wide on a 390 px screen: %v", sw, wd.script(`return Array.from(document.querySelectorAll("body *")).filter(e => e.scrollWidth > 390 || e.getBoundingClientRect().right > 391).map(e => e.tagName + "." + e.className + ":" + e.scrollWidth + "/" + e.getBoundingClientRect().right).join(" ")`))
	}
	if subs := wd.find("section.conference .sub a.url"); len(subs) != 2 || wd.attr(subs[1], "href") != base+"/second/feeds/all.ics" {
		t.Errorf("the list's subscribe blocks: %d links", len(subs))
	}
	// A pick remembered at the root from while the default conference
	// was alone there is not brought back on the list: "/" stays the list.
	wd.script("localStorage.setItem('confcal.pick', '" + seed.SessionIDs()[0] + "')")
	wd.navigate(ts.URL + "/")
	wd.waitFor(func() bool { return wd.script("return document.readyState") == "complete" })
	if at := wd.script("return location.pathname + location.search"); at != "/" || len(wd.find("section.conference")) != 2 {
		t.Errorf("with a pick remembered at the root, / goes to %v", at)
	}
	wd.script("localStorage.removeItem('confcal.pick')")
	wd.click(wd.find("#c-second h2 a")[0])
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
	if u := wd.script("return location.pathname"); u != "/second/" {
		t.Fatalf("following the second conference's link lands on %v", u)
	}
	ids := hs.ids(t, "second")
	star := wd.find("#s-" + ids[3] + " button.star")
	if len(star) != 1 {
		t.Fatalf("no star for %s on the second conference's page", ids[3])
	}
	wd.click(star[0])
	wd.waitFor(func() bool { return len(wd.find("#my li.line")) == 1 })
	links := wd.find("#sub-my a.url")
	if len(links) != 1 {
		t.Fatal("no personal feed link")
	}
	feedURL := wd.attr(links[0], "href")
	if !strings.HasPrefix(feedURL, ts.URL+"/second/feeds/") {
		t.Fatalf("personal feed link %q is not the second conference's", feedURL)
	}
	res, body := pageGet(t, ts.Client(), feedURL)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", feedURL, res.StatusCode)
	}
	events := parseICS(t, feedURL, body)
	if len(events) != 1 || !strings.Contains(events[0].Props.Get("URL").Value, "/second/sessions/"+ids[3]) {
		t.Errorf("personal feed of the second conference: %d events", len(events))
	}
	if got := wd.script("return localStorage.getItem('confcal.pick/second')"); got != ids[3] {
		t.Errorf("the second conference's stored pick = %v, want %s", got, ids[3])
	}
	// The default conference's page knows nothing of that star.
	wd.navigate(ts.URL + "/" + def + "/")
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
	if n := len(wd.find("#my li.line")); n != 0 || wd.script("return localStorage.getItem('confcal.pick')") != nil {
		t.Errorf("the default conference shows %d starred sessions of the other", n)
	}
}

// TestLiveChangesInBrowser opens the agenda in headless Chromium and
// changes it through the API while the page stays open: a session moved
// to another room and time shows its new room and time on its card, marked
// with the change log's words, and a cancelled one is marked cancelled,
// without the page being loaded again.
func TestLiveChangesInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, svc := livePageServer(t)
	snap := svc.Current()
	ids := snap.SessionIDs()
	moved, gone := ids[5], ids[9]
	wd := startBrowser(t, chromium, driver)
	// Both starred: their lines in "My agenda" follow the changes too.
	wd.navigate(ts.URL + "/?pick=" + moved + "," + gone)
	wd.waitFor(func() bool { return len(wd.find("section.day article.card")) > 0 })
	// A reload would forget this.
	wd.script("window.confcalTestMark = 'not reloaded'")

	x, _ := snap.Session(moved)
	var room agenda.Room
	for _, r := range snap.Rooms() {
		if r.ID != x.Room {
			room = r
			break
		}
	}
	start := x.Start.Add(95 * time.Minute)
	end := start.Add(x.End.Sub(x.Start))
	p := api.SessionPatch{Room: &room.ID, Force: true}
	startText := start.Format("2006-01-02T15:04")
	p.Start = &startText
	next, _, err := api.PatchSession(t.Context(), svc, "api:test", moved, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := api.ChangesAt(next, next.Revision())
	if err != nil || len(sums.Summaries) != 1 {
		t.Fatalf("the move's change list: %+v, %v", sums, err)
	}
	card := "#s-" + moved
	when := start.Format("15:04") + "–" + end.Format("15:04")
	wd.waitFor(func() bool {
		return len(wd.find(card+".changed")) == 1 && wd.text(wd.find(card + " .meta .when")[0]) == when &&
			wd.text(wd.find(card + " .meta .room")[0]) == room.Name
	})
	var marks []string
	for _, e := range wd.find(card + " ul.marks li") {
		marks = append(marks, wd.text(e))
	}
	if !slices.Contains(marks, sums.Summaries[0].Text) {
		t.Errorf("the moved card's marks %q lack the change log's %q", marks, sums.Summaries[0].Text)
	}
	line := "#my li.line[data-session='" + moved + "']"
	wd.waitFor(func() bool {
		w, r := wd.find(line+" .when"), wd.find(line+" .room")
		return len(w) == 1 && strings.HasSuffix(wd.text(w[0]), ", "+when) && len(r) == 1 && wd.text(r[0]) == room.Name &&
			len(wd.find(line+".changed ul.marks li")) > 0
	})

	// Now that the page follows the stream, a cancellation.
	cancelled := "cancelled"
	if _, _, err := api.PatchSession(t.Context(), svc, "api:test", gone, api.SessionPatch{Status: &cancelled}, nil); err != nil {
		t.Fatal(err)
	}
	card = "#s-" + gone
	wd.waitFor(func() bool {
		st := wd.find(card + ".cancelled p.status")
		return len(st) == 1 && wd.text(st[0]) == "Cancelled" && len(wd.find(card+" h4 a del")) == 1 && len(wd.find(card+".changed")) == 1
	})
	wd.waitFor(func() bool {
		return len(wd.find("#my li.line.cancelled[data-session='"+gone+"'] a del")) == 1
	})
	if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
		t.Errorf("the page was loaded again (mark %v)", got)
	}
	wd.script("document.getElementById('s-" + gone + "').scrollIntoView()")
	png := wd.screenshot()
	for _, dir := range []string{t.TempDir(), os.Getenv("CONFCAL_E2E_SHOTS")} {
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, "live-changes.png"), png, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestHiddenPageWaitsInBrowser: a page out of sight (a tab in the
// background) lets go of the change stream, so it does not ask the server
// to draw it again at each change; it catches up once it is looked at.
func TestHiddenPageWaitsInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	id := seed.SessionIDs()[3]
	wd := startBrowser(t, chromium, driver)
	wd.navigate(ts.URL + "/")
	wd.waitFor(func() bool { return len(wd.find("#s-"+id+" h4 a")) == 1 })
	// The browser says the tab is in the background.
	wd.script("Object.defineProperty(document, 'hidden', {configurable: true, get: function () { return true; }}); document.dispatchEvent(new Event('visibilitychange'))")
	title := "Renamed While Out of Sight"
	if rec := hs.call(t, http.MethodPatch, "/api/sessions/"+id, adminToken, api.SessionPatch{Title: &title}, nil); rec.Code != http.StatusOK {
		t.Fatalf("PATCH /api/sessions/%s: %d %s", id, rec.Code, rec.Body)
	}
	shown := func() string {
		return wd.script("return document.querySelector('#s-" + id + " h4 a').textContent").(string)
	}
	time.Sleep(4 * time.Second) // longer than a visible page waits to ask
	if got := shown(); got == title {
		t.Fatal("a page out of sight was drawn again at a change")
	}
	wd.script("Object.defineProperty(document, 'hidden', {configurable: true, get: function () { return false; }}); document.dispatchEvent(new Event('visibilitychange'))")
	wd.waitFor(func() bool { return shown() == title })
}

// TestLiveRenameInBrowser renames sessions through the admin API while
// the agenda is open in headless Chromium: the texts that name them follow
// without the page being loaded again, the title links and the accessible
// names of their stars (the words a screen reader says for ☆ and ★), on
// a card and on a starred session's line in "My agenda"; and a screen
// reader is told, in the change log's words, which name the new title.
func TestLiveRenameInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	ids := seed.SessionIDs()
	starred, plain := ids[5], ids[9]
	wd := startBrowser(t, chromium, driver)
	wd.navigate(ts.URL + "/?pick=" + starred)
	wd.waitFor(func() bool { return len(wd.find("#my li.line[data-session='"+starred+"']")) == 1 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	card, line := "#s-"+starred, "#my li.line[data-session='"+starred+"']"
	old, _ := seed.Session(starred)
	if got, want := wd.label(wd.find(card + " button.star")[0]), "Remove “"+old.Title+"” from my agenda"; got != want {
		t.Fatalf("before the rename, the starred card's star reads %q, want %q", got, want)
	}

	rename := func(id, title string) {
		t.Helper()
		if rec := hs.call(t, http.MethodPatch, "/api/sessions/"+id, adminToken, api.SessionPatch{Title: &title}, nil); rec.Code != http.StatusOK {
			t.Fatalf("PATCH /api/sessions/%s: %d %s", id, rec.Code, rec.Body)
		}
	}
	// The label of one star, or "" while there is no such star.
	label := func(css string) string {
		if e := wd.find(css); len(e) == 1 {
			return wd.label(e[0])
		}
		return ""
	}
	var before api.ChangeList
	if rec := hs.call(t, http.MethodGet, "/api/changes", "", nil, &before); rec.Code != http.StatusOK {
		t.Fatalf("GET /api/changes: %d", rec.Code)
	}
	rename(starred, "A Starred Session, Renamed")
	rename(plain, "A Plain Session, Renamed")
	for _, c := range []struct{ star, title, want string }{
		{card + " button.star", card + " h4 a", "Remove “A Starred Session, Renamed” from my agenda"},
		{line + " button.star", line + " .when + a", "Remove “A Starred Session, Renamed” from my agenda"},
		{"#s-" + plain + " button.star", "#s-" + plain + " h4 a", "Add “A Plain Session, Renamed” to my agenda"},
	} {
		wd.waitFor(func() bool {
			e := wd.find(c.title)
			return len(e) == 1 && strings.Contains(c.want, "“"+wd.text(e[0])+"”")
		})
		var got string
		wd.reading(func() { got = label(c.star) })
		if got != c.want {
			t.Errorf("after a live rename, %s reads %q, want %q", c.star, got, c.want)
		}
	}
	var after api.ChangeList
	if rec := hs.call(t, http.MethodGet, fmt.Sprintf("/api/changes?since=%d", before.Revision), "", nil, &after); rec.Code != http.StatusOK || len(after.Summaries) != 2 {
		t.Fatalf("GET /api/changes?since=%d: %d, %d summaries", before.Revision, rec.Code, len(after.Summaries))
	}
	for _, s := range after.Summaries {
		if !strings.Contains(s.Text, ", Renamed") {
			t.Errorf("the change log's %q does not name the new title", s.Text)
		}
		waitAnnounced(wd, s.Text)
	}
	if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
		t.Errorf("the page was loaded again (mark %v)", got)
	}
}

// waitAnnounced waits for text to be one of the messages of the page's
// live regions (aria-live polite or assertive), which screen readers read
// out as they come.
func waitAnnounced(wd *webDriver, text string) {
	wd.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var got []string
		v, _ := wd.script(`return Array.from(document.querySelectorAll("[aria-live=polite] > *, [aria-live=assertive] > *")).map(e => e.textContent)`).([]any)
		for _, s := range v {
			got = append(got, fmt.Sprint(s))
		}
		if slices.Contains(got, text) {
			return
		}
		if time.Now().After(deadline) {
			wd.t.Fatalf("%q is not read out: the live regions say %q", text, got)
		}
	}
}

// TestLiveCancelInBrowser cancels and restores a starred session through
// the admin API while the agenda is open in headless Chromium: its card and
// its line in "My agenda" say "Cancelled" while it is, and stop saying so
// once it is restored, whether the script or the server wrote the word;
// both changes are read out to screen readers in the change log's words.
func TestLiveCancelInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	id := seed.SessionIDs()[7]
	// setStatus returns the change log's words for the change.
	setStatus := func(status string) string {
		t.Helper()
		if rec := hs.call(t, http.MethodPatch, "/api/sessions/"+id, adminToken, api.SessionPatch{Status: &status}, nil); rec.Code != http.StatusOK {
			t.Fatalf("PATCH /api/sessions/%s: %d %s", id, rec.Code, rec.Body)
		}
		var all, last api.ChangeList
		hs.call(t, http.MethodGet, "/api/changes", "", nil, &all)
		if rec := hs.call(t, http.MethodGet, fmt.Sprintf("/api/changes?since=%d", all.Revision-1), "", nil, &last); rec.Code != http.StatusOK || len(last.Summaries) != 1 {
			t.Fatalf("the change log of revision %d: %d, %d summaries", all.Revision, rec.Code, len(last.Summaries))
		}
		return last.Summaries[0].Text
	}
	// The session's card and its line in "My agenda".
	places := []string{"#s-" + id, "#my li.line[data-session='" + id + "']"}
	wd := startBrowser(t, chromium, driver)
	wd.navigate(ts.URL + "/?pick=" + id)
	wd.waitFor(func() bool { return len(wd.find(places[1])) == 1 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	said := func(el string) []string {
		var got []string
		for _, e := range wd.find(el + " p.status") {
			got = append(got, wd.text(e))
		}
		return got
	}

	words := setStatus("cancelled")
	waitAnnounced(wd, words)
	for _, el := range places {
		wd.waitFor(func() bool { return len(wd.find(el+".cancelled a del")) == 1 })
		if got := said(el); !slices.Equal(got, []string{"Cancelled"}) {
			t.Errorf("cancelled live, %s says %q, want [Cancelled]", el, got)
		}
	}
	if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
		t.Errorf("the page was loaded again (mark %v)", got)
	}

	// Loaded again, the server writes the word; restored live, it goes.
	wd.navigate(ts.URL + "/?pick=" + id)
	for _, el := range places {
		if got := said(el); !slices.Equal(got, []string{"Cancelled"}) {
			t.Fatalf("the server draws %s saying %q, want [Cancelled]", el, got)
		}
	}
	words = setStatus("confirmed")
	waitAnnounced(wd, words)
	for _, el := range places {
		wd.waitFor(func() bool {
			return len(wd.find(el)) == 1 && len(wd.find(el+".cancelled")) == 0 && len(wd.find(el+" a del")) == 0
		})
		if got := said(el); len(got) != 0 {
			t.Errorf("restored live, %s still says %q", el, got)
		}
	}
}

// needBrowser returns the paths of Chromium and chromedriver, skipping the
// test without them (failing it when CONFCAL_E2E_BROWSER=1 says they must
// be there, as in CI).
func needBrowser(t *testing.T) (chromium, driver string) {
	t.Helper()
	chromium, driver = browserPaths()
	if chromium == "" || driver == "" {
		msg := "headless browser test needs chromium and chromedriver on PATH (Debian packages chromium, chromium-driver)"
		if os.Getenv("CONFCAL_E2E_BROWSER") == "1" {
			t.Fatal(msg + "; CONFCAL_E2E_BROWSER=1 requires them")
		}
		t.Skip(msg)
	}
	return chromium, driver
}

// seedInBrowser serves the built-in agenda alone (pageServer) and starts
// the browser; it skips without one, as needBrowser does.
func seedInBrowser(t *testing.T) (*agenda.Snapshot, *httptest.Server, *webDriver) {
	t.Helper()
	chromium, driver := needBrowser(t)
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	ts := pageServer(t, snap, web.Config{})
	return snap, ts, startBrowser(t, chromium, driver)
}

// hostedSeed serves the built-in agenda as the default conference of a
// server of many (a Manager on a memstore registry), over HTTP.
func hostedSeed(t *testing.T) (*httptest.Server, *hosted, *agenda.Snapshot) {
	t.Helper()
	seed, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	def := agenda.Slug(seed.Conference().Name)
	srv, err := web.New(web.Config{BaseURL: base, Default: def, Token: adminToken})
	if err != nil {
		t.Fatal(err)
	}
	mgr := conferences.New(conferences.Config{Registry: memstore.NewRegistry(), Publisher: srv.Publisher, Withdraw: srv.Withdraw})
	if err := mgr.Open(t.Context(), func() (*agenda.Snapshot, error) { return seed, nil }); err != nil {
		t.Fatal(err)
	}
	hs := &hosted{srv: srv, mgr: mgr, h: srv.HandlerFor(mgr, nil), def: def}
	ts.Config.Handler = hs.h
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, hs, seed
}

// browserPaths finds Chromium and chromedriver on PATH.
func browserPaths() (chromium, driver string) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	driver, _ = exec.LookPath("chromedriver")
	return chromium, driver
}

// webDriver is a minimal W3C WebDriver client for one session.
type webDriver struct {
	t       *testing.T
	base    string // http://127.0.0.1:PORT/session/ID
	client  *http.Client
	elemKey string
}

// startBrowser starts chromedriver and a headless Chromium session with a
// 390×844 phone screen and a fresh profile; both end with the test.
func startBrowser(t *testing.T, chromium, driver string) *webDriver {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(driver, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromedriver: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("chromedriver output:\n%s", logs.String())
		}
	})
	wd := &webDriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: 60 * time.Second},
		elemKey: "element-6066-11e4-a52e-4f735466cecf"} // the W3C web element identifier
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := wd.client.Get(wd.base + "/status")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not come up: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chromium,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir(), "--hide-scrollbars"},
			"mobileEmulation": map[string]any{"deviceMetrics": map[string]any{"width": 390, "height": 844, "pixelRatio": 2, "touch": true}},
		},
	}}}
	var session struct {
		SessionID string `json:"sessionId"`
	}
	wd.call(http.MethodPost, "/session", caps, &session)
	if session.SessionID == "" {
		t.Fatal("chromedriver gave no session ID")
	}
	wd.base += "/session/" + session.SessionID
	t.Cleanup(func() { wd.call(http.MethodDelete, "", nil, nil) })
	return wd
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// call sends one WebDriver command and decodes its "value" into out.
func (wd *webDriver) call(method, path string, in, out any) {
	wd.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			wd.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	url := wd.base + path
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		wd.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := wd.client.Do(req)
	if err != nil {
		wd.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var resp struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(res.Body).Decode(&resp); err != nil {
		wd.t.Fatalf("webdriver %s %s: %d, undecodable answer: %v", method, path, res.StatusCode, err)
	}
	if res.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(resp.Value, &e) == nil && e.Error == "stale element reference" {
			// The page swapped the element for a new one (a live
			// change): waitFor asks again.
			panic(staleElement(path))
		}
		wd.t.Fatalf("webdriver %s %s: %d %.500s", method, path, res.StatusCode, resp.Value)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Value, out); err != nil {
			wd.t.Fatalf("webdriver %s %s: %v in %.300s", method, path, err, resp.Value)
		}
	}
}

func (wd *webDriver) navigate(u string) {
	wd.t.Helper()
	wd.call(http.MethodPost, "/url", map[string]string{"url": u}, nil)
}

// find returns the IDs of the elements matching a CSS selector.
func (wd *webDriver) find(css string) []string {
	wd.t.Helper()
	var elems []map[string]string
	wd.call(http.MethodPost, "/elements", map[string]string{"using": "css selector", "value": css}, &elems)
	ids := make([]string, len(elems))
	for i, e := range elems {
		ids[i] = e[wd.elemKey]
	}
	return ids
}

func (wd *webDriver) text(elem string) string {
	wd.t.Helper()
	var s string
	wd.call(http.MethodGet, "/element/"+elem+"/text", nil, &s)
	return s
}

func (wd *webDriver) attr(elem, name string) string {
	wd.t.Helper()
	var s string
	wd.call(http.MethodGet, "/element/"+elem+"/property/"+name, nil, &s)
	return s
}

// label returns the element's accessible name, as the browser computes
// it for assistive technology.
func (wd *webDriver) label(elem string) string {
	wd.t.Helper()
	var s string
	wd.call(http.MethodGet, "/element/"+elem+"/computedlabel", nil, &s)
	return s
}

func (wd *webDriver) click(elem string) {
	wd.t.Helper()
	wd.call(http.MethodPost, "/element/"+elem+"/click", map[string]any{}, nil)
}

// script runs JavaScript in the page and returns its result.
func (wd *webDriver) script(js string) any {
	wd.t.Helper()
	var v any
	wd.call(http.MethodPost, "/execute/sync", map[string]any{"script": js, "args": []any{}}, &v)
	return v
}

// staleElement is what a command on an element the page has replaced
// since it was found panics with.
type staleElement string

// stale runs f and reports whether it stopped at an element the page
// replaced meanwhile.
func stale(f func()) (was bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(staleElement); !ok {
				panic(r)
			}
			was = true
		}
	}()
	f()
	return false
}

// reading runs f, which reads the page, again while it meets an element
// the page replaced meanwhile (a live change redrew it), a few times.
func (wd *webDriver) reading(f func()) {
	wd.t.Helper()
	for try := 0; stale(f); try++ {
		if try == 20 {
			wd.t.Fatal("the page kept replacing what the test read")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor polls cond for up to ten seconds; a cond that read an element
// the page replaced meanwhile is asked again.
func (wd *webDriver) waitFor(cond func() bool) {
	wd.t.Helper()
	holds := func() (ok bool) {
		if stale(func() { ok = cond() }) {
			return false
		}
		return ok
	}
	for deadline := time.Now().Add(10 * time.Second); !holds(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			wd.t.Fatal("timed out waiting for the page")
		}
	}
}

// screenshot returns a PNG of the viewport.
func (wd *webDriver) screenshot() []byte {
	wd.t.Helper()
	var b64 string
	wd.call(http.MethodGet, "/screenshot", nil, &b64)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		wd.t.Fatal(err)
	}
	return png
}

// TestErrorPagesWithSavedPickInBrowser: a browser that remembers a pick
// and opens a page of the agenda that is an error (an unknown day,
// session, pick or short link) shows the error, after at most one
// redirect that adds the pick; it does not load the page over and over.
func TestErrorPagesWithSavedPickInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	snap, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	var pages atomic.Int64 // requests for pages (not static files or feeds)
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p := r.URL.Path; p == "/" || p == "/help" || strings.HasPrefix(p, "/sessions/") {
				pages.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
	ts := pageServer(t, snap, web.Config{Middleware: []func(http.Handler) http.Handler{count}})
	wd := startBrowser(t, chromium, driver)
	// A page that reloads itself never finishes loading: navigation
	// fails after this long instead of hanging the test.
	wd.call(http.MethodPost, "/timeouts", map[string]int{"pageLoad": 5000}, nil)
	wd.navigate(ts.URL + "/")
	wd.script("localStorage.setItem('confcal.pick', '" + snap.SessionIDs()[0] + "')")
	for _, u := range []string{"/?day=2020-01-01", "/?day=bogus", "/sessions/nope", "/?track=nope", "/?my=aaaaaaaaaaaaaaaa", "/?pick=nope"} {
		before := pages.Load()
		wd.navigate(ts.URL + u)
		time.Sleep(700 * time.Millisecond) // a page reloading itself would load it many times by now
		if n := pages.Load() - before; n > 2 {
			t.Errorf("%s with a saved pick: the page was loaded %d times", u, n)
		}
	}
}

// TestPickSurvivesSecondConferenceInBrowser: sessions starred on the
// default conference's page while it was the server's root (with this
// version, or kept by an earlier one under the root's key) are still
// starred on its page once "/" lists a second conference.
func TestPickSurvivesSecondConferenceInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	def := hs.def
	ids := seed.SessionIDs()
	starred := func(wd *webDriver) []string {
		var got []string
		for _, e := range wd.find("#my li.line a[href*='/sessions/']") {
			got = append(got, wd.attr(e, "href"))
		}
		return got
	}

	wd := startBrowser(t, chromium, driver)
	// Starred at the root, alone: one by this version's page, one as an
	// earlier version kept it (under the root's key, which a second
	// browser profile stands in for by clearing this one's first).
	wd.navigate(ts.URL + "/")
	wd.click(wd.find("#s-" + ids[2] + " button.star")[0])
	wd.waitFor(func() bool { return len(wd.find("#my li.line")) == 1 })
	if got := wd.script("return localStorage.getItem('confcal.pick/" + def + "')"); got != ids[2] {
		t.Fatalf("the pick is kept as %v, want %s under the conference's key", got, ids[2])
	}

	doc := strings.Replace(send(hs.h, http.MethodGet, "/schedule.xml", nil).Body.String(),
		"<title>"+seed.Conference().Name+"</title>", "<title>Second Conference</title>", 1)
	if rec := hs.call(t, http.MethodPost, "/api/conferences", adminToken, api.NewConference{Slug: "second", Document: doc}, nil); rec.Code != http.StatusCreated {
		t.Fatalf("adding the second conference: %d %s", rec.Code, rec.Body)
	}
	wd.navigate(ts.URL + "/")
	wd.click(wd.find("#c-" + def + " h2 a")[0])
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
	if got := starred(wd); len(got) != 1 || !strings.Contains(got[0], "/sessions/"+ids[2]+"?") {
		t.Errorf("after a second conference came, the default conference's page stars %q, want %s", got, ids[2])
	}

	// A pick an earlier version kept under the root's key moves to the
	// conference's key.
	wd.script("localStorage.clear(); localStorage.setItem('confcal.pick', '" + ids[4] + "')")
	wd.navigate(ts.URL + "/" + def + "/")
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 && len(wd.find("#my li.line")) > 0 })
	if got := starred(wd); len(got) != 1 || !strings.Contains(got[0], "/sessions/"+ids[4]+"?") {
		t.Errorf("with an earlier version's pick, the page stars %q, want %s", got, ids[4])
	}
	if old, now := wd.script("return localStorage.getItem('confcal.pick')"), wd.script("return localStorage.getItem('confcal.pick/"+def+"')"); old != nil || now != ids[4] {
		t.Errorf("after moving it: the root's key holds %v, the conference's %v; want nothing and %s", old, now, ids[4])
	}
}

// agendaLayout is how the open page lays the agenda out, in order: its
// day sections, room heads, time headings, card grids and cards (with
// their time, room and track), the notice that none match, and the times
// of the lines in "My agenda". The change log's marks are left out.
const agendaLayout = `return Array.from(document.querySelectorAll(
	"main > section.day > h2, main > section.day > .roomhead, main .slot > h3, main .slot > .cards, " +
	"main section.day article.card, main > p.none, #my li.line .when")).map(function (e) {
	var s = e.tagName + "#" + (e.id || e.parentNode.id) + "." + e.className + " ";
	if (e.tagName === "ARTICLE") {
		return s + e.querySelector("h4").textContent + " | " + e.querySelector(".meta").textContent;
	}
	return s + (e.classList.contains("cards") ? "" : e.textContent);
})`

// layout returns the open page's agendaLayout.
func layout(wd *webDriver) []string {
	wd.t.Helper()
	var out []string
	v, _ := wd.script(agendaLayout).([]any)
	for _, s := range v {
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// TestLiveMoveInBrowser moves sessions to other days and times through
// the admin API while the agenda is open in headless Chromium: without
// the page being loaded again, each card leaves its time and day for the
// ones it now starts at, where the server puts it: under a time heading
// made for it when there was none (at the top of a day, between two
// others), taking a room column the day did not have, and an emptied time
// heading goes. The page then lays the agenda out exactly as a reload of
// its address does, and so does a page filtered to one day, which a
// session moved away leaves and one moved to it joins.
func TestLiveMoveInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	move := func(id, start string) string {
		t.Helper()
		var before api.ChangeList
		hs.call(t, http.MethodGet, "/api/changes", "", nil, &before)
		p := api.SessionPatch{Start: &start, Force: true}
		if rec := hs.call(t, http.MethodPatch, "/api/sessions/"+id, adminToken, p, nil); rec.Code != http.StatusOK {
			t.Fatalf("PATCH /api/sessions/%s: %d %s", id, rec.Code, rec.Body)
		}
		var after api.ChangeList
		if rec := hs.call(t, http.MethodGet, fmt.Sprintf("/api/changes?since=%d", before.Revision), "", nil, &after); rec.Code != http.StatusOK || len(after.Summaries) != 1 {
			t.Fatalf("the change log of moving %s: %d, %+v", id, rec.Code, after.Summaries)
		}
		return after.Summaries[0].Text
	}
	// marked reports whether the session's card, in the day section it
	// should be in, at the time it should show, carries words.
	marked := func(wd *webDriver, id, day, when, words string) bool {
		card := "#d-" + day + " article.card#s-" + id
		w := wd.find(card + " .meta .when")
		if len(w) != 1 || wd.text(w[0]) != when {
			return false
		}
		for _, e := range wd.find(card + " ul.marks li") {
			if wd.text(e) == words {
				return true
			}
		}
		return false
	}
	same := func(wd *webDriver, u string) {
		t.Helper()
		if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
			t.Fatalf("the page was loaded again (mark %v)", got)
		}
		live := layout(wd)
		wd.navigate(u)
		if fresh := layout(wd); !slices.Equal(live, fresh) {
			i := 0
			for i < min(len(live), len(fresh)) && live[i] == fresh[i] {
				i++
			}
			t.Errorf("at %s, the agenda moved live is laid out (%d parts), from part %d:\n%s\nbut loaded again (%d parts):\n%s", u,
				len(live), i, strings.Join(live[i:min(len(live), i+5)], "\n"), len(fresh), strings.Join(fresh[i:min(len(fresh), i+5)], "\n"))
		}
	}
	for _, id := range []string{"welcome-session", "sql-developer-training-4", "moving-on-from-rocksdb-to-something-faster",
		"lunch-talk-how-to-contribute-to-apache-flink", "flinking-fast-and-slow"} {
		if _, ok := seed.Session(id); !ok {
			t.Fatalf("the seed has no session %s", id)
		}
	}

	wd := startBrowser(t, chromium, driver)
	u := ts.URL + "/?pick=welcome-session"
	wd.navigate(u)
	wd.waitFor(func() bool { return len(wd.find("#my li.line[data-session='welcome-session']")) == 1 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	before := layout(wd)
	if n := len(wd.find("#d-2019-10-08 .roomhead span")); n != 5 {
		t.Fatalf("Tuesday has %d room columns, want 5", n)
	}
	// Alone at 09:00 on Tuesday, to Wednesday's 12:00 next to others.
	words := move("welcome-session", "2019-10-09T12:00")
	wd.waitFor(func() bool { return marked(wd, "welcome-session", "2019-10-09", "12:00–12:10", words) })
	if n := len(wd.find("#t-2019-10-08-0900")); n != 0 {
		t.Errorf("Tuesday's emptied 09:00 heading stays")
	}
	if w := wd.find("#my li.line[data-session='welcome-session'] .when"); len(w) != 1 || wd.text(w[0]) != "Wed 9 Oct, 12:00–12:10" {
		t.Errorf("the moved session's line in My agenda does not say its new day and time")
	}
	waitAnnounced(wd, words)
	// From Monday to before anything on Tuesday.
	words = move("sql-developer-training-4", "2019-10-08T07:45")
	wd.waitFor(func() bool { return marked(wd, "sql-developer-training-4", "2019-10-08", "07:45–09:15", words) })
	if h := wd.find("#d-2019-10-08 .slot > h3"); len(h) == 0 || wd.text(h[0]) != "07:45" {
		t.Errorf("Tuesday's first time heading is not the new 07:45")
	}
	// From Tuesday's fifth room to Monday, which had four, between 11:45 and 14:15.
	words = move("moving-on-from-rocksdb-to-something-faster", "2019-10-07T12:30")
	wd.waitFor(func() bool {
		return marked(wd, "moving-on-from-rocksdb-to-something-faster", "2019-10-07", "12:30–13:10", words)
	})
	if n := len(wd.find("#d-2019-10-07 .roomhead span")); n != 5 {
		t.Errorf("Monday has %d room columns after a session in a fifth room came, want 5", n)
	}
	if slices.Equal(before, layout(wd)) {
		t.Fatal("the layout did not change")
	}
	same(wd, u)

	// Filtered to Tuesday: one session leaves it, another joins it.
	u = ts.URL + "/?day=2019-10-08&pick=welcome-session"
	wd.navigate(u)
	wd.waitFor(func() bool { return len(wd.find("#s-lunch-talk-how-to-contribute-to-apache-flink")) == 1 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	words = move("flinking-fast-and-slow", "2019-10-08T13:00")
	move("lunch-talk-how-to-contribute-to-apache-flink", "2019-10-09T13:00")
	wd.waitFor(func() bool {
		return marked(wd, "flinking-fast-and-slow", "2019-10-08", "13:00–13:20", words) &&
			len(wd.find("#s-lunch-talk-how-to-contribute-to-apache-flink")) == 0
	})
	if n := len(wd.find("main > section.day")); n != 1 {
		t.Errorf("filtered to Tuesday, the page shows %d days", n)
	}
	same(wd, u)
}

// TestLiveSessionPageInBrowser changes a session through the admin API
// while its page is open in headless Chromium: without the page being
// loaded again, its heading and the browser tab's title take its new
// title, When, Room and Track say where and when it is now, a cancellation
// strikes it through and says so, and each change is read out in the
// change log's words. The page then reads as a reload of it does.
func TestLiveSessionPageInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	id := "apache-flink-worst-practices"
	x, ok := seed.Session(id)
	if !ok {
		t.Fatalf("the seed has no session %s", id)
	}
	// patch returns the change log's words for the change.
	patch := func(p api.SessionPatch) []string {
		t.Helper()
		var before, after api.ChangeList
		hs.call(t, http.MethodGet, "/api/changes", "", nil, &before)
		if rec := hs.call(t, http.MethodPatch, "/api/sessions/"+id, adminToken, p, nil); rec.Code != http.StatusOK {
			t.Fatalf("PATCH /api/sessions/%s: %d %s", id, rec.Code, rec.Body)
		}
		hs.call(t, http.MethodGet, fmt.Sprintf("/api/changes?since=%d", before.Revision), "", nil, &after)
		var words []string
		for _, s := range after.Summaries {
			words = append(words, s.Text)
		}
		if len(words) == 0 {
			t.Fatalf("the change log has no words for %+v", p)
		}
		return words
	}
	// facts returns what the page says of the session: the tab's title,
	// the heading, When, Room and Track, whether it says it is cancelled.
	facts := func(wd *webDriver) string {
		v := wd.script(`var a = document.querySelector("article.session");
			return [document.title, a.querySelector("h1").textContent, a.className,
				Array.from(a.querySelectorAll("dl.facts dd")).slice(0, 3).map(function (e) { return e.textContent; }).join(" | "),
				Array.from(a.querySelectorAll("p.status, h1 del")).map(function (e) { return e.tagName + ":" + e.textContent; }).join(" ")].join(" ¶ ")`)
		return fmt.Sprint(v)
	}
	wd := startBrowser(t, chromium, driver)
	u := ts.URL + "/sessions/" + id + "?pick=" + id
	wd.navigate(u)
	wd.waitFor(func() bool { return len(wd.find("article.session h1")) == 1 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	if got := wd.text(wd.find("article.session h1")[0]); got != x.Title {
		t.Fatalf("the session's page is headed %q, want %q", got, x.Title)
	}

	title, track, room, start := "Flink Worst Practices, Revisited", "community", "room-3", "2019-10-09T15:10"
	var words []string
	words = append(words, patch(api.SessionPatch{Title: &title})...)
	words = append(words, patch(api.SessionPatch{Start: &start, Room: &room, Track: &track, Force: true})...)
	tr, _ := seed.Track(track)
	rm, _ := seed.Room(room)
	want := title + " — " + seed.Conference().Name + " ¶ " + title + " ¶ session t-" + track + " ¶ " +
		"Wednesday 9 October 2019, 15:10–15:50 | " + rm.Name + " | " + tr.Name + " ¶ "
	wd.waitFor(func() bool { return facts(wd) == want })
	for _, w := range words {
		waitAnnounced(wd, w)
	}
	var marks []string
	for _, e := range wd.find("article.session ul.marks li") {
		marks = append(marks, wd.text(e))
	}
	for _, w := range words {
		if !slices.Contains(marks, w) {
			t.Errorf("the session's page marks %q, lacking the change log's %q", marks, w)
		}
	}

	cancelled := "cancelled"
	words = patch(api.SessionPatch{Status: &cancelled})
	want = title + " — " + seed.Conference().Name + " ¶ " + title + " ¶ session t-" + track + " cancelled ¶ " +
		"Wednesday 9 October 2019, 15:10–15:50 | " + rm.Name + " | " + tr.Name + " ¶ DEL:" + title + " P:Cancelled"
	wd.waitFor(func() bool { return facts(wd) == want })
	waitAnnounced(wd, words[0])
	if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
		t.Fatalf("the page was loaded again (mark %v)", got)
	}
	live := facts(wd)
	wd.navigate(u)
	if fresh := facts(wd); fresh != live {
		t.Errorf("changed live, the session's page reads\n%s\nloaded again\n%s", live, fresh)
	}
}

// TestLiveRecentAndRoomsInBrowser changes the agenda through the admin
// API while it is open in headless Chromium: a session changed live joins
// "Changed in the last 24 hours" (made for it when there was none), in
// the server's order, and a room renamed live is renamed on the room
// filter's chip and in the heading of the page filtered to it; each page
// then reads as a reload of its address does.
func TestLiveRecentAndRoomsInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	ids := seed.SessionIDs()
	rename := func(id, title string) {
		t.Helper()
		if rec := hs.call(t, http.MethodPatch, "/api/sessions/"+id, adminToken, api.SessionPatch{Title: &title}, nil); rec.Code != http.StatusOK {
			t.Fatalf("PATCH /api/sessions/%s: %d %s", id, rec.Code, rec.Body)
		}
	}
	recent := func(wd *webDriver) []string {
		var got []string
		for _, e := range wd.find("#changes li.line a[href*='/sessions/']") {
			got = append(got, wd.text(e))
		}
		return got
	}
	// page returns what the page shows of the changes and rooms: the
	// heading, the room chips and the lines of recent changes.
	page := func(wd *webDriver) string {
		return fmt.Sprint(wd.script(`return [document.querySelector("main > h1").textContent,
			Array.from(document.querySelectorAll("nav.filters a.chip")).map(function (e) { return e.textContent + (e.classList.contains("on") ? "*" : ""); }).join(","),
			Array.from(document.querySelectorAll("#changes li.line")).map(function (e) { return e.dataset.session + " " + e.querySelector(".when").textContent; }).join(",")].join(" ¶ ")`))
	}
	same := func(wd *webDriver, u string) {
		t.Helper()
		if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
			t.Fatalf("the page was loaded again (mark %v)", got)
		}
		live := page(wd)
		wd.navigate(u)
		if fresh := page(wd); fresh != live {
			t.Errorf("changed live, %s reads\n%s\nloaded again\n%s", u, live, fresh)
		}
	}

	wd := startBrowser(t, chromium, driver)
	u := ts.URL + "/"
	wd.navigate(u)
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
	if n := len(wd.find("#changes")); n != 0 {
		t.Fatal("the agenda shows recent changes before any")
	}
	wd.script("window.confcalTestMark = 'not reloaded'")
	rename(ids[3], "First Renamed")
	wd.waitFor(func() bool { return slices.Equal(recent(wd), []string{"First Renamed"}) })
	rename(ids[20], "Second Renamed")
	wd.waitFor(func() bool {
		got := recent(wd)
		return len(got) == 2 && slices.Contains(got, "Second Renamed") && slices.Contains(got, "First Renamed")
	})
	if prev := wd.script(`return document.getElementById("changes").previousElementSibling.id`); prev != "my" {
		t.Errorf("the recent changes follow #%v, want #my", prev)
	}
	same(wd, u) // in the server's order

	rm := seed.Rooms()[1]
	u = ts.URL + "/?room=" + rm.ID
	wd.navigate(u)
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	name := "The Renamed Hall"
	if rec := hs.call(t, http.MethodPatch, "/api/rooms/"+rm.ID, adminToken, api.RoomPatch{Name: &name}, nil); rec.Code != http.StatusOK {
		t.Fatalf("PATCH /api/rooms/%s: %d %s", rm.ID, rec.Code, rec.Body)
	}
	wd.waitFor(func() bool {
		return strings.HasPrefix(page(wd), "Agenda: "+name+" ¶ ") && strings.Contains(page(wd), ",All rooms,"+seed.Rooms()[0].Name+","+name+"*,")
	})
	same(wd, u)
}

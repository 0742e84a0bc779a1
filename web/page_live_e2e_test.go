//go:build !race

package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/api"
)

// openLive serves the built-in agenda among many (hostedSeed) and opens
// its agenda in the browser, marked so that a reload shows: the mark
// (window.confcalTestMark) reads "not reloaded" until the page loads
// again.
func openLive(t *testing.T) (*httptest.Server, *hosted, *agenda.Snapshot, *webDriver) {
	t.Helper()
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	wd := startBrowser(t, chromium, driver)
	wd.navigate(ts.URL + "/")
	wd.waitFor(func() bool { return len(wd.find("section.day article.card")) > 0 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	return ts, hs, seed, wd
}

// TestLiveNewTrackInBrowser imports the agenda with a session in a track
// it lacked while the agenda is open in headless Chromium: without the
// page being loaded again, the new session's card takes the colour
// agenda.css gives its track, the page then links the one stylesheet
// made at the new revision, and the old sheet went only once the new one
// had loaded, so the cards were never without their colours.
func TestLiveNewTrackInBrowser(t *testing.T) {
	ts, hs, seed, wd := openLive(t)
	// Record whether the page was ever left without a loaded agenda.css
	// (a link whose sheet is still loading styles nothing).
	wd.script(`window.confcalUnstyled = false;
		new MutationObserver(function () {
			var loaded = Array.from(document.querySelectorAll('link[href*="/static/agenda.css"]')).some(function (l) { return l.sheet; });
			if (!loaded) { window.confcalUnstyled = true; }
		}).observe(document.head, {childList: true});`)
	sheets := func() []string {
		v, _ := wd.script(`return Array.from(document.querySelectorAll('link[rel=stylesheet][href*="/static/agenda.css"]')).map(function (l) { return l.getAttribute("href"); })`).([]any)
		var out []string
		for _, s := range v {
			out = append(out, fmt.Sprint(s))
		}
		return out
	}
	before := sheets()
	if len(before) != 1 {
		t.Fatalf("the page links agenda.css %d times: %q", len(before), before)
	}

	// The agenda as it is, and a session in a new track.
	c := seed.Contents()
	in := api.ImportOf(c)
	in.Tracks = append(in.Tracks, api.ImportTrack{ID: "live-demos", Name: "Live Demos", Color: "#C2185B"})
	x := c.Sessions[0]
	in.Sessions = append(in.Sessions, api.NewSession{ID: "a-live-demo", Title: "A Live Demo", Start: x.Start.Add(15 * time.Minute).Format(time.RFC3339),
		End: x.Start.Add(45 * time.Minute).Format(time.RFC3339), Room: x.Room, Track: "live-demos"})
	if rec := hs.call(t, http.MethodPost, "/api/import", adminToken, in, nil); rec.Code != http.StatusOK {
		t.Fatalf("POST /api/import: %d %s", rec.Code, rec.Body)
	}

	// The colour the server's stylesheet gives the new track and one of the
	// seed's, as the browser computes them.
	_, css := pageGet(t, ts.Client(), ts.URL+"/static/agenda.css")
	colour := func(track string) string {
		t.Helper()
		m := regexp.MustCompile(`\.t-` + regexp.QuoteMeta(track) + `\{--track:#([0-9A-Fa-f]{6});`).FindSubmatch(css)
		if m == nil {
			t.Fatalf("agenda.css gives track %s no colour:\n%s", track, css)
		}
		v, _ := strconv.ParseUint(string(m[1]), 16, 32)
		return fmt.Sprintf("rgb(%d, %d, %d)", v>>16, v>>8&0xff, v&0xff)
	}
	shown := func(css string) string {
		return fmt.Sprint(wd.script(`var e = document.querySelector("` + css + `"); return e ? getComputedStyle(e).borderLeftColor : ""`))
	}
	want := colour("live-demos")
	if def := "rgb(107, 114, 128)"; want == def {
		t.Fatalf("the new track's colour %s is page.css's default", want)
	}
	card := "article.card#s-a-live-demo"
	wd.waitFor(func() bool { return len(wd.find(card)) == 1 })
	wd.waitFor(func() bool { return shown(card) == want })
	if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
		t.Errorf("the page was loaded again (mark %v)", got)
	}
	after := sheets()
	if len(after) != 1 || after[0] == before[0] {
		t.Errorf("the page links agenda.css as %q, was %q: want the one sheet of the new revision", after, before)
	}
	if other := "article.card#s-" + x.ID; shown(other) != colour(x.Track) {
		t.Errorf("%s shows %s, want its track's %s", other, shown(other), colour(x.Track))
	}
	if got := wd.script("return window.confcalUnstyled"); got != false {
		t.Error("the page was left without its agenda.css while the new one loaded")
	}
}

// TestLiveCountsInBrowser moves a session into a track and adds one to
// it through the admin API while the agenda filtered to that track is
// open in headless Chromium: without the page being loaded again, the
// counts of sessions its subscribe block and its calendar show follow, the
// calendar the attendee opened stays open, its "Copy link" buttons stay
// shown, and the page then counts as a reload of its address does.
func TestLiveCountsInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	tr := seed.Tracks()[0]
	var other, slot string // a session of another track; one of tr, whose slot the new one takes
	for _, x := range seed.Sessions() {
		switch {
		case x.Track != tr.ID && other == "":
			other = x.ID
		case x.Track == tr.ID && slot == "":
			slot = x.ID
		}
	}
	n := seed.NumByTrack(tr.ID)
	if other == "" || slot == "" {
		t.Fatalf("the seed's track %s has %d sessions, the others none", tr.ID, n)
	}
	wd := startBrowser(t, chromium, driver)
	box := "#sub-track-" + tr.ID + "-box"
	// counts returns what the page counts of the track, in its subscribe
	// block and in its calendar, and whether that calendar is open.
	counts := func() string {
		return fmt.Sprint(wd.script(`var box = document.querySelector("` + box + `");
			return [document.querySelector("#subscribe h3").textContent,
				box ? box.querySelector("summary").textContent + (box.open ? " (open)" : "") : ""].join(" ¶ ")`))
	}
	// hidden counts the subscribe blocks' "Copy link" buttons left hidden.
	hidden := func() any {
		return wd.script(`return document.querySelectorAll("#subscribe button[data-copy][hidden], #calendars button[data-copy][hidden]").length`)
	}
	want := func(n int) string {
		return fmt.Sprintf("Track: %s (%d sessions) ¶ Track: %s (%d sessions) (open)", tr.Name, n, tr.Name, n)
	}
	u := ts.URL + "/?track=" + tr.ID
	wd.navigate(u)
	wd.waitFor(func() bool { return len(wd.find("section.day")) > 0 })
	wd.script("window.confcalTestMark = 'not reloaded'")
	wd.click(wd.find(box + " > summary")[0])
	if got := counts(); got != want(n) {
		t.Fatalf("before the changes, the page counts %q, want %q", got, want(n))
	}
	if h := hidden(); h != float64(0) {
		t.Fatalf("before the changes, %v copy buttons are hidden", h)
	}

	track := tr.ID
	if rec := hs.call(t, http.MethodPatch, "/api/sessions/"+other, adminToken, api.SessionPatch{Track: &track}, nil); rec.Code != http.StatusOK {
		t.Fatalf("PATCH /api/sessions/%s: %d %s", other, rec.Code, rec.Body)
	}
	wd.waitFor(func() bool { return counts() == want(n+1) })
	x, _ := seed.Session(slot)
	add := api.NewSession{Title: "One More Session", Start: x.Start.Format("2006-01-02T15:04"), End: x.End.Format("2006-01-02T15:04"),
		Room: x.Room, Track: tr.ID, Force: true}
	if rec := hs.call(t, http.MethodPost, "/api/sessions", adminToken, add, nil); rec.Code != http.StatusCreated {
		t.Fatalf("POST /api/sessions: %d %s", rec.Code, rec.Body)
	}
	wd.waitFor(func() bool { return counts() == want(n+2) })
	if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
		t.Fatalf("the page was loaded again (mark %v)", got)
	}
	if h := hidden(); h != float64(0) {
		t.Errorf("drawn again live, the subscribe blocks hide %v copy buttons", h)
	}
	live := strings.TrimSuffix(counts(), " (open)")
	wd.navigate(u)
	if fresh := counts(); fresh != live {
		t.Errorf("changed live, %s counts %q; loaded again, %q", u, live, fresh)
	}
}

// TestLiveNewDayInBrowser imports a version with a day more (a session on
// the day after the last) while the agenda is open in headless Chromium:
// without a reload, the page gets the new day's section, after the last
// one, with the session in it, and a chip for the day.
func TestLiveNewDayInBrowser(t *testing.T) {
	_, hs, seed, wd := openLive(t)

	c := seed.Contents()
	next := c.Conference.Last.AddDays(1)
	c.Conference.Last = next
	in := api.ImportOf(c)
	x := c.Sessions[len(c.Sessions)-1]
	in.Sessions = append(in.Sessions, api.NewSession{ID: "day-after-workshop", Title: "The Day After Workshop",
		Start: x.Start.AddDate(0, 0, 1).Format(time.RFC3339), End: x.End.AddDate(0, 0, 1).Format(time.RFC3339), Room: x.Room, Track: x.Track})
	if rec := hs.call(t, http.MethodPost, "/api/import", adminToken, in, nil); rec.Code != http.StatusOK {
		t.Fatalf("POST /api/import: %d %s", rec.Code, rec.Body)
	}

	day := "section.day#d-" + next.String()
	wd.waitFor(func() bool { return len(wd.find(day+" article.card#s-day-after-workshop")) == 1 })
	var order []string
	wd.reading(func() {
		v, _ := wd.script(`return Array.from(document.querySelectorAll("section.day")).map(function (s) { return s.id; })`).([]any)
		order = nil
		for _, id := range v {
			order = append(order, fmt.Sprint(id))
		}
	})
	if len(order) == 0 || order[len(order)-1] != "d-"+next.String() {
		t.Errorf("day sections %q, want the new day d-%s last", order, next)
	}
	wd.waitFor(func() bool {
		n, _ := wd.script(`return Array.from(document.querySelectorAll("a.chip")).filter(function (a) { return a.getAttribute("href").indexOf("day=` + next.String() + `") >= 0; }).length`).(float64)
		return n >= 1
	})
	if got := wd.script("return window.confcalTestMark"); got != "not reloaded" {
		t.Errorf("the page was loaded again (mark %v)", got)
	}
}

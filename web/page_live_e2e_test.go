//go:build !race

package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"confcal/api"
)

// TestLiveNewTrackInBrowser imports the agenda with a session in a track
// it lacked while the agenda is open in headless Chromium: without the
// page being loaded again, the new session's card takes the colour
// agenda.css gives its track, the page then links the one stylesheet
// made at the new revision, and the old sheet went only once the new one
// had loaded, so the cards were never without their colours.
func TestLiveNewTrackInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, hs, seed := hostedSeed(t)
	wd := startBrowser(t, chromium, driver)
	wd.navigate(ts.URL + "/")
	wd.waitFor(func() bool { return len(wd.find("section.day article.card")) > 0 })
	wd.script("window.confcalTestMark = 'not reloaded'")
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
	var in api.Import
	for _, tr := range c.Tracks {
		in.Tracks = append(in.Tracks, api.ImportTrack{ID: tr.ID, Name: tr.Name, Color: tr.Color})
	}
	in.Tracks = append(in.Tracks, api.ImportTrack{ID: "live-demos", Name: "Live Demos", Color: "#C2185B"})
	for _, r := range c.Rooms {
		in.Rooms = append(in.Rooms, api.ImportRoom{ID: r.ID, Name: r.Name})
	}
	for _, p := range c.Speakers {
		in.Speakers = append(in.Speakers, api.Speaker{ID: p.ID, Name: p.Name})
	}
	for _, x := range c.Sessions {
		in.Sessions = append(in.Sessions, api.NewSession{ID: x.ID, Title: x.Title, Start: x.Start.Format(time.RFC3339),
			End: x.End.Format(time.RFC3339), Room: x.Room, Track: x.Track, Abstract: x.Abstract, Speakers: x.Speakers, Number: x.Number})
	}
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

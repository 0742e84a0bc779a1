package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"confcal/seeds"
	"confcal/web"
)

// pageStar follows star, a star of the page doc, as a browser without
// JavaScript does: it submits the page's form (the button's form=) with
// the button's name and value, which must answer See Other, and returns
// where it sends the browser.
func pageStar(tb testing.TB, h http.Handler, doc, star *html.Node) string {
	tb.Helper()
	if star == nil || star.Data != "button" {
		tb.Fatalf("no star button")
	}
	form := pageFirst(doc, pageByID(pageAttr(star, "form")))
	if form == nil || form.Data != "form" || pageAttr(form, "method") != "get" {
		tb.Fatalf("the star's form %q is no GET form of the page", pageAttr(star, "form"))
	}
	v := url.Values{}
	for _, in := range pageAll(form, pageIsTag("input")) {
		v.Add(pageAttr(in, "name"), pageAttr(in, "value"))
	}
	v.Add(pageAttr(star, "name"), pageAttr(star, "value"))
	target := pageAttr(form, "action") + "?" + v.Encode()
	res, body := pageFetch(tb, h, target)
	if res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("GET %s: %d %.300s, want 303", target, res.StatusCode, body)
	}
	return res.Header.Get("Location")
}

// pageForm is a POST of the form v to target.
func pageForm(tb testing.TB, target string, v url.Values) *http.Request {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// pageOuter is n as the page's markup writes it.
func pageOuter(tb testing.TB, n *html.Node) string {
	tb.Helper()
	var b bytes.Buffer
	if err := html.Render(&b, n); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// A star costs the same few bytes whatever the pick: the pick is written
// once, in the form its stars submit, so the agenda of a pick of every
// session is the agenda without one plus a line per picked session (its
// line in "My agenda"), not a copy of the pick per star. A pick in the
// URL is also spelled out by the page's other links (each session's own
// page keeps it), so the strict bound is that of a stored pick, whose
// links carry its code.
func TestPageStarsCostNoMoreWithThePick(t *testing.T) {
	seed, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := pageHandler(t, seed, pageEditTime, web.Config{})
	ids := seed.SessionIDs()
	all := strings.Join(ids, ",")
	size := func(target string) int {
		t.Helper()
		res, body := pageFetch(t, h, target)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", target, res.StatusCode)
		}
		return len(body)
	}
	none := size("/")

	res, body := pageDo(t, h, pageForm(t, "/my", url.Values{"sessions": {all}}))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("storing the pick: %d %s", res.StatusCode, body)
	}
	stored := res.Header.Get("Location")
	// A line of "My agenda" is about 600 bytes; each copy of the pick
	// per star was 20 bytes a session, per session.
	const perPicked = 1200
	if grown := size(stored) - none; grown > perPicked*len(ids) {
		t.Errorf("the agenda of a stored pick of all %d sessions is %d bytes more than without a pick, %d a session; want at most %d",
			len(ids), grown, grown/len(ids), perPicked)
	}

	// With the pick in the URL, no star spells it out.
	doc := pageHTML(t, h, "/?pick="+all)
	stars := pageAll(doc, pageTagClass("button", "star"))
	if want := 2 * len(ids); len(stars) != want { // each card's, each line's in "My agenda"
		t.Fatalf("%d stars, want %d", len(stars), want)
	}
	for _, s := range stars {
		if b := pageOuter(t, s); len(b) > 400 {
			t.Fatalf("a star of a pick of %d sessions is %d bytes: %s", len(ids), len(b), b)
		}
	}
	var carried []string
	for _, in := range pageAll(pageFirst(doc, pageByID("stars")), pageIsTag("input")) {
		carried = append(carried, pageAttr(in, "name")+"="+pageAttr(in, "value"))
	}
	if want := []string{"pick=" + all}; !slices.Equal(carried, want) {
		t.Errorf("the stars' form carries %q, want %q", carried, want)
	}
}

// Following a star without JavaScript toggles that session alone, keeps
// the filters and the reminder, and lands at the session's card; a star
// in "My agenda" takes the session out and lands where the page starts,
// as the links of the stars did. Stars carry no pick of their own, so the
// page's form is what carries it, and a stored pick's code.
func TestPageStarWithoutScript(t *testing.T) {
	seed, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := pageHandler(t, seed, pageEditTime, web.Config{})
	ids := seed.SessionIDs()
	x, _ := seed.Session(ids[7])
	day := seed.Day(x).String()
	var onDay []string
	for _, y := range seed.ByDay(seed.Day(x)) {
		if y.Track == x.Track && y.ID != x.ID {
			onDay = append(onDay, y.ID)
		}
	}
	if len(onDay) < 2 {
		t.Fatalf("the seed has %d other sessions of %s on %s", len(onDay), x.Track, day)
	}
	picked := []string{onDay[0], onDay[1], ids[60]} // ids[60] is not on the page the filters show
	pick := func(doc *html.Node) []string {
		body := pageFirst(doc, pageIsTag("body"))
		if p := pageAttr(body, "data-pick"); p != "" {
			return strings.Split(p, ",")
		}
		return nil
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	filters := "day=" + day + "&track=" + x.Track + "&alarm=10m"
	start := "/?" + filters + "&pick=" + strings.Join(picked, ",")
	doc := pageHTML(t, h, start)

	// Starring from the card.
	loc := pageStar(t, h, doc, pageFirst(pageFirst(doc, pageByID("s-"+x.ID)), pageTagClass("button", "star")))
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	if u.Fragment != "s-"+x.ID || u.Path != "/" || u.Query().Get("day") != day || u.Query().Get("track") != x.Track || u.Query().Get("alarm") != "10m" {
		t.Errorf("the star of %s sends to %q, want the same filters and reminder, at #s-%s", x.ID, loc, x.ID)
	}
	doc = pageHTML(t, h, loc)
	if got, want := sorted(pick(doc)), sorted(append(slices.Clone(picked), x.ID)); !slices.Equal(got, want) {
		t.Errorf("after starring %s the pick is %q, want %q", x.ID, got, want)
	}
	if !pageHasClass(pageFirst(pageFirst(doc, pageByID("s-"+x.ID)), pageTagClass("button", "star")), "on") {
		t.Errorf("after starring %s its star is not on", x.ID)
	}

	// Un-starring from its card again.
	loc = pageStar(t, h, doc, pageFirst(pageFirst(doc, pageByID("s-"+x.ID)), pageTagClass("button", "star")))
	if got, want := sorted(pick(pageHTML(t, h, loc))), sorted(picked); !slices.Equal(got, want) {
		t.Errorf("after un-starring %s the pick is %q, want %q", x.ID, got, want)
	}

	// Un-starring from "My agenda": the line of a session the filters
	// leave out, which lands where the page starts.
	line := pageFirst(pageFirst(doc, pageByID("my")), func(n *html.Node) bool {
		return n.Data == "li" && pageAttr(n, "data-session") == ids[60]
	})
	loc = pageStar(t, h, doc, pageFirst(line, pageTagClass("button", "star")))
	u, _ = url.Parse(loc)
	if u.Fragment != "" || u.Query().Get("track") != x.Track {
		t.Errorf("the star of a line of my agenda sends to %q, want the filters, where the page starts", loc)
	}
	if got, want := sorted(pick(pageHTML(t, h, loc))), sorted([]string{onDay[0], onDay[1], x.ID}); !slices.Equal(got, want) {
		t.Errorf("after un-starring %s from my agenda the pick is %q, want %q", ids[60], got, want)
	}

	// From a stored pick the star's form carries its code, and the new
	// pick goes into the URL.
	res, body := pageDo(t, h, pageForm(t, "/my", url.Values{"sessions": {strings.Join(picked, ",")}}))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("storing the pick: %d %s", res.StatusCode, body)
	}
	doc = pageHTML(t, h, res.Header.Get("Location"))
	loc = pageStar(t, h, doc, pageFirst(pageFirst(doc, pageByID("s-"+x.ID)), pageTagClass("button", "star")))
	if u, _ := url.Parse(loc); u.Query().Has("my") || !slices.Equal(sorted(strings.Split(u.Query().Get("pick"), ",")), sorted(append(slices.Clone(picked), x.ID))) {
		t.Errorf("the star of %s from a stored pick sends to %q", x.ID, loc)
	}

	// Without a pick, the first star makes one.
	doc = pageHTML(t, h, "/")
	if loc := pageStar(t, h, doc, pageFirst(pageFirst(doc, pageByID("s-"+x.ID)), pageTagClass("button", "star"))); loc != "/?pick="+x.ID+"#s-"+x.ID {
		t.Errorf("the first star sends to %q, want /?pick=%s#s-%s", loc, x.ID, x.ID)
	}
}

// A star that names no session, an unknown one or several is refused
// with a message, not followed.
func TestPageBadStars(t *testing.T) {
	seed, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := pageHandler(t, seed, pageEditTime, web.Config{})
	id := seed.SessionIDs()[3]
	for target, want := range map[string]int{
		"/?toggle=":                           400,
		"/?toggle=" + id + "&toggle=" + id:    400,
		"/?toggle=" + id + "&unstar=" + id:    400,
		"/?toggle=no-such-session":            404,
		"/?unstar=no-such-session&pick=" + id: 404,
		"/?toggle=" + id + "&day=2000-01-01":  404,
		"/?toggle=" + id + "&my=zzzz":         404,
	} {
		res, body := pageFetch(t, h, target)
		if res.StatusCode != want || res.Header.Get("Location") != "" || !strings.Contains(body, "</html>") {
			t.Errorf("GET %s: %d (Location %q), want %d and an error page", target, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	// Un-starring a session the pick does not hold changes nothing.
	if res, _ := pageFetch(t, h, "/?pick="+id+"&unstar="+seed.SessionIDs()[4]); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?pick="+id {
		t.Errorf("un-starring a session not picked: %d to %q, want 303 to /?pick=%s", res.StatusCode, res.Header.Get("Location"), id)
	}
}

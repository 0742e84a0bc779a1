package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"golang.org/x/net/html"

	"confcal/agenda/agendatest"
	"confcal/page/qrtest"
	"confcal/web"
)

// The page's choice of reminder for "My agenda": links, one per lead
// time, that work without JavaScript and change the personal feed's
// subscribe links.

// pageReminders returns the reminder choices of a page by label, with
// the label of the one marked current.
func pageReminders(t *testing.T, doc *html.Node) (map[string]string, string) {
	t.Helper()
	nav := pageFirst(doc, pageByID("reminders"))
	if nav == nil {
		t.Fatal("no reminder choice on the page")
	}
	links, active := map[string]string{}, ""
	for _, a := range pageAll(nav, pageTagClass("a", "chip")) {
		links[pageText(a)] = pageAttr(a, "href")
		if pageAttr(a, "aria-current") == "true" {
			if active != "" {
				t.Errorf("two reminders marked current: %q and %q", active, pageText(a))
			}
			active = pageText(a)
		}
	}
	return links, active
}

func TestPageReminderChoice(t *testing.T) {
	snap := agendatest.Small(t)
	h := pageHandler(t, snap, pageEditTime, web.Config{})
	const pick = "/feeds/custom.ics?sessions=opening-keynote,late-talk"
	const name = "Test Conf 2019 — My agenda"
	doc := pageHTML(t, h, "/?pick=late-talk,opening-keynote")
	links, active := pageReminders(t, doc)
	if active != "None" {
		t.Errorf("reminder %q is current on a page that chose none", active)
	}
	pageCheckSub(t, pageFirst(doc, pageByID("sub-my")), pageTestBase, pick, name)
	for _, tt := range []struct {
		label, alarm, trigger string
		lead                  time.Duration
	}{
		{"At the start", "0m", "PT0S", 0},
		{"5 min before", "5m", "-PT5M", 5 * time.Minute},
		{"10 min before", "10m", "-PT10M", 10 * time.Minute},
		{"15 min before", "15m", "-PT15M", 15 * time.Minute},
		{"30 min before", "30m", "-PT30M", 30 * time.Minute},
		{"1 hour before", "1h", "-PT1H", time.Hour},
	} {
		t.Run(tt.alarm, func(t *testing.T) {
			href, ok := links[tt.label]
			if !ok {
				t.Fatalf("no reminder %q among %v", tt.label, links)
			}
			// Following the link is all it takes: no script, no form.
			doc := pageHTML(t, h, href)
			if _, active := pageReminders(t, doc); active != tt.label {
				t.Errorf("GET %s: reminder %q is current, want %q", href, active, tt.label)
			}
			sub := pageFirst(doc, pageByID("sub-my"))
			path := pick + "&alarm=" + tt.alarm
			pageCheckSub(t, sub, pageTestBase, path, name)
			// The QR code hands a phone the feed with its reminder.
			img := pageFirst(sub, pageTagClass("img", "qr"))
			res, svg := pageFetch(t, h, pageAttr(img, "src"))
			if got, err := qrtest.Decode([]byte(svg)); res.StatusCode != http.StatusOK || err != nil || got != pageTestBase+path {
				t.Errorf("the QR code decodes to %q (%v, %d), want %q", got, err, res.StatusCode, pageTestBase+path)
			}
			// What the subscribe link names carries the reminders.
			res, feed := pageFetch(t, h, path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, res.StatusCode, feed)
			}
			checkAlarms(t, path, snap, parse(t, []byte(feed)), tt.trigger, tt.lead)
			// The choice stays through the page: starring keeps it.
			loc := pageStar(t, h, doc, pageFirst(pageFirst(doc, pageByID("s-state-of-state")), pageTagClass("button", "star")))
			u, err := url.Parse(loc)
			if err != nil || u.Query().Get("alarm") != tt.alarm {
				t.Errorf("the star sends to %q, which drops the reminder", loc)
			}
			if _, active := pageReminders(t, pageHTML(t, h, loc)); active != tt.label {
				t.Errorf("after starring, reminder %q is current, want %q", active, tt.label)
			}
		})
	}
	// "None" takes the reminder away again.
	doc = pageHTML(t, h, links["10 min before"])
	links, _ = pageReminders(t, doc)
	doc = pageHTML(t, h, links["None"])
	if _, active := pageReminders(t, doc); active != "None" {
		t.Errorf("after choosing none, %q is current", active)
	}
	pageCheckSub(t, pageFirst(doc, pageByID("sub-my")), pageTestBase, pick, name)
}

func TestPageReminderOddAndBad(t *testing.T) {
	h := pageHandler(t, agendatest.Small(t), pageEditTime, web.Config{})
	// A lead time the page does not offer, from a link made by hand, is
	// shown among the choices, in order, and used.
	doc := pageHTML(t, h, "/?pick=late-talk&alarm=20m")
	links, active := pageReminders(t, doc)
	if active != "20 min before" || len(links) != 8 {
		t.Errorf("reminders %v, current %q; want the 20 minutes among the seven offered", links, active)
	}
	sub := pageFirst(doc, pageByID("sub-my"))
	pageCheckSub(t, sub, pageTestBase, "/feeds/custom.ics?sessions=late-talk&alarm=20m", "Test Conf 2019 — My agenda")
	for _, target := range []string{"/?pick=late-talk&alarm=soon", "/?alarm=25h", "/help?alarm=1h30m", "/sessions/late-talk?alarm=10m&alarm=5m"} {
		res, body := pageFetch(t, h, target)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not one this page offers") {
			t.Errorf("GET %s: %d, want 400 saying the reminder is not offered", target, res.StatusCode)
		}
	}
}

// TestPageReminderStoredAndPrefixed: a stored pick's feed link and one
// under a conference's prefix carry the reminder, and the short-link
// form keeps it through to the stored pick's page.
func TestPageReminderStoredAndPrefixed(t *testing.T) {
	snap := agendatest.Small(t)
	// A long host makes the pick's link long enough for the short-link form.
	const base = "https://a-rather-long-host-name-so-that-the-feed-link-is-long-enough.for-the-short-link-form.example.org"
	h := pageHandler(t, snap, pageEditTime, web.Config{BaseURL: base, Default: alarmSlug})
	doc := pageHTML(t, h, "/?pick=opening-keynote,streams-everywhere,state-of-state,late-talk,closing-keynote&alarm=15m")
	form := pageFirst(doc, pageTagClass("form", "shorten"))
	if form == nil {
		t.Fatal("no short-link form for a long link")
	}
	fields := url.Values{}
	for _, in := range pageAll(form, pageIsTag("input")) {
		fields.Set(pageAttr(in, "name"), pageAttr(in, "value"))
	}
	if fields.Get("alarm") != "15m" {
		t.Fatalf("the short-link form posts %v, without the reminder", fields)
	}
	rec := send(h, http.MethodPost, pageAttr(form, "action"), strings.NewReader(fields.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", base, "Sec-Fetch-Site", "same-origin")
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.Contains(loc, "&alarm=15m#my") {
		t.Fatalf("POST %s: %d to %q", pageAttr(form, "action"), rec.Code, loc)
	}
	code := strings.TrimPrefix(strings.SplitN(loc, "&", 2)[0], "/?my=")
	doc = pageHTML(t, h, loc)
	if _, active := pageReminders(t, doc); active != "15 min before" {
		t.Errorf("the stored pick's page has reminder %q current", active)
	}
	path := "/feeds/my/" + code + ".ics?alarm=15m"
	pageCheckSub(t, pageFirst(doc, pageByID("sub-my")), base, path, "Test Conf 2019 — My agenda")
	res, feed := pageFetch(t, h, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	checkAlarms(t, path, snap, parse(t, []byte(feed)), "-PT15M", 15*time.Minute)

	// Under the conference's prefix.
	doc = pageHTML(t, h, "/"+alarmSlug+"/?pick=late-talk&alarm=1h")
	links, active := pageReminders(t, doc)
	if active != "1 hour before" || !strings.HasPrefix(links["None"], "/"+alarmSlug+"/") {
		t.Errorf("under the prefix: current %q, links %v", active, links)
	}
	subscribe := pageFirst(pageFirst(doc, pageByID("sub-my")), func(n *html.Node) bool { return n.Data == "a" && pageText(n) == "Subscribe" })
	want := "webcal://" + strings.TrimPrefix(base, "https://") + "/" + alarmSlug + "/feeds/custom.ics?sessions=late-talk&alarm=1h"
	if got := pageAttr(subscribe, "href"); got != want {
		t.Errorf("under the prefix: Subscribe %q, want %q", got, want)
	}
	res, feed = pageFetch(t, h, strings.TrimPrefix(want, "webcal://"+strings.TrimPrefix(base, "https://")))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the prefixed feed: %d", res.StatusCode)
	}
	for _, ev := range parse(t, []byte(feed)).Events() {
		if a := alarmsOf(ev); len(a) != 1 || a[0].Props.Get(goical.PropTrigger).Value != "-PT1H" {
			t.Errorf("the prefixed feed's event has VALARMs %v", a)
		}
	}
}

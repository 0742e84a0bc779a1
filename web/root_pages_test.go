package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"confcal/page/qrtest"
)

// The default conference's pages at the root while "/" lists the
// conferences: what the root still serves of it (session pages, help, the
// pick form, error pages) leads to its own pages, as a browser follows the
// links, not to the list.

// landing is where a browser ends up following a link: the answer after
// any redirects, the URL it was at, and the page when it is HTML.
type landing struct {
	status int
	at     string // path and query of the last request
	title  string
	doc    *html.Node
}

// follow GETs target through h as a browser does, following redirects
// (the fragment stays with the browser and is kept across them).
func follow(t *testing.T, h http.Handler, target string) landing {
	t.Helper()
	target, _, _ = strings.Cut(target, "#")
	const hops = 5 // more than any chain the server makes
	for range hops {
		rec := send(h, http.MethodGet, target, nil)
		if loc := rec.Header().Get("Location"); rec.Code/100 == 3 && loc != "" {
			u, err := url.Parse(target)
			if err != nil {
				t.Fatalf("GET %s: %v", target, err)
			}
			next, err := u.Parse(loc)
			if err != nil {
				t.Fatalf("GET %s: redirect to %q: %v", target, loc, err)
			}
			target, _, _ = strings.Cut(next.RequestURI(), "#")
			continue
		}
		l := landing{status: rec.Code, at: target}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			doc, err := html.Parse(strings.NewReader(rec.Body.String()))
			if err != nil {
				t.Fatalf("GET %s: %v", target, err)
			}
			l.doc = doc
			if n := pageFirst(doc, pageIsTag("title")); n != nil {
				l.title = pageText(n)
			}
		}
		return l
	}
	t.Fatalf("GET %s: more than %d redirects", target, hops)
	return landing{}
}

// pageLinksOf returns the local links of a page that lead to pages of
// the attendee page (not feeds, images or styles), with the form's action,
// each with its fragment.
func pageLinksOf(doc *html.Node) []string {
	var out []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if (a.Key != "href" && a.Key != "action") || !strings.HasPrefix(a.Val, "/") {
				continue
			}
			if p, _, _ := strings.Cut(a.Val, "?"); strings.Contains(p, "/feeds/") || strings.Contains(p, "/static/") || strings.HasSuffix(p, "/qr.svg") {
				continue
			}
			out = append(out, a.Val)
		}
	}
	return out
}

// hasID reports whether doc has an element of that id.
func hasID(doc *html.Node, id string) bool { return pageFirst(doc, pageByID(id)) != nil }

func TestDefaultConferenceRootPagesAmongMany(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	name := agendaName(t, hs)

	pages := []struct {
		name   string
		target string
		status int
	}{
		{"session page", "/sessions/" + state, http.StatusOK},
		{"session page with a pick", "/sessions/" + state + "?pick=" + opening + "," + late + "&alarm=10m", http.StatusOK},
		{"help", "/help", http.StatusOK},
		{"help with a pick", "/help?pick=" + late, http.StatusOK},
		{"unknown session", "/sessions/no-such-session", http.StatusNotFound},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			from := follow(t, hs.h, tc.target)
			if from.status != tc.status || from.doc == nil {
				t.Fatalf("GET %s: %d, want %d and a page", tc.target, from.status, tc.status)
			}
			checkSubs(t, hs.h, tc.target, from.doc, tc.status == http.StatusOK)
			links := pageLinksOf(from.doc)
			if len(links) == 0 {
				t.Fatalf("GET %s: no links to pages", tc.target)
			}
			for _, link := range links {
				if p, _, _ := strings.Cut(link, "?"); p == "/my" || p == "/"+hs.def+"/my" {
					continue // the form posts; TestDefaultConferenceRootPickForm sends it
				}
				l := follow(t, hs.h, link)
				if l.status != http.StatusOK || !strings.Contains(l.title, name) {
					t.Errorf("%s links to %s, which is %d %q, not a page of %s", tc.target, link, l.status, l.title, name)
					continue
				}
				// The link's filters and pick are the page's it lands on.
				if _, q, _ := strings.Cut(strings.SplitN(link, "#", 2)[0], "?"); q != "" && !strings.HasSuffix(l.at, "?"+q) {
					t.Errorf("%s links to %s, which lands on %s without its query", tc.target, link, l.at)
				}
				if _, frag, ok := strings.Cut(link, "#"); ok && !hasID(l.doc, frag) {
					t.Errorf("%s links to %s, whose page has no #%s", tc.target, link, frag)
				}
			}
		})
	}
}

// checkSubs checks the subscribe blocks of the page at target (some when
// it is to have any): each
// block's feed answers with events, and its webcal link and QR code name
// that feed's URL.
func checkSubs(t *testing.T, h http.Handler, target string, doc *html.Node, some bool) {
	t.Helper()
	subs := pageAll(doc, pageTagClass("div", "sub"))
	if some != (len(subs) > 0) {
		t.Errorf("%s has %d subscribe blocks, want some: %v", target, len(subs), some)
	}
	for _, s := range subs {
		id := pageAttr(s, "id")
		btn := pageFirst(s, pageIsTag("button"))
		feed := pageAttr(btn, "data-copy")
		u, err := url.Parse(feed)
		if btn == nil || err != nil || !strings.HasPrefix(feed, baseURL+"/") {
			t.Errorf("%s #%s: feed URL %q is not on the server", target, id, feed)
			continue
		}
		if a := get(t, h, u.RequestURI()); a.status != http.StatusOK || len(parse(t, []byte(a.body)).Events()) == 0 {
			t.Errorf("%s #%s: feed %s: %d", target, id, feed, a.status)
		}
		webcal := "webcal://" + strings.TrimPrefix(feed, "https://")
		if w := pageFirst(s, func(n *html.Node) bool { return n.Data == "a" && pageAttr(n, "href") == webcal }); w == nil {
			t.Errorf("%s #%s: no webcal link %s", target, id, webcal)
		}
		img := pageFirst(s, pageTagClass("img", "qr"))
		if img == nil {
			t.Errorf("%s #%s: no QR code", target, id)
			continue
		}
		if got, err := qrtest.Decode([]byte(get(t, h, pageAttr(img, "src")).body)); err != nil || got != feed {
			t.Errorf("%s #%s: QR %s decodes to %q (%v), want %s", target, id, pageAttr(img, "src"), got, err, feed)
		}
	}
}

// TestDefaultConferenceRootPickForm posts the pick form of a session page
// at the root, as a browser does, and follows the redirect: the page shows
// the stored pick and its short feed, whose events are the pick's.
func TestDefaultConferenceRootPickForm(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	name := agendaName(t, hs)

	cases := []struct {
		name, form, alarm string
	}{
		{"no reminder", "sessions=" + opening + "," + late, ""},
		{"with a reminder", "sessions=" + opening + "," + late + "&alarm=10m", "10m"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := send(hs.h, http.MethodPost, "/my", strings.NewReader(tc.form), "Content-Type", "application/x-www-form-urlencoded",
				"Origin", baseURL, "Sec-Fetch-Site", "same-origin")
			loc := rec.Header().Get("Location")
			if rec.Code != http.StatusSeeOther || !strings.HasSuffix(loc, "#my") {
				t.Fatalf("POST /my: %d to %q %s", rec.Code, loc, rec.Body)
			}
			l := follow(t, hs.h, loc)
			if l.status != http.StatusOK || !strings.Contains(l.title, name) || !hasID(l.doc, "my") {
				t.Fatalf("POST /my sends to %s, which is %d %q without #my, not the agenda of %s", loc, l.status, l.title, name)
			}
			_, raw, _ := strings.Cut(l.at, "?")
			q, err := url.ParseQuery(raw)
			if err != nil || q.Get("my") == "" || q.Get("alarm") != tc.alarm {
				t.Fatalf("POST /my lands on %s: want the short code and alarm %q", l.at, tc.alarm)
			}
			my := pageFirst(l.doc, pageByID("my"))
			if n := len(pageAll(my, pageTagClass("li", "line"))); n != 2 {
				t.Errorf("%s: My agenda lists %d sessions, want 2", l.at, n)
			}
			feed := pageFirst(my, pageTagClass("a", "url"))
			if feed == nil || !strings.Contains(pageAttr(feed, "href"), "/feeds/my/"+q.Get("my")+".ics") {
				t.Fatalf("%s: the personal feed link is not the short one of %s", l.at, q.Get("my"))
			}
			u, err := url.Parse(pageAttr(feed, "href"))
			if err != nil {
				t.Fatal(err)
			}
			if got := uids(t, parse(t, []byte(get(t, hs.h, u.RequestURI()).body))); len(got) != 2 {
				t.Errorf("the short feed %s has %d events, want 2", u.RequestURI(), len(got))
			}
		})
	}
}

// TestDefaultConferenceRootPagesAlone checks that once the other
// conference is removed, the root pages link to "/" again, which is the
// default conference's page once more.
func TestDefaultConferenceRootPagesAlone(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	name := agendaName(t, hs)
	if rec := hs.call(t, http.MethodDelete, "/api/conferences/second-conf", adminToken, nil, nil); rec.Code != http.StatusOK {
		t.Fatalf("DELETE /api/conferences/second-conf: %d %s", rec.Code, rec.Body)
	}
	from := follow(t, hs.h, "/sessions/"+state)
	var home []string
	for _, link := range pageLinksOf(from.doc) {
		if p, _, _ := strings.Cut(strings.SplitN(link, "#", 2)[0], "?"); p == "/" {
			home = append(home, link)
		}
		if strings.HasPrefix(link, "/"+hs.def+"/") {
			t.Errorf("alone again, /sessions/%s links to %s under the slug", state, link)
		}
	}
	if len(home) == 0 {
		t.Fatalf("alone again, /sessions/%s has no link to /", state)
	}
	for _, link := range home {
		if l := follow(t, hs.h, link); l.status != http.StatusOK || !strings.Contains(l.title, name) {
			t.Errorf("alone again, %s is %d %q, not the agenda of %s", link, l.status, l.title, name)
		}
	}
	rec := send(hs.h, http.MethodPost, "/my", strings.NewReader("sessions="+late), "Content-Type", "application/x-www-form-urlencoded",
		"Origin", baseURL, "Sec-Fetch-Site", "same-origin")
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/?my=") {
		t.Errorf("alone again, POST /my sends to %q, want /?my=…", loc)
	}
}

// agendaName returns the default conference's name, as its pages' titles
// carry it.
func agendaName(t *testing.T, hs *hosted) string {
	t.Helper()
	l := follow(t, hs.h, "/"+hs.def+"/")
	name, ok := strings.CutSuffix(strings.TrimSpace(l.title), " — Agenda")
	if l.status != http.StatusOK || !ok {
		t.Fatalf("GET /%s/: %d %q", hs.def, l.status, l.title)
	}
	return name
}

// agendaView is what an agenda page shows, whatever its links' prefix:
// its heading, the sessions on it and those of My agenda.
type agendaView struct {
	title, heading string
	cards, mine    int
}

func viewOf(l landing) agendaView {
	v := agendaView{title: l.title}
	if h := pageFirst(l.doc, pageIsTag("h1")); h != nil {
		v.heading = pageText(h)
	}
	v.cards = len(pageAll(l.doc, pageTagClass("article", "card")))
	if my := pageFirst(l.doc, pageByID("my")); my != nil {
		v.mine = len(pageAll(my, pageTagClass("li", "line")))
	}
	return v
}

// TestDefaultConferenceRootAgendaURLs opens the default conference's
// agenda URLs of while it was alone (filters, picks, a short link) once
// another conference is served: each still shows the same agenda, now
// under the slug; "/" without them is the list; alone again, each is at
// "/" once more.
func TestDefaultConferenceRootAgendaURLs(t *testing.T) {
	hs := newHosted(t)
	rec := send(hs.h, http.MethodPost, "/my", strings.NewReader("sessions="+opening+","+late), "Content-Type", "application/x-www-form-urlencoded",
		"Origin", baseURL, "Sec-Fetch-Site", "same-origin")
	short := rec.Header().Get("Location")
	if !strings.HasPrefix(short, "/?my=") {
		t.Fatalf("POST /my alone: %d to %q", rec.Code, short)
	}
	urls := []string{
		"/?day=2019-10-08", "/?track=talks", "/?room=room-2#t-2019-10-08-1030", "/?pick=" + opening + "," + late + "#my",
		"/?day=2019-10-09&pick=" + late + "&alarm=1h#my", "/?pick=", "/?alarm=10m", short,
	}
	alone := map[string]agendaView{}
	for _, u := range urls {
		l := follow(t, hs.h, u)
		if l.status != http.StatusOK || l.at != strings.SplitN(u, "#", 2)[0] {
			t.Fatalf("alone, GET %s: %d at %s", u, l.status, l.at)
		}
		alone[u] = viewOf(l)
	}

	hs.add(t, "second-conf", "Second Conference")
	for _, u := range urls {
		l := follow(t, hs.h, u)
		_, q, _ := strings.Cut(strings.SplitN(u, "#", 2)[0], "?")
		if l.status != http.StatusOK || l.at != "/"+hs.def+"/?"+q {
			t.Errorf("GET %s: %d at %s, want the agenda at /%s/?%s", u, l.status, l.at, hs.def, q)
			continue
		}
		if got := viewOf(l); got != alone[u] {
			t.Errorf("GET %s shows %+v, want %+v as while alone", u, got, alone[u])
		}
		if _, frag, ok := strings.Cut(u, "#"); ok && !hasID(l.doc, frag) {
			t.Errorf("GET %s lands on a page without #%s", u, frag)
		}
	}
	for _, u := range []string{"/", "/?utm_source=newsletter"} {
		if l := follow(t, hs.h, u); l.status != http.StatusOK || l.at != u || l.title != "Conferences" {
			t.Errorf("GET %s: %d %q at %s, want the list of conferences", u, l.status, l.title, l.at)
		}
	}

	if rec := hs.call(t, http.MethodDelete, "/api/conferences/second-conf", adminToken, nil, nil); rec.Code != http.StatusOK {
		t.Fatalf("DELETE /api/conferences/second-conf: %d %s", rec.Code, rec.Body)
	}
	for _, u := range urls {
		l := follow(t, hs.h, u)
		if l.status != http.StatusOK || l.at != strings.SplitN(u, "#", 2)[0] || viewOf(l) != alone[u] {
			t.Errorf("alone again, GET %s: %d at %s showing %+v, want %+v", u, l.status, l.at, viewOf(l), alone[u])
		}
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/caldav"
	"confcal/conferences"
	"confcal/web"

	"github.com/go-chi/chi/v5"
)

// adminToken is the admin token of the servers of many conferences here.
const adminToken = "the-admin-token-of-this-test-server"

// hosted is a server of many conferences as serve runs it: a registry,
// the conferences.Manager publishing to the web server, and its routes.
type hosted struct {
	srv *web.Server
	mgr *conferences.Manager
	h   http.Handler
	def string // the default conference's slug
}

// newHosted starts a server whose registry holds agendatest.Small as the
// default conference.
func newHosted(t *testing.T) *hosted {
	t.Helper()
	reg := memstore.NewRegistry()
	seed := agendatest.Small(t)
	def := agenda.Slug(seed.Conference().Name)
	srv := newWeb(t, web.Config{Default: def, Token: adminToken})
	mgr := conferences.New(conferences.Config{Registry: reg, Publisher: srv.Publisher, Withdraw: srv.Withdraw})
	if err := mgr.Open(t.Context(), func() (*agenda.Snapshot, error) { return seed, nil }); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return &hosted{srv: srv, mgr: mgr, h: srv.HandlerFor(mgr, nil), def: def}
}

// call sends a JSON request with the bearer token (none when "") and
// decodes a 2xx answer into out.
func (hs *hosted) call(t *testing.T, method, target, token string, in, out any) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&b).Encode(in); err != nil {
			t.Fatal(err)
		}
	}
	hdr := []string{"Content-Type", "application/json"}
	if token != "" {
		hdr = append(hdr, "Authorization", "Bearer "+token)
	}
	rec := send(hs.h, method, target, &b, hdr...)
	if out != nil && rec.Code/100 == 2 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, target, err, rec.Body)
		}
	}
	return rec
}

// scheduleOf returns the default conference's schedule.xml renamed to
// name: the document a second conference is added from.
func (hs *hosted) scheduleOf(t *testing.T, name string) string {
	t.Helper()
	rec := send(hs.h, http.MethodGet, "/schedule.xml", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /schedule.xml: %d", rec.Code)
	}
	old := agendatest.Small(t).Conference().Name
	return strings.ReplaceAll(rec.Body.String(), "<title>"+old+"</title>", "<title>"+name+"</title>")
}

// add adds conference slug from the default one's schedule.
func (hs *hosted) add(t *testing.T, slug, name string) api.Conference {
	t.Helper()
	var c api.Conference
	rec := hs.call(t, http.MethodPost, "/api/conferences", adminToken, api.NewConference{Slug: slug, Document: hs.scheduleOf(t, name)}, &c)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /api/conferences %s: %d %s", slug, rec.Code, rec.Body)
	}
	return c
}

// ids lists the session IDs of conference slug, from its API.
func (hs *hosted) ids(t *testing.T, slug string) []string {
	t.Helper()
	var list api.SessionList
	if rec := hs.call(t, http.MethodGet, "/"+slug+"/api/sessions", "", nil, &list); rec.Code != http.StatusOK {
		t.Fatalf("GET /%s/api/sessions: %d", slug, rec.Code)
	}
	var ids []string
	for _, x := range list.Sessions {
		ids = append(ids, x.ID)
	}
	return ids
}

// snapshotOf records what a URL answers, to compare before and after.
type answer struct {
	status       int
	etag, body   string
	lastModified string
}

func get(t *testing.T, h http.Handler, target string) answer {
	t.Helper()
	rec := send(h, http.MethodGet, target, nil)
	return answer{status: rec.Code, etag: rec.Header().Get("ETag"), body: rec.Body.String(), lastModified: rec.Header().Get("Last-Modified")}
}

// defaultURLs are URLs of the default conference at the root.
var defaultURLs = []string{
	"/feeds/all.ics", "/feeds/tracks/talks.ics", "/feeds/rooms/room-1.ics", "/feeds/sessions/" + late + ".ics",
	"/feeds", "/feeds/changes.atom", "/api/sessions", "/api/changes", "/schedule.xml", "/schedule.json",
	"/dav/public/calendars/all/",
}

func TestSecondConference(t *testing.T) {
	hs := newHosted(t)
	before := map[string]answer{}
	for _, u := range defaultURLs {
		before[u] = get(t, hs.h, u)
		if before[u].status != http.StatusOK {
			t.Fatalf("GET %s: %d", u, before[u].status)
		}
	}
	single := get(t, hs.h, "/") // the default conference's page, while it is alone

	c := hs.add(t, "second-conf", "Second Conference")
	if c.Name != "Second Conference" || c.Page != baseURL+"/second-conf/" || c.Feed != baseURL+"/second-conf/feeds/all.ics" ||
		c.CalDAV != baseURL+"/second-conf/" || c.Sessions != 5 || c.Revision != 1 {
		t.Errorf("added conference = %+v", c)
	}

	// Its feeds carry its own URLs, and the events of its sessions.
	feed := get(t, hs.h, "/second-conf/feeds/all.ics")
	if feed.status != http.StatusOK {
		t.Fatalf("GET /second-conf/feeds/all.ics: %d %s", feed.status, feed.body)
	}
	cal := parse(t, []byte(feed.body))
	if got := len(cal.Events()); got != 5 {
		t.Errorf("second conference's feed has %d events, want 5", got)
	}
	for _, ev := range cal.Events() {
		if u := ev.Props.Get("URL").Value; !strings.HasPrefix(u, baseURL+"/second-conf/sessions/") {
			t.Errorf("event URL %s is not below the conference's URL", u)
		}
	}
	for _, u := range []string{"/second-conf/feeds/tracks/talks.ics", "/second-conf/feeds/days/2019-10-08.ics", "/second-conf/schedule.json",
		"/second-conf/api/sessions", "/second-conf/feeds/changes.atom", "/second-conf/help", "/second-conf/sessions/" + hs.ids(t, "second-conf")[0]} {
		if a := get(t, hs.h, u); a.status != http.StatusOK {
			t.Errorf("GET %s: %d %s", u, a.status, a.body)
		}
	}
	// The default conference answers under its slug too, with its bytes.
	if a := get(t, hs.h, "/"+hs.def+"/feeds/all.ics"); a.body != before["/feeds/all.ics"].body || a.etag != before["/feeds/all.ics"].etag {
		t.Errorf("/%s/feeds/all.ics differs from /feeds/all.ics", hs.def)
	}
	// Nothing of the default conference changed.
	for _, u := range defaultURLs {
		if a := get(t, hs.h, u); a != before[u] {
			t.Errorf("GET %s changed when a conference was added", u)
		}
	}

	// Its page links within the conference.
	page := get(t, hs.h, "/second-conf/")
	for _, want := range []string{`href="/second-conf/#my"`, `href="/second-conf/help"`, `href="/second-conf/sessions/` + hs.ids(t, "second-conf")[0] + `"`,
		`href="/second-conf/feeds/changes.atom"`, baseURL + `/second-conf/feeds/all.ics`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the second conference's page lacks %s", want)
		}
	}
	if strings.Contains(page.body, `href="/sessions/`) {
		t.Error("the second conference's page links to the default conference's sessions")
	}
	if rec := send(hs.h, http.MethodGet, "/second-conf", nil); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/second-conf/" {
		t.Errorf("GET /second-conf: %d to %q, want 301 to /second-conf/", rec.Code, rec.Header().Get("Location"))
	}

	// "/" lists both, the agenda page moving to the conference's URL.
	list := get(t, hs.h, "/")
	if list.body == single.body || !strings.Contains(list.body, `href="/second-conf/"`) || !strings.Contains(list.body, `href="/`+hs.def+`/"`) ||
		!strings.Contains(list.body, baseURL+"/second-conf/feeds/all.ics") {
		t.Errorf("/ does not list both conferences:\n%s", list.body)
	}

	// The API lists them.
	var confs api.ConferenceList
	if rec := hs.call(t, http.MethodGet, "/api/conferences", "", nil, &confs); rec.Code != http.StatusOK || len(confs.Conferences) != 2 ||
		!confs.Conferences[0].Default || confs.Conferences[1].Slug != "second-conf" {
		t.Errorf("GET /api/conferences: %d %+v", rec.Code, confs)
	}

	// Unknown conferences and root URLs that are no slug.
	for _, u := range []string{"/nowhere/feeds/all.ics", "/nowhere/", "/nowhere", "/dav/nowhere/calendars/"} {
		if a := get(t, hs.h, u); a.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", u, a.status)
		}
	}
}

// multistatus is the part of a WebDAV multistatus the tests read.
type multistatus struct {
	Responses []struct {
		Href     string `xml:"href"`
		Propstat []struct {
			Prop struct {
				Principal struct {
					Href string `xml:"href"`
				} `xml:"current-user-principal"`
				Home struct {
					Href string `xml:"href"`
				} `xml:"calendar-home-set"`
				CTag string `xml:"getctag"`
			} `xml:"prop"`
		} `xml:"propstat"`
	} `xml:"response"`
}

func propfind(t *testing.T, h http.Handler, target, depth, props string) multistatus {
	t.Helper()
	body := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>` + props + `</d:prop></d:propfind>`
	rec := send(h, "PROPFIND", target, strings.NewReader(body), "Depth", depth, "Content-Type", "application/xml")
	if rec.Code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND %s: %d %s", target, rec.Code, rec.Body)
	}
	var ms multistatus
	if err := xml.Unmarshal(rec.Body.Bytes(), &ms); err != nil {
		t.Fatalf("PROPFIND %s: %v", target, err)
	}
	return ms
}

func TestSecondConferenceCalDAV(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")

	// A client given the conference's URL alone finds its principal,
	// and from there its calendars.
	for _, u := range []string{"/second-conf/", "/second-conf"} {
		ms := propfind(t, hs.h, u, "0", "<d:current-user-principal/>")
		if len(ms.Responses) != 1 || ms.Responses[0].Propstat[0].Prop.Principal.Href != "/dav/second-conf/" {
			t.Errorf("PROPFIND %s: %+v, want current-user-principal /dav/second-conf/", u, ms)
		}
	}
	ms := propfind(t, hs.h, "/dav/second-conf/", "0", "<c:calendar-home-set/>")
	if home := ms.Responses[0].Propstat[0].Prop.Home.Href; home != "/dav/second-conf/calendars/" {
		t.Errorf("calendar-home-set = %q", home)
	}
	ms = propfind(t, hs.h, "/dav/second-conf/calendars/", "1", "<cs:getctag/>")
	if len(ms.Responses) < 3 {
		t.Fatalf("the second conference's home lists %d resources", len(ms.Responses))
	}
	for _, r := range ms.Responses {
		if !strings.HasPrefix(r.Href, "/dav/second-conf/calendars/") {
			t.Errorf("member %s is outside the conference's home", r.Href)
		}
	}
	// The server's root and /.well-known/caldav still lead to the default
	// conference's principal.
	if ms := propfind(t, hs.h, "/", "0", "<d:current-user-principal/>"); ms.Responses[0].Propstat[0].Prop.Principal.Href != "/dav/public/" {
		t.Errorf("PROPFIND /: principal %+v", ms.Responses[0].Propstat)
	}
	if rec := send(hs.h, "PROPFIND", "/.well-known/caldav", nil); rec.Header().Get("Location") != "/dav/public/" {
		t.Errorf("/.well-known/caldav redirects to %q", rec.Header().Get("Location"))
	}
	// The default conference is found from its page URL too.
	if ms := propfind(t, hs.h, "/"+hs.def+"/", "0", "<d:current-user-principal/>"); ms.Responses[0].Propstat[0].Prop.Principal.Href != "/dav/public/" {
		t.Errorf("PROPFIND /%s/: principal %+v", hs.def, ms.Responses[0].Propstat)
	}
}

func TestConferenceTokens(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	second := hs.ids(t, "second-conf")
	var tok api.Token
	if rec := hs.call(t, http.MethodPost, "/api/conferences/second-conf/tokens", adminToken, struct{}{}, &tok); rec.Code != http.StatusCreated ||
		tok.Conference != "second-conf" || !strings.HasPrefix(tok.Token, web.OrganizerTokenPrefix) {
		t.Fatalf("POST tokens: %d %+v", rec.Code, tok)
	}
	var other api.Token
	hs.call(t, http.MethodPost, "/api/conferences/"+hs.def+"/tokens", adminToken, struct{}{}, &other)

	cancel := map[string]string{"status": "cancelled"}
	tests := []struct {
		name, method, target, token string
		body                        any
		want                        int
	}{
		{"own conference", http.MethodPatch, "/second-conf/api/sessions/" + second[0], tok.Token, cancel, http.StatusOK},
		{"admin token anywhere", http.MethodPatch, "/second-conf/api/sessions/" + second[1], adminToken, cancel, http.StatusOK},
		{"other conference at the root", http.MethodPatch, "/api/sessions/" + late, tok.Token, cancel, http.StatusForbidden},
		{"other conference by slug", http.MethodPatch, "/" + hs.def + "/api/sessions/" + late, tok.Token, cancel, http.StatusForbidden},
		{"the default's token elsewhere", http.MethodPost, "/second-conf/api/rooms", other.Token, map[string]string{"id": "r9", "name": "R9"}, http.StatusForbidden},
		{"the default's token at home", http.MethodPatch, "/api/sessions/" + streams, other.Token, cancel, http.StatusOK},
		{"organizer adds a conference", http.MethodPost, "/api/conferences", tok.Token, api.NewConference{Slug: "third", Document: "x"}, http.StatusForbidden},
		{"organizer makes tokens", http.MethodPost, "/api/conferences/second-conf/tokens", tok.Token, struct{}{}, http.StatusForbidden},
		{"organizer removes", http.MethodDelete, "/api/conferences/second-conf", tok.Token, nil, http.StatusForbidden},
		{"no token", http.MethodPatch, "/second-conf/api/sessions/" + late, "", cancel, http.StatusUnauthorized},
		{"wrong token", http.MethodPatch, "/second-conf/api/sessions/" + late, "cct_guess", cancel, http.StatusUnauthorized},
		{"no token to add", http.MethodPost, "/api/conferences", "", api.NewConference{Slug: "third"}, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if rec := hs.call(t, tc.method, tc.target, tc.token, tc.body, nil); rec.Code != tc.want {
				t.Errorf("%s %s: %d %s, want %d", tc.method, tc.target, rec.Code, rec.Body, tc.want)
			}
		})
	}
	// The refused writes changed nothing: the default conference is at
	// the revision its own token made.
	if c, _ := hs.mgr.Default(); c.Service.Current().Revision() != 2 {
		t.Errorf("default conference at revision %d, want 2", c.Service.Current().Revision())
	}
}

func TestConferenceIsolation(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	before := map[string]answer{}
	for _, u := range defaultURLs {
		before[u] = get(t, hs.h, u)
	}
	ctag := func(home string) string {
		ms := propfind(t, hs.h, home+"all/", "0", "<cs:getctag/>")
		return ms.Responses[0].Propstat[0].Prop.CTag
	}
	defCTag, secondCTag := ctag("/dav/public/calendars/"), ctag("/dav/second-conf/calendars/")
	secondFeed := get(t, hs.h, "/second-conf/feeds/all.ics")

	if rec := hs.call(t, http.MethodPatch, "/second-conf/api/sessions/"+hs.ids(t, "second-conf")[0], adminToken, map[string]string{"title": "Renamed"}, nil); rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	for _, u := range defaultURLs {
		if a := get(t, hs.h, u); a != before[u] {
			t.Errorf("GET %s changed with an edit of another conference", u)
		}
	}
	if got := ctag("/dav/public/calendars/"); got != defCTag {
		t.Errorf("default ctag %s → %s", defCTag, got)
	}
	if got := ctag("/dav/second-conf/calendars/"); got == secondCTag {
		t.Error("the edited conference's ctag did not change")
	}
	if a := get(t, hs.h, "/second-conf/feeds/all.ics"); a.etag == secondFeed.etag {
		t.Error("the edited conference's feed did not change")
	}
}

func TestConferenceLifecycle(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	doc := hs.scheduleOf(t, "Third")

	bad := []struct {
		name string
		in   api.NewConference
		want int
		says string
	}{
		{"reserved slug", api.NewConference{Slug: "api", Document: doc}, http.StatusUnprocessableEntity, "URL of the server"},
		{"not a slug", api.NewConference{Slug: "Bad Slug", Document: doc}, http.StatusUnprocessableEntity, "not a slug"},
		{"slug in use", api.NewConference{Slug: "second-conf", Document: doc}, http.StatusConflict, "second-conf"},
		{"no schedule", api.NewConference{Slug: "third"}, http.StatusUnprocessableEntity, "needs its schedule"},
		{"both", api.NewConference{Slug: "third", Document: doc, Source: "https://example.org/s.xml"}, http.StatusUnprocessableEntity, "not both"},
		{"a file", api.NewConference{Slug: "third", Source: "/etc/passwd"}, http.StatusUnprocessableEntity, "not an http(s) URL"},
		{"broken document", api.NewConference{Slug: "third", Document: "<schedule><conference>"}, http.StatusUnprocessableEntity, "reading the schedule"},
		{"bad follow", api.NewConference{Slug: "third", Document: doc, Follow: "1s"}, http.StatusUnprocessableEntity, "follow"},
		{"bad zone", api.NewConference{Slug: "third", Document: doc, TimeZone: "Mars/Olympus"}, http.StatusUnprocessableEntity, "time zone"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			rec := hs.call(t, http.MethodPost, "/api/conferences", adminToken, tc.in, nil)
			if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.says) {
				t.Errorf("%d %s, want %d saying %q", rec.Code, rec.Body, tc.want, tc.says)
			}
		})
	}
	if a := get(t, hs.h, "/third/feeds/all.ics"); a.status != http.StatusNotFound {
		t.Errorf("a refused conference is served: %d", a.status)
	}

	steps := []struct {
		method, target string
		want           int
		feed           int    // status of /second-conf/feeds/all.ics afterwards
		state          string // second-conf in GET /api/conferences?removed=1: "served", "removed" or "" (not listed)
	}{
		{http.MethodDelete, "/api/conferences/second-conf?purge=1", http.StatusConflict, http.StatusOK, "served"}, // not removed yet
		{http.MethodDelete, "/api/conferences/" + hs.def, http.StatusConflict, http.StatusOK, "served"},           // the default one
		{http.MethodDelete, "/api/conferences/nowhere", http.StatusNotFound, http.StatusOK, "served"},
		{http.MethodDelete, "/api/conferences/second-conf?purge=maybe", http.StatusBadRequest, http.StatusOK, "served"},
		{http.MethodDelete, "/api/conferences/second-conf", http.StatusOK, http.StatusNotFound, "removed"},
		{http.MethodDelete, "/api/conferences/second-conf", http.StatusConflict, http.StatusNotFound, "removed"}, // removed already
		{http.MethodPost, "/api/conferences/second-conf/tokens", http.StatusConflict, http.StatusNotFound, "removed"},
		{http.MethodPost, "/api/conferences/second-conf/restore", http.StatusOK, http.StatusOK, "served"},
		{http.MethodPost, "/api/conferences/second-conf/restore", http.StatusConflict, http.StatusOK, "served"},
		{http.MethodDelete, "/api/conferences/second-conf", http.StatusOK, http.StatusNotFound, "removed"},
		{http.MethodDelete, "/api/conferences/second-conf?purge=1", http.StatusOK, http.StatusNotFound, ""},
		{http.MethodPost, "/api/conferences/second-conf/restore", http.StatusNotFound, http.StatusNotFound, ""}, // purged
	}
	for _, st := range steps {
		rec := hs.call(t, st.method, st.target, adminToken, nil, nil)
		if rec.Code != st.want {
			t.Errorf("%s %s: %d %s, want %d", st.method, st.target, rec.Code, rec.Body, st.want)
		}
		if a := get(t, hs.h, "/second-conf/feeds/all.ics"); a.status != st.feed {
			t.Errorf("after %s %s: the feed answers %d, want %d", st.method, st.target, a.status, st.feed)
		}
		// The list names what is served; with ?removed=1, what is
		// removed too, with its name and when.
		for _, target := range []string{"/api/conferences", "/api/conferences?removed=1"} {
			var list api.ConferenceList
			hs.call(t, http.MethodGet, target, adminToken, nil, &list)
			i := slices.IndexFunc(list.Conferences, func(c api.Conference) bool { return c.Slug == "second-conf" })
			got := ""
			switch {
			case i >= 0 && list.Conferences[i].Removed == "":
				got = "served"
			case i >= 0 && list.Conferences[i].Name == "Second Conference":
				got = "removed"
			case i >= 0:
				got = "removed, without its name"
			}
			want := st.state
			if target == "/api/conferences" && want == "removed" {
				want = ""
			}
			if got != want {
				t.Errorf("after %s %s: GET %s lists second-conf as %q, want %q", st.method, st.target, target, got, want)
			}
		}
	}
	// Purged, the slug is free again.
	hs.add(t, "second-conf", "Second Conference, again")
	if a := get(t, hs.h, "/"); strings.Contains(a.body, "Second Conference</a>") || !strings.Contains(a.body, "Second Conference, again") {
		t.Error("the conference list does not show the new conference under the freed slug")
	}
}

func TestConferencePicks(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	ids := hs.ids(t, "second-conf")
	form := strings.NewReader("sessions=" + strings.Join(ids[:3], ","))
	rec := send(hs.h, http.MethodPost, "/second-conf/my", form, "Content-Type", "application/x-www-form-urlencoded",
		"Origin", baseURL, "Sec-Fetch-Site", "same-origin")
	loc := rec.Header().Get("Location")
	code, ok := strings.CutPrefix(loc, "/second-conf/?my=")
	if rec.Code != http.StatusSeeOther || !ok {
		t.Fatalf("POST /second-conf/my: %d to %q %s", rec.Code, loc, rec.Body)
	}
	code = strings.TrimSuffix(code, "#my")
	feed := get(t, hs.h, "/second-conf/feeds/my/"+code+".ics")
	if feed.status != http.StatusOK || len(parse(t, []byte(feed.body)).Events()) != 3 {
		t.Errorf("the stored pick: %d\n%s", feed.status, feed.body)
	}
	// A conference's picks are its own.
	if a := get(t, hs.h, "/feeds/my/"+code+".ics"); a.status != http.StatusNotFound {
		t.Errorf("the pick of another conference at the root: %d", a.status)
	}
	// Its QR codes encode its own feed URLs.
	if a := get(t, hs.h, "/second-conf/qr.svg?feed=/feeds/all.ics"); a.status != http.StatusOK || !strings.HasPrefix(a.body, "<svg") {
		t.Errorf("GET /second-conf/qr.svg: %d", a.status)
	}
}

// TestReservedCoversRoutes checks that every root URL's first segment that
// could spell a slug is reserved: a conference of that slug would be
// shadowed by it.
func TestReservedCoversRoutes(t *testing.T) {
	hs := newHosted(t)
	h := hs.srv.HandlerFor(hs.mgr, map[string]http.Handler{"/healthz": http.NotFoundHandler(), "/readyz": http.NotFoundHandler(), "/metrics": http.NotFoundHandler()})
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("the handler is a %T, not a chi router", h)
	}
	seen := 0
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		seg, _, _ := strings.Cut(strings.TrimPrefix(route, "/"), "/")
		if strings.HasPrefix(seg, "{") || !agenda.ValidID(seg) {
			return nil
		}
		seen++
		if !web.Reserved(seg) {
			t.Errorf("%s %s: %q could be a conference's slug; reserve it", method, route, seg)
		}
		return nil
	})
	if err != nil || seen == 0 {
		t.Fatalf("walking the routes: %v, %d checked", err, seen)
	}
	// The default conference's CalDAV principal is no root route, but a
	// conference of that slug would have the same principal; agenda,
	// which cannot import caldav, spells it out.
	if !web.Reserved(caldav.DefaultPrincipal) {
		t.Errorf("the default principal %q could be a conference's slug; reserve it", caldav.DefaultPrincipal)
	}
}

// TestScheduleBodyLimit: a schedule of megabytes may be sent to the routes
// that take one, and nowhere else.
func TestScheduleBodyLimit(t *testing.T) {
	hs := newHosted(t)
	big := strings.Repeat(" ", 2<<20) // JSON allows the blanks
	tests := []struct {
		method, target string
		want           int
	}{
		// Read in full: refused for what it holds, not for its size.
		{http.MethodPost, "/api/conferences", http.StatusBadRequest},
		{http.MethodPost, "/api/import", http.StatusBadRequest},
		{http.MethodPatch, "/api/sessions/" + late, http.StatusRequestEntityTooLarge},
		{http.MethodPost, "/api/rooms", http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		rec := send(hs.h, tc.method, tc.target, strings.NewReader(big), "Authorization", "Bearer "+adminToken, "Content-Type", "application/json")
		if rec.Code != tc.want {
			t.Errorf("%s %s with 2 MiB: %d %s, want %d", tc.method, tc.target, rec.Code, rec.Body, tc.want)
		}
	}
}

// TestSecondConferenceDiscovery replays the discovery requests of real
// clients (the bodies caldav's tests replay, ../caldav/testdata/clients,
// each naming its source) on a conference's URL alone, and follows the
// answers to its calendars as the clients do.
func TestSecondConferenceDiscovery(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	replay := func(t *testing.T, file, target, depth string) multistatus {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "caldav", "testdata", "clients", file))
		if err != nil {
			t.Fatal(err)
		}
		rec := send(hs.h, "PROPFIND", target, bytes.NewReader(b), "Depth", depth, "Content-Type", "text/xml; charset=utf-8")
		if rec.Code != http.StatusMultiStatus {
			t.Fatalf("%s on %s: %d %s", file, target, rec.Code, rec.Body)
		}
		var ms multistatus
		if err := xml.Unmarshal(rec.Body.Bytes(), &ms); err != nil {
			t.Fatalf("%s on %s: %v", file, target, err)
		}
		return ms
	}
	for _, client := range []string{"davx5-detect-url.xml", "ios-bootstrap.xml", "thunderbird-detect-collection.xml", "evolution-find-principal.xml"} {
		t.Run(client, func(t *testing.T) {
			ms := replay(t, client, "/second-conf/", "0")
			if len(ms.Responses) != 1 || ms.Responses[0].Href != "/second-conf/" {
				t.Fatalf("answered %+v, want the conference's URL alone", ms.Responses)
			}
			var principal string
			for _, ps := range ms.Responses[0].Propstat {
				principal += ps.Prop.Principal.Href
			}
			if principal != "/dav/second-conf/" {
				t.Fatalf("current-user-principal %q, want /dav/second-conf/", principal)
			}
		})
	}
	// From the principal to the calendar home, as iOS and DAVx5 go on.
	var home string
	for _, ps := range replay(t, "ios-principal.xml", "/dav/second-conf/", "0").Responses[0].Propstat {
		home += ps.Prop.Home.Href
	}
	if home != "/dav/second-conf/calendars/" {
		t.Fatalf("calendar-home-set %q", home)
	}
	ms := replay(t, "davx5-homeset-members.xml", home, "1")
	if len(ms.Responses) < 4 {
		t.Fatalf("the home lists %d resources", len(ms.Responses))
	}
	for _, r := range ms.Responses {
		if !strings.HasPrefix(r.Href, home) {
			t.Errorf("%s is outside the conference's home", r.Href)
		}
	}
}

// TestFavicon: the browser's request for /favicon.ico, which every page
// causes, is answered No Content and kept for a day, not 404 (which each
// page's console reports), whatever conferences there are.
func TestFavicon(t *testing.T) {
	hs := newHosted(t)
	hs.add(t, "second-conf", "Second Conference")
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := send(hs.h, method, "/favicon.ico", nil)
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 || rec.Header().Get("Cache-Control") != "public, max-age=86400" {
			t.Errorf("%s /favicon.ico: %d, %d bytes, Cache-Control %q; want 204, nothing, kept a day", method, rec.Code, rec.Body.Len(), rec.Header().Get("Cache-Control"))
		}
	}
}

// TestConferenceListForAnyone: GET /api/conferences is public, but what
// is the admin's stays the admin's: removed conferences need the admin
// token (401 without one, 403 for an organizer's, 401 for a wrong one),
// and a source in one of the server's files is named by its file name
// alone, in the poll's error too, to anyone but the admin.
func TestConferenceListForAnyone(t *testing.T) {
	reg := memstore.NewRegistry()
	seed := agendatest.Small(t)
	def := agenda.Slug(seed.Conference().Name)
	const file = "/nonexistent/schedules/program.xml"
	if err := reg.AddConference(t.Context(), agenda.Listing{Slug: def, Source: agenda.Source{Location: file, Follow: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	srv := newWeb(t, web.Config{Default: def, Token: adminToken})
	mgr := conferences.New(conferences.Config{Registry: reg, Publisher: srv.Publisher, Withdraw: srv.Withdraw})
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	if err := mgr.Open(ctx, func() (*agenda.Snapshot, error) { return seed, nil }); err != nil {
		t.Fatalf("Open: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); mgr.LastPoll(def) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the source was not polled")
		}
	}
	hs := &hosted{srv: srv, mgr: mgr, h: srv.HandlerFor(mgr, nil), def: def}
	hs.add(t, "second-conf", "Second Conference")
	if rec := hs.call(t, http.MethodDelete, "/api/conferences/second-conf", adminToken, nil, nil); rec.Code != http.StatusOK {
		t.Fatalf("DELETE /api/conferences/second-conf: %d %s", rec.Code, rec.Body)
	}
	var tok api.Token
	if rec := hs.call(t, http.MethodPost, "/api/conferences/"+def+"/tokens", adminToken, struct{}{}, &tok); rec.Code != http.StatusCreated {
		t.Fatalf("POST tokens: %d %s", rec.Code, rec.Body)
	}

	for _, tc := range []struct {
		name, target, token string
		status              int
		source              string // the default conference's, as listed
		removed             bool   // second-conf listed
	}{
		{"anyone", "/api/conferences", "", http.StatusOK, "program.xml", false},
		{"the admin", "/api/conferences", adminToken, http.StatusOK, file, false},
		{"the admin, removed ones too", "/api/conferences?removed=1", adminToken, http.StatusOK, file, true},
		{"anyone, removed ones too", "/api/conferences?removed=1", "", http.StatusUnauthorized, "", false},
		{"an organizer, removed ones too", "/api/conferences?removed=1", tok.Token, http.StatusForbidden, "", false},
		{"a wrong token", "/api/conferences", "not-the-admin-token", http.StatusUnauthorized, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var list api.ConferenceList
			rec := hs.call(t, http.MethodGet, tc.target, tc.token, nil, &list)
			if rec.Code != tc.status {
				t.Fatalf("GET %s: %d %s, want %d", tc.target, rec.Code, rec.Body, tc.status)
			}
			if tc.status != http.StatusOK {
				if strings.Contains(rec.Body.String(), "second-conf") || strings.Contains(rec.Body.String(), "schedules") {
					t.Errorf("the refusal tells what it refuses: %s", rec.Body)
				}
				return
			}
			removed := false
			for _, c := range list.Conferences {
				switch c.Slug {
				case def:
					if c.Source != tc.source {
						t.Errorf("source %q, want %q", c.Source, tc.source)
					}
					if c.SourceError == "" || !strings.Contains(c.SourceError, "program.xml") {
						t.Errorf("source_error %q, want the failed poll naming program.xml", c.SourceError)
					}
					if tc.source != file && strings.Contains(c.SourceError, "/nonexistent/schedules") {
						t.Errorf("source_error %q names the server's directory", c.SourceError)
					}
				case "second-conf":
					removed = true
				}
			}
			if removed != tc.removed {
				t.Errorf("the removed conference listed: %v, want %v", removed, tc.removed)
			}
		})
	}
	// A proxy's basic authentication is no claim to be the admin: the
	// public list, and no failed login counted.
	for range 20 {
		rec := send(hs.h, http.MethodGet, "/api/conferences", nil, "Authorization", "Basic dXNlcjpwYXNz")
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "/nonexistent/schedules") {
			t.Fatalf("GET /api/conferences with basic authentication: %d %s, want 200 and the public list", rec.Code, rec.Body)
		}
	}
}

package caldav_test

import (
	"cmp"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/caldav"
	"confcal/outbound"
	"confcal/push"
	"confcal/web"
	"confcal/webpush"
	"confcal/webpush/pushtest"
)

// The conference and admin token of the push tests' server.
const (
	pushConf   = "test-conf"
	pushToken  = "push-test-token-0123456789abcdef0123"
	pushWindow = push.DefaultInterval
)

// pushServer is the whole server as cmd wires it, with WebDAV-Push on: the
// route table, an agenda service whose API edits publish revisions, a
// push.Service sending through a webpush.Sender, and a test push service.
type pushServer struct {
	*testServer
	agenda *agenda.Service
	push   *push.Service
	reg    *memstore.Registry
	ps     *pushtest.Server
	clock  *pushtest.Clock // the push.Service's: expiry and the interval
}

// newPushServer starts a pushServer whose messages go through client (nil:
// one that reaches the test push service, loopback allowed), with opts for
// the push.Service.
func newPushServer(t testing.TB, client *outbound.Client, opts push.Options) *pushServer {
	t.Helper()
	ctx := context.Background()
	s := &pushServer{reg: memstore.NewRegistry(), ps: pushtest.NewServer(t), clock: pushtest.NewClock(time.Now())}
	if client == nil {
		client = s.ps.Client(outbound.Options{})
	}
	if err := s.reg.AddConference(ctx, agenda.Listing{Slug: pushConf}); err != nil {
		t.Fatal(err)
	}
	keys, err := push.Keys(ctx, s.reg)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := webpush.NewSender(webpush.Options{Keys: keys, Subject: "mailto:push@confcal.example", Client: client,
		Clock: pushtest.NewAutoClock(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	opts.Store, opts.Sender, opts.Keys, opts.Clock = s.reg, sender, keys, s.clock
	if s.push, err = push.New(opts); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.push.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	// Run sweeps once as it starts, then sets a timer for the next sweep:
	// the test's clock moves only after that first sweep, which would
	// otherwise race with it for the subscriptions the clock expires.
	sweep := cmp.Or(opts.Sweep, push.DefaultSweep)
	for deadline := time.Now().Add(10 * time.Second); !slices.Contains(s.clock.Waits(), sweep); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the push service did not sweep at start")
		}
	}

	srv, err := web.New(web.Config{BaseURL: baseURL, Default: pushConf, Token: pushToken,
		Push: func(slug string) caldav.Push { return s.push.Conference(slug) }})
	if err != nil {
		t.Fatal(err)
	}
	s.agenda, err = agenda.Open(ctx, s.reg.Agenda(pushConf), func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil },
		srv.Publisher(pushConf))
	if err != nil {
		t.Fatal(err)
	}
	s.testServer = &testServer{web: srv, h: srv.Handler(s.agenda, nil), snap: s.agenda.Current()}
	return s
}

// move moves a session to a room through the API, as an organizer does.
func (s *pushServer) move(t *testing.T, session, room string) {
	t.Helper()
	s.patch(t, session, `{"room":"`+room+`"}`)
}

// patch changes a session through the API.
func (s *pushServer) patch(t *testing.T, session, body string) {
	t.Helper()
	w := s.do(t, request{method: http.MethodPatch, path: "/api/sessions/" + session,
		header: []string{"Authorization", "Bearer " + pushToken, "Content-Type", "application/json"}, body: body})
	if w.Code != http.StatusOK {
		t.Fatalf("PATCH %s with %s: %d %s", session, body, w.Code, w.Body)
	}
}

// registerBody fills DAVx5's push-register body with sub and expires.
func registerBody(t testing.TB, sub webpush.Subscription, expires time.Time) string {
	t.Helper()
	b := testdata(t, "clients/davx5-push-register.xml")
	// Only after the comment, which names the placeholders too (an
	// endpoint there could end it: base64url may hold "--").
	i := strings.Index(b, "-->")
	return b[:i] + strings.NewReplacer("$PUSH_RESOURCE", sub.Endpoint,
		"$P256DH", base64.RawURLEncoding.EncodeToString(sub.P256dh),
		"$AUTH", base64.RawURLEncoding.EncodeToString(sub.Auth),
		"$EXPIRES", expires.UTC().Format(http.TimeFormat)).Replace(b[i:])
}

// register POSTs body to a calendar with DAVx5's headers.
func (s *pushServer) register(t testing.TB, calendar, body string) *httptest.ResponseRecorder {
	t.Helper()
	return s.do(t, request{method: http.MethodPost, path: calendar, header: clientHeaders("davx5-push-register.xml"), body: body})
}

// registered checks a 201 answer to a registration and returns its
// registration URL's path and the expiry granted.
func registered(t *testing.T, w *httptest.ResponseRecorder) (string, time.Time) {
	t.Helper()
	if w.Code != http.StatusCreated {
		t.Fatalf("registration: status %d, want 201; body:\n%s", w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil || !loc.IsAbs() || loc.Scheme+"://"+loc.Host != baseURL || !strings.HasPrefix(loc.Path, principal+"push/") {
		t.Fatalf("Location %q: want an absolute URL below %spush/ (DAVx5 parses it with toHttpUrlOrNull)", w.Header().Get("Location"), baseURL+principal)
	}
	exp, err := http.ParseTime(w.Header().Get("Expires"))
	if err != nil {
		t.Fatalf("Expires %q: %v", w.Header().Get("Expires"), err)
	}
	return loc.Path, exp
}

// pushMessage is a WebDAV-Push message as a client reads it.
type pushMessage struct {
	XMLName xml.Name `xml:"https://bitfire.at/webdav-push push-message"`
	Topic   string   `xml:"https://bitfire.at/webdav-push topic"`
	Content *struct {
		SyncToken string `xml:"DAV: sync-token"`
	} `xml:"https://bitfire.at/webdav-push content-update"`
}

// messagesTo returns the requests the push service got for endpoint.
func (s *pushServer) messagesTo(endpoint string) []pushtest.Message {
	var out []pushtest.Message
	for _, m := range s.ps.Messages() {
		if m.Endpoint == endpoint {
			out = append(out, m)
		}
	}
	return out
}

// waitMessages waits until endpoint got n requests, and returns them.
func (s *pushServer) waitMessages(t *testing.T, endpoint string, n int) []pushtest.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := s.messagesTo(endpoint)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages to %s after 10 s, want %d", len(got), endpoint, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle gives the push workers time to send anything they were going to
// send, before a test checks that nothing more was sent.
func settle() { time.Sleep(300 * time.Millisecond) }

// syncTokenOf reads a calendar's DAV:sync-token as DAVx5 does.
func (s *pushServer) syncTokenOf(t *testing.T, calendar string) string {
	t.Helper()
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calendar, header: append(clientHeaders("davx5-capabilities.xml"), "Depth", "0"),
		body: testdata(t, "clients/davx5-capabilities.xml")}))
	return m.prop(t, calendar, dav("sync-token"))
}

// TestWebDAVPushAsDAVx5 is DAVx5's WebDAV-Push from discovery to
// unsubscribing, with its own request bodies (testdata/clients/davx5-*):
// the collection PROPFIND finds push support, the VAPID key and each
// calendar's topic; DAVx5 makes a subscription restricted to that key at
// a push service and registers it for two calendars; a room move through
// the API sends exactly one message, decryptable, naming the right topic
// and sync token, to the calendar the move touched, and none to the one it
// did not; after DELETE of the registration URL, no more.
func TestWebDAVPushAsDAVx5(t *testing.T) {
	s := newPushServer(t, nil, push.Options{})

	// Service detection: OPTIONS, then the home's collections.
	w := s.do(t, request{method: http.MethodOptions, path: calRoom1})
	if dav := w.Header().Get("DAV"); !strings.Contains(dav, "webdav-push") || !strings.Contains(dav, "calendar-access") {
		t.Errorf("OPTIONS DAV: %q, want calendar-access and webdav-push", dav)
	}
	if allow := w.Header().Get("Allow"); strings.Contains(allow, "POST") || strings.Contains(allow, "PUT") {
		t.Errorf("OPTIONS Allow: %q; registering is no write to offer", allow)
	}
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: home, header: append(clientHeaders("davx5-homeset-members.xml"), "Depth", "1"),
		body: testdata(t, "clients/davx5-homeset-members.xml")}))
	vapid := s.push.Conference(pushConf).PublicKey()
	topics := map[string]string{}
	for _, c := range []string{calAll, calKey, calTalks, calRoom1, calRoom2} {
		m.wantProp(t, c, xmlName(nsPush, "transports"), "web-push(vapid-public-key[type=p256ecdsa]("+vapid+"))")
		m.wantProp(t, c, dav("current-user-privilege-set"), privilegesReadOnly)
		topics[c] = m.prop(t, c, xmlName(nsPush, "topic"))
		if want := webpush.Topic(pushConf + "/" + strings.TrimSuffix(strings.TrimPrefix(c, home), "/")); topics[c] != want {
			t.Errorf("%s: topic %q, want %q", c, topics[c], want)
		}
	}
	m.wantStatus(t, home, xmlName(nsPush, "topic"), http.StatusNotFound)
	if topics[calRoom1] == topics[calKey] {
		t.Fatal("two calendars share a topic")
	}

	// DAVx5 asks the push service for a subscription restricted to the
	// server's key, and registers it, asking for three days.
	room1, keynote := s.ps.Subscribe(t, vapid), s.ps.Subscribe(t, vapid)
	asked := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	reg1, exp := registered(t, s.register(t, calRoom1, registerBody(t, room1, asked)))
	if !exp.Equal(asked) {
		t.Errorf("Expires %v, want the three days asked for (%v)", exp, asked)
	}
	regKey, _ := registered(t, s.register(t, calKey, registerBody(t, keynote, asked)))
	if reg1 == regKey {
		t.Fatal("two registrations share a URL")
	}
	// Registering the same endpoint again refreshes the registration.
	if again, _ := registered(t, s.register(t, calRoom1, registerBody(t, room1, asked.Add(time.Hour)))); again != reg1 {
		t.Errorf("registering again gave %s, want the same registration %s", again, reg1)
	}

	// A room move: late-talk leaves room 2 for room 1; the keynote track
	// is untouched.
	before := s.syncTokenOf(t, calRoom1)
	s.move(t, "late-talk", "room-1")
	after := s.syncTokenOf(t, calRoom1)
	if after == before {
		t.Fatal("room 1's sync token did not move")
	}
	s.waitMessages(t, room1.Endpoint, 1)
	settle()
	got := s.messagesTo(room1.Endpoint)
	if len(got) != 1 {
		t.Fatalf("%d messages to room 1's subscriber, want exactly 1", len(got))
	}
	msg := got[0]
	if msg.Err != nil || msg.Status != http.StatusCreated {
		t.Fatalf("the message was refused: %d %v", msg.Status, msg.Err)
	}
	if msg.VAPID.Key != vapid || msg.Topic != topics[calRoom1] {
		t.Errorf("message signed with %s, Topic %q; want %s and %q", msg.VAPID.Key, msg.Topic, vapid, topics[calRoom1])
	}
	var pm pushMessage
	if err := xml.Unmarshal(msg.Payload, &pm); err != nil {
		t.Fatalf("push message does not parse: %v\n%s", err, msg.Payload)
	}
	if pm.Topic != topics[calRoom1] || pm.Content == nil || pm.Content.SyncToken != after {
		t.Errorf("push message = %+v, want topic %q and sync token %q", pm, topics[calRoom1], after)
	}
	if n := len(s.messagesTo(keynote.Endpoint)); n != 0 {
		t.Errorf("%d messages for the keynote track, which the move did not touch", n)
	}

	// Unsubscribing: DELETE on the registration URL, as DAVx5 does.
	if w := s.do(t, request{method: http.MethodDelete, path: reg1}); w.Code != http.StatusNoContent {
		t.Fatalf("DELETE %s: %d %s", reg1, w.Code, w.Body)
	}
	if w := s.do(t, request{method: http.MethodDelete, path: reg1}); w.Code != http.StatusNotFound {
		t.Errorf("DELETE of a removed registration: %d, want 404", w.Code)
	}
	// A subscriber of the whole conference shows the next move is pushed.
	all := s.ps.Subscribe(t, vapid)
	registered(t, s.register(t, calAll, registerBody(t, all, asked)))
	s.clock.Advance(pushWindow) // the first move's interval ends
	s.move(t, "late-talk", "room-2")
	s.waitMessages(t, all.Endpoint, 1)
	settle()
	if n := len(s.messagesTo(room1.Endpoint)); n != 1 {
		t.Errorf("%d messages to room 1's subscriber after it unsubscribed, want still 1", n)
	}
	if n := len(s.messagesTo(keynote.Endpoint)); n != 0 {
		t.Errorf("%d messages for the keynote track, which no move touched", n)
	}
}

// Moves within one interval are merged: the first is pushed at once, the
// rest in one message when the interval ends, with the latest sync token.
func TestWebDAVPushCoalesces(t *testing.T) {
	s := newPushServer(t, nil, push.Options{})
	vapid := s.push.Conference(pushConf).PublicKey()
	sub := s.ps.Subscribe(t, vapid)
	registered(t, s.register(t, calTalks, registerBody(t, sub, time.Now().Add(72*time.Hour))))
	s.move(t, "late-talk", "room-1")
	s.waitMessages(t, sub.Endpoint, 1)
	s.move(t, "late-talk", "room-2")
	s.patch(t, "state-of-state", `{"title":"State of State, revised"}`)
	s.patch(t, "streams-everywhere", `{"title":"Streams, Everywhere"}`)
	settle()
	if n := len(s.messagesTo(sub.Endpoint)); n != 1 {
		t.Fatalf("%d messages within the interval, want the first only", n)
	}
	s.clock.Advance(pushWindow)
	got := s.waitMessages(t, sub.Endpoint, 2)
	settle()
	if len(s.messagesTo(sub.Endpoint)) != 2 {
		t.Fatalf("%d messages, want 2", len(got))
	}
	var pm pushMessage
	if err := xml.Unmarshal(got[1].Payload, &pm); err != nil {
		t.Fatal(err)
	}
	if want := s.syncTokenOf(t, calTalks); pm.Content == nil || pm.Content.SyncToken != want {
		t.Errorf("merged message = %+v, want the latest sync token %q", pm, want)
	}
}

// allSubscriptions lists a calendar's stored subscriptions, expired ones
// too.
func (s *pushServer) allSubscriptions(t *testing.T, calendar string) []agenda.PushSubscription {
	t.Helper()
	subs, err := s.reg.Subscriptions(context.Background(), pushConf, calendar, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

// An expired subscription is not sent to, and is swept away; one the push
// service answers 410 is removed.
func TestWebDAVPushExpiredAndGone(t *testing.T) {
	// Sweeps only when told, so the test sees the expired subscription
	// stored until then.
	s := newPushServer(t, nil, push.Options{Sweep: 1000 * time.Hour})
	vapid := s.push.Conference(pushConf).PublicKey()
	short, gone, fine := s.ps.Subscribe(t, vapid), s.ps.Subscribe(t, vapid), s.ps.Subscribe(t, vapid)
	now := s.clock.Now()
	registered(t, s.register(t, calRoom1, registerBody(t, short, now.Add(time.Hour))))
	for _, sub := range []webpush.Subscription{gone, fine} {
		registered(t, s.register(t, calRoom1, registerBody(t, sub, now.Add(72*time.Hour))))
	}
	if n := len(s.allSubscriptions(t, "room-room-1")); n != 3 {
		t.Fatalf("%d subscriptions stored, want 3", n)
	}
	s.clock.Advance(2 * time.Hour) // short expires
	s.ps.Expire(gone)              // its phone unsubscribed at the push service
	s.move(t, "late-talk", "room-1")
	s.waitMessages(t, fine.Endpoint, 1)
	s.waitMessages(t, gone.Endpoint, 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		subs := s.allSubscriptions(t, "room-room-1")
		var left []string
		for _, x := range subs {
			left = append(left, x.Endpoint)
		}
		if len(subs) == 2 && !strings.Contains(strings.Join(left, " "), gone.Endpoint) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscriptions left after a 410: %v", left)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if m := s.messagesTo(gone.Endpoint); m[0].Status != http.StatusGone {
		t.Errorf("the gone subscription was answered %d, want 410", m[0].Status)
	}
	if n := len(s.messagesTo(short.Endpoint)); n != 0 {
		t.Errorf("%d messages to an expired subscription", n)
	}
	if n, err := s.push.Sweep(context.Background()); err != nil || n != 1 {
		t.Errorf("Sweep = %d, %v; want the expired one", n, err)
	}
	subs := s.allSubscriptions(t, "room-room-1")
	if len(subs) != 1 || subs[0].Endpoint != fine.Endpoint {
		t.Errorf("subscriptions left: %+v, want only the live one", subs)
	}
}

// The registration answers of the draft, and the rest of the calendar
// staying read-only.
func TestWebDAVPushRegistration(t *testing.T) {
	s := newPushServer(t, nil, push.Options{MaxPerCalendar: 2})
	vapid := s.push.Conference(pushConf).PublicKey()
	good := s.ps.Subscribe(t, vapid)
	body := func(mod func(string) string) string {
		return mod(registerBody(t, good, time.Now().Add(72*time.Hour)))
	}
	// replace edits the body after the file's comment, which names the
	// placeholders too.
	replace := func(old, new string) func(string) string {
		return func(b string) string {
			i := strings.Index(b, "-->")
			return b[:i] + strings.Replace(b[i:], old, new, 1)
		}
	}
	key := base64.RawURLEncoding.EncodeToString(good.P256dh)
	tests := []struct {
		name, path, body string
		status           int
		cond             string // the DAV:error condition of a 403
	}{
		{"not a push-register", calRoom1, testdata(t, "clients/davx5-capabilities.xml"), http.StatusForbidden, "need-privileges"},
		{"no body", calRoom1, "", http.StatusForbidden, "need-privileges"},
		{"on the home", home, body(replace("", "")), http.StatusForbidden, "need-privileges"},
		{"on an object", calRoom1 + "opening-keynote.ics", body(replace("", "")), http.StatusForbidden, "need-privileges"},
		{"not XML", calRoom1, "<n0:push-register", http.StatusBadRequest, ""},
		{"two documents", calRoom1, body(replace("", "")) + "<x/>", http.StatusBadRequest, ""},
		{"expires not a date", calRoom1, body(func(b string) string {
			return b[:strings.Index(b, "<n0:expires>")] + "<n0:expires>tomorrow</n0:expires></n0:push-register>"
		}), http.StatusBadRequest, ""},
		{"expired", calRoom1, body(func(b string) string {
			return b[:strings.Index(b, "<n0:expires>")] + "<n0:expires>Tue, 01 Oct 2019 00:00:00 GMT</n0:expires></n0:push-register>"
		}), http.StatusForbidden, "invalid-subscription"},
		{"no keys", calRoom1, body(func(b string) string {
			i, j := strings.Index(b, "<n0:subscription-public-key"), strings.Index(b, "</n0:web-push-subscription>")
			return b[:i] + b[j:]
		}), http.StatusForbidden, "invalid-subscription"},
		{"a key that is no P-256 point", calRoom1, body(replace(key, key[:len(key)-4]+"AAAA")), http.StatusForbidden, "invalid-subscription"},
		{"another key type", calRoom1, body(replace(`type="p256dh"`, `type="x25519"`)), http.StatusForbidden, "invalid-subscription"},
		{"another encoding", calRoom1, body(replace("<n0:subscription-public-key", "<n0:content-encoding>aesgcm</n0:content-encoding><n0:subscription-public-key")),
			http.StatusForbidden, "invalid-subscription"},
		{"plain http", calRoom1, body(replace(good.Endpoint, strings.Replace(good.Endpoint, "https:", "http:", 1))), http.StatusForbidden, "invalid-subscription"},
		{"property updates only", calRoom1, body(replace("<n0:expires>", `<n0:trigger><n0:property-update><depth xmlns="DAV:">0</depth></n0:property-update></n0:trigger><n0:expires>`)),
			http.StatusForbidden, "trigger-not-supported"},
		{"content updates, with the draft's depth", calRoom1, body(replace("<n0:expires>", `<n0:trigger><n0:content-update><depth xmlns="DAV:">infinity</depth></n0:content-update></n0:trigger><n0:expires>`)),
			http.StatusCreated, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := s.register(t, tc.path, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body:\n%s", w.Code, tc.status, w.Body)
			}
			switch {
			case tc.cond == "need-privileges":
				priv := "bind"
				if strings.HasSuffix(tc.path, ".ics") {
					priv = "write-content"
				}
				checkNeedPrivileges(t, w, tc.path, priv)
			case tc.cond != "":
				if got := davError(t, w); len(got) != 2 || got[0] != tc.cond || got[1] != "message" {
					t.Errorf("DAV:error conditions %v, want %s and our message", got, tc.cond)
				}
			case tc.status == http.StatusBadRequest && w.Body.Len() == 0:
				t.Error("a 400 without a reason")
			}
		})
	}

	// The calendar takes two subscriptions (MaxPerCalendar); the one
	// stored above is the first.
	second := s.ps.Subscribe(t, vapid)
	registered(t, s.register(t, calRoom1, registerBody(t, second, time.Now().Add(time.Hour))))
	third := s.ps.Subscribe(t, vapid)
	w := s.register(t, calRoom1, registerBody(t, third, time.Now().Add(time.Hour)))
	if w.Code != http.StatusForbidden || !strings.Contains(strings.Join(davError(t, w), " "), "push-not-available") {
		t.Errorf("a third subscription where two may be: %d %s, want 403 push-not-available", w.Code, w.Body)
	}
	// The refusal says why in the client's words, not the store's.
	if body := w.Body.String(); strings.Contains(body, "subscriptions:") || strings.Contains(body, "memstore") || strings.Contains(body, "sqlite") {
		t.Errorf("the refusal gives the store's own words: %s", body)
	}
	// An expiry beyond the longest is cut to it.
	other := s.ps.Subscribe(t, vapid)
	_, exp := registered(t, s.register(t, calRoom2, registerBody(t, other, time.Now().Add(90*24*time.Hour))))
	if want := s.clock.Now().Add(push.DefaultMaxExpiry); exp.After(want) || exp.Before(want.Add(-2*time.Second)) {
		t.Errorf("Expires %v for 90 days asked, want at most 7 days (%v)", exp, want)
	}

	// Registration URLs take DELETE only; writes elsewhere stay refused.
	for _, m := range []string{http.MethodGet, http.MethodPut, "PROPFIND"} {
		if w := s.do(t, request{method: m, path: principal + "push/ABCDEF"}); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "OPTIONS, DELETE" {
			t.Errorf("%s on a registration URL: %d Allow %q, want 405 with OPTIONS, DELETE", m, w.Code, w.Header().Get("Allow"))
		}
	}
	if w := s.do(t, request{method: http.MethodDelete, path: principal + "push/NOSUCHREGISTRATION"}); w.Code != http.StatusNotFound {
		t.Errorf("DELETE of an unknown registration: %d, want 404", w.Code)
	}
	checkNeedPrivileges(t, s.do(t, request{method: http.MethodPut, path: calRoom1 + "x.ics", header: []string{"Content-Type", "text/calendar"}, body: "BEGIN:VCALENDAR"}), calRoom1, "bind")
	m := parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calRoom1, header: []string{"Depth", "0"},
		body: `<propfind xmlns="DAV:"><propname/></propfind>`}))
	for _, n := range []string{"transports", "topic", "supported-triggers"} {
		m.wantProp(t, calRoom1, xmlName(nsPush, n), "")
	}
	m = parseMultistatus(t, s.do(t, request{method: "PROPFIND", path: calRoom1, header: []string{"Depth", "0"},
		body: `<propfind xmlns="DAV:" xmlns:P="https://bitfire.at/webdav-push"><prop><P:supported-triggers/><current-user-privilege-set/></prop></propfind>`}))
	m.wantProp(t, calRoom1, xmlName(nsPush, "supported-triggers"), "content-update(depth(1))")
	m.wantProp(t, calRoom1, dav("current-user-privilege-set"), privilegesReadOnly)
}

// staticResolver resolves every name to addrs.
type staticResolver []netip.Addr

func (r staticResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return r, nil
}

// A push resource is a URL a stranger chose: loopback, private and
// link-local targets are refused when they register, names that resolve to
// them and redirecting push services when a message is sent, and a
// subscription refused at sending is removed.
func TestWebDAVPushRefusesPrivateTargets(t *testing.T) {
	// Production rules: no loopback either.
	strict := outbound.New(outbound.Options{})
	s := newPushServer(t, strict, push.Options{})
	vapid := s.push.Conference(pushConf).PublicKey()
	real := s.ps.Subscribe(t, vapid) // on 127.0.0.1
	for _, endpoint := range []string{
		real.Endpoint,
		"https://[::1]/push/x",
		"https://10.0.0.5/push/x",
		"https://192.168.1.1/push/x",
		"https://172.16.0.1/push/x",
		"https://169.254.169.254/latest/meta-data",
		"https://[fe80::1]/push/x",
		"https://[fd00::1]/push/x",
		"https://[::ffff:127.0.0.1]/push/x",
		"https://user:secret@push.example.org/x",
		"ftp://push.example.org/x",
	} {
		sub := real
		sub.Endpoint = endpoint
		w := s.register(t, calRoom1, registerBody(t, sub, time.Now().Add(time.Hour)))
		if w.Code != http.StatusForbidden || !strings.Contains(strings.Join(davError(t, w), " "), "invalid-subscription") {
			t.Errorf("registering %s: %d %s, want 403 invalid-subscription", endpoint, w.Code, w.Body)
		}
	}
	if n := len(s.allSubscriptions(t, "room-room-1")); n != 0 {
		t.Errorf("%d refused subscriptions stored", n)
	}

	// Redirects are not followed: a push service on loopback (allowed
	// here, for the test) that redirects to another.
	var hits atomic.Int32
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	redirect := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/push", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	pool := x509.NewCertPool()
	pool.AddCert(redirect.Certificate())
	pool.AddCert(target.Certificate())
	// And a name that resolves to a private address (DNS rebinding, or
	// just an internal host): the check is at connect time.
	loose := outbound.New(outbound.Options{AllowLoopback: true, RootCAs: pool,
		Resolver: staticResolver{netip.MustParseAddr("10.0.0.5")}})
	s = newPushServer(t, loose, push.Options{})
	vapid = s.push.Conference(pushConf).PublicKey()
	key := s.ps.Subscribe(t, vapid)
	for _, endpoint := range []string{redirect.URL + "/push/1", "https://push.internal.example/push/2"} {
		sub := key
		sub.Endpoint = endpoint
		registered(t, s.register(t, calRoom1, registerBody(t, sub, time.Now().Add(time.Hour))))
	}
	s.move(t, "late-talk", "room-1")
	deadline := time.Now().Add(10 * time.Second)
	for len(s.allSubscriptions(t, "room-room-1")) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("subscriptions refused at sending are still stored: %+v", s.allSubscriptions(t, "room-room-1"))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
	// The test's TLS servers must not be what made the requests fail.
	if _, err := loose.Do(mustRequest(t, redirect.URL)); !errors.Is(err, outbound.ErrRedirect) {
		t.Errorf("a request to the redirecting server: %v, want ErrRedirect", err)
	}
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

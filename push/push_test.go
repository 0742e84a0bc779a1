package push_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/memstore"
	"confcal/outbound"
	"confcal/push"
	"confcal/webpush"
	"confcal/webpush/pushtest"
)

// fixture is a Service on a memory store with one conference, sending
// to a test push service.
type fixture struct {
	reg   *memstore.Registry
	ps    *pushtest.Server
	clock *pushtest.Clock
	svc   *push.Service
	keys  *webpush.Keys
}

func newFixture(t *testing.T, opts push.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{reg: memstore.NewRegistry(), ps: pushtest.NewServer(t), clock: pushtest.NewClock(time.Date(2019, 10, 8, 9, 0, 0, 0, time.UTC))}
	if err := f.reg.AddConference(ctx, agenda.Listing{Slug: "conf"}); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.keys, err = push.Keys(ctx, f.reg); err != nil {
		t.Fatal(err)
	}
	sender, err := webpush.NewSender(webpush.Options{Keys: f.keys, Subject: "mailto:ops@confcal.example",
		Client: f.ps.Client(outbound.Options{}), Clock: pushtest.NewAutoClock(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	opts.Store, opts.Sender, opts.Keys, opts.Clock = f.reg, sender, f.keys, f.clock
	if f.svc, err = push.New(opts); err != nil {
		t.Fatal(err)
	}
	return f
}

// run runs the Service until the test ends.
func (f *fixture) run(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.Run(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
}

func (f *fixture) subscription(t *testing.T, calendar string, expires time.Time) (webpush.Subscription, agenda.PushSubscription) {
	t.Helper()
	ws := f.ps.Subscribe(t, f.keys.PublicKey())
	return ws, agenda.PushSubscription{Calendar: calendar, Endpoint: ws.Endpoint, Client: "192.0.2.7",
		P256dh: base64.RawURLEncoding.EncodeToString(ws.P256dh), Auth: base64.RawURLEncoding.EncodeToString(ws.Auth), Expires: expires}
}

func TestKeysAreKeptInTheStore(t *testing.T) {
	ctx := context.Background()
	reg := memstore.NewRegistry()
	first, err := push.Keys(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	again, err := push.Keys(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	if first.PublicKey() != again.PublicKey() || first.Encode() != again.Encode() {
		t.Error("a second start made new VAPID keys")
	}
	if strings.Contains(first.String(), first.Encode()) {
		t.Error("the keys' String shows the private key")
	}
}

func TestSubscribe(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, push.Options{})
	c := f.svc.Conference("conf")
	now := f.clock.Now()
	_, sub := f.subscription(t, "all", time.Time{})
	got, err := c.Subscribe(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Expires.Equal(now.Add(push.DefaultMaxExpiry)) {
		t.Errorf("no expiry asked: granted %v, want the longest, %v", got.Expires, now.Add(push.DefaultMaxExpiry))
	}
	if len(got.ID) < 20 || got.Conference != "conf" || got.Calendar != "all" {
		t.Errorf("stored as %+v", got)
	}
	if strings.Contains(got.Client, "192.0.2.7") || got.Client == "" {
		t.Errorf("client stored as %q: want a hash of the address, not the address", got.Client)
	}
	_, sub = f.subscription(t, "all", now.Add(90*time.Minute+300*time.Millisecond))
	if got, err = c.Subscribe(ctx, sub); err != nil || !got.Expires.Equal(now.Add(90*time.Minute)) {
		t.Errorf("an hour and a half asked: %v, %v; want it, in whole seconds", got.Expires, err)
	}
	for name, mod := range map[string]func(*agenda.PushSubscription){
		"expired":      func(s *agenda.PushSubscription) { s.Expires = now.Add(-time.Second) },
		"bad key":      func(s *agenda.PushSubscription) { s.P256dh = "AAAA" },
		"bad secret":   func(s *agenda.PushSubscription) { s.Auth = base64.RawURLEncoding.EncodeToString(make([]byte, 8)) },
		"private host": func(s *agenda.PushSubscription) { s.Endpoint = "https://10.1.2.3/push" },
		"plain http":   func(s *agenda.PushSubscription) { s.Endpoint = strings.Replace(s.Endpoint, "https", "http", 1) },
	} {
		_, sub := f.subscription(t, "all", now.Add(time.Hour))
		mod(&sub)
		if _, err := c.Subscribe(ctx, sub); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := f.svc.Conference("nobody").Subscribe(ctx, sub); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a subscription of an unknown conference: %v, want ErrNoConference", err)
	}
	if err := f.svc.Conference("other").Unsubscribe(ctx, got.ID); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("unsubscribing through another conference: %v, want ErrNotFound", err)
	}
	if err := c.Unsubscribe(ctx, got.ID); err != nil {
		t.Fatal(err)
	}
}

// Changes made before Run are sent once it runs, one message per
// calendar, to that calendar's subscribers only.
func TestChangedSendsToTheCalendar(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, push.Options{})
	c := f.svc.Conference("conf")
	room, sub := f.subscription(t, "room-1", time.Time{})
	if _, err := c.Subscribe(ctx, sub); err != nil {
		t.Fatal(err)
	}
	other, sub2 := f.subscription(t, "room-2", time.Time{})
	if _, err := c.Subscribe(ctx, sub2); err != nil {
		t.Fatal(err)
	}
	c.Changed("room-1", []byte("<message/>"))
	f.run(t)
	deadline := time.Now().Add(10 * time.Second)
	for len(f.ps.Accepted()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no message sent")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	got := f.ps.Accepted()
	if len(got) != 1 || got[0].Endpoint != room.Endpoint || string(got[0].Payload) != "<message/>" ||
		got[0].Topic != c.Topic("room-1") || got[0].TTL != int(push.MessageTTL/time.Second) {
		t.Fatalf("messages = %+v, want one to room-1's subscriber with its topic", got)
	}
	for _, m := range f.ps.Messages() {
		if m.Endpoint == other.Endpoint {
			t.Errorf("room-2's subscriber got a message for room-1")
		}
	}
	if c.Topic("room-1") == f.svc.Conference("conf2").Topic("room-1") {
		t.Error("two conferences' calendars of one name share a topic")
	}
}

package push_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
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

// turns is a Turns shared by the services of a test: the first to ask for
// a conference holds it, as postgres.PushTurns' lock does.
type turns struct {
	mu     sync.Mutex
	holder map[string]string
	err    error
	asked  int
}

// as is the Turns of process name.
func (tu *turns) as(name string) push.Turns { return turnsOf{tu, name} }

type turnsOf struct {
	tu   *turns
	name string
}

func (t turnsOf) Take(_ context.Context, conference string) (bool, error) {
	t.tu.mu.Lock()
	defer t.tu.mu.Unlock()
	t.tu.asked++
	if t.tu.err != nil {
		return false, t.tu.err
	}
	if _, ok := t.tu.holder[conference]; !ok {
		t.tu.holder[conference] = t.name
	}
	return t.tu.holder[conference] == t.name, nil
}

// Two processes on one store both hear a change: the one holding the
// conference's turn sends it, the other nothing, so the subscriber gets
// one message; a process that cannot tell whose turn it is sends none.
func TestOneProcessSends(t *testing.T) {
	ctx := context.Background()
	tu := &turns{holder: map[string]string{}}
	f := newFixture(t, push.Options{Turns: tu.as("a")})
	b, err := push.New(push.Options{Store: f.reg, Sender: sender(t, f), Keys: f.keys, Clock: f.clock, Turns: tu.as("b")})
	if err != nil {
		t.Fatal(err)
	}
	ws, sub := f.subscription(t, "all", time.Time{})
	if _, err := b.Conference("conf").Subscribe(ctx, sub); err != nil {
		t.Fatal(err)
	}
	// b asks first, holds the turn, and sends; a sends nothing.
	b.Conference("conf").Changed("all", []byte("<from-b/>"))
	runService(t, b)
	waitMessages(t, f.ps, 1)
	f.svc.Conference("conf").Changed("all", []byte("<from-a/>"))
	f.run(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		tu.mu.Lock()
		asked := tu.asked
		tu.mu.Unlock()
		if asked >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a never asked for the turn")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	got := f.ps.Accepted()
	if len(got) != 1 || got[0].Endpoint != ws.Endpoint || string(got[0].Payload) != "<from-b/>" {
		t.Fatalf("messages = %+v, want b's one", got)
	}

	// Without an answer from the turns, neither sends.
	tu.mu.Lock()
	tu.err = errors.New("the database is away")
	tu.mu.Unlock()
	f.clock.Advance(time.Minute) // past the throttle's interval
	b.Conference("conf").Changed("all", []byte("<again/>"))
	time.Sleep(300 * time.Millisecond)
	if got := f.ps.Accepted(); len(got) != 1 {
		t.Errorf("%d messages with the turns unknown, want still 1", len(got))
	}
	// With the answer back, the holder sends the next change.
	tu.mu.Lock()
	tu.err = nil
	tu.mu.Unlock()
	f.clock.Advance(time.Minute)
	b.Conference("conf").Changed("all", []byte("<back/>"))
	waitMessages(t, f.ps, 2)
	if got := f.ps.Accepted(); string(got[1].Payload) != "<back/>" {
		t.Errorf("the second message = %q, want <back/>", got[1].Payload)
	}
}

// sender is a Sender to f's push service.
func sender(t *testing.T, f *fixture) *webpush.Sender {
	t.Helper()
	s, err := webpush.NewSender(webpush.Options{Keys: f.keys, Subject: "mailto:ops@confcal.example",
		Client: f.ps.Client(outbound.Options{}), Clock: pushtest.NewAutoClock(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runService runs svc until the test ends.
func runService(t *testing.T, svc *push.Service) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.Run(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
}

// waitMessages waits until ps accepted n messages.
func waitMessages(t *testing.T, ps *pushtest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(ps.Accepted()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages sent, want %d", len(ps.Accepted()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pushedRevision waits up to wait for the store's pushed revision of
// "conf" to become want, and reports what it is.
func (f *fixture) pushedRevision(t *testing.T, want int64, wait time.Duration) int64 {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		rev, err := f.reg.PushedRevision(context.Background(), "conf")
		if err != nil {
			t.Fatal(err)
		}
		if rev == want || time.Now().After(deadline) {
			return rev
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A revision marked with nothing to push is recorded at once; one marked
// with messages handed over only once they have had time to go out (two
// throttle intervals), and not at all when the Service stops first, so a
// server starting after that pushes them again.
func TestMarkPushed(t *testing.T) {
	f := newFixture(t, push.Options{Interval: time.Second})
	c := f.svc.Conference("conf")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.Run(ctx); close(done) }()

	c.MarkPushed(3)
	if rev := f.pushedRevision(t, 3, 5*time.Second); rev != 3 {
		t.Fatalf("pushed revision %d after a mark with nothing handed over, want 3", rev)
	}
	c.Changed("all", []byte("<message/>"))
	c.MarkPushed(4)
	if rev := f.pushedRevision(t, 4, 200*time.Millisecond); rev != 3 {
		t.Fatalf("pushed revision %d before the messages had time to go out, want 3", rev)
	}
	// Two intervals on the clock (again, should writeMarks not have been
	// waiting for it yet).
	deadline := time.Now().Add(5 * time.Second)
	for rev := int64(0); rev != 4; rev = f.pushedRevision(t, 4, 20*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pushed revision %d two intervals after, want 4", rev)
		}
		f.clock.Advance(2 * time.Second)
	}
	if got, err := c.Pushed(context.Background()); err != nil || got != 4 {
		t.Errorf("Pushed = %d, %v; want 4", got, err)
	}

	c.Changed("all", []byte("<message/>"))
	c.MarkPushed(5)
	time.Sleep(50 * time.Millisecond) // writeMarks waits for the clock now
	stop()
	<-done
	if rev, _ := f.reg.PushedRevision(context.Background(), "conf"); rev != 4 {
		t.Errorf("pushed revision %d after stopping before revision 5's messages could go out, want 4", rev)
	}
}

// With several processes, only the one sending a conference's messages
// records its pushed revision.
func TestMarkPushedByTheSender(t *testing.T) {
	tu := &turns{holder: map[string]string{"conf": "b"}}
	f := newFixture(t, push.Options{Turns: tu.as("a")})
	b, err := push.New(push.Options{Store: f.reg, Sender: sender(t, f), Keys: f.keys, Clock: f.clock, Turns: tu.as("b")})
	if err != nil {
		t.Fatal(err)
	}
	f.run(t)
	f.svc.Conference("conf").MarkPushed(7)
	if rev := f.pushedRevision(t, 7, 300*time.Millisecond); rev != 0 {
		t.Fatalf("pushed revision %d marked by the process without the turn, want 0", rev)
	}
	runService(t, b)
	b.Conference("conf").MarkPushed(6)
	if rev := f.pushedRevision(t, 6, 5*time.Second); rev != 6 {
		t.Fatalf("pushed revision %d marked by the sender, want 6", rev)
	}
}

// advanceUntil moves f's clock on by step until cond holds (the services
// wait for it in their own time), failing after a few seconds.
func (f *fixture) advanceUntil(t *testing.T, step time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v of moving the clock", what, 5*time.Second)
		}
		f.clock.Advance(step)
		time.Sleep(20 * time.Millisecond)
	}
}

// A process without the turn keeps what it heard until the store says it
// was pushed: when the process holding the turn dies before sending a
// revision's messages, the next to take the turn sends them and records
// the revision; when the holder sent and recorded them, nobody sends them
// again.
func TestTurnTakenOverSendsWhatTheHolderDidNot(t *testing.T) {
	ctx := context.Background()
	for _, holderSends := range []bool{false, true} {
		name := map[bool]string{false: "holder died", true: "holder sent"}[holderSends]
		t.Run(name, func(t *testing.T) {
			tu := &turns{holder: map[string]string{"conf": "a"}}
			f := newFixture(t, push.Options{Turns: tu.as("a"), Interval: time.Second})
			b, err := push.New(push.Options{Store: f.reg, Sender: sender(t, f), Keys: f.keys, Clock: f.clock,
				Turns: tu.as("b"), Interval: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			_, sub := f.subscription(t, "all", time.Time{})
			if _, err := b.Conference("conf").Subscribe(ctx, sub); err != nil {
				t.Fatal(err)
			}
			runService(t, b)
			if holderSends {
				f.run(t)
			}
			// Both hear revision 1; only a may send it.
			for _, svc := range []*push.Service{f.svc, b} {
				svc.Conference("conf").Changed("all", []byte("<r1/>"))
				svc.Conference("conf").MarkPushed(1)
			}
			if holderSends {
				waitMessages(t, f.ps, 1)
				f.advanceUntil(t, time.Second, "a records revision 1", func() bool { return f.pushedRevision(t, 1, 0) == 1 })
			} else {
				// b has been told no, and watches.
				f.advanceUntil(t, time.Second, "b asks for the turn", func() bool {
					tu.mu.Lock()
					defer tu.mu.Unlock()
					return tu.asked >= 2
				})
				time.Sleep(100 * time.Millisecond)
				if n := len(f.ps.Accepted()); n != 0 {
					t.Fatalf("%d messages while a holds the turn", n)
				}
			}
			// a dies: its session's lock goes with it.
			tu.mu.Lock()
			delete(tu.holder, "conf")
			tu.mu.Unlock()
			if holderSends {
				for range 5 {
					f.clock.Advance(time.Second)
					time.Sleep(20 * time.Millisecond)
				}
				time.Sleep(200 * time.Millisecond)
				if got := f.ps.Accepted(); len(got) != 1 {
					t.Errorf("%d messages, want a's one: b sent what a had sent", len(got))
				}
				return
			}
			f.advanceUntil(t, time.Second, "b sends revision 1", func() bool { return len(f.ps.Accepted()) >= 1 })
			if got := f.ps.Accepted(); len(got) != 1 || string(got[0].Payload) != "<r1/>" {
				t.Errorf("messages %+v, want b's <r1/>", got)
			}
			f.advanceUntil(t, time.Second, "b records revision 1", func() bool { return f.pushedRevision(t, 1, 0) == 1 })
		})
	}
}

package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/outbound"
	"confcal/webhook"
)

// verify is a receiver's check of a delivery, written from the README's
// description, not from Sign: the header's t and v1, t within five
// minutes of now, and v1 equal (in constant time) to HMAC-SHA256 with the
// secret over t, ".", and the body.
func verify(secret, header string, body []byte, now time.Time) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return fmt.Errorf("malformed signature header %q", header)
	}
	if d := now.Sub(time.Unix(t, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %d is %v away", t, d)
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("v1 is not hex: %w", err)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return errors.New("signature does not match")
	}
	return nil
}

func TestSign(t *testing.T) {
	// The value of `printf %s '1570525200.{"conference":"x","revision":2}' |
	// openssl dgst -sha256 -hmac whsec_test`, as the README's shell
	// example computes it.
	body := []byte(`{"conference":"x","revision":2}`)
	got := webhook.Sign("whsec_test", time.Unix(1570525200, 0), body)
	if want := "t=1570525200,v1=c36318de58692a0a31f13edf689b94e06ebc7142cff610afd2e76b8d0169877c"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	now := time.Unix(1570525200, 0).Add(time.Minute)
	if err := verify("whsec_test", got, body, now); err != nil {
		t.Errorf("verify(Sign): %v", err)
	}
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
		now            time.Time
	}{
		"another secret":  {"whsec_other", got, body, now},
		"another body":    {"whsec_test", got, []byte(`{"conference":"x","revision":3}`), now},
		"an old delivery": {"whsec_test", got, body, now.Add(time.Hour)},
		"no signature":    {"whsec_test", "t=1570525200", body, now},
	} {
		if err := verify(c.secret, c.header, c.body, c.now); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

// receiver is a webhook receiver that records every request and answers
// 503 while it is down.
type receiver struct {
	srv    *httptest.Server
	secret atomic.Pointer[string]
	down   atomic.Bool

	mu       sync.Mutex
	requests []received
}

type received struct {
	delivery string // Confcal-Delivery
	status   int
	doc      api.Revision
	err      error // what the receiver found wrong
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rec := received{delivery: req.Header.Get(webhook.DeliveryHeader), status: http.StatusOK}
		if s := r.secret.Load(); s != nil {
			rec.err = verify(*s, req.Header.Get(webhook.SignatureHeader), body, time.Now())
		}
		if err := json.Unmarshal(body, &rec.doc); err != nil && rec.err == nil {
			rec.err = err
		}
		if req.Header.Get("Content-Type") != "application/json" && rec.err == nil {
			rec.err = fmt.Errorf("Content-Type %q", req.Header.Get("Content-Type"))
		}
		switch {
		case r.down.Load():
			rec.status = http.StatusServiceUnavailable
		case rec.err != nil:
			rec.status = http.StatusBadRequest
		}
		r.mu.Lock()
		r.requests = append(r.requests, rec)
		r.mu.Unlock()
		w.WriteHeader(rec.status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// accepted lists the Confcal-Delivery of the requests answered 200.
func (r *receiver) accepted() []string {
	var out []string
	for _, x := range r.all() {
		if x.status == http.StatusOK {
			out = append(out, x.delivery)
		}
	}
	return out
}

// waitFor waits until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fixture is a conference on a memory store with its agenda service.
type fixture struct {
	reg    *memstore.Registry
	svc    *agenda.Service
	client *outbound.Client
	hooks  *webhook.Registry
}

func newFixture(t *testing.T, client *outbound.Client) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{reg: memstore.NewRegistry(), client: client}
	if err := f.reg.AddConference(ctx, agenda.Listing{Slug: "conf"}); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.svc, err = agenda.Open(ctx, f.reg.Agenda("conf"), func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }, nil); err != nil {
		t.Fatal(err)
	}
	f.hooks = &webhook.Registry{Store: f.reg, Client: client}
	return f
}

// retitle makes a revision that retitles late-talk.
func (f *fixture) retitle(t *testing.T, title string) {
	t.Helper()
	if _, _, err := f.svc.Change(context.Background(), "test", func(e *agenda.Editor) error {
		return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title})
	}); err != nil {
		t.Fatal(err)
	}
}

// run runs a fast Deliverer until the test ends.
func (f *fixture) run(t *testing.T) {
	d := &webhook.Deliverer{Store: f.reg, Client: f.client, Poll: 5 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond,
		Snapshot: func(context.Context, string, int64) (*agenda.Snapshot, error) { return f.svc.Current(), nil }}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
}

func deliveries(from, to int) []string {
	var out []string
	for r := from; r <= to; r++ {
		out = append(out, fmt.Sprint("conf:", r))
	}
	return out
}

// The receiver is down for a while, then up: every revision arrives,
// signed, in order, none skipped; nothing after a revision arrives before
// it is accepted.
func TestDeliveryThroughAnOutage(t *testing.T) {
	f := newFixture(t, outbound.New(outbound.Options{AllowLoopback: true}))
	rcv := newReceiver(t)
	h, err := f.hooks.AddWebhook(context.Background(), "conf", rcv.srv.URL+"/hook")
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret.Store(&h.Secret)
	rcv.down.Store(true)
	for i := range 3 {
		f.retitle(t, fmt.Sprint("Title ", i))
	}
	f.run(t)
	waitFor(t, "three refused attempts", func() bool { return len(rcv.all()) >= 3 })
	for i := 3; i < 5; i++ {
		f.retitle(t, fmt.Sprint("Title ", i))
	}
	out, _ := f.reg.Outbox(context.Background(), "conf")
	if len(out) != 5 || out[0].Attempts == 0 || !strings.Contains(out[0].LastError, "503") {
		t.Errorf("outbox while down = %+v, want revisions 2 to 6, the first with failed attempts", out)
	}
	rcv.down.Store(false)
	waitFor(t, "all five revisions accepted", func() bool { return len(rcv.accepted()) >= 5 })
	if got := rcv.accepted(); !slices.Equal(got, deliveries(2, 6)) {
		t.Errorf("accepted %v, want %v in order", got, deliveries(2, 6))
	}
	done := map[int64]bool{}
	for _, x := range rcv.all() {
		if x.err != nil {
			t.Errorf("delivery %s: %v", x.delivery, x.err)
		}
		rev := x.doc.Revision
		if x.delivery != fmt.Sprint(x.doc.Conference, ":", rev) {
			t.Errorf("Confcal-Delivery %s for the body of %s revision %d", x.delivery, x.doc.Conference, rev)
		}
		for r := int64(2); r < rev; r++ {
			if !done[r] {
				t.Errorf("revision %d was sent before revision %d was accepted", rev, r)
			}
		}
		if x.status == http.StatusOK {
			done[rev] = true
		}
		if !slices.Equal(x.doc.Sessions, []string{"late-talk"}) || len(x.doc.Changes) != 1 || x.doc.Changes[0].Field != "title" ||
			x.doc.Changes[0].New != fmt.Sprint("Title ", rev-2) || len(x.doc.Summaries) != 1 || x.doc.Time == "" {
			t.Errorf("revision %d delivered as %+v", rev, x.doc)
		}
	}
	waitFor(t, "an empty outbox", func() bool {
		out, _ := f.reg.Outbox(context.Background(), "conf")
		return len(out) == 0
	})
}

// A receiver that stays down holds back its own deliveries only.
func TestDeliveryPerWebhook(t *testing.T) {
	f := newFixture(t, outbound.New(outbound.Options{AllowLoopback: true}))
	up, down := newReceiver(t), newReceiver(t)
	down.down.Store(true)
	for _, r := range []*receiver{down, up} {
		h, err := f.hooks.AddWebhook(context.Background(), "conf", r.srv.URL+"/hook")
		if err != nil {
			t.Fatal(err)
		}
		r.secret.Store(&h.Secret)
	}
	f.run(t)
	for i := range 3 {
		f.retitle(t, fmt.Sprint("Title ", i))
	}
	waitFor(t, "the receiver that is up gets everything", func() bool { return len(up.accepted()) == 3 })
	if got := up.accepted(); !slices.Equal(got, deliveries(2, 4)) {
		t.Errorf("accepted %v, want %v", got, deliveries(2, 4))
	}
	for _, x := range down.all() {
		if x.delivery != "conf:2" {
			t.Errorf("the receiver that is down was sent %s before conf:2 was accepted", x.delivery)
		}
	}
}

// staticResolver resolves every name to addrs.
type staticResolver []netip.Addr

func (r staticResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return r, nil
}

// Webhook URLs follow outbound's rules: private targets are refused when
// added, names resolving to them and redirects when delivering; a refused
// delivery stays in the outbox with its reason.
func TestWebhookTargets(t *testing.T) {
	ctx := context.Background()
	strict := newFixture(t, outbound.New(outbound.Options{}))
	for _, u := range []string{"http://hooks.example.org/", "https://127.0.0.1/", "https://[::1]/", "https://10.0.0.1/", "https://192.168.0.10/",
		"https://169.254.169.254/", "https://[fe80::1]/", "https://user:pw@hooks.example.org/", "hooks.example.org/in", ""} {
		if _, err := strict.hooks.AddWebhook(ctx, "conf", u); !errors.Is(err, agenda.ErrInvalid) {
			t.Errorf("AddWebhook(%q): %v, want ErrInvalid", u, err)
		}
	}
	if _, err := strict.hooks.AddWebhook(ctx, "nobody", "https://hooks.example.org/"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a webhook of an unknown conference: %v", err)
	}

	var hits atomic.Int32
	target := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer target.Close()
	redirect := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusPermanentRedirect)
	}))
	defer redirect.Close()
	pool := x509.NewCertPool()
	pool.AddCert(redirect.Certificate())
	pool.AddCert(target.Certificate())
	f := newFixture(t, outbound.New(outbound.Options{AllowLoopback: true, RootCAs: pool, Resolver: staticResolver{netip.MustParseAddr("10.0.0.5")}}))
	for _, u := range []string{redirect.URL + "/hook", "https://hooks.internal.example/hook"} {
		if _, err := f.hooks.AddWebhook(ctx, "conf", u); err != nil {
			t.Fatal(err)
		}
	}
	f.retitle(t, "Moved")
	f.run(t)
	waitFor(t, "both deliveries refused at least twice", func() bool {
		out, _ := f.reg.Outbox(ctx, "conf")
		return len(out) == 2 && out[0].Attempts >= 2 && out[1].Attempts >= 2
	})
	out, _ := f.reg.Outbox(ctx, "conf")
	if !strings.Contains(out[0].LastError, "redirect") || !strings.Contains(out[1].LastError, "address refused") {
		t.Errorf("reasons %q and %q, want a refused redirect and a refused address", out[0].LastError, out[1].LastError)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

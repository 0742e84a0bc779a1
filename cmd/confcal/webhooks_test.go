package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confcal/api"
	"confcal/sqlite"
)

// hookReceiver records the deliveries it is sent, checking each one's
// signature as the README's example does, and answers 503 while down.
type hookReceiver struct {
	srv    *httptest.Server
	secret atomic.Pointer[string]
	down   atomic.Bool
	delay  atomic.Int64 // nanoseconds each answer takes

	mu       sync.Mutex
	attempts int
	accepted []string // Confcal-Delivery of the requests answered 200
	bad      []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		time.Sleep(time.Duration(r.delay.Load()))
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts++
		if r.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		id := req.Header.Get("Confcal-Delivery")
		var doc api.Revision
		secret := r.secret.Load()
		switch {
		case secret == nil:
			r.bad = append(r.bad, id+": delivered before the webhook's secret was known")
		case !checkSignature(*secret, req.Header.Get("Confcal-Signature"), body):
			r.bad = append(r.bad, id+": the signature does not verify")
		case json.Unmarshal(body, &doc) != nil || id != fmt.Sprint(doc.Conference, ":", doc.Revision):
			r.bad = append(r.bad, id+": the body is not its revision: "+string(body))
		}
		r.accepted = append(r.accepted, id)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// checkSignature verifies Confcal-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>.
func checkSignature(secret, header string, body []byte) bool {
	m := regexp.MustCompile(`^t=(\d+),v1=([0-9a-f]{64})$`).FindStringSubmatch(header)
	if m == nil {
		return false
	}
	t, _ := strconv.ParseInt(m[1], 10, 64)
	if d := time.Since(time.Unix(t, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(m[1] + "."))
	mac.Write(body)
	want, _ := hex.DecodeString(m[2])
	return hmac.Equal(mac.Sum(nil), want)
}

func (r *hookReceiver) state() (attempts int, accepted, bad []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts, slices.Clone(r.accepted), slices.Clone(r.bad)
}

// Webhooks through serve: added with the command line (through the
// server's API), revisions made through the API and, while the server is
// stopped, on its store by the command line; the receiver is down until
// the server has been restarted. Every revision reaches it, once each, in
// order, signed.
func TestServeWebhooksSurviveRestart(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "webhook-test-token")
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"-addr", "127.0.0.1:0", "-data", data, "-push-allow-loopback"}
	rcv := newHookReceiver(t)
	rcv.down.Store(true)
	addr, _, cancel, done := startServe(t, args...)
	server := "http://" + addr

	stdout, stderr, err := runCmd(t, "", "webhooks", "add", "-server", server, rcv.srv.URL+"/confcal")
	if err != nil {
		t.Fatalf("webhooks add: %v\n%s", err, stderr)
	}
	m := regexp.MustCompile(`(?m)^secret: (whsec_\S+)$`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("webhooks add printed no secret:\n%s", stdout)
	}
	rcv.secret.Store(&m[1])
	if stdout, _, err := runCmd(t, "", "webhooks", "list", "-server", server); err != nil || !strings.Contains(stdout, rcv.srv.URL) || strings.Contains(stdout, m[1]) {
		t.Errorf("webhooks list = %q, %v; want the URL and no secret", stdout, err)
	}
	// On the local store, the URL is checked by production's rules:
	// loopback is refused, whatever the server was started with.
	if _, _, err := runCmd(t, "", "webhooks", "add", "-data", data, rcv.srv.URL+"/other"); err == nil {
		t.Error("webhooks add of a loopback URL on the local store succeeded")
	}

	ids := seed(t).SessionIDs()
	for i := range 3 {
		if _, stderr, err := runCmd(t, "", "rename", "-server", server, ids[i], fmt.Sprint("Renamed through the API ", i)); err != nil {
			t.Fatalf("rename: %v\n%s", err, stderr)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for n, _, _ := rcv.state(); n < 2; n, _, _ = rcv.state() {
		if time.Now().After(deadline) {
			t.Fatal("no delivery attempted while the receiver was down")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// The server is down: the command line changes its store.
	for i := 3; i < 5; i++ {
		if _, stderr, err := runCmd(t, "", "rename", "-data", data, ids[i], fmt.Sprint("Renamed on the store ", i)); err != nil {
			t.Fatalf("rename on the store: %v\n%s", err, stderr)
		}
	}
	rcv.down.Store(false)
	startServe(t, args...)
	want := []string{"flink-forward-berlin-2019:2", "flink-forward-berlin-2019:3", "flink-forward-berlin-2019:4",
		"flink-forward-berlin-2019:5", "flink-forward-berlin-2019:6"}
	deadline = time.Now().Add(20 * time.Second)
	for {
		_, accepted, bad := rcv.state()
		if len(bad) > 0 {
			t.Fatalf("bad deliveries: %v", bad)
		}
		if len(accepted) >= len(want) {
			if !slices.Equal(accepted, want) {
				t.Fatalf("delivered %v, want %v", accepted, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart, delivered %v, want %v", accepted, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Webhooks across a SIGKILL: the real binary is killed while revisions are
// made and delivered; after a restart on the same data directory, every
// revision stored reaches the receiver, first deliveries in order (a
// delivery whose answer the killed process never recorded may come twice:
// at least once, not exactly once).
func TestWebhooksSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	rcv := newHookReceiver(t)
	// A slow receiver: the outbox lags behind the changes, so the kill
	// leaves deliveries waiting, and likely one in flight.
	rcv.delay.Store(int64(30 * time.Millisecond))
	data := filepath.Join(t.TempDir(), "data")
	p := startBinary(t, bin, data, "-push-allow-loopback")
	base := "http://" + p.addr
	call := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	var hook api.Webhook
	req, _ := http.NewRequest(http.MethodPost, base+"/api/webhooks", strings.NewReader(`{"url":"`+rcv.srv.URL+`/in"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(resp.Body).Decode(&hook); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/webhooks: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	rcv.secret.Store(&hook.Secret)
	acked := 0
	for n := range 40 {
		r := call(http.MethodPatch, "/api/sessions/flinks-new-batch-architecture", fmt.Sprintf(`{"abstract":"change %d"}`, n))
		if r == nil || r.StatusCode != http.StatusOK {
			t.Fatalf("PATCH %d: %v", n, r)
		}
		acked++
		time.Sleep(50 * time.Millisecond) // a pace the deliveries almost keep up with
		if n == 25 {
			p.cmd.Process.Kill() // SIGKILL: deliveries in flight, the outbox half sent
			break
		}
	}
	<-p.done
	p.done <- nil // for the cleanup's wait
	_, before, _ := rcv.state()

	startBinary(t, bin, data, "-push-allow-loopback")
	st, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Revision(context.Background())
	st.Close()
	if err != nil || stored < int64(acked)+1 {
		t.Fatalf("stored revision %d (%v) after %d acknowledged changes", stored, err, acked)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, accepted, bad := rcv.state()
		if len(bad) > 0 {
			t.Fatalf("bad deliveries: %v", bad)
		}
		var firsts []string
		seen := map[string]bool{}
		for _, id := range accepted {
			if !seen[id] {
				seen[id] = true
				firsts = append(firsts, id)
			}
		}
		var want []string
		for rev := int64(2); rev <= stored; rev++ {
			want = append(want, fmt.Sprint("flink-forward-berlin-2019:", rev))
		}
		if len(firsts) >= len(want) {
			if !slices.Equal(firsts, want) {
				t.Fatalf("first deliveries %v, want %v", firsts, want)
			}
			if len(before) >= len(want) {
				t.Errorf("every delivery was made before the kill (%d): the test killed nothing in the middle", len(before))
			}
			t.Logf("%d revisions, %d delivered before the kill, %d deliveries in all", len(want), len(before), len(accepted))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart, first deliveries %v, want %v", firsts, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The webhooks command on the local store: add (the secret printed once),
// list (without it), remove; mistakes are refused with a message.
func TestWebhooksCommandLocal(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, stderr, err := runCmd(t, "", "webhooks", "list", "-data", data); err == nil || !strings.Contains(err.Error(), "holds no store") {
		t.Errorf("webhooks list without a store: %v %s", err, stderr)
	}
	if _, stderr, err := runCmd(t, "", "sessions", "-data", data); err != nil {
		t.Fatalf("sessions: %v %s", err, stderr)
	}
	if _, stderr, err := runCmd(t, "", "rename", "-data", data, seed(t).SessionIDs()[0], "Renamed"); err != nil {
		t.Fatalf("rename: %v %s", err, stderr)
	}
	stdout, stderr, err := runCmd(t, "", "webhooks", "add", "-data", data, "https://hooks.example.org/in?key=k")
	if err != nil {
		t.Fatalf("webhooks add: %v %s", err, stderr)
	}
	m := regexp.MustCompile(`(?m)^webhook (wh_\S+): .*\nsecret: (whsec_\S+)$`).FindStringSubmatch(stdout)
	if m == nil || !strings.Contains(stderr, "not shown again") {
		t.Fatalf("webhooks add printed %q, %q", stdout, stderr)
	}
	stdout, _, err = runCmd(t, "", "webhooks", "-data", data)
	if err != nil || !strings.Contains(stdout, m[1]) || !strings.Contains(stdout, "https://hooks.example.org/in?key=k") || strings.Contains(stdout, m[2]) {
		t.Errorf("webhooks list = %q, %v; want the webhook without its secret", stdout, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "-data", data, "http://hooks.example.org/"}, "https"},
		{[]string{"add", "-data", data, "https://10.0.0.1/"}, "private"},
		{[]string{"add", "-data", data}, "want the URL"},
		{[]string{"remove", "-data", data, "wh_nosuch"}, "webhooks remove: no webhook wh_nosuch in this conference"},
		{[]string{"list", "-data", data, "-conference", "nosuch"}, "no conference"},
		{[]string{"frobnicate"}, "unknown subcommand"},
	} {
		if _, _, err := runCmd(t, "", append([]string{"webhooks"}, c.args...)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("webhooks %v: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	if stdout, _, err := runCmd(t, "", "webhooks", "remove", "-data", data, m[1]); err != nil || !strings.Contains(stdout, "removed") {
		t.Errorf("webhooks remove: %q, %v", stdout, err)
	}
	if stdout, _, _ := runCmd(t, "", "webhooks", "list", "-data", data); !strings.Contains(stdout, "no webhooks") {
		t.Errorf("after remove: %q", stdout)
	}
}

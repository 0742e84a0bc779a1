package webpush_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"confcal/outbound"
	"confcal/webpush"
	"confcal/webpush/pushtest"
)

var start = time.Date(2026, 10, 7, 9, 0, 0, 0, time.UTC)

const subject = "mailto:ops@confcal.example"

// setup returns a push service, a subscription to it restricted to the
// sender's VAPID key, and a sender whose waits are counted on an
// automatic clock.
func setup(t *testing.T, opts webpush.Options) (*pushtest.Server, webpush.Subscription, *webpush.Sender, *pushtest.Clock) {
	t.Helper()
	srv := pushtest.NewServer(t)
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	clock := pushtest.NewAutoClock(start)
	if opts.Keys == nil {
		opts.Keys = keys
	}
	if opts.Subject == "" {
		opts.Subject = subject
	}
	if opts.Client == nil {
		opts.Client = srv.Client(outbound.Options{})
	}
	if opts.Clock == nil {
		opts.Clock = clock
	}
	s, err := webpush.NewSender(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv, srv.Subscribe(t, opts.Keys.PublicKey()), s, clock
}

func TestSend(t *testing.T) {
	srv, sub, s, clock := setup(t, webpush.Options{})
	payload := []byte(`<?xml version="1.0" encoding="utf-8"?><push-message xmlns="https://bitfire.at/webdav-push"><topic>O7M1nQ7cKkKTKsoS_j6Z3w</topic></push-message>`)
	msg := webpush.Message{
		Payload: payload,
		Topic:   webpush.Topic("tracks/keynote"),
		Urgency: webpush.UrgencyLow,
		TTL:     time.Hour,
	}
	if err := s.Check(sub); err != nil {
		t.Fatalf("Check(subscription to the test push service): %v", err)
	}
	if err := s.Send(t.Context(), sub, msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("the push service got %d messages, want 1: %+v", len(got), got)
	}
	m := got[0]
	if m.Err != nil || m.Status != http.StatusCreated {
		t.Fatalf("the push service answered %d: %v", m.Status, m.Err)
	}
	if !bytes.Equal(m.Payload, payload) {
		t.Errorf("decrypted payload %q, want %q", m.Payload, payload)
	}
	if m.Topic != webpush.Topic("tracks/keynote") || m.Urgency != "low" || m.TTL != 3600 {
		t.Errorf("Topic %q, Urgency %q, TTL %d; want %q, low, 3600", m.Topic, m.Urgency, m.TTL, webpush.Topic("tracks/keynote"))
	}
	if m.VAPID.Subject != subject || m.VAPID.Audience != srv.URL {
		t.Errorf("VAPID subject %q, audience %q; want %q, %q", m.VAPID.Subject, m.VAPID.Audience, subject, srv.URL)
	}
	// The library pads every message to one 4096-byte record.
	if m.BodySize != 4096 {
		t.Errorf("body of %d bytes, want 4096", m.BodySize)
	}
	if w := clock.Waits(); len(w) != 0 {
		t.Errorf("Send waited %v, want no wait", w)
	}

	// No Topic, no Urgency, the default TTL, an empty payload.
	if err := s.Send(t.Context(), sub, webpush.Message{}); err != nil {
		t.Fatalf("Send(empty message): %v", err)
	}
	m = srv.Messages()[1]
	if m.Err != nil || len(m.Payload) != 0 || m.Topic != "" || m.Urgency != "" || m.TTL != int(webpush.DefaultTTL/time.Second) {
		t.Errorf("empty message: %+v; want no payload, topic or urgency, TTL %d", m, int(webpush.DefaultTTL/time.Second))
	}
}

func TestSendPayloadSizes(t *testing.T) {
	srv, sub, s, _ := setup(t, webpush.Options{})
	largest := bytes.Repeat([]byte("x"), webpush.MaxPayload)
	if err := s.Send(t.Context(), sub, webpush.Message{Payload: largest}); err != nil {
		t.Fatalf("Send(%d bytes): %v", len(largest), err)
	}
	if m := srv.Messages()[0]; !bytes.Equal(m.Payload, largest) || m.BodySize != 4096 {
		t.Errorf("the push service decrypted %d bytes from %d, want %d from 4096", len(m.Payload), m.BodySize, len(largest))
	}
	err := s.Send(t.Context(), sub, webpush.Message{Payload: append(largest, 'x')})
	if !errors.Is(err, webpush.ErrMessage) {
		t.Errorf("Send(%d bytes) = %v, want ErrMessage", webpush.MaxPayload+1, err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("the push service got %d messages, want only the first", n)
	}

	// Spare capacity behind the payload is not written to.
	buf := bytes.Repeat([]byte{0xAA}, 64)
	payload := buf[:5]
	copy(payload, "hello")
	if err := s.Send(t.Context(), sub, webpush.Message{Payload: payload}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf[5:], bytes.Repeat([]byte{0xAA}, 59)) {
		t.Errorf("Send wrote into the payload's spare capacity: % x", buf[5:16])
	}
}

func TestSendBadMessage(t *testing.T) {
	srv, sub, s, _ := setup(t, webpush.Options{})
	for _, msg := range []webpush.Message{
		{Topic: "calendar/keynote"},       // not base64url
		{Topic: webpush.Topic("x") + "A"}, // 33 characters
		{Urgency: "urgent"},
		{TTL: -time.Second},
	} {
		if err := s.Send(t.Context(), sub, msg); !errors.Is(err, webpush.ErrMessage) {
			t.Errorf("Send(%+v) = %v, want ErrMessage", msg, err)
		}
	}
	bad := sub
	bad.Auth = bad.Auth[:8]
	if err := s.Send(t.Context(), bad, webpush.Message{}); !errors.Is(err, webpush.ErrSubscription) {
		t.Errorf("Send(auth of 8 bytes) = %v, want ErrSubscription", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("the push service got %d messages, want none", n)
	}
}

func TestSendGone(t *testing.T) {
	srv, sub, s, clock := setup(t, webpush.Options{})
	srv.Expire(sub)
	err := s.Send(t.Context(), sub, webpush.Message{Payload: []byte("x")})
	var se *webpush.StatusError
	if !errors.Is(err, webpush.ErrGone) || !errors.As(err, &se) || se.StatusCode != http.StatusGone {
		t.Errorf("Send to an expired subscription = %v, want ErrGone with status 410", err)
	}
	unknown := sub
	unknown.Endpoint = srv.URL + "/push/never-made"
	err = s.Send(t.Context(), unknown, webpush.Message{Payload: []byte("x")})
	if !errors.Is(err, webpush.ErrGone) || !errors.As(err, &se) || se.StatusCode != http.StatusNotFound {
		t.Errorf("Send to an unknown subscription = %v, want ErrGone with status 404", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("the push service got %d requests, want 2 (no retries)", n)
	}
	if w := clock.Waits(); len(w) != 0 {
		t.Errorf("Send waited %v, want no wait", w)
	}
}

func TestSendRetries(t *testing.T) {
	tests := []struct {
		name      string
		replies   []pushtest.Reply
		wantErr   error // nil: delivered at last
		wantWaits []time.Duration
		wantTries int
		retryIn   time.Duration // the *StatusError's RetryAfter
	}{
		{
			name:      "500 twice, then accepted",
			replies:   []pushtest.Reply{{Status: 500}, {Status: 500}},
			wantWaits: []time.Duration{time.Second, 2 * time.Second},
			wantTries: 3,
		},
		{
			name:      "503 with Retry-After in seconds",
			replies:   []pushtest.Reply{{Status: 503, RetryAfter: "7"}},
			wantWaits: []time.Duration{7 * time.Second},
			wantTries: 2,
		},
		{
			name:      "429 with Retry-After as a date",
			replies:   []pushtest.Reply{{Status: 429, RetryAfter: start.Add(30 * time.Second).Format(http.TimeFormat)}},
			wantWaits: []time.Duration{30 * time.Second},
			wantTries: 2,
		},
		{
			name:      "429 with a Retry-After in the past: the backoff",
			replies:   []pushtest.Reply{{Status: 429, RetryAfter: start.Add(-time.Hour).Format(http.TimeFormat)}},
			wantWaits: []time.Duration{time.Second},
			wantTries: 2,
		},
		{
			name:      "502 every time",
			replies:   []pushtest.Reply{{Status: 502}, {Status: 502}, {Status: 502}},
			wantErr:   webpush.ErrUnavailable,
			wantWaits: []time.Duration{time.Second, 2 * time.Second},
			wantTries: 3,
		},
		{
			name:      "Retry-After longer than MaxWait: returned at once",
			replies:   []pushtest.Reply{{Status: 503, RetryAfter: "3600"}},
			wantErr:   webpush.ErrUnavailable,
			wantTries: 1,
			retryIn:   time.Hour,
		},
		{
			name:      "400 is final",
			replies:   []pushtest.Reply{{Status: 400}},
			wantErr:   webpush.ErrRejected,
			wantTries: 1,
		},
		{
			name:      "413 is final",
			replies:   []pushtest.Reply{{Status: 413}},
			wantErr:   webpush.ErrRejected,
			wantTries: 1,
		},
		{
			name:      "410 after a 500",
			replies:   []pushtest.Reply{{Status: 500}, {Status: 410}},
			wantErr:   webpush.ErrGone,
			wantWaits: []time.Duration{time.Second},
			wantTries: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, sub, s, clock := setup(t, webpush.Options{})
			srv.Reply(tt.replies...)
			payload := []byte("calendar keynote changed")
			err := s.Send(t.Context(), sub, webpush.Message{Payload: payload, Topic: webpush.Topic("keynote")})
			if tt.wantErr == nil && err != nil {
				t.Errorf("Send: %v, want it delivered", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Send = %v, want %v", err, tt.wantErr)
			}
			var se *webpush.StatusError
			if errors.As(err, &se) && se.RetryAfter != tt.retryIn {
				t.Errorf("RetryAfter = %v, want %v", se.RetryAfter, tt.retryIn)
			}
			if w := clock.Waits(); !slices.Equal(w, tt.wantWaits) {
				t.Errorf("waits %v, want %v", w, tt.wantWaits)
			}
			msgs := srv.Messages()
			if len(msgs) != tt.wantTries {
				t.Errorf("the push service got %d requests, want %d", len(msgs), tt.wantTries)
			}
			// Every try was a whole, valid message.
			for i, m := range msgs {
				if m.Err != nil || !bytes.Equal(m.Payload, payload) {
					t.Errorf("try %d: %q, %v; want the payload", i+1, m.Payload, m.Err)
				}
			}
		})
	}
}

func TestSendOptions(t *testing.T) {
	srv, sub, s, clock := setup(t, webpush.Options{MaxAttempts: 5, Backoff: 10 * time.Second, MaxWait: 2 * time.Hour})
	srv.Reply(pushtest.Reply{Status: 500}, pushtest.Reply{Status: 500}, pushtest.Reply{Status: 503, RetryAfter: "3600"}, pushtest.Reply{Status: 500})
	if err := s.Send(t.Context(), sub, webpush.Message{Payload: []byte("x")}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, time.Hour, 80 * time.Second}
	if w := clock.Waits(); !slices.Equal(w, want) {
		t.Errorf("waits %v, want %v", w, want)
	}

	// The backoff doubles up to MaxWait and no further.
	srv, sub, s, clock = setup(t, webpush.Options{MaxAttempts: 4, Backoff: 40 * time.Second, MaxWait: time.Minute})
	srv.Reply(pushtest.Reply{Status: 500}, pushtest.Reply{Status: 500}, pushtest.Reply{Status: 500})
	if err := s.Send(t.Context(), sub, webpush.Message{Payload: []byte("x")}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want = []time.Duration{40 * time.Second, time.Minute, time.Minute}
	if w := clock.Waits(); !slices.Equal(w, want) {
		t.Errorf("waits %v, want %v", w, want)
	}
}

func TestSendRestrictedSubscription(t *testing.T) {
	// A subscription made for another application server's key: the
	// push service refuses the message (403), and that is final.
	srv, _, s, _ := setup(t, webpush.Options{})
	other, _ := webpush.GenerateKeys()
	sub := srv.Subscribe(t, other.PublicKey())
	err := s.Send(t.Context(), sub, webpush.Message{Payload: []byte("x")})
	var se *webpush.StatusError
	if !errors.Is(err, webpush.ErrRejected) || !errors.As(err, &se) || se.StatusCode != http.StatusForbidden {
		t.Errorf("Send = %v, want ErrRejected with 403", err)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Err == nil {
		t.Errorf("the push service got %+v, want one refused message", msgs)
	}
}

func TestSendForbiddenEndpoint(t *testing.T) {
	// Endpoints chosen to reach internal services: refused by outbound
	// before any connection, final, and refused by Check too.
	srv, sub, s, clock := setup(t, webpush.Options{})
	for _, ep := range []string{
		"https://10.0.0.1/push/x",
		"https://169.254.169.254/latest/meta-data/",
		"https://[::ffff:192.168.0.1]/push/x",
	} {
		bad := sub
		bad.Endpoint = ep
		err := s.Send(t.Context(), bad, webpush.Message{Payload: []byte("x")})
		if !errors.Is(err, webpush.ErrRejected) || !errors.Is(err, outbound.ErrAddress) {
			t.Errorf("Send to %s = %v, want ErrRejected and outbound.ErrAddress", ep, err)
		}
		if err := s.Check(bad); !errors.Is(err, webpush.ErrSubscription) || !errors.Is(err, outbound.ErrAddress) {
			t.Errorf("Check(%s) = %v, want ErrSubscription and outbound.ErrAddress", ep, err)
		}
	}
	// The default client of a Sender refuses loopback, so a sender
	// without the test client cannot reach the test push service.
	keys, _ := webpush.GenerateKeys()
	prod, err := webpush.NewSender(webpush.Options{Keys: keys, Subject: subject, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := prod.Send(t.Context(), sub, webpush.Message{}); !errors.Is(err, outbound.ErrAddress) {
		t.Errorf("Send with the default client to %s = %v, want outbound.ErrAddress", sub.Endpoint, err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("the push service got %d messages, want none", n)
	}
	if w := clock.Waits(); len(w) != 0 {
		t.Errorf("waits %v, want none (refusals are final)", w)
	}
}

func TestSendNetworkError(t *testing.T) {
	// A port nothing listens on: connections are refused, which may pass,
	// so Send retries and then gives up with ErrUnavailable.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, sub, s, clock := setup(t, webpush.Options{})
	sub.Endpoint = "https://" + addr + "/push/x"
	err = s.Send(t.Context(), sub, webpush.Message{Payload: []byte("x")})
	if !errors.Is(err, webpush.ErrUnavailable) {
		t.Errorf("Send to a closed port = %v, want ErrUnavailable", err)
	}
	if w := clock.Waits(); len(w) != 2 {
		t.Errorf("waits %v, want 2 (3 attempts)", w)
	}
}

func TestSendCancelledWhileWaiting(t *testing.T) {
	srv := pushtest.NewServer(t)
	keys, _ := webpush.GenerateKeys()
	clock := pushtest.NewClock(start) // never advanced: the wait lasts until cancelled
	s, err := webpush.NewSender(webpush.Options{Keys: keys, Subject: subject, Client: srv.Client(outbound.Options{}), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	sub := srv.Subscribe(t, keys.PublicKey())
	srv.Reply(pushtest.Reply{Status: 503})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, sub, webpush.Message{Payload: []byte("x")}) }()
	for clock.Pending() == 0 {
		select {
		case err := <-done:
			t.Fatalf("Send returned %v before waiting", err)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	err = <-done
	if !errors.Is(err, context.Canceled) || !errors.Is(err, webpush.ErrUnavailable) {
		t.Errorf("Send cancelled while waiting = %v, want context.Canceled and the ErrUnavailable it waited after", err)
	}
	if clock.Pending() != 0 {
		t.Error("the wait's timer was not stopped")
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("the push service got %d messages, want 1", n)
	}
}

func TestNewSender(t *testing.T) {
	keys, _ := webpush.GenerateKeys()
	for _, tt := range []struct {
		keys    *webpush.Keys
		subject string
		ok      bool
	}{
		{keys, "mailto:ops@confcal.example", true},
		{keys, "https://confcal.example/contact", true},
		{nil, "mailto:ops@confcal.example", false},
		{keys, "", false},
		{keys, "ops@confcal.example", false},
		{keys, "mailto:", false},
		{keys, "mailto:ops", false},
		{keys, "mailto:@confcal.example", false},
		{keys, "mailto:ops@confcal.example\r\nX: y", false},
		{keys, "http://confcal.example/contact", false},
		{keys, "https://", false},
	} {
		_, err := webpush.NewSender(webpush.Options{Keys: tt.keys, Subject: tt.subject})
		if (err == nil) != tt.ok {
			t.Errorf("NewSender(keys %v, subject %q) = %v, want ok=%v", tt.keys != nil, tt.subject, err, tt.ok)
		}
	}
}

package ratelimit_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"confcal/ratelimit"
)

func TestBurstThenRefill(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := ratelimit.New(3, time.Minute)
	l.SetClock(func() time.Time { return now })
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("action %d refused within the burst", i+1)
		}
	}
	if l.Allow("a") {
		t.Fatal("fourth action allowed, want the burst of 3 to be spent")
	}
	if !l.Blocked("a") || l.Blocked("b") {
		t.Error("Blocked: want a blocked, b not")
	}
	if !l.Allow("b") {
		t.Error("another key shares a's bucket")
	}
	if d := l.RetryAfter("a"); d != time.Minute {
		t.Errorf("RetryAfter = %s, want 1m", d)
	}
	now = now.Add(30 * time.Second)
	if l.Allow("a") {
		t.Error("allowed after half a refill period")
	}
	now = now.Add(31 * time.Second)
	if !l.Allow("a") {
		t.Error("refused after a refill period")
	}
	if l.Allow("a") {
		t.Error("one period gave more than one token")
	}
}

func TestTableStaysBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := ratelimit.New(1, time.Hour)
	l.SetClock(func() time.Time { return now })
	for i := range ratelimit.MaxKeys + 1000 {
		l.Allow(fmt.Sprint(i))
	}
	// Not observable from outside but through behaviour: a flood of new
	// keys must not keep a key blocked forever or grow without bound; the
	// newest key is still limited.
	key := fmt.Sprint(ratelimit.MaxKeys + 999)
	if l.Allow(key) {
		t.Error("the newest key's spent bucket was dropped")
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct {
		remote, xff string
		trust       bool
		want        string
	}{
		{"192.0.2.7:4711", "", false, "192.0.2.7"},
		{"192.0.2.7:4711", "198.51.100.1", false, "192.0.2.7"},
		{"192.0.2.7:4711", "198.51.100.1", true, "198.51.100.1"},
		{"192.0.2.7:4711", "203.0.113.9, 198.51.100.1", true, "198.51.100.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", false, "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "", false, "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:80", "", false, "192.0.2.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := ratelimit.ClientKey(r, tc.trust); got != tc.want {
			t.Errorf("ClientKey(%s, XFF %q, trust %v) = %q, want %q", tc.remote, tc.xff, tc.trust, got, tc.want)
		}
	}
}

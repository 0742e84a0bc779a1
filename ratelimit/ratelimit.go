// Package ratelimit keeps one token bucket per key (a client address), so
// that what one client may do often — create a stored pick, fail to
// authenticate — it cannot do without bound.
//
// A bucket holds up to Burst tokens and gains one every Every; an action
// takes a token. The number of buckets is bounded: when the table is full,
// buckets that have refilled completely (which are the same as a new one)
// are dropped first, and if none has, an arbitrary one, so a flood of new
// addresses costs memory up to the bound and no more.
package ratelimit

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limiter is a table of token buckets, one per key. Its methods are safe
// for concurrent use.
type Limiter struct {
	burst float64
	every time.Duration
	max   int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// MaxKeys is the most buckets a Limiter keeps.
const MaxKeys = 100_000

// New returns a Limiter whose buckets hold burst tokens and gain one every
// every.
func New(burst int, every time.Duration) *Limiter {
	return &Limiter{burst: float64(burst), every: every, max: MaxKeys, now: time.Now, buckets: map[string]*bucket{}}
}

// SetClock makes the Limiter read the time from now; for tests.
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

// refill returns key's bucket brought up to date, nil when key has none
// (which reads as a full bucket). The caller holds l.mu.
func (l *Limiter) refill(key string, now time.Time) *bucket {
	b := l.buckets[key]
	if b == nil {
		return nil
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.at = now
	}
	return b
}

// Allow takes a token from key's bucket and reports whether there was one.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.refill(key, now)
	if b == nil {
		l.makeRoom(now)
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Blocked reports whether key's bucket is empty, without taking a token.
func (l *Limiter) Blocked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key, l.now())
	return b != nil && b.tokens < 1
}

// RetryAfter says how long key must wait for its next token (zero when it
// has one).
func (l *Limiter) RetryAfter(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key, l.now())
	if b == nil || b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(l.every))
}

// makeRoom drops buckets when the table is full: every bucket that has
// refilled (the same as none), then, if that freed too little, arbitrary
// ones down to seven eighths of the bound, so the sweep runs once per many
// new keys. The caller holds l.mu.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.buckets) < l.max {
		return
	}
	for k := range l.buckets {
		if b := l.refill(k, now); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) <= l.max*7/8 {
			break
		}
		delete(l.buckets, k)
	}
}

// ClientKey names the client of r for rate limits: its address, IPv6
// addresses cut to their /64 network (one host usually has a whole /64).
// The address is the connection's peer, unless trustProxy is set: then it
// is the last address in X-Forwarded-For, the one the proxy in front of
// the server appended (the ones before it are the client's word and could
// be anything). Behind a proxy without trustProxy, every client counts as
// the proxy.
func ClientKey(r *http.Request, trustProxy bool) string {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if last = strings.TrimSpace(last); last != "" {
				addr = last
			}
		}
	}
	ip := net.ParseIP(addr)
	switch {
	case ip == nil:
		return addr
	case ip.To4() != nil:
		return ip.To4().String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

package webpush

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	lib "github.com/SherClockHolmes/webpush-go"

	"confcal/outbound"
)

// Errors a Send fails with. Each wraps the cause; errors.Is tells what to
// do with the subscription.
var (
	// ErrGone: the push service no longer knows the subscription (404 or
	// 410, RFC 8030 §7.3). Remove it; it will never work again.
	ErrGone = errors.New("webpush: subscription gone")
	// ErrUnavailable: the push service could not be reached or was busy
	// (429, 5xx, network errors) after every attempt. Try later; a
	// *StatusError says when, if the push service did.
	ErrUnavailable = errors.New("webpush: push service unavailable")
	// ErrRejected: the push service refused the message (another 4xx),
	// or the endpoint may not be reached (outbound refused it). Sending
	// it again will not help.
	ErrRejected = errors.New("webpush: message rejected")
	// ErrMessage: the Message itself is invalid; nothing was sent.
	ErrMessage = errors.New("webpush: bad message")
)

// StatusError is a push service's answer other than success.
type StatusError struct {
	// StatusCode is the HTTP status the push service answered.
	StatusCode int
	// Body is the start of the answer's body, as printable text.
	Body string
	// RetryAfter is how long the push service asked to wait (its
	// Retry-After header), zero when it did not.
	RetryAfter time.Duration

	kind error // ErrGone, ErrUnavailable or ErrRejected
}

// Error names the kind of refusal, the status and any Retry-After.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%v: push service answered %d %s", e.kind, e.StatusCode, http.StatusText(e.StatusCode))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(", retry after %v", e.RetryAfter)
	}
	if e.Body != "" {
		msg += ": " + strconv.Quote(e.Body)
	}
	return msg
}

// Unwrap returns ErrGone, ErrUnavailable or ErrRejected.
func (e *StatusError) Unwrap() error { return e.kind }

// Urgency is how soon a subscriber's device should wake for a message
// (RFC 8030 §5.3); push services hold back less urgent ones on a device
// that saves its battery.
type Urgency string

// The urgencies of RFC 8030 §5.3. The zero Urgency sends none, which push
// services read as UrgencyNormal.
const (
	UrgencyVeryLow Urgency = "very-low"
	UrgencyLow     Urgency = "low"
	UrgencyNormal  Urgency = "normal"
	UrgencyHigh    Urgency = "high"
)

// MaxPayload is the longest payload a Message may have: RFC 8291 §4's
// 4096-byte record less the header (86 bytes), the padding delimiter and
// the AEAD tag (16 bytes), the most every push service must accept.
const MaxPayload = 3993

// DefaultTTL is the TTL of a Message that sets none.
const DefaultTTL = 24 * time.Hour

// Message is one push message.
type Message struct {
	// Payload is the plaintext, at most MaxPayload bytes; it reaches the
	// subscriber encrypted (WebDAV-Push: its push-message XML).
	Payload []byte
	// Topic, when set, makes the push service replace a queued message
	// with the same topic (RFC 8030 §5.4): use Topic(calendarID).
	Topic string
	// Urgency, when set, is sent as the Urgency header.
	Urgency Urgency
	// TTL is how long the push service keeps the message for a device
	// that is offline, in whole seconds (RFC 8030 §5.2); zero means
	// DefaultTTL.
	TTL time.Duration
}

// Defaults for the zero fields of Options.
const (
	DefaultMaxAttempts = 3
	DefaultBackoff     = time.Second
	DefaultMaxWait     = time.Minute
)

// Options configure a Sender.
type Options struct {
	// Keys sign every message (VAPID); required.
	Keys *Keys
	// Subject is how the push service's operator can reach the
	// server's (RFC 8292 §2.1): a mailto: or https: URI; required.
	Subject string
	// Client sends the requests; nil means outbound.New with its
	// defaults.
	Client *outbound.Client
	// MaxAttempts bounds the tries of one Send, the first included.
	MaxAttempts int
	// Backoff is the wait before the first retry, doubled before each
	// further one (up to MaxWait), unless the push service sent
	// Retry-After.
	Backoff time.Duration
	// MaxWait is the longest Retry-After a Send waits for; when a push
	// service asks for longer, Send returns at once with ErrUnavailable
	// and the wait in its *StatusError, for the caller to schedule.
	MaxWait time.Duration
	// Clock is what waits are measured by; nil means the system clock.
	Clock Clock
}

// Sender sends messages. It is safe for concurrent use.
type Sender struct {
	keys       *Keys
	subscriber string // Subject as the library wants it
	client     *outbound.Client
	attempts   int
	backoff    time.Duration
	maxWait    time.Duration
	clock      Clock
}

// NewSender returns a Sender with opts, zero fields set to their defaults.
func NewSender(opts Options) (*Sender, error) {
	if opts.Keys == nil {
		return nil, errors.New("webpush: a Sender needs VAPID keys")
	}
	subscriber, err := subscriber(opts.Subject)
	if err != nil {
		return nil, err
	}
	s := &Sender{
		keys:       opts.Keys,
		subscriber: subscriber,
		client:     opts.Client,
		attempts:   opts.MaxAttempts,
		backoff:    opts.Backoff,
		maxWait:    opts.MaxWait,
		clock:      opts.Clock,
	}
	if s.client == nil {
		s.client = outbound.New(outbound.Options{})
	}
	if s.attempts <= 0 {
		s.attempts = DefaultMaxAttempts
	}
	if s.backoff <= 0 {
		s.backoff = DefaultBackoff
	}
	if s.maxWait <= 0 {
		s.maxWait = DefaultMaxWait
	}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	return s, nil
}

// subscriber checks a VAPID subject and returns it as the library takes
// it: the library prefixes "mailto:" to anything not starting "https:".
func subscriber(subject string) (string, error) {
	if addr, ok := strings.CutPrefix(subject, "mailto:"); ok {
		if at := strings.IndexByte(addr, '@'); at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " \t\r\n") {
			return "", fmt.Errorf("webpush: VAPID subject %q is not a mailto: address", subject)
		}
		return addr, nil
	}
	if u, err := url.Parse(subject); err == nil && u.Scheme == "https" && u.Host != "" {
		return subject, nil
	}
	return "", fmt.Errorf("webpush: VAPID subject %q: want a mailto: or https: URI", subject)
}

// Check reports whether messages can be sent to sub: that it is valid,
// and that its endpoint is a URL the Sender's client may reach. Call it
// when a client subscribes, to refuse a bad subscription at once.
func (s *Sender) Check(sub Subscription) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	if err := s.client.CheckURL(sub.Endpoint); err != nil {
		return fmt.Errorf("%w: %w", ErrSubscription, err)
	}
	return nil
}

// Send encrypts msg for sub and posts it to sub's endpoint, trying again
// (up to Options.MaxAttempts in all) while the push service is
// unavailable, waiting Retry-After or the backoff in between. A nil error
// means the push service accepted the message. Otherwise errors.Is tells
// ErrGone, ErrUnavailable, ErrRejected, ErrMessage and ErrSubscription
// apart, and a cancelled ctx ends the waits with ctx's error.
func (s *Sender) Send(ctx context.Context, sub Subscription, msg Message) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	opts, err := s.options(msg)
	if err != nil {
		return err
	}
	libSub := &lib.Subscription{
		Endpoint: sub.Endpoint,
		Keys: lib.Keys{
			P256dh: base64.StdEncoding.EncodeToString(sub.P256dh),
			Auth:   base64.StdEncoding.EncodeToString(sub.Auth),
		},
	}
	wait := s.backoff
	for attempt := 1; ; attempt++ {
		// A fresh copy each time: the library appends its padding to
		// the slice it is given.
		err := s.post(ctx, bytes.Clone(msg.Payload), libSub, opts)
		if err == nil || !errors.Is(err, ErrUnavailable) || attempt == s.attempts {
			return err
		}
		d := wait
		wait *= 2
		var se *StatusError
		if errors.As(err, &se) && se.RetryAfter > 0 {
			if se.RetryAfter > s.maxWait {
				return err
			}
			d = se.RetryAfter
		}
		d = min(d, s.maxWait)
		if werr := s.sleep(ctx, d); werr != nil {
			return fmt.Errorf("webpush: %w, waiting to retry after: %w", werr, err)
		}
	}
}

// options checks msg and returns the library's options for it.
func (s *Sender) options(msg Message) (*lib.Options, error) {
	if len(msg.Payload) > MaxPayload {
		return nil, fmt.Errorf("%w: payload of %d bytes, more than %d", ErrMessage, len(msg.Payload), MaxPayload)
	}
	if msg.Topic != "" && !validTopic(msg.Topic) {
		return nil, fmt.Errorf("%w: topic %q: want at most %d characters of base64url (use Topic)", ErrMessage, msg.Topic, MaxTopic)
	}
	switch msg.Urgency {
	case "", UrgencyVeryLow, UrgencyLow, UrgencyNormal, UrgencyHigh:
	default:
		return nil, fmt.Errorf("%w: urgency %q", ErrMessage, msg.Urgency)
	}
	ttl := msg.TTL
	switch {
	case ttl < 0:
		return nil, fmt.Errorf("%w: negative TTL %v", ErrMessage, ttl)
	case ttl == 0:
		ttl = DefaultTTL
	}
	return &lib.Options{
		HTTPClient:      doer{s.client},
		Subscriber:      s.subscriber,
		Topic:           msg.Topic,
		TTL:             int(ttl / time.Second),
		Urgency:         lib.Urgency(msg.Urgency),
		VAPIDPublicKey:  s.keys.PublicKey(),
		VAPIDPrivateKey: s.keys.Encode(),
	}, nil
}

// post makes one attempt and classifies its outcome.
func (s *Sender) post(ctx context.Context, payload []byte, sub *lib.Subscription, opts *lib.Options) error {
	resp, err := lib.SendNotificationWithContext(ctx, payload, sub, opts)
	if err != nil {
		var te transportError
		if !errors.As(err, &te) {
			// Not from the client: the library refused its input,
			// which Validate and options should have caught.
			return fmt.Errorf("%w: %w", ErrMessage, err)
		}
		return classify(ctx, te.err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// The body (if any) is drained so the connection is reused.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil
	}
	se := &StatusError{StatusCode: resp.StatusCode, Body: readText(resp.Body, 200)}
	switch c := resp.StatusCode; {
	case c == http.StatusNotFound || c == http.StatusGone:
		se.kind = ErrGone
	case c == http.StatusTooManyRequests || c == http.StatusRequestTimeout || c >= 500:
		se.kind = ErrUnavailable
		se.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), s.clock.Now())
	default:
		se.kind = ErrRejected
	}
	return se
}

// classify sorts a request's error: refused by outbound, certificates the
// push service will not fix by itself, and a cancelled ctx are final;
// anything else (refused connections, resets, timeouts) may pass.
func classify(ctx context.Context, err error) error {
	var certErr *tls.CertificateVerificationError
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("webpush: %w", ctx.Err())
	case errors.Is(err, outbound.ErrURL), errors.Is(err, outbound.ErrAddress), errors.Is(err, outbound.ErrRedirect):
		return fmt.Errorf("%w: %w", ErrRejected, err)
	case errors.As(err, &certErr):
		return fmt.Errorf("%w: %w", ErrRejected, err)
	default:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
}

// doer puts an outbound.Client where the library wants an HTTPClient,
// marking its errors so that post tells them from the library's own.
type doer struct{ c *outbound.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		return nil, transportError{err}
	}
	return resp, nil
}

type transportError struct{ err error }

func (e transportError) Error() string { return e.err.Error() }
func (e transportError) Unwrap() error { return e.err }

// retryAfter reads a Retry-After header (RFC 9110 §10.2.3): seconds, or
// an HTTP date. Zero when absent, unreadable or past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// readText returns up to n bytes of r as printable text, for errors.
func readText(r io.Reader, n int) string {
	b, _ := io.ReadAll(io.LimitReader(r, int64(n)))
	return strings.Map(func(c rune) rune {
		if unicode.IsPrint(c) {
			return c
		}
		return ' '
	}, strings.ToValidUTF8(strings.TrimSpace(string(b)), "?"))
}

// sleep waits d on the clock, or until ctx is done.
func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	done := make(chan struct{})
	t := s.clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
}

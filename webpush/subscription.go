package webpush

import (
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Subscription is where and for whom a message is encrypted and sent:
// the push resource and the subscriber's keys (RFC 8291 §2), as a
// browser's PushSubscription or a WebDAV-Push subscription gives them.
type Subscription struct {
	// Endpoint is the push resource URL messages are POSTed to.
	Endpoint string
	// P256dh is the subscriber's ECDH public key, an uncompressed P-256
	// point (65 bytes).
	P256dh []byte
	// Auth is the subscriber's authentication secret, 16 bytes.
	Auth []byte
}

// MaxEndpoint is the longest endpoint URL accepted, in bytes; real ones
// are a few hundred.
const MaxEndpoint = 2048

// ErrSubscription is wrapped by the errors of ParseSubscription and
// Subscription.Validate.
var ErrSubscription = errors.New("webpush: bad subscription")

// ParseSubscription returns the subscription with the given endpoint and
// keys, the keys in base64url as clients send them (unpadded, as the Push
// API's toJSON gives them; padded, and the standard alphabet, are read
// too), after Validate.
func ParseSubscription(endpoint, p256dh, auth string) (Subscription, error) {
	key, err := decodeKey(p256dh)
	if err != nil {
		return Subscription{}, fmt.Errorf("%w: p256dh: %w", ErrSubscription, err)
	}
	secret, err := decodeKey(auth)
	if err != nil {
		return Subscription{}, fmt.Errorf("%w: auth: %w", ErrSubscription, err)
	}
	s := Subscription{Endpoint: endpoint, P256dh: key, Auth: secret}
	if err := s.Validate(); err != nil {
		return Subscription{}, err
	}
	return s, nil
}

// decodeKey reads base64url or standard base64, padded or not.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.Strict().DecodeString(s)
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// Validate reports what is wrong with s: an endpoint that is not an
// absolute https URL with a host and no userinfo, a key that is not a
// P-256 point, an auth secret that is not 16 bytes. Whether the
// endpoint's address may be reached is the Sender's to check (Check).
func (s Subscription) Validate() error {
	if len(s.Endpoint) > MaxEndpoint {
		return fmt.Errorf("%w: endpoint of %d bytes, longer than %d", ErrSubscription, len(s.Endpoint), MaxEndpoint)
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil {
		return fmt.Errorf("%w: endpoint: %w", ErrSubscription, err)
	}
	if u.Scheme != "https" || u.Host == "" || u.Opaque != "" || u.User != nil {
		return fmt.Errorf("%w: endpoint %q is not an https URL with a host and no userinfo", ErrSubscription, (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String())
	}
	if len(s.P256dh) != 65 {
		return fmt.Errorf("%w: p256dh of %d bytes, want an uncompressed P-256 point (65)", ErrSubscription, len(s.P256dh))
	}
	if _, err := ecdh.P256().NewPublicKey(s.P256dh); err != nil {
		return fmt.Errorf("%w: p256dh is not a point on P-256", ErrSubscription)
	}
	if len(s.Auth) != 16 {
		return fmt.Errorf("%w: auth secret of %d bytes, want 16", ErrSubscription, len(s.Auth))
	}
	return nil
}

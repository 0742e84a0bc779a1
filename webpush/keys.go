package webpush

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Keys is an application server's VAPID key pair (RFC 8292 §3.2): a P-256
// key whose public half subscribers are given (as applicationServerKey,
// or WebDAV-Push's VAPID key) and whose private half signs every message.
// Keep one pair for the life of the server: subscriptions made for a
// public key accept messages signed with that key only.
type Keys struct {
	priv *ecdh.PrivateKey
}

// GenerateKeys returns a new random key pair.
func GenerateKeys() (*Keys, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("webpush: generate VAPID keys: %w", err)
	}
	return &Keys{priv: priv}, nil
}

// ErrKeys is wrapped by the errors of ParseKeys.
var ErrKeys = errors.New("webpush: bad VAPID private key")

// ParseKeys reads a key pair from what Encode returned: the private key,
// 32 bytes in unpadded base64url, the form other Web Push tools print.
func ParseKeys(s string) (*Keys, error) {
	// The decoder skips line breaks; a stored key has none, so the
	// length is checked on the text first: one form, one key.
	if n := base64.RawURLEncoding.EncodedLen(32); len(s) != n {
		return nil, fmt.Errorf("%w: %d characters, want %d", ErrKeys, len(s), n)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not unpadded base64url: %w", ErrKeys, err)
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("%w: %d bytes, want 32", ErrKeys, len(b))
	}
	priv, err := ecdh.P256().NewPrivateKey(b)
	if err != nil {
		// Zero, or not below the order of the curve.
		return nil, fmt.Errorf("%w: not a P-256 private key", ErrKeys)
	}
	return &Keys{priv: priv}, nil
}

// Encode returns the private key for storing, in the form ParseKeys
// reads. It is a secret: whoever has it can push to every subscriber.
func (k *Keys) Encode() string {
	return base64.RawURLEncoding.EncodeToString(k.priv.Bytes())
}

// PublicKey returns the public key as subscribers need it: the
// uncompressed P-256 point (65 bytes) in unpadded base64url.
func (k *Keys) PublicKey() string {
	return base64.RawURLEncoding.EncodeToString(k.priv.PublicKey().Bytes())
}

// String names the public key only, so that a Keys printed in a log shows
// no secret.
func (k *Keys) String() string {
	return "webpush.Keys(public " + k.PublicKey() + ")"
}

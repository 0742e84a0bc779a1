package pushtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"
)

// ErrVAPID is wrapped by VerifyVAPID's errors.
var ErrVAPID = errors.New("pushtest: bad VAPID authorization")

// MaxVAPIDLifetime is the furthest in the future a VAPID token may
// expire (RFC 8292 §2).
const MaxVAPIDLifetime = 24 * time.Hour

// VAPID is what a verified VAPID Authorization header says.
type VAPID struct {
	// Key is the application server's public key, the k parameter
	// (unpadded base64url of the uncompressed P-256 point).
	Key string
	// Subject is the token's sub claim ("" when absent).
	Subject string
	// Audience is the token's aud claim: the endpoint's origin.
	Audience string
	// Expires is the token's exp claim.
	Expires time.Time
}

// VerifyVAPID checks an Authorization header of the vapid scheme (RFC 8292
// §3: "vapid t=JWT, k=public key") for a message posted to endpoint at
// now: the JWT is an ES256 JWS whose signature verifies under k, its aud
// is the endpoint's origin, its exp lies after now and at most 24 hours
// ahead, and its sub, if any, is a mailto: or https: URI.
func VerifyVAPID(authorization, endpoint string, now time.Time) (VAPID, error) {
	scheme, params, _ := strings.Cut(strings.TrimSpace(authorization), " ")
	if !strings.EqualFold(scheme, "vapid") {
		return VAPID{}, fmt.Errorf("%w: scheme %q, want vapid", ErrVAPID, scheme)
	}
	var token, key string
	for p := range strings.SplitSeq(params, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return VAPID{}, fmt.Errorf("%w: parameter %q without a value", ErrVAPID, p)
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "t":
			if token != "" {
				return VAPID{}, fmt.Errorf("%w: two t parameters", ErrVAPID)
			}
			token = value
		case "k":
			if key != "" {
				return VAPID{}, fmt.Errorf("%w: two k parameters", ErrVAPID)
			}
			key = value
		}
	}
	if token == "" || key == "" {
		return VAPID{}, fmt.Errorf("%w: want both t and k", ErrVAPID)
	}
	keyBytes, err := base64.RawURLEncoding.Strict().DecodeString(key)
	if err != nil {
		return VAPID{}, fmt.Errorf("%w: k is not unpadded base64url: %w", ErrVAPID, err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), keyBytes)
	if err != nil {
		return VAPID{}, fmt.Errorf("%w: k is not an uncompressed P-256 key: %w", ErrVAPID, err)
	}

	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return VAPID{}, fmt.Errorf("%w: t has %d parts, want a JWS's 3", ErrVAPID, len(parts))
	}
	var dec [3][]byte
	for i, p := range parts {
		if dec[i], err = base64.RawURLEncoding.Strict().DecodeString(p); err != nil {
			return VAPID{}, fmt.Errorf("%w: JWT part %d is not unpadded base64url", ErrVAPID, i+1)
		}
	}
	var header struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	if err := json.Unmarshal(dec[0], &header); err != nil {
		return VAPID{}, fmt.Errorf("%w: JWT header: %w", ErrVAPID, err)
	}
	if header.Alg != "ES256" {
		return VAPID{}, fmt.Errorf("%w: JWT alg %q, want ES256", ErrVAPID, header.Alg)
	}
	if header.Typ != "" && !strings.EqualFold(header.Typ, "JWT") {
		return VAPID{}, fmt.Errorf("%w: JWT typ %q, want JWT", ErrVAPID, header.Typ)
	}
	// An ES256 signature is R and S, 32 bytes each (RFC 7518 §3.4), not
	// ASN.1.
	sig := dec[2]
	if len(sig) != 64 {
		return VAPID{}, fmt.Errorf("%w: ES256 signature of %d bytes, want 64", ErrVAPID, len(sig))
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return VAPID{}, fmt.Errorf("%w: signature does not verify under k", ErrVAPID)
	}

	var claims struct {
		Aud json.RawMessage `json:"aud"`
		Exp json.RawMessage `json:"exp"`
		Sub *string         `json:"sub"`
	}
	d := json.NewDecoder(bytes.NewReader(dec[1]))
	if err := d.Decode(&claims); err != nil {
		return VAPID{}, fmt.Errorf("%w: JWT claims: %w", ErrVAPID, err)
	}
	var v VAPID
	v.Key = key
	if err := json.Unmarshal(claims.Aud, &v.Audience); err != nil {
		return VAPID{}, fmt.Errorf("%w: aud is not a string", ErrVAPID)
	}
	want, err := origin(endpoint)
	if err != nil {
		return VAPID{}, err
	}
	if v.Audience != want {
		return VAPID{}, fmt.Errorf("%w: aud %q, want the endpoint's origin %q", ErrVAPID, v.Audience, want)
	}
	var exp int64
	if err := json.Unmarshal(claims.Exp, &exp); err != nil {
		return VAPID{}, fmt.Errorf("%w: exp is not an integer", ErrVAPID)
	}
	v.Expires = time.Unix(exp, 0)
	if !v.Expires.After(now) {
		return VAPID{}, fmt.Errorf("%w: expired at %v", ErrVAPID, v.Expires.UTC())
	}
	if v.Expires.After(now.Add(MaxVAPIDLifetime)) {
		return VAPID{}, fmt.Errorf("%w: exp %v is more than 24 hours ahead", ErrVAPID, v.Expires.UTC())
	}
	if claims.Sub != nil {
		v.Subject = *claims.Sub
		if !strings.HasPrefix(v.Subject, "mailto:") && !strings.HasPrefix(v.Subject, "https:") {
			return VAPID{}, fmt.Errorf("%w: sub %q is not a mailto: or https: URI", ErrVAPID, v.Subject)
		}
	}
	return v, nil
}

// origin returns the ASCII serialization of the endpoint's origin (RFC
// 6454 §6.2): scheme and host in lower case, the port only if not the
// scheme's default.
func origin(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: endpoint %q has no origin", ErrVAPID, endpoint)
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(scheme == "https" && p == "443") && !(scheme == "http" && p == "80") {
		host += ":" + p
	}
	return scheme + "://" + host, nil
}

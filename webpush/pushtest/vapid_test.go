package pushtest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"confcal/webpush/pushtest"
)

var now = time.Date(2026, 10, 7, 9, 0, 0, 0, time.UTC)

const endpoint = "https://push.example.com/push/abc"

// token signs header and claims with key as a JWS in compact form, with
// the signature as R||S unless der is set.
func token(t *testing.T, key *ecdsa.PrivateKey, header, claims any, der bool) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	if der {
		var err error
		sig, err = ecdsa.SignASN1(rand.Reader, key, digest[:])
		if err != nil {
			t.Fatal(err)
		}
	} else {
		r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func newKey(t *testing.T) (*ecdsa.PrivateKey, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return key, base64.RawURLEncoding.EncodeToString(pub)
}

func TestVerifyVAPID(t *testing.T) {
	key, k := newKey(t)
	other, otherK := newKey(t)
	es256 := map[string]string{"typ": "JWT", "alg": "ES256"}
	claims := func(aud string, exp time.Time, sub string) map[string]any {
		c := map[string]any{"aud": aud, "exp": exp.Unix()}
		if sub != "" {
			c["sub"] = sub
		}
		return c
	}
	good := claims("https://push.example.com", now.Add(12*time.Hour), "mailto:ops@confcal.example")
	header := func(tok, k string) string { return fmt.Sprintf("vapid t=%s, k=%s", tok, k) }

	tests := []struct {
		name   string
		header string
		ok     bool
	}{
		{"valid", header(token(t, key, es256, good, false), k), true},
		{"no sub", header(token(t, key, es256, claims("https://push.example.com", now.Add(time.Hour), ""), false), k), true},
		{"https sub", header(token(t, key, es256, claims("https://push.example.com", now.Add(time.Hour), "https://confcal.example/contact"), false), k), true},
		{"exp 24 h ahead", header(token(t, key, es256, claims("https://push.example.com", now.Add(24*time.Hour), ""), false), k), true},
		{"k before t, no space", "vapid k=" + k + ",t=" + token(t, key, es256, good, false), true},
		{"scheme in capitals", "VAPID t=" + token(t, key, es256, good, false) + ", k=" + k, true},

		{"signed by another key", header(token(t, other, es256, good, false), k), false},
		{"k of another key", header(token(t, key, es256, good, false), otherK), false},
		{"DER signature", header(token(t, key, es256, good, true), k), false},
		{"alg none", header(token(t, key, map[string]string{"alg": "none"}, good, false), k), false},
		{"alg HS256", header(token(t, key, map[string]string{"alg": "HS256"}, good, false), k), false},
		{"aud of another origin", header(token(t, key, es256, claims("https://other.example.com", now.Add(time.Hour), ""), false), k), false},
		{"aud with the path", header(token(t, key, es256, claims(endpoint, now.Add(time.Hour), ""), false), k), false},
		{"aud http", header(token(t, key, es256, claims("http://push.example.com", now.Add(time.Hour), ""), false), k), false},
		{"expired", header(token(t, key, es256, claims("https://push.example.com", now.Add(-time.Second), ""), false), k), false},
		{"exp 25 h ahead", header(token(t, key, es256, claims("https://push.example.com", now.Add(25*time.Hour), ""), false), k), false},
		{"exp a string", header(token(t, key, es256, map[string]any{"aud": "https://push.example.com", "exp": "soon"}, false), k), false},
		{"no exp", header(token(t, key, es256, map[string]any{"aud": "https://push.example.com"}, false), k), false},
		{"sub not a URI", header(token(t, key, es256, claims("https://push.example.com", now.Add(time.Hour), "ops@confcal.example"), false), k), false},
		{"no k", "vapid t=" + token(t, key, es256, good, false), false},
		{"no t", "vapid k=" + k, false},
		{"bearer", "Bearer " + token(t, key, es256, good, false), false},
		{"WebPush scheme", "WebPush " + token(t, key, es256, good, false), false},
		{"k padded", header(token(t, key, es256, good, false), k+"="), false},
		{"k compressed", header(token(t, key, es256, good, false), base64.RawURLEncoding.EncodeToString(append([]byte{2}, make([]byte, 32)...))), false},
		{"token of two parts", header(strings.Join(strings.Split(token(t, key, es256, good, false), ".")[:2], "."), k), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		v, err := pushtest.VerifyVAPID(tt.header, endpoint, now)
		if tt.ok && err != nil {
			t.Errorf("%s: VerifyVAPID: %v", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, pushtest.ErrVAPID) {
			t.Errorf("%s: VerifyVAPID = %+v, %v; want ErrVAPID", tt.name, v, err)
		}
		if tt.ok && err == nil && (v.Key != k || v.Audience != "https://push.example.com") {
			t.Errorf("%s: VerifyVAPID = %+v, want key %s and audience https://push.example.com", tt.name, v, k)
		}
	}

	v, err := pushtest.VerifyVAPID(tests[0].header, endpoint, now)
	if err != nil || v.Subject != "mailto:ops@confcal.example" || !v.Expires.Equal(now.Add(12*time.Hour)) {
		t.Errorf("VerifyVAPID(valid) = %+v, %v; want the subject and expiry signed", v, err)
	}
	// The origin drops the default port and keeps others.
	for _, tt := range []struct{ endpoint, aud string }{
		{"https://push.example.com:443/x", "https://push.example.com"},
		{"https://Push.Example.com/x", "https://push.example.com"},
		{"https://push.example.com:8443/x", "https://push.example.com:8443"},
		{"https://[::1]:8443/x", "https://[::1]:8443"},
	} {
		h := header(token(t, key, es256, claims(tt.aud, now.Add(time.Hour), ""), false), k)
		if _, err := pushtest.VerifyVAPID(h, tt.endpoint, now); err != nil {
			t.Errorf("VerifyVAPID(aud %s, endpoint %s): %v", tt.aud, tt.endpoint, err)
		}
	}
}

// FuzzVerifyVAPID: any header verifies or fails with ErrVAPID, never
// panics; one that verifies says the origin it was checked against.
func FuzzVerifyVAPID(f *testing.F) {
	f.Add("vapid t=eyJhbGciOiJFUzI1NiJ9.e30.AAAA, k=BAAA") // unverifiable
	f.Add("vapid t=a.b.c, k=")                             // empty k
	f.Add("vapid ,,,")                                     // no parameters
	f.Add(`vapid t="x", k="y"`)                            // quoted
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		v, err := pushtest.VerifyVAPID(header, endpoint, now)
		if err != nil {
			if !errors.Is(err, pushtest.ErrVAPID) {
				t.Fatalf("VerifyVAPID(%q) error %v, want ErrVAPID", header, err)
			}
			return
		}
		if v.Audience != "https://push.example.com" {
			t.Fatalf("VerifyVAPID(%q) verified aud %q", header, v.Audience)
		}
	})
}

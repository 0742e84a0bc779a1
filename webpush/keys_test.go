package webpush_test

import (
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"confcal/webpush"
)

func TestKeys(t *testing.T) {
	k, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	stored := k.Encode()
	back, err := webpush.ParseKeys(stored)
	if err != nil {
		t.Fatalf("ParseKeys(Encode()) = %v", err)
	}
	if back.Encode() != stored || back.PublicKey() != k.PublicKey() {
		t.Errorf("ParseKeys(Encode()) gives another key pair")
	}
	pub, err := base64.RawURLEncoding.Strict().DecodeString(k.PublicKey())
	if err != nil {
		t.Fatalf("PublicKey() %q is not unpadded base64url: %v", k.PublicKey(), err)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil || len(pub) != 65 || pub[0] != 4 {
		t.Errorf("PublicKey() is %d bytes starting %#x (%v), want an uncompressed P-256 point", len(pub), pub[0], err)
	}
	for _, s := range []string{k.String(), fmt.Sprint(k), fmt.Sprintf("%v %+v", k, k)} {
		if strings.Contains(s, stored) {
			t.Errorf("printing Keys shows the private key: %s", s)
		}
		if !strings.Contains(s, k.PublicKey()) {
			t.Errorf("printing Keys = %s, want the public key in it", s)
		}
	}
	other, _ := webpush.GenerateKeys()
	if other.Encode() == stored {
		t.Error("two GenerateKeys gave the same key")
	}
}

func TestParseKeys(t *testing.T) {
	// The order n of P-256, and n-1, the largest valid private key.
	const n = "_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE"
	const nMinus1 = "_____wAAAAD__________7zm-q2nF56E87nKwvxjJVA"
	tests := []struct {
		in string
		ok bool
	}{
		{"yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw", true}, // RFC 8291's application server key
		{nMinus1, true},
		{n, false},
		{"__________________________________________8", false},  // above n
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},  // zero
		{"yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw=", false}, // padded
		{"yfWPiYE+n46HLnH0KqZOF1fJJU3MYrct3AELtAQ+oRw", false},  // standard alphabet
		{"yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oR", false},   // 31 bytes and a bit
		{"yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRxx", false}, // 33 bytes
		{"yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRx", false},  // non-zero trailing bits
		{" yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw", false},
		{"yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw\n", false},
		{"yfWPiYE-n46HLnH0KqZOF1fJ\nJU3MYrct3AELtAQ-oR", false}, // 42 characters and a line break
		{"", false},
	}
	for _, tt := range tests {
		k, err := webpush.ParseKeys(tt.in)
		if tt.ok && err != nil {
			t.Errorf("ParseKeys(%q): %v", tt.in, err)
		}
		if !tt.ok && !errors.Is(err, webpush.ErrKeys) {
			t.Errorf("ParseKeys(%q) = %v, %v; want ErrKeys", tt.in, k, err)
		}
	}
	// The public key of RFC 8291 Appendix A's application server.
	k, _ := webpush.ParseKeys("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")
	if want := "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"; k.PublicKey() != want {
		t.Errorf("PublicKey() = %s, want %s", k.PublicKey(), want)
	}
}

// FuzzParseKeys: any string is refused with ErrKeys or is the canonical
// encoding of a key pair (Encode gives it back), never panics.
func FuzzParseKeys(f *testing.F) {
	f.Add("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")  // valid
	f.Add("_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE")  // the curve order
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")  // zero
	f.Add("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw=") // padded
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := webpush.ParseKeys(s)
		if err != nil {
			if !errors.Is(err, webpush.ErrKeys) {
				t.Fatalf("ParseKeys(%q) error %v, want ErrKeys", s, err)
			}
			return
		}
		if k.Encode() != s {
			t.Fatalf("ParseKeys(%q).Encode() = %q, want the input", s, k.Encode())
		}
	})
}

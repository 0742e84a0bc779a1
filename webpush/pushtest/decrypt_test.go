package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"testing"
)

// The example of RFC 8291 §5 and Appendix A.
const (
	rfcBody      = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
	rfcUAPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
	rfcUAPublic  = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
	rfcASPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
	rfcAuth      = "BTBZMqHH6r4Tts7J_aSIgg"
	rfcSalt      = "DGv6ra1nlYgDCS1FRnbzlw"
	rfcCEK       = "oIhVW04MRdy2XN9CiKLxTg"
	rfcPlaintext = "When I grow up, I want to be a watermelon"
)

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}

func rfcKeys(t testing.TB) (*ecdh.PrivateKey, []byte) {
	t.Helper()
	ua, err := ecdh.P256().NewPrivateKey(b64(t, rfcUAPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes()); got != rfcUAPublic {
		t.Fatalf("ua_public = %s, want the RFC's %s", got, rfcUAPublic)
	}
	return ua, b64(t, rfcAuth)
}

func TestDecryptRFC8291(t *testing.T) {
	ua, auth := rfcKeys(t)
	as, err := ecdh.P256().NewPrivateKey(b64(t, rfcASPrivate))
	if err != nil {
		t.Fatal(err)
	}
	cek, _, err := deriveKeys(ua, as.PublicKey(), auth, b64(t, rfcSalt))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(cek); got != rfcCEK {
		t.Errorf("CEK = %s, want Appendix A's %s", got, rfcCEK)
	}
	plain, err := Decrypt(b64(t, rfcBody), ua, auth)
	if err != nil {
		t.Fatalf("Decrypt(RFC 8291 §5 example): %v", err)
	}
	if string(plain) != rfcPlaintext {
		t.Errorf("Decrypt(RFC 8291 §5 example) = %q, want %q", plain, rfcPlaintext)
	}
}

// seal builds an aes128gcm body of one record holding record (data,
// delimiter, padding as the caller wrote them), encrypted for the RFC's
// user agent with a new application server key: what a faulty sender
// could send.
func seal(t *testing.T, rs uint32, record []byte) []byte {
	t.Helper()
	ua, auth := rfcKeys(t)
	as, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	cek, nonce, err := deriveKeys(ua, as.PublicKey(), auth, salt)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	body := append([]byte{}, salt...)
	body = binary.BigEndian.AppendUint32(body, rs)
	body = append(body, 65)
	body = append(body, as.PublicKey().Bytes()...)
	return gcm.Seal(body, nonce, record, nil)
}

func TestDecrypt(t *testing.T) {
	ua, auth := rfcKeys(t)
	rfc := b64(t, rfcBody)
	flipped := bytes.Clone(rfc)
	flipped[len(flipped)-1] ^= 1
	otherKey := bytes.Clone(rfc)
	otherKey[21+10] ^= 1 // no longer a point, or another one
	short := bytes.Clone(rfc[:headerLen+65+10])
	smallRS := bytes.Clone(rfc)
	binary.BigEndian.PutUint32(smallRS[16:], 17)
	badIDLen := bytes.Clone(rfc)
	badIDLen[20] = 64

	tests := []struct {
		name string
		body []byte
		auth []byte
		want string
		ok   bool // false: want an ErrDecrypt
	}{
		{"padded to the record size", seal(t, 4096, append([]byte("hi\x02"), make([]byte, 4000)...)), auth, "hi", true},
		{"no padding", seal(t, 4096, []byte("hi\x02")), auth, "hi", true},
		{"empty", seal(t, 4096, []byte{2}), auth, "", true},
		{"zero bytes in the data", seal(t, 4096, []byte("a\x00\x00b\x02\x00")), auth, "a\x00\x00b", true},
		{"exactly the record size", seal(t, 4096, append([]byte("x\x02"), make([]byte, 4096-16-2)...)), auth, "x", true},
		{"a record longer than rs (two records)", seal(t, 64, append([]byte("x\x02"), make([]byte, 64)...)), auth, "", false},
		{"delimiter of a record that is not the last", seal(t, 4096, []byte("hi\x01\x00\x00")), auth, "", false},
		{"no delimiter", seal(t, 4096, make([]byte, 10)), auth, "", false},
		{"tag altered", flipped, auth, "", false},
		{"key ID altered", otherKey, auth, "", false},
		{"wrong auth secret", rfc, make([]byte, 16), "", false},
		{"auth secret of 15 bytes", rfc, auth[:15], "", false},
		{"truncated", short, auth, "", false},
		{"header only", rfc[:headerLen], auth, "", false},
		{"nothing", nil, auth, "", false},
		{"record size 17", smallRS, auth, "", false},
		{"key ID of 64 bytes", badIDLen, auth, "", false},
	}
	for _, tt := range tests {
		got, err := Decrypt(tt.body, ua, tt.auth)
		wantErr := !tt.ok
		switch {
		case wantErr && err == nil:
			t.Errorf("%s: Decrypt = %q, want an error", tt.name, got)
		case wantErr && !errors.Is(err, ErrDecrypt):
			t.Errorf("%s: Decrypt error %v, want ErrDecrypt", tt.name, err)
		case !wantErr && err != nil:
			t.Errorf("%s: Decrypt: %v", tt.name, err)
		case !wantErr && string(got) != tt.want:
			t.Errorf("%s: Decrypt = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzDecrypt: any body decrypts or fails with ErrDecrypt, never panics;
// one that decrypts is shorter than its ciphertext by at least the tag
// and the delimiter.
func FuzzDecrypt(f *testing.F) {
	rfc, _ := base64.RawURLEncoding.DecodeString(rfcBody)
	f.Add(rfc)               // the RFC's example: decrypts
	f.Add(rfc[:40])          // cut inside the key ID
	f.Add([]byte{})          // nothing
	f.Add(make([]byte, 200)) // zeros: rs 0
	ua, auth := rfcKeys(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		plain, err := Decrypt(body, ua, auth)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Decrypt error %v, want ErrDecrypt", err)
			}
			return
		}
		if len(plain) > len(body)-headerLen-65-17 {
			t.Fatalf("Decrypt gave %d bytes from a body of %d", len(plain), len(body))
		}
	})
}

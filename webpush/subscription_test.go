package webpush_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"confcal/webpush"
)

// The user agent's keys of RFC 8291 Appendix A.
const (
	uaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
	uaAuth   = "BTBZMqHH6r4Tts7J_aSIgg"
)

func TestParseSubscription(t *testing.T) {
	pub, _ := base64.RawURLEncoding.DecodeString(uaPublic)
	auth, _ := base64.RawURLEncoding.DecodeString(uaAuth)
	std := base64.StdEncoding.EncodeToString
	const ep = "https://updates.push.services.mozilla.com/wpush/v2/gAAAA"
	tests := []struct {
		name                   string
		endpoint, p256dh, auth string
		ok                     bool
	}{
		{"as toJSON gives it", ep, uaPublic, uaAuth, true},
		{"padded", ep, uaPublic + "=", uaAuth + "==", true},
		{"standard alphabet", ep, std(pub), std(auth), true},
		{"UnifiedPush endpoint with a port", "https://ntfy.example.org:8443/upABC?up=1", uaPublic, uaAuth, true},

		{"http endpoint", "http://push.example.com/x", uaPublic, uaAuth, false},
		{"relative endpoint", "/push/x", uaPublic, uaAuth, false},
		{"endpoint with userinfo", "https://u:p@push.example.com/x", uaPublic, uaAuth, false},
		{"no endpoint", "", uaPublic, uaAuth, false},
		{"endpoint too long", "https://push.example.com/" + strings.Repeat("a", webpush.MaxEndpoint), uaPublic, uaAuth, false},
		{"compressed key", ep, base64.RawURLEncoding.EncodeToString(append([]byte{2}, pub[1:33]...)), uaAuth, false},
		{"key not on the curve", ep, base64.RawURLEncoding.EncodeToString(append(append([]byte{4}, pub[1:64]...), pub[64]^1)), uaAuth, false},
		{"key of 64 bytes", ep, base64.RawURLEncoding.EncodeToString(pub[:64]), uaAuth, false},
		{"auth of 15 bytes", ep, uaPublic, base64.RawURLEncoding.EncodeToString(auth[:15]), false},
		{"auth of 32 bytes", ep, uaPublic, base64.RawURLEncoding.EncodeToString(append(auth, auth...)), false},
		{"no auth", ep, uaPublic, "", false},
		{"key not base64", ep, "not base64!", uaAuth, false},
		{"mixed alphabets", ep, strings.Replace(std(pub), "+", "-", 1), uaAuth, false},
	}
	for _, tt := range tests {
		s, err := webpush.ParseSubscription(tt.endpoint, tt.p256dh, tt.auth)
		if tt.ok && err != nil {
			t.Errorf("%s: ParseSubscription: %v", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, webpush.ErrSubscription) {
			t.Errorf("%s: ParseSubscription = %+v, %v; want ErrSubscription", tt.name, s, err)
		}
		if tt.ok && err == nil && (s.Endpoint != tt.endpoint || string(s.P256dh) != string(pub) || string(s.Auth) != string(auth)) {
			t.Errorf("%s: ParseSubscription = %+v, want the RFC's keys", tt.name, s)
		}
	}
	if s, err := webpush.ParseSubscription("https://u:secret@push.example.com/x", uaPublic, uaAuth); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("ParseSubscription with userinfo = %+v, %v; want an error not showing the password", s, err)
	}
}

// FuzzParseSubscription: any input is refused with ErrSubscription or
// gives a subscription that validates, with the keys' lengths right.
func FuzzParseSubscription(f *testing.F) {
	f.Add("https://push.example.com/x", uaPublic, uaAuth)          // valid
	f.Add("https://push.example.com/x", uaPublic+"=", uaAuth+"==") // padded
	f.Add("http://push.example.com/x", uaPublic, uaAuth)           // http
	f.Add("https://push.example.com/x", "BA", "AA")                // short keys
	f.Add("https://[::1", uaPublic, uaAuth)                        // unparsable URL
	f.Fuzz(func(t *testing.T, endpoint, p256dh, auth string) {
		s, err := webpush.ParseSubscription(endpoint, p256dh, auth)
		if err != nil {
			if !errors.Is(err, webpush.ErrSubscription) {
				t.Fatalf("ParseSubscription error %v, want ErrSubscription", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ParseSubscription gave %+v, which does not validate: %v", s, err)
		}
		if len(s.P256dh) != 65 || len(s.Auth) != 16 {
			t.Fatalf("ParseSubscription gave keys of %d and %d bytes", len(s.P256dh), len(s.Auth))
		}
	})
}

func TestTopic(t *testing.T) {
	seen := map[string]string{}
	for _, id := range []string{"", "all", "keynote", "tracks/keynote", "a-very-long-calendar-id-" + strings.Repeat("x", 500), "Räume/Saal 1"} {
		topic := webpush.Topic(id)
		if len(topic) != webpush.MaxTopic {
			t.Errorf("Topic(%q) = %q, %d characters, want %d", id, topic, len(topic), webpush.MaxTopic)
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(topic); err != nil {
			t.Errorf("Topic(%q) = %q, not base64url: %v", id, topic, err)
		}
		if webpush.Topic(id) != topic {
			t.Errorf("Topic(%q) differs between calls", id)
		}
		if other, dup := seen[topic]; dup {
			t.Errorf("Topic(%q) = Topic(%q)", id, other)
		}
		seen[topic] = id
	}
}

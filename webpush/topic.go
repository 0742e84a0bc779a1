package webpush

import (
	"crypto/sha256"
	"encoding/base64"
)

// MaxTopic is the longest Topic header value RFC 8030 §5.4 allows.
const MaxTopic = 32

// Topic returns the Topic header value for the messages about one
// calendar: a push service keeps only the newest message of a topic for a
// subscriber that is offline, so a client coming back online gets one
// "calendar changed", not a backlog. RFC 8030 §5.4 allows at most 32
// characters of base64url, so the ID (of any length and alphabet) is
// hashed: 24 bytes of SHA-256 are exactly 32 characters. The hash also
// keeps the calendar's name from the push service.
func Topic(calendarID string) string {
	sum := sha256.Sum256([]byte("confcal calendar\x00" + calendarID))
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

// validTopic reports whether t is a Topic RFC 8030 §5.4 allows.
func validTopic(t string) bool {
	if t == "" || len(t) > MaxTopic {
		return false
	}
	for _, c := range []byte(t) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

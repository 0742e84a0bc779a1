package frabxml

import (
	"strings"

	"confcal/formats/internal/schedule"
)

// sessionGUID is the guid of a session whose ID is not a UUID: the UUID
// (schedule.UUID5, as package frabjson makes it) of its calendar UID
// ("id@uid-domain"), which never changes for the session and differs
// between conferences.
func sessionGUID(id, uidDomain string) string { return schedule.UUID5(id + "@" + uidDomain) }

// roomGUID is the guid of a room: the UUID of its ID and the conference's
// UID domain, so that it survives a rename like the room's ID does.
func roomGUID(id, uidDomain string) string { return schedule.UUID5("room:" + id + "@" + uidDomain) }

// speakerGUID is the guid of a speaker whose ID is neither a UUID, a
// number nor the slug of the name: the UUID of its ID and the UID domain.
func speakerGUID(id, uidDomain string) string {
	return schedule.UUID5("speaker:" + id + "@" + uidDomain)
}

// isUUID reports whether s is written as a UUID: 32 hexadecimal digits in
// groups of 8-4-4-4-12, in either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// normalGUID returns a guid as a key: a UUID in lower case (UUIDs are
// case-insensitive, RFC 9562 §4, so "A2DD…" and "a2dd…" name the same
// event), anything else trimmed but unchanged.
func normalGUID(s string) string {
	s = strings.TrimSpace(s)
	if isUUID(s) {
		return strings.ToLower(s)
	}
	return s
}

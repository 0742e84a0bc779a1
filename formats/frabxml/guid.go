package frabxml

import (
	"crypto/sha1"
	"fmt"
	"strings"
)

// namespaceURL is the URL name space of RFC 9562 §6.6 (6ba7b811-9dad-
// 11d1-80b4-00c04fd430c8), as 16 bytes. Package frabjson makes its
// name-based UUIDs in it from the same names, so a session, room or
// speaker has the same guid in schedule.xml and schedule.json.
const namespaceURL = "\x6b\xa7\xb8\x11\x9d\xad\x11\xd1\x80\xb4\x00\xc0\x4f\xd4\x30\xc8"

// uuid5 returns the version 5 (SHA-1, name-based) UUID of name in
// namespaceURL (RFC 9562 §5.5), in lower case.
func uuid5(name string) string {
	h := sha1.New()
	h.Write([]byte(namespaceURL))
	h.Write([]byte(name))
	s := h.Sum(nil)
	s[6] = s[6]&0x0f | 0x50
	s[8] = s[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

// sessionGUID is the guid of a session whose ID is not a UUID: the UUID
// of its calendar UID ("id@uid-domain"), which never changes for the
// session and differs between conferences.
func sessionGUID(id, uidDomain string) string { return uuid5(id + "@" + uidDomain) }

// roomGUID is the guid of a room: the UUID of its ID and the conference's
// UID domain, so that it survives a rename like the room's ID does.
func roomGUID(id, uidDomain string) string { return uuid5("room:" + id + "@" + uidDomain) }

// speakerGUID is the guid of a speaker whose ID is neither a UUID, a
// number nor the slug of the name: the UUID of its ID and the UID domain.
func speakerGUID(id, uidDomain string) string { return uuid5("speaker:" + id + "@" + uidDomain) }

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

package frabxml

import "strings"

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

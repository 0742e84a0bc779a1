package frabjson

// isUUID reports whether s is a UUID in lower-case canonical form
// (8-4-4-4-12 hexadecimal digits), the form an ID keeps a GUID in.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
				return false
			}
		}
	}
	return true
}

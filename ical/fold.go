package ical

import "unicode/utf8"

// maxLine is the longest content line RFC 5545 §3.1 allows, in octets,
// not counting the CRLF.
const maxLine = 75

// foldLines folds every CRLF-terminated content line of src and appends the
// result to dst. go-ical's encoder writes each property on one line however
// long it is, so folding is ours to do.
func foldLines(dst, src []byte) []byte {
	for len(src) > 0 {
		i := indexCRLF(src)
		if i < 0 {
			// Not CRLF-terminated: fold what is there and terminate it.
			dst = fold(dst, src)
			return append(dst, '\r', '\n')
		}
		dst = fold(dst, src[:i])
		dst = append(dst, '\r', '\n')
		src = src[i+2:]
	}
	return dst
}

func indexCRLF(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			return i
		}
	}
	return -1
}

// fold appends line (one content line without its CRLF) to dst, split into
// pieces of at most maxLine octets: every piece after the first starts with
// CRLF and one space, which counts towards its 75 octets. A cut never falls
// inside a UTF-8 sequence; for input that is not valid UTF-8 a cut backs off
// at most utf8.UTFMax-1 continuation bytes, so it always makes progress.
func fold(dst, line []byte) []byte {
	limit := maxLine
	for len(line) > limit {
		cut := limit
		for back := 0; back < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(line[cut]); back++ {
			cut--
		}
		if cut == 0 || !utf8.RuneStart(line[cut]) {
			cut = limit // not UTF-8 here: a byte cut is all we can do
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, '\r', '\n', ' ')
		line = line[cut:]
		limit = maxLine - 1
	}
	return append(dst, line...)
}

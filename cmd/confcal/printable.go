package main

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable returns s fit to write to a terminal: every control character
// (C0, DEL and C1, tab and line feed included) is written as a Go escape
// (\x1b, \t, \n, \u009b), and every byte that is not UTF-8 as \xff. Text
// the commands print comes from the agenda, which refuses control
// characters, but a store made before it did, or another server, may still
// hand them out: printed raw, an escape sequence in a title could move the
// cursor, rewrite earlier lines or retitle the window of the organizer
// reading it, and a tab would break a table's columns.
func printable(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&0xf, 16))
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// printableLines is printable for a message of several lines: the line
// feeds between them stay.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = printable(l)
	}
	return strings.Join(lines, "\n")
}

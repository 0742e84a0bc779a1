package ics

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"confcal/formats/internal/schedule"
)

// line is one content line after unfolding: no is the number of its
// first physical line (counted from 1), text is valid UTF-8.
type line struct {
	no   int
	text string
}

// rawLine is a physical or unfolded line before it is decoded.
type rawLine struct {
	no int
	b  []byte
}

// toUTF8 returns data as UTF-8 without a byte-order mark: UTF-16 (with a
// byte-order mark, or recognised by the NUL bytes of its ASCII letters)
// is converted, anything else is returned as it is.
func toUTF8(data []byte) []byte {
	var le, be bool
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		data, le = data[2:], true
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data, be = data[2:], true
	case len(data) >= 2 && data[0] != 0 && data[1] == 0:
		le = true
	case len(data) >= 2 && data[0] == 0 && data[1] != 0:
		be = true
	}
	if !le && !be {
		return data
	}
	return []byte(schedule.UTF16(data, be))
}

// physical cuts data into lines at CR LF, a bare LF or a bare CR: real
// feeds use all three (RFC 5545 §3.1 wants CR LF).
func physical(data []byte) []rawLine {
	var out []rawLine
	no, start := 1, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != '\r' && c != '\n' {
			continue
		}
		out = append(out, rawLine{no, data[start:i]})
		if c == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		no++
		start = i + 1
	}
	if start < len(data) {
		out = append(out, rawLine{no, data[start:]})
	}
	return out
}

// unfold joins each line that starts with a blank or a tab to the line
// before it, without that first character (RFC 5545 §3.1). It joins bytes,
// not text: a fold may split a UTF-8 sequence, which only the joined line
// decodes. A continuation with no line before it is dropped and its
// number returned; an empty line ends a line and is dropped.
func unfold(phys []rawLine) (out []rawLine, orphans []int) {
	open := false // whether out's last line may still continue
	for _, l := range phys {
		switch {
		case len(l.b) == 0:
			open = false
		case l.b[0] == ' ' || l.b[0] == '\t':
			if !open {
				orphans = append(orphans, l.no)
				continue
			}
			last := &out[len(out)-1]
			last.b = append(last.b[:len(last.b):len(last.b)], l.b[1:]...)
		default:
			out = append(out, rawLine{l.no, l.b})
			open = true
		}
	}
	return out, orphans
}

// decode turns unfolded lines into text. A line that is not UTF-8 is read
// as Windows-1252 (what Outlook and older tools write when they ignore the
// charset); the numbers of such lines are returned.
func decode(raw []rawLine) (lines []line, cp1252 []int) {
	lines = make([]line, 0, len(raw))
	for _, l := range raw {
		if utf8.Valid(l.b) {
			lines = append(lines, line{l.no, string(l.b)})
			continue
		}
		cp1252 = append(cp1252, l.no)
		lines = append(lines, line{l.no, schedule.Windows1252(l.b)})
	}
	return lines, cp1252
}

// contentLine checks that s is a content line go-ical decodes without
// error: name *(";" param) ":" value, with a name and parameter names of
// letters, digits and hyphens and parameter values quoted or free of
// '"', ';', ',' and ':' (RFC 5545 §3.1). It returns the upper-case name
// and where the value starts. go-ical's decoder fails, and on some lines
// panics, on anything else; such lines are repaired or dropped first.
func contentLine(s string) (name string, value int, ok bool) {
	i := nameEnd(s, 0)
	if i == 0 || i == len(s) || s[i] != ';' && s[i] != ':' {
		return "", 0, false
	}
	name = strings.ToUpper(s[:i])
	for s[i] == ';' {
		j := nameEnd(s, i+1)
		if j == i+1 || j == len(s) || s[j] != '=' {
			return "", 0, false
		}
		i = j + 1
		for {
			if i < len(s) && s[i] == '"' {
				end := strings.IndexByte(s[i+1:], '"')
				if end < 0 {
					return "", 0, false
				}
				i += end + 2
			} else {
				for i < len(s) && s[i] != '"' && s[i] != ';' && s[i] != ',' && s[i] != ':' {
					i++
				}
			}
			if i == len(s) {
				return "", 0, false
			}
			if s[i] != ',' {
				break
			}
			i++
		}
		if s[i] != ';' && s[i] != ':' {
			return "", 0, false
		}
	}
	return name, i + 1, true
}

// nameEnd returns the end of the run of name characters (letters, digits,
// hyphens) in s from i.
func nameEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			break
		}
		i++
	}
	return i
}

// repairText rewrites a TEXT value so that go-ical's unescaping reads it
// as the tool meant: a backslash that starts no RFC 5545 escape (\\, \;,
// \, and \n) stands for itself ("C:\Users"), and, in a property that holds
// one text rather than a list (list false), an unescaped comma is a comma,
// not a list separator (go-ical's Text would keep only the part before it).
func repairText(v string, list bool) string {
	if !strings.ContainsAny(v, `\,`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && strings.IndexByte(`\;,nN`, v[i+1]) >= 0:
			b.WriteByte(c)
			b.WriteByte(v[i+1])
			i++
		case c == '\\':
			b.WriteString(`\\`)
		case c == ',' && !list:
			b.WriteString(`\,`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// textKind tells whether the import reads property name as TEXT, and if
// so whether as a list (CATEGORIES) or as one text.
func textKind(name string) (text, list bool) {
	switch name {
	case "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "UID", "NAME", "X-WR-CALNAME", "X-WR-CALDESC",
		"X-WR-TIMEZONE", "TZID", "X-LIC-LOCATION", "X-ALT-DESC", "STATUS":
		return true, false
	case "CATEGORIES":
		return true, true
	}
	return false, false
}

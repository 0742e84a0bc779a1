package ical_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"confcal/ical"
)

// unfold undoes folding: RFC 5545 §3.1 removes every CRLF followed by one
// space or tab.
func unfold(s string) string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.ReplaceAll(s, "\r\n\t", "")
}

func TestFold(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		in   string
		want []string // the physical lines
	}{
		{"empty", "", []string{""}},
		{"short", "SUMMARY:x", []string{"SUMMARY:x"}},
		{"ascii 75", a(75), []string{a(75)}},
		{"ascii 76", a(76), []string{a(75), " a"}},
		{"ascii 75+74", a(75 + 74), []string{a(75), " " + a(74)}},
		{"ascii 75+75", a(75 + 75), []string{a(75), " " + a(74), " a"}},
		// "ü" is 2 octets: at 74 it would end at octet 76, so it moves on.
		{"2-byte straddling", a(74) + "üb", []string{a(74), " üb"}},
		{"2-byte ending at 75", a(73) + "üb", []string{a(73) + "ü", " b"}},
		// "—" is 3 octets starting at octet 74 or 75.
		{"3-byte straddling by 1", a(73) + "—x", []string{a(73), " —x"}},
		{"3-byte straddling by 2", a(74) + "—x", []string{a(74), " —x"}},
		{"3-byte ending at 75", a(72) + "—x", []string{a(72) + "—", " x"}},
		// "😀" is 4 octets.
		{"emoji straddling", a(73) + "😀😀", []string{a(73), " 😀😀"}},
		{"emoji ending at 75", a(71) + "😀😀", []string{a(71) + "😀", " 😀"}},
		{"emoji run", strings.Repeat("😀", 40), []string{
			strings.Repeat("😀", 18),       // 72 octets: a 19th would need 76
			" " + strings.Repeat("😀", 18), // 1 + 72 octets
			" " + strings.Repeat("😀", 4),
		}},
		{"continuation counts its space", a(75) + strings.Repeat("ü", 40), []string{
			a(75), " " + strings.Repeat("ü", 37), " üüü", // 1+74 octets, then the last 3
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ical.Fold(tt.in)
			if want := strings.Join(tt.want, "\r\n"); got != want {
				t.Errorf("Fold(%q) =\n%q\nwant\n%q", tt.in, got, want)
			}
			checkFolded(t, tt.in, got)
		})
	}
}

// checkFolded checks the properties every folding must have.
func checkFolded(t *testing.T, in, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets", i+1, len(line))
		}
		if i > 0 && (len(line) < 2 || line[0] != ' ') {
			t.Errorf("continuation line %d = %q, want a space and at least one octet", i+1, line)
		}
		if utf8.ValidString(in) && !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, line)
		}
	}
	if got := unfold(out); got != in {
		t.Errorf("unfolding gives %q, want %q", got, in)
	}
}

func FuzzFold(f *testing.F) {
	f.Add("DESCRIPTION:" + strings.Repeat("ünïcödé — ", 20)) // 2- and 3-octet runes across many cuts
	f.Add(strings.Repeat("😀", 50))                           // 4-octet runes only
	f.Add(strings.Repeat("a", 75))                           // exactly one full line
	f.Add(strings.Repeat("\x80", 200))                       // invalid UTF-8: continuation bytes only
	f.Add(strings.Repeat("a", 74) + "\xff\xfe" + strings.Repeat("é", 60))
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\r\n") {
			t.Skip("fold takes one content line")
		}
		checkFolded(t, s, ical.Fold(s))
	})
}

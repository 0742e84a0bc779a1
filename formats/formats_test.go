package formats_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"confcal/agenda"
	"confcal/formats"
)

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain   text\n\n\n\nnext", "plain text\n\nnext"},
		{"<p>One &amp; two</p><p>Three</p>", "One & two\n\nThree"},
		{"line<br>break<br/>again", "line\nbreak\nagain"},
		{"<ul><li>a</li><li>b <b>bold</b></li></ul>after", "• a\n• b bold\n\nafter"},
		{`See <a href="https://example.org/x">the site</a>.`, "See the site (https://example.org/x)."},
		{`<a href="https://example.org/">https://example.org/</a>`, "https://example.org/"},
		{`Mail <a href='mailto:a@b.example'>a@b.example</a>`, "Mail a@b.example"},
		{"<script>alert(1)</script>kept<style>p{}</style>", "kept"},
		{"x <!-- a comment --> y", "x y"},
		{"1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{"tab\there\x00\x1b[31m", "tab here [31m"},
		{"&lt;not a tag&gt; &eacute;t&eacute;", "<not a tag> été"},
		{"<P CLASS=x>Upper</P>", "Upper"},
		// Lower-casing İ takes more bytes: found by the fuzzer.
		{"<a İİİİ href=http://x>link</a>", "link (http://x)"},
	} {
		if got := formats.PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<a href=x>y", "<!--", "&amp;", "<script>", "a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := formats.PlainText(s)
		for _, r := range out {
			if r != '\n' && unicode.IsControl(r) {
				t.Fatalf("PlainText(%q) = %q holds control character %U", s, out, r)
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("PlainText(%q) = %q is not valid UTF-8", s, out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("PlainText(%q) = %q has blanks at its ends", s, out)
		}
	})
}

func TestKeyID(t *testing.T) {
	for _, key := range []string{"4711", "a3c9e2f0-1b2c-4d5e-8f90-123456789abc"} {
		if got := formats.KeyID(key); got != key {
			t.Errorf("KeyID(%q) = %q, want the key itself", key, got)
		}
	}
	seen := map[string]string{}
	for _, key := range []string{"A3C9E2F0-1B2C", "a3c9e2f0-1b2c-", "event@example.org", "Event@example.org", "", strings.Repeat("long-", 40), "ü"} {
		id := formats.KeyID(key)
		if !agenda.ValidID(id) {
			t.Errorf("KeyID(%q) = %q, not a valid ID", key, id)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("KeyID(%q) = KeyID(%q) = %q", key, other, id)
		}
		seen[id] = key
		if again := formats.KeyID(key); again != id {
			t.Errorf("KeyID(%q) is not stable: %q, then %q", key, id, again)
		}
	}
}

func TestZone(t *testing.T) {
	for _, tc := range []struct {
		doc, opt, want   string
		overridden, fail bool
	}{
		{"Europe/Berlin", "", "Europe/Berlin", false, false},
		{"", "America/New_York", "America/New_York", false, false},
		{"Europe/Berlin", "Europe/Berlin", "Europe/Berlin", false, false},
		{"UTC", "Europe/Berlin", "Europe/Berlin", true, false},
		{"", "", "", false, true},
		{"Mars/Olympus", "", "", false, true},
		{"UTC", "Mars/Olympus", "", false, true},
		{"Local", "", "", false, true},
	} {
		loc, over, err := formats.Zone(formats.Options{Name: "doc", TimeZone: tc.opt}, tc.doc)
		if tc.fail != (err != nil) || err == nil && (loc.String() != tc.want || over != tc.overridden) {
			t.Errorf("Zone(doc %q, option %q) = %v, %v, %v; want %q, overridden %v, failing %v", tc.doc, tc.opt, loc, over, err, tc.want, tc.overridden, tc.fail)
		}
	}
}

func TestFit(t *testing.T) {
	if s, cut := formats.Fit("short", 10); s != "short" || cut {
		t.Errorf("Fit(short) = %q, %v", s, cut)
	}
	s, cut := formats.Fit("the quick brown fox jumps over", 20)
	if !cut || utf8.RuneCountInString(s) > 20 || !strings.HasSuffix(s, "…") {
		t.Errorf("Fit = %q, %v: want at most 20 characters ending in …", s, cut)
	}
}

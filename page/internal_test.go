package page

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"confcal/agenda/agendatest"
)

func TestParseBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://cal.example.org", "https://cal.example.org", true},
		{"https://Cal.Example.org/", "https://cal.example.org", true},
		{" http://localhost:8080 ", "http://localhost:8080", true},
		{"http://[::1]:8080", "http://[::1]:8080", true},
		{"cal.example.org", "", false},
		{"ftp://cal.example.org", "", false},
		{"https://cal.example.org/confcal", "", false},
		{"https://cal.example.org?x=1", "", false},
		{"https://user:pw@cal.example.org", "", false},
		{"https://", "", false},
		{"https://a b", "", false},
	}
	for _, tt := range tests {
		got, err := ParseBaseURL(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseBaseURL(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestBaseURLFromRequest(t *testing.T) {
	tests := []struct {
		name       string
		base       string
		trustProxy bool
		tls        bool
		host       string
		headers    map[string]string
		want       string
	}{
		{"flag wins", "https://cal.example.org", true, false, "internal:8080",
			map[string]string{"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example"}, "https://cal.example.org"},
		{"plain request", "", false, false, "localhost:8080", nil, "http://localhost:8080"},
		{"tls request", "", false, true, "cal.example.org", nil, "https://cal.example.org"},
		{"untrusted proxy headers ignored", "", false, false, "internal:8080",
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}, "http://internal:8080"},
		{"trusted proxy", "", true, false, "internal:8080",
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cal.example.org"}, "https://cal.example.org"},
		{"first of a proxy chain", "", true, false, "internal:8080",
			map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "cal.example.org, internal"}, "https://cal.example.org"},
		{"bad forwarded values ignored", "", true, false, "internal:8080",
			map[string]string{"X-Forwarded-Proto": "javascript", "X-Forwarded-Host": "evil.example/<x>"}, "http://internal:8080"},
		{"bad host", "", false, false, `a"b`, nil, "http://localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := BaseURL(tt.base, tt.trustProxy)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := f(r); got != tt.want {
				t.Errorf("base = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := BaseURL("not a url", false); err == nil {
		t.Error("BaseURL with a bad base: no error")
	}
}

func TestMemoryPicks(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryPicks(3)
	var codes []string
	for i := range 3 {
		ids := []string{"s" + string(rune('a'+i)), "t"}
		code, err := m.Save(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if !ValidCode(code) || slices.Contains(codes, code) {
			t.Fatalf("code %q: valid %v, repeated %v", code, ValidCode(code), slices.Contains(codes, code))
		}
		codes = append(codes, code)
		got, err := m.Load(ctx, code)
		if err != nil || !slices.Equal(got, ids) {
			t.Errorf("Load(%q) = %v, %v; want %v", code, got, err, ids)
		}
	}
	// The same pick again gets its code and takes no room.
	for range 30 {
		if code, err := m.Save(ctx, []string{"sb", "t"}); code != codes[1] || err != nil {
			t.Fatalf("Save of a stored pick = %q, %v; want %q", code, err, codes[1])
		}
	}
	// A full store refuses new picks and forgets none.
	if _, err := m.Save(ctx, []string{"sd", "t"}); !errors.Is(err, ErrPicksFull) {
		t.Errorf("Save into a full store = %v, want ErrPicksFull", err)
	}
	if m.Len() != 3 {
		t.Errorf("store holds %d picks, want 3", m.Len())
	}
	for i, code := range codes {
		if got, err := m.Load(ctx, code); err != nil || got[0] != "s"+string(rune('a'+i)) {
			t.Errorf("Load(%q) of a full store = %v, %v", code, got, err)
		}
	}
	if _, err := m.Load(ctx, "aaaaaaaaaaaaaaaa"); !errors.Is(err, ErrUnknownPick) {
		t.Errorf("Load(unknown) = %v, want ErrUnknownPick", err)
	}
	for _, bad := range [][]string{nil, {"Bad"}, {"a", "a"}, make([]string, MaxPick+1)} {
		if _, err := m.Save(ctx, bad); err == nil {
			t.Errorf("Save(%.40q): no error", bad)
		}
	}
	// A saved pick is a copy.
	m = NewMemoryPicks(3)
	ids := []string{"a", "b"}
	code, _ := m.Save(ctx, ids)
	ids[0] = "z"
	if got, _ := m.Load(ctx, code); got[0] != "a" {
		t.Error("store shares the caller's slice")
	}
	// A cancelled request stores nothing and says why.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Save(cctx, []string{"c"}); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "save pick") {
		t.Errorf("Save with a cancelled context = %v, want a wrapped context.Canceled", err)
	}
}

func TestValidCode(t *testing.T) {
	for range 100 {
		if c := NewCode(); !ValidCode(c) {
			t.Fatalf("NewCode() = %q is not valid", c)
		}
	}
	for _, bad := range []string{"", "abc", "AAAAAAAAAAAAAAAA", "aaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaaa"} {
		if ValidCode(bad) {
			t.Errorf("ValidCode(%q) = true", bad)
		}
	}
}

func TestTextOn(t *testing.T) {
	for _, tt := range []struct{ color, want string }{
		{"#000000", "#fff"}, {"#FFFFFF", "#111"}, {"#00798C", "#fff"}, {"#F2C14E", "#111"},
	} {
		if got := textOn(tt.color); got != tt.want {
			t.Errorf("textOn(%s) = %s, want %s", tt.color, got, tt.want)
		}
	}
}

// FuzzParagraphs checks that splitting an abstract never loses, reorders
// or invents text: the blocks hold exactly the abstract's non-space
// characters, list markers aside.
func FuzzParagraphs(f *testing.F) {
	for _, x := range agendatest.SmallContents().Sessions {
		f.Add(x.Abstract)
	}
	f.Add("a\n- b\n-\n* c\n\n• d\r\ne\n.\nf")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			// Joining lines with a space may complete a broken UTF-8
			// sequence differently; the words are then incomparable.
			paragraphs(s) // but it must not panic
			return
		}
		var got strings.Builder
		for _, b := range paragraphs(s) {
			if (b.Text == "") == (len(b.Items) == 0) {
				t.Fatalf("block %+v is neither a paragraph nor a list", b)
			}
			got.WriteString(b.Text)
			for _, it := range b.Items {
				got.WriteString(it)
			}
		}
		var want strings.Builder
		for line := range strings.SplitSeq(strings.ReplaceAll(s, "\r", "\n"), "\n") {
			line = strings.TrimSpace(line)
			if item, ok := listItem(line); ok {
				line = item
			}
			want.WriteString(line)
		}
		if nospace(got.String()) != nospace(want.String()) {
			t.Fatalf("paragraphs(%q) keeps %q, want %q", s, nospace(got.String()), nospace(want.String()))
		}
	})
}

func nospace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

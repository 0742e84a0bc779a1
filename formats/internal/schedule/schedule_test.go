package schedule_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"
	"unicode/utf16"

	"confcal/formats/internal/schedule"
)

// The importers' tests drive this package through their documents; these
// pin the helpers whose edges several importers rely on alike.

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		nos  []int
		want string
	}{
		{[]int{4}, "line 4 is"},
		{[]int{4, 9}, "lines 4, 9 are"},
		{[]int{1, 2, 3, 4, 5, 6, 7}, "lines 1, 2, 3, 4, 5 and 2 more are"},
	} {
		if got := schedule.Lines(tc.nos); got != tc.want {
			t.Errorf("Lines(%v) = %q, want %q", tc.nos, got, tc.want)
		}
	}
}

func TestUnique(t *testing.T) {
	used := map[string]bool{}
	long := "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i12345678-j123456789"
	for _, tc := range []struct{ id, want string }{
		{"room", "room"},
		{"room", "room-2"},
		{"room", "room-3"},
		{"room-2", "room-2-2"},
		{long, long},
		{long, long[:89] + "-2"}, // cut to 90, less the hyphen it would end in
	} {
		if got := schedule.Unique(tc.id, used); got != tc.want {
			t.Errorf("Unique(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestJoinText(t *testing.T) {
	for _, tc := range []struct{ abstract, description, want string }{
		{"", "", ""},
		{"A", "", "A"},
		{"", "D", "D"},
		{"A", "D", "A\n\nD"},
		{"Short.", "Short. And long.", "Short. And long."},
		{"Short. And long.", "Short.", "Short. And long."},
		{"Same", "Same", "Same"},
	} {
		if got := schedule.JoinText(tc.abstract, tc.description); got != tc.want {
			t.Errorf("JoinText(%q, %q) = %q, want %q", tc.abstract, tc.description, got, tc.want)
		}
	}
}

func TestLanguageTag(t *testing.T) {
	for _, tc := range []struct {
		s       string
		primary int
		want    bool
	}{
		{"en", 3, true},
		{"de-CH", 3, true},
		{"zh-Hant-TW", 3, true},
		{"es-419", 3, true},
		{"English", 3, false},
		{"English", 8, true},
		{"e", 8, false},
		{"", 8, false},
		{"en-", 8, false},
		{"en_US", 8, false},
		{"1a", 8, false},
		{"en-toolongsub", 8, false},
	} {
		if got := schedule.LanguageTag(tc.s, tc.primary); got != tc.want {
			t.Errorf("LanguageTag(%q, %d) = %v, want %v", tc.s, tc.primary, got, tc.want)
		}
	}
}

func TestHexColor(t *testing.T) {
	for _, tc := range []struct {
		s, want string
		ok      bool
	}{
		{"#a4a300", "#A4A300", true},
		{"A4A300", "#A4A300", true},
		{"#abc", "#AABBCC", true},
		{"", "", false},
		{"#ab", "", false},
		{"#ggg", "", false},
		{"red", "", false},
	} {
		if got, ok := schedule.HexColor(tc.s); got != tc.want || ok != tc.ok {
			t.Errorf("HexColor(%q) = %q, %v, want %q, %v", tc.s, got, ok, tc.want, tc.ok)
		}
	}
}

// utf16LE encodes s as UTF-16, little endian, with a byte-order mark
// when bom is set, as Windows tools save text.
func utf16LE(s string, bom bool) string {
	var b []byte
	if bom {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

func TestDecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		data, err string
		value     string   // the value read, compact ("" to skip)
		problems  []string // what was repaired
	}{
		{"\ufeff{\"a\": 1}", "", `{"a":1}`, nil},
		{utf16LE(`{"a": "Café"}`, true), "", `{"a":"Café"}`, nil},
		{utf16LE(`{"a": "Café"}`, false), "", `{"a":"Café"}`, nil},
		{"{\n\"a\": \"Caf\xe9\"\n}", "", `{"a":"Café"}`, []string{"d.json: line 2 is not UTF-8: read as Windows-1252"}},
		{"", "d.json: empty document, want a thing", "", nil},
		{"{\n  \"a\": ,\n}", "d.json:2:8: not JSON: invalid character ',' looking for beginning of value", "", nil},
		{"{}\n\n  []", "d.json:3:3: more after the JSON document", "", nil},
		{"{\n\"a\": [1, 2", "d.json:2:11: the document ends before its JSON does (cut short?)", "", nil},
		{"{\"a\": \"unterminated", "d.json:1:20: the document ends before its JSON does (cut short?)", "", nil},
	} {
		p := &schedule.Places{Name: "d.json"}
		raw, err := p.DecodeJSON([]byte(tc.data), "a thing")
		if got := ""; err != nil {
			got = err.Error()
			if got != tc.err {
				t.Errorf("DecodeJSON(%q): %q, want %q", tc.data, got, tc.err)
			}
			continue
		} else if tc.err != "" {
			t.Errorf("DecodeJSON(%q): no error, want %q", tc.data, tc.err)
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil || compact.String() != tc.value {
			t.Errorf("DecodeJSON(%q) = %s (%v), want %s", tc.data, compact.String(), err, tc.value)
		}
		var got []string
		for _, pr := range p.Problems {
			got = append(got, pr.String())
		}
		if !slices.Equal(got, tc.problems) {
			t.Errorf("DecodeJSON(%q): problems %q, want %q", tc.data, got, tc.problems)
		}
	}
}

func TestSniffJSON(t *testing.T) {
	for _, tc := range []struct {
		data string
		want bool
	}{
		{`{"a": {}, "b": 1}`, true},
		{"\ufeff \n{\"b\" : 1, \"a\":2}", true},
		{`{"a": "b", "c": 1}`, false}, // "b" is a value, not a member
		{`[{"a": 1, "b": 2}]`, false},
		{utf16LE(`{"b": {}, "a": 1}`, true), true},
		{utf16LE(`{"b": {}, "a": 1}`, false), true},
		{``, false},
	} {
		if got := schedule.SniffJSON([]byte(tc.data), "a", "b"); got != tc.want {
			t.Errorf("SniffJSON(%q) = %v, want %v", tc.data, got, tc.want)
		}
	}
}

func TestNamedAfter(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"program.csv", "program"},
		{"/home/alice/Downloads/FOSDEM 2021.xml", "FOSDEM 2021"},
		{`C:\Users\alice\devconf.ics`, "devconf"},
		{"https://pretalx.example/democon/schedule/export/schedule.json?lang=en", "schedule"},
		{"https://sessionize.com/api/v2/abcdef/view/All", "All"},
		{"https://calendar.example.org/conf.2024.ics", "conf.2024"},
		{"https://calendar.example.org/", "fallback"},
		{"notes", "notes"},
		{".ics", ".ics"},
		{"", "fallback"},
		{".", "fallback"},
		{"/", "fallback"},
		{"dir/..", "fallback"},
		{"line\nbreak.csv", "line break"},
	} {
		if got := schedule.NamedAfter(tc.doc, "fallback"); got != tc.want {
			t.Errorf("NamedAfter(%q) = %q, want %q", tc.doc, got, tc.want)
		}
	}
}

func TestLocal(t *testing.T) {
	tests := []struct {
		zone, wall string
		want       string // RFC 3339
		note       string
	}{
		{"Europe/Berlin", "2019-10-08T14:00:00", "2019-10-08T14:00:00+02:00", ""},
		{"Europe/Berlin", "2025-10-26T02:30:00", "2025-10-26T02:30:00+02:00", "happens twice in Europe/Berlin (the clocks go back): read as the first, 02:30 CEST (UTC+02:00)"},
		{"America/New_York", "2024-03-10T02:30:00", "2024-03-10T03:30:00-04:00", "does not exist in America/New_York (the clocks skip it): read as 03:30 EDT (UTC-04:00)"},
		{"Europe/Dublin", "2019-10-27T01:30:00", "2019-10-27T01:30:00+01:00", "happens twice in Europe/Dublin (the clocks go back): read as the first, 01:30 IST (UTC+01:00)"},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		wall, _ := time.Parse("2006-01-02T15:04:05", tt.wall)
		want, _ := time.Parse(time.RFC3339, tt.want)
		got, note := schedule.Local(wall, loc)
		if !got.Equal(want) || note != tt.note {
			t.Errorf("Local(%s in %s) = %s, %q; want %s, %q", tt.wall, tt.zone, got.Format(time.RFC3339), note, tt.want, tt.note)
		}
	}
}

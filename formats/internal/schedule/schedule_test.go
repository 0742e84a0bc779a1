package schedule_test

import (
	"testing"

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

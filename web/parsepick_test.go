package web_test

import (
	"slices"
	"strings"
	"testing"

	"confcal/web"
)

// A pick's query is read into its lists, and of two errors the one told
// is that of the parameter first by name, an unknown parameter included.
func TestParsePick(t *testing.T) {
	for _, tt := range []struct {
		query    string
		sessions []string
		tracks   []string
		err      string
	}{
		{query: "sessions=a,b&sessions=c&tracks=t", sessions: []string{"a", "b", "c"}, tracks: []string{"t"}},
		{query: "sessions=+a+,,b", sessions: []string{"a", "b"}},
		{query: "speakers=x", err: `unknown parameter "speakers"`},
		{query: "zz=1&bb=2&sessions=a", err: `unknown parameter "bb"`},
		{query: "bb=1&alarm=nonsense", err: "alarm="},                 // alarm < bb
		{query: "alarm=nonsense&ab=1", err: `unknown parameter "ab"`}, // ab < alarm
		{query: "alarm=5m&alarm=10m&zz=1", err: "given 2 times"},
		{query: "sessions=" + strings.Repeat("x,", 1001) + "&zz=1", err: "more than 1000 items"},
		{query: "tracks=t&sessionz=1", err: `unknown parameter "sessionz"`},
		{query: "tracks=t&=x&B0", err: `unknown parameter ""`}, // the empty name, whichever the map gives first
		{query: "B0&=x", err: `unknown parameter ""`},
	} {
		p, err := web.ParseRawPick(tt.query)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseRawPick(%.40s) = %v, want an error saying %q", tt.query, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRawPick(%s): %v", tt.query, err)
			continue
		}
		if !slices.Equal(p.Sessions, tt.sessions) || !slices.Equal(p.Tracks, tt.tracks) {
			t.Errorf("ParseRawPick(%s) = %+v, want sessions %q, tracks %q", tt.query, p, tt.sessions, tt.tracks)
		}
	}
}

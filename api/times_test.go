package api_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"confcal/api"
)

func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseTime(t *testing.T) {
	loc := berlin(t)
	at := time.Date(2019, 10, 8, 14, 0, 0, 0, loc)
	tests := []struct {
		in   string
		want time.Time // zero: an error
		says string    // what the error mentions
	}{
		{"2019-10-08T14:00", at, ""},
		{"2019-10-08T14:00:00", at, ""},
		{"2019-10-08 14:00", at, ""},
		{"2019-10-08T12:00:00Z", at, ""},
		{"2019-10-08T14:00:00+02:00", at, ""},
		{"2019-10-08T13:00:00+01:00", at, ""},
		// The hour that happens twice: the first (CEST), as RFC 5545
		// reads it; an offset names the second.
		{"2019-10-27T02:30", time.Date(2019, 10, 27, 0, 30, 0, 0, time.UTC), ""},
		{"2019-10-27T02:30:00+01:00", time.Date(2019, 10, 27, 1, 30, 0, 0, time.UTC), ""},
		// The hour that is skipped: read with the offset before it (CET).
		{"2019-03-31T02:30", time.Date(2019, 3, 31, 1, 30, 0, 0, time.UTC), ""},
		{"2019-10-08T14:00:30", time.Time{}, "has seconds"},
		{"2019-10-08T14:00:00.5+02:00", time.Time{}, "has seconds"},
		{"2019-10-08T14:00:00.000000001Z", time.Time{}, "has seconds"},
		{"2019-10-08T14", time.Time{}, "is not a time"},
		{"tomorrow", time.Time{}, "is not a time"},
		{"", time.Time{}, "is not a time"},
		{"14:00", time.Time{}, "is not a time"},
		{"2019-10-08T25:00", time.Time{}, "is not a time"},
		{strings.Repeat("9", 500), time.Time{}, "is not a time"},
	}
	for _, tt := range tests {
		got, err := api.ParseTime(tt.in, loc)
		if tt.want.IsZero() {
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("ParseTime(%.40q) = %v, %v; want an error saying %q", tt.in, got, err, tt.says)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Errorf("ParseTime(%.40q): an error of %d bytes, want a short one", tt.in, len(err.Error()))
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseTime: any text is a time of whole minutes or an error; a time
// read back as the API writes it (RFC 3339) is the same instant.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2019-10-08T14:00", "2019-10-08 14:00", "2019-10-08T14:00:00Z", "2019-10-08T14:00:00.5+02:00", "2019-10-27T02:30", "x"} {
		f.Add(s)
	}
	loc := berlin(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := api.ParseTime(s, loc)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseTime(%q): an empty error", s)
			}
			return
		}
		if got.Second() != 0 || got.Nanosecond() != 0 {
			t.Fatalf("ParseTime(%q) = %v: not a whole minute", s, got)
		}
		again, err := api.ParseTime(got.In(loc).Format(time.RFC3339), loc)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseTime(%q) = %v, written as RFC 3339 reads back as %v, %v", s, got, again, err)
		}
	})
}

func TestValidWho(t *testing.T) {
	tests := []struct {
		who  string
		want bool
	}{
		{"alice", true},
		{"Ålice Ünïcode", true},
		{"", true}, // no author named: the server records "api"
		{strings.Repeat("a", api.MaxWho), true},
		{strings.Repeat("é", api.MaxWho), true}, // characters, not bytes
		{strings.Repeat("a", api.MaxWho+1), false},
		{"alice\nbob", false},
		{"\x1b[2J", false},
		{"tab\there", false},
		{"\u009b", false},
		{"\xff", false},
	}
	for _, tt := range tests {
		if got := api.ValidWho(tt.who); got != tt.want {
			t.Errorf("ValidWho(%q) = %v, want %v", tt.who, got, tt.want)
		}
	}
}

// PollError puts a failed poll's message on one line of bounded length.
func TestPollError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("source: https://x.example/s.xml answered 500 Internal Server Error"), "source: https://x.example/s.xml answered 500 Internal Server Error"},
		{errors.Join(errors.New("one"), errors.New("two\tthree")), "one two three"},
		{errors.New(""), "the poll failed"},
		{errors.New(strings.Repeat("é", 400)), strings.Repeat("é", 299) + "…"},
	} {
		if got := api.PollError(tc.err); got != tc.want {
			t.Errorf("PollError(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
	var c api.Conference
	c.Polled(time.Date(2030, 3, 29, 11, 0, 0, 0, time.FixedZone("CET", 3600)), errors.New("broken"))
	if c.LastPoll != "2030-03-29T10:00:00Z" || c.SourceError != "broken" {
		t.Errorf("Polled(…, broken): last_poll %q, source_error %q", c.LastPoll, c.SourceError)
	}
	c.Polled(time.Date(2030, 3, 29, 12, 0, 0, 0, time.UTC), nil)
	if c.LastPoll != "2030-03-29T12:00:00Z" || c.SourceError != "" {
		t.Errorf("Polled(…, nil): last_poll %q, source_error %q", c.LastPoll, c.SourceError)
	}
}

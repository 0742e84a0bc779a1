package api_test

import (
	"testing"

	"confcal/api"
)

// TestConferencePublic: what anyone may read of a conference's source: a
// file by its name alone, a URL without its query and user information,
// in the source and in the last poll's error alike.
func TestConferencePublic(t *testing.T) {
	for _, tc := range []struct {
		source, err         string
		wantSource, wantErr string
	}{
		{"", "", "", ""},
		{"https://pretalx.example.org/democon/schedule.xml", "source: https://pretalx.example.org/democon/schedule.xml answered 503",
			"https://pretalx.example.org/democon/schedule.xml", "source: https://pretalx.example.org/democon/schedule.xml answered 503"},
		{"https://sched.example.org/api/export?key=s3cret&fmt=xml", `Get "https://sched.example.org/api/export?key=s3cret&fmt=xml": timeout`,
			"https://sched.example.org/api/export", `Get "https://sched.example.org/api/export": timeout`},
		{"https://ops:hunter2@sched.example.org/s.xml", "source: https://ops:hunter2@sched.example.org/s.xml answered 401",
			"https://sched.example.org/s.xml", "source: https://sched.example.org/s.xml answered 401"},
		{"/srv/confcal/schedules/program.csv", "open /srv/confcal/schedules/program.csv: no such file or directory",
			"program.csv", "open program.csv: no such file or directory"},
		{"/srv/confcal/schedules/program.csv", "program.csv:3: no title in /srv/confcal/schedules",
			"program.csv", "program.csv:3: no title in …"},
	} {
		got := api.Conference{Source: tc.source, SourceError: tc.err}.Public()
		if got.Source != tc.wantSource || got.SourceError != tc.wantErr {
			t.Errorf("Public of %q, %q = %q, %q; want %q, %q", tc.source, tc.err, got.Source, got.SourceError, tc.wantSource, tc.wantErr)
		}
	}
}

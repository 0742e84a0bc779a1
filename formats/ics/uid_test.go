package ics_test

import (
	"fmt"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/ics"
)

// TestUIDDomain: which UID domain a calendar gets and which session ID
// each of its UIDs gives. A calendar whose UIDs share one domain says its
// UID domain itself (confcal's own feeds carry no calendar URL), so the
// IDs are the UIDs' local parts and a re-export has the same UIDs; any
// other calendar keeps the URL's host, the option or a name under
// .invalid, and IDs from whole UIDs.
func TestUIDDomain(t *testing.T) {
	for _, tc := range []struct {
		name   string
		url    string // the calendar's URL, "" for none
		domain string // formats.Options.UIDDomain
		uids   []string
		want   string   // the conference's UID domain
		ids    []string // each UID's session ID; "key" for formats.KeyID of the UID
	}{
		{"confcal's own feed", "", "", []string{"keynote@berlin-2019.flink-forward.org", "room-2-talk@berlin-2019.flink-forward.org"},
			"berlin-2019.flink-forward.org", []string{"keynote", "room-2-talk"}},
		{"confcal's feed of a fallback domain", "", "", []string{"a@test.invalid", "b@test.invalid"},
			"test.invalid", []string{"a", "b"}},
		{"the given domain matches", "", "conf.example", []string{"a@conf.example", "b@conf.example"},
			"conf.example", []string{"a", "b"}},
		{"the given domain wins and alone makes IDs of local parts", "", "other.example", []string{"a@conf.example", "b@conf.example"},
			"other.example", []string{"key", "key"}},
		{"a followed calendar stored before UIDs gave domains", "", "test.invalid", []string{"a@google.com", "b@google.com"},
			"test.invalid", []string{"key", "key"}},
		{"the URL's host wins, the IDs are still the local parts", "https://www.conf.example/2027/", "", []string{"a@pretalx.example", "b@pretalx.example"},
			"www.conf.example", []string{"a", "b"}},
		{"UIDs under the URL's host", "https://conf.example/", "", []string{"a@conf.example", "b@elsewhere.example"},
			"conf.example", []string{"a", "key"}},
		{"a localhost URL gives no domain", "http://localhost:8080/", "", []string{"a@conf.example"},
			"conf.example", []string{"a"}},
		{"an IP address URL gives no domain", "http://192.0.2.7/", "", []string{"a@conf.example"},
			"conf.example", []string{"a"}},
		{"Google", "", "", []string{"5v1q7k2m9n3b4c6x8z0a1s2d3f@google.com", "7kukuqrfedlm_R20250520T160000@google.com"},
			"google.com", []string{"5v1q7k2m9n3b4c6x8z0a1s2d3f", "key"}},
		{"mixed domains", "", "", []string{"a@one.example", "b@two.example"},
			"test.invalid", []string{"key", "key"}},
		{"mixed domains, one given", "", "one.example", []string{"a@one.example", "b@two.example"},
			"one.example", []string{"a", "key"}},
		{"the given domain in another case", "", "one.example", []string{"a@One.Example", "b@two.example"},
			"one.example", []string{"a", "key"}},
		{"domains spelt differently share none", "", "", []string{"a@One.Example", "b@one.example"},
			"test.invalid", []string{"key", "key"}},
		{"UIDs without @", "", "", []string{"040000008200E00074C5B7101A82E008", "6f1c2a5e-1b2c-4d3e-8f90-a1b2c3d4e5f6"},
			"test.invalid", []string{"key", "6f1c2a5e-1b2c-4d3e-8f90-a1b2c3d4e5f6"}},
		{"some UIDs without @", "", "", []string{"a@conf.example", "b"},
			"test.invalid", []string{"key", "b"}},
		{"localhost", "", "", []string{"a@localhost", "b@localhost"},
			"test.invalid", []string{"key", "key"}},
		{"an IP address", "", "", []string{"a@127.0.0.1", "b@127.0.0.1"},
			"test.invalid", []string{"key", "key"}},
		{"an IPv6 literal", "", "", []string{"a@[::1]"},
			"test.invalid", []string{"key"}},
		{"a local part that is no session ID", "", "", []string{"Talk 1@conf.example", "talk-2@conf.example"},
			"conf.example", []string{"key", "talk-2"}},
		{"two UIDs that would give one ID", "", "conf.example", []string{"talk@conf.example", "talk"},
			"conf.example", []string{"key", "talk"}},
		{"the same local part in two cases of the domain", "", "conf.example", []string{"talk@conf.example", "talk@CONF.EXAMPLE"},
			"conf.example", []string{"key", "key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nX-WR-CALNAME:Test\nX-WR-TIMEZONE:Europe/Berlin\n")
			if tc.url != "" {
				b.WriteString("URL:" + tc.url + "\n")
			}
			for i, uid := range tc.uids {
				fmt.Fprintf(&b, "BEGIN:VEVENT\nUID:%s\nDTSTART:20270503T%02d0000Z\nDTEND:20270503T%02d3000Z\nSUMMARY:Talk %d\nLOCATION:Hall\nEND:VEVENT\n", uid, 8+i, 8+i, i)
			}
			b.WriteString("END:VCALENDAR\n")
			r, err := ics.Parse(crlf(b.String()), formats.Options{Name: "test.ics", UIDDomain: tc.domain, Now: imported})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Contents.Conference.UIDDomain; got != tc.want {
				t.Errorf("UID domain %q, want %q", got, tc.want)
			}
			if len(r.Contents.Sessions) != len(tc.uids) {
				t.Fatalf("%d sessions, want %d (problems: %v)", len(r.Contents.Sessions), len(tc.uids), problems(r))
			}
			for i, x := range r.Contents.Sessions {
				want := tc.ids[i]
				if want == "key" {
					want = formats.KeyID(tc.uids[i])
				}
				if x.ID != want || !agenda.ValidID(x.ID) {
					t.Errorf("UID %q gives ID %q, want %q", tc.uids[i], x.ID, want)
				}
			}
		})
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"confcal/api"
)

// samplesDir is where the real published schedules are, beside the
// checkout (never copied into it).
const samplesDir = "../../../shared/samples"

// sample returns the path of a real schedule; without the samples the
// test skips, but not in CI, where they are always beside the checkout.
func sample(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(samplesDir, name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sample %s missing in CI: %v", name, err)
		}
		t.Skipf("sample %s not found (../shared/samples beside the checkout): %v", name, err)
	}
	return p
}

// Fixtures of our own for the formats no sample covers.
const (
	icsFixture = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Planner//EN\r\nX-WR-TIMEZONE:Europe/Berlin\r\n" +
		"BEGIN:VEVENT\r\nUID:talk-1@planner.example\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270503T080000Z\r\nDTEND:20270503T084500Z\r\n" +
		"SUMMARY:First Talk\r\nLOCATION:Main Hall\r\nCATEGORIES:Talks\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:talk-2@planner.example\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270503T090000Z\r\nDTEND:20270503T093000Z\r\n" +
		"SUMMARY:Second Talk\r\nLOCATION:Side Room\r\nCATEGORIES:Talks\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:talk-3@planner.example\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270504T090000Z\r\nDTEND:20270504T100000Z\r\n" +
		"SUMMARY:Workshop\r\nLOCATION:Side Room\r\nCATEGORIES:Workshops\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	csvFixture = "id,title,start,end,room,track,speakers\n" +
		"a,Opening,2027-05-03 09:00,2027-05-03 09:30,Main Hall,Keynote,Ada Lovelace\n" +
		"b,Streams,2027-05-03 10:00,2027-05-03 10:45,Main Hall,Talks,Grace Hopper; Alan Turing\n"
)

// formatCase is one schedule served through confcal: where it is, the
// flags it needs, and how many events its whole-conference feed must hold.
type formatCase struct {
	name   string
	path   func(t *testing.T) string
	flags  []string
	events int
}

func formatCases() []formatCase {
	fixture := func(name, body string) func(t *testing.T) string {
		return func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	real := func(name string) func(t *testing.T) string {
		return func(t *testing.T) string { return sample(t, name) }
	}
	// The counts are the events of each sample (its README), every one
	// imported.
	return []formatCase{
		{"ccc-hub-schedule-xml", real("39c3-hub/schedule.xml"), nil, 215},
		{"pentabarf-xml", real("fosdem-2021-pentabarf/schedule.xml"), []string{"-time-zone", "Europe/Brussels"}, 773},
		{"pretalx-schedule-json", real("pretalx-democon-json/schedule.json"), nil, 36},
		{"sessionize-json", real("sessionize-occ2020/all.json"), []string{"-time-zone", "America/New_York"}, 99},
		{"ics", fixture("planner.ics", icsFixture), nil, 3},
		{"csv", fixture("program.csv", csvFixture), []string{"-time-zone", "Europe/Berlin"}, 2},
	}
}

// feedEvents fetches a feed and parses it with go-ical.
func feedEvents(t *testing.T, u string) []goical.Event {
	t.Helper()
	resp := get(t, u)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("GET %s does not parse: %v", u, err)
	}
	return cal.Events()
}

// TestServeEachFormat serves each format with serve -agenda and reads the
// whole conference back as a subscriber would.
func TestServeEachFormat(t *testing.T) {
	for _, tc := range formatCases() {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-agenda", tc.path(t)}, tc.flags...)
			addr, _, _, _ := startServe(t, args...)
			if got := len(feedEvents(t, "http://"+addr+"/feeds/all.ics")); got != tc.events {
				t.Errorf("/feeds/all.ics has %d events, want %d", got, tc.events)
			}
			// The exports read what was imported.
			for _, u := range []string{"/schedule.xml", "/schedule.json", "/feeds"} {
				if resp := get(t, "http://"+addr+u); resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s: %d", u, resp.StatusCode)
				}
			}
		})
	}
}

// TestConferencesFromEachFormat adds every format as a conference of one
// server through the admin API, the schedule sent as the document, and
// reads each conference's feed from its own URL.
func TestConferencesFromEachFormat(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "formats-admin-token-0123456789abcdef")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", t.TempDir())
	base := "http://" + addr
	for _, tc := range formatCases() {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := os.ReadFile(tc.path(t))
			if err != nil {
				t.Fatal(err)
			}
			n := api.NewConference{Slug: tc.name, Document: string(doc)}
			if len(tc.flags) == 2 {
				n.TimeZone = tc.flags[1]
			}
			body, _ := json.Marshal(n)
			req, _ := http.NewRequest(http.MethodPost, base+"/api/conferences", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer formats-admin-token-0123456789abcdef")
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var c api.Conference
			if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST /api/conferences: %d %v", resp.StatusCode, err)
			}
			if c.Sessions != tc.events || !strings.HasSuffix(c.Feed, "/"+tc.name+"/feeds/all.ics") {
				t.Errorf("added %+v, want %d sessions", c, tc.events)
			}
			if got := len(feedEvents(t, c.Feed)); got != tc.events {
				t.Errorf("%s has %d events, want %d", c.Feed, got, tc.events)
			}
		})
	}
	var list api.ConferenceList
	if err := json.NewDecoder(get(t, base+"/api/conferences").Body).Decode(&list); err != nil || len(list.Conferences) != 1+len(formatCases()) {
		t.Errorf("GET /api/conferences: %d conferences, %v", len(list.Conferences), err)
	}
}

// TestJSONInOtherEncodings: the JSON schedules saved as Windows tools save
// them — UTF-16 with a byte-order mark (PowerShell's Out-File), or with a
// character in the machine's code page — read as the UTF-8 original, the
// code page's line reported.
func TestJSONInOtherEncodings(t *testing.T) {
	for _, tc := range []struct {
		sample string
		flags  []string
	}{
		{"sessionize-occ2020/all.json", []string{"-time-zone", "America/New_York"}},
		{"pretalx-democon-json/schedule.json", nil},
	} {
		t.Run(tc.sample, func(t *testing.T) {
			orig, err := os.ReadFile(sample(t, tc.sample))
			if err != nil {
				t.Fatal(err)
			}
			sessions := func(data []byte) (string, string) {
				t.Helper()
				p := filepath.Join(t.TempDir(), filepath.Base(tc.sample))
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
				out, errOut, err := runCmd(t, "", append([]string{"sessions", "-agenda", p}, tc.flags...)...)
				if err != nil {
					t.Fatalf("confcal sessions -agenda %s: %v", p, err)
				}
				return out, strings.ReplaceAll(errOut, p, "FILE")
			}
			want, _ := sessions(orig)

			var u16 []byte
			for _, u := range utf16.Encode([]rune("\ufeff" + strings.TrimPrefix(string(orig), "\ufeff"))) {
				u16 = append(u16, byte(u), byte(u>>8))
			}
			if got, _ := sessions(u16); got != want {
				t.Errorf("UTF-16: sessions differ from the UTF-8 original's:\n%s\nwant\n%s", got, want)
			}

			// The first Latin-1 letter of the original in Windows-1252 (and
			// ISO 8859-1), where the sample has one.
			i := bytes.IndexFunc(orig, func(r rune) bool { return r >= 0xC0 && r <= 0xFF })
			if i < 0 {
				return
			}
			r, n := utf8.DecodeRune(orig[i:])
			latin := append(append(append([]byte{}, orig[:i]...), byte(r)), orig[i+n:]...)
			line := bytes.Count(orig[:i], []byte("\n")) + 1
			got, errOut := sessions(latin)
			if got != want {
				t.Errorf("Windows-1252: sessions differ from the UTF-8 original's:\n%s\nwant\n%s", got, want)
			}
			if report := fmt.Sprintf("skipped or repaired: FILE: line %d is not UTF-8: read as Windows-1252", line); !strings.Contains(errOut, report) {
				t.Errorf("Windows-1252: stderr\n%s\nwant a line %q", errOut, report)
			}
		})
	}
}

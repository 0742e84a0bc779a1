package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"confcal/api"

	goical "github.com/emersion/go-ical"
)

// TestDSTFoldEndToEnd: the testers' case. A conference in Europe/Dublin
// is added through the admin API with a CSV session at 01:30 on the night
// the clocks go back (01:30 happens twice). The API reads it as the first
// 01:30 (00:30 UTC, RFC 5545 §3.3.5), a PATCH with a local start does the
// same, and the feed and the CalDAV object, parsed with go-ical, give back
// the same instants.
func TestDSTFoldEndToEnd(t *testing.T) {
	const token = "dst-admin-token-0123456789abcdef01234"
	t.Setenv("CONFCAL_ADMIN_TOKEN", token)
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", t.TempDir())
	base := "http://" + addr
	send := func(method, path string, v any) *http.Response {
		t.Helper()
		body, _ := json.Marshal(v)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return v
	}
	resp := send(http.MethodPost, "/api/conferences", api.NewConference{Slug: "dub", TimeZone: "Europe/Dublin",
		Document: "id,title,start,end,room,track\nb2,X,2019-10-27 01:30,2019-10-27 02:30,Main,Talks\n"})
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST /api/conferences: %d %s", resp.StatusCode, b)
	}

	// check reads b2 through the API, the feed and CalDAV.
	check := func(start, end string) {
		t.Helper()
		var x api.Session
		if err := json.NewDecoder(get(t, base+"/dub/api/sessions/b2").Body).Decode(&x); err != nil {
			t.Fatal(err)
		}
		if !utc(x.Start).Equal(utc(start)) || !utc(x.End).Equal(utc(end)) {
			t.Errorf("GET /dub/api/sessions/b2: %s–%s, want %s–%s", x.Start, x.End, start, end)
		}
		for _, u := range []string{"/dub/feeds/all.ics", "/dav/dub/calendars/all/b2.ics"} {
			evs := feedEvents(t, base+u)
			if len(evs) != 1 {
				t.Fatalf("%s: %d events, want 1", u, len(evs))
			}
			for name, want := range map[string]string{goical.PropDateTimeStart: start, goical.PropDateTimeEnd: end} {
				p := evs[0].Props.Get(name)
				got, err := p.DateTime(nil)
				if err != nil || !got.Equal(utc(want)) {
					t.Errorf("%s: %s %v = %v (%v), want %s", u, name, p, got, err, want)
				}
			}
		}
	}
	check("2019-10-27T00:30:00Z", "2019-10-27T02:30:00Z")

	// A local start through PATCH is the first 01:30 too; with an
	// offset, the second.
	if resp := send(http.MethodPatch, "/dub/api/sessions/b2", map[string]string{"start": "2019-10-27T00:30", "end": "2019-10-27T01:30"}); resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("PATCH: %d %s", resp.StatusCode, b)
	}
	check("2019-10-26T23:30:00Z", "2019-10-27T00:30:00Z")
	if resp := send(http.MethodPatch, "/dub/api/sessions/b2", map[string]string{"end": "2019-10-27T01:30:00+00:00"}); resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("PATCH: %d %s", resp.StatusCode, b)
	}
	check("2019-10-26T23:30:00Z", "2019-10-27T01:30:00Z")
}

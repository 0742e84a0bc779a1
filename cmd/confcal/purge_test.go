package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/postgres/pgtest"
)

// A conference purged and added again under its slug goes on from the
// revisions the first one reached, through a server as clients see it: a
// CalDAV client's sync token of the first is refused with
// DAV:valid-sync-token (so it syncs the new one in full, not as "nothing
// changed" or a diff against the other agenda), the ctag and the Atom
// entry IDs are not the first one's, and a webhook receiver that drops
// the Confcal-Delivery keys it has seen gets every revision of the new
// one. On both stores.
func TestPurgedSlugRevisionsGoOn(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		purgedSlugRevisions(t, "-data", filepath.Join(t.TempDir(), "data"))
	})
	t.Run("postgres", func(t *testing.T) {
		purgedSlugRevisions(t, "-store", pgtest.URL(t))
	})
}

func purgedSlugRevisions(t *testing.T, store ...string) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "purge-test-token")
	dir := t.TempDir()
	rcv := newHookReceiver(t)
	addr, _, _, _ := startServe(t, append([]string{"-addr", "127.0.0.1:0", "-push-allow-loopback"}, store...)...)
	server := "http://" + addr
	remote := []string{"-server", server}
	const cal = "/dav/x/calendars/all/"

	// Revisions 1 to 3 of the first x, the last two delivered.
	addHook := func() {
		t.Helper()
		stdout, stderr, err := runCmd(t, "", "webhooks", "add", "-server", server, "-conference", "x", rcv.srv.URL+"/hook")
		if err != nil {
			t.Fatalf("webhooks add: %v\n%s", err, stderr)
		}
		m := regexp.MustCompile(`(?m)^secret: (whsec_\S+)$`).FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("webhooks add printed no secret:\n%s", stdout)
		}
		rcv.secret.Store(&m[1])
	}
	edits := func(first int) {
		t.Helper()
		runSteps(t, remote, []step{
			{args: []string{"move", tinyCalendars, "-room", "hall-a", "-start", "2030-03-29T15:00", "-conference", "x"},
				out: []string{fmt.Sprintf("revision %d: ", first) + "Calendars moved from Hall B to Hall A, Mar 29 10:00 → 15:00"}},
			{args: []string{"cancel", tinyOpening, "-conference", "x"},
				out: []string{fmt.Sprintf("revision %d: ", first+1) + "Opening cancelled (Mar 29 10:00–10:45, Hall A)"}},
		})
	}
	delivered := func(want ...string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			_, accepted, bad := rcv.state()
			if len(bad) > 0 {
				t.Fatalf("bad deliveries: %v", bad)
			}
			if len(accepted) >= len(want) {
				if !slices.Equal(accepted, want) {
					t.Errorf("delivered %v, want %v", accepted, want)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivered %v, want %v", accepted, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	runSteps(t, remote, []step{{args: []string{"conferences", "add", "x", writeTemp(t, dir, "first.xml", tinySchedule)}}})
	addHook()
	edits(2)
	delivered("x:2", "x:3")

	code, body, err := davSync(server+cal, "")
	m := syncTokenRE.FindStringSubmatch(body)
	if err != nil || code != http.StatusMultiStatus || m == nil {
		t.Fatalf("initial sync of the first x: %d %v\n%s", code, err, body)
	}
	oldToken := m[1]
	if !strings.HasSuffix(oldToken, "/3") {
		t.Fatalf("the first x's sync token %q, want one at revision 3", oldToken)
	}
	oldCTag := ctagOf(t, server, cal)
	oldIDs := atomIDs(t, server+"/x/feeds/changes.atom")
	if len(oldIDs) == 0 {
		t.Fatal("the first x's change feed has no entries")
	}

	runSteps(t, remote, []step{
		{args: []string{"conferences", "remove", "x"}},
		{args: []string{"conferences", "purge", "x"}, out: []string{"purged conference x: deleted with everything it held"}},
	})
	// Another schedule of the same conference (name, UID domain, zone):
	// the same CalDAV epoch, other sessions' titles.
	second := strings.NewReplacer("Small Servers", "Large Servers", "Closing", "Farewell").Replace(tinySchedule)
	runSteps(t, remote, []step{{args: []string{"conferences", "add", "x", writeTemp(t, dir, "second.xml", second)}}})
	addHook()
	// The same edits as the first x's: without new revisions, everything
	// keyed on them would be the same.
	edits(5)
	delivered("x:2", "x:3", "x:5", "x:6")

	code, body, err = davSync(server+cal, oldToken)
	if err != nil || code != http.StatusForbidden || !strings.Contains(body, "valid-sync-token") {
		t.Errorf("the first x's sync token on the second x: %d %v, want 403 with DAV:valid-sync-token\n%s", code, err, body)
	}
	code, body, err = davSync(server+cal, "")
	if m := syncTokenRE.FindStringSubmatch(body); err != nil || code != http.StatusMultiStatus || m == nil || !strings.HasSuffix(m[1], "/6") {
		t.Errorf("initial sync of the second x: %d %v, want a token at revision 6\n%s", code, err, body)
	}
	if ctag := ctagOf(t, server, cal); ctag == oldCTag {
		t.Errorf("the second x's ctag is the first x's: %q", ctag)
	}
	for _, id := range atomIDs(t, server+"/x/feeds/changes.atom") {
		if slices.Contains(oldIDs, id) {
			t.Errorf("the second x's change feed repeats the first x's entry ID %s", id)
		}
	}
}

// davSync sends a sync-collection REPORT with token to the CalDAV
// calendar at url.
func davSync(url, token string) (int, string, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><sync-collection xmlns="DAV:"><sync-token>` + token +
		`</sync-token><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>`
	req, err := http.NewRequest("REPORT", url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// ctagOf returns the CS:getctag of the CalDAV calendar at base+path.
func ctagOf(t *testing.T, base, path string) string {
	t.Helper()
	for _, r := range propfind(t, base, path, "0", "<CS:getctag/>").Responses {
		for _, ps := range r.Propstat {
			if ps.Prop.CTag != "" {
				return ps.Prop.CTag
			}
		}
	}
	t.Fatalf("PROPFIND %s: no getctag", path)
	return ""
}

// atomIDs returns the IDs of the entries of the Atom feed at url.
func atomIDs(t *testing.T, url string) []string {
	t.Helper()
	code, body := request(t, "GET", url, "")
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, code, body)
	}
	var feed struct {
		Entries []struct {
			ID string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &feed); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	var out []string
	for _, e := range feed.Entries {
		out = append(out, e.ID)
	}
	return out
}

// On the local store too, a conference added again under a purged slug
// goes on from the revisions the first one reached.
func TestPurgedSlugRevisionsGoOnLocal(t *testing.T) {
	dir := t.TempDir()
	schedule := writeTemp(t, dir, "schedule.xml", tinySchedule)
	runSteps(t, []string{"-data", filepath.Join(dir, "data")}, []step{
		{args: []string{"conferences", "add", "main", schedule}}, // the default one, never removed
		{args: []string{"conferences", "add", "x", schedule}},
		{args: []string{"move", tinyCalendars, "-room", "hall-a", "-start", "2030-03-29T15:00", "-conference", "x"},
			out: []string{"revision 2: Calendars moved from Hall B to Hall A, Mar 29 10:00 → 15:00"}},
		{args: []string{"conferences", "remove", "x"}},
		{args: []string{"conferences", "purge", "x"}},
		{args: []string{"conferences", "add", "x", schedule}},
		{args: []string{"cancel", tinyOpening, "-conference", "x"}, out: []string{"revision 4: Opening cancelled (Mar 29 10:00–10:45, Hall A)"}},
	})
}

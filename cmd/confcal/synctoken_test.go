package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"confcal/postgres/pgtest"
)

// syncReport sends a sync-collection REPORT with token to the calendar
// "all" of the server at base and returns its status and body. It is
// safe to call from any goroutine.
func syncReport(base, token string) (int, string, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><sync-collection xmlns="DAV:"><sync-token>` + token +
		`</sync-token><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>`
	req, err := http.NewRequest("REPORT", base+"/dav/public/calendars/all/", strings.NewReader(body))
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

var syncTokenRE = regexp.MustCompile(`<sync-token[^>]*>([^<]+)</sync-token>`)

// A CalDAV client behind a load balancer syncs with one replica and, the
// next time, asks another, which has not yet loaded the revision its
// token names (the replicas hear each other within a second): that
// replica catches up and answers the changes, rather than refusing the
// token with valid-sync-token, which sends the client to sync the whole
// calendar again (RFC 6578 §3.2). A token of a revision that never comes
// is still refused.
func TestServeSyncTokenFromAnotherReplica(t *testing.T) {
	direct := pgtest.URL(t)
	proxy, through := pgtest.NewProxy(t, direct)
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-store", through, "-base-url", stackBase, "-push=false")
	base := "http://" + addr
	code, body, err := syncReport(base, "")
	m := syncTokenRE.FindStringSubmatch(body)
	if err != nil || code != http.StatusMultiStatus || m == nil {
		t.Fatalf("initial sync: %d %v\n%s", code, err, body)
	}
	i := strings.LastIndex(m[1], "/")
	prefix := m[1][:i+1]
	rev, err := strconv.ParseInt(m[1][i+1:], 10, 64)
	if err != nil {
		t.Fatalf("sync token %q", m[1])
	}

	// Another replica stores a revision this one does not hear of yet
	// (its connection is cut), and hands out its token: the calendar
	// "all" changed in that revision.
	proxy.Cut()
	if out, errOut, err := runCmd(t, "", "rename", "-store", direct, "apache-flink-worst-practices", "Renamed Elsewhere"); err != nil {
		t.Fatalf("rename: %v\n%s%s", err, out, errOut)
	}
	next := prefix + strconv.FormatInt(rev+1, 10)
	type answer struct {
		code int
		body string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		code, body, err := syncReport(base, next)
		got <- answer{code, body, err}
	}()
	time.Sleep(200 * time.Millisecond)
	proxy.Restore(t)
	a := <-got
	if a.err != nil || a.code != http.StatusMultiStatus || strings.Contains(a.body, "valid-sync-token") {
		t.Fatalf("sync with the other replica's token %s: %d %v\n%s\n%s", next, a.code, a.err, a.body, log)
	}
	if m := syncTokenRE.FindStringSubmatch(a.body); m == nil || m[1] != next {
		t.Errorf("sync with the other replica's token: answer's token %v, want %s\n%s", m, next, a.body)
	}

	// A token of a revision no replica stored.
	forged := prefix + strconv.FormatInt(rev+100, 10)
	if code, body, err := syncReport(base, forged); err != nil || code != http.StatusForbidden || !strings.Contains(body, "valid-sync-token") {
		t.Errorf("sync with a token of a revision never stored: %d %v\n%s", code, err, body)
	}
}

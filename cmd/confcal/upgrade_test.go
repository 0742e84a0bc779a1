package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/conferences"
	"confcal/page"
	"confcal/sqlite"
	"confcal/web"
)

// The upgrade test replays what scripts/capture-upgrade.sh asked the
// release before many conferences (6bf7c18), on a copy of the store that
// release left, against the current serve: every URL a subscriber, a
// CalDAV client or a script of today may hold must answer as it did. The
// script writes the golden files; rerun it (not this test) to make new ones.
const (
	upgradeDir   = "testdata/upgrade"
	upgradeBase  = "https://cal.example.org" // the script's -base-url
	upgradeToken = "upgrade-test-admin-token-0123456789abcdef"
	upgradeSlug  = "flink-forward-berlin-2019" // the default conference of the upgraded store
)

// capture is one request the script sent to the old release and the
// answer it got.
type capture struct {
	name, method, path string
	header             http.Header // of the request
	body               []byte      // of the request
	want               answer
}

// answer is an HTTP answer: its status, header fields and body.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// readCaptures reads the script's requests file and the answers it kept.
func readCaptures(t *testing.T) []capture {
	t.Helper()
	list, err := os.ReadFile(filepath.Join(upgradeDir, "requests"))
	if err != nil {
		t.Fatal(err)
	}
	var out []capture
	for i, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("%s/requests:%d: want NAME METHOD PATH [Header:Value…] [<BODY], got %q", upgradeDir, i+1, line)
		}
		c := capture{name: f[0], method: f[1], path: f[2], header: http.Header{}}
		for _, a := range f[3:] {
			if file, ok := strings.CutPrefix(a, "<"); ok {
				if c.body, err = os.ReadFile(filepath.Join(upgradeDir, file)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			k, v, ok := strings.Cut(a, ":")
			if !ok {
				t.Fatalf("%s/requests:%d: %q is neither Header:Value nor <BODY", upgradeDir, i+1, a)
			}
			c.header.Add(k, v)
		}
		raw, err := os.ReadFile(filepath.Join(upgradeDir, c.name+".http"))
		if err != nil {
			t.Fatal(err)
		}
		if c.want, err = parseAnswer(raw); err != nil {
			t.Fatalf("%s/%s.http: %v", upgradeDir, c.name, err)
		}
		out = append(out, c)
	}
	return out
}

// parseAnswer reads an answer as the script keeps it: the status line and
// header fields as curl received them, a blank line, the body.
func parseAnswer(raw []byte) (answer, error) {
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		return answer{}, fmt.Errorf("no blank line after the header")
	}
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))))
	line, err := tp.ReadLine()
	if err != nil {
		return answer{}, err
	}
	proto, status, _ := strings.Cut(line, " ")
	code, err := strconv.Atoi(strings.Fields(status + " x")[0])
	if !strings.HasPrefix(proto, "HTTP/") || err != nil {
		return answer{}, fmt.Errorf("status line %q", line)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return answer{}, fmt.Errorf("header: %w", err)
	}
	return answer{status: code, header: http.Header(h), body: body}, nil
}

// client asks as curl did: no redirects followed, nothing compressed
// unless the request says so.
func upgradeClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// send makes capture c's request to base with extra header fields.
func (c capture) send(t *testing.T, client *http.Client, base string, extra ...string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), c.method, base+c.path, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.body) == 0 {
		req.Body = http.NoBody
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", c.method, c.path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// headerChanges are the header fields the current release answers
// differently from the old one, by capture: the new value, "" for a field
// no longer sent. Each is there for a reason given with it; any other
// difference fails the test.
var headerChanges = map[string]map[string]string{
	// The Atom log is served as every feed now is, offering gzip (so it
	// varies by Accept-Encoding) and not byte ranges, where the old
	// release handed it to http.ServeContent. Its body, ETag and
	// Last-Modified are the same.
	"atom": {"Accept-Ranges": "", "Vary": "Accept-Encoding"},
}

// addedMembers are the JSON members the current release adds to answers
// of the old API, by capture: sessions have speakers and a number since
// the API documents were redone (api/sessions.go). Every member the old
// release sent is still there with the same value, which is what a client
// of the old API (the old confcal command among them) reads.
var addedMembers = map[string][]string{
	"api-sessions": {"speakers", "number"},
	"api-session":  {"speakers", "number"},
}

// framing are the header fields that say how the body travels, not what
// it is: the old release streamed some pages in chunks that are now sent
// with a Content-Length. The bodies are compared instead.
var framing = []string{"Date", "Content-Length", "Transfer-Encoding"}

// differences lists how got differs from c's captured answer.
func (c capture) differences(got answer) []string {
	var out []string
	if got.status != c.want.status {
		out = append(out, fmt.Sprintf("status %d, was %d", got.status, c.want.status))
	}
	changed := headerChanges[c.name]
	for k := range fieldNames(c.want.header, got.header) {
		if slices.Contains(framing, k) {
			continue
		}
		was, now := strings.Join(c.want.header.Values(k), ", "), strings.Join(got.header.Values(k), ", ")
		if v, ok := changed[k]; ok {
			if now != v {
				out = append(out, fmt.Sprintf("%s: %q, want %q (was %q)", k, now, v, was))
			}
			continue
		}
		if was != now {
			out = append(out, fmt.Sprintf("%s: %q, was %q", k, now, was))
		}
	}
	if n := got.header.Get("Content-Length"); n != "" && n != strconv.Itoa(len(got.body)) {
		out = append(out, fmt.Sprintf("Content-Length %s for a body of %d bytes", n, len(got.body)))
	}
	wantBody, err := decoded(c.want)
	if err != nil {
		return append(out, "the captured body: "+err.Error())
	}
	gotBody, err := decoded(got)
	if err != nil {
		return append(out, "body: "+err.Error())
	}
	if added, ok := addedMembers[c.name]; ok {
		if err := jsonKept(wantBody, gotBody, added); err != nil {
			out = append(out, "body: "+err.Error())
		}
	} else if !bytes.Equal(gotBody, wantBody) {
		out = append(out, "body: "+firstDiff(wantBody, gotBody))
	}
	return out
}

// fieldNames is the set of field names of both headers.
func fieldNames(a, b http.Header) map[string]bool {
	names := map[string]bool{}
	for k := range a {
		names[textproto.CanonicalMIMEHeaderKey(k)] = true
	}
	for k := range b {
		names[textproto.CanonicalMIMEHeaderKey(k)] = true
	}
	return names
}

// decoded returns an answer's body, gunzipped when it is gzip.
func decoded(a answer) ([]byte, error) {
	if a.header.Get("Content-Encoding") != "gzip" {
		return a.body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.body))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return io.ReadAll(zr)
}

// firstDiff describes where got first differs from want: the bytes
// around the first difference.
func firstDiff(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	around := func(b []byte) []byte { return b[max(0, i-80):min(len(b), i+160)] }
	return fmt.Sprintf("%d bytes, was %d; from byte %d:\n\t%q\nwas\n\t%q", len(got), len(want), max(0, i-80), around(got), around(want))
}

// jsonKept checks that the JSON document got holds every member of want
// with the same value, at any depth, and adds none but the members named.
func jsonKept(want, got []byte, added []string) error {
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		return fmt.Errorf("the captured JSON: %w", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return fmt.Errorf("JSON: %w", err)
	}
	return kept("", w, g, added)
}

func kept(at string, want, got any, added []string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %T, was an object", at, got)
		}
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", at, k)
			}
			if err := kept(at+"."+k, v, gv, added); err != nil {
				return err
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok && !slices.Contains(added, k) {
				return fmt.Errorf("%s.%s: new member", at, k)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: %d items, was %d", at, len(g), len(w))
		}
		for i := range w {
			if err := kept(fmt.Sprintf("%s[%d]", at, i), w[i], g[i], added); err != nil {
				return err
			}
		}
	default:
		if !reflect.DeepEqual(want, got) {
			return fmt.Errorf("%s: %v, was %v", at, got, want)
		}
	}
	return nil
}

// isPage reports whether a capture is of the attendee page, which marks
// what changed in the 24 hours before now and so depends on the clock
// (TestUpgradePage compares it at the capture's time).
func (c capture) isPage() bool {
	return c.method == http.MethodGet &&
		(c.path == "/" || strings.HasPrefix(c.path, "/?") || strings.HasPrefix(c.path, "/sessions/") || c.path == "/help")
}

// checkAnswers replays every capture but the page's and compares the
// answers; then, for each captured 200 with validators, asks again
// conditionally as a subscriber does and wants 304 with the same ETag.
func checkAnswers(t *testing.T, client *http.Client, base string, caps []capture) {
	t.Helper()
	for _, c := range caps {
		if c.isPage() {
			continue
		}
		for _, d := range c.differences(c.send(t, client, base)) {
			t.Errorf("%s %s (%s): %s", c.method, c.path, c.name, d)
		}
		etag, modified := c.want.header.Get("ETag"), c.want.header.Get("Last-Modified")
		if c.method != http.MethodGet || c.want.status != http.StatusOK {
			continue
		}
		for _, cond := range [][2]string{{"If-None-Match", etag}, {"If-Modified-Since", modified}} {
			if cond[1] == "" {
				continue
			}
			got := c.send(t, client, base, cond[0], cond[1])
			if got.status != http.StatusNotModified || (etag != "" && got.header.Get("ETag") != etag) {
				t.Errorf("%s %s (%s) with %s: %s: status %d, ETag %s; want 304, ETag %s",
					c.method, c.path, c.name, cond[0], cond[1], got.status, got.header.Get("ETag"), etag)
			}
		}
	}
}

// syncCollection is the part of a sync-collection REPORT body the checks
// read: the token the client holds.
type syncCollection struct {
	XMLName   xml.Name `xml:"DAV: sync-collection"`
	SyncToken string   `xml:"DAV: sync-token"`
}

// checkSync asks sync-collection with the tokens clients got from the old
// release: the current one must answer that nothing changed (and hand the
// same token back); the one from before the changes must list what changed
// since and hand out the current token.
func checkSync(t *testing.T, client *http.Client, base string, caps []capture) {
	t.Helper()
	byName := map[string]capture{}
	for _, c := range caps {
		byName[c.name] = c
	}
	var current multistatus
	if err := xml.Unmarshal(byName["dav-sync-empty"].want.body, &current); err != nil || current.SyncToken == "" {
		t.Fatalf("dav-sync-empty.http: no sync token (%v)", err)
	}
	for _, tc := range []struct {
		name    string
		changed []string // hrefs among the answer's
	}{
		{"dav-sync-current", nil},
		{"dav-sync-before", []string{
			"/dav/public/calendars/all/welcome-session.ics",              // moved
			"/dav/public/calendars/all/sql-developer-training-4.ics",     // cancelled
			"/dav/public/calendars/all/apache-flink-worst-practices.ics", // renamed
		}},
	} {
		c := byName[tc.name]
		var req syncCollection
		if err := xml.Unmarshal(c.body, &req); err != nil || req.SyncToken == "" {
			t.Fatalf("%s.req: no sync token (%v)", tc.name, err)
		}
		got := c.send(t, client, base)
		var ms multistatus
		if err := xml.Unmarshal(got.body, &ms); err != nil {
			t.Errorf("%s: REPORT with token %s: status %d, %v", tc.name, req.SyncToken, got.status, err)
			continue
		}
		if ms.SyncToken != current.SyncToken {
			t.Errorf("%s: REPORT with token %s: new token %s, want %s", tc.name, req.SyncToken, ms.SyncToken, current.SyncToken)
		}
		var hrefs []string
		for _, r := range ms.Responses {
			hrefs = append(hrefs, r.Href)
		}
		switch {
		case tc.changed == nil && len(hrefs) > 0:
			t.Errorf("%s: REPORT with the current token %s lists %d changes, want none: %q", tc.name, req.SyncToken, len(hrefs), hrefs)
		case tc.changed != nil:
			for _, h := range tc.changed {
				if !slices.Contains(hrefs, h) {
					t.Errorf("%s: REPORT with token %s from before the changes does not list %s: %q", tc.name, req.SyncToken, h, hrefs)
				}
			}
		}
	}
}

// TestUpgrade serves the old release's store with the current serve and
// checks that every captured URL answers as it did (body, ETag,
// Last-Modified, CalDAV ctags and sync tokens), before and after a second
// conference is added; then that the store kept everything the old one
// held.
func TestUpgrade(t *testing.T) {
	caps := readCaptures(t)
	dir := t.TempDir()
	copyFile(t, filepath.Join(upgradeDir, "confcal.db"), filepath.Join(dir, sqlite.FileName))
	t.Setenv("CONFCAL_ADMIN_TOKEN", upgradeToken)
	addr, log, cancel, done := startServe(t, "-addr", "127.0.0.1:0", "-data", dir, "-base-url", upgradeBase)
	base := "http://" + addr
	client := upgradeClient()

	t.Run("answers", func(t *testing.T) { checkAnswers(t, client, base, caps) })
	t.Run("sync", func(t *testing.T) { checkSync(t, client, base, caps) })

	// A second conference, added as the admin adds one.
	var doc strings.Builder
	w := bufio.NewWriter(&doc)
	if err := writeGen(w, 40, 7); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	body, err := json.Marshal(api.NewConference{Slug: "second-conference", Name: "Second Conference 2019", Document: doc.String()})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/api/conferences", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+upgradeToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/conferences: %d %s", resp.StatusCode, msg)
	}
	if got := (capture{method: http.MethodGet, path: "/second-conference/feeds/all.ics"}).send(t, client, base); got.status != http.StatusOK {
		t.Fatalf("GET /second-conference/feeds/all.ics: %d %s", got.status, got.body)
	}

	t.Run("answers-after-second-conference", func(t *testing.T) { checkAnswers(t, client, base, caps) })
	t.Run("sync-after-second-conference", func(t *testing.T) { checkSync(t, client, base, caps) })

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v\n%s", err, log)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s")
	}
	checkStore(t, dir, filepath.Join(upgradeDir, "confcal.db"))
}

// copyFile copies the file at from to a new file at to.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// v5 is what a store of schema version 5 holds, read straight from its
// tables.
type v5 struct {
	rev, base int64
	contents  agenda.Contents
	log       []agenda.Change
	picks     map[string][]string // code → session IDs
}

// readV5 reads the tables of the old release's store file (on a copy, so
// that SQLite's side files stay out of testdata).
func readV5(t *testing.T, file string) v5 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v5.db")
	copyFile(t, file, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != 5 {
		t.Fatalf("%s: schema version %d (%v), want 5", file, version, err)
	}
	rows := func(q string, scan func(*sql.Rows) error) {
		t.Helper()
		r, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer r.Close()
		for r.Next() {
			if err := scan(r); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	parse := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var out v5
	conf := &out.contents.Conference
	rows("SELECT revision, base, name, description, time_zone, first_day, last_day, uid_domain, day_change, url FROM agenda", func(r *sql.Rows) error {
		var first, last string
		var dayChange int64
		if err := r.Scan(&out.rev, &out.base, &conf.Name, &conf.Description, &conf.TimeZone, &first, &last, &conf.UIDDomain, &dayChange, &conf.URL); err != nil {
			return err
		}
		conf.DayChange = time.Duration(dayChange) * time.Minute
		var err error
		if conf.First, err = agenda.ParseDate(first); err != nil {
			return err
		}
		conf.Last, err = agenda.ParseDate(last)
		return err
	})
	rows("SELECT id, name, color FROM tracks ORDER BY position", func(r *sql.Rows) error {
		var x agenda.Track
		err := r.Scan(&x.ID, &x.Name, &x.Color)
		out.contents.Tracks = append(out.contents.Tracks, x)
		return err
	})
	rows("SELECT id, name FROM rooms ORDER BY position", func(r *sql.Rows) error {
		var x agenda.Room
		err := r.Scan(&x.ID, &x.Name)
		out.contents.Rooms = append(out.contents.Rooms, x)
		return err
	})
	rows("SELECT id, name FROM speakers ORDER BY position", func(r *sql.Rows) error {
		var x agenda.Speaker
		err := r.Scan(&x.ID, &x.Name)
		out.contents.Speakers = append(out.contents.Speakers, x)
		return err
	})
	speakers := map[string][]string{}
	rows("SELECT session, speaker FROM session_speakers ORDER BY session, position", func(r *sql.Rows) error {
		var id, p string
		err := r.Scan(&id, &p)
		speakers[id] = append(speakers[id], p)
		return err
	})
	rows(`SELECT id, title, start_time, end_time, track, room, abstract, status, sequence, last_modified,
		subtitle, type, language, url, number FROM sessions ORDER BY id`, func(r *sql.Rows) error {
		var x agenda.Session
		var start, end, mod, status string
		if err := r.Scan(&x.ID, &x.Title, &start, &end, &x.Track, &x.Room, &x.Abstract, &status, &x.Sequence, &mod,
			&x.Subtitle, &x.Type, &x.Language, &x.URL, &x.Number); err != nil {
			return err
		}
		x.Start, x.End, x.LastModified, x.Status, x.Speakers = parse(start), parse(end), parse(mod), agenda.Status(status), speakers[x.ID]
		out.contents.Sessions = append(out.contents.Sessions, x)
		return nil
	})
	rows(`SELECT revision, time, who, session, room, track, speaker, field, old_value, new_value
		FROM changes ORDER BY revision, position`, func(r *sql.Rows) error {
		var c agenda.Change
		var at, field string
		if err := r.Scan(&c.Revision, &at, &c.Who, &c.Session, &c.Room, &c.Track, &c.Speaker, &field, &c.Old, &c.New); err != nil {
			return err
		}
		c.Time, c.Field = parse(at), agenda.Field(field)
		out.log = append(out.log, c)
		return nil
	})
	out.picks = map[string][]string{}
	rows("SELECT code, sessions FROM picks", func(r *sql.Rows) error {
		var code, ids string
		err := r.Scan(&code, &ids)
		out.picks[code] = strings.Split(ids, ",")
		return err
	})
	return out
}

// checkStore opens the upgraded store in dir as the current release does
// and checks that it holds everything the old release's file old held:
// the conference, its tracks, rooms, speakers and sessions, the change log
// and the revision numbers, the stored picks; and the second conference
// beside it.
func checkStore(t *testing.T, dir, old string) {
	t.Helper()
	want := readV5(t, old)
	if len(want.log) == 0 || len(want.picks) == 0 || want.rev < 2 {
		t.Fatalf("%s holds revision %d, %d changes, %d picks: the capture made too little to check", old, want.rev, len(want.log), len(want.picks))
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, err := st.Conferences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Slug != upgradeSlug || !list[0].Default || list[1].Slug != "second-conference" || list[1].Default {
		t.Fatalf("conferences %+v, want the default %s then second-conference", list, upgradeSlug)
	}
	snap, err := st.Agenda(upgradeSlug).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Revision() != want.rev || snap.BaseRevision() != want.base {
		t.Errorf("revision %d from base %d, was %d from %d", snap.Revision(), snap.BaseRevision(), want.rev, want.base)
	}
	if rev, err := st.Revision(ctx); err != nil || rev != want.rev {
		t.Errorf("Store.Revision = %d, %v; was %d", rev, err, want.rev)
	}
	got := snap.Contents()
	if got.Conference != want.contents.Conference {
		t.Errorf("conference %+v, was %+v", got.Conference, want.contents.Conference)
	}
	if !reflect.DeepEqual(got.Tracks, want.contents.Tracks) {
		t.Errorf("tracks %+v, was %+v", got.Tracks, want.contents.Tracks)
	}
	if !reflect.DeepEqual(got.Rooms, want.contents.Rooms) {
		t.Errorf("rooms %+v, was %+v", got.Rooms, want.contents.Rooms)
	}
	if len(got.Speakers) != len(want.contents.Speakers) || !slices.Equal(got.Speakers, want.contents.Speakers) {
		t.Errorf("speakers %+v, was %+v", got.Speakers, want.contents.Speakers)
	}
	if len(got.Sessions) != len(want.contents.Sessions) {
		t.Errorf("%d sessions, was %d", len(got.Sessions), len(want.contents.Sessions))
	}
	for _, w := range want.contents.Sessions {
		if g, ok := snap.Session(w.ID); !ok || !g.Equal(w) {
			t.Errorf("session %s: %+v, was %+v", w.ID, g, w)
		}
	}
	log := snap.Log()
	if len(log) != len(want.log) {
		t.Errorf("%d changes in the log, was %d", len(log), len(want.log))
	}
	for i := range min(len(log), len(want.log)) {
		g, w := log[i], want.log[i]
		if !g.Time.Equal(w.Time) || g.Revision != w.Revision || g.Who != w.Who || g.Session != w.Session || g.Room != w.Room ||
			g.Track != w.Track || g.Speaker != w.Speaker || g.Field != w.Field || g.Old != w.Old || g.New != w.New {
			t.Errorf("change %d: %+v, was %+v", i, g, w)
		}
	}
	for code, ids := range want.picks {
		got, ok, err := st.GetPick(ctx, upgradeSlug, code)
		if err != nil || !ok || !slices.Equal(got, ids) {
			t.Errorf("pick %s: %q, %v, %v; was %q", code, got, ok, err, ids)
		}
		if _, ok, err := st.GetPick(ctx, "second-conference", code); err != nil || ok {
			t.Errorf("pick %s of the default conference found in second-conference (%v)", code, err)
		}
	}
	second, err := st.Agenda("second-conference").Load(ctx)
	if err != nil || len(second.SessionIDs()) != 40 || second.Revision() != 1 {
		t.Errorf("second-conference: %v", err)
	}
}

// pageChanges are the differences between the old release's page and the
// current one's at the same instant, each old text with the one that
// replaced it: the Outlook.com subscribe link of a day now names the
// calendar with the day feed's own NAME ("Monday, 7 October 2019", as
// /feeds and the feed itself always did), where the old page wrote the day
// without the comma.
var pageChanges = []struct{ old, new string }{
	{"%E2%80%94%20Monday%207%20October%202019", "%E2%80%94%20Monday%2C%207%20October%202019"},
	{"%E2%80%94%20Tuesday%208%20October%202019", "%E2%80%94%20Tuesday%2C%208%20October%202019"},
	{"%E2%80%94%20Wednesday%209%20October%202019", "%E2%80%94%20Wednesday%2C%209%20October%202019"},
}

// TestUpgradePage compares the attendee page of the upgraded store with
// the old release's, at the instant the old one answered (its Date): the
// page marks what changed in the 24 hours before now, so it is the same
// only at the same time, and serve's clock is the wall clock. The server
// here is wired as serve wires it, with the page's clock stopped.
//
// A page is not a subscription: a release may add to it (a choice of
// reminders, the revision its script follows changes from), and its
// style sheet and script change their version with their bytes. What
// must survive is what people and their bookmarks follow: every link,
// image and form target of the old page is on the new one, every anchor
// too, and the same sessions are shown in the same order.
func TestUpgradePage(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(upgradeDir, "confcal.db"), filepath.Join(dir, sqlite.FileName))
	var pages []capture
	for _, c := range readCaptures(t) {
		if c.isPage() {
			pages = append(pages, c)
		}
	}
	if len(pages) == 0 {
		t.Fatal("no page among the captures")
	}
	now, err := http.ParseTime(pages[0].want.header.Get("Date"))
	if err != nil {
		t.Fatalf("%s.http: Date: %v", pages[0].name, err)
	}
	ts := httptest.NewServer(pageHandler(t, dir, now))
	defer ts.Close()
	client := upgradeClient()
	for _, c := range pages {
		for _, ch := range pageChanges {
			if c.path == "/" && !bytes.Contains(c.want.body, []byte(ch.old)) {
				t.Errorf("%s.http lacks %q: pageChanges is stale", c.name, ch.old)
			}
			c.want.body = bytes.ReplaceAll(c.want.body, []byte(ch.old), []byte(ch.new))
		}
		got := c.send(t, client, ts.URL)
		if got.status != c.want.status || got.header.Get("Content-Type") != c.want.header.Get("Content-Type") {
			t.Errorf("%s %s (%s): %d %s, was %d %s", c.method, c.path, c.name, got.status, got.header.Get("Content-Type"),
				c.want.status, c.want.header.Get("Content-Type"))
		}
		// The agenda's stars were links; they are buttons of the page's
		// one star form now (so a page does not grow with sessions ×
		// pick): each old star must lead where that link did.
		oldStars := pageRefs(c.want.body, oldStar)
		links := slices.DeleteFunc(pageRefs(c.want.body, pageLink), func(l string) bool { return slices.Contains(oldStars, l) })
		if l := firstMissing(links, pageRefs(got.body, pageLink)); l != "" {
			t.Errorf("%s %s (%s) at %v: the old page's link %q is gone", c.method, c.path, c.name, now, l)
		}
		if l := firstMissing(oldStars, starTargets(t, client, ts.URL, got.body)); l != "" {
			t.Errorf("%s %s (%s) at %v: no star of the page leads to %q, where the old page's star did", c.method, c.path, c.name, now, l)
		}
		was, is := pageRefs(c.want.body, pageAnchor), pageRefs(got.body, pageAnchor)
		if m := firstMissing(was, is); m != "" {
			t.Errorf("%s %s (%s): the old page's anchor %q is gone", c.method, c.path, c.name, m)
		}
		sessions := func(ids []string) []string {
			return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !strings.HasPrefix(id, "s-") })
		}
		if !slices.Equal(sessions(was), sessions(is)) {
			t.Errorf("%s %s (%s): the sessions are not shown as before", c.method, c.path, c.name)
		}
	}
}

// The references a page holds: links, images and form targets, and the
// anchors (ids) its links and bookmarks point at.
var (
	pageLink   = regexp.MustCompile(`(?:href|src|action)="([^"]*)"`)
	pageAnchor = regexp.MustCompile(` id="([^"]*)"`)
	// staticVersion is the version query of the page's own style sheets
	// and script, which changes with their bytes.
	staticVersion = regexp.MustCompile(`^(/static/[^?]+)\?v=[0-9a-f]+$`)
)

// The agenda's stars: the old page's links, the new page's buttons of its
// star form and that form.
var (
	oldStar   = regexp.MustCompile(`<a class="star(?: on)?" href="([^"]*)"`)
	starForm  = regexp.MustCompile(`<form id="stars" action="([^"]*)" method="get">(.*?)</form>`)
	starField = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	starBtn   = regexp.MustCompile(`<button class="star(?: on)?" form="stars" name="([^"]*)" value="([^"]*)"`)
)

// starTargets submits page's star form once for each of its stars, as a
// browser without its script does, and returns where each redirect leads.
func starTargets(t *testing.T, client *http.Client, base string, page []byte) []string {
	t.Helper()
	form := starForm.FindSubmatch(page)
	if form == nil {
		return nil
	}
	q := url.Values{}
	for _, f := range starField.FindAllSubmatch(form[2], -1) {
		q.Add(html.UnescapeString(string(f[1])), html.UnescapeString(string(f[2])))
	}
	var out []string
	for _, b := range starBtn.FindAllSubmatch(page, -1) {
		v := url.Values{}
		maps.Copy(v, q)
		v.Set(html.UnescapeString(string(b[1])), html.UnescapeString(string(b[2])))
		resp, err := client.Get(base + html.UnescapeString(string(form[1])) + "?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a star (%s=%s): %d, want 303 to the page with the pick changed", b[1], b[2], resp.StatusCode)
		}
		out = append(out, resp.Header.Get("Location"))
	}
	return out
}

// pageRefs returns the values re finds in body, HTML entities decoded and
// the static files' versions dropped, in order.
func pageRefs(body []byte, re *regexp.Regexp) []string {
	var out []string
	for _, m := range re.FindAllSubmatch(body, -1) {
		v := html.UnescapeString(string(m[1]))
		out = append(out, staticVersion.ReplaceAllString(v, "$1"))
	}
	return out
}

// firstMissing returns the first of was that is not in is, "" when none.
func firstMissing(was, is []string) string {
	have := map[string]bool{}
	for _, v := range is {
		have[v] = true
	}
	for _, v := range was {
		if !have[v] {
			return v
		}
	}
	return ""
}

// pageHandler serves the store in dir with the current release as serve
// does, but with the page's clock stopped at now.
func pageHandler(t *testing.T, dir string, now time.Time) http.Handler {
	t.Helper()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	def, _, err := defaultConference(ctx, store, agenda.Contents{})
	if err != nil || def != upgradeSlug {
		t.Fatalf("default conference %q, %v; want %s", def, err, upgradeSlug)
	}
	srv, err := web.New(web.Config{BaseURL: upgradeBase, Default: def, Picks: storePicks{st: store, slug: def},
		PicksFor: func(slug string) page.PickStore { return storePicks{st: store, slug: slug} },
		Now:      func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	mgr := conferences.New(conferences.Config{Registry: store, Publisher: srv.Publisher, Withdraw: srv.Withdraw})
	if err := mgr.Open(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return srv.HandlerFor(mgr, nil)
}

package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/conferences"
	"confcal/web"
)

// The change stream's tests read it over real connections with an event
// stream parser written here after the HTML standard's ("Server-sent
// events", interpreting an event stream): lines ended by CRLF, LF or CR,
// comments, fields with one optional blank after the colon, data lines
// joined, the last event ID kept from event to event.

// sseItem is one thing read from an event stream: a comment, or an event.
type sseItem struct {
	comment     string // the comment's text, when the item is one
	isComment   bool
	id, event   string // the last event ID, and the type ("message" unless named)
	data        string
	receivedRev int64 // id as a number, for events
}

// parseSSE reads an event stream from r and sends what it dispatches to
// out until r ends; an event left incomplete at the end is dropped, as
// the standard says.
func parseSSE(r io.Reader, out chan<- sseItem) error {
	br := bufio.NewReader(r)
	var data, typ, lastID strings.Builder
	hasData := false
	afterCR := false // a CR ended the last line: an LF next is part of it
	for {
		var line []byte
		for {
			b, err := br.ReadByte()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			if afterCR {
				afterCR = false
				if b == '\n' {
					continue
				}
			}
			if b == '\r' {
				afterCR = true
				break
			}
			if b == '\n' {
				break
			}
			line = append(line, b)
		}
		s := string(line)
		switch {
		case s == "":
			if hasData {
				item := sseItem{id: lastID.String(), event: typ.String(), data: strings.TrimSuffix(data.String(), "\n")}
				if item.event == "" {
					item.event = "message"
				}
				item.receivedRev, _ = strconv.ParseInt(item.id, 10, 64)
				out <- item
			}
			data.Reset()
			typ.Reset()
			hasData = false
		case s[0] == ':':
			out <- sseItem{comment: strings.TrimPrefix(s[1:], " "), isComment: true}
		default:
			field, value, _ := strings.Cut(s, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "data":
				data.WriteString(value + "\n")
				hasData = true
			case "event":
				typ.Reset()
				typ.WriteString(value)
			case "id":
				if !strings.ContainsRune(value, 0) {
					lastID.Reset()
					lastID.WriteString(value)
				}
			}
		}
	}
}

// The parser itself, on the standard's own examples of fields and line
// ends.
func TestParseSSE(t *testing.T) {
	in := ": a comment\r\ndata: one\rdata:two\n\nid: 7\nevent: move\ndata\n\n\nid: 8\ndata:  lead\r\n\r\ndata: cut off"
	out := make(chan sseItem, 10)
	if err := parseSSE(strings.NewReader(in), out); err != nil {
		t.Fatal(err)
	}
	close(out)
	var got []sseItem
	for it := range out {
		got = append(got, it)
	}
	want := []sseItem{
		{comment: "a comment", isComment: true},
		{event: "message", data: "one\ntwo"},
		{id: "7", event: "move", data: "", receivedRev: 7},
		{id: "8", event: "message", data: " lead", receivedRev: 8},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed %+v\nwant %+v", got, want)
	}
}

// stream is one open change stream, read in the background.
type stream struct {
	t      *testing.T
	resp   *http.Response
	items  chan sseItem
	ended  chan error
	cancel context.CancelFunc
}

// openStream GETs an event stream at u; hdr lists header names and
// values. A stream that answers 200 is read in the background; any other
// answer is returned with its body read.
func openStream(t *testing.T, u string, hdr ...string) (*stream, *http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		return nil, resp, string(b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("GET %s: Content-Type %q, want text/event-stream", u, ct)
	}
	s := &stream{t: t, resp: resp, items: make(chan sseItem, 1000), ended: make(chan error, 1), cancel: cancel}
	go func() {
		err := parseSSE(resp.Body, s.items)
		resp.Body.Close()
		s.ended <- err
	}()
	t.Cleanup(s.close)
	return s, resp, ""
}

// mustOpen opens a stream that must answer 200.
func mustOpen(t *testing.T, u string, hdr ...string) *stream {
	t.Helper()
	s, resp, msg := openStream(t, u, hdr...)
	if s == nil {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, msg)
	}
	return s
}

// close disconnects, as a client going away does.
func (s *stream) close() { s.cancel() }

// next returns the next item within d; ok is false when none came.
func (s *stream) next(d time.Duration) (sseItem, bool) {
	select {
	case it := <-s.items:
		return it, true
	case <-time.After(d):
		return sseItem{}, false
	}
}

// event returns the next event, skipping comments, failing the test
// when none comes within five seconds.
func (s *stream) event() sseItem {
	s.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case it := <-s.items:
			if !it.isComment {
				return it
			}
		case <-deadline:
			s.t.Fatal("no event within 5s")
		}
	}
}

// quiet checks that no event comes within d (comments may).
func (s *stream) quiet(d time.Duration) {
	s.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case it := <-s.items:
			if !it.isComment {
				s.t.Errorf("event %s arrived, want none: %.200s", it.id, it.data)
			}
		case <-deadline:
			return
		}
	}
}

// waitEnd checks that the server ends the stream within d.
func (s *stream) waitEnd(d time.Duration) {
	s.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case <-s.items:
		case err := <-s.ended:
			if err != nil {
				s.t.Errorf("the stream ended with %v, want a clean end", err)
			}
			return
		case <-deadline:
			s.t.Fatalf("the stream is still open after %s", d)
		}
	}
}

// streamEnv is a server of many conferences as serve runs it, on a real
// listener, that records what the change log said of each revision.
type streamEnv struct {
	*hosted
	t    *testing.T
	ts   *httptest.Server
	want map[string]map[int64]api.ChangeList // by conference prefix ("" or "/slug"), revision
	n    int
}

func newStreamEnv(t *testing.T, cfg web.Config) *streamEnv {
	t.Helper()
	seed := agendatest.Small(t)
	cfg.Default = agenda.Slug(seed.Conference().Name)
	cfg.Token = adminToken
	srv := newWeb(t, cfg)
	mgr := conferences.New(conferences.Config{Registry: memstore.NewRegistry(), Publisher: srv.Publisher, Withdraw: srv.Withdraw})
	if err := mgr.Open(t.Context(), func() (*agenda.Snapshot, error) { return seed, nil }); err != nil {
		t.Fatal(err)
	}
	hs := &hosted{srv: srv, mgr: mgr, h: srv.HandlerFor(mgr, nil), def: cfg.Default}
	ts := httptest.NewUnstartedServer(hs.h)
	ts.Config.RegisterOnShutdown(srv.EndStreams) // as serve does
	ts.Start()
	t.Cleanup(ts.Close)
	return &streamEnv{hosted: hs, t: t, ts: ts, want: map[string]map[int64]api.ChangeList{}}
}

// edit renames session id of the conference at prefix through the API
// and records what GET /api/changes?since=REV-1 answers right after: the
// data the stream must send for the new revision REV, which it returns.
func (e *streamEnv) edit(prefix, id string) int64 {
	e.t.Helper()
	e.n++
	title := fmt.Sprintf("Edit %d", e.n)
	rec := e.call(e.t, http.MethodPatch, prefix+"/api/sessions/"+id, adminToken, api.SessionPatch{Title: &title}, nil)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("PATCH %s/api/sessions/%s: %d %s", prefix, id, rec.Code, rec.Body)
	}
	rev, err := strconv.ParseInt(rec.Header().Get(api.RevisionHeader), 10, 64)
	if err != nil {
		e.t.Fatal(err)
	}
	var list api.ChangeList
	if rec := e.call(e.t, http.MethodGet, fmt.Sprintf("%s/api/changes?since=%d", prefix, rev-1), "", nil, &list); rec.Code != http.StatusOK {
		e.t.Fatalf("GET changes: %d", rec.Code)
	}
	if list.Revision != rev || len(list.Changes) == 0 {
		e.t.Fatalf("the change log after revision %d: %+v", rev, list)
	}
	if e.want[prefix] == nil {
		e.want[prefix] = map[int64]api.ChangeList{}
	}
	e.want[prefix][rev] = list
	return rev
}

// check decodes an event's data as the change list of its revision, which
// must be what the change log said of it.
func (e *streamEnv) check(prefix string, it sseItem) int64 {
	e.t.Helper()
	var got api.ChangeList
	dec := json.NewDecoder(strings.NewReader(it.data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		e.t.Fatalf("event %s: data is no change list: %v\n%s", it.id, err, it.data)
	}
	if it.event != "message" {
		e.t.Errorf("event %s has type %q, want the default", it.id, it.event)
	}
	want, ok := e.want[prefix][it.receivedRev]
	switch {
	case !ok:
		e.t.Errorf("event %q is no revision made in %q", it.id, prefix)
	case !reflect.DeepEqual(got, want):
		e.t.Errorf("event %s: %+v\nthe change log said %+v", it.id, got, want)
	}
	return it.receivedRev
}

// Every revision reaches the client exactly once across a disconnect:
// revisions made while it was away come first when it reconnects with
// Last-Event-ID (or ?since= for a client that cannot set headers; the
// header wins over the query, as when EventSource reconnects to a URL
// with ?since=), then the live ones.
func TestStreamResume(t *testing.T) {
	tests := []struct {
		name   string
		resume func(last int64) (query string, hdr []string)
	}{
		{"Last-Event-ID", func(last int64) (string, []string) {
			return "", []string{"Last-Event-ID", strconv.FormatInt(last, 10)}
		}},
		{"since", func(last int64) (string, []string) { return "?since=" + strconv.FormatInt(last, 10), nil }},
		{"header over query", func(last int64) (string, []string) {
			return "?since=1", []string{"Last-Event-ID", strconv.FormatInt(last, 10)}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newStreamEnv(t, web.Config{})
			u := e.ts.URL + "/api/changes/stream"
			var seen []int64
			s := mustOpen(t, u)
			if it, ok := s.next(5 * time.Second); !ok || !it.isComment {
				t.Fatalf("the stream starts with %+v, want a comment", it)
			}
			var made []int64
			for range 2 {
				made = append(made, e.edit("", "state-of-state"))
				seen = append(seen, e.check("", s.event()))
			}
			s.close()
			waitGone(t, s)
			// While it is away: two more revisions.
			made = append(made, e.edit("", "late-talk"), e.edit("", "state-of-state"))

			q, hdr := tc.resume(seen[len(seen)-1])
			s = mustOpen(t, u+q, hdr...)
			seen = append(seen, e.check("", s.event()), e.check("", s.event()))
			made = append(made, e.edit("", "late-talk"))
			seen = append(seen, e.check("", s.event()))
			s.quiet(200 * time.Millisecond)
			if !slices.Equal(seen, made) {
				t.Errorf("the client saw revisions %v, want %v, each once", seen, made)
			}
			if want := []int64{2, 3, 4, 5, 6}; !slices.Equal(made, want) {
				t.Errorf("revisions made %v, want %v", made, want)
			}
		})
	}
}

// waitGone waits until a stream the client closed has stopped reading.
func waitGone(t *testing.T, s *stream) {
	t.Helper()
	select {
	case <-s.ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the closed stream's reader did not stop")
	}
}

// Several revisions made current in one swap (another process stored
// them; this server loads the newest) are still one event each.
func TestStreamRevisionsTogether(t *testing.T) {
	store := memstore.New()
	seed := func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }
	srv := newWeb(t, web.Config{})
	served, err := agenda.Open(t.Context(), store, seed, srv.Publish)
	if err != nil {
		t.Fatal(err)
	}
	other, err := agenda.Open(t.Context(), store, nil, nil) // the command line on the same store
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler(served, nil))
	t.Cleanup(ts.Close)
	s := mustOpen(t, ts.URL+"/api/changes/stream")
	s.next(5 * time.Second) // the opening comment
	for _, title := range []string{"One", "Two", "Three"} {
		if _, _, err := api.PatchSession(t.Context(), other, "cli", "late-talk", api.SessionPatch{Title: &title}, nil); err != nil {
			t.Fatal(err)
		}
	}
	s.quiet(100 * time.Millisecond) // this server has not looked yet
	if changed, err := served.Refresh(t.Context()); err != nil || !changed {
		t.Fatalf("Refresh: %v, %v", changed, err)
	}
	latest := served.Current()
	for rev := int64(2); rev <= 4; rev++ {
		it := s.event()
		want, err := api.ChangesAt(latest, rev)
		if err != nil {
			t.Fatal(err)
		}
		var got api.ChangeList
		if err := json.Unmarshal([]byte(it.data), &got); err != nil {
			t.Fatal(err)
		}
		if it.receivedRev != rev || !reflect.DeepEqual(got, want) {
			t.Errorf("event %s: %+v, want revision %d: %+v", it.id, got, rev, want)
		}
	}
	s.quiet(100 * time.Millisecond)
}

// A client that has seen a revision this server has not loaded yet (it
// talked to another server on the same store) waits for the revisions
// after it.
func TestStreamAhead(t *testing.T) {
	e := newStreamEnv(t, web.Config{})
	s := mustOpen(t, e.ts.URL+"/api/changes/stream", "Last-Event-ID", "2")
	e.edit("", "late-talk") // revision 2, which the client has
	s.quiet(200 * time.Millisecond)
	rev := e.edit("", "late-talk")
	if got := e.check("", s.event()); got != rev || rev != 3 {
		t.Errorf("first event %d, want revision 3", got)
	}
}

// With nothing to say, the stream sends a comment every heartbeat.
func TestStreamHeartbeat(t *testing.T) {
	e := newStreamEnv(t, web.Config{StreamHeartbeat: 50 * time.Millisecond})
	s := mustOpen(t, e.ts.URL+"/"+e.def+"/api/changes/stream")
	beats := 0
	start := time.Now()
	for beats < 4 {
		it, ok := s.next(2 * time.Second)
		if !ok {
			t.Fatalf("%d heartbeats, then silence", beats)
		}
		switch {
		case !it.isComment:
			t.Fatalf("event %+v, want only comments", it)
		case it.comment == "heartbeat":
			beats++
		}
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("4 heartbeats in %s, want one per 50ms", d)
	}
}

// The server's read and write timeouts, meant for whole requests, do not
// cut a stream: it outlives both many times over and still delivers.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	e := newStreamEnv(t, web.Config{StreamHeartbeat: 50 * time.Millisecond})
	ts := httptest.NewUnstartedServer(e.h)
	ts.Config.ReadTimeout = 200 * time.Millisecond
	ts.Config.WriteTimeout = 200 * time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	s := mustOpen(t, ts.URL+"/api/changes/stream")
	time.Sleep(time.Second)
	rev := e.edit("", "late-talk")
	if got := e.check("", s.event()); got != rev {
		t.Errorf("event %d, want %d", got, rev)
	}
	select {
	case err := <-s.ended:
		t.Fatalf("the stream ended: %v", err)
	default:
	}
}

// A client may hold StreamsPerClient streams; one more is 429 until one
// of its streams ends. The server as a whole holds Streams.
func TestStreamLimits(t *testing.T) {
	t.Run("per client", func(t *testing.T) {
		e := newStreamEnv(t, web.Config{StreamsPerClient: 2})
		u := e.ts.URL + "/api/changes/stream"
		a, b := mustOpen(t, u), mustOpen(t, u)
		_, resp, msg := openStream(t, u)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("third stream: %d (Retry-After %q), want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		var body struct{ Error string }
		if err := json.Unmarshal([]byte(msg), &body); err != nil || !strings.Contains(body.Error, "at most 2") {
			t.Errorf("the 429 says %q (%v), want the bound", msg, err)
		}
		// Another conference's stream counts too: the bound is the client's.
		e.add(t, "second", "Second Conference")
		if _, resp, _ := openStream(t, e.ts.URL+"/second/api/changes/stream"); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a stream of another conference: %d, want 429", resp.StatusCode)
		}
		a.close()
		eventually(t, func() bool {
			c, _, _ := openStream(t, u)
			if c != nil {
				c.close()
			}
			return c != nil
		})
		// The one left still works.
		rev := e.edit("", "late-talk")
		if got := e.check("", b.event()); got != rev {
			t.Errorf("event %d, want %d", got, rev)
		}
	})
	t.Run("overall", func(t *testing.T) {
		e := newStreamEnv(t, web.Config{Streams: 3, TrustProxy: true})
		u := e.ts.URL + "/api/changes/stream"
		for i := range 3 {
			mustOpen(t, u, "X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i+1))
		}
		if _, resp, _ := openStream(t, u, "X-Forwarded-For", "192.0.2.99"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("a fourth stream on the server: %d, want 503", resp.StatusCode)
		}
	})
}

// eventually polls cond for up to five seconds.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// A conference's stream carries its own revisions only.
func TestStreamConferencesApart(t *testing.T) {
	e := newStreamEnv(t, web.Config{})
	e.add(t, "second", "Second Conference")
	ids := e.ids(t, "second")
	def := mustOpen(t, e.ts.URL+"/api/changes/stream")
	bySlug := mustOpen(t, e.ts.URL+"/"+e.def+"/api/changes/stream") // the default one under its slug
	second := mustOpen(t, e.ts.URL+"/second/api/changes/stream")
	for range 2 {
		rev := e.edit("/second", ids[0])
		if got := e.check("/second", second.event()); got != rev {
			t.Errorf("second's event %d, want %d", got, rev)
		}
	}
	def.quiet(200 * time.Millisecond)
	rev := e.edit("", "late-talk")
	if got := e.check("", def.event()); got != rev {
		t.Errorf("the default conference's first event is %d, want its own revision %d", got, rev)
	}
	e.want["/"+e.def] = e.want[""]
	if got := e.check("/"+e.def, bySlug.event()); got != rev {
		t.Errorf("under its slug, the first event is %d, want %d", got, rev)
	}
	second.quiet(200 * time.Millisecond)
}

// Shutting down ends the streams at once: http.Server.Shutdown returns
// promptly, not when its deadline cuts them. New streams are refused.
func TestStreamShutdown(t *testing.T) {
	e := newStreamEnv(t, web.Config{})
	e.add(t, "second", "Second Conference")
	streams := []*stream{mustOpen(t, e.ts.URL+"/api/changes/stream"), mustOpen(t, e.ts.URL+"/second/api/changes/stream")}
	for _, s := range streams {
		s.next(5 * time.Second) // the opening comment: the handler runs
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := e.ts.Config.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Shutdown took %s with streams open", d)
	}
	for _, s := range streams {
		s.waitEnd(time.Second)
	}
	if rec := send(e.h, http.MethodGet, "/api/changes/stream", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a stream after shutdown: %d, want 503", rec.Code)
	}
}

// Removing a conference ends its streams, and it has none after.
func TestStreamWithdrawn(t *testing.T) {
	e := newStreamEnv(t, web.Config{})
	e.add(t, "second", "Second Conference")
	second := mustOpen(t, e.ts.URL+"/second/api/changes/stream")
	def := mustOpen(t, e.ts.URL+"/api/changes/stream")
	second.next(5 * time.Second)
	if rec := e.call(t, http.MethodDelete, "/api/conferences/second", adminToken, nil, nil); rec.Code/100 != 2 {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	second.waitEnd(2 * time.Second)
	if _, resp, _ := openStream(t, e.ts.URL+"/second/api/changes/stream"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the removed conference's stream: %d, want 404", resp.StatusCode)
	}
	rev := e.edit("", "late-talk")
	if got := e.check("", def.event()); got != rev {
		t.Errorf("the default conference's stream after the removal: %d, want %d", got, rev)
	}
}

// Where a stream cannot start, the answer says why.
func TestStreamRefused(t *testing.T) {
	logStart := func() (*agenda.Snapshot, error) { return agenda.NewSnapshot(agendatest.SmallContents(), 5, 5, nil) }
	_, _, h := newLive(t, web.Config{}, memstore.New(), logStart)
	tests := []struct {
		target string
		hdr    []string
		status int
		msg    string
	}{
		{"/api/changes/stream", []string{"Last-Event-ID", "seven"}, 400, `Last-Event-ID: "seven" is not a revision number`},
		{"/api/changes/stream", []string{"Last-Event-ID", "-1"}, 400, "is not a revision number"},
		{"/api/changes/stream?since=x", nil, 400, `since: "x" is not a revision number`},
		{"/api/changes/stream?since=2", nil, 410, "starts at revision 5"},
		{"/api/changes/stream", []string{"Last-Event-ID", "4"}, 410, "starts at revision 5"},
		{"/no-such-conference/api/changes/stream", nil, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.target+strings.Join(tc.hdr, ":"), func(t *testing.T) {
			rec := send(h, http.MethodGet, tc.target, nil, tc.hdr...)
			wantStatus(t, rec, tc.status)
			if msg := errorOf(t, rec); !strings.Contains(msg, tc.msg) {
				t.Errorf("%d says %q, want %q", tc.status, msg, tc.msg)
			}
		})
	}
	// HEAD says what a GET would get, and streams nothing. Pages of any
	// origin may read the stream, as the rest of the read API.
	rec := send(h, http.MethodHead, "/api/changes/stream", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/event-stream" || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d %q, %d bytes", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
	}
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", got)
	}
	// Before the first revision is served there is nothing to stream.
	srv := newWeb(t, web.Config{})
	if rec := send(srv.Handler(nil, nil), http.MethodGet, "/api/changes/stream", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("before the first revision: %d, want 503", rec.Code)
	}
}

// FuzzStreamRequest starts the change stream with any Last-Event-ID and
// any query, on an agenda at revision 4 whose log starts at 1, and reads
// what it sends before it notices the client has gone (the request's
// context is cancelled from the start): never a 5xx; a 4xx says why in
// JSON; a 200 is an event stream whose events are exactly the revisions
// after the one it says it starts after, in order, each with its own
// change list.
func FuzzStreamRequest(f *testing.F) {
	f.Add("", "")
	f.Add("2", "")
	f.Add("", "since=1")
	f.Add("3", "since=0")
	f.Add("", "since=9")
	f.Add(" 2 ", "since=%zz")
	f.Add("-1", "since=x")
	f.Add("99999999999999999999", "")
	_, svc, h := newLive(f, web.Config{}, memstore.New(), func() (*agenda.Snapshot, error) { return agendatest.Small(f), nil })
	for _, title := range []string{"One", "Two", "Three"} {
		if _, _, err := api.PatchSession(f.Context(), svc, "api", "late-talk", api.SessionPatch{Title: &title}, nil); err != nil {
			f.Fatal(err)
		}
	}
	current := svc.Current().Revision()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	f.Fuzz(func(t *testing.T, lastID, query string) {
		req := httptest.NewRequestWithContext(gone, http.MethodGet, "/api/changes/stream", nil)
		req.URL.RawQuery = query
		req.RequestURI = req.URL.RequestURI()
		req.Header.Set("Last-Event-ID", lastID)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code >= 500:
			t.Fatalf("Last-Event-ID %q, ?%s: status %d, body %q", lastID, query, rec.Code, rec.Body)
		case rec.Code >= 400:
			if msg := errorOf(t, rec); msg == "" {
				t.Errorf("Last-Event-ID %q, ?%s: %d without a reason", lastID, query, rec.Code)
			}
			return
		case rec.Code != http.StatusOK:
			t.Fatalf("Last-Event-ID %q, ?%s: status %d", lastID, query, rec.Code)
		}
		items := make(chan sseItem, 100)
		if err := parseSSE(bytes.NewReader(rec.Body.Bytes()), items); err != nil {
			t.Fatal(err)
		}
		close(items)
		first, ok := <-items
		after, err := strconv.ParseInt(strings.TrimPrefix(first.comment, "changes after revision "), 10, 64)
		if !ok || !first.isComment || err != nil {
			t.Fatalf("the stream starts with %+v, want the revision it starts after", first)
		}
		want := after + 1
		for it := range items {
			var list api.ChangeList
			if err := json.Unmarshal([]byte(it.data), &list); err != nil || it.receivedRev != want || list.Revision != want || list.Since != want-1 {
				t.Fatalf("event %q (%v): %+v, want revision %d", it.id, err, list, want)
			}
			want++
		}
		if after < current && want != current+1 {
			t.Errorf("the stream after revision %d ended at %d, want every revision up to %d", after, want-1, current)
		}
	})
}

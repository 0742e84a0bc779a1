package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"confcal/agenda"
	"confcal/metrics"
	"confcal/sqlite"
	"confcal/web"
)

// noRedirects is a client that returns redirects instead of following
// them (following turns other methods into GET).
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// request sends one request to the server at addr and returns the status
// and body.
func request(t *testing.T, method, url, body string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// metricValue returns the value of the counter or gauge name with the
// given labels in fams, or the sample count of a histogram.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
next:
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

const syncBody = `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`

// TestServeOps runs the real program and checks what operators see: the
// health endpoints, the metrics after a few requests and one change, and
// the access log.
func TestServeOps(t *testing.T) {
	const secret = "ops-test-admin-token"
	t.Setenv("CONFCAL_ADMIN_TOKEN", secret)
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", t.TempDir())
	base := "http://" + addr
	id := seed(t).SessionIDs()[0]

	if code, body := request(t, "GET", base+"/healthz", ""); code != 200 || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", code, body)
	}
	if code, body := request(t, "GET", base+"/readyz", ""); code != 200 || body != "store ok\nsnapshot ok\n" {
		t.Errorf("GET /readyz = %d %q, want 200 with both checks ok", code, body)
	}

	resp := get(t, base+"/feeds/all.ics")
	etag := resp.Header.Get("ETag")
	if code, _ := request(t, "GET", base+"/feeds/all.ics", "", "If-None-Match", etag); code != http.StatusNotModified {
		t.Errorf("conditional GET /feeds/all.ics: status %d, want 304", code)
	}
	if code, _ := request(t, "REPORT", base+"/dav/public/calendars/all/", syncBody, "Content-Type", "application/xml"); code != http.StatusMultiStatus {
		t.Errorf("sync-collection REPORT: status %d, want 207", code)
	}
	if code, body := request(t, "PATCH", base+"/api/sessions/"+id, `{"title":"Retitled by the ops test"}`,
		"Authorization", "Bearer "+secret, "Content-Type", "application/json"); code != http.StatusOK {
		t.Fatalf("PATCH /api/sessions/%s: %d %s", id, code, body)
	}
	if code, _ := request(t, "PROPFIND", base+"/dav/public/calendars/all/", strings.Repeat(" ", web.MaxBody+1), "Depth", "1"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("PROPFIND with a body over MaxBody: status %d, want 413", code)
	}

	code, body := request(t, "GET", base+"/metrics", "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"confcal_revision", nil, 2},
		{"confcal_render_duration_seconds", nil, 2}, // the first revision and the change
		{"confcal_http_requests_total", map[string]string{"route": "/feeds/all.ics", "method": "GET", "code": "200"}, 1},
		{"confcal_http_requests_total", map[string]string{"route": "/feeds/all.ics", "method": "GET", "code": "304"}, 1},
		{"confcal_http_requests_total", map[string]string{"route": "/dav/*", "method": "PROPFIND", "code": "413"}, 1},
		{"confcal_http_requests_total", map[string]string{"route": "/api/sessions/{id}", "method": "PATCH", "code": "200"}, 1},
		{"confcal_http_conditional_requests_total", map[string]string{"route": "/feeds/all.ics"}, 1},
		{"confcal_caldav_reports_total", map[string]string{"report": "sync-collection"}, 1},
		{"confcal_store_errors_total", map[string]string{"op": "save"}, 0},
	} {
		got, ok := metricValue(fams, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if v, _ := metricValue(fams, "process_resident_memory_bytes", nil); v <= 0 {
		t.Errorf("process_resident_memory_bytes = %v, want > 0", v)
	}

	// The access log has a line per request with its route, and never the
	// token. It is written in batches, at least every accessFlush.
	want := map[string]bool{
		"method=GET path=/feeds/all.ics route=/feeds/all.ics status=304":                 false,
		"method=PATCH path=/api/sessions/" + id + " route=/api/sessions/{id} status=200": false,
	}
	var logged string
	for deadline := time.Now().Add(10 * accessFlush); ; time.Sleep(accessFlush / 4) {
		logged = log.String()
		sc := bufio.NewScanner(strings.NewReader(logged))
		for sc.Scan() {
			for w := range want {
				if strings.Contains(sc.Text(), "msg=request "+w+" ") {
					want[w] = true
				}
			}
		}
		if !slices.Contains(slices.Collect(maps.Values(want)), false) || time.Now().After(deadline) {
			break
		}
	}
	for w, found := range want {
		if !found {
			t.Errorf("no access log line with %q in:\n%s", w, logged)
		}
	}
	if strings.Contains(logged, secret) {
		t.Errorf("the log contains the admin token:\n%s", logged)
	}
}

// TestBufferedWriter: lines reach the underlying writer whole, within the
// flush interval, and all of them on close.
func TestBufferedWriter(t *testing.T) {
	sink := &logSink{addrc: make(chan string, 1)}
	const every = 50 * time.Millisecond
	bw := newBufferedWriter(sink, every)
	io.WriteString(bw, "first line\n")
	if sink.String() != "" {
		t.Errorf("written at once: %q, want it buffered", sink.String())
	}
	deadline := time.Now().Add(20 * every)
	for sink.String() == "" && time.Now().Before(deadline) {
		time.Sleep(every / 5)
	}
	if sink.String() != "first line\n" {
		t.Errorf("after the flush interval: %q, want the line", sink.String())
	}

	const writers, lines = 4, 500
	done := make(chan struct{})
	for i := range writers {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range lines {
				fmt.Fprintf(bw, "writer %d line %d %s\n", i, j, strings.Repeat("x", 100))
			}
		}()
	}
	for range writers {
		<-done
	}
	bw.close()
	got := strings.Split(strings.TrimSuffix(sink.String(), "\n"), "\n")
	if len(got) != 1+writers*lines {
		t.Fatalf("%d lines after close, want %d", len(got), 1+writers*lines)
	}
	for _, l := range got[1:] {
		var i, j int
		var xs string
		if n, err := fmt.Sscanf(l, "writer %d line %d %s", &i, &j, &xs); n != 3 || err != nil || len(xs) != 100 {
			t.Fatalf("torn line %q", l)
		}
	}
}

// TestServeOpsFlags: malformed log and limit settings, on the command line
// or in the environment, are usage errors (exit 2), and -log-level warn
// drops the access log.
func TestServeOpsFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"LogLevel", nil, []string{"-log-level", "loud"}},
		{"LogFormat", nil, []string{"-log-format", "xml"}},
		{"ZeroTimeout", nil, []string{"-read-header-timeout", "0s"}},
		{"EnvTimeout", []string{"CONFCAL_WRITE_TIMEOUT", "soon"}, nil},
		{"EnvHeaderBytes", []string{"CONFCAL_MAX_HEADER_BYTES", "-1"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i+1 < len(c.env); i += 2 {
				t.Setenv(c.env[i], c.env[i+1])
			}
			args := append([]string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir()}, c.args...)
			err := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard)
			if exitCode(err) != 2 {
				t.Errorf("confcal %q with env %q: %v (exit %d), want a usage error", args, c.env, err, exitCode(err))
			}
		})
	}

	t.Run("WarnDropsAccessLog", func(t *testing.T) {
		t.Setenv("CONFCAL_LOG_LEVEL", "warn")
		addr, log, _, _ := startServeQuiet(t, "-addr", "127.0.0.1:0", "-data", t.TempDir())
		get(t, "http://"+addr+"/feeds/all.ics")
		if strings.Contains(log.String(), "msg=request") {
			t.Errorf("access log at level warn:\n%s", log)
		}
	})
}

// startServeQuiet is startServe for a server that does not log at info:
// it finds the address by probing instead of reading the log.
func startServeQuiet(t *testing.T, args ...string) (string, *logSink, context.CancelFunc, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for i, a := range args {
		if a == "-addr" && i+1 < len(args) {
			args[i+1] = addr
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := &logSink{addrc: make(chan string, 1)}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), io.Discard, log) }()
	t.Cleanup(cancel)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return addr, log, cancel, errc
		}
	}
	t.Fatalf("serve %q did not answer within 10s:\n%s", args, log)
	return "", nil, nil, nil
}

// TestSlowClientHeaderTimeout opens a real connection and sends a
// request's headers a few bytes at a time, never finishing them: the
// server must drop the connection once -read-header-timeout has passed,
// however steadily the client dribbles.
func TestSlowClientHeaderTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-read-header-timeout", timeout.String())
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()

	closed := make(chan time.Duration, 1)
	go func() {
		io.Copy(io.Discard, conn) // returns when the server closes the connection
		closed <- time.Since(start)
	}()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		if _, err := io.WriteString(conn, "GET /feeds/all.ics HTTP/1.1\r\nHost: confcal.test\r\n"); err != nil {
			return
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := io.WriteString(conn, "X-Slow: a\r\n"[:3]); err != nil {
					return // the server hung up
				}
			}
		}
	}()

	select {
	case d := <-closed:
		// The server's clock starts when it accepts, a little before
		// ours: allow it a margin.
		if d < timeout-50*time.Millisecond {
			t.Errorf("connection closed after %v, before the header timeout of %v", d, timeout)
		}
		if d > timeout+2*time.Second {
			t.Errorf("connection closed after %v, want soon after the header timeout of %v", d, timeout)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("a client dribbling headers held the connection for 10s (header timeout %v)", timeout)
	}

	// A client that sends its headers at once is served as usual.
	if resp := get(t, "http://"+addr+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz after the slow client: status %d", resp.StatusCode)
	}
}

// readMethods change nothing, on any route; every other method a route
// answers is a write.
var readMethods = []string{"GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT", "CONNECT", "TRACE"}

// TestWriteRoutesNeedToken walks the route table as serve builds it and
// sends every write route, with a plausible body, without the admin token
// and with a wrong one: none may succeed, and the agenda must stay at its
// first revision.
func TestWriteRoutesNeedToken(t *testing.T) {
	ctx := context.Background()
	// serve's wiring (serve.go), with a handler this test can walk.
	store, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	m, log := metrics.New(), slog.New(slog.DiscardHandler)
	srv, err := web.New(web.Config{BaseURL: stackBase, Logger: log, Picks: storePicks{st: store}, Token: token,
		Middleware:   []func(http.Handler) http.Handler{metrics.AccessLog(log, web.RoutePattern, web.LogPath), m.Instrument(web.RoutePattern)},
		CalDAVReport: m.CalDAVReport})
	if err != nil {
		t.Fatal(err)
	}
	snap := seed(t)
	svc, err := agenda.Open(ctx, observedStore{store, m}, func() (*agenda.Snapshot, error) { return snap, nil }, timed(srv.Publish, m, true))
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler(svc, monitoringEndpoints(m, log, store, svc, nil, nil))
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("the route table is a %T, not a chi router", h)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()

	id, room := snap.SessionIDs()[0], snap.Rooms()[0].ID
	fill := strings.NewReplacer("{id}", id, "{session}", id, "{room}", room, "{track}", "keynote", "{code}", "abcdefghjk",
		"{day}", "2019-10-08", "*", "public/calendars/all/"+id+".ics")
	bodies := map[string]string{
		"PATCH": `{"title":"Hijacked","room":"` + room + `","status":"cancelled"}`,
		"POST":  `{"id":"hijack","title":"Hijacked","name":"Hijacked","start":"2019-10-08T09:00","end":"2019-10-08T09:30","room":"` + room + `","track":"keynote","sessions":[]}`,
		"PUT":   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
	}
	var writes int
	seen := map[string]bool{}
	err = chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if slices.Contains(readMethods, method) {
			return nil
		}
		if method == "POST" && route == "/my" {
			// The attendee page's pick shortener: attendees store their
			// own pick under a new code, by design without a token; it
			// cannot touch the agenda (checked below).
			return nil
		}
		writes++
		seen[method+" "+route] = true
		path := fill.Replace(route)
		for _, auth := range []string{"", "Bearer wrong-" + token} {
			hdr := []string{"Content-Type", "application/json"}
			if auth != "" {
				hdr = append(hdr, "Authorization", auth)
			}
			code, body := request(t, method, ts.URL+path, bodies[method], hdr...)
			if strings.HasPrefix(route, "/.well-known/") && code == http.StatusMovedPermanently {
				continue // discovery redirects any method to the principal (RFC 6764), writing nothing
			}
			if code < 400 || code >= 500 {
				t.Errorf("%s %s (route %s) with Authorization %q: status %d, want a 4xx refusal; body %.200s",
					method, path, route, auth, code, body)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"PATCH /api/sessions/{id}", "POST /api/sessions", "POST /api/rooms", "PATCH /api/rooms/{id}",
		"POST /api/import", "PUT /dav/*", "DELETE /dav/*", "PROPPATCH /dav/*", "MKCALENDAR /dav/*"} {
		if !seen[w] {
			t.Errorf("route walk missed the write route %s (walked %d)", w, writes)
		}
	}
	request(t, "POST", ts.URL+"/my", "sessions="+id, "Content-Type", "application/x-www-form-urlencoded")
	if rev := svc.Current().Revision(); rev != snap.Revision() {
		t.Errorf("after %d refused writes the agenda is at revision %d, want %d", writes, rev, snap.Revision())
	}
	stored, err := store.Revision(ctx)
	if err != nil || stored != snap.Revision() {
		t.Errorf("stored revision %d (%v), want %d", stored, err, snap.Revision())
	}
}

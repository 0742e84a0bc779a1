package metrics

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// slogLine is the line slog's own handler writes for l.
func slogLine(t testing.TB, json bool, level slog.Level, at time.Time, l requestLine) []byte {
	t.Helper()
	var buf bytes.Buffer
	var h slog.Handler = slog.NewTextHandler(&buf, nil)
	if json {
		h = slog.NewJSONHandler(&buf, nil)
	}
	r := slog.NewRecord(at, level, "request", 0)
	r.AddAttrs(slog.String("method", l.method), slog.String("path", l.path), slog.String("route", l.route),
		slog.Int("status", l.status), slog.Int64("bytes", l.bytes), slog.Duration("duration", l.duration))
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fastLine is the line AccessHandler writes for l: a new one, and a
// second line from the same handler, which has the second formatted.
func fastLine(t testing.TB, json bool, level slog.Level, at time.Time, l requestLine) []byte {
	t.Helper()
	var buf bytes.Buffer
	h, ok := AccessHandler(&buf, json, nil).(*accessHandler)
	if !ok {
		t.Fatal("AccessHandler without options is not the fast handler")
	}
	h.request(context.Background(), level, at, l)
	first := bytes.Clone(buf.Bytes())
	buf.Reset()
	h.request(context.Background(), level, at, l)
	if !bytes.Equal(buf.Bytes(), first) {
		t.Fatalf("the same line twice from one handler:\n%q\n%q", first, buf.Bytes())
	}
	return first
}

// TestAccessHandlerSeconds writes lines from one handler across
// milliseconds, seconds and locations: each as slog writes it.
func TestAccessHandlerSeconds(t *testing.T) {
	var buf bytes.Buffer
	h := AccessHandler(&buf, false, nil).(*accessHandler)
	base := time.Date(2026, 12, 2, 1, 16, 59, 998_000_000, time.UTC)
	l := requestLine{"GET", "/feeds/all.ics", "/feeds/all.ics", 304, 0, time.Microsecond}
	for i, at := range []time.Time{
		base, base.Add(500 * time.Microsecond), base.Add(time.Millisecond), base.Add(2 * time.Millisecond),
		base.Add(2 * time.Millisecond).In(time.FixedZone("", -5*3600)), base.Add(3 * time.Millisecond).In(time.FixedZone("", 90*60)),
		base.Add(time.Hour), base.Add(-time.Second), base.Add(time.Hour).Local(),
	} {
		buf.Reset()
		h.request(context.Background(), slog.LevelInfo, at, l)
		if want := slogLine(t, false, slog.LevelInfo, at, l); !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("line %d at %v:\n got %q\nwant %q", i, at, buf.Bytes(), want)
		}
	}
}

// TestAccessHandlerAsSlog checks that a request line is written byte for
// byte as slog's text and JSON handlers write the same record.
func TestAccessHandlerAsSlog(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*60*60)
	for _, tc := range []struct {
		name  string
		level slog.Level
		at    time.Time
		l     requestLine
	}{
		{"304", slog.LevelInfo, time.Date(2026, 12, 2, 1, 16, 30, 123456789, time.UTC),
			requestLine{"GET", "/feeds/all.ics", "/feeds/all.ics", 304, 0, 12345 * time.Nanosecond}},
		{"whole second", slog.LevelInfo, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			requestLine{"HEAD", "/", "/", 200, 0, 0}},
		{"zone", slog.LevelError, time.Date(2019, 10, 7, 9, 0, 0, 999999999, berlin),
			requestLine{"POST", "/api/import", "/api/import", 500, 14, 3*time.Second + 5*time.Millisecond}},
		{"monotonic", slog.LevelInfo, time.Now(), requestLine{"GET", "/x", "unmatched", 404, 10, time.Minute}},
		{"quoted", slog.LevelInfo, time.Date(2026, 6, 1, 12, 0, 0, 5e6, time.UTC),
			requestLine{"BR EW", "/a b/c=d/\"q\"/\\/\t\n\x7f", "", 400, 1 << 40, 1}},
		{"equals", slog.LevelInfo, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
			requestLine{"GET", "/feeds/all.ics=x", `/back\\slash`, 200, 0, 0}},
		{"quote", slog.LevelInfo, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
			requestLine{"GET", `/"`, "/\x7f", 200, 0, 0}},
		{"unicode", slog.LevelInfo, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
			requestLine{"GET", "/konferenz/straße/\u00a0/\u2028\u2029/\ufffd/\xff\xfe/日本", "/{conf}/", 200, 7, time.Hour}},
		{"controls", slog.LevelInfo, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
			requestLine{"GET", "/\x00\x01\x1f\r<>&'", "/", 200, -1, -time.Second}},
	} {
		for _, json := range []bool{false, true} {
			got, want := fastLine(t, json, tc.level, tc.at, tc.l), slogLine(t, json, tc.level, tc.at, tc.l)
			if !bytes.Equal(got, want) {
				t.Errorf("%s (json %v):\n got %q\nwant %q", tc.name, json, got, want)
			}
		}
	}
}

// FuzzAccessHandler checks any request line against slog's handlers.
func FuzzAccessHandler(f *testing.F) {
	f.Add("GET", "/feeds/all.ics", "/feeds/all.ics", 304, int64(0), int64(12345), int64(1764638190123456789), false)
	f.Add("PROPFIND", "/dav/a b", "/dav/*", 207, int64(512), int64(1), int64(0), true)
	f.Add("GET", "/\xff\u2028\"=", "", 500, int64(-1), int64(-1), int64(-1), false)
	f.Fuzz(func(t *testing.T, method, path, route string, status int, n, d, unix int64, json bool) {
		at := time.Unix(0, unix).In(time.FixedZone("", int(d%86400)))
		if y := at.Year(); y < 0 || y >= 10000 {
			// slog's JSON handler writes an error instead of such a
			// time; a request is never made at one.
			t.Skip()
		}
		l := requestLine{method, path, route, status, n, time.Duration(d)}
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
			got, want := fastLine(t, json, level, at, l), slogLine(t, json, level, at, l)
			if !bytes.Equal(got, want) {
				t.Fatalf("json %v:\n got %q\nwant %q", json, got, want)
			}
		}
	})
}

// TestAccessHandlerLevel checks that lines below the handler's level are
// not written, and that options slog's handler needs make it slog's.
func TestAccessHandlerLevel(t *testing.T) {
	var buf bytes.Buffer
	h := AccessHandler(&buf, false, &slog.HandlerOptions{Level: slog.LevelWarn}).(*accessHandler)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h.request(context.Background(), slog.LevelInfo, at, requestLine{method: "GET", path: "/", route: "/", status: 200})
	if buf.Len() != 0 {
		t.Errorf("an INFO line at level WARN: %q", buf.String())
	}
	h.request(context.Background(), slog.LevelError, at, requestLine{method: "GET", path: "/", route: "/", status: 500})
	if want := "time=2026-01-01T00:00:00.000Z level=ERROR msg=request method=GET path=/ route=/ status=500 bytes=0 duration=0s\n"; buf.String() != want {
		t.Errorf("ERROR line %q, want %q", buf.String(), want)
	}
	for _, opts := range []*slog.HandlerOptions{
		{AddSource: true},
		{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return a }},
	} {
		if _, ok := AccessHandler(&buf, true, opts).(*accessHandler); ok {
			t.Errorf("AccessHandler with %+v formats lines itself, which would skip the option", opts)
		}
	}
}

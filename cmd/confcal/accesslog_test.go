package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// accessLine is one access log line as slog's JSON handler writes it
// (the duration in nanoseconds).
type accessLine struct {
	Time     string `json:"time"`
	Level    string `json:"level"`
	Msg      string `json:"msg"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Route    string `json:"route"`
	Status   int    `json:"status"`
	Bytes    int64  `json:"bytes"`
	Duration int64  `json:"duration"`
}

// TestServeAccessLogFormats runs serve with each -log-format and reads
// its access log as an operator's tools would: a text line per request
// with slog's keys, or a JSON object per line, with the route, status and
// body bytes of a 200 and of a 304.
func TestServeAccessLogFormats(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			addr, log, _, _ := startServeQuiet(t, "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-log-format", format)
			base := "http://" + addr
			resp := get(t, base+"/feeds/all.ics")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /feeds/all.ics: %d", resp.StatusCode)
			}
			if code, _ := request(t, "GET", base+"/feeds/all.ics", "", "If-None-Match", resp.Header.Get("ETag")); code != http.StatusNotModified {
				t.Fatalf("conditional GET /feeds/all.ics: %d, want 304", code)
			}
			var got []accessLine
			for deadline := time.Now().Add(10 * accessFlush); len(got) < 2 && time.Now().Before(deadline); time.Sleep(accessFlush / 4) {
				got = got[:0]
				sc := bufio.NewScanner(strings.NewReader(log.String()))
				for sc.Scan() {
					var l accessLine
					switch format {
					case "json":
						if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
							t.Fatalf("a log line that is not JSON: %v\n%s", err, sc.Text())
						}
					case "text":
						if !strings.Contains(sc.Text(), " msg=request ") {
							continue
						}
						l = textLine(t, sc.Text())
					}
					if l.Msg == "request" && l.Path == "/feeds/all.ics" {
						got = append(got, l)
					}
				}
			}
			if len(got) != 2 {
				t.Fatalf("%d access log lines of /feeds/all.ics, want 2:\n%s", len(got), log)
			}
			// The lines come in the order the answers ended, which need
			// not be the order they were asked in: the 200 may still be
			// ending when the 304 is answered.
			if got[0].Status == http.StatusNotModified {
				got[0], got[1] = got[1], got[0]
			}
			for i, want := range []struct {
				status int
				body   bool
			}{{http.StatusOK, true}, {http.StatusNotModified, false}} {
				l := got[i]
				if l.Level != "INFO" || l.Method != "GET" || l.Route != "/feeds/all.ics" || l.Status != want.status || (l.Bytes > 0) != want.body || l.Duration <= 0 {
					t.Errorf("line %d: %+v, want GET of route /feeds/all.ics at INFO, status %d, bytes > 0 %v", i, l, want.status, want.body)
				}
				layout := time.RFC3339Nano
				if format == "text" {
					layout = "2006-01-02T15:04:05.000Z07:00"
				}
				if at, err := time.Parse(layout, l.Time); err != nil || time.Since(at) > time.Minute || time.Since(at) < -time.Second {
					t.Errorf("line %d: time %q (%v), want about now", i, l.Time, err)
				}
			}
		})
	}
}

// textLine reads the key=value pairs of a text access log line (its
// values hold no spaces or quotes here).
func textLine(t *testing.T, s string) accessLine {
	t.Helper()
	var l accessLine
	for _, kv := range strings.Fields(s) {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "time":
			l.Time = v
		case "level":
			l.Level = v
		case "msg":
			l.Msg = v
		case "method":
			l.Method = v
		case "path":
			l.Path = v
		case "route":
			l.Route = v
		case "status":
			l.Status, err = strconv.Atoi(v)
		case "bytes":
			l.Bytes, err = strconv.ParseInt(v, 10, 64)
		case "duration":
			var d time.Duration
			d, err = time.ParseDuration(v)
			l.Duration = int64(d)
		}
		if err != nil {
			t.Fatalf("text line %q: %s: %v", s, k, err)
		}
	}
	return l
}

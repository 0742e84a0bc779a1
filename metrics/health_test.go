package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"confcal/metrics"
)

func TestHealthz(t *testing.T) {
	for _, c := range []struct {
		method   string
		want     int
		wantBody string
	}{
		{"GET", 200, "ok\n"},
		{"HEAD", 200, ""},
		{"POST", 405, "method not allowed\n"},
	} {
		rec := httptest.NewRecorder()
		metrics.Healthz().ServeHTTP(rec, httptest.NewRequest(c.method, "/healthz", nil))
		if rec.Code != c.want || rec.Body.String() != c.wantBody {
			t.Errorf("%s /healthz = %d %q, want %d %q", c.method, rec.Code, rec.Body, c.want, c.wantBody)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s /healthz: Cache-Control %q, want no-store", c.method, cc)
		}
	}
}

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	storeDown := errors.New("open /var/lib/confcal/agenda.db: permission denied")
	down := func(context.Context) error { return storeDown }
	cancelled := func(ctx context.Context) error { return ctx.Err() }
	skip := func(context.Context) error { return metrics.ErrSkipCheck }
	public := func(context.Context) error {
		return errors.Join(storeDown, &metrics.PublicError{Lines: []string{"pycon: answered 500", "tiny: broken\n\x1bXML \xff"}})
	}
	for _, c := range []struct {
		name     string
		checks   []metrics.Check
		want     int
		wantBody string
	}{
		{"NoChecks", nil, 200, "ok\n"},
		{"AllPass", []metrics.Check{{Name: "store", Run: ok}, {Name: "snapshot", Run: ok}}, 200, "store ok\nsnapshot ok\n"},
		{"StoreDown", []metrics.Check{{Name: "store", Run: down}, {Name: "snapshot", Run: ok}}, 503, "store failed\nsnapshot ok\n"},
		{"ContextHonoured", []metrics.Check{{Name: "store", Run: cancelled}}, 503, "store failed\n"},
		// An advisory check says it failed and leaves the server ready.
		{"AdvisoryDown", []metrics.Check{{Name: "store", Run: ok}, {Name: "source", Run: down, Advisory: true}}, 200, "store ok\nsource failed (still serving)\n"},
		// A check with nothing to check is left out.
		{"Skipped", []metrics.Check{{Name: "store", Run: ok}, {Name: "source", Run: skip, Advisory: true}}, 200, "store ok\n"},
		{"AllSkipped", []metrics.Check{{Name: "source", Run: skip, Advisory: true}}, 200, "ok\n"},
		// The lines of a PublicError are shown, on one line each; the
		// error joined to it is not.
		{"AdvisoryPublic", []metrics.Check{{Name: "store", Run: ok}, {Name: "source", Run: public, Advisory: true}}, 200,
			"store ok\nsource failed (still serving)\n  pycon: answered 500\n  tiny: broken  XML \ufffd\n"},
		{"Public", []metrics.Check{{Name: "store", Run: public}}, 503, "store failed\n  pycon: answered 500\n  tiny: broken  XML \ufffd\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var logBuf bytes.Buffer
			h := metrics.Readyz(slog.New(slog.NewTextHandler(&logBuf, nil)), c.checks...)
			req := httptest.NewRequest("GET", "/readyz", nil)
			if c.name == "ContextHonoured" {
				ctx, cancel := context.WithCancel(req.Context())
				cancel()
				req = req.WithContext(ctx)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want || rec.Body.String() != c.wantBody {
				t.Errorf("GET /readyz = %d %q, want %d %q", rec.Code, rec.Body, c.want, c.wantBody)
			}
			if strings.Contains(rec.Body.String(), "/var/lib") {
				t.Errorf("readyz body leaks the error: %q", rec.Body)
			}
			if c.want == 503 && !strings.Contains(logBuf.String(), "check=store") {
				t.Errorf("failed check not logged: %q", logBuf.String())
			}
		})
	}
}

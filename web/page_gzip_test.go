package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/formats"
	"confcal/source"
	"confcal/web"
)

// samplesDir is where the real published schedules are, beside the
// checkout (never copied into it).
const samplesDir = "../../shared/samples"

// sampleSnapshot reads a real schedule from samplesDir as the first
// revision of an agenda; without the samples the test skips, but not in
// CI, where they are always beside the checkout.
func sampleSnapshot(t *testing.T, name, timeZone string) *agenda.Snapshot {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sample %s missing in CI: %v", name, err)
		}
		t.Skipf("sample %s not found (../shared/samples beside the checkout): %v", name, err)
	}
	res, _, err := source.Parse(data, "", formats.Options{Name: name, TimeZone: timeZone})
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	snap, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
	if err != nil {
		t.Fatalf("snapshot of %s: %v", name, err)
	}
	return snap
}

// gunzipped checks that resp is gzipped and returns its body decompressed.
func gunzipped(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	if enc := resp.Header.Get("Content-Encoding"); enc != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", enc)
	}
	b := body(t, resp)
	if n, err := strconv.Atoi(resp.Header.Get("Content-Length")); err != nil || n != len(b) {
		t.Errorf("Content-Length = %q, body of %d bytes", resp.Header.Get("Content-Length"), len(b))
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return plain
}

// varies reports whether resp says it varies by Accept-Encoding.
func varies(resp *http.Response) bool {
	for _, v := range resp.Header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept-Encoding") {
				return true
			}
		}
	}
	return false
}

// A browser gets the attendee's pages gzipped, as it gets the feeds, and
// the same page as a client that takes no gzip; both answers say they
// vary by Accept-Encoding, so a cache keeps them apart.
func TestPagesGzipped(t *testing.T) {
	_, h := serve(t, web.Config{}, agendatest.Small(t))
	for _, target := range []string{"/", "/?day=2019-10-08&pick=opening-keynote", "/help", "/sessions/opening-keynote"} {
		plain := do(t, h, http.MethodGet, target)
		want := body(t, plain)
		if plain.Header.Get("Content-Encoding") != "" || !varies(plain) {
			t.Errorf("%s without gzip: Content-Encoding %q, Vary %q", target, plain.Header.Get("Content-Encoding"), plain.Header.Values("Vary"))
		}
		zipped := do(t, h, http.MethodGet, target, "Accept-Encoding", "gzip, deflate, br")
		if zipped.StatusCode != plain.StatusCode || !varies(zipped) {
			t.Errorf("%s gzipped: status %d (identity %d), Vary %q", target, zipped.StatusCode, plain.StatusCode, zipped.Header.Values("Vary"))
		}
		if got := gunzipped(t, zipped); !bytes.Equal(got, want) {
			t.Errorf("%s: gunzipped page differs from the identity one (%d and %d bytes)", target, len(got), len(want))
		}
		head := do(t, h, http.MethodHead, target, "Accept-Encoding", "gzip")
		if head.Header.Get("Content-Encoding") != "gzip" || head.Header.Get("Content-Length") != zipped.Header.Get("Content-Length") || len(body(t, head)) != 0 {
			t.Errorf("%s HEAD: Content-Encoding %q, Content-Length %q (GET's %q)", target,
				head.Header.Get("Content-Encoding"), head.Header.Get("Content-Length"), zipped.Header.Get("Content-Length"))
		}
		refused := do(t, h, http.MethodGet, target, "Accept-Encoding", "gzip;q=0")
		if got := body(t, refused); refused.Header.Get("Content-Encoding") != "" || !bytes.Equal(got, want) {
			t.Errorf("%s with gzip;q=0: Content-Encoding %q", target, refused.Header.Get("Content-Encoding"))
		}
	}
}

// TestBigConferencePageGzipped: the agenda of a big real conference
// (FOSDEM 2021, read from the samples in place) is sent gzipped, far
// smaller than its markup.
func TestBigConferencePageGzipped(t *testing.T) {
	snap := sampleSnapshot(t, "fosdem-2021-pentabarf/schedule.xml", "Europe/Brussels")
	_, h := serve(t, web.Config{}, snap)
	for _, target := range []string{"/", "/?day=2021-02-06", "/?track=postgresql"} {
		want := body(t, do(t, h, http.MethodGet, target))
		zipped := do(t, h, http.MethodGet, target, "Accept-Encoding", "gzip")
		sent := zipped.Header.Get("Content-Length")
		got := gunzipped(t, zipped)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: gunzipped page differs from the identity one (%d and %d bytes)", target, len(got), len(want))
		}
		if n, _ := strconv.Atoi(sent); n*5 > len(want) {
			t.Errorf("%s: %s bytes sent for a page of %d", target, sent, len(want))
		}
	}
}

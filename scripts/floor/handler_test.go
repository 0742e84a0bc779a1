package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

const testETag = `"floor-test"`

var testBody = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")

func TestHandler(t *testing.T) {
	for _, tc := range []struct {
		name, inm string
		fields    bool
		want      int
		body      []byte
	}{
		{"unconditional", "", false, http.StatusOK, testBody},
		{"matching", testETag, false, http.StatusNotModified, nil},
		{"other", `"other"`, false, http.StatusOK, testBody},
		{"fields", "", true, http.StatusOK, testBody},
		{"fields matching", testETag, true, http.StatusNotModified, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/feeds/all.ics", nil)
			if tc.inm != "" {
				req.Header.Set("If-None-Match", tc.inm)
			}
			rec := httptest.NewRecorder()
			handler(testBody, testETag, tc.fields).ServeHTTP(rec, req)
			if rec.Code != tc.want || !bytes.Equal(rec.Body.Bytes(), tc.body) {
				t.Errorf("status %d, body %q; want %d, %q", rec.Code, rec.Body.Bytes(), tc.want, tc.body)
			}
			if got := rec.Header().Get("ETag"); got != testETag {
				t.Errorf("ETag %q, want %q", got, testETag)
			}
			for _, f := range []string{"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Cache-Control", "Last-Modified", "Vary"} {
				if got := rec.Header().Get(f) != ""; got != tc.fields {
					t.Errorf("%s present %v, want %v", f, got, tc.fields)
				}
			}
		})
	}
}

// discardWriter is a ResponseWriter that throws the response away, as
// cmd/confcal's BenchmarkServedAll304 uses, so the two compare.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(status int)      { d.status = status }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

func benchmarkFloor(b *testing.B, inm string, want int) {
	h := handler(bytes.Repeat([]byte("x"), 200<<10), testETag, false)
	req := httptest.NewRequest(http.MethodGet, "/feeds/all.ics", nil)
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status = 0
		h.ServeHTTP(w, req)
		if w.status != want && !(want == http.StatusOK && w.status == 0) {
			b.Fatalf("status %d, want %d", w.status, want)
		}
	}
}

// BenchmarkFloor304 is the floor's answer to a poll: a conditional GET
// whose ETag matches.
func BenchmarkFloor304(b *testing.B) { benchmarkFloor(b, testETag, http.StatusNotModified) }

// BenchmarkFloor200 is the floor's answer in full.
func BenchmarkFloor200(b *testing.B) { benchmarkFloor(b, "", http.StatusOK) }

package caldav_test

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// chunk is the size multistatus answers are written in (caldav's
// chunkSize).
const chunk = 32 << 10

// writeLog is a ResponseWriter that keeps the body and the size of every
// Write, and notes whether the status came before the first byte.
type writeLog struct {
	header     http.Header
	code       int
	writes     []int
	body       bytes.Buffer
	headerSent http.Header // the header as it was when the status went out
}

func (l *writeLog) Header() http.Header { return l.header }

func (l *writeLog) WriteHeader(code int) {
	if l.code == 0 {
		l.code = code
		l.headerSent = l.header.Clone()
	}
}

func (l *writeLog) Write(b []byte) (int, error) {
	l.WriteHeader(http.StatusOK)
	l.writes = append(l.writes, len(b))
	return l.body.Write(b)
}

// streamedRequests are big answers on the synthetic agenda of 10,008
// sessions: a day's events with calendar-data (3,336), an allprop listing
// of the whole conference, and an initial sync of it.
func streamedRequests(t *testing.T) []struct {
	name string
	req  request
	want int // responses
} {
	return []struct {
		name string
		req  request
		want int
	}{
		{"calendar-query", request{method: "REPORT", path: calAll, header: []string{"Depth", "1"},
			body: testdata(t, "clients/pycaldav-date-search.xml")}, 3336},
		{"PROPFIND allprop", request{method: "PROPFIND", path: calAll, header: []string{"Depth", "1"}}, 10009},
		{"sync-collection", request{method: "REPORT", path: calAll, header: []string{"Depth", "0"},
			body: syncBody(t, "", 0)}, 10008},
	}
}

func (tc request) httpRequest() *http.Request {
	r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
	for i := 0; i+1 < len(tc.header); i += 2 {
		r.Header.Set(tc.header[i], tc.header[i+1])
	}
	if tc.body != "" {
		r.Header.Set("Content-Type", "application/xml")
	}
	return r
}

// TestStreamedAnswers: big answers go out as they are made, in writes of
// one chunk, with the 207 and its headers first; the bytes parse as the
// multistatus they are. Small ones keep their Content-Length.
func TestStreamedAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-session agenda")
	}
	s := newSyntheticServer(t)
	for _, tc := range streamedRequests(t) {
		t.Run(tc.name, func(t *testing.T) {
			w := &writeLog{header: http.Header{}}
			s.h.ServeHTTP(w, tc.req.httpRequest())
			if w.code != http.StatusMultiStatus {
				t.Fatalf("status %d: %.300s", w.code, w.body.String())
			}
			if ct := w.headerSent.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
				t.Errorf("Content-Type %q when the status went out", ct)
			}
			if cl := w.headerSent.Get("Content-Length"); cl != "" {
				t.Errorf("Content-Length %s on a streamed answer", cl)
			}
			size := w.body.Len()
			if min := size / chunk; len(w.writes) < min {
				t.Errorf("%d bytes in %d writes: want at least %d", size, len(w.writes), min)
			}
			for i, n := range w.writes {
				if n > chunk {
					t.Fatalf("write %d of %d bytes, over the chunk of %d", i, n, chunk)
				}
				if n < chunk && i < len(w.writes)-1 {
					t.Errorf("write %d of %d bytes before the last: chunks are filled", i, n)
				}
			}
			rec := httptest.NewRecorder()
			maps.Copy(rec.Header(), w.headerSent)
			rec.WriteHeader(w.code)
			rec.Write(w.body.Bytes())
			if m := parseMultistatus(t, rec); len(m.order) != tc.want {
				t.Errorf("%d responses, want %d", len(m.order), tc.want)
			}
		})
	}
	// A small answer is one write with its length.
	w := &writeLog{header: http.Header{}}
	s.h.ServeHTTP(w, request{method: "PROPFIND", path: calAll, header: []string{"Depth", "0"}}.httpRequest())
	if len(w.writes) != 1 || w.headerSent.Get("Content-Length") != strconv.Itoa(w.body.Len()) {
		t.Errorf("small answer: %d writes, Content-Length %q for %d bytes", len(w.writes), w.headerSent.Get("Content-Length"), w.body.Len())
	}
}

// TestStreamedMemory: answering a big request allocates a small fraction
// of the answer (a chunk, the request's own bookkeeping), not the answer:
// measured around one request of each kind, after one that warmed the
// view (which renders each object's calendar-data once per rendering).
func TestStreamedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-session agenda")
	}
	s := newSyntheticServer(t)
	for _, tc := range streamedRequests(t) {
		t.Run(tc.name, func(t *testing.T) {
			warm := newDiscard()
			s.h.ServeHTTP(warm, tc.req.httpRequest())
			if warm.Code != http.StatusMultiStatus {
				t.Fatalf("status %d", warm.Code)
			}
			var before, after runtime.MemStats
			r := tc.req.httpRequest()
			w := newDiscard()
			runtime.GC()
			runtime.ReadMemStats(&before)
			s.h.ServeHTTP(w, r)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			if w.n < 1<<20 {
				t.Fatalf("answer of %d bytes: too small to show anything", w.n)
			}
			if limit := uint64(512 << 10); allocated > limit {
				t.Errorf("answer of %d bytes allocated %d bytes, want at most %d", w.n, allocated, limit)
			}
			t.Logf("answer of %d bytes, %d bytes allocated", w.n, allocated)
		})
	}
}

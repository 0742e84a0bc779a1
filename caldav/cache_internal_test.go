package caldav

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confcal/agenda/agendatest"
	"confcal/ical"
)

// TestAnswerCacheBounded checks that a view keeps at most
// maxCachedAnswers answers, dropping the oldest, keeps no error answers
// and no answers to oversized bodies, and serves a kept answer without
// building it again.
func TestAnswerCacheBounded(t *testing.T) {
	ed, err := ical.Render(agendatest.Small(t), ical.Options{BaseURL: "https://confcal.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHandler(Options{}, func() *ical.Edition { return ed }).(*handler)
	do := func(method, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/dav/public/calendars/all/", strings.NewReader(body))
		r.Header.Set("Depth", "1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	// Bodies that differ in trailing white space only: the same question,
	// each its own key.
	body := func(i int) string {
		return `<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>` + strings.Repeat(" ", i)
	}
	for i := range maxCachedAnswers + 10 {
		if w := do("PROPFIND", body(i)); w.Code != http.StatusMultiStatus {
			t.Fatalf("PROPFIND %d: %d %s", i, w.Code, w.Body)
		}
	}
	v, err := h.view()
	if err != nil {
		t.Fatal(err)
	}
	if n := v.answers.len(); n != maxCachedAnswers {
		t.Fatalf("%d answers kept, want %d", n, maxCachedAnswers)
	}
	r := httptest.NewRequest("PROPFIND", "/dav/public/calendars/all/", nil)
	r.Header.Set("Depth", "1")
	key := func(i int) answerKey { return newAnswerKey(r, []byte(body(i))) }
	if v.answers.get(key(0)) != nil || v.answers.get(key(9)) != nil {
		t.Error("the oldest answers were not dropped")
	}
	last := v.answers.get(key(maxCachedAnswers + 9))
	if last == nil {
		t.Fatal("the newest answer was not kept")
	}
	// A kept answer is what the next identical request gets: change the
	// kept bytes and see them served.
	marked := append([]byte(nil), last.body...)
	marked[len(marked)-2] = '!'
	v.answers.mu.Lock()
	v.answers.m[key(maxCachedAnswers+9)] = &answer{body: marked, length: last.length}
	v.answers.mu.Unlock()
	if w := do("PROPFIND", body(maxCachedAnswers+9)); w.Body.String() != string(marked) {
		t.Error("a repeated request was answered anew, not from the cache")
	}

	// Errors and oversized bodies are not kept.
	n := v.answers.len()
	for _, b := range []string{
		`<propfind xmlns="DAV:"><prop><getetag/></prop>`,                                                 // malformed: 400
		`<calendar-query xmlns="urn:ietf:params:xml:ns:caldav"/>`,                                        // no filter: 400
		`<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>` + strings.Repeat(" ", maxCachedBody), // too big to keep
	} {
		method := "PROPFIND"
		if strings.Contains(b, "calendar-query") {
			method = "REPORT"
		}
		do(method, b)
		do(method, b)
	}
	if got := v.answers.len(); got != n {
		t.Errorf("%d answers kept after errors and a large body, want %d", got, n)
	}
}

// TestAnswerCacheBytes checks the bound on the bytes kept: the oldest
// answers make room for a new one, and an answer over the bound is not
// kept at all.
func TestAnswerCacheBytes(t *testing.T) {
	var c answerCache
	key := func(i int) answerKey { return answerKey{method: "REPORT", path: strings.Repeat("/", i+1)} }
	third := maxCachedBytes / 3
	for i := range 4 {
		c.put(key(i), make([]byte, third))
	}
	if c.len() != 3 || c.size != 3*third {
		t.Errorf("%d answers, %d bytes kept; want 3, %d", c.len(), c.size, 3*third)
	}
	if c.get(key(0)) != nil || c.get(key(3)) == nil {
		t.Error("not the oldest answer dropped")
	}
	c.put(key(4), make([]byte, maxCachedBytes+1))
	if c.get(key(4)) != nil || c.len() != 3 {
		t.Errorf("an answer over %d bytes was kept", maxCachedBytes)
	}
	c.put(key(5), make([]byte, maxCachedBytes))
	if c.len() != 1 || c.size != maxCachedBytes || c.get(key(5)) == nil {
		t.Errorf("%d answers, %d bytes kept; want only the last", c.len(), c.size)
	}
}

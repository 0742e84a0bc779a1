package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzPatchSession sends arbitrary bodies to PATCH /sessions/{id}: the
// answer is always one of the documented statuses (never a 500), an error
// always comes as JSON, and only a 200 may change the agenda.
func FuzzPatchSession(f *testing.F) {
	for _, seed := range []string{
		`{"room": "room-1", "start": "2019-10-08T14:00"}`,                       // a move keeping the duration
		`{"start": "2019-10-09T10:00:00Z", "end": "2019-10-09T10:30:00+02:00"}`, // RFC 3339
		`{"status": "cancelled"}`, `{"status": "moved"}`,                        // valid and invalid status
		`{"title": ""}`, `{"title": 7}`, `{"speaker": "x"}`, // empty, mistyped, unknown
		`{"end": "2019-10-09T10:00"}`, `{"start": "2019-10-10T10:00"}`, // end before start, outside the days
		`{"room": "room-1", "force": true}`, `{"room": "room-1"}`, // forced and refused overlap
		`{}`, ``, `null`, `[]`, `{"title": "a"} {}`, "{\"title\": \"\xff\"}", // edge shapes
	} {
		f.Add(seed)
	}
	allowed := map[int]bool{200: true, 400: true, 409: true, 413: true, 422: true}
	f.Fuzz(func(t *testing.T, body string) {
		e := newEnv(t, token)
		w := e.do("PATCH", "/sessions/state-of-state", body)
		if !allowed[w.Code] {
			t.Fatalf("PATCH %q: status %d (%s)", body, w.Code, w.Body)
		}
		if w.Code != http.StatusOK {
			msg := decodeBody[struct{ Error string }](t, w).Error
			if strings.TrimSpace(msg) == "" {
				t.Fatalf("PATCH %q: %d without a message", body, w.Code)
			}
			if e.svc.Current().Revision() != 1 {
				t.Fatalf("PATCH %q: refused with %d but changed the agenda", body, w.Code)
			}
		}
	})
}

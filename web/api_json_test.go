package web_test

import (
	"net/http"
	"strings"
	"testing"

	"confcal/api"
	"confcal/web"
)

// A JSON body is refused with 400 where decoding it would drop part of
// it without a word: a member named twice, in the body or in an object
// inside it (the last would win; names match fields whatever their case), a null (which leaves a field as it
// is, while the client may mean to clear it), bytes that are not UTF-8
// (which decoding turns into U+FFFD). The agenda stays as it was.
func TestAPIRefusesJSONItWouldDropSilently(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	before := e.do("GET", "/api/sessions/late-talk", "").Body.String()
	// An import whose objects inside name a member twice: a session's
	// title, a track's name.
	imp := smallImport(t, func(ss []api.NewSession) []api.NewSession { return ss })
	sessionTwice := strings.Replace(imp, `"title":"`, `"title":"Dropped","Title":"`, 1)
	trackTwice := strings.Replace(imp, `"name":"`, `"name":"Dropped","name":"`, 1)
	tests := []struct {
		method, path, body, says string
	}{
		{"PATCH", "/api/sessions/late-talk", `{"title":"A","title":"B"}`, `"title" is given twice`},
		{"PATCH", "/api/sessions/late-talk", `{"title":"A","Title":"B"}`, `"Title" is given twice`},
		{"PATCH", "/api/sessions/late-talk", `{"status":"cancelled","status":"confirmed"}`, "twice"},
		{"PATCH", "/api/sessions/late-talk", `{"url":null}`, `"url" is null`},
		{"PATCH", "/api/sessions/late-talk", `{"title":null}`, `"title" is null`},
		{"PATCH", "/api/sessions/late-talk", "{\"title\":\"a\xffb\"}", "not UTF-8"},
		{"POST", "/api/sessions", `{"title":"New","title":"Newer","start":"2019-10-08T18:00","end":"2019-10-08T18:30","room":"room-1","track":"talks"}`, "twice"},
		{"POST", "/api/rooms", `{"id":"room-9","name":"Nine","name":"Ten"}`, "twice"},
		{"PATCH", "/api/rooms/room-1", `{"name":null}`, "null"},
		{"POST", "/api/import", sessionTwice, `"sessions[0].Title" is given twice`},
		{"POST", "/api/import", trackTwice, `"tracks[0].name" is given twice`},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.body, func(t *testing.T) {
			w := e.do(tc.method, tc.path, tc.body)
			wantStatus(t, w, http.StatusBadRequest)
			if msg := errorOf(t, w); !strings.Contains(msg, tc.says) {
				t.Errorf("400 says %q, want it to say %q", msg, tc.says)
			}
			if rev := e.svc.Current().Revision(); rev != 1 {
				t.Errorf("a refused body moved the revision to %d", rev)
			}
		})
	}
	if after := e.do("GET", "/api/sessions/late-talk", "").Body.String(); after != before {
		t.Errorf("the session changed:\n%s\nwant\n%s", after, before)
	}
	// What is refused above is taken when it is said once, and "" clears.
	wantStatus(t, e.do("PATCH", "/api/sessions/late-talk", `{"url":"https://example.org/late","subtitle":"x"}`), http.StatusOK)
	wantStatus(t, e.do("PATCH", "/api/sessions/late-talk", `{"url":""}`), http.StatusOK)
	// Outside a patch, null is the zero value, as encoders write an
	// empty list.
	wantStatus(t, e.do("POST", "/api/sessions", `{"title":"New","start":"2019-10-08T18:00","end":"2019-10-08T18:30","room":"room-1","track":"talks","speakers":null}`), http.StatusCreated)
}

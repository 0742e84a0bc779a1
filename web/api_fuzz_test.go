package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"confcal/web"
)

// fuzzRoutes are the write routes whose JSON bodies FuzzAPIJSON feeds.
var fuzzRoutes = []struct{ method, path string }{
	{http.MethodPatch, "/api/sessions/streams-everywhere"},
	{http.MethodPost, "/api/sessions"},
	{http.MethodPost, "/api/rooms"},
	{http.MethodPatch, "/api/rooms/room-2"},
	{http.MethodPost, "/api/import"},
}

// FuzzAPIJSON sends arbitrary bodies to every write route of the admin
// API (with the token) through the route table and checks what the API
// promises: never a 5xx, every error a JSON object with a message, and a
// refused write changes nothing.
func FuzzAPIJSON(f *testing.F) {
	// Valid bodies, one per route, so the fuzzer starts from the shapes
	// that get past decoding into the agenda's rules.
	f.Add(uint8(0), `{"room":"room-2","start":"2019-10-08T14:00","end":"2019-10-08T14:40"}`)
	f.Add(uint8(0), `{"status":"cancelled"}`)
	f.Add(uint8(0), `{"title":"  ","force":true}`)
	f.Add(uint8(1), `{"id":"new-talk","title":"New Talk","start":"2019-10-09T09:00","end":"2019-10-09T09:40","room":"room-2","track":"talks"}`)
	f.Add(uint8(1), `{"title":"Out of range","start":"2019-10-10T09:00+02:00","end":"2019-10-10T08:00+02:00","room":"room-1","track":"talks"}`)
	f.Add(uint8(2), `{"id":"room-3","name":"Room 3"}`)
	f.Add(uint8(3), `{"name":"Main Hall"}`)
	f.Add(uint8(4), `{"tracks":[{"id":"talks","name":"Talks"}],"rooms":[{"id":"room-1","name":"Room 1"}],`+
		`"sessions":[{"id":"late-talk","title":"Late Talk","start":"2019-10-09T11:00","end":"2019-10-09T11:40","room":"room-1","track":"talks"}],"dry_run":true}`)
	// Malformed: unknown field, wrong type, trailing data, deep nesting,
	// an empty body, huge numbers, invalid UTF-8.
	f.Add(uint8(0), `{"colour":"red"}`)
	f.Add(uint8(1), `{"title":42}`)
	f.Add(uint8(2), `{"name":"x"} {"name":"y"}`)
	f.Add(uint8(4), `{"sessions":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`)
	f.Add(uint8(3), ``)
	f.Add(uint8(0), `{"start":"1e309"}`)
	f.Add(uint8(1), "{\"title\":\"\xff\xfe\"}")
	// Text and times the agenda refuses: a control character, a line
	// break in a name, seconds.
	f.Add(uint8(0), `{"title":"a\u001b[2J","abstract":"x\r\ny"}`)
	f.Add(uint8(3), `{"name":"Room\n2"}`)
	f.Add(uint8(1), `{"title":"T","start":"2019-10-09T09:00:00.1","end":"2019-10-09T09:00:00.9","room":"room-2","track":"talks"}`)

	f.Fuzz(func(t *testing.T, route uint8, body string) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		e := newAPIEnv(t, web.Config{Token: token})
		before := e.svc.Current().Revision()
		w := e.do(rt.method, rt.path, body, "Content-Type", "application/json")
		switch {
		case w.Code >= 500:
			t.Fatalf("%s %s %q: status %d, want 2xx or 4xx; body %s", rt.method, rt.path, body, w.Code, w.Body)
		case w.Code >= 400:
			var eb struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Error == "" {
				t.Errorf("%s %s: status %d with body %q, want a JSON error message (%v)", rt.method, rt.path, w.Code, w.Body, err)
			}
			if after := e.svc.Current().Revision(); after != before {
				t.Errorf("%s %s: refused with %d but the revision moved from %d to %d", rt.method, rt.path, w.Code, before, after)
			}
		default:
			if !json.Valid(w.Body.Bytes()) {
				t.Errorf("%s %s: status %d with a body that is not JSON: %q", rt.method, rt.path, w.Code, w.Body)
			}
		}
	})
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/web"
)

// The admin API as a client meets it: the real route table (web.New,
// srv.Handler) on an agenda.Service that publishes to the server, every
// path under /api.

const token = "s3cret-token"

// apiEnv is a server with the admin API on a Service over agendatest.Small.
type apiEnv struct {
	t     *testing.T
	srv   *web.Server
	svc   *agenda.Service
	store *failingStore
	h     http.Handler
	logs  *bytes.Buffer // what the server logged
}

// failingStore fails Save with err when err is set.
type failingStore struct {
	*memstore.Store
	mu  sync.Mutex
	err error
}

func (f *failingStore) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *failingStore) Save(ctx context.Context, s *agenda.Snapshot) error {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.Store.Save(ctx, s)
}

// newAPIEnv serves agendatest.Small with cfg (BaseURL defaults to baseURL;
// Token is the admin token, empty for writes disabled) through an
// agenda.Service on a memstore whose clock moves a minute per change.
func newAPIEnv(t *testing.T, cfg web.Config) *apiEnv {
	t.Helper()
	logs := new(bytes.Buffer)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	store := &failingStore{Store: memstore.New()}
	srv, svc, h := newLive(t, cfg, store, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil })
	clock := time.Date(2019, 10, 2, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	svc.SetClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	})
	return &apiEnv{t: t, srv: srv, svc: svc, store: store, h: h, logs: logs}
}

// do sends a request; headers come in name, value pairs, an empty value
// drops the header. A write (any method but GET and HEAD) carries the
// admin token unless headers name Authorization.
func (e *apiEnv) do(method, path, body string, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && method != http.MethodHead {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			r.Header.Del(headers[i])
		} else {
			r.Header.Set(headers[i], headers[i+1])
		}
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// decodeBody decodes a JSON answer into a T, refusing unknown fields.
func decodeBody[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q, want JSON; body %.200s", ct, w.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %T: %v", v, err)
	}
	return v
}

// errorOf returns the message of a JSON error answer.
func errorOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	return decodeBody[struct {
		Error string `json:"error"`
	}](t, w).Error
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
}

func TestAPIReads(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})

	w := e.do("GET", "/api/sessions", "")
	wantStatus(t, w, 200)
	list := decodeBody[api.SessionList](t, w)
	if list.Revision != 1 || len(list.Sessions) != 5 || w.Header().Get(api.RevisionHeader) != "1" {
		t.Fatalf("GET /api/sessions = revision %d, %d sessions, header %q; want 1, 5, 1", list.Revision, len(list.Sessions), w.Header().Get(api.RevisionHeader))
	}
	if s := list.Sessions[0]; s.ID != "opening-keynote" || s.Start != "2019-10-08T09:00:00+02:00" || s.RoomName != "Room 1" ||
		s.TrackName != "Keynote" || s.UID != "opening-keynote@test.confcal.example" || s.Status != "confirmed" || s.ETag == "" {
		t.Errorf("first session = %+v", s)
	}

	w = e.do("GET", "/api/sessions/late-talk", "")
	wantStatus(t, w, 200)
	s := decodeBody[api.Session](t, w)
	if s.Title != "Late Talk" || s.End != "2019-10-09T11:40:00+02:00" || w.Header().Get("ETag") != s.ETag || !strings.HasPrefix(s.ETag, `"`) {
		t.Errorf("GET /api/sessions/late-talk = %+v, ETag %q", s, w.Header().Get("ETag"))
	}
	w = e.do("GET", "/api/sessions/late-talk", "", "If-None-Match", s.ETag)
	wantStatus(t, w, http.StatusNotModified)

	w = e.do("GET", "/api/sessions/nope", "")
	wantStatus(t, w, 404)
	if msg := errorOf(t, w); !strings.Contains(msg, "nope") {
		t.Errorf("404 says %q, want the ID named", msg)
	}

	w = e.do("GET", "/api/rooms", "")
	wantStatus(t, w, 200)
	rooms := decodeBody[api.RoomList](t, w)
	if len(rooms.Rooms) != 2 || rooms.Rooms[1].ID != "room-2" || rooms.Rooms[1].Name != "Room 2" || rooms.Rooms[1].Sessions != 2 {
		t.Errorf("GET /api/rooms = %+v", rooms)
	}

	w = e.do("GET", "/api/tracks", "")
	wantStatus(t, w, 200)
	tracks := decodeBody[api.TrackList](t, w)
	if len(tracks.Tracks) != 2 || tracks.Tracks[0] != (api.Track{ID: "keynote", Name: "Keynote", Color: "#D1495B", Sessions: 2}) {
		t.Errorf("GET /api/tracks = %+v", tracks)
	}

	w = e.do("GET", "/api/changes", "")
	wantStatus(t, w, 200)
	if ch := decodeBody[api.ChangeList](t, w); ch.Revision != 1 || ch.Since != 1 || len(ch.Changes) != 0 || len(ch.Summaries) != 0 {
		t.Errorf("GET /api/changes = %+v, want none at revision 1", ch)
	}

	w = e.do("GET", "/api/nowhere", "")
	wantStatus(t, w, 404)
	errorOf(t, w)
	w = e.do("DELETE", "/api/sessions/late-talk", "")
	wantStatus(t, w, 405)
	errorOf(t, w)
}

// Before the first revision is published, reads and writes alike are
// answered 503 with Retry-After, in JSON.
func TestAPINotLoaded(t *testing.T) {
	srv := newWeb(t, web.Config{Token: token})
	svc := agenda.NewService(memstore.New(), srv.Publish)
	e := &apiEnv{t: t, srv: srv, svc: svc, h: srv.Handler(svc, nil)}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/sessions", ""},
		{"GET", "/api/sessions/late-talk", ""},
		{"GET", "/api/changes", ""},
		{"PATCH", "/api/sessions/late-talk", `{"title": "Early"}`},
		{"POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks"}`},
		{"POST", "/api/rooms", `{"name": "Room 3"}`},
		{"PATCH", "/api/rooms/room-2", `{"name": "Kesselhaus"}`},
		{"POST", "/api/import", smallImport(t, func(ss []api.NewSession) []api.NewSession { return ss })},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			w := e.do(c.method, c.path, c.body)
			wantStatus(t, w, http.StatusServiceUnavailable)
			if w.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if msg := errorOf(t, w); !strings.Contains(msg, "not loaded") {
				t.Errorf("503 says %q, want that the agenda is not loaded", msg)
			}
		})
	}
}

func TestAPIPatchSession(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		body  string
		check func(t *testing.T, s api.Session)
	}{
		{"move keeps the duration", "state-of-state", `{"room": "room-1", "start": "2019-10-08T14:00"}`, func(t *testing.T, s api.Session) {
			if s.Room != "room-1" || s.RoomName != "Room 1" || s.Start != "2019-10-08T14:00:00+02:00" || s.End != "2019-10-08T14:40:00+02:00" || s.Sequence != 1 {
				t.Errorf("moved = %+v", s)
			}
		}},
		{"retime with RFC 3339", "late-talk", `{"start": "2019-10-09T10:00:00Z", "end": "2019-10-09T10:30:00Z"}`, func(t *testing.T, s api.Session) {
			if s.Start != "2019-10-09T12:00:00+02:00" || s.End != "2019-10-09T12:30:00+02:00" || s.Sequence != 1 {
				t.Errorf("retimed = %+v", s)
			}
		}},
		{"rename", "late-talk", `{"title": "Later Talk"}`, func(t *testing.T, s api.Session) {
			if s.Title != "Later Talk" || s.Sequence != 1 {
				t.Errorf("renamed = %+v", s)
			}
		}},
		{"abstract keeps the sequence", "late-talk", `{"abstract": "New."}`, func(t *testing.T, s api.Session) {
			if s.Abstract != "New." || s.Sequence != 0 {
				t.Errorf("abstract edit = %+v", s)
			}
		}},
		{"track", "late-talk", `{"track": "keynote"}`, func(t *testing.T, s api.Session) {
			if s.Track != "keynote" || s.TrackName != "Keynote" || s.Sequence != 1 {
				t.Errorf("track change = %+v", s)
			}
		}},
		{"cancel", "late-talk", `{"status": "cancelled"}`, func(t *testing.T, s api.Session) {
			if s.Status != "cancelled" || s.Sequence != 1 {
				t.Errorf("cancelled = %+v", s)
			}
		}},
		{"forced overlap", "state-of-state", `{"room": "room-1", "force": true}`, func(t *testing.T, s api.Session) {
			if s.Room != "room-1" {
				t.Errorf("forced = %+v", s)
			}
		}},
		{"nothing to change", "late-talk", `{}`, func(t *testing.T, s api.Session) {
			if s.Sequence != 0 {
				t.Errorf("empty patch = %+v", s)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIEnv(t, web.Config{Token: token})
			before := decodeBody[api.Session](t, e.do("GET", "/api/sessions/"+tc.id, ""))
			w := e.do("PATCH", "/api/sessions/"+tc.id, tc.body, "If-Match", before.ETag)
			wantStatus(t, w, 200)
			s := decodeBody[api.Session](t, w)
			tc.check(t, s)
			if w.Header().Get("ETag") != s.ETag {
				t.Errorf("ETag header %q, body %q", w.Header().Get("ETag"), s.ETag)
			}
			changed := tc.body != "{}"
			if changed == (s.ETag == before.ETag) {
				t.Errorf("ETag %s → %s; want it to change exactly when the session does", before.ETag, s.ETag)
			}
			// The change is already current when the reply arrives.
			again := decodeBody[api.Session](t, e.do("GET", "/api/sessions/"+tc.id, ""))
			if !reflect.DeepEqual(again, s) {
				t.Errorf("GET after PATCH = %+v, want %+v", again, s)
			}
		})
	}
}

func TestAPICancelAndRestore(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	wantStatus(t, e.do("PATCH", "/api/sessions/late-talk", `{"status": "cancelled"}`), 200)
	w := e.do("PATCH", "/api/sessions/late-talk", `{"status": "confirmed"}`)
	wantStatus(t, w, 200)
	if s := decodeBody[api.Session](t, w); s.Status != "confirmed" || s.Sequence != 2 {
		t.Errorf("restored = %+v, want confirmed, sequence 2", s)
	}
	ch := decodeBody[api.ChangeList](t, e.do("GET", "/api/changes?since=1", ""))
	var texts []string
	for _, s := range ch.Summaries {
		texts = append(texts, s.Text)
	}
	want := []string{"Late Talk cancelled (Oct 9 11:00–11:40, Room 2)", "Late Talk restored (Oct 9 11:00–11:40, Room 2)"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("summaries %q, want %q", texts, want)
	}
}

// Every error code of a write, each with the store left as it was.
func TestAPIWriteErrors(t *testing.T) {
	big := `{"abstract": "` + strings.Repeat("x", web.MaxBody) + `"}`
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		status  int
		says    string
	}{
		{"malformed JSON", "PATCH", "/api/sessions/late-talk", `{"title": `, nil, 400, "malformed JSON"},
		{"not an object", "PATCH", "/api/sessions/late-talk", `[1]`, nil, 400, "want a JSON object, got an array"},
		{"null", "PATCH", "/api/sessions/late-talk", ` null `, nil, 400, "want a JSON object, got null"},
		{"a string", "POST", "/api/rooms", `"Room 9"`, nil, 400, "want a JSON object, got a string"},
		{"unknown field", "PATCH", "/api/sessions/late-talk", `{"speaker": "x"}`, nil, 400, `unknown field "speaker"`},
		{"wrong type", "PATCH", "/api/sessions/late-talk", `{"title": 7}`, nil, 400, `field "title"`},
		{"trailing data", "PATCH", "/api/sessions/late-talk", `{"title": "a"} {}`, nil, 400, "after the object"},
		{"empty body", "PATCH", "/api/sessions/late-talk", ``, nil, 400, "empty"},
		{"bad time", "PATCH", "/api/sessions/late-talk", `{"start": "tomorrow"}`, nil, 400, "start"},
		{"bad status", "PATCH", "/api/sessions/late-talk", `{"status": "moved"}`, nil, 400, "status"},
		{"empty title", "PATCH", "/api/sessions/late-talk", `{"title": " "}`, nil, 400, "title"},
		{"bad who", "PATCH", "/api/sessions/late-talk", `{"title": "a"}`, []string{api.WhoHeader, strings.Repeat("a", 65)}, 400, api.WhoHeader},
		{"too big", "PATCH", "/api/sessions/late-talk", big, nil, 413, fmt.Sprint(web.MaxBody)},
		{"not JSON", "PATCH", "/api/sessions/late-talk", `title=x`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "JSON"},
		{"end before start", "PATCH", "/api/sessions/late-talk", `{"end": "2019-10-09T10:00"}`, nil, 422, "not after start"},
		{"outside the days", "PATCH", "/api/sessions/late-talk", `{"start": "2019-10-10T10:00"}`, nil, 422, "outside the conference days"},
		{"unknown room", "PATCH", "/api/sessions/late-talk", `{"room": "room-9"}`, nil, 422, "unknown room"},
		{"unknown track", "PATCH", "/api/sessions/late-talk", `{"track": "nope"}`, nil, 422, "unknown track"},
		{"overlap", "PATCH", "/api/sessions/state-of-state", `{"room": "room-1"}`, nil, 409, `"force": true`},
		{"unknown session", "PATCH", "/api/sessions/nope", `{"title": "a"}`, nil, 404, "nope"},
		{"stale ETag", "PATCH", "/api/sessions/late-talk", `{"title": "a"}`, []string{"If-Match", `"s0.0"`}, 412, "If-Match"},
		{"weak ETag", "PATCH", "/api/sessions/late-talk", `{"title": "a"}`, []string{"If-Match", `W/"s1.0"`}, 412, "If-Match"},
		{"new session without a room", "POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "track": "talks"}`, nil, 400, "room is required"},
		{"new session with a bad ID", "POST", "/api/sessions", `{"id": "Bad ID", "title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks"}`, nil, 400, "not a slug"},
		{"new session taken ID", "POST", "/api/sessions", `{"id": "late-talk", "title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks"}`, nil, 409, `session "late-talk" already exists`},
		{"new session with a bad status", "POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks", "status": "moved"}`, nil, 400, "status"},
		{"new session taken number", "POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks", "number": 1}`, nil, 409, "number 1 belongs to session"},
		{"new session negative number", "POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks", "number": -3}`, nil, 422, "number -3 is negative"},
		{"new session overlapping", "POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T16:30", "end": "2019-10-09T17:00", "room": "room-1", "track": "talks"}`, nil, 409, "overlap"},
		{"new session unknown track", "POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "nope"}`, nil, 422, "unknown track"},
		{"new session no title ID", "POST", "/api/sessions", `{"title": "!!", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks"}`, nil, 400, "id"},
		{"new room without a name", "POST", "/api/rooms", `{"id": "room-3"}`, nil, 400, "name is required"},
		{"new room taken", "POST", "/api/rooms", `{"name": "Room 2"}`, nil, 409, `room "room-2" already exists`},
		{"new room with a bad ID", "POST", "/api/rooms", `{"id": "Bad ID!", "name": "X"}`, nil, 400, "not a slug"},
		{"new room with a long ID", "POST", "/api/rooms", `{"id": "` + strings.Repeat("a", 101) + `", "name": "X"}`, nil, 400, "not a slug"},
		{"rename without a name", "PATCH", "/api/rooms/room-2", `{}`, nil, 400, "name is required"},
		{"rename unknown room", "PATCH", "/api/rooms/room-9", `{"name": "X"}`, nil, 404, "room-9"},
		{"rename stale ETag", "PATCH", "/api/rooms/room-2", `{"name": "X"}`, []string{"If-Match", `"r0"`}, 412, "If-Match"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIEnv(t, web.Config{Token: token})
			w := e.do(tc.method, tc.path, tc.body, tc.headers...)
			wantStatus(t, w, tc.status)
			msg := errorOf(t, w)
			if !strings.Contains(msg, tc.says) {
				t.Errorf("error %q, want it to mention %q", msg, tc.says)
			}
			if rev := e.svc.Current().Revision(); rev != 1 || e.store.Saves() != 1 {
				t.Errorf("after a %d: revision %d, %d saves; want 1 and 1", tc.status, rev, e.store.Saves())
			}
		})
	}
}

func TestAPIStoreFailureIs500(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	e.store.fail(errors.New("disk on fire"))
	w := e.do("PATCH", "/api/sessions/late-talk", `{"title": "X"}`)
	wantStatus(t, w, 500)
	if msg := errorOf(t, w); msg != "internal error" {
		t.Errorf("500 says %q, want nothing of the cause", msg)
	}
	// The operator learns the cause from the log.
	if logs := e.logs.String(); !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "disk on fire") || !strings.Contains(logs, "/api/sessions/late-talk") {
		t.Errorf("the 500 is not logged with its cause and path:\n%s", logs)
	}
	if x, _ := e.svc.Current().Session("late-talk"); x.Title != "Late Talk" {
		t.Errorf("a failed save changed the served session: %+v", x)
	}
}

func TestAPIAuth(t *testing.T) {
	writes := []struct{ method, path, body string }{
		{"PATCH", "/api/sessions/late-talk", `{"title": "X"}`},
		{"POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks"}`},
		{"POST", "/api/rooms", `{"name": "Room 3"}`},
		{"PATCH", "/api/rooms/room-2", `{"name": "Kesselhaus"}`},
		{"POST", "/api/import", `{"sessions": []}`},
	}
	tests := []struct {
		name   string
		token  string // configured
		auth   string // sent
		status int
		says   string
		www    string
	}{
		{"writes disabled", "", "Bearer " + token, 403, "CONFCAL_ADMIN_TOKEN", ""},
		{"no token sent", token, "", 401, "admin token", `Bearer realm="confcal"`},
		{"wrong token", token, "Bearer guess", 401, "wrong", `Bearer realm="confcal", error="invalid_token"`},
		{"token as a prefix", token, "Bearer " + token[:4], 401, "wrong", `Bearer realm="confcal", error="invalid_token"`},
		{"other scheme", token, "Basic " + token, 401, "admin token", `Bearer realm="confcal"`},
	}
	for _, tc := range tests {
		for _, wr := range writes {
			t.Run(tc.name+" "+wr.method+" "+wr.path, func(t *testing.T) {
				e := newAPIEnv(t, web.Config{Token: tc.token})
				auth := tc.auth
				if auth == "" {
					auth = " " // do() drops empty values; a blank one is no credential either
				}
				w := e.do(wr.method, wr.path, wr.body, "Authorization", auth)
				wantStatus(t, w, tc.status)
				if msg := errorOf(t, w); !strings.Contains(msg, tc.says) {
					t.Errorf("error %q, want it to mention %q", msg, tc.says)
				}
				if got := w.Header().Get("WWW-Authenticate"); got != tc.www {
					t.Errorf("WWW-Authenticate %q, want %q", got, tc.www)
				}
				if e.svc.Current().Revision() != 1 {
					t.Error("a refused write changed the agenda")
				}
			})
		}
	}
	// Reads need no token even when one is configured.
	e := newAPIEnv(t, web.Config{Token: token})
	r := httptest.NewRequest("GET", "/api/sessions", nil)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	wantStatus(t, w, 200)
}

func TestAPICreateSession(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	body := `{"title": "Late Talk", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-2", "track": "talks", "abstract": "Again."}`
	w := e.do("POST", "/api/sessions", body, api.WhoHeader, "alice")
	wantStatus(t, w, 201)
	s := decodeBody[api.Session](t, w)
	if s.ID != "late-talk-2" || s.Sequence != 0 || s.Status != "confirmed" || w.Header().Get("Location") != "/api/sessions/late-talk-2" {
		t.Errorf("created %+v at %q; want late-talk-2 (the title is taken)", s, w.Header().Get("Location"))
	}
	wantStatus(t, e.do("GET", "/api/sessions/late-talk-2", ""), 200)
	ch := decodeBody[api.ChangeList](t, e.do("GET", "/api/changes", ""))
	if len(ch.Changes) != 1 || ch.Changes[0].Who != "api:alice" || ch.Changes[0].Field != "created" {
		t.Errorf("change log %+v", ch.Changes)
	}
	w = e.do("POST", "/api/sessions", `{"id": "extra", "title": "Extra", "start": "2019-10-09T16:30", "end": "2019-10-09T17:00", "room": "room-1", "track": "talks", "status": "cancelled"}`)
	wantStatus(t, w, 201)
	if s := decodeBody[api.Session](t, w); s.ID != "extra" || s.Status != "cancelled" {
		t.Errorf("created %+v, want a cancelled extra (no overlap check for cancelled)", s)
	}
	w = e.do("POST", "/api/sessions", `{"title": "Forced", "start": "2019-10-09T16:30", "end": "2019-10-09T17:00", "room": "room-1", "track": "talks", "force": true}`)
	wantStatus(t, w, 201)
	// A number asked for, and free, is the one given.
	w = e.do("POST", "/api/sessions", `{"title": "Numbered", "start": "2019-10-09T18:00", "end": "2019-10-09T18:30", "room": "room-1", "track": "talks", "number": 77}`)
	wantStatus(t, w, 201)
	if s := decodeBody[api.Session](t, w); s.Number != 77 {
		t.Errorf("created %+v, want number 77", s)
	}
}

func TestAPIRooms(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	w := e.do("POST", "/api/rooms", `{"name": "Room 3"}`)
	wantStatus(t, w, 201)
	if r := decodeBody[api.Room](t, w); r.ID != "room-3" || r.Name != "Room 3" || w.Header().Get("Location") != "/api/rooms/room-3" {
		t.Errorf("created room %+v at %q", r, w.Header().Get("Location"))
	}
	// The new room is where Location says, with the same ETag.
	created := w.Header().Get("ETag")
	w = e.do("GET", w.Header().Get("Location"), "")
	wantStatus(t, w, 200)
	if r := decodeBody[api.Room](t, w); r.ID != "room-3" || w.Header().Get("ETag") != created || r.ETag != created {
		t.Errorf("GET of the new room: %+v, ETag %q; want room-3 with ETag %q", r, w.Header().Get("ETag"), created)
	}
	wantStatus(t, e.do("GET", "/api/rooms/room-3", "", "If-None-Match", created), 304)
	wantStatus(t, e.do("GET", "/api/rooms/room-9", ""), 404)
	rooms := decodeBody[api.RoomList](t, e.do("GET", "/api/rooms", ""))
	etag := rooms.Rooms[1].ETag
	if w := e.do("GET", "/api/rooms/room-2", ""); w.Header().Get("ETag") != etag {
		t.Errorf("GET /api/rooms/room-2: ETag %q, the list says %q", w.Header().Get("ETag"), etag)
	}
	w = e.do("PATCH", "/api/rooms/room-2", `{"name": "Kesselhaus"}`, "If-Match", etag)
	wantStatus(t, w, 200)
	r := decodeBody[api.Room](t, w)
	if r.Name != "Kesselhaus" || r.ETag == etag {
		t.Errorf("renamed room = %+v (ETag before %s)", r, etag)
	}
	s := decodeBody[api.Session](t, e.do("GET", "/api/sessions/late-talk", ""))
	if s.RoomName != "Kesselhaus" || s.Sequence != 1 {
		t.Errorf("session in the renamed room = %+v, want Kesselhaus, sequence 1", s)
	}
	wantStatus(t, e.do("PATCH", "/api/rooms/room-2", `{"name": "Again"}`, "If-Match", etag), 412)
	ch := decodeBody[api.ChangeList](t, e.do("GET", "/api/changes?since=2", ""))
	if len(ch.Summaries) != 1 || ch.Summaries[0].Text != "Room 2 renamed to Kesselhaus" {
		t.Errorf("summaries %+v, want one rename", ch.Summaries)
	}
}

// Two organizers hold the same ETag and PATCH at once: exactly one wins,
// the other gets 412 and no update is lost silently.
func TestAPIIfMatchRace(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	for round := range 20 {
		etag := decodeBody[api.Session](t, e.do("GET", "/api/sessions/late-talk", "")).ETag
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() {
				body := fmt.Sprintf(`{"title": "Title %d-%d"}`, round, i)
				r := httptest.NewRequest("PATCH", "/api/sessions/late-talk", strings.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("If-Match", etag)
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
				codes[i] = w.Code
			})
		}
		wg.Wait()
		ok, failed := 0, 0
		for _, c := range codes {
			switch c {
			case 200:
				ok++
			case 412:
				failed++
			}
		}
		if ok != 1 || failed != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 412", round, codes)
		}
	}
	if rev := e.svc.Current().Revision(); rev != 21 {
		t.Errorf("revision %d after 20 won races, want 21", rev)
	}
}

func BenchmarkAPIPatchSession(b *testing.B) {
	_, _, h := newLive(b, web.Config{Token: token}, memstore.New(), func() (*agenda.Snapshot, error) { return agendatest.Small(b), nil })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r := httptest.NewRequest("PATCH", "/api/sessions/late-talk", bytes.NewReader(fmt.Appendf(nil, `{"abstract": "%d"}`, i)))
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Body)
		}
	}
}

// smallImport is Small as an Import body, with edit applied to its sessions.
func smallImport(t testing.TB, edit func([]api.NewSession) []api.NewSession) string {
	t.Helper()
	c := agendatest.SmallContents()
	var in api.Import
	for _, tr := range c.Tracks {
		in.Tracks = append(in.Tracks, api.ImportTrack{ID: tr.ID, Name: tr.Name, Color: tr.Color})
	}
	for _, r := range c.Rooms {
		in.Rooms = append(in.Rooms, api.ImportRoom{ID: r.ID, Name: r.Name})
	}
	for _, x := range c.Sessions {
		in.Sessions = append(in.Sessions, api.NewSession{ID: x.ID, Title: x.Title, Start: x.Start.Format(time.RFC3339),
			End: x.End.Format(time.RFC3339), Room: x.Room, Track: x.Track, Abstract: x.Abstract})
	}
	in.Sessions = edit(in.Sessions)
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAPIImport(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	body := smallImport(t, func(ss []api.NewSession) []api.NewSession {
		ss[2].Room, ss[2].Start, ss[2].End = "room-1", "2019-10-08T14:00", "2019-10-08T14:40" // state-of-state
		return ss[1:]                                                                         // opening-keynote is gone
	})
	want := []string{"State of State moved from Room 2 to Room 1, Oct 8 10:30 → 14:00", "Opening Keynote cancelled (Oct 8 09:00–10:00, Room 1)"}
	texts := func(res api.ImportResult) []string {
		var out []string
		for _, s := range res.Summaries {
			out = append(out, s.Text)
		}
		return out
	}

	dry := strings.Replace(body, `{"tracks"`, `{"dry_run": true, "tracks"`, 1)
	w := e.do("POST", "/api/import", dry)
	wantStatus(t, w, 200)
	res := decodeBody[api.ImportResult](t, w)
	if !res.DryRun || res.Revision != 2 || strings.Join(texts(res), "|") != strings.Join(want, "|") {
		t.Errorf("dry run = %+v, want %q as revision 2", res, want)
	}
	if e.svc.Current().Revision() != 1 || e.store.Saves() != 1 {
		t.Fatalf("a dry run changed the agenda: revision %d", e.svc.Current().Revision())
	}

	w = e.do("POST", "/api/import", body)
	wantStatus(t, w, 200)
	res = decodeBody[api.ImportResult](t, w)
	if res.DryRun || res.Revision != 2 || strings.Join(texts(res), "|") != strings.Join(want, "|") || len(res.Warnings) != 0 {
		t.Errorf("import = %+v, want %q as revision 2", res, want)
	}
	if e.svc.Current().Revision() != 2 {
		t.Errorf("revision %d after the import, want 2 (one revision for every change)", e.svc.Current().Revision())
	}
	w = e.do("POST", "/api/import", body)
	wantStatus(t, w, 200)
	if res := decodeBody[api.ImportResult](t, w); res.Revision != 2 || len(res.Changes) != 0 {
		t.Errorf("importing again = %+v, want nothing at revision 2", res)
	}

	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"no ID", smallImport(t, func(ss []api.NewSession) []api.NewSession { ss[0].ID = ""; return ss }), 400},
		{"bad time", smallImport(t, func(ss []api.NewSession) []api.NewSession { ss[0].Start = "9am"; return ss }), 400},
		{"no sessions", smallImport(t, func([]api.NewSession) []api.NewSession { return nil }), 400},
		{"unknown room", smallImport(t, func(ss []api.NewSession) []api.NewSession { ss[0].Room = "room-9"; return ss }), 422},
		{"bad ID", smallImport(t, func(ss []api.NewSession) []api.NewSession { ss[0].ID = "Bad ID"; return ss }), 400},
		{"no room", smallImport(t, func(ss []api.NewSession) []api.NewSession { ss[0].Room = ""; return ss }), 400},
		{"bad status", smallImport(t, func(ss []api.NewSession) []api.NewSession { ss[0].Status = "moved"; return ss }), 400},
		{"cancelled", smallImport(t, func(ss []api.NewSession) []api.NewSession { ss[0].Status = "cancelled"; return ss }), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.do("POST", "/api/import", tc.body)
			wantStatus(t, w, tc.status)
			if e.svc.Current().Revision() != 2 {
				t.Errorf("a refused import changed the agenda")
			}
		})
	}
}

// An import that would cancel more than half of the sessions is refused
// with 409 (the source lost most of them, more likely than the
// conference did) unless it says "force": true; the refusal changes
// nothing.
func TestAPIImportMassCancel(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	body := smallImport(t, func(ss []api.NewSession) []api.NewSession { return ss[:2] }) // three of five gone
	w := e.do("POST", "/api/import", body)
	wantStatus(t, w, http.StatusConflict)
	if msg := errorOf(t, w); !strings.HasSuffix(msg, `send "force": true`) || strings.Contains(msg, "-force") {
		t.Errorf("409 says %q, want it to say how to force it in the API (and not on the command line)", msg)
	}
	if e.svc.Current().Revision() != 1 || e.store.Saves() != 1 {
		t.Fatalf("a refused import changed the agenda: revision %d", e.svc.Current().Revision())
	}
	forced := strings.Replace(body, `{"tracks"`, `{"force": true, "tracks"`, 1)
	w = e.do("POST", "/api/import", forced)
	wantStatus(t, w, http.StatusOK)
	res := decodeBody[api.ImportResult](t, w)
	cancelled := 0
	for _, x := range e.svc.Current().Sessions() {
		if x.Status == agenda.StatusCancelled {
			cancelled++
		}
	}
	if res.Revision != 2 || cancelled != 3 {
		t.Errorf("forced import = revision %d with %d sessions cancelled, want revision 2 with 3", res.Revision, cancelled)
	}
}

// While the agenda follows a source, the source is its truth: session
// edits (a patch, a new session, an import) answer 409 naming the source
// and change nothing; rooms may still be renamed and added, and reads
// work as ever.
func TestAPIFollowsSource(t *testing.T) {
	const source = "https://pretalx.example/conf/schedule.xml"
	e := newAPIEnv(t, web.Config{Token: token, Follows: source})
	for _, c := range []struct{ method, path, body string }{
		{"PATCH", "/api/sessions/late-talk", `{"title": "Edited here"}`},
		{"PATCH", "/api/sessions/late-talk", `{"status": "cancelled"}`},
		{"POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T14:00", "end": "2019-10-09T14:30", "room": "room-1", "track": "talks"}`},
		{"POST", "/api/import", smallImport(t, func(ss []api.NewSession) []api.NewSession { return ss })},
	} {
		w := e.do(c.method, c.path, c.body)
		wantStatus(t, w, http.StatusConflict)
		if msg := errorOf(t, w); !strings.Contains(msg, source) {
			t.Errorf("%s %s: 409 says %q, want it to name %s", c.method, c.path, msg, source)
		}
		if rev := e.svc.Current().Revision(); rev != 1 || e.store.Saves() != 1 {
			t.Errorf("%s %s: a refused edit moved the agenda to revision %d", c.method, c.path, rev)
		}
	}
	w := e.do("PATCH", "/api/rooms/room-2", `{"name": "Kesselhaus"}`)
	wantStatus(t, w, http.StatusOK)
	if r := decodeBody[api.Room](t, w); r.Name != "Kesselhaus" {
		t.Errorf("renamed room = %+v", r)
	}
	wantStatus(t, e.do("POST", "/api/rooms", `{"name": "Room 3"}`), http.StatusCreated)
	if s := decodeBody[api.Session](t, e.do("GET", "/api/sessions/late-talk", "")); s.RoomName != "Kesselhaus" || s.Title != "Late Talk" {
		t.Errorf("late-talk after the rename = %+v, want its title and the room's new name", s)
	}
	cal := parse(t, body(t, do(t, e.h, http.MethodGet, "/feeds/rooms/room-2.ics")))
	if got := text(t, cal.Component, "NAME"); got != "Test Conf 2019 — Kesselhaus" {
		t.Errorf("room-2's feed after the rename: NAME %q", got)
	}
}

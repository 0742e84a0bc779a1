package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/api"
	"confcal/web"
)

// jsonString encodes s as a JSON string, control characters escaped.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Text the agenda's rules refuse (too long, control characters, a line
// break where one line is wanted) and times finer than a minute are
// refused with the field named, and the agenda stays as it was.
func TestAPITextAndTimeRefused(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes, are counted
	newSession := func(field, value string) string {
		fields := map[string]string{"title": jsonString(t, "New Talk"), "start": `"2019-10-09T14:00"`, "end": `"2019-10-09T14:30"`,
			"room": `"room-1"`, "track": `"talks"`}
		fields[field] = value
		var parts []string
		for k, v := range fields {
			parts = append(parts, `"`+k+`": `+v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		says                     []string
	}{
		// Lengths, in characters.
		{"long title", "PATCH", "/api/sessions/late-talk", `{"title": "` + long(agenda.MaxTitleLength+1) + `"}`, 422, []string{"title", "301", "300"}},
		{"long new title", "POST", "/api/sessions", newSession("title", `"`+long(agenda.MaxTitleLength+1)+`"`), 422, []string{"title", "300"}},
		{"long abstract", "PATCH", "/api/sessions/late-talk", `{"abstract": "` + long(agenda.MaxAbstractLength+1) + `"}`, 422, []string{"abstract", "20000"}},
		{"long new abstract", "POST", "/api/sessions", newSession("abstract", `"`+long(agenda.MaxAbstractLength+1)+`"`), 422, []string{"abstract", "20000"}},
		{"long room name", "POST", "/api/rooms", `{"id": "room-9", "name": "` + long(agenda.MaxNameLength+1) + `"}`, 422, []string{"room name", "100"}},
		{"huge room name", "POST", "/api/rooms", `{"id": "room-9", "name": "` + strings.Repeat("x", 900_000) + `"}`, 422, []string{"room name", "900000", "100"}},
		{"long rename", "PATCH", "/api/rooms/room-2", `{"name": "` + long(agenda.MaxNameLength+1) + `"}`, 422, []string{"room name", "100"}},
		// Control characters.
		{"escape in a title", "PATCH", "/api/sessions/late-talk", `{"title": ` + jsonString(t, "Talk\x1b[2J") + `}`, 422, []string{"title", "U+001B"}},
		{"line break in a title", "PATCH", "/api/sessions/late-talk", `{"title": ` + jsonString(t, "Two\nlines") + `}`, 422, []string{"title", "U+000A"}},
		{"tab in a title", "POST", "/api/sessions", newSession("title", jsonString(t, "A\tB")), 422, []string{"title", "U+0009"}},
		{"NUL in an abstract", "PATCH", "/api/sessions/late-talk", `{"abstract": ` + jsonString(t, "a\x00b") + `}`, 422, []string{"abstract", "U+0000"}},
		{"bare CR in an abstract", "PATCH", "/api/sessions/late-talk", `{"abstract": ` + jsonString(t, "over\rwritten") + `}`, 422, []string{"abstract", "U+000D"}},
		{"C1 control in an abstract", "POST", "/api/sessions", newSession("abstract", jsonString(t, "a\u009b2Jb")), 422, []string{"abstract", "U+009B"}},
		{"escape in a room name", "POST", "/api/rooms", `{"id": "room-9", "name": ` + jsonString(t, "Room\x1b]0;pwned\x07") + `}`, 422, []string{"room name", "U+001B"}},
		{"line break in a rename", "PATCH", "/api/rooms/room-2", `{"name": ` + jsonString(t, "Room\n2") + `}`, 422, []string{"room name", "U+000A"}},
		{"DEL in a rename", "PATCH", "/api/rooms/room-2", `{"name": ` + jsonString(t, "Room\x7f") + `}`, 422, []string{"room name", "U+007F"}},
		// Times are whole minutes.
		{"sub-second slot", "POST", "/api/sessions", newSession("start", `"2019-10-09T14:00:00.1+02:00"`), 400, []string{"start", "whole minutes"}},
		{"sub-second end", "POST", "/api/sessions", `{"title": "X", "start": "2019-10-09T10:00:00.1", "end": "2019-10-09T10:00:00.9", "room": "room-1", "track": "talks"}`, 400, []string{"start"}},
		{"seconds", "PATCH", "/api/sessions/late-talk", `{"start": "2019-10-09T11:00:30"}`, 400, []string{"start", "whole minutes"}},
		{"fraction of a second", "PATCH", "/api/sessions/late-talk", `{"end": "2019-10-09T11:40:00.5+02:00"}`, 400, []string{"end", "whole minutes"}},
		{"seconds in an import", "POST", "/api/import", smallImport(t, func(ss []api.NewSession) []api.NewSession {
			ss[0].End = strings.Replace(ss[0].End, ":00+", ":01+", 1)
			return ss
		}), 400, []string{"sessions[opening-keynote].end", "whole minutes"}},
		// An import meets the same text rules.
		{"long title in an import", "POST", "/api/import", smallImport(t, func(ss []api.NewSession) []api.NewSession {
			ss[0].Title = long(agenda.MaxTitleLength + 1)
			return ss
		}), 422, []string{"title", "300"}},
		{"escape in an imported abstract", "POST", "/api/import", smallImport(t, func(ss []api.NewSession) []api.NewSession {
			ss[1].Abstract = "\x1b[31mred"
			return ss
		}), 422, []string{"abstract", "U+001B"}},
		{"long track name in an import", "POST", "/api/import", strings.Replace(smallImport(t, func(ss []api.NewSession) []api.NewSession { return ss }),
			`"tracks":[`, `"tracks":[{"id":"new-track","name":"`+long(agenda.MaxNameLength+1)+`"},`, 1), 422, []string{"track name", "100"}},
		{"bad colour in an import", "POST", "/api/import", strings.Replace(smallImport(t, func(ss []api.NewSession) []api.NewSession { return ss }),
			`"tracks":[`, `"tracks":[{"id":"new-track","name":"New","color":"red;}body{display:none"},`, 1), 422, []string{"color", "#RRGGBB"}},
		{"long room ID in an import", "POST", "/api/import", strings.Replace(smallImport(t, func(ss []api.NewSession) []api.NewSession { return ss }),
			`"rooms":[`, `"rooms":[{"id":"`+strings.Repeat("a", 500_000)+`","name":"New"},`, 1), 422, []string{"room ID", "not a slug"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIEnv(t, web.Config{Token: token})
			w := e.do(tc.method, tc.path, tc.body)
			wantStatus(t, w, tc.status)
			msg := errorOf(t, w)
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q, want it to mention %q", msg, s)
				}
			}
			if len(msg) > 300 {
				t.Errorf("error message of %d bytes, want a short one", len(msg))
			}
			if rev := e.svc.Current().Revision(); rev != 1 || e.store.Saves() != 1 {
				t.Errorf("after a %d: revision %d, %d saves; want 1 and 1", tc.status, rev, e.store.Saves())
			}
		})
	}
}

// Text at the limits, tabs and line breaks in an abstract, and times with
// zero seconds (as the API writes them) are accepted.
func TestAPITextAndTimeAccepted(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	title := strings.Repeat("é", agenda.MaxTitleLength)
	abstract := strings.Repeat("ü", agenda.MaxAbstractLength-len("\t\r\n")) + "\t\r\n"
	w := e.do("PATCH", "/api/sessions/late-talk", `{"title": "`+title+`", "abstract": `+jsonString(t, abstract)+`, "start": "2019-10-09T11:00:00+02:00", "end": "2019-10-09T11:45:00"}`)
	wantStatus(t, w, 200)
	s := decodeBody[api.Session](t, w)
	if s.Title != title || s.Abstract != strings.TrimSuffix(abstract, "\r\n")+"\n" || s.Start != "2019-10-09T11:00:00+02:00" || s.End != "2019-10-09T11:45:00+02:00" {
		t.Errorf("session after the PATCH = %q, %q (%d bytes), %s–%s; want the title, the abstract with CRLF as LF, 11:00–11:45",
			s.Title[:20], s.Abstract[len(s.Abstract)-5:], len(s.Abstract), s.Start, s.End)
	}
	name := strings.Repeat("ß", agenda.MaxNameLength)
	wantStatus(t, e.do("POST", "/api/rooms", `{"id": "room-9", "name": "`+name+`"}`), 201)
	wantStatus(t, e.do("PATCH", "/api/rooms/room-2", `{"name": "`+name+`"}`), 200)
}

// A body over web.MaxBody is refused with 413 naming the limit, whether
// its length is declared (refused before it is read) or not (cut off while
// it is read), and the agenda stays as it was.
func TestAPIBodyTooLarge(t *testing.T) {
	big := `{"abstract": "` + strings.Repeat("x", web.MaxBody) + `"}`
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprint("declared=", declared), func(t *testing.T) {
			e := newAPIEnv(t, web.Config{Token: token})
			var body io.Reader = strings.NewReader(big)
			if !declared {
				body = io.MultiReader(body) // hides the length
			}
			r := httptest.NewRequest(http.MethodPatch, "/api/sessions/late-talk", body)
			if !declared {
				r.ContentLength = -1
			}
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+token)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			wantStatus(t, w, http.StatusRequestEntityTooLarge)
			if msg := errorOf(t, w); !strings.Contains(msg, fmt.Sprint(web.MaxBody)) {
				t.Errorf("413 says %q, want the limit named", msg)
			}
			if rev := e.svc.Current().Revision(); rev != 1 || e.store.Saves() != 1 {
				t.Errorf("after a 413: revision %d, %d saves; want 1 and 1", rev, e.store.Saves())
			}
		})
	}
}

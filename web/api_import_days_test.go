package web_test

import (
	"net/http"
	"strings"
	"testing"

	"confcal/api"
	"confcal/web"
)

// POST /import of a version with a day more (first_day, last_day) widens
// the conference days, so the session on the new day is imported and its
// day's feed served; without the days the session is outside them (422),
// and days that are not days, or only one of them, are refused (400).
// Nothing refused changes the agenda.
func TestAPIImportNewDay(t *testing.T) {
	e := newAPIEnv(t, web.Config{Token: token})
	withThird := func(ss []api.NewSession) []api.NewSession {
		return append(ss, api.NewSession{ID: "third-day", Title: "On the Third Day", Start: "2019-10-10T10:00", End: "2019-10-10T11:00",
			Room: "room-1", Track: "talks"})
	}
	body := smallImport(t, withThird)
	days := func(first, last string) string {
		return strings.Replace(body, `{"tracks"`, `{"first_day": "`+first+`", "last_day": "`+last+`", "tracks"`, 1)
	}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"no days", body, http.StatusUnprocessableEntity},
		{"only the first day", strings.Replace(body, `{"tracks"`, `{"first_day": "2019-10-08", "tracks"`, 1), http.StatusBadRequest},
		{"a day that is none", days("2019-10-08", "2019-10-32"), http.StatusBadRequest},
		{"the last before the first", days("2019-10-10", "2019-10-08"), http.StatusBadRequest},
		{"longer than a conference may be", days("2019-10-08", "2020-10-10"), http.StatusUnprocessableEntity},
	} {
		wantStatus(t, e.do("POST", "/api/import", tc.body), tc.status)
		if e.svc.Current().Revision() != 1 {
			t.Fatalf("%s: a refused import made revision %d", tc.name, e.svc.Current().Revision())
		}
	}
	wantStatus(t, send(e.h, http.MethodGet, "/feeds/days/2019-10-10.ics", nil), http.StatusNotFound)

	w := e.do("POST", "/api/import", days("2019-10-08", "2019-10-10"))
	wantStatus(t, w, http.StatusOK)
	res := decodeBody[api.ImportResult](t, w)
	want := []string{"Conference days now Oct 8–10 (were Oct 8–9)", "New session: On the Third Day, Oct 10 10:00–11:00 in Room 1 (Talks)"}
	var texts []string
	for _, s := range res.Summaries {
		texts = append(texts, s.Text)
	}
	if strings.Join(texts, "|") != strings.Join(want, "|") || len(res.Changes) != 2 ||
		res.Changes[0].Field != "days" || res.Changes[0].Session != "" || res.Changes[0].New != "2019-10-08/2019-10-10" {
		t.Errorf("import = %+v, want %q", res, want)
	}
	day := send(e.h, http.MethodGet, "/feeds/days/2019-10-10.ics", nil)
	wantStatus(t, day, http.StatusOK)
	if body := day.Body.String(); strings.Count(body, "BEGIN:VEVENT") != 1 || !strings.Contains(body, "UID:third-day@") {
		t.Errorf("the feed of Oct 10 does not hold the one session on it:\n%s", body)
	}
	// Days inside the new ones narrow nothing.
	wantStatus(t, e.do("POST", "/api/import", days("2019-10-09", "2019-10-10")), http.StatusOK)
	if got := e.svc.Current(); got.Revision() != 2 || len(got.Days()) != 3 {
		t.Errorf("importing again with fewer days: revision %d, %d days; want 2 and 3", got.Revision(), len(got.Days()))
	}
}

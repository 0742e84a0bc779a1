package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/web"
)

// TestChangesRepeatedHour: a session moved from the first 01:30 of the
// night New York's clocks go back to the second (an hour later) is told
// as that move in the change log — the Atom feed and /api/changes —
// not as "01:30 → 01:30"; a cancelled session's time in the hour is
// told the same way.
func TestChangesRepeatedHour(t *testing.T) {
	seed := func() (*agenda.Snapshot, error) { return agenda.NewSnapshot(fallBackContents(t), 1, 1, nil) }
	_, _, h := newLive(t, web.Config{Token: token}, memstore.New(), seed)
	e := &apiEnv{t: t, h: h}
	wantStatus(t, e.do("PATCH", "/api/sessions/first", `{"start": "2026-11-01T01:30:00-05:00", "end": "2026-11-01T01:50:00-05:00", "room": "side"}`), 200)
	wantStatus(t, e.do("PATCH", "/api/sessions/across", `{"status": "cancelled"}`), 200)

	want := []string{
		"Across the Change cancelled (Nov 1 01:00 EDT–02:30, Annex)",
		"First Half Past One moved from Hall to Side Room, Nov 1 01:30 EDT → 01:30 EST",
	}
	f := parseAtom(t, send(h, http.MethodGet, "/feeds/changes.atom", nil))
	var titles []string
	for _, en := range f.Entries {
		titles = append(titles, en.Title)
	}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("Atom entries %q, want %q", titles, want)
	}
	w := e.do("GET", "/api/changes?since=1", "")
	wantStatus(t, w, 200)
	var texts []string
	for _, s := range decodeBody[api.ChangeList](t, w).Summaries {
		texts = append(texts, s.Text)
	}
	if strings.Join(texts, "|") != want[1]+"|"+want[0] {
		t.Errorf("/api/changes summaries %q, want %q in order of revision", texts, []string{want[1], want[0]})
	}
}

// TestImportOverlapRepeatedHour: an import that leaves two sessions
// overlapping in one room in the hour New York's clocks repeat warns with
// their times told apart: the second 01:30 is not shown as the first.
func TestImportOverlapRepeatedHour(t *testing.T) {
	c := fallBackContents(t)
	seed := func() (*agenda.Snapshot, error) { return agenda.NewSnapshot(c, 1, 1, nil) }
	_, _, h := newLive(t, web.Config{Token: token}, memstore.New(), seed)
	e := &apiEnv{t: t, h: h}
	var in api.Import
	for _, tr := range c.Tracks {
		in.Tracks = append(in.Tracks, api.ImportTrack{ID: tr.ID, Name: tr.Name})
	}
	for _, r := range c.Rooms {
		in.Rooms = append(in.Rooms, api.ImportRoom{ID: r.ID, Name: r.Name})
	}
	for _, x := range c.Sessions {
		room := x.Room
		if x.ID == "second" {
			room = "annex" // into "Across the Change", 01:00 EDT–02:30 EST
		}
		in.Sessions = append(in.Sessions, api.NewSession{ID: x.ID, Title: x.Title, Start: x.Start.Format(time.RFC3339),
			End: x.End.Format(time.RFC3339), Room: room, Track: x.Track})
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	w := e.do("POST", "/api/import", string(b))
	wantStatus(t, w, 200)
	res := decodeBody[api.ImportResult](t, w)
	want := "Across the Change (Nov 1 01:00 EDT–02:30) overlaps Second Half Past One (Nov 1 01:30 EST–01:50 EST) in Annex"
	if len(res.Warnings) != 1 || res.Warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", res.Warnings, want)
	}
}

// TestPatchOverlapRepeatedHour: a PATCH that would put a session over
// another in the hour New York's clocks repeat is refused (409) with the
// other session's times told apart.
func TestPatchOverlapRepeatedHour(t *testing.T) {
	seed := func() (*agenda.Snapshot, error) { return agenda.NewSnapshot(fallBackContents(t), 1, 1, nil) }
	_, _, h := newLive(t, web.Config{Token: token}, memstore.New(), seed)
	e := &apiEnv{t: t, h: h}
	w := e.do("PATCH", "/api/sessions/first", `{"start": "2026-11-01T01:40:00-05:00", "end": "2026-11-01T02:00:00-05:00"}`)
	wantStatus(t, w, http.StatusConflict)
	if msg, want := errorOf(t, w), `would overlap "second" (01:30 EST – 01:50 EST)`; !strings.Contains(msg, want) {
		t.Errorf("409 says %q, want it to hold %q", msg, want)
	}
}

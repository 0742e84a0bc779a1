package main

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/api"
)

// The workshop the organizers add on a day before FollowCon, and the talk
// on a third day after it.
const (
	fWorkshop = "5f0c1d2e-0009-4a6b-8c7d-000000000009"
	fEncore   = "5f0c1d2e-0010-4a6b-8c7d-000000000010"
)

// `confcal serve -agenda URL -follow` of a schedule.xml to which the
// organizers add a workshop day before the conference, then a third day
// after it: each poll brings the new day and its session, as
// subscribers need them. The session is in all.ics and the day's own feed
// answers with it; the sessions that were there are as they were (same
// SEQUENCE, none cancelled); /api/changes says the days changed, in its
// raw entries and in words; and the agenda page offers the new day.
func TestServeFollowsNewDays(t *testing.T) {
	src := startScheduleSource(t, scheduleXML(followA()))
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"),
		"-agenda", src.url(), "-follow", "100ms")
	base := "http://" + addr
	before := feedByID(t, base+"/feeds/all.ics")
	if len(before) != 7 {
		t.Fatalf("all.ics of version A has %d events, want 7", len(before))
	}

	steps := []struct {
		name   string
		days   []string
		shift  int // what followA's day indexes become
		extra  followEvent
		day    string
		change api.Change
		text   string
	}{
		{"a workshop day before", []string{"2026-09-09", "2026-09-10", "2026-09-11"}, 1,
			followEvent{guid: fWorkshop, id: "9", day: 0, start: "10:00", duration: "06:00", room: "Hall B", track: "Operations",
				title: "Operators Workshop", abstract: "Hands on.", speaker: "Alan Turing", speakerID: "13"},
			"2026-09-09", api.Change{Field: "days", Old: "2026-09-10/2026-09-11", New: "2026-09-09/2026-09-11"},
			"Conference days now Sep 9–11 (were Sep 10–11)"},
		{"a third day after", []string{"2026-09-09", "2026-09-10", "2026-09-11", "2026-09-12"}, 1,
			followEvent{guid: fEncore, id: "10", day: 3, start: "09:30", duration: "00:45", room: "Hall A", track: "Data",
				title: "Encore", abstract: "Once more.", speaker: "Ada Lovelace", speakerID: "11"},
			"2026-09-12", api.Change{Field: "days", Old: "2026-09-09/2026-09-11", New: "2026-09-09/2026-09-12"},
			"Conference days now Sep 9–12 (were Sep 9–11)"},
	}
	if _, page := request(t, "GET", base+"/", ""); !strings.Contains(page, "day=2026-09-10") || strings.Contains(page, "day=2026-09-09") {
		t.Errorf("GET / of version A does not offer its first day, or offers the day before")
	}
	feedID := changesAtom(t, base).ID
	if !strings.HasSuffix(feedID, ",2026-09-10:changes") {
		t.Errorf("the Atom feed of version A has ID %q, want it dated with the first day", feedID)
	}
	var extras []followEvent
	for _, st := range steps {
		var list api.ChangeList
		getJSON(t, base+"/api/changes", &list)
		rev := list.Revision
		extras = append(extras, st.extra)
		version := append(followA(), extras...)
		for i := range version[:len(followA())] {
			version[i].day += st.shift
		}
		src.set(scheduleXMLOn(st.days, version), 0)
		eventually(t, 10*time.Second, func() string {
			if getJSON(t, base+"/api/changes?since="+fmt.Sprint(rev), &list); list.Revision == rev {
				return fmt.Sprintf("%s: still at revision %d; the log says:\n%s", st.name, rev, log)
			}
			return ""
		})
		var days []api.Change
		for _, c := range list.Changes {
			if c.Field == "days" {
				c.Revision, c.Time, c.Who = 0, "", ""
				days = append(days, c)
			}
		}
		if len(days) != 1 || days[0] != st.change {
			t.Errorf("%s: /api/changes has days changes %+v, want %+v", st.name, days, st.change)
		}
		var texts []string
		for _, s := range list.Summaries {
			texts = append(texts, s.Text)
		}
		if !slices.Contains(texts, st.text) || !slices.ContainsFunc(texts, func(s string) bool { return strings.HasPrefix(s, "New session: "+st.extra.title) }) {
			t.Errorf("%s: /api/changes summaries %q, want %q and the new session", st.name, texts, st.text)
		}

		after := feedByID(t, base+"/feeds/all.ics")
		if _, ok := after[st.extra.guid]; !ok || len(after) != len(before)+len(extras) {
			t.Errorf("%s: all.ics has %d events (want %d), %s among them: %v", st.name, len(after), len(before)+len(extras), st.extra.title, ok)
		}
		for id, ev := range before {
			got := after[id]
			if status, _ := got.Props.Text(goical.PropStatus); status == "CANCELLED" {
				t.Errorf("%s: session %s is cancelled in all.ics", st.name, id)
			}
			if seq, want := prop(&got, goical.PropSequence), prop(&ev, goical.PropSequence); seq != want {
				t.Errorf("%s: session %s has SEQUENCE %q, want %q as before", st.name, id, seq, want)
			}
			if start, want := prop(&got, goical.PropDateTimeStart), prop(&ev, goical.PropDateTimeStart); start != want {
				t.Errorf("%s: session %s starts %q, want %q as before", st.name, id, start, want)
			}
		}

		day := fetch(t, base+"/feeds/days/"+st.day+".ics")
		if day.status != http.StatusOK {
			t.Fatalf("%s: GET /feeds/days/%s.ics = %d %s", st.name, st.day, day.status, day.body)
		}
		got := eventsByID(t, day.body)
		if ev := got[st.extra.guid]; len(got) != 1 || prop(&ev, goical.PropSummary) != st.extra.title {
			t.Errorf("%s: the feed of %s has %d events, want %s only", st.name, st.day, len(got), st.extra.title)
		}
		// The Atom feed keeps its ID (a reader would take a new one for
		// a new feed) and says what happened, linking to the agenda.
		atom := changesAtom(t, base)
		if atom.ID != feedID {
			t.Errorf("%s: the Atom feed's ID is now %q, want %q as before", st.name, atom.ID, feedID)
		}
		i := slices.IndexFunc(atom.Entries, func(e changesEntry) bool { return e.Title == st.text })
		if i < 0 || !strings.HasPrefix(atom.Entries[i].ID, feedID+"/") || !strings.HasSuffix(atom.Entries[i].ID, "/conference") ||
			len(atom.Entries[i].Links) != 1 || atom.Entries[i].Links[0].Href != base+"/" {
			t.Errorf("%s: Atom entries %+v, want one %q about the conference, linking to %s/", st.name, atom.Entries, st.text, base)
		}
		if code, page := request(t, "GET", base+"/", ""); code != http.StatusOK || !strings.Contains(page, "day="+st.day) {
			t.Errorf("%s: GET / = %d, offering no link to day %s", st.name, code, st.day)
		}
	}
}

// changesFeed is what the test reads of the Atom feed of changes.
type changesFeed struct {
	ID      string         `xml:"id"`
	Entries []changesEntry `xml:"entry"`
}

type changesEntry struct {
	ID    string `xml:"id"`
	Title string `xml:"title"`
	Links []struct {
		Href string `xml:"href,attr"`
	} `xml:"link"`
}

// changesAtom reads the Atom feed of changes of the server at base.
func changesAtom(t *testing.T, base string) changesFeed {
	t.Helper()
	f := fetch(t, base+"/feeds/changes.atom")
	var feed changesFeed
	if err := xml.Unmarshal(f.body, &feed); f.status != http.StatusOK || err != nil {
		t.Fatalf("GET /feeds/changes.atom = %d, %v: %s", f.status, err, f.body)
	}
	return feed
}

// feedByID returns the events of the feed at url by session ID.
func feedByID(t *testing.T, url string) map[string]goical.Event {
	t.Helper()
	f := fetch(t, url)
	if f.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, f.status, f.body)
	}
	return eventsByID(t, f.body)
}

// `confcal import` of a schedule.xml that adds a workshop day before the
// conference brings the day, on the local store and through a server
// alike (which is sent the version's days), and the server then serves
// the day's feed.
func TestImportNewDay(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.xml"), filepath.Join(dir, "b.xml")
	version := followA()
	for i := range version {
		version[i].day++
	}
	version = append(version, followEvent{guid: fWorkshop, id: "9", day: 0, start: "10:00", duration: "06:00", room: "Hall B",
		track: "Operations", title: "Operators Workshop", abstract: "Hands on.", speaker: "Alan Turing", speakerID: "13"})
	for name, body := range map[string]string{a: scheduleXML(followA()),
		b: scheduleXMLOn([]string{"2026-09-09", "2026-09-10", "2026-09-11"}, version)} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const days = "revision 2: Conference days now Sep 9–11 (were Sep 10–11)"
	out, _, err := runCmd(t, "", "import", "-data", filepath.Join(dir, "local"), "-agenda", a, b)
	if err != nil || !strings.Contains(out, days+"\n") || !strings.Contains(out, "New session: Operators Workshop") {
		t.Errorf("import on the local store: %v\n%s\nwant %q and the new session", err, out, days)
	}

	t.Setenv("CONFCAL_ADMIN_TOKEN", "tok")
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "served"), "-agenda", a)
	base := "http://" + addr
	if f := fetch(t, base+"/feeds/days/2026-09-09.ics"); f.status != http.StatusNotFound {
		t.Errorf("GET /feeds/days/2026-09-09.ics before the import = %d, want 404", f.status)
	}
	out, _, err = runCmd(t, "", "import", "-server", base, b)
	if err != nil || !strings.Contains(out, days+"\n") || !strings.Contains(out, "New session: Operators Workshop") {
		t.Errorf("import -server: %v\n%s\nwant %q and the new session", err, out, days)
	}
	f := fetch(t, base+"/feeds/days/2026-09-09.ics")
	if got := eventsByID(t, f.body); f.status != http.StatusOK || len(got) != 1 {
		t.Errorf("GET /feeds/days/2026-09-09.ics after the import = %d with %d events, want 200 with the workshop", f.status, len(got))
	}
}

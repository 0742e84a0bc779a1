package source_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/memstore"
	"confcal/formats"
	"confcal/seeds"
	"confcal/source"
)

// Version A of a small schedule as a spreadsheet would export it, and B:
// s2 moved to room B and later, s3 retitled, s4 gone (cancelled), s5 new,
// s1's abstract changed.
const (
	versionA = `id,title,start,end,room,track,abstract
s1,Opening,2024-10-08 09:00,2024-10-08 09:45,Hall,Keynote,Welcome.
s2,Streams,2024-10-08 10:00,2024-10-08 10:40,Room A,Talks,
s3,State,2024-10-08 11:00,2024-10-08 11:40,Room A,Talks,
s4,Gone Soon,2024-10-08 14:00,2024-10-08 14:40,Room A,Talks,
s6,Closing,2024-10-08 17:00,2024-10-08 17:30,Hall,Keynote,
`
	versionB = `id,title,start,end,room,track,abstract
s1,Opening,2024-10-08 09:00,2024-10-08 09:45,Hall,Keynote,"Welcome, everyone."
s2,Streams,2024-10-08 15:00,2024-10-08 15:40,Room B,Talks,
s3,State of State,2024-10-08 11:00,2024-10-08 11:40,Room A,Talks,
s5,Brand New,2024-10-08 16:00,2024-10-08 16:30,Room A,Talks,
s6,Closing,2024-10-08 17:00,2024-10-08 17:30,Hall,Keynote,
`
	// versionC keeps one session of five: an export gone wrong.
	versionC = `id,title,start,end,room,track,abstract
s1,Opening,2024-10-08 09:00,2024-10-08 09:45,Hall,Keynote,Welcome.
`
)

// server serves body (set with set) with an ETag, answering If-None-Match
// with 304, and counts what it answered.
type server struct {
	mu                  sync.Mutex
	body                string
	status              int
	got200, got304, got int
}

func (s *server) set(body string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.status = body, status
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got++
	if s.status != http.StatusOK {
		http.Error(w, "broken", s.status)
		return
	}
	etag := `"` + strings.Repeat("x", len(s.body)%7) + string(rune('a'+len(s.body)%26)) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		s.got304++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.got200++
	w.Write([]byte(s.body))
}

func follower(t *testing.T, url string) (*source.Follower, *agenda.Service) {
	t.Helper()
	src := &source.Source{Location: url, Options: formats.Options{TimeZone: "Europe/Berlin", UIDDomain: "test.example",
		Now: time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)}}
	svc, err := agenda.Open(t.Context(), memstore.New(), func() (*agenda.Snapshot, error) {
		res, _, err := src.Read(t.Context())
		if err != nil {
			return nil, err
		}
		return agenda.NewSnapshot(res.Contents, 1, 1, nil)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &source.Follower{Source: src, Service: svc}, svc
}

func TestFollowAVersionAThenB(t *testing.T) {
	srv := &server{}
	srv.set(versionA, http.StatusOK)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	f, svc := follower(t, ts.URL+"/schedule.csv")
	a := svc.Current()
	if n := len(a.Sessions()); n != 5 {
		t.Fatalf("version A: %d sessions, want 5", n)
	}
	// Nothing changed: the poll is a conditional request answered 304,
	// and no revision is made.
	if st := f.Poll(t.Context()); st.Err != nil || !st.ErrUnchanged || st.Revision != 1 {
		t.Fatalf("poll of an unchanged source = %+v", st)
	}
	if srv.got304 != 1 {
		t.Errorf("the poll of an unchanged source got %d 304 answers, want 1", srv.got304)
	}
	srv.set(versionB, http.StatusOK)
	st := f.Poll(t.Context())
	if st.Err != nil || st.Revision != 2 || st.Changes == 0 {
		t.Fatalf("poll of version B = %+v", st)
	}
	b := svc.Current()
	check := func(id string, want func(agenda.Session) bool, what string) {
		t.Helper()
		if x, ok := b.Session(id); !ok || !want(x) {
			t.Errorf("%s: %s; session %+v", id, what, x)
		}
	}
	old := func(id string) agenda.Session { x, _ := a.Session(id); return x }
	check("s2", func(x agenda.Session) bool {
		return x.Room == "room-b" && x.Start.Hour() == 15 && x.Sequence > old("s2").Sequence
	}, "moved, sequence raised")
	check("s3", func(x agenda.Session) bool { return x.Title == "State of State" && x.Sequence > old("s3").Sequence }, "retitled, sequence raised")
	check("s4", func(x agenda.Session) bool { return x.Status == agenda.StatusCancelled }, "cancelled by absence")
	check("s5", func(x agenda.Session) bool { return x.Title == "Brand New" && x.Status == agenda.StatusConfirmed }, "added")
	check("s1", func(x agenda.Session) bool {
		return x.Abstract == "Welcome, everyone." && x.Sequence == old("s1").Sequence && x.LastModified.After(old("s1").LastModified)
	}, "abstract changed, sequence kept, modified moved")
	check("s6", func(x agenda.Session) bool { return x.Equal(old("s6")) }, "untouched")

	// A broken source changes nothing: an error status, then a body that
	// does not parse, then a version cancelling most sessions.
	for _, tc := range []struct {
		name, body string
		status     int
		want       error
	}{
		{"a 500", versionB, http.StatusInternalServerError, nil},
		{"an unparsable body", "id,title\n", http.StatusOK, nil},
		{"a mass cancellation", versionC, http.StatusOK, agenda.ErrMassCancel},
	} {
		srv.set(tc.body, tc.status)
		st := f.Poll(t.Context())
		if st.Err == nil || tc.want != nil && !errors.Is(st.Err, tc.want) {
			t.Errorf("%s: poll = %+v, want an error (%v)", tc.name, st, tc.want)
		}
		if cur := svc.Current(); cur != b {
			t.Errorf("%s: the agenda changed (revision %d)", tc.name, cur.Revision())
		}
	}
	// The source repaired: polls apply again, and an A again brings s4
	// back.
	srv.set(versionA, http.StatusOK)
	if st := f.Poll(t.Context()); st.Err != nil || st.Revision != 3 {
		t.Fatalf("poll of version A again = %+v", st)
	}
	if x, _ := svc.Current().Session("s4"); x.Status != agenda.StatusConfirmed {
		t.Errorf("s4 did not come back: %+v", x)
	}
}

// An import that cancels most sessions is refused, unless forced.
func TestImportForceCancelsMost(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "schedule.csv")
	if err := os.WriteFile(path, []byte(versionA), 0o600); err != nil {
		t.Fatal(err)
	}
	f, svc := follower(t, path)
	if err := os.WriteFile(path, []byte(versionC), 0o600); err != nil {
		t.Fatal(err)
	}
	res, _, err := (&source.Source{Location: path, Options: f.Source.Options}).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	apply := func(force bool) error {
		_, _, err := svc.Change(t.Context(), "test", func(e *agenda.Editor) error {
			_, err := e.Import(res.Contents, force)
			return err
		})
		return err
	}
	if err := apply(false); !errors.Is(err, agenda.ErrMassCancel) {
		t.Fatalf("import without force = %v, want ErrMassCancel", err)
	}
	if svc.Current().Revision() != 1 {
		t.Fatal("a refused import changed the agenda")
	}
	if err := apply(true); err != nil || svc.Current().Revision() != 2 {
		t.Fatalf("import with force = %v, revision %d", err, svc.Current().Revision())
	}
}

func TestDetect(t *testing.T) {
	seed := seeds.FlinkForwardBerlin2019()
	for _, tc := range []struct {
		data string
		want source.Format
	}{
		{versionA, source.CSV},
		{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", source.ICS},
		{`{"schedule": {"version": "1", "conference": {}}}`, source.FrabJSON},
		{"\ufeff<?xml version=\"1.0\"?>\n<schedule><version>1</version></schedule>", source.FrabXML},
		{`{"sessions": [{"groupId": null, "sessions": [{"id": "1", "startsAt": "2020-03-28T08:00:00"}]}], "speakers": []}`, source.Sessionize},
		{string(seed), source.Seed},
		{"\ufeffTalks\n  October 8: 9:00 am - 9:40 am 40minKeynoteHello\n", source.Seed},
		{"Our conference\nOctober 8 is the first day.\n", ""},
		{"", ""},
	} {
		if got := source.Detect([]byte(tc.data)); got != tc.want {
			t.Errorf("Detect(%.30q) = %s, want %s", tc.data, got, tc.want)
		}
	}
	// A document in none of them is said to be none of them, then read
	// as the seed's text, whose error names the file and the line.
	for _, doc := range []string{"", "SOURCE: https://example.org/\nfetched 2025-12-01\n", "Speakers and titles\n"} {
		_, _, err := source.Parse([]byte(doc), "", formats.Options{Name: "SOURCE.txt"})
		var se *seeds.Error
		if err == nil || !strings.HasPrefix(err.Error(), "SOURCE.txt: not schedule.xml, schedule.json, the Sessionize All view, iCalendar or a CSV") || !errors.As(err, &se) || se.File != "SOURCE.txt" {
			t.Errorf("Parse(%q) = %v, want it called no schedule", doc, err)
		}
	}
	if _, err := source.ParseFormat("pdf"); err == nil {
		t.Error("ParseFormat(pdf) succeeded")
	}
	res, f, err := source.Parse(seed, "", formats.Options{Name: "seed.txt"})
	if err != nil || f != source.Seed || len(res.Contents.Sessions) != 93 {
		t.Errorf("Parse(seed) = %d sessions, %s, %v", len(res.Contents.Sessions), f, err)
	}
	// A Pentabarf schedule.xml: detected by its root, read in the zone
	// given, its event after midnight on the day it is listed under.
	pentabarf := `<?xml version="1.0" encoding="UTF-8"?>
<schedule><conference><title>Night Con</title><day_change>04:00:00</day_change></conference>
<day index="1" date="2020-02-01"><room name="Hall">
<event id="1"><start>23:30</start><duration>01:00</duration><title>Late</title><track>Main</track></event>
<event id="2"><start>01:00</start><duration>00:30</duration><title>Later</title><track>Main</track></event>
</room></day></schedule>`
	res, f, err = source.Parse([]byte(pentabarf), "", formats.Options{Name: "schedule.xml", TimeZone: "Europe/Brussels", UIDDomain: "night.example"})
	if err != nil || f != source.FrabXML || len(res.Contents.Sessions) != 2 {
		t.Fatalf("Parse(schedule.xml) = %d sessions, %s, %v", len(res.Contents.Sessions), f, err)
	}
	if c := res.Contents.Conference; c.First != c.Last || c.DayChange != 4*time.Hour {
		t.Errorf("conference %+v: want one day changing at 04:00", c)
	}
}

// TestHTMLIsNoSchedule: a web page where the schedule should be is named
// for what it is, and a followed source keeps the format it first had.
func TestHTMLIsNoSchedule(t *testing.T) {
	for _, page := range []string{
		"<!DOCTYPE html>\n<html><head><title>Log in</title></head><body>Please log in.</body></html>\n",
		// An agenda page with a line the seed's format would take for a
		// session line.
		"<html><body>\nOctober 8: 11:00 am - 11:40 am 40minKeynote\n</body></html>\n",
	} {
		_, _, err := source.Parse([]byte(page), "", formats.Options{Name: "https://pretalx.example/x/schedule.xml"})
		if err == nil || !strings.Contains(err.Error(), "an HTML page, not a schedule") {
			t.Errorf("Parse(%.40q) = %v, want it called an HTML page", page, err)
		}
	}

	s := &server{}
	s.set(versionA, http.StatusOK)
	ts := httptest.NewServer(s)
	defer ts.Close()
	f, svc := follower(t, ts.URL+"/program.csv")
	if st := f.Poll(t.Context()); st.Err != nil || f.Source.Format != source.CSV {
		t.Fatalf("first poll: %v, format %q; want the format detected and kept", st.Err, f.Source.Format)
	}
	// A version in another format is a broken version of this source:
	// read as CSV, refused, and the agenda stays as it was.
	s.set(`{"schedule": {"version": "1", "conference": {}}}`, http.StatusOK)
	before := svc.Current()
	if st := f.Poll(t.Context()); st.Err == nil || svc.Current() != before {
		t.Errorf("a JSON version of a CSV source: %v, revision %d → %d; want refused", st.Err, before.Revision(), svc.Current().Revision())
	}
}

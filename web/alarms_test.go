package web_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"
)

// Reminders in personal feeds: /feeds/custom.ics?…&alarm=10m and
// /feeds/my/{code}.ics?alarm=10m, at the root and under a conference's
// prefix; no other feed carries them.

// alarmSlug is the default conference's slug in these tests, under which
// its URLs are served too.
const alarmSlug = "test-conf"

// storeAlarmPick stores a pick of ids through the page's form, as the
// "Make a short link" button does, and returns its code.
func storeAlarmPick(t *testing.T, h http.Handler, prefix string, ids ...string) string {
	t.Helper()
	rec := send(h, http.MethodPost, prefix+"/my", strings.NewReader("sessions="+strings.Join(ids, ",")),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", baseURL, "Sec-Fetch-Site", "same-origin")
	code, ok := strings.CutPrefix(rec.Header().Get("Location"), prefix+"/?my=")
	if rec.Code != http.StatusSeeOther || !ok {
		t.Fatalf("POST %s/my: %d to %q %s", prefix, rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	return strings.TrimSuffix(code, "#my")
}

// alarmsOf returns the VALARMs of an event.
func alarmsOf(ev goical.Event) []*goical.Component {
	var out []*goical.Component
	for _, c := range ev.Children {
		if c.Name == goical.CompAlarm {
			out = append(out, c)
		}
	}
	return out
}

// checkAlarms checks that every event of cal carries exactly one VALARM
// (none for a cancelled session): ACTION:DISPLAY, TRIGGER trigger before
// DTSTART, a DESCRIPTION naming the session and its room.
func checkAlarms(t *testing.T, target string, snap *agenda.Snapshot, cal *goical.Calendar, trigger string, lead time.Duration) {
	t.Helper()
	if len(cal.Events()) == 0 {
		t.Fatalf("GET %s: no events", target)
	}
	for _, ev := range cal.Events() {
		uid := text(t, ev.Component, goical.PropUID)
		x, ok := snap.Session(strings.TrimSuffix(uid, "@test.confcal.example"))
		if !ok {
			t.Fatalf("GET %s: UID %q is no session's", target, uid)
		}
		alarms := alarmsOf(ev)
		if x.Status == agenda.StatusCancelled {
			if len(alarms) != 0 {
				t.Errorf("GET %s: cancelled %s has %d VALARMs", target, x.ID, len(alarms))
			}
			continue
		}
		if len(alarms) != 1 {
			t.Fatalf("GET %s: %s has %d VALARMs, want 1", target, x.ID, len(alarms))
		}
		a := alarms[0]
		if got := text(t, a, goical.PropAction); got != "DISPLAY" {
			t.Errorf("GET %s: %s: ACTION %q", target, x.ID, got)
		}
		trig := a.Props.Get(goical.PropTrigger)
		if trig == nil || trig.Value != trigger || trig.Params.Get("RELATED") == "END" {
			t.Fatalf("GET %s: %s: TRIGGER %v, want %s", target, x.ID, trig, trigger)
		}
		if d, err := trig.Duration(); err != nil || d != -lead {
			t.Errorf("GET %s: %s: TRIGGER reads as %v, %v; want %v", target, x.ID, d, err, -lead)
		}
		room, _ := snap.Room(x.Room)
		if got, want := text(t, a, goical.PropDescription), x.Title+" — "+room.Name; got != want {
			t.Errorf("GET %s: %s: DESCRIPTION %q, want %q", target, x.ID, got, want)
		}
	}
}

func TestPickAlarms(t *testing.T) {
	snap := agendatest.Small(t)
	_, h := serve(t, web.Config{Default: alarmSlug}, snap)
	code := storeAlarmPick(t, h, "", opening, late)
	slugCode := storeAlarmPick(t, h, "/"+alarmSlug, streams, closing)
	for _, tt := range []struct {
		name, target string
		ids          []string
		trigger      string        // "" for no reminders
		lead         time.Duration // before the start
	}{
		{"sessions, 10m", "/feeds/custom.ics?sessions=opening-keynote,late-talk&alarm=10m", []string{opening, late}, "-PT10M", 10 * time.Minute},
		{"a track, 1h", "/feeds/custom.ics?tracks=talks&alarm=1h", []string{streams, state, late}, "-PT1H", time.Hour},
		{"a day, at the start", "/feeds/custom.ics?days=2019-10-08&alarm=0m", []string{opening, streams, state}, "PT0S", 0},
		{"90m", "/feeds/custom.ics?rooms=room-2&alarm=90m", []string{state, late}, "-PT1H30M", 90 * time.Minute},
		{"24h", "/feeds/custom.ics?sessions=late-talk&alarm=24h", []string{late}, "-PT24H", 24 * time.Hour},
		{"no reminders", "/feeds/custom.ics?sessions=opening-keynote,late-talk", []string{opening, late}, "", 0},
		{"under the prefix", "/" + alarmSlug + "/feeds/custom.ics?sessions=state-of-state&alarm=15m", []string{state}, "-PT15M", 15 * time.Minute},
		{"stored", "/feeds/my/" + code + ".ics?alarm=5m", []string{opening, late}, "-PT5M", 5 * time.Minute},
		{"stored, other parameters ignored", "/feeds/my/" + code + ".ics?v=2&alarm=30m", []string{opening, late}, "-PT30M", 30 * time.Minute},
		{"stored, no reminders", "/feeds/my/" + code + ".ics", []string{opening, late}, "", 0},
		{"stored under the prefix", "/" + alarmSlug + "/feeds/my/" + slugCode + ".ics?alarm=10m", []string{streams, closing}, "-PT10M", 10 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, h, http.MethodGet, tt.target)
			b := body(t, resp)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
				t.Fatalf("GET %s: %d %s\n%s", tt.target, resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
			cal := parse(t, b)
			if got := uids(t, cal); strings.Join(got, ",") != strings.Join(tt.ids, ",") {
				t.Errorf("GET %s: events %q, want %q", tt.target, got, tt.ids)
			}
			if tt.trigger == "" {
				for _, ev := range cal.Events() {
					if n := len(alarmsOf(ev)); n != 0 {
						t.Errorf("GET %s: %d VALARMs in a feed that asked for none", tt.target, n)
					}
				}
				return
			}
			checkAlarms(t, tt.target, snap, cal, tt.trigger, tt.lead)
		})
	}
}

// TestPickAlarmETags: the ETag tells a pick with reminders from one
// without and one lead time from another, while two spellings of one lead
// time are one representation; conditional requests and gzip work on it.
func TestPickAlarmETags(t *testing.T) {
	_, h := newServer(t)
	const pick = "/feeds/custom.ics?sessions=opening-keynote,state-of-state"
	tags := map[string]string{}
	for _, q := range []string{"", "&alarm=0m", "&alarm=10m", "&alarm=15m", "&alarm=1h", "&alarm=24h"} {
		resp := do(t, h, http.MethodGet, pick+q)
		body(t, resp)
		tag := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || tag == "" {
			t.Fatalf("GET %s: %d, ETag %q", pick+q, resp.StatusCode, tag)
		}
		if other, ok := tags[tag]; ok {
			t.Errorf("GET %s has the ETag of %s", pick+q, pick+other)
		}
		tags[tag] = q
	}
	same := map[string][]string{
		"one hour":      {pick + "&alarm=1h", pick + "&alarm=60m", "/feeds/custom.ics?alarm=1h&sessions=state-of-state,opening-keynote"},
		"stored, 10m":   nil, // the code is known below
		"no reminders":  {pick, "/feeds/custom.ics?sessions=state-of-state&sessions=opening-keynote"},
		"a day, 24h=1d": {pick + "&alarm=24h", pick + "&alarm=1440m"},
	}
	code := storeAlarmPick(t, h, "", opening, state)
	same["stored, 10m"] = []string{"/feeds/my/" + code + ".ics?alarm=10m", pick + "&alarm=10m"}
	for name, targets := range same {
		var want answer
		for i, target := range targets {
			a := get(t, h, target)
			if a.status != http.StatusOK {
				t.Fatalf("%s: GET %s: %d %s", name, target, a.status, a.body)
			}
			if i > 0 && (a.etag != want.etag || a.body != want.body) {
				t.Errorf("%s: GET %s differs from GET %s", name, target, targets[0])
			}
			want = a
		}
	}

	target := pick + "&alarm=10m"
	plain := do(t, h, http.MethodGet, target)
	identity := body(t, plain)
	etag := plain.Header.Get("ETag")
	if resp := do(t, h, http.MethodGet, target, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || len(body(t, resp)) != 0 {
		t.Errorf("If-None-Match of its ETag: %d", resp.StatusCode)
	}
	if resp := do(t, h, http.MethodGet, pick, "If-None-Match", etag); resp.StatusCode != http.StatusOK {
		t.Errorf("the pick without reminders answers %d to the ETag of the one with", resp.StatusCode)
	}
	zipped := do(t, h, http.MethodGet, target, "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || string(unzipped) != string(identity) || zipped.Header.Get("ETag") == etag {
		t.Errorf("the gzip variant: %v, same body %v, ETag %s (identity %s)", err, string(unzipped) == string(identity), zipped.Header.Get("ETag"), etag)
	}
}

// TestPickAlarmFollowsChanges: a session that moves keeps its UID and its
// reminder stays relative to its new start; a cancelled one loses its
// reminder; the ETag moves with each.
func TestPickAlarmFollowsChanges(t *testing.T) {
	s1 := agendatest.Small(t)
	srv, h := serve(t, web.Config{}, s1)
	const target = "/feeds/custom.ics?sessions=late-talk,closing-keynote&alarm=10m"
	before := get(t, h, target)
	checkAlarms(t, target, s1, parse(t, []byte(before.body)), "-PT10M", 10*time.Minute)

	e := s1.Edit("test", agendatest.Published.Add(time.Hour))
	start, end := agendatest.At(9, 14, 0), agendatest.At(9, 14, 40)
	cancelled := agenda.StatusCancelled
	if err := e.UpdateSession(late, agenda.SessionUpdate{Start: &start, End: &end}); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateSession(closing, agenda.SessionUpdate{Status: &cancelled}); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	publish(t, srv, s2)
	after := get(t, h, target)
	if after.status != http.StatusOK || after.etag == before.etag {
		t.Fatalf("after the edit: %d, ETag %s (before %s)", after.status, after.etag, before.etag)
	}
	cal := parse(t, []byte(after.body))
	checkAlarms(t, target, s2, cal, "-PT10M", 10*time.Minute)
	if got := uids(t, cal); strings.Join(got, ",") != late+","+closing {
		t.Errorf("events %q after the edit", got)
	}
	for _, ev := range cal.Events() {
		if text(t, ev.Component, goical.PropUID) != s2.UID(late) {
			continue
		}
		if got, err := ev.DateTimeStart(nil); err != nil || !got.Equal(start) {
			t.Errorf("the moved session starts at %v (%v), want %v", got, err, start)
		}
		if len(alarmsOf(ev)) != 1 {
			t.Errorf("the moved session has %d VALARMs", len(alarmsOf(ev)))
		}
	}
}

// TestNoAlarmsElsewhere: no feed but a pick that asks carries a VALARM —
// none of those GET /feeds lists, nor the CalDAV calendars — and asking a
// shared feed for reminders is refused, saying where they are.
func TestNoAlarmsElsewhere(t *testing.T) {
	e := agendatest.Small(t).Edit("test", agendatest.Published.Add(time.Hour))
	if err := e.AddSpeaker(agenda.Speaker{ID: "jane", Name: "Jane Doe"}); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateSession(late, agenda.SessionUpdate{Speakers: &[]string{"jane"}}); err != nil {
		t.Fatal(err)
	}
	snap, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	_, h := serve(t, web.Config{}, snap)
	var list web.FeedList
	if err := json.Unmarshal([]byte(get(t, h, "/feeds").body), &list); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	var targets []string
	for _, f := range list.Feeds {
		kinds[f.Kind] = true
		u, err := url.Parse(f.URL)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, u.Path)
	}
	for _, k := range []string{"all", "track", "room", "day", "session", "speaker"} {
		if !kinds[k] {
			t.Fatalf("GET /feeds lists no %s feed", k)
		}
	}
	dav := []string{"/dav/public/calendars/all/", "/dav/public/calendars/track-talks/"}
	for _, target := range append(append(targets, dav...), "/feeds/custom.ics?tracks=talks") {
		a := get(t, h, target)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: %d", target, a.status)
		}
		for _, ev := range parseICS(t, target, []byte(a.body)) {
			if n := len(alarmsOf(ev)); n != 0 {
				t.Errorf("GET %s: an event with %d VALARMs", target, n)
			}
		}
	}
	for _, target := range targets {
		target += "?alarm=10m"
		a := get(t, h, target)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, "personal feeds only") {
			t.Errorf("GET %s: %d %q, want 400 saying reminders are for personal feeds", target, a.status, a.body)
		}
	}
	// A query without alarm= is still ignored by the shared feeds.
	if a := get(t, h, "/feeds/all.ics?v=2"); a.status != http.StatusOK {
		t.Errorf("GET /feeds/all.ics?v=2: %d", a.status)
	}
}

func TestBadAlarms(t *testing.T) {
	_, h := newServer(t)
	code := storeAlarmPick(t, h, "", opening)
	for _, tt := range []struct {
		target, want string
	}{
		{"/feeds/custom.ics?sessions=late-talk&alarm=7", `bad alarm="7": want a lead time in whole minutes or hours from 0m to 24h`},
		{"/feeds/custom.ics?sessions=late-talk&alarm=", `bad alarm="": want`},
		{"/feeds/custom.ics?sessions=late-talk&alarm=10M", `bad alarm="10M"`},
		{"/feeds/custom.ics?sessions=late-talk&alarm=1h30m", `bad alarm="1h30m"`},
		{"/feeds/custom.ics?sessions=late-talk&alarm=-5m", `bad alarm="-5m"`},
		{"/feeds/custom.ics?sessions=late-talk&alarm=25h", "at most 24h before a session"},
		{"/feeds/custom.ics?sessions=late-talk&alarm=10m&alarm=5m", "alarm= given 2 times"},
		{"/feeds/custom.ics?alarm=10m", "empty pick"},
		{"/feeds/my/" + code + ".ics?alarm=soon", `bad alarm="soon"`},
		{"/feeds/my/" + code + ".ics?alarm=5m&alarm=5m", "alarm= given 2 times"},
		{"/feeds/my/" + code + ".ics?alarm=%zz", "malformed query"},
	} {
		a := get(t, h, tt.target)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, tt.want) {
			t.Errorf("GET %s: %d %q, want 400 saying %q", tt.target, a.status, a.body, tt.want)
		}
	}
}

// TestShortLinkKeepsTheAlarm: the page's "Make a short link" form posts
// the reminder chosen with the pick; the stored pick's page keeps it.
func TestShortLinkKeepsTheAlarm(t *testing.T) {
	_, h := newServer(t)
	for _, tt := range []struct {
		alarm, location string
		status          int
	}{
		{"10m", "/?my=CODE&alarm=10m#my", http.StatusSeeOther},
		{"60m", "/?my=CODE&alarm=1h#my", http.StatusSeeOther},
		{"", "/?my=CODE#my", http.StatusSeeOther},
		{"soon", "", http.StatusBadRequest},
	} {
		form := url.Values{"sessions": {"opening-keynote,late-talk"}, "alarm": {tt.alarm}}
		rec := send(h, http.MethodPost, "/my", strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Origin", baseURL, "Sec-Fetch-Site", "same-origin")
		if rec.Code != tt.status {
			t.Errorf("POST /my with alarm %q: %d %s", tt.alarm, rec.Code, rec.Body)
			continue
		}
		if tt.status != http.StatusSeeOther {
			continue
		}
		loc := rec.Header().Get("Location")
		code := strings.TrimPrefix(strings.SplitN(strings.SplitN(loc, "&", 2)[0], "#", 2)[0], "/?my=")
		if want := strings.Replace(tt.location, "CODE", code, 1); loc != want || len(code) != 16 {
			t.Errorf("POST /my with alarm %q: to %q, want %q", tt.alarm, loc, want)
		}
	}
}

// BenchmarkServePickAlarm serves the personal pick of BenchmarkServePick200
// (35 sessions of the built-in agenda) with and without reminders
// (alarm=10m), in full, gzipped and as a 304: what the reminders cost a
// request is the difference between the plain and alarm runs.
func BenchmarkServePickAlarm(b *testing.B) {
	for _, bb := range []struct {
		name, query string
	}{{"plain", ""}, {"alarm", "&alarm=10m"}} {
		target := pickTarget + bb.query
		b.Run(bb.name+"/200", func(b *testing.B) { benchmarkServe(b, target, http.StatusOK) })
		b.Run(bb.name+"/200-gzip", func(b *testing.B) { benchmarkServe(b, target, http.StatusOK, "Accept-Encoding", "gzip") })
		b.Run(bb.name+"/304", func(b *testing.B) {
			benchmarkServe(b, target, http.StatusNotModified, "If-None-Match", "$etag")
		})
	}
}

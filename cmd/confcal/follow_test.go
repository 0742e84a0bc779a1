package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"confcal/api"
)

// followEvent is one event of the schedule.xml the follow test serves.
type followEvent struct {
	guid, id    string
	day         int    // 0 or 1: followDays
	start       string // HH:MM, Europe/Berlin (CEST in September)
	duration    string // HH:MM
	room, track string
	title       string
	abstract    string
	speaker     string
	speakerID   string
}

// The days and rooms of FollowCon 2026, in the order the document lists
// them.
var (
	followDays  = []string{"2026-09-10", "2026-09-11"}
	followRooms = []string{"Hall A", "Hall B"}
)

// The sessions of FollowCon 2026: their IDs are the events' guids.
const (
	fOpening  = "5f0c1d2e-0001-4a6b-8c7d-000000000001" // untouched
	fJoins    = "5f0c1d2e-0002-4a6b-8c7d-000000000002" // moved to the other day and room in B
	fOperator = "5f0c1d2e-0003-4a6b-8c7d-000000000003" // retitled in B
	fObserve  = "5f0c1d2e-0004-4a6b-8c7d-000000000004" // abstract changed in B
	fBatch    = "5f0c1d2e-0005-4a6b-8c7d-000000000005" // gone from B: cancelled
	fCapacity = "5f0c1d2e-0006-4a6b-8c7d-000000000006" // untouched
	fClosing  = "5f0c1d2e-0007-4a6b-8c7d-000000000007" // untouched
	fIncident = "5f0c1d2e-0008-4a6b-8c7d-000000000008" // new in B
)

// followA is version A of the schedule: seven events over two days, in two
// rooms and two tracks.
func followA() []followEvent {
	return []followEvent{
		{guid: fOpening, id: "1", day: 0, start: "09:00", duration: "00:45", room: "Hall A", track: "Data",
			title: "Opening Keynote", abstract: "Why we are here.", speaker: "Ada Lovelace", speakerID: "11"},
		{guid: fJoins, id: "2", day: 0, start: "10:00", duration: "00:45", room: "Hall A", track: "Data",
			title: "Streaming Joins Explained", abstract: "Windows, watermarks & state.", speaker: "Grace Hopper", speakerID: "12"},
		{guid: fOperator, id: "3", day: 0, start: "10:00", duration: "00:45", room: "Hall B", track: "Operations",
			title: "Kubernetes Operators 101", abstract: "Reconcile loops from scratch.", speaker: "Alan Turing", speakerID: "13"},
		{guid: fObserve, id: "4", day: 0, start: "11:00", duration: "01:00", room: "Hall B", track: "Operations",
			title: "Observability at Scale", abstract: "Metrics, logs and traces.", speaker: "Edsger Dijkstra", speakerID: "14"},
		{guid: fBatch, id: "5", day: 1, start: "09:00", duration: "00:45", room: "Hall A", track: "Data",
			title: "Batch Is Streaming", abstract: "A bounded stream is still a stream.", speaker: "Barbara Liskov", speakerID: "15"},
		{guid: fCapacity, id: "6", day: 1, start: "10:00", duration: "00:45", room: "Hall B", track: "Operations",
			title: "Capacity Planning", abstract: "How much is enough.", speaker: "Donald Knuth", speakerID: "16"},
		{guid: fClosing, id: "7", day: 1, start: "16:00", duration: "00:30", room: "Hall A", track: "Data",
			title: "Closing Panel", abstract: "What we learned.", speaker: "Ada Lovelace", speakerID: "11"},
	}
}

// The abstract fObserve has in version B.
const followNewAbstract = "Metrics, logs, traces and what to throw away."

// followB is version B: fJoins moved from day 1, Hall A, 10:00 to day 2,
// Hall B, 14:00; fOperator retitled; fObserve re-described; fBatch gone;
// fIncident new. The other three are as in A.
func followB() []followEvent {
	var out []followEvent
	for _, e := range followA() {
		switch e.guid {
		case fJoins:
			e.day, e.start, e.room = 1, "14:00", "Hall B"
		case fOperator:
			e.title = "Writing Kubernetes Operators"
		case fObserve:
			e.abstract = followNewAbstract
		case fBatch:
			continue
		}
		out = append(out, e)
	}
	return append(out, followEvent{guid: fIncident, id: "8", day: 1, start: "11:00", duration: "00:45", room: "Hall B",
		track: "Operations", title: "Incident Reviews That Work", abstract: "Blameless, and useful.", speaker: "Margaret Hamilton", speakerID: "17"})
}

// followC is version C: B without four of its seven sessions, which would
// cancel more than half of them at once.
func followC() []followEvent {
	var out []followEvent
	for _, e := range followB() {
		if e.guid == fOpening || e.guid == fJoins || e.guid == fOperator {
			out = append(out, e)
		}
	}
	return out
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// scheduleXML writes events as a pretalx-style schedule.xml of FollowCon
// 2026: each day (04:00 to 03:59, pretalx's day change) lists every room,
// each room its events by start.
func scheduleXML(events []followEvent) string { return scheduleXMLOn(followDays, events) }

// scheduleXMLOn writes events as scheduleXML does, on days (YYYY-MM-DD,
// in order; an event's day indexes them).
func scheduleXMLOn(days []string, events []followEvent) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <generator name="pretalx" version="2025.1.0"/>
  <version>test</version>
  <conference>
    <acronym>followcon26</acronym>
    <title>FollowCon 2026</title>
    <start>` + days[0] + `</start>
    <end>` + days[len(days)-1] + `</end>
    <days>` + fmt.Sprint(len(days)) + `</days>
    <timeslot_duration>00:05</timeslot_duration>
    <url>https://followcon.example/2026/</url>
    <time_zone_name>Europe/Berlin</time_zone_name>
    <track name="Data" color="#336699"/>
    <track name="Operations" color="#996633"/>
  </conference>
`)
	for i, day := range days {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			panic(err)
		}
		next := d.AddDate(0, 0, 1).Format(time.DateOnly)
		fmt.Fprintf(&b, "  <day index=\"%d\" date=\"%s\" start=\"%sT04:00:00+02:00\" end=\"%sT03:59:00+02:00\">\n", i+1, day, day, next)
		for _, room := range followRooms {
			fmt.Fprintf(&b, "    <room name=\"%s\">\n", esc(room))
			var in []followEvent
			for _, e := range events {
				if e.day == i && e.room == room {
					in = append(in, e)
				}
			}
			slices.SortFunc(in, func(x, y followEvent) int { return strings.Compare(x.start, y.start) })
			for _, e := range in {
				fmt.Fprintf(&b, `      <event guid="%s" id="%s">
        <date>%sT%s:00+02:00</date>
        <start>%s</start>
        <duration>%s</duration>
        <room>%s</room>
        <title>%s</title>
        <subtitle/>
        <track>%s</track>
        <type>Talk</type>
        <language>en</language>
        <abstract>%s</abstract>
        <description/>
        <persons>
          <person id="%s">%s</person>
        </persons>
      </event>
`, e.guid, e.id, day, e.start, e.start, e.duration, esc(e.room), esc(e.title), esc(e.track), esc(e.abstract), e.speakerID, esc(e.speaker))
			}
			b.WriteString("    </room>\n")
		}
		b.WriteString("  </day>\n")
	}
	b.WriteString("</schedule>\n")
	return b.String()
}

// scheduleSource is an organizer's schedule.xml on a web server of its
// own: the test switches the version it serves, makes it answer an error
// status, or takes it off the network and back on the same address. It
// validates with ETag and Last-Modified and answers a conditional request
// for the version it serves with 304, counting what it was asked.
type scheduleSource struct {
	mu       sync.Mutex
	body     string
	status   int                  // answered instead of the body when not 0
	modified map[string]time.Time // each body's Last-Modified, from when it was first served
	inm, ims int                  // requests carrying If-None-Match, If-Modified-Since
	notMod   int                  // requests answered 304

	srv  *httptest.Server // touched only by the test's goroutine
	addr string
}

// startScheduleSource serves body at a new address.
func startScheduleSource(t *testing.T, body string) *scheduleSource {
	t.Helper()
	s := &scheduleSource{modified: map[string]time.Time{}}
	s.set(body, 0)
	s.start(t)
	t.Cleanup(func() {
		if s.srv != nil {
			s.srv.Close()
		}
	})
	return s
}

func (s *scheduleSource) url() string { return "http://" + s.addr + "/schedule.xml" }

// set makes the source serve body, or answer status when it is not 0.
func (s *scheduleSource) set(body string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.status = body, status
	if _, ok := s.modified[body]; !ok {
		// Whole seconds, as HTTP dates have them; a new version is
		// always later than the ones before.
		s.modified[body] = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(s.modified)) * time.Hour)
	}
}

// notModified returns how many requests were answered 304.
func (s *scheduleSource) notModified() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notMod
}

// validators returns how many requests carried If-None-Match and
// If-Modified-Since.
func (s *scheduleSource) validators() (inm, ims int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inm, s.ims
}

// start listens on the source's address (a new one the first time) and
// serves.
func (s *scheduleSource) start(t *testing.T) {
	t.Helper()
	addr := cmp.Or(s.addr, "127.0.0.1:0")
	var l net.Listener
	// The address was ours a moment ago; retry a little should the kernel
	// still hold it.
	eventually(t, 10*time.Second, func() string {
		var err error
		if l, err = net.Listen("tcp", addr); err != nil {
			return fmt.Sprintf("listening on %s again: %v", addr, err)
		}
		return ""
	})
	s.srv = httptest.NewUnstartedServer(s)
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	s.addr = l.Addr().String()
}

// stop closes the server: connections to its address are refused.
func (s *scheduleSource) stop() {
	s.srv.Close()
	s.srv = nil
}

func (s *scheduleSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != 0 {
		http.Error(w, "the schedule tool is having a bad day", s.status)
		return
	}
	sum := sha256.Sum256([]byte(s.body))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	mod := s.modified[s.body]
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", mod.Format(http.TimeFormat))
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" {
		s.inm++
	}
	if ims != "" {
		s.ims++
	}
	// RFC 9110 §13.2.2: If-None-Match, when present, decides alone.
	notModified := inm != "" && slices.Contains(strings.Split(strings.ReplaceAll(inm, " ", ""), ","), etag)
	if inm == "" && ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !mod.After(t) {
			notModified = true
		}
	}
	if notModified {
		s.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(s.body))
}

// veventBytes returns the bytes of each VEVENT of an .ics body, from its
// BEGIN line to its END line, by session ID. go-ical keeps the order of
// the components, so the nth block is the nth event it parses.
func veventBytes(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var blocks []string
	var cur *strings.Builder
	for line := range strings.SplitAfterSeq(string(body), "\r\n") {
		switch {
		case line == "BEGIN:VEVENT\r\n":
			cur = &strings.Builder{}
			cur.WriteString(line)
		case cur != nil:
			cur.WriteString(line)
			if line == "END:VEVENT\r\n" {
				blocks = append(blocks, cur.String())
				cur = nil
			}
		}
	}
	evs := decode(t, body).Events()
	if len(evs) != len(blocks) {
		t.Fatalf("%d VEVENT blocks, go-ical parses %d events", len(blocks), len(evs))
	}
	out := map[string]string{}
	for i, ev := range evs {
		uid, err := ev.Props.Text(goical.PropUID)
		if err != nil {
			t.Fatal(err)
		}
		id, _, _ := strings.Cut(uid, "@")
		out[id] = blocks[i]
	}
	return out
}

// changedProps lists the properties whose values or parameters differ
// between two events.
func changedProps(a, b goical.Event) []string {
	var out []string
	for name := range maps.Keys(a.Props) {
		if !reflect.DeepEqual(a.Props[name], b.Props[name]) {
			out = append(out, name)
		}
	}
	for name := range maps.Keys(b.Props) {
		if _, ok := a.Props[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// davAnswer is the part of a PROPFIND answer the follow test reads.
type davAnswer struct {
	XMLName   xml.Name `xml:"DAV: multistatus"`
	Responses []struct {
		Href     string `xml:"DAV: href"`
		Propstat []struct {
			Status string `xml:"DAV: status"`
			Prop   struct {
				ETag string `xml:"DAV: getetag"`
				CTag string `xml:"http://calendarserver.org/ns/ getctag"`
			} `xml:"DAV: prop"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

// propfind asks the CalDAV calendar at base+path for props (XML elements)
// at depth and returns its answer.
func propfind(t *testing.T, base, path, depth, props string) davAnswer {
	t.Helper()
	body := `<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/"><prop>` + props + `</prop></propfind>`
	code, b := request(t, "PROPFIND", base+path, body, "Depth", depth, "Content-Type", "application/xml")
	if code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND %s: %d %s", path, code, b)
	}
	var ms davAnswer
	if err := xml.Unmarshal([]byte(b), &ms); err != nil {
		t.Fatalf("PROPFIND %s: %v\n%s", path, err, b)
	}
	return ms
}

// objectETags returns the getetag of every object of the CalDAV calendar
// of the whole conference, by session ID.
func objectETags(t *testing.T, base string) map[string]string {
	t.Helper()
	const cal = "/dav/public/calendars/all/"
	out := map[string]string{}
	for _, r := range propfind(t, base, cal, "1", "<getetag/>").Responses {
		id, ok := strings.CutSuffix(strings.TrimPrefix(r.Href, cal), ".ics")
		if !ok || id == "" {
			continue // the calendar itself
		}
		for _, ps := range r.Propstat {
			if strings.Contains(ps.Status, " 200 ") && ps.Prop.ETag != "" {
				out[id] = ps.Prop.ETag
			}
		}
		if out[id] == "" {
			t.Fatalf("PROPFIND: %s has no getetag", r.Href)
		}
	}
	return out
}

// ctag returns the CS:getctag of the CalDAV calendar of the whole
// conference.
func ctag(t *testing.T, base string) string {
	t.Helper()
	for _, r := range propfind(t, base, "/dav/public/calendars/all/", "0", "<CS:getctag/>").Responses {
		for _, ps := range r.Propstat {
			if ps.Prop.CTag != "" {
				return ps.Prop.CTag
			}
		}
	}
	t.Fatal("PROPFIND: the calendar has no getctag")
	return ""
}

// failedPolls returns confcal_source_polls_total{outcome="failed"}.
func failedPolls(t *testing.T, base string) float64 {
	t.Helper()
	code, body := request(t, "GET", base+"/metrics", "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	n, _ := metricValue(fams, "confcal_source_polls_total", map[string]string{"outcome": "failed"})
	return n
}

// published is what a subscriber can see of the followed conference at
// one moment.
type published struct {
	revision int64
	etag     string                  // of /feeds/all.ics
	events   map[string]goical.Event // of /feeds/all.ics, by session ID
	vevents  map[string]string       // their bytes
	sessions map[string]string       // ETag of /feeds/sessions/{id}.ics; "404" when it has none
	objects  map[string]string       // getetag of each CalDAV object of calendars/all
	ctag     string
}

// look reads the feeds and the CalDAV calendar of the whole conference;
// ids are the sessions whose own feeds it fetches.
func look(t *testing.T, base string, ids []string) published {
	t.Helper()
	var p published
	var list api.ChangeList
	getJSON(t, base+"/api/changes", &list)
	p.revision = list.Revision
	resp := get(t, base+"/feeds/all.ics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /feeds/all.ics: %d", resp.StatusCode)
	}
	b := readBody(t, resp)
	p.etag = resp.Header.Get("ETag")
	p.events, p.vevents = eventsByID(t, b), veventBytes(t, b)
	p.sessions = map[string]string{}
	for _, id := range ids {
		resp := get(t, base+"/feeds/sessions/"+id+".ics")
		switch resp.StatusCode {
		case http.StatusOK:
			p.sessions[id] = resp.Header.Get("ETag")
		case http.StatusNotFound:
			p.sessions[id] = "404"
		default:
			t.Fatalf("GET /feeds/sessions/%s.ics: %d", id, resp.StatusCode)
		}
	}
	p.objects = objectETags(t, base)
	p.ctag = ctag(t, base)
	return p
}

// `confcal serve -agenda URL -follow` against a pretalx-style
// schedule.xml on a web server that changes from version A to version B:
// the feeds and CalDAV show exactly B's changes, with SEQUENCE raised
// where RFC 5545 says, and nothing else moves; the poller asks
// conditionally and is answered 304 while nothing changes; and a broken
// source (an error status, no server, a body that is no schedule, a
// version cancelling most sessions) leaves the agenda as it was, ready
// and saying the source failed.
func TestServeFollowsScheduleXML(t *testing.T) {
	a, b := scheduleXML(followA()), scheduleXML(followB())
	src := startScheduleSource(t, a)
	// The period is far below any real one, so that the test waits for
	// polls briefly; every wait below still allows many seconds.
	addr, log, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"),
		"-agenda", src.url(), "-follow", "100ms")
	base := "http://" + addr
	all := []string{fOpening, fJoins, fOperator, fObserve, fBatch, fCapacity, fClosing, fIncident}
	const readyOK, readyFailed = "store ok\nsnapshot ok\nsource ok\n", "store ok\nsnapshot ok\nsource failed (still serving)\n"

	before := look(t, base, all)
	if got, want := slices.Sorted(maps.Keys(before.events)), []string{fOpening, fJoins, fOperator, fObserve, fBatch, fCapacity, fClosing}; !slices.Equal(got, want) {
		t.Fatalf("all.ics of version A has events %q, want %q", got, want)
	}
	if before.revision != 1 {
		t.Errorf("revision %d after importing version A, want 1", before.revision)
	}
	if code, body := request(t, "GET", base+"/readyz", ""); code != http.StatusOK || body != readyOK {
		t.Errorf("GET /readyz while the source is fine = %d %q, want 200 %q", code, body, readyOK)
	}

	// While nothing changes, the poller asks with both validators and is
	// answered 304; nothing is published anew.
	nm0 := src.notModified()
	eventually(t, 20*time.Second, func() string {
		if nm := src.notModified(); nm < nm0+3 {
			return fmt.Sprintf("the source answered %d conditional requests with 304, want 3 or more", nm-nm0)
		}
		return ""
	})
	if inm, ims := src.validators(); inm == 0 || ims == 0 {
		t.Errorf("requests with If-None-Match: %d, with If-Modified-Since: %d; want both", inm, ims)
	}
	if now := look(t, base, all); now.etag != before.etag || now.revision != before.revision || now.ctag != before.ctag {
		t.Errorf("while the source did not change: all.ics ETag %s → %s, revision %d → %d, ctag %s → %s",
			before.etag, now.etag, before.revision, now.revision, before.ctag, now.ctag)
	}
	dav := &stack{t: t, url: base} // for its sync-collection REPORT; serve is startServe's to stop
	_, syncBefore := dav.sync("all", "")

	// LAST-MODIFIED has whole seconds: version B comes in a later second
	// than version A, so that its changes can show in it.
	var stampA string
	for _, ev := range before.events {
		stampA = max(stampA, prop(&ev, "LAST-MODIFIED"))
	}
	eventually(t, 5*time.Second, func() string {
		if now := time.Now().UTC().Format("20060102T150405Z"); now <= stampA {
			return fmt.Sprintf("the clock says %s, not yet later than version A's LAST-MODIFIED %s", now, stampA)
		}
		return ""
	})

	// Version B.
	src.set(b, 0)
	var after published
	eventually(t, 20*time.Second, func() string {
		after = look(t, base, all)
		if _, ok := after.events[fIncident]; !ok {
			return fmt.Sprintf("all.ics has no event for the session version B adds (at revision %d)", after.revision)
		}
		return ""
	})
	if after.revision != 2 {
		t.Errorf("revision %d after version B, want 2 (one revision for all of its changes)", after.revision)
	}
	if after.etag == before.etag {
		t.Errorf("all.ics kept its ETag %s through version B", after.etag)
	}

	// What each session's VEVENT must show. SEQUENCE: RFC 5545 §3.8.7.4
	// requires a raise when DTSTART, DTEND or STATUS changes (of the
	// properties confcal writes) and lets the organizer raise it for other
	// changes too. confcal raises it, once per revision, also for a new
	// title, room (LOCATION) or track, since clients keep what they cached
	// of an event whose SEQUENCE did not move; not for what a session only
	// says about itself (abstract, speakers, language…), which changes
	// nobody's plans. agenda's UpdateSession decides; package ical writes
	// the session's Sequence as it is. LAST-MODIFIED and DTSTAMP (the
	// session's last change) move with every change.
	stamps := []string{"DTSTAMP", "LAST-MODIFIED"}
	with := func(names ...string) []string { return slices.Sorted(slices.Values(append(names, stamps...))) }
	speaker := func(abstract, name string) string { return abstract + "\n\nSpeaker: " + name }
	tests := []struct {
		id      string
		changed []string          // the properties that differ from version A; nil: the same bytes
		want    map[string]string // their new values (text unescaped)
	}{
		{id: fOpening},
		{id: fJoins, changed: with("DTSTART", "DTEND", "LOCATION", "SEQUENCE"),
			want: map[string]string{"DTSTART": "20260911T140000", "DTEND": "20260911T144500", "LOCATION": "Hall B", "SEQUENCE": "1"}},
		{id: fOperator, changed: with("SUMMARY", "SEQUENCE"),
			want: map[string]string{"SUMMARY": "Writing Kubernetes Operators", "SEQUENCE": "1"}},
		{id: fObserve, changed: with("DESCRIPTION"),
			want: map[string]string{"DESCRIPTION": speaker(followNewAbstract, "Edsger Dijkstra"), "SEQUENCE": "0"}},
		{id: fBatch, changed: with("STATUS", "SUMMARY", "SEQUENCE"),
			want: map[string]string{"STATUS": "CANCELLED", "SUMMARY": "Cancelled: Batch Is Streaming", "SEQUENCE": "1"}},
		{id: fCapacity},
		{id: fClosing},
	}
	for _, tc := range tests {
		old, now := before.events[tc.id], after.events[tc.id]
		if got := changedProps(old, now); !slices.Equal(got, tc.changed) {
			t.Errorf("%s: properties changed %q, want %q", tc.id, got, tc.changed)
		}
		if tc.changed == nil && before.vevents[tc.id] != after.vevents[tc.id] {
			t.Errorf("%s: untouched, but its VEVENT bytes changed:\n%s\n→\n%s", tc.id, before.vevents[tc.id], after.vevents[tc.id])
		}
		for name, want := range tc.want {
			got := prop(&now, name)
			if name == "SUMMARY" || name == "DESCRIPTION" || name == "LOCATION" {
				got, _ = now.Props.Text(name)
			}
			if got != want {
				t.Errorf("%s: %s %q, want %q", tc.id, name, got, want)
			}
		}
		if tc.changed != nil && prop(&now, "LAST-MODIFIED") <= prop(&old, "LAST-MODIFIED") {
			t.Errorf("%s: LAST-MODIFIED %s, not later than %s", tc.id, prop(&now, "LAST-MODIFIED"), prop(&old, "LAST-MODIFIED"))
		}
		if got, want := after.sessions[tc.id] != before.sessions[tc.id], tc.changed != nil; got != want {
			t.Errorf("%s: /feeds/sessions ETag %s → %s; want changed %v", tc.id, before.sessions[tc.id], after.sessions[tc.id], want)
		}
	}
	added := after.events[fIncident]
	if title, _ := added.Props.Text(goical.PropSummary); title != "Incident Reviews That Work" || prop(&added, "SEQUENCE") != "0" ||
		prop(&added, "STATUS") != "CONFIRMED" || prop(&added, "DTSTART") != "20260911T110000" {
		t.Errorf("added session: SUMMARY %q, SEQUENCE %s, STATUS %s, DTSTART %s", title, prop(&added, "SEQUENCE"), prop(&added, "STATUS"), prop(&added, "DTSTART"))
	}
	if before.sessions[fIncident] != "404" || after.sessions[fIncident] == "404" {
		t.Errorf("/feeds/sessions of the added session: %s before, %s after; want 404, then served", before.sessions[fIncident], after.sessions[fIncident])
	}
	if len(after.events) != 8 {
		t.Errorf("all.ics of version B has %d events, want 8 (seven confirmed, one cancelled)", len(after.events))
	}

	// CalDAV: a cancelled session leaves the calendar, the new one joins,
	// exactly the changed ones have new ETags; a client syncing from
	// before hears of exactly those.
	var davChanged []string
	for id := range maps.Keys(before.objects) {
		switch e, ok := after.objects[id]; {
		case !ok:
			davChanged = append(davChanged, id+" removed")
		case e != before.objects[id]:
			davChanged = append(davChanged, id+" changed")
		}
	}
	for id := range maps.Keys(after.objects) {
		if _, ok := before.objects[id]; !ok {
			davChanged = append(davChanged, id+" added")
		}
	}
	slices.Sort(davChanged)
	if want := []string{fJoins + " changed", fOperator + " changed", fObserve + " changed", fBatch + " removed", fIncident + " added"}; !slices.Equal(davChanged, want) {
		t.Errorf("CalDAV objects of calendars/all: %q, want %q", davChanged, want)
	}
	if after.ctag == before.ctag {
		t.Errorf("the calendar's ctag stayed %s through version B", after.ctag)
	}
	hrefs, _ := dav.sync("all", syncBefore)
	const cal = "/dav/public/calendars/all/"
	wantHrefs := []string{cal + fJoins + ".ics", cal + fOperator + ".ics", cal + fObserve + ".ics", cal + fBatch + ".ics 404", cal + fIncident + ".ics"}
	slices.Sort(wantHrefs)
	if !slices.Equal(hrefs, wantHrefs) {
		t.Errorf("sync-collection from before version B reports\n%q\nwant\n%q", hrefs, wantHrefs)
	}

	// Version B stays: 304s again, and nothing moves.
	nm0 = src.notModified()
	eventually(t, 20*time.Second, func() string {
		if nm := src.notModified(); nm < nm0+2 {
			return fmt.Sprintf("the source answered %d conditional requests for version B with 304, want 2 or more", nm-nm0)
		}
		return ""
	})
	good := look(t, base, all)
	if good.etag != after.etag || good.ctag != after.ctag || good.revision != after.revision {
		t.Fatalf("version B polled again: all.ics ETag %s → %s, ctag %s → %s, revision %d → %d",
			after.etag, good.etag, after.ctag, good.ctag, after.revision, good.revision)
	}

	// A broken source: each case breaks it, then serves version B again.
	broken := []struct {
		name    string
		brk     func()
		restore func()
		log     string // what the log says of the failure
	}{
		{name: "status 500", brk: func() { src.set(b, http.StatusInternalServerError) }, restore: func() { src.set(b, 0) },
			log: "answered 500 Internal Server Error"},
		{name: "status 503", brk: func() { src.set(b, http.StatusServiceUnavailable) }, restore: func() { src.set(b, 0) },
			log: "answered 503 Service Unavailable"},
		{name: "unreachable", brk: src.stop, restore: func() { src.start(t) }, log: "connection refused"},
		{name: "an HTML page", brk: func() {
			src.set("<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>\n", 0)
		}, restore: func() { src.set(b, 0) }, log: src.url() + ":2: "},
		{name: "a schedule cut off before its days", brk: func() { src.set(b[:strings.Index(b, "<day ")], 0) },
			restore: func() { src.set(b, 0) }, log: "the XML breaks here (unexpected EOF)"},
		// Read up to the break, these would cancel the last session only,
		// too few for the guard: they are refused whole instead.
		{name: "a schedule cut off in its last event", brk: func() { src.set(b[:strings.LastIndex(b, "<title>")+len("<title>")+2], 0) },
			restore: func() { src.set(b, 0) }, log: "the XML breaks here (unexpected EOF); nothing is imported"},
		{name: "a title that breaks the XML", brk: func() {
			at := strings.LastIndex(b, "<title>") + len("<title>")
			src.set(b[:at]+"</>"+b[at:], 0)
		}, restore: func() { src.set(b, 0) }, log: "the XML breaks here (expected element name after </); nothing is imported"},
		{name: "version C cancels most sessions", brk: func() { src.set(scheduleXML(followC()), 0) },
			restore: func() { src.set(b, 0) }, log: "would cancel 4 of 7 sessions"},
	}
	for _, tc := range broken {
		t.Run(tc.name, func(t *testing.T) {
			unchanged := func(when string) {
				t.Helper()
				now := look(t, base, all)
				if now.etag != good.etag || now.ctag != good.ctag || now.revision != good.revision {
					t.Errorf("%s: all.ics ETag %s → %s, ctag %s → %s, revision %d → %d; want all unchanged",
						when, good.etag, now.etag, good.ctag, now.ctag, good.revision, now.revision)
				}
				for id, e := range good.sessions {
					if now.sessions[id] != e {
						t.Errorf("%s: /feeds/sessions/%s.ics ETag %s → %s", when, id, e, now.sessions[id])
					}
				}
			}
			failed0 := failedPolls(t, base)
			tc.brk()
			// Two failed polls at least: the failure is not a passing one.
			eventually(t, 20*time.Second, func() string {
				var list api.ChangeList
				if getJSON(t, base+"/api/changes", &list); list.Revision != good.revision {
					t.Fatalf("the broken source made revision %d", list.Revision)
				}
				if n := failedPolls(t, base); n < failed0+2 {
					return fmt.Sprintf("%v failed polls counted in /metrics since the source broke, want 2 or more", n-failed0)
				}
				code, body := request(t, "GET", base+"/readyz", "")
				if code != http.StatusOK || !sourceFailed(body, "followcon-2026") {
					return fmt.Sprintf("GET /readyz while the source is broken = %d %q, want 200 %q and the conference's line", code, body, readyFailed)
				}
				return ""
			})
			unchanged("while the source is broken")
			if !strings.Contains(log.String(), tc.log) {
				t.Errorf("the log does not say %q:\n%s", tc.log, log)
			}

			tc.restore()
			eventually(t, 20*time.Second, func() string {
				if code, body := request(t, "GET", base+"/readyz", ""); code != http.StatusOK || body != readyOK {
					return fmt.Sprintf("GET /readyz once version B is back = %d %q, want 200 %q", code, body, readyOK)
				}
				return ""
			})
			unchanged("once version B is back")
		})
	}
	if !strings.Contains(log.String(), "following the source failed; the agenda stays as it was") {
		t.Errorf("the log never says the agenda stayed as it was:\n%s", log)
	}
}

// sourceFailed reports whether body, a /readyz answer, says the source of
// conference slug failed, on the line under the check's that names the
// conference, and nothing else failed.
func sourceFailed(body, slug string) bool {
	rest, ok := strings.CutPrefix(body, "store ok\nsnapshot ok\nsource failed (still serving)\n  "+slug+": ")
	return ok && strings.Count(rest, "\n") == 1 && strings.HasSuffix(rest, "\n")
}

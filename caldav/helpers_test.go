package caldav_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/web"
)

// The tests drive CalDAV through the real route table (web.Server's
// Handler, where web mounts caldav.NewHandler), as production does.

const baseURL = "https://confcal.example"

// Paths of the tree for agendatest.Small.
const (
	principal = "/dav/public/"
	home      = "/dav/public/calendars/"
	calAll    = home + "all/"
	calKey    = home + "track-keynote/"
	calTalks  = home + "track-talks/"
	calRoom1  = home + "room-room-1/"
	calRoom2  = home + "room-room-2/"
)

// testServer is the web server with a revision of the agenda published.
type testServer struct {
	web  *web.Server
	h    http.Handler
	snap *agenda.Snapshot
}

func newServer(tb testing.TB) *testServer {
	tb.Helper()
	s := &testServer{web: newWeb(baseURL)}
	s.publish(tb, agendatest.Small(tb))
	s.h = s.web.Handler(nil, nil)
	return s
}

func newWeb(base string) *web.Server {
	srv, err := web.New(web.Config{BaseURL: base})
	if err != nil {
		panic(err)
	}
	return srv
}

// publish prepares snap and makes it current.
func (s *testServer) publish(tb testing.TB, snap *agenda.Snapshot) {
	tb.Helper()
	swap, err := s.web.Publish(context.Background(), snap)
	if err != nil {
		tb.Fatalf("Publish(revision %d): %v", snap.Revision(), err)
	}
	swap()
	s.snap = snap
}

// edit applies change to the current revision and publishes the next one.
func (s *testServer) edit(tb testing.TB, change func(*agenda.Editor) error) {
	tb.Helper()
	e := s.snap.Edit("test", time.Date(2019, 10, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(s.snap.Revision())*time.Hour))
	if err := change(e); err != nil {
		tb.Fatalf("edit: %v", err)
	}
	next, err := e.Commit()
	if err != nil {
		tb.Fatalf("commit: %v", err)
	}
	s.publish(tb, next)
}

// doc is a rendered CalDAV object as the tests look at it.
type doc struct {
	Body     []byte
	ETag     string
	Modified time.Time
}

// object returns the rendered CalDAV object of a session in the current
// revision, straight from the ical package.
func (s *testServer) object(tb testing.TB, id string) doc {
	tb.Helper()
	obj, ok := s.web.Current().Object(id)
	if !ok {
		tb.Fatalf("no object %q", id)
	}
	return doc{Body: obj.Bytes(), ETag: obj.ETag(), Modified: obj.Modified()}
}

// expanded returns the current object of session id as a REPORT that
// expands it over a range the session overlaps answers it (RFC 4791
// §9.6.5): in UTC, without its VTIMEZONE.
func (s *testServer) expanded(tb testing.TB, id string) string {
	tb.Helper()
	obj, ok := s.web.Current().Object(id)
	if !ok {
		tb.Fatalf("no object %q", id)
	}
	return string(obj.AppendExpanded(nil, true))
}

// request is one HTTP request to replay.
type request struct {
	method, path string
	header       []string // names and values
	body         string
}

func (s *testServer) do(tb testing.TB, req request) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(req.method, req.path, strings.NewReader(req.body))
	for i := 0; i+1 < len(req.header); i += 2 {
		r.Header.Set(req.header[i], req.header[i+1])
	}
	if req.body != "" && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// testdata reads a file below testdata/.
func testdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// element is any XML element, for reading answers with encoding/xml.
type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []element  `xml:",any"`
}

// shape renders an element's content compactly for comparisons: its text
// when it has no children, else its children as local[attr=value](shape),
// e.g. "collection calendar", "href(/dav/public/)" or "comp[name=VEVENT]".
func (e element) shape() string {
	if len(e.Children) == 0 {
		return strings.TrimSpace(e.Text)
	}
	var parts []string
	for _, c := range e.Children {
		part := c.XMLName.Local
		var attrs []string
		for _, a := range c.Attrs {
			if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
				attrs = append(attrs, a.Name.Local+"="+a.Value)
			}
		}
		if len(attrs) > 0 {
			part += "[" + strings.Join(attrs, ",") + "]"
		}
		if s := c.shape(); s != "" {
			part += "(" + s + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " ")
}

// msResult is a parsed 207 answer.
type msResult struct {
	responses map[string]*msResponse // by href path
	order     []string
	syncToken string
}

type msResponse struct {
	status int                    // the response-level status, 0 when propstats are used
	props  map[xml.Name]propValue // every property of every propstat
	errs   []string               // local names of the DAV:error conditions
}

type propValue struct {
	status int
	el     element
}

// parseMultistatus checks that w is a 207 with an XML body and reads it.
func parseMultistatus(tb testing.TB, w *httptest.ResponseRecorder) *msResult {
	tb.Helper()
	if w.Code != http.StatusMultiStatus {
		tb.Fatalf("status %d, want 207; body:\n%s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") && !strings.HasPrefix(ct, "text/xml") {
		tb.Errorf("Content-Type %q, want XML", ct)
	}
	var doc struct {
		XMLName   xml.Name `xml:"DAV: multistatus"`
		Responses []struct {
			Hrefs     []string `xml:"DAV: href"`
			Status    string   `xml:"DAV: status"`
			Propstats []struct {
				Prop   element `xml:"DAV: prop"`
				Status string  `xml:"DAV: status"`
			} `xml:"DAV: propstat"`
			Error *element `xml:"DAV: error"`
		} `xml:"DAV: response"`
		SyncToken string `xml:"DAV: sync-token"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		tb.Fatalf("multistatus does not parse: %v\n%s", err, w.Body)
	}
	res := &msResult{responses: map[string]*msResponse{}, syncToken: strings.TrimSpace(doc.SyncToken)}
	for _, r := range doc.Responses {
		if len(r.Hrefs) != 1 {
			tb.Fatalf("response with %d hrefs, want 1", len(r.Hrefs))
		}
		u, err := url.Parse(strings.TrimSpace(r.Hrefs[0]))
		if err != nil {
			tb.Fatalf("href %q: %v", r.Hrefs[0], err)
		}
		if _, dup := res.responses[u.Path]; dup {
			tb.Errorf("href %s answered twice", u.Path)
		}
		mr := &msResponse{props: map[xml.Name]propValue{}}
		if r.Status != "" {
			mr.status = statusOf(tb, r.Status)
		}
		if r.Error != nil {
			for _, c := range r.Error.Children {
				mr.errs = append(mr.errs, c.XMLName.Local)
			}
		}
		for _, ps := range r.Propstats {
			code := statusOf(tb, ps.Status)
			for _, p := range ps.Prop.Children {
				if _, dup := mr.props[p.XMLName]; dup {
					tb.Errorf("%s: property %s %s answered twice", u.Path, p.XMLName.Space, p.XMLName.Local)
				}
				mr.props[p.XMLName] = propValue{status: code, el: p}
			}
		}
		res.responses[u.Path] = mr
		res.order = append(res.order, u.Path)
	}
	return res
}

func statusOf(tb testing.TB, line string) int {
	tb.Helper()
	f := strings.Fields(line)
	if len(f) < 3 || !strings.HasPrefix(f[0], "HTTP/1.") {
		tb.Fatalf("malformed status line %q", line)
	}
	var code int
	for _, c := range f[1] {
		code = code*10 + int(c-'0')
	}
	return code
}

// hrefs returns the answered hrefs, sorted.
func (m *msResult) hrefs() []string {
	out := slices.Clone(m.order)
	slices.Sort(out)
	return out
}

func (m *msResult) response(tb testing.TB, href string) *msResponse {
	tb.Helper()
	r, ok := m.responses[href]
	if !ok {
		tb.Fatalf("no response for %s; have %v", href, m.hrefs())
	}
	return r
}

// Namespaces and property names used by the tests.
const (
	nsDAV   = "DAV:"
	nsCal   = "urn:ietf:params:xml:ns:caldav"
	nsCS    = "http://calendarserver.org/ns/"
	nsApple = "http://apple.com/ns/ical/"
)

func xmlName(space, local string) xml.Name { return xml.Name{Space: space, Local: local} }
func dav(local string) xml.Name            { return xml.Name{Space: nsDAV, Local: local} }
func cal(local string) xml.Name            { return xml.Name{Space: nsCal, Local: local} }
func cs(local string) xml.Name             { return xml.Name{Space: nsCS, Local: local} }
func apple(local string) xml.Name          { return xml.Name{Space: nsApple, Local: local} }

// prop returns the shape of a property answered with 200.
func (m *msResult) prop(tb testing.TB, href string, name xml.Name) string {
	tb.Helper()
	p, ok := m.response(tb, href).props[name]
	if !ok {
		tb.Fatalf("%s: property %s not answered", href, name.Local)
	}
	if p.status != http.StatusOK {
		tb.Fatalf("%s: property %s has status %d, want 200", href, name.Local, p.status)
	}
	return p.el.shape()
}

// text returns the untrimmed character data of a property answered
// with 200.
func (m *msResult) text(tb testing.TB, href string, name xml.Name) string {
	tb.Helper()
	m.prop(tb, href, name)
	return m.response(tb, href).props[name].el.Text
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("first difference at byte %d: got %q, want %q", i, got[i:min(len(got), i+40)], want[i:min(len(want), i+40)])
}

// wantProp checks a property's value (its shape).
func (m *msResult) wantProp(tb testing.TB, href string, name xml.Name, want string) {
	tb.Helper()
	if got := m.prop(tb, href, name); got != want {
		tb.Errorf("%s: %s = %q, want %q", href, name.Local, got, want)
	}
}

// wantStatus checks the status a property was answered with.
func (m *msResult) wantStatus(tb testing.TB, href string, name xml.Name, want int) {
	tb.Helper()
	p, ok := m.response(tb, href).props[name]
	if !ok {
		tb.Fatalf("%s: property %s not answered", href, name.Local)
	}
	if p.status != want {
		tb.Errorf("%s: property %s has status %d, want %d", href, name.Local, p.status, want)
	}
}

// wantAbsent checks a property does not appear at all.
func (m *msResult) wantAbsent(tb testing.TB, href string, name xml.Name) {
	tb.Helper()
	if p, ok := m.response(tb, href).props[name]; ok {
		tb.Errorf("%s: property %s answered (status %d), want it left out", href, name.Local, p.status)
	}
}

// wantHrefs checks the set of answered hrefs.
func (m *msResult) wantHrefs(tb testing.TB, want ...string) {
	tb.Helper()
	want = slices.Sorted(slices.Values(want))
	if got := m.hrefs(); !slices.Equal(got, want) {
		tb.Errorf("hrefs = %v, want %v", got, want)
	}
}

// davError reads a DAV:error body and returns the local names of its
// conditions.
func davError(tb testing.TB, w *httptest.ResponseRecorder) []string {
	tb.Helper()
	var e element
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		tb.Fatalf("error body does not parse: %v\n%s", err, w.Body)
	}
	if e.XMLName != dav("error") {
		tb.Fatalf("body root is %s %s, want DAV: error", e.XMLName.Space, e.XMLName.Local)
	}
	var out []string
	for _, c := range e.Children {
		out = append(out, c.XMLName.Local)
	}
	return out
}

func parseXML(b []byte, v any) error { return xml.Unmarshal(b, v) }

// privilegesReadOnly is the shape of a read-only current-user-privilege-set.
const privilegesReadOnly = "privilege(read) privilege(read-current-user-privilege-set) privilege(read-free-busy)"

// reportsAll is the shape of the supported-report-set of calendars,
// reportsHome the home's and reportsObject an object's.
// The supported-report-set of a calendar, of the home and of an object.
const (
	reportsAll    = "supported-report(report(calendar-query)) supported-report(report(calendar-multiget)) supported-report(report(sync-collection)) supported-report(report(free-busy-query))"
	reportsHome   = "supported-report(report(calendar-multiget)) supported-report(report(sync-collection))"
	reportsObject = "supported-report(report(calendar-query)) supported-report(report(calendar-multiget))"
)

func ptr[T any](v T) *T { return &v }

// synthetic returns an agenda shaped like `confcal gen -sessions 10000`
// (cmd/confcal/gen.go): three days (8–10 October 2019, Berlin) of
// 25-minute sessions every half hour from 8:00 to 20:00 in 139 rooms,
// 10,008 sessions in all, 12 tracks, an abstract of a few sentences each.
func synthetic(tb testing.TB) *agenda.Snapshot {
	tb.Helper()
	const rooms, slots, tracks = 139, 24, 12
	c := agenda.Contents{Conference: agendatest.Conference()}
	c.Conference.Last = c.Conference.First.AddDays(2)
	for i := range tracks {
		c.Tracks = append(c.Tracks, agenda.Track{ID: fmt.Sprintf("track-%d", i), Name: fmt.Sprintf("Track %d", i)})
	}
	for i := range rooms {
		c.Rooms = append(c.Rooms, agenda.Room{ID: fmt.Sprintf("room-%d", i), Name: fmt.Sprintf("Room %d", i)})
	}
	loc, err := c.Conference.Location()
	if err != nil {
		tb.Fatal(err)
	}
	for d, day := range c.Conference.Days() {
		for slot := range slots {
			start := day.Start(loc).Add(8*time.Hour + time.Duration(slot)*30*time.Minute)
			for r := range rooms {
				n := len(c.Sessions)
				c.Sessions = append(c.Sessions, agenda.Session{
					ID: fmt.Sprintf("s-%d-%d-%d", d, slot, r), Title: fmt.Sprintf("Session %d on streams and state", n),
					Start: start, End: start.Add(25 * time.Minute), Track: c.Tracks[n%tracks].ID, Room: c.Rooms[r].ID,
					Abstract: strings.Repeat(fmt.Sprintf("Session %d looks at how stream processing scales. ", n), 1+n%3),
					Status:   agenda.StatusConfirmed, LastModified: agendatest.Published,
				})
			}
		}
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// newSyntheticServer serves the synthetic agenda of 10,008 sessions.
func newSyntheticServer(tb testing.TB) *testServer {
	tb.Helper()
	s := &testServer{web: newWeb(baseURL)}
	s.publish(tb, synthetic(tb))
	s.h = s.web.Handler(nil, nil)
	return s
}

package page_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/page"
)

// testBase is the base of the pages' absolute links in the tests.
const testBase = "https://cal.example.org"

// editTime is when revision 2 of the test agenda was made.
var editTime = time.Date(2019, 10, 8, 7, 0, 0, 0, time.UTC)

// revision2 is agendatest.Small after one edit at editTime: the closing
// keynote cancelled and "State of State" moved to Room 1 at 14:00.
func revision2(t testing.TB) *agenda.Snapshot {
	t.Helper()
	e := agendatest.Small(t).Edit("test", editTime)
	cancelled := agenda.StatusCancelled
	room := "room-1"
	start, end := agendatest.At(8, 14, 0), agendatest.At(8, 14, 40)
	if err := e.UpdateSession("closing-keynote", agenda.SessionUpdate{Status: &cancelled}); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateSession("state-of-state", agenda.SessionUpdate{Room: &room, Start: &start, End: &end}); err != nil {
		t.Fatal(err)
	}
	s, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fixture renders the pages of one snapshot as package web serves them,
// with the clock at now and picks stored in picks.
type fixture struct {
	r     *page.Renderer
	snap  *agenda.Snapshot
	now   time.Time
	base  string
	picks page.PickStore
}

// newFixture returns a fixture over snap with the clock at now, links
// under testBase and an empty in-memory pick store.
func newFixture(t testing.TB, snap *agenda.Snapshot, now time.Time) *fixture {
	t.Helper()
	r, err := page.New()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{r: r, snap: snap, now: now, base: testBase, picks: page.NewMemoryPicks(10)}
}

// render renders the page a local link names ("/", "/sessions/{id}" or
// "/help", with the link's query; a fragment stays with the browser).
func (f *fixture) render(target string) ([]byte, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	return f.renderQuery(u.Path, u.Query())
}

// renderQuery renders the page at path for the query v.
func (f *fixture) renderQuery(path string, v url.Values) ([]byte, error) {
	q := page.Query{Values: v, Base: f.base, Now: f.now, Picks: f.picks}
	var buf bytes.Buffer
	var err error
	ctx := context.Background()
	switch id, isSession := strings.CutPrefix(path, "/sessions/"); {
	case path == "/":
		err = f.r.Index(ctx, &buf, f.snap, q)
	case path == "/help":
		err = f.r.Help(ctx, &buf, f.snap, q)
	case isSession:
		err = f.r.Session(ctx, &buf, f.snap, id, q)
	default:
		return nil, fmt.Errorf("no page renders %s", path)
	}
	return buf.Bytes(), err
}

// follow answers star, a star button of doc, as a browser without
// JavaScript does: it submits the page's form (the button's form=) with
// the button's name and value, and returns where page.Toggle sends it.
func (f *fixture) follow(t testing.TB, doc, star *html.Node) string {
	t.Helper()
	form := first(doc, byID(attr(star, "form")))
	if star == nil || star.Data != "button" || form == nil || attr(form, "method") != "get" {
		t.Fatalf("the star is no button of a GET form on the page")
	}
	v := url.Values{}
	for _, in := range all(form, func(n *html.Node) bool { return n.Data == "input" }) {
		v.Add(attr(in, "name"), attr(in, "value"))
	}
	v.Add(attr(star, "name"), attr(star, "value"))
	if got := attr(form, "action"); got != "/" {
		t.Fatalf("the stars' form goes to %q, want /", got)
	}
	target, err := page.Toggle(context.Background(), f.snap, page.Query{Values: v, Base: f.base, Now: f.now, Picks: f.picks})
	if err != nil {
		t.Fatalf("star of %v: %v", v, err)
	}
	return target
}

// page renders target, which must succeed, and parses it as HTML.
func (f *fixture) page(t testing.TB, target string) *html.Node {
	t.Helper()
	b, err := f.render(target)
	if err != nil {
		t.Fatalf("render %s: %v", target, err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("render %s: %v", target, err)
	}
	return doc
}

// all returns every element below n for which match is true, in document
// order.
func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// first returns the first element below n that matches, or nil.
func first(n *html.Node, match func(*html.Node) bool) *html.Node {
	if m := all(n, match); len(m) > 0 {
		return m[0]
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// tagClass matches elements with the given tag and class.
func tagClass(tag, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag && hasClass(n, class) }
}

// byID matches the element with the given id.
func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

// text returns the text below n with white space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// cards returns the agenda's session cards (not the lists above it) by
// session ID.
func cards(doc *html.Node) map[string]*html.Node {
	m := map[string]*html.Node{}
	for _, day := range all(doc, tagClass("section", "day")) {
		for _, c := range all(day, tagClass("article", "card")) {
			m[strings.TrimPrefix(attr(c, "id"), "s-")] = c
		}
	}
	return m
}

// cardIDs returns the IDs of the agenda's cards in document order.
func cardIDs(doc *html.Node) []string {
	var ids []string
	for _, day := range all(doc, tagClass("section", "day")) {
		for _, c := range all(day, tagClass("article", "card")) {
			ids = append(ids, strings.TrimPrefix(attr(c, "id"), "s-"))
		}
	}
	return ids
}

// marks returns the change marks of a card.
func marks(n *html.Node) []string {
	var m []string
	for _, li := range all(n, func(n *html.Node) bool { return n.Data == "li" && hasClass(n.Parent, "marks") }) {
		m = append(m, text(li))
	}
	return m
}

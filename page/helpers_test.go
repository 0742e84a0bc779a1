package page_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/page"
)

// testBase is the base URL the test handlers are configured with.
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

// newHandler returns the page over snap with the clock at now.
func newHandler(t testing.TB, snap *agenda.Snapshot, now time.Time) *page.Handler {
	t.Helper()
	base, err := page.BaseURL(testBase, false)
	if err != nil {
		t.Fatal(err)
	}
	h, err := page.New(page.Config{
		Current: func() *agenda.Snapshot { return snap },
		BaseURL: base,
		Now:     func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get sends a GET for target to h and returns the response.
func get(t testing.TB, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	target, _, _ = strings.Cut(target, "#") // a browser keeps the fragment to itself
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// getPage GETs target and parses it as HTML; the status must be 200.
func getPage(t testing.TB, h http.Handler, target string) *html.Node {
	t.Helper()
	res, body := get(t, h, target)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.300s", target, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", target, ct)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
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

package page_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/page"
)

// failingPicks is a PickStore whose Save fails with err.
type failingPicks struct{ err error }

func (f failingPicks) Save(context.Context, []string) (string, error) { return "", f.err }
func (f failingPicks) Load(context.Context, string) ([]string, error) {
	return nil, page.ErrUnknownPick
}

// A pick store that is full or busy answers POST /my with a 503 that says
// so; any other failure is a 500.
func TestShortenWhenTheStoreFails(t *testing.T) {
	snap := agendatest.Small(t)
	base, _ := page.BaseURL(testBase, false)
	tests := []struct {
		name       string
		err        error
		status     int
		says       string
		retryAfter bool
	}{
		{"full", fmt.Errorf("picks: %w", page.ErrPicksFull), http.StatusServiceUnavailable, "pick store is full", false},
		{"busy", fmt.Errorf("picks: %w", page.ErrPicksBusy), http.StatusServiceUnavailable, "pick store is busy", true},
		{"timed out", fmt.Errorf("picks: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "pick store is busy", true},
		{"broken", errors.New("disk on fire"), http.StatusInternalServerError, "Could not store", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := page.New(page.Config{Current: func() *agenda.Snapshot { return snap }, BaseURL: base, Picks: failingPicks{tc.err}})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, "/my", strings.NewReader("sessions="+url.QueryEscape("opening-keynote,late-talk")))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("POST /my: %d, want %d; %s", rec.Code, tc.status, rec.Body)
			}
			doc, err := html.Parse(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			if text := textOf(doc); !strings.Contains(text, tc.says) {
				t.Errorf("error page says %q, want %q", text, tc.says)
			}
			if got := rec.Header().Get("Retry-After") != ""; got != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", rec.Header().Get("Retry-After"), tc.retryAfter)
			}
		})
	}
}

// textOf returns the text of the body of doc, spaces collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "head") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

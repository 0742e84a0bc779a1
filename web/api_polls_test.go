package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"confcal/api"
)

// GET /api/conferences says how the last poll of a followed conference's
// source went: when, and why it failed, for one whose source answered 500
// after the version it was added from; nothing for one that follows none.
func TestConferencesListLastPoll(t *testing.T) {
	hs := newHosted(t)
	schedule := hs.scheduleOf(t, "Polled Con")
	var requests atomic.Int32
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) > 1 {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, schedule)
	}))
	defer src.Close()
	n := api.NewConference{Slug: "polled", Source: src.URL + "/schedule.xml", Follow: "1h"}
	if rec := hs.call(t, http.MethodPost, "/api/conferences", adminToken, n, nil); rec.Code != http.StatusCreated {
		t.Fatalf("POST /api/conferences: %d %s", rec.Code, rec.Body)
	}
	hs.add(t, "unfollowed", "Unfollowed Con")

	// The follower polls at once, in the background.
	var polled api.Conference
	for deadline := time.Now().Add(10 * time.Second); ; {
		var list api.ConferenceList
		if rec := hs.call(t, http.MethodGet, "/api/conferences", "", nil, &list); rec.Code != http.StatusOK {
			t.Fatalf("GET /api/conferences: %d %s", rec.Code, rec.Body)
		}
		for _, c := range list.Conferences {
			switch c.Slug {
			case "polled":
				polled = c
			default:
				if c.LastPoll != "" || c.SourceError != "" {
					t.Errorf("GET /api/conferences: %s, which follows no source, has last_poll %q, source_error %q", c.Slug, c.LastPoll, c.SourceError)
				}
			}
		}
		if polled.SourceError != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if want := "answered 500 Internal Server Error"; !strings.Contains(polled.SourceError, want) {
		t.Errorf("GET /api/conferences: polled has source_error %q, want one saying %q", polled.SourceError, want)
	}
	if at, err := time.Parse(time.RFC3339, polled.LastPoll); err != nil || time.Since(at) > time.Minute {
		t.Errorf("GET /api/conferences: polled has last_poll %q, want the time of the poll (RFC 3339): %v", polled.LastPoll, err)
	}
	if polled.Sessions == 0 || polled.Follow != "1h0m0s" {
		t.Errorf("GET /api/conferences: polled serves %d sessions, follows every %q; want the version it was added from, every 1h0m0s", polled.Sessions, polled.Follow)
	}
}

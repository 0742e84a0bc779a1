package ical_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/ical"
)

// A feed's ETag is the hash of its bytes, the tag every release gave them
// (found through its events' hashes, see etags.go): it names exactly one
// body. Calendars of several revisions, lists,
// orders, names and reminders are made: two share an ETag only when they
// share their bytes, and two of the same reminder (or none) that share
// their bytes share an ETag. (A reminder on a calendar of no event that
// can ring one leaves its bytes as they were under another tag.)
func TestETagFollowsBytes(t *testing.T) {
	s1 := agendatest.Small(t)
	e1 := render(t, s1, nil)
	ids := s1.SessionIDs()
	s2 := edit(t, s1, ids[0], agenda.SessionUpdate{Title: ptr("Renamed")})
	e2 := render(t, s2, e1)
	// The revision after the one before it in title: its bytes are those
	// of s1's again but for LAST-MODIFIED and SEQUENCE.
	s3 := edit(t, s2, ids[0], agenda.SessionUpdate{Title: ptr(s1.Sessions()[0].Title)})
	e3 := render(t, s3, e2)

	reversed := slices.Clone(ids)
	slices.Reverse(reversed)
	lists := [][]string{nil, ids, reversed, ids[:1], ids[1:], {ids[1], ids[0]}, {ids[0], ids[0]}}
	metas := []ical.FeedMeta{{Name: "all"}, {Name: "all", Description: "x"}, {Name: "alL"}}

	byETag := map[string][]byte{}
	byBody := map[string]map[string]string{}
	n := 0
	add := func(what string, c *ical.Calendar) {
		t.Helper()
		n++
		body := c.Bytes()
		if what == "plain" {
			if sum := sha256.Sum256(body); c.ETag() != `"`+hex.EncodeToString(sum[:16])+`"` {
				t.Errorf("%s: ETag %s, not the hash of the body", what, c.ETag())
			}
		}
		if other, ok := byETag[c.ETag()]; ok && string(other) != string(body) {
			t.Errorf("%s: ETag %s also names another body", what, c.ETag())
		}
		if byBody[what] == nil {
			byBody[what] = map[string]string{}
		}
		if other, ok := byBody[what][string(body)]; ok && other != c.ETag() {
			t.Errorf("%s: the same bytes under ETags %s and %s", what, other, c.ETag())
		}
		byETag[c.ETag()], byBody[what][string(body)] = body, c.ETag()
	}
	for _, e := range []*ical.Rendered{e1, e2, e3, render(t, agendatest.Small(t), nil)} {
		for _, meta := range metas {
			for _, list := range lists {
				c := e.Calendar(meta, list)
				add("plain", c)
				add("plain", e.Calendar(meta, list))
				add("alarm 10m", c.WithAlarm(10*time.Minute))
				add("alarm 5m", c.WithAlarm(5*time.Minute))
			}
		}
	}
	// Equal bodies were made (the same list twice, a duplicate id, two
	// renderings of one revision): the test compared tags of equal bytes
	// as well as of different ones.
	distinct := len(byBody["plain"]) + len(byBody["alarm 10m"]) + len(byBody["alarm 5m"])
	if distinct == n || distinct < n/3 {
		t.Fatalf("%d calendars gave %d distinct bodies: the cases do not test both ways", n, distinct)
	}
}

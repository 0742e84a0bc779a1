package conferences_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/conferences"
	"confcal/formats"
	"confcal/source"
)

// plannerICS is a calendar whose UIDs share one domain; %s is the second
// event's start.
const plannerICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Planner//EN\r\nX-WR-CALNAME:Planner\r\nX-WR-TIMEZONE:Europe/Berlin\r\n" +
	"BEGIN:VEVENT\r\nUID:talk-1@planner.example\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270503T080000Z\r\nDTEND:20270503T084500Z\r\nSUMMARY:First Talk\r\nLOCATION:Main Hall\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:talk-2@planner.example\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270503T%sZ\r\nDTEND:20270503T%sZ\r\nSUMMARY:Second Talk\r\nLOCATION:Main Hall\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// A followed source is read again as it was when its conference was
// stored: with the conference's UID domain, so its events keep the
// session IDs they had then, even when a later version of an importer
// would give them others (an .ics calendar's UIDs now give their local
// parts when they share a domain, where they gave IDs made of the whole
// UID before). A session the source moves stays the session it was.
func TestFollowKeepsStoredIDs(t *testing.T) {
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "planner.ics")
	write := func(start, end string) {
		t.Helper()
		doc := strings.Replace(strings.Replace(plannerICS, "%s", start, 1), "%s", end, 1)
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("090000", "093000")
	// The conference as an earlier version stored it: IDs from whole
	// UIDs, under a UID domain of its own.
	res, _, err := (&source.Source{Location: file, Options: formats.Options{UIDDomain: "planner.invalid"}}).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range res.Contents.Sessions {
		ids = append(ids, x.ID)
	}
	if len(ids) != 2 || ids[1] == "talk-2" || !strings.Contains(ids[1], "planner") {
		t.Fatalf("stored IDs %q, want IDs made of whole UIDs", ids)
	}
	m := conferences.New(conferences.Config{Registry: memstore.NewRegistry(), Publisher: func(string) agenda.PublishFunc { return nil }})
	if err := m.Open(ctx, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }); err != nil {
		t.Fatal(err)
	}
	l := agenda.Listing{Slug: "planner", Source: agenda.Source{Location: file, Follow: 20 * time.Millisecond}}
	c, err := m.Create(ctx, l, &res.Contents)
	if err != nil {
		t.Fatal(err)
	}
	go m.Poll(ctx, 10*time.Millisecond)

	write("140000", "143000") // the source moves the second talk
	waitFor(t, "the move followed", func() bool {
		x, ok := c.Service.Current().Session(ids[1])
		return ok && x.Start.Hour() == 16 // 14:00Z, Berlin summer time
	})
	snap := c.Service.Current()
	if n := len(snap.Sessions()); n != 2 {
		var got []string
		for _, x := range snap.Sessions() {
			got = append(got, x.ID+" "+string(x.Status))
		}
		t.Errorf("after the move: sessions %q, want the two stored ones", got)
	}
	if x, _ := snap.Session(ids[1]); x.Status != agenda.StatusConfirmed {
		t.Errorf("the moved session %s is %s", ids[1], x.Status)
	}
}

package ical_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"confcal/agenda"
	"confcal/ical"
)

// Render one session and print its VEVENT as it appears in every feed and
// in its CalDAV object.
func ExampleRender() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		log.Fatal(err)
	}
	oct := agenda.Date{Year: 2019, Month: time.October, Day: 8}
	snap, err := agenda.NewSnapshot(agenda.Contents{
		Conference: agenda.Conference{Name: "Example Conf", TimeZone: "Europe/Berlin", First: oct, Last: oct, UIDDomain: "conf.example"},
		Tracks:     []agenda.Track{{ID: "talks", Name: "Talks"}},
		Rooms:      []agenda.Room{{ID: "room-1", Name: "Room 1"}},
		Sessions: []agenda.Session{{
			ID:           "hello-streams",
			Title:        "Hello, Streams",
			Start:        time.Date(2019, time.October, 8, 10, 0, 0, 0, berlin),
			End:          time.Date(2019, time.October, 8, 10, 40, 0, 0, berlin),
			Track:        "talks",
			Room:         "room-1",
			Abstract:     "Windows; watermarks, and state.",
			Status:       agenda.StatusConfirmed,
			LastModified: time.Date(2019, time.September, 1, 8, 0, 0, 0, time.UTC),
		}},
	}, 1, 1, nil)
	if err != nil {
		log.Fatal(err)
	}
	e, err := ical.Render(snap, ical.Options{BaseURL: "https://conf.example"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	doc, _ := object(e, "hello-streams")
	start := bytes.Index(doc.Body, []byte("BEGIN:VEVENT"))
	end := bytes.Index(doc.Body, []byte("END:VEVENT"))
	fmt.Print(string(bytes.ReplaceAll(doc.Body[start:end], []byte("\r\n"), []byte("\n"))))
	fmt.Println("events:", doc.Events, "modified:", doc.Modified)
	// Output:
	// BEGIN:VEVENT
	// CATEGORIES:Talks
	// DESCRIPTION:Windows\; watermarks\, and state.
	// DTEND;TZID=Europe/Berlin:20191008T104000
	// DTSTAMP:20190901T080000Z
	// DTSTART;TZID=Europe/Berlin:20191008T100000
	// LAST-MODIFIED:20190901T080000Z
	// LOCATION:Room 1
	// SEQUENCE:0
	// STATUS:CONFIRMED
	// SUMMARY:Hello\, Streams
	// UID:hello-streams@conf.example
	// URL:https://conf.example/sessions/hello-streams
	// events: 1 modified: 2019-09-01 08:00:00 +0000 UTC
}

package ics_test

import (
	"os"
	"path/filepath"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/ics"
)

// FuzzParse: any input gives a Result whose contents make a snapshot, the
// same on every Parse, or an error; never a panic.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.ics"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
		f.Add(data, "America/New_York")
	}
	for _, s := range []string{
		vcal("BEGIN:VEVENT\nUID:a\nDTSTART;TZID=W. Europe Standard Time:20241008T100000\nDURATION:P1DT2H\nSUMMARY:x\nRRULE:FREQ=DAILY\nEND:VEVENT\n"),
		"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=\"a\"b:1\nX;Y=\nEND:VEVENT\n",
		"BEGIN:VEVENT\nUID:x\nDTSTART:99991231T230000Z\nDTEND:99991231T235959Z\nSUMMARY:\\\nEND:VEVENT\n",
		"BEGIN:VCALENDAR\r\n BEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		f.Add(crlf(s), "UTC")
	}
	f.Fuzz(func(t *testing.T, data []byte, zone string) {
		r, err := ics.Parse(data, formats.Options{Name: "fuzz.ics", TimeZone: zone, Now: imported})
		if err != nil {
			return
		}
		if _, err := agenda.NewSnapshot(r.Contents, 1, 1, nil); err != nil {
			t.Fatalf("Parse gave contents that make no snapshot: %v", err)
		}
		again, err := ics.Parse(data, formats.Options{Name: "fuzz.ics", TimeZone: zone, Now: imported})
		if err != nil || dump(again) != dump(r) {
			t.Fatalf("a second Parse of the same bytes differs (%v)", err)
		}
	})
}

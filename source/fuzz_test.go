package source_test

import (
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/seeds"
	"confcal/source"
)

// FuzzParse: whatever the document, detection and parsing give a result
// whose contents make a snapshot, or an error that names the document;
// never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(versionA))
	f.Add(seeds.FlinkForwardBerlin2019()[:2000])
	f.Add([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T100000Z\r\nDTEND:20240101T110000Z\r\nSUMMARY:A\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte(`<schedule><conference><title>T</title><time_zone_name>UTC</time_zone_name></conference><day index="1" date="2024-01-01"><room name="R"><event guid="g"><date>2024-01-01T10:00:00Z</date><duration>00:30</duration><title>x</title></event></room></day></schedule>`))
	f.Add([]byte(`{"schedule":{"conference":{"title":"T","time_zone_name":"UTC","days":[]}}}`))
	f.Add([]byte(`{"sessions":[],"speakers":[],"rooms":[],"categories":[],"startsAt":null}`))
	f.Add([]byte("<html><body>October 8: 9:00 am - 9:40 am 40minKeynote</body></html>"))
	f.Add([]byte("just notes\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, format, err := source.Parse(data, "", formats.Options{Name: "doc.txt", TimeZone: "Europe/Berlin", UIDDomain: "fuzz.example"})
		if err != nil {
			if !strings.Contains(err.Error(), "doc.txt") {
				t.Fatalf("error %q does not name the document", err)
			}
			return
		}
		if format == "" {
			t.Fatal("a parsed document has no format")
		}
		if _, err := agenda.NewSnapshot(res.Contents, 1, 1, nil); err != nil {
			t.Fatalf("Parse (%s) gave contents NewSnapshot refuses: %v", format, err)
		}
	})
}

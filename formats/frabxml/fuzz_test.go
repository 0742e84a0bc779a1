package frabxml_test

import (
	"fmt"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/frabxml"
)

// FuzzParse feeds Parse arbitrary bytes: it returns an error or a Result
// whose contents make a snapshot and pass the Editor's rules, never
// panics; the snapshot exports and the export imports again with the
// same sessions at the same times.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"frab.xml", "pentabarf.xml", "hub.xml", "broken.xml"} {
		f.Add(readFixture(f, name))
	}
	f.Add(doc(`start="2025-06-01T06:00:00+02:00"`, event("00000000-0000-4000-8000-000000000001", "2025-06-02T06:30:00+02:00", "00:30", "Late")))
	f.Add([]byte("\xef\xbb\xbf<schedule><day date='2025-01-01'><room name='r'><event id='1'><start>25:00</start><duration>1:00</duration><title>t</title></event></room></day></schedule>"))
	f.Add([]byte(`<schedule><conference><time_zone_name>UTC</time_zone_name><day_change>04:00</day_change></conference><day date="2025-01-01"><room name="r"><event id="x"><start>01:00</start><duration>00:10</duration><title>a<b>b</title><abstract>&lt;p&gt;x&lt;/p&gt;</abstract></event></room></day></schedule>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := formats.Options{Name: "fuzz.xml", TimeZone: "Europe/Brussels"}
		r, err := frabxml.Parse(data, opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.xml") {
				t.Fatalf("error %q does not name the document", err)
			}
			return
		}
		snap, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
		if err != nil {
			t.Fatalf("Parse gives contents no snapshot takes: %v", err)
		}
		if err := editorTakes(r.Contents); err != nil {
			t.Fatalf("Parse gives contents the Editor refuses: %v", err)
		}
		for _, p := range r.Problems {
			if !strings.HasPrefix(p.Pos, "fuzz.xml") || p.Reason == "" {
				t.Fatalf("problem %q has no position or reason", p)
			}
		}
		out, err := frabxml.Export(snap, frabxml.ExportOptions{BaseURL: "https://confcal.example"})
		if err != nil {
			t.Fatalf("Export: %v", err)
		}
		opts.TimeZone = snap.Conference().TimeZone
		r2, err := frabxml.Parse(out, opts)
		if err != nil {
			t.Fatalf("the export does not import: %v\n%s", err, out)
		}
		if len(r2.Contents.Sessions) != len(r.Contents.Sessions) {
			t.Fatalf("the export imports %d sessions, not %d\n%s", len(r2.Contents.Sessions), len(r.Contents.Sessions), out)
		}
		// IDs that are neither UUIDs nor numbers come back as guids, and
		// speaker IDs that are neither numbers nor UUIDs as the slugs of
		// the names (see the package documentation), so sessions are
		// compared by what they say, as a multiset.
		seen := map[string]int{}
		key := func(c agenda.Contents, x agenda.Session) string {
			names := map[string]string{}
			for _, p := range c.Speakers {
				names[p.ID] = p.Name
			}
			var speakers []string
			for _, id := range x.Speakers {
				speakers = append(speakers, names[id])
			}
			return fmt.Sprintln(x.Start.Unix(), x.End.Unix(), x.Title, x.Room, x.Track, x.Abstract, speakers)
		}
		for _, x := range r.Contents.Sessions {
			seen[key(r.Contents, x)]++
		}
		for _, y := range r2.Contents.Sessions {
			if seen[key(r2.Contents, y)]--; seen[key(r2.Contents, y)] < 0 {
				t.Fatalf("after export and import, a session is new: %+v\n%s", y, out)
			}
		}
	})
}

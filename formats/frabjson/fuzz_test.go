package frabjson_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/frabjson"
)

// FuzzParse: any input gives a Result or an error, never a panic; a Result
// always makes a snapshot, its export always succeeds and reads back with
// as many sessions.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"dst.json", "pretalx-utc.json", "minimal.json", "broken.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"schedule":{"conference":{"title":"T","time_zone_name":"UTC","days":[{"date":"2024-01-01","rooms":{"R":[{"guid":"g","title":"x","date":"2024-01-01T10:00:00Z","duration":"00:30"}]}}]}}}`))
	f.Add([]byte(`{"schedule":{"conference":{"days":[{"date":"2024-01-01","day_end":"2024-01-02T11:59:00+14:00","rooms":{"":[{"id":1e3,"title":"x","start":"00:00","duration":"1440:00"}]}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := formats.Options{Name: "fuzz.json", UIDDomain: "fuzz.example", Now: now}
		if !bytes.Contains(data, []byte("time_zone_name")) {
			opts.TimeZone = "Europe/Berlin"
		}
		res, err := frabjson.Parse(data, opts)
		if err != nil {
			return
		}
		snap, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
		if err != nil {
			t.Fatalf("Parse gave contents NewSnapshot refuses: %v", err)
		}
		out, err := frabjson.Export(snap, frabjson.ExportOptions{BaseURL: "https://confcal.example"})
		if err != nil {
			t.Fatalf("Export of an import: %v", err)
		}
		back, err := frabjson.Parse(out, formats.Options{Name: "export.json", TimeZone: snap.Conference().TimeZone, UIDDomain: "fuzz.example", Now: now})
		if err != nil {
			t.Fatalf("Parse of an export: %v\n%s", err, out)
		}
		if got, want := len(back.Contents.Sessions), len(snap.Sessions()); got != want {
			t.Fatalf("the export reads back with %d sessions, want %d:\n%s", got, want, out)
		}
	})
}

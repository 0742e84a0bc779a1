package spreadsheet_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/spreadsheet"
)

// FuzzParse: any input gives a Result whose contents make a snapshot, or
// an error, never a panic; and a Result exports to a file that imports
// back to the same contents without problems.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, true)
	}
	for _, s := range []string{
		"title;start;duration\nA;08.10.2024 9:00;1h 30min\n",
		"title,date,time\nA,2024-10-08,14:00–14:40\n",
		"title,start,end,id\n\"x\n,2024-10-08 10:00,2024-10-08 11:00,1\nB\"c,2024-10-08 10:00,2024-10-08 11:00,2\n",
		"title\tstart\tend\tspeakers\n'=x\t2024-10-08 10:00+14:00\t2024-10-08 11:00Z\t;;a;A\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, berlin bool) {
		zone := "UTC"
		if berlin {
			zone = "Europe/Berlin"
		}
		opts := formats.Options{Name: "fuzz.csv", TimeZone: zone, Now: imported}
		r, err := spreadsheet.Parse(data, opts)
		if err != nil {
			return
		}
		snap, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
		if err != nil {
			t.Fatalf("Parse gave contents that make no snapshot: %v", err)
		}
		out, err := spreadsheet.Export(snap, spreadsheet.ExportOptions{})
		if err != nil {
			t.Fatalf("Export: %v", err)
		}
		back, err := spreadsheet.Parse(out, opts)
		if err != nil {
			t.Fatalf("the export does not import: %v\n%s", err, out)
		}
		if len(back.Problems) > 0 {
			t.Fatalf("problems importing the export: %v\n%s", back.Problems, out)
		}
		same(t, r.Contents, back.Contents)
		snap2, err := agenda.NewSnapshot(back.Contents, 1, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := spreadsheet.Export(snap2, spreadsheet.ExportOptions{}); err != nil || !bytes.Equal(again, out) {
			t.Fatalf("the second export differs: %v", err)
		}
	})
}

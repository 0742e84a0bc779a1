package spreadsheet_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/spreadsheet"
)

// readPython is a CSV reader that is not Go's: Python's csv module, in
// its default (Excel) dialect, reading the file as UTF-8 with or without
// a BOM; it prints the records as JSON.
const readPython = `import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    json.dump(list(csv.reader(f, strict=True)), sys.stdout)`

// TestExportPython: Python's csv module reads every export as encoding/csv
// does, cell for cell (line breaks inside cells, quotes, BOM).
func TestExportPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is needed to check exports with a second CSV reader")
		}
		t.Skip("no python3: exports not checked with a second CSV reader")
	}
	r := parseFile(t, "program.csv", formats.Options{TimeZone: "Europe/Berlin"})
	prog, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string][]byte{
		"small":       export(t, small(t), spreadsheet.ExportOptions{BaseURL: "https://confcal.example"}),
		"small BOM":   export(t, small(t), spreadsheet.ExportOptions{BOM: true}),
		"program.csv": export(t, prog, spreadsheet.ExportOptions{}),
	} {
		file := filepath.Join(t.TempDir(), "export.csv")
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(python, "-c", readPython, file)
		cmd.Stderr = os.Stderr
		js, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: python3's csv module cannot read the export: %v", name, err)
		}
		var theirs [][]string
		if err := json.Unmarshal(js, &theirs); err != nil {
			t.Fatal(err)
		}
		ours := records(t, out[len(out)-len(trimBOM(out)):])
		if len(theirs) != len(ours)+1 {
			t.Fatalf("%s: python3 reads %d records, encoding/csv %d and a header", name, len(theirs), len(ours))
		}
		for i, rec := range ours {
			if !slices.Equal(theirs[i+1], rec) {
				t.Errorf("%s, row %d:\npython3 %q\n     Go %q", name, i+1, theirs[i+1], rec)
			}
		}
	}
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && string(b[:3]) == "\uFEFF" {
		return b[3:]
	}
	return b
}

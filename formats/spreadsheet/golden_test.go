package spreadsheet_test

import (
	"flag"
	"strings"
	"testing"

	"confcal/formats"
	"confcal/formats/internal/formatstest"
	"confcal/formats/spreadsheet"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// imported is the fixed clock of every test import.
var imported = formatstest.Imported()

// dump writes what an import found, one fact a line (formatstest.Dump).
func dump(r formats.Result) string { return formatstest.Dump(r) }

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	formatstest.Golden(t, *update, name, got)
}

// lineDiff lists the lines of want and got that differ.
func lineDiff(want, got string) string { return formatstest.LineDiff(want, got) }

// parseFile imports testdata/name and checks that the result makes a snapshot.
func parseFile(t *testing.T, name string, opts formats.Options) formats.Result {
	t.Helper()
	return formatstest.ParseFile(t, name, opts, spreadsheet.Parse)
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts formats.Options
	}{
		{"program.csv", formats.Options{TimeZone: "Europe/Berlin"}},
		{"excel-de.csv", formats.Options{TimeZone: "Europe/Berlin", UIDDomain: "tagung.example"}},
		{"windows-1252.csv", formats.Options{TimeZone: "Europe/Berlin"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r := parseFile(t, tc.file, tc.opts)
			golden(t, strings.TrimSuffix(tc.file, ".csv")+".golden", dump(r))
		})
	}
}

// Package source reads an agenda from an organizer's schedule wherever it
// lives — a file or an http(s) URL — in any format confcal imports
// (package formats and its subpackages, and the seed's text format), and
// follows it: a Follower re-reads the source on a period and applies the
// differences to an agenda.Service as one revision.
//
// Reading is cheap to repeat: a URL is fetched with the validators of the
// last answer (If-None-Match, If-Modified-Since), and a body whose hash did
// not change is not parsed again. A broken source never breaks the agenda:
// a failed fetch, an error status, an unparsable body or a version that
// would cancel more than half the sessions at once changes nothing; the
// Follower reports it (Status) and keeps the served agenda as it was.
package source

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/frabjson"
	"confcal/formats/frabxml"
	"confcal/formats/ics"
	"confcal/formats/sessionize"
	"confcal/formats/spreadsheet"
	"confcal/seeds"
)

// Format names a schedule format.
type Format string

// The formats a source may be in.
const (
	FrabXML    Format = "schedule-xml"  // frab/pretalx/CCC hub schedule.xml, legacy Pentabarf too
	FrabJSON   Format = "schedule-json" // frab/pretalx schedule.json
	Sessionize Format = "sessionize"    // Sessionize API v2 "All" JSON
	ICS        Format = "ics"           // iCalendar from any tool
	CSV        Format = "csv"           // a spreadsheet's CSV export with a header row
	Seed       Format = "seed"          // the text format of the built-in Flink Forward agenda
)

// format is one format's reader.
type format struct {
	name  Format
	sniff func([]byte) bool
	parse func([]byte, formats.Options) (formats.Result, error)
}

// readers lists the formats in the order Detect tries them: the ones with
// an unmistakable start first, CSV (a header row of known column names)
// and the seed text (a line like "October 8: …" anywhere) last.
func readers() []format {
	return []format{
		{FrabXML, frabxml.Sniff, frabxml.Parse},
		{FrabJSON, frabjson.Sniff, frabjson.Parse},
		{Sessionize, sessionize.Sniff, sessionize.Parse},
		{ICS, ics.Sniff, ics.Parse},
		{CSV, spreadsheet.Sniff, spreadsheet.Parse},
		{Seed, seeds.Sniff, parseSeed},
	}
}

// Formats lists the format names ParseFormat knows, in Detect's order.
func Formats() []Format {
	var out []Format
	for _, f := range readers() {
		out = append(out, f.name)
	}
	return out
}

// ParseFormat reads a format name as the -format flag gives it.
func ParseFormat(name string) (Format, error) {
	for _, f := range readers() {
		if string(f.name) == name {
			return f.name, nil
		}
	}
	var names []string
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(names, ", "))
}

// Detect names the format of data from its content, "" when it looks like
// none of them.
func Detect(data []byte) Format {
	for _, f := range readers() {
		if f.sniff(data) {
			return f.name
		}
	}
	return ""
}

// nameTheFormat ends the errors of a document whose format was guessed.
const nameTheFormat = `-format, or "format" in the admin API, names the format if it is one`

// Parse imports data in format f (detected from the content when f is
// empty).
func Parse(data []byte, f Format, opts formats.Options) (formats.Result, Format, error) {
	if f == "" {
		f = Detect(data)
		name := cmp.Or(opts.Name, "the document")
		switch {
		case (f == "" || f == Seed) && isHTML(data):
			// A web page where a schedule was expected (a login page, an
			// error page answered 200).
			return formats.Result{}, "", fmt.Errorf("%s: an HTML page, not a schedule (is the URL the schedule's export? %s)", name, nameTheFormat)
		case f == "":
			// The seed's text is the last guess; where it fails too, say
			// what else was looked for, not only what the seed's format
			// wanted of some line.
			res, err := parseSeed(data, opts)
			if err != nil {
				return formats.Result{}, "", fmt.Errorf("%s: not schedule.xml, schedule.json, the Sessionize All view, iCalendar or a CSV with a header row "+
					"naming a title and a start column (%s); read as the seed's text: %w", name, nameTheFormat, err)
			}
			return res, Seed, nil
		}
	}
	i := slices.IndexFunc(readers(), func(r format) bool { return r.name == f })
	if i < 0 {
		_, err := ParseFormat(string(f))
		return formats.Result{}, f, err
	}
	res, err := readers()[i].parse(data, opts)
	return res, f, err
}

// isHTML reports whether data starts like an HTML page.
func isHTML(data []byte) bool {
	s := strings.ToLower(strings.TrimLeft(string(data[:min(len(data), 512)]), "\ufeff \t\r\n"))
	return strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") || strings.HasPrefix(s, "<head")
}

// parseSeed reads the seed's text format, which describes the sessions of
// Flink Forward Berlin 2019 and nothing of the conference itself.
func parseSeed(data []byte, opts formats.Options) (formats.Result, error) {
	c, err := seeds.Parse(opts.Name, data, seeds.FlinkForwardBerlin2019Conference())
	if err != nil {
		return formats.Result{}, err
	}
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); err != nil {
		return formats.Result{}, fmt.Errorf("%s: %w", opts.Name, err)
	}
	return formats.Result{Contents: c}, nil
}

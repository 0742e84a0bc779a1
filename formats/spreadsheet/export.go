package spreadsheet

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"confcal/agenda"
	"confcal/formats/internal/schedule"
)

// Header is the header row Export writes, the columns in their order.
const Header = "title,start,end,room,track,speakers,abstract,id,url"

// ExportOptions shape an export beyond the agenda.
type ExportOptions struct {
	// BaseURL is the server's public URL without a trailing slash, e.g.
	// "https://confcal.example". A session without a source URL gets
	// BaseURL + "/sessions/" + its ID in the url column; with no BaseURL
	// its url cell stays empty.
	BaseURL string
	// BOM starts the file with a UTF-8 byte-order mark. Excel needs it to
	// read a CSV file as UTF-8 (without it, Excel reads the legacy code
	// page of the system); other programs read the file either way.
	BOM bool
}

// Export writes snap's sessions as CSV (RFC 4180: CR LF after each row,
// line breaks inside cells as LF, as Excel writes them): the
// header row Header, then one row per session in agenda order, cancelled
// sessions left out (the format has no status: a session that is gone
// from the file is cancelled). Times are local times in the conference's
// zone, "2019-10-08 14:00", with an offset only where the local time is
// ambiguous (see formatTime); speakers are their names separated by "; "
// (a ";" inside a name is written as ","); text that a spreadsheet would
// run as a formula (starting with =, +, -, @, a tab or a CR) is written
// after a "'", which Parse removes. The same snapshot and options always
// give the same bytes.
func Export(snap *agenda.Snapshot, opts ExportOptions) ([]byte, error) {
	if snap == nil {
		return nil, errors.New("spreadsheet: export: nil snapshot")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("spreadsheet: export: base URL %q is not an absolute http(s) URL without query", opts.BaseURL)
		}
	}
	var buf bytes.Buffer
	if opts.BOM {
		buf.WriteString("\uFEFF")
	}
	writeRow(&buf, strings.Split(Header, ","))
	loc := snap.Location()
	for _, x := range snap.Sessions() {
		if x.Status == agenda.StatusCancelled {
			continue
		}
		room, ok := snap.Room(x.Room)
		if !ok {
			return nil, fmt.Errorf("spreadsheet: export: session %q: unknown room %q", x.ID, x.Room)
		}
		track, ok := snap.Track(x.Track)
		if !ok {
			return nil, fmt.Errorf("spreadsheet: export: session %q: unknown track %q", x.ID, x.Track)
		}
		names := make([]string, 0, len(x.Speakers))
		for _, id := range x.Speakers {
			p, ok := snap.Speaker(id)
			if !ok {
				return nil, fmt.Errorf("spreadsheet: export: session %q: unknown speaker %q", x.ID, id)
			}
			names = append(names, safe(strings.ReplaceAll(schedule.OneLine(p.Name), ";", ",")))
		}
		link := x.URL
		if link == "" && base != "" {
			link = base + "/sessions/" + url.PathEscape(x.ID)
		}
		row := []string{
			safe(schedule.OneLine(x.Title)),
			formatTime(x.Start, loc),
			formatTime(x.End, loc),
			safe(schedule.OneLine(room.Name)),
			safe(schedule.OneLine(track.Name)),
			strings.Join(names, "; "),
			safe(schedule.Multiline(x.Abstract)),
			x.ID,
			link,
		}
		writeRow(&buf, row)
	}
	return buf.Bytes(), nil
}

// writeRow writes one CSV record as Excel does: a cell that holds a comma,
// a quote, a line break or blanks at its start in quotes, its quotes
// doubled; line breaks inside cells as LF, the row ended by CR LF.
// (encoding/csv's Writer with UseCRLF writes the line breaks inside cells
// as CR LF too, which other readers keep in the cell.)
func writeRow(buf *bytes.Buffer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			buf.WriteByte(',')
		}
		if c == "" || !strings.ContainsAny(c, ",\"\r\n") && c[0] != ' ' && c[0] != '\t' {
			buf.WriteString(c)
			continue
		}
		buf.WriteByte('"')
		buf.WriteString(strings.ReplaceAll(c, `"`, `""`))
		buf.WriteByte('"')
	}
	buf.WriteString("\r\n")
}

// safe puts a "'" before text a spreadsheet would take for a formula
// (CSV injection: a title "=HYPERLINK(…)" from a submission form must
// not run in the organizers' Excel), and before text that already is
// quotes and such text ("'=x"), so that Parse's unformula gives back
// exactly the text.
func safe(s string) string {
	if formulaStart(s) || escaped(s) {
		return "'" + s
	}
	return s
}

package spreadsheet

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"
)

// Sniff reports whether data looks like a schedule spreadsheet: one of its
// first rows is a header naming a title and a start column.
func Sniff(data []byte) bool {
	if len(data) > 4096 {
		data = data[:4096]
	}
	s, _ := text(data)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 && len(data) == 4096 {
		s = s[:i+1] // no partial line at the cut
	}
	_, _, err := findHeader(newRows(s))
	return err == nil
}

// parser holds the state of one Parse call.
type parser struct {
	schedule.Drafts
	opts formats.Options
	cols [nFields]int
}

// Parse imports a schedule spreadsheet saved as CSV (see the package
// documentation for the columns it reads). It fails only when the file has
// no header naming the columns it needs, no usable row, or when
// opts.TimeZone is not set (a spreadsheet names no zone); every row it
// skips or repairs is reported in the Result's Problems as "NAME:LINE".
func Parse(data []byte, opts formats.Options) (formats.Result, error) {
	if opts.Name == "" {
		opts.Name = "spreadsheet"
	}
	p := &parser{opts: opts}
	p.Drafts = schedule.Drafts{Name: opts.Name, Now: schedule.Now(opts), Words: schedule.Words{
		Room:     "room %q is read as %q (the same ID, %q)",
		Track:    "track %q is read as %q (the same ID, %q)",
		Sessions: "sessions",
	}}
	src, cp1252 := text(data)
	if len(cp1252) > 0 {
		p.Problemf(0, "%s not UTF-8: read as Windows-1252", schedule.Lines(cp1252))
	}
	rows := newRows(src)
	head, at, err := findHeader(rows)
	if err != nil {
		return formats.Result{}, fmt.Errorf("%s%w", opts.Name, err)
	}
	if at > 1 {
		p.Problemf(at, "the header row: the %d lines above it are not read", at-1)
	}
	var notes []string
	p.cols, notes = header(head)
	for _, n := range notes {
		p.Problemf(at, "%s", n)
	}
	if p.Loc, _, err = formats.Zone(opts, ""); err != nil {
		return formats.Result{}, err
	}
	if p.cols[fID] < 0 {
		p.Problemf(0, "no id column: sessions are identified by their start and room, so a moved session will read as a cancelled one and a new one")
	}

	var drafts []schedule.Draft
	seen := map[string]int{} // session ID → line of its row
	found := 0
	for {
		row, no, err := rows.next()
		if errors.Is(err, io.EOF) {
			break
		}
		found++
		var bad *badRow
		if errors.As(err, &bad) {
			p.Problemf(bad.line, "%s", bad.reason)
			continue
		}
		if err != nil {
			return formats.Result{}, fmt.Errorf("%s: %w", opts.Name, err)
		}
		if bad, ok := rows.repaired(no); ok {
			p.Problemf(no, "%s", bad)
		}
		d, ok := p.row(no, row)
		if !ok {
			continue
		}
		if at, dup := seen[d.Session.ID]; dup {
			p.Problemf(no, "id %q again (first at line %d): skipped, the first is kept", schedule.Clip(strings.TrimSpace(p.cell(row, fID))), at)
			continue
		}
		seen[d.Session.ID] = no
		drafts = append(drafts, d)
	}
	drafts = p.Window(drafts)
	if len(drafts) == 0 {
		return formats.Result{}, p.NoneUsable("row", found)
	}
	conf := agenda.Conference{Name: conferenceName(opts.Name), TimeZone: p.Loc.String(), UIDDomain: opts.UIDDomain}
	if conf.UIDDomain == "" {
		conf.UIDDomain = cmp.Or(agenda.Slug(conf.Name), "spreadsheet") + ".invalid"
	}
	return formats.Result{Contents: p.Assemble(drafts, conf), Problems: p.Problems}, nil
}

// headerRows is how far down findHeader looks for the header row.
const headerRows = 10

// findHeader reads rows up to the header row, the first of the first
// headerRows rows that names a title and a start column: hand-made sheets
// often put the event's name or a note above it. It returns the header's
// cells and line, or an error (to follow the file's name) that says what
// the first row holds instead.
func findHeader(rows *rows) ([]string, int, error) {
	var first []string
	for range headerRows {
		cells, no, err := rows.next()
		var bad *badRow
		switch {
		case errors.Is(err, io.EOF) && first == nil:
			return nil, 0, errors.New(" is empty: want a header row (title, start, end, room, …) and a row per session")
		case errors.Is(err, io.EOF):
			return nil, 0, missing(first)
		case errors.As(err, &bad):
			continue
		case err != nil:
			return nil, 0, fmt.Errorf(": %w", err)
		}
		if first == nil {
			first = cells
		}
		if cols, _ := header(cells); cols[fTitle] >= 0 && cols[fStart] >= 0 {
			return cells, no, nil
		}
	}
	return nil, 0, missing(first)
}

// missing says which column a header row that is not one lacks.
func missing(cells []string) error {
	cols, _ := header(cells)
	what := "title"
	if cols[fTitle] >= 0 {
		what = "start"
	}
	return fmt.Errorf(":1: no %s column in the header %s (nor in the %d rows below it): want columns named title, start, end (or duration), room, track, speakers, abstract, id", what, quoteCells(cells), headerRows-1)
}

// conferenceName names the conference after the file ("program.csv":
// "program"): a spreadsheet does not name it.
func conferenceName(name string) string {
	n, _ := formats.Fit(schedule.NamedAfter(name, "Imported schedule"), agenda.MaxConferenceNameLength)
	return n
}

// cell returns row's cell of field f, "" when the file has no such column
// or the row is short.
func (p *parser) cell(row []string, f field) string {
	if i := p.cols[f]; i >= 0 && i < len(row) {
		return row[i]
	}
	return ""
}

// nightLength is the longest a session whose end, a time of day alone,
// is read on the day after its start may last.
const nightLength = 12 * time.Hour

// row reads one row into a session, or reports why it cannot. A row of
// blank cells (a spreadsheet's empty line) is passed over silently.
func (p *parser) row(no int, row []string) (schedule.Draft, bool) {
	blank := true
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			blank = false
			break
		}
	}
	if blank {
		return schedule.Draft{}, false
	}
	title := unformula(schedule.OneLine(p.cell(row, fTitle)))
	if title == "" {
		return p.Skipf(no, "no title")
	}
	var cut bool
	if title, cut = formats.Fit(title, agenda.MaxTitleLength); cut {
		p.Problemf(no, "the title is longer than %d characters: cut", agenda.MaxTitleLength)
	}
	day := p.cell(row, fDate)
	startCell, endCell := p.cell(row, fStart), p.cell(row, fEnd)
	if strings.TrimSpace(endCell) == "" && strings.TrimSpace(p.cell(row, fDuration)) == "" {
		if a, b, ok := timeRange(startCell); ok {
			startCell, endCell = a, b
		}
	}
	start, note, err := parseTime(startCell, day, p.Loc)
	if err != nil {
		return p.Skipf(no, "start %q: %v", schedule.Clip(startCell), err)
	}
	if note != "" {
		p.Problemf(no, "start %q %s", schedule.Clip(startCell), note)
	}
	var end time.Time
	switch dur := p.cell(row, fDuration); {
	case strings.TrimSpace(endCell) != "":
		// An end without a date is on the start's day.
		end, note, err = parseTime(endCell, cmp.Or(strings.TrimSpace(day), start.Format("2006-01-02")), start.Location())
		if err != nil {
			return p.Skipf(no, "end %q: %v", schedule.Clip(endCell), err)
		}
		if _, _, dated := cutDate(strings.TrimSpace(endCell)); !dated && !end.After(start) {
			// A time of day alone that is not after the start is on
			// the next day: a session past midnight (23:30–00:30) is
			// written so in a sheet with a date column. Only when that
			// makes a session of at most nightLength: an end a few
			// hours early (14:00–13:00) is a typo, and stays refused.
			next := agenda.DateOf(start, start.Location()).AddDays(1).String()
			if e, n, err := parseTime(endCell, next, start.Location()); err == nil && e.After(start) && e.Sub(start) <= nightLength {
				end, note = e, n
			}
		}
		if note != "" {
			p.Problemf(no, "end %q %s", schedule.Clip(endCell), note)
		}
	case strings.TrimSpace(dur) != "":
		d, err := parseDuration(dur)
		if err != nil {
			return p.Skipf(no, "duration: %v", err)
		}
		end = start.Add(d)
	default:
		return p.Skipf(no, "no end (or duration)")
	}
	s, e, ok := p.Span(no, start, end)
	if !ok {
		return schedule.Draft{}, false
	}
	d := schedule.Draft{Line: no, Session: agenda.Session{Title: title, Start: s, End: e}}
	d.Room = unformula(schedule.OneLine(p.cell(row, fRoom)))
	if d.Room, cut = formats.Fit(d.Room, agenda.MaxNameLength); cut {
		p.Problemf(no, "the room's name is longer than %d characters: cut", agenda.MaxNameLength)
	}
	d.Track = unformula(schedule.OneLine(p.cell(row, fTrack)))
	if d.Track, cut = formats.Fit(d.Track, agenda.MaxNameLength); cut {
		p.Problemf(no, "the track's name is longer than %d characters: cut", agenda.MaxNameLength)
	}
	if p.cols[fID] >= 0 {
		key := strings.TrimSpace(p.cell(row, fID))
		if key == "" {
			return p.Skipf(no, "no id (the file has an id column, and a session without one could not be followed from one import to the next)")
		}
		d.Session.ID = formats.KeyID(key)
		// A number written canonically is the session's Number: two such
		// ids are two numbers ("7" and "007" are not both 7).
		if n, err := strconv.ParseInt(key, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == key {
			d.Session.Number = n
		}
	} else {
		d.Session.ID = schedule.FallbackID(s, cmp.Or(d.Room, schedule.NoRoomName))
	}
	for _, name := range strings.FieldsFunc(p.cell(row, fSpeakers), func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		name = unformula(schedule.OneLine(name))
		if name == "" {
			continue
		}
		if name, cut = formats.Fit(name, agenda.MaxNameLength); cut {
			p.Problemf(no, "a speaker's name is longer than %d characters: cut", agenda.MaxNameLength)
		}
		d.Speakers = append(d.Speakers, name)
	}
	d.Session.Abstract = unformula(schedule.Multiline(p.cell(row, fAbstract)))
	if d.Session.Abstract, cut = formats.Fit(d.Session.Abstract, agenda.MaxAbstractLength); cut {
		p.Problemf(no, "the abstract is longer than %d characters: cut", agenda.MaxAbstractLength)
	}
	if u := strings.TrimSpace(p.cell(row, fURL)); u != "" {
		if webURL(u) {
			d.Session.URL = u
		} else {
			p.Problemf(no, "url %q is not an http(s) address: left out", schedule.Clip(u))
		}
	}
	return d, true
}

// timeRange splits a start cell that holds a range, "14:00–14:40" or
// "2019-10-08 14:00 - 14:40", at its dash (–, — or -) into a start and an
// end: hand-made schedules write times so.
func timeRange(cell string) (string, string, bool) {
	for _, dash := range []string{"–", "—", "-"} {
		i := strings.LastIndex(cell, dash)
		if i < 0 {
			continue
		}
		a, b := strings.TrimSpace(cell[:i]), strings.TrimSpace(cell[i+len(dash):])
		if _, _, _, rest, ok := cutClock(b); ok && rest == "" && a != "" {
			return a, b, true
		}
	}
	return "", "", false
}

// unformula undoes the quote Export puts before text that a spreadsheet
// would run as a formula: "'=x" reads as "=x", "”=x" as "'=x".
func unformula(s string) string {
	if escaped(s) {
		return s[1:]
	}
	return s
}

// escaped reports whether s is quotes ("'") and then text a spreadsheet
// would take for a formula.
func escaped(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i > 0 && formulaStart(s[i:])
}

// formulaStart reports whether a spreadsheet would take s for a formula
// (OWASP's list: = + - @, a tab or a CR first).
func formulaStart(s string) bool {
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// quoteCells writes header cells for an error message.
func quoteCells(cells []string) string {
	q := make([]string, 0, len(cells))
	for i, c := range cells {
		if i == 8 {
			q = append(q, "…")
			break
		}
		q = append(q, strconv.Quote(schedule.Clip(c)))
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// webURL reports whether s is an absolute http(s) URL.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" && !strings.ContainsAny(s, " \t\n")
}

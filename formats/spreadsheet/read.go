package spreadsheet

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"confcal/formats/internal/schedule"
)

// text returns data as UTF-8 text: without a byte-order mark, UTF-16
// converted, lines that are not UTF-8 read as Windows-1252 (what Excel's
// plain "CSV" writes on Western Windows; their numbers are returned), and
// the bare CR line ends of old Mac spreadsheets as LF. Line numbers stay
// those of the file.
func text(data []byte) (string, []int) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = []byte(strings.TrimPrefix(schedule.UTF16(data[2:], data[0] == 0xFE), "\uFEFF"))
	}
	if bytes.IndexByte(data, '\n') < 0 {
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	var b strings.Builder
	var bad []int
	for no, l := range bytes.SplitAfter(data, []byte("\n")) {
		if utf8.Valid(l) {
			b.Write(l)
			continue
		}
		bad = append(bad, no+1)
		b.WriteString(schedule.Windows1252(l))
	}
	return b.String(), bad
}

// delimiter sniffs the field delimiter from the header line: the one of
// ',', ';' and tab that occurs most often outside quotes (',' on a tie).
// European spreadsheets write ';' (their decimal comma takes ','), a
// copy from a spreadsheet's window gives tabs.
func delimiter(text string) rune {
	count := map[byte]int{}
	quoted := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '"' {
			quoted = !quoted
		}
		if !quoted && (c == '\n' || c == '\r') {
			break
		}
		if !quoted {
			count[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if count[c] > count[best] {
			best = c
		}
	}
	return rune(best)
}

// field is a column the import reads.
type field int

const (
	fTitle field = iota
	fStart
	fEnd
	fDuration
	fDate
	fRoom
	fTrack
	fSpeakers
	fAbstract
	fID
	fURL
	nFields
)

// names are the fields' names in the header and in errors.
func (f field) String() string {
	return [...]string{"title", "start", "end", "duration", "date", "room", "track", "speakers", "abstract", "id", "url"}[f]
}

// column returns the field a header cell names, and whether the cell uses
// the field's own name rather than an alias. Names are compared in lower
// case with blanks, "_", "-" and "." left out ("Start time" is
// "starttime").
func column(cell string) (f field, own, ok bool) {
	key := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '_', '-', '.', '\uFEFF':
			return -1
		}
		return r
	}, strings.ToLower(cell))
	for f := range nFields {
		if key == f.String() {
			return f, true, true
		}
	}
	switch key {
	case "summary", "name", "session", "talk", "sessiontitle", "talktitle":
		return fTitle, false, true
	case "starts", "begin", "from", "starttime", "time":
		return fStart, false, true
	case "ends", "until", "to", "endtime", "finish":
		return fEnd, false, true
	case "length", "minutes", "durationminutes":
		return fDuration, false, true
	case "day", "startdate":
		return fDate, false, true
	case "location", "venue", "stage", "hall":
		return fRoom, false, true
	case "category", "categories", "topic":
		return fTrack, false, true
	case "speaker", "presenter", "presenters", "speakername", "speakernames":
		return fSpeakers, false, true
	case "description", "details":
		return fAbstract, false, true
	case "uid", "guid", "key", "code", "sessionid":
		return fID, false, true
	case "link", "website", "web":
		return fURL, false, true
	}
	return 0, false, false
}

// header maps each field to its column (-1: none). A field's own name
// wins over an alias, and the first column over later ones; the columns
// passed over are returned as notes.
func header(cells []string) (cols [nFields]int, notes []string) {
	own := [nFields]bool{}
	for i := range cols {
		cols[i] = -1
	}
	for i, cell := range cells {
		f, isOwn, ok := column(cell)
		if !ok {
			continue
		}
		switch {
		case cols[f] < 0:
		case isOwn && !own[f]:
			notes = append(notes, "column "+strconv.Itoa(cols[f]+1)+" ("+strconv.Quote(cells[cols[f]])+") is not read as the "+f.String()+": column "+strconv.Itoa(i+1)+" ("+strconv.Quote(cell)+") names it")
		default:
			notes = append(notes, "column "+strconv.Itoa(i+1)+" ("+strconv.Quote(cell)+") is not read: column "+strconv.Itoa(cols[f]+1)+" ("+strconv.Quote(cells[cols[f]])+") is the "+f.String())
			continue
		}
		cols[f], own[f] = i, isOwn
	}
	return cols, notes
}

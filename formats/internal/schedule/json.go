package schedule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"confcal/agenda"
	"confcal/formats"
)

// SniffJSON reports whether data looks like a JSON object (after an
// optional byte-order mark) with the members a and b near its start. It
// reads at most the first 64 KiB.
func SniffJSON(data []byte, a, b string) bool {
	head, _ := jsonText(data[:min(len(data), 64<<10)])
	head = bytes.TrimLeft(head, " \t\r\n")
	return len(head) > 0 && head[0] == '{' && hasMember(head, a) && hasMember(head, b)
}

// hasMember reports whether head holds "name" followed by a colon: a
// member of that name, not a string value that happens to read so.
func hasMember(head []byte, name string) bool {
	quoted := []byte(`"` + name + `"`)
	for i := bytes.Index(head, quoted); i >= 0; {
		rest := bytes.TrimLeft(head[i+len(quoted):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return true
		}
		j := bytes.Index(head[i+1:], quoted)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// jsonText returns data as UTF-8: without a byte-order mark, UTF-16
// (with a mark, or without one when the first character is ASCII, as RFC
// 4627 §3 told readers to tell it) converted, and lines that are not UTF-8
// read as Windows-1252, whose numbers it returns. JSON must be UTF-8 (RFC
// 8259 §8.1), but a schedule saved by Windows tools (PowerShell's
// Out-File, Notepad) comes as UTF-16 or in the machine's code page; read
// as UTF-8, every such character would become U+FFFD. Line numbers stay
// those of the file.
func jsonText(data []byte) ([]byte, []int) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		// A mark in the UTF-8 text converted too (PowerShell keeps one).
		data = []byte(strings.TrimPrefix(UTF16(data[2:], data[0] == 0xFE), "\ufeff"))
	case len(data) >= 2 && data[0] != 0 && data[1] == 0:
		data = []byte(UTF16(data, false))
	case len(data) >= 2 && data[0] == 0 && data[1] != 0:
		data = []byte(UTF16(data, true))
	}
	if utf8.Valid(data) {
		return data, nil
	}
	var out []byte
	var bad []int
	for no, l := range bytes.SplitAfter(data, []byte("\n")) {
		if utf8.Valid(l) {
			out = append(out, l...)
			continue
		}
		bad = append(bad, no+1)
		out = append(out, Windows1252(l)...)
	}
	return out, bad
}

// DecodeJSON reads data as one JSON value, naming the line and column of
// a syntax error, of the end of a document cut short or of anything after
// the value: the only errors that make a whole document unreadable. want
// says, for an empty document, what was expected ("a JSON object").
// Errors start with p.Name. A byte-order mark is dropped, UTF-16 converted
// and lines that are not UTF-8 are read as Windows-1252 and reported.
func (p *Places) DecodeJSON(data []byte, want string) (json.RawMessage, error) {
	name := p.Name
	data, cp1252 := jsonText(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	err := dec.Decode(&raw)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// Offset counts the byte the decoder stumbled on.
		return nil, fmt.Errorf("%s:%s: not JSON: %w", name, lineCol(data, syn.Offset-1), err)
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%s: empty document, want %s", name, want)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("%s:%s: the document ends before its JSON does (cut short?)", name, lineCol(data, int64(len(data))))
	case err != nil:
		return nil, fmt.Errorf("%s: not JSON: %w", name, err)
	}
	if len(cp1252) > 0 {
		p.Report("", Lines(cp1252)+" not UTF-8: read as Windows-1252")
	}
	off := dec.InputOffset()
	if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
		rest := bytes.TrimLeft(data[off:], " \t\r\n")
		return nil, fmt.Errorf("%s:%s: more after the JSON document", name, lineCol(data, int64(len(data)-len(rest))))
	}
	return raw, nil
}

// lineCol returns "line:column" (both from 1) of the byte at offset off
// in data.
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// Array returns the elements of raw when it is a JSON array.
func Array(raw json.RawMessage) ([]json.RawMessage, bool) {
	var elems []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, false
	}
	return elems, true
}

// Places collects the problems of a document whose positions are places
// in it ("day 2, room Foo, event 3 (guid …)", "session 4711") rather than
// lines.
type Places struct {
	Name     string // the document's name, the start of every position
	Problems []formats.Problem
	// LastSkip is the last problem that skipped something, with its
	// place: the error of an import that kept nothing quotes it.
	LastSkip string
}

// Report records a problem at where, a place in the document ("" for the
// document as a whole).
func (p *Places) Report(where, reason string) {
	pos := p.Name
	if where != "" {
		pos += ": " + where
	}
	p.Problems = append(p.Problems, formats.Problem{Pos: pos, Reason: reason})
	if strings.HasSuffix(reason, "skipped") {
		p.LastSkip = where + ": " + reason
	}
}

// Fit cuts s, the field named so at where, to max characters and reports
// when it had to.
func (p *Places) Fit(where, field, s string, max int) string {
	s, cut := formats.Fit(s, max)
	if cut {
		p.Report(where, fmt.Sprintf("%s is longer than %d characters: cut", field, max))
	}
	return s
}

// Result returns c and the problems as the import's Result, once c makes
// a snapshot: the import repairs whatever would break a rule of the model,
// so an error here is a bug in it.
func (p *Places) Result(c agenda.Contents) (formats.Result, error) {
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); err != nil {
		return formats.Result{}, fmt.Errorf("%s: the imported agenda breaks a rule of the model: %w", p.Name, err)
	}
	return formats.Result{Contents: c, Problems: p.Problems}, nil
}

// Number returns n, the source's number of the session at where, as its
// Number, and records it in seen (Number → place); a number seen before
// is reported and 0 returned: the session is numbered anew.
func (p *Places) Number(where string, n int64, seen map[int64]string) int64 {
	if first, dup := seen[n]; dup {
		p.Report(where, fmt.Sprintf("id %d is also the id of %s: numbered anew", n, first))
		return 0
	}
	seen[n] = where
	return n
}

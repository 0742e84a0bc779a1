package spreadsheet

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// rows reads the records of a CSV text with encoding/csv, strictly (RFC
// 4180 quoting), and repairs what strict reading refuses:
//
//   - a quote inside an unquoted field or after a closing quote, on a
//     one-line row: the row is read again leniently (csv.Reader's
//     LazyQuotes), so `The "best" talk` keeps its quotes;
//   - a quoted field that never ends (it would take the rest of the file
//     into one cell): the row is skipped, and reading goes on at the line
//     after its first.
type rows struct {
	src   string
	delim rune
	line  []int // the offset in src where each line starts
	r     *csv.Reader
	base  int            // the lines of src before r's input
	fixed map[int]string // line → what repaired reading did there
}

// badRow is a row that cannot be read: where it starts and why.
type badRow struct {
	line   int
	reason string
}

func (b *badRow) Error() string { return b.reason }

func newRows(src string) *rows {
	rs := &rows{src: src, delim: delimiter(src), line: []int{0}, fixed: map[int]string{}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			rs.line = append(rs.line, i+1)
		}
	}
	rs.from(0)
	return rs
}

// from starts reading strictly at line index k (counted from 0).
func (rs *rows) from(k int) {
	rs.base = k
	rs.r = rs.reader(rs.src[rs.line[k]:], false)
}

func (rs *rows) reader(s string, lazy bool) *csv.Reader {
	r := csv.NewReader(strings.NewReader(s))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = rs.delim, -1, lazy
	return r
}

// next returns the next record and the line it starts on (counted from
// 1), a *badRow for a row that cannot be read, or io.EOF.
func (rs *rows) next() ([]string, int, error) {
	rec, err := rs.r.Read()
	if err == nil {
		no, _ := rs.r.FieldPos(0)
		return rec, rs.base + no, nil
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return nil, 0, err
	}
	first, last := rs.base+pe.StartLine, rs.base+pe.Line
	if first == last && first <= len(rs.line) {
		end := len(rs.src)
		if first < len(rs.line) {
			end = rs.line[first]
		}
		lazy := rs.reader(rs.src[rs.line[first-1]:end], true)
		if rec, err := lazy.Read(); err == nil {
			if _, err := lazy.Read(); errors.Is(err, io.EOF) {
				rs.fixed[first] = "a quote inside a field that is not quoted, or after a closing quote: read as a character"
				return rec, first, nil
			}
		}
		return nil, 0, &badRow{first, fmt.Sprintf("the row cannot be read (%v): skipped", pe.Err)}
	}
	// A quoted field ran on past its row, to line last: take the quote
	// for a mistake, skip the row and read on after its first line.
	if first < len(rs.line) {
		rs.from(first)
	} else {
		rs.r = rs.reader("", false)
	}
	return nil, 0, &badRow{first, fmt.Sprintf("a quoted field that does not end where its row does (it runs to line %d): the row is skipped, reading goes on at the next line", last)}
}

// repaired returns what repaired reading did on the row of line no.
func (rs *rows) repaired(no int) (string, bool) {
	s, ok := rs.fixed[no]
	return s, ok
}

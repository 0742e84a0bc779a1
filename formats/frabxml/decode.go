package frabxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"confcal/formats/internal/schedule"
)

// node is an element of the document, kept with the line it starts on:
// the importer walks this tree rather than unmarshalling into structs, so
// that unknown elements, elements where the schema has attributes (the CCC
// hub's <code>) and HTML inside text fields cost nothing.
type node struct {
	name  string // local name, lower case
	attrs []xml.Attr
	line  int
	parts []part // text and child elements in document order
}

// part is a run of text or a child element.
type part struct {
	text string
	kid  *node
}

// maxDepth bounds how deep the tree is kept: a schedule needs six levels
// (schedule, day, room, event, persons, person) and HTML in an abstract a
// few more; deeper elements are read past without being stored.
const maxDepth = 64

// child returns the first child element called name, or nil.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, p := range n.parts {
		if p.kid != nil && p.kid.name == name {
			return p.kid
		}
	}
	return nil
}

// children returns the child elements called name.
func (n *node) children(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, p := range n.parts {
		if p.kid != nil && p.kid.name == name {
			out = append(out, p.kid)
		}
	}
	return out
}

// lineOr returns n's line, or def when n is nil.
func (n *node) lineOr(def int) int {
	if n == nil {
		return def
	}
	return n.line
}

// attr returns the value of the attribute called name ("" when absent).
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

// text returns all the text inside n, its descendants' included.
func (n *node) text() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	n.writeText(&b)
	return b.String()
}

func (n *node) writeText(b *strings.Builder) {
	for _, p := range n.parts {
		if p.kid != nil {
			p.kid.writeText(b)
		} else {
			b.WriteString(p.text)
		}
	}
}

// markup returns the inside of n as HTML: text as escaped HTML and child
// elements as tags. An abstract whose HTML was not escaped arrives as
// child elements; written back as markup, formats.PlainText reads its
// paragraphs and links like those of an escaped one.
func (n *node) markup() string {
	if n == nil {
		return ""
	}
	if len(n.parts) == 1 && n.parts[0].kid == nil {
		return n.parts[0].text // the common case: escaped HTML or plain text
	}
	var b strings.Builder
	n.writeMarkup(&b)
	return b.String()
}

func (n *node) writeMarkup(b *strings.Builder) {
	for _, p := range n.parts {
		if p.kid == nil {
			b.WriteString(p.text)
			continue
		}
		b.WriteString("<" + p.kid.name)
		if href := p.kid.attr("href"); href != "" {
			b.WriteString(` href="` + strings.ReplaceAll(href, `"`, "&quot;") + `"`)
		}
		b.WriteString(">")
		p.kid.writeMarkup(b)
		b.WriteString("</" + p.kid.name + ">")
	}
}

// decoded is a document read into a tree, with what reading it repaired.
type decoded struct {
	root *node
	// notes are repairs made before or while parsing, as (line, reason);
	// line 0 means the whole document.
	notes []note
}

type note struct {
	line   int
	reason string
}

// decode reads data as XML leniently: byte-order marks (UTF-8, UTF-16) are
// dropped, ISO-8859-1 is converted, invalid UTF-8 and characters XML
// forbids are replaced, HTML entities are understood and missing end tags
// are invented (encoding/xml's non-strict mode), character references to
// forbidden characters and a "<" that starts no tag are mended (see
// repairMarkup).
//
// XML that still breaks is an error, a *lineError with the line where it
// breaks, wherever it breaks: a document is never read in part. The part
// before the break would be a schedule without the sessions after it,
// and an import or a followed source takes a session missing from the
// document as cancelled, so a break in one title (or a download cut off)
// would cancel every session after it, too few at a time for the guard
// against mass cancellation to catch. Refused, the document changes
// nothing and its error says where to mend it.
func decode(data []byte) (*decoded, error) {
	d := &decoded{}
	text, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(text) {
		d.notes = append(d.notes, note{0, "bytes that are not UTF-8 were replaced by U+FFFD"})
		text = bytes.ToValidUTF8(text, []byte("\uFFFD"))
	}
	if n := forbidden(text); n > 0 {
		text = replaceForbidden(text)
		d.notes = append(d.notes, note{0, fmt.Sprintf("%d characters that XML does not allow (control characters, U+FFFE, U+FFFF) were replaced", n)})
	}
	text, notes := repairMarkup(text)
	d.notes = append(d.notes, notes...)

	dec := xml.NewDecoder(bytes.NewReader(text))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	// The bytes are UTF-8 by now, whatever the declaration says.
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil }

	var stack []*node
	skipped := 0 // open elements below maxDepth that are not stored
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) > 0 && d.root != nil {
				// encoding/xml says "unexpected EOF" first; this is the
				// same cut-off document, refused for the same reason.
				return nil, &lineError{line, "the document ends inside <" + stack[len(stack)-1].name + ">: it is cut off; nothing is imported"}
			}
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			if d.root == nil {
				return nil, &lineError{line, "not readable as XML: " + unwrapSyntax(err)}
			}
			return nil, &lineError{line, fmt.Sprintf("the XML breaks here (%s); nothing is imported, as the part before this line alone would cancel every session after it", unwrapSyntax(err))}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if d.root != nil && len(stack) == 0 {
				// A second root element: the document proper is over.
				d.notes = append(d.notes, note{line, "content after the end of <" + d.root.name + "> is ignored"})
				return d, nil
			}
			if skipped > 0 || len(stack) >= maxDepth {
				skipped++
				continue
			}
			n := &node{name: strings.ToLower(t.Name.Local), attrs: t.Attr, line: line}
			if len(stack) == 0 {
				d.root = n
			} else {
				parent := stack[len(stack)-1]
				parent.parts = append(parent.parts, part{kid: n})
			}
			stack = append(stack, n)
		case xml.EndElement:
			if skipped > 0 {
				skipped--
				continue
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if skipped > 0 || len(stack) == 0 {
				continue
			}
			n := stack[len(stack)-1]
			if k := len(n.parts); k > 0 && n.parts[k-1].kid == nil {
				n.parts[k-1].text += string(t)
			} else {
				n.parts = append(n.parts, part{text: string(t)})
			}
		}
	}
	if d.root == nil {
		return nil, errors.New("no XML element in the document")
	}
	return d, nil
}

// lineError is a document decode refuses, with the line where reading
// it stopped: Parse names the document before it ("schedule.xml:1204: …").
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return e.msg }

// unwrapSyntax returns the message of an XML syntax error without its
// "XML syntax error on line N" prefix, which the note's position says.
func unwrapSyntax(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// toUTF8 returns data as UTF-8 without a byte-order mark. UTF-16 is
// recognised by its byte-order mark, ISO-8859-1 by the XML declaration;
// another declared encoding is an error (the schedule writers all write
// UTF-8).
func toUTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return []byte(schedule.UTF16(data[2:], data[0] == 0xFE)), nil
	}
	switch enc := strings.ToLower(declaredEncoding(data)); enc {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "utf-16", "utf16":
		// UTF-16 declared without a byte-order mark but read as ASCII
		// so far can only be UTF-8 mislabelled.
		return data, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		r := make([]rune, len(data))
		for i, c := range data {
			r[i] = rune(c)
		}
		return []byte(string(r)), nil
	default:
		return nil, fmt.Errorf("the XML declaration names the encoding %q; only UTF-8, UTF-16 and ISO-8859-1 are read", enc)
	}
}

// declaredEncoding returns the encoding named in data's XML declaration.
func declaredEncoding(data []byte) string {
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(data[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	rest, ok := strings.CutPrefix(rest, "=")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, " \t\r\n")
	if rest == "" || rest[0] != '"' && rest[0] != '\'' {
		return ""
	}
	v, _, ok := strings.Cut(rest[1:], rest[:1])
	if !ok {
		return ""
	}
	return strings.TrimSpace(v)
}

// forbidden counts the characters in UTF-8 text that XML does not allow
// and encoding/xml stops at: the ASCII control characters but tab, line
// feed and carriage return, and the non-characters U+FFFE and U+FFFF.
func forbidden(text []byte) int {
	n := 0
	for i, c := range text {
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			n++
		case c == 0xEF && i+2 < len(text) && text[i+1] == 0xBF && (text[i+2] == 0xBE || text[i+2] == 0xBF):
			n++
		}
	}
	return n
}

// replaceForbidden returns a copy of text with the characters forbidden
// counts replaced: control characters by spaces (they would be dropped
// from the text anyway), U+FFFE and U+FFFF by U+FFFD.
func replaceForbidden(text []byte) []byte {
	out := bytes.Clone(text)
	for i, c := range out {
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			out[i] = ' '
		case c == 0xEF && i+2 < len(out) && out[i+1] == 0xBF && (out[i+2] == 0xBE || out[i+2] == 0xBF):
			out[i+2] = 0xBD
		}
	}
	return out
}

// maxMarkupNotes bounds the notes repairMarkup makes one by one: a
// document that needs the same repair everywhere gets the first ones
// with their lines and one note counting the rest, not a report as long
// as itself.
const maxMarkupNotes = 20

// repairMarkup mends the two mistakes in text that encoding/xml stops at
// even in its non-strict mode and that schedule writers make in titles
// and abstracts: a character reference to a character XML does not allow
// ("&#11;", "&#x1B;", "&#xFFFF;", which an escaping writer makes of a
// control character in the text) and a "<" that starts no markup ("a < b",
// "<3"). Such a reference is replaced by what a raw forbidden character is
// replaced by (see replaceForbidden), such a "<" by "&lt;", so that it
// stays in the text. Comments, CDATA sections, processing instructions
// and declarations are left as they are (nothing there is a reference or
// markup). It returns text itself when nothing needed mending, and a note
// with the line of each repair.
func repairMarkup(text []byte) ([]byte, []note) {
	var (
		out   []byte // nil until the first repair: most documents need none
		done  int    // text[:done] is in out already
		notes []note
		more  int // repairs past maxMarkupNotes
		line  = 1
	)
	mend := func(at, end int, with, reason string) {
		if out == nil {
			out = make([]byte, 0, len(text)+len(text)/64)
		}
		out = append(append(out, text[done:at]...), with...)
		done = end
		if len(notes) < maxMarkupNotes {
			notes = append(notes, note{line, reason})
		} else {
			more++
		}
	}
	// skipTo moves past the end of a construct that ends in end, counting
	// its lines; an unterminated one runs to the end of the text.
	skipTo := func(i int, end string) int {
		j := bytes.Index(text[i:], []byte(end))
		if j < 0 {
			j = len(text) - i
		} else {
			j += len(end)
		}
		line += bytes.Count(text[i:i+j], []byte("\n"))
		return i + j
	}
	inTag := false   // between a start tag's name and its ">"
	afterEq := false // in a tag, after an attribute's "=": a quote opens its value
	var quote byte   // the quote of the attribute value being read, or 0
	for i := 0; i < len(text); {
		c := text[i]
		if inTag && quote == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			// Only a quote right after "=" opens a value: an apostrophe
			// elsewhere in a broken tag must not make the rest of the
			// document an attribute value.
			wasEq := afterEq
			afterEq = c == '='
			if (c == '"' || c == '\'') && wasEq {
				quote = c
				i++
				continue
			}
		}
		switch {
		case c == '\n':
			line++
		case c == '&':
			if n, r, ok := charRef(text[i:]); ok && forbiddenRune(r) {
				with := " "
				if r > unicode.MaxASCII {
					with = "\uFFFD"
				}
				mend(i, i+n, with, fmt.Sprintf("the character reference %s stands for %U, which XML does not allow; replaced by %q", text[i:i+n], r, with))
				i += n
				continue
			}
		case quote != 0 && c == quote:
			quote = 0
		case inTag && quote == 0 && c == '>':
			inTag, afterEq = false, false
		case c == '<' && quote != 0:
			// encoding/xml refuses "<" inside a quoted attribute value.
			mend(i, i+1, "&lt;", `a "<" inside an attribute value; read as text`)
			i++
			continue
		case c == '<' && !inTag:
			rest := text[i+1:]
			switch {
			case bytes.HasPrefix(rest, []byte("!--")):
				i = skipTo(i, "-->")
				continue
			case bytes.HasPrefix(rest, []byte("![CDATA[")):
				i = skipTo(i, "]]>")
				continue
			case bytes.HasPrefix(rest, []byte("?")):
				i = skipTo(i, "?>")
				continue
			case bytes.HasPrefix(rest, []byte("!")), bytes.HasPrefix(rest, []byte("/")):
				i = skipTo(i, ">")
				continue
			case startsName(rest):
				inTag = true
			default:
				mend(i, i+1, "&lt;", `a "<" that starts no tag; read as text`)
				i++
				continue
			}
		}
		i++
	}
	if out == nil {
		return text, nil
	}
	if more > 0 {
		notes = append(notes, note{line, fmt.Sprintf("%d more references and \"<\" like those above were mended", more)})
	}
	return append(out, text[done:]...), notes
}

// charRef reads a numeric character reference at the start of b as
// encoding/xml does ("&#" digits ";" or "&#x" hex digits ";", lower-case
// x only): its length and the character it stands for. ok is false for
// anything encoding/xml would not read as one (it keeps those as text).
func charRef(b []byte) (n int, r rune, ok bool) {
	if !bytes.HasPrefix(b, []byte("&#")) {
		return 0, 0, false
	}
	i, base := 2, 10
	if i < len(b) && b[i] == 'x' {
		i, base = i+1, 16
	}
	start := i
	for i < len(b) && (b[i] >= '0' && b[i] <= '9' || base == 16 && (b[i] >= 'a' && b[i] <= 'f' || b[i] >= 'A' && b[i] <= 'F')) {
		i++
	}
	if i == len(b) || b[i] != ';' {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(string(b[start:i]), base, 64)
	if err != nil || v > unicode.MaxRune {
		return 0, 0, false
	}
	return i + 1, rune(v), true
}

// forbiddenRune reports whether encoding/xml stops at r as the character
// a reference stands for: the ASCII control characters but tab, line feed
// and carriage return, and the non-characters U+FFFE and U+FFFF (a
// surrogate becomes U+FFFD on the way and passes).
func forbiddenRune(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF
}

// startsName reports whether b starts with a character an XML name may
// start with, as encoding/xml reads it after "<": a letter, "_" or ":",
// or any character beyond ASCII.
func startsName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	c := b[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= utf8.RuneSelf
}

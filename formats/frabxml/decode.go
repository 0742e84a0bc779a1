package frabxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
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
// are invented (encoding/xml's non-strict mode). A syntax error after the
// root element has started ends the document there, with a note; one
// before it is an error.
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
				d.notes = append(d.notes, note{line, "the document ends inside <" + stack[len(stack)-1].name + ">; what came before is kept"})
			}
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			if d.root == nil {
				return nil, fmt.Errorf("line %d: not readable as XML: %w", line, err)
			}
			d.notes = append(d.notes, note{line, fmt.Sprintf("the XML breaks here (%v); the rest of the document is ignored", unwrapSyntax(err))})
			break
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

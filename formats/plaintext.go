package formats

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PlainText turns an HTML fragment (an abstract from Pentabarf or the CCC
// hub) into readable plain text for calendars: block elements (p, div,
// headings, list items, br) end lines, list items start with "• ", a
// link whose text is not its address keeps the address in parentheses,
// script and style elements go with their content, entities are decoded,
// runs of blanks inside a line collapse to one space, and control
// characters but newlines go. Text without markup comes back with its
// blanks tidied the same way. It never fails: a fragment that is not well
// formed reads as well as it can.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return tidy(s)
	}
	var b strings.Builder
	var href string // the open link's address
	var linkAt int  // where the open link's text starts in b
	skip := ""      // "script" or "style" while inside one
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			lt = len(s)
		}
		if skip == "" {
			b.WriteString(html.UnescapeString(s[:lt]))
		}
		s = s[lt:]
		if s == "" {
			break
		}
		if len(s) < 2 || !(s[1] == '/' || s[1] == '!' || s[1] < utf8.RuneSelf && unicode.IsLetter(rune(s[1]))) {
			// "<" not starting a tag is text ("1 < 2").
			if skip == "" {
				b.WriteByte('<')
			}
			s = s[1:]
			continue
		}
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			// A lone "<" is text.
			if skip == "" {
				b.WriteString(html.UnescapeString(s))
			}
			break
		}
		tag := s[1:gt]
		s = s[gt+1:]
		if strings.HasPrefix(tag, "!--") {
			if end := strings.Index(s, "-->"); end >= 0 && !strings.HasSuffix(tag, "--") {
				s = s[end+3:]
			}
			continue
		}
		closing := strings.HasPrefix(tag, "/")
		name, attrs := tagName(strings.TrimPrefix(tag, "/"))
		if skip != "" {
			if closing && name == skip {
				skip = ""
			}
			continue
		}
		switch name {
		case "script", "style":
			if !closing && !strings.HasSuffix(tag, "/") {
				skip = name
			}
		case "br":
			b.WriteByte('\n')
		case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote", "table", "tr", "section", "article", "header", "footer", "dl":
			b.WriteString("\n\n")
		case "li", "dt", "dd":
			if !closing {
				b.WriteString("\n• ")
			}
		case "td", "th":
			b.WriteByte(' ')
		case "a":
			if !closing {
				href, linkAt = attr(attrs, "href"), b.Len()
			} else if href != "" {
				text := strings.TrimSpace(b.String()[linkAt:])
				if u := strings.TrimPrefix(href, "mailto:"); text != href && text != u && (strings.HasPrefix(href, "http") || strings.HasPrefix(href, "mailto:")) {
					b.WriteString(" (" + u + ")")
				}
				href = ""
			}
		}
	}
	return tidy(b.String())
}

// tagName splits the inside of a tag into its lower-case name and the rest.
func tagName(tag string) (name, attrs string) {
	i := strings.IndexFunc(tag, func(r rune) bool { return unicode.IsSpace(r) || r == '/' })
	if i < 0 {
		return strings.ToLower(tag), ""
	}
	return strings.ToLower(tag[:i]), tag[i:]
}

// attr returns the value of attribute key in a tag's attributes.
func attr(attrs, key string) string {
	for {
		i := indexASCIIFold(attrs, key+"=")
		if i < 0 {
			return ""
		}
		v := attrs[i+len(key)+1:]
		if i > 0 && !unicode.IsSpace(rune(attrs[i-1])) {
			attrs = v
			continue
		}
		if v != "" && (v[0] == '"' || v[0] == '\'') {
			if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
				return html.UnescapeString(v[1 : end+1])
			}
			return html.UnescapeString(v[1:])
		}
		if end := strings.IndexFunc(v, unicode.IsSpace); end >= 0 {
			v = v[:end]
		}
		return html.UnescapeString(v)
	}
}

// indexASCIIFold is strings.Index ignoring ASCII case. strings.ToLower
// would not do: it can change the byte length of non-ASCII text, and the
// index must point into s itself.
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && asciiLower(s[i+j]) == asciiLower(sub[j]) {
			j++
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// tidy collapses blanks inside lines, trims lines, keeps at most one empty
// line in a row, drops control characters but newline, and trims the ends.
func tidy(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	empty := 0
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.FieldsFunc(line, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
		if line == "" {
			empty++
			continue
		}
		if b.Len() > 0 {
			if empty > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		empty = 0
		b.WriteString(line)
	}
	return b.String()
}

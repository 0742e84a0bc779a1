package caldav

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// XML namespaces of the properties we serve.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/" // Apple CalendarServer: getctag
	nsApple  = "http://apple.com/ns/ical/"     // calendar-color, calendar-order
)

// Names of the properties and elements the package reads or writes.
var (
	nameResourceType     = xml.Name{Space: nsDAV, Local: "resourcetype"}
	nameDisplayName      = xml.Name{Space: nsDAV, Local: "displayname"}
	nameGetETag          = xml.Name{Space: nsDAV, Local: "getetag"}
	nameGetContentType   = xml.Name{Space: nsDAV, Local: "getcontenttype"}
	nameGetContentLength = xml.Name{Space: nsDAV, Local: "getcontentlength"}
	nameGetLastModified  = xml.Name{Space: nsDAV, Local: "getlastmodified"}
	nameSyncToken        = xml.Name{Space: nsDAV, Local: "sync-token"}
	nameSupportedReports = xml.Name{Space: nsDAV, Local: "supported-report-set"}
	namePrivileges       = xml.Name{Space: nsDAV, Local: "current-user-privilege-set"}
	nameOwner            = xml.Name{Space: nsDAV, Local: "owner"}
	namePrincipalURL     = xml.Name{Space: nsDAV, Local: "principal-URL"}
	nameCurrentPrincipal = xml.Name{Space: nsDAV, Local: "current-user-principal"}
	nameCalendarData     = xml.Name{Space: nsCalDAV, Local: "calendar-data"}
	nameCalendarDesc     = xml.Name{Space: nsCalDAV, Local: "calendar-description"}
	nameCalendarHomeSet  = xml.Name{Space: nsCalDAV, Local: "calendar-home-set"}
	nameComponentSet     = xml.Name{Space: nsCalDAV, Local: "supported-calendar-component-set"}
	nameSupportedData    = xml.Name{Space: nsCalDAV, Local: "supported-calendar-data"}
	nameGetCTag          = xml.Name{Space: nsCS, Local: "getctag"}
	nameCalendarColor    = xml.Name{Space: nsApple, Local: "calendar-color"}
	nameCalendarOrder    = xml.Name{Space: nsApple, Local: "calendar-order"}
)

// Answers are written straight into a byte slice, not through
// encoding/xml: they are mostly pre-rendered pieces (property elements,
// each object's escaped calendar-data), and encoding/xml's reflection and
// escaping of the same bytes on every request cost more than everything
// else in a REPORT.
//
// Every property element declares its own namespace as the default one
// (<getctag xmlns="http://calendarserver.org/ns/">…</getctag>), so it can
// be rendered once and placed anywhere; the envelope (multistatus,
// response, href, propstat, prop, status) is in DAV:, the default
// namespace of the document.

// chunkSize is how much of a multistatus answer is held before it is
// written: answers are streamed in writes of this size, so a request
// holds one chunk however large its answer, and each chunk goes to the
// client in one Write of one contiguous slice, which passes net/http's
// small buffers (2 KB in the response, 4 KB on the connection) straight
// to the socket instead of being copied through them in pieces.
const chunkSize = 32 << 10

// multistatusWriter streams a DAV:multistatus document (RFC 4918 §14.16)
// to the client in chunks of chunkSize bytes. The status (207) and
// headers go out with the first chunk, so everything that can refuse the
// request (the body, the filter, the sync token, the hrefs) is checked
// before the first response is written: after that the status can no
// longer change. An answer that fits in one chunk goes out with its
// Content-Length.
type multistatusWriter struct {
	w       http.ResponseWriter
	chunks  *sync.Pool
	buf     *[]byte // the chunk, from chunks until finish
	b       []byte  // the bytes of the chunk not written yet
	started bool    // the status and a first chunk went out
	err     error   // the first failed write: the client went away
	missing []int   // scratch space of writeResponse
	// Scratch space of view.writeProp for data made per request (an
	// expanded object) and of rawEscaped.
	data, escaped []byte
}

// newMultistatus starts a multistatus answer to w.
func (h *Handler) newMultistatus(w http.ResponseWriter) *multistatusWriter {
	buf := h.chunks.Get().(*[]byte)
	out := &multistatusWriter{w: w, chunks: &h.chunks, buf: buf, b: (*buf)[:0]}
	out.raw(xml.Header)
	out.raw(`<multistatus xmlns="DAV:">`)
	return out
}

// ok reports whether the answer is still being written: false once the
// client went away, when the caller may stop.
func (w *multistatusWriter) ok() bool { return w.err == nil }

// beginResponse opens a response for an href already escaped for XML.
func (w *multistatusWriter) beginResponse(hrefXML ...string) {
	w.raw("<response><href>")
	for _, s := range hrefXML {
		w.raw(s)
	}
	w.raw("</href>")
}

func (w *multistatusWriter) endResponse() { w.raw("</response>") }

func (w *multistatusWriter) beginPropstat() { w.raw("<propstat><prop>") }

func (w *multistatusWriter) endPropstat(code int) {
	w.raw("</prop><status>")
	w.raw(statusLine(code))
	w.raw("</status></propstat>")
}

// status writes a response-level status.
func (w *multistatusWriter) status(code int) {
	w.raw("<status>")
	w.raw(statusLine(code))
	w.raw("</status>")
}

// raw writes XML as it is, filling the chunk and writing each full one.
func (w *multistatusWriter) raw(s string) { put(w, s) }

// rawEscaped writes b escaped for XML, through a scratch buffer the
// writer keeps for the next call.
func (w *multistatusWriter) rawEscaped(b []byte) {
	w.escaped = appendEscaped(w.escaped[:0], b)
	put(w, w.escaped)
}

// put is raw for text of either type.
func put[T string | []byte](w *multistatusWriter, s T) {
	for {
		n := copy(w.b[len(w.b):cap(w.b)], s)
		w.b = w.b[:len(w.b)+n]
		if s = s[n:]; len(s) == 0 {
			return
		}
		w.flush()
	}
}

// flush writes the chunk held, with the status first.
func (w *multistatusWriter) flush() {
	if !w.started {
		w.w.Header().Set("Content-Type", xmlContentType)
		w.w.WriteHeader(http.StatusMultiStatus)
		w.started = true
	}
	if w.err == nil && len(w.b) > 0 {
		_, w.err = w.w.Write(w.b)
	}
	w.b = w.b[:0]
}

// finish closes the document, with a sync-token when tok is not empty,
// writes what is left and gives the chunk back.
func (w *multistatusWriter) finish(tok string) {
	if tok != "" {
		w.raw("<sync-token>")
		w.raw(escape(tok))
		w.raw("</sync-token>")
	}
	w.raw("</multistatus>\n")
	if !w.started {
		w.w.Header().Set("Content-Length", strconv.Itoa(len(w.b)))
	}
	w.flush()
	*w.buf = w.b[:0]
	w.chunks.Put(w.buf)
	w.buf, w.b = nil, nil
}

// statusLine is the text of a DAV:status element.
func statusLine(code int) string {
	switch code {
	case http.StatusOK:
		return "HTTP/1.1 200 OK"
	case http.StatusNotFound:
		return "HTTP/1.1 404 Not Found"
	}
	return "HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code)
}

// appendEscaped appends s escaped as XML character data (and fit for an
// attribute value in double quotes). CR is written as a character
// reference, so CRLF line ends survive XML parsing (a parser turns a
// literal CR LF into LF); LF and tab stay as they are, so calendar data
// stays readable. Characters XML 1.0 cannot carry become U+FFFD.
func appendEscaped[T string | []byte](b []byte, s T) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var rep string
		width := 1
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '"':
			rep = "&#34;"
		case c == '\r':
			rep = "&#xD;"
		case c == '\n' || c == '\t':
		case c < 0x20:
			rep = "\uFFFD"
		case c >= utf8.RuneSelf:
			// At most one rune's bytes: a conversion the compiler does on
			// the stack when s is a []byte.
			r, n := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
			width = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				rep = "\uFFFD"
			}
		}
		if rep != "" {
			b = append(b, s[last:i]...)
			b = append(b, rep...)
			last = i + width
		}
		i += width
	}
	return append(b, s[last:]...)
}

// escape returns s escaped as by appendEscaped.
func escape(s string) string { return string(appendEscaped(make([]byte, 0, len(s)+len(s)/32), s)) }

// el renders an element with its namespace declared and the given inner
// XML.
func el(name xml.Name, inner ...string) string {
	return "<" + name.Local + ` xmlns="` + escape(name.Space) + `">` + strings.Join(inner, "") + "</" + name.Local + ">"
}

// emptyElem renders an empty element with its namespace declared: a
// property named in a 404 propstat or a propname answer.
func emptyElem(name xml.Name) string {
	return "<" + name.Local + ` xmlns="` + escape(name.Space) + `"/>`
}

// textElem renders an element holding text.
func textElem(name xml.Name, text string) string { return el(name, escape(text)) }

// hrefXML renders a DAV:href holding a path.
func hrefXML(p string) string {
	return el(xml.Name{Space: nsDAV, Local: "href"}, escape(escapePath(p)))
}

// escapePath percent-encodes a path for an href.
func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// davErrorElem renders a DAV:error element (RFC 4918 §16) holding inner.
func davErrorElem(inner string) string { return el(xml.Name{Space: nsDAV, Local: "error"}, inner) }

// davErrorBody renders a DAV:error body holding inner.
func davErrorBody(inner string) []byte { return []byte(xml.Header + davErrorElem(inner) + "\n") }

// condition renders an empty precondition element.
func condition(space, local string) string { return el(xml.Name{Space: space, Local: local}) }

// xmlContentType is the Content-Type of every XML answer.
const xmlContentType = "application/xml; charset=utf-8"

// writeXML writes an XML body with its status.
func writeXML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", xmlContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// hrefPath returns the path of an href, which may be an absolute URL.
func hrefPath(h string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(h))
	if err != nil {
		return "", false
	}
	return u.Path, true
}

// errBadName is a property name that cannot be written back in XML.
var errBadName = errors.New("the request names a property that cannot be answered in XML")

// checkName reports whether a property name from a request can be written
// as an element: its local part must be an XML name without a colon.
// (encoding/xml hands on what it reads, e.g. a local name from
// <xmlns:p/>, or a prefix it could not resolve as the namespace.)
func checkName(n xml.Name) error {
	if n.Local == "" {
		return errBadName
	}
	for i, r := range n.Local {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || r == '.' || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)):
		default:
			return errBadName
		}
	}
	if n.Local == "xmlns" {
		// It would be read as a namespace declaration.
		return errBadName
	}
	return nil
}

package caldav

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// rawElem is one XML element kept as its name and its inner XML. It reads
// go-webdav's answers (whose elements each declare their namespace, so the
// inner XML stands on its own) and writes ours.
type rawElem struct {
	XMLName xml.Name
	Inner   string `xml:",innerxml"`
}

// multistatus is a 207 body (RFC 4918 §14.16, RFC 6578 §6.4).
type multistatus struct {
	XMLName   xml.Name   `xml:"DAV: multistatus"`
	Responses []response `xml:"DAV: response"`
	SyncToken string     `xml:"DAV: sync-token,omitempty"`
}

type response struct {
	Hrefs       []string   `xml:"DAV: href"`
	Propstats   []propstat `xml:"DAV: propstat"`
	Status      string     `xml:"DAV: status,omitempty"`
	Error       *rawElem   `xml:"DAV: error,omitempty"`
	Description string     `xml:"DAV: responsedescription,omitempty"`
}

// propstat is one DAV:propstat: properties sharing a status.
type propstat struct {
	Props  []rawElem
	Status string
}

// encoding/xml cannot say "any element inside DAV:prop" with one field tag,
// so a propstat is decoded and encoded through this pair.
type propstatXML struct {
	Prop        propXML `xml:"DAV: prop"`
	Status      string  `xml:"DAV: status"`
	Description string  `xml:"DAV: responsedescription,omitempty"`
}

type propXML struct {
	Values []rawElem `xml:",any"`
}

func (ps propstat) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(propstatXML{Prop: propXML{ps.Props}, Status: ps.Status}, start)
}

func (ps *propstat) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var x propstatXML
	if err := d.DecodeElement(&x, &start); err != nil {
		return err
	}
	ps.Props, ps.Status = x.Prop.Values, x.Status
	return nil
}

// statusLine is the text of a DAV:status element.
func statusLine(code int) string {
	return fmt.Sprintf("HTTP/1.1 %d %s", code, http.StatusText(code))
}

// statusCode reads the code out of a DAV:status line; 0 when malformed.
func statusCode(line string) int {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return n
}

// escape returns s escaped as XML character data. CR is written as a
// character reference, so CRLF line ends survive XML parsing (a parser
// turns a literal CR LF into LF); LF stays as it is, so calendar data
// stays readable. Characters XML 1.0 cannot carry become U+FFFD.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/32)
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || r >= 0xD800 && r <= 0xDFFF:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// el renders an element with its namespace declared and the given inner
// XML.
func el(name xml.Name, inner ...string) string {
	return "<" + name.Local + ` xmlns="` + strings.ReplaceAll(escape(name.Space), `"`, "&#34;") + `">` +
		strings.Join(inner, "") + "</" + name.Local + ">"
}

// hrefXML renders a DAV:href holding a path.
func hrefXML(p string) string {
	return el(xml.Name{Space: nsDAV, Local: "href"}, escape(escapePath(p)))
}

// escapePath percent-encodes a path for an href.
func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// textProp is a property holding text.
func textProp(name xml.Name, text string) rawElem { return rawElem{XMLName: name, Inner: escape(text)} }

// xmlProp is a property holding elements.
func xmlProp(name xml.Name, inner ...string) rawElem {
	return rawElem{XMLName: name, Inner: strings.Join(inner, "")}
}

// davErrorBody renders a DAV:error body (RFC 4918 §16) holding inner.
func davErrorBody(inner string) []byte {
	return []byte(xml.Header + el(xml.Name{Space: nsDAV, Local: "error"}, inner) + "\n")
}

// condition renders an empty precondition element.
func condition(space, local string) string { return el(xml.Name{Space: space, Local: local}) }

// encodeMultistatus renders ms as a complete XML document.
func encodeMultistatus(ms *multistatus) ([]byte, error) {
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(ms); err != nil {
		return nil, fmt.Errorf("caldav: encoding multistatus: %w", err)
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
}

// writeXML writes an XML body with its status.
func writeXML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
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

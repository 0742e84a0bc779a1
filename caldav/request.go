package caldav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// davRequest is a PROPFIND or REPORT body, decoded in one pass whatever
// its document element: the handler dispatches on XMLName and reads the
// parts that kind of request has.
type davRequest struct {
	XMLName xml.Name

	// PROPFIND (RFC 4918 §14.20) and the prop part of REPORTs.
	Prop     *nameList `xml:"DAV: prop"`
	AllProp  *struct{} `xml:"DAV: allprop"`
	PropName *struct{} `xml:"DAV: propname"`
	Include  *nameList `xml:"DAV: include"` // with allprop (RFC 4918 §14.8)

	// calendar-query (RFC 4791 §9.5).
	Filter *filter `xml:"urn:ietf:params:xml:ns:caldav filter"`
	// calendar-multiget (RFC 4791 §9.10).
	Hrefs []string `xml:"DAV: href"`
	// free-busy-query (RFC 4791 §9.11): all of them, so that more than
	// the one it must hold is seen.
	TimeRanges []freeBusyRange `xml:"urn:ietf:params:xml:ns:caldav time-range"`

	// sync-collection (RFC 6578 §6.1).
	SyncToken *string `xml:"DAV: sync-token"`
	SyncLevel string  `xml:"DAV: sync-level"`
	Limit     *struct {
		NResults string `xml:"DAV: nresults"`
	} `xml:"DAV: limit"`
}

// maxRequestedProps bounds the properties one request may name (in
// DAV:prop, or DAV:include beside DAV:allprop), and maxRequestedPropBytes
// the length of their names together, as answers write them (an empty
// element declaring its namespace, e.g. <getetag xmlns="DAV:"/>). Every
// name asked for is answered in every response of the answer, a name the
// resource lacks with 404 (RFC 4918 §9.1), so without a bound the answer
// grows as names × resources: a 1 MiB body of unknown names on a calendar
// of a hundred objects would be answered with hundreds of megabytes. The
// longest list real clients send is iOS's PROPFIND of the calendar home,
// 39 names written in 2 KB (testdata/clients/ios-home.xml); the bounds
// leave room for more.
const (
	maxRequestedProps     = 64
	maxRequestedPropBytes = 4 << 10
)

// errTooManyProps refuses a request over maxRequestedProps or
// maxRequestedPropBytes. It is answered 400 Bad Request, not 507
// Insufficient Storage, which RFC 4918 §11.5 also allows for a request
// the server will not carry out: a 5xx says the server failed, and
// clients and monitoring treat it so (retrying, alerting), while here the
// request is what must change.
var errTooManyProps = fmt.Errorf("the request names more than %d properties, or names longer than %d bytes together; ask for fewer",
	maxRequestedProps, maxRequestedPropBytes)

// nameList is the names of the elements inside DAV:prop (or DAV:include);
// what they hold is skipped, but for what calendar-data asks (data).
// Decoding stops at the first name over maxRequestedProps or
// maxRequestedPropBytes, so a body of thousands of names costs no more
// than reading up to there.
type nameList struct {
	names []xml.Name // as listed, repeats included
	data  dataRequest
}

// dataRequest is what a CALDAV:calendar-data element in a REPORT asks of
// the objects' data (RFC 4791 §9.6): a media type and version, and
// whether to expand each object over a time range (§9.6.5). Its comp and
// prop (§9.6.1), which ask for parts of an object, are not honoured: an
// object is one VEVENT and its VTIMEZONE, and is answered whole, as
// Radicale does. limit-recurrence-set and limit-freebusy-set change
// nothing in objects without recurrence or free-busy data.
type dataRequest struct {
	contentType, version string // as given; "" for none
	expand               bool
	start, end           time.Time // expand's range, [start, end)
}

// supported reports whether the media type and version asked for are the
// one calendar-data is served in, the one supported-calendar-data lists.
func (r dataRequest) supported() bool {
	mt, _, _ := strings.Cut(r.contentType, ";")
	return (r.contentType == "" || strings.EqualFold(strings.TrimSpace(mt), "text/calendar")) &&
		(r.version == "" || strings.TrimSpace(r.version) == "2.0")
}

// decodeDataRequest reads a calendar-data element of a prop list.
func decodeDataRequest(d *xml.Decoder, start xml.StartElement) (dataRequest, error) {
	var r dataRequest
	for _, a := range start.Attr {
		switch {
		case a.Name.Space != "":
		case a.Name.Local == "content-type":
			r.contentType = a.Value
		case a.Name.Local == "version":
			r.version = a.Value
		}
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return r, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name == calName("expand") { // it reads its element whole
				rng, err := decodeExpand(d, t)
				if err != nil {
					return r, err
				}
				r.start, r.end, r.expand = rng.start, rng.end, true
				continue
			}
			if err := d.Skip(); err != nil {
				return r, err
			}
		case xml.EndElement:
			return r, nil
		}
	}
}

// decodeExpand reads the range of a CALDAV:expand as plainRange does;
// both its ends are required (RFC 4791 §9.6.5).
func decodeExpand(d *xml.Decoder, e xml.StartElement) (span, error) {
	r, err := plainRange(d, e)
	switch {
	case err != nil:
		return r, fmt.Errorf("expand: %w", err)
	case r.start.IsZero() || r.end.IsZero():
		return r, errors.New("expand needs both start and end")
	}
	return r, nil
}

func (l *nameList) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	size := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			size += len(emptyElem(t.Name))
			if len(l.names) == maxRequestedProps || size > maxRequestedPropBytes {
				return errTooManyProps
			}
			l.names = append(l.names, t.Name)
			if t.Name == nameCalendarData {
				var err error
				if l.data, err = decodeDataRequest(d, t); err != nil {
					return err
				}
				continue
			}
			if err := d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// distinct returns the property names without repeats, checked to be
// writable in an answer.
func (l *nameList) distinct() ([]xml.Name, error) {
	if l == nil {
		return nil, nil
	}
	out := make([]xml.Name, 0, len(l.names))
	for _, n := range l.names {
		if err := checkName(n); err != nil {
			return nil, err
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// propMode is what a PROPFIND (or the prop part of a REPORT) asks for.
type propMode int

const (
	modeProp     propMode = iota // named properties
	modeAllProp                  // DAV:allprop (plus DAV:include)
	modePropName                 // DAV:propname
)

// propQuery is the prop part of a request: what to answer per resource.
type propQuery struct {
	mode  propMode
	names []xml.Name  // modeProp: the names; modeAllProp: the included ones
	empty []string    // each name as an empty element, for 404 propstats
	data  dataRequest // what calendar-data, when named, asks
}

func newPropQuery(mode propMode, names []xml.Name) propQuery {
	q := propQuery{mode: mode, names: names, empty: make([]string, len(names))}
	for i, n := range names {
		q.empty[i] = emptyElem(n)
	}
	return q
}

// propQuery reads the prop part; a request with none is allprop.
func (q *davRequest) propQuery() (propQuery, error) {
	mode, list := modeProp, q.Prop
	switch {
	case q.PropName != nil:
		return propQuery{mode: modePropName}, nil
	case q.AllProp != nil || q.Prop == nil:
		mode, list = modeAllProp, q.Include
	}
	names, err := list.distinct()
	if err != nil {
		return propQuery{}, err
	}
	pq := newPropQuery(mode, names)
	if list != nil {
		pq.data = list.data
	}
	return pq, nil
}

// decodeRequest decodes a PROPFIND or REPORT body. Errors are the
// client's: malformed XML (400), or a *filterError.
func decodeRequest(body []byte) (*davRequest, error) {
	var q davRequest
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&q); err != nil {
		return nil, err
	}
	return &q, nil
}

// Element names of the requests.
var (
	namePropfind       = xml.Name{Space: nsDAV, Local: "propfind"}
	nameSyncCollection = xml.Name{Space: nsDAV, Local: "sync-collection"}
	nameCalendarQuery  = xml.Name{Space: nsCalDAV, Local: "calendar-query"}
	nameMultiget       = xml.Name{Space: nsCalDAV, Local: "calendar-multiget"}
	nameFreeBusyQuery  = xml.Name{Space: nsCalDAV, Local: "free-busy-query"}
)

// parsePropfind decodes a PROPFIND body; an empty one means allprop
// (RFC 4918 §9.1).
func parsePropfind(body []byte) (propQuery, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return newPropQuery(modeAllProp, nil), nil
	}
	q, err := decodeRequest(body)
	if err != nil {
		return propQuery{}, err
	}
	if q.XMLName != namePropfind {
		return propQuery{}, errors.New("the body is not a DAV:propfind")
	}
	if q.Prop == nil && q.AllProp == nil && q.PropName == nil {
		return propQuery{}, errors.New("propfind names no prop, allprop or propname")
	}
	return q.propQuery()
}

// scanXML returns the local name of body's document element ("" when the
// decoder finds none) and whether body stays within maxXMLDepth. It stops
// at the first syntax error: reporting that is left to the decoding that
// follows.
func scanXML(body []byte) (root string, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			return root, true
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && root == "" {
				root = t.Name.Local
			}
			if depth++; depth > maxXMLDepth {
				return root, false
			}
		case xml.EndElement:
			depth--
		}
	}
}

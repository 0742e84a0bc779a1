package caldav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"slices"
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

	// sync-collection (RFC 6578 §6.1).
	SyncToken *string `xml:"DAV: sync-token"`
	SyncLevel string  `xml:"DAV: sync-level"`
	Limit     *struct {
		NResults string `xml:"DAV: nresults"`
	} `xml:"DAV: limit"`
}

// nameList is the names of the elements inside DAV:prop (or DAV:include);
// what they hold (e.g. calendar-data's comp and expand) is skipped.
type nameList struct {
	Names []struct {
		XMLName xml.Name
	} `xml:",any"`
}

// names returns the property names without repeats, checked to be
// writable in an answer.
func (l *nameList) names() ([]xml.Name, error) {
	if l == nil {
		return nil, nil
	}
	out := make([]xml.Name, 0, len(l.Names))
	for _, n := range l.Names {
		if err := checkName(n.XMLName); err != nil {
			return nil, err
		}
		if !slices.Contains(out, n.XMLName) {
			out = append(out, n.XMLName)
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
	names []xml.Name // modeProp: the names; modeAllProp: the included ones
	empty []string   // each name as an empty element, for 404 propstats
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
	names, err := list.names()
	if err != nil {
		return propQuery{}, err
	}
	return newPropQuery(mode, names), nil
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

package caldav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
)

// propMode is what a PROPFIND (or the prop part of a REPORT) asks for.
type propMode int

const (
	modeProp     propMode = iota // named properties
	modeAllProp                  // DAV:allprop
	modePropName                 // DAV:propname
)

// propRequest is the prop part of a PROPFIND or REPORT body. The root
// element's name is not checked here.
type propRequest struct {
	Prop     *propXML  `xml:"DAV: prop"`
	AllProp  *struct{} `xml:"DAV: allprop"`
	PropName *struct{} `xml:"DAV: propname"`
}

func (q propRequest) mode() propMode {
	switch {
	case q.PropName != nil:
		return modePropName
	case q.AllProp != nil || q.Prop == nil:
		return modeAllProp
	}
	return modeProp
}

// parsePropfind decodes a PROPFIND body; an empty one means allprop
// (RFC 4918 §9.1).
func parsePropfind(body []byte) (propMode, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return modeAllProp, nil
	}
	var q struct {
		XMLName xml.Name `xml:"DAV: propfind"`
		propRequest
	}
	if err := xml.Unmarshal(body, &q); err != nil {
		return 0, err
	}
	if q.Prop == nil && q.AllProp == nil && q.PropName == nil {
		return 0, errors.New("propfind names no prop, allprop or propname")
	}
	return q.mode(), nil
}

// rootElement returns the name of the document element of an XML body.
func rootElement(body []byte) (xml.Name, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.Name{}, errors.New("no XML element in the body")
		}
		if err != nil {
			return xml.Name{}, err
		}
		if start, ok := tok.(xml.StartElement); ok {
			return start.Name, nil
		}
	}
}

// servePropfind passes a PROPFIND to go-webdav and adjusts its answer.
func (h *handler) servePropfind(w http.ResponseWriter, r *http.Request, v *view, res resource) {
	// Gap: go-webdav reads a missing Depth as infinity, and on the
	// principal that lists every object of every calendar with its body.
	// RFC 4918 §9.1 lets a server refuse infinity; a missing Depth is
	// served as 1, which is what clients that leave it out mean.
	depth := r.Header.Get("Depth")
	switch depth {
	case "":
		depth = "1"
	case "0", "1":
	case "infinity":
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "propfind-finite-depth"), "PROPFIND Depth infinity")
		return
	default:
		h.fail(w, r, http.StatusBadRequest, "Depth must be 0 or 1")
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	mode, err := parsePropfind(body)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "malformed PROPFIND body: "+err.Error())
		return
	}
	st := &reqState{view: v}
	rec := h.delegate(r, res, body, st, depth)
	h.finish(w, r, v, res, rec, st, mode, false)
}

// finish adjusts a 207 of go-webdav's and writes it; other answers are
// relayed.
func (h *handler) finish(w http.ResponseWriter, r *http.Request, v *view, res resource, rec *recorder, st *reqState, mode propMode, report bool) {
	if rec.status != http.StatusMultiStatus {
		h.relay(w, r, rec, st)
		return
	}
	var ms multistatus
	if err := xml.Unmarshal(rec.body.Bytes(), &ms); err != nil {
		// go-webdav writes 207 before it encodes, so an encoding failure
		// leaves a cut-off body. Its encoder fails only on names it was
		// handed in the request.
		h.fail(w, r, http.StatusBadRequest, "the request names properties that cannot be answered in XML")
		return
	}
	v.adjust(&ms, res, mode, report)
	out, err := encodeMultistatus(&ms)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "the request names properties that cannot be answered in XML")
		return
	}
	writeXML(w, http.StatusMultiStatus, out)
}

// adjust fills go-webdav's gaps in a multistatus answer for target:
//
//   - every property this package serves (prop) takes the place of
//     go-webdav's value or 404: getctag, sync-token, supported-report-set,
//     calendar-color, calendar-order, owner, principal-URL, getetag on
//     calendars, and the read-only current-user-privilege-set over
//     go-webdav's hard-coded read+write;
//   - calendar-data is left out of PROPFIND answers (go-webdav returns it
//     to PROPFIND and allprop, #178; RFC 4791 §9.6 has it in REPORTs only)
//     and in REPORT answers becomes the exact bytes the ETag is a hash of;
//   - the root's answer carries the root's href, not the principal's;
//   - propname answers list our properties too.
func (v *view) adjust(ms *multistatus, target resource, mode propMode, report bool) {
	for i := range ms.Responses {
		resp := &ms.Responses[i]
		var res resource
		switch {
		case target.kind == resRoot && !report:
			// go-webdav answers a PROPFIND on the root with one response
			// whose href is the principal's.
			resp.Hrefs = []string{escapePath(target.path)}
			res = target
		case len(resp.Hrefs) == 1:
			if p, ok := hrefPath(resp.Hrefs[0]); ok {
				res = v.resolve(p)
			}
		}
		if res.kind == resNone {
			continue
		}
		var groups []propstat // by status, in order of first appearance
		put := func(code int, val rawElem) {
			line := statusLine(code)
			for j := range groups {
				if groups[j].Status == line {
					for _, have := range groups[j].Props {
						if have.XMLName == val.XMLName {
							return
						}
					}
					groups[j].Props = append(groups[j].Props, val)
					return
				}
			}
			groups = append(groups, propstat{Status: line, Props: []rawElem{val}})
		}
		for _, ps := range resp.Propstats {
			code := statusCode(ps.Status)
			for _, val := range ps.Props {
				name := val.XMLName
				switch {
				case name == nameCalendarData && !report:
					if mode == modeProp {
						put(http.StatusNotFound, rawElem{XMLName: name})
					}
				case mode == modePropName:
					put(code, rawElem{XMLName: name})
				default:
					if ours, ok := v.prop(res, name, report); ok {
						put(http.StatusOK, ours)
					} else {
						put(code, val)
					}
				}
			}
		}
		if mode == modePropName {
			for _, n := range propNames(res.kind) {
				put(http.StatusOK, rawElem{XMLName: n})
			}
		}
		// 200 first, as clients that read only the first propstat expect.
		slices.SortStableFunc(groups, func(a, b propstat) int {
			return btoi(statusCode(b.Status) == http.StatusOK) - btoi(statusCode(a.Status) == http.StatusOK)
		})
		resp.Propstats = groups
		switch {
		case len(groups) > 0:
			resp.Status = ""
		case resp.Status == "":
			// An empty DAV:prop asks for nothing; a response still needs
			// a propstat or a status (RFC 4918 §14.24).
			resp.Status = statusLine(http.StatusOK)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// serveReport dispatches a REPORT on its document element.
func (h *handler) serveReport(w http.ResponseWriter, r *http.Request, v *view, res resource) {
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	root, err := rootElement(body)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "malformed REPORT body: "+err.Error())
		return
	}
	switch root {
	case xml.Name{Space: nsDAV, Local: "sync-collection"}:
		h.serveSync(w, r, v, res, body)
	case xml.Name{Space: nsCalDAV, Local: "calendar-query"}, xml.Name{Space: nsCalDAV, Local: "calendar-multiget"}:
		if root.Local == "calendar-query" && res.kind != resCalendar {
			h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "supported-report"), "calendar-query works on calendars")
			return
		}
		var q propRequest
		if err := xml.Unmarshal(body, &q); err != nil {
			h.fail(w, r, http.StatusBadRequest, "malformed REPORT body: "+err.Error())
			return
		}
		st := &reqState{view: v}
		if root.Local == "calendar-multiget" {
			// Gap: go-webdav serves any href named in a multiget, even
			// outside the collection the REPORT was sent to.
			st.scope = res.path
		}
		rec := h.delegate(r, res, body, st, "")
		h.finish(w, r, v, res, rec, st, q.mode(), true)
	case xml.Name{Space: nsDAV, Local: "expand-property"},
		xml.Name{Space: nsDAV, Local: "principal-property-search"},
		xml.Name{Space: nsDAV, Local: "principal-search-property-set"},
		xml.Name{Space: nsDAV, Local: "principal-match"}:
		// Principal searches: there is one public principal and nothing
		// to search. Some clients (InfCloud, per Radicale) stop at an
		// error here, so the answer is an empty multistatus.
		out, _ := encodeMultistatus(&multistatus{}) // an empty multistatus always encodes
		writeXML(w, http.StatusMultiStatus, out)
	default:
		// free-busy-query and anything else (RFC 3253 §3.6).
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "supported-report"), "unsupported REPORT "+root.Space+" "+root.Local)
	}
}

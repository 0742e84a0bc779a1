package caldav

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// This file answers PROPFIND (RFC 4918 §9.1) and the calendar-query and
// calendar-multiget REPORTs (RFC 4791 §7.8, §7.9) from the view (and
// dispatches the others: sync.go, freebusy.go). go-webdav
// v0.7.0's handler did this before, but it encodes every object with
// go-ical for calendar-data (unfolded, so not the bytes the ETag names:
// its answer had to be decoded and rewritten), hands PROPFIND and allprop
// calendar-data (RFC 4791 §9.6 keeps it to REPORTs), serves multiget
// hrefs outside the collection asked, misses most properties clients need
// (getctag, sync-token, supported-report-set, a read-only privilege set,
// Apple's colour and order) and reads a missing Depth as infinity. Every
// property comes from the agenda anyway, so the view answers directly.

// servePropfind answers a PROPFIND.
func (h *Handler) servePropfind(w http.ResponseWriter, r *http.Request, v *view, res resource, body []byte) {
	// A missing Depth would be infinity (RFC 4918 §9.1), which on the
	// principal lists every object of every calendar. RFC 4918 lets a
	// server refuse infinity; a missing Depth is served as 1, which is
	// what clients that leave it out mean.
	depth := r.Header.Get("Depth")
	switch strings.ToLower(depth) { // "infinity" is case-insensitive (RFC 4918 §10.2, RFC 9110 §5.6.1)
	case "", "1":
		depth = "1"
	case "0":
	case "infinity":
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "propfind-finite-depth"), "PROPFIND Depth infinity")
		return
	default:
		h.fail(w, r, http.StatusBadRequest, "Depth must be 0 or 1")
		return
	}
	q, err := parsePropfind(body)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, bodyError("PROPFIND", err))
		return
	}
	out := h.newMultistatus(w)
	v.writeResponse(out, res, &q, false)
	if depth == "1" {
		for k := range v.children(res) {
			if !out.ok() {
				break
			}
			v.writeResponse(out, k, &q, false)
		}
	}
	out.finish("")
}

// writeResponse writes the response for res answering q: with named
// properties, the ones res has with 200 (first, as clients that read only
// the first propstat expect) and the others with 404; with allprop, what
// allProps lists plus the included names; with propname, the names alone.
func (v *view) writeResponse(w *multistatusWriter, res resource, q *propQuery, report bool) {
	v.beginResponse(w, res)
	switch q.mode {
	case modePropName:
		w.beginPropstat()
		for _, n := range propNames(res.kind, report) {
			w.raw(emptyElem(n))
		}
		if res.kind == resCalendar && v.push != nil {
			for _, n := range pushNames {
				w.raw(emptyElem(n))
			}
		}
		w.endPropstat(http.StatusOK)
	case modeAllProp:
		w.beginPropstat()
		for _, n := range allProps(res.kind, report) {
			v.writeProp(w, res, n, report, q)
		}
		missing := w.missing[:0]
		for i, n := range q.names {
			if !v.writeProp(w, res, n, report, q) {
				missing = append(missing, i)
			}
		}
		w.endPropstat(http.StatusOK)
		w.writeMissing(q, missing)
	default:
		open := false
		missing := w.missing[:0]
		for i, n := range q.names {
			if !v.hasProp(res, n, report) {
				missing = append(missing, i)
				continue
			}
			if !open {
				w.beginPropstat()
				open = true
			}
			v.writeProp(w, res, n, report, q)
		}
		if open {
			w.endPropstat(http.StatusOK)
		}
		w.writeMissing(q, missing)
		if !open && len(missing) == 0 {
			// An empty DAV:prop asks for nothing; a response still needs
			// a propstat or a status (RFC 4918 §14.24).
			w.status(http.StatusOK)
		}
	}
	w.endResponse()
}

// hasProp reports whether res has property name.
func (v *view) hasProp(res resource, name xml.Name, report bool) bool {
	if name == nameCalendarData && report && res.kind == resObject {
		return true
	}
	_, ok := v.prop(res, name, report)
	return ok
}

// writeProp writes property name of res and reports whether res has it.
// An object's calendar-data (in REPORTs only, RFC 4791 §9.6) is written
// from its pieces: the head every object shares, escaped once per view,
// and the object's event, escaped once per rendering; or, when q asks to
// expand it, in UTC without its VTIMEZONE, and without its VEVENT when
// that does not overlap expand's range (§9.6.5).
func (v *view) writeProp(w *multistatusWriter, res resource, name xml.Name, report bool, q *propQuery) bool {
	if name == nameCalendarData && report && res.kind == resObject && q.data.expand {
		// Made per request: clients rarely ask for it, and its bytes are
		// not the object's.
		in := span{start: q.data.start, end: q.data.end}.overlapsEvent(res.obj.span.start, res.obj.span.end)
		w.data = res.obj.obj.AppendExpanded(w.data[:0], in)
		w.raw(calendarDataOpen)
		w.rawEscaped(w.data)
		w.raw(calendarDataClose)
		return true
	}
	if name == nameCalendarData && report && res.kind == resObject {
		w.raw(calendarDataOpen)
		w.raw(v.objectHeadXML)
		w.raw(res.obj.eventXML)
		w.raw(objectEndXML)
		w.raw(calendarDataClose)
		return true
	}
	s, ok := v.prop(res, name, report)
	if ok {
		w.raw(s)
	}
	return ok
}

// writeMissing writes the 404 propstat of the names of q at indexes
// missing (which it keeps as scratch space for the next response).
func (w *multistatusWriter) writeMissing(q *propQuery, missing []int) {
	w.missing = missing
	if len(missing) == 0 {
		return
	}
	w.beginPropstat()
	for _, i := range missing {
		w.raw(q.empty[i])
	}
	w.endPropstat(http.StatusNotFound)
}

// beginResponse opens the response of res with its href.
func (v *view) beginResponse(w *multistatusWriter, res resource) {
	switch res.kind {
	case resObject:
		w.beginResponse(res.cal.hrefXML, res.obj.hrefEnd)
	case resCalendar:
		w.beginResponse(res.cal.hrefXML)
	default:
		w.beginResponse(escape(escapePath(res.path)))
	}
}

// serveReport dispatches a REPORT on its document element.
func (h *Handler) serveReport(w http.ResponseWriter, r *http.Request, v *view, res resource, body []byte) {
	q, err := decodeRequest(body)
	if err != nil {
		var fe *filterError
		if errors.As(err, &fe) && fe.status == http.StatusForbidden {
			h.precondition(w, r, http.StatusForbidden, condition(nsCalDAV, fe.cond), fe.Error())
			return
		}
		h.fail(w, r, http.StatusBadRequest, bodyError("REPORT", err))
		return
	}
	for _, l := range [...]*nameList{q.Prop, q.Include} {
		if l != nil && !l.data.supported() {
			h.precondition(w, r, http.StatusForbidden, condition(nsCalDAV, "supported-calendar-data"),
				fmt.Sprintf("calendar-data asked as %q version %q", l.data.contentType, l.data.version))
			return
		}
	}
	switch q.XMLName {
	case nameSyncCollection:
		h.serveSync(w, r, v, res, q)
	case nameCalendarQuery:
		h.serveQuery(w, r, v, res, q)
	case nameMultiget:
		h.serveMultiget(w, r, v, res, q)
	case nameFreeBusyQuery:
		h.serveFreeBusy(w, r, v, res, q)
	case xml.Name{Space: nsDAV, Local: "expand-property"},
		xml.Name{Space: nsDAV, Local: "principal-property-search"},
		xml.Name{Space: nsDAV, Local: "principal-search-property-set"},
		xml.Name{Space: nsDAV, Local: "principal-match"}:
		// Principal searches: there is one public principal and nothing
		// to search. Some clients (InfCloud, per Radicale) stop at an
		// error here, so the answer is an empty multistatus.
		h.newMultistatus(w).finish("")
	default:
		// Anything else (RFC 3253 §3.6).
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "supported-report"),
			"unsupported REPORT "+q.XMLName.Space+" "+q.XMLName.Local)
	}
}

// bodyError is the message of a 400 answering a PROPFIND or REPORT body
// that could not be read.
func bodyError(method string, err error) string {
	if errors.Is(err, errTooManyProps) {
		return method + ": " + err.Error()
	}
	return "malformed " + method + " body: " + err.Error()
}

// serveQuery answers a calendar-query: the calendar's members that pass
// the filter, with the properties asked for (calendar-data is the exact
// bytes the ETag is a hash of), or, on a calendar object (RFC 4791 §7.8),
// that object if it passes. The Depth header is not checked: clients
// send 1, and the members are all a calendar holds.
func (h *Handler) serveQuery(w http.ResponseWriter, r *http.Request, v *view, res resource, q *davRequest) {
	var objs []*object
	switch res.kind {
	case resCalendar:
		objs = res.cal.objs
	case resObject:
		objs = []*object{res.obj}
	default:
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "supported-report"), "calendar-query works on calendars and their objects")
		return
	}
	if q.Filter == nil {
		h.fail(w, r, http.StatusBadRequest, "calendar-query without a filter")
		return
	}
	pq, err := q.propQuery()
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "calendar-query: "+err.Error())
		return
	}
	// Every object is matched before the answer starts, so that a failure
	// (our own rendering not parsing) is still a 500.
	f, c := q.Filter, res.cal
	loc := v.snap.Location()
	var matched []*object
	for _, o := range objs {
		ok, err := f.matches(o, loc)
		if err != nil {
			h.fail(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		if ok {
			matched = append(matched, o)
		}
	}
	out := h.newMultistatus(w)
	for _, o := range matched {
		if !out.ok() {
			break
		}
		v.writeResponse(out, resource{kind: resObject, cal: c, obj: o}, &pq, true)
	}
	out.finish("")
}

// serveMultiget answers a calendar-multiget: each href named, once, with
// the properties asked for, or 404 when it is not an object below the
// request URL (go-webdav served any object named, even of another
// calendar).
func (h *Handler) serveMultiget(w http.ResponseWriter, r *http.Request, v *view, res resource, q *davRequest) {
	if len(q.Hrefs) == 0 {
		h.fail(w, r, http.StatusBadRequest, "calendar-multiget names no href")
		return
	}
	if most := v.objectsBelow(res) + maxHrefsBeyondMembers; len(q.Hrefs) > most {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf(
			"calendar-multiget names %d hrefs; at most %d are answered here (the objects below %s and %d more)",
			len(q.Hrefs), most, res.path, maxHrefsBeyondMembers))
		return
	}
	pq, err := q.propQuery()
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "calendar-multiget: "+err.Error())
		return
	}
	scope := res.path
	if res.isCollection() && !strings.HasSuffix(scope, "/") {
		scope += "/"
	}
	// Every href is resolved before the answer starts: a malformed one
	// refuses the whole request.
	type hrefAnswer struct {
		path   string // the href's path, canonical when found
		target resource
		found  bool
	}
	answers := make([]hrefAnswer, 0, len(q.Hrefs))
	seen := make(map[string]bool, len(q.Hrefs))
	for _, href := range q.Hrefs {
		p, ok := resolveHref(res.path, href)
		if !ok {
			h.fail(w, r, http.StatusBadRequest, "calendar-multiget: malformed href "+href)
			return
		}
		target := v.resolve(p)
		found := target.kind == resObject && (target.path == res.path || strings.HasPrefix(target.path, scope))
		if found {
			p = target.path
		}
		if !seen[p] {
			seen[p] = true
			answers = append(answers, hrefAnswer{path: p, target: target, found: found})
		}
	}
	out := h.newMultistatus(w)
	for _, a := range answers {
		if !out.ok() {
			break
		}
		if a.found {
			v.writeResponse(out, a.target, &pq, true)
			continue
		}
		out.beginResponse(escape(escapePath(a.path)))
		out.status(http.StatusNotFound)
		out.endResponse()
	}
	out.finish("")
}

// maxHrefsBeyondMembers is how many more hrefs a calendar-multiget may
// name than there are objects below the request URL. Each href is
// answered, an unknown one with a 404 response, so without a bound a
// body of bogus hrefs is answered with an answer many times the size of
// the calendar. A client names what it holds: the current objects, and a
// few that have gone since it last synced. Evolution asks in batches of
// 100.
const maxHrefsBeyondMembers = 100

// resolveHref returns the path an href names: an absolute URL, an absolute
// path, or a path relative to base (RFC 3986 §5.2).
func resolveHref(base, href string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return "", false
	}
	if u.Path != "" && !strings.HasPrefix(u.Path, "/") && u.Scheme == "" && u.Host == "" {
		return (&url.URL{Path: base}).ResolveReference(u).Path, true
	}
	return u.Path, true
}

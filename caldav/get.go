package caldav

import (
	"bytes"
	"fmt"
	"net/http"

	"confcal/ical"
)

// serveGet answers GET and HEAD. An object is its pre-rendered bytes, a
// calendar its whole .ics (as sabre/dav and Radicale export it; go-webdav
// 404s there), both through http.ServeContent, which answers 304 to
// If-None-Match and If-Modified-Since and serves ranges. A calendar's
// Last-Modified is when it last changed (view.lastModified), which moves
// when a member leaves too, not only the latest LastModified of the
// members it still has.
func (h *handler) serveGet(w http.ResponseWriter, r *http.Request, v *view, res resource) {
	switch res.kind {
	case resObject:
		serveDoc(w, r, res.obj.doc)
	case resCalendar:
		doc := v.feedOf(res.cal)
		doc.Modified = v.lastModified(res.cal)
		serveDoc(w, r, doc)
	default:
		hd := w.Header()
		hd.Set("Content-Type", "text/plain; charset=utf-8")
		hd.Set("Cache-Control", "no-cache")
		if r.Method == http.MethodHead {
			return
		}
		fmt.Fprintf(w, "This is the CalDAV server of %s.\nAdd this address to a calendar app as a CalDAV account (no password needed).\n",
			v.snap.Conference().Name)
	}
}

// serveDoc writes a rendered calendar with its validators.
func serveDoc(w http.ResponseWriter, r *http.Request, doc ical.Doc) {
	hd := w.Header()
	hd.Set("ETag", doc.ETag)
	hd.Set("Content-Type", "text/calendar; charset=utf-8")
	// Clients may keep a copy but must check it: the agenda changes.
	hd.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", doc.Modified, bytes.NewReader(doc.Body))
}

package caldav

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"time"
)

// serveGet answers GET and HEAD. An object is its pre-rendered bytes, a
// calendar its whole .ics (as sabre/dav and Radicale export it; go-webdav
// 404s there), both through http.ServeContent, which answers 304 to
// If-None-Match and If-Modified-Since and serves ranges. A calendar's
// Last-Modified is when it last changed (view.lastModified), which moves
// when a member leaves too, not only the latest LastModified of the
// members it still has.
func (h *Handler) serveGet(w http.ResponseWriter, r *http.Request, v *view, res resource) {
	switch res.kind {
	case resObject:
		serveBytes(w, r, res.obj.obj.ETag(), res.obj.obj.Modified(), res.obj.obj.Bytes())
	case resCalendar:
		c := v.feedOf(res.cal)
		serveBytes(w, r, c.ETag(), v.lastModified(res.cal), c.Bytes())
	default:
		hd := w.Header()
		hd.Set("Content-Type", infoContentType)
		hd.Set("Content-Length", strconv.Itoa(len(v.props.info)))
		hd.Set("Cache-Control", "no-cache")
		if r.Method == http.MethodHead {
			return
		}
		io.WriteString(w, v.props.info)
	}
}

// serveBytes writes a rendered calendar with its validators.
func serveBytes(w http.ResponseWriter, r *http.Request, etag string, modified time.Time, body []byte) {
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Set("Content-Type", "text/calendar; charset=utf-8")
	// Clients may keep a copy but must check it: the agenda changes.
	hd.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", modified, bytes.NewReader(body))
}

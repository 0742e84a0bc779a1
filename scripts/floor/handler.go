package main

import (
	"net/http"
	"strconv"
)

// handler serves body with the given ETag: 304 when If-None-Match is
// exactly that ETag, else the body. With fields, every answer also
// carries the other header fields a confcal feed answer does.
func handler(body []byte, etag string, fields bool) http.Handler {
	size := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("ETag", etag)
		if fields {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified, Confcal-Revision")
			h.Set("Cache-Control", "public, max-age=300")
			h.Set("Last-Modified", "Tue, 01 Oct 2019 00:00:00 GMT")
			h.Set("Vary", "Accept-Encoding")
		}
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "text/calendar; charset=utf-8")
		h.Set("Content-Length", size)
		w.Write(body)
	})
}

package main

import (
	"net/http"
	"strconv"
)

// handler serves body with the given ETag: 304 when If-None-Match is
// exactly that ETag, else the body.
func handler(body []byte, etag string) http.Handler {
	size := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "text/calendar; charset=utf-8")
		h.Set("Content-Length", size)
		w.Write(body)
	})
}

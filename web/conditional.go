package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cacheControl lets browsers and proxies keep a feed for five minutes:
// short enough that an organizer's change shows up soon, long enough to
// absorb bursts. Calendar clients poll far less often anyway.
const cacheControl = "public, max-age=300"

// serveFeed writes f or its gzip copy, or 304 Not Modified when the
// client's validators match. It writes bytes prepared in advance and
// computes nothing but the header values.
func serveFeed(w http.ResponseWriter, r *http.Request, f *feed) {
	h := w.Header()
	body, etag := f.doc.Body, f.doc.ETag
	gz := acceptsGzip(strings.Join(r.Header.Values("Accept-Encoding"), ","))
	if gz {
		// The gzip variant's ETag is known without compressing, so a
		// 304 never waits for a deferred compression.
		etag = f.gzETag
	}
	// Every response, 304s included, says it varies by Accept-Encoding and
	// carries the validator of the variant chosen (RFC 9110 §15.4.5).
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", etag)
	if f.lastModified != "" {
		h.Set("Last-Modified", f.lastModified)
	}
	if notModified(r, etag, f.modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		b, err := f.gz.bytes()
		if err != nil {
			// Not expected (compressing into memory), but the identity
			// body is always there: serve it with its own validator.
			gz = false
			h.Set("ETag", f.doc.ETag)
		} else {
			body = b
		}
	}
	h.Set("Content-Type", f.contentType)
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away; nothing to do
	}
}

// notModified evaluates If-None-Match, or when that is absent
// If-Modified-Since, for a GET or HEAD of a representation with the given
// strong ETag and modification time (RFC 9110 §13.2.2).
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		return etagListMatches(strings.Join(inm, ","), etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false // an invalid date is ignored (RFC 9110 §13.1.3)
	}
	return !modified.Truncate(time.Second).After(t)
}

// etagListMatches reports whether an If-None-Match field value — "*" or a
// comma-separated list of entity tags — matches etag. If-None-Match uses
// the weak comparison (RFC 9110 §13.1.2, §8.8.3.2): two tags match when
// their opaque parts are equal, whether or not either is marked W/. A
// malformed list matches only as far as it could be read.
func etagListMatches(list, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for {
		list = strings.TrimLeft(list, " \t,")
		switch {
		case list == "":
			return false
		case list[0] == '*':
			return true
		}
		list = strings.TrimPrefix(list, "W/")
		if list == "" || list[0] != '"' {
			return false
		}
		end := strings.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		if list[:end+2] == etag {
			return true
		}
		list = list[end+2:]
	}
}

// acceptsGzip reports whether an Accept-Encoding field value allows gzip:
// gzip (or its alias x-gzip) is listed with a non-zero weight, or it is
// not listed and "*" is, with a non-zero weight (RFC 9110 §12.5.3).
// Elements with an unreadable weight are ignored.
func acceptsGzip(accept string) bool {
	gzip, star := -1.0, -1.0
	for elem := range strings.SplitSeq(accept, ",") {
		coding, params, _ := strings.Cut(elem, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q, ok := weight(params)
		if !ok {
			continue
		}
		if coding == "*" {
			star = max(star, q)
		} else {
			gzip = max(gzip, q)
		}
	}
	if gzip >= 0 {
		return gzip > 0
	}
	return star > 0
}

// weight reads the q parameter from an element's parameters ("q=0.5");
// without one the weight is 1.
func weight(params string) (float64, bool) {
	for p := range strings.SplitSeq(params, ";") {
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || !(q >= 0 && q <= 1) { // NaN too
			return 0, false
		}
		return q, true
	}
	return 1, true
}

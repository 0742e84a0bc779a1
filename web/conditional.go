package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// entity is one resource as it is served: its validators, its type and
// how to get its bytes, which a 304 never asks for.
type entity struct {
	etag     string    // strong, quoted
	modified time.Time // zero: no Last-Modified
	ctype    string
	// cache is the Cache-Control value.
	cache string
	// gzip says a gzip copy may be sent to clients that accept it (its
	// ETag is gzipETag(etag)).
	gzip bool
	// body returns the bytes to send (the gzip copy when gz) and a
	// function to call once they are written.
	body func(gz bool) ([]byte, func(), error)
	// lastModified and gzETag are modified as Last-Modified says it and
	// the gzip copy's ETag, for an entity kept and served many times
	// (prepared); "" has serveEntity work them out.
	lastModified, gzETag string
}

// prepared returns e with its Last-Modified and gzip ETag worked out once,
// for an entity kept to answer many requests: a poll then formats nothing.
func (e entity) prepared() entity {
	if !e.modified.IsZero() {
		e.lastModified = e.modified.UTC().Format(http.TimeFormat)
	}
	if e.gzip {
		e.gzETag = gzipETag(e.etag)
	}
	return e
}

// feedCache lets browsers and proxies keep a feed for five minutes:
// short enough that an organizer's change shows up soon, long enough to
// absorb bursts. Calendar clients poll far less often anyway.
const feedCache = "public, max-age=300"

// serveEntity answers a GET or HEAD of e: 304 Not Modified when the
// client's validators match (without making the body), else the body in
// one Write. It is the one conditional-GET path of the server. Its header
// fields are set in one allocation (fields), with canonical keys.
func serveEntity(w http.ResponseWriter, r *http.Request, e entity) error {
	h := w.Header()
	gz := e.gzip && acceptsGzip(strings.Join(r.Header["Accept-Encoding"], ","))
	etag := e.etag
	if gz {
		// The gzip variant's ETag is known without compressing, so a
		// 304 never waits for a compression.
		etag = e.gzETag
		if etag == "" {
			etag = gzipETag(e.etag)
		}
	}
	// Every response, 304s included, says what it varies by and carries
	// the validator of the variant chosen (RFC 9110 §15.4.5). A 304 with
	// an ETag leaves out Last-Modified, as that section asks: the client
	// keeps the one it has.
	f := make(fields, 0, 7)
	if e.gzip {
		f.set(h, "Vary", "Accept-Encoding")
	}
	f.set(h, "Cache-Control", e.cache)
	f.set(h, "Etag", etag)
	if preconditionFailed(r, etag, e.modified) {
		return errorf(http.StatusPreconditionFailed, "the representation is not the one If-Match or If-Unmodified-Since names")
	}
	unchanged := notModified(r, etag, e.modified)
	if !e.modified.IsZero() && !(unchanged && etag != "") {
		modified := e.lastModified
		if modified == "" {
			modified = e.modified.UTC().Format(http.TimeFormat)
		}
		f.set(h, "Last-Modified", modified)
	}
	if unchanged {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	b, done, err := e.body(gz)
	if err != nil {
		h.Del("ETag")
		h.Del("Last-Modified")
		return err
	}
	defer done()
	if gz {
		f.set(h, "Content-Encoding", "gzip")
	}
	f.writeBody(w, r, http.StatusOK, e.ctype, b)
	return nil
}

// writeBody writes a whole body with its type and length in one Write
// (none for HEAD).
func writeBody(w http.ResponseWriter, r *http.Request, status int, ctype string, b []byte) {
	f := make(fields, 0, 2)
	f.writeBody(w, r, status, ctype, b)
}

// writeBody is writeBody with the fields' slices.
func (f *fields) writeBody(w http.ResponseWriter, r *http.Request, status int, ctype string, b []byte) {
	h := w.Header()
	f.set(h, "Content-Type", ctype)
	f.set(h, "Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b) //nolint:errcheck // the client went away; nothing to do
	}
}

// gzipETag derives the gzip variant's ETag from the identity one: a
// different representation needs a different strong validator (RFC 9110
// §8.8.3), so "-gz" goes inside the quotes.
func gzipETag(etag string) string { return strings.TrimSuffix(etag, `"`) + `-gz"` }

// noop is the done function of bytes that need no release.
func noop() {}

// preconditionFailed evaluates If-Match, or when that is absent
// If-Unmodified-Since, for a representation with the given strong ETag and
// modification time (RFC 9110 §13.2.2, steps 1 and 2): true when the
// client's condition does not hold, which is answered 412. If-Match uses
// the strong comparison (§13.1.1): a weak tag never matches.
func preconditionFailed(r *http.Request, etag string, modified time.Time) bool {
	if im := r.Header["If-Match"]; len(im) > 0 {
		return !etagListMatches(strings.Join(im, ","), etag, true)
	}
	v := r.Header["If-Unmodified-Since"]
	if len(v) == 0 || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(v[0])
	if err != nil {
		return false // an invalid date is ignored (RFC 9110 §13.1.4)
	}
	return modified.Truncate(time.Second).After(t)
}

// notModified evaluates If-None-Match, or when that is absent
// If-Modified-Since, for a GET or HEAD of a representation with the given
// strong ETag and modification time (RFC 9110 §13.2.2). The header is
// read as Header.Values and Get would, without canonicalizing the keys
// again: the server stores them in canonical form.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		return etagListMatches(strings.Join(inm, ","), etag, false)
	}
	var ims string
	if v := r.Header["If-Modified-Since"]; len(v) > 0 {
		ims = v[0]
	}
	if ims == "" || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false // an invalid date is ignored (RFC 9110 §13.1.3)
	}
	return !modified.Truncate(time.Second).After(t)
}

// etagListMatches reports whether an If-None-Match or If-Match field
// value — "*" or a comma-separated list of entity tags — matches etag.
// If-None-Match uses the weak comparison (RFC 9110 §13.1.2, §8.8.3.2): two
// tags match when their opaque parts are equal, whether or not either is
// marked W/; If-Match the strong one (strong), where a W/ tag matches
// none. A malformed list matches only as far as it could be read.
func etagListMatches(list, etag string, strong bool) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for {
		list = strings.TrimLeft(list, " \t,")
		switch {
		case list == "":
			return false
		case list[0] == '*':
			return true
		}
		weak := strings.HasPrefix(list, "W/")
		list = strings.TrimPrefix(list, "W/")
		if list == "" || list[0] != '"' {
			return false
		}
		end := strings.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		if list[:end+2] == etag && !(strong && weak) {
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

// contentETag is a strong ETag made from a body's bytes.
func contentETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// document serves a document made from the revision once, on the first
// request that wants it, and kept in slot (one of the site's): its bytes,
// a strong ETag of them, and its gzip copy from the body cache.
func (s *Server) document(w http.ResponseWriter, r *http.Request, slot *atomic.Pointer[entity], ctype, cache string,
	make func() (body []byte, modified time.Time, err error)) error {
	e := slot.Load()
	if e == nil {
		body, modified, err := make()
		if err != nil {
			return err
		}
		etag := contentETag(body)
		p := entity{etag: etag, modified: modified, ctype: ctype, cache: cache, gzip: true,
			body: func(gz bool) ([]byte, func(), error) {
				b, err := s.bodies.get(etag, gz, func() []byte { return body })
				return b, noop, err
			}}.prepared()
		e = &p
		slot.Store(e)
	}
	return serveEntity(w, r, *e)
}

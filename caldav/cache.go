package caldav

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
)

// A view never changes (a new rendering makes a new view), and what a
// PROPFIND or REPORT answers depends only on the view, the method, the
// path, the Depth header and the body: nothing else of the request is
// read on the way to a multistatus answer (no Prefer, Brief, Host or
// Accept-Encoding). Clients ask the same few questions of every revision:
// every client that synced at a revision sends the same sync-collection
// body with the same token, the same Depth 1 PROPFIND for getetag, the
// same week in view. So each view keeps the complete answers to the last
// requests it was asked, and a repeated request costs a map look-up of
// its key and one Write, without the XML depth check or decoding its body.
//
// The answer cache is the package's one cache of answers. It is bounded
// per view in entries and in bytes (keys included), keeps only small
// requests' answers, and only answers that are complete 207s written
// without error: a refused request (a body naming too many properties, an
// unknown filter, a bad sync token) is refused anew each time, after the
// same checks, so a hostile request is never made cheaper to repeat than
// it was. A free-busy-query's answer is a 200 text/calendar, not a 207, so
// it is not kept either: it is made anew each time, from the sessions'
// spans, without parsing (freebusy.go). Larger answers are not kept and stay streamed: while an answer
// is written it is copied aside only up to the size kept, and a request
// whose answer was too big is remembered as such (by its key alone), so
// that repeating it copies nothing.

// cacheBounds bound a view's answer cache.
type cacheBounds struct {
	entries int // answers kept at most; 0 keeps none
	bytes   int // bytes of answers and keys kept at most
	answer  int // the largest answer kept
	body    int // the largest request body whose answer is kept
}

// defaultCacheBounds fit every repeated answer of an agenda of a few
// hundred sessions (a day's calendar-query with calendar-data is the
// biggest) several times over, and leave the answers of a big agenda's
// whole calendars streamed. Request bodies of real clients are a few
// hundred bytes (a multiget of many hrefs is the biggest).
var defaultCacheBounds = cacheBounds{entries: 64, bytes: 8 << 20, answer: 256 << 10, body: 16 << 10}

// answer is a complete 207 Multi-Status answer, ready to be written, or
// (body nil) the mark of a request whose answer is too big to keep.
type answer struct {
	body   []byte
	length string // Content-Length
	kind   string // the local name of the request's document element
}

// cached reports whether a holds an answer rather than the too-big mark.
func (a *answer) cached() bool { return a.body != nil }

// answerCache holds a view's answers, the oldest dropped first when full.
type answerCache struct {
	mu    sync.RWMutex
	m     map[string]*answer
	order []string // keys in insertion order, for eviction
	size  int      // bytes of the answers and keys kept
}

// appendAnswerKey appends the key of r's answer to dst: method, path,
// Depth and the whole body, each but the body ended by a NUL, which none
// of them can hold (net/http refuses control characters in methods,
// paths and header values). The body itself, not a hash of it, so that
// two requests share an answer only when they are the same request.
func appendAnswerKey(dst []byte, r *http.Request, body []byte) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, 0)
	dst = append(dst, r.URL.Path...)
	dst = append(dst, 0)
	dst = append(dst, r.Header.Get("Depth")...)
	dst = append(dst, 0)
	return append(dst, body...)
}

func (c *answerCache) get(key []byte) *answer {
	c.mu.RLock()
	a := c.m[string(key)]
	c.mu.RUnlock()
	return a
}

// put keeps body as the answer to key, within b; a nil body marks the
// answer as too big to keep.
func (c *answerCache) put(b cacheBounds, key []byte, body []byte, kind string) {
	cost := len(key) + len(body)
	if b.entries <= 0 || len(body) > b.answer || cost > b.bytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[string(key)]; ok {
		return // a concurrent identical request was first
	}
	if c.m == nil {
		c.m = make(map[string]*answer, b.entries)
	}
	for len(c.order) >= b.entries || c.size+cost > b.bytes {
		old := c.order[0]
		c.size -= len(old) + len(c.m[old].body)
		delete(c.m, old)
		c.order[0] = ""
		c.order = c.order[1:]
	}
	k := string(key)
	a := &answer{body: body, kind: kind}
	if body != nil {
		a.length = strconv.Itoa(len(body))
	}
	c.m[k] = a
	c.order = append(c.order, k)
	c.size += cost
}

// stats returns how many answers are kept and their bytes, keys included.
func (c *answerCache) stats() (entries, bytes int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), c.size
}

// write writes a kept answer, in one piece with its length.
func (a *answer) write(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Type", xmlContentType)
	hd.Set("Content-Length", a.length)
	w.WriteHeader(http.StatusMultiStatus)
	w.Write(a.body)
}

// recorder passes an answer through to the client and keeps a copy of it
// while it is a 207 of at most max bytes whose every write succeeded:
// each write copied apart (no copy grows into another), so an answer
// found too big has cost at most max bytes.
type recorder struct {
	http.ResponseWriter
	max    int
	status int
	parts  [][]byte
	size   int
	big    bool // a 207 over max
	failed bool // not a 207, or a write failed
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	switch {
	case r.failed:
	case err != nil || r.status != http.StatusMultiStatus:
		r.failed, r.parts = true, nil
	case r.big:
	case r.size+len(b) > r.max:
		r.big, r.parts = true, nil
	default:
		r.parts = append(r.parts, append([]byte(nil), b...))
		r.size += len(b)
	}
	return n, err
}

// Unwrap gives http.ResponseController the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// copied returns the answer to keep in one piece, with keep false when
// there is nothing to keep (an error, a failed write) and body nil when
// the answer was too big to keep.
func (r *recorder) copied() (body []byte, keep bool) {
	switch {
	case r.failed || r.status != http.StatusMultiStatus:
		return nil, false
	case r.big:
		return nil, true
	case len(r.parts) == 1:
		return r.parts[0], true
	}
	body = make([]byte, 0, r.size)
	for _, p := range r.parts {
		body = append(body, p...)
	}
	return body, len(body) > 0
}

// maxXMLDepth bounds the nesting of PROPFIND and REPORT bodies. Real ones
// are a few levels deep (a calendar-query filter is the deepest, about
// six); a deeper body is an attack on the decoders, refused before they
// run.
const maxXMLDepth = 32

// errTooDeep refuses a body nested deeper than maxXMLDepth.
var errTooDeep = errors.New("XML body nested deeper than " + strconv.Itoa(maxXMLDepth) + " elements")

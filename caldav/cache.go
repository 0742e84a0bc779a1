package caldav

import (
	"crypto/sha256"
	"net/http"
	"strconv"
	"sync"
)

// A view never changes (a new revision makes a new view), and what a
// PROPFIND or REPORT answers depends only on the view, the method, the
// path, the Depth header and the body. Clients ask the same few questions
// of every revision (a Depth 1 PROPFIND for getetag, an initial
// sync-collection, the week in view), so each view keeps the complete
// answers to the last bodies it was asked, and a repeated request costs a
// hash of its body and one Write.

// maxCachedAnswers bounds the answers a view keeps.
const maxCachedAnswers = 64

// maxCachedBytes bounds the bytes of the answers a view keeps; an answer
// larger than that is not kept. On the seed agenda the biggest answer (a
// day's calendar-query with calendar-data) is 164 KB; at 10,000 sessions
// it is 7 MB.
const maxCachedBytes = 16 << 20

// maxCachedBody is the largest request body whose answer is kept: real
// ones are a few hundred bytes (a multiget of many hrefs is the biggest).
const maxCachedBody = 16 << 10

// answerKey names a request whose answer the view keeps.
type answerKey struct {
	method, path, depth string
	body                [sha256.Size]byte
}

func newAnswerKey(r *http.Request, body []byte) answerKey {
	return answerKey{
		method: r.Method,
		path:   r.URL.Path,
		depth:  r.Header.Get("Depth"),
		body:   sha256.Sum256(body),
	}
}

// answer is a complete 207 Multi-Status XML answer with its
// Content-Length, ready to be written.
type answer struct {
	body   []byte
	length []string
}

// answerCache holds a view's answers, the oldest dropped first when full.
type answerCache struct {
	mu    sync.RWMutex
	m     map[answerKey]*answer
	order []answerKey // insertion order, for eviction
	size  int         // bytes of the answers kept
}

func (c *answerCache) get(k answerKey) *answer {
	c.mu.RLock()
	a := c.m[k]
	c.mu.RUnlock()
	return a
}

func (c *answerCache) put(k answerKey, body []byte) {
	a := &answer{body: body, length: []string{strconv.Itoa(len(body))}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[answerKey]*answer, maxCachedAnswers)
	}
	if _, ok := c.m[k]; ok || len(body) > maxCachedBytes {
		return
	}
	for len(c.order) >= maxCachedAnswers || c.size+len(body) > maxCachedBytes {
		c.size -= len(c.m[c.order[0]].body)
		delete(c.m, c.order[0])
		c.order = append(c.order[:0], c.order[1:]...)
	}
	c.m[k] = a
	c.order = append(c.order, k)
	c.size += len(body)
}

// len returns how many answers are kept.
func (c *answerCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// xmlContentType is the Content-Type of every XML answer.
var xmlContentType = []string{"application/xml; charset=utf-8"}

// writeAnswer writes a kept answer.
func writeAnswer(w http.ResponseWriter, a *answer) {
	h := w.Header()
	h["Content-Type"] = xmlContentType
	h["Content-Length"] = a.length
	w.WriteHeader(http.StatusMultiStatus)
	w.Write(a.body)
}

// recorder passes an answer through to the client and keeps it when it
// is a 207 written in one piece (as writeXML writes it): that is an
// answer worth keeping. Error answers are not kept.
type recorder struct {
	http.ResponseWriter
	status int
	body   []byte
	writes int
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
	r.writes++
	r.body = b
	return r.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// kept returns the answer to keep, nil when there is none.
func (r *recorder) kept() []byte {
	if r.status != http.StatusMultiStatus || r.writes != 1 {
		return nil
	}
	return r.body
}

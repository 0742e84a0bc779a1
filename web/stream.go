package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/api"
)

// The change stream: GET /api/changes/stream, under each conference's
// slug too, is the change log as Server-Sent Events (the HTML standard's
// text/event-stream), for conference apps, screens at the venue and the
// attendee page. Each revision is one event: its id is the revision
// number, its data the change log's JSON for that revision alone (an
// api.ChangeList whose Since is one less, as GET /api/changes?since=N-1
// answered while N was current). A client that reconnects with
// Last-Event-ID (EventSource does so by itself), or ?since= where it
// cannot set headers, first gets every revision after that one, then the
// live ones, so it sees each revision once and misses none. Without
// either the stream starts at the current revision.

// Defaults of the stream settings in Config.
const (
	// DefaultStreamHeartbeat is below the minute after which common
	// proxies close an idle response (nginx's proxy_read_timeout is 60 s).
	DefaultStreamHeartbeat = 25 * time.Second
	// DefaultStreamsPerClient leaves room for a venue's attendees behind
	// one NAT address, each with the page open, and still keeps one
	// client from holding many connections.
	DefaultStreamsPerClient = 64
	// DefaultStreams bounds what all streams hold at once: a connection,
	// a goroutine and its buffers each.
	DefaultStreams = 4096
)

// streamWriteWait is how long one event or heartbeat may take to reach
// the client. The server's write timeout is for whole responses, which a
// stream is not; a client that stops reading is dropped after this.
const streamWriteWait = 30 * time.Second

// streamRetryAfter is the Retry-After of a 429 for too many streams: a
// slot frees when one of the client's streams ends, which cannot be
// foreseen.
const streamRetryAfter = "30"

// streamSlots bounds the change streams open at once, per client key and
// in all. It is safe for concurrent use.
type streamSlots struct {
	perClient, total int

	mu   sync.Mutex
	open map[string]int // by client key; keys with none are dropped
	n    int
}

func newStreamSlots(perClient, total int) *streamSlots {
	return &streamSlots{perClient: perClient, total: total, open: map[string]int{}}
}

// take claims a slot for a stream of client key, to be given back with
// release: 429 when the client has perClient open, 503 when the server
// has total.
func (l *streamSlots) take(key string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open[key] >= l.perClient:
		return nil, errorf(http.StatusTooManyRequests, "too many change streams open from your address (at most %d); close one first", l.perClient)
	case l.n >= l.total:
		return nil, errorf(http.StatusServiceUnavailable, "too many change streams open on this server; try again later")
	}
	l.open[key]++
	l.n++
	return sync.OnceFunc(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.n--
		if l.open[key]--; l.open[key] <= 0 {
			delete(l.open, key)
		}
	}), nil
}

// EndStreams ends every open change stream, and new ones are refused
// (503) from now on; it is for shutting down. http.Server.Shutdown waits
// for every request to end, and a stream would not end before its client
// leaves: give EndStreams to the server's RegisterOnShutdown. It may be
// called more than once.
func (s *Server) EndStreams() {
	s.closeOnce.Do(func() { close(s.closing) })
}

// serveStream serves a conference's change stream.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) error {
	st, err := s.site(r)
	if err != nil {
		return err
	}
	after, err := resumeAfter(r, st.snap)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead { // what a GET would start with, without the stream
		h.Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	select {
	case <-s.closing:
		return errorf(http.StatusServiceUnavailable, "the server is shutting down")
	default:
	}
	release, err := s.streams.take(s.clientKey(r))
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusTooManyRequests {
			h.Set("Retry-After", streamRetryAfter)
		}
		return err
	}
	defer release()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx would hold events back in its buffer
	rc := http.NewResponseController(w)
	// write sends b and flushes it, each within its own write deadline, in
	// place of the server's for the whole response.
	write := func(b []byte) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(streamWriteWait)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.WriteHeader(http.StatusOK)
	if !write([]byte(": changes after revision " + strconv.FormatInt(after, 10) + "\n\n")) {
		return nil
	}

	c := st.conf
	// over reports whether the server ends the stream: a long catch-up
	// checks between events, so a shutdown does not wait for it. A
	// client that left is noticed by the writes, which soon fail.
	over := func() bool {
		select {
		case <-s.closing:
		case <-c.gone:
		default:
			return false
		}
		return true
	}
	beat := time.NewTimer(s.cfg.StreamHeartbeat)
	defer beat.Stop()
	var buf []byte
	for {
		if after < st.snap.BaseRevision() {
			// The log now starts after what this client has: no event
			// can fill the gap. It reconnects and is told so (410).
			return nil
		}
		for ; after < st.snap.Revision(); after++ {
			var ev []byte
			var err error
			if after+1 == st.snap.Revision() {
				ev, err = st.event()
			} else {
				// Catching up: an older revision, asked by this stream only.
				buf, err = eventAt(buf[:0], st.snap, after+1)
				ev = buf
			}
			if err != nil {
				s.log.ErrorContext(r.Context(), "change stream: writing an event", "revision", after+1, "error", err)
				return nil
			}
			if !write(ev) || over() {
				return nil
			}
			beat.Reset(s.cfg.StreamHeartbeat)
		}
		select {
		case <-st.replaced:
			st = c.cur.Load()
		case <-beat.C:
			if !write([]byte(": heartbeat\n\n")) {
				return nil
			}
			beat.Reset(s.cfg.StreamHeartbeat)
		case <-r.Context().Done():
			return nil
		case <-s.closing:
			return nil
		case <-c.gone:
			return nil
		}
	}
}

// event returns the change stream's event of the revision st serves,
// made once however many streams are open.
func (st *site) event() ([]byte, error) {
	if b := st.streamEvent.Load(); b != nil {
		return *b, nil
	}
	b, err := eventAt(nil, st.snap, st.snap.Revision())
	if err != nil {
		return nil, err
	}
	st.streamEvent.Store(&b)
	return b, nil
}

// eventAt appends the event of revision rev of snap's log to b.
func eventAt(b []byte, snap *agenda.Snapshot, rev int64) ([]byte, error) {
	list, err := api.ChangesAt(snap, rev)
	if err != nil {
		return b, err
	}
	return appendEvent(b, rev, list)
}

// appendEvent appends the event of revision rev to b: its id and, on one
// data line, the JSON of list (json.Marshal writes no line breaks).
func appendEvent(b []byte, rev int64, list api.ChangeList) ([]byte, error) {
	data, err := json.Marshal(list)
	if err != nil {
		return b, err
	}
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, rev, 10)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...), nil
}

// resumeAfter returns the revision a stream of snap starts after: the
// client's Last-Event-ID (the last revision it has seen; EventSource
// sends it when it reconnects), else ?since=, else the current revision.
// 0 is the start of the change log, as for GET /api/changes; a revision
// before the log's start is 410 Gone. A revision after the current one is
// taken as it is: the client saw it from a server sharing the store that
// is ahead of this one, and the stream goes on from there once this one
// catches up.
func resumeAfter(r *http.Request, snap *agenda.Snapshot) (int64, error) {
	q, err := queryOf(r)
	if err != nil {
		return 0, err
	}
	name, v := "Last-Event-ID", strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		name, v = "since", q.Get("since")
	}
	if v == "" {
		return snap.Revision(), nil
	}
	rev, err := strconv.ParseInt(v, 10, 64)
	if err != nil || rev < 0 {
		return 0, errorf(http.StatusBadRequest, "%s: %s is not a revision number", name, short(v))
	}
	switch base := snap.BaseRevision(); {
	case rev == 0:
		return base, nil
	case rev < base:
		return 0, errorf(http.StatusGone, "%s: the change log starts at revision %d", name, base)
	}
	return rev, nil
}

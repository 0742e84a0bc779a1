package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"confcal/agenda"
	"confcal/api"
	"confcal/page"
)

// httpError is a failure with the status it answers with; its message is
// for the client.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// statusOf maps an error to the status it answers with and the message the
// client reads: the agenda's broken rules (agenda.Error) say what is wrong
// and are passed on; any other error is internal, and the client learns
// nothing of it.
func statusOf(err error) (int, string) {
	var he *httpError
	if errors.As(err, &he) {
		return he.status, he.msg
	}
	var st interface{ Status() int } // the page's errors
	if errors.As(err, &st) {
		return st.Status(), err.Error()
	}
	msg := err.Error()
	switch {
	case errors.Is(err, api.ErrPrecondition):
		return http.StatusPreconditionFailed, msg
	case errors.Is(err, agenda.ErrMassCancel):
		return http.StatusConflict, msg + api.MassCancelHint
	case errors.Is(err, agenda.ErrNotFound):
		return http.StatusNotFound, msg
	case errors.Is(err, agenda.ErrOverlap):
		return http.StatusConflict, msg + api.OverlapHint
	case errors.Is(err, agenda.ErrExists):
		return http.StatusConflict, msg
	case errors.Is(err, agenda.ErrInvalid), errors.Is(err, agenda.ErrUnknownRevision):
		return http.StatusUnprocessableEntity, msg
	case errors.Is(err, agenda.ErrStale):
		// Other processes on the same store kept saving revisions for
		// longer than the service retries: busy, not broken.
		return http.StatusServiceUnavailable, "the agenda is busy with other changes; try again"
	case errors.Is(err, agenda.ErrUnavailable):
		// The database is down or restarting: what is served from
		// memory goes on, a write is refused until it is back.
		return http.StatusServiceUnavailable, "the store cannot be reached right now; nothing was changed; try again shortly"
	}
	return http.StatusInternalServerError, "internal error"
}

// retryAfter is the Retry-After of a 503, in seconds.
const retryAfter = "2"

// handle adapts a handler that returns an error; fail answers it.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// fail is the one way requests are answered with an error: its status and
// a short message — JSON for the API, the page's error page for the
// attendee page, plain text everywhere else. Server errors (5xx) are logged
// with the request; client errors are the client's business.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", LogPath(r), "status", status, "error", err)
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	// A full pick store stays full: asking to retry soon would mislead.
	if status == http.StatusServiceUnavailable && !errors.Is(err, page.ErrPicksFull) {
		h.Set("Retry-After", retryAfter)
	}
	switch {
	case isAPI(r.URL.Path):
		s.writeJSON(w, r, status, struct {
			Error string `json:"error"`
		}{msg})
	case isPage(r) && pageSnap(r) != nil:
		s.renderError(w, r, pageSnap(r), status, msg)
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			fmt.Fprintln(w, msg)
		}
	}
}

// writeJSON writes v as indented JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Our own types always marshal: a bug, not a client error.
		s.log.ErrorContext(r.Context(), "encoding a JSON answer", "path", r.URL.Path, "error", err)
		status, body = http.StatusInternalServerError, []byte(`{"error": "internal error"}`)
	}
	body = append(body, '\n')
	// JSON is never to be sniffed as a page, whatever a session's text
	// holds: the API has always said so.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	writeBody(w, r, status, "application/json; charset=utf-8", body)
}

// isAPI reports whether path is the admin API's.
func isAPI(path string) bool {
	_, path = split(path)
	return path == "/api" || strings.HasPrefix(path, "/api/")
}

// pageSnap is the revision an error page of r is made from: its
// conference's, nil when there is none.
func pageSnap(r *http.Request) *agenda.Snapshot {
	if c := confOf(r); c != nil {
		if st := c.cur.Load(); st != nil {
			return st.snap
		}
	}
	return nil
}

// isPage reports whether r is for the attendee page, whose errors are
// pages of their own.
func isPage(r *http.Request) bool {
	p := local(r)
	return p == "/" || p == "/help" || p == "/my" || strings.HasPrefix(p, "/sessions/")
}

package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"confcal/agenda"
)

// httpError is an error with the status it answers with. Its message is
// written to the client.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// handle adapts a handler that returns an error; writeError answers it.
func (a *api) handle(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// statusOf maps an error to its status and the message the client reads.
// Errors of the agenda's rules say what is wrong and are passed on; any
// other error is internal and the client learns nothing of it.
func statusOf(err error) (int, string) {
	var he *httpError
	if errors.As(err, &he) {
		return he.status, he.msg
	}
	msg := strings.TrimPrefix(err.Error(), "agenda: ")
	switch {
	case errors.Is(err, errPrecondition):
		return http.StatusPreconditionFailed, msg
	case errors.Is(err, agenda.ErrNotFound):
		return http.StatusNotFound, msg
	case errors.Is(err, agenda.ErrOverlap):
		return http.StatusConflict, strings.TrimSuffix(msg, ": "+agenda.ErrOverlap.Error()) + OverlapHint
	case errors.Is(err, agenda.ErrExists):
		return http.StatusConflict, strings.TrimSuffix(msg, ": "+agenda.ErrInvalid.Error())
	case errors.Is(err, agenda.ErrInvalid):
		return http.StatusUnprocessableEntity, strings.TrimSuffix(msg, ": "+agenda.ErrInvalid.Error())
	case errors.Is(err, agenda.ErrStale):
		// Other processes on the same store kept saving revisions for
		// longer than the service retries: busy, not broken.
		return http.StatusServiceUnavailable, "the agenda is busy with other changes; try again"
	}
	return http.StatusInternalServerError, "internal error"
}

// OverlapHint ends the message of a 409 for an overlap.
const OverlapHint = ` (send "force": true to allow it)`

// retryAfter is the Retry-After of a 503, in seconds: the service has
// already retried for agenda.StaleDeadline, so a client may as well wait.
const retryAfter = "2"

// errPrecondition: an If-Match ETag is not the current one.
var errPrecondition = errors.New("precondition failed")

type errorBody struct {
	Error string `json:"error"`
}

// writeError is the one way failures are answered: a JSON body with a short
// message. Server errors are logged with the request; client errors are not.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		a.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "path", r.URL.Path,
			"status", status, "error", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, r, status, errorBody{Error: msg})
}

// writeJSON writes v as indented JSON with status.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Our own types always marshal; this is a bug, not a client error.
		status, body = http.StatusInternalServerError, []byte(`{"error": "internal error"}`)
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away; nothing to do
	}
}

// decode reads a JSON object of at most MaxBody bytes into v, refusing
// unknown fields, trailing data and bodies that are not JSON.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "the body must be JSON (Content-Type: application/json), not %q", ct)
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return errorf(http.StatusBadRequest, "malformed JSON: data after the object")
	}
	return nil
}

func decodeError(err error) error {
	var (
		tooBig *http.MaxBytesError
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return errorf(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, "malformed JSON: the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "malformed JSON: the body ends too early")
	case errors.As(err, &syntax):
		return errorf(http.StatusBadRequest, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return errorf(http.StatusBadRequest, "field %q: want a JSON %s, got %s", typ.Field, typ.Type, typ.Value)
		}
		return errorf(http.StatusBadRequest, "want a JSON object, got %s", typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errorf(http.StatusBadRequest, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errorf(http.StatusBadRequest, "malformed JSON: %v", err)
}

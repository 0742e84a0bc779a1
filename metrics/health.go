package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// Healthz answers 200 "ok" to GET and HEAD for as long as the process
// serves HTTP: a liveness probe, which checks nothing else on purpose (a
// store outage must not get the process restarted).
func Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProbe(w, r, http.StatusOK, "ok\n")
	})
}

// Check is one condition of readiness.
type Check struct {
	// Name names the check in the answer, e.g. "store" or "snapshot".
	Name string
	// Run returns nil when the condition holds, ErrSkipCheck when there is
	// nothing to check now (e.g. no source is followed). It must honour
	// ctx, which carries the probe's timeout.
	Run func(ctx context.Context) error
	// Advisory checks are reported ("source failed") but do not make the
	// server unready: it serves on (e.g. from the last good version of a
	// followed source).
	Advisory bool
}

// ErrSkipCheck is what a Check's Run returns when there is nothing to check
// at this probe: the check is left out of the answer.
var ErrSkipCheck = errors.New("metrics: nothing to check")

// PublicError is a failed check's error that may be shown to whoever
// probes readiness: Readyz writes each of its Lines, indented, under the
// check's line (e.g. "  pycon: source: https://pycon.example/schedule.xml
// answered 500 Internal Server Error"). Any other error is only logged, as
// it may name files or addresses; a Run's error may join both (errors.Join).
type PublicError struct {
	Lines []string
}

// Error implements error.
func (e *PublicError) Error() string { return strings.Join(e.Lines, "; ") }

// ReadyTimeout bounds how long Readyz waits for all its checks.
const ReadyTimeout = 5 * time.Second

// Readyz answers GET and HEAD with 200 when every check passes and 503
// when one fails, with one line per check ("store ok", "snapshot failed")
// but those that skip (ErrSkipCheck). The reason a check failed is logged to
// log (nil discards it), not sent: it may name files or addresses; only
// the lines of a PublicError in it follow the check's own.
func Readyz(log *slog.Logger, checks ...Check) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
		defer cancel()
		status := http.StatusOK
		var b strings.Builder
		for _, c := range checks {
			err := c.Run(ctx)
			switch {
			case errors.Is(err, ErrSkipCheck):
				continue
			case err == nil:
				fmt.Fprintf(&b, "%s ok\n", c.Name)
				continue
			case c.Advisory:
				log.WarnContext(ctx, "ready, but a check failed", "check", c.Name, "error", err)
				fmt.Fprintf(&b, "%s failed (still serving)\n", c.Name)
			default:
				status = http.StatusServiceUnavailable
				log.WarnContext(ctx, "not ready", "check", c.Name, "error", err)
				fmt.Fprintf(&b, "%s failed\n", c.Name)
			}
			if pe := (*PublicError)(nil); errors.As(err, &pe) {
				for _, l := range pe.Lines {
					fmt.Fprintf(&b, "  %s\n", oneLine(l))
				}
			}
		}
		if b.Len() == 0 {
			b.WriteString("ok\n")
		}
		writeProbe(w, r, status, b.String())
	})
}

// oneLine is s fit for one line of a probe's answer: control characters
// (line feeds included) become spaces, bytes that are not UTF-8 U+FFFD.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// writeProbe writes a probe's plain-text answer, never cached.
func writeProbe(w http.ResponseWriter, r *http.Request, status int, body string) {
	h := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		status, body = http.StatusMethodNotAllowed, "method not allowed\n"
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprint(w, body)
	}
}

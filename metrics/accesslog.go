package metrics

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// AccessHandler returns a slog.Handler that writes records to w as
// slog.NewTextHandler(w, opts) does, or as slog.NewJSONHandler(w, opts)
// when json is set. The request lines of AccessLog and InstrumentAndLog it
// formats itself, byte for byte as slog's handler would, without building
// a slog.Record: a request line is written on every request, and slog's
// generic path (the record, its attributes, the handler's walk over their
// kinds) was most of what logging one cost. Every other record, and every
// handler derived from it (WithAttrs, WithGroup), goes through slog's
// handler; with opts.ReplaceAttr or opts.AddSource set it is slog's handler.
//
// w gets one whole line per Write, from one goroutine at a time.
func AccessHandler(w io.Writer, json bool, opts *slog.HandlerOptions) slog.Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	lw := &lockedWriter{w: w}
	var inner slog.Handler
	if json {
		inner = slog.NewJSONHandler(lw, opts)
	} else {
		inner = slog.NewTextHandler(lw, opts)
	}
	if opts.ReplaceAttr != nil || opts.AddSource {
		return inner
	}
	return &accessHandler{Handler: inner, w: lw, json: json}
}

// accessHandler is AccessHandler's: slog's handler, and the request lines
// formatted directly into pooled buffers.
type accessHandler struct {
	slog.Handler
	w    *lockedWriter
	json bool
	bufs sync.Pool // of *[]byte
	// last is the second of the latest text line's time, formatted.
	last atomic.Pointer[second]
}

// second is one second of the clock as the text handler's times begin
// ("2006-01-02T15:04:05") and end ("Z", "+02:00") in one location: the
// lines of the many requests of a second format their time once.
type second struct {
	unix         int64
	loc          *time.Location
	prefix, zone string
}

// maxPooled is the largest line buffer kept for reuse: a request line is a
// few hundred bytes, but a path may run to the server's header limit.
const maxPooled = 4 << 10

// requestLine is what one request line says.
type requestLine struct {
	method, path, route string
	status              int
	bytes               int64
	duration            time.Duration
}

// request writes the line of one request, made at t, at level.
func (h *accessHandler) request(ctx context.Context, level slog.Level, t time.Time, l requestLine) {
	if !h.Enabled(ctx, level) {
		return
	}
	bp, _ := h.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	var b []byte
	if h.json {
		b = l.appendJSON((*bp)[:0], level, t)
	} else {
		b = h.appendTime(append((*bp)[:0], "time="...), t.Round(0))
		b = l.appendText(b, level)
	}
	h.w.Write(b) //nolint:errcheck // slog's handlers report a failed write to nobody either
	if cap(b) <= maxPooled {
		*bp = b
		h.bufs.Put(bp)
	}
}

// appendTime appends t as slog's text handler writes a time
// (appendMillis), its second formatted once.
func (h *accessHandler) appendTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		return appendMillis(b, t) // not the layout's four digits
	}
	sec, loc := t.Unix(), t.Location()
	s := h.last.Load()
	if s == nil || s.unix != sec || s.loc != loc {
		const upToSecond = len("2006-01-02T15:04:05")
		full := appendMillis(nil, t)
		s = &second{unix: sec, loc: loc, prefix: string(full[:upToSecond]), zone: string(full[upToSecond+4:])}
		h.last.Store(s)
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(b, s.prefix...)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, s.zone...)
}

// appendText appends the line as slog's TextHandler writes it, from
// what follows its time on.
func (l *requestLine) appendText(b []byte, level slog.Level) []byte {
	b = append(b, " level="...)
	b = appendText(b, level.String())
	b = append(b, " msg=request method="...)
	b = appendText(b, l.method)
	b = append(b, " path="...)
	b = appendText(b, l.path)
	b = append(b, " route="...)
	b = appendText(b, l.route)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, l.bytes, 10)
	b = append(b, " duration="...)
	b = append(b, l.duration.String()...)
	return append(b, '\n')
}

// appendJSON appends the line as slog's JSONHandler writes it.
func (l *requestLine) appendJSON(b []byte, level slog.Level, t time.Time) []byte {
	b = append(b, `{"time":"`...)
	b = t.Round(0).AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":`...)
	b = appendJSON(b, level.String())
	b = append(b, `,"msg":"request","method":`...)
	b = appendJSON(b, l.method)
	b = append(b, `,"path":`...)
	b = appendJSON(b, l.path)
	b = append(b, `,"route":`...)
	b = appendJSON(b, l.route)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, l.bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(l.duration), 10)
	return append(b, "}\n"...)
}

// appendMillis appends t in RFC 3339 with exactly three digits of
// fraction, as slog's text handler writes times. RFC3339Nano is the
// layout time formats fastest, but it drops trailing zeros: with a tenth
// of a millisecond added to the truncated time the fraction always has
// four digits, and the fourth is cut.
func appendMillis(b []byte, t time.Time) []byte {
	const upToMillis = len("2006-01-02T15:04:05.000")
	n := len(b)
	b = t.Truncate(time.Millisecond).Add(time.Millisecond/10).AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+upToMillis], b[n+upToMillis+1:]...)
}

// appendText appends s as slog's text handler writes a string value: as
// it is, or quoted (strconv.Quote) when it is empty or holds a space, an
// '=', a '"', a control character, or a rune that is invalid, a space or
// unprintable.
func appendText(b []byte, s string) []byte {
	if plainText(s) {
		return append(b, s...)
	}
	return strconv.AppendQuote(b, s)
}

func plainText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c <= ' ' || c == '=' || c == '"' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
		i += size
	}
	return true
}

// hexDigits are the digits of a \u00XX escape.
const hexDigits = "0123456789abcdef"

// appendJSON appends s as a JSON string as slog's JSON handler writes
// one: '"' and '\\' escaped, control characters as \n, \r, \t or \u00XX,
// each invalid byte as \ufffd, U+2028 and U+2029 escaped, nothing else
// (no HTML escaping).
func appendJSON(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// lockedWriter lets one Write at a time through to w: slog's handler and
// accessHandler's request lines share it.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

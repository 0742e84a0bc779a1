package web

import (
	"net/http"
	"strconv"
	"time"

	"confcal/ratelimit"
)

// Rate limits per client (ratelimit.ClientKey): what one client may do
// often, it may not do without bound.
const (
	// Stored picks: a burst of pickBurst, then one every pickEvery. Only
	// picks too long for a comfortable QR code are stored, and a venue's
	// attendees may share one address behind its NAT, so the burst is wide;
	// a flood is cut to a trickle.
	pickBurst = 30
	pickEvery = 10 * time.Second
	// Failed authentications (answers 401): authBurst, then one every
	// authEvery. Once spent, every request that would need the token is
	// answered 429 until the bucket refills, so tokens cannot be guessed at
	// speed.
	authBurst = 10
	authEvery = 6 * time.Second
)

// limiters are the server's rate limits.
type limiters struct {
	picks, auth *ratelimit.Limiter
}

func newLimiters() limiters {
	return limiters{picks: ratelimit.New(pickBurst, pickEvery), auth: ratelimit.New(authBurst, authEvery)}
}

// limit applies the rate limits: POST /my (a stored pick) per client, and
// failed authentications per client. A request that needs the admin token
// (it carries Authorization, or it is an API write) from a client that has
// failed too often is refused with 429 before the token is checked; every
// 401 counts as a failure and is logged at WARN (never the token).
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The client is named only for a request a limit applies to:
		// reads, polls above all, are never limited.
		if r.Method == http.MethodPost && local(r) == "/my" {
			if key := s.clientKey(r); !s.limits.picks.Allow(key) {
				s.tooMany(w, r, s.limits.picks, key, "too many personal agendas stored from your address; try again later")
				return
			}
		}
		if !needsToken(r) {
			next.ServeHTTP(w, r)
			return
		}
		key := s.clientKey(r)
		if s.limits.auth.Blocked(key) {
			s.log.WarnContext(r.Context(), "authentication refused: too many failures", "client", key, "method", r.Method, "path", r.URL.Path)
			s.tooMany(w, r, s.limits.auth, key, "too many failed authentications from your address; try again later")
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == http.StatusUnauthorized {
			s.limits.auth.Allow(key)
			s.log.WarnContext(r.Context(), "authentication failed", "client", key, "method", r.Method, "path", r.URL.Path)
		}
	})
}

// needsToken reports whether r is a request the admin token decides.
func needsToken(r *http.Request) bool {
	if hasAuthorization(r) {
		return true
	}
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions && isAPI(r.URL.Path)
}

// hasAuthorization reports whether r carries a non-empty Authorization
// field, as Header.Get would find it: the server stores header keys in
// canonical form, so the map is read directly.
func hasAuthorization(r *http.Request) bool {
	v := r.Header["Authorization"]
	return len(v) > 0 && v[0] != ""
}

// tooMany answers 429 with the time until key's next token.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, l *ratelimit.Limiter, key, msg string) {
	secs := int(l.RetryAfter(key).Round(time.Second) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
	s.fail(w, r, errorf(http.StatusTooManyRequests, "%s", msg))
}

// clientKey names the client of r for rate limits (Config.TrustProxy says
// whether X-Forwarded-For is believed).
func (s *Server) clientKey(r *http.Request) string { return ratelimit.ClientKey(r, s.cfg.TrustProxy) }

// statusWriter notes the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

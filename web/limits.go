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

// limit applies the rate limit of POST /my (a stored pick) per client.
// Failed authentications are limited where a token is checked
// (authBlocked, authFailed): only requests a token decides are refused
// when a client has failed too often, so a guesser behind a venue's NAT
// does not lock the venue's CalDAV clients out of their calendars (they
// send Basic credentials, which the public reads ignore).
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
		next.ServeHTTP(w, r)
	})
}

// authBlocked answers r with 429 and reports true when its client has
// failed to authenticate too often: before its token is looked at, so
// that even the right one is refused until the limit refills.
func (s *Server) authBlocked(w http.ResponseWriter, r *http.Request) bool {
	key := s.clientKey(r)
	if !s.limits.auth.Blocked(key) {
		return false
	}
	s.log.WarnContext(r.Context(), "authentication refused: too many failures", "client", key, "method", r.Method, "path", r.URL.Path)
	s.tooMany(w, r, s.limits.auth, key, "too many failed authentications from your address; try again later")
	return true
}

// authFailed counts a failed authentication of r's client (a 401) and
// logs it at WARN, never with the token.
func (s *Server) authFailed(r *http.Request) {
	key := s.clientKey(r)
	s.limits.auth.Allow(key)
	s.log.WarnContext(r.Context(), "authentication failed", "client", key, "method", r.Method, "path", r.URL.Path)
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

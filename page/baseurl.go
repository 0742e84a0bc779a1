package page

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ParseBaseURL checks a --base-url value and returns it without a trailing
// slash: an absolute http or https URL with a host and no path, query or
// fragment, such as "https://cal.example.org".
func ParseBaseURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("page: base URL %q: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("page: base URL %q: want an http:// or https:// URL", s)
	case u.Host == "" || !validHost(u.Host):
		return "", fmt.Errorf("page: base URL %q: no usable host", s)
	case u.User != nil:
		return "", fmt.Errorf("page: base URL %q: must not carry a user name or password", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "", fmt.Errorf("page: base URL %q: must not have a path, query or fragment (confcal serves from the root)", s)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// BaseURL returns the function that gives each request's absolute base URL
// (scheme and host, no trailing slash), used for every feed, webcal and QR
// link. A non-empty base (checked with ParseBaseURL) always wins. Otherwise
// the base is taken from the request: its Host header and whether it came
// over TLS, or — only when trustProxy is set, because anyone can send them —
// the X-Forwarded-Proto and X-Forwarded-Host headers a reverse proxy adds.
func BaseURL(base string, trustProxy bool) (func(*http.Request) string, error) {
	if base != "" {
		b, err := ParseBaseURL(base)
		if err != nil {
			return nil, err
		}
		return func(*http.Request) string { return b }, nil
	}
	return func(r *http.Request) string { return requestBase(r, trustProxy) }, nil
}

// requestBase derives the base URL from r; a Host it cannot use becomes
// "localhost".
func requestBase(r *http.Request, trustProxy bool) string {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if trustProxy {
		if p := strings.ToLower(firstValue(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" && validHost(h) {
			host = h
		}
	}
	if !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + strings.ToLower(host)
}

// firstValue returns the first of a comma-separated list of header values
// (the one the outermost proxy set), trimmed.
func firstValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// validHost reports whether h is a plain host name or IP address with an
// optional port: letters, digits, '.', '-', ':' and IPv6 brackets only.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-:[]", r)) {
			return false
		}
	}
	return true
}
